// Internal: what supervisor.cpp and dynamic_supervisor.cpp share — the
// request they answer, starting and stopping one child, restart intensity,
// and the reports they log.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "otter/child_spec.hpp"
#include "otter/gen_server.hpp"

namespace otter::detail::sup {

/// A typed request to a supervisor (start_child carries a C++ spec, which
/// no term can); the others may also come as terms (see parse_request).
struct request {
  enum kind_t { which_children, count_children, start_child, terminate_child, restart_child, delete_child, get_childspec };
  kind_t kind;
  term id;  // or the pid, for a DynamicSupervisor's terminate_child
  std::optional<child_spec> spec;
  /// As OTP's call failures show it: :which_children, {:terminate_child, id}, ...
  term to_term() const;
};

/// The request a term names (:which_children, {:terminate_child, id}, ...), if any.
std::optional<request> parse_request(const term& t);
/// The request in a call message (typed, or a term `parse_request` knows
/// and `accepts`), with whom to answer; any other call is answered here
/// ({:error, {:unknown_call, request}}, or {:error, :badcall} for a C++ type).
struct incoming {
  request r;
  from caller;
};
std::optional<incoming> request_in(any_message& m, bool (*accepts)(const request&));

/// Sends `r` to the supervisor as a call and waits for its term answer.
task<term> call(server_ref sup, request r);
term call(scoped_process& me, server_ref sup, request r);

/// Is this the reason of a child that ended on purpose (normal, shutdown,
/// {shutdown, _}): a transient child stays down, and no report is made.
bool is_clean_exit(const term& reason);

/// Runs a child's start function in the calling (supervisor) process; an
/// exception in it is an error, as a crash in an Elixir start function is.
task<start_result> start_one(const child_spec& spec, const std::vector<term>& extra);

/// Stops a running child as OTP's supervisor does: brutal_kill sends kill;
/// a timeout sends `shutdown`, then `kill` when it passes; infinity waits.
/// Returns the reason it ended with; `expected` tells whether that is the
/// one asked for (else the caller reports a shutdown_error).
struct stopped {
  term reason;
  bool expected;
};
task<stopped> shutdown_child(pid child, const shutdown& how);
/// Asks every pid to stop at once, then waits for each (a
/// DynamicSupervisor's children go together, not one by one).
task<void> shutdown_all(const std::vector<std::pair<pid, const child_spec*>>& children, const std::string& sup_label);

/// Restarts within the last `max_seconds`: one more, and whether that is
/// more than max_restarts (the supervisor then gives up).
class intensity {
 public:
  intensity(int max_restarts, int max_seconds) : max_(max_restarts), period_ms_(std::int64_t(max_seconds) * 1000) {}
  /// Records a restart now; returns false if the limit is exceeded.
  bool add_restart();

 private:
  int max_;
  std::int64_t period_ms_;
  std::deque<std::int64_t> at_;  // ms, oldest first
};

/// Checks what a start function cannot check itself: an id, a start
/// function, a valid shutdown. Returns {:start_spec, what} terms as OTP does.
std::optional<term> check_spec(const child_spec& spec);

// --- reports (otter::log, kind "supervisor_report") ---
/// How a supervisor names itself in reports: its name, else its pid.
std::string label_of(const server_name& n);
void report_child_terminated(const std::string& sup, const term& id, pid child, const term& reason, const child_spec& spec);
void report_start_error(const std::string& sup, const term& id, const term& reason, const child_spec& spec);
void report_shutdown_error(const std::string& sup, const term& id, pid child, const term& reason, const child_spec& spec);
void report_gave_up(const std::string& sup, const term& id, const child_spec& spec);

/// Registers the calling supervisor's name; the holder if it is taken.
pid claim_name(const server_name& n);

// --- starting a supervisor process (gen_server's protocol: start_ack) ---
/// How the new supervisor is tied to its starter (as gen_server's).
enum tie : int { tie_linked = 1, tie_link_yourself = 2 };
/// Waits for `child`'s start_ack (or its DOWN) in the starter.
task<start_result> await_ack(pid child);
start_result await_ack(scoped_process& me, pid child);
/// In the new supervisor: links to an outside starter, traps exits.
void begin(pid starter, int tie);
/// Answers the starter.
void ack(pid starter, start_result::status_t status, term reason = term());

}  // namespace otter::detail::sup

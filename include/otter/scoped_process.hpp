// otter::scoped_process — a process identity for code outside any process.
//
// main(), tests, and later the shell need to talk to processes the way a
// process does: have a pid, send, receive selectively with a timeout, link,
// monitor, trap exits. A scoped_process registers such an identity with a
// runtime for its own lifetime (like CAF's scoped_actor or the iex shell's
// process). Its receive blocks the calling OS thread: it spins for a few
// microseconds, then sleeps on a condition variable until a message arrives
// or the timeout passes — woken by the sender, never by polling.
//
//   otter::runtime rt;
//   otter::scoped_process me(rt);
//   auto p = rt.spawn(echo);
//   me.send(p, request{me.self(), "hi"});
//   std::optional<reply> r = me.receive<reply>(std::chrono::seconds(1));
//
// When it is destroyed it exits with reason `normal` (links and monitors are
// told). If an exit signal kills it, the next receive throws
// otter::exit_exception with the reason. It must be destroyed before its
// runtime. Thread-safety: use one scoped_process from one thread at a time;
// `self()` and sending *to* it are safe from anywhere.
#pragma once

#include <chrono>
#include <optional>

#include "otter/process.hpp"
#include "otter/runtime.hpp"

namespace otter {

/// A process identity owned by a non-process thread (see file comment).
class scoped_process {
 public:
  /// Registers a new process identity with `rt`; throws runtime_stopped if it has stopped.
  explicit scoped_process(runtime& rt);
  /// Exits with reason `normal`.
  ~scoped_process();
  scoped_process(const scoped_process&) = delete;
  scoped_process& operator=(const scoped_process&) = delete;

  /// Returns this identity's pid.
  pid self() const noexcept { return self_; }
  /// Returns the runtime it belongs to.
  runtime& owner() const noexcept { return rt_; }

  /// Sends `msg` to `to` with this identity as the sender.
  template <class T>
  void send(pid to, T&& msg) {
    send_envelope(to, detail::make_message<std::decay_t<T>>(std::forward<T>(msg)));
  }

  /// Waits for the oldest message of type T (no timeout).
  template <class T>
  T receive() {
    return receive_with(detail::make_clause_set(clause<T, detail::always, detail::take_message<T>>{{}, {}}));
  }
  /// Waits up to `timeout` for the oldest message of type T.
  template <class T, class Rep, class Period>
  std::optional<T> receive(std::chrono::duration<Rep, Period> timeout) {
    return receive<T>(detail::always{}, timeout);
  }
  /// Waits up to `timeout` for the oldest T for which `pred` holds.
  template <class T, class Pred, class Rep, class Period>
    requires std::is_invocable_r_v<bool, Pred&, const T&>
  std::optional<T> receive(Pred pred, std::chrono::duration<Rep, Period> timeout) {
    auto take = [](T v) -> std::optional<T> { return std::optional<T>(std::move(v)); };
    return receive_with(detail::make_clause_set(
        clause<T, Pred, decltype(take)>{std::move(pred), take},
        after(timeout, []() -> std::optional<T> { return std::nullopt; })));
  }
  /// Multi-clause receive with the same clauses as otter::receive.
  template <class... Clauses>
    requires(sizeof...(Clauses) > 0)
  auto receive_any(Clauses&&... clauses) {
    return receive_with(detail::make_clause_set(std::forward<Clauses>(clauses)...));
  }

  /// Links this identity and `p` (see otter::link).
  void link(pid p);
  /// Removes a link.
  void unlink(pid p);
  /// Monitors `p` (see otter::monitor).
  reference monitor(pid p);
  /// Removes a monitor (see otter::demonitor).
  bool demonitor(reference ref, bool flush = false);
  /// Sets whether this identity traps exits; returns the previous value.
  bool trap_exit(bool on);
  /// Sends an exit signal with this identity as the sender.
  void exit(pid p, const exit_reason& reason);
  /// Returns the number of messages waiting (drained ones and in-flight ones).
  std::size_t message_queue_len();
  /// Returns what `p` reports about itself, or nullopt if it is not alive.
  std::optional<process_info> get_process_info(pid p, std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  template <class Set>
  typename Set::result_type receive_with(Set set) {
    struct state : detail::receive_state {
      Set* set;
    } rs;
    rs.set = &set;
    rs.try_match = [](detail::receive_state* r, detail::envelope* e) {
      auto* s = static_cast<state*>(r);
      s->clause = s->set->match(e);
      return s->clause >= 0;
    };
    rs.timeout_ns = set.timeout_ns();
    if (wait(rs)) return set.dispatch(rs.clause, std::exchange(rs.matched, nullptr));
    if constexpr (Set::after_count == 1) return set.dispatch_after();
    __builtin_unreachable();
  }
  /// Blocks until `rs` matched (true) or timed out (false); throws exit_exception if killed.
  bool wait(detail::receive_state& rs);
  void send_envelope(pid to, detail::envelope* e);
  friend struct detail::scoped_access;

  runtime& rt_;
  detail::pcb* pcb_;
  pid self_;
};

namespace detail {
/// Internal: what gen_server's calls from outside processes need.
struct scoped_access {
  /// detail::send_request with `me` as the sender.
  static void send_request(scoped_process& me, pid to, envelope* e);
};
}  // namespace detail

}  // namespace otter

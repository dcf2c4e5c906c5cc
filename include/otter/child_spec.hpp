// Child specifications: how a supervisor starts, restarts and stops a child,
// as Elixir's child specs and OTP's child_spec maps say it.
//
//   otter::child_spec spec{
//       .id = "W1"_a,
//       .start = [] { return counter_worker::start_link("W1"_a); },
//       .restart = otter::restart::permanent,
//   };
//   auto w1 = counter_worker::child_spec("W1"_a);               // {Counter.Worker, :W1}
//   auto w2 = otter::child_spec_with(counter_worker::child_spec("W2"_a), {.id = "W2"_a});
//                                                               // Supervisor.child_spec(..., id: :W2)
//
// The start function runs in the supervisor's process and must start the
// child linked to it (gen_server's start_link does), giving {:ok, pid},
// :ignore or {:error, reason}.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <vector>

#include "otter/pid.hpp"
#include "otter/task.hpp"
#include "otter/term.hpp"

namespace otter {

/// What start and start_link give: `{:ok, pid}`, `:ignore` or `{:error, reason}`
/// (`{:already_started, pid}` when the name is taken).
struct start_result {
  enum status_t { ok, ignore, error };
  status_t status = error;
  otter::pid pid;
  term reason;  ///< for `error`

  bool is_ok() const noexcept { return status == ok; }
  /// As Elixir prints it: {:ok, #PID<0.1.0>}, :ignore, {:error, reason}.
  term to_term() const {
    if (status == ok) return otter::tuple(atoms::ok, pid);
    if (status == ignore) return term(atom("ignore"));
    return otter::tuple(atoms::error, reason);
  }
};

/// When a child that ended is started again: always (permanent), only
/// after an abnormal exit (transient: not normal, shutdown or
/// {shutdown, _}), or never (temporary).
enum class restart { permanent, transient, temporary };

/// A worker, or a supervisor of its own (which gets `infinity` to shut down).
enum class child_type { worker, supervisor };

/// How a supervisor stops a child: `kill` at once (brutal_kill), or exit
/// reason `shutdown` and then `kill` after a timeout, or wait forever.
class shutdown {
 public:
  static shutdown brutal_kill() { return shutdown(-1); }
  static shutdown timeout(std::chrono::milliseconds t) { return shutdown(t.count()); }
  static shutdown infinity() { return shutdown(-2); }
  /// The default of a worker: 5000 ms.
  shutdown() = default;

  bool is_brutal_kill() const noexcept { return ms_ == -1; }
  bool is_infinity() const noexcept { return ms_ == -2; }
  /// The timeout (for neither brutal_kill nor infinity).
  std::chrono::milliseconds timeout_ms() const noexcept { return std::chrono::milliseconds(ms_); }
  /// As Elixir shows it: :brutal_kill, :infinity or the milliseconds.
  term to_term() const;
  friend bool operator==(const shutdown&, const shutdown&) = default;

 private:
  explicit shutdown(std::int64_t ms) : ms_(ms) {}
  std::int64_t ms_ = 5000;
};

/// Starts a child from the supervisor's process. `extra_arguments` are a
/// DynamicSupervisor's (empty otherwise); a start function that takes none
/// fails to start when given some, as an Elixir function of the wrong
/// arity would.
class start_function {
 public:
  using with_extra = std::function<task<start_result>(const std::vector<term>& extra_arguments)>;
  start_function() = default;
  /// From `F()` or `F(const std::vector<term>&)` returning task<start_result>.
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, start_function>)
  start_function(F f) {  // NOLINT: implicit, so that `.start = [] {...}` reads well
    if constexpr (std::is_invocable_v<F&, const std::vector<term>&>) {
      fn_ = std::move(f);
    } else {
      static_assert(std::is_invocable_r_v<task<start_result>, F&>,
                    "otter::child_spec::start: a function returning otter::task<otter::start_result>, "
                    "taking nothing or the extra arguments (const std::vector<otter::term>&)");
      takes_extra_ = false;
      fn_ = [f = std::move(f)](const std::vector<term>&) mutable { return f(); };
    }
  }
  explicit operator bool() const noexcept { return static_cast<bool>(fn_); }
  bool takes_extra_arguments() const noexcept { return takes_extra_; }
  task<start_result> operator()(const std::vector<term>& extra) const { return fn_(extra); }

 private:
  with_extra fn_;
  bool takes_extra_ = true;
};

/// A child specification (Elixir's child spec map).
struct child_spec {
  term id;                 ///< any term, unique among a supervisor's children
  start_function start;    ///< starts the child linked to the caller
  otter::restart restart = otter::restart::permanent;
  /// Default: 5000 ms for a worker, infinity for a supervisor.
  std::optional<otter::shutdown> shutdown;
  child_type type = child_type::worker;
  /// How reports and get_childspec show `start`, e.g. {Counter.Worker,
  /// :start_link, [:W1]}; nil if not given.
  term start_call;
  /// The modules (Elixir) the child runs; shown by which_children.
  std::vector<term> modules;

  /// The shutdown in effect (the default for the type if none was given).
  otter::shutdown shutdown_or_default() const {
    if (shutdown) return *shutdown;
    return type == child_type::supervisor ? otter::shutdown::infinity() : otter::shutdown();
  }
  /// As Supervisor.get_childspec shows it: %{id: .., start: .., restart: ..,
  /// shutdown: .., type: .., modules: [..]}.
  term to_term() const;
};

/// What Supervisor.child_spec(spec, overrides) may change.
struct child_overrides {
  std::optional<term> id;
  std::optional<start_function> start;
  std::optional<otter::restart> restart;
  std::optional<otter::shutdown> shutdown;
  std::optional<child_type> type;
};

/// Supervisor.child_spec/2: `spec` with the given fields replaced, e.g. a
/// second worker of one module under another id.
child_spec child_spec_with(child_spec spec, const child_overrides& overrides);

/// :permanent, :transient, :temporary; :worker, :supervisor.
term to_term(restart r);
term to_term(child_type t);

}  // namespace otter

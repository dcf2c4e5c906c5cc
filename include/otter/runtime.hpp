// otter::runtime — the equivalent of an Erlang node: scheduler threads,
// the process table, timers and names.
//
// A runtime owns N scheduler threads (default: one per core), each with its
// own run queue; idle schedulers steal work from busy ones, spin briefly when
// they run dry, then park until woken. Processes run on whichever scheduler
// has them. Destroying (or `shutdown()`) ends every process that is still
// alive, without running exit signals, and frees all memory. Several runtimes
// can live in one program; pids of one mean nothing to another.
//
//   otter::runtime rt;                       // one scheduler per core
//   otter::pid p = rt.spawn(worker, 42);
//   rt.send(p, job{...});
//   rt.await_all_exited();
//
// For tests, `runtime_config::deterministic` creates no thread at all: the
// test calls `run_once()`/`run_until_idle()` and `advance_time()` and so
// drives exact interleavings on its own thread (like CAF's test coordinator).
//
// Thread-safety: every member is safe to call from any thread, except that
// the stepping members of a deterministic runtime must be called from one
// thread at a time, and no member may be called during or after destruction.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otter/process.hpp"
#include "otter/process_info.hpp"

namespace otter {

/// A crash report: an exception escaped a process body. Exits by
/// `otter::exit(reason)` and by exit signals are not crashes and not reported.
struct crash_report {
  pid process;          ///< the process that crashed
  std::string name;     ///< its registered name, if any
  exit_reason reason;   ///< why
};

/// How a runtime is built; every field has a sensible default.
struct runtime_config {
  /// Scheduler threads; 0 means one per hardware thread.
  unsigned schedulers = 0;
  /// No threads: the caller steps the runtime (tests only).
  bool deterministic = false;
  /// Largest number of simultaneously live processes (the table holds
  /// bit_ceil(max_processes + 1) - 1 slots, so a little more may fit).
  std::size_t max_processes = std::size_t{1} << 22;
  /// Slots of each scheduler's local run queue (power of two, >= 2); tests
  /// shrink it so that overflow and stealing happen often.
  std::uint32_t run_queue_capacity = 256;
  /// Messages a process may handle in one turn before others get a go.
  std::int32_t budget = 256;
  /// How long an idle scheduler keeps looking for work before parking.
  std::chrono::microseconds spin = std::chrono::microseconds(20);
  /// Called for every crash (from the crashing process's thread). The default
  /// logs it through otter::log (kind "crash_report"; stderr unless the log
  /// handler is replaced); pass an empty function to silence it here.
  std::function<void(const crash_report&)> on_crash = default_crash_logger;

  /// Logs a crash report (otter::log, kind "crash_report") in the shape of
  /// Elixir's: "Process #PID<0.5.0> raised an exception\n** (exit) ...".
  static void default_crash_logger(const crash_report& r);
};

namespace detail {
class runtime_impl;
}

/// A set of schedulers and the processes they run (see file comment).
class runtime {
 public:
  /// Starts a runtime with the given configuration.
  explicit runtime(runtime_config cfg = {});
  /// Shuts down (see `shutdown`).
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Starts `f(args...)` as a new process; throws runtime_stopped after shutdown.
  template <class F, class... A>
  pid spawn(F&& f, A&&... args) {
    return detail::start_process(impl_.get(), detail::make_body(std::forward<F>(f), std::forward<A>(args)...),
                                 spawn_tie::none)
        .child;
  }

  /// Sends `msg` to `to` from outside any process; dropped if `to` is dead.
  template <class T>
  void send(pid to, T&& msg) {
    deliver(to, detail::make_message<std::decay_t<T>>(std::forward<T>(msg)));
  }
  /// Sends `msg` to the process registered as `name`; throws bad_argument if none.
  template <class T>
  void send(std::string_view name, T&& msg) {
    auto p = whereis(name);
    if (!p) throw bad_argument("otter::runtime::send: no process is registered as '" + std::string(name) + "'");
    send(p, std::forward<T>(msg));
  }

  /// Sends an exit signal to `p` from outside any process (see otter::exit).
  void exit(pid p, const exit_reason& reason);
  /// Returns whether `p` is a live process of this runtime.
  bool is_alive(pid p) const;
  /// Returns the number of live processes (scoped_process handles included).
  std::size_t process_count() const;
  /// Blocks until no process is alive (scoped_process handles excluded).
  void await_all_exited();

  /// Registers `name` for the live process `p`; throws name_error if the name
  /// is taken, `p` is dead, or `p` already has a name.
  void register_name(std::string_view name, pid p);
  /// Removes a registered name; returns whether it existed.
  bool unregister_name(std::string_view name);
  /// Returns the pid registered as `name`, or the null pid.
  pid whereis(std::string_view name) const;
  /// Returns every registered name.
  std::vector<std::string> registered() const;
  /// Returns every live process (Erlang's processes/0), including the
  /// identities of scoped_processes; a snapshot, in no particular order.
  std::vector<pid> processes() const;

  /// Returns what `p` reports about itself, or nullopt if it is not alive.
  /// Blocks until the process answers (it answers at its next suspension).
  std::optional<process_info> get_process_info(pid p, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// Returns a reference unique within this runtime.
  reference make_ref();

  /// Returns the number of scheduler threads (0 in deterministic mode).
  unsigned schedulers() const;

  /// Ends every live process (destroys its frame: no signals are sent, no
  /// reports are made), stops the
  /// schedulers and frees everything. Idempotent.
  void shutdown();

  // --- deterministic mode only (throws std::logic_error otherwise) ---
  /// Runs one process for one turn; returns false if none was runnable.
  bool run_once();
  /// Runs processes until none is runnable; returns how many turns ran.
  std::size_t run_until_idle();
  /// Advances the virtual clock by `d` and fires the timers that expire.
  void advance_time(std::chrono::nanoseconds d);

  /// Returns the implementation (for otter's own components).
  detail::runtime_impl& impl() noexcept { return *impl_; }

 private:
  void deliver(pid to, detail::envelope* e);
  std::unique_ptr<detail::runtime_impl> impl_;
};

}  // namespace otter

// Processes: spawn, send, links, monitors and exit signals, from inside a
// process. The calling process and its runtime are implicit, as in Erlang.
//
// A process is a coroutine returning otter::process. It runs on the
// runtime's schedulers, suspends in receive/sleep/yield, and ends when its
// body returns (reason `normal`), when an exception escapes it (a crash whose
// reason names the exception type and message), when it calls
// `otter::exit(reason)`, or when an exit signal kills it.
//
//   otter::process echo() {
//     for (;;) {
//       auto [from, text] = co_await otter::receive<request>();
//       otter::send(from, reply{text});
//     }
//   }
//   otter::pid p = otter::spawn(echo);
//
// Lifetime rule (the lambda-coroutine trap): a coroutine lambda's captures
// live in the lambda object, not in the coroutine frame. `spawn` keeps the
// callable and copies of the arguments alive for the whole life of the
// process, so `spawn([x] () -> otter::process { ... use x ... })` and
// `spawn(body, std::string("arg"))` are safe, also when `body` takes
// `const std::string&`. What is not safe: calling a coroutine lambda yourself
// and spawning the resulting task, or capturing references to locals of the
// spawning function that end before the process does.
//
// Every function here must be called from inside a process (else it throws
// otter::not_in_process); code outside any process uses otter::runtime and
// otter::scoped_process, which offer the same operations.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "otter/detail/pcb.hpp"
#include "otter/errors.hpp"
#include "otter/exit_reason.hpp"
#include "otter/messages.hpp"
#include "otter/pid.hpp"
#include "otter/process_info.hpp"
#include "otter/receive.hpp"
#include "otter/task.hpp"

namespace otter {

/// Thrown by `otter::exit(reason)`: ends the calling process with `reason`.
/// Catching it and not rethrowing cancels the exit, as `catch` does in Erlang.
struct exit_exception {
  exit_reason reason;
};

/// How a new process is tied to its parent.
enum class spawn_tie : unsigned char { none, link, monitor };

namespace detail {

struct spawn_result {
  pid child;
  reference monitor;
};

/// Starts `body` as a new process of `rt` (or of the caller's runtime when
/// `rt` is null), tied to the calling process as `tie` says.
spawn_result start_process(runtime_impl* rt, task<void> body, spawn_tie tie);

// True when F is a function pointer whose parameters are exactly the
// argument types, by value: the coroutine then owns copies of everything.
// Any conversion (a std::string argument for a std::string_view parameter,
// say) goes through the trampoline, whose frame keeps the argument alive.
template <class F, class... A>
struct fn_params_are_args : std::false_type {};
template <class R, class... P, class... A>
  requires(sizeof...(P) == sizeof...(A))
struct fn_params_are_args<R (*)(P...), A...> : std::bool_constant<(std::is_same_v<P, A> && ...)> {};

template <class F, class... A>
task<void> trampoline(F f, A... a) {
  co_await std::invoke(f, std::move(a)...);
}

/// Builds the body coroutine so that the callable and the arguments live as
/// long as the process (see the lifetime rule above).
template <class F, class... A>
task<void> make_body(F&& f, A&&... a) {
  using D = std::decay_t<F>;
  static_assert(std::is_invocable_r_v<task<void>, D&, std::decay_t<A>&&...>,
                "a process body must be callable with the given arguments and return otter::process");
  if constexpr (fn_params_are_args<D, std::decay_t<A>...>::value) {
    return std::invoke(f, std::forward<A>(a)...);  // parameters are copied into its frame
  } else {
    return trampoline<D, std::decay_t<A>...>(std::forward<F>(f), std::forward<A>(a)...);
  }
}

void send_envelope(pid to, envelope* e);

/// The answer to a process_info request.
struct info_reply {
  reference ref;
  std::optional<process_info> info;
};
/// Asks `target` to send an info_reply tagged `ref` to the caller; returns
/// false (and sends nothing) if `target` is not alive.
bool request_info(pid target, reference ref);
void send_envelope_named(std::string_view name, envelope* e);
/// From a process: sends `e` (a message of family request_head whose tag is
/// a fresh reference) as a request that also monitors `to`; see
/// envelope_kind::request. gen_server's calls go this way.
void send_request(pid to, envelope* e);
/// From the process a request tagged `tag` from `caller` monitors: removes
/// that monitor (as the reply goes out) and returns whether it was there.
bool release_request_monitor(pid caller, reference tag) noexcept;
struct scoped_access;

}  // namespace detail

/// Returns the pid of the calling process.
pid self();

/// Starts `f(args...)` as a new process and returns its pid.
template <class F, class... A>
pid spawn(F&& f, A&&... args) {
  return detail::start_process(nullptr, detail::make_body(std::forward<F>(f), std::forward<A>(args)...),
                               spawn_tie::none)
      .child;
}

/// Starts a new process linked to the caller (atomically: no window without the link).
template <class F, class... A>
pid spawn_link(F&& f, A&&... args) {
  return detail::start_process(nullptr, detail::make_body(std::forward<F>(f), std::forward<A>(args)...),
                               spawn_tie::link)
      .child;
}

/// Starts a new process monitored by the caller; returns its pid and the monitor reference.
template <class F, class... A>
std::pair<pid, reference> spawn_monitor(F&& f, A&&... args) {
  auto r = detail::start_process(nullptr, detail::make_body(std::forward<F>(f), std::forward<A>(args)...),
                                 spawn_tie::monitor);
  return {r.child, r.monitor};
}

/// Sends `msg` to `to`; a message to a dead pid is silently dropped.
template <class T>
void send(pid to, T&& msg) {
  detail::send_envelope(to, detail::make_message<std::decay_t<T>>(std::forward<T>(msg)));
}

/// Sends `msg` to the process registered as `name`; throws bad_argument if none is.
template <class T>
void send(std::string_view name, T&& msg) {
  detail::send_envelope_named(name, detail::make_message<std::decay_t<T>>(std::forward<T>(msg)));
}

/// Links the caller and `p`. If `p` is gone: a trapping caller gets an
/// exit_message with reason `noproc`, any other caller exits with `noproc`.
void link(pid p);
/// Removes the link between the caller and `p` (no-op if there is none).
void unlink(pid p);
/// Monitors `p`; a down_message with the returned reference follows its end
/// (reason `noproc` at once if it is already gone).
reference monitor(pid p);
/// Removes a monitor; with `flush`, also removes its down_message if one
/// arrived. Returns whether the monitor was still active.
bool demonitor(reference ref, bool flush = false);

/// Sends an exit signal to `p`: `kill` always ends it (reason `killed`),
/// `normal` is ignored unless it traps exits, any other reason ends it unless
/// it traps exits, in which case it gets an exit_message.
void exit(pid p, const exit_reason& reason);
/// Ends the calling process with `reason` (throws otter::exit_exception).
[[noreturn]] void exit(const exit_reason& reason);

/// Sets whether the caller traps exits; returns the previous value.
bool trap_exit(bool on);

/// Returns whether `p` is a live process of the caller's runtime (from a process, or
/// a thread with a scoped_process).
bool is_alive(pid p);

/// Returns a reference unique within the caller's runtime.
reference make_ref();

/// Registers the caller-visible name `name` for `p` (names are freed when their process exits).
void register_name(std::string_view name, pid p);
/// Removes a registered name; returns whether it existed.
bool unregister_name(std::string_view name);
/// Returns the pid registered as `name`, or the null pid.
pid whereis(std::string_view name);
/// Returns every registered name of the caller's runtime.
std::vector<std::string> registered();
/// Returns every live process of the caller's runtime (a snapshot).
std::vector<pid> processes();

/// Returns what `p` reports about itself, or nullopt if it is not alive.
/// Suspends until `p` answers (at its next suspension point).
task<std::optional<process_info>> get_process_info(pid p);

/// The awaiter returned by otter::yield().
struct yield_awaiter {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const;
  void await_resume() const noexcept {}
};

/// Lets the other runnable processes run before the caller continues. Use it
/// in long computations: code without suspension points is never preempted.
inline yield_awaiter yield() noexcept { return {}; }

}  // namespace otter

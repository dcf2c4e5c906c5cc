// Timers: send a message later, and cancel it (Erlang's erlang:send_after/3
// and erlang:cancel_timer/1). `otter::sleep` and receive timeouts are in
// receive.hpp.
//
// Timers live in a hierarchical timing wheel per scheduler (250 µs ticks):
// arming and cancelling are O(1), and millions of live timers cost ~64 bytes
// each. A timer fires no earlier than its delay; it may fire later by up to a
// tick, or more if its scheduler is busy with a process that does not yield.
//
//   auto t = otter::send_after(otter::self(), 100ms, tick{});
//   if (auto left = otter::cancel_timer(t)) ...   // still pending: cancelled
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "otter/detail/envelope.hpp"
#include "otter/pid.hpp"

namespace otter {

class runtime;
namespace detail {
struct timer_entry;
class runtime_impl;
}  // namespace detail

/// A handle to a pending timer; copyable; cancelling a fired timer is harmless.
class timer_ref {
 public:
  timer_ref() noexcept = default;
  timer_ref(const timer_ref& o) noexcept;
  timer_ref(timer_ref&& o) noexcept;
  timer_ref& operator=(timer_ref o) noexcept;
  ~timer_ref();
  /// Returns whether this refers to a timer at all.
  explicit operator bool() const noexcept { return entry_ != nullptr; }
  /// Wraps an entry whose reference the handle takes over (internal).
  explicit timer_ref(detail::timer_entry* e) noexcept : entry_(e) {}
  detail::timer_entry* entry() const noexcept { return entry_; }

 private:
  detail::timer_entry* entry_ = nullptr;
};

namespace detail {
timer_ref send_after_envelope(runtime_impl* rt, pid to, std::int64_t delay_ns, envelope* e);
}

/// Sends `msg` to `to` after `delay`, from inside a process.
template <class Rep, class Period, class T>
timer_ref send_after(pid to, std::chrono::duration<Rep, Period> delay, T&& msg) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
  return detail::send_after_envelope(nullptr, to, ns, detail::make_message<std::decay_t<T>>(std::forward<T>(msg)));
}

/// Sends `msg` to `to` after `delay` through runtime `rt` (from any thread).
template <class Rep, class Period, class T>
timer_ref send_after(runtime& rt, pid to, std::chrono::duration<Rep, Period> delay, T&& msg);

/// Cancels a pending timer; returns the time that was left, or nullopt if it
/// had fired or was cancelled already.
std::optional<std::chrono::milliseconds> cancel_timer(const timer_ref& t);

}  // namespace otter

#include "otter/runtime.hpp"

template <class Rep, class Period, class T>
otter::timer_ref otter::send_after(runtime& rt, pid to, std::chrono::duration<Rep, Period> delay, T&& msg) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
  return detail::send_after_envelope(&rt.impl(), to, ns, detail::make_message<std::decay_t<T>>(std::forward<T>(msg)));
}

// otter::pid — the identity of a process.
//
// A pid is a 64-bit serial that a runtime never hands out twice: its low bits
// name a slot in the runtime's process table (O(1) lookup) and the high bits
// count how often that slot has been reused, like the number and serial parts
// of an Erlang pid. A pid outlives its process; sending to it afterwards is
// silently dropped. Pids are plain values: copy, compare, hash and print them
// from any thread.
//
//   otter::pid p = otter::spawn(worker);
//   std::cout << p;             // #PID<0.42.0>
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace otter {

/// Identifies one process of one runtime; never reused within that runtime.
class pid {
 public:
  /// Constructs the null pid, which names no process.
  constexpr pid() noexcept = default;
  /// Wraps a raw serial (as returned by `value()`).
  constexpr explicit pid(std::uint64_t serial) noexcept : serial_(serial) {}

  /// Returns the raw serial; 0 for the null pid.
  constexpr std::uint64_t value() const noexcept { return serial_; }
  /// Returns whether this names a process at all (alive or not).
  constexpr explicit operator bool() const noexcept { return serial_ != 0; }
  /// Returns the Erlang-style "number" part: the process-table slot.
  std::uint64_t number() const noexcept;
  /// Returns the Erlang-style "serial" part: how often the slot was reused.
  std::uint64_t serial() const noexcept;
  /// Returns the Erlang form, e.g. `#PID<0.42.0>`.
  std::string to_string() const;

  friend constexpr auto operator<=>(pid, pid) noexcept = default;

 private:
  std::uint64_t serial_ = 0;
};

/// Prints the pid as Erlang does: `#PID<0.number.serial>`.
std::ostream& operator<<(std::ostream& os, pid p);

/// A unique reference (Erlang's `make_ref()`), used for monitors and timers.
class reference {
 public:
  /// Constructs the null reference.
  constexpr reference() noexcept = default;
  /// Wraps a raw value (as returned by `value()`).
  constexpr explicit reference(std::uint64_t v) noexcept : value_(v) {}
  /// Returns the raw value; 0 for the null reference.
  constexpr std::uint64_t value() const noexcept { return value_; }
  /// Returns whether this is a real reference.
  constexpr explicit operator bool() const noexcept { return value_ != 0; }
  /// Returns the Erlang form, e.g. `#Reference<0.0.0.17>`.
  std::string to_string() const;
  friend constexpr auto operator<=>(reference, reference) noexcept = default;

 private:
  std::uint64_t value_ = 0;
};

/// Prints the reference as Erlang does: `#Reference<0.a.b.c>` (its 64 bits as
/// Erlang's 14-, 32- and 18-bit words).
std::ostream& operator<<(std::ostream& os, reference r);

}  // namespace otter

template <>
struct std::hash<otter::pid> {
  std::size_t operator()(otter::pid p) const noexcept { return std::hash<std::uint64_t>{}(p.value()); }
};
template <>
struct std::hash<otter::reference> {
  std::size_t operator()(otter::reference r) const noexcept {
    return std::hash<std::uint64_t>{}(r.value());
  }
};

// Internal: a hierarchical timing wheel (Varghese & Lauck), one per scheduler.
//
// Six levels of 64 slots; a level-L slot spans 64^L ticks of 250 µs, so the
// wheel covers 2^36 ticks (200 days of 250 µs ticks); a later timer is filed
// at the far edge and re-filed when that comes up. Insert and cancel are O(1); a timer
// in a far slot is cascaded to a finer level when its slot comes up (at most
// five times in its life). Each level keeps a 64-bit occupancy mask, so the
// next expiry is found with a rotate and a count-trailing-zeros per level.
//
// Locking: each wheel has one mutex. Its scheduler takes it to insert and to
// advance; other threads take it only to cancel a timer that lives here or
// to insert from outside any scheduler. The mutex is thus nearly always
// uncontended. Fired entries are collected under the lock and delivered
// after it is released, so delivery (which may wake a process) never runs
// under the wheel lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "otter/detail/envelope.hpp"

namespace otter::detail {

class timer_wheel;

/// One armed timer. Shared by the wheel and by whoever may cancel it
/// (a receive in progress or a timer_ref), hence the reference count.
struct timer_entry {
  timer_entry* prev = nullptr;
  timer_entry* next = nullptr;
  std::uint64_t deadline = 0;  // in ticks, where it is filed; guarded by the wheel's mutex
  std::uint64_t due = 0;       // the true deadline (later than `deadline` beyond the wheel's range)
  timer_wheel* wheel = nullptr;
  pid target;
  envelope* payload = nullptr;  // delivered to `target` on expiry
  std::atomic<std::uint32_t> refs{1};
  bool armed = false;  // guarded by the wheel's mutex
  std::uint8_t level = 0, slot = 0;  // where it is filed; guarded likewise

  void retain() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  /// Drops a reference; frees the entry (and an undelivered payload) at zero.
  void release() noexcept;
};

class timer_wheel {
 public:
  static constexpr int levels = 6;
  static constexpr std::uint64_t max_ticks = (std::uint64_t{1} << (6 * levels)) - 1;
  /// The farthest a timer is filed ahead of the wheel's time: one top-level
  /// slot short of a full turn, so that a far entry never lands in the top
  /// slot the wheel is in now (which would read as due).
  static constexpr std::uint64_t horizon = max_ticks - (std::uint64_t{1} << (6 * (levels - 1)));

  /// `clock(ctx)` returns the current tick; the wheel starts at that time.
  timer_wheel(std::uint64_t (*clock)(const void*), const void* ctx) : clock_(clock), ctx_(ctx), elapsed_(clock(ctx)) {}
  ~timer_wheel();

  /// Arms `e` to expire at `deadline` (ticks); returns false if the deadline
  /// has passed already (the caller then delivers at once).
  bool insert(timer_entry* e, std::uint64_t deadline);
  /// Disarms `e` if it is still armed here; returns its deadline, or 0.
  std::uint64_t cancel(timer_entry* e);
  /// Moves time to `now` and appends the entries that expired to `fired`
  /// (linked through `next`, each still holding the wheel's reference).
  timer_entry* advance(std::uint64_t now);
  /// Returns the earliest tick at which something may expire, or UINT64_MAX.
  std::uint64_t next_expiry();
  /// Returns the current tick of this wheel's clock.
  std::uint64_t now() const noexcept { return clock_(ctx_); }
  /// Returns how many timers are armed.
  std::size_t size();

 private:
  struct level {
    std::uint64_t occupied = 0;
    std::array<timer_entry*, 64> slots{};
  };
  static int level_for(std::uint64_t elapsed, std::uint64_t when) noexcept;
  void link(timer_entry* e);
  void unlink(timer_entry* e) noexcept;
  std::uint64_t next_expiry_locked(int* lvl, int* slot) const noexcept;

  std::uint64_t (*clock_)(const void*);
  const void* ctx_;
  std::mutex m_;
  std::uint64_t elapsed_;                 // guarded by m_
  std::array<level, levels> levels_{};    // guarded by m_
  std::size_t count_ = 0;                 // guarded by m_
};

}  // namespace otter::detail

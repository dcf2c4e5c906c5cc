// The timing wheel alone, with a manual clock: expiry order, cascading from
// coarse levels, cancellation, and the next-expiry hint used for parking.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "timer_wheel.hpp"

using otter::detail::timer_entry;
using otter::detail::timer_wheel;

namespace {
std::uint64_t fake_now = 0;
std::uint64_t clock_fn(const void*) { return fake_now; }

std::vector<std::uint64_t> drain(timer_entry* fired) {
  std::vector<std::uint64_t> out;
  while (fired) {
    timer_entry* e = fired;
    fired = e->next;
    out.push_back(e->deadline);
    e->release();
  }
  return out;
}
}  // namespace

TEST(TimerWheel, fires_each_timer_at_its_tick_across_all_levels) {
  fake_now = 0;
  timer_wheel w(clock_fn, nullptr);
  std::mt19937_64 rng(42);
  std::vector<std::uint64_t> deadlines;
  for (int i = 0; i < 3000; ++i) {
    std::uint64_t d = 1 + rng() % (std::uint64_t{1} << (6 * (1 + i % 4)));
    deadlines.push_back(d);
    ASSERT_TRUE(w.insert(new timer_entry(), d));
  }
  std::sort(deadlines.begin(), deadlines.end());
  std::size_t next = 0;
  std::uint64_t now = 0;
  while (next < deadlines.size()) {
    std::uint64_t hint = w.next_expiry();
    ASSERT_LE(hint, deadlines[next]) << "the hint must never be late";
    now = std::max(now + 1, std::min(hint, deadlines[next]));
    for (auto d : drain(w.advance(now))) {
      ASSERT_EQ(d, deadlines[next]) << "fired out of order or at the wrong tick";
      ASSERT_LE(d, now);
      ++next;
    }
    for (std::size_t k = next; k < deadlines.size() && deadlines[k] <= now; ++k) FAIL() << "late: " << deadlines[k];
  }
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, cancelled_timers_never_fire) {
  fake_now = 0;
  timer_wheel w(clock_fn, nullptr);
  auto* keep = new timer_entry();
  auto* drop = new timer_entry();
  drop->retain();
  w.insert(keep, 500);
  w.insert(drop, 300);
  EXPECT_EQ(w.cancel(drop), 300u);
  drop->release();  // the wheel's reference, now ours
  EXPECT_EQ(w.cancel(drop), 0u);
  drop->release();
  auto fired = drain(w.advance(1000));
  EXPECT_EQ(fired, std::vector<std::uint64_t>{500});
}

TEST(TimerWheel, a_deadline_in_the_past_is_refused) {
  fake_now = 100;
  timer_wheel w(clock_fn, nullptr);
  auto* e = new timer_entry();
  EXPECT_FALSE(w.insert(e, 100));
  e->release();
  EXPECT_EQ(w.next_expiry(), UINT64_MAX);
}

TEST(TimerWheel, a_deadline_beyond_the_range_fires_on_time_not_early) {
  fake_now = 0;
  timer_wheel w(clock_fn, nullptr);
  auto* far = new timer_entry();
  const std::uint64_t due = 3 * timer_wheel::max_ticks + 17;
  ASSERT_TRUE(w.insert(far, due));
  // At the wheel's horizon the entry is re-filed, not fired.
  EXPECT_TRUE(drain(w.advance(timer_wheel::horizon)).empty());
  EXPECT_LT(w.next_expiry(), due);
  EXPECT_GT(w.next_expiry(), timer_wheel::horizon);
  EXPECT_TRUE(drain(w.advance(2 * timer_wheel::max_ticks + 5)).empty());
  EXPECT_TRUE(drain(w.advance(due - 1)).empty());
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(drain(w.advance(due)), std::vector<std::uint64_t>{due});
  EXPECT_EQ(w.size(), 0u);
}

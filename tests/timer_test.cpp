#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct tick { int n; };
}  // namespace

TEST(Timer, send_after_delivers_later_and_in_deadline_order) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto start = std::chrono::steady_clock::now();
  auto t2 = otter::send_after(rt, me.self(), 40ms, tick{2});
  auto t1 = otter::send_after(rt, me.self(), 10ms, tick{1});
  auto a = me.receive<tick>(forever);
  auto b = me.receive<tick>(forever);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->n, 1);
  EXPECT_EQ(b->n, 2);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 40ms);  // never early
}

TEST(Timer, cancel_timer_stops_delivery_and_reports_time_left) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto t = otter::send_after(rt, me.self(), 10s, tick{1});
  auto left = otter::cancel_timer(t);
  ASSERT_TRUE(left);
  EXPECT_GT(left->count(), 5000);
  EXPECT_LE(left->count(), 10000);
  EXPECT_FALSE(otter::cancel_timer(t));  // already cancelled
  EXPECT_FALSE(me.receive<tick>(30ms));
}

TEST(Timer, cancelling_a_fired_timer_returns_nullopt) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto t = otter::send_after(rt, me.self(), 1ms, tick{1});
  ASSERT_TRUE(me.receive<tick>(forever));
  EXPECT_FALSE(otter::cancel_timer(t));
}

TEST(Timer, a_process_can_send_itself_timers) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  rt.spawn([](otter::pid to) -> otter::process {
    auto keep = otter::send_after(otter::self(), 5ms, tick{1});
    auto drop = otter::send_after(otter::self(), 5ms, tick{2});
    otter::cancel_timer(drop);
    auto t = co_await otter::receive<tick>();
    auto none = co_await otter::receive<tick>(30ms);
    otter::send(to, t.n == 1 && !none);
  }, me.self());
  auto ok = me.receive<bool>(forever);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
}

TEST(Timer, many_thousands_of_live_timers_fire_exactly_once) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  constexpr int n = 20000;
  std::vector<otter::timer_ref> refs;
  for (int i = 0; i < n; ++i) refs.push_back(otter::send_after(rt, me.self(), std::chrono::milliseconds(i % 50), tick{i}));
  std::vector<int> seen(n, 0);
  for (int i = 0; i < n; ++i) {
    auto t = me.receive<tick>(forever);
    ASSERT_TRUE(t);
    ++seen[t->n];
  }
  for (int i = 0; i < n; ++i) ASSERT_EQ(seen[i], 1) << i;
  EXPECT_FALSE(me.receive<tick>(20ms));
}

TEST(Timer, negative_delay_is_a_bad_argument_and_outside_needs_a_runtime) {
  otter::runtime rt(quiet());
  EXPECT_THROW(otter::send_after(rt, otter::pid(), -1ms, tick{1}), otter::bad_argument);
  EXPECT_THROW(otter::send_after(otter::pid(), 1ms, tick{1}), otter::not_in_process);
}

TEST(Timer, sleep_in_many_processes_at_once) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  constexpr int n = 2000;
  for (int i = 0; i < n; ++i)
    rt.spawn([](otter::pid to, int i) -> otter::process {
      co_await otter::sleep(std::chrono::milliseconds(1 + i % 20));
      otter::send(to, tick{i});
    }, me.self(), i);
  for (int i = 0; i < n; ++i) ASSERT_TRUE(me.receive<tick>(forever));
}

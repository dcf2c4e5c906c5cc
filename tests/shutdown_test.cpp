#include <gtest/gtest.h>

#include <memory>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct never {};
struct counted {
  std::shared_ptr<int> alive;
};
}  // namespace

TEST(Shutdown, ends_live_processes_and_frees_their_frames) {
  auto alive = std::make_shared<int>(0);
  {
    otter::runtime rt(quiet());
    otter::scoped_process me(rt);
    for (int i = 0; i < 1000; ++i)
      rt.spawn([](std::shared_ptr<int> token, otter::pid to) -> otter::process {
        otter::send(to, never{});
        co_await otter::receive<never>();  // waits forever
        (void)token;
      }, alive, me.self());
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(me.receive<never>(forever));
    EXPECT_EQ(alive.use_count(), 1001);
    // A message still queued for a waiting process is freed too.
  }
  EXPECT_EQ(alive.use_count(), 1);  // every frame (and its copy of the token) is gone
}

TEST(Shutdown, undelivered_messages_and_pending_timers_are_freed) {
  auto alive = std::make_shared<int>(0);
  {
    otter::runtime rt(quiet());
    otter::scoped_process me(rt);
    auto p = rt.spawn([]() -> otter::process { co_await otter::receive<never>(); });
    for (int i = 0; i < 100; ++i) rt.send(p, counted{alive});
    otter::send_after(rt, p, 1h, counted{alive});
    otter::send_after(rt, me.self(), 1h, counted{alive});
  }
  EXPECT_EQ(alive.use_count(), 1);
}

TEST(Shutdown, await_all_exited_returns_when_the_last_process_ends) {
  otter::runtime rt(quiet());
  for (int i = 0; i < 100; ++i)
    rt.spawn([](int i) -> otter::process { co_await otter::sleep(std::chrono::milliseconds(i % 7)); }, i);
  rt.await_all_exited();
  EXPECT_EQ(rt.process_count(), 0u);
}

TEST(Shutdown, is_idempotent_and_sends_after_it_are_dropped) {
  otter::runtime rt(quiet());
  auto p = rt.spawn([]() -> otter::process { co_await otter::receive<never>(); });
  rt.shutdown();
  rt.shutdown();
  rt.send(p, never{});  // dropped, no crash
  EXPECT_FALSE(rt.is_alive(p));
  EXPECT_THROW(otter::scoped_process me(rt), otter::runtime_stopped);
}

TEST(Shutdown, from_one_of_its_own_processes_is_refused) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  rt.spawn([](otter::runtime* r, otter::pid to) -> otter::process {
    try {
      r->shutdown();
      otter::send(to, false);
    } catch (const otter::bad_argument&) {
      otter::send(to, true);
    }
    co_return;
  }, &rt, me.self());
  auto refused = me.receive<bool>(forever);
  ASSERT_TRUE(refused);
  EXPECT_TRUE(*refused);
  EXPECT_TRUE(rt.is_alive(me.self()));  // still running
}

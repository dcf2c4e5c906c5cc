// Fairness and yielding: a process flooded with messages, or one that
// yields in a loop, must not starve its neighbours on a single scheduler.
#include <gtest/gtest.h>

#include <thread>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct work { int n; };
struct stop {};
struct hello {};
}  // namespace

TEST(Fairness, a_flooded_process_does_not_starve_its_neighbour) {
  otter::runtime rt(quiet(1));  // one scheduler: everyone shares it
  otter::scoped_process me(rt);
  // The sink handles messages forever; a flooder keeps its mailbox full.
  auto sink = rt.spawn([]() -> otter::process {
    for (;;) co_await otter::receive<work>();
  });
  auto flooder = rt.spawn([](otter::pid sink) -> otter::process {
    for (int i = 0;; ++i) {
      for (int k = 0; k < 64; ++k) otter::send(sink, work{i});
      co_await otter::yield();
    }
  }, sink);
  // A neighbour that only needs one turn must get it while the flood goes on.
  rt.spawn([](otter::pid to) -> otter::process {
    otter::send(to, hello{});
    co_return;
  }, me.self());
  EXPECT_TRUE(me.receive<hello>(forever));
  rt.exit(flooder, otter::exit_reason::kill());
  rt.exit(sink, otter::exit_reason::kill());
}

TEST(Fairness, a_process_woken_by_a_producer_that_never_waits_runs_meanwhile) {
  // The producer wakes the consumer (into its scheduler's LIFO slot) and
  // then sends in a loop without ever waiting; past its budget the slot is
  // released, so the other scheduler takes the consumer and it runs while
  // the loop goes on. The loop is bounded so that a failure cannot hang.
  otter::runtime rt(quiet(2));
  otter::scoped_process me(rt);
  std::atomic<bool> consumed{false};
  auto consumer = rt.spawn([](std::atomic<bool>* consumed) -> otter::process {
    co_await otter::receive<work>();
    consumed->store(true);
    for (;;) co_await otter::receive<work>();
  }, &consumed);
  auto producer = rt.spawn([](otter::pid consumer, std::atomic<bool>* consumed, otter::pid to) -> otter::process {
    co_await otter::receive<hello>();
    int sent = 0;
    while (!consumed->load() && sent < 20'000'000) {
      otter::send(consumer, work{sent});
      ++sent;
    }
    otter::send(to, work{consumed->load() ? 1 : 0});
  }, consumer, &consumed, me.self());
  me.send(producer, hello{});
  auto r = me.receive<work>(forever);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->n, 1) << "the consumer did not run while its producer looped";
  rt.exit(consumer, otter::exit_reason::kill());
}

TEST(Fairness, two_processes_woken_from_outside_at_once_run_on_both_schedulers) {
  // Each, once woken, waits for the other to start without ever yielding:
  // only if both run at once (one per scheduler) do they both see it. The
  // runtime is idle first (every scheduler parked), the case where the
  // scheduler woken for the first could take the second and leave the
  // first waiting. Bounded, so that a failure cannot hang.
  otter::runtime rt(quiet(2));
  otter::scoped_process me(rt);
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> started{0};
    auto body = [](std::atomic<int>* started, otter::pid to) -> otter::process {
      co_await otter::receive<hello>();
      started->fetch_add(1);
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (started->load() < 2 && std::chrono::steady_clock::now() < until) {
      }
      otter::send(to, work{started->load()});
    };
    auto a = rt.spawn(body, &started, me.self());
    auto b = rt.spawn(body, &started, me.self());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the schedulers park
    me.send(a, hello{});
    me.send(b, hello{});
    for (int i = 0; i < 2; ++i) {
      auto r = me.receive<work>(forever);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->n, 2) << "round " << round << ": one ran only after the other";
    }
  }
}

TEST(Fairness, budget_makes_a_busy_receiver_take_turns) {
  auto cfg = quiet(1);
  cfg.budget = 8;
  otter::runtime rt(cfg);
  otter::scoped_process me(rt);
  // Two receivers each get 1000 messages queued up front; with a budget of
  // 8 their turns interleave, so each sees the other's progress mid-way.
  std::atomic<int> a_done{0}, b_done{0};
  auto make = [&](std::atomic<int>& mine, std::atomic<int>& other) {
    return rt.spawn([](otter::pid to, std::atomic<int>* mine, std::atomic<int>* other) -> otter::process {
      int seen_other_midway = -1;
      for (int i = 0; i < 1000; ++i) {
        co_await otter::receive<work>();
        mine->fetch_add(1, std::memory_order_relaxed);
        if (i == 500) seen_other_midway = other->load(std::memory_order_relaxed);
      }
      otter::send(to, work{seen_other_midway});
    }, me.self(), &mine, &other);
  };
  auto a = make(a_done, b_done);
  auto b = make(b_done, a_done);
  for (int i = 0; i < 1000; ++i) {
    me.send(a, work{i});
    me.send(b, work{i});
  }
  auto r1 = me.receive<work>(forever);
  auto r2 = me.receive<work>(forever);
  ASSERT_TRUE(r1 && r2);
  // At least one of them saw the other make progress while it was busy.
  EXPECT_GT(std::max(r1->n, r2->n), 0);
}

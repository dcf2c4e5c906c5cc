// The local run queue: FIFO order, overflow to the injection queue, and
// stealing under concurrency, with a shrunk capacity so every path runs.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "run_queue.hpp"
#include "test_util.hpp"

using otter::detail::injection_queue;
using otter::detail::local_queue;
using otter::detail::pcb;

TEST(RunQueue, pops_in_fifo_order) {
  injection_queue inject;
  local_queue q(8);
  std::vector<pcb> items(5);
  for (auto& p : items) q.push_back(&p, inject);
  for (auto& p : items) EXPECT_EQ(q.pop(), &p);
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(inject.empty());
}

TEST(RunQueue, overflow_moves_half_to_the_injection_queue) {
  injection_queue inject;
  local_queue q(4);
  std::vector<pcb> items(5);
  for (auto& p : items) q.push_back(&p, inject);
  EXPECT_EQ(inject.size(), 3u);  // half of 4, plus the new one
  EXPECT_EQ(q.len(), 2u);
  std::set<pcb*> seen;
  while (pcb* p = q.pop()) seen.insert(p);
  while (pcb* p = inject.pop()) seen.insert(p);
  EXPECT_EQ(seen.size(), 5u);
}

TEST(RunQueue, steal_takes_half_and_returns_one) {
  injection_queue inject;
  local_queue victim(16), thief(16);
  std::vector<pcb> items(8);
  for (auto& p : items) victim.push_back(&p, inject);
  pcb* got = victim.steal_into(thief);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(victim.len() + thief.len() + 1, 8u);
  EXPECT_EQ(thief.len(), 3u);
}

TEST(RunQueue, concurrent_owner_and_thieves_lose_and_duplicate_nothing) {
  constexpr int n = 200000;
  injection_queue inject;
  local_queue owner(4);
  std::vector<std::unique_ptr<local_queue>> thieves;
  for (int i = 0; i < 2; ++i) thieves.push_back(std::make_unique<local_queue>(4));
  std::vector<pcb> items(n);
  std::vector<std::atomic<int>> seen(n);
  std::atomic<bool> done{false};
  auto mark = [&](pcb* p) { seen[p - items.data()].fetch_add(1, std::memory_order_relaxed); };
  std::vector<std::thread> ts;
  for (int t = 0; t < 2; ++t)
    ts.emplace_back([&, t] {
      auto& mine = *thieves[t];
      while (!done.load(std::memory_order_acquire) || !owner.empty()) {
        if (pcb* p = owner.steal_into(mine)) mark(p);
        while (pcb* p = mine.pop()) mark(p);
        if (pcb* p = inject.pop()) mark(p);
      }
    });
  for (int i = 0; i < n; ++i) {
    owner.push_back(&items[i], inject);
    if (i % 3 == 0)
      if (pcb* p = owner.pop()) mark(p);
  }
  while (pcb* p = owner.pop()) mark(p);
  done.store(true, std::memory_order_release);
  for (auto& t : ts) t.join();
  while (pcb* p = inject.pop()) mark(p);
  for (auto& th : thieves)
    while (pcb* p = th->pop()) mark(p);
  for (int i = 0; i < n; ++i) ASSERT_EQ(seen[i].load(), 1) << "item " << i;
}

TEST(RunQueue, a_tiny_run_queue_still_runs_everything) {
  auto cfg = otter_test::quiet();
  cfg.run_queue_capacity = 2;
  otter::runtime rt(cfg);
  otter::scoped_process me(rt);
  constexpr int n = 5000;
  for (int i = 0; i < n; ++i)
    rt.spawn([](otter::pid to) -> otter::process {
      otter::spawn([](otter::pid to) -> otter::process {
        otter::send(to, 1);
        co_return;
      }, to);
      co_return;
    }, me.self());
  for (int i = 0; i < n; ++i) ASSERT_TRUE(me.receive<int>(otter_test::forever));
}

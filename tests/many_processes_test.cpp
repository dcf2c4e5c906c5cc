#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct stop {};
struct ready {};
}  // namespace

TEST(ManyProcesses, a_hundred_thousand_processes_spawn_wait_and_end) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  constexpr int n = 100000;
  std::vector<otter::pid> pids;
  pids.reserve(n);
  for (int i = 0; i < n; ++i)
    pids.push_back(rt.spawn([](otter::pid to) -> otter::process {
      otter::send(to, ready{});
      co_await otter::receive<stop>();
    }, me.self()));
  for (int i = 0; i < n; ++i) ASSERT_TRUE(me.receive<ready>(forever));
  EXPECT_EQ(rt.process_count(), static_cast<std::size_t>(n) + 1);
  for (int i = 0; i < n; i += 2) rt.send(pids[i], stop{});
  for (int i = 1; i < n; i += 2) rt.exit(pids[i], otter::exit_reason::kill());
  rt.await_all_exited();
  EXPECT_EQ(rt.process_count(), 1u);  // only `me`
}

TEST(ManyProcesses, chains_of_spawns_inside_processes) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  struct chain {
    static otter::process link(int depth, otter::pid to) {
      if (depth == 0) {
        otter::send(to, ready{});
        co_return;
      }
      otter::spawn(link, depth - 1, to);
      co_return;
    }
  };
  for (int i = 0; i < 20; ++i) rt.spawn(chain::link, 1000, me.self());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(me.receive<ready>(forever));
  rt.await_all_exited();
}

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct started { otter::pid who; };
struct value { std::string text; };

otter::process report_self(otter::pid to) {
  otter::send(to, started{otter::self()});
  co_return;
}

otter::process echo_ref(const std::string& text, otter::pid to) {
  co_await otter::sleep(1ms);  // suspend, so a dangling reference would show
  otter::send(to, value{text});
}
otter::process echo_view(std::string_view text, otter::pid to) {
  co_await otter::sleep(1ms);
  otter::send(to, value{std::string(text)});
}
}  // namespace

TEST(Spawn, free_function_process_runs_and_knows_its_pid) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn(report_self, me.self());
  auto m = me.receive<started>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->who, p);
}

TEST(Spawn, reference_parameters_stay_valid_for_the_life_of_the_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  {
    std::string temp = "kept alive by spawn";
    rt.spawn(echo_ref, temp, me.self());
  }  // `temp` is gone; the process holds its own copy
  auto m = me.receive<value>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "kept alive by spawn");
}

TEST(Spawn, view_parameters_see_a_copy_of_the_argument_kept_by_the_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  {
    std::string temp = "a string_view parameter must not dangle";
    rt.spawn(echo_view, temp, me.self());
    temp.assign(temp.size(), 'x');  // the process copied it before this
  }
  auto m = me.receive<value>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "a string_view parameter must not dangle");
}

TEST(Spawn, lambda_captures_live_as_long_as_the_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  {
    auto text = std::make_shared<std::string>("captured");
    otter::pid to = me.self();
    rt.spawn([text, to]() -> otter::process {
      co_await otter::sleep(1ms);
      otter::send(to, value{*text});
    });
  }
  auto m = me.receive<value>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "captured");
}

TEST(Spawn, pids_are_never_reused) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  std::set<otter::pid> seen;
  for (int round = 0; round < 50; ++round) {
    auto p = rt.spawn(report_self, me.self());
    me.monitor(p);
    ASSERT_TRUE(me.receive<started>(forever));
    ASSERT_TRUE(me.receive<otter::down_message>(forever));  // its slot is free for reuse now
    EXPECT_TRUE(seen.insert(p).second) << p << " was issued twice";
  }
}

TEST(Spawn, pid_prints_like_erlang) {
  otter::pid p((std::uint64_t{3} << 32) | 123);
  EXPECT_EQ(p.to_string(), "#PID<0.123.3>");
  EXPECT_EQ(p.number(), 123u);
  EXPECT_EQ(p.serial(), 3u);
}

TEST(Spawn, a_process_can_spawn_linked_and_monitored_children) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  rt.spawn([](otter::pid to) -> otter::process {
    auto [child, ref] = otter::spawn_monitor([]() -> otter::process { co_return; });
    auto down = co_await otter::receive<otter::down_message>();
    otter::send(to, value{down.process == child && down.ref == ref && down.reason.is_normal() ? "ok" : "bad"});
  }, me.self());
  auto m = me.receive<value>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "ok");
}

TEST(Spawn, on_a_stopped_runtime_throws_runtime_stopped) {
  otter::runtime rt(quiet());
  rt.shutdown();
  EXPECT_THROW(rt.spawn(report_self, otter::pid()), otter::runtime_stopped);
}

TEST(Spawn, beyond_max_processes_throws_bad_argument) {
  auto cfg = quiet();
  cfg.max_processes = 4;
  otter::runtime rt(cfg);
  std::vector<otter::pid> pids;
  auto waiter = []() -> otter::process { co_await otter::receive<int>(); };
  EXPECT_THROW(
      {
        for (int i = 0; i < 100; ++i) pids.push_back(rt.spawn(waiter));
      },
      otter::bad_argument);
  for (auto p : pids) rt.send(p, 1);
}

TEST(Spawn, spawn_link_outside_a_process_is_not_in_process) {
  EXPECT_THROW(otter::spawn_link(report_self, otter::pid()), otter::not_in_process);
  EXPECT_THROW(otter::self(), otter::not_in_process);
}

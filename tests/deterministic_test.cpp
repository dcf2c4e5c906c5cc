// The deterministic mode: no threads; the test steps the runtime and its
// clock, so interleavings and timeouts are exact.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct msg { int n; };

otter::runtime_config stepped() {
  otter::runtime_config c;
  c.deterministic = true;
  c.on_crash = {};
  return c;
}
}  // namespace

TEST(Deterministic, nothing_runs_until_the_test_steps) {
  otter::runtime rt(stepped());
  std::vector<int> trace;
  auto p = rt.spawn([](std::vector<int>* t) -> otter::process {
    t->push_back(1);
    auto m = co_await otter::receive<msg>();
    t->push_back(m.n);
  }, &trace);
  EXPECT_TRUE(trace.empty());
  EXPECT_EQ(rt.run_until_idle(), 1u);  // ran up to its receive
  EXPECT_EQ(trace, std::vector<int>{1});
  rt.send(p, msg{7});
  EXPECT_TRUE(rt.run_once());
  EXPECT_FALSE(rt.run_once());
  EXPECT_EQ(trace, (std::vector<int>{1, 7}));
  EXPECT_FALSE(rt.is_alive(p));
  EXPECT_EQ(rt.schedulers(), 0u);
}

TEST(Deterministic, interleaving_of_two_processes_is_exact) {
  otter::runtime rt(stepped());
  std::string trace;
  auto body = [](std::string* t, char c) -> otter::process {
    for (int i = 0; i < 3; ++i) {
      *t += c;
      co_await otter::yield();
    }
  };
  rt.spawn(body, &trace, 'a');
  rt.spawn(body, &trace, 'b');
  rt.run_until_idle();
  EXPECT_EQ(trace, "ababab");
}

TEST(Deterministic, timeouts_follow_the_virtual_clock) {
  otter::runtime rt(stepped());
  std::string trace;
  rt.spawn([](std::string* t) -> otter::process {
    auto m = co_await otter::receive<msg>(100ms);
    *t += m ? "msg" : "timeout";
  }, &trace);
  rt.run_until_idle();
  rt.advance_time(99ms);
  rt.run_until_idle();
  EXPECT_EQ(trace, "");
  rt.advance_time(1ms);
  rt.run_until_idle();
  EXPECT_EQ(trace, "timeout");
}

TEST(Deterministic, kill_of_a_waiting_process_is_seen_by_its_monitor) {
  otter::runtime rt(stepped());
  std::string trace;
  auto victim = rt.spawn([]() -> otter::process { co_await otter::receive<msg>(); });
  rt.spawn([](std::string* t, otter::pid v) -> otter::process {
    otter::monitor(v);
    otter::exit(v, otter::exit_reason::kill());
    auto d = co_await otter::receive<otter::down_message>();
    *t = d.reason.to_string();
  }, &trace, victim);
  rt.run_until_idle();
  EXPECT_EQ(trace, "killed");
}

TEST(Deterministic, stepping_a_threaded_runtime_is_a_logic_error) {
  otter::runtime rt(quiet());
  EXPECT_THROW(rt.run_once(), std::logic_error);
  EXPECT_THROW(rt.advance_time(1ms), std::logic_error);
}

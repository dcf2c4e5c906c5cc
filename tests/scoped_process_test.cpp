#include <gtest/gtest.h>

#include <thread>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct ping { otter::pid from; int n; };
struct pong { int n; };
otter::process ponger() {
  for (;;) {
    auto p = co_await otter::receive<ping>();
    otter::send(p.from, pong{p.n});
  }
}
}  // namespace

TEST(ScopedProcess, round_trips_with_a_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn(ponger);
  for (int i = 0; i < 2000; ++i) {
    me.send(p, ping{me.self(), i});
    auto r = me.receive<pong>(forever);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->n, i);
  }
  rt.exit(p, otter::exit_reason::kill());
}

TEST(ScopedProcess, receive_times_out_when_nothing_comes) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(me.receive<pong>(25ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 25ms);
  EXPECT_FALSE(me.receive<pong>(0ms));
}

TEST(ScopedProcess, a_sleeping_receiver_is_woken_by_a_sender_thread) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  otter::pid self = me.self();
  std::thread t([&] {
    otter::scoped_process other(rt);
    std::this_thread::sleep_for(30ms);  // let `me` fall asleep first (no correctness depends on it)
    other.send(self, pong{9});
  });
  auto r = me.receive<pong>(forever);
  t.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->n, 9);
}

TEST(ScopedProcess, multi_clause_receive_with_after) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  me.send(me.self(), pong{3});
  int got = me.receive_any([](pong p) { return p.n; }, otter::after(1s, [] { return -1; }));
  EXPECT_EQ(got, 3);
  int none = me.receive_any([](pong p) { return p.n; }, otter::after(5ms, [] { return -1; }));
  EXPECT_EQ(none, -1);
}

TEST(ScopedProcess, process_info_reports_queue_links_monitors_and_name) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn([]() -> otter::process {
    auto hi = co_await otter::receive<ping>();
    otter::send(hi.from, pong{hi.n});
    co_await otter::receive<ping>([](const ping& x) { return x.n == 99; });
  });
  me.send(p, ping{me.self(), 0});
  ASSERT_TRUE(me.receive<pong>(forever));  // from now on it waits in its second receive
  rt.register_name("waiter", p);
  me.link(p);
  me.monitor(p);
  me.send(p, pong{1});
  me.send(p, pong{2});
  std::optional<otter::process_info> info;
  // The process answers when it handles the request, after the two pongs.
  info = me.get_process_info(p);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, otter::process_info::state::waiting);
  EXPECT_EQ(info->message_queue_len, 2u);
  EXPECT_EQ(info->registered_name, "waiter");
  EXPECT_EQ(info->links, std::vector<otter::pid>{me.self()});
  EXPECT_EQ(info->monitored_by, std::vector<otter::pid>{me.self()});
  me.unlink(p);
  rt.exit(p, otter::exit_reason::kill());
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  EXPECT_FALSE(rt.get_process_info(p));
  EXPECT_FALSE(rt.is_alive(p));
}

TEST(ScopedProcess, exits_normally_when_destroyed) {
  otter::runtime rt(quiet());
  otter::scoped_process watcher(rt);
  otter::pid gone;
  {
    otter::scoped_process temp(rt);
    gone = temp.self();
    watcher.monitor(gone);
  }
  auto d = watcher.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->process, gone);
  EXPECT_TRUE(d->reason.is_normal());
}

TEST(ScopedProcess, killed_before_its_next_receive_its_watchers_see_killed) {
  otter::runtime rt(quiet());
  otter::scoped_process watcher(rt);
  otter::pid gone;
  {
    otter::scoped_process temp(rt);
    gone = temp.self();
    watcher.monitor(gone);
    rt.exit(gone, otter::exit_reason::kill());  // in its inbox when exit returns
  }
  auto d = watcher.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->process, gone);
  EXPECT_EQ(d->reason, otter::exit_reason::killed());
}

#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct go {};
otter::process waits_for_go() { co_await otter::receive<go>(); }
}  // namespace

TEST(Monitor, down_carries_reference_pid_and_reason) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn(waits_for_go);
  auto ref = me.monitor(c);
  me.send(c, go{});
  auto d = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ref, ref);
  EXPECT_EQ(d->process, c);
  EXPECT_TRUE(d->reason.is_normal());
}

TEST(Monitor, monitoring_a_dead_pid_gives_noproc_at_once) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn(waits_for_go);
  me.monitor(c);
  me.send(c, go{});
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  auto ref = me.monitor(c);
  auto d = me.receive<otter::down_message>(0ms);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ref, ref);
  EXPECT_EQ(d->reason, otter::exit_reason::noproc());
}

TEST(Monitor, two_monitors_give_two_downs) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn(waits_for_go);
  auto r1 = me.monitor(c);
  auto r2 = me.monitor(c);
  EXPECT_NE(r1, r2);
  me.send(c, go{});
  auto d1 = me.receive<otter::down_message>(forever);
  auto d2 = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(d1 && d2);
  EXPECT_NE(d1->ref, d2->ref);
}

TEST(Monitor, demonitor_means_no_down_arrives) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn(waits_for_go);
  auto gone = me.monitor(c);
  auto kept = me.monitor(c);
  EXPECT_TRUE(me.demonitor(gone));
  EXPECT_FALSE(me.demonitor(gone));  // not active any more
  me.send(c, go{});
  auto d = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ref, kept);
  EXPECT_FALSE(me.receive<otter::down_message>(20ms));
}

TEST(Monitor, demonitor_with_flush_removes_a_down_already_delivered) {
  // Deterministic runtime: the DOWN is surely in the mailbox before the flush.
  otter::runtime_config cfg;
  cfg.deterministic = true;
  otter::runtime rt(cfg);
  auto c = rt.spawn(waits_for_go);
  std::string trace;
  auto observer = rt.spawn([](otter::pid c, std::string* t) -> otter::process {
    auto ref = otter::monitor(c);
    otter::send(c, go{});
    co_await otter::receive<int>();  // the test says when c is gone
    auto before = co_await otter::get_process_info(otter::self());
    bool was_active = otter::demonitor(ref, true);
    auto after = co_await otter::get_process_info(otter::self());
    *t = std::to_string(before->message_queue_len) + (was_active ? "active" : "inactive") +
         std::to_string(after->message_queue_len);
  }, c, &trace);
  rt.run_until_idle();
  EXPECT_FALSE(rt.is_alive(c));
  rt.send(observer, 1);
  rt.run_until_idle();
  EXPECT_EQ(trace, "1inactive0");
}

TEST(Monitor, spawn_monitor_watches_from_the_first_instant) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  rt.spawn([](otter::pid to) -> otter::process {
    auto [child, ref] = otter::spawn_monitor([]() -> otter::process { throw std::logic_error("early"); co_return; });
    auto d = co_await otter::receive<otter::down_message>();
    otter::send(to, d.ref == ref && d.process == child && d.reason.detail() == "early");
  }, me.self());
  auto ok = me.receive<bool>(forever);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
}

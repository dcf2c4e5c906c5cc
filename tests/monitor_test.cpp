#include <gtest/gtest.h>

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
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn(waits_for_go);
  auto ref = me.monitor(c);
  auto witness = me.monitor(c);
  me.send(c, go{});
  auto w = me.receive<otter::down_message>([&](const otter::down_message& d) { return d.ref == witness; }, forever);
  ASSERT_TRUE(w);  // so the other DOWN is in the mailbox too
  EXPECT_EQ(me.message_queue_len(), 1u);
  EXPECT_FALSE(me.demonitor(ref, true));
  EXPECT_EQ(me.message_queue_len(), 0u);
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

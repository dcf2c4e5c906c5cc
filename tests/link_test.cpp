// Links and exit signals, checked against Erlang's rules.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct go {};
struct crash {};
struct note { std::string text; };

otter::process waits_forever() {
  for (;;) co_await otter::receive<go>();
}

otter::process crashes_on_request() {
  co_await otter::receive<crash>();
  throw std::runtime_error("boom");
}
}  // namespace

TEST(Link, a_crash_propagates_to_a_linked_non_trapping_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto victim = rt.spawn([](otter::pid) -> otter::process {
    co_await otter::receive<go>();
    auto c = otter::spawn_link(crashes_on_request);
    otter::send(c, crash{});
    for (;;) co_await otter::receive<go>();
  }, me.self());
  me.monitor(victim);
  me.send(victim, go{});
  auto down = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->process, victim);
  EXPECT_EQ(down->reason.name(), "std::runtime_error");
  EXPECT_EQ(down->reason.detail(), "boom");
}

TEST(Link, trap_exit_turns_the_signal_into_a_message) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  me.trap_exit(true);
  auto c = rt.spawn(crashes_on_request);
  me.link(c);
  me.send(c, crash{});
  auto m = me.receive<otter::exit_message>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->from, c);
  EXPECT_EQ(m->reason.to_string(), "{std::runtime_error, \"boom\"}");
}

TEST(Link, normal_exit_does_not_kill_linked_processes) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto parent = rt.spawn([](otter::pid to) -> otter::process {
    otter::spawn_link([]() -> otter::process { co_return; });
    co_await otter::sleep(20ms);
    otter::send(to, note{"survived"});
    co_await otter::receive<go>();
  }, me.self());
  auto m = me.receive<note>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "survived");
  EXPECT_TRUE(rt.is_alive(parent));
  me.send(parent, go{});
}

TEST(Link, trapping_process_sees_normal_exits_of_links) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  me.trap_exit(true);
  auto c = rt.spawn([]() -> otter::process { co_await otter::receive<go>(); });
  me.link(c);
  me.send(c, go{});
  auto m = me.receive<otter::exit_message>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->from, c);
  EXPECT_TRUE(m->reason.is_normal());
}

TEST(Link, kill_cannot_be_trapped_and_links_see_killed) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  me.trap_exit(true);
  auto c = rt.spawn([](otter::pid to) -> otter::process {
    otter::trap_exit(true);
    otter::send(to, go{});
    for (;;) co_await otter::receive<otter::exit_message>();  // swallows everything it can
  }, me.self());
  ASSERT_TRUE(me.receive<go>(forever));  // it traps exits from now on
  me.link(c);
  me.exit(c, otter::exit_reason("please_stop"));  // trapped: it lives
  me.exit(c, otter::exit_reason::kill());
  auto m = me.receive<otter::exit_message>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->from, c);
  EXPECT_EQ(m->reason, otter::exit_reason::killed());
}

TEST(Link, exit_signal_with_other_reason_kills_a_non_trapping_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn(waits_forever);
  auto ref = me.monitor(c);
  me.exit(c, otter::exit_reason::normal());  // ignored: not trapping
  me.exit(c, otter::exit_reason("shutdown"));
  auto d = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ref, ref);
  EXPECT_EQ(d->reason, otter::exit_reason::shutdown());
}

TEST(Link, exit_normal_to_self_ends_the_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn([]() -> otter::process {
    co_await otter::receive<go>();
    otter::exit(otter::self(), otter::exit_reason::normal());
    for (;;) co_await otter::receive<go>();
  });
  me.monitor(c);
  me.send(c, go{});
  auto d = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->reason.is_normal());
}

TEST(Link, linking_to_a_dead_pid_gives_noproc) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto dead = rt.spawn([]() -> otter::process { co_return; });
  me.monitor(dead);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  // Not trapping: link raises noproc in the caller.
  auto c = rt.spawn([](otter::pid target) -> otter::process {
    otter::link(target);
    co_await otter::receive<go>();
  }, dead);
  me.monitor(c);
  auto d = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, otter::exit_reason::noproc());
  // Trapping: an EXIT message with noproc.
  me.trap_exit(true);
  me.link(dead);
  auto m = me.receive<otter::exit_message>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->from, dead);
  EXPECT_EQ(m->reason, otter::exit_reason::noproc());
}

TEST(Link, unlink_stops_propagation) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn(crashes_on_request);
  me.link(c);
  me.unlink(c);
  auto ref = me.monitor(c);
  me.send(c, crash{});
  auto d = me.receive<otter::down_message>(forever);  // we were not killed
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ref, ref);
}

TEST(Link, exit_from_inside_ends_with_the_given_reason) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto c = rt.spawn([]() -> otter::process {
    co_await otter::receive<go>();
    otter::exit(otter::exit_reason("custom", "why"));
  });
  me.monitor(c);
  me.send(c, go{});
  auto d = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason.to_string(), "{custom, \"why\"}");
}

TEST(Link, a_killed_scoped_process_reports_its_reason_on_receive) {
  otter::runtime rt(quiet());
  otter::scoped_process watcher(rt);
  auto victim = std::make_unique<otter::scoped_process>(rt);
  watcher.monitor(victim->self());
  watcher.exit(victim->self(), otter::exit_reason::kill());
  try {
    victim->receive<go>(forever);
    FAIL() << "receive should throw after a kill";
  } catch (const otter::exit_exception& e) {
    EXPECT_EQ(e.reason, otter::exit_reason::killed());
  }
  auto d = watcher.receive<otter::down_message>(forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, otter::exit_reason::killed());
}

TEST(Link, crash_reports_name_the_exception) {
  crash_log log;
  auto cfg = quiet();
  cfg.on_crash = log.hook();
  otter::runtime rt(cfg);
  otter::scoped_process me(rt);
  auto c = rt.spawn(crashes_on_request);
  rt.register_name("crasher", c);
  me.monitor(c);
  me.send(c, crash{});
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log.reports[0].process, c);
  EXPECT_EQ(log.reports[0].name, "crasher");
  EXPECT_EQ(log.reports[0].reason.name(), "std::runtime_error");
}

#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct hello { int n; };
otter::process echo_hello(otter::pid to) {
  for (;;) {
    auto h = co_await otter::receive<hello>();
    otter::send(to, h);
    if (h.n < 0) co_return;
  }
}
}  // namespace

TEST(Names, register_whereis_send_by_name_and_unregister) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn(echo_hello, me.self());
  rt.register_name("echo", p);
  EXPECT_EQ(rt.whereis("echo"), p);
  rt.send("echo", hello{5});
  auto h = me.receive<hello>(forever);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->n, 5);
  EXPECT_EQ(rt.registered(), std::vector<std::string>{"echo"});
  EXPECT_TRUE(rt.unregister_name("echo"));
  EXPECT_FALSE(rt.unregister_name("echo"));
  EXPECT_EQ(rt.whereis("echo"), otter::pid());
  me.send(p, hello{-1});
}

TEST(Names, a_taken_name_a_dead_pid_and_a_second_name_are_errors) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn(echo_hello, me.self());
  auto q = rt.spawn(echo_hello, me.self());
  rt.register_name("one", p);
  EXPECT_THROW(rt.register_name("one", q), otter::name_error);
  EXPECT_THROW(rt.register_name("two", p), otter::name_error);
  EXPECT_THROW(rt.register_name("", q), otter::name_error);
  auto ref = me.monitor(q);
  me.send(q, hello{-1});
  ASSERT_TRUE(me.receive<otter::down_message>([&](auto& d) { return d.ref == ref; }, forever));
  try {
    rt.register_name("three", q);
    FAIL();
  } catch (const otter::name_error& e) {
    EXPECT_NE(std::string(e.what()).find("not alive"), std::string::npos) << e.what();
  }
  me.send(p, hello{-1});
}

TEST(Names, a_name_is_freed_before_the_exit_is_observable) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  for (int i = 0; i < 200; ++i) {
    auto p = rt.spawn(echo_hello, me.self());
    rt.register_name("worker", p);
    me.monitor(p);
    me.send(p, hello{-1});
    ASSERT_TRUE(me.receive<otter::down_message>(forever));
    ASSERT_EQ(rt.whereis("worker"), otter::pid()) << "round " << i;
  }
}

TEST(Names, sending_to_an_unknown_name_is_a_bad_argument) {
  otter::runtime rt(quiet());
  EXPECT_THROW(rt.send("nobody", hello{1}), otter::bad_argument);
  otter::scoped_process me(rt);
  auto p = rt.spawn([](otter::pid to) -> otter::process {
    try {
      otter::send("nobody", hello{1});
      otter::send(to, false);
    } catch (const otter::bad_argument&) {
      otter::send(to, true);
    }
    co_return;
  }, me.self());
  (void)p;
  auto ok = me.receive<bool>(forever);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
}

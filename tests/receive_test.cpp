#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct a { int n; };
struct b { int n; };
struct go {};
struct log_entry { std::string text; };

// Receives in an order different from arrival; reports what it got.
otter::process picky(otter::pid to) {
  co_await otter::receive<go>();
  auto second_b = co_await otter::receive<b>([](const b& x) { return x.n == 2; });
  auto first_a = co_await otter::receive<a>();
  auto first_b = co_await otter::receive<b>();
  auto second_a = co_await otter::receive<a>();
  otter::send(to, log_entry{std::to_string(second_b.n) + std::to_string(first_a.n) + std::to_string(first_b.n) +
                            std::to_string(second_a.n)});
}
}  // namespace

TEST(Receive, unmatched_messages_stay_in_the_mailbox_in_order) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn(picky, me.self());
  me.send(p, a{1});
  me.send(p, b{1});
  me.send(p, a{2});
  me.send(p, b{2});
  me.send(p, go{});
  auto m = me.receive<log_entry>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "2112");
}

TEST(Receive, messages_from_one_sender_arrive_in_send_order) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  constexpr int n = 20000;
  auto sink = rt.spawn([](otter::pid to) -> otter::process {
    int expected = 0;
    bool ordered = true;
    for (int i = 0; i < n; ++i) {
      auto m = co_await otter::receive<a>();
      ordered = ordered && m.n == expected++;
    }
    otter::send(to, log_entry{ordered ? "ordered" : "out of order"});
  }, me.self());
  rt.spawn([](otter::pid to) -> otter::process {
    for (int i = 0; i < n; ++i) otter::send(to, a{i});
    co_return;
  }, sink);
  auto m = me.receive<log_entry>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "ordered");
}

TEST(Receive, multi_clause_tries_messages_oldest_first_and_clauses_in_order) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn([](otter::pid to) -> otter::process {
    co_await otter::receive<go>();
    std::string out;
    for (int i = 0; i < 3; ++i) {
      out += co_await otter::receive(
          [](const a& x) { return "a" + std::to_string(x.n); },
          otter::when([](const b& x) { return x.n > 5; }, [](b x) { return "B" + std::to_string(x.n); }));
    }
    // the b{1} that no guard accepted is still there
    auto left = co_await otter::receive<b>(0ms);
    out += left ? "+b" + std::to_string(left->n) : "+none";
    otter::send(to, log_entry{out});
  }, me.self());
  me.send(p, b{1});
  me.send(p, b{7});
  me.send(p, a{2});
  me.send(p, a{3});
  me.send(p, go{});
  auto m = me.receive<log_entry>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "B7a2a3+b1");
}

TEST(Receive, after_fires_when_nothing_matches_in_time) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  rt.spawn([](otter::pid to) -> otter::process {
    otter::send(otter::self(), b{1});  // present but not matching
    auto r = co_await otter::receive(
        [](a) { return std::string("a"); },
        otter::after(20ms, [] { return std::string("timeout"); }));
    auto still = co_await otter::receive<b>(0ms);
    otter::send(to, log_entry{r + (still ? "+b" : "+lost")});
  }, me.self());
  auto m = me.receive<log_entry>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "timeout+b");
}

TEST(Receive, timeout_form_returns_nullopt_or_the_message) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn([](otter::pid to) -> otter::process {
    auto none = co_await otter::receive<a>(5ms);
    otter::send(to, log_entry{none ? "got" : "none"});
    auto some = co_await otter::receive<a>(forever);
    otter::send(to, log_entry{some ? std::to_string(some->n) : "none"});
  }, me.self());
  auto first = me.receive<log_entry>(forever);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->text, "none");
  me.send(p, a{42});
  auto second = me.receive<log_entry>(forever);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->text, "42");
}

TEST(Receive, a_message_arriving_before_the_timeout_cancels_it) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn([](otter::pid to) -> otter::process {
    int got = 0;
    for (int i = 0; i < 100; ++i) {
      auto m = co_await otter::receive<a>(forever);
      if (m) ++got;
    }
    // A stale timer of an earlier receive must not end this one early.
    auto late = co_await otter::receive<a>(30ms);
    otter::send(to, log_entry{std::to_string(got) + (late ? "late" : "quiet")});
  }, me.self());
  for (int i = 0; i < 100; ++i) me.send(p, a{i});
  auto m = me.receive<log_entry>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "100quiet");
}

TEST(Receive, sleep_keeps_messages_for_later) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn([](otter::pid to) -> otter::process {
    co_await otter::sleep(10ms);
    auto m = co_await otter::receive<a>(0ms);
    otter::send(to, log_entry{m ? std::to_string(m->n) : "lost"});
  }, me.self());
  me.send(p, a{7});
  auto m = me.receive<log_entry>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "7");
}

TEST(Receive, negative_timeout_is_a_bad_argument) {
  EXPECT_THROW(otter::after(-1ms, [] {}), otter::bad_argument);
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  EXPECT_THROW(me.receive<a>(-5ms), otter::bad_argument);
}

TEST(Receive, outside_a_process_is_not_in_process) {
  auto r = otter::receive<a>();
  EXPECT_THROW(r.await_ready(), otter::not_in_process);
}

TEST(Receive, helper_tasks_can_receive_on_behalf_of_their_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto p = rt.spawn([](otter::pid to) -> otter::process {
    auto sum_two = []() -> otter::task<int> {
      auto x = co_await otter::receive<a>();
      auto y = co_await otter::receive<a>();
      co_return x.n + y.n;
    };
    int s = co_await sum_two();
    otter::send(to, log_entry{std::to_string(s)});
  }, me.self());
  me.send(p, a{20});
  me.send(p, a{22});
  auto m = me.receive<log_entry>(forever);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "42");
}

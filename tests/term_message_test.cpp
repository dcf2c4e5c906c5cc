// Terms as messages: sent between processes as any movable type is, shared
// rather than copied, and matched by selective receive on their shape.
#include <gtest/gtest.h>

#include "otter/term.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;

namespace {
// Replies {:value, n} to {:get, from}, and stops on :stop; other terms stay queued.
otter::process store(std::int64_t n) {
  for (;;) {
    otter::term m = co_await otter::receive<otter::term>([](const otter::term& t) {
      return t.is_atom("stop"_a) || (t.is_tuple() && t.size() == 2 && t[0].is_atom("get"_a));
    });
    if (m.is_atom("stop"_a)) co_return;
    otter::send(m[1].as_pid(), otter::tuple("value"_a, n));
  }
}
}  // namespace

TEST(TermMessage, terms_travel_between_processes_and_match_by_shape) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid p = rt.spawn(store, 42);
  me.send(p, otter::term("ignored"_a));  // stays in its mailbox, unmatched
  me.send(p, otter::tuple("get"_a, me.self()));
  auto reply = me.receive<otter::term>(forever);
  ASSERT_TRUE(reply);
  EXPECT_EQ(*reply, otter::tuple("value"_a, 42));
  EXPECT_EQ(reply->to_string(), "{:value, 42}");
  auto info = me.get_process_info(p);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->message_queue_len, 1u);  // :ignored is still there, in order
  me.send(p, otter::term("stop"_a));
}

TEST(TermMessage, a_shared_term_is_not_copied_when_sent) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::term big = otter::list{std::string(1000, 'x'), otter::tuple(1, 2, 3)};
  const otter::pid echo = rt.spawn([](otter::pid to) -> otter::process {
    otter::term t = co_await otter::receive<otter::term>();
    otter::send(to, std::move(t));
  }, me.self());
  me.send(echo, big);
  auto back = me.receive<otter::term>(forever);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->block(), big.block());  // the same block came back: shared, not copied
}

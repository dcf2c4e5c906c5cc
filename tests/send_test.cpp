// Sends through a scheduler's held references (runtime_impl.hpp,
// scheduler::send): a process sent to repeatedly is held by its sender's
// scheduler, and that must never make a message reach anyone else.
#include <gtest/gtest.h>

#include <vector>

#include "test_util.hpp"

using namespace otter_test;

namespace {
struct ping {
  int n;
};
struct go {};
struct check {};
struct verdict {
  bool slot_reused;
  int misdelivered;
};

otter::process listener(otter::pid reporter) {
  // The first message must be the sender's `check`: anything before it was
  // meant for somebody else.
  bool clean = true;
  co_await otter::receive([](check) {}, [&](otter::any_message) { clean = false; });
  otter::send(reporter, clean);
}

otter::process sender(otter::pid main) {
  co_await otter::receive<go>();
  auto target = otter::spawn([]() -> otter::process {
    for (;;) {
      auto m = co_await otter::receive<ping>();
      if (m.n < 0) co_return;
    }
  });
  for (int i = 0; i < 3; ++i) otter::send(target, ping{i});  // held from the second
  const auto ref = otter::monitor(target);
  otter::send(target, ping{-1});
  co_await otter::receive(otter::when([&](const otter::down_message& d) { return d.ref == ref; }, [](otter::down_message) {}));
  otter::send(target, ping{100});  // dropped: the held reference goes with it
  // New processes spawned here take freed slots first, the target's among them.
  std::vector<otter::pid> fresh;
  for (int i = 0; i < 8; ++i) fresh.push_back(otter::spawn(listener, otter::self()));
  bool reused = false;
  for (auto p : fresh) reused |= (p.value() & 0xffffffffu) == (target.value() & 0xffffffffu);
  for (int i = 0; i < 3; ++i) otter::send(target, ping{200 + i});  // the old pid: must reach nobody
  for (auto p : fresh) otter::send(p, check{});
  int bad = 0;
  for (std::size_t i = 0; i < fresh.size(); ++i) bad += (co_await otter::receive<bool>()) ? 0 : 1;
  otter::send(main, verdict{reused, bad});
}
}  // namespace

TEST(Send, a_message_to_an_exited_process_never_reaches_the_one_in_its_slot) {
  otter::runtime rt(quiet(1));  // one scheduler: its free slots are reused first
  otter::scoped_process me(rt);
  auto s = rt.spawn(sender, me.self());
  me.send(s, go{});
  auto v = me.receive<verdict>(forever);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->slot_reused) << "the test did not get the slot reused; it checks nothing";
  EXPECT_EQ(v->misdelivered, 0);
}

TEST(Send, sends_to_many_processes_from_many_schedulers_arrive_exactly_once) {
  // Every sender cycles over the same receivers, so targets are held,
  // evicted and re-held on every scheduler while receivers count.
  otter::runtime rt(quiet(4));
  otter::scoped_process me(rt);
  constexpr int receivers = 16, senders = 8, rounds = 2000;
  std::vector<otter::pid> rs;
  for (int i = 0; i < receivers; ++i)
    rs.push_back(rt.spawn([](otter::pid main) -> otter::process {
      int got = 0;
      for (int i = 0; i < senders * rounds / receivers; ++i) {
        co_await otter::receive<ping>();
        ++got;
      }
      otter::send(main, got);
    }, me.self()));
  for (int s = 0; s < senders; ++s)
    rt.spawn([](std::vector<otter::pid> rs, int s) -> otter::process {
      for (int i = 0; i < rounds; ++i) {
        otter::send(rs[static_cast<std::size_t>((i + s) % receivers)], ping{i});
        if (i % 64 == 0) co_await otter::yield();
      }
    }, rs, s);
  int total = 0;
  for (int i = 0; i < receivers; ++i) {
    auto n = me.receive<int>(forever);
    ASSERT_TRUE(n);
    total += *n;
  }
  EXPECT_EQ(total, senders * rounds);
}

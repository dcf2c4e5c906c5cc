// Registry: Elixir's Registry on otter — unique and duplicate keys, lookups
// and matches, clean-up when processes exit, races, and gen_server names
// through {:via, Registry, {registry, key}}.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "otter/registry.hpp"
#include "otter/term_parse.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;
using otter::term;
namespace reg = otter::registry;

namespace {

// A process that registers `key` in `registry`, reports the result, and
// waits for :stop.
otter::process holder(std::string registry, term key, term value, otter::pid main) {
  term r = reg::register_key(registry, key, value);
  otter::send(main, otter::tuple("registered"_a, otter::self(), r));
  co_await otter::receive<otter::atom>();
}

term registered(otter::scoped_process& me) {
  auto t = me.receive<term>([](const term& x) { return x.is_tuple() && x[0].is_atom("registered"_a); }, forever);
  EXPECT_TRUE(t);
  return t ? *t : term();
}


// The lecture's worker, named through the Registry.
struct worker : otter::gen_server<worker> {
  struct state {
    std::int64_t value = 0;
  };
  struct value {};
  state init() { return {}; }
  std::int64_t handle_call(value, state& s) { return s.value; }
  void handle_cast(std::int64_t by, state& s) { s.value += by; }
};

}  // namespace

TEST(Registry, the_lectures_via_names_and_lookup) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  ASSERT_TRUE(reg::start_link(me, {reg::keys::unique, "Counter.Registry", 1}).is_ok());
  const term key = otter::tuple("Counter.Worker"_a, "W1"_a);
  auto w = worker::start(me, otter::via("Counter.Registry", key));
  ASSERT_TRUE(w.is_ok());
  // Registry.lookup(Counter.Registry, {Counter.Worker, :W1}) -> [{pid, nil}]
  EXPECT_EQ(reg::to_term(reg::lookup("Counter.Registry", key)), otter::list{otter::tuple(w.pid, "nil"_a)});
  worker::cast(rt, otter::via("Counter.Registry", key), std::int64_t{3});
  EXPECT_EQ(worker::call(me, otter::via("Counter.Registry", key), worker::value{}), 3);
  // A second worker with the same name: already_started, as the lecture shows.
  auto again = worker::start(me, otter::via("Counter.Registry", key));
  EXPECT_EQ(again.to_term(), otter::tuple("error"_a, otter::tuple("already_started"_a, w.pid)));
  // A call through a via name nobody holds exits with noproc.
  try {
    worker::call(me, otter::via("Counter.Registry", otter::tuple("Counter.Worker"_a, "W9"_a)), worker::value{});
    ADD_FAILURE() << "call to a missing via name returned";
  } catch (const otter::exit_exception& e) {
    EXPECT_EQ(e.reason.to_term()[0], term("noproc"_a));
    EXPECT_EQ(e.reason.to_term()[1][2][0],
              otter::parse_term("{:via, Registry, {:\"Counter.Registry\", {:\"Counter.Worker\", :W9}}}"));
  }
}

TEST(Registry, unique_keys_have_one_holder_and_go_when_it_exits) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  ASSERT_TRUE(reg::start_link(me, {reg::keys::unique, "uniq", 4}).is_ok());
  const otter::pid a = rt.spawn(holder, std::string("uniq"), term("k"_a), term(1), me.self());
  term ra = registered(me);
  EXPECT_TRUE(ra[2][0].is_atom("ok"_a)) << ra.to_string();
  const otter::pid b = rt.spawn(holder, std::string("uniq"), term("k"_a), term(2), me.self());
  EXPECT_EQ(registered(me)[2], otter::tuple("error"_a, otter::tuple("already_registered"_a, a)));
  EXPECT_EQ(reg::to_term(reg::lookup("uniq", "k"_a)), otter::list{otter::tuple(a, 1)});
  EXPECT_EQ(reg::whereis_name("uniq", "k"_a), a);
  EXPECT_EQ(reg::count("uniq"), 1u);
  // a exits: once its DOWN is here, nobody sees it registered, and the key is free.
  me.monitor(a);
  me.send(a, "stop"_a);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  EXPECT_TRUE(reg::lookup("uniq", "k"_a).empty());
  EXPECT_FALSE(reg::whereis_name("uniq", "k"_a));
  const otter::pid c = rt.spawn(holder, std::string("uniq"), term("k"_a), term(3), me.self());
  EXPECT_TRUE(registered(me)[2][0].is_atom("ok"_a));
  EXPECT_EQ(reg::to_term(reg::lookup("uniq", "k"_a)), otter::list{otter::tuple(c, 3)});
  me.send(b, "stop"_a);
  me.send(c, "stop"_a);
}

TEST(Registry, keys_match_select_dispatch_update_and_unregister) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  ASSERT_TRUE(reg::start_link(me, {reg::keys::unique, "ops", 2}).is_ok());
  term got = in_process(rt, me, []() -> otter::task<term> {
    const otter::pid self = otter::self();
    reg::register_key("ops", "a"_a, otter::tuple(1, "x"_a));
    reg::register_key("ops", "b"_a, otter::tuple(2, "y"_a));
    reg::register_key("ops", otter::tuple("_"_a, "$1"_a), term(3));  // a key made of pattern atoms
    std::vector<term> checks;
    auto keys = reg::keys_of("ops", self);
    std::sort(keys.begin(), keys.end());
    checks.push_back(term::list_of(std::move(keys)));
    checks.push_back(reg::to_term(reg::match("ops", "a"_a, otter::tuple("_"_a, "x"_a))));
    checks.push_back(reg::to_term(reg::match("ops", "a"_a, otter::tuple("$1"_a, "_"_a),
                                             otter::parse_term("[{:>, :\"$1\", 5}]"))));
    checks.push_back(reg::to_term(reg::match("ops", otter::tuple("_"_a, "$1"_a), "_"_a)));  // only that key
    auto sel = reg::select("ops", otter::parse_term("[{{:\"$1\", :_, {:\"$2\", :_}}, [{:>, :\"$2\", 1}], [:\"$1\"]}]"));
    std::sort(sel.begin(), sel.end());
    checks.push_back(term::list_of(std::move(sel)));
    term dispatched = "none"_a;
    reg::dispatch("ops", "b"_a, [&](const std::vector<reg::entry>& es) { dispatched = reg::to_term(es); });
    checks.push_back(dispatched);
    auto upd = reg::update_value("ops", "a"_a, [](const term& old) { return otter::tuple(old[0].as_int() + 10, "z"_a); });
    checks.push_back(upd ? otter::tuple(upd->first, upd->second) : term("error"_a));
    reg::unregister("ops", "b"_a);
    checks.push_back(reg::to_term(reg::lookup("ops", "b"_a)));
    checks.push_back(term(static_cast<std::int64_t>(reg::count("ops"))));
    co_return term::list_of(std::move(checks));
  });
  ASSERT_TRUE(got.is_list()) << got.to_string();
  const auto c = got.elements();
  ASSERT_EQ(c.size(), 9u);
  EXPECT_EQ(c[0], (otter::list{"a"_a, "b"_a, otter::tuple("_"_a, "$1"_a)}));
  EXPECT_EQ(c[1].size(), 1u);  // [{pid, {1, :x}}]
  EXPECT_TRUE(c[2].is_list() && c[2].elements().empty());  // 1 > 5 is false
  EXPECT_EQ(c[3].size(), 1u);
  EXPECT_EQ(c[3][0][1], term(3));
  EXPECT_EQ(c[4], (otter::list{"b"_a}));  // {1, :x} fails the guard, 3 is no {_, _}
  EXPECT_EQ(c[5].size(), 1u);
  EXPECT_EQ(c[6], otter::tuple(otter::tuple(11, "z"_a), otter::tuple(1, "x"_a)));
  EXPECT_TRUE(c[7].is_list() && c[7].elements().empty());
  EXPECT_EQ(c[8], term(2));
}

TEST(Registry, a_duplicate_registry_keeps_every_registration) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  ASSERT_TRUE(reg::start_link(me, {reg::keys::duplicate, "topics", 3}).is_ok());
  std::vector<otter::pid> subs;
  for (int i = 0; i < 5; ++i) {
    subs.push_back(rt.spawn(holder, std::string("topics"), term("news"_a), term(i), me.self()));
    EXPECT_TRUE(registered(me)[2][0].is_atom("ok"_a));
  }
  auto entries = reg::lookup("topics", "news"_a);
  EXPECT_EQ(entries.size(), 5u);
  EXPECT_EQ(reg::count("topics"), 5u);
  me.monitor(subs[0]);
  me.send(subs[0], "stop"_a);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  EXPECT_EQ(reg::lookup("topics", "news"_a).size(), 4u);
  expect_badarg([] { reg::update_value("topics", "news"_a, [](const term& t) { return t; }); }, "duplicate registry");
  for (auto p : subs) me.send(p, "stop"_a);
}

TEST(Registry, racing_registrations_of_one_key_have_exactly_one_winner) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  ASSERT_TRUE(reg::start_link(me, {reg::keys::unique, "race", 2}).is_ok());
  constexpr int racers = 50;
  std::vector<otter::pid> ps;
  for (int i = 0; i < racers; ++i) ps.push_back(rt.spawn(holder, std::string("race"), term("prize"_a), term(i), me.self()));
  int winners = 0;
  otter::pid winner;
  std::vector<term> losers;
  for (int i = 0; i < racers; ++i) {
    term r = registered(me);
    if (r[2][0].is_atom("ok"_a)) {
      ++winners;
      winner = r[1].as_pid();
    } else {
      losers.push_back(r[2]);
    }
  }
  EXPECT_EQ(winners, 1);
  for (const term& l : losers) EXPECT_EQ(l, otter::tuple("error"_a, otter::tuple("already_registered"_a, winner)));
  EXPECT_EQ(reg::whereis_name("race", "prize"_a), winner);
  for (auto p : ps) me.send(p, "stop"_a);
}

TEST(Registry, bad_names_and_options_are_refused) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  expect_badarg([&] { reg::start_link(me, {reg::keys::unique, "", 1}); }, "needs a name");
  expect_badarg([&] { reg::start_link(me, {reg::keys::unique, "zero", 0}); }, "partitions must be at least 1");
  expect_badarg([] { reg::lookup("no_such_registry", "k"_a); }, "no registry named :no_such_registry");
  auto first = reg::start_link(me, {reg::keys::unique, "twice", 1});
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(reg::start_link(me, {reg::keys::unique, "twice", 1}).to_term(),
            otter::tuple("error"_a, otter::tuple("already_started"_a, first.pid)));
  // Stopping the registry deletes its tables.
  try {
    otter::gen::stop(me, first.pid);
  } catch (const otter::exit_exception& e) {
    ADD_FAILURE() << "stop exited with " << e.reason;
  }
  expect_badarg([] { reg::lookup("twice", "k"_a); }, "no registry named :twice");
}

TEST(Registry, a_restarted_registry_is_found_again_by_its_name) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto first = reg::start_link(me, {reg::keys::unique, "restarted", 1});
  ASSERT_TRUE(first.is_ok());
  const otter::pid a = rt.spawn(holder, std::string("restarted"), term("k"_a), term(1), me.self());
  registered(me);
  EXPECT_EQ(reg::whereis_name("restarted", "k"_a), a);  // this thread now caches the registry's tables
  me.unlink(first.pid);
  me.monitor(a);
  otter::gen::stop(me, first.pid);  // a is linked to its partition: it goes too
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  ASSERT_TRUE(reg::start_link(me, {reg::keys::unique, "restarted", 2}).is_ok());
  const otter::pid b = rt.spawn(holder, std::string("restarted"), term("k"_a), term(2), me.self());
  EXPECT_TRUE(registered(me)[2][0].is_atom("ok"_a));
  EXPECT_EQ(reg::to_term(reg::lookup("restarted", "k"_a)), otter::list{otter::tuple(b, 2)});
  me.send(b, "stop"_a);
}

TEST(Registry, an_error_in_the_callers_function_is_not_retried) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  ASSERT_TRUE(reg::start_link(me, {reg::keys::unique, "once", 1}).is_ok());
  term got = in_process(rt, me, []() -> otter::task<term> {
    reg::register_key("once", "k"_a, term(1));
    reg::lookup("once", "k"_a);  // the registry's tables are cached on this thread now
    int calls = 0;
    try {
      reg::update_value("once", "k"_a, [&](const term&) -> term {
        ++calls;
        throw otter::bad_argument("no");
      });
    } catch (const otter::bad_argument&) {
    }
    co_return term(calls);
  });
  EXPECT_EQ(got, term(1));
}

TEST(Registry, a_registry_stopping_under_a_burst_of_exits_ends_without_crash_reports) {
  // Its partitions still have the registered processes' EXITs queued when
  // the registry's process ends and its tables go with it: they stop
  // quietly instead of crashing on the missing tables.
  crash_log crashes;
  otter::runtime_config cfg = quiet();
  cfg.on_crash = crashes.hook();
  otter::runtime rt(cfg);
  otter::scoped_process me(rt);
  auto r = reg::start_link(me, {reg::keys::unique, "bursting", 1});
  ASSERT_TRUE(r.is_ok());
  me.unlink(r.pid);
  std::vector<otter::pid> holders;
  for (int i = 0; i < 2000; ++i) {
    holders.push_back(rt.spawn(holder, std::string("bursting"), term(i), term(i), me.self()));
    registered(me);
  }
  me.monitor(r.pid);
  for (otter::pid h : holders) me.exit(h, otter::exit_reason("boom"));
  otter::gen::stop(me, r.pid);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  rt.await_all_exited();  // the partition too (`me`, a scoped handle, does not count)
  EXPECT_EQ(crashes.size(), 0u) << crashes.reports[0].reason;
}

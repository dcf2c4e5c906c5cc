// The lecture's counter application (apps/counter): workers found by name
// through the Registry, the DynamicSupervisor's limits, values that survive
// an exception and a brutal kill, and the static-supervisor step.
#include <gtest/gtest.h>

#include "counter/application.hpp"
#include "counter/worker.hpp"
#include "counter/worker_supervisor.hpp"
#include "otter/ets.hpp"
#include "otter/registry.hpp"
#include "otter/supervisor.hpp"
#include "otter/term_parse.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;
using otter::term;
namespace ws = counter::worker_supervisor;

namespace {

struct app_fixture {
  otter::runtime rt{quiet()};
  otter::scoped_process me{rt};
  log_capture logs;  // crashes are the point of some tests: keep them off stderr
  explicit app_fixture(int max_children = -1) {
    if (max_children >= 0) otter::application::put_env(rt, "counter", "max_children", term(max_children));
    EXPECT_TRUE(counter::application::start(rt).is_ok());
  }
  ~app_fixture() { counter::application::stop(rt); }

  otter::pid start(const char* name) {
    const term r = ws::start_worker(me, term(otter::atom(name)));
    EXPECT_TRUE(r.is_tuple() && r.size() == 2 && r[0].is_atom("ok"_a)) << r.to_string();
    return r.is_tuple() && r.size() == 2 && r[1].is_pid() ? r[1].as_pid() : otter::pid();
  }
  otter::pid whereis(const char* name) {
    return otter::registry::whereis_name(counter::registry_name, otter::tuple(counter::worker::module_name(), otter::atom(name)));
  }
  // Waits for `old` to be gone and its name to resolve to a new process.
  otter::pid restarted(const char* name, otter::pid old) {
    const auto deadline = std::chrono::steady_clock::now() + forever;
    while (std::chrono::steady_clock::now() < deadline) {
      const otter::pid p = whereis(name);
      if (p && p != old) return p;
      std::this_thread::yield();
    }
    ADD_FAILURE() << name << " was not restarted";
    return otter::pid();
  }
};

TEST(counter_app, lecture_registry_lookup_and_counting) {
  app_fixture f;
  const otter::pid w1 = f.start("W1");
  // Registry.lookup(Counter.Registry, {Counter.Worker, :W1}) -> [{pid, nil}]
  const auto found = otter::registry::lookup(counter::registry_name, otter::tuple("Elixir.Counter.Worker"_a, "W1"_a));
  EXPECT_EQ(otter::registry::to_term(found), otter::list{otter::tuple(w1, otter::atom("nil"))});
  counter::worker::inc(f.rt, "W1"_a);
  counter::worker::inc(f.rt, "W1"_a, 10);
  counter::worker::dec(f.rt, "W1"_a, 3);
  EXPECT_EQ(counter::worker::value(f.me, "W1"_a), 8);
  // The terms Elixir code sends reach the same worker.
  otter::gen::cast(f.rt, counter::worker::via("W1"_a), otter::tuple("inc"_a, 5));
  otter::gen::cast(f.rt, counter::worker::via("W1"_a), otter::tuple("dec"_a, 1));
  EXPECT_EQ(otter::gen::call(f.me, counter::worker::via("W1"_a), "value"_a), term(12));
  // Every processed update is in the store.
  EXPECT_EQ(term::list_of(otter::ets::lookup(term(otter::atom(counter::store_name)), "W1"_a)),
            otter::list{otter::tuple("W1"_a, 12)});
}

TEST(counter_app, in_process_api) {
  app_fixture f;
  const term v = in_process(f.rt, f.me, []() -> otter::task<term> {
    const term name("W7"_a);
    const term r = co_await ws::start_worker(name);
    if (!r.is_tuple() || !r[0].is_atom("ok"_a)) co_return r;
    counter::worker::inc(name, 4);
    counter::worker::dec(name);
    co_return term(co_await counter::worker::value(name));
  });
  EXPECT_EQ(v, term(3));
}

TEST(counter_app, already_started_and_max_children) {
  app_fixture f(3);
  const otter::pid w1 = f.start("W1");
  EXPECT_EQ(ws::start_worker(f.me, "W1"_a), otter::tuple("error"_a, otter::tuple("already_started"_a, w1)));
  f.start("W2");
  f.start("W3");
  // As Elixir's DynamicSupervisor, the limit is checked before the child starts.
  EXPECT_EQ(ws::start_worker(f.me, "W4"_a), otter::tuple("error"_a, "max_children"_a));
  EXPECT_EQ(ws::start_worker(f.me, "W1"_a), otter::tuple("error"_a, "max_children"_a));
  EXPECT_EQ(otter::dynamic_supervisor::count_children(f.me, ws::name),
            otter::parse_term("%{active: 3, specs: 3, supervisors: 0, workers: 3}"));
}

TEST(counter_app, default_max_children_is_the_lecture_s_100) {
  app_fixture f;
  for (int i = 0; i < 100; ++i) {
    const term r = ws::start_worker(f.me, term(i));
    ASSERT_TRUE(r.is_tuple() && r[0].is_atom("ok"_a)) << i << ": " << r.to_string();
  }
  EXPECT_EQ(ws::start_worker(f.me, term(100)), otter::tuple("error"_a, "max_children"_a));
}

TEST(counter_app, value_survives_an_exception) {
  app_fixture f;
  const otter::pid w1 = f.start("W1");
  for (int i = 0; i < 100; ++i) counter::worker::inc(f.rt, "W1"_a);
  EXPECT_EQ(counter::worker::value(f.me, "W1"_a), 100);
  const otter::reference ref = f.me.monitor(w1);
  // {:inc, "x"} makes handle_cast raise: the worker crashes and is restarted.
  otter::gen::cast(f.rt, counter::worker::via("W1"_a), otter::tuple("inc"_a, "x"));
  auto down = f.me.receive<otter::down_message>([ref](const otter::down_message& d) { return d.ref == ref; }, forever);
  ASSERT_TRUE(down);
  EXPECT_NE(down->reason.to_string().find("Counter.Worker expects"), std::string::npos) << down->reason.to_string();
  const otter::pid again = f.restarted("W1", w1);
  ASSERT_TRUE(again);
  EXPECT_EQ(counter::worker::value(f.me, "W1"_a), 100);
  EXPECT_FALSE(f.logs.of_kind("supervisor_report").empty() && f.logs.of_kind("crash_report").empty());
}

TEST(counter_app, value_survives_a_brutal_kill) {
  app_fixture f;
  otter::pid w = f.start("W1");
  std::int64_t expected = 0;
  // Three kills: a fourth within 5 s would exceed the supervisor's
  // intensity (max_restarts 3 in 5 s) and it would give up, as in Elixir.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1000; ++i) counter::worker::inc(f.rt, "W1"_a, round + 1);
    expected += 1000 * (round + 1);
    // The call comes after the casts, so all of them are processed: each
    // was written through before the kill, which skips terminate.
    ASSERT_EQ(counter::worker::value(f.me, "W1"_a), expected);
    const otter::reference ref = f.me.monitor(w);
    f.me.exit(w, otter::exit_reason::kill());
    auto down = f.me.receive<otter::down_message>([ref](const otter::down_message& d) { return d.ref == ref; }, forever);
    ASSERT_TRUE(down);
    EXPECT_EQ(down->reason.to_term(), term("killed"_a));
    w = f.restarted("W1", w);
    ASSERT_TRUE(w);
    EXPECT_EQ(counter::worker::value(f.me, "W1"_a), expected) << "round " << round;
  }
}

TEST(counter_app, bad_requests_get_clear_errors) {
  app_fixture f;
  f.start("W1");
  // A call to a worker that does not exist: noproc, as GenServer.call exits.
  try {
    counter::worker::value(f.me, "nobody"_a);
    ADD_FAILURE() << "a call to a missing worker returned";
  } catch (const otter::exit_exception& e) {
    EXPECT_EQ(e.reason.to_term()[0], term("noproc"_a)) << e.reason.to_string();
  }
  // A cast to a missing worker never fails.
  counter::worker::inc(f.rt, "nobody"_a);
  // An unknown cast is logged and dropped; the worker goes on.
  otter::gen::cast(f.rt, counter::worker::via("W1"_a), "bogus"_a);
  EXPECT_EQ(counter::worker::value(f.me, "W1"_a), 0);
  bool logged = false;
  for (const auto& e : f.logs.of_kind("unexpected_message")) logged |= e.text.find(":bogus") != std::string::npos;
  EXPECT_TRUE(logged);
  // A bad max_children is refused before anything starts.
  expect_badarg([] { counter::worker_supervisor::child_spec(-1); }, "max_children must be 0 or more");
}

TEST(counter_app, static_supervisor_step_of_the_lecture) {
  otter::runtime rt{quiet()};
  otter::scoped_process me{rt};
  otter::registry::options reg;
  reg.name = std::string(counter::registry_name);
  ASSERT_TRUE(otter::registry::start_link(me, reg).is_ok());
  otter::ets::options store;
  store.protection = otter::ets::access::public_;
  store.named_table = true;
  otter::ets::new_table(otter::atom(counter::store_name), store);
  // The ids left equal: the duplicate-id error, before any worker starts.
  me.trap_exit(true);
  const otter::start_result dup = otter::supervisor::start_link(me, counter::application::static_workers(false));
  EXPECT_EQ(dup.to_term(), otter::parse_term("{:error, {:start_spec, {:duplicate_child_name, Counter.Worker}}}"));
  // With Supervisor.child_spec(..., id: :W1 / :W2): both run.
  const otter::start_result ok = otter::supervisor::start_link(me, counter::application::static_workers(true));
  ASSERT_TRUE(ok.is_ok()) << ok.to_term().to_string();
  const term children = otter::supervisor::which_children(me, ok.pid);
  ASSERT_EQ(children.size(), 2u) << children.to_string();
  EXPECT_EQ(children[0][0], term("W2"_a));  // which_children lists the last started first
  EXPECT_EQ(children[1][0], term("W1"_a));
  counter::worker::inc(rt, "W2"_a, 2);
  EXPECT_EQ(counter::worker::value(me, "W2"_a), 2);
}

}  // namespace

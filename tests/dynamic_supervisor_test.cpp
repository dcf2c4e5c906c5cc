// DynamicSupervisor: start_child and its errors (max_children, a taken via
// name), restarts, terminate_child and its race with a restart, extra
// arguments, intensity, stopping many children together, ten thousand
// children. Deterministic: the tests wait for messages and DOWNs.
#include <gtest/gtest.h>

#include <set>

#include "otter/dynamic_supervisor.hpp"
#include "otter/registry.hpp"
#include "otter/term_parse.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;
using otter::term;
namespace dyn = otter::dynamic_supervisor;

namespace {

const char* const registry_name = "Test.Registry";

// The lecture's worker in miniature: named through the Registry, tells the
// observer (if any) when it starts.
struct named_worker : otter::gen_server<named_worker> {
  static constexpr std::string_view module = "Test.NamedWorker";
  struct state {
    term name;
  };
  static otter::task<otter::start_result> start_link(term name, otter::pid observer) {
    return gen_server::start_link(otter::via(registry_name, name), name, observer);
  }
  // With a DynamicSupervisor's extra arguments first.
  static otter::task<otter::start_result> start_link(const std::vector<term>& extra, term name, otter::pid observer) {
    return gen_server::start_link(otter::via(registry_name, name), otter::tuple(name, term::list_of(extra)), observer);
  }
  state init(const term& name, otter::pid observer) {
    if (observer) otter::send(observer, otter::tuple("started"_a, name, otter::self()));
    return state{name};
  }
  term handle_call(const term&, state& s) { return s.name; }
};

// A worker without a start_link that takes extra arguments.
struct plain_worker : otter::gen_server<plain_worker> {
  struct state {};
};

otter::process ignores_shutdown(otter::pid observer) {
  otter::trap_exit(true);
  otter::send(observer, otter::tuple("started"_a, "ignores_shutdown"_a, otter::self()));
  for (;;) co_await otter::receive([](otter::any_message) {});
}

otter::pid started(otter::scoped_process& me, const term& name) {
  auto m = me.receive<term>([name](const term& t) { return t.is_tuple() && t.size() == 3 && t[0].is_atom("started"_a) && t[1] == name; },
                            forever);
  EXPECT_TRUE(m) << name.to_string() << " did not start";
  return m ? (*m)[2].as_pid() : otter::pid();
}

otter::exit_reason down_of(otter::scoped_process& me, otter::reference ref) {
  auto d = me.receive<otter::down_message>([ref](const otter::down_message& m) { return m.ref == ref; }, forever);
  EXPECT_TRUE(d);
  return d ? d->reason : otter::exit_reason();
}

struct fixture {
  otter::runtime rt{quiet()};
  otter::scoped_process me{rt};
  fixture() { EXPECT_TRUE(otter::registry::start_link(me, {otter::registry::keys::unique, registry_name, 2}).is_ok()); }
};

}  // namespace

TEST(DynamicSupervisor, the_lectures_start_worker_max_children_and_already_started) {
  fixture f;
  auto& me = f.me;
  auto s = dyn::start_link(me, {.max_children = 3, .name = otter::name("Test.WorkerSupervisor")});
  ASSERT_TRUE(s.is_ok());
  const term r1 = dyn::start_child(me, "Test.WorkerSupervisor", named_worker::child_spec("W1"_a, me.self()));
  const otter::pid w1 = started(me, "W1"_a);
  EXPECT_EQ(r1, otter::tuple("ok"_a, w1));
  EXPECT_EQ(otter::gen::call(me, otter::via(registry_name, "W1"_a), "name"_a), term("W1"_a));
  // The same name again: the child's own error, from its via name.
  EXPECT_EQ(dyn::start_child(me, "Test.WorkerSupervisor", named_worker::child_spec("W1"_a, me.self())),
            otter::tuple("error"_a, otter::tuple("already_started"_a, w1)));
  (void)dyn::start_child(me, "Test.WorkerSupervisor", named_worker::child_spec("W2"_a, me.self()));
  (void)dyn::start_child(me, "Test.WorkerSupervisor", named_worker::child_spec("W3"_a, me.self()));
  EXPECT_EQ(dyn::start_child(me, "Test.WorkerSupervisor", named_worker::child_spec("W4"_a, me.self())),
            otter::parse_term("{:error, :max_children}"));
  EXPECT_EQ(dyn::count_children(me, "Test.WorkerSupervisor"),
            otter::parse_term("%{active: 3, specs: 3, supervisors: 0, workers: 3}"));
  const term kids = dyn::which_children(me, "Test.WorkerSupervisor");
  ASSERT_EQ(kids.size(), 3u);
  EXPECT_EQ(kids[0][0], term("undefined"_a));
  EXPECT_EQ(kids[0][2], term("worker"_a));
  EXPECT_EQ(kids[0][3], otter::list{term(otter::atom("Elixir.Test.NamedWorker"))});
  otter::gen::stop(me, "Test.WorkerSupervisor");
}

TEST(DynamicSupervisor, a_crashed_child_comes_back_under_its_name) {
  fixture f;
  auto& me = f.me;
  log_capture logs;
  auto s = dyn::start_link(me, {.name = otter::name("Test.Dyn")});
  ASSERT_TRUE(s.is_ok());
  (void)dyn::start_child(me, "Test.Dyn", named_worker::child_spec("W1"_a, me.self()));
  const otter::pid w1 = started(me, "W1"_a);
  me.exit(w1, otter::exit_reason("boom"));
  const otter::pid again = started(me, "W1"_a);
  EXPECT_NE(again, w1);
  EXPECT_EQ(otter::registry::whereis_name(registry_name, "W1"_a), again);
  auto reports = logs.of_kind("supervisor_report");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0].text.find("Child :undefined of Supervisor :\"Test.Dyn\" terminated\n** (exit) :boom"), std::string::npos)
      << reports[0].text;
  EXPECT_NE(reports[0].text.find("Start Call: Test.NamedWorker.start_link(:W1, #PID<"), std::string::npos) << reports[0].text;
  otter::gen::stop(me, "Test.Dyn");
}

TEST(DynamicSupervisor, terminate_child_and_its_race_with_a_restart) {
  fixture f;
  auto& me = f.me;
  auto s = dyn::start_link(me, {.max_restarts = 1000});  // 20 crashes in a row are the point here
  ASSERT_TRUE(s.is_ok());
  (void)dyn::start_child(me, s.pid, named_worker::child_spec("A"_a, otter::pid()));
  term kids = dyn::which_children(me, s.pid);
  const otter::pid a = kids[0][1].as_pid();
  EXPECT_EQ(dyn::terminate_child(me, s.pid, a), term("ok"_a));
  EXPECT_EQ(dyn::terminate_child(me, s.pid, a), otter::parse_term("{:error, :not_found}"));
  EXPECT_EQ(otter::gen::call(me, s.pid, otter::tuple("terminate_child"_a, "not_a_pid"_a)), otter::parse_term("{:error, :not_found}"));
  EXPECT_EQ(dyn::count_children(me, s.pid), otter::parse_term("%{active: 0, specs: 0, supervisors: 0, workers: 0}"));
  // A crash and a terminate_child at once: whichever the supervisor sees
  // first, it ends with one consistent answer.
  for (int round = 0; round < 20; ++round) {
    (void)dyn::start_child(me, s.pid, named_worker::child_spec("B"_a, otter::pid()));
    const otter::pid b = dyn::which_children(me, s.pid)[0][1].as_pid();
    me.exit(b, otter::exit_reason("boom"));
    const term r = dyn::terminate_child(me, s.pid, b);
    const term count = dyn::count_children(me, s.pid);
    if (r == term("ok"_a)) {
      EXPECT_EQ(count, otter::parse_term("%{active: 0, specs: 0, supervisors: 0, workers: 0}"));
    } else {
      EXPECT_EQ(r, otter::parse_term("{:error, :not_found}"));
      EXPECT_EQ(count, otter::parse_term("%{active: 1, specs: 1, supervisors: 0, workers: 1}"));
      const otter::pid restarted = dyn::which_children(me, s.pid)[0][1].as_pid();
      EXPECT_NE(restarted, b);
      EXPECT_EQ(dyn::terminate_child(me, s.pid, restarted), term("ok"_a));
    }
  }
  otter::gen::stop(me, s.pid);
}

TEST(DynamicSupervisor, extra_arguments_go_first) {
  fixture f;
  auto& me = f.me;
  auto s = dyn::start_link(me, {.extra_arguments = {term("extra"_a), term(7)}});
  ASSERT_TRUE(s.is_ok());
  (void)dyn::start_child(me, s.pid, named_worker::child_spec("E"_a, me.self()));
  (void)started(me, otter::parse_term("{:E, [:extra, 7]}"));
  // A child whose start takes no extra arguments cannot start with them.
  const term r = dyn::start_child(me, s.pid, plain_worker::child_spec());
  ASSERT_TRUE(r[0].is_atom("error"_a)) << r.to_string();
  EXPECT_TRUE(r[1][0].is_atom("undef"_a)) << r.to_string();
  otter::gen::stop(me, s.pid);
}

TEST(DynamicSupervisor, too_many_restarts_shut_it_down) {
  fixture f;
  auto& me = f.me;
  me.trap_exit(true);
  auto s = dyn::start_link(me, {.max_restarts = 1, .max_seconds = 3600});
  ASSERT_TRUE(s.is_ok());
  const auto mref = me.monitor(s.pid);
  (void)dyn::start_child(me, s.pid, named_worker::child_spec("R"_a, me.self()));
  otter::pid r = started(me, "R"_a);
  me.exit(r, otter::exit_reason::kill());
  r = started(me, "R"_a);
  me.exit(r, otter::exit_reason::kill());
  EXPECT_EQ(down_of(me, mref), otter::exit_reason::shutdown());
}

TEST(DynamicSupervisor, stopping_it_stops_every_child_at_once_killing_those_that_linger) {
  fixture f;
  auto& me = f.me;
  auto s = dyn::start_link(me, {});
  ASSERT_TRUE(s.is_ok());
  std::vector<otter::reference> refs;
  for (int i = 0; i < 5; ++i) {
    otter::child_spec lingerer{.id = "ignores_shutdown"_a,
                           .start = [obs = me.self()]() -> otter::task<otter::start_result> {
                             co_return otter::start_result{otter::start_result::ok, otter::spawn_link(ignores_shutdown, obs), {}};
                           },
                           .shutdown = otter::shutdown::timeout(std::chrono::milliseconds(30))};
    (void)dyn::start_child(me, s.pid, lingerer);
    refs.push_back(me.monitor(started(me, "ignores_shutdown"_a)));
  }
  (void)dyn::start_child(me, s.pid, named_worker::child_spec("N"_a, me.self()));
  const auto mn = me.monitor(started(me, "N"_a));
  otter::gen::stop(me, s.pid);
  for (auto& r : refs) EXPECT_EQ(down_of(me, r), otter::exit_reason::killed());
  EXPECT_EQ(down_of(me, mn), otter::exit_reason::shutdown());
}

TEST(DynamicSupervisor, ten_thousand_children_start_restart_and_stop) {
  fixture f;
  auto& me = f.me;
  auto s = dyn::start_link(me, {.max_restarts = 1000});
  ASSERT_TRUE(s.is_ok());
  constexpr int n = 10'000;
  for (int i = 0; i < n; ++i) {
    const term r = dyn::start_child(me, s.pid, named_worker::child_spec(term(i), otter::pid()));
    ASSERT_TRUE(r[0].is_atom("ok"_a)) << r.to_string();
  }
  EXPECT_EQ(dyn::count_children(me, s.pid), otter::parse_term("%{active: 10000, specs: 10000, supervisors: 0, workers: 10000}"));
  // Kill 100; once each one's DOWN is here, its EXIT is ahead of our call.
  term kids = dyn::which_children(me, s.pid);
  std::set<otter::pid> killed;
  std::vector<otter::reference> refs;
  for (std::size_t i = 0; i < 100; ++i) {
    const otter::pid p = kids[i * 97][1].as_pid();
    killed.insert(p);
    refs.push_back(me.monitor(p));
    me.exit(p, otter::exit_reason::kill());
  }
  for (auto& r : refs) (void)down_of(me, r);
  kids = dyn::which_children(me, s.pid);
  ASSERT_EQ(kids.size(), static_cast<std::size_t>(n));
  std::size_t alive_killed = 0;
  for (const term& k : kids.elements()) alive_killed += killed.count(k[1].as_pid());
  EXPECT_EQ(alive_killed, 0u);
  // Each name resolves to its (new) process.
  EXPECT_EQ(otter::gen::call(me, otter::via(registry_name, term(97)), "name"_a), term(97));
  // Stop: all of them end.
  std::vector<otter::reference> sample;
  for (std::size_t i = 0; i < kids.size(); i += 500) sample.push_back(me.monitor(kids[i][1].as_pid()));
  otter::gen::stop(me, s.pid);
  for (auto& r : sample) EXPECT_EQ(down_of(me, r), otter::exit_reason::shutdown());
}

// Supervisor: start order, every strategy and restart type, intensity,
// shutdown order and timeouts, start failures, bad specs, the child calls,
// nesting, reports. Deterministic: the tests wait for messages and DOWNs.
#include <gtest/gtest.h>

#include "otter/supervisor.hpp"
#include "otter/term_parse.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;
using otter::term;
namespace sup = otter::supervisor;

namespace {

// Tells the observer when it starts and ends; traps exits so that a
// shutdown runs terminate (and the order of ends can be seen).
struct worker : otter::gen_server<worker> {
  static constexpr std::string_view module = "Test.Worker";
  struct state {
    term name;
    otter::pid observer;
  };
  static otter::task<otter::start_result> start_link(term name, otter::pid observer) {
    return gen_server::start_link(std::move(name), observer);
  }
  otter::init_result<state> init(const term& name, otter::pid observer) {
    if (name.is_atom("fail"_a)) return otter::stop(otter::tuple("cannot_start"_a, name));
    if (name.is_atom("ignored"_a)) return otter::ignore();
    otter::trap_exit(true);
    otter::send(observer, otter::tuple("started"_a, name, otter::self()));
    return state{name, observer};
  }
  term handle_call(const term& request, state& s) {
    if (request.is_atom("stop_normally"_a)) otter::exit(otter::exit_reason::normal());
    return s.name;
  }
  void terminate(const term& reason, state& s) { otter::send(s.observer, otter::tuple("terminated"_a, s.name, reason)); }
};

// A server with a typed call, sent to a supervisor by mistake.
struct typed : otter::gen_server<typed> {
  struct ping {};
  std::int64_t handle_call(ping) { return 1; }
};

// Traps exits and ignores the supervisor's `shutdown`: only kill ends it.
otter::process ignores_shutdown(otter::pid observer) {
  otter::trap_exit(true);
  otter::send(observer, otter::tuple("started"_a, "ignores_shutdown"_a, otter::self()));
  for (;;) co_await otter::receive([](otter::any_message) {});
}

otter::child_spec wspec(const char* name, otter::scoped_process& me, otter::restart r = otter::restart::permanent) {
  return otter::child_spec_with(worker::child_spec(term(otter::atom(name)), me.self()),
                                {.id = term(otter::atom(name)), .restart = r});
}

otter::pid started(otter::scoped_process& me, const char* name) {
  auto m = me.receive<term>([n = otter::atom(name)](const term& t) { return t.is_tuple() && t.size() == 3 && t[0].is_atom("started"_a) && t[1].is_atom(n); },
                            forever);
  EXPECT_TRUE(m) << name << " did not start";
  return m ? (*m)[2].as_pid() : otter::pid();
}

// The name of the next child that reports its end, and the reason.
term next_terminated(otter::scoped_process& me) {
  auto m = me.receive<term>([](const term& t) { return t.is_tuple() && t.size() == 3 && t[0].is_atom("terminated"_a); }, forever);
  EXPECT_TRUE(m) << "no child ended";
  return m ? otter::tuple((*m)[1], (*m)[2]) : term();
}

otter::exit_reason down_of(otter::scoped_process& me, otter::reference ref) {
  auto d = me.receive<otter::down_message>([ref](const otter::down_message& m) { return m.ref == ref; }, forever);
  EXPECT_TRUE(d);
  return d ? d->reason : otter::exit_reason();
}

}  // namespace

TEST(Supervisor, starts_children_in_order_and_one_for_one_restarts_only_the_one_that_ended) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto s = sup::start_link(me, {wspec("W1", me), wspec("W2", me)});
  ASSERT_TRUE(s.is_ok());
  const otter::pid w1 = started(me, "W1"), w2 = started(me, "W2");
  me.exit(w1, otter::exit_reason::kill());
  const otter::pid w1b = started(me, "W1");
  EXPECT_NE(w1b, w1);
  const term module = term(otter::atom("Elixir.Test.Worker"));
  EXPECT_EQ(sup::which_children(me, s.pid),
            (otter::list{otter::tuple("W2"_a, w2, "worker"_a, otter::list{module}),
                         otter::tuple("W1"_a, w1b, "worker"_a, otter::list{module})}));  // the last started first, as OTP
  EXPECT_EQ(sup::count_children(me, s.pid), otter::parse_term("%{active: 2, specs: 2, supervisors: 0, workers: 2}"));
  // Stopped in reverse order of start.
  otter::gen::stop(me, s.pid);
  EXPECT_EQ(next_terminated(me), otter::tuple("W2"_a, "shutdown"_a));
  EXPECT_EQ(next_terminated(me), otter::tuple("W1"_a, "shutdown"_a));
}

TEST(Supervisor, one_for_all_restarts_every_child_stopping_the_others_in_reverse) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto s = sup::start_link(me, {wspec("A", me), wspec("B", me), wspec("C", me)}, {.strategy = otter::strategy::one_for_all});
  ASSERT_TRUE(s.is_ok());
  const otter::pid a = started(me, "A"), b = started(me, "B"), c = started(me, "C");
  me.exit(b, otter::exit_reason::kill());
  EXPECT_EQ(next_terminated(me), otter::tuple("C"_a, "shutdown"_a));
  EXPECT_EQ(next_terminated(me), otter::tuple("A"_a, "shutdown"_a));
  EXPECT_NE(started(me, "A"), a);
  EXPECT_NE(started(me, "B"), b);
  EXPECT_NE(started(me, "C"), c);
  otter::gen::stop(me, s.pid);
}

TEST(Supervisor, rest_for_one_restarts_the_child_and_those_started_after_it) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto s = sup::start_link(me, {wspec("A", me), wspec("B", me), wspec("C", me)}, {.strategy = otter::strategy::rest_for_one});
  ASSERT_TRUE(s.is_ok());
  const otter::pid a = started(me, "A"), b = started(me, "B"), c = started(me, "C");
  me.exit(b, otter::exit_reason::kill());
  EXPECT_EQ(next_terminated(me), otter::tuple("C"_a, "shutdown"_a));
  EXPECT_NE(started(me, "B"), b);
  EXPECT_NE(started(me, "C"), c);
  const term kids = sup::which_children(me, s.pid);
  EXPECT_EQ(kids[2][1], term(a));  // A was left alone
  otter::gen::stop(me, s.pid);
}

TEST(Supervisor, restart_types_decide_what_comes_back) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  log_capture logs;
  auto s = sup::start_link(me, {wspec("P", me, otter::restart::permanent), wspec("T", me, otter::restart::transient),
                                wspec("Tmp", me, otter::restart::temporary), wspec("T2", me, otter::restart::transient)});
  ASSERT_TRUE(s.is_ok());
  const otter::pid p = started(me, "P"), t = started(me, "T"), tmp = started(me, "Tmp"), t2 = started(me, "T2");
  // A transient child that ends normally stays down, its spec kept.
  const auto mt = me.monitor(t);
  EXPECT_THROW(otter::gen::call(me, t, "stop_normally"_a), otter::exit_exception);
  (void)down_of(me, mt);
  // A permanent one comes back even after a normal end.
  EXPECT_THROW(otter::gen::call(me, p, "stop_normally"_a), otter::exit_exception);
  EXPECT_NE(started(me, "P"), p);
  // A transient one that crashes comes back; a temporary one that crashes is gone.
  me.exit(t2, otter::exit_reason::kill());
  EXPECT_NE(started(me, "T2"), t2);
  const auto mtmp = me.monitor(tmp);
  me.exit(tmp, otter::exit_reason::kill());
  // An ending process signals its links before its monitors: once we have
  // its DOWN, the supervisor has its EXIT ahead of our call.
  (void)down_of(me, mtmp);
  const term kids = sup::which_children(me, s.pid);
  ASSERT_EQ(kids.size(), 3u);
  EXPECT_EQ(kids[2][0], term("P"_a));
  EXPECT_EQ(kids[1], otter::tuple("T"_a, "undefined"_a, "worker"_a, otter::list{term(otter::atom("Elixir.Test.Worker"))}));
  EXPECT_EQ(kids[0][0], term("T2"_a));
  // Reports: the permanent child's normal end, the two kills; not T's normal end.
  auto reports = logs.of_kind("supervisor_report");
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_NE(reports[0].text.find("Child :P of Supervisor"), std::string::npos) << reports[0].text;
  EXPECT_NE(reports[0].text.find("Start Call: Test.Worker.start_link(:P, #PID<"), std::string::npos) << reports[0].text;
  EXPECT_NE(reports[0].text.find("Restart: :permanent\nShutdown: 5000\nType: :worker"), std::string::npos) << reports[0].text;
  EXPECT_NE(reports[2].text.find("Child :Tmp of Supervisor"), std::string::npos) << reports[2].text;
  EXPECT_NE(reports[2].text.find("** (exit) :killed"), std::string::npos) << reports[2].text;
  otter::gen::stop(me, s.pid);
}

TEST(Supervisor, too_many_restarts_shut_it_down_with_its_children) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  me.trap_exit(true);
  log_capture logs;
  auto s = sup::start_link(me, {wspec("A", me), wspec("B", me)}, {.max_restarts = 2, .max_seconds = 3600});
  ASSERT_TRUE(s.is_ok());
  const auto mref = me.monitor(s.pid);
  otter::pid a = started(me, "A");
  (void)started(me, "B");
  for (int i = 0; i < 2; ++i) {
    me.exit(a, otter::exit_reason::kill());
    a = started(me, "A");
  }
  me.exit(a, otter::exit_reason::kill());  // the third within the period: too many
  EXPECT_EQ(next_terminated(me), otter::tuple("B"_a, "shutdown"_a));
  EXPECT_EQ(down_of(me, mref), otter::exit_reason::shutdown());
  auto reports = logs.of_kind("supervisor_report");
  ASSERT_FALSE(reports.empty());
  EXPECT_NE(reports.back().text.find("caused shutdown\n** (exit) :reached_max_restart_intensity"), std::string::npos)
      << reports.back().text;
}

TEST(Supervisor, shutdown_kills_after_the_timeout_and_brutal_kill_at_once) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  log_capture logs;
  otter::child_spec lingerer{.id = "ignores_shutdown"_a,
                         .start = [obs = me.self()]() -> otter::task<otter::start_result> {
                           co_return otter::start_result{otter::start_result::ok, otter::spawn_link(ignores_shutdown, obs), {}};
                         },
                         .shutdown = otter::shutdown::timeout(std::chrono::milliseconds(20))};
  otter::child_spec brutal = otter::child_spec_with(wspec("B", me), {.shutdown = otter::shutdown::brutal_kill()});
  auto s = sup::start_link(me, {lingerer, brutal, wspec("W", me)});
  ASSERT_TRUE(s.is_ok());
  const otter::pid st = started(me, "ignores_shutdown"), b = started(me, "B");
  (void)started(me, "W");
  const auto ms = me.monitor(st), mb = me.monitor(b);
  otter::gen::stop(me, s.pid);
  EXPECT_EQ(next_terminated(me), otter::tuple("W"_a, "shutdown"_a));  // W: asked, and it ran terminate
  EXPECT_EQ(down_of(me, mb), otter::exit_reason::killed());          // B: killed, no terminate
  EXPECT_EQ(down_of(me, ms), otter::exit_reason::killed());          // ignores_shutdown: killed after 20 ms
  auto reports = logs.of_kind("supervisor_report");
  ASSERT_EQ(reports.size(), 1u);  // only ignores_shutdown did not stop as asked
  EXPECT_NE(reports[0].text.find("Child :ignores_shutdown of Supervisor"), std::string::npos);
  EXPECT_NE(reports[0].text.find("shut down abnormally\n** (exit) :killed"), std::string::npos) << reports[0].text;
}

TEST(Supervisor, a_child_that_fails_to_start_fails_the_start_and_stops_those_started) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  me.trap_exit(true);
  log_capture logs;
  auto s = sup::start_link(me, {wspec("W1", me), wspec("fail", me), wspec("W3", me)});
  EXPECT_EQ(s.to_term(), otter::parse_term("{:error, {:shutdown, {:failed_to_start_child, :fail, {:cannot_start, :fail}}}}"));
  (void)started(me, "W1");
  EXPECT_EQ(next_terminated(me), otter::tuple("W1"_a, "shutdown"_a));
  auto exit = me.receive<otter::exit_message>(forever);  // the supervisor ended with the reason
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->reason.to_term(), otter::parse_term("{:shutdown, {:failed_to_start_child, :fail, {:cannot_start, :fail}}}"));
  auto reports = logs.of_kind("supervisor_report");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0].text.find("Child :fail of Supervisor"), std::string::npos);
  EXPECT_NE(reports[0].text.find("failed to start\n** (exit) {:cannot_start, :fail}"), std::string::npos) << reports[0].text;
}

TEST(Supervisor, duplicate_ids_and_bad_specs_are_refused_before_anything_starts) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  me.trap_exit(true);
  // The lecture's mistake: two workers of one module keep the module as id.
  auto dup = sup::start_link(me, {worker::child_spec("W1"_a, me.self()), worker::child_spec("W2"_a, me.self())});
  EXPECT_EQ(dup.to_term(), otter::parse_term("{:error, {:start_spec, {:duplicate_child_name, Test.Worker}}}"));
  otter::child_spec no_start{.id = "nothing"_a};
  EXPECT_EQ(sup::start_link(me, {no_start}).to_term(), otter::parse_term("{:error, {:start_spec, {:invalid_mfa, :nothing}}}"));
  otter::child_spec negative = wspec("N", me);
  negative.shutdown = otter::shutdown::timeout(std::chrono::milliseconds(-5));
  EXPECT_EQ(sup::start_link(me, {negative}).to_term(), otter::parse_term("{:error, {:start_spec, {:invalid_shutdown, -5}}}"));
  // Nothing started: no worker told us so.
  bool any = false;
  me.receive_any(otter::when([](const term& t) { return t.is_tuple() && t[0].is_atom("started"_a); }, [&](term) { any = true; }),
                 otter::after(std::chrono::milliseconds(0), [] {}));
  EXPECT_FALSE(any);
}

TEST(Supervisor, child_calls_answer_as_elixirs_do) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto s = sup::start_link(me, {wspec("W1", me)}, {.name = otter::name("Test.Sup")});
  ASSERT_TRUE(s.is_ok());
  const otter::pid w1 = started(me, "W1");
  // start_child: a new id; a taken one, running and stopped.
  const term added = sup::start_child(me, "Test.Sup", wspec("W2", me));
  const otter::pid w2 = started(me, "W2");
  EXPECT_EQ(added, otter::tuple("ok"_a, w2));
  EXPECT_EQ(sup::start_child(me, "Test.Sup", wspec("W1", me)), otter::tuple("error"_a, otter::tuple("already_started"_a, w1)));
  EXPECT_EQ(sup::start_child(me, "Test.Sup", wspec("fail", me)), otter::parse_term("{:error, {:cannot_start, :fail}}"));
  EXPECT_EQ(sup::start_child(me, "Test.Sup", wspec("ignored", me)), otter::parse_term("{:ok, :undefined}"));
  // terminate, restart, delete.
  EXPECT_EQ(sup::terminate_child(me, "Test.Sup", "W2"_a), term("ok"_a));
  EXPECT_EQ(next_terminated(me), otter::tuple("W2"_a, "shutdown"_a));
  EXPECT_EQ(sup::start_child(me, "Test.Sup", wspec("W2", me)), otter::parse_term("{:error, {:already_present, :W2}}"));
  EXPECT_EQ(sup::delete_child(me, "Test.Sup", "W1"_a), otter::parse_term("{:error, :running}"));
  EXPECT_EQ(sup::restart_child(me, "Test.Sup", "W1"_a), otter::parse_term("{:error, :running}"));
  const term again = sup::restart_child(me, "Test.Sup", "W2"_a);
  EXPECT_EQ(again, otter::tuple("ok"_a, started(me, "W2")));
  EXPECT_EQ(sup::terminate_child(me, "Test.Sup", "W2"_a), term("ok"_a));
  EXPECT_EQ(sup::delete_child(me, "Test.Sup", "W2"_a), term("ok"_a));
  EXPECT_EQ(sup::delete_child(me, "Test.Sup", "W2"_a), otter::parse_term("{:error, :not_found}"));
  EXPECT_EQ(sup::terminate_child(me, "Test.Sup", "nope"_a), otter::parse_term("{:error, :not_found}"));
  EXPECT_EQ(sup::restart_child(me, "Test.Sup", "nope"_a), otter::parse_term("{:error, :not_found}"));
  // get_childspec, and the same requests as terms through GenServer.call.
  const term spec = sup::get_childspec(me, "Test.Sup", "W1"_a);
  ASSERT_TRUE(spec[0].is_atom("ok"_a));
  EXPECT_EQ(spec[1].to_string().substr(0, 40), "%{id: :W1, modules: [Test.Worker], resta");
  EXPECT_EQ(sup::get_childspec(me, "Test.Sup", "nope"_a), otter::parse_term("{:error, :not_found}"));
  EXPECT_EQ(otter::gen::call(me, "Test.Sup", "count_children"_a), sup::count_children(me, "Test.Sup"));
  EXPECT_EQ(otter::gen::call(me, "Test.Sup", otter::tuple("terminate_child"_a, "nope"_a)), otter::parse_term("{:error, :not_found}"));
  EXPECT_EQ(otter::gen::call(me, "Test.Sup", "bogus"_a), otter::parse_term("{:error, {:unknown_call, :bogus}}"));
  // A typed call it does not know is answered too (the caller fails on the
  // reply's type instead of waiting forever).
  EXPECT_THROW((void)typed::call(me, "Test.Sup", typed::ping{}, otter::infinity), otter::exit_exception);
  otter::gen::stop(me, "Test.Sup");
  // A call to a supervisor that is gone exits as GenServer.call does.
  try {
    (void)sup::which_children(me, "Test.Sup");
    ADD_FAILURE() << "no exit";
  } catch (const otter::exit_exception& e) {
    EXPECT_EQ(e.reason.to_term(), otter::parse_term("{:noproc, {GenServer, :call, [:\"Test.Sup\", :which_children, :infinity]}}"));
  }
}

TEST(Supervisor, a_nested_supervisor_restarts_with_its_children) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto inner = sup::spec("inner"_a, {wspec("I1", me), wspec("I2", me)});
  auto s = sup::start_link(me, {wspec("W", me), inner});
  ASSERT_TRUE(s.is_ok());
  (void)started(me, "W");
  const otter::pid i1 = started(me, "I1");
  (void)started(me, "I2");
  const term kids = sup::which_children(me, s.pid);
  EXPECT_EQ(kids[0][2], term("supervisor"_a));
  EXPECT_EQ(sup::count_children(me, s.pid), otter::parse_term("%{active: 2, specs: 2, supervisors: 1, workers: 1}"));
  // Kill the inner supervisor: its children go with it (linked; they trap
  // exits, so they run terminate with its reason), and it comes back with
  // new ones.
  me.exit(kids[0][1].as_pid(), otter::exit_reason::kill());
  const term first = next_terminated(me), second = next_terminated(me);
  EXPECT_EQ(first[1], term("killed"_a));
  EXPECT_EQ(second[1], term("killed"_a));
  EXPECT_NE(first[0], second[0]);
  EXPECT_NE(started(me, "I1"), i1);
  (void)started(me, "I2");
  // Stopping the outer one stops the inner one's children too, inner first.
  otter::gen::stop(me, s.pid);
  EXPECT_EQ(next_terminated(me), otter::tuple("I2"_a, "shutdown"_a));
  EXPECT_EQ(next_terminated(me), otter::tuple("I1"_a, "shutdown"_a));
  EXPECT_EQ(next_terminated(me), otter::tuple("W"_a, "shutdown"_a));
}

TEST(Supervisor, its_parents_exit_stops_it_and_its_children) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid parent = rt.spawn([](otter::pid observer) -> otter::process {
    // (A braced list inside co_await trips g++ 12: build the vector first.)
    std::vector<otter::child_spec> children{otter::child_spec_with(worker::child_spec("K"_a, observer), {.id = "K"_a})};
    auto r = co_await sup::start_link(std::move(children));
    otter::send(observer, otter::tuple("sup"_a, r.pid));
    co_await otter::receive([](otter::any_message) {});
    otter::exit(otter::exit_reason("going"));
  }, me.self());
  (void)started(me, "K");
  auto sup_pid = me.receive<term>([](const term& t) { return t.is_tuple() && t[0].is_atom("sup"_a); }, forever);
  ASSERT_TRUE(sup_pid);
  const auto mref = me.monitor((*sup_pid)[1].as_pid());
  me.send(parent, "go"_a);
  // As OTP's: the children get `shutdown`, the supervisor then exits with
  // its parent's reason.
  EXPECT_EQ(next_terminated(me), otter::tuple("K"_a, "shutdown"_a));
  EXPECT_EQ(down_of(me, mref).to_term(), term("going"_a));
}

// Applications: started and stopped as a unit (tree in order, tables with
// it), environment, already_started, a failing start, a top supervisor that
// gives up.
#include <gtest/gtest.h>


#include "otter/application.hpp"
#include "otter/ets.hpp"
#include "otter/term_parse.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;
using otter::term;
namespace app = otter::application;

namespace {

struct member : otter::gen_server<member> {
  struct state {
    term name;
    otter::pid observer;
  };
  static otter::task<otter::start_result> start_link(term name, otter::pid observer) {
    return gen_server::start_link(std::move(name), observer);
  }
  state init(const term& name, otter::pid observer) {
    otter::trap_exit(true);
    otter::send(observer, otter::tuple("started"_a, name, otter::self()));
    return {name, observer};
  }
  void terminate(const term& reason, state& s) { otter::send(s.observer, otter::tuple("terminated"_a, s.name, reason)); }
};

app::spec counter_app(otter::pid observer) {
  app::spec a;
  a.name = "counter";
  a.env = {{"max_children", term(100)}, {"greeting", term("hello")}};
  a.setup = [] {
    otter::ets::new_table("Test.Store"_a, {.protection = otter::ets::access::public_, .named_table = true});
  };
  a.children = [observer](otter::runtime& rt) {
    // The children may read the environment.
    const term n = app::get_env(rt, "counter", "max_children", term(0));
    return std::vector<otter::child_spec>{
        otter::child_spec_with(member::child_spec(otter::tuple("first"_a, n), observer), {.id = "first"_a}),
        otter::child_spec_with(member::child_spec(term("second"_a), observer), {.id = "second"_a}),
    };
  };
  a.options.name = otter::name("Test.Supervisor");
  return a;
}

term next_of(otter::scoped_process& me, const char* tag) {
  auto m = me.receive<term>([t = otter::atom(tag)](const term& x) { return x.is_tuple() && x[0].is_atom(t); }, forever);
  EXPECT_TRUE(m) << "no " << tag;
  return m ? *m : term();
}

}  // namespace

TEST(Application, starts_and_stops_as_a_unit_with_its_environment_and_tables) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  app::put_env(rt, "counter", "max_children", term(7));  // set before start: wins over the default
  const auto r = app::start(rt, counter_app(me.self()));
  ASSERT_TRUE(r.is_ok()) << r.to_term().to_string();
  EXPECT_EQ(next_of(me, "started")[1], otter::tuple("first"_a, 7));
  EXPECT_EQ(next_of(me, "started")[1], term("second"_a));
  EXPECT_EQ(app::get_env(rt, "counter", "greeting"), std::optional<term>(term("hello")));
  EXPECT_EQ(app::get_env(rt, "counter", "nothing"), std::nullopt);
  EXPECT_EQ(app::which_applications(rt), std::vector<std::string>{"counter"});
  EXPECT_EQ(app::top_supervisor(rt, "counter"), r.pid);
  EXPECT_EQ(rt.whereis("Test.Supervisor"), r.pid);
  otter::ets::insert("Test.Store"_a, otter::tuple("k"_a, 1));  // the application's table, public
  // Starting it twice is an error.
  EXPECT_EQ(app::start(rt, counter_app(me.self())).to_term(), otter::parse_term("{:error, {:already_started, :counter}}"));
  // Stop: children in reverse order, and only then does stop return.
  EXPECT_TRUE(app::stop(rt, "counter"));
  bool got_second = false, got_first = false;
  me.receive_any(otter::when([](const term& t) { return t.is_tuple() && t[0].is_atom("terminated"_a); },
                             [&](term t) { got_second = t[1] == term("second"_a); }),
                 otter::after(std::chrono::milliseconds(0), [] {}));
  me.receive_any(otter::when([](const term& t) { return t.is_tuple() && t[0].is_atom("terminated"_a); },
                             [&](term t) { got_first = t[1] == otter::tuple("first"_a, 7); }),
                 otter::after(std::chrono::milliseconds(0), [] {}));
  EXPECT_TRUE(got_second) << "second did not end first, or not before stop returned";
  EXPECT_TRUE(got_first);
  EXPECT_EQ(rt.whereis("Test.Supervisor"), otter::pid());
  EXPECT_TRUE(app::which_applications(rt).empty());
  EXPECT_THROW(otter::ets::lookup("Test.Store"_a, "k"_a), otter::bad_argument);  // its table went with it
  EXPECT_FALSE(app::stop(rt, "counter"));
  // It can start again, and the environment is still there.
  ASSERT_TRUE(app::start(rt, counter_app(me.self())).is_ok());
  EXPECT_EQ(next_of(me, "started")[1], otter::tuple("first"_a, 7));
  EXPECT_TRUE(app::stop(rt, "counter"));
}

TEST(Application, a_failing_start_is_an_error_and_leaves_nothing_running) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  app::spec a = counter_app(me.self());
  a.name = "broken";
  a.setup = [] { throw std::runtime_error("no config"); };
  EXPECT_EQ(app::start(rt, a).to_term(), otter::parse_term("{:error, {:\"std::runtime_error\", \"no config\"}}"));
  EXPECT_TRUE(app::which_applications(rt).empty());
  app::spec b = counter_app(me.self());
  b.name = "dup";
  b.setup = nullptr;
  b.children = [obs = me.self()](otter::runtime&) {
    return std::vector<otter::child_spec>{member::child_spec(term("x"_a), obs), member::child_spec(term("y"_a), obs)};
  };
  const term err = app::start(rt, b).to_term();
  EXPECT_EQ(err[1][0], term("start_spec"_a)) << err.to_string();
  EXPECT_EQ(app::top_supervisor(rt, "dup"), otter::pid());
  EXPECT_THROW(app::start(rt, app::spec{}), otter::bad_argument);
  // From a process it would block a scheduler thread: refused.
  const term inside = in_process(rt, me, [&rt]() -> otter::task<term> {
    try {
      app::spec c;
      c.name = "inside";
      (void)app::start(rt, c);
      co_return term("started"_a);
    } catch (const otter::bad_argument& e) {
      co_return term(std::string(e.what()));
    }
  });
  EXPECT_EQ(inside, term("otter::application::start: call it from outside any process"));
}

TEST(Application, an_application_whose_supervisor_gives_up_has_exited_and_says_so) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  log_capture logs;
  app::spec a = counter_app(me.self());
  a.options.max_restarts = 0;
  const auto r = app::start(rt, a);
  ASSERT_TRUE(r.is_ok());
  const otter::pid first = next_of(me, "started")[2].as_pid();
  (void)next_of(me, "started");
  const auto sup_ref = me.monitor(r.pid);
  const otter::pid master = rt.whereis("otter.application.counter");
  ASSERT_TRUE(master);
  const auto master_ref = me.monitor(master);
  me.exit(first, otter::exit_reason::kill());  // one restart is one too many
  auto d = me.receive<otter::down_message>([sup_ref](const otter::down_message& m) { return m.ref == sup_ref; }, forever);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, otter::exit_reason::shutdown());
  // The master notices, logs and ends: the application is no longer running.
  ASSERT_TRUE(me.receive<otter::down_message>([master_ref](const otter::down_message& m) { return m.ref == master_ref; }, forever));
  EXPECT_TRUE(app::which_applications(rt).empty());
  auto exits = logs.of_kind("application_exit");
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_NE(exits[0].text.find("Application counter exited: shutdown"), std::string::npos) << exits[0].text;
}

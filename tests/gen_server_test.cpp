// gen_server: start results, calls and casts (typed and term), replies
// deferred and late, timeouts, stop and terminate, crashes and reports,
// from processes and from outside any process.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <tuple>
#include <mutex>
#include <string>
#include <vector>

#include "otter/ets.hpp"
#include "otter/gen_server.hpp"
#include "otter/term_parse.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;
using otter::term;

namespace {

// The shape DESIGN.md shows: typed requests, a state, terminate.
struct counter : otter::gen_server<counter> {
  struct state {
    std::int64_t value = 0;
    otter::pid observer;
  };
  struct inc {
    std::int64_t by = 1;
  };
  struct get {};
  struct crash {};
  struct slow {
    std::chrono::milliseconds wait;
  };

  state init(std::int64_t start, otter::pid observer) { return {start, observer}; }
  void handle_cast(inc m, state& s) { s.value += m.by; }
  std::int64_t handle_call(get, state& s) { return s.value; }
  std::int64_t handle_call(crash, state&) { throw std::runtime_error("boom"); }
  void terminate(const otter::exit_reason& reason, state& s) {
    if (s.observer) otter::send(s.observer, otter::tuple("terminated"_a, reason.to_term(), s.value));
  }
};

// Every return form, deferred replies, term messages, timeouts, continue.
struct forms : otter::gen_server<forms> {
  struct state {
    otter::pid observer;
    std::optional<otter::from> waiting;
    std::int64_t n = 0;
  };
  struct hold {};                 // replies later, when `release` comes
  struct release {
    std::int64_t value;
  };
  struct stop_with_reply {};
  struct later_timeout {};
  struct continue_please {};
  struct either {
    bool stop;
  };
  struct wrong_type {};
  struct delegate {};  // another process replies

  state init(otter::pid observer) { return {observer, {}, 0}; }

  otter::call_result<std::int64_t> handle_call(hold, const otter::from& f, state& s) {
    s.waiting = f;
    return otter::noreply();
  }
  auto handle_call(stop_with_reply, state&) { return otter::stop("normal", std::int64_t{42}); }
  auto handle_call(later_timeout, state&) { return otter::reply(std::int64_t{1}).timeout(std::chrono::milliseconds(1)); }
  auto handle_call(continue_please, state&) { return otter::reply(std::int64_t{2}).then("go"_a); }
  otter::call_result<std::string> handle_call(either e, state&) {
    if (e.stop) return otter::stop("shutdown", std::string("bye"));
    return std::string("stay");
  }
  otter::call_result<std::int64_t> handle_call(wrong_type, const otter::from& f, state&) {
    otter::reply(f, std::string("not an integer"));
    return otter::noreply();
  }
  otter::call_result<std::int64_t> handle_call(delegate, const otter::from& f, state&) {
    otter::spawn([](otter::from f) -> otter::process {
      otter::reply(f, std::int64_t{9});
      co_return;
    }, f);
    return otter::noreply();
  }
  // Terms, as Elixir's GenServer takes them.
  term handle_call(const term& request, state& s) {
    if (request.is_atom("n"_a)) return term(s.n);
    return otter::tuple("echo"_a, request);
  }
  void handle_cast(release r, state& s) {
    if (s.waiting) otter::reply(*s.waiting, r.value);
    s.waiting.reset();
  }
  void handle_cast(const term& t, state& s) {
    if (t.is_integer()) s.n += t.as_int();
  }
  void handle_info(otter::timeout_message, state& s) { otter::send(s.observer, "timed_out"_a); }
  void handle_info(const term& t, state& s) { otter::send(s.observer, otter::tuple("info"_a, t)); }
  void handle_continue(const term& value, state& s) { otter::send(s.observer, otter::tuple("continued"_a, value)); }
  void terminate(const term& reason, state& s) { otter::send(s.observer, otter::tuple("terminated"_a, reason)); }
};

// init's other results.
struct starter : otter::gen_server<starter> {
  struct state {};
  otter::init_result<state> init(const term& how) {
    if (how.is_atom("ignore"_a)) return otter::ignore();
    if (how.is_atom("stop"_a)) return otter::stop(otter::tuple("bad_config"_a, 7));
    if (how.is_atom("throw"_a)) throw std::invalid_argument("no such config");
    return state{};
  }
};



// States as sys:get_state shows them: a term, a state with to_term(), and
// (counter above) a state with neither.
struct term_state : otter::gen_server<term_state> {
  using state = term;
  term init(term start) { return start; }
  void handle_cast(const term& t, term& s) { s = t; }
};
struct shown_state : otter::gen_server<shown_state> {
  struct state {
    std::int64_t n = 7;
    term to_term() const { return otter::tuple("n"_a, n); }
  };
  state init() { return {}; }
};

otter::process ask_state(otter::pid server, otter::pid main) {
  term state = co_await otter::sys::get_state(server);
  otter::send(main, otter::tuple("state"_a, state));
}

term call_exit_reason(const std::function<void()>& f) {
  try {
    f();
  } catch (const otter::exit_exception& e) {
    return e.reason.to_term();
  }
  ADD_FAILURE() << "expected the call to exit";
  return term();
}

}  // namespace

TEST(GenServer, the_counter_starts_takes_casts_and_answers_calls_from_a_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  term got = in_process(rt, me, []() -> otter::task<term> {
    otter::start_result r = co_await counter::start_link(otter::name("counter_a"), std::int64_t{5}, otter::pid());
    EXPECT_TRUE(r.is_ok());
    EXPECT_EQ(r.to_term(), otter::tuple("ok"_a, r.pid));
    EXPECT_EQ(otter::whereis("counter_a"), r.pid);
    counter::cast("counter_a", counter::inc{2});
    counter::cast(r.pid, counter::inc{});
    const std::int64_t v = co_await counter::call("counter_a", counter::get{});
    co_return term(v);
  });
  EXPECT_EQ(got, term(8));
}

TEST(GenServer, reports_name_the_server_and_the_reason_as_elixir_prints_them) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  log_capture logs;
  ASSERT_TRUE(counter::start(me, otter::name("Elixir.Counter.Named"), std::int64_t{0}, me.self()).is_ok());
  otter::gen::stop(me, "Elixir.Counter.Named", otter::exit_reason::killed());
  ASSERT_TRUE(counter::start(me, otter::name("plain_name"), std::int64_t{0}, me.self()).is_ok());
  otter::gen::stop(me, "plain_name", otter::exit_reason(otter::tuple("bad"_a, 1)));
  auto reports = logs.of_kind("gen_server_terminate");
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].text, "GenServer Counter.Named terminating\n** (stop) killed\nLast message: []");
  EXPECT_EQ(reports[1].text, "GenServer :plain_name terminating\n** (stop) {:bad, 1}\nLast message: []");
}

TEST(GenServer, sys_get_state_shows_any_servers_state) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto a = term_state::start(me, otter::name("state_as_term"), term(otter::list{1, 2}));
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(otter::sys::get_state(me, "state_as_term"), term(otter::list{1, 2}));
  auto b = shown_state::start(me);
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(otter::sys::get_state(me, b.pid), otter::tuple("n"_a, 7));
  // A server whose handle_call takes none of this answers all the same;
  // a state with no term form shows its C++ type.
  auto c = counter::start(me, std::int64_t{3}, otter::pid());
  ASSERT_TRUE(c.is_ok());
  const term shown = otter::sys::get_state(me, c.pid, otter::infinity);
  ASSERT_TRUE(shown.is_binary()) << shown;
  EXPECT_NE(shown.as_binary().find("counter::state"), std::string::npos) << shown;
  // From a process.
  rt.spawn(ask_state, b.pid, me.self());
  EXPECT_EQ(me.receive<term>(forever), otter::tuple("state"_a, otter::tuple("n"_a, 7)));
}

TEST(GenServer, sys_get_state_exits_as_otp_does) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  EXPECT_EQ(call_exit_reason([&] { otter::sys::get_state(me, "nobody_here"); }),
            otter::parse_term("{:noproc, {:sys, :get_state, [:nobody_here]}}"));
  // A process that is no gen_server never answers.
  otter::scoped_process silent(rt);
  EXPECT_EQ(call_exit_reason([&] { otter::sys::get_state(me, silent.self(), std::chrono::milliseconds(20)); }),
            otter::tuple("timeout"_a, otter::tuple("sys"_a, "get_state"_a, otter::list{silent.self(), 20})));
}

TEST(GenServer, calls_and_casts_from_outside_any_process) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = counter::start(me, otter::name("counter_b"), std::int64_t{0}, me.self());
  ASSERT_TRUE(r.is_ok());
  for (int i = 0; i < 100; ++i) counter::cast(rt, "counter_b", counter::inc{});
  EXPECT_EQ(counter::call(me, "counter_b", counter::get{}), 100);
  EXPECT_EQ(counter::call(me, r.pid, counter::get{}, otter::infinity), 100);
  otter::gen::stop(me, "counter_b");
  auto t = me.receive<term>(forever);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, otter::tuple("terminated"_a, "normal"_a, 100));  // terminate ran with the reason
  EXPECT_FALSE(rt.whereis("counter_b"));
}

TEST(GenServer, start_gives_ignore_error_and_already_started_as_otp_does) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  EXPECT_EQ(starter::start(me, "ignore"_a).to_term(), term("ignore"_a));
  EXPECT_EQ(starter::start(me, "stop"_a).to_term(), otter::tuple("error"_a, otter::tuple("bad_config"_a, 7)));
  EXPECT_EQ(starter::start(me, "throw"_a).to_term(),
            otter::tuple("error"_a, otter::tuple("std::invalid_argument"_a, "no such config")));
  auto first = starter::start(me, otter::name("only_one"), "ok"_a);
  ASSERT_TRUE(first.is_ok());
  auto second = starter::start(me, otter::name("only_one"), "ok"_a);
  EXPECT_EQ(second.to_term(), otter::tuple("error"_a, otter::tuple("already_started"_a, first.pid)));
  EXPECT_EQ(rt.whereis("only_one"), first.pid);
}

TEST(GenServer, a_linked_starter_that_traps_exits_gets_the_error_and_the_exit) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  term got = in_process(rt, me, []() -> otter::task<term> {
    otter::trap_exit(true);
    auto r = co_await starter::start_link("stop"_a);
    auto ex = co_await otter::receive<otter::exit_message>();
    co_return otter::tuple(r.to_term(), ex.from == r.pid, ex.reason.to_term());
  });
  EXPECT_EQ(got, otter::tuple(otter::tuple("error"_a, otter::tuple("bad_config"_a, 7)), true,
                              otter::tuple("bad_config"_a, 7)));
}

TEST(GenServer, a_call_to_a_missing_or_dead_server_exits_with_noproc) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  term why = call_exit_reason([&] { counter::call(me, "nobody_here", counter::get{}); });
  EXPECT_EQ(why, otter::parse_term("{:noproc, {GenServer, :call, [:nobody_here, :\"(anonymous namespace)::counter::get\", 5000]}}"));
  auto r = counter::start(me, std::int64_t{0}, otter::pid());
  ASSERT_TRUE(r.is_ok());
  me.monitor(r.pid);
  rt.exit(r.pid, otter::exit_reason::kill());
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  why = call_exit_reason([&] { counter::call(me, r.pid, counter::get{}); });
  EXPECT_TRUE(why.is_tuple() && why[0].is_atom("noproc"_a)) << why.to_string();
  counter::cast(rt, "nobody_here", counter::inc{});  // casts never fail
  otter::gen::cast(rt, r.pid, term(1));
}

TEST(GenServer, a_crash_during_a_call_reaches_the_caller_and_runs_terminate) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  log_capture logs;
  auto r = counter::start(me, std::int64_t{3}, me.self());
  ASSERT_TRUE(r.is_ok());
  term why = call_exit_reason([&] { counter::call(me, r.pid, counter::crash{}); });
  ASSERT_TRUE(why.is_tuple()) << why.to_string();
  EXPECT_EQ(why[0], otter::tuple("std::runtime_error"_a, "boom"));
  auto t = me.receive<term>(forever);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, otter::tuple("terminated"_a, otter::tuple("std::runtime_error"_a, "boom"), 3));
  auto reports = logs.of_kind("gen_server_terminate");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0].text.find("terminating\n** (std::runtime_error) boom\n"), std::string::npos) << reports[0].text;
}

TEST(GenServer, a_timed_out_call_never_gets_its_late_reply) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = forms::start(me, me.self());
  ASSERT_TRUE(r.is_ok());
  term why = call_exit_reason([&] { forms::call(me, r.pid, forms::hold{}, std::chrono::milliseconds(20)); });
  ASSERT_TRUE(why.is_tuple());
  EXPECT_EQ(why[0], term("timeout"_a));
  // Now the server replies to the call that gave up; a later call (which the
  // server answers after that reply) proves the reply was sent and dropped.
  forms::cast(rt, r.pid, forms::release{99});
  EXPECT_EQ(otter::gen::call(me, r.pid, "n"_a), term(0));
  EXPECT_EQ(me.message_queue_len(), 0u);
  bool stray = false;
  me.receive_any([&](otter::any_message) { stray = true; }, otter::after(std::chrono::milliseconds(0), [] {}));
  EXPECT_FALSE(stray);
}

TEST(GenServer, a_deferred_reply_answers_the_waiting_caller) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = forms::start(me, me.self());
  ASSERT_TRUE(r.is_ok());
  term got = in_process(rt, me, [pid = r.pid]() -> otter::task<term> {
    // A helper releases the held call once the server has it.
    otter::spawn([](otter::pid server) -> otter::process {
      co_await otter::sleep(std::chrono::milliseconds(5));
      forms::cast(server, forms::release{7});
    }, pid);
    const std::int64_t v = co_await forms::call(pid, forms::hold{});
    co_return term(v);
  });
  EXPECT_EQ(got, term(7));
}

namespace {
std::size_t monitors_by(const std::optional<otter::process_info>& info, otter::pid who) {
  return info ? static_cast<std::size_t>(std::count(info->monitored_by.begin(), info->monitored_by.end(), who)) : 99;
}
}  // namespace

TEST(GenServer, a_call_monitors_the_server_while_it_waits_and_the_reply_ends_the_monitor) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = forms::start(me, me.self());
  ASSERT_TRUE(r.is_ok());
  term got = in_process(rt, me, [pid = r.pid]() -> otter::task<term> {
    const otter::pid caller = otter::spawn([](otter::pid server, otter::pid parent) -> otter::process {
      const std::int64_t v = co_await forms::call(server, forms::hold{});
      otter::send(parent, term(v));
    }, pid, otter::self());
    // Held by the server, the call shows as the caller's monitor of it.
    while (monitors_by(co_await otter::get_process_info(pid), caller) == 0) co_await otter::yield();
    forms::cast(pid, forms::release{7});
    const term v = co_await otter::receive<term>();
    // The server replied and dropped the monitor in one step.
    const std::size_t left = monitors_by(co_await otter::get_process_info(pid), caller);
    co_return otter::tuple(v, term(static_cast<std::int64_t>(left)));
  });
  EXPECT_EQ(got, otter::tuple(7, 0));
}

TEST(GenServer, a_reply_from_another_process_still_leaves_no_monitor_behind) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = forms::start(me, me.self());
  ASSERT_TRUE(r.is_ok());
  term got = in_process(rt, me, [pid = r.pid]() -> otter::task<term> {
    const std::int64_t v = co_await forms::call(pid, forms::delegate{});
    // The caller demonitored (the helper could not): asked after that, the
    // server shows no monitor from us.
    const std::size_t left = monitors_by(co_await otter::get_process_info(pid), otter::self());
    co_return otter::tuple(v, term(static_cast<std::int64_t>(left)));
  });
  EXPECT_EQ(got, otter::tuple(9, 0));
  EXPECT_EQ(forms::call(me, r.pid, forms::delegate{}), 9);  // from outside too
  const auto info = rt.get_process_info(r.pid);
  EXPECT_EQ(monitors_by(info, me.self()), 0u);
}

TEST(GenServer, every_return_form_does_what_otp_does) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = forms::start(me, me.self());
  ASSERT_TRUE(r.is_ok());
  // {:reply, v, state, timeout}: the timeout message follows when idle.
  EXPECT_EQ(forms::call(me, r.pid, forms::later_timeout{}), 1);
  EXPECT_EQ(me.receive<otter::atom>(forever), std::optional<otter::atom>("timed_out"_a));
  // {:reply, v, state, {:continue, x}}: handle_continue runs next.
  EXPECT_EQ(forms::call(me, r.pid, forms::continue_please{}), 2);
  EXPECT_EQ(me.receive<term>(forever), std::optional<term>(otter::tuple("continued"_a, "go"_a)));
  // call_result: either form from one handler.
  EXPECT_EQ(forms::call(me, r.pid, forms::either{false}), "stay");
  me.monitor(r.pid);
  EXPECT_EQ(forms::call(me, r.pid, forms::either{true}), "bye");  // {:stop, :shutdown, reply, state}
  // terminate ran before the reply was sent, as in OTP: its message is here already.
  EXPECT_EQ(me.receive<term>(std::chrono::milliseconds(0)), std::optional<term>(otter::tuple("terminated"_a, "shutdown"_a)));
  auto down = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, otter::exit_reason::shutdown());
  // {:stop, :normal, reply, state}
  auto r2 = forms::start(me, me.self());
  me.monitor(r2.pid);
  EXPECT_EQ(forms::call(me, r2.pid, forms::stop_with_reply{}), 42);
  EXPECT_EQ(me.receive<term>(forever), std::optional<term>(otter::tuple("terminated"_a, "normal"_a)));
  down = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(down);
  EXPECT_TRUE(down->reason.is_normal());
}

TEST(GenServer, term_requests_casts_and_infos_work_as_in_elixir) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = forms::start(me, otter::name("forms_t"), me.self());
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(otter::gen::call(me, "forms_t", otter::parse_term("{:hello, [1, 2]}")),
            otter::parse_term("{:echo, {:hello, [1, 2]}}"));
  otter::gen::cast(rt, "forms_t", term(5));
  otter::gen::cast(rt, "forms_t", term(6));
  EXPECT_EQ(otter::gen::call(me, "forms_t", "n"_a), term(11));
  me.send(r.pid, otter::parse_term("{:tick, 1}"));
  EXPECT_EQ(me.receive<term>(forever), std::optional<term>(otter::parse_term("{:info, {:tick, 1}}")));
  // A typed call through the term path: the reply is a term too.
  term in_proc = in_process(rt, me, []() -> otter::task<term> { co_return co_await otter::gen::call("forms_t", "n"_a); });
  EXPECT_EQ(in_proc, term(11));
}

TEST(GenServer, a_reply_of_the_wrong_type_is_an_error_not_a_hang) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = forms::start(me, me.self());
  term why = call_exit_reason([&] { forms::call(me, r.pid, forms::wrong_type{}, std::chrono::seconds(30)); });
  ASSERT_TRUE(why.is_tuple()) << why.to_string();
  EXPECT_TRUE(why[0].is_tuple() && why[0][0].is_atom("bad_reply_type"_a)) << why.to_string();
}

TEST(GenServer, terminate_runs_on_the_parents_exit_when_trapping_but_not_on_kill) {
  struct trapper : otter::gen_server<trapper> {
    struct state {
      otter::pid observer;
    };
    state init(otter::pid o) {
      otter::trap_exit(true);
      return {o};
    }
    void terminate(const term& reason, state& s) { otter::send(s.observer, otter::tuple("terminate"_a, reason)); }
  };
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  // A parent process starts it linked, then exits with :shutdown.
  otter::pid child;
  const otter::pid parent = rt.spawn([](otter::pid main) -> otter::process {
    auto r = co_await trapper::start_link(main);
    otter::send(main, r.pid);
    co_await otter::receive<otter::atom>();
    otter::exit(otter::exit_reason::shutdown());
  }, me.self());
  auto c = me.receive<otter::pid>(forever);
  ASSERT_TRUE(c);
  child = *c;
  me.monitor(child);
  me.send(parent, "go"_a);
  EXPECT_EQ(me.receive<term>(forever), std::optional<term>(otter::tuple("terminate"_a, "shutdown"_a)));
  auto down = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, otter::exit_reason::shutdown());
  // Killed: no terminate.
  auto r = trapper::start(me, me.self());
  me.monitor(r.pid);
  rt.exit(r.pid, otter::exit_reason::kill());
  down = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->reason, otter::exit_reason::killed());
  EXPECT_FALSE(me.receive<term>(std::chrono::milliseconds(20)));
}

TEST(GenServer, stop_of_a_missing_server_exits_with_noproc_and_unexpected_messages_are_logged) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  log_capture logs;
  try {
    otter::gen::stop(me, "no_such_server");
    ADD_FAILURE() << "stop of a missing server returned";
  } catch (const otter::exit_exception& e) {
    EXPECT_EQ(e.reason.to_term(), otter::parse_term("{:noproc, {GenServer, :stop, [:no_such_server]}}"));
  }
  auto r = counter::start(me, std::int64_t{0}, otter::pid());
  me.send(r.pid, term("stray"_a));
  EXPECT_EQ(counter::call(me, r.pid, counter::get{}), 0);  // the stray message came first
  auto events = logs.of_kind("unexpected_message");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].text.find(":stray"), std::string::npos) << events[0].text;
  EXPECT_EQ(events[0].level, otter::log_level::warning);
}

TEST(GenServer, many_clients_call_one_server_concurrently) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  auto r = counter::start(me, otter::name("shared_counter"), std::int64_t{0}, otter::pid());
  ASSERT_TRUE(r.is_ok());
  constexpr int clients = 20, rounds = 200;
  for (int c = 0; c < clients; ++c)
    rt.spawn([](otter::pid main) -> otter::process {
      std::int64_t last = -1;
      for (int i = 0; i < rounds; ++i) {
        counter::cast("shared_counter", counter::inc{});
        const std::int64_t v = co_await counter::call("shared_counter", counter::get{});
        if (v <= last) otter::send(main, "not_monotonic"_a);
        last = v;
      }
      otter::send(main, "done"_a);
    }, me.self());
  for (int c = 0; c < clients; ++c) EXPECT_EQ(me.receive<otter::atom>(forever), std::optional<otter::atom>("done"_a));
  EXPECT_EQ(counter::call(me, "shared_counter", counter::get{}), clients * rounds);
}


TEST(GenServer, calls_from_clients_spread_over_four_schedulers_all_get_their_replies) {
  // Replies wake callers whose home is another, busy scheduler (its remote
  // queue); idle schedulers take from those queues too.
  otter::runtime rt(quiet(4));
  otter::scoped_process me(rt);
  auto r = counter::start(me, std::int64_t{0}, otter::pid());
  ASSERT_TRUE(r.is_ok());
  constexpr int clients = 64, rounds = 300;
  std::vector<otter::pid> started;
  for (int c = 0; c < clients; ++c)
    started.push_back(rt.spawn([](otter::pid server, otter::pid main) -> otter::process {
      co_await otter::receive<otter::atom>();
      std::int64_t sum = 0;
      for (int i = 0; i < rounds; ++i) {
        counter::cast(server, counter::inc{});
        sum += co_await counter::call(server, counter::get{}) > 0 ? 1 : 0;
      }
      otter::send(main, term(sum));
    }, r.pid, me.self()));
  for (auto p : started) me.send(p, "go"_a);
  for (int c = 0; c < clients; ++c) EXPECT_EQ(me.receive<term>(forever), std::optional<term>(term(rounds)));
  EXPECT_EQ(counter::call(me, r.pid, counter::get{}), clients * rounds);
}

TEST(GenServer, a_failed_start_gives_its_name_back_before_it_answers) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  EXPECT_EQ(starter::start(me, otter::name("retry_me"), "stop"_a).to_term(),
            otter::tuple("error"_a, otter::tuple("bad_config"_a, 7)));
  EXPECT_TRUE(starter::start(me, otter::name("retry_me"), "ok"_a).is_ok());  // not {:already_started, dying_pid}
  EXPECT_EQ(starter::start(me, otter::name("ignored"), "ignore"_a).to_term(), term("ignore"_a));
  EXPECT_TRUE(starter::start(me, otter::name("ignored"), "ok"_a).is_ok());
}

TEST(GenServer, calling_or_stopping_yourself_exits_at_once) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  term got = in_process(rt, me, []() -> otter::task<term> {
    std::vector<term> reasons;
    try {
      co_await otter::gen::call(otter::self(), "hello"_a);
    } catch (const otter::exit_exception& e) {
      reasons.push_back(e.reason.to_term()[0]);
    }
    try {
      co_await otter::gen::stop(otter::self());
    } catch (const otter::exit_exception& e) {
      reasons.push_back(e.reason.to_term()[0]);
    }
    co_return term::list_of(std::move(reasons));
  });
  EXPECT_EQ(got, (otter::list{"calling_self"_a, "calling_self"_a}));
}

namespace {
template <class A, class B, class C>
struct an_exception_whose_demangled_type_name_is_much_longer_than_an_atom_may_be : std::runtime_error {
  an_exception_whose_demangled_type_name_is_much_longer_than_an_atom_may_be() : std::runtime_error("long") {}
};
using long_name = std::map<std::string, std::vector<std::tuple<std::string, std::string, std::string>>>;
using very_long_exception =
    an_exception_whose_demangled_type_name_is_much_longer_than_an_atom_may_be<long_name, long_name, long_name>;
}  // namespace

TEST(GenServer, exit_reasons_keep_erlangs_rules_for_kill_and_long_names) {
  EXPECT_TRUE(otter::exit_reason("kill").is_kill());
  EXPECT_FALSE(otter::exit_reason(otter::tuple("kill"_a, "x"_a)).is_kill());
  EXPECT_FALSE(otter::exit_reason(otter::tuple("kill"_a, "")).is_kill());
  EXPECT_FALSE(otter::exit_reason(otter::tuple("normal"_a, "")).is_normal());
  // A crash whose exception type name cannot be an atom is still a crash with that name.
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid p = rt.spawn([]() -> otter::process {
    co_await otter::receive<otter::atom>();  // monitored first: its DOWN must carry the crash, not noproc
    throw very_long_exception();
  });
  me.monitor(p);
  me.send(p, "go"_a);
  auto down = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(down);
  EXPECT_GT(down->reason.name().size(), 255u);
  EXPECT_EQ(std::string(down->reason.detail()), "long");
}

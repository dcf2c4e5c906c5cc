// The non-template parts of otter::gen_server: exit reasons of failed
// calls, reports, name registration and the untyped (term) client calls.
#include "otter/gen_server.hpp"

#include "otter/registry.hpp"

#include "runtime_impl.hpp"

namespace otter {

namespace detail::gen {

std::string type_name(const std::type_info& t) { return detail::demangle(t.name()); }

exit_reason why_no_reply(const std::optional<exit_reason>& failed, bool wrong_type, const std::type_info& expected) {
  if (failed) return *failed;
  if (wrong_type) return exit_reason("bad_reply_type", "the server replied with another type than " + type_name(expected));
  return exit_reason("timeout");
}

exit_reason call_failure(const exit_reason& why, const term& server, const term& request,
                         std::chrono::milliseconds timeout) {
  const term shown_timeout = timeout == infinity ? term(atom("infinity")) : term(static_cast<std::int64_t>(timeout.count()));
  return exit_reason(otter::tuple(why.to_term(), otter::tuple(atom("Elixir.GenServer"), atom("call"),
                                                              otter::list{server, request, shown_timeout})));
}

term last_of(const any_message& m) {
  static const term call_tag(atom("$gen_call")), cast_tag(atom("$gen_cast")), cpp(atom("a C++ message"));
  if (const term* t = m.get<term>()) return *t;
  // As OTP shows them: a stop (sys:terminate) has no message, [], and a
  // parent's exit signal is {:EXIT, parent, reason}.
  if (m.is<stop_request>()) return otter::list{};
  if (const auto* x = m.get<exit_message>()) return otter::tuple(atom("EXIT"), x->from, x->reason.to_term());
  if (const auto* c = m.get<call_msg<term>>()) return otter::tuple(call_tag, c->request);
  if (const auto* c = m.get<cast_msg<term>>()) return otter::tuple(cast_tag, c->request);
  if (call_in(m)) return call_tag;
  if (m.family<cast_head>()) return cast_tag;
  return cpp;
}

std::string show_last(const term& last) { return last.to_string(); }

bool is_abnormal(const exit_reason& r) {
  if (r.is_normal()) return false;
  const term t = r.to_term();
  if (t.is_atom(atom("shutdown"))) return false;
  if (t.is_tuple() && t.size() == 2 && t[0].is_atom(atom("shutdown"))) return false;
  return true;
}

// As Elixir shows why a server stopped: "** (Name) message" for an
// exception (a C++ exception's type and what(), or any reason made of a
// name and a detail), "** (stop) reason" for another reason, printed as a
// term.
std::string shown_stop_reason(const exit_reason& reason) {
  if (!reason.detail().empty()) return "** (" + std::string(reason.name()) + ") " + std::string(reason.detail());
  // Exception.format_exit's words for the reasons the runtime itself gives.
  const term t = reason.to_term();
  if (t.is_atom(atom("killed"))) return "** (stop) killed";
  if (t.is_atom(atom("noproc")))
    return "** (stop) no process: the process is not alive or there's no process currently associated with the given "
           "name, possibly because its application isn't started";
  if (t.is_atom(atom("timeout"))) return "** (stop) time out";
  return "** (stop) " + t.to_string();
}

void log_terminate(pid self, const std::string& server, const exit_reason& reason, const std::string& last_message) {
  otter::log({log_level::error, self, "gen_server_terminate",
              "GenServer " + server + " terminating\n" + shown_stop_reason(reason) + "\nLast message: " + last_message});
}

void log_unexpected(pid self, const std::string& server, const std::string& message) {
  otter::log({log_level::warning, self, "unexpected_message",
              "GenServer " + server + " received unexpected message in handle_info/2: " + message});
}

pid resolve_quietly(const server_ref& s, runtime* rt) noexcept {
  try {
    return rt ? s.resolve(*rt) : s.resolve();
  } catch (...) {
    return pid();
  }
}

void release_name(const server_name& n) {
  try {
    if (n.is_via())
      registry::unregister(n.via_registry, n.via_key);
    else
      unregister_name(n.local);
  } catch (const std::exception&) {  // the registry went away meanwhile: nothing to release
  }
}

pid register_or_holder(const std::string& name) {
  for (int attempt = 0;; ++attempt) {
    try {
      register_name(name, self());
      return pid();
    } catch (const name_error&) {
      // Taken: report the holder. If it died since, the name is free again.
      if (pid holder = whereis(name)) return holder;
      if (attempt == 3) throw;  // refused for another reason
    }
  }
}

task<start_result> failed_start(term reason) { co_return start_result{start_result::error, pid(), std::move(reason)}; }

}  // namespace detail::gen

namespace gen {

task<term> call(server_ref server, term request, std::chrono::milliseconds timeout) {
  return detail::gen::call_in_process<term, term>(std::move(server), std::move(request), timeout, nullptr, nullptr);
}

term call(scoped_process& me, server_ref server, term request, std::chrono::milliseconds timeout) {
  return detail::gen::call_outside<term, term>(me, std::move(server), std::move(request), timeout, nullptr, nullptr);
}

void cast(server_ref server, term message) {
  if (pid p = detail::gen::resolve_quietly(server))
    detail::send_envelope(p, detail::make_message<detail::gen::cast_msg<term>>(detail::gen::cast_head{}, std::move(message)));
}

void cast(runtime& rt, server_ref server, term message) {
  if (pid p = detail::gen::resolve_quietly(server, &rt)) rt.send(p, detail::gen::cast_msg<term>(detail::gen::cast_head{}, std::move(message)));
}

namespace {
// {why, {:sys, :get_state, args}}, from a call's {why, {GenServer, :call, ...}}.
exit_reason get_state_failure(const exit_reason& call_failed, term args) {
  const term t = call_failed.to_term();
  const term why = t.is_tuple() && t.size() == 2 ? t[0] : t;
  return exit_reason(otter::tuple(why, otter::tuple(atom("sys"), atom("get_state"), std::move(args))));
}
term get_state_args(const server_ref& server, std::chrono::milliseconds timeout) {
  if (timeout == std::chrono::seconds(5)) return otter::list{server.to_term()};
  const term shown_timeout = timeout == infinity ? term(atom("infinity")) : term(static_cast<std::int64_t>(timeout.count()));
  return otter::list{server.to_term(), shown_timeout};
}

exit_reason stop_failure(const exit_reason& why, const server_ref& s) {
  return exit_reason(otter::tuple(why.to_term(), otter::tuple(atom("Elixir.GenServer"), atom("stop"), otter::list{s.to_term()})));
}
}  // namespace

}  // namespace gen

namespace sys {

task<term> get_state(server_ref server, std::chrono::milliseconds timeout) {
  const term args = gen::get_state_args(server, timeout);
  task<term> pending = detail::gen::call_in_process<term, detail::gen::get_state_request>(
      std::move(server), detail::gen::get_state_request{}, timeout, nullptr, nullptr);
  try {
    co_return co_await pending;
  } catch (const exit_exception& e) {
    throw exit_exception{gen::get_state_failure(e.reason, args)};
  }
}

term get_state(scoped_process& me, server_ref server, std::chrono::milliseconds timeout) {
  const term args = gen::get_state_args(server, timeout);
  try {
    return detail::gen::call_outside<term, detail::gen::get_state_request>(
        me, std::move(server), detail::gen::get_state_request{}, timeout, nullptr, nullptr);
  } catch (const exit_exception& e) {
    throw exit_exception{gen::get_state_failure(e.reason, args)};
  }
}

}  // namespace sys

namespace gen {

task<void> stop(server_ref server, exit_reason reason, std::chrono::milliseconds timeout) {
  const pid p = server.resolve();
  if (!p) throw exit_exception{stop_failure(exit_reason::noproc(), server)};
  if (p == self()) throw exit_exception{stop_failure(exit_reason("calling_self"), server)};
  const reference ref = monitor(p);
  send(p, detail::gen::stop_request{reason});
  std::optional<exit_reason> ended;
  auto on_down = when([ref](const down_message& d) { return d.ref == ref; }, [&](down_message d) { ended = d.reason; });
  if (timeout == infinity)
    co_await receive(std::move(on_down));
  else
    co_await receive(std::move(on_down), after(timeout, [] {}));
  if (!ended) {
    demonitor(ref, true);
    throw exit_exception{stop_failure(exit_reason("timeout"), server)};
  }
  // OTP: a server that was gone already is noproc; one that ended with
  // another reason than asked (it crashed in terminate) exits the caller.
  if (*ended == exit_reason::noproc()) throw exit_exception{stop_failure(*ended, server)};
  if (!(*ended == reason)) throw exit_exception{stop_failure(*ended, server)};
}

void stop(scoped_process& me, server_ref server, exit_reason reason, std::chrono::milliseconds timeout) {
  const pid p = server.resolve(me.owner());
  if (!p) throw exit_exception{stop_failure(exit_reason::noproc(), server)};
  const reference ref = me.monitor(p);
  me.send(p, detail::gen::stop_request{reason});
  std::optional<exit_reason> ended;
  auto on_down = when([ref](const down_message& d) { return d.ref == ref; }, [&](down_message d) { ended = d.reason; });
  if (timeout == infinity)
    me.receive_any(std::move(on_down));
  else
    me.receive_any(std::move(on_down), after(timeout, [] {}));
  if (!ended) {
    me.demonitor(ref, true);
    throw exit_exception{stop_failure(exit_reason("timeout"), server)};
  }
  if (!(*ended == reason)) throw exit_exception{stop_failure(*ended, server)};
}

}  // namespace gen

}  // namespace otter

// The supervisor process (OTP's supervisor.erl): children in start order,
// restarts by strategy and restart type within the restart intensity,
// stopping in reverse order. See otter/supervisor.hpp.
#include "otter/supervisor.hpp"

#include <algorithm>
#include <set>

#include "otter/logger.hpp"
#include "supervision.hpp"

namespace otter {
namespace {

using detail::sup::request;

struct child {
  child_spec spec;
  pid running;              // null when it is not running
  bool restarting = false;  // a restart failed; it is retried (try_again)
};

// A restart that failed is tried again from the mailbox, so that requests
// and exits queued meanwhile are not held up (OTP's try_again_restart).
struct try_again {
  term id;
};

struct sup_state {
  std::vector<child> children;  // in start order
  supervisor::options opts;
  detail::sup::intensity restarts;
  std::string label;
  pid parent;
};

std::size_t find_id(const sup_state& st, const term& id) {
  for (std::size_t i = 0; i < st.children.size(); ++i)
    if (st.children[i].spec.id == id) return i;
  return st.children.size();
}

std::size_t find_pid(const sup_state& st, pid p) {
  for (std::size_t i = 0; i < st.children.size(); ++i)
    if (st.children[i].running == p) return i;
  return st.children.size();
}

task<void> stop_child(sup_state& st, child& c) {
  if (!c.running) co_return;
  const pid p = std::exchange(c.running, pid());
  const auto s = co_await detail::sup::shutdown_child(p, c.spec.shutdown_or_default());
  if (!s.expected) detail::sup::report_shutdown_error(st.label, c.spec.id, p, s.reason, c.spec);
}

// Stops every child, last started first.
task<void> stop_all(sup_state& st) {
  for (auto it = st.children.rbegin(); it != st.children.rend(); ++it) co_await stop_child(st, *it);
}

// Restarts the group the strategy says after child `failed` ended: stops
// the others of the group (in reverse), starts the group in order. A start
// that fails leaves it and those after it stopped, retried by try_again.
task<void> restart_group(sup_state& st, std::size_t failed) {
  std::size_t first = failed, last = failed + 1;
  if (st.opts.strategy == strategy::one_for_all) first = 0, last = st.children.size();
  if (st.opts.strategy == strategy::rest_for_one) last = st.children.size();
  for (std::size_t i = last; i-- > first;)
    if (i != failed) co_await stop_child(st, st.children[i]);
  std::vector<std::size_t> drop;  // temporary children of the group are not restarted
  for (std::size_t i = first; i < last; ++i) {
    child& c = st.children[i];
    if (c.spec.restart == restart::temporary) {
      drop.push_back(i);
      continue;
    }
    const start_result r = co_await detail::sup::start_one(c.spec, {});
    if (r.status == start_result::error) {
      detail::sup::report_start_error(st.label, c.spec.id, r.reason, c.spec);
      c.restarting = true;
      send(self(), try_again{c.spec.id});
      break;
    }
    c.running = r.status == start_result::ok ? r.pid : pid();
    c.restarting = false;
  }
  for (auto it = drop.rbegin(); it != drop.rend(); ++it) st.children.erase(st.children.begin() + static_cast<std::ptrdiff_t>(*it));
}

// Counts a restart; past the intensity the supervisor stops its children
// and exits with `shutdown`, as OTP's does.
task<void> restart_or_give_up(sup_state& st, std::size_t i) {
  if (!st.restarts.add_restart()) {
    detail::sup::report_gave_up(st.label, st.children[i].spec.id, st.children[i].spec);
    co_await stop_all(st);
    otter::exit(exit_reason::shutdown());
  }
  co_await restart_group(st, i);
}

task<void> child_exited(sup_state& st, std::size_t i, const exit_reason& reason) {
  child& c = st.children[i];
  const pid old = std::exchange(c.running, pid());
  const term why = reason.to_term();
  const bool clean = detail::sup::is_clean_exit(why);
  switch (c.spec.restart) {
    case restart::permanent:
      detail::sup::report_child_terminated(st.label, c.spec.id, old, why, c.spec);
      break;
    case restart::transient:
      if (clean) co_return;  // stays down; its spec stays
      detail::sup::report_child_terminated(st.label, c.spec.id, old, why, c.spec);
      break;
    case restart::temporary:
      if (!clean) detail::sup::report_child_terminated(st.label, c.spec.id, old, why, c.spec);
      st.children.erase(st.children.begin() + static_cast<std::ptrdiff_t>(i));
      co_return;
  }
  co_await restart_or_give_up(st, i);
}

// As OTP lists them: the last started first.
term which_children(const sup_state& st) {
  std::vector<term> out;
  out.reserve(st.children.size());
  for (auto it = st.children.rbegin(); it != st.children.rend(); ++it) {
    const child& c = *it;
    const term where = c.running ? term(c.running) : term(atom(c.restarting ? "restarting" : "undefined"));
    out.push_back(otter::tuple(c.spec.id, where, to_term(c.spec.type), term::list_of(c.spec.modules)));
  }
  return term::list_of(std::move(out));
}

term count_children(const sup_state& st) {
  std::int64_t active = 0, sups = 0;
  for (const child& c : st.children) {
    if (c.running) ++active;
    if (c.spec.type == child_type::supervisor) ++sups;
  }
  const auto n = static_cast<std::int64_t>(st.children.size());
  return otter::map{{atom("active"), active}, {atom("specs"), n}, {atom("supervisors"), sups}, {atom("workers"), n - sups}};
}

term error(term why) { return otter::tuple(atoms::error, std::move(why)); }

task<term> answer(sup_state& st, request& r) {
  const std::size_t i = r.kind == request::start_child ? find_id(st, r.spec->id) : find_id(st, r.id);
  const bool found = i < st.children.size();
  switch (r.kind) {
    case request::which_children: co_return which_children(st);
    case request::count_children: co_return count_children(st);
    case request::get_childspec:
      co_return found ? otter::tuple(atoms::ok, st.children[i].spec.to_term()) : error(atom("not_found"));
    case request::start_child: {
      if (auto bad = detail::sup::check_spec(*r.spec)) co_return error(*bad);
      if (found) {
        const child& c = st.children[i];
        co_return c.running ? error(otter::tuple(atom("already_started"), c.running))
                            : error(otter::tuple(atom("already_present"), c.spec.id));
      }
      const start_result s = co_await detail::sup::start_one(*r.spec, {});
      if (s.status == start_result::error) co_return error(s.reason);
      if (s.status == start_result::ignore && r.spec->restart == restart::temporary) co_return otter::tuple(atoms::ok, atom("undefined"));
      st.children.push_back(child{std::move(*r.spec), s.status == start_result::ok ? s.pid : pid(), false});
      co_return s.status == start_result::ok ? otter::tuple(atoms::ok, s.pid) : otter::tuple(atoms::ok, atom("undefined"));
    }
    case request::terminate_child: {
      if (!found) co_return error(atom("not_found"));
      co_await stop_child(st, st.children[i]);
      st.children[i].restarting = false;
      if (st.children[i].spec.restart == restart::temporary) st.children.erase(st.children.begin() + static_cast<std::ptrdiff_t>(i));
      co_return term(atoms::ok);
    }
    case request::restart_child: {
      if (!found) co_return error(atom("not_found"));
      child& c = st.children[i];
      if (c.running) co_return error(atom("running"));
      if (c.restarting) co_return error(atom("restarting"));
      const start_result s = co_await detail::sup::start_one(c.spec, {});
      if (s.status == start_result::error) co_return error(s.reason);
      st.children[i].running = s.status == start_result::ok ? s.pid : pid();
      co_return s.status == start_result::ok ? otter::tuple(atoms::ok, s.pid) : otter::tuple(atoms::ok, atom("undefined"));
    }
    case request::delete_child: {
      if (!found) co_return error(atom("not_found"));
      if (st.children[i].running) co_return error(atom("running"));
      if (st.children[i].restarting) co_return error(atom("restarting"));
      st.children.erase(st.children.begin() + static_cast<std::ptrdiff_t>(i));
      co_return term(atoms::ok);
    }
  }
  co_return error(atom("badcall"));
}

process supervisor_main(pid starter, int tie, std::vector<child_spec> specs, supervisor::options opts) {
  detail::sup::begin(starter, tie);
  sup_state st{{}, opts, detail::sup::intensity(opts.max_restarts, opts.max_seconds), {}, starter};
  if (const pid holder = detail::sup::claim_name(opts.name)) {
    detail::sup::ack(starter, start_result::error, otter::tuple(atom("already_started"), holder));
    co_return;
  }
  st.label = detail::sup::label_of(opts.name);
  auto fail = [&](const term& reason) {
    if (opts.name.named()) detail::gen::release_name(opts.name);
    detail::sup::ack(starter, start_result::error, reason);
    otter::exit(exit_reason(reason));
  };
  // Validation first, as OTP's: nothing starts if a spec is wrong.
  std::set<term> ids;
  for (const child_spec& s : specs) {
    if (auto bad = detail::sup::check_spec(s)) fail(*bad);
    if (!ids.insert(s.id).second)
      fail(otter::tuple(atom("start_spec"), otter::tuple(atom("duplicate_child_name"), s.id)));
  }
  for (child_spec& s : specs) {
    const start_result r = co_await detail::sup::start_one(s, {});
    if (r.status == start_result::error) {
      detail::sup::report_start_error(st.label, s.id, r.reason, s);
      co_await stop_all(st);
      fail(otter::tuple(atom("shutdown"), otter::tuple(atom("failed_to_start_child"), s.id, r.reason)));
    }
    if (r.status == start_result::ignore && s.restart == restart::temporary) continue;
    st.children.push_back(child{std::move(s), r.status == start_result::ok ? r.pid : pid(), false});
  }
  detail::sup::ack(starter, start_result::ok);

  for (;;) {
    any_message m = co_await receive([](any_message x) { return x; });
    if (const auto* x = m.get<exit_message>()) {
      if (x->from == st.parent) {  // our parent ended: so do we, children first
        co_await stop_all(st);
        otter::exit(x->reason);
      }
      const std::size_t i = find_pid(st, x->from);
      if (i < st.children.size()) co_await child_exited(st, i, x->reason);
      continue;  // an EXIT from a process that is no (longer a) child
    }
    if (auto in = detail::sup::request_in(m, [](const request&) { return true; })) {
      reply(in->caller, co_await answer(st, in->r));
      continue;
    }
    if (m.family<detail::request_head>()) continue;  // another call: request_in answered it
    if (const auto* s = m.get<detail::gen::stop_request>()) {
      const exit_reason why = s->reason;
      co_await stop_all(st);
      if (why.is_normal()) co_return;
      otter::exit(why);
    }
    if (const auto* t = m.get<try_again>()) {
      const std::size_t i = find_id(st, t->id);
      if (i < st.children.size() && st.children[i].restarting && !st.children[i].running) co_await restart_or_give_up(st, i);
      continue;
    }
    otter::log({log_level::error, self(), "unexpected_message",
                "Supervisor " + st.label + " received unexpected message: " + detail::gen::show_last(detail::gen::last_of(m))});
  }
}

}  // namespace

namespace supervisor {

task<start_result> start_link(std::vector<child_spec> children, options opts) {
  const pid child = spawn_link(&supervisor_main, self(), int(detail::sup::tie_linked), std::move(children), std::move(opts));
  // A coroutine, so that the arguments are in its own frame before they
  // move to the new process (a caller's temporaries may be gone by then).
  co_return co_await detail::sup::await_ack(child);
}

task<start_result> start_link(std::vector<child_spec> children) { return start_link(std::move(children), options{}); }

start_result start_link(scoped_process& me, std::vector<child_spec> children, options opts) {
  const pid child = me.owner().spawn(&supervisor_main, me.self(), int(detail::sup::tie_link_yourself), std::move(children), std::move(opts));
  return detail::sup::await_ack(me, child);
}

using detail::sup::call;

task<term> which_children(server_ref sup) { return call(std::move(sup), {request::which_children, {}, {}}); }
term which_children(scoped_process& me, server_ref sup) { return call(me, std::move(sup), {request::which_children, {}, {}}); }
task<term> count_children(server_ref sup) { return call(std::move(sup), {request::count_children, {}, {}}); }
term count_children(scoped_process& me, server_ref sup) { return call(me, std::move(sup), {request::count_children, {}, {}}); }
task<term> start_child(server_ref sup, child_spec spec) { return call(std::move(sup), {request::start_child, {}, std::move(spec)}); }
term start_child(scoped_process& me, server_ref sup, child_spec spec) {
  return call(me, std::move(sup), {request::start_child, {}, std::move(spec)});
}
task<term> terminate_child(server_ref sup, term id) { return call(std::move(sup), {request::terminate_child, std::move(id), {}}); }
term terminate_child(scoped_process& me, server_ref sup, term id) {
  return call(me, std::move(sup), {request::terminate_child, std::move(id), {}});
}
task<term> restart_child(server_ref sup, term id) { return call(std::move(sup), {request::restart_child, std::move(id), {}}); }
term restart_child(scoped_process& me, server_ref sup, term id) {
  return call(me, std::move(sup), {request::restart_child, std::move(id), {}});
}
task<term> delete_child(server_ref sup, term id) { return call(std::move(sup), {request::delete_child, std::move(id), {}}); }
term delete_child(scoped_process& me, server_ref sup, term id) {
  return call(me, std::move(sup), {request::delete_child, std::move(id), {}});
}
task<term> get_childspec(server_ref sup, term id) { return call(std::move(sup), {request::get_childspec, std::move(id), {}}); }
term get_childspec(scoped_process& me, server_ref sup, term id) {
  return call(me, std::move(sup), {request::get_childspec, std::move(id), {}});
}

child_spec spec(term id, std::vector<child_spec> children, options opts) {
  child_spec s;
  s.id = id;
  s.type = child_type::supervisor;
  s.start_call = otter::tuple(atom("Elixir.Supervisor"), atom("start_link"), otter::list{});
  s.modules = {term(atom("Elixir.Supervisor"))};
  s.start = [children = std::move(children), opts = std::move(opts)]() { return start_link(children, opts); };
  return s;
}

}  // namespace supervisor
}  // namespace otter

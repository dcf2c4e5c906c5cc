// The DynamicSupervisor process: children by pid in a hash table, each
// restarted alone, all stopped together. See otter/dynamic_supervisor.hpp.
#include "otter/dynamic_supervisor.hpp"

#include <unordered_map>

#include "otter/logger.hpp"
#include "supervision.hpp"

namespace otter::dynamic_supervisor {
namespace {

using detail::sup::request;

struct child {
  child_spec spec;
  bool restarting = false;  // its restart failed; retried from the mailbox
};

// A failed restart, tried again from the mailbox (OTP's try_again_restart);
// the child stays under its old pid, shown as :restarting, until then.
struct try_again {
  pid old;
};

struct dyn_state {
  std::unordered_map<std::uint64_t, child> children;  // by pid
  options opts;
  detail::sup::intensity restarts;
  std::string label;
  pid parent;
  std::int64_t supervisors = 0;  // children of type supervisor
  std::int64_t restarting = 0;
};

void add(dyn_state& st, pid p, child c) {
  if (c.spec.type == child_type::supervisor) ++st.supervisors;
  st.children.emplace(p.value(), std::move(c));
}

child remove(dyn_state& st, std::unordered_map<std::uint64_t, child>::iterator it) {
  child c = std::move(it->second);
  st.children.erase(it);
  if (c.spec.type == child_type::supervisor) --st.supervisors;
  if (c.restarting) --st.restarting;
  return c;
}

task<void> stop_all(dyn_state& st) {
  std::vector<std::pair<pid, const child_spec*>> running;
  running.reserve(st.children.size());
  for (auto& [serial, c] : st.children)
    if (!c.restarting) running.emplace_back(pid(serial), &c.spec);
  co_await detail::sup::shutdown_all(running, st.label);
  st.children.clear();
}

// Starts `c` again in place of `old` (one_for_one), within the intensity.
task<void> restart(dyn_state& st, pid old, child c) {
  if (!st.restarts.add_restart()) {
    detail::sup::report_gave_up(st.label, term(atom("undefined")), c.spec);
    co_await stop_all(st);
    otter::exit(exit_reason::shutdown());
  }
  const start_result r = co_await detail::sup::start_one(c.spec, st.opts.extra_arguments);
  if (r.status == start_result::ok) {
    c.restarting = false;
    add(st, r.pid, std::move(c));
    co_return;
  }
  if (r.status == start_result::ignore) co_return;  // gone, as Elixir's
  detail::sup::report_start_error(st.label, term(atom("undefined")), r.reason, c.spec);
  c.restarting = true;
  ++st.restarting;
  add(st, old, std::move(c));
  send(self(), try_again{old});
}

task<void> child_exited(dyn_state& st, pid p, const exit_reason& reason) {
  auto it = st.children.find(p.value());
  if (it == st.children.end() || it->second.restarting) co_return;
  child c = remove(st, it);
  const term why = reason.to_term();
  const bool clean = detail::sup::is_clean_exit(why);
  const bool again = c.spec.restart == restart::permanent || (c.spec.restart == restart::transient && !clean);
  if (c.spec.restart == restart::permanent || !clean)
    detail::sup::report_child_terminated(st.label, term(atom("undefined")), p, why, c.spec);
  if (again) co_await restart(st, p, std::move(c));
}

term which_children(const dyn_state& st) {
  std::vector<term> out;
  out.reserve(st.children.size());
  for (const auto& [serial, c] : st.children)
    out.push_back(otter::tuple(atom("undefined"), c.restarting ? term(atom("restarting")) : term(pid(serial)),
                               to_term(c.spec.type), term::list_of(c.spec.modules)));
  return term::list_of(std::move(out));
}

term count_children(const dyn_state& st) {
  const auto n = static_cast<std::int64_t>(st.children.size());
  return otter::map{{atom("active"), n - st.restarting},
                    {atom("specs"), n},
                    {atom("supervisors"), st.supervisors},
                    {atom("workers"), n - st.supervisors}};
}

term error(term why) { return otter::tuple(atoms::error, std::move(why)); }

task<term> answer(dyn_state& st, request& r) {
  switch (r.kind) {
    case request::which_children: co_return which_children(st);
    case request::count_children: co_return count_children(st);
    case request::start_child: {
      if (auto bad = detail::sup::check_spec(*r.spec)) co_return error(*bad);
      if (st.opts.max_children && static_cast<std::int64_t>(st.children.size()) >= *st.opts.max_children)
        co_return error(atom("max_children"));
      const start_result s = co_await detail::sup::start_one(*r.spec, st.opts.extra_arguments);
      if (s.status == start_result::error) co_return error(s.reason);
      if (s.status == start_result::ignore) co_return term(atom("ignore"));
      add(st, s.pid, child{std::move(*r.spec), false});
      co_return otter::tuple(atoms::ok, s.pid);
    }
    case request::terminate_child: {
      if (!r.id.is_pid()) co_return error(atom("not_found"));
      auto it = st.children.find(r.id.as_pid().value());
      if (it == st.children.end()) co_return error(atom("not_found"));
      child c = remove(st, it);
      if (!c.restarting) {
        const auto s = co_await detail::sup::shutdown_child(r.id.as_pid(), c.spec.shutdown_or_default());
        if (!s.expected) detail::sup::report_shutdown_error(st.label, term(atom("undefined")), r.id.as_pid(), s.reason, c.spec);
      }
      co_return term(atoms::ok);
    }
    default:
      co_return error(atom("badcall"));
  }
}

process dynamic_main(pid starter, int tie, options opts) {
  detail::sup::begin(starter, tie);
  dyn_state st{{}, opts, detail::sup::intensity(opts.max_restarts, opts.max_seconds), {}, starter};
  if (const pid holder = detail::sup::claim_name(opts.name)) {
    detail::sup::ack(starter, start_result::error, otter::tuple(atom("already_started"), holder));
    co_return;
  }
  st.label = detail::sup::label_of(opts.name);
  if (opts.max_children && *opts.max_children < 0) {
    const term why = otter::tuple(atom("invalid_max_children"), std::int64_t(*opts.max_children));
    if (opts.name.named()) detail::gen::release_name(opts.name);
    detail::sup::ack(starter, start_result::error, why);
    otter::exit(exit_reason(why));
  }
  detail::sup::ack(starter, start_result::ok);

  for (;;) {
    any_message m = co_await receive([](any_message x) { return x; });
    if (const auto* x = m.get<exit_message>()) {
      if (x->from == st.parent) {
        co_await stop_all(st);
        otter::exit(x->reason);
      }
      co_await child_exited(st, x->from, x->reason);
      continue;
    }
    // As terms it takes :which_children, :count_children, {:terminate_child, pid}.
    auto takes = [](const request& r) {
      return r.kind == request::which_children || r.kind == request::count_children || r.kind == request::terminate_child;
    };
    if (auto in = detail::sup::request_in(m, takes)) {
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
      auto it = st.children.find(t->old.value());
      if (it == st.children.end() || !it->second.restarting) continue;
      child c = remove(st, it);
      co_await restart(st, t->old, std::move(c));
      continue;
    }
    otter::log({log_level::error, self(), "unexpected_message",
                "DynamicSupervisor " + st.label + " received unexpected message: " +
                    detail::gen::show_last(detail::gen::last_of(m))});
  }
}

}  // namespace

task<start_result> start_link(options opts) {
  const pid child = spawn_link(&dynamic_main, self(), int(detail::sup::tie_linked), std::move(opts));
  // A coroutine, so that the arguments are in its own frame before they
  // move to the new process (a caller's temporaries may be gone by then).
  co_return co_await detail::sup::await_ack(child);
}

task<start_result> start_link() { return start_link(options{}); }

start_result start_link(scoped_process& me, options opts) {
  const pid child = me.owner().spawn(&dynamic_main, me.self(), int(detail::sup::tie_link_yourself), std::move(opts));
  return detail::sup::await_ack(me, child);
}

using detail::sup::call;

task<term> start_child(server_ref sup, child_spec spec) { return call(std::move(sup), {request::start_child, {}, std::move(spec)}); }
term start_child(scoped_process& me, server_ref sup, child_spec spec) {
  return call(me, std::move(sup), {request::start_child, {}, std::move(spec)});
}
task<term> terminate_child(server_ref sup, pid child) { return call(std::move(sup), {request::terminate_child, term(child), {}}); }
term terminate_child(scoped_process& me, server_ref sup, pid child) {
  return call(me, std::move(sup), {request::terminate_child, term(child), {}});
}
task<term> which_children(server_ref sup) { return call(std::move(sup), {request::which_children, {}, {}}); }
term which_children(scoped_process& me, server_ref sup) { return call(me, std::move(sup), {request::which_children, {}, {}}); }
task<term> count_children(server_ref sup) { return call(std::move(sup), {request::count_children, {}, {}}); }
term count_children(scoped_process& me, server_ref sup) { return call(me, std::move(sup), {request::count_children, {}, {}}); }

child_spec spec(term id, options opts) {
  child_spec s;
  s.id = id;
  s.type = child_type::supervisor;
  s.start_call = otter::tuple(atom("Elixir.DynamicSupervisor"), atom("start_link"), otter::list{});
  s.modules = {term(atom("Elixir.DynamicSupervisor"))};
  s.start = [opts = std::move(opts)]() { return start_link(opts); };
  return s;
}

}  // namespace otter::dynamic_supervisor

// What the supervisors share: requests, starting and stopping a child,
// restart intensity and reports. See supervision.hpp.
#include "supervision.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

#include "otter/logger.hpp"

namespace otter {

term shutdown::to_term() const {
  if (is_brutal_kill()) return term(atom("brutal_kill"));
  if (is_infinity()) return term(atom("infinity"));
  return term(static_cast<std::int64_t>(ms_));
}

term to_term(restart r) {
  switch (r) {
    case restart::permanent: return term(atom("permanent"));
    case restart::transient: return term(atom("transient"));
    case restart::temporary: return term(atom("temporary"));
  }
  return term();
}

term to_term(child_type t) { return term(atom(t == child_type::worker ? "worker" : "supervisor")); }

term child_spec::to_term() const {
  return otter::map{{atom("id"), id},
                    {atom("start"), start_call},
                    {atom("restart"), otter::to_term(restart)},
                    {atom("shutdown"), shutdown_or_default().to_term()},
                    {atom("type"), otter::to_term(type)},
                    {atom("modules"), term::list_of(modules)}};
}

child_spec child_spec_with(child_spec spec, const child_overrides& o) {
  if (o.id) spec.id = *o.id;
  if (o.start) spec.start = *o.start;
  if (o.restart) spec.restart = *o.restart;
  if (o.shutdown) spec.shutdown = *o.shutdown;
  if (o.type) spec.type = *o.type;
  return spec;
}

namespace detail::sup {

namespace {
const atom a_which("which_children"), a_count("count_children"), a_terminate("terminate_child"),
    a_restart("restart_child"), a_delete("delete_child"), a_get("get_childspec");

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Counter.Worker.start_link(:W1), as Elixir's reports show a start call.
std::string show_start(const child_spec& spec) {
  const term& c = spec.start_call;
  if (c.is_tuple() && c.size() == 3 && c[0].is_atom() && c[1].is_atom() && c[2].is_list()) {
    std::string out = c[0].to_string() + "." + c[1].to_string().substr(1) + "(";
    bool first = true;
    for (const term& a : c[2].elements()) {
      if (!first) out += ", ";
      first = false;
      out += a.to_string();
    }
    return out + ")";
  }
  return c.is_empty_list() ? std::string("(a C++ function)") : c.to_string();
}

std::string spec_lines(const child_spec& spec) {
  return "Start Call: " + show_start(spec) + "\nRestart: " + to_term(spec.restart).to_string() +
         "\nShutdown: " + spec.shutdown_or_default().to_term().to_string() + "\nType: " + to_term(spec.type).to_string();
}

void report(pid who, std::string text) {
  otter::log({log_level::error, who, "supervisor_report", std::move(text)});
}
}  // namespace

term request::to_term() const {
  switch (kind) {
    case which_children: return term(a_which);
    case count_children: return term(a_count);
    case start_child: return otter::tuple(atom("start_child"), spec ? spec->to_term() : term());
    case terminate_child: return otter::tuple(a_terminate, id);
    case restart_child: return otter::tuple(a_restart, id);
    case delete_child: return otter::tuple(a_delete, id);
    case get_childspec: return otter::tuple(a_get, id);
  }
  return term();
}

std::optional<request> parse_request(const term& t) {
  if (t.is_atom(a_which)) return request{request::which_children, term(), std::nullopt};
  if (t.is_atom(a_count)) return request{request::count_children, term(), std::nullopt};
  if (t.is_tuple() && t.size() == 2 && t[0].is_atom()) {
    if (t[0].is_atom(a_terminate)) return request{request::terminate_child, t[1], std::nullopt};
    if (t[0].is_atom(a_restart)) return request{request::restart_child, t[1], std::nullopt};
    if (t[0].is_atom(a_delete)) return request{request::delete_child, t[1], std::nullopt};
    if (t[0].is_atom(a_get)) return request{request::get_childspec, t[1], std::nullopt};
  }
  return std::nullopt;
}

std::optional<incoming> request_in(any_message& m, bool (*accepts)(const request&)) {
  if (auto* c = m.get<detail::gen::call_msg<request>>()) return incoming{std::move(c->request), from{c->from, c->tag}};
  auto* c = m.get<detail::gen::call_msg<term>>();
  if (!c) {
    // A call of another C++ type: answered (its caller then fails with a
    // reply of the wrong type) rather than left to wait forever.
    if (const auto* h = m.family<detail::request_head>())
      reply(from{h->from, h->tag}, otter::tuple(atoms::error, atom("badcall")));
    return std::nullopt;
  }
  const from f{c->from, c->tag};
  auto r = parse_request(c->request);
  if (r && accepts(*r)) return incoming{std::move(*r), f};
  reply(f, otter::tuple(atoms::error, otter::tuple(atom("unknown_call"), c->request)));
  return std::nullopt;
}

task<term> call(server_ref sup, request r) {
  return detail::gen::call_in_process<term, request>(std::move(sup), std::move(r), infinity, nullptr, nullptr);
}

term call(scoped_process& me, server_ref sup, request r) {
  return detail::gen::call_outside<term, request>(me, std::move(sup), std::move(r), infinity, nullptr, nullptr);
}

bool is_clean_exit(const term& reason) {
  if (reason.is_atom(atom("normal")) || reason.is_atom(atom("shutdown"))) return true;
  return reason.is_tuple() && reason.size() == 2 && reason[0].is_atom(atom("shutdown"));
}

task<start_result> start_one(const child_spec& spec, const std::vector<term>& extra) {
  if (!extra.empty() && !spec.start.takes_extra_arguments())
    co_return start_result{start_result::error, pid(),
                           otter::tuple(atom("undef"), otter::tuple(atom("extra_arguments"), term::list_of(extra)))};
  try {
    co_return co_await spec.start(extra);
  } catch (const exit_exception& e) {
    co_return start_result{start_result::error, pid(), e.reason.to_term()};
  } catch (const std::exception& e) {
    co_return start_result{start_result::error, pid(), exit_reason::from_exception(e).to_term()};
  }
}

task<stopped> shutdown_child(pid child, const shutdown& how) {
  const reference mref = monitor(child);
  // It may have ended already: its EXIT, taken now, tells why (OTP's
  // monitor_child), and unlinking then stops further EXITs from it.
  std::optional<term> ended;
  co_await receive(when([child](const exit_message& x) { return x.from == child; },
                        [&](exit_message x) { ended = x.reason.to_term(); }),
                   after(std::chrono::milliseconds(0), [] {}));
  unlink(child);
  auto wait_down = [&](std::optional<std::chrono::milliseconds> limit) -> task<std::optional<term>> {
    auto on_down = when([mref](const down_message& d) { return d.ref == mref; },
                        [](down_message d) { return std::optional<term>(d.reason.to_term()); });
    if (!limit) co_return co_await receive(std::move(on_down));
    co_return co_await receive(std::move(on_down), after(*limit, [] { return std::optional<term>(); }));
  };
  if (ended) {
    co_await wait_down(std::nullopt);
    co_return stopped{*ended, false};
  }
  if (how.is_brutal_kill()) {
    exit(child, exit_reason::kill());
    term why = *co_await wait_down(std::nullopt);
    co_return stopped{why, why.is_atom(atom("killed"))};
  }
  exit(child, exit_reason::shutdown());
  std::optional<term> why = co_await wait_down(how.is_infinity() ? std::nullopt : std::optional(how.timeout_ms()));
  if (!why) {  // it did not stop in time
    exit(child, exit_reason::kill());
    why = co_await wait_down(std::nullopt);
    co_return stopped{*why, false};
  }
  co_return stopped{*why, why->is_atom(atom("shutdown"))};
}

task<void> shutdown_all(const std::vector<std::pair<pid, const child_spec*>>& children, const std::string& sup_label) {
  // Monitor and signal everyone first, then wait: each child is killed when
  // its own shutdown timeout passes (brutal_kill ones at once), so N
  // children take the longest timeout at most, not the sum.
  using clock = std::chrono::steady_clock;
  struct pending {
    pid child;
    const child_spec* spec;
    bool killed = false;
  };
  std::vector<pending> all;
  all.reserve(children.size());
  std::unordered_map<std::uint64_t, std::size_t> by_ref;  // monitors not yet DOWN
  std::multimap<clock::time_point, std::size_t> deadlines;
  const auto now = clock::now();
  for (auto& [child, spec] : children) {
    const reference mref = monitor(child);
    unlink(child);
    const shutdown how = spec->shutdown_or_default();
    exit(child, how.is_brutal_kill() ? exit_reason::kill() : exit_reason::shutdown());
    by_ref.emplace(mref.value(), all.size());
    if (!how.is_brutal_kill() && !how.is_infinity()) deadlines.emplace(now + how.timeout_ms(), all.size());
    all.push_back({child, spec, how.is_brutal_kill()});
  }
  while (!by_ref.empty()) {
    // Kill those whose time is up (and still running), then wait for the
    // next DOWN until the next deadline.
    while (!deadlines.empty() && deadlines.begin()->first <= clock::now()) {
      pending& p = all[deadlines.begin()->second];
      deadlines.erase(deadlines.begin());
      if (!p.killed) {
        exit(p.child, exit_reason::kill());
        p.killed = true;
      }
    }
    std::optional<down_message> d;
    if (deadlines.empty()) {
      d = co_await receive([](down_message m) { return m; });
    } else {
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadlines.begin()->first - clock::now());
      d = co_await receive([](down_message m) { return std::optional<down_message>(std::move(m)); },
                           after(std::max(wait, std::chrono::milliseconds(0)), [] { return std::optional<down_message>(); }));
      if (!d) continue;
    }
    auto it = by_ref.find(d->ref.value());
    if (it == by_ref.end()) continue;  // another monitor's DOWN: not ours to wait for
    pending& p = all[it->second];
    by_ref.erase(it);
    p.killed = true;  // ended: nothing left to kill (its deadline entry is skipped)
    const term why = d->reason.to_term();
    const bool brutal = p.spec->shutdown_or_default().is_brutal_kill();
    if (!(brutal ? why.is_atom(atom("killed")) : why.is_atom(atom("shutdown"))))
      report_shutdown_error(sup_label, term(atom("undefined")), p.child, why, *p.spec);
  }
}

bool intensity::add_restart() {
  const std::int64_t now = now_ms();
  at_.push_back(now);
  while (!at_.empty() && now - at_.front() > period_ms_) at_.pop_front();
  return static_cast<int>(at_.size()) <= max_;
}

std::optional<term> check_spec(const child_spec& spec) {
  const term id = spec.id;
  if (!spec.start) return otter::tuple(atom("start_spec"), otter::tuple(atom("invalid_mfa"), id));
  if (spec.shutdown && !spec.shutdown->is_brutal_kill() && !spec.shutdown->is_infinity() && spec.shutdown->timeout_ms().count() < 0)
    return otter::tuple(atom("start_spec"), otter::tuple(atom("invalid_shutdown"), spec.shutdown->to_term()));
  return std::nullopt;
}

std::string label_of(const server_name& n) {
  if (!n.named()) return self().to_string();
  if (n.is_via()) return n.to_term().to_string();
  return term(atom(n.local)).to_string();
}

void report_child_terminated(const std::string& sup, const term& id, pid child, const term& reason, const child_spec& spec) {
  report(child, "Child " + id.to_string() + " of Supervisor " + sup + " terminated\n** (exit) " + reason.to_string() +
                    "\nPid: " + child.to_string() + "\n" + spec_lines(spec));
}

void report_start_error(const std::string& sup, const term& id, const term& reason, const child_spec& spec) {
  report(self(), "Child " + id.to_string() + " of Supervisor " + sup + " failed to start\n** (exit) " +
                     reason.to_string() + "\n" + spec_lines(spec));
}

void report_shutdown_error(const std::string& sup, const term& id, pid child, const term& reason, const child_spec& spec) {
  report(child, "Child " + id.to_string() + " of Supervisor " + sup + " shut down abnormally\n** (exit) " +
                    reason.to_string() + "\nPid: " + child.to_string() + "\n" + spec_lines(spec));
}

void report_gave_up(const std::string& sup, const term& id, const child_spec& spec) {
  report(self(), "Child " + id.to_string() + " of Supervisor " + sup +
                     " caused shutdown\n** (exit) :reached_max_restart_intensity\n" + spec_lines(spec));
}

task<start_result> await_ack(pid child) {
  const reference mref = monitor(child);
  start_result out;
  co_await receive(when([child](const detail::gen::start_ack& a) { return a.child == child; },
                        [&](detail::gen::start_ack a) {
                          out = start_result{static_cast<start_result::status_t>(a.status), a.child, a.reason};
                        }),
                   when([mref](const down_message& d) { return d.ref == mref; },
                        [&](down_message d) { out = start_result{start_result::error, child, d.reason.to_term()}; }));
  demonitor(mref, true);
  co_return out;
}

start_result await_ack(scoped_process& me, pid child) {
  const reference mref = me.monitor(child);
  start_result out;
  me.receive_any(when([child](const detail::gen::start_ack& a) { return a.child == child; },
                      [&](detail::gen::start_ack a) {
                        out = start_result{static_cast<start_result::status_t>(a.status), a.child, a.reason};
                      }),
                 when([mref](const down_message& d) { return d.ref == mref; },
                      [&](down_message d) { out = start_result{start_result::error, child, d.reason.to_term()}; }));
  me.demonitor(mref, true);
  return out;
}

void begin(pid starter, int tie) {
  if (tie == tie_link_yourself) link(starter);
  trap_exit(true);
}

void ack(pid starter, start_result::status_t status, term reason) {
  send(starter, detail::gen::start_ack{self(), static_cast<int>(status), std::move(reason)});
}

pid claim_name(const server_name& n) {
  if (!n.named()) return pid();
  return n.is_via() ? detail::gen::via_register(n.via_registry, n.via_key) : detail::gen::register_or_holder(n.local);
}

}  // namespace detail::sup
}  // namespace otter

// OTP from the shell: GenServer, Supervisor, DynamicSupervisor and Registry,
// on otter's gen_server, supervisors and registry.
//
// Child specifications are terms here, as in Elixir (`{Counter.Worker,
// :W1}`, `%{id: :W1, start: {Counter.Worker, :start_link, [:W1]}}`); a
// child is started by calling its module's start_link builtin in the
// supervisor's process.
#include "builtins.hpp"
#include "errors.hpp"
#include "eval.hpp"
#include "otter/dynamic_supervisor.hpp"
#include "otter/gen_server.hpp"
#include "otter/registry.hpp"
#include "otter/supervisor.hpp"

namespace otter::shell {

namespace {

constexpr std::string_view GS = "Elixir.GenServer";
constexpr std::string_view SUP = "Elixir.Supervisor";
constexpr std::string_view DYN = "Elixir.DynamicSupervisor";
constexpr std::string_view REG = "Elixir.Registry";

const atom nil_atom("nil");
const term ok_atom(atom("ok"));

// --- arguments ---

const term* keyword(const term& opts, std::string_view key) {
  if (!opts.is_proper_list()) return nullptr;
  for (const term& kv : opts.elements())
    if (kv.is_tuple() && kv.size() == 2 && kv[0].is_atom() && kv[0].as_atom().text() == key) return &kv[1];
  return nullptr;
}

const term& keyword_list(call_context& c, std::vector<value>& a, std::size_t i) {
  const term& t = arg_term(c, a, i);
  if (!t.is_proper_list()) raise_argument_error("expected a keyword list as the " + ordinal(i + 1) + " argument of " + c.shown(a));
  for (const term& kv : t.elements())
    if (!kv.is_tuple() || kv.size() != 2 || !kv[0].is_atom())
      raise_argument_error("expected a keyword list as the " + ordinal(i + 1) + " argument of " + c.shown(a) + ", got: " + inspect(t, {0, 50}));
  return t;
}

// A GenServer.server(): a pid, a local name, or {:via, Registry, {registry, key}}.
server_ref server_of(call_context& c, std::vector<value>& a, std::size_t i) {
  const term& t = arg_term(c, a, i);
  if (t.is_pid()) return server_ref(t.as_pid());
  if (t.is_atom()) return server_ref(t.as_atom());
  if (t.is_tuple() && t.size() == 3 && t[0].is_atom(atom("via")) && t[1].is_atom(atom("Elixir.Registry")) &&
      t[2].is_tuple() && t[2].size() == 2 && t[2][0].is_atom())
    return server_ref(via(t[2][0].as_atom().text(), t[2][1]));
  if (t.is_tuple() && t.size() == 3 && t[0].is_atom(atom("via")))
    raise_argument_error("the otter shell resolves {:via, Registry, {registry, key}} names only, got: " + inspect(t, {0, 50}));
  raise_argument_error("expected a pid, a registered name or a {:via, Registry, {registry, key}} tuple, got: " + inspect(t, {0, 50}));
}

std::chrono::milliseconds timeout_of(call_context& c, std::vector<value>& a, std::size_t i) {
  if (a.size() <= i) return std::chrono::milliseconds(5000);
  const term& t = arg_term(c, a, i);
  if (t.is_atom(atom("infinity"))) return infinity;
  if (!t.is_integer() || t.as_int() < 0 || t.as_int() > 4294967295)
    raise_argument_error("expected a timeout (an integer from 0 to 4294967295 or :infinity), got: " + inspect(t, {0, 50}));
  return std::chrono::milliseconds(t.as_int());
}

std::string registry_of(call_context& c, std::vector<value>& a, std::size_t i) {
  return std::string(arg_atom(c, a, i).text());
}

// Runs `f`, turning otter's bad_argument into ArgumentError.
template <class F>
auto checked(F&& f) {
  try {
    return f();
  } catch (const bad_argument& e) {
    raise_argument_error(e.what());
  }
}

// A supervisor's integer option, checked (the options are ints).
int int_option(const term& v, const char* key, std::int64_t least) {
  if (!v.is_integer() || v.as_int() < least || v.as_int() > INT32_MAX)
    raise_argument_error(std::string("expected :") + key + " to be an integer from " + std::to_string(least) +
                         " to 2147483647, got: " + inspect(v, {0, 50}));
  return static_cast<int>(v.as_int());
}

// --- child specifications as terms ---

term spec_map(const term& id, const term& start, const term& type) {
  std::vector<std::pair<term, term>> m{{term(atom("id")), id}, {term(atom("start")), start}};
  if (!type.is_atom(nil_atom)) m.emplace_back(term(atom("type")), type);
  return term::map_of(std::move(m));
}

// Module.child_spec(arg), as the modules the shell knows define it.
term child_spec_of(const term& module, const term& arg) {
  const std::string_view m = module.as_atom().text();
  const term start_link(atom("start_link"));
  if (m == "Elixir.Registry") {
    const term* name = keyword(arg, "name");
    if (!name) raise_argument_error("Registry's child spec needs name: ..., got: " + inspect(arg, {0, 50}));
    return spec_map(*name, otter::tuple(module, start_link, otter::list{arg}), term(atom("supervisor")));
  }
  if (m == "Elixir.Counter.WorkerSupervisor" || m == "Elixir.DynamicSupervisor" || m == "Elixir.Supervisor")
    return spec_map(module, otter::tuple(module, start_link, otter::list{arg}), term(atom("supervisor")));
  return spec_map(module, otter::tuple(module, start_link, otter::list{arg}), term(atom("nil")));
}

term normalize_spec(const term& child) {
  if (child.is_map()) return child;
  if (child.is_atom()) return child_spec_of(child, term::list_of(std::vector<term>{}));
  if (child.is_tuple() && child.size() == 2 && child[0].is_atom()) return child_spec_of(child[0], child[1]);
  raise_argument_error("invalid child specification: " + inspect(child, {0, 50}) +
                       " (expected a module, {module, arg} or a map with :id and :start)");
}

start_result result_of(const term& r) {
  start_result out;
  if (r.is_tuple() && r.size() == 2 && r[0].is_atom(atom("ok")) && r[1].is_pid()) {
    out.status = start_result::ok;
    out.pid = r[1].as_pid();
  } else if (r.is_atom(atom("ignore"))) {
    out.status = start_result::ignore;
  } else if (r.is_tuple() && r.size() == 2 && r[0].is_atom(atom("error"))) {
    out.reason = r[1];
  } else {
    out.reason = otter::tuple(atom("bad_return"), r);
  }
  return out;
}

// Calls the module's start_link builtin in the supervisor's process.
task<start_result> start_child_process(std::string module, std::vector<term> args,
                                       std::function<void(std::string_view)> write) {
  session s;
  s.write = std::move(write);  // the shell's output, as for the shell's own evaluation
  std::vector<value> a(args.begin(), args.end());
  try {
    value r = co_await call_function(s, module, "start_link", a, nullptr);
    co_return result_of(r.t);
  } catch (const elixir_error& e) {
    start_result out;
    out.reason = otter::tuple(atom("Elixir." + e.kind()), term(e.message()));
    co_return out;
  }
}

child_spec to_child_spec(const term& child, const std::function<void(std::string_view)>& write) {
  const term spec = normalize_spec(child);
  const term* id = spec.find(term(atom("id")));
  const term* start = spec.find(term(atom("start")));
  if (!id || !start) raise_argument_error("a child specification needs :id and :start, got: " + inspect(spec, {0, 50}));
  if (!start->is_tuple() || start->size() != 3 || !(*start)[0].is_atom() || !(*start)[1].is_atom() ||
      !(*start)[2].is_proper_list())
    raise_argument_error("invalid :start in a child specification (expected {module, function, args}), got: " + inspect(*start, {0, 50}));
  if (!(*start)[1].is_atom(atom("start_link")))
    raise_argument_error("the otter shell starts children through start_link, got: " + inspect(*start, {0, 50}));
  child_spec out;
  out.id = *id;
  out.start_call = *start;
  out.modules = {(*start)[0]};
  const std::string module((*start)[0].as_atom().text());
  const auto args = (*start)[2].elements();
  std::vector<term> arg_list(args.begin(), args.end());
  out.start = [module, arg_list, write]() -> task<start_result> { return start_child_process(module, arg_list, write); };
  if (const term* t = spec.find(term(atom("type")))) out.type = t->is_atom(atom("supervisor")) ? child_type::supervisor : child_type::worker;
  if (const term* r = spec.find(term(atom("restart")))) {
    if (r->is_atom(atom("transient"))) out.restart = restart::transient;
    else if (r->is_atom(atom("temporary"))) out.restart = restart::temporary;
    else if (!r->is_atom(atom("permanent"))) raise_argument_error("invalid :restart in a child specification: " + inspect(*r, {0, 50}));
  }
  if (const term* sd = spec.find(term(atom("shutdown")))) {
    if (sd->is_atom(atom("brutal_kill"))) out.shutdown = shutdown::brutal_kill();
    else if (sd->is_atom(atom("infinity"))) out.shutdown = shutdown::infinity();
    else if (sd->is_integer() && sd->as_int() >= 0) out.shutdown = shutdown::timeout(std::chrono::milliseconds(sd->as_int()));
    else raise_argument_error("invalid :shutdown in a child specification: " + inspect(*sd, {0, 50}));
  }
  return out;
}

// --- GenServer ---

task<value> gs_call(call_context& c, std::vector<value>& a) {
  server_ref server = server_of(c, a, 0);
  const term request = arg_term(c, a, 1);
  const auto timeout = timeout_of(c, a, 2);
  auto t = gen::call(std::move(server), request, timeout);
  term r = co_await t;
  co_return value(r);
}

// :sys.get_state(server, timeout \\ 5000): any gen_server's state.
task<value> sys_get_state(call_context& c, std::vector<value>& a) {
  server_ref server = server_of(c, a, 0);
  const auto timeout = timeout_of(c, a, 1);
  auto t = sys::get_state(std::move(server), timeout);
  term r = co_await t;
  co_return value(r);
}

value gs_cast(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  // GenServer.cast never fails: a name nobody has is fine.
  if (t.is_pid() || t.is_atom() || t.is_tuple()) {
    server_ref server = server_of(c, a, 0);
    gen::cast(std::move(server), arg_term(c, a, 1));
  }
  return value(ok_atom);
}

task<value> gs_stop(call_context& c, std::vector<value>& a) {
  server_ref server = server_of(c, a, 0);
  const exit_reason reason = a.size() > 1 ? exit_reason(arg_term(c, a, 1)) : exit_reason::normal();
  const auto timeout = a.size() > 2 ? timeout_of(c, a, 2) : infinity;
  auto t = gen::stop(std::move(server), reason, timeout);
  co_await t;
  co_return value(ok_atom);
}

value gs_whereis(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  pid p;
  if (t.is_pid()) p = t.as_pid();
  else {
    server_ref server = server_of(c, a, 0);
    p = server.resolve();
  }
  return p ? value(term(p)) : value(term(nil_atom));
}

// --- Supervisor ---

value sup_child_spec(call_context& c, std::vector<value>& a) {
  const term spec = normalize_spec(arg_term(c, a, 0));
  const term& overrides = keyword_list(c, a, 1);
  term out = spec;
  for (const term& kv : overrides.elements()) {
    const std::string_view k = kv[0].as_atom().text();
    if (k != "id" && k != "start" && k != "restart" && k != "shutdown" && k != "type" && k != "modules" && k != "significant")
      raise_argument_error("unknown key " + inspect(kv[0], {0, 50}) + " in child specification override");
    out = out.map_put(kv[0], kv[1]);
  }
  return value(out);
}

supervisor::options sup_options(call_context& c, std::vector<value>& a, std::size_t i) {
  supervisor::options o;
  if (a.size() <= i) return o;
  const term& opts = keyword_list(c, a, i);
  if (const term* s = keyword(opts, "strategy")) {
    if (s->is_atom(atom("one_for_one"))) o.strategy = strategy::one_for_one;
    else if (s->is_atom(atom("one_for_all"))) o.strategy = strategy::one_for_all;
    else if (s->is_atom(atom("rest_for_one"))) o.strategy = strategy::rest_for_one;
    else raise_argument_error("unknown supervision strategy: " + inspect(*s, {0, 50}));
  } else {
    raise_argument_error("expected :strategy option to be given");
  }
  if (const term* n = keyword(opts, "name")) {
    if (!n->is_atom()) raise_argument_error("the otter shell names supervisors with atoms, got: " + inspect(*n, {0, 50}));
    o.name = name(n->as_atom().text());
  }
  if (const term* m = keyword(opts, "max_restarts")) o.max_restarts = int_option(*m, "max_restarts", 0);
  if (const term* m = keyword(opts, "max_seconds")) o.max_seconds = int_option(*m, "max_seconds", 1);
  return o;
}

task<value> sup_start_link(call_context& c, std::vector<value>& a) {
  const term& children = arg_term(c, a, 0);
  if (!children.is_proper_list()) raise_argument_error("Supervisor.start_link/2 expects a list of children, got: " + inspect_value(a[0]));
  std::vector<child_spec> specs;
  for (const term& child : children.elements()) specs.push_back(to_child_spec(child, c.s.write));
  supervisor::options o = sup_options(c, a, 1);
  auto t = supervisor::start_link(std::move(specs), std::move(o));
  start_result r = co_await t;
  co_return value(r.to_term());
}

task<value> sup_which_children(call_context& c, std::vector<value>& a) {
  server_ref s = server_of(c, a, 0);
  const bool dynamic = c.module == DYN;
  auto t = dynamic ? dynamic_supervisor::which_children(std::move(s)) : supervisor::which_children(std::move(s));
  co_return value(co_await t);
}

task<value> sup_count_children(call_context& c, std::vector<value>& a) {
  server_ref s = server_of(c, a, 0);
  const bool dynamic = c.module == DYN;
  auto t = dynamic ? dynamic_supervisor::count_children(std::move(s)) : supervisor::count_children(std::move(s));
  co_return value(co_await t);
}

task<value> sup_terminate_child(call_context& c, std::vector<value>& a) {
  server_ref s = server_of(c, a, 0);
  const term& child = arg_term(c, a, 1);
  if (c.module == DYN) {
    if (!child.is_pid()) co_return value(otter::tuple(atom("error"), atom("not_found")));
    auto t = dynamic_supervisor::terminate_child(std::move(s), child.as_pid());
    co_return value(co_await t);
  }
  auto t = supervisor::terminate_child(std::move(s), child);
  co_return value(co_await t);
}

task<value> sup_restart_child(call_context& c, std::vector<value>& a) {
  server_ref s = server_of(c, a, 0);
  auto t = supervisor::restart_child(std::move(s), arg_term(c, a, 1));
  co_return value(co_await t);
}

task<value> sup_delete_child(call_context& c, std::vector<value>& a) {
  server_ref s = server_of(c, a, 0);
  auto t = supervisor::delete_child(std::move(s), arg_term(c, a, 1));
  co_return value(co_await t);
}

task<value> sup_start_child(call_context& c, std::vector<value>& a) {
  server_ref s = server_of(c, a, 0);
  child_spec spec = to_child_spec(arg_term(c, a, 1), c.s.write);
  if (c.module == DYN) {
    auto t = dynamic_supervisor::start_child(std::move(s), std::move(spec));
    co_return value(co_await t);
  }
  auto t = supervisor::start_child(std::move(s), std::move(spec));
  co_return value(co_await t);
}

task<value> sup_stop(call_context& c, std::vector<value>& a) { co_return co_await gs_stop(c, a); }

task<value> dyn_start_link(call_context& c, std::vector<value>& a) {
  dynamic_supervisor::options o;
  if (!a.empty()) {
    const term& opts = keyword_list(c, a, 0);
    if (const term* s = keyword(opts, "strategy"); s && !s->is_atom(atom("one_for_one")))
      raise_argument_error("DynamicSupervisor's strategy is :one_for_one, got: " + inspect(*s, {0, 50}));
    if (const term* n = keyword(opts, "name")) {
      if (!n->is_atom()) raise_argument_error("the otter shell names supervisors with atoms, got: " + inspect(*n, {0, 50}));
      o.name = name(n->as_atom().text());
    }
    if (const term* m = keyword(opts, "max_children")) o.max_children = int_option(*m, "max_children", 0);
    if (const term* m = keyword(opts, "max_restarts")) o.max_restarts = int_option(*m, "max_restarts", 0);
    if (const term* m = keyword(opts, "max_seconds")) o.max_seconds = int_option(*m, "max_seconds", 1);
  }
  auto t = dynamic_supervisor::start_link(std::move(o));
  start_result r = co_await t;
  co_return value(r.to_term());
}

// --- Registry ---

task<value> reg_start_link(call_context& c, std::vector<value>& a) {
  const term& opts = keyword_list(c, a, 0);
  registry::options o;
  const term* keys = keyword(opts, "keys");
  const term* nm = keyword(opts, "name");
  if (!keys) raise_argument_error("expected :keys to be given and be one of :unique or :duplicate");
  if (keys->is_atom(atom("unique"))) o.kind = registry::keys::unique;
  else if (keys->is_atom(atom("duplicate"))) o.kind = registry::keys::duplicate;
  else raise_argument_error("expected :keys to be given and be one of :unique or :duplicate, got: " + inspect(*keys, {0, 50}));
  if (!nm || !nm->is_atom()) raise_argument_error("expected :name to be given and to be an atom, got: " + (nm ? inspect(*nm, {0, 50}) : std::string("nil")));
  o.name = std::string(nm->as_atom().text());
  if (const term* p = keyword(opts, "partitions")) {
    if (!p->is_integer() || p->as_int() < 1 || p->as_int() > 1024) raise_argument_error("expected :partitions to be an integer from 1 to 1024, got: " + inspect(*p, {0, 50}));
    o.partitions = static_cast<unsigned>(p->as_int());
  }
  auto t = registry::start_link(o);
  start_result r = co_await t;
  co_return value(r.to_term());
}

value reg_register(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  return value(checked([&] { return registry::register_key(r, arg_term(c, a, 1), arg_term(c, a, 2)); }));
}

value reg_unregister(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  checked([&] { registry::unregister(r, arg_term(c, a, 1)); return 0; });
  return value(ok_atom);
}

value reg_lookup(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  return value(checked([&] { return registry::to_term(registry::lookup(r, arg_term(c, a, 1))); }));
}

value reg_keys(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  const term& p = arg_term(c, a, 1);
  if (!p.is_pid()) raise_badarg(2, "not a pid", c.shown(a));
  return value(checked([&] { return term::list_of(registry::keys_of(r, p.as_pid())); }));
}

value reg_count(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  return value(term(static_cast<std::int64_t>(checked([&] { return registry::count(r); }))));
}

value reg_match(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  const term guards = a.size() > 3 ? arg_term(c, a, 3) : term();
  return value(checked([&] { return registry::to_term(registry::match(r, arg_term(c, a, 1), arg_term(c, a, 2), guards)); }));
}

value reg_select(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  return value(checked([&] { return term::list_of(registry::select(r, arg_term(c, a, 1))); }));
}

value reg_values(call_context& c, std::vector<value>& a) {
  const std::string r = registry_of(c, a, 0);
  const term& key = arg_term(c, a, 1);
  const term& p = arg_term(c, a, 2);
  if (!p.is_pid()) raise_badarg(3, "not a pid", c.shown(a));
  std::vector<term> out;
  for (const registry::entry& e : checked([&] { return registry::lookup(r, key); }))
    if (e.process == p.as_pid()) out.push_back(e.value);
  return value(term::list_of(std::move(out)));
}

}  // namespace

void register_otp(builtin_table& t) {
  t.add_async("sys", "get_state", 1, sys_get_state, ":sys.get_state(server, timeout \\\\ 5000): a gen_server's state");
  t.add_async("sys", "get_state", 2, sys_get_state, ":sys.get_state(server, timeout)");
  t.add_async(GS, "call", 2, gs_call, "GenServer.call(server, request, timeout \\\\ 5000)");
  t.add_async(GS, "call", 3, gs_call, "GenServer.call(server, request, timeout)");
  t.add(GS, "cast", 2, gs_cast, "GenServer.cast(server, message): :ok, always");
  t.add_async(GS, "stop", 1, gs_stop, "GenServer.stop(server, reason \\\\ :normal, timeout \\\\ :infinity)");
  t.add_async(GS, "stop", 2, gs_stop, "GenServer.stop(server, reason)");
  t.add_async(GS, "stop", 3, gs_stop, "GenServer.stop(server, reason, timeout)");
  t.add(GS, "whereis", 1, gs_whereis, "GenServer.whereis(server): the pid, or nil");

  t.add(SUP, "child_spec", 2, sup_child_spec, "Supervisor.child_spec({Module, arg}, id: id): a child spec map");
  t.add_async(SUP, "start_link", 2, sup_start_link, "Supervisor.start_link(children, strategy: :one_for_one)");
  t.add_async(SUP, "which_children", 1, sup_which_children, "Supervisor.which_children(sup): [{id, pid, type, modules}]");
  t.add_async(SUP, "count_children", 1, sup_count_children, "Supervisor.count_children(sup)");
  t.add_async(SUP, "terminate_child", 2, sup_terminate_child, "Supervisor.terminate_child(sup, id)");
  t.add_async(SUP, "restart_child", 2, sup_restart_child, "Supervisor.restart_child(sup, id)");
  t.add_async(SUP, "delete_child", 2, sup_delete_child, "Supervisor.delete_child(sup, id)");
  t.add_async(SUP, "start_child", 2, sup_start_child, "Supervisor.start_child(sup, child_spec)");
  t.add_async(SUP, "stop", 1, sup_stop, "Supervisor.stop(sup)");
  t.add_async(SUP, "stop", 2, sup_stop, "Supervisor.stop(sup, reason)");

  t.add_async(DYN, "start_link", 1, dyn_start_link, "DynamicSupervisor.start_link(strategy: :one_for_one, name: N, max_children: n)");
  t.add_async(DYN, "start_child", 2, sup_start_child, "DynamicSupervisor.start_child(sup, {Module, arg})");
  t.add_async(DYN, "which_children", 1, sup_which_children, "DynamicSupervisor.which_children(sup)");
  t.add_async(DYN, "count_children", 1, sup_count_children, "DynamicSupervisor.count_children(sup)");
  t.add_async(DYN, "terminate_child", 2, sup_terminate_child, "DynamicSupervisor.terminate_child(sup, pid)");
  t.add_async(DYN, "stop", 1, sup_stop, "DynamicSupervisor.stop(sup)");

  t.add_async(REG, "start_link", 1, reg_start_link, "Registry.start_link(keys: :unique | :duplicate, name: Name, partitions: n)");
  t.add(REG, "register", 3, reg_register, "Registry.register(registry, key, value): {:ok, owner} | {:error, {:already_registered, pid}}");
  t.add(REG, "unregister", 2, reg_unregister, "Registry.unregister(registry, key)");
  t.add(REG, "lookup", 2, reg_lookup, "Registry.lookup(registry, key): [{pid, value}]");
  t.add(REG, "keys", 2, reg_keys, "Registry.keys(registry, pid): the keys pid holds");
  t.add(REG, "values", 3, reg_values, "Registry.values(registry, key, pid)");
  t.add(REG, "count", 1, reg_count, "Registry.count(registry)");
  t.add(REG, "match", 3, reg_match, "Registry.match(registry, key, pattern)");
  t.add(REG, "match", 4, reg_match, "Registry.match(registry, key, pattern, guards)");
  t.add(REG, "select", 2, reg_select, "Registry.select(registry, match_spec)");
}

}  // namespace otter::shell

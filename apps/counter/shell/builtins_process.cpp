// Processes from the shell: self/0, send/2, spawn/1, exit/1, flush/0,
// Process.*, and the helpers h/0, h/1 and tree/0 (IEx.Helpers).
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "builtins.hpp"
#include "errors.hpp"
#include "eval.hpp"
#include "otter/dynamic_supervisor.hpp"
#include "otter/logger.hpp"
#include "otter/process.hpp"
#include "otter/receive.hpp"
#include "otter/registry.hpp"
#include "otter/supervisor.hpp"
#include "otter/term_parse.hpp"

namespace otter::shell {

namespace {

constexpr std::string_view K = "Elixir.Kernel";
constexpr std::string_view P = "Elixir.Process";

const term ok_atom(atom("ok"));

pid arg_pid(call_context& c, std::vector<value>& a, std::size_t i) {
  const term& t = arg_term(c, a, i);
  if (!t.is_pid()) raise_badarg(i + 1, "not a pid", c.shown(a));
  return t.as_pid();
}

// A pid, or a registered name (atom) as Process functions take them.
pid pid_or_name(call_context& c, std::vector<value>& a, std::size_t i) {
  const term& t = arg_term(c, a, i);
  if (t.is_pid()) return t.as_pid();
  if (t.is_atom()) return whereis(t.as_atom().text());
  raise_badarg(i + 1, "not a pid", c.shown(a));
}

}  // namespace

term message_as_term(const any_message& m) {
  if (const term* t = m.get<term>()) return *t;
  if (const auto* d = m.get<down_message>())
    return otter::tuple(atom("DOWN"), d->ref, atom("process"), d->process, d->reason.to_term());
  if (const auto* x = m.get<exit_message>()) return otter::tuple(atom("EXIT"), x->from, x->reason.to_term());
  return term(atom("a_cpp_message"));
}

namespace {

value self_(call_context&, std::vector<value>&) { return value(term(self())); }

value send_(call_context& c, std::vector<value>& a) {
  const term& to = arg_term(c, a, 0);
  const term& msg = arg_term(c, a, 1);
  if (to.is_pid()) {
    send(to.as_pid(), msg);
  } else if (to.is_atom()) {
    const pid p = whereis(to.as_atom().text());
    if (!p) raise_badarg(1, "invalid destination", ":erlang.send(" + inspect_value(a[0]) + ", " + inspect_value(a[1]) + ")");
    send(p, msg);
  } else {
    raise_badarg(1, "invalid destination", ":erlang.send(" + inspect_value(a[0]) + ", " + inspect_value(a[1]) + ")");
  }
  return a[1];
}

// A process that runs a shell function; an exception is reported as
// Elixir reports one in a spawned process, and ends it.
process run_fun(std::shared_ptr<const fun> f, std::function<void(std::string_view)> write) {
  session s;
  s.write = std::move(write);
  s.source = f->owner;
  std::vector<value> none;
  value fv(f);
  try {
    co_await apply(s, fv, none);
  } catch (const elixir_error& e) {
    log({log_level::error, self(), "crash_report", "Process " + self().to_string() + " raised an exception\n" + format_error(e)});
    otter::exit(exit_reason(otter::tuple(atom("Elixir." + e.kind()), term(e.message()))));
  } catch (const thrown_value& t) {
    log({log_level::error, self(), "crash_report", "Process " + self().to_string() + " raised an exception\n** (ErlangError) Erlang error: {:nocatch, " + inspect(t.value) + "}"});
    otter::exit(exit_reason(otter::tuple(atom("nocatch"), t.value)));
  }
}

value spawn_with(call_context& c, std::vector<value>& a, spawn_tie tie) {
  const value& f = arg_fun(c, a, 0, 0);
  auto fn = f.f;
  auto write = c.s.write;
  if (tie == spawn_tie::link) return value(term(spawn_link(run_fun, fn, write)));
  if (tie == spawn_tie::monitor) {
    auto [p, ref] = spawn_monitor(run_fun, fn, write);
    return value(otter::tuple(p, ref));
  }
  return value(term(spawn(run_fun, fn, write)));
}
value spawn_(call_context& c, std::vector<value>& a) { return spawn_with(c, a, spawn_tie::none); }
value spawn_link_(call_context& c, std::vector<value>& a) { return spawn_with(c, a, spawn_tie::link); }
value spawn_monitor_(call_context& c, std::vector<value>& a) { return spawn_with(c, a, spawn_tie::monitor); }

value make_ref_(call_context&, std::vector<value>&) { return value(term(make_ref())); }

value exit1(call_context& c, std::vector<value>& a) { otter::exit(exit_reason(arg_term(c, a, 0))); }

task<value> flush_(call_context& c, std::vector<value>&) {
  for (;;) {
    std::optional<term> m = co_await receive([](any_message x) { return std::optional<term>(message_as_term(x)); },
                                             after(std::chrono::milliseconds(0), [] { return std::optional<term>(); }));
    if (!m) break;
    c.s.write(inspect(*m) + "\n");
  }
  co_return value(ok_atom);
}

// --- Process ---

value process_exit(call_context& c, std::vector<value>& a) {
  const pid p = arg_pid(c, a, 0);
  exit(p, exit_reason(arg_term(c, a, 1)));
  return value(term(true));
}

value process_alive(call_context& c, std::vector<value>& a) { return value(term(is_alive(arg_pid(c, a, 0)))); }

value process_whereis(call_context& c, std::vector<value>& a) {
  const pid p = whereis(arg_atom(c, a, 0).text());
  return p ? value(term(p)) : value(term(atom("nil")));
}

// IEx.Helpers.pid/1,3: a pid from its printed parts ("0.110.0" or 0, 110,
// 0), read as the term parser reads #PID<0.110.0> (local pids, 32-bit parts).
std::optional<pid> pid_from_text(std::string_view text) {
  try {
    const term t = parse_term("#PID<" + std::string(text) + ">");
    if (t.is_pid()) return t.as_pid();
  } catch (const parse_error&) {
  }
  return std::nullopt;
}

[[noreturn]] void not_a_pid(std::string_view text, std::string_view helper_line) {
  std::vector<term> chars;
  for (char ch : "<" + std::string(text) + ">") chars.emplace_back(static_cast<std::int64_t>(static_cast<unsigned char>(ch)));
  raise("ArgumentError", "errors were found at the given arguments:\n\n  * 1st argument: not a textual representation of a pid\n",
        "    :erlang.list_to_pid(" + inspect(term::list_of(std::move(chars))) + ")\n    (iex 1.14.0) lib/iex/" +
            std::string(helper_line) + "\n");
}

value iex_pid1(call_context&, std::vector<value>& a) {
  const value& v = a[0];
  if (!v.is_fun() && v.t.is_atom()) {
    if (const pid p = whereis(v.t.as_atom().text())) return value(term(p));
    raise("ArgumentError", "could not find registered process with name: " + inspect(v.t),
          "    (iex 1.14.0) lib/iex/helpers.ex:1255: IEx.Helpers.pid/1\n");
  }
  if (v.is_fun() || !v.t.is_binary())
    raise_function_clause("IEx.Helpers.pid/1", {v},
                          {"def pid(string) when -is_binary(string)-", "def pid(name) when -is_atom(name)-"},
                          "    (iex 1.14.0) lib/iex/helpers.ex:1248: IEx.Helpers.pid/1\n");
  const std::string_view text = v.t.as_binary();
  const std::optional<pid> p = pid_from_text(text);
  if (!p) not_a_pid(text, "helpers.ex:1249: IEx.Helpers.pid/1");
  return value(term(*p));
}

value iex_pid3(call_context&, std::vector<value>& a) {
  bool ok = true;
  std::string guard;
  const char* names[] = {"x", "y", "z"};
  for (std::size_t i = 0; i < 3; ++i) {
    const bool integer = !a[i].is_fun() && a[i].t.is_integer();
    const bool non_negative = !integer || a[i].t.as_int() >= 0;  // any other term is >= 0 in term order
    ok = ok && integer && non_negative;
    if (i) guard += " and ";
    guard += blame_part(integer, std::string("is_integer(") + names[i] + ")") + " and " +
             blame_part(non_negative, std::string(names[i]) + " >= 0");
  }
  if (!ok)
    raise_function_clause("IEx.Helpers.pid/3", {a[0], a[1], a[2]}, {"def pid(x, y, z) when " + guard},
                          "    (iex 1.14.0) lib/iex/helpers.ex:1271: IEx.Helpers.pid/3\n");
  const std::string text = std::to_string(a[0].t.as_int()) + "." + std::to_string(a[1].t.as_int()) + "." +
                           std::to_string(a[2].t.as_int());
  const std::optional<pid> p = pid_from_text(text);
  if (!p) not_a_pid(text, "helpers.ex:1273: IEx.Helpers.pid/3");
  return value(term(*p));
}

value process_register(call_context& c, std::vector<value>& a) {
  const pid p = arg_pid(c, a, 0);
  const atom name = arg_atom(c, a, 1);
  try {
    register_name(name.text(), p);
  } catch (const bad_argument&) {
    raise_badarg(whereis(name.text()) ? 2 : 1,
                 whereis(name.text()) ? "name is already registered" : "not an existing process or port",
                 ":erlang.register(" + inspect_value(a[1]) + ", " + inspect_value(a[0]) + ")");
  }
  return value(term(true));
}

value process_unregister(call_context& c, std::vector<value>& a) {
  const atom name = arg_atom(c, a, 0);
  if (!unregister_name(name.text())) raise_badarg(1, "not a registered name", ":erlang.unregister(" + inspect_value(a[0]) + ")");
  return value(term(true));
}

value process_monitor(call_context& c, std::vector<value>& a) { return value(term(monitor(pid_or_name(c, a, 0)))); }

value process_demonitor(call_context& c, std::vector<value>& a) {
  const term& r = arg_term(c, a, 0);
  if (!r.is_reference()) raise_badarg(1, "not a reference", c.shown(a));
  demonitor(r.as_reference(), a.size() > 1);
  return value(term(true));
}

value process_link(call_context& c, std::vector<value>& a) {
  link(arg_pid(c, a, 0));
  return value(term(true));
}
value process_unlink(call_context& c, std::vector<value>& a) {
  unlink(arg_pid(c, a, 0));
  return value(term(true));
}

value process_flag(call_context& c, std::vector<value>& a) {
  const atom flag = arg_atom(c, a, 0);
  if (flag != atom("trap_exit")) raise_badarg(1, "invalid process flag (the otter shell knows :trap_exit)", c.shown(a));
  const term& on = arg_term(c, a, 1);
  if (!on.is_boolean()) raise_badarg(2, "not a boolean", c.shown(a));
  return value(term(trap_exit(on.as_bool())));
}

task<value> process_sleep(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (t.is_atom(atom("infinity"))) {
    co_await receive([](any_message) { return false; }, after(std::chrono::hours(24 * 365), [] { return true; }));
  } else {
    if (!t.is_integer() || t.as_int() < 0 || t.as_int() > 4294967295)
      raise_badarg(1, "not an integer from 0 to 4294967295 or :infinity", c.shown(a));
    co_await sleep(std::chrono::milliseconds(t.as_int()));
  }
  co_return value(ok_atom);
}

term info_term(const process_info& i) {
  static const char* const states[] = {"waiting", "runnable", "running"};
  std::vector<term> links(i.links.begin(), i.links.end()), mons;
  for (pid p : i.monitors) mons.push_back(otter::tuple(atom("process"), p));
  std::vector<term> by(i.monitored_by.begin(), i.monitored_by.end());
  std::vector<term> out;
  if (!i.registered_name.empty()) out.push_back(otter::tuple(atom("registered_name"), atom(i.registered_name)));
  out.push_back(otter::tuple(atom("status"), atom(states[static_cast<int>(i.status)])));
  out.push_back(otter::tuple(atom("message_queue_len"), static_cast<std::int64_t>(i.message_queue_len)));
  out.push_back(otter::tuple(atom("links"), term::list_of(std::move(links))));
  out.push_back(otter::tuple(atom("monitors"), term::list_of(std::move(mons))));
  out.push_back(otter::tuple(atom("monitored_by"), term::list_of(std::move(by))));
  out.push_back(otter::tuple(atom("trap_exit"), i.trap_exit));
  return term::list_of(std::move(out));
}

task<value> process_info_(call_context& c, std::vector<value>& a) {
  const pid p = arg_pid(c, a, 0);
  std::optional<process_info> i = co_await get_process_info(p);
  if (!i) co_return value(term(atom("nil")));
  const term all = info_term(*i);
  if (a.size() == 1) co_return value(all);
  const atom item = arg_atom(c, a, 1);
  if (item == atom("registered_name") && i->registered_name.empty()) co_return value(term::list_of(std::vector<term>{}));
  for (const term& kv : all.elements())
    if (kv[0].is_atom(item)) co_return value(kv);
  raise_badarg(2, "invalid item or item list (the otter shell knows registered_name, status, message_queue_len, links, monitors, monitored_by, trap_exit)", c.shown(a));
}

value process_list(call_context&, std::vector<value>&) {
  const std::vector<pid> all = processes();
  return value(term::list_of(std::vector<term>(all.begin(), all.end())));
}

value process_registered(call_context&, std::vector<value>&) {
  std::vector<term> out;
  for (const std::string& n : registered()) out.push_back(term(atom(n)));
  return value(term::list_of(std::move(out)));
}

// --- IEx helpers ---

value help(call_context& c, std::vector<value>&) {
  c.s.write(
      "otter's shell evaluates the Elixir that the counter lecture uses.\n\n"
      "  h()                 this help\n"
      "  h(Module)           the functions of a module, e.g. h(Counter.Worker), h(:ets), h(Enum)\n"
      "  tree()              the live supervision tree (Counter.Supervisor), with pids and names\n"
      "  tree(sup)           the tree under a supervisor (pid or name)\n"
      "  flush()             prints and removes the messages sent to the shell\n"
      "  self()              the shell's pid\n\n"
      "Modules: Counter.Worker, Counter.WorkerSupervisor, Registry, :ets, GenServer, Supervisor,\n"
      "DynamicSupervisor, Process, Enum, List, Map, Tuple, Keyword, String, Integer, Atom, IO, Kernel.\n"
      "Tab completes module and function names. #iex:break drops an unfinished expression; Ctrl+D ends the shell.\n");
  return value(term(atom("nil")));
}

value help_module(call_context& c, std::vector<value>& a) {
  const term& m = arg_term(c, a, 0);
  const builtin_table& t = builtins();
  std::string module;
  if (m.is_atom()) module = std::string(m.as_atom().text());
  if (module.empty() || !t.has_module(module)) {
    c.s.write("Could not load module " + inspect_value(a[0]) + ", got: nofile\n");
    return value(term(atom("nil")));
  }
  std::string out = "# " + module_display(module) + "\n\n";
  std::string last;
  for (const auto& [name, arity] : t.functions(module)) {
    const builtin* b = t.find(module, name, arity);
    out += "  " + (module == "Elixir.Kernel" ? std::string() : module_display(module) + ".") + name + "/" +
           std::to_string(arity);
    if (b && !b->doc.empty()) out += "    " + b->doc;
    out += "\n";
  }
  c.s.write(out);
  return value(term(atom("nil")));
}

std::string child_label(const term& id, pid p) {
  std::string label = p.to_string();
  if (!id.is_atom(atom("undefined"))) label = inspect(id, {0, 50}) + " " + label;
  return label;
}

// The name a process is known by: its local name, else its Registry keys.
std::string known_as(pid p, const std::vector<std::string>& registries) {
  for (const std::string& r : registries) {
    try {
      const std::vector<term> keys = registry::keys_of(r, p);
      if (!keys.empty()) return " " + inspect(keys[0], {0, 50});
    } catch (const std::exception&) {
    }
  }
  return {};
}

task<void> print_tree(call_context& c, pid sup, const std::string& indent, std::vector<std::string>& registries,
                      std::string& out, int depth) {
  term children;
  try {
    children = co_await supervisor::which_children(sup);
  } catch (const exit_exception& e) {
    out += indent + "(cannot list: " + format_exit(e.reason.to_term()) + ")\n";
    co_return;
  }
  const auto kids = children.elements();
  // A Supervisor lists the last started first: show them in start order.
  // A DynamicSupervisor's children (id :undefined) come as they are.
  const bool reversed = !kids.empty() && !kids[0][0].is_atom(atom("undefined"));
  for (std::size_t i = 0; i < kids.size(); ++i) {
    const term& k = reversed ? kids[kids.size() - 1 - i] : kids[i];
    const bool last = i + 1 == kids.size();
    const term& id = k[0];
    const term& where = k[1];
    const bool is_sup = k[2].is_atom(atom("supervisor"));
    const bool is_registry = k[3].is_proper_list() && k[3].size() == 1 && k[3][0].is_atom(atom("Elixir.Registry"));
    std::string line = indent + (last ? "└── " : "├── ");
    if (where.is_pid()) {
      line += id.is_atom(atom("undefined")) ? where.as_pid().to_string() + known_as(where.as_pid(), registries)
                                            : child_label(id, where.as_pid());
      std::string mod = k[3].is_proper_list() && k[3].size() == 1 ? " " + inspect(k[3][0], {0, 50}) : std::string();
      line += is_sup ? " (supervisor" + mod + ")" : mod.empty() ? std::string() : " (" + mod.substr(1) + ")";
    } else {
      line += inspect(id, {0, 50}) + " " + inspect(where, {0, 50});
    }
    out += line + "\n";
    if (is_registry && id.is_atom()) registries.push_back(std::string(id.as_atom().text()));
    if (where.is_pid() && is_sup && !is_registry && depth < 16) {
      const std::string inner = indent + (last ? "    " : "│   ");  // named: see eval.cpp on co_await
      co_await print_tree(c, where.as_pid(), inner, registries, out, depth + 1);
    }
  }
}

task<value> tree_of(call_context& c, pid root, const term& shown) {
  if (!root) {
    c.s.write("no supervisor " + inspect(shown, {0, 50}) + " is running\n");
    co_return value(term(atom("nil")));
  }
  std::string out = inspect(shown, {0, 50}) + " " + root.to_string() + "\n";
  std::vector<std::string> registries;
  co_await print_tree(c, root, "", registries, out, 0);
  c.s.write(out);
  co_return value(ok_atom);
}

task<value> tree0(call_context& c, std::vector<value>&) {
  const term name(atom("Elixir.Counter.Supervisor"));
  const pid root = whereis(name.as_atom().text());
  co_return co_await tree_of(c, root, name);
}

task<value> tree1(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  const pid root = t.is_pid() ? t.as_pid() : t.is_atom() ? whereis(t.as_atom().text()) : pid();
  co_return co_await tree_of(c, root, t);
}

}  // namespace

void register_process(builtin_table& t) {
  t.add(K, "self", 0, self_, "self(): the shell's pid");
  t.add(K, "send", 2, send_, "send(pid_or_name, message): returns the message");
  t.add(K, "spawn", 1, spawn_, "spawn(fn -> ... end): runs the function in a new process");
  t.add(K, "spawn_link", 1, spawn_link_, "spawn_link(fn -> ... end): the same, linked to the shell");
  t.add(K, "spawn_monitor", 1, spawn_monitor_, "spawn_monitor(fn -> ... end): {pid, monitor reference}");
  t.add(K, "make_ref", 0, make_ref_, "make_ref(): a new reference");
  t.add(K, "exit", 1, exit1, "exit(reason): ends the evaluation with an exit");
  t.add_async(K, "flush", 0, flush_, "flush(): prints and removes the shell's messages");
  t.add(K, "pid", 1, iex_pid1, "pid(\"0.110.0\"): the pid printed as #PID<0.110.0>; pid(name): the process registered as name");
  t.add(K, "pid", 3, iex_pid3, "pid(0, 110, 0): the pid printed as #PID<0.110.0>");
  t.add(K, "h", 0, help, "h(): help");
  t.add(K, "h", 1, help_module, "h(Module): a module's functions");
  t.add_async(K, "tree", 0, tree0, "tree(): the counter application's supervision tree");
  t.add_async(K, "tree", 1, tree1, "tree(supervisor): the tree under a supervisor");
  t.add(P, "exit", 2, process_exit, "Process.exit(pid, reason): sends an exit signal (:kill cannot be trapped)");
  t.add(P, "alive?", 1, process_alive, "Process.alive?(pid)");
  t.add(P, "whereis", 1, process_whereis, "Process.whereis(name): the pid registered as name, or nil");
  t.add(P, "register", 2, process_register, "Process.register(pid, name)");
  t.add(P, "unregister", 1, process_unregister, "Process.unregister(name)");
  t.add(P, "registered", 0, process_registered, "Process.registered(): the registered names");
  t.add(P, "monitor", 1, process_monitor, "Process.monitor(pid_or_name): a reference; {:DOWN, ref, :process, pid, reason} follows");
  t.add(P, "demonitor", 1, process_demonitor, "Process.demonitor(ref)");
  t.add(P, "demonitor", 2, process_demonitor, "Process.demonitor(ref, [:flush])");
  t.add(P, "link", 1, process_link, "Process.link(pid)");
  t.add(P, "unlink", 1, process_unlink, "Process.unlink(pid)");
  t.add(P, "flag", 2, process_flag, "Process.flag(:trap_exit, boolean): the previous value");
  t.add_async(P, "sleep", 1, process_sleep, "Process.sleep(ms | :infinity)");
  t.add_async(P, "info", 1, process_info_, "Process.info(pid): a keyword list, or nil if it is not alive");
  t.add_async(P, "info", 2, process_info_, "Process.info(pid, item): {item, value}");
  t.add(P, "list", 0, process_list, "Process.list(): every live process");
}

}  // namespace otter::shell

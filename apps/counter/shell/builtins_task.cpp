// Task from the shell: async/1, await/1,2, yield/1,2, await_many/1,2,
// start/1, start_link/1, as Elixir's Task behaves: a task started with
// async is linked to its owner, which monitors it; it replies {ref, result}
// with the monitor's reference, and only the owner may await it.
#include <algorithm>
#include <chrono>

#include "builtins.hpp"
#include "errors.hpp"
#include "eval.hpp"
#include "otter/logger.hpp"
#include "otter/process.hpp"
#include "otter/receive.hpp"

namespace otter::shell {

namespace {

constexpr std::string_view T = "Elixir.Task";

// The owner's monitor reference, which the task replies with.
struct task_go {
  reference ref;
};
// A result that is a function (terms hold none); any other result comes
// as the term {ref, result}, as in Elixir.
struct task_fun_reply {
  reference ref;
  value result;
};

// Runs `f`; replies to `owner` if `replies` (async). A failure is reported
// as Elixir reports a task's ("Task #PID<...> started from #PID<...>
// terminating") and ends the task with the reason, which its link carries
// to the owner.
process task_main(std::shared_ptr<const fun> f, pid owner, std::function<void(std::string_view)> write, bool replies) {
  reference ref;
  if (replies) ref = (co_await receive<task_go>()).ref;
  session s;
  s.write = std::move(write);
  s.source = f->owner;
  std::vector<value> none;
  const value fv(f);
  std::string failure;
  exit_reason why;
  try {
    value r = co_await apply(s, fv, none);
    if (replies) {
      if (r.is_fun())
        send(owner, task_fun_reply{ref, std::move(r)});
      else
        send(owner, otter::tuple(term(ref), r.t));
    }
    co_return;
  } catch (const elixir_error& e) {
    failure = "** (" + e.kind() + ") " + e.message();
    why = exit_reason(otter::tuple(atom("Elixir." + e.kind()), term(e.message())));
  } catch (const thrown_value& t) {
    failure = "** (ErlangError) Erlang error: {:nocatch, " + inspect(t.value) + "}";
    why = exit_reason(otter::tuple(atom("nocatch"), t.value));
  } catch (const exit_exception& e) {
    const term r = e.reason.to_term();
    const bool quiet = e.reason.is_normal() || r.is_atom(atom("shutdown")) ||
                       (r.is_tuple() && r.size() == 2 && r[0].is_atom(atom("shutdown")));
    if (quiet) throw;
    failure = "** (stop) " + format_exit(r);
    why = e.reason;
  }
  log({log_level::error, self(), "task_report",
       "Task " + self().to_string() + " started from " + owner.to_string() + " terminating\n" + failure +
           "\nFunction: " + inspect_value(fv) + "\n    Args: []"});
  otter::exit(why);
}

term task_struct(pid owner, pid p, reference ref) {
  std::vector<std::pair<term, term>> fields;
  fields.emplace_back(atom("__struct__"), atom("Elixir.Task"));
  fields.emplace_back(atom("mfa"), otter::tuple(atom("erlang"), atom("apply"), 2));
  fields.emplace_back(atom("owner"), owner);
  fields.emplace_back(atom("pid"), p);
  fields.emplace_back(atom("ref"), ref);
  return term::map_of(std::move(fields));
}

struct task_ref {
  pid owner, p;
  reference ref;
};

std::optional<task_ref> task_of(const value& v) {
  if (v.is_fun() || !v.t.is_map()) return std::nullopt;
  const term* s = v.t.find(term(atom("__struct__")));
  const term* owner = v.t.find(term(atom("owner")));
  const term* p = v.t.find(term(atom("pid")));
  const term* ref = v.t.find(term(atom("ref")));
  if (!s || !s->is_atom(atom("Elixir.Task")) || !owner || !owner->is_pid() || !p || !ref || !ref->is_reference())
    return std::nullopt;
  return task_ref{owner->as_pid(), p->is_pid() ? p->as_pid() : pid(), ref->as_reference()};
}

bool valid_timeout(const term& t) { return t.is_atom(atom("infinity")) || (t.is_integer() && t.as_int() >= 0); }

std::chrono::milliseconds timeout_ms(const term& t) {
  if (t.is_atom(atom("infinity"))) return std::chrono::milliseconds::max();
  return std::chrono::milliseconds(std::min<std::int64_t>(t.as_int(), 4294967295));
}

// Task.await/yield's clause: def f(%Task{ref: ref, owner: owner} = task, timeout) when ...
void check_task_call(std::string_view fn, std::string_view line, const value& task, const value& timeout) {
  const bool is_task = task_of(task).has_value();
  const bool ok_timeout = !timeout.is_fun() && valid_timeout(timeout.t);
  if (is_task && ok_timeout) return;
  const bool infinite = !timeout.is_fun() && timeout.t.is_atom(atom("infinity"));
  const bool integer = !timeout.is_fun() && timeout.t.is_integer();
  const bool non_negative = timeout.is_fun() || !integer || timeout.t.as_int() >= 0;  // any non-integer is >= 0 in term order
  const std::string name(fn.substr(fn.find('.') + 1, fn.find('/') - fn.find('.') - 1));
  raise_function_clause(fn, {task, timeout},
                        {"def " + name + "(" + blame_part(is_task, "%Task{ref: ref, owner: owner} = task") +
                         ", timeout) when " + blame_part(infinite, "timeout == :infinity") + " or " +
                         blame_part(integer, "is_integer(timeout)") + " and " +
                         blame_part(non_negative, "timeout >= 0")},
                        elixir_line(line));
}

void check_owner(const value& task, const task_ref& t) {
  if (t.owner != self())
    raise_argument_error("task " + inspect_value(task) + " must be queried from the owner but was queried from " +
                         self().to_string());
}

enum class outcome { replied, down, timed_out };

struct waited {
  outcome how = outcome::timed_out;
  value result;
  term reason;
};

// Waits for the task's reply or DOWN, up to `timeout`.
task<waited> wait_for(const task_ref& t, std::chrono::milliseconds timeout) {
  waited w;
  const reference ref = t.ref;
  auto reply = when([ref](const term& m) { return m.is_tuple() && m.size() == 2 && m[0] == term(ref); },
                    [&w](term m) {
                      w.how = outcome::replied;
                      w.result = value(m[1]);
                    });
  auto fun_reply = when([ref](const task_fun_reply& r) { return r.ref == ref; }, [&w](task_fun_reply r) {
    w.how = outcome::replied;
    w.result = std::move(r.result);
  });
  auto down = when([ref](const down_message& d) { return d.ref == ref; }, [&w](down_message d) {
    w.how = outcome::down;
    w.reason = d.reason.to_term();
  });
  if (timeout == std::chrono::milliseconds::max())
    co_await receive(std::move(reply), std::move(fun_reply), std::move(down));
  else
    co_await receive(std::move(reply), std::move(fun_reply), std::move(down), after(timeout, [] {}));
  co_return w;
}

[[noreturn]] void exit_from(std::string_view fn, term reason, term args) {
  throw exit_exception{exit_reason(otter::tuple(std::move(reason), otter::tuple(atom(T), atom(fn), std::move(args))))};
}

value task_async(call_context& c, std::vector<value>& a) {
  if (!a[0].is_fun() || a[0].f->arity != 0)
    raise_function_clause("Task.async/1", {a[0]}, {"def async(fun) when -is_function(fun, 0)-"},
                          elixir_line("task.ex:435: Task.async/1"));
  const pid owner = self();
  const pid p = spawn_link(task_main, a[0].f, owner, c.s.write, true);
  const reference ref = monitor(p);
  send(p, task_go{ref});
  return value(task_struct(owner, p, ref));
}

value task_start_with(call_context& c, std::vector<value>& a, bool link, std::string_view fn, std::string_view line) {
  if (!a[0].is_fun() || a[0].f->arity != 0)
    raise_function_clause(fn, {a[0]}, {"def " + std::string(link ? "start_link" : "start") + "(fun) when -is_function(fun, 0)-"},
                          elixir_line(line));
  const pid owner = self();
  const pid p = link ? spawn_link(task_main, a[0].f, owner, c.s.write, false) : spawn(task_main, a[0].f, owner, c.s.write, false);
  return value(otter::tuple(atom("ok"), p));
}
value task_start(call_context& c, std::vector<value>& a) {
  return task_start_with(c, a, false, "Task.start/1", "task.ex:345: Task.start/1");
}
value task_start_link(call_context& c, std::vector<value>& a) {
  return task_start_with(c, a, true, "Task.start_link/1", "task.ex:313: Task.start_link/1");
}

// Task.await and Task.yield: checks the call (a task, a timeout, asked by
// the owner), then waits for the task's reply or DOWN up to the timeout.
struct owner_wait {
  task_ref t;
  value timeout;
  waited w;
};
task<owner_wait> wait_as_owner(std::string_view fn, std::string_view line, std::vector<value>& a) {
  owner_wait o;
  o.timeout = a.size() > 1 ? a[1] : value(term(5000));
  check_task_call(fn, line, a[0], o.timeout);
  o.t = *task_of(a[0]);
  check_owner(a[0], o.t);
  o.w = co_await wait_for(o.t, timeout_ms(o.timeout.t));
  co_return o;
}

task<value> task_await(call_context&, std::vector<value>& a) {
  owner_wait o = co_await wait_as_owner("Task.await/2", "task.ex:815: Task.await/2", a);
  if (o.w.how != outcome::down) demonitor(o.t.ref, true);
  if (o.w.how == outcome::replied) co_return o.w.result;
  exit_from("await", o.w.how == outcome::down ? o.w.reason : term(atom("timeout")), otter::list{a[0].t, o.timeout.t});
}

task<value> task_yield(call_context&, std::vector<value>& a) {
  owner_wait o = co_await wait_as_owner("Task.yield/2", "task.ex:1059: Task.yield/2", a);
  if (o.w.how == outcome::timed_out) co_return value(term(atom("nil")));  // the task goes on; yield or await it again
  if (o.w.how == outcome::down) co_return value(otter::tuple(atom("exit"), o.w.reason));
  demonitor(o.t.ref, true);
  co_return value(otter::tuple(atom("ok"), need_term_in(o.w.result, "a tuple")));
}

task<value> task_await_many(call_context& c, std::vector<value>& a) {
  const value timeout = a.size() > 1 ? a[1] : value(term(5000));
  if (timeout.is_fun() || !valid_timeout(timeout.t))
    raise_argument_error("expected a timeout (an integer >= 0 or :infinity), got: " + inspect_value(timeout));
  const std::vector<term> given = enumerate(c, a[0]);
  std::vector<task_ref> tasks;
  for (const term& t : given) {
    const std::optional<task_ref> r = task_of(value(t));
    if (!r) raise_argument_error("expected a list of tasks, got: " + inspect(t, {0, 50}) + " in the list");
    check_owner(value(t), *r);
    tasks.push_back(*r);
  }
  const bool forever = timeout.t.is_atom(atom("infinity"));
  const auto deadline = std::chrono::steady_clock::now() + (forever ? std::chrono::milliseconds(0) : timeout_ms(timeout.t));
  std::vector<term> results;
  for (const task_ref& t : tasks) {
    auto left = forever ? std::chrono::milliseconds::max()
                        : std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                    deadline - std::chrono::steady_clock::now()));
    waited w = co_await wait_for(t, left);
    if (w.how != outcome::replied) {
      for (const task_ref& u : tasks) demonitor(u.ref, true);
      exit_from("await_many", w.how == outcome::down ? w.reason : term(atom("timeout")), otter::list{a[0].t, timeout.t});
    }
    demonitor(t.ref, true);
    results.push_back(need_term_in(w.result, "a list"));
  }
  co_return value(term::list_of(std::move(results)));
}

}  // namespace

void register_task(builtin_table& t) {
  t.add(T, "async", 1, task_async, "Task.async(fn -> ... end): runs the function in a process linked to and monitored by the caller");
  t.add_async(T, "await", 1, task_await, "Task.await(task, timeout \\\\ 5000): the task's result; exits if it fails or times out");
  t.add_async(T, "await", 2, task_await, "Task.await(task, timeout)");
  t.add_async(T, "yield", 1, task_yield, "Task.yield(task, timeout \\\\ 5000): {:ok, result}, {:exit, reason}, or nil on timeout");
  t.add_async(T, "yield", 2, task_yield, "Task.yield(task, timeout)");
  t.add_async(T, "await_many", 1, task_await_many, "Task.await_many(tasks, timeout \\\\ 5000): the results, in order");
  t.add_async(T, "await_many", 2, task_await_many, "Task.await_many(tasks, timeout)");
  t.add(T, "start", 1, task_start, "Task.start(fn -> ... end): {:ok, pid}, not linked");
  t.add(T, "start_link", 1, task_start_link, "Task.start_link(fn -> ... end): {:ok, pid}, linked to the caller");
}

}  // namespace otter::shell

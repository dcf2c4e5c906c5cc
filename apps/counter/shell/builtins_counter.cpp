// The counter application's modules from the shell: Counter.Worker and
// Counter.WorkerSupervisor, as the lecture calls them. They send the same
// terms the lecture's Elixir sends (GenServer.cast(via(name), {:inc, amt}),
// GenServer.call(via(name), :value)), so errors read as they do in iex.
#include "builtins.hpp"
#include "counter/worker.hpp"
#include "counter/worker_supervisor.hpp"
#include "errors.hpp"
#include "eval.hpp"

namespace otter::shell {

namespace {

constexpr std::string_view W = "Elixir.Counter.Worker";
constexpr std::string_view WS = "Elixir.Counter.WorkerSupervisor";

term via_term(const term& name) {
  return otter::tuple(atom("via"), atom("Elixir.Registry"),
                      otter::tuple(atom(counter::registry_name), otter::tuple(atom("Elixir.Counter.Worker"), name)));
}

task<value> worker_start_link(call_context& c, std::vector<value>& a) {
  term name = arg_term(c, a, 0);
  auto t = counter::worker::start_link(std::move(name));
  start_result r = co_await t;
  co_return value(r.to_term());
}

value worker_update(call_context& c, std::vector<value>& a, const char* op) {
  const term& name = arg_term(c, a, 0);
  const term amount = a.size() > 1 ? arg_term(c, a, 1) : term(1);
  gen::cast(counter::worker::via(name), otter::tuple(atom(op), amount));
  return value(term(atom("ok")));
}
value worker_inc(call_context& c, std::vector<value>& a) { return worker_update(c, a, "inc"); }
value worker_dec(call_context& c, std::vector<value>& a) { return worker_update(c, a, "dec"); }

task<value> worker_value(call_context& c, std::vector<value>& a) {
  const term& name = arg_term(c, a, 0);
  auto t = gen::call(counter::worker::via(name), term(atom("value")));
  term r = co_await t;
  co_return value(r);
}

value worker_via(call_context& c, std::vector<value>& a) { return value(via_term(arg_term(c, a, 0))); }

value worker_child_spec(call_context& c, std::vector<value>& a) {
  const term module{atom(W)};
  return value(term::map_of(std::vector<std::pair<term, term>>{
      {term(atom("id")), module}, {term(atom("start")), otter::tuple(module, atom("start_link"), otter::list{arg_term(c, a, 0)})}}));
}

task<value> start_worker(call_context& c, std::vector<value>& a) {
  term name = arg_term(c, a, 0);
  auto t = counter::worker_supervisor::start_worker(std::move(name));
  term r = co_await t;
  co_return value(r);
}

task<value> supervisor_start_link(call_context& c, std::vector<value>& a) {
  (void)a;
  (void)c;
  auto t = counter::worker_supervisor::start_link();
  start_result r = co_await t;
  co_return value(r.to_term());
}

}  // namespace

void register_counter(builtin_table& t) {
  t.add_async(W, "start_link", 1, worker_start_link, "Counter.Worker.start_link(name): a worker named {:via, Registry, {Counter.Registry, {Counter.Worker, name}}}");
  t.add(W, "inc", 1, worker_inc, "Counter.Worker.inc(name, amt \\\\ 1): GenServer.cast(via(name), {:inc, amt})");
  t.add(W, "inc", 2, worker_inc, "Counter.Worker.inc(name, amt)");
  t.add(W, "dec", 1, worker_dec, "Counter.Worker.dec(name, amt \\\\ 1): GenServer.cast(via(name), {:dec, amt})");
  t.add(W, "dec", 2, worker_dec, "Counter.Worker.dec(name, amt)");
  t.add_async(W, "value", 1, worker_value, "Counter.Worker.value(name): GenServer.call(via(name), :value)");
  t.add(W, "via", 1, worker_via, "Counter.Worker.via(name): {:via, Registry, {Counter.Registry, {Counter.Worker, name}}}");
  t.add(W, "child_spec", 1, worker_child_spec, "Counter.Worker.child_spec(name): %{id: Counter.Worker, start: {Counter.Worker, :start_link, [name]}}");
  t.add_async(WS, "start_worker", 1, start_worker, "Counter.WorkerSupervisor.start_worker(name): {:ok, pid} | {:error, {:already_started, pid}} | {:error, :max_children}");
  t.add_async(WS, "start_link", 1, supervisor_start_link, "Counter.WorkerSupervisor.start_link(arg): the DynamicSupervisor (max_children: 100)");
}

}  // namespace otter::shell

// W8 restart: the lecture's worker under a DynamicSupervisor, named through
// the Registry. The peer's figures come from peers/beam/w7_counters.exs
// (same workload id and metric names, see WORKLOADS.md):
//  workers_started_per_sec / us_per_worker_start: W8_WORKERS workers started
//      one after the other with DynamicSupervisor.start_child (W7's phase 1);
//  crash_seq_median_latency_us / crash_seq_p99_latency_us: one worker crashed
//      W8_CRASHES times in sequence (a cast whose handle_cast raises); each
//      time, from the crash cast until its name resolves to the new process
//      and that process has answered value/1 (W7's crash phase polls the
//      Registry the same way).
//
//   build/release/bench/w8_restart
//
// Env: W8_WORKERS (10000), W8_CRASHES (1000), OTTER_SCHEDULERS.
#include <algorithm>
#include <cmath>
#include <vector>

#include "common.hpp"
#include "otter/dynamic_supervisor.hpp"
#include "otter/ets.hpp"
#include "otter/registry.hpp"

namespace {

using otter::term;

// Counter.Worker as in the W7 peer: init reads the value from Counter.Store,
// terminate writes it back; :crash raises in handle_cast.
struct counter_worker : otter::gen_server<counter_worker> {
  static constexpr std::string_view module = "Counter.Worker";
  struct state {
    term name;
    std::int64_t value = 0;
  };
  struct inc {
    std::int64_t amount = 1;
  };
  struct crash {};
  struct value {};
  static otter::server_name via(const term& name) {
    return otter::via("Counter.Registry", otter::tuple(module_name(), name));
  }
  static otter::task<otter::start_result> start_link(term name) { return gen_server::start_link(via(name), name); }
  state init(const term& name) {
    const auto found = otter::ets::lookup(store(), name);
    return {name, found.size() == 1 ? found[0][1].as_int() : 0};
  }
  void handle_cast(inc m, state& s) { s.value += m.amount; }
  void handle_cast(crash, state& s) { throw std::runtime_error("crash requested for " + s.name.to_string()); }
  std::int64_t handle_call(value, state& s) { return s.value; }
  void terminate(const otter::exit_reason&, state& s) { otter::ets::insert(store(), otter::tuple(s.name, s.value)); }
  static term store() { return term(otter::atom("Elixir.Counter.Store")); }
};

struct done {
  std::int64_t start_ns;
  double bytes_per_worker;
  std::vector<std::int64_t> crash_ns;
};

otter::process bench_main(std::int64_t workers, std::int64_t crashes, otter::pid main) {
  otter::ets::new_table(otter::atom("Elixir.Counter.Store"), {.protection = otter::ets::access::public_, .named_table = true});
  // Options in a named variable, not a braced temporary inside co_await:
  // g++ 12 miscompiles the latter (see docs/guide.md, "g++ 12 and co_await").
  const otter::registry::options reg_opts{otter::registry::keys::unique, "Counter.Registry", 1};
  const auto reg = co_await otter::registry::start_link(reg_opts);
  bench::require(reg.is_ok(), "the registry did not start");
  otter::dynamic_supervisor::options opts;
  opts.max_children = static_cast<int>(workers);
  opts.max_restarts = 1'000'000;  // as the peer: crashes must not exhaust the intensity
  opts.name = otter::name("Counter.WorkerSupervisor");
  const auto sup = co_await otter::dynamic_supervisor::start_link(std::move(opts));
  bench::require(sup.is_ok(), "the supervisor did not start");

  done d;
  // The names first, as the peer makes its atoms before the clock starts.
  std::vector<term> names;
  names.reserve(static_cast<std::size_t>(workers));
  for (std::int64_t i = 0; i < workers; ++i) names.push_back(term(otter::atom("W" + std::to_string(i))));
  const std::int64_t rss0 = bench::rss_bytes();
  const std::int64_t t0 = bench::now_ns();
  for (const term& n : names) {
    const term r = co_await otter::dynamic_supervisor::start_child("Counter.WorkerSupervisor", counter_worker::child_spec(n));
    bench::require(r[0].is_atom(otter::atoms::ok), "a worker did not start");
  }
  d.start_ns = bench::now_ns() - t0;
  d.bytes_per_worker = double(bench::rss_bytes() - rss0) / double(workers);

  const term name = term(otter::atom("W0"));
  const otter::server_name via = counter_worker::via(name);
  counter_worker::cast(via, counter_worker::inc{5});
  d.crash_ns.reserve(static_cast<std::size_t>(crashes));
  for (std::int64_t k = 0; k < crashes; ++k) {
    const otter::pid old = otter::server_ref(via).resolve();
    const std::int64_t t = bench::now_ns();
    counter_worker::cast(via, counter_worker::crash{});
    otter::pid now;
    while (!(now = otter::server_ref(via).resolve()) || now == old) co_await otter::yield();
    const std::int64_t v = co_await counter_worker::call(via, counter_worker::value{});
    d.crash_ns.push_back(bench::now_ns() - t);
    bench::require(v == 5, "a restarted worker lost its value");
  }
  otter::send(main, std::move(d));
  co_await otter::receive([](otter::any_message) {});  // keep the tree until main is done
}

}  // namespace

int main() {
  const std::int64_t workers = bench::env_int("W8_WORKERS", 10'000);
  const std::int64_t crashes = bench::env_int("W8_CRASHES", 1'000);
  otter::set_log_handler({});  // as the peer (W7_LOG=0): one report per crash is not the workload
  otter::runtime_config cfg = bench::config();
  cfg.on_crash = {};
  otter::runtime rt(cfg);
  bench::header("w8_restart", rt);
  {
    otter::scoped_process me(rt);
    const otter::pid b = rt.spawn(bench_main, workers, crashes, me.self());
    done d = me.receive<done>();
    bench::result("counters", "workers", workers, "workers");
    bench::result("counters", "workers_started_per_sec", double(workers) / (double(d.start_ns) / 1e9), "workers/s");
    bench::result("counters", "us_per_worker_start", double(d.start_ns) / double(workers) / 1000.0, "us");
    bench::result("counters", "bytes_per_worker_rss", d.bytes_per_worker, "bytes");
    std::sort(d.crash_ns.begin(), d.crash_ns.end());
    auto pct = [&](double p) {
      // Nearest rank, as the peer's B.percentile.
      const auto n = d.crash_ns.size();
      const auto idx = std::min(n - 1, static_cast<std::size_t>(std::max(0.0, std::ceil(p / 100.0 * double(n)) - 1)));
      return double(d.crash_ns[idx]) / 1000.0;
    };
    bench::result("counters", "crash_seq_workers", crashes, "crashes");
    bench::result("counters", "crash_seq_median_latency_us", pct(50), "us");
    bench::result("counters", "crash_seq_p99_latency_us", pct(99), "us");
    me.exit(b, otter::exit_reason::kill());
  }
  return 0;
}

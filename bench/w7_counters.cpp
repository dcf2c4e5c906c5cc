// W7 counters: the lecture's application (apps/counter: Counter.Worker,
// Counter.WorkerSupervisor, Counter.Registry, Counter.Store), measured as
// peers/beam/w7_counters.exs measures Elixir's, with the same workload id,
// metric names and phases:
//  1 start:   W workers with Counter.WorkerSupervisor.start_worker, in sequence.
//  2 casts:   C Counter.Worker.inc casts round-robin by name (each resolved
//             through the via name); then value/1 of every worker, whose
//             sum must be C.
//  3 crash:   K workers at once get a cast that makes handle_cast raise; the
//             driver polls until each name resolves to a new process that
//             answers value/1 with the value from before the crash. Then K
//             other workers one at a time.
//  4 kill:    K never-crashed workers get Process.exit(pid, :kill); counts
//             the values lost (the lecture's worker saves in terminate,
//             which a kill skips; otter's writes every update through).
//             Then one more inc on each burst-crashed worker and a kill:
//             counts those that came back stale.
//  + write_through_ns_per_update: what the worker's write-through costs
//             per update (one ETS insert of {name, value}), measured alone.
// The driver is a process, as the peer's script is.
//
//   build/release/bench/w7_counters
//
// Env: W7_WORKERS (10000), W7_CASTS (1000000), W7_CRASH (1000),
//      W7_MAX_RESTARTS (1000000, as the peer), OTTER_SCHEDULERS.
#include <algorithm>
#include <optional>
#include <vector>

#include "common.hpp"
#include "counter/application.hpp"
#include "counter/worker.hpp"
#include "counter/worker_supervisor.hpp"
#include "otter/ets.hpp"

namespace {

using otter::term;
using worker = counter::worker;

struct report {
  std::vector<std::pair<std::string, double>> figures;
  void add(const char* metric, double v) { figures.emplace_back(metric, v); }
};

std::int64_t median_rank(std::vector<std::int64_t> v, double p) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  const auto idx = std::min(n - 1, static_cast<std::size_t>(std::max(0.0, std::ceil(p / 100.0 * double(n)) - 1)));
  return v[idx];
}

struct recovery {
  std::int64_t total_ns = 0;
  std::vector<std::int64_t> latencies;
  std::int64_t differing = 0;  // came back with another value than expected
};

// Hits every worker in `idxs` back to back, then polls until each name
// resolves to a new process and that process answers value/1.
template <class Hit>
otter::task<recovery> recover(const std::vector<term>& names, const std::vector<std::int64_t>& expected,
                              const std::vector<std::size_t>& idxs, Hit hit) {
  struct pending {
    std::size_t i;
    otter::pid old;
    std::int64_t t;
  };
  std::vector<pending> waiting;
  waiting.reserve(idxs.size());
  for (std::size_t i : idxs) {
    const otter::pid old = otter::server_ref(worker::via(names[i])).resolve();
    const std::int64_t t = bench::now_ns();
    hit(names[i], old);
    waiting.push_back({i, old, t});
  }
  recovery r;
  const std::int64_t first = waiting.front().t;
  std::int64_t last = first;
  while (!waiting.empty()) {
    std::vector<pending> still;
    for (const pending& p : waiting) {
      const otter::pid now = otter::server_ref(worker::via(names[p.i])).resolve();
      if (!now || now == p.old) {
        still.push_back(p);
        continue;
      }
      const term& name = names[p.i];
      const std::int64_t v = co_await worker::value(name);
      const std::int64_t t1 = bench::now_ns();
      r.latencies.push_back(t1 - p.t);
      last = std::max(last, t1);
      if (v != expected[p.i]) ++r.differing;
    }
    waiting = std::move(still);
    if (!waiting.empty()) co_await otter::yield();
  }
  r.total_ns = last - first;
  co_return r;
}

otter::task<std::vector<std::int64_t>> read_values(const std::vector<term>& names) {
  std::vector<std::int64_t> out;
  out.reserve(names.size());
  for (const term& n : names) out.push_back(co_await worker::value(n));
  co_return out;
}

otter::process driver(std::int64_t w, std::int64_t c, std::int64_t k, otter::pid main) {
  report rep;
  std::vector<term> names;
  names.reserve(static_cast<std::size_t>(w));
  for (std::int64_t i = 0; i < w; ++i) names.push_back(term(otter::atom("W" + std::to_string(i))));

  // 1: start W workers
  std::int64_t t0 = bench::now_ns();
  for (const term& n : names) {
    const term r = co_await counter::worker_supervisor::start_worker(n);
    bench::require(r.is_tuple() && r[0].is_atom(otter::atoms::ok), "a worker did not start");
  }
  std::int64_t t1 = bench::now_ns();
  rep.add("workers_started_per_sec", double(w) / (double(t1 - t0) / 1e9));
  rep.add("us_per_worker_start", double(t1 - t0) / double(w) / 1000.0);

  // 2: C inc casts round-robin, each through the via name
  t0 = bench::now_ns();
  for (std::int64_t j = 0; j < c; ++j) worker::inc(names[static_cast<std::size_t>(j % w)]);
  t1 = bench::now_ns();
  const std::vector<std::int64_t> values = co_await read_values(names);
  const std::int64_t t2 = bench::now_ns();
  std::int64_t sum = 0;
  for (std::int64_t v : values) sum += v;
  bench::require(sum == c, "the sum of the values is not the number of casts");
  rep.add("casts_per_sec", double(c) / (double(t1 - t0) / 1e9));
  rep.add("value_calls_per_sec", double(w) / (double(t2 - t1) / 1e9));
  rep.add("casts_and_reads_per_sec", double(c) / (double(t2 - t0) / 1e9));
  rep.add("sum_verified", 1);

  // three disjoint sets of K names spread over the W workers
  const std::size_t stride = static_cast<std::size_t>(w / k);
  std::vector<std::size_t> burst, seq, killed;
  for (std::size_t i = 0; i < static_cast<std::size_t>(k); ++i) {
    burst.push_back(i * stride);
    seq.push_back(i * stride + 1);
    killed.push_back(i * stride + 2);
  }
  // handle_cast raises on {:inc, "x"}, as the peer's :crash cast raises.
  auto crash = [](const term& name, otter::pid) { otter::gen::cast(worker::via(name), otter::tuple(otter::atom("inc"), "x")); };
  auto kill = [](const term&, otter::pid p) { otter::exit(p, otter::exit_reason::kill()); };

  // 3a: K at once
  const recovery b = co_await recover(names, values, burst, crash);
  bench::require(b.differing == 0, "a crashed worker came back with another value");
  rep.add("crash_burst_workers", double(k));
  rep.add("crash_burst_recovery_ms", double(b.total_ns) / 1e6);
  rep.add("crash_burst_median_latency_us", double(median_rank(b.latencies, 50)) / 1000.0);
  rep.add("crash_burst_p99_latency_us", double(median_rank(b.latencies, 99)) / 1000.0);
  rep.add("crash_burst_values_kept", double(k - b.differing));

  // 3b: K others, one at a time
  std::vector<std::int64_t> seq_lat;
  for (std::size_t i : seq) {
    const std::vector<std::size_t> one{i};
    const recovery r = co_await recover(names, values, one, crash);
    bench::require(r.differing == 0, "a crashed worker came back with another value");
    seq_lat.push_back(r.latencies[0]);
  }
  std::int64_t seq_total = 0;
  for (auto l : seq_lat) seq_total += l;
  rep.add("crash_seq_median_latency_us", double(median_rank(seq_lat, 50)) / 1000.0);
  rep.add("crash_seq_p99_latency_us", double(median_rank(seq_lat, 99)) / 1000.0);
  rep.add("crash_seq_total_ms", double(seq_total) / 1e6);

  // 4a: kill K never-crashed workers
  const recovery kl = co_await recover(names, values, killed, kill);
  rep.add("kill_workers", double(k));
  rep.add("kill_values_lost", double(kl.differing));
  rep.add("kill_recovery_ms", double(kl.total_ns) / 1e6);
  rep.add("kill_median_latency_us", double(median_rank(kl.latencies, 50)) / 1000.0);

  // 4b: one more inc on each burst-crashed worker, then a kill
  for (std::size_t i : burst) worker::inc(names[i]);
  const std::vector<std::int64_t> values2 = co_await read_values(names);
  const recovery st = co_await recover(names, values2, burst, kill);
  std::int64_t back_to_saved = 0;
  for (std::size_t i : burst) {
    const term& name = names[i];
    if (co_await worker::value(name) == values2[i] - 1) ++back_to_saved;
  }
  rep.add("kill_stale_values", double(st.differing));
  rep.add("kill_stale_back_to_saved_value", double(back_to_saved));

  // What the write-through costs a worker: one ETS insert of {name, value}
  // per update, measured alone on a table like Counter.Store.
  {
    otter::ets::options o;
    o.protection = otter::ets::access::public_;
    const term table = otter::ets::new_table(otter::atom("w7_write_through"), o);
    const std::int64_t n = std::min<std::int64_t>(c, 1'000'000);
    const std::int64_t tw = bench::now_ns();
    for (std::int64_t j = 0; j < n; ++j) otter::ets::insert(table, otter::tuple(names[static_cast<std::size_t>(j % w)], j));
    rep.add("write_through_ns_per_update", double(bench::now_ns() - tw) / double(n));
    otter::ets::delete_table(table);
  }

  const term counts = co_await otter::dynamic_supervisor::count_children(counter::worker_supervisor::name);
  const std::int64_t active = counts.at(term(otter::atom("active"))).as_int();
  bench::require(active == w, "not every worker is alive at the end");
  rep.add("workers_alive_at_end", double(active));
  otter::send(main, std::move(rep));
}

const char* unit_of(const std::string& m) {
  if (m.ends_with("per_sec")) return m.starts_with("workers") ? "workers/s" : m.starts_with("value") ? "calls/s" : "casts/s";
  if (m.ends_with("_us") || m.starts_with("us_")) return "us";
  if (m.ends_with("_ns_per_update")) return "ns";
  if (m.ends_with("_ms")) return "ms";
  if (m == "sum_verified") return "bool";
  return "workers";
}

}  // namespace

int main() {
  const std::int64_t w = bench::env_int("W7_WORKERS", 10'000);
  const std::int64_t c = bench::env_int("W7_CASTS", 1'000'000);
  const std::int64_t k = bench::env_int("W7_CRASH", 1'000);
  const std::int64_t max_restarts = bench::env_int("W7_MAX_RESTARTS", 1'000'000);
  if (k < 1 || 3 * k > w) {
    std::fprintf(stderr, "w7_counters: W7_CRASH=%lld needs 1 <= W7_CRASH and W7_WORKERS >= %lld (three disjoint sets)\n",
                 static_cast<long long>(k), static_cast<long long>(3 * k));
    return 2;
  }
  otter::set_log_handler({});  // as the peer (W7_LOG=0): one report per crash is not the workload
  otter::runtime_config cfg = bench::config();
  cfg.on_crash = {};
  otter::runtime rt(cfg);
  bench::header("w7_counters", rt);
  otter::application::put_env(rt, "counter", "max_children", term(w));
  otter::application::put_env(rt, "counter", "max_restarts", term(max_restarts));
  bench::require(counter::application::start(rt).is_ok(), "the counter application did not start");
  {
    otter::scoped_process me(rt);
    const otter::pid d = rt.spawn(driver, w, c, k, me.self());
    const otter::reference mon = me.monitor(d);
    std::optional<report> got;
    me.receive_any([&](report r) { got = std::move(r); },
                   otter::when([mon](const otter::down_message& m) { return m.ref == mon; },
                               [](otter::down_message m) {
                                 std::fprintf(stderr, "w7_counters: the driver ended with %s\n", m.reason.to_string().c_str());
                               }));
    if (!got) return 1;
    const report& rep = *got;
    bench::result("counters", "workers", w, "workers");
    for (const auto& [metric, v] : rep.figures) bench::result("counters", metric.c_str(), v, unit_of(metric));
  }
  counter::application::stop(rt);
  return 0;
}

// W1 spawn: spawn N processes that each wait in `receive`, measure the time
// until all of them wait and the memory per process, then end them all and
// measure the teardown. The otter version of peers/beam/w1_spawn.exs.
//
//   W1_N=1000000 W1_ROUNDS=1 W1_STOP=kill build/release/bench/w1_spawn
//
// Env: W1_N (1000000), W1_ROUNDS (1; round 2+ is reported as spawn_warm and
// reuses the memory freed by round 1), W1_STOP (kill | msg: end the processes
// with rt.exit(pid, exit_reason::kill()) or by sending them `stop`),
// OTTER_SCHEDULERS (0 = one per core).
//
// Figures (same names as the BEAM script):
//   ns_per_spawn            from the first spawn until every process has
//                           reached its receive, / N
//   spawn_call_ns           time spent in the N rt.spawn calls alone, / N
//   bytes_per_process_rss   VmRSS delta / N (round 1 only is meaningful;
//                           printed every round as BEAM does)
//   teardown_ms             from the first exit signal (or stop message)
//                           until rt.await_all_exited() returns
//   teardown_ns_per_process, teardown_signal_loop_ns (the signalling loop
//                           alone, / N), rss_after_teardown_delta_mib
#include <atomic>
#include <vector>

#include "common.hpp"

namespace {

struct stop {};
struct all_ready {};

// How main learns that every process has reached its receive: each process
// decrements this counter just before its `co_await receive<stop>()`, and the
// one that brings it to zero sends a single `all_ready` to main. This adds no
// message per process (only one in total) and no polling: main sleeps in
// scoped_process::receive until the last process is there. The counter is the
// only extra work per process (one atomic RMW, as the CAF peer's init
// counter). The alternative, polling rt.get_process_info on the last pid,
// would be less exact: with several schedulers the last spawned process is
// not necessarily the last to run.
std::atomic<std::int64_t> g_pending{0};
otter::pid g_main;

otter::process waiter() {
  if (g_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) otter::send(g_main, all_ready{});
  co_await otter::receive<stop>();
}

void round(otter::runtime& rt, otter::scoped_process& me, std::vector<otter::pid>& pids, int r, bool kill) {
  const char* wl = r == 1 ? "spawn" : "spawn_warm";
  const std::int64_t n = static_cast<std::int64_t>(pids.size());
  g_pending.store(n, std::memory_order_relaxed);
  g_main = me.self();
  // The pid vector is allocated and touched before rss0 (as the CAF peer
  // does), so the RSS delta is the processes' memory only.
  const std::int64_t rss0 = bench::rss_bytes();

  const std::int64_t t0 = bench::now_ns();
  for (auto& p : pids) p = rt.spawn(waiter);
  const std::int64_t t1 = bench::now_ns();
  me.receive<all_ready>();
  const std::int64_t t2 = bench::now_ns();
  const std::int64_t rss1 = bench::rss_bytes();

  bench::result(wl, "ns_per_spawn", double(t2 - t0) / n, "ns");
  bench::result(wl, "spawn_call_ns", double(t1 - t0) / n, "ns");
  bench::result(wl, "bytes_per_process_rss", double(rss1 - rss0) / n, "bytes");
  bench::result(wl, "live_processes", static_cast<std::int64_t>(rt.process_count()), "processes");

  const std::int64_t t3 = bench::now_ns();
  if (kill) {
    const otter::exit_reason reason = otter::exit_reason::kill();
    for (auto p : pids) rt.exit(p, reason);
  } else {
    for (auto p : pids) me.send(p, stop{});
  }
  const std::int64_t t4 = bench::now_ns();
  rt.await_all_exited();
  const std::int64_t t5 = bench::now_ns();
  const std::int64_t rss2 = bench::rss_bytes();

  bench::result(wl, "teardown_ms", double(t5 - t3) / 1e6, "ms");
  bench::result(wl, "teardown_ns_per_process", double(t5 - t3) / n, "ns");
  bench::result(wl, "teardown_signal_loop_ns", double(t4 - t3) / n, "ns");
  bench::result(wl, "rss_after_teardown_delta_mib", double(rss2 - rss0) / bench::mib, "MiB");
  std::printf("# %s stop=%s rss0=%lld rss1=%lld rss2=%lld\n", wl, kill ? "kill" : "msg",
              static_cast<long long>(rss0), static_cast<long long>(rss1), static_cast<long long>(rss2));
}

}  // namespace

int main() {
  const std::int64_t n = bench::env_int("W1_N", 1'000'000);
  const std::int64_t rounds = bench::env_int("W1_ROUNDS", 1);
  const std::string stop_mode = bench::env_str("W1_STOP", "kill");
  bench::require(n >= 1, "W1_N must be >= 1");
  bench::require(rounds >= 1, "W1_ROUNDS must be >= 1");
  bench::require(stop_mode == "kill" || stop_mode == "msg", "W1_STOP must be kill or msg");

  otter::runtime_config cfg = bench::config();
  if (static_cast<std::size_t>(n) + 1024 > cfg.max_processes) cfg.max_processes = static_cast<std::size_t>(n) + 1024;
  otter::runtime rt(cfg);
  bench::header("w1_spawn", rt);
  {
    otter::scoped_process me(rt);
    std::vector<otter::pid> pids(static_cast<std::size_t>(n));
    bench::result("spawn", "n", n, "processes");
    for (int r = 1; r <= rounds; ++r) round(rt, me, pids, r, stop_mode == "kill");
  }
  return 0;
}

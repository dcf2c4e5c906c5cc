// Idle cost: 10,000 processes waiting in receive plus one process whose
// timer fires every millisecond, for IDLE_SECONDS. Prints the CPU time the
// whole program used, as a percentage of one core (CAF's users report ~40%
// for an idle CAF system; the goal is a few percent).
//
//   IDLE_PROCS=10000 IDLE_SECONDS=5 build/release/bench/idle_cpu
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "otter/otter.hpp"

namespace {
struct stop {};
struct ticks { long n; };

long env_long(const char* name, long dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::atol(v) : dflt;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

otter::process idle() { co_await otter::receive<stop>(); }

otter::process ticker(otter::pid report_to) {
  long n = 0;
  for (;;) {
    auto s = co_await otter::receive<stop>(std::chrono::milliseconds(1));
    if (s) break;
    ++n;
  }
  otter::send(report_to, ticks{n});
}
}  // namespace

int main() {
  const long procs = env_long("IDLE_PROCS", 10000);
  const long seconds = env_long("IDLE_SECONDS", 5);
  otter::runtime_config cfg;
  cfg.schedulers = static_cast<unsigned>(env_long("OTTER_SCHEDULERS", 0));
  otter::runtime rt(cfg);
  otter::scoped_process me(rt);
  std::vector<otter::pid> pids;
  for (long i = 0; i < procs; ++i) pids.push_back(rt.spawn(idle));
  auto t = rt.spawn(ticker, me.self());
  // Let the spawns settle before measuring.
  (void)me.receive<int>(std::chrono::milliseconds(200));
  double c0 = cpu_seconds();
  auto w0 = std::chrono::steady_clock::now();
  (void)me.receive<int>(std::chrono::seconds(seconds));  // main sleeps too
  double c1 = cpu_seconds();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  me.send(t, stop{});
  auto n = me.receive<ticks>(std::chrono::seconds(10));
  for (auto p : pids) me.send(p, stop{});
  double pct = 100.0 * (c1 - c0) / wall;
  std::printf("RESULT workload=idle metric=cpu_percent_of_one_core value=%.3f unit=%%\n", pct);
  std::printf("RESULT workload=idle metric=timer_ticks_per_sec value=%.1f unit=ticks/s\n",
              n ? n->n / (wall + 0.2) : 0.0);
  std::printf("# idle: %ld waiting processes, one 1 ms timer, %u schedulers, %.2f s wall, %.4f s cpu\n", procs,
              rt.schedulers(), wall, c1 - c0);
  rt.await_all_exited();
}

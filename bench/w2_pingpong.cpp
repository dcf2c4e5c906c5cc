// W2 ping-pong: two processes exchange N round trips (ping sends
// ping{self}, pong answers pong{}). The otter version of
// peers/beam/w2_pingpong.exs.
//
//   W2_N=1000000 build/release/bench/w2_pingpong
//
// Env: W2_N (1000000), OTTER_SCHEDULERS (0 = one per core). Timed from the
// `go` that main sends to ping until main has received ping's `done` (sent
// after the N-th pong).
#include "common.hpp"

namespace {

struct ping { otter::pid from; };
struct pong {};
struct go { std::int64_t n; };
struct done {};
struct stop {};

otter::process ponger() {
  for (bool running = true; running;) {
    co_await otter::receive([](ping p) { otter::send(p.from, pong{}); }, [&](stop) { running = false; });
  }
}

otter::process pinger(otter::pid partner, otter::pid main) {
  const otter::pid me = otter::self();
  const go g = co_await otter::receive<go>();
  for (std::int64_t k = g.n; k > 0; --k) {
    otter::send(partner, ping{me});
    co_await otter::receive<pong>();
  }
  otter::send(main, done{});
}

}  // namespace

int main() {
  const std::int64_t n = bench::env_int("W2_N", 1'000'000);
  bench::require(n >= 1, "W2_N must be >= 1");
  otter::runtime rt(bench::config());
  bench::header("w2_pingpong", rt);
  {
    otter::scoped_process me(rt);
    const otter::pid pong_pid = rt.spawn(ponger);
    const otter::pid ping_pid = rt.spawn(pinger, pong_pid, me.self());
    const std::int64_t t0 = bench::now_ns();
    me.send(ping_pid, go{n});
    me.receive<done>();
    const std::int64_t t1 = bench::now_ns();
    me.send(pong_pid, stop{});
    const double ns = double(t1 - t0);
    bench::result("pingpong", "round_trips", n, "roundtrips");
    bench::result("pingpong", "round_trips_per_sec", n / (ns / 1e9), "roundtrips/s");
    bench::result("pingpong", "ns_per_round_trip", ns / n, "ns");
  }
  rt.await_all_exited();
  return 0;
}

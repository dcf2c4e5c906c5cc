// W4 fan-in (Savina Counting-like): W4_SENDERS processes each send W4_MSGS
// messages inc{1} to one receiver, which adds them up. Timed from the `go`
// that main sends to the senders until main has the receiver's report that
// it counted all S*M. No flow control: the receiver's mailbox holds the
// backlog (peak RSS delta reported, from VmHWM). The otter version of
// peers/beam/w4_fanin.exs.
//
//   W4_SENDERS=2 W4_MSGS=5000000 build/release/bench/w4_fanin
//
// Env: W4_SENDERS (2), W4_MSGS (5000000, per sender), OTTER_SCHEDULERS
// (0 = one per core), W4_YIELD_EVERY (0: each sender sends its M messages in
// one tight loop, as the BEAM script and the CAF peer's default write it; an
// otter process is never preempted, so a sender holds its scheduler until it
// is done. B > 0: the sender calls otter::yield() every B messages, which
// approximates BEAM's reduction-based preemption).
#include <vector>

#include "common.hpp"

namespace {

struct inc { std::int64_t k; };
struct go { std::int64_t m; };
struct counted { std::int64_t count; };

otter::process receiver(std::int64_t total, otter::pid main) {
  std::int64_t count = 0;
  while (count < total) count += (co_await otter::receive<inc>()).k;
  otter::send(main, counted{count});
}

otter::process sender(otter::pid to, std::int64_t yield_every) {
  const go g = co_await otter::receive<go>();
  if (yield_every <= 0) {
    for (std::int64_t i = 0; i < g.m; ++i) otter::send(to, inc{1});
  } else {
    for (std::int64_t i = 0; i < g.m; ++i) {
      otter::send(to, inc{1});
      if ((i + 1) % yield_every == 0) co_await otter::yield();
    }
  }
}

}  // namespace

int main() {
  const std::int64_t s = bench::env_int("W4_SENDERS", 2);
  const std::int64_t m = bench::env_int("W4_MSGS", 5'000'000);
  const std::int64_t yield_every = bench::env_int("W4_YIELD_EVERY", 0);
  bench::require(s >= 1, "W4_SENDERS must be >= 1");
  bench::require(m >= 1, "W4_MSGS must be >= 1");
  const std::int64_t total = s * m;
  otter::runtime rt(bench::config());
  bench::header("w4_fanin", rt);
  {
    otter::scoped_process me(rt);
    const std::int64_t rss0 = bench::rss_bytes();
    const otter::pid recv = rt.spawn(receiver, total, me.self());
    std::vector<otter::pid> senders;
    for (std::int64_t i = 0; i < s; ++i) senders.push_back(rt.spawn(sender, recv, yield_every));
    const std::int64_t t0 = bench::now_ns();
    for (otter::pid p : senders) me.send(p, go{m});
    const counted c = me.receive<counted>();
    const std::int64_t t1 = bench::now_ns();
    const std::int64_t hwm = bench::hwm_bytes();
    const double ns = double(t1 - t0);
    const std::int64_t ok = c.count == total ? 1 : 0;
    bench::result("fanin", "senders", s, "processes");
    bench::result("fanin", "total_msgs", total, "msgs");
    if (yield_every > 0) bench::result("fanin", "yield_every", yield_every, "msgs");
    bench::result("fanin", "msgs_per_sec", total / (ns / 1e9), "msgs/s");
    bench::result("fanin", "ns_per_msg", ns / total, "ns");
    bench::result("fanin", "peak_rss_delta_mib", double(hwm - rss0) / bench::mib, "MiB");
    bench::result("fanin", "verified", ok, "bool");
    if (!ok) {
      std::fprintf(stderr, "fan-in counted %lld, expected %lld\n", static_cast<long long>(c.count),
                   static_cast<long long>(total));
      return 1;
    }
  }
  rt.await_all_exited();
  return 0;
}

// W3 ring (Savina ThreadRing): W3_PROCS processes in a ring pass one token
// W3_HOPS hops. Main injects token{H} into node 0; a node that receives
// token{k > 0} forwards token{k - 1} to its successor; the node that receives
// token{0} tells main. So exactly H process-to-process hops are timed. The
// otter version of peers/beam/w3_ring.exs.
//
//   W3_PROCS=1000 W3_HOPS=2000000 build/release/bench/w3_ring
//
// Env: W3_PROCS (1000; W3_ACTORS, the CAF peer's name, is accepted too),
// W3_HOPS (2000000), OTTER_SCHEDULERS (0 = one per core).
#include <chrono>
#include <thread>
#include <vector>

#include "common.hpp"

namespace {

struct next_node { otter::pid next; otter::pid main; };
struct token { std::int64_t left; };
struct done {};
struct stop {};

otter::process node() {
  const next_node links = co_await otter::receive<next_node>();
  for (bool running = true; running;) {
    co_await otter::receive(
        [&](token t) {
          if (t.left == 0)
            otter::send(links.main, done{});
          else
            otter::send(links.next, token{t.left - 1});
        },
        [&](stop) { running = false; });
  }
}

// Waits until every node has taken its successor and waits in receive with an
// empty mailbox (the BEAM script's wait_idle: message_queue_len == 0).
void wait_idle(otter::scoped_process& me, const std::vector<otter::pid>& nodes) {
  for (otter::pid p : nodes) {
    for (;;) {
      auto info = me.get_process_info(p);
      bench::require(info.has_value(), "w3_ring: a ring node is not alive");
      if (info->status == otter::process_info::state::waiting && info->message_queue_len == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

}  // namespace

int main() {
  const std::int64_t r = bench::env_int_any({"W3_PROCS", "W3_ACTORS"}, 1000);
  const std::int64_t h = bench::env_int("W3_HOPS", 2'000'000);
  bench::require(r >= 1, "W3_PROCS must be >= 1");
  bench::require(h >= 0, "W3_HOPS must be >= 0");
  otter::runtime rt(bench::config());
  bench::header("w3_ring", rt);
  {
    otter::scoped_process me(rt);
    std::vector<otter::pid> nodes;
    nodes.reserve(static_cast<std::size_t>(r));
    for (std::int64_t i = 0; i < r; ++i) nodes.push_back(rt.spawn(node));
    for (std::size_t i = 0; i < nodes.size(); ++i)
      me.send(nodes[i], next_node{nodes[(i + 1) % nodes.size()], me.self()});
    wait_idle(me, nodes);

    const std::int64_t t0 = bench::now_ns();
    me.send(nodes[0], token{h});
    me.receive<done>();
    const std::int64_t t1 = bench::now_ns();
    for (otter::pid p : nodes) me.send(p, stop{});
    const double ns = double(t1 - t0);
    bench::result("ring", "ring_size", r, "processes");
    bench::result("ring", "hops", h, "hops");
    bench::result("ring", "hops_per_sec", h / (ns / 1e9), "hops/s");
    bench::result("ring", "ns_per_hop", h > 0 ? ns / h : 0.0, "ns");
  }
  rt.await_all_exited();
  return 0;
}

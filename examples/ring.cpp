// A ring of processes passing a token — the first program to read.
//
// N processes each wait for the pid of their successor, then forward a
// countdown token around the ring until it reaches zero; the process that
// sees zero tells main. Then main asks every node to stop and waits for the
// DOWN messages of its monitors.
//
//   build/release/examples/ring [processes] [hops]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "otter/otter.hpp"

struct next_node { otter::pid next; otter::pid main; };
struct token { long left; };
struct done { long hops; };
struct stop {};

otter::process node() {
  const next_node links = co_await otter::receive<next_node>();
  long forwarded = 0;
  for (bool running = true; running;) {
    co_await otter::receive(
        [&](token t) {
          if (t.left == 0) {
            otter::send(links.main, done{forwarded});
          } else {
            otter::send(links.next, token{t.left - 1});
            ++forwarded;
          }
        },
        [&](stop) { running = false; });
  }
}

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000;
  long hops = argc > 2 ? std::atol(argv[2]) : 1000000;
  if (n < 1 || hops < 0) {
    std::fprintf(stderr, "usage: ring [processes >= 1] [hops >= 0]\n");
    return 2;
  }
  otter::runtime rt;
  otter::scoped_process me(rt);
  std::vector<otter::pid> nodes;
  for (long i = 0; i < n; ++i) nodes.push_back(rt.spawn(node));
  for (long i = 0; i < n; ++i) me.send(nodes[i], next_node{nodes[(i + 1) % n], me.self()});
  std::vector<otter::reference> monitors;
  for (auto p : nodes) monitors.push_back(me.monitor(p));

  auto t0 = std::chrono::steady_clock::now();
  me.send(nodes[0], token{hops});
  me.receive<done>();
  auto dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  for (auto p : nodes) me.send(p, stop{});
  for (std::size_t i = 0; i < nodes.size(); ++i) me.receive<otter::down_message>();

  std::printf("ring of %ld processes on %u schedulers passed a token %ld hops in %.3f s (%.2f M hops/s)\n", n,
              rt.schedulers(), hops, dt, hops / dt / 1e6);
  std::printf("all %zu processes ended normally; first was %s\n", nodes.size(), nodes[0].to_string().c_str());
  return 0;
}

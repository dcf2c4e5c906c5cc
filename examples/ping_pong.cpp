// Two processes exchanging messages: spawn, send, selective receive, self().
#include <cstdio>

#include "otter/otter.hpp"

struct ping { otter::pid from; int n; };
struct pong { int n; };
struct finished { int rounds; };

otter::process ponger() {
  for (;;) {
    auto p = co_await otter::receive<ping>();
    otter::send(p.from, pong{p.n});
    if (p.n == 0) co_return;
  }
}

otter::process pinger(otter::pid partner, otter::pid report_to, int rounds) {
  for (int i = rounds; i >= 0; --i) {
    otter::send(partner, ping{otter::self(), i});
    co_await otter::receive<pong>([i](const pong& p) { return p.n == i; });
  }
  otter::send(report_to, finished{rounds});
}

int main() {
  otter::runtime rt;
  otter::scoped_process me(rt);
  auto b = rt.spawn(ponger);
  rt.spawn(pinger, b, me.self(), 10);
  auto f = me.receive<finished>();
  std::printf("ping-pong: %d round trips between %s and a pinger\n", f.rounds + 1, b.to_string().c_str());
}

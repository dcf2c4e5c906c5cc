// Registry rates: the otter side of bench/registry_rate.exs (same workload
// ids and metrics; bench/compare.sh runs both with WORKLOADS=reg).
//  registry_register: one process registers REG_N unique keys (integers),
//      then (after the lookups) unregisters REG_UNREG of them.
//  registry_lookup: while they are registered, REG_PROCS processes look up
//      REG_LOOKUPS random keys in all and check every lookup found the holder.
//
//   build/release/bench/registry_rate
//
// Env: REG_N (100000), REG_LOOKUPS (1000000), REG_PROCS (2), REG_UNREG (1000),
// OTTER_SCHEDULERS.
#include <algorithm>
#include <random>
#include <vector>

#include "common.hpp"
#include "otter/registry.hpp"

namespace reg = otter::registry;
using otter::term;

namespace {

struct go {};
struct timed {
  std::int64_t ns;
};
struct looked {
  std::int64_t found;
};
const char* const registry_name = "RegRate.R";

otter::process holder(std::int64_t n, std::int64_t u, otter::pid main) {
  co_await otter::receive<go>();
  std::int64_t t0 = bench::now_ns();
  for (std::int64_t i = 1; i <= n; ++i)
    if (!reg::register_key(registry_name, term(i), term())[0].is_atom(otter::atoms::ok)) otter::send(main, timed{-1});
  otter::send(main, timed{bench::now_ns() - t0});
  co_await otter::receive<go>();
  t0 = bench::now_ns();
  for (std::int64_t i = 1; i <= u; ++i) reg::unregister(registry_name, term(i));
  otter::send(main, timed{bench::now_ns() - t0});
  co_await otter::receive<go>();
}

otter::process looker(std::int64_t n, std::int64_t per, std::uint64_t seed, otter::pid owner, otter::pid main) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> d(1, n);
  std::vector<term> keys;
  keys.reserve(static_cast<std::size_t>(per));
  for (std::int64_t i = 0; i < per; ++i) keys.push_back(term(d(rng)));
  co_await otter::receive<go>();
  std::int64_t found = 0;
  for (const term& k : keys) {
    auto r = reg::lookup(registry_name, k);
    if (r.size() == 1 && r[0].process == owner) ++found;
  }
  otter::send(main, looked{found});
}

}  // namespace

int main() {
  const std::int64_t n = bench::env_int("REG_N", 100'000);
  const std::int64_t l = bench::env_int("REG_LOOKUPS", 1'000'000);
  const std::int64_t p = std::max<std::int64_t>(1, bench::env_int("REG_PROCS", 2));
  const std::int64_t u = std::min(bench::env_int("REG_UNREG", 1000), n);
  otter::runtime rt(bench::config());
  bench::header("registry_rate", rt);
  {
    otter::scoped_process me(rt);
    bench::require(reg::start_link(me, {reg::keys::unique, registry_name, 1}).is_ok(), "the registry did not start");
    const otter::pid h = rt.spawn(holder, n, u, me.self());
    me.send(h, go{});
    const timed r = me.receive<timed>();
    bench::require(r.ns > 0, "a registration failed");
    bench::result("registry_register", "keys", n, "keys");
    bench::result("registry_register", "registers_per_sec", double(n) / (double(r.ns) / 1e9), "ops/s");

    const std::int64_t per = l / p;
    std::vector<otter::pid> lookers;
    for (std::int64_t k = 0; k < p; ++k)
      lookers.push_back(rt.spawn(looker, n, per, static_cast<std::uint64_t>(k + 1), h, me.self()));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the keys are drawn before the clock
    const std::int64_t t0 = bench::now_ns();
    for (auto q : lookers) me.send(q, go{});
    std::int64_t found = 0;
    for (std::int64_t k = 0; k < p; ++k) found += me.receive<looked>().found;
    const double ns = double(bench::now_ns() - t0);
    bench::result("registry_lookup", "lookups", per * p, "ops");
    bench::result("registry_lookup", "lookups_per_sec", double(per * p) / (ns / 1e9), "ops/s");
    bench::result("registry_lookup", "verified", found == per * p ? 1 : 0, "bool");
    bench::require(found == per * p, "a lookup did not find its key's holder");

    me.send(h, go{});
    const timed un = me.receive<timed>();
    bench::result("registry_register", "unregisters_per_sec", double(u) / (double(un.ns) / 1e9), "ops/s");
    me.send(h, go{});
  }
  return 0;
}

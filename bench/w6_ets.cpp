// W6 ETS: the otter version of peers/beam/w6_ets.exs, with the same parts,
// workload ids and metric names.
//  (a) ets_set_1proc: a :set, :public table; one process inserts {i, i} for
//      i in 1..N, then does N lookups of random keys (drawn before the clock).
//  (e) ets_set_1proc_conc_opts: (a) on a table with write_concurrency and
//      read_concurrency.
//  (b) ets_set_2proc: two processes insert half the keys each (disjoint
//      ranges), then after a barrier each does N/2 random lookups.
//  (c) ets_bag_match_object: a :bag of {k, v}, k in 0..K-1, v in 0..V-1;
//      match_object(tab, {_, 1}) timed over W6_MATCH_CALLS calls.
//  (d) ets_update_counter_1proc: update_counter(tab, :hits, 1) N times.
//  (f) ets_update_counter_2proc: (d) split over two processes, one key.
//
//   build/release/bench/w6_ets
//
// Env: W6_N (1000000), W6_BAG_KEYS (10000), W6_BAG_VALS (10),
// W6_MATCH_CALLS (20), W6_COUNTER_N (1000000), W6_PARTS (abcd; add e, f),
// OTTER_SCHEDULERS.
#include <random>
#include <string>
#include <vector>

#include "common.hpp"
#include "otter/ets.hpp"
#include "otter/term_parse.hpp"

using namespace otter::literals;
namespace ets = otter::ets;
using otter::term;

namespace {

struct done {
  std::int64_t found;
};
struct go {};

std::vector<std::int64_t> random_keys(std::int64_t count, std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> d(1, n);
  std::vector<std::int64_t> v(static_cast<std::size_t>(count));
  for (auto& k : v) k = d(rng);
  return v;
}

void insert_range(const term& tab, std::int64_t lo, std::int64_t hi) {
  for (std::int64_t i = lo; i <= hi; ++i) ets::insert(tab, otter::tuple(i, i));
}

std::int64_t lookup_all(const term& tab, const std::vector<std::int64_t>& keys) {
  std::int64_t found = 0;
  for (std::int64_t k : keys) {
    auto r = ets::lookup(tab, k);
    if (r.size() == 1 && r[0][1].as_int() == k) ++found;
  }
  return found;
}

// Runs `body` in a new process and waits for it (so that ETS is used from a
// process, as the BEAM script does).
template <class F>
void in_process(otter::runtime& rt, otter::scoped_process& me, F body) {
  rt.spawn([](otter::pid to, F f) -> otter::process {
    f();
    otter::send(to, done{0});
    co_return;
  }, me.self(), std::move(body));
  me.receive<done>();
}

void single(otter::runtime& rt, otter::scoped_process& me, const char* wl, const char* opts, std::int64_t n) {
  in_process(rt, me, [=] {
    term tab = ets::new_table("w6a"_a, otter::parse_term(opts));
    const auto keys = random_keys(n, n, 1);
    const std::int64_t t0 = bench::now_ns();
    insert_range(tab, 1, n);
    const std::int64_t t1 = bench::now_ns();
    const std::int64_t found = lookup_all(tab, keys);
    const std::int64_t t2 = bench::now_ns();
    bench::require(found == n, "lookups did not all find their key");
    bench::require(ets::info(tab, "size"_a).as_int() == n, "wrong table size");
    bench::result(wl, "inserts_per_sec", double(n) / (double(t1 - t0) / 1e9), "ops/s");
    bench::result(wl, "ns_per_insert", double(t1 - t0) / double(n), "ns");
    bench::result(wl, "lookups_per_sec", double(n) / (double(t2 - t1) / 1e9), "ops/s");
    bench::result(wl, "ns_per_lookup", double(t2 - t1) / double(n), "ns");
    bench::result(wl, "verified", 1, "bool");
    ets::delete_table(tab);
  });
}

otter::process part_b_worker(term tab, std::int64_t lo, std::int64_t hi, std::int64_t n, otter::pid main) {
  const auto keys = random_keys(hi - lo + 1, n, static_cast<std::uint64_t>(lo));
  otter::send(main, done{-1});  // ready
  co_await otter::receive<go>();
  insert_range(tab, lo, hi);
  otter::send(main, done{-2});  // inserted
  co_await otter::receive<go>();
  otter::send(main, done{lookup_all(tab, keys)});
}

void part_b(otter::runtime& rt, otter::scoped_process& me, std::int64_t n) {
  term tab = ets::new_table("w6b"_a, otter::parse_term("[:set, :public, {:write_concurrency, true}, {:read_concurrency, true}]"));
  const std::int64_t half = n / 2;
  otter::pid w[2] = {rt.spawn(part_b_worker, tab, 1, half, n, me.self()),
                     rt.spawn(part_b_worker, tab, half + 1, n, n, me.self())};
  for (int i = 0; i < 2; ++i) me.receive<done>();
  const std::int64_t t0 = bench::now_ns();
  for (auto p : w) me.send(p, go{});
  for (int i = 0; i < 2; ++i) me.receive<done>();
  const std::int64_t t1 = bench::now_ns();
  for (auto p : w) me.send(p, go{});
  std::int64_t found = 0;
  for (int i = 0; i < 2; ++i) found += me.receive<done>().found;
  const std::int64_t t2 = bench::now_ns();
  bench::require(found == n, "ets_set_2proc: lookups did not all find their key");
  bench::require(ets::info(tab, "size"_a).as_int() == n, "ets_set_2proc: wrong table size");
  const char* wl = "ets_set_2proc";
  bench::result(wl, "inserts_per_sec", double(n) / (double(t1 - t0) / 1e9), "ops/s");
  bench::result(wl, "lookups_per_sec", double(n) / (double(t2 - t1) / 1e9), "ops/s");
  bench::result(wl, "ops_per_sec", 2.0 * double(n) / (double(t2 - t0) / 1e9), "ops/s");
  bench::result(wl, "verified", 1, "bool");
  ets::delete_table(tab);
}

void part_c(otter::runtime& rt, otter::scoped_process& me, std::int64_t nk, std::int64_t nv, std::int64_t calls) {
  in_process(rt, me, [=] {
    term tab = ets::new_table("w6c"_a, otter::parse_term("[:bag, :public]"));
    for (std::int64_t k = 0; k < nk; ++k)
      for (std::int64_t v = 0; v < nv; ++v) ets::insert(tab, otter::tuple(k, v));
    bench::require(ets::info(tab, "size"_a).as_int() == nk * nv, "bag size");
    const std::int64_t want = nv > 1 ? nk : 0;
    const term pattern = otter::tuple(otter::atoms::underscore, 1);
    bool ok = true;
    const std::int64_t t0 = bench::now_ns();
    for (std::int64_t c = 0; c < calls; ++c) ok = ok && static_cast<std::int64_t>(ets::match_object(tab, pattern).size()) == want;
    const std::int64_t t1 = bench::now_ns();
    bench::require(ok, "match_object returned the wrong number of objects");
    const char* wl = "ets_bag_match_object";
    bench::result(wl, "objects", nk * nv, "objects");
    bench::result(wl, "ms_per_match_object", double(t1 - t0) / double(calls) / 1e6, "ms");
    bench::result(wl, "matched", want, "objects");
    bench::result(wl, "verified", 1, "bool");
    ets::delete_table(tab);
  });
}

void part_d(otter::runtime& rt, otter::scoped_process& me, std::int64_t n) {
  in_process(rt, me, [=] {
    term tab = ets::new_table("w6d"_a, otter::parse_term("[:set, :public]"));
    ets::insert(tab, otter::tuple("hits"_a, 0));
    const term key = "hits"_a;
    const std::int64_t t0 = bench::now_ns();
    for (std::int64_t i = 0; i < n; ++i) ets::update_counter(tab, key, 1);
    const std::int64_t t1 = bench::now_ns();
    bench::require(ets::lookup_element(tab, key, 2).as_int() == n, "update_counter: wrong value");
    const char* wl = "ets_update_counter_1proc";
    bench::result(wl, "ops_per_sec", double(n) / (double(t1 - t0) / 1e9), "ops/s");
    bench::result(wl, "ns_per_op", double(t1 - t0) / double(n), "ns");
    bench::result(wl, "verified", 1, "bool");
    ets::delete_table(tab);
  });
}

otter::process counter_worker(term tab, std::int64_t share, otter::pid main) {
  co_await otter::receive<go>();
  const term key = "hits"_a;
  for (std::int64_t i = 0; i < share; ++i) ets::update_counter(tab, key, 1);
  otter::send(main, done{share});
}

void part_f(otter::runtime& rt, otter::scoped_process& me, std::int64_t n) {
  term tab = ets::new_table("w6d2"_a, otter::parse_term("[:set, :public, {:write_concurrency, true}]"));
  ets::insert(tab, otter::tuple("hits"_a, 0));
  const std::int64_t half = n / 2;
  otter::pid w[2] = {rt.spawn(counter_worker, tab, half, me.self()), rt.spawn(counter_worker, tab, n - half, me.self())};
  const std::int64_t t0 = bench::now_ns();
  for (auto p : w) me.send(p, go{});
  for (int i = 0; i < 2; ++i) me.receive<done>();
  const std::int64_t t1 = bench::now_ns();
  bench::require(ets::lookup_element(tab, "hits"_a, 2).as_int() == n, "update_counter 2proc: wrong value");
  const char* wl = "ets_update_counter_2proc";
  bench::result(wl, "ops_per_sec", double(n) / (double(t1 - t0) / 1e9), "ops/s");
  bench::result(wl, "verified", 1, "bool");
  ets::delete_table(tab);
}

}  // namespace

int main() {
  const std::string parts = bench::env_str("W6_PARTS", "abcd");
  const std::int64_t n = bench::env_int("W6_N", 1'000'000);
  const std::int64_t nk = bench::env_int("W6_BAG_KEYS", 10'000);
  const std::int64_t nv = bench::env_int("W6_BAG_VALS", 10);
  const std::int64_t calls = bench::env_int("W6_MATCH_CALLS", 20);
  const std::int64_t cn = bench::env_int("W6_COUNTER_N", 1'000'000);
  bench::require(n >= 2 && nk >= 1 && nv >= 1 && calls >= 1 && cn >= 2, "W6 sizes must be positive");
  otter::runtime rt(bench::config());
  bench::header("w6_ets", rt);
  {
    otter::scoped_process me(rt);
    if (parts.find('a') != std::string::npos) single(rt, me, "ets_set_1proc", "[:set, :public]", n);
    if (parts.find('e') != std::string::npos)
      single(rt, me, "ets_set_1proc_conc_opts",
             "[:set, :public, {:write_concurrency, true}, {:read_concurrency, true}]", n);
    if (parts.find('b') != std::string::npos) part_b(rt, me, n);
    if (parts.find('c') != std::string::npos) part_c(rt, me, nk, nv, calls);
    if (parts.find('d') != std::string::npos) part_d(rt, me, cn);
    if (parts.find('f') != std::string::npos) part_f(rt, me, cn);
  }
  rt.await_all_exited();
  return 0;
}

// otter::term throughput: construction, comparison, hashing, printing,
// parsing and ETF encode/decode. The ETF figures run on a fixed mixed set of
// terms that bench/term_etf.exs times with :erlang.term_to_binary and
// :erlang.binary_to_term in the same run (bench/compare_terms.sh).
//
//   build/release/bench/term_bench
//   TERM_ETF_OUT=/tmp/terms.etf build/release/bench/term_bench   # also writes the set for Erlang
//
// Env: TERM_N (200000, terms per construction/compare/hash pass),
// TERM_ETF_SET (10000 terms in the ETF set), TERM_MIN_MS (300: each figure
// runs whole passes until at least this long).
#include <algorithm>
#include <cstdlib>
#include <new>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "common.hpp"
#include "otter/detail/pool.hpp"
#include "otter/etf.hpp"
#include "otter/term.hpp"
#include "otter/term_parse.hpp"

using namespace otter::literals;

// Counts heap allocations (operator new) so that the program can report
// allocations per operation; otter's pool counts its own.
static std::uint64_t g_news = 0;  // this program allocates on one thread
void* operator new(std::size_t n) {
  ++g_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

volatile std::size_t g_sink;  // keeps results alive

std::uint64_t allocations() { return g_news + otter::detail::pool_allocations(); }

// Reports the allocations (heap and pool) that one call of `op` makes.
template <class F>
void allocations_per(const char* metric, F&& op) {
  op();  // warm: atoms interned, pool slabs carved
  constexpr int reps = 1000;
  const std::uint64_t a0 = allocations();
  for (int i = 0; i < reps; ++i) op();
  bench::result("term_allocs", metric, double(allocations() - a0) / reps, "allocs/op");
}

// Runs `pass` (which handles `items` items) until min_ms passed; returns items/s.
template <class F>
double rate(std::int64_t items, std::int64_t min_ms, F&& pass) {
  std::int64_t done = 0;
  const std::int64_t t0 = bench::now_ns();
  std::int64_t t1 = t0;
  do {
    pass();
    done += items;
    t1 = bench::now_ns();
  } while (t1 - t0 < min_ms * 1'000'000);
  return double(done) / (double(t1 - t0) / 1e9);
}

// The ETF set: the shapes a counter service and its shell move around.
std::vector<otter::term> etf_set(std::int64_t n) {
  std::vector<otter::term> v;
  v.reserve(static_cast<std::size_t>(n));
  const otter::atom worker("Elixir.Counter.Worker");
  for (std::int64_t i = 0; i < n; ++i) {
    switch (i % 5) {
      case 0: v.push_back(otter::tuple(worker, otter::tuple(otter::atom("W" + std::to_string(i % 100)), i))); break;
      case 1:
        v.push_back(otter::list{otter::tuple("name"_a, "W" + std::to_string(i)), otter::tuple("value"_a, i),
                                otter::tuple("tags"_a, otter::list{"a"_a, "b"_a})});
        break;
      case 2:
        v.push_back(otter::map{{"id", i}, {"name", "counter number " + std::to_string(i)},
                               {"scores", otter::list{1.5, 2.5, double(i)}}});
        break;
      case 3: {
        std::vector<otter::term> ints;
        for (std::int64_t k = 0; k < 20; ++k) ints.emplace_back(i * 1000 + k);
        v.push_back(otter::term::list_of(std::move(ints)));
        break;
      }
      default: v.push_back(otter::term::binary(std::string(100, static_cast<char>('a' + i % 26)))); break;
    }
  }
  return v;
}

}  // namespace

int main() {
  const std::int64_t n = bench::env_int("TERM_N", 200'000);
  const std::int64_t set_n = bench::env_int("TERM_ETF_SET", 10'000);
  const std::int64_t min_ms = bench::env_int("TERM_MIN_MS", 300);
  bench::require(n >= 1 && set_n >= 1 && min_ms >= 1, "TERM_N, TERM_ETF_SET and TERM_MIN_MS must be >= 1");
  std::printf("# term_bench sizeof(term)=%zu TERM_N=%lld TERM_ETF_SET=%lld\n", sizeof(otter::term),
              static_cast<long long>(n), static_cast<long long>(set_n));
  bench::result("term", "sizeof_term", static_cast<std::int64_t>(sizeof(otter::term)), "bytes");

  const otter::atom w1("W1");
  bench::result("term", "tuple2_per_sec", rate(n, min_ms, [&] {
                  for (std::int64_t i = 0; i < n; ++i) g_sink = otter::tuple(w1, i).size();
                }), "terms/s");
  bench::result("term", "list10_per_sec", rate(n, min_ms, [&] {
                  for (std::int64_t i = 0; i < n; ++i) g_sink = otter::list{i, 1, 2, 3, 4, 5, 6, 7, 8, 9}.size();
                }), "terms/s");
  bench::result("term", "map4_per_sec", rate(n, min_ms, [&] {
                  for (std::int64_t i = 0; i < n; ++i)
                    g_sink = otter::map{{"a"_a, i}, {"b"_a, 2}, {"c"_a, 3}, {"d"_a, 4}}.size();
                }), "terms/s");
  bench::result("term", "copy_shared_per_sec", rate(n, min_ms, [&, t = otter::tuple(w1, 1, "shared")] {
                  for (std::int64_t i = 0; i < n; ++i) {
                    otter::term c = t;
                    g_sink = c.size();
                  }
                }), "copies/s");

  std::mt19937_64 rng(1);
  std::vector<otter::term> mixed;
  for (std::int64_t i = 0; i < n; ++i) {
    switch (rng() % 4) {
      case 0: mixed.emplace_back(static_cast<std::int64_t>(rng() % 1000)); break;
      case 1: mixed.emplace_back(otter::tuple(w1, static_cast<std::int64_t>(rng() % 1000))); break;
      case 2: mixed.emplace_back("key" + std::to_string(rng() % 1000)); break;
      default: mixed.emplace_back(otter::list{static_cast<std::int64_t>(rng() % 10), 2.5}); break;
    }
  }
  bench::result("term", "compare_per_sec", rate(n, min_ms, [&] {
                  std::size_t less = 0;
                  for (std::size_t i = 1; i < mixed.size(); ++i) less += (mixed[i - 1] < mixed[i]) ? 1 : 0;
                  g_sink = less;
                }), "compares/s");
  bench::result("term", "hash_per_sec", rate(n, min_ms, [&] {
                  std::size_t h = 0;
                  for (const auto& t : mixed) h ^= t.hash();
                  g_sink = h;
                }), "hashes/s");
  {
    std::unordered_set<otter::term> set;
    bench::result("term", "unordered_set_insert_per_sec", rate(n, min_ms, [&] {
                    set.clear();
                    for (const auto& t : mixed) set.insert(t);
                    g_sink = set.size();
                  }), "inserts/s");
  }

  const std::vector<otter::term> set = etf_set(set_n);
  std::vector<std::string> encoded;
  std::size_t bytes = 0;
  for (const auto& t : set) {
    encoded.push_back(otter::etf::encode(t));
    bytes += encoded.back().size();
  }
  const double enc = rate(set_n, min_ms, [&] {
    std::string out;
    for (const auto& t : set) {
      out.clear();
      otter::etf::encode_to(out, t);
      g_sink = out.size();
    }
  });
  const double dec = rate(set_n, min_ms, [&] {
    for (const auto& b : encoded) g_sink = otter::etf::decode(b).kind() == otter::term_kind::nil;
  });
  bench::result("etf", "set_terms", set_n, "terms");
  bench::result("etf", "set_bytes", static_cast<std::int64_t>(bytes), "bytes");
  bench::result("etf", "encode_terms_per_sec", enc, "terms/s");
  bench::result("etf", "decode_terms_per_sec", dec, "terms/s");
  bench::result("etf", "encode_mb_per_sec", enc * double(bytes) / double(set_n) / 1e6, "MB/s");
  bench::result("etf", "decode_mb_per_sec", dec * double(bytes) / double(set_n) / 1e6, "MB/s");

  std::vector<std::string> texts;
  for (const auto& t : set) texts.push_back(t.to_string());
  bench::result("term", "print_per_sec", rate(set_n, min_ms, [&] {
                  for (const auto& t : set) g_sink = t.to_string().size();
                }), "terms/s");
  bench::result("term", "inspect_pretty_per_sec", rate(set_n, min_ms, [&] {
                  for (const auto& t : set) g_sink = otter::inspect(t).size();
                }), "terms/s");
  bench::result("term", "parse_per_sec", rate(set_n, min_ms, [&] {
                  for (const auto& s : texts) g_sink = otter::parse_term(s).kind() == otter::term_kind::nil;
                }), "terms/s");

  {
    const otter::term shared = otter::tuple(w1, 1, "a string longer than fourteen bytes");
    const std::string small_etf = otter::etf::encode(otter::tuple(w1, 5));
    allocations_per("tuple2", [&] { g_sink = otter::tuple(w1, 5).size(); });
    allocations_per("list10", [&] { g_sink = otter::list{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}.size(); });
    allocations_per("map4", [&] { g_sink = otter::map{{"a"_a, 1}, {"b"_a, 2}, {"c"_a, 3}, {"d"_a, 4}}.size(); });
    allocations_per("copy_tuple", [&] {
      otter::term c = shared;
      g_sink = c.size();
    });
    allocations_per("binary_14_bytes", [&] { g_sink = otter::term("fourteen bytes").size(); });
    allocations_per("binary_15_bytes", [&] { g_sink = otter::term("fifteen bytes!!").size(); });
    allocations_per("atom_existing", [&] { g_sink = otter::atom("W1").index(); });
    allocations_per("etf_encode_tuple2", [&] { g_sink = otter::etf::encode(otter::tuple(w1, 5)).size(); });
    allocations_per("etf_decode_tuple2", [&] { g_sink = otter::etf::decode(small_etf).size(); });
  }

  if (const std::string out = bench::env_str("TERM_ETF_OUT", ""); !out.empty()) {
    std::ofstream f(out, std::ios::binary);
    f << otter::etf::encode(otter::term::list_of(set));
  }
  return 0;
}

// A seeded generator of random terms for property tests (round trips of
// print/parse and encode/decode, and the cross-check against Elixir).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "otter/term.hpp"

namespace otter_test {

struct term_gen_options {
  bool pids_and_refs = true;  // Elixir cannot read them back as literals
  int max_depth = 4;
};

class term_gen {
 public:
  explicit term_gen(std::uint64_t seed, term_gen_options o = {}) : rng_(seed), o_(o) {}

  otter::term any(int depth = 0) {
    const int leaf_kinds = 7;
    const int kinds = depth >= o_.max_depth ? leaf_kinds : leaf_kinds + 5;
    switch (pick(kinds)) {
      case 0: return small_int();
      case 1: return big_int();
      case 2: return any_float();
      case 3: return otter::term(any_atom());
      case 4: return otter::term(text());
      case 5: return otter::term::binary(bytes());
      case 6:
        if (o_.pids_and_refs)
          return pick(2) ? otter::term(otter::pid((std::uint64_t{pick(8192)} << 32) | pick(32768)))  // in OTP 25's 15+13 bits
                         : otter::term(otter::ref_words{{pick(1u << 18), static_cast<std::uint32_t>(rng_()),
                                                         static_cast<std::uint32_t>(rng_())}});
        return otter::term(otter::atoms::nil);
      case 7: return tuple(depth);
      case 8: return list(depth);
      case 9: return keyword(depth);
      case 10: return map(depth);
      default: return charlist();
    }
  }

 private:
  std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
  otter::term small_int() { return static_cast<std::int64_t>(pick(2000)) - 1000; }
  otter::term big_int() {
    switch (pick(4)) {
      case 0: return INT64_MIN;
      case 1: return INT64_MAX;
      default: return static_cast<std::int64_t>(rng_());
    }
  }
  otter::term any_float() {
    switch (pick(6)) {
      case 0: return static_cast<double>(static_cast<std::int64_t>(pick(100000)) - 50000) / 8.0;
      case 1: return 0.1 * pick(1000);
      case 2: return -0.0;
      case 3: return static_cast<double>(pick(1000000)) * 1e15;
      case 4: return static_cast<double>(pick(1000) + 1) * 1e-9;
      default: {
        double d;
        std::uint64_t bits;
        do {
          bits = rng_();
          std::memcpy(&d, &bits, sizeof d);
        } while (!std::isfinite(d));
        return d;
      }
    }
  }
  otter::atom any_atom() {
    static const char* pool[] = {"ok", "error", "W1", "a b", "Elixir.Counter.Worker", "é", "+", "true", "nil", "_",
                                 "a@b", "foo?", "\"quoted\"", "Elixir", "", "::", "with\nnewline", "日本", "Foo"};
    return otter::atom(pool[pick(sizeof pool / sizeof *pool)]);
  }
  std::string text() {
    static const char* pool[] = {"", "hello", "a much longer string than fourteen bytes", "tab\there", "quote\"s",
                                 "back\\slash", "é ü 日本", "#{not interpolated}", "line\nbreak", "\x1b[0m"};
    return pool[pick(sizeof pool / sizeof *pool)];
  }
  std::string bytes() {
    std::string s(pick(20), '\0');
    for (char& c : s) c = static_cast<char>(pick(256));
    return s;
  }
  otter::term charlist() { return otter::charlist(pick(2) ? "abc" : "hello world"); }
  otter::term tuple(int depth) {
    std::vector<otter::term> v(pick(5));
    for (auto& e : v) e = any(depth + 1);
    return otter::term::tuple_of(std::move(v));
  }
  otter::term list(int depth) {
    std::vector<otter::term> v(pick(6));
    for (auto& e : v) e = any(depth + 1);
    otter::term tail = pick(5) == 0 ? any(depth + 1) : otter::term();
    return otter::term::list_of(std::move(v), tail);
  }
  otter::term keyword(int depth) {
    std::vector<otter::term> v(pick(4) + 1);
    for (auto& e : v) e = otter::tuple(any_atom(), any(depth + 1));
    return otter::term::list_of(std::move(v));
  }
  otter::term map(int depth) {
    std::vector<std::pair<otter::term, otter::term>> v(pick(5));
    for (auto& e : v) e = {pick(2) ? otter::term(any_atom()) : any(depth + 1), any(depth + 1)};
    return otter::term::map_of(std::move(v));
  }

  std::mt19937_64 rng_;
  term_gen_options o_;
};

}  // namespace otter_test

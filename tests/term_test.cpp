// otter::term: construction, typed access and its errors, Erlang's term
// order, exact equality and the hash that agrees with it.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "otter/term.hpp"

using namespace otter;
using namespace otter::literals;

TEST(Term, is_sixteen_bytes_and_small_values_need_no_allocation) {
  EXPECT_EQ(sizeof(term), 16u);
  term i = 42, f = 1.5, a = "ok"_a, s = "fourteen bytes";
  EXPECT_EQ(i.block(), nullptr);
  EXPECT_EQ(f.block(), nullptr);
  EXPECT_EQ(a.block(), nullptr);
  EXPECT_EQ(s.block(), nullptr);  // binaries up to 14 bytes are inline
  term longer = "fifteen bytes!!";
  EXPECT_NE(longer.block(), nullptr);
  EXPECT_EQ(longer.as_binary(), "fifteen bytes!!");
}

TEST(Term, copies_share_one_block_and_outlive_the_original) {
  term copy;
  {
    term t = tuple("W1"_a, 5, "a string longer than fourteen bytes");
    copy = t;
    EXPECT_EQ(copy.block(), t.block());
  }
  EXPECT_EQ(copy.to_string(), "{:W1, 5, \"a string longer than fourteen bytes\"}");
  term moved = std::move(copy);
  EXPECT_TRUE(copy.is_empty_list());  // NOLINT: a moved-from term is []
  EXPECT_EQ(copy, term());            // NOLINT: in every byte
  term inline_bin = "abcdefghijkl";
  term taken = std::move(inline_bin);
  EXPECT_EQ(inline_bin, term());  // NOLINT
  EXPECT_EQ(inline_bin.hash(), term().hash());  // NOLINT
  EXPECT_EQ(moved[0].as_atom(), "W1"_a);
}

TEST(Term, typed_access_reads_each_kind) {
  term t = tuple(1, 2.5, "ok"_a, "text", list{1, 2}, map{{"a"_a, 1}}, true);
  EXPECT_TRUE(t.is_tuple());
  EXPECT_EQ(t.size(), 7u);
  EXPECT_EQ(t[0].as_int(), 1);
  EXPECT_DOUBLE_EQ(t[1].as_float(), 2.5);
  EXPECT_DOUBLE_EQ(t[0].as_number(), 1.0);
  EXPECT_EQ(t[2].as_atom().text(), "ok");
  EXPECT_EQ(t[3].as_binary(), "text");
  EXPECT_EQ(t[4].size(), 2u);
  EXPECT_EQ(t[4][1].as_int(), 2);
  EXPECT_EQ(t[5].at("a"_a).as_int(), 1);
  EXPECT_EQ(t[5].find("b"_a), nullptr);
  EXPECT_TRUE(t[6].as_bool());
  EXPECT_TRUE(t[6].is_atom(atoms::true_));
}

TEST(Term, wrong_kind_access_is_a_bad_argument_that_shows_the_term) {
  term t = tuple("a"_a, 1);
  try {
    (void)t.as_int();
    FAIL() << "as_int on a tuple must throw";
  } catch (const bad_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected an integer, got {:a, 1}"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)t[2], bad_argument);
  EXPECT_THROW((void)term(1).size(), bad_argument);
  EXPECT_THROW((void)list::improper({1}, 2).size(), bad_argument);  // length of an improper list
  EXPECT_THROW((void)(map{{1, 2}}).at(3), bad_argument);
  EXPECT_THROW((void)term().hd(), bad_argument);
  EXPECT_THROW((void)term("x"_a).as_bool(), bad_argument);
  EXPECT_THROW((void)tuple(1, 2).map_key(0), bad_argument);
  EXPECT_THROW((void)term("inline").map_value(0), bad_argument);
  EXPECT_THROW((void)(list{1, 2}).map_value(0), bad_argument);
  try {
    (void)(map{{1, 2}}).tuple_set(0, 3);
    FAIL() << "tuple_set on a map must throw";
  } catch (const bad_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected a tuple"), std::string::npos) << e.what();
  }
}

TEST(Term, integers_are_64_bit_and_floats_finite) {
  EXPECT_EQ(term(INT64_MIN).as_int(), INT64_MIN);
  EXPECT_EQ(term(std::uint64_t{INT64_MAX}).as_int(), INT64_MAX);
  EXPECT_THROW((void)term{std::uint64_t{1} << 63}, bad_argument);
  EXPECT_THROW((void)term{std::numeric_limits<double>::quiet_NaN()}, bad_argument);
  EXPECT_THROW((void)term{std::numeric_limits<double>::infinity()}, bad_argument);
}

TEST(Term, lists_are_proper_or_improper_and_tl_shares) {
  term l = list{1, 2, 3};
  EXPECT_TRUE(l.is_list());
  EXPECT_TRUE(l.is_proper_list());
  EXPECT_EQ(l.hd().as_int(), 1);
  term t = l.tl();
  EXPECT_EQ(t, (list{2, 3}));
  EXPECT_EQ(t.block(), l.block());  // O(1): same storage
  EXPECT_TRUE(t.tl().tl().is_empty_list());
  term imp = list::improper({1, 2}, 3);
  EXPECT_FALSE(imp.is_proper_list());
  EXPECT_EQ(imp.list_tail().as_int(), 3);
  EXPECT_EQ(imp.tl().tl().as_int(), 3);
  // [1 | [2, 3]] is the flat list [1, 2, 3], as in Erlang.
  EXPECT_EQ(list::improper({1}, list{2, 3}), (list{1, 2, 3}));
  EXPECT_EQ(l.prepend(0), (list{0, 1, 2, 3}));
  EXPECT_EQ(charlist("hé"), (list{104, 233}));
  EXPECT_THROW(charlist("\xff"), bad_argument);
  EXPECT_THROW(charlist("\xc0\x80"), bad_argument);      // overlong
  EXPECT_THROW(charlist("\xed\xa0\x80"), bad_argument);  // a surrogate
  EXPECT_THROW(charlist("\xf4\x90\x80\x80"), bad_argument);  // beyond U+10FFFF
}

TEST(Term, maps_keep_one_value_per_key_the_last_one) {
  term m = map{{"a"_a, 1}, {"b"_a, 2}, {"a"_a, 3}};
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("a"_a).as_int(), 3);
  term m2 = m.map_put("c"_a, 4).map_remove("b"_a);
  EXPECT_EQ(m2, (map{{"a"_a, 3}, {"c"_a, 4}}));
  EXPECT_EQ(m.size(), 2u);  // unchanged: terms are immutable
  // 1 and 1.0 are different keys (exact match), as in Erlang maps.
  term n = map{{1, "int"}, {1.0, "float"}};
  EXPECT_EQ(n.size(), 2u);
  EXPECT_EQ(n.at(1).as_binary(), "int");
  EXPECT_EQ(n.at(1.0).as_binary(), "float");
}

TEST(Term, exact_equality_tells_1_from_1_0_and_order_does_not) {
  EXPECT_NE(term(1), term(1.0));
  EXPECT_TRUE(equal(term(1), term(1.0)));
  EXPECT_EQ(term(1) <=> term(1.0), std::weak_ordering::equivalent);
  EXPECT_EQ(term(0.0), term(-0.0));
  EXPECT_EQ(term(0.0).hash(), term(-0.0).hash());
  EXPECT_EQ(tuple(1, list{2}), tuple(1, list{2}));
  EXPECT_NE(tuple(1, list{2}), tuple(1, list{2.0}));
}

TEST(Term, erlang_term_order_across_kinds) {
  // number < atom < reference < pid < tuple < map < [] < list < binary
  std::vector<term> ordered = {-5,
                               1,
                               1.5,
                               2,
                               "a"_a,
                               "b"_a,
                               reference(7),
                               pid(3),
                               tuple(),
                               tuple(9),
                               tuple(1, 1),
                               map{},
                               map{{"a"_a, 1}},
                               term(),
                               list{1},
                               list{1, 2},
                               list{2},
                               "",
                               "a",
                               "ab",
                               "b"};
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i)
    EXPECT_LT(ordered[i], ordered[i + 1]) << ordered[i] << " < " << ordered[i + 1];
}

TEST(Term, number_comparison_is_exact_at_the_edges) {
  EXPECT_LT(term(INT64_MAX), term(9223372036854775808.0));
  EXPECT_GT(term(INT64_MAX), term(9223372036854774784.0));
  EXPECT_LT(term(INT64_MIN), term(-9223372036854774784.0));
  EXPECT_EQ(term(INT64_MIN) <=> term(-9223372036854775808.0), std::weak_ordering::equivalent);
  EXPECT_LT(term(2), term(2.5));
  EXPECT_GT(term(-2), term(-2.5));
  EXPECT_LT(term(9007199254740993), term(9007199254740994.0));
  EXPECT_GT(term(9007199254740993), term(9007199254740992.0));  // the double rounds; the compare does not
}

TEST(Term, maps_order_by_size_then_keys_then_values) {
  EXPECT_LT((map{{"z"_a, 1}}), (map{{"a"_a, 1}, {"b"_a, 1}}));
  EXPECT_LT((map{{"a"_a, 9}}), (map{{"b"_a, 1}}));
  EXPECT_LT((map{{"a"_a, 1}}), (map{{"a"_a, 2}}));
  // In map key order integers come before floats: %{1 => _} < %{1.0 => _}.
  EXPECT_LT((map{{1, 0}}), (map{{1.0, 0}}));
}

TEST(Term, improper_lists_compare_as_cons_cells) {
  // [1 | 2] vs [1, 5]: after 1, the tail 2 (a number) meets [5] (a list).
  EXPECT_LT(list::improper({1}, 2), (list{1, 5}));
  EXPECT_GT((list{1}), list::improper({1}, 2));  // [] (the tail of [1]) is greater than the number 2
  EXPECT_LT(list::improper({1}, 2), list::improper({1}, 3));
}

TEST(Term, hash_agrees_with_equality_and_serves_unordered_containers) {
  std::unordered_map<term, int> counts;
  counts[tuple("W1"_a, 1)] += 1;
  counts[tuple("W1"_a, 1)] += 1;
  counts[tuple("W1"_a, 1.0)] += 1;
  counts["a string longer than fourteen bytes"] += 1;
  counts[term("a string longer than fourteen bytes")] += 1;
  EXPECT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[tuple("W1"_a, 1)], 2);
  EXPECT_EQ((list{1, 2}).hash(), (list{1, 2}).hash());
  EXPECT_EQ((list{0, 1, 2}).tl().hash(), (list{1, 2}).hash());  // views hash as their elements
  std::set<term> ordered{3, 1.0, 1, 2};  // 1 and 1.0 are equivalent in the order
  EXPECT_EQ(ordered.size(), 3u);
}

TEST(Term, atoms_intern_and_compare_by_text) {
  atom a("hello"), b(std::string("hel") + "lo");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.index(), b.index());
  EXPECT_LT(atom("abc"), atom("abd"));
  EXPECT_EQ(atom("true"), atoms::true_);
  EXPECT_EQ(atom("nil"), atoms::nil);
  EXPECT_TRUE(atom::existing("hello").has_value());
  EXPECT_FALSE(atom::existing("surely-never-made-by-anyone-7f3a").has_value());
  EXPECT_THROW(atom(std::string(256, 'a')), bad_argument);
  EXPECT_NO_THROW(atom(std::string(255, 'a')));
  EXPECT_THROW(atom("\xc3"), bad_argument);  // truncated UTF-8
  EXPECT_EQ(atom(std::string(100, 'x') + "é").text().size(), 102u);
}

TEST(Term, atom_table_is_safe_from_many_threads) {
  // Threads intern overlapping names at once; every thread sees one index per text.
  constexpr int threads = 4, names = 2000;
  std::vector<std::vector<std::uint32_t>> seen(threads, std::vector<std::uint32_t>(names));
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < names; ++i) {
        atom a("concurrent_" + std::to_string((i * 7 + t * 13) % names));
        EXPECT_EQ(a.text(), "concurrent_" + std::to_string((i * 7 + t * 13) % names));
        seen[t][static_cast<std::size_t>((i * 7 + t * 13) % names)] = a.index();
      }
    });
  for (auto& t : ts) t.join();
  for (int t = 1; t < threads; ++t) EXPECT_EQ(seen[t], seen[0]);
}

TEST(Term, terms_shared_between_threads_are_freed_once) {
  term shared = list{tuple("a string longer than fourteen bytes", 1), map{{"k"_a, list{1, 2, 3}}}};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([shared] {
      for (int i = 0; i < 10000; ++i) {
        term copy = shared;
        term inner = copy[1].at("k"_a);
        ASSERT_EQ(inner.size(), 3u);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(shared[0][1].as_int(), 1);
}

// ETS: table types and their semantics, counters, ownership and access
// rules, bad arguments, and concurrent use from processes and threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "otter/ets.hpp"
#include "otter/term_parse.hpp"
#include "test_util.hpp"

using namespace otter_test;
using namespace otter::literals;
namespace ets = otter::ets;
using otter::term;

namespace {
term opts(std::string_view list) { return otter::parse_term(list); }
std::vector<term> sorted(std::vector<term> v) {
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

TEST(Ets, the_lectures_bag_keeps_one_copy_of_identical_objects) {
  term t = ets::new_table("Tab_lecture"_a, opts("[:named_table, :public, :bag]"));
  EXPECT_EQ(t, term("Tab_lecture"_a));
  ets::insert(t, otter::tuple(1, "hello"));
  ets::insert(t, otter::tuple(1, "world"));
  EXPECT_EQ(ets::lookup(t, 1), (std::vector<term>{otter::tuple(1, "hello"), otter::tuple(1, "world")}));
  ets::insert(t, otter::tuple(1, "hello"));
  ets::insert(t, otter::tuple(1, "hello"));
  EXPECT_EQ(ets::lookup(t, 1).size(), 2u);
  EXPECT_EQ(term::list_of(ets::lookup(t, 1)).to_string(), "[{1, \"hello\"}, {1, \"world\"}]");
  ets::delete_table(t);
}

TEST(Ets, a_set_replaces_by_key_and_a_list_insert_is_all_or_nothing) {
  term t = ets::new_table("set1"_a, opts("[:public]"));
  EXPECT_TRUE(t.is_reference());
  ets::insert(t, otter::tuple(1, "hello"));
  ets::insert(t, otter::tuple(1, "again"));
  EXPECT_EQ(ets::lookup(t, 1), (std::vector<term>{otter::tuple(1, "again")}));
  EXPECT_TRUE(ets::lookup(t, 1.0).empty());  // a set matches keys exactly
  ets::insert(t, otter::list{otter::tuple(2, "b"), otter::tuple(3, "c")});
  EXPECT_EQ(ets::info(t, "size"_a), term(3));
  // One bad object in the list: nothing is inserted.
  expect_badarg([&] { ets::insert(t, otter::list{otter::tuple(4, "d"), "not a tuple"}); }, "must be a tuple");
  EXPECT_FALSE(ets::member(t, 4));
  EXPECT_FALSE(ets::insert_new(t, otter::list{otter::tuple(5, "e"), otter::tuple(1, "x")}));
  EXPECT_FALSE(ets::member(t, 5));
  EXPECT_TRUE(ets::insert_new(t, otter::tuple(5, "e")));
  EXPECT_EQ(ets::take(t, 5), (std::vector<term>{otter::tuple(5, "e")}));
  EXPECT_FALSE(ets::member(t, 5));
  ets::delete_key(t, 2);
  EXPECT_EQ(sorted(ets::tab2list(t)), (std::vector<term>{otter::tuple(1, "again"), otter::tuple(3, "c")}));
  ets::delete_object(t, otter::tuple(3, "not c"));  // not the same object: stays
  EXPECT_TRUE(ets::member(t, 3));
  ets::delete_object(t, otter::tuple(3, "c"));
  EXPECT_FALSE(ets::member(t, 3));
  ets::delete_all_objects(t);
  EXPECT_EQ(ets::info(t, "size"_a), term(0));
  ets::delete_table(t);
}

TEST(Ets, a_duplicate_bag_keeps_every_copy_in_insertion_order) {
  term t = ets::new_table("dup"_a, opts("[:duplicate_bag, :public]"));
  ets::insert(t, otter::tuple("k"_a, 1));
  ets::insert(t, otter::tuple("k"_a, 2));
  ets::insert(t, otter::tuple("k"_a, 1));
  EXPECT_EQ(ets::lookup(t, "k"_a),
            (std::vector<term>{otter::tuple("k"_a, 1), otter::tuple("k"_a, 2), otter::tuple("k"_a, 1)}));
  EXPECT_EQ(ets::lookup_element(t, "k"_a, 2), (otter::list{1, 2, 1}));
  ets::delete_object(t, otter::tuple("k"_a, 1));  // all copies
  EXPECT_EQ(ets::lookup(t, "k"_a), (std::vector<term>{otter::tuple("k"_a, 2)}));
  ets::delete_table(t);
}

TEST(Ets, an_ordered_set_walks_in_term_order_and_1_equals_1_0) {
  term t = ets::new_table("ord"_a, opts("[:ordered_set, :public]"));
  ets::insert(t, otter::list{otter::tuple("b"_a, 2), otter::tuple(3, 3), otter::tuple("a", 1), otter::tuple(1, 1)});
  EXPECT_EQ(ets::tab2list(t), (std::vector<term>{otter::tuple(1, 1), otter::tuple(3, 3), otter::tuple("b"_a, 2),
                                                 otter::tuple("a", 1)}));
  ets::insert(t, otter::tuple(1.0, "float"));  // the same key as 1 in an ordered_set
  EXPECT_EQ(ets::lookup(t, 1), (std::vector<term>{otter::tuple(1.0, "float")}));
  EXPECT_EQ(ets::info(t, "type"_a), term("ordered_set"_a));
  ets::delete_table(t);
}

TEST(Ets, keypos_picks_the_key_element) {
  term t = ets::new_table("kp"_a, opts("[:public, {:keypos, 2}]"));
  ets::insert(t, otter::tuple("user"_a, 42, "Ann"));
  EXPECT_EQ(ets::lookup(t, 42), (std::vector<term>{otter::tuple("user"_a, 42, "Ann")}));
  expect_badarg([&] { ets::insert(t, otter::tuple("short"_a)); }, "the key is element 2");
  ets::delete_table(t);
}

// A set stores 2-tuples apart from others (as key and value in its slot):
// every operation must see the same objects either way, for both keypos.
TEST(Ets, a_set_returns_pairs_and_other_objects_exactly_as_inserted) {
  for (int keypos : {1, 2}) {
    SCOPED_TRACE(keypos);
    term t = ets::new_table("pairs"_a, opts(keypos == 1 ? "[:public]" : "[:public, {:keypos, 2}]"));
    auto pair = [&](term key, term other) { return keypos == 1 ? otter::tuple(key, other) : otter::tuple(other, key); };
    const term boxed = otter::list{1, "two", otter::tuple(3)};
    ets::insert(t, pair("a"_a, 1));
    ets::insert(t, pair("b"_a, boxed));
    ets::insert(t, otter::tuple("x"_a, "x"_a, "three"));  // key "x" at either position
    EXPECT_EQ(ets::lookup(t, "a"_a), std::vector<term>{pair("a"_a, 1)});
    EXPECT_EQ(ets::lookup(t, "b"_a), std::vector<term>{pair("b"_a, boxed)});
    EXPECT_EQ(ets::lookup_element(t, "b"_a, 3 - keypos), boxed);
    EXPECT_EQ(sorted(ets::tab2list(t)), sorted({pair("a"_a, 1), pair("b"_a, boxed), otter::tuple("x"_a, "x"_a, "three")}));
    // A pair replaced by a triple and back.
    ets::insert(t, keypos == 1 ? otter::tuple("a"_a, 1, 2) : otter::tuple(1, "a"_a, 2));
    EXPECT_EQ(ets::lookup(t, "a"_a)[0].size(), 3u);
    ets::insert(t, pair("a"_a, 5));
    EXPECT_EQ(ets::update_counter(t, "a"_a, otter::tuple(3 - keypos, 2)), term(7));
    if (keypos == 1)
      EXPECT_EQ(ets::update_counter(t, "a"_a, 1), term(8));  // element keypos + 1
    else
      expect_badarg([&] { ets::update_counter(t, "a"_a, 1); }, "position 3 is outside {7, :a}");
    expect_badarg([&] { ets::update_counter(t, "a"_a, otter::tuple(keypos, 1)); }, "is the key");
    expect_badarg([&] { ets::update_counter(t, "a"_a, otter::tuple(3, 1)); }, "is outside");
    expect_badarg([&] { ets::update_counter(t, "b"_a, otter::tuple(3 - keypos, 1)); }, "is not an integer");
    EXPECT_TRUE(ets::update_element(t, "a"_a, otter::tuple(3 - keypos, "v"_a)));
    EXPECT_EQ(ets::lookup(t, "a"_a), std::vector<term>{pair("a"_a, "v"_a)});
    // delete_object needs the whole object to be equal.
    ets::delete_object(t, pair("a"_a, "w"_a));
    EXPECT_TRUE(ets::member(t, "a"_a));
    ets::delete_object(t, pair("a"_a, "v"_a));
    EXPECT_FALSE(ets::member(t, "a"_a));
    EXPECT_EQ(ets::match_object(t, pair("_"_a, boxed)), std::vector<term>{pair("b"_a, boxed)});
    EXPECT_EQ(ets::take(t, "b"_a), std::vector<term>{pair("b"_a, boxed)});
    EXPECT_EQ(ets::info(t, "size"_a), term(1));
    ets::delete_table(t);
  }
}

// Bags also keep a key's objects as their other elements while all are
// pairs, and switch to whole objects when another shape arrives.
TEST(Ets, bags_return_pairs_and_mixed_objects_in_insertion_order) {
  for (const char* type : {"bag", "duplicate_bag"}) {
    for (int keypos : {1, 2}) {
      SCOPED_TRACE(std::string(type) + " keypos " + std::to_string(keypos));
      const bool dup = std::string(type) == "duplicate_bag";
      term t = ets::new_table("bag_pairs"_a, opts(std::string("[:public, :") + type + ", {:keypos, " +
                                                  std::to_string(keypos) + "}]"));
      auto pair = [&](term key, term other) { return keypos == 1 ? otter::tuple(key, other) : otter::tuple(other, key); };
      ets::insert(t, pair("k"_a, 1));
      ets::insert(t, pair("k"_a, 2));
      ets::insert(t, pair("k"_a, 1));  // a bag keeps one copy
      std::vector<term> want = {pair("k"_a, 1), pair("k"_a, 2)};
      if (dup) want.push_back(pair("k"_a, 1));
      EXPECT_EQ(ets::lookup(t, "k"_a), want);
      EXPECT_EQ(ets::match_object(t, pair("_"_a, 2)), std::vector<term>{pair("k"_a, 2)});
      EXPECT_EQ(ets::match(t, pair("$1"_a, "$2"_a)).size(), want.size());
      // A triple for the same key: everything is kept whole from now on.
      const term triple = keypos == 1 ? otter::tuple("k"_a, 3, 3) : otter::tuple(3, "k"_a, 3);
      ets::insert(t, triple);
      want.push_back(triple);
      EXPECT_EQ(ets::lookup(t, "k"_a), want);
      ets::insert(t, pair("k"_a, 4));
      want.push_back(pair("k"_a, 4));
      EXPECT_EQ(ets::lookup(t, "k"_a), want);
      ets::delete_object(t, pair("k"_a, 1));
      std::erase(want, pair("k"_a, 1));
      EXPECT_EQ(ets::lookup(t, "k"_a), want);
      // match_delete and select_count over pairs kept as pairs.
      ets::insert(t, pair("other"_a, 7));
      ets::insert(t, pair("other"_a, 8));
      EXPECT_EQ(ets::select_count(t, otter::parse_term(keypos == 1 ? "[{{:other, :\"$1\"}, [{:>, :\"$1\", 7}], [true]}]"
                                                                    : "[{{:\"$1\", :other}, [{:>, :\"$1\", 7}], [true]}]")),
                1u);
      ets::match_delete(t, pair("other"_a, 7));
      EXPECT_EQ(ets::lookup(t, "other"_a), std::vector<term>{pair("other"_a, 8)});
      ets::delete_object(t, keypos == 1 ? otter::tuple("other"_a, 8, 9) : otter::tuple(8, "other"_a, 9));  // no such object
      EXPECT_EQ(ets::take(t, "other"_a), std::vector<term>{pair("other"_a, 8)});
      EXPECT_EQ(ets::info(t, "size"_a), term(static_cast<std::int64_t>(want.size())));
      EXPECT_EQ(sorted(ets::tab2list(t)), sorted(want));
      ets::delete_table(t);
    }
  }
}

TEST(Ets, update_counter_in_all_its_forms) {
  term t = ets::new_table("ctr"_a, opts("[:public]"));
  ets::insert(t, otter::tuple("c"_a, 10, 100));
  EXPECT_EQ(ets::update_counter(t, "c"_a, 5), 15);
  EXPECT_EQ(ets::update_counter(t, "c"_a, otter::tuple(3, -1)), term(99));
  EXPECT_EQ(ets::update_counter(t, "c"_a, otter::list{otter::tuple(2, 1), otter::tuple(3, 1)}), (otter::list{16, 100}));
  // {pos, incr, threshold, setvalue}: past the threshold the counter is set.
  EXPECT_EQ(ets::update_counter(t, "c"_a, otter::tuple(2, 10, 20, 0)), term(0));
  EXPECT_EQ(ets::update_counter(t, "c"_a, otter::tuple(2, -1, -3, 7)), term(-1));
  EXPECT_EQ(ets::update_counter(t, "c"_a, otter::tuple(2, -5, -3, 7)), term(7));
  // A default object for a missing key.
  EXPECT_EQ(ets::update_counter(t, "new"_a, term(1), otter::tuple("new"_a, 0)), term(1));
  EXPECT_EQ(ets::lookup(t, "new"_a), (std::vector<term>{otter::tuple("new"_a, 1)}));
  expect_badarg([&] { ets::update_counter(t, "missing"_a, 1); }, "no object has the key");
  expect_badarg([&] { ets::update_counter(t, "c"_a, otter::tuple(1, 1)); }, "is the key");
  ets::insert(t, otter::tuple("s"_a, "text"));
  expect_badarg([&] { ets::update_counter(t, "s"_a, 1); }, "is not an integer");
  expect_badarg([&] { ets::update_counter(t, "c"_a, otter::tuple(9, 1)); }, "is outside");
  EXPECT_EQ(ets::lookup(t, "s"_a), (std::vector<term>{otter::tuple("s"_a, "text")}));  // unchanged by the errors
  ets::insert(t, otter::tuple("max"_a, INT64_MAX));
  expect_badarg([&] { ets::update_counter(t, "max"_a, 1); }, "64-bit range");
  EXPECT_TRUE(ets::update_element(t, "s"_a, otter::tuple(2, "new text")));
  EXPECT_EQ(ets::lookup_element(t, "s"_a, 2), term("new text"));
  EXPECT_FALSE(ets::update_element(t, "nobody"_a, otter::tuple(2, 1)));
  ets::delete_table(t);
  term bag = ets::new_table("ctrbag"_a, opts("[:bag, :public]"));
  ets::insert(bag, otter::tuple("c"_a, 1));
  expect_badarg([&] { ets::update_counter(bag, "c"_a, 1); }, "need a set");
  ets::delete_table(bag);
}

TEST(Ets, names_info_whereis_and_all) {
  term t = ets::new_table("named_one"_a, opts("[:named_table]"));
  expect_badarg([&] { ets::new_table("named_one"_a, opts("[:named_table]")); }, "exists already");
  // whereis and info(id) give the table's reference, which works as its name does.
  const std::optional<term> ref = ets::whereis("named_one"_a);
  ASSERT_TRUE(ref && ref->is_reference());
  EXPECT_EQ(ets::info(t, "id"_a), *ref);
  ets::insert(*ref, otter::tuple(1, 2));
  EXPECT_EQ(ets::lookup(t, 1), std::vector<term>{otter::tuple(1, 2)});
  EXPECT_FALSE(ets::whereis("no_such_table"_a).has_value());
  auto ids = ets::all();
  EXPECT_NE(std::find(ids.begin(), ids.end(), t), ids.end());
  EXPECT_EQ(ets::info(t, "protection"_a), term("protected"_a));
  EXPECT_EQ(ets::info(t, "named_table"_a), term(true));
  EXPECT_EQ(ets::info(t, "owner"_a), term("undefined"_a));  // made outside any process
  expect_badarg([&] { ets::info(t, "colour"_a); }, "unknown item");
  ets::delete_table(t);
  expect_badarg([&] { ets::lookup(t, 1); }, "does not exist");
  expect_badarg([&] { ets::lookup(term("text"), 1); }, "an atom or a reference");
}

TEST(Ets, rename_moves_a_named_table_to_its_new_name) {
  term t = ets::new_table("before_rename"_a, opts("[:named_table, :public]"));
  ets::insert(t, otter::tuple("k"_a, 1));
  EXPECT_EQ(ets::lookup(t, "k"_a).size(), 1u);  // puts the old name in this thread's cache
  const term ref = *ets::whereis("before_rename"_a);
  EXPECT_EQ(ets::rename(t, "after_rename"_a), "after_rename"_a);
  expect_badarg([&] { ets::lookup("before_rename"_a, "k"_a); }, "does not exist");
  EXPECT_FALSE(ets::whereis("before_rename"_a).has_value());
  EXPECT_EQ(ets::whereis("after_rename"_a), std::optional<term>(ref));
  EXPECT_EQ(ets::lookup("after_rename"_a, "k"_a), std::vector<term>{otter::tuple("k"_a, 1)});
  EXPECT_EQ(ets::info("after_rename"_a, "name"_a), term("after_rename"_a));
  auto ids = ets::all();
  EXPECT_NE(std::find(ids.begin(), ids.end(), term("after_rename"_a)), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), term("before_rename"_a)), ids.end());
  // The old name is free again; a taken name is refused and changes nothing.
  term other = ets::new_table("before_rename"_a, opts("[:named_table]"));
  expect_badarg([&] { ets::rename("after_rename"_a, "before_rename"_a); }, "a table named :before_rename exists already");
  EXPECT_EQ(ets::lookup("after_rename"_a, "k"_a).size(), 1u);
  EXPECT_EQ(ets::rename(ref, "after_rename"_a), "after_rename"_a);  // its own name: nothing to do
  ets::delete_table(other);
  ets::delete_table(ref);
  expect_badarg([&] { ets::rename(ref, "again"_a); }, "does not exist");
}

TEST(Ets, rename_of_an_unnamed_table_changes_only_its_reported_name) {
  term t = ets::new_table("plain"_a, opts("[]"));
  EXPECT_EQ(ets::rename(t, "renamed_plain"_a), "renamed_plain"_a);
  EXPECT_EQ(ets::info(t, "name"_a), term("renamed_plain"_a));
  EXPECT_FALSE(ets::whereis("renamed_plain"_a).has_value());
  ets::insert(t, otter::tuple(1));
  EXPECT_EQ(ets::info(t, "size"_a), term(1));
  ets::delete_table(t);
}

TEST(Ets, rename_and_setopts_are_for_the_owner) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid other = rt.spawn([](otter::pid main) -> otter::process {
    ets::new_table("not_yours"_a, opts("[:named_table]"));  // protected
    otter::send(main, "made"_a);
    co_await otter::receive<otter::atom>();
  }, me.self());
  ASSERT_TRUE(me.receive<otter::atom>(forever));
  expect_badarg([] { ets::rename("not_yours"_a, "mine"_a); }, "protected; only its owner may write");
  expect_badarg([&] { ets::setopts("not_yours"_a, otter::tuple("heir"_a, me.self(), 0)); }, "only the owner");
  EXPECT_EQ(ets::info("not_yours"_a, "name"_a), term("not_yours"_a));
  EXPECT_EQ(ets::info("not_yours"_a, "heir"_a), term("none"_a));
  me.monitor(other);
  me.send(other, "stop"_a);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
}

TEST(Ets, bad_options_are_named) {
  expect_badarg([] { ets::new_table("x"_a, opts("[:sett]")); }, "unknown option :sett");
  expect_badarg([] { ets::new_table("x"_a, opts("[{:keypos, 0}]")); }, "keypos must be a positive integer");
  expect_badarg([] { ets::new_table("x"_a, term(1)); }, "options must be a list");
}

TEST(Ets, access_rules_follow_the_owner) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);  // code outside processes acts as `me`
  term prot = ets::new_table("prot"_a, opts("[:named_table]"));
  term priv = ets::new_table("priv"_a, opts("[:named_table, :private]"));
  ets::insert(prot, otter::tuple(1, 1));  // the owner may write
  ets::insert(priv, otter::tuple(1, 1));
  EXPECT_EQ(ets::info(prot, "owner"_a), term(me.self()));
  auto p = rt.spawn([](otter::pid to) -> otter::process {
    auto attempt = [](auto&& f) {
      try {
        f();
        return otter::term("ok"_a);
      } catch (const otter::bad_argument& e) {
        return otter::term(e.what());
      }
    };
    otter::term read_prot = attempt([] { (void)ets::lookup("prot"_a, 1); });
    otter::term write_prot = attempt([] { ets::insert("prot"_a, otter::tuple(2, 2)); });
    otter::term read_priv = attempt([] { (void)ets::lookup("priv"_a, 1); });
    otter::send(to, otter::tuple(read_prot, write_prot, read_priv));
    co_return;
  }, me.self());
  (void)p;
  auto r = me.receive<term>(forever);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], term("ok"_a));
  EXPECT_NE((*r)[1].as_binary().find("is protected; only its owner may write it"), std::string_view::npos);
  EXPECT_NE((*r)[2].as_binary().find("is private; only its owner may read it"), std::string_view::npos);
  ets::delete_table(prot);
  ets::delete_table(priv);
}

TEST(Ets, a_table_dies_with_its_owner) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid owner = rt.spawn([](otter::pid to) -> otter::process {
    ets::new_table("owned_by_a_process"_a, otter::parse_term("[:named_table, :public]"));
    ets::insert("owned_by_a_process"_a, otter::tuple("k"_a, 1));
    otter::send(to, "created"_a);
    co_await otter::receive<otter::atom>();  // until told to go
  }, me.self());
  me.monitor(owner);
  ASSERT_TRUE(me.receive<otter::atom>(forever));
  EXPECT_EQ(ets::lookup("owned_by_a_process"_a, "k"_a).size(), 1u);
  EXPECT_EQ(ets::info("owned_by_a_process"_a, "owner"_a), term(owner));
  me.send(owner, "go"_a);
  auto down = me.receive<otter::down_message>(forever);
  ASSERT_TRUE(down);
  // Deleted before the DOWN was sent.
  EXPECT_FALSE(ets::whereis("owned_by_a_process"_a).has_value());
  expect_badarg([] { ets::lookup("owned_by_a_process"_a, "k"_a); }, "does not exist");
  // The name is free again.
  term again = ets::new_table("owned_by_a_process"_a, opts("[:named_table, :public]"));
  ets::delete_table(again);
}

TEST(Ets, concurrent_processes_update_one_table_exactly) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  term t = ets::new_table("stress"_a, opts("[:named_table, :public, {:write_concurrency, true}]"));
  constexpr int workers = 8, rounds = 2000;
  ets::insert(t, otter::tuple("total"_a, 0));
  std::vector<otter::reference> refs;
  for (int w = 0; w < workers; ++w) {
    const otter::pid p = rt.spawn([](int id) -> otter::process {
      for (int i = 0; i < rounds; ++i) {
        ets::insert("stress"_a, otter::tuple(otter::tuple(id, i), i));
        ets::update_counter("stress"_a, "total"_a, 1);
        if (i % 2) ets::delete_key("stress"_a, otter::tuple(id, i - 1));
        if (i % 100 == 0) (void)ets::tab2list("stress"_a);
        if (i % 64 == 0) co_await otter::yield();
      }
    }, w);
    refs.push_back(me.monitor(p));
  }
  for (int w = 0; w < workers; ++w) ASSERT_TRUE(me.receive<otter::down_message>(forever));
  EXPECT_EQ(ets::lookup_element(t, "total"_a, 2), term(workers * rounds));
  // Each worker deleted every even i that an odd i followed: rounds/2 stay, all odd.
  EXPECT_EQ(ets::info(t, "size"_a), term(1 + workers * rounds / 2));
  for (int w = 0; w < workers; ++w)
    for (int i = 0; i < rounds; ++i) ASSERT_EQ(ets::member(t, otter::tuple(w, i)), i % 2 == 1) << w << "," << i;
  ets::delete_table(t);
}

TEST(Ets, racing_list_inserts_are_all_or_nothing) {
  // Two threads insert_new two objects each, sharing one key, round after
  // round: exactly one list goes in, and always whole.
  term t = ets::new_table("iso"_a, opts("[:named_table, :public, {:write_concurrency, true}]"));
  constexpr int rounds = 3000;
  std::atomic<int> wins[2] = {0, 0};
  auto racer = [&](int me) {
    for (int r = 0; r < rounds; ++r) {
      otter::term mine = otter::tuple(otter::tuple(r, me), me);
      otter::term shared = otter::tuple(otter::tuple(r, "shared"_a), me);
      if (ets::insert_new(t, otter::list{mine, shared})) wins[me]++;
    }
  };
  std::thread a(racer, 0), b(racer, 1);
  a.join();
  b.join();
  EXPECT_EQ(wins[0] + wins[1], rounds);
  for (int r = 0; r < rounds; ++r) {
    const term winner = ets::lookup_element(t, otter::tuple(r, "shared"_a), 2);
    const int w = static_cast<int>(winner.as_int());
    ASSERT_TRUE(ets::member(t, otter::tuple(r, w))) << "round " << r << ": the winner's other object is missing";
    ASSERT_FALSE(ets::member(t, otter::tuple(r, 1 - w))) << "round " << r << ": the loser's object went in";
  }
  ets::delete_table(t);
}

TEST(Ets, shutting_the_runtime_down_deletes_its_processes_tables) {
  {
    otter::runtime rt(quiet());
    otter::scoped_process me(rt);
    rt.spawn([](otter::pid to) -> otter::process {
      ets::new_table("owned_until_shutdown"_a, otter::parse_term("[:named_table, :public]"));
      otter::send(to, "created"_a);
      co_await otter::receive<otter::atom>();  // never comes
    }, me.self());
    ASSERT_TRUE(me.receive<otter::atom>(forever));
    EXPECT_TRUE(ets::whereis("owned_until_shutdown"_a).has_value());
  }
  EXPECT_FALSE(ets::whereis("owned_until_shutdown"_a).has_value());
}

TEST(EtsMatch, the_lectures_match_object_finds_every_pair_with_value_1) {
  term t = ets::new_table("buckets_registry"_a, opts("[:named_table, :public, :bag]"));
  ets::insert(t, otter::tuple("W1"_a, 1));
  ets::insert(t, otter::tuple("W1"_a, 1));
  ets::insert(t, otter::tuple("W2"_a, 1));
  ets::insert(t, otter::tuple("W3"_a, 2));
  EXPECT_EQ(ets::lookup(t, "W1"_a), (std::vector<term>{otter::tuple("W1"_a, 1)}));
  EXPECT_EQ(sorted(ets::match_object(t, otter::tuple(otter::atoms::underscore, 1))),
            (std::vector<term>{otter::tuple("W1"_a, 1), otter::tuple("W2"_a, 1)}));
  ets::delete_table(t);
}

TEST(EtsMatch, variables_bind_once_and_match_exactly_after) {
  term t = ets::new_table("m1"_a, opts("[:public, :bag]"));
  ets::insert(t, otter::list{otter::tuple(1, 1, "a"), otter::tuple(1, 2, "b"), otter::tuple(2, 2, "c"),
                             otter::tuple(3, 3.0, "d")});
  // {$1, $1, _}: the first two elements equal (exactly: 3 and 3.0 differ).
  EXPECT_EQ(sorted(ets::match(t, otter::parse_term("{:\"$1\", :\"$1\", :_}"))),
            (std::vector<term>{otter::list{1}, otter::list{2}}));
  // $$ lists the variables in number order, whatever their order in the pattern.
  EXPECT_EQ(sorted(ets::match(t, otter::parse_term("{1, :\"$2\", :\"$1\"}"))),
            (std::vector<term>{otter::list{"a", 1}, otter::list{"b", 2}}));
  ets::match_delete(t, otter::parse_term("{1, :_, :_}"));
  EXPECT_EQ(ets::info(t, "size"_a), term(2));
  ets::delete_table(t);
}

TEST(EtsMatch, select_with_guards_bodies_and_a_bound_key) {
  term t = ets::new_table("sel"_a, opts("[:public]"));
  for (int i = 1; i <= 10; ++i) ets::insert(t, otter::tuple(i, i * i, i % 2 ? "odd"_a : "even"_a));
  // [{{:"$1", :"$2", :odd}, [{:>, :"$2", 10}], [{{:"$1", :"$2"}}]}]
  auto ms = otter::parse_term("[{{:\"$1\", :\"$2\", :odd}, [{:>, :\"$2\", 10}], [{{:\"$1\", :\"$2\"}}]}]");
  EXPECT_EQ(sorted(ets::select(t, ms)),
            (std::vector<term>{otter::tuple(5, 25), otter::tuple(7, 49), otter::tuple(9, 81)}));
  // '$_' and '$$', andalso/orelse, type tests, arithmetic.
  EXPECT_EQ(ets::select(t, otter::parse_term("[{{3, :_, :_}, [], [:\"$_\"]}]")),
            (std::vector<term>{otter::tuple(3, 9, "odd"_a)}));
  // Squares that leave 1 when divided by 7: 1, 36, 64.
  EXPECT_EQ(sorted(ets::select(t, otter::parse_term("[{{:\"$1\", :\"$2\", :_}, [{:andalso, {:is_integer, :\"$1\"}, "
                                                    "{:==, {:rem, :\"$2\", 7}, 1}}], [:\"$$\"]}]"))),
            sorted({otter::list{1, 1}, otter::list{6, 36}, otter::list{8, 64}}));
  EXPECT_EQ(sorted(ets::select(t, otter::parse_term("[{{:\"$1\", :\"$2\", :_}, [{:==, {:rem, :\"$2\", 7}, 1}], "
                                                    "[:\"$1\"]}]"))),
            (std::vector<term>{1, 6, 8}));
  // A guard that raises only fails its clause.
  EXPECT_TRUE(ets::select(t, otter::parse_term("[{{:\"$1\", :_, :_}, [{:>, {:div, 1, 0}, 0}], [:\"$1\"]}]")).empty());
  EXPECT_EQ(ets::select_count(t, otter::parse_term("[{{:_, :_, :even}, [], [true]}]")), 5u);
  EXPECT_EQ(ets::select_delete(t, otter::parse_term("[{{:\"$1\", :_, :_}, [{:<, :\"$1\", 4}], [true]}]")), 3u);
  EXPECT_EQ(ets::info(t, "size"_a), term(7));
  ets::delete_table(t);
}

TEST(EtsMatch, select_in_chunks_with_a_continuation) {
  term t = ets::new_table("chunks"_a, opts("[:public, :ordered_set]"));
  for (int i = 1; i <= 7; ++i) ets::insert(t, otter::tuple(i));
  auto ms = otter::parse_term("[{{:\"$1\"}, [], [:\"$1\"]}]");
  std::vector<term> got;
  auto chunk = ets::select(t, ms, 3);
  int calls = 0;
  while (chunk) {
    ++calls;
    EXPECT_LE(chunk->matches.size(), 3u);
    got.insert(got.end(), chunk->matches.begin(), chunk->matches.end());
    chunk = ets::select(chunk->continuation);
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(got, (std::vector<term>{1, 2, 3, 4, 5, 6, 7}));
  expect_badarg([&] { ets::select(t, ms, 0); }, "at least 1");
  expect_badarg([] { ets::select(term(1)); }, "not a continuation");
  ets::delete_table(t);
}

TEST(EtsMatch, bad_match_specifications_are_refused_with_a_reason) {
  term t = ets::new_table("badms"_a, opts("[:public]"));
  expect_badarg([&] { ets::select(t, term(1)); }, "list of {head, guards, body}");
  expect_badarg([&] { ets::select(t, otter::parse_term("[{:_, :no_list, []}]")); }, "each clause");
  expect_badarg([&] { ets::select(t, otter::parse_term("[{:_, [{:launch_missiles, 1}], [true]}]")); },
                "calls launch_missiles");
  expect_badarg([&] { ets::select(t, otter::parse_term("[{:_, [], []}]")); }, "needs a body");
  // Variables must be bound by the head, in guards and bodies alike.
  expect_badarg([&] { ets::select(t, otter::parse_term("[{{:\"$1\"}, [], [:\"$2\"]}]")); },
                "the variable $2 is not bound by the clause's head");
  expect_badarg([&] { ets::select_count(t, otter::parse_term("[{{:\"$1\"}, [{:>, :\"$3\", 1}], [true]}]")); },
                "the variable $3 is not bound");
  EXPECT_EQ(ets::select(t, otter::parse_term("[{{:\"$1\"}, [], [{:const, :\"$2\"}]}]")).size(), 0u);  // quoted: fine
  // Nesting is bounded: hostile depth is refused, not a stack overflow.
  term deep = otter::tuple("_"_a);
  for (int i = 0; i < 5000; ++i) deep = otter::tuple(deep);
  expect_badarg([&] { ets::match_object(t, deep); }, "nested deeper than 1000 levels");
  term deep_body = term(true);
  for (int i = 0; i < 5000; ++i) deep_body = otter::tuple("not"_a, deep_body);
  expect_badarg([&] { ets::select(t, otter::list{otter::tuple("_"_a, otter::list{}, otter::list{deep_body})}); },
                "nested deeper than 1000 levels");
  ets::delete_table(t);
}

TEST(Ets, walking_keys_with_first_and_next) {
  term ord = ets::new_table("walk_ord"_a, opts("[:ordered_set, :public]"));
  for (int k : {5, 1, 3}) ets::insert(ord, otter::tuple(k));
  EXPECT_EQ(ets::first(ord), std::optional<term>(1));
  EXPECT_EQ(ets::next(ord, 1), std::optional<term>(3));
  EXPECT_EQ(ets::next(ord, 2), std::optional<term>(3));  // any key, present or not
  EXPECT_EQ(ets::next(ord, 5), std::nullopt);            // '$end_of_table'
  EXPECT_EQ(ets::last(ord), std::optional<term>(5));
  EXPECT_EQ(ets::prev(ord, 5), std::optional<term>(3));
  EXPECT_EQ(ets::prev(ord, 1), std::nullopt);
  // Deleting the current key does not break an ordered walk.
  ets::delete_key(ord, 3);
  EXPECT_EQ(ets::next(ord, 3), std::optional<term>(5));
  ets::delete_table(ord);

  term set = ets::new_table("walk_set"_a, opts("[:set, :public]"));
  EXPECT_EQ(ets::first(set), std::nullopt);
  for (int k = 0; k < 500; ++k) ets::insert(set, otter::tuple(k, k));
  std::vector<term> seen;
  for (auto k = ets::first(set); k; k = ets::next(set, *k)) seen.push_back(*k);
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_EQ(sorted(seen).front(), term(0));
  EXPECT_EQ(sorted(seen).back(), term(499));
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());  // each key once
  expect_badarg([&] { ets::next(set, 1000); }, "is not in the table");
  ets::delete_table(set);
}

TEST(Ets, review_cases_default_keys_map_patterns_and_variable_limits) {
  term t = ets::new_table("review"_a, opts("[:public]"));
  // A set matches keys exactly: a default object keyed 1.0 is not for key 1.
  expect_badarg([&] { ets::update_counter(t, 1, term(1), otter::tuple(1.0, 0)); }, "does not have the key");
  // A map in a pattern matches maps with at least its keys, even at the key position.
  ets::insert(t, otter::tuple(otter::map{{"a"_a, 1}, {"b"_a, 2}}, "x"_a));
  EXPECT_EQ(ets::match_object(t, otter::tuple(otter::map{{"a"_a, 1}}, otter::atoms::underscore)).size(), 1u);
  expect_badarg([&] { ets::match(t, otter::tuple(otter::atom("$10001"), otter::atoms::underscore)); },
                "beyond otter's limit");
  ets::delete_table(t);
}

namespace {
// Waits for {:"ETS-TRANSFER", table, from, data}, replies {:got, from, data},
// then writes to the (protected) table it now owns, and waits for :stop.
otter::process receiver(otter::pid main) {
  term m = co_await otter::receive<term>(
      [](const term& t) { return t.is_tuple() && t.size() == 4 && t[0].is_atom(otter::atom("ETS-TRANSFER")); });
  ets::insert(m[1], otter::tuple("written_by_new_owner"_a, 1));  // allowed: it owns it now
  otter::send(main, otter::tuple("got"_a, m[2], m[3]));
  co_await otter::receive<otter::atom>();
}
}  // namespace

TEST(Ets, give_away_hands_the_table_and_a_message_to_the_new_owner) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  term t = ets::new_table("given"_a, opts("[:named_table]"));  // protected, owned by `me`
  const otter::pid dead = rt.spawn([]() -> otter::process { co_return; });
  me.monitor(dead);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  expect_badarg([&] { ets::give_away(t, dead, 1); }, "is not alive");
  EXPECT_EQ(ets::info(t, "owner"_a), term(me.self()));  // still ours
  const otter::pid r = rt.spawn(receiver, me.self());
  me.monitor(r);
  ets::give_away(t, r, "a gift");
  auto got = me.receive<term>(forever);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, otter::tuple("got"_a, me.self(), "a gift"));
  EXPECT_EQ(ets::info(t, "owner"_a), term(r));
  EXPECT_EQ(ets::lookup(t, "written_by_new_owner"_a).size(), 1u);
  expect_badarg([&] { ets::insert(t, otter::tuple("me"_a, 1)); }, "only its owner may write");  // no longer ours
  expect_badarg([&] { ets::give_away(t, me.self(), 1); }, "only the owner");
  me.send(r, "stop"_a);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  EXPECT_FALSE(ets::whereis("given"_a).has_value());  // gone with its new owner
}

namespace {
// After `owner` made table `name` with `heir` as heir and exited: the heir
// (a `receiver`) got ETS-TRANSFER with `data` and owns the table, which
// goes when the heir exits.
void expect_inherited(otter::scoped_process& me, otter::atom name, otter::pid owner, otter::pid heir, const term& data) {
  ASSERT_TRUE(me.receive<otter::atom>(forever));  // the owner made it
  auto got = me.receive<term>(forever);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, otter::tuple("got"_a, owner, data));
  EXPECT_EQ(ets::info(name, "owner"_a), term(heir));
  me.monitor(heir);
  me.send(heir, "stop"_a);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  EXPECT_FALSE(ets::whereis(name).has_value());
}
}  // namespace

TEST(Ets, an_heir_inherits_the_table_when_the_owner_dies) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid heir = rt.spawn(receiver, me.self());
  // The owner makes a table with `heir` as heir, then exits.
  const otter::pid owner = rt.spawn([](otter::pid h, otter::pid main) -> otter::process {
    ets::options o;
    o.named_table = true;
    o.heir = std::make_pair(h, term("inherit me"));
    ets::new_table("inherited"_a, o);
    EXPECT_EQ(ets::info("inherited"_a, "heir"_a), term(h));
    otter::send(main, "made"_a);
    co_return;
  }, heir, me.self());
  expect_inherited(me, "inherited"_a, owner, heir, "inherit me");
}

TEST(Ets, setopts_names_an_heir_after_the_table_is_made) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid heir = rt.spawn(receiver, me.self());
  const otter::pid owner = rt.spawn([](otter::pid h, otter::pid main) -> otter::process {
    ets::new_table("heir_set_later"_a, opts("[:named_table]"));
    ets::setopts("heir_set_later"_a, opts("[{:heir, :none}]"));
    expect_badarg([] { ets::setopts("heir_set_later"_a, opts("[{:heir, 1, 2}]")); }, "expected {:heir, pid, data}");
    expect_badarg([] { ets::setopts("heir_set_later"_a, opts("[:compressed]")); }, "got :compressed");
    ets::setopts("heir_set_later"_a, otter::tuple("heir"_a, h, "later"));
    otter::send(main, "made"_a);
    co_return;
  }, heir, me.self());
  expect_inherited(me, "heir_set_later"_a, owner, heir, "later");
}

TEST(Ets, a_dead_heir_does_not_keep_the_table) {
  otter::runtime rt(quiet());
  otter::scoped_process me(rt);
  const otter::pid gone = rt.spawn([]() -> otter::process { co_return; });
  me.monitor(gone);
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  const otter::pid owner = rt.spawn([](otter::pid h, otter::pid main) -> otter::process {
    ets::options o;
    o.named_table = true;
    o.heir = std::make_pair(h, term(0));
    ets::new_table("orphan"_a, o);
    otter::send(main, "made"_a);
    co_return;
  }, gone, me.self());
  me.monitor(owner);
  ASSERT_TRUE(me.receive<otter::atom>(forever));
  ASSERT_TRUE(me.receive<otter::down_message>(forever));
  EXPECT_FALSE(ets::whereis("orphan"_a).has_value());
}

// otter::ets — Erlang's term storage: concurrent tables of tuples that live
// apart from any process's state, so they survive a crash of the process
// that writes them.
//
//   using namespace otter::literals;
//   auto t = otter::ets::new_table("buckets_registry"_a,
//                                  otter::parse_term("[:named_table, :public, :bag]"));
//   otter::ets::insert(t, otter::tuple("W1"_a, 1));
//   otter::ets::lookup(t, "W1"_a);                 // [{:W1, 1}]
//
// As in Erlang, a table belongs to the process that created it (its owner)
// and is deleted when the owner exits; `protected` tables (the default) can
// be read by anyone and written by the owner only, `private` ones only used
// by the owner, `public` ones by anyone. Code outside any process may use
// public tables and create tables that no process owns (they live until
// `delete_table`). A table is named by its id: the name atom for a
// `named_table`, a reference otherwise.
//
// Every bad argument throws otter::bad_argument (Erlang's badarg) with a
// message that says what was wrong: an unknown table, an access violation, a
// tuple too short for the key position, a wrong option...
//
// Concurrency: `set`, `bag` and `duplicate_bag` tables are hash tables split
// into stripes, each with its own reader/writer lock, so operations on keys
// of different stripes run in parallel; `ordered_set` is a tree under one
// reader/writer lock. Each single-object operation is atomic and isolated,
// and so is an insert of a list of objects, as in Erlang.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "otter/atom.hpp"
#include "otter/errors.hpp"
#include "otter/pid.hpp"
#include "otter/term.hpp"

namespace otter::ets {

enum class table_type : std::uint8_t { set, ordered_set, bag, duplicate_bag };
enum class access : std::uint8_t { public_, protected_, private_ };

/// What `new_table` accepts (Erlang's option list, as a struct).
struct options {
  table_type type = table_type::set;
  access protection = access::protected_;
  bool named_table = false;
  std::size_t keypos = 1;  ///< 1-based position of the key in each tuple
  /// Who takes the table when its owner exits, and the data sent along in
  /// the {:"ETS-TRANSFER", table, old_owner, data} message; nullopt: none.
  std::optional<std::pair<pid, term>> heir;
  bool read_concurrency = false;   ///< a hint; accepted and reported by info
  bool write_concurrency = false;  ///< a hint: more lock stripes

  /// Reads Erlang's option list: `[:named_table, :public, :bag, {:keypos, 2},
  /// {:read_concurrency, true}, ...]`. Throws bad_argument naming the bad option.
  static options from_term(const term& option_list);
};

/// Creates a table owned by the calling process (or by nobody outside any
/// process) and returns its id: `name` for a named table, else a reference.
/// Throws bad_argument if a named table called `name` exists.
term new_table(atom name, const options& opts = {});
term new_table(atom name, const term& option_list);

/// Deletes the table (ets:delete/1). Only its owner may, unless it is public.
void delete_table(const term& tab);

/// Makes `to` (a live process of the caller's runtime, not the caller) the
/// table's owner and sends it {:"ETS-TRANSFER", table, caller, gift_data}
/// (ets:give_away/3). Only the owner may.
void give_away(const term& tab, pid to, const term& gift_data);

/// Renames the table (ets:rename/2) and returns `name`. A named table is
/// then found by `name` and no longer by its old name; an unnamed one only
/// changes the name info() reports. The owner only (unless public);
/// bad_argument if another table has the name.
atom rename(const term& tab, atom name);

/// Changes the heir (ets:setopts/2): `opts` is `{:heir, pid, data}`,
/// `{:heir, :none}` or a list of them. The owner only.
void setopts(const term& tab, const term& opts);

/// Inserts one tuple or a list of tuples (atomically: all or nothing, and no
/// reader sees part of it). In a set an object replaces the one with its key.
void insert(const term& tab, const term& object_or_objects);
/// Inserts only if no object has the key (of any of the objects); returns
/// whether it did (ets:insert_new/2).
bool insert_new(const term& tab, const term& object_or_objects);

/// The objects with `key` (at most one in a set), in insertion order.
std::vector<term> lookup(const term& tab, const term& key);
/// Element `pos` (1-based) of the object with `key`; for bags, the list of
/// it in each object. Throws bad_argument if there is no such object or
/// element (ets:lookup_element/3).
term lookup_element(const term& tab, const term& key, std::size_t pos);
bool member(const term& tab, const term& key);

/// Deletes the objects with `key` (ets:delete/2).
void delete_key(const term& tab, const term& key);
/// Deletes exactly this object (all copies of it in a duplicate_bag).
void delete_object(const term& tab, const term& object);
void delete_all_objects(const term& tab);
/// Removes and returns the objects with `key` (ets:take/2).
std::vector<term> take(const term& tab, const term& key);

/// Adds `incr` to element keypos + 1 of the object with `key` and returns the
/// new value (ets:update_counter/3). Sets and ordered sets only.
std::int64_t update_counter(const term& tab, const term& key, std::int64_t incr);
/// The general form: `op` is an increment, `{pos, incr}`,
/// `{pos, incr, threshold, setvalue}` or a list of those (then a list of
/// results is returned). If no object has the key, `default_object` (when
/// given) is inserted first, as ets:update_counter/4 does.
term update_counter(const term& tab, const term& key, const term& op,
                    const std::optional<term>& default_object = std::nullopt);
/// Replaces elements of the object with `key`: `{pos, value}` or a list of
/// those; returns false if there is no such object (ets:update_element/3).
bool update_element(const term& tab, const term& key, const term& pos_value);

/// Every object (ets:tab2list/1); in key order for an ordered_set.
std::vector<term> tab2list(const term& tab);

/// Walking the keys (ets:first/next/last/prev); nullopt is '$end_of_table'.
/// In an ordered_set the walk is in term order and `next`/`prev` accept any
/// key, present or not, so a walk is safe while others write. In the hash
/// types `last`/`prev` are `first`/`next` (as in Erlang), and `next` needs a
/// key that is still in the table (bad_argument otherwise); keys inserted or
/// deleted during a walk may or may not be seen.
std::optional<term> first(const term& tab);
std::optional<term> next(const term& tab, const term& key);
std::optional<term> last(const term& tab);
std::optional<term> prev(const term& tab, const term& key);

// --- matching (patterns: `_` matches anything, `$1`, `$2`... are variables;
// match specifications: [{head, [guard...], [body...]}], see docs/ets.md) ---

/// For each object matching `pattern`, the list of its variables' values in
/// variable order (ets:match/2): `match(t, {"$1", 1})` -> [[k1], [k2], ...].
std::vector<term> match(const term& tab, const term& pattern);
/// The objects matching `pattern` (ets:match_object/2).
std::vector<term> match_object(const term& tab, const term& pattern);
/// Deletes the objects matching `pattern` (ets:match_delete/2).
void match_delete(const term& tab, const term& pattern);
/// The body values of the match specification over every object (ets:select/2).
std::vector<term> select(const term& tab, const term& match_spec);
/// ets:select/3 and /1: at most `limit` results and a continuation for the
/// rest; nullopt when there are no (more) results ('$end_of_table'). The
/// first call selects every match (a snapshot); continuations hand it out.
struct select_chunk {
  std::vector<term> matches;
  term continuation;
};
std::optional<select_chunk> select(const term& tab, const term& match_spec, std::size_t limit);
std::optional<select_chunk> select(const term& continuation);
/// How many objects the specification returns `true` for (ets:select_count/2).
std::size_t select_count(const term& tab, const term& match_spec);
/// Deletes the objects the specification returns `true` for; returns how
/// many (ets:select_delete/2).
std::size_t select_delete(const term& tab, const term& match_spec);

/// The table's properties as Erlang's ets:info/1 keyword list: id, name,
/// type, size, memory (words), owner, heir, protection, keypos, named_table,
/// read_concurrency, write_concurrency.
term info(const term& tab);
/// One property of info/1 by name, e.g. `info(t, "size"_a)`.
term info(const term& tab, atom item);
/// The reference of the named table `name` (usable wherever its name is,
/// and still after a rename), or nullopt (ets:whereis/1).
std::optional<term> whereis(atom name);
/// The ids of all tables (ets:all/0).
std::vector<term> all();

}  // namespace otter::ets

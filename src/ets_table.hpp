// Internal: the storage of one ETS table, behind otter/ets.hpp.
//
// `table` holds what every type shares (identity, owner, options) and the
// operations as virtual functions; ets_tables.cpp implements them for the
// hash types (set, bag, duplicate_bag: stripes of hash maps, one
// reader/writer lock per stripe) and for ordered_set (a tree under one
// reader/writer lock). Access rules, ids and owners are checked in ets.cpp;
// a table only stores.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "otter/ets.hpp"

namespace otter::detail {
class runtime_impl;
}

namespace otter::ets::detail {

/// An object as a table keeps it: a whole tuple, or a 2-tuple kept as its
/// key and its other element (see ets_tables.cpp). Matching reads elements
/// through it, so a scan builds a tuple only for the objects it returns.
class object_ref {
 public:
  explicit object_ref(const term& whole) noexcept : whole_(&whole) {}
  object_ref(const term& key, const term& other, std::size_t keypos) noexcept
      : key_(&key), other_(&other), key_first_(keypos == 1) {}

  bool is_tuple() const noexcept { return !whole_ || whole_->is_tuple(); }
  std::size_t size() const { return whole_ ? whole_->size() : 2; }
  /// Element i (0-based); the object must be a tuple.
  const term& operator[](std::size_t i) const {
    if (whole_) return whole_->elements()[i];
    return (i == 0) == key_first_ ? *key_ : *other_;
  }
  /// The object as a term (builds the tuple of a pair).
  term get() const { return whole_ ? *whole_ : key_first_ ? otter::tuple(*key_, *other_) : otter::tuple(*other_, *key_); }

 private:
  const term* whole_ = nullptr;
  const term* key_ = nullptr;
  const term* other_ = nullptr;
  bool key_first_ = true;
};

class table {
 public:
  table(reference tid, atom name, const options& o) : tid(tid), name(name), opts(o) {}
  virtual ~table() = default;

  /// The table's own reference (ets:info(T, id)); fixed for its life, so
  /// the registry keys tables by it.
  const term tid;
  /// Its name; rename changes it. Guarded by the registry's lock.
  atom name;
  const options opts;
  // The owner: its runtime and pid (0 = no owner). Written under the
  // registry's lock; read by access checks without it.
  std::atomic<otter::detail::runtime_impl*> owner_rt{nullptr};
  std::atomic<std::uint64_t> owner{0};
  std::atomic<bool> deleted{false};
  // The heir (pid value 0: none) and its data; guarded by the registry's lock.
  std::uint64_t heir = 0;
  term heir_data;

  /// The key of `object`; throws bad_argument unless it is a tuple with at
  /// least keypos elements.
  const term& key_of(const term& object) const;

  /// Inserts `objects` (already checked to be tuples) atomically; with
  /// `only_new`, inserts nothing and returns false if any key is present.
  virtual bool insert(std::span<const term> objects, bool only_new) = 0;
  virtual std::vector<term> lookup(const term& key) const = 0;
  virtual bool member(const term& key) const = 0;
  virtual void erase(const term& key) = 0;
  virtual void erase_object(const term& object) = 0;
  virtual void clear() = 0;
  virtual std::vector<term> take(const term& key) = 0;
  /// Sets and ordered sets: under the key's write lock, calls
  /// `change(existing or nullptr)`; a returned term replaces (or inserts)
  /// the object, nullopt leaves the table as it was. `change` may throw,
  /// which also leaves it as it was.
  virtual void update(const term& key, const std::function<std::optional<term>(const term*)>& change) = 0;
  /// The common update_counter: adds `incr` to element `pos` (1-based, not
  /// the key) of the object with `key` and returns the new value; throws
  /// bad_argument as ets:update_counter/3 would. Sets and ordered sets only.
  virtual std::int64_t add_counter(const term& key, std::size_t pos, std::int64_t incr) = 0;
  /// Calls `f` on every object, a stripe at a time under its read lock
  /// (each object is seen in one consistent state; the walk as a whole is
  /// not a snapshot, as in Erlang).
  virtual void scan(const std::function<void(const object_ref&)>& f) const = 0;
  /// Deletes the objects for which `doomed` is true; returns how many.
  virtual std::size_t erase_if(const std::function<bool(const object_ref&)>& doomed) = 0;
  virtual std::size_t size() const = 0;
  /// Walking keys: nullopt is '$end_of_table'. In an ordered_set, in term
  /// order, from any key (present or not). In a hash table, stripe by stripe
  /// in storage order; `next` needs a key that is still present.
  virtual std::optional<term> first_key() const = 0;
  virtual std::optional<term> next_key(const term& key) const = 0;
  virtual std::optional<term> last_key() const { return first_key(); }
  virtual std::optional<term> prev_key(const term& key) const { return next_key(key); }
  virtual std::vector<term> to_list() const = 0;
  /// Approximate memory in words (8 bytes), as ets:info(T, memory) reports.
  virtual std::size_t memory_words() const = 0;
};

std::unique_ptr<table> make_table(reference tid, atom name, const options& o);

/// One update_counter step on element `pos` of the tuple whose current
/// elements are `elements` (`object` names it in messages): the new value
/// (incr added; past `threshold`, `set_value`). Throws bad_argument, as
/// ets:update_counter does, for the key's position, a position outside the
/// tuple, an element that is no integer, or a result beyond 64 bits.
std::int64_t counter_step(const term& object, std::span<const term> elements, std::size_t pos, std::size_t keypos,
                          std::int64_t incr,
                          std::optional<std::int64_t> threshold = {}, std::optional<std::int64_t> set_value = {});

}  // namespace otter::ets::detail

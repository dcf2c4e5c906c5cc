// ETS table storage (see ets_table.hpp).
#include <algorithm>
#include <bit>
#include <map>
#include <mutex>
#include <shared_mutex>  // std::shared_lock
#include <type_traits>
#include <unordered_map>

#include "ets_flat_map.hpp"
#include "ets_lock.hpp"
#include "ets_table.hpp"
#include "term_block.hpp"

namespace otter::ets::detail {

const term& table::key_of(const term& object) const {
  if (!object.is_tuple())
    throw bad_argument("otter::ets: an object must be a tuple, got " + inspect(object, {0, 10}));
  if (object.size() < opts.keypos)
    throw bad_argument("otter::ets: the object " + inspect(object, {0, 10}) + " has " +
                       std::to_string(object.size()) + " elements; the key is element " +
                       std::to_string(opts.keypos));
  return object[opts.keypos - 1];
}

std::int64_t counter_step(const term& object, std::span<const term> elements, std::size_t pos, std::size_t keypos,
                          std::int64_t incr, std::optional<std::int64_t> threshold,
                          std::optional<std::int64_t> set_value) {
  static constexpr const char* where = "otter::ets::update_counter: ";  // no string on the hot path
  if (pos < 1) throw bad_argument(std::string(where) + "positions start at 1");
  if (pos == keypos) throw bad_argument(std::string(where) + "position " + std::to_string(pos) + " is the key");
  if (pos > elements.size())
    throw bad_argument(std::string(where) + "position " + std::to_string(pos) + " is outside " + inspect(object, {0, 10}));
  const term& e = elements[pos - 1];
  if (!e.is_integer())
    throw bad_argument(std::string(where) + "element " + std::to_string(pos) + " of " + inspect(object, {0, 10}) +
                       " is not an integer");
  std::int64_t v = 0;
  if (__builtin_add_overflow(e.as_int(), incr, &v)) throw bad_argument(std::string(where) + "the counter would leave the 64-bit range");
  if (threshold && ((incr >= 0 && v > *threshold) || (incr < 0 && v < *threshold))) v = *set_value;
  return v;
}

namespace {

std::size_t object_words(const term&) noexcept { return (2 * sizeof(term) + 32) / 8; }

// Adds `incr` to element `pos` of `object` (owned by the table, under its
// write lock). When the table holds the only reference to the tuple (no
// reader kept a copy: copies are only taken under the same lock), the
// element is changed in place, as BEAM changes its own copy; otherwise a new
// tuple replaces it.
std::int64_t add_to_element(term& object, std::size_t pos, std::size_t keypos, std::int64_t incr) {
  const std::int64_t v = counter_step(object, object.elements(), pos, keypos, incr);
  auto* b = const_cast<otter::detail::term_block*>(object.block());
  if (b && b->refs.load(std::memory_order_acquire) == 1) {
    b->terms()[pos - 1] = term(v);
  } else {
    object = object.tuple_set(pos - 1, term(v));
  }
  return v;
}

// set (Bag = false) or bag/duplicate_bag (Bag = true) in striped hash maps.
template <bool Bag>
class hash_table final : public table {
 public:
  using value_t = std::conditional_t<Bag, std::vector<term>, term>;

  hash_table(reference tid, atom name, const options& o)
      : table(tid, name, o), count_(o.write_concurrency ? 256 : 64), stripes_(new stripe[count_]) {}

  bool insert(std::span<const term> objects, bool only_new) override {
    if (objects.size() == 1) {
      const term& key = key_of(objects[0]);
      stripe& s = stripe_of(key);
      std::unique_lock lk(s.m);
      if (only_new && s.map.count(key)) return false;
      put(s, key, objects[0]);
      return true;
    }
    // Several objects: lock every stripe they touch, in index order (no
    // deadlock), so that the insert is atomic and isolated.
    std::vector<std::size_t> idx;
    idx.reserve(objects.size());
    for (const term& o : objects) idx.push_back(index_of(key_of(o)));
    std::vector<std::size_t> order = idx;
    std::sort(order.begin(), order.end());
    order.erase(std::unique(order.begin(), order.end()), order.end());
    std::vector<std::unique_lock<stripe_lock>> locks;
    locks.reserve(order.size());
    for (std::size_t i : order) locks.emplace_back(stripes_[i].m);
    if (only_new)
      for (std::size_t k = 0; k < objects.size(); ++k)
        if (stripes_[idx[k]].map.count(key_of(objects[k]))) return false;
    for (std::size_t k = 0; k < objects.size(); ++k) put(stripes_[idx[k]], key_of(objects[k]), objects[k]);
    return true;
  }

  std::vector<term> lookup(const term& key) const override {
    const stripe& s = stripe_of(key);
    std::shared_lock lk(s.m);
    auto it = s.map.find(key);
    if (it == s.map.end()) return {};
    if constexpr (Bag)
      return objects_of(*it);
    else
      return {object_of(*it)};
  }

  bool member(const term& key) const override {
    const stripe& s = stripe_of(key);
    std::shared_lock lk(s.m);
    return s.map.count(key) != 0;
  }

  void erase(const term& key) override {
    stripe& s = stripe_of(key);
    std::unique_lock lk(s.m);
    auto it = s.map.find(key);
    if (it == s.map.end()) return;
    s.add_size(-static_cast<std::int64_t>(items(it->second)));
    s.map.erase(it);
  }

  void erase_object(const term& object) override {
    const term& key = key_of(object);
    stripe& s = stripe_of(key);
    std::unique_lock lk(s.m);
    auto it = s.map.find(key);
    if (it == s.map.end()) return;
    if constexpr (Bag) {
      std::size_t removed = 0;
      if (!it->flag())
        removed = std::erase(it->second, object);
      else if (object.size() == 2)
        removed = std::erase(it->second, object[2 - opts.keypos]);
      s.add_size(-static_cast<std::int64_t>(removed));
      if (it->second.empty()) s.map.erase(it);
    } else {
      const bool same = it->flag() ? object.size() == 2 && object[2 - opts.keypos] == it->second : it->second == object;
      if (same) {
        s.map.erase(it);
        s.add_size(-1);
      }
    }
  }

  void clear() override {
    std::vector<std::unique_lock<stripe_lock>> locks;
    locks.reserve(count_);
    for (std::size_t i = 0; i < count_; ++i) locks.emplace_back(stripes_[i].m);
    for (std::size_t i = 0; i < count_; ++i) {
      stripes_[i].map.clear();
      stripes_[i].add_size(-stripes_[i].size.load(std::memory_order_relaxed));
    }
  }

  std::vector<term> take(const term& key) override {
    stripe& s = stripe_of(key);
    std::unique_lock lk(s.m);
    auto it = s.map.find(key);
    if (it == s.map.end()) return {};
    std::vector<term> out;
    if constexpr (Bag)
      out = objects_of(*it);
    else
      out.push_back(object_of(*it));
    s.add_size(-static_cast<std::int64_t>(out.size()));
    s.map.erase(it);
    return out;
  }

  void update(const term& key, const std::function<std::optional<term>(const term*)>& change) override {
    if constexpr (Bag) {
      (void)key;
      (void)change;
      throw bad_argument("otter::ets: update_counter and update_element need a set or an ordered_set");
    } else {
      stripe& s = stripe_of(key);
      std::unique_lock lk(s.m);
      auto it = s.map.find(key);
      std::optional<term> current;
      if (it != s.map.end()) current = object_of(*it);
      std::optional<term> next = change(current ? &*current : nullptr);
      if (!next) return;
      if (it != s.map.end()) {
        store(*it, *next);
      } else {
        store(*s.map.try_emplace(key).first, *next);
        s.add_size(1);
      }
    }
  }

  std::int64_t add_counter(const term& key, std::size_t pos, std::int64_t incr) override {
    if constexpr (Bag) {
      (void)key;
      (void)pos;
      (void)incr;
      throw bad_argument("otter::ets::update_counter and update_element need a set or an ordered_set");
    } else {
      stripe& s = stripe_of(key);
      std::unique_lock lk(s.m);
      auto it = s.map.find(key);
      if (it == s.map.end()) throw bad_argument("otter::ets::update_counter: no object has the key " + inspect(key, {0, 10}));
      if (!it->flag()) return add_to_element(it->second, pos, opts.keypos, incr);
      // A pair: its counter is the one element that is not the key.
      std::int64_t v = 0;
      if (pos == 3 - opts.keypos && it->second.is_integer() && !__builtin_add_overflow(it->second.as_int(), incr, &v)) {
        it->second = term(v);
        return v;
      }
      const term object = object_of(*it);
      (void)counter_step(object, object.elements(), pos, opts.keypos, incr);  // throws: says what was wrong
      throw bad_argument("otter::ets::update_counter: cannot update " + inspect(object, {0, 10}));
    }
  }

  std::optional<term> first_key() const override { return first_from(0); }

  std::optional<term> next_key(const term& key) const override {
    const std::size_t i = index_of(key);
    {
      std::shared_lock lk(stripes_[i].m);
      auto it = stripes_[i].map.find(key);
      if (it == stripes_[i].map.end())
        throw bad_argument("otter::ets::next: the key " + inspect(key, {0, 10}) +
                           " is not in the table (deleted during the walk?)");
      ++it;
      if (it != stripes_[i].map.end()) return it->first;
    }
    return first_from(i + 1);
  }

  std::size_t size() const override {
    std::int64_t n = 0;
    for (std::size_t i = 0; i < count_; ++i) n += stripes_[i].size.load(std::memory_order_relaxed);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }

  std::vector<term> to_list() const override {
    std::vector<term> out;
    out.reserve(size());
    for (std::size_t i = 0; i < count_; ++i) {
      std::shared_lock lk(stripes_[i].m);
      for (const auto& slot : stripes_[i].map) {
        if constexpr (Bag) {
          auto objects = objects_of(slot);
          out.insert(out.end(), objects.begin(), objects.end());
        } else {
          out.push_back(object_of(slot));
        }
      }
    }
    return out;
  }

  std::size_t memory_words() const override {
    return size() * object_words(term()) + count_ * sizeof(stripe) / 8;
  }

  void scan(const std::function<void(const object_ref&)>& f) const override {
    for (std::size_t i = 0; i < count_; ++i) {
      std::shared_lock lk(stripes_[i].m);
      for (const auto& slot : stripes_[i].map) {
        if constexpr (Bag) {
          for (const term& o : slot.second) f(ref_of(slot, o));
        } else {
          f(ref_of(slot, slot.second));
        }
      }
    }
  }

  std::size_t erase_if(const std::function<bool(const object_ref&)>& doomed) override {
    std::size_t total = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      std::unique_lock lk(stripes_[i].m);
      std::size_t n = 0;
      auto& map = stripes_[i].map;
      for (auto it = map.begin(); it != map.end();) {
        if constexpr (Bag) {
          n += std::erase_if(it->second, [&](const term& o) { return doomed(ref_of(*it, o)); });
          if (it->second.empty())
            it = map.erase(it);
          else
            ++it;
        } else {
          if (doomed(ref_of(*it, it->second))) {
            it = map.erase(it);
            ++n;
          } else {
            ++it;
          }
        }
      }
      stripes_[i].add_size(-static_cast<std::int64_t>(n));
      total += n;
    }
    return total;
  }

 private:
  struct alignas(64) stripe {
    mutable stripe_lock m;
    flat_map<value_t> map;  // guarded by m
    // Objects in this stripe: written under m, read by size() without it.
    // Per stripe, so that writers to different stripes share no counter.
    std::atomic<std::int64_t> size{0};
    void add_size(std::int64_t d) noexcept { size.store(size.load(std::memory_order_relaxed) + d, std::memory_order_relaxed); }
  };
  using slot_t = typename flat_map<value_t>::slot;

  // A bag does the same per key: while every object with the key is a
  // 2-tuple (the usual {key, value}), the slot's flag is set and its vector
  // holds each object's other element.
  object_ref ref_of(const slot_t& s, const term& item) const {
    return s.flag() ? object_ref(s.first, item, opts.keypos) : object_ref(item);
  }
  // A set keeps a 2-tuple as its key (`first`) and its other element
  // (`second`), with the slot's flag set: a lookup then builds the tuple
  // from the slot, and update_counter changes the slot, without touching a
  // tuple block elsewhere in memory. In a table bigger than the caches that
  // is one miss per operation instead of two. Other objects are kept whole.
  term object_of(const slot_t& s) const {
    static_assert(!Bag);
    return ref_of(s, s.second).get();
  }
  std::vector<term> objects_of(const slot_t& s) const {
    if constexpr (Bag) {
      if (!s.flag()) return s.second;
      std::vector<term> out;
      out.reserve(s.second.size());
      for (const term& o : s.second) out.push_back(ref_of(s, o).get());
      return out;
    } else {
      return {object_of(s)};
    }
  }
  void store(slot_t& s, const term& object) {
    if constexpr (!Bag) {
      const bool pair = object.size() == 2;  // the key is element 1 or 2
      s.second = pair ? object[2 - opts.keypos] : object;
      s.set_flag(pair);
    }
  }

  static std::size_t items(const value_t& v) {
    if constexpr (Bag)
      return v.size();
    else
      return 1;
  }
  std::optional<term> first_from(std::size_t stripe) const {
    for (std::size_t i = stripe; i < count_; ++i) {
      std::shared_lock lk(stripes_[i].m);
      auto it = stripes_[i].map.begin();
      if (it != stripes_[i].map.end()) return it->first;
    }
    return std::nullopt;
  }

  // The top bits pick the stripe; the stripe's map indexes by the low ones.
  std::size_t index_of(const term& key) const { return static_cast<std::size_t>(key.hash() >> shift_); }
  stripe& stripe_of(const term& key) { return stripes_[index_of(key)]; }
  const stripe& stripe_of(const term& key) const { return stripes_[index_of(key)]; }

  // Under the stripe's write lock.
  void put(stripe& s, const term& key, const term& object) {
    if constexpr (Bag) {
      auto [it, inserted] = s.map.try_emplace(key);
      const bool pair = object.size() == 2;
      if (inserted) it->set_flag(pair);
      if (it->flag() && !pair) {  // no longer only pairs: keep whole objects
        it->second = objects_of(*it);
        it->set_flag(false);
      }
      const term& item = it->flag() ? object[2 - opts.keypos] : object;
      auto& objects = it->second;
      // A bag keeps one copy of identical objects; a duplicate_bag keeps all.
      if (opts.type == table_type::bag && std::find(objects.begin(), objects.end(), item) != objects.end()) return;
      objects.push_back(item);
      s.add_size(1);
    } else {
      auto [it, inserted] = s.map.try_emplace(key);
      store(*it, object);
      if (inserted) s.add_size(1);
    }
  }

  const std::size_t count_;  // a power of two
  const int shift_ = 64 - std::countr_zero(count_);
  std::unique_ptr<stripe[]> stripes_;
};

// ordered_set: keys in Erlang's term order (so 1 and 1.0 are one key, as in
// Erlang's ordered_set), one reader/writer lock.
class ordered_table final : public table {
 public:
  using table::table;

  bool insert(std::span<const term> objects, bool only_new) override {
    for (const term& o : objects) (void)key_of(o);
    std::unique_lock lk(m_);
    if (only_new)
      for (const term& o : objects)
        if (map_.count(key_of(o))) return false;
    for (const term& o : objects) map_.insert_or_assign(key_of(o), o);
    return true;
  }
  std::vector<term> lookup(const term& key) const override {
    std::shared_lock lk(m_);
    auto it = map_.find(key);
    if (it == map_.end()) return {};
    return {it->second};
  }
  bool member(const term& key) const override {
    std::shared_lock lk(m_);
    return map_.count(key) != 0;
  }
  void erase(const term& key) override {
    std::unique_lock lk(m_);
    map_.erase(key);
  }
  void erase_object(const term& object) override {
    const term& key = key_of(object);
    std::unique_lock lk(m_);
    auto it = map_.find(key);
    if (it != map_.end() && it->second == object) map_.erase(it);
  }
  void clear() override {
    std::unique_lock lk(m_);
    map_.clear();
  }
  std::vector<term> take(const term& key) override {
    std::unique_lock lk(m_);
    auto it = map_.find(key);
    if (it == map_.end()) return {};
    std::vector<term> out{std::move(it->second)};
    map_.erase(it);
    return out;
  }
  void update(const term& key, const std::function<std::optional<term>(const term*)>& change) override {
    std::unique_lock lk(m_);
    auto it = map_.find(key);
    std::optional<term> next = change(it == map_.end() ? nullptr : &it->second);
    if (!next) return;
    if (it != map_.end())
      it->second = std::move(*next);
    else
      map_.emplace(key, std::move(*next));
  }
  std::int64_t add_counter(const term& key, std::size_t pos, std::int64_t incr) override {
    std::unique_lock lk(m_);
    auto it = map_.find(key);
    if (it == map_.end()) throw bad_argument("otter::ets::update_counter: no object has the key " + inspect(key, {0, 10}));
    return add_to_element(it->second, pos, opts.keypos, incr);
  }
  std::size_t size() const override {
    std::shared_lock lk(m_);
    return map_.size();
  }
  std::optional<term> first_key() const override {
    std::shared_lock lk(m_);
    if (map_.empty()) return std::nullopt;
    return map_.begin()->first;
  }
  std::optional<term> last_key() const override {
    std::shared_lock lk(m_);
    if (map_.empty()) return std::nullopt;
    return map_.rbegin()->first;
  }
  std::optional<term> next_key(const term& key) const override {
    std::shared_lock lk(m_);
    auto it = map_.upper_bound(key);
    if (it == map_.end()) return std::nullopt;
    return it->first;
  }
  std::optional<term> prev_key(const term& key) const override {
    std::shared_lock lk(m_);
    auto it = map_.lower_bound(key);
    if (it == map_.begin()) return std::nullopt;
    return std::prev(it)->first;
  }
  std::vector<term> to_list() const override {
    std::shared_lock lk(m_);
    std::vector<term> out;
    out.reserve(map_.size());
    for (const auto& [k, v] : map_) out.push_back(v);
    return out;
  }
  std::size_t memory_words() const override { return size() * (object_words(term()) + 2); }
  void scan(const std::function<void(const object_ref&)>& f) const override {
    std::shared_lock lk(m_);
    for (const auto& [k, v] : map_) f(object_ref(v));
  }
  std::size_t erase_if(const std::function<bool(const object_ref&)>& doomed) override {
    std::unique_lock lk(m_);
    std::size_t n = 0;
    for (auto it = map_.begin(); it != map_.end();) {
      if (doomed(object_ref(it->second))) {
        it = map_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }

 private:
  mutable stripe_lock m_;
  std::map<term, term, std::less<>> map_;  // guarded by m_
};

}  // namespace

std::unique_ptr<table> make_table(reference tid, atom name, const options& o) {
  switch (o.type) {
    case table_type::set: return std::make_unique<hash_table<false>>(tid, name, o);
    case table_type::bag:
    case table_type::duplicate_bag: return std::make_unique<hash_table<true>>(tid, name, o);
    case table_type::ordered_set: return std::make_unique<ordered_table>(tid, name, o);
  }
  throw bad_argument("otter::ets: unknown table type");
}

}  // namespace otter::ets::detail

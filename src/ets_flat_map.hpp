// Internal: the open-addressing hash map behind one stripe of an ETS hash
// table.
//
// Slots hold the key's hash, the key and the value in one array (linear
// probing, tombstones for deletions), so finding a key touches one cache
// line where a node-based map touches a bucket array and a node: on these
// VMs a miss costs more than everything else a lookup does. The interface
// is the subset of std::unordered_map that the tables use, plus one bit per
// slot that the owner may use to say how the value is stored (a set keeps
// a 2-tuple as its two elements, see ets_tables.cpp).
//
// The bit is bit 0 of the stored hash; a key's hash always has it clear
// and is at least 2, so 0 (empty) and 1 (deleted) stay free. Probing
// starts from the hash without that bit.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "otter/term.hpp"

namespace otter::ets::detail {

template <class V>
class flat_map {
 public:
  struct slot {
    std::uint64_t hash = 0;  // 0: empty, 1: deleted, else the key's hash (>= 2, bit 0 clear) | flag
    term first;
    V second{};
    bool flag() const noexcept { return hash & 1; }
    void set_flag(bool f) noexcept { hash = (hash & ~std::uint64_t{1}) | std::uint64_t{f}; }
  };

  class iterator {
   public:
    iterator(slot* s, slot* end) : s_(s), end_(end) { skip(); }
    slot& operator*() const { return *s_; }
    slot* operator->() const { return s_; }
    iterator& operator++() {
      ++s_;
      skip();
      return *this;
    }
    bool operator==(const iterator& o) const { return s_ == o.s_; }
    slot* get() const { return s_; }

   private:
    void skip() {
      while (s_ != end_ && s_->hash < 2) ++s_;
    }
    slot* s_;
    slot* end_;
  };

  iterator begin() { return iterator(slots_.get(), slots_.get() + cap_); }
  iterator end() { return iterator(slots_.get() + cap_, slots_.get() + cap_); }
  iterator begin() const { return const_cast<flat_map*>(this)->begin(); }
  iterator end() const { return const_cast<flat_map*>(this)->end(); }

  std::size_t size() const noexcept { return live_; }

  iterator find(const term& key) const {
    if (!cap_) return end();
    const std::uint64_t h = hash_of(key);
    for (std::size_t i = start(h);; i = (i + 1) & (cap_ - 1)) {
      slot& s = slots_[i];
      if (s.hash == 0) return end();
      if ((s.hash & ~std::uint64_t{1}) == h && s.first == key) return iterator(&s, slots_.get() + cap_);
    }
  }
  std::size_t count(const term& key) const { return find(key) == end() ? 0 : 1; }

  /// Inserts `key` with `value` unless present; returns the slot and
  /// whether it inserted. A new slot's flag is clear.
  template <class... A>
  std::pair<iterator, bool> try_emplace(const term& key, A&&... value) {
    if ((used_ + 1) * 8 > cap_ * 7) grow();
    const std::uint64_t h = hash_of(key);
    slot* reuse = nullptr;
    for (std::size_t i = start(h);; i = (i + 1) & (cap_ - 1)) {
      slot& s = slots_[i];
      if (s.hash == 0) {
        slot* target = reuse ? reuse : &s;
        if (!reuse) ++used_;
        target->hash = h;
        target->first = key;
        target->second = V(std::forward<A>(value)...);
        ++live_;
        return {iterator(target, slots_.get() + cap_), true};
      }
      if (s.hash == 1) {
        if (!reuse) reuse = &s;
      } else if ((s.hash & ~std::uint64_t{1}) == h && s.first == key) {
        return {iterator(&s, slots_.get() + cap_), false};
      }
    }
  }
  template <class A>
  std::pair<iterator, bool> emplace(const term& key, A&& value) {
    return try_emplace(key, std::forward<A>(value));
  }
  V& operator[](const term& key) { return try_emplace(key).first->second; }

  /// Removes the entry at `it`; returns the iterator to the next one.
  iterator erase(iterator it) {
    slot* s = it.get();
    s->hash = 1;
    s->first = term();
    s->second = V{};
    --live_;
    return ++it;
  }
  void erase(const term& key) {
    if (auto it = find(key); it != end()) erase(it);
  }

  void clear() {
    slots_.reset();
    cap_ = used_ = live_ = 0;
  }

 private:
  static std::uint64_t hash_of(const term& key) {
    const std::uint64_t h = key.hash() & ~std::uint64_t{1};
    return h < 2 ? 2 : h;
  }
  std::size_t start(std::uint64_t h) const noexcept { return (h >> 1) & (cap_ - 1); }

  void grow() {
    // Double when the live entries need it; otherwise rebuild at the same
    // size to drop tombstones.
    std::size_t cap = cap_ ? cap_ : 8;
    while ((live_ + 1) * 2 > cap) cap *= 2;
    if (cap == cap_ && used_ == live_) cap *= 2;
    std::unique_ptr<slot[]> fresh = std::make_unique<slot[]>(cap);  // may throw: nothing changed yet
    std::unique_ptr<slot[]> old = std::move(slots_);
    const std::size_t old_cap = cap_;
    slots_ = std::move(fresh);
    cap_ = cap;
    used_ = live_;
    for (std::size_t k = 0; k < old_cap; ++k) {
      slot& o = old[k];
      if (o.hash < 2) continue;
      for (std::size_t i = start(o.hash & ~std::uint64_t{1});; i = (i + 1) & (cap_ - 1)) {
        if (slots_[i].hash == 0) {
          slots_[i].hash = o.hash;
          slots_[i].first = std::move(o.first);
          slots_[i].second = std::move(o.second);
          break;
        }
      }
    }
  }

  std::unique_ptr<slot[]> slots_;
  std::size_t cap_ = 0;   // a power of two, or 0
  std::size_t used_ = 0;  // live + deleted slots
  std::size_t live_ = 0;
};

}  // namespace otter::ets::detail

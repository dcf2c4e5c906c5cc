// The atom table (see otter/atom.hpp).
//
// Texts live in append-only arenas and are never freed; the index -> text
// map is a two-level array whose chunks are allocated once and published
// with release stores, so `text()` is two loads and no lock. Interning hashes
// the text to one of 64 shards, each a mutex-guarded hash map from text to
// index: threads interning different texts rarely meet.
#include "otter/atom.hpp"

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "otter/errors.hpp"

namespace otter {

namespace {

constexpr std::uint32_t chunk_bits = 12;
constexpr std::uint32_t chunk_size = 1u << chunk_bits;
constexpr std::uint32_t chunk_count = atom::max_atoms / chunk_size;
constexpr std::size_t shard_count = 64;

struct entry {
  const char* text;
  std::uint32_t size;
};

struct shard {
  std::shared_mutex m;
  std::unordered_map<std::string_view, std::uint32_t> index;  // guarded by m
};

class table {
 public:
  table() {
    // The fixed atoms of otter::atoms, in index order.
    for (std::string_view s : {"false", "true", "nil", "ok", "error", "undefined", "_", "nonode@nohost"}) intern(s);
  }

  std::uint32_t intern(std::string_view s) {
    shard& sh = shards_[std::hash<std::string_view>{}(s) % shard_count];
    {
      std::shared_lock lk(sh.m);
      if (auto it = sh.index.find(s); it != sh.index.end()) return it->second;
    }
    std::unique_lock lk(sh.m);
    if (auto it = sh.index.find(s); it != sh.index.end()) return it->second;
    std::uint32_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= atom::max_atoms) {
      next_.fetch_sub(1, std::memory_order_relaxed);
      throw system_limit("otter::atom: the atom table is full (" + std::to_string(atom::max_atoms) + " atoms)");
    }
    const char* stored = store(s);
    entry* chunk = chunk_for(i);
    chunk[i & (chunk_size - 1)] = entry{stored, static_cast<std::uint32_t>(s.size())};
    // Publish: readers that learn `i` from the map (under the shard lock) or
    // from another thread (through a message) see the entry written above.
    count_.fetch_add(1, std::memory_order_release);
    sh.index.emplace(std::string_view(stored, s.size()), i);
    return i;
  }

  std::optional<std::uint32_t> find(std::string_view s) {
    shard& sh = shards_[std::hash<std::string_view>{}(s) % shard_count];
    std::shared_lock lk(sh.m);
    if (auto it = sh.index.find(s); it != sh.index.end()) return it->second;
    return std::nullopt;
  }

  std::string_view text(std::uint32_t i) const noexcept {
    const entry* chunk = chunks_[i >> chunk_bits].load(std::memory_order_acquire);
    const entry& e = chunk[i & (chunk_size - 1)];
    return {e.text, e.size};
  }

  std::size_t count() const noexcept { return count_.load(std::memory_order_acquire); }

 private:
  entry* chunk_for(std::uint32_t i) {
    auto& slot = chunks_[i >> chunk_bits];
    entry* c = slot.load(std::memory_order_acquire);
    if (c) return c;
    std::lock_guard lk(arena_m_);
    c = slot.load(std::memory_order_acquire);
    if (!c) {
      owned_chunks_.push_back(std::make_unique<entry[]>(chunk_size));
      c = owned_chunks_.back().get();
      slot.store(c, std::memory_order_release);
    }
    return c;
  }

  const char* store(std::string_view s) {
    std::lock_guard lk(arena_m_);
    constexpr std::size_t block = 64 * 1024;
    if (s.size() + 1 > arena_left_) {
      std::size_t n = s.size() + 1 > block ? s.size() + 1 : block;
      arenas_.push_back(std::make_unique<char[]>(n));
      arena_next_ = arenas_.back().get();
      arena_left_ = n;
    }
    char* p = arena_next_;
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    arena_next_ += s.size() + 1;
    arena_left_ -= s.size() + 1;
    return p;
  }

  shard shards_[shard_count];
  std::atomic<entry*> chunks_[chunk_count] = {};
  std::atomic<std::uint32_t> next_{0};
  std::atomic<std::size_t> count_{0};
  std::mutex arena_m_;  // guards the arenas and chunk allocation
  std::vector<std::unique_ptr<char[]>> arenas_;
  std::vector<std::unique_ptr<entry[]>> owned_chunks_;
  char* arena_next_ = nullptr;
  std::size_t arena_left_ = 0;
};

table& the_table() {
  // Never destroyed: atoms must stay valid during static destruction too.
  static table* t = new table;
  return *t;
}

// Returns the number of code points, or -1 if `s` is not valid UTF-8.
long utf8_length(std::string_view s) noexcept {
  long n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return -1;
    }
    if (i + len > s.size()) return -1;
    for (std::size_t k = 1; k < len; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return -1;
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
    i += len;
  }
  return n;
}

}  // namespace

namespace {
// A small per-thread cache in front of the table: the same few atoms are
// made over and over (decoding, parsing, `atom("ok")` in a loop), and a hit
// costs a hash and a compare instead of a shard lock.
struct cache_entry {
  std::size_t hash = 0;
  const char* text = nullptr;  // the table's own copy: stable for ever
  std::uint32_t size = 0;
  std::uint32_t index = 0;
};
thread_local cache_entry t_cache[256];
}  // namespace

atom::atom(std::string_view text) {
  const std::size_t h = std::hash<std::string_view>{}(text);
  cache_entry& c = t_cache[h & 255];
  if (c.text && c.hash == h && c.size == text.size() &&
      (text.empty() || std::memcmp(c.text, text.data(), text.size()) == 0)) {
    index_ = c.index;
    return;
  }
  long chars = utf8_length(text);
  if (chars < 0) throw bad_argument("otter::atom: the text is not valid UTF-8");
  if (static_cast<std::size_t>(chars) > max_chars)
    throw bad_argument("otter::atom: the text has " + std::to_string(chars) + " characters; an atom has at most " +
                       std::to_string(max_chars));
  index_ = the_table().intern(text);
  std::string_view stored = the_table().text(index_);
  c = cache_entry{h, stored.data(), static_cast<std::uint32_t>(stored.size()), index_};
}

std::optional<atom> atom::existing(std::string_view text) noexcept {
  if (auto i = the_table().find(text)) return from_index(*i);
  return std::nullopt;
}

std::string_view atom::text() const noexcept { return the_table().text(index_); }

std::size_t atom::count() noexcept { return the_table().count(); }

std::strong_ordering operator<=>(atom a, atom b) noexcept {
  if (a.index_ == b.index_) return std::strong_ordering::equal;
  // string_view compares as unsigned bytes (char_traits<char>::compare uses
  // memcmp semantics), which is code point order for UTF-8.
  int c = a.text().compare(b.text());
  return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
}

}  // namespace otter

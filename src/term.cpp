// otter::term: construction, access, order and hash (see otter/term.hpp).
#include "otter/term.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <ostream>
#include <vector>

#include "otter/detail/pool.hpp"

#include "term_block.hpp"

namespace otter {

namespace detail {

namespace {
std::size_t payload_bytes(term_kind kind, std::size_t size) {
  switch (kind) {
    case term_kind::tuple: return size * sizeof(term);
    case term_kind::list: return (size + 1) * sizeof(term);
    case term_kind::map: return 2 * size * sizeof(term);
    default: return size;  // binary
  }
}
}  // namespace

term_block* term_block::allocate(term_kind kind, std::size_t size) {
  if (size > UINT32_MAX / 2) throw system_limit("otter::term: a tuple, list, map or binary of " + std::to_string(size) + " items is too large");
  void* mem = pool_alloc(header + payload_bytes(kind, size));
  auto* b = new (mem) term_block;
  b->size = static_cast<std::uint32_t>(size);
  b->kind = kind;
  return b;
}

namespace {

// Freeing a term frees the blocks it alone holds, which free theirs: a list
// nested 200,000 deep would recurse 200,000 times. Past a few hundred
// levels, blocks wait in a per-thread list that the outermost call empties.
constexpr int max_destroy_depth = 256;
thread_local int destroy_depth = 0;
thread_local std::vector<term_block*> deferred_blocks;

void destroy_now(term_block* b) noexcept;

}  // namespace

void term_block::destroy(term_block* b) noexcept {
  if (destroy_depth >= max_destroy_depth) {
    try {
      deferred_blocks.push_back(b);
      return;
    } catch (...) {
      // Out of memory for the list: recurse instead.
    }
  }
  ++destroy_depth;
  destroy_now(b);
  --destroy_depth;
  if (destroy_depth == 0) {
    while (!deferred_blocks.empty()) {
      term_block* d = deferred_blocks.back();
      deferred_blocks.pop_back();
      ++destroy_depth;
      destroy_now(d);
      --destroy_depth;
    }
  }
}

namespace {

void destroy_now(term_block* b) noexcept {
  std::size_t n = 0;
  switch (b->kind) {
    case term_kind::tuple: n = b->size; break;
    case term_kind::list: n = std::size_t{b->size} + 1; break;
    case term_kind::map: n = 2 * std::size_t{b->size}; break;
    default: break;
  }
  for (std::size_t i = 0; i < n; ++i) b->terms()[i].~term();
  const std::size_t bytes = term_block::header + payload_bytes(b->kind, b->size);
  b->~term_block();
  pool_free(b, bytes);
}

}  // namespace

int compare_int_float(std::int64_t i, double d) noexcept {
  // 2^63 as a double is exact; every double in [-2^63, 2^63) truncates to an int64.
  constexpr double two63 = 9223372036854775808.0;
  if (d >= two63) return -1;
  if (d < -two63) return 1;
  const auto t = static_cast<std::int64_t>(d);  // toward zero
  if (i != t) return i < t ? -1 : 1;
  const double frac = d - static_cast<double>(t);  // exact
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

namespace {

int rank(term_kind k) noexcept {
  return k == term_kind::float_ ? 0 : static_cast<int>(k) - (k > term_kind::float_ ? 1 : 0);
}

template <class T>
int three_way(const T& a, const T& b) noexcept {
  return a < b ? -1 : b < a ? 1 : 0;
}

int compare_impl(const term& a, const term& b, bool exact) noexcept;

// Compares the list a[ai..] ++ a_tail with b[bi..] ++ b_tail.
int compare_lists(const term& a, const term& b, bool exact) noexcept {
  auto ae = a.elements(), be = b.elements();
  const std::size_t n = std::min(ae.size(), be.size());
  for (std::size_t i = 0; i < n; ++i)
    if (int c = compare_impl(ae[i], be[i], exact)) return c;
  if (ae.size() == be.size()) return compare_impl(a.list_tail(), b.list_tail(), exact);
  // One ran out: its tail meets the rest of the other, as cons cells would.
  if (ae.size() < be.size()) {
    term rest = term::from_block(const_cast<term_block*>(b.block()), term_kind::list,
                                 b.list_offset() + static_cast<std::uint32_t>(n));
    return compare_impl(a.list_tail(), rest, exact);
  }
  term rest = term::from_block(const_cast<term_block*>(a.block()), term_kind::list,
                               a.list_offset() + static_cast<std::uint32_t>(n));
  return compare_impl(rest, b.list_tail(), exact);
}

int compare_impl(const term& a, const term& b, bool exact) noexcept {
  const term_kind ka = a.kind(), kb = b.kind();
  if (ka != kb) {
    if (ka <= term_kind::float_ && kb <= term_kind::float_) {
      if (exact) return ka == term_kind::integer ? -1 : 1;
      return ka == term_kind::integer ? compare_int_float(a.as_int(), b.as_float())
                                      : -compare_int_float(b.as_int(), a.as_float());
    }
    return three_way(rank(ka), rank(kb));
  }
  switch (ka) {
    case term_kind::integer: return three_way(a.as_int(), b.as_int());
    case term_kind::float_: return three_way(a.as_float(), b.as_float());
    case term_kind::atom: {
      auto c = a.as_atom() <=> b.as_atom();
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case term_kind::reference: {
      ref_words x = a.as_ref_words(), y = b.as_ref_words();
      for (int i = 2; i >= 0; --i)
        if (x.w[i] != y.w[i]) return x.w[i] < y.w[i] ? -1 : 1;
      return 0;
    }
    case term_kind::pid: return three_way(a.as_pid().value(), b.as_pid().value());
    case term_kind::tuple: {
      if (a.block() == b.block()) return 0;
      auto x = a.elements(), y = b.elements();
      if (x.size() != y.size()) return three_way(x.size(), y.size());
      for (std::size_t i = 0; i < x.size(); ++i)
        if (int c = compare_impl(x[i], y[i], exact)) return c;
      return 0;
    }
    case term_kind::map: {
      if (a.block() == b.block()) return 0;
      const std::size_t n = a.size(), m = b.size();
      if (n != m) return three_way(n, m);
      for (std::size_t i = 0; i < n; ++i)
        if (int c = compare_impl(a.map_key(i), b.map_key(i), true)) return c;
      for (std::size_t i = 0; i < n; ++i)
        if (int c = compare_impl(a.map_value(i), b.map_value(i), exact)) return c;
      return 0;
    }
    case term_kind::nil: return 0;
    case term_kind::list:
      if (a.block() == b.block() && a.list_offset() == b.list_offset()) return 0;
      return compare_lists(a, b, exact);
    case term_kind::binary: {
      int c = a.as_binary().compare(b.as_binary());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
  }
  return 0;
}

constexpr std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}
constexpr std::uint64_t combine(std::uint64_t h, std::uint64_t v) noexcept {
  return mix(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
}

}  // namespace

int compare_exact(const term& a, const term& b) noexcept { return compare_impl(a, b, true); }
int compare_order(const term& a, const term& b) noexcept { return compare_impl(a, b, false); }

}  // namespace detail

using detail::term_block;

std::string_view kind_name(term_kind k) noexcept {
  switch (k) {
    case term_kind::integer: return "integer";
    case term_kind::float_: return "float";
    case term_kind::atom: return "atom";
    case term_kind::reference: return "reference";
    case term_kind::pid: return "pid";
    case term_kind::tuple: return "tuple";
    case term_kind::map: return "map";
    case term_kind::nil: return "empty list";
    case term_kind::list: return "list";
    case term_kind::binary: return "binary";
  }
  return "unknown";
}

term::term(double d) {
  if (!std::isfinite(d)) throw bad_argument("otter::term: floats must be finite (Erlang has no NaN or infinity)");
  set_tag(term_kind::float_);
  put(0, d);
}

term::term(std::string_view bytes) {
  set_tag(term_kind::binary);
  if (bytes.size() <= 14) {
    if (!bytes.empty()) std::memcpy(raw_, bytes.data(), bytes.size());
    raw_[14] = static_cast<unsigned char>(bytes.size());
  } else {
    term_block* b = term_block::allocate(term_kind::binary, bytes.size());
    std::memcpy(b->bytes(), bytes.data(), bytes.size());
    put<term_block*>(0, b);
    raw_[14] = 0x80;
  }
}

term term::from_block(term_block* b, term_kind k, std::uint32_t offset) noexcept {
  term t;
  t.set_tag(k);
  t.put<term_block*>(0, b);
  if (k == term_kind::list) t.put<std::uint32_t>(8, offset);
  if (k == term_kind::binary) t.raw_[14] = 0x80;
  if (b) b->refs.fetch_add(1, std::memory_order_relaxed);
  return t;
}

term term::adopt_block(term_block* b, term_kind k) noexcept {
  term t = from_block(b, k);
  b->refs.fetch_sub(1, std::memory_order_relaxed);
  return t;
}

void term::retain() const noexcept { get<term_block*>(0)->refs.fetch_add(1, std::memory_order_relaxed); }

void term::release() noexcept {
  term_block* b = get<term_block*>(0);
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) term_block::destroy(b);
}

void term::throw_int_range(std::uint64_t v) {
  throw bad_argument("otter::term: " + std::to_string(v) + " does not fit a 64-bit signed integer");
}

void term::wrong_kind(const char* wanted) const {
  std::string shown = inspect(*this, inspect_options{0, 10});
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  throw bad_argument(std::string("otter::term: expected ") + wanted + ", got " + shown);
}

term term::tuple_of(std::span<const term> elements) {
  if (elements.empty()) {
    term t;
    t.set_tag(term_kind::tuple);
    return t;
  }
  term_block* b = term_block::allocate(term_kind::tuple, elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) new (&b->terms()[i]) term(elements[i]);
  return adopt_block(b, term_kind::tuple);
}

term term::tuple_of(std::vector<term>&& elements) { return tuple_moving(elements); }

term term::tuple_moving(std::span<term> elements) {
  if (elements.empty()) return tuple_of(std::span<const term>());
  term_block* b = term_block::allocate(term_kind::tuple, elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) new (&b->terms()[i]) term(std::move(elements[i]));
  return adopt_block(b, term_kind::tuple);
}

term term::list_of(std::span<const term> elements, const term& tail) {
  if (elements.empty()) return tail;
  if (tail.kind() == term_kind::list) {  // splice (see below)
    std::vector<term> v(elements.begin(), elements.end());
    return list_of(std::move(v), tail);
  }
  term_block* b = term_block::allocate(term_kind::list, elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) new (&b->terms()[i]) term(elements[i]);
  new (&b->terms()[elements.size()]) term(tail);
  return adopt_block(b, term_kind::list);
}

term term::list_of(std::vector<term>&& elements, const term& tail_in) {
  if (elements.empty()) return tail_in;
  const term tail = tail_in;  // a copy: `tail_in` may live in `elements`, which may reallocate
  const term* real_tail = &tail;
  if (tail.kind() == term_kind::list) {  // splice: [a, b | [c | d]] is [a, b, c | d]
    auto more = tail.elements();
    elements.insert(elements.end(), more.begin(), more.end());
    real_tail = &tail.list_tail();
  }
  term_block* b = term_block::allocate(term_kind::list, elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) new (&b->terms()[i]) term(std::move(elements[i]));
  new (&b->terms()[elements.size()]) term(*real_tail);
  return adopt_block(b, term_kind::list);
}

term term::map_of(std::span<const std::pair<term, term>> entries) {
  std::vector<std::pair<term, term>> v(entries.begin(), entries.end());
  return map_of(std::move(v));
}

term term::map_of(std::vector<std::pair<term, term>>&& entries) {
  if (entries.empty()) {
    term t;
    t.set_tag(term_kind::map);
    return t;
  }
  // Stable sort, then keep the last of each run of equal keys. Input that
  // is sorted already (decoded maps, maps rebuilt from maps) skips the sort.
  bool sorted = true;
  for (std::size_t i = 1; i < entries.size() && sorted; ++i)
    sorted = detail::compare_exact(entries[i - 1].first, entries[i].first) < 0;
  if (!sorted)
    std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& x, const auto& y) { return detail::compare_exact(x.first, y.first) < 0; });
  std::size_t out = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && detail::compare_exact(entries[i].first, entries[i + 1].first) == 0) continue;
    if (out != i) entries[out] = std::move(entries[i]);
    ++out;
  }
  entries.resize(out);
  term_block* b = term_block::allocate(term_kind::map, out);
  for (std::size_t i = 0; i < out; ++i) {
    new (&b->terms()[i]) term(std::move(entries[i].first));
    new (&b->terms()[out + i]) term(std::move(entries[i].second));
  }
  return adopt_block(b, term_kind::map);
}

bool term::is_proper_list() const noexcept {
  if (kind() == term_kind::nil) return true;
  if (kind() != term_kind::list) return false;
  return block()->tail().kind() == term_kind::nil;
}

std::int64_t term::as_int() const {
  if (!is_integer()) wrong_kind("an integer");
  return get<std::int64_t>(0);
}

double term::as_float() const {
  if (!is_float()) wrong_kind("a float");
  return get<double>(0);
}

double term::as_number() const {
  if (is_integer()) return static_cast<double>(get<std::int64_t>(0));
  if (!is_float()) wrong_kind("a number");
  return get<double>(0);
}

atom term::as_atom() const {
  if (!is_atom()) wrong_kind("an atom");
  return atom::from_index(get<std::uint32_t>(0));
}

bool term::as_bool() const {
  if (is_atom(atoms::true_)) return true;
  if (!is_atom(atoms::false_)) wrong_kind("a boolean");
  return false;
}

pid term::as_pid() const {
  if (!is_pid()) wrong_kind("a pid");
  return pid(get<std::uint64_t>(0));
}

ref_words term::as_ref_words() const {
  if (!is_reference()) wrong_kind("a reference");
  ref_words r;
  std::memcpy(r.w, raw_, sizeof r.w);
  return r;
}

reference term::as_reference() const {
  ref_words r = as_ref_words();
  if (r.w[0] >= (1u << 18) || r.w[2] >= (1u << 14))
    throw bad_argument("otter::term: " + to_string() + " is not an otter::reference (it has more than 64 bits)");
  return reference(std::uint64_t{r.w[0]} | (std::uint64_t{r.w[1]} << 18) | (std::uint64_t{r.w[2]} << 50));
}

std::string_view term::as_binary() const {
  if (!is_binary()) wrong_kind("a binary");
  if (raw_[14] == 0x80) {
    const term_block* b = get<const term_block*>(0);
    return {b->bytes(), b->size};
  }
  return {reinterpret_cast<const char*>(raw_), raw_[14]};
}

std::size_t term::size() const {
  switch (kind()) {
    case term_kind::tuple:
    case term_kind::map:
      return block() ? block()->size : 0;
    case term_kind::nil: return 0;
    case term_kind::list:
      if (!is_proper_list()) wrong_kind("a proper list");
      return block()->size - list_offset();
    case term_kind::binary: return as_binary().size();
    default: wrong_kind("a tuple, list, map or binary");
  }
}

std::span<const term> term::elements() const {
  switch (kind()) {
    case term_kind::tuple:
      return block() ? std::span<const term>(block()->terms(), block()->size) : std::span<const term>();
    case term_kind::nil: return {};
    case term_kind::list: return {block()->terms() + list_offset(), block()->size - list_offset()};
    default: wrong_kind("a tuple or a list");
  }
}

const term& term::operator[](std::size_t i) const {
  auto e = elements();
  if (i >= e.size())
    throw bad_argument("otter::term: index " + std::to_string(i) + " is out of range for " + to_string() + " (" +
                       std::to_string(e.size()) + " elements)");
  return e[i];
}

const term& term::list_tail() const {
  static const term empty_list;
  if (kind() == term_kind::nil) return empty_list;
  if (kind() != term_kind::list) wrong_kind("a list");
  return block()->tail();
}

const term& term::hd() const {
  if (kind() != term_kind::list) wrong_kind("a non-empty list");
  return block()->terms()[list_offset()];
}

term term::tl() const {
  if (kind() != term_kind::list) wrong_kind("a non-empty list");
  if (list_offset() + 1 == block()->size) return block()->tail();
  return from_block(const_cast<term_block*>(block()), term_kind::list, list_offset() + 1);
}

const term* term::find(const term& key) const {
  if (!is_map()) wrong_kind("a map");
  const term_block* b = block();
  if (!b) return nullptr;
  std::size_t lo = 0, hi = b->size;
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    int c = detail::compare_exact(b->keys()[mid], key);
    if (c == 0) return &b->values()[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return nullptr;
}

const term& term::at(const term& key) const {
  if (const term* v = find(key)) return *v;
  throw bad_argument("otter::term: key " + key.to_string() + " not found in " + to_string());
}

const term& term::map_key(std::size_t i) const {
  if (!is_map()) wrong_kind("a map");
  if (i >= size()) throw bad_argument("otter::term: map index " + std::to_string(i) + " is out of range");
  return block()->keys()[i];
}

const term& term::map_value(std::size_t i) const {
  if (!is_map()) wrong_kind("a map");
  if (i >= size()) throw bad_argument("otter::term: map index " + std::to_string(i) + " is out of range");
  return block()->values()[i];
}

term term::map_put(const term& key, term value) const {
  if (!is_map()) wrong_kind("a map");
  std::vector<std::pair<term, term>> v;
  v.reserve(size() + 1);
  for (std::size_t i = 0; i < size(); ++i) v.emplace_back(map_key(i), map_value(i));
  v.emplace_back(key, std::move(value));
  return map_of(std::move(v));
}

term term::map_remove(const term& key) const {
  if (!is_map()) wrong_kind("a map");
  std::vector<std::pair<term, term>> v;
  for (std::size_t i = 0; i < size(); ++i)
    if (detail::compare_exact(map_key(i), key) != 0) v.emplace_back(map_key(i), map_value(i));
  return map_of(std::move(v));
}

term term::tuple_set(std::size_t i, term value) const {
  if (!is_tuple()) wrong_kind("a tuple");
  auto e = elements();
  if (i >= e.size()) (void)(*this)[i];  // throws the range error
  std::vector<term> v(e.begin(), e.end());
  v[i] = std::move(value);
  return tuple_of(std::move(v));
}

term term::prepend(term head) const {
  std::vector<term> v;
  v.push_back(std::move(head));
  return list_of(std::move(v), *this);
}

bool term::equal_boxed(const term& a, const term& b) noexcept {
  if (a.kind() == term_kind::float_) return a.get<double>(0) == b.get<double>(0);
  return detail::compare_exact(a, b) == 0;
}

std::weak_ordering operator<=>(const term& a, const term& b) noexcept {
  int c = detail::compare_order(a, b);
  return c < 0 ? std::weak_ordering::less : c > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent;
}

std::size_t term::hash() const noexcept {
  using detail::combine;
  using detail::mix;
  const auto k = static_cast<std::uint64_t>(kind());
  switch (kind()) {
    case term_kind::integer: return mix(static_cast<std::uint64_t>(get<std::int64_t>(0)));
    case term_kind::float_: {
      double d = get<double>(0);
      if (d == 0) d = 0;  // -0.0 =:= 0.0 (as in Erlang before OTP 27)
      std::uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return combine(k, bits);
    }
    case term_kind::atom:
    case term_kind::pid:
    case term_kind::nil:
      return combine(k, get<std::uint64_t>(0));
    case term_kind::reference: return combine(combine(k, get<std::uint64_t>(0)), get<std::uint32_t>(8));
    case term_kind::binary: return combine(k, std::hash<std::string_view>{}(as_binary()));
    case term_kind::tuple: {
      std::uint64_t h = combine(k, size());
      for (const term& e : elements()) h = combine(h, e.hash());
      return h;
    }
    case term_kind::list: {
      std::uint64_t h = k;
      for (const term& e : elements()) h = combine(h, e.hash());
      return combine(h, list_tail().hash());
    }
    case term_kind::map: {
      std::uint64_t h = combine(k, size());
      for (std::size_t i = 0; i < size(); ++i) h = combine(combine(h, map_key(i).hash()), map_value(i).hash());
      return h;
    }
  }
  return 0;
}

term charlist(std::string_view text) {
  std::vector<term> cps;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || i + len > text.size()) throw bad_argument("otter::charlist: the text is not valid UTF-8");
    std::uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (std::size_t j = 1; j < len; ++j) {
      auto d = static_cast<unsigned char>(text[i + j]);
      if ((d & 0xc0) != 0x80) throw bad_argument("otter::charlist: the text is not valid UTF-8");
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      throw bad_argument("otter::charlist: the text is not valid UTF-8 (overlong, surrogate or beyond U+10FFFF)");
    cps.emplace_back(static_cast<std::int64_t>(cp));
    i += len;
  }
  return term::list_of(std::move(cps));
}

std::ostream& operator<<(std::ostream& os, const term& t) { return os << t.to_string(); }

}  // namespace otter

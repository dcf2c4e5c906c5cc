// otter::term — Erlang's dynamic value.
//
// A term is an integer (64-bit), a float, an atom, a reference, a pid, a
// tuple, a map, a list (proper or improper; [] is the empty list), or a
// binary (Elixir's strings are UTF-8 binaries). Terms are immutable values:
// 16 bytes each; integers, floats, atoms, pids, references and binaries of up
// to 14 bytes live inline; tuples, lists, maps and longer binaries share one
// reference-counted block, so copying a term is a copy plus at most one
// atomic increment, and a term may be sent to other processes as is.
//
//   using namespace otter::literals;
//   otter::term t = otter::tuple("W1"_a, 5);          // {:W1, 5}
//   otter::term l = otter::list{1, 2.5, "text"};       // [1, 2.5, "text"]
//   otter::term m = otter::map{{"a"_a, 1}};            // %{a: 1}
//   t[1].as_int();                                     // 5
//   t.to_string();                                     // "{:W1, 5}"
//
// Integers are 64-bit: a value outside [-2^63, 2^63) is an error where it
// would arise (decoding, parsing; the shell's arithmetic), not a big integer.
// Floats are finite (Erlang has no NaN or infinity).
//
// Equality: `==` is exact match (Erlang's `=:=`: 1 and 1.0 differ), and
// std::hash<term> agrees with it, so terms are keys of unordered containers.
// Order: `<=>` is Erlang's total term order, in which 1 and 1.0 are
// equivalent (`otter::equal` is Erlang's `==`):
//   number < atom < reference < fun < port < pid < tuple < map < [] < list < binary
#pragma once

#include <compare>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "otter/atom.hpp"
#include "otter/errors.hpp"
#include "otter/pid.hpp"

namespace otter {

/// What a term is, in Erlang's term order (number kinds first).
enum class term_kind : std::uint8_t {
  integer,
  float_,
  atom,
  reference,
  pid,
  tuple,
  map,
  nil,  // the empty list []
  list,  // a non-empty list, proper or improper
  binary,
};

/// Returns a short name of the kind for messages ("integer", "tuple", "empty list", ...).
std::string_view kind_name(term_kind k) noexcept;

namespace detail {
struct term_block;
}

/// An Erlang reference as a term: three 32-bit words, as Erlang's own
/// references have (`#Reference<0.w2.w1.w0>`; Erlang uses 18 bits of w0).
/// An otter::reference's 64 bits fill them the same way: 18 bits in w0, 32
/// in w1, 14 in w2, so Erlang reads otter's references too.
struct ref_words {
  std::uint32_t w[3] = {0, 0, 0};
  static constexpr ref_words of(reference r) noexcept {
    const std::uint64_t v = r.value();
    return ref_words{{static_cast<std::uint32_t>(v & 0x3ffff), static_cast<std::uint32_t>(v >> 18),
                      static_cast<std::uint32_t>(v >> 50)}};
  }
  friend constexpr bool operator==(const ref_words&, const ref_words&) = default;
};

/// Erlang's dynamic value. See the file comment.
class term {
 public:
  /// The empty list [].
  term() noexcept { set_tag(term_kind::nil); }
  term(const term& o) noexcept : term(o, copy_tag{}) {}
  term(term&& o) noexcept {
    std::memcpy(raw_, o.raw_, sizeof raw_);
    o.set_tag(term_kind::nil);  // every byte reset: [] compares bytewise
  }
  term& operator=(const term& o) noexcept {
    term tmp(o);
    swap(tmp);
    return *this;
  }
  term& operator=(term&& o) noexcept {
    term tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  ~term() { if (holds_block()) release(); }

  /// Integers of any built-in type (bool excepted); throws bad_argument for
  /// an unsigned value of 2^63 or more.
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  term(I v) {  // NOLINT: implicit on purpose, like Elixir literals
    if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
      if (v > static_cast<std::uint64_t>(INT64_MAX)) throw_int_range(static_cast<std::uint64_t>(v));
    }
    set_int(static_cast<std::int64_t>(v));
  }
  /// `true`/`false` atoms.
  term(bool b) noexcept : term(b ? atoms::true_ : atoms::false_) {}
  /// A float; throws bad_argument for NaN and infinities.
  term(double d);
  term(float f) : term(static_cast<double>(f)) {}
  term(atom a) noexcept {
    set_tag(term_kind::atom);
    put<std::uint32_t>(0, a.index());
  }
  term(pid p) noexcept {
    set_tag(term_kind::pid);
    put<std::uint64_t>(0, p.value());
  }
  term(reference r) noexcept : term(ref_words::of(r)) {}
  term(ref_words r) noexcept {
    set_tag(term_kind::reference);
    std::memcpy(raw_, r.w, sizeof r.w);
  }
  /// A binary holding these bytes (an Elixir string when they are UTF-8).
  term(std::string_view bytes);
  term(const char* s) : term(std::string_view(s)) {}
  term(const std::string& s) : term(std::string_view(s)) {}

  /// Builds a binary (same as the string_view constructor; reads better when
  /// the bytes are not text).
  static term binary(std::string_view bytes) { return term(bytes); }
  /// Builds a tuple of `elements`.
  static term tuple_of(std::span<const term> elements);
  static term tuple_of(std::vector<term>&& elements);
  /// Builds a tuple, moving the elements out of `elements`.
  static term tuple_moving(std::span<term> elements);
  /// Builds the list of `elements` ending in `tail` ([] for a proper list; a
  /// list tail is spliced in, so the result is flat as Erlang's would be).
  static term list_of(std::span<const term> elements, const term& tail = term());
  static term list_of(std::vector<term>&& elements, const term& tail = term());
  /// Builds a map; a later duplicate key wins, as in `%{a: 1, a: 2}`.
  static term map_of(std::span<const std::pair<term, term>> entries);
  static term map_of(std::vector<std::pair<term, term>>&& entries);

  // --- what it is ---
  term_kind kind() const noexcept { return static_cast<term_kind>(raw_[15]); }
  bool is_integer() const noexcept { return kind() == term_kind::integer; }
  bool is_float() const noexcept { return kind() == term_kind::float_; }
  bool is_number() const noexcept { return kind() <= term_kind::float_; }
  bool is_atom() const noexcept { return kind() == term_kind::atom; }
  bool is_atom(atom a) const noexcept { return is_atom() && get<std::uint32_t>(0) == a.index(); }
  /// true/false atoms.
  bool is_boolean() const noexcept { return is_atom(atoms::true_) || is_atom(atoms::false_); }
  bool is_reference() const noexcept { return kind() == term_kind::reference; }
  bool is_pid() const noexcept { return kind() == term_kind::pid; }
  bool is_tuple() const noexcept { return kind() == term_kind::tuple; }
  bool is_map() const noexcept { return kind() == term_kind::map; }
  /// [] or a non-empty list, proper or not (Erlang's is_list/1).
  bool is_list() const noexcept { return kind() == term_kind::nil || kind() == term_kind::list; }
  bool is_empty_list() const noexcept { return kind() == term_kind::nil; }
  /// A list ending in [] (what length/1 accepts).
  bool is_proper_list() const noexcept;
  bool is_binary() const noexcept { return kind() == term_kind::binary; }

  // --- typed access: each throws bad_argument naming the term on the wrong kind ---
  std::int64_t as_int() const;
  /// A float only (use as_number for either kind).
  double as_float() const;
  /// An integer or a float, as a double.
  double as_number() const;
  atom as_atom() const;
  bool as_bool() const;
  pid as_pid() const;
  /// The reference; throws if it does not fit otter::reference (a reference
  /// made by Erlang, with a third word).
  reference as_reference() const;
  ref_words as_ref_words() const;
  /// The bytes of a binary. Valid while this term lives unchanged: binaries
  /// of up to 14 bytes are stored inside the term itself, so a copy does not
  /// extend the view, and moving from or assigning to the term ends it.
  std::string_view as_binary() const;

  /// Tuple arity, list length (proper lists), map size or binary byte size.
  std::size_t size() const;
  /// The i-th (0-based) element of a tuple or a list.
  const term& operator[](std::size_t i) const;
  /// The elements of a tuple, or of a list without its improper tail.
  std::span<const term> elements() const;
  /// The tail after the last element of a list: [] if proper.
  const term& list_tail() const;
  /// Erlang's hd/1 and tl/1 (tl shares the list: O(1)).
  const term& hd() const;
  term tl() const;
  /// The value under `key` in a map, or nullptr.
  const term* find(const term& key) const;
  /// The value under `key` in a map; throws bad_argument if absent.
  const term& at(const term& key) const;
  /// The keys and values of a map, in key order (index i < size()).
  const term& map_key(std::size_t i) const;
  const term& map_value(std::size_t i) const;

  // --- building new values from old (terms are immutable) ---
  /// A map with `key` set to `value`.
  term map_put(const term& key, term value) const;
  /// A map without `key`.
  term map_remove(const term& key) const;
  /// A tuple with element i (0-based) replaced.
  term tuple_set(std::size_t i, term value) const;
  /// [head | this list].
  term prepend(term head) const;

  /// Elixir's inspect on one line and without a limit, so that parsing the
  /// text gives the term back: `{:W1, 5}`, `%{a: 1}`, `"text"`.
  std::string to_string() const;

  /// Exact match (Erlang's =:=): 1 and 1.0 differ.
  friend bool operator==(const term& a, const term& b) noexcept {
    // Inline for the immediates (keys are mostly those); the rest out of line.
    if (a.raw_[15] != b.raw_[15]) return false;
    switch (a.kind()) {
      case term_kind::integer:
      case term_kind::atom:
      case term_kind::pid:
      case term_kind::reference:
      case term_kind::nil: return std::memcmp(a.raw_, b.raw_, 16) == 0;
      default: return equal_boxed(a, b);
    }
  }
  /// Erlang's term order; 1 and 1.0 are equivalent.
  friend std::weak_ordering operator<=>(const term& a, const term& b) noexcept;

  /// A hash consistent with ==.
  std::size_t hash() const noexcept;

  void swap(term& o) noexcept {
    unsigned char tmp[16];
    std::memcpy(tmp, raw_, 16);
    std::memcpy(raw_, o.raw_, 16);
    std::memcpy(o.raw_, tmp, 16);
  }

  // For otter's own components (the printer, parser, ETF codec).
  const detail::term_block* block() const noexcept { return holds_block() ? get<detail::term_block*>(0) : nullptr; }
  std::uint32_t list_offset() const noexcept { return get<std::uint32_t>(8); }
  static term from_block(detail::term_block* b, term_kind k, std::uint32_t offset = 0) noexcept;
  /// Takes over a freshly allocated block (its one reference) without a new one.
  static term adopt_block(detail::term_block* b, term_kind k) noexcept;

 private:
  static bool equal_boxed(const term& a, const term& b) noexcept;
  struct copy_tag {};
  term(const term& o, copy_tag) noexcept {
    std::memcpy(raw_, o.raw_, sizeof raw_);
    if (holds_block()) retain();
  }
  template <class T>
  T get(std::size_t off) const noexcept {
    T v;
    std::memcpy(&v, raw_ + off, sizeof v);
    return v;
  }
  template <class T>
  void put(std::size_t off, T v) noexcept {
    std::memcpy(raw_ + off, &v, sizeof v);
  }
  void set_tag(term_kind k) noexcept {
    std::memset(raw_, 0, 15);
    raw_[15] = static_cast<unsigned char>(k);
  }
  void set_int(std::int64_t v) noexcept {
    set_tag(term_kind::integer);
    put(0, v);
  }
  // Inline binaries keep their length in raw_[14] and bit 7 of it clear;
  // a block binary sets raw_[14] = 0x80.
  bool holds_block() const noexcept {
    switch (kind()) {
      case term_kind::tuple:
      case term_kind::map:
      case term_kind::list:
        return get<void*>(0) != nullptr;
      case term_kind::binary:
        return raw_[14] == 0x80;
      default:
        return false;
    }
  }
  void retain() const noexcept;
  void release() noexcept;
  [[noreturn]] static void throw_int_range(std::uint64_t v);
  [[noreturn]] void wrong_kind(const char* wanted) const;

  alignas(8) unsigned char raw_[16];
};

static_assert(sizeof(term) == 16);

/// How `inspect` lays a term out (Elixir's Inspect.Opts).
struct inspect_options {
  /// Line width for pretty printing; 0 prints everything on one line.
  std::size_t width = 80;
  /// Items of a list, tuple, map or byte binary shown before `...`
  /// (nested containers get what is left, as in Elixir); 0: no limit.
  std::size_t limit = 50;
};

/// Prints `t` as iex does (`IO.inspect`): Elixir syntax, pretty-printed to
/// `width` columns with Elixir's layout rules, long containers cut at
/// `limit` items. `inspect(t, {0, 0})` equals `t.to_string()`.
std::string inspect(const term& t, const inspect_options& options = {});

/// Erlang's == (arithmetic equality: 1 == 1.0).
inline bool equal(const term& a, const term& b) noexcept { return (a <=> b) == 0; }

/// Prints the term on one line, as to_string does.
std::ostream& operator<<(std::ostream& os, const term& t);

/// Builds a tuple: `otter::tuple("ok"_a, 42)` is {:ok, 42}.
template <class... A>
term tuple(A&&... a) {
  if constexpr (sizeof...(A) == 0) {
    return term::tuple_of(std::span<const term>());
  } else {
    term elements[] = {term(std::forward<A>(a))...};  // on the stack: one allocation in all
    return term::tuple_moving(elements);
  }
}

/// A proper list: `otter::list{1, 2, 3}` is [1, 2, 3]. It is a term.
/// (Like every class, `list{another_list}` copies rather than nests; write
/// `otter::list{term(l)}` or `term::list_of` to nest one list.)
struct list : term {
  list() = default;
  list(std::initializer_list<term> elements) : term(term::list_of(std::span<const term>(elements.begin(), elements.size()))) {}
  /// An improper list: `list::improper({1, 2}, 3)` is [1, 2 | 3].
  static term improper(std::initializer_list<term> elements, const term& tail) {
    return term::list_of(std::span<const term>(elements.begin(), elements.size()), tail);
  }
};

/// A map: `otter::map{{"a"_a, 1}, {"b", 2}}` is %{:a => 1, "b" => 2}. It is a term.
struct map : term {
  map() : term(term::map_of(std::span<const std::pair<term, term>>())) {}
  map(std::initializer_list<std::pair<term, term>> entries)
      : term(term::map_of(std::span<const std::pair<term, term>>(entries.begin(), entries.size()))) {}
};

/// A charlist (Erlang's string): the list of the code points of UTF-8 `text`.
term charlist(std::string_view text);

}  // namespace otter

template <>
struct std::hash<otter::term> {
  std::size_t operator()(const otter::term& t) const noexcept { return t.hash(); }
};

// otter::atom — Erlang's interned symbol.
//
// An atom is a 32-bit index into one process-wide table of UTF-8 texts, so
// copying and comparing atoms is an integer copy or compare. Interning takes
// a shard lock of the table only the first time a text is seen; reading an
// atom's text never locks. As in Erlang, atoms are never freed: build them
// from a bounded set of names, not from untrusted input (`atom::existing`
// looks a text up without adding it, like binary_to_existing_atom/2).
//
//   otter::atom ok("ok");
//   using namespace otter::literals;
//   assert(ok == "ok"_a && ok.text() == "ok");
//   otter::atom worker("Elixir.Counter.Worker");   // prints as Counter.Worker
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace otter {

class atom {
 public:
  /// The most atoms a program may create (Erlang's default limit).
  static constexpr std::uint32_t max_atoms = 1u << 20;
  /// The longest atom text, in characters (Erlang's limit).
  static constexpr std::size_t max_chars = 255;

  /// Interns `text` (valid UTF-8, at most 255 characters). Throws
  /// otter::bad_argument for invalid UTF-8 or a text too long, and
  /// otter::system_limit when the table is full.
  explicit atom(std::string_view text);

  /// Returns the atom for `text` if it exists already; never creates one.
  static std::optional<atom> existing(std::string_view text) noexcept;

  /// Returns the atom's text (valid for the life of the program).
  std::string_view text() const noexcept;
  /// Returns its index in the table (stable for the life of the program).
  constexpr std::uint32_t index() const noexcept { return index_; }
  /// Returns the atom with index `i`; `i` must come from `index()`.
  static constexpr atom from_index(std::uint32_t i) noexcept { return atom(i, 0); }
  /// Returns how many atoms exist.
  static std::size_t count() noexcept;

  friend constexpr bool operator==(atom a, atom b) noexcept { return a.index_ == b.index_; }
  /// Erlang's order: by text, byte by byte (code point order for UTF-8).
  friend std::strong_ordering operator<=>(atom a, atom b) noexcept;

 private:
  constexpr atom(std::uint32_t i, int) noexcept : index_(i) {}
  std::uint32_t index_;
};

/// Atoms the runtime itself uses, with fixed indices (no lookup to build).
namespace atoms {
inline constexpr atom false_ = atom::from_index(0);
inline constexpr atom true_ = atom::from_index(1);
inline constexpr atom nil = atom::from_index(2);
inline constexpr atom ok = atom::from_index(3);
inline constexpr atom error = atom::from_index(4);
inline constexpr atom undefined = atom::from_index(5);
inline constexpr atom underscore = atom::from_index(6);  // `_`, the wildcard of patterns
inline constexpr atom nonode_nohost = atom::from_index(7);  // `nonode@nohost`, the node of pids in ETF
}  // namespace atoms

namespace literals {
/// `"ok"_a` is `otter::atom("ok")`.
inline atom operator""_a(const char* s, std::size_t n) { return atom(std::string_view(s, n)); }
}  // namespace literals

}  // namespace otter

template <>
struct std::hash<otter::atom> {
  std::size_t operator()(otter::atom a) const noexcept { return std::hash<std::uint32_t>{}(a.index()); }
};

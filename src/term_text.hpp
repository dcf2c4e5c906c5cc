// Internal: the pieces of Elixir's literal syntax that printing and parsing
// share (escapes, which atoms need quotes, float formatting).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "otter/atom.hpp"

namespace otter::detail {

/// Elixir's String.printable?/1: valid UTF-8 of printable code points
/// (including the escapable controls \a \b \t \n \v \f \r \e \d).
bool printable_utf8(std::string_view s) noexcept;
/// Appends `s` escaped for a literal delimited by `quote`.
void append_escaped(std::string& out, std::string_view s, char quote);
/// Whether `:text` is a valid atom literal without quotes.
bool atom_needs_no_quotes(std::string_view text) noexcept;
/// The atom as Elixir prints it: `:ok`, `:"a b"`, `Counter.Worker`, `true`.
std::string atom_literal(atom a);
/// The atom as a keyword key: `ok:`, `"a b":`.
std::string atom_key(atom a);
/// Appends code point `cp` (at most 0x10FFFF) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
/// The float as Elixir prints it: `1.0`, `0.1`, `1.0e20`.
std::string format_float(double d);

}  // namespace otter::detail

// Parsing Elixir literals into terms: what a shell user types.
//
//   otter::term t = otter::parse_term("{:W1, 5}");
//   otter::parse_term("[a: 1, b: %{\"k\" => [1 | 2]}]");
//
// Accepted: integers (`1_000`, `-5`, `0x1F`, `0o17`, `0b101`, `?a`), floats
// (`1.5`, `1.0e-3`), atoms (`:ok`, `:"with space"`, `:+`, aliases such as
// `Counter.Worker` for :"Elixir.Counter.Worker", `true`/`false`/`nil`, and
// `_`, the wildcard of match patterns, as the atom :_), strings with Elixir's
// escapes (`\a \b \d \e \f \n \r \s \t \v \0 \" \\ \xHH \x{H...}
// \uHHHH \u{H...}`, backslash-newline), charlists (`'abc'`, `~c"abc"`,
// `~c'abc'`), binaries (`<<1, 2, "ab">>`), tuples, lists (with `| tail` and
// trailing keywords `[1, a: 2]`), keyword lists, maps (`%{a: 1}`,
// `%{"k" => v}`), pids and references as printed (`#PID<0.12.0>`,
// `#Reference<0.1.2.3>`) and comments (`# ...`).
// Trailing commas are allowed, as in Elixir.
//
// Errors throw otter::parse_error, which gives the line and column (from 1)
// and says what was expected; `incomplete()` tells a shell that more input
// could complete the text (an open bracket or string at the end).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "otter/errors.hpp"
#include "otter/term.hpp"

namespace otter {

/// A syntax error in parse_term's input.
class parse_error : public bad_argument {
 public:
  parse_error(std::size_t line, std::size_t column, const std::string& what, bool incomplete)
      : bad_argument("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what),
        line_(line), column_(column), incomplete_(incomplete) {}
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }
  /// True when the text ended too early (more lines could complete it).
  bool incomplete() const noexcept { return incomplete_; }

 private:
  std::size_t line_, column_;
  bool incomplete_;
};

/// Limits that keep hostile input cheap.
struct parse_limits {
  std::size_t max_depth = 1000;  ///< nesting of tuples, lists, maps
};

/// Parses exactly one literal (surrounding blanks and comments allowed).
term parse_term(std::string_view text, const parse_limits& limits = {});

}  // namespace otter

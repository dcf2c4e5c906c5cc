// Parsing a line (or several) of shell input into the syntax tree.
//
//   auto exprs = otter::shell::parse("x = 1 + 2; x * 3");   // two expressions
//
// Errors throw syntax_error with the line and column (from 1), worded as
// Elixir words them where it can, and `incomplete()` true when more input
// could complete the text (an open bracket, string, `do` without `end`, a
// trailing binary operator): the shell then asks for another line.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"

namespace otter::shell {

/// A syntax error (Elixir's SyntaxError / TokenMissingError).
class syntax_error : public std::runtime_error {
 public:
  syntax_error(std::size_t line, std::size_t column, const std::string& what, bool incomplete)
      : std::runtime_error(what), line_(line), column_(column), incomplete_(incomplete) {}
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }
  /// True when the input ended too early: more lines could complete it.
  bool incomplete() const noexcept { return incomplete_; }

 private:
  std::size_t line_, column_;
  bool incomplete_;
};

/// Limits that keep hostile input cheap.
struct parse_limits {
  std::size_t max_depth = 500;  ///< nesting of expressions
};

/// Parses the whole text: the top-level expressions, separated by newlines or `;`.
std::vector<node_ptr> parse(std::string_view text, const parse_limits& limits = {});

}  // namespace otter::shell

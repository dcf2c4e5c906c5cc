// Internal: ETS match patterns and match specifications.
//
// A pattern is a term in which the atom `_` matches anything and `$N` (N a
// decimal number) is a variable: bound at its first occurrence, compared
// exactly (=:=) at the others. Everything else matches by exact equality;
// tuples and lists match element by element, a map pattern matches a map
// that has (at least) its keys.
//
// A match specification is a list of clauses `{head, guards, body}` (as
// ets:select/2 takes them): the first clause whose head matches and whose
// guards are all `true` gives the value of its body's last expression.
// Expressions: `$N`, `$_` (the object), `$$` (the bound variables in number
// order), constants, `{const, X}`, `{{...}}` to build a tuple, lists, and
// calls written as tuples `{function, args...}` of the functions listed in
// docs/ets.md (comparisons, type tests, boolean operators, arithmetic,
// element, tuple_size, length, hd, tl, abs, ...). A guard that fails (a type
// error, an unbound variable) makes its clause not match, as in Erlang.
#pragma once

#include <optional>
#include <vector>

#include "otter/term.hpp"

namespace otter::ets::detail {

class match_spec {
 public:
  /// Compiles a match specification; throws bad_argument saying what is wrong.
  static match_spec compile(const term& spec);
  /// The specification of match_object(pattern) ('$_') or match(pattern) ('$$').
  static match_spec of_pattern(const term& pattern, bool whole_object);

  /// Runs the specification on `object`: the body's value, or nullopt.
  std::optional<term> run(const term& object) const;
  /// When every clause's head has the same fully bound element at `keypos`,
  /// that key: the caller may look it up instead of scanning the table.
  std::optional<term> bound_key(std::size_t keypos) const;

 private:
  struct clause {
    term head;
    std::vector<term> guards;
    std::vector<term> body;
    int max_var = -1;
  };
  std::vector<clause> clauses_;
};

}  // namespace otter::ets::detail

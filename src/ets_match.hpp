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
// error) makes its clause not match, as in Erlang. Compiling refuses
// unknown functions, variables the head does not bind and nesting deeper
// than 1000 levels.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ets_table.hpp"
#include "otter/term.hpp"

namespace otter::ets::detail {

class match_spec {
 public:
  /// Compiles a match specification; throws bad_argument saying what is wrong.
  static match_spec compile(const term& spec);
  /// The specification of match_object(pattern) ('$_') or match(pattern) ('$$').
  static match_spec of_pattern(const term& pattern, bool whole_object);

  /// Runs the specification on `object`: the body's value, or nullopt.
  std::optional<term> run(const object_ref& object) const;
  /// When every clause's head has the same fully bound element at `keypos`,
  /// that key: the caller may look it up instead of scanning the table.
  std::optional<term> bound_key(std::size_t keypos) const;

 private:
  // A tuple head (the usual case) is planned once: what to do with each
  // element of an object, so a scan does not re-inspect the pattern.
  struct step {
    enum kind : std::uint8_t { any, bind, equal, equal_atom, nested } what;
    int var;  // bind: the variable's number
    atom a = atoms::undefined;  // equal_atom: the atom
  };
  struct clause {
    term head;
    std::vector<term> guards;
    std::vector<term> body;
    int max_var = -1;
    bool tuple_head = false;
    bool whole = false;  // no guards, body '$_': the object itself
    std::vector<step> steps;
    void plan();
    bool matches(const object_ref& object, std::span<std::optional<term>> bindings) const;
  };
  std::vector<clause> clauses_;
};

}  // namespace otter::ets::detail

// The shell's syntax tree: the Elixir subset that the lecture, and a person
// exploring it, types at the prompt (see docs/shell.md).
//
// The parser (parser.hpp) builds it; the evaluator (eval.hpp) walks it.
// Nodes are immutable once built and shared (anonymous functions keep their
// body alive after the line that made them is gone).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "otter/term.hpp"

namespace otter::shell {

struct node;
using node_ptr = std::shared_ptr<const node>;

/// Where a node starts in the input (from 1), for error messages.
struct location {
  std::size_t line = 1;
  std::size_t column = 1;
};

enum class node_kind {
  literal,        // value: a term literal (number, atom, alias, string, charlist, nil/true/false)
  variable,       // name: `x`, `_`, `_ignored`; a bare name that is not bound is a zero-arity local call
  pin,            // args[0]: the pinned variable (`^x`)
  tuple,          // args: the elements
  list,           // args: the elements; tail: the `| tail` (null for a proper list)
  map,            // pairs: key/value nodes; tail: the map being updated in `%{m | k: v}` (else null)
  interpolation,  // args: the parts, literal strings and expressions, of "a #{b} c"
  block,          // args: expressions in order (`a; b` or lines in parentheses or a do-block); value of the last
  match,          // args[0] = args[1]: pattern = expression
  binary_op,      // name: the operator (`+`, `==`, `and`, `|>`, `..`, `<>`, `++`, `in`, `not in`, ...); args: left, right
  unary_op,       // name: `-`, `+`, `!`, `not`; args[0]
  local_call,     // name(args): `self()`, `flush()`, `elem(t, 0)`; with a trailing keyword list as the last arg
  remote_call,    // args[0].name(rest of args): args[0] is the module (an alias/atom literal or any expression);
                  // `m.key` without parentheses is a remote_call with no_parens = true (map field or zero-arity call)
  apply_fun,      // args[0].(rest of args): calling an anonymous function
  fn,             // clauses: `fn a, b -> body; c, d -> body end`
  case_,          // args[0]: the subject; clauses: `pattern [when guard] -> body`
  if_,            // args: condition, then-branch, else-branch (null when there is no else); `unless` becomes if_ swapped
  cond_,          // clauses: each with one pattern (the condition) and a body
  capture,        // `&Mod.fun/arity` (name: fun, args[0]: module node or null for a local fun, arity) or
                  // `&(&1 + 1)`: args[0] is the body and arity the highest `&N`
  capture_arg,    // `&1`: arity holds N
  access,         // args[0][args[1]]: `m[:key]`, `list[0]`
  receive_,       // clauses: `pattern [when guard] -> body` (none when only `after` is given);
                  // args: empty, or [timeout, body] for `after timeout -> body`
  for_,           // `for pat <- enum, filter, do: body`: clauses are the qualifiers in order, a generator as
                  // {patterns: [pat], guard: `pat when g <- enum` or null, body: enum} and a filter as
                  // {patterns: [], body: the condition}; clauses[0] is a generator; args: [clauses[0].body, body]
};

/// One clause of fn / case / cond / receive (or a qualifier of for, see for_).
struct clause {
  std::vector<node_ptr> patterns;  // fn: one per argument; case, receive: one; cond: the condition
  node_ptr guard;                  // `when ...`, or null
  node_ptr body;                   // a block or a single expression
};

struct node {
  node_kind kind;
  location where;
  otter::term value;                // literal
  std::string name;                 // variable, operator, function name
  std::vector<node_ptr> args;       // see node_kind
  std::vector<std::pair<node_ptr, node_ptr>> pairs;  // map
  node_ptr tail;                    // list tail or map update source
  std::vector<clause> clauses;      // fn, case, cond, receive, for
  std::size_t arity = 0;            // capture, capture_arg
  bool no_parens = false;           // remote_call written `a.b` (no parentheses, no arguments)
  std::string source;               // the call as typed (remote_call/local_call), for error messages
};

}  // namespace otter::shell

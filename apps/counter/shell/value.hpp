// What shell expressions evaluate to: an otter::term, or a function
// (`fn x -> ... end`, `&Mod.fun/2`), which terms cannot hold.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "ast.hpp"
#include "otter/term.hpp"

namespace otter::shell {

struct fun;

/// A term or a function.
struct value {
  term t;
  std::shared_ptr<const fun> f;  ///< set for a function (then `t` is unused)

  value() = default;
  value(term v) : t(std::move(v)) {}  // NOLINT: implicit, every term is a value
  value(std::shared_ptr<const fun> fn) : f(std::move(fn)) {}  // NOLINT
  bool is_fun() const noexcept { return f != nullptr; }
};

/// Variable bindings: a name to its value.
using bindings = std::map<std::string, value, std::less<>>;

/// A function value.
struct fun {
  /// An anonymous function: its `fn` (or `&(...)`) node, what keeps that
  /// node alive (the parsed input it came from), and the bindings it closed over.
  const node* fn = nullptr;
  std::shared_ptr<const void> owner;
  bindings captured;
  /// A capture of a named function (`&Enum.map/2`, `&is_atom/1`): its
  /// module ("" for a Kernel function) and name.
  std::string module;
  std::string name;
  std::size_t arity = 0;
  std::uint64_t id = 0;  ///< for printing: #Function<id/arity in :erl_eval.expr/6>
};

/// A new id for a function value.
std::uint64_t next_fun_id() noexcept;

/// How iex prints a value: terms as IO.inspect does (pretty, 80 columns),
/// functions as #Function<...> or &Mod.fun/arity.
std::string inspect_value(const value& v);

}  // namespace otter::shell

// The shell's evaluator: walks the syntax tree inside an otter process (so
// `self()`, Registry.register, ETS ownership and GenServer calls work as in
// iex, whose evaluator is a process too) and returns values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"
#include "otter/runtime.hpp"
#include "otter/task.hpp"
#include "value.hpp"

namespace otter::shell {

/// One evaluator's state: its bindings and where its output goes.
struct session {
  bindings vars;
  /// IO.puts and friends write here (the shell: standard output).
  std::function<void(std::string_view)> write;
  /// The number of the expression being evaluated (iex:N in compile errors).
  std::size_t counter = 1;
  std::size_t depth = 0;  ///< nesting of evaluation, bounded (deep recursion raises)
  /// Keeps the syntax tree being evaluated alive for the functions it makes.
  std::shared_ptr<const void> source;
};

/// Evaluates one expression in `env` (which `=` extends).
task<value> eval(session& s, const node& n, bindings& env);
/// Evaluates top-level expressions in the session's bindings; the last value.
task<value> eval_top(session& s, const std::shared_ptr<const std::vector<node_ptr>>& exprs);
/// Calls a function value with arguments (BadFunctionError, BadArityError).
task<value> apply(session& s, const value& f, std::vector<value>& args);
/// Calls Module.name(args) (UndefinedFunctionError when there is none).
task<value> call_function(session& s, std::string_view module, std::string_view name, std::vector<value>& args,
                          const node* where);

/// Pattern matching: binds the pattern's variables into `out` (a failed match leaves `out` partly filled:
/// use a scratch map). `env` serves pinned variables.
bool match(const node& pattern, const term& v, const bindings& env, bindings& out);

/// Elixir's truthiness: everything but nil and false.
bool truthy(const term& t) noexcept;

/// String.Chars for interpolation and IO.puts: binaries as they are, atoms
/// by name, numbers as printed, charlists as text; raises
/// Protocol.UndefinedError for tuples, maps and pids.
std::string to_chars(const value& v);

}  // namespace otter::shell

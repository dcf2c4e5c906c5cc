// The functions the shell can call: Kernel, IEx's helpers, Enum, :ets,
// Registry, GenServer, Supervisor, DynamicSupervisor, Process, IO and the
// counter application's modules. Each is registered under its module's
// atom text ("Elixir.Enum", "ets"; "Elixir.Kernel" for local calls), its
// name and its arity.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "otter/any_message.hpp"
#include "otter/task.hpp"
#include "value.hpp"

namespace otter::shell {

struct session;

/// What a builtin gets besides its arguments.
struct call_context {
  session& s;
  std::string_view module;  ///< atom text: "Elixir.Enum", "ets"
  std::string_view name;
  const node* where;        ///< the call, for messages (may be null)
  /// The call as Elixir shows it in a stacktrace line: `:ets.lookup(:nope, 1)`.
  std::string shown(const std::vector<value>& args) const;
};

using sync_builtin = value (*)(call_context&, std::vector<value>& args);
using async_builtin = task<value> (*)(call_context&, std::vector<value>& args);

struct builtin {
  sync_builtin sync = nullptr;
  async_builtin async = nullptr;
  std::string doc;  ///< one line, for h/1
};

/// All builtins, filled once at start.
class builtin_table {
 public:
  void add(std::string_view module, std::string_view name, std::size_t arity, sync_builtin f, std::string doc = {});
  void add_async(std::string_view module, std::string_view name, std::size_t arity, async_builtin f, std::string doc = {});
  const builtin* find(std::string_view module, std::string_view name, std::size_t arity) const;
  bool has_module(std::string_view module) const;
  /// The module's functions as name/arity, sorted.
  std::vector<std::pair<std::string, std::size_t>> functions(std::string_view module) const;
  /// Every module, as atom text, sorted.
  std::vector<std::string> modules() const;
  const builtin* doc_of(std::string_view module, std::string_view name) const;

 private:
  std::map<std::tuple<std::string, std::string, std::size_t>, builtin, std::less<>> fns_;
};

/// The table, with everything registered.
const builtin_table& builtins();

/// How a module's atom prints in Elixir: "Enum" for "Elixir.Enum", ":ets" for "ets".
std::string module_display(std::string_view module);

// Registration, one function per file of builtins.
void register_kernel(builtin_table& t);
void register_enum(builtin_table& t);
void register_data(builtin_table& t);      // List, Map, Tuple, Keyword, String, Integer, Atom
void register_ets(builtin_table& t);
void register_otp(builtin_table& t);       // GenServer, Supervisor, DynamicSupervisor, Registry
void register_process(builtin_table& t);   // Process, self, send, spawn, flush, IO, IEx helpers
void register_counter(builtin_table& t);   // Counter.Worker, Counter.WorkerSupervisor
void register_task(builtin_table& t);      // Task

// Argument helpers for builtins: each raises ArgumentError naming the
// argument when the value is not what the function takes.
const term& arg_term(const call_context& c, std::vector<value>& args, std::size_t i);
std::int64_t arg_int(const call_context& c, std::vector<value>& args, std::size_t i);
atom arg_atom(const call_context& c, std::vector<value>& args, std::size_t i);
const value& arg_fun(const call_context& c, std::vector<value>& args, std::size_t i, std::size_t arity);
/// The value as a term; ArgumentError when it is a function (terms hold
/// none), naming where it was to go ("a list", "a map").
const term& need_term_in(const value& v, std::string_view where);
/// FunctionClauseError as Elixir prints it: the function, the arguments
/// given, the clauses tried (parts marked with blame_part), the trace.
[[noreturn]] void raise_function_clause(std::string_view fn, const std::vector<value>& given,
                                        const std::vector<std::string>& clauses, std::string trace);
/// A part of a clause head as Elixir's blame shows it: `-part-` when it did not match.
std::string blame_part(bool held, std::string_view text);
/// Stacktrace lines as iex 1.14 prints them for Elixir's and Erlang's stdlib code.
std::string elixir_line(std::string_view text);
std::string stdlib_line(std::string_view text);

/// A message as the shell shows it: terms as they are, a DOWN as
/// {:DOWN, ref, :process, pid, reason}, an EXIT as {:EXIT, pid, reason}.
term message_as_term(const any_message& m);
/// The elements of a list, a range or a map (as {k, v} pairs): Enumerable.
std::vector<term> enumerate(const call_context& c, const value& v);

}  // namespace otter::shell

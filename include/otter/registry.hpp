// otter::registry — Elixir's Registry: find processes by any term.
//
// A registry is a named set of ETS tables and a few processes that clean up
// after registered processes that exit. Registering, looking up and
// matching read and write the tables directly from the calling process (as
// Elixir does): no call goes through a registry process, and `partitions`
// spreads the clean-up work over several processes.
//
//   co_await otter::registry::start_link({.kind = otter::registry::keys::unique, .name = "Counter.Registry"});
//   otter::registry::register_key("Counter.Registry", key, otter::term());   // {:ok, owner}
//   otter::registry::lookup("Counter.Registry", key);                        // [{pid, nil}]
//   // and as a gen_server's name:
//   co_await worker::start_link(otter::via("Counter.Registry", key), ...);
//
// Guarantee: a registered process's entries are removed after it exits, and
// lookup, match, keys, dispatch and whereis_name never return a process
// whose exit has begun, so none whose DOWN or EXIT anyone has received. A
// unique key held by such a process can be registered again at once.
// select works on the tables as they are and may still show entries of a
// process that has just exited, until its registry partition removes them.
//
// All functions run in a process (or a thread with a scoped_process for the
// reading ones); an unknown registry is bad_argument.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "otter/child_spec.hpp"
#include "otter/gen_server.hpp"
#include "otter/term.hpp"

namespace otter::registry {

enum class keys { unique, duplicate };

struct options {
  keys kind = keys::unique;  ///< Elixir's `keys: :unique | :duplicate`
  std::string name;          ///< the registry's name (a local name of its process, and its table's)
  unsigned partitions = 1;   ///< clean-up processes (and table sets); at least 1
};

/// One registration: the process and its value.
struct entry {
  pid process;
  term value;
  friend bool operator==(const entry&, const entry&) = default;
};
/// `[{pid, value}, ...]`, as Elixir prints lookups.
term to_term(const std::vector<entry>& entries);

/// Starts a registry linked to the caller: {ok, pid}, or {error, reason}
/// ({already_started, pid} when the name is taken; bad options say what is wrong).
task<start_result> start_link(options o);
/// The same from outside any process.
start_result start_link(scoped_process& me, options o);
/// `{Registry, keys: :unique, name: Counter.Registry}` in a supervisor's
/// children: id the registry's name, type supervisor, shutdown infinity.
otter::child_spec child_spec(options o);

/// Registers the calling process under `key` with `value`: {:ok, owner}
/// (owner: the registry partition that watches the caller), or, in a unique
/// registry, {:error, {:already_registered, pid}} if a live process holds
/// the key. The caller is linked to that partition, as in Elixir.
term register_key(std::string_view registry, const term& key, const term& value);
/// Removes the caller's registrations under `key` (all of them in a
/// duplicate registry).
void unregister(std::string_view registry, const term& key);
/// The live processes registered under `key`, with their values.
std::vector<entry> lookup(std::string_view registry, const term& key);
/// The keys `p` is registered under (empty once it has exited).
std::vector<term> keys_of(std::string_view registry, pid p);
/// The entries under `key` whose value matches `pattern` (ETS's `_` and
/// `$N`) and `guards` (a list of match-specification guards; none by default).
std::vector<entry> match(std::string_view registry, const term& key, const term& pattern,
                         const term& guards = term());
/// How many registrations there are.
std::size_t count(std::string_view registry);
/// Elixir's Registry.select: a match specification over `{key, pid, value}`.
std::vector<term> select(std::string_view registry, const term& spec);
/// Calls `f` with the entries under `key` if there are any (Registry.dispatch).
void dispatch(std::string_view registry, const term& key, const std::function<void(const std::vector<entry>&)>& f);
/// In a unique registry, replaces the value of the caller's `key` with
/// f(old value): {new, old}; nullopt (Elixir's :error) if the caller does
/// not hold the key. bad_argument in a duplicate registry.
std::optional<std::pair<term, term>> update_value(std::string_view registry, const term& key,
                                                  const std::function<term(const term&)>& f);
/// The process registered under `key` in a unique registry, or the null pid.
pid whereis_name(std::string_view registry, const term& key);

}  // namespace otter::registry

// otter::supervisor — OTP's supervisor: starts children in order, restarts
// them by strategy and restart type, gives up when they crash too often, and
// stops them in reverse order. Written on the public process API, as OTP's
// supervisor.erl is on gen_server.
//
//   std::vector<otter::child_spec> children{
//       otter::child_spec_with(counter_worker::child_spec("W1"_a), {.id = "W1"_a}),
//       otter::child_spec_with(counter_worker::child_spec("W2"_a), {.id = "W2"_a}),
//   };
//   const otter::supervisor::options opts{.strategy = otter::strategy::one_for_one};  // (not braced inside
//   auto started = co_await otter::supervisor::start_link(children, opts);          //  co_await: docs/guide.md)
//   otter::term kids = co_await otter::supervisor::which_children(started.pid);
//
// Every call answers as Elixir's Supervisor does, with terms:
// which_children -> [{id, pid | :restarting | :undefined, :worker | :supervisor, [module]}],
// count_children -> %{active: n, specs: n, supervisors: n, workers: n},
// start_child -> {:ok, pid} | {:ok, :undefined} | {:error, reason}, terminate_child,
// restart_child, delete_child -> :ok | {:error, reason}, get_childspec -> {:ok, spec_map} | {:error, :not_found}.
// The supervisor also answers GenServer.call with those requests as terms
// (:which_children, :count_children, {:terminate_child, id}, ...), and
// otter::gen::stop stops it.
//
// Reports (through otter::log, kind "supervisor_report"): a child that ended
// abnormally or failed to start, and a supervisor that gave up.
#pragma once

#include <chrono>
#include <vector>

#include "otter/child_spec.hpp"
#include "otter/gen_server.hpp"

namespace otter {

/// Which children restart when one ends: that one (one_for_one), all of
/// them (one_for_all), or it and those started after it (rest_for_one).
enum class strategy { one_for_one, one_for_all, rest_for_one };

namespace supervisor {

/// Supervisor.start_link's options (and Supervisor.init's flags).
struct options {
  otter::strategy strategy = otter::strategy::one_for_one;
  /// More than max_restarts restarts within max_seconds shut the
  /// supervisor down (reason `shutdown`), with its children.
  int max_restarts = 3;
  int max_seconds = 5;
  server_name name;  ///< a local or via name, or none
};

/// Starts a supervisor linked to the caller, which starts `children` in
/// order. {:ok, pid}; {:error, {:shutdown, {:failed_to_start_child, id,
/// reason}}} when one fails (those started are stopped first); {:error,
/// {:already_started, pid}} when the name is taken; {:error, {:start_spec,
/// what}} for a bad spec (duplicate ids: {:duplicate_child_name, id}).
task<start_result> start_link(std::vector<child_spec> children, options opts);
/// With the default options. (Overloads, not a default argument: g++ 12
/// copies a defaulted class argument bitwise when the call is in a co_await.)
task<start_result> start_link(std::vector<child_spec> children);
/// The same from outside any process (linked to `me`).
start_result start_link(scoped_process& me, std::vector<child_spec> children, options opts = {});

task<term> which_children(server_ref sup);
term which_children(scoped_process& me, server_ref sup);
task<term> count_children(server_ref sup);
term count_children(scoped_process& me, server_ref sup);
/// Adds a child and starts it: {:ok, pid}, {:ok, :undefined} (it said
/// ignore: kept, not running), {:error, {:already_present, id}} (a stopped
/// child has the id), {:error, {:already_started, pid}} (a running one has
/// it, or the child's name is taken), {:error, reason} if it fails to start.
task<term> start_child(server_ref sup, child_spec spec);
term start_child(scoped_process& me, server_ref sup, child_spec spec);
/// Stops a child (keeping its spec): :ok or {:error, :not_found}.
task<term> terminate_child(server_ref sup, term id);
term terminate_child(scoped_process& me, server_ref sup, term id);
/// Starts a stopped child again: {:ok, pid} or {:error, :running |
/// :restarting | :not_found | reason}.
task<term> restart_child(server_ref sup, term id);
term restart_child(scoped_process& me, server_ref sup, term id);
/// Removes a stopped child's spec: :ok or {:error, :running | :restarting | :not_found}.
task<term> delete_child(server_ref sup, term id);
term delete_child(scoped_process& me, server_ref sup, term id);
/// {:ok, spec as a map} or {:error, :not_found}.
task<term> get_childspec(server_ref sup, term id);
term get_childspec(scoped_process& me, server_ref sup, term id);

/// A supervisor as a child of another (type supervisor, shutdown infinity).
child_spec spec(term id, std::vector<child_spec> children, options opts = {});

}  // namespace supervisor
}  // namespace otter

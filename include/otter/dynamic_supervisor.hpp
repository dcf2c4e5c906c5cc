// otter::dynamic_supervisor — Elixir's DynamicSupervisor: starts no child
// itself; children are added one by one with start_child, any number of
// them (max_children), each restarted alone (one_for_one) when it ends as
// its restart type says. Starting, restarting or ending one child costs the
// same with ten or a hundred thousand others (they are kept by pid in a hash
// table); stopping the supervisor stops all of them at once.
//
//   const otter::dynamic_supervisor::options opts{.max_children = 100, .name = otter::name("Counter.WorkerSupervisor")};
//   auto sup = co_await otter::dynamic_supervisor::start_link(opts);
//   otter::term r = co_await otter::dynamic_supervisor::start_child("Counter.WorkerSupervisor",
//                                                                  counter_worker::child_spec("W1"_a));
//   // {:ok, pid} | :ignore | {:error, :max_children} | {:error, {:already_started, pid}} | {:error, reason}
//
// It also answers GenServer.call with :which_children, :count_children and
// {:terminate_child, pid}; otter::gen::stop stops it.
#pragma once

#include <optional>
#include <vector>

#include "otter/child_spec.hpp"
#include "otter/gen_server.hpp"

namespace otter::dynamic_supervisor {

/// DynamicSupervisor.start_link/init options (the strategy is one_for_one).
struct options {
  /// At most this many children at once; none if not given (Elixir's :infinity).
  std::optional<int> max_children;
  /// More than max_restarts restarts within max_seconds shut it down.
  int max_restarts = 3;
  int max_seconds = 5;
  /// Put before each child's own start arguments (see child_spec's start).
  std::vector<term> extra_arguments;
  server_name name;  ///< a local or via name, or none
};

/// Starts a DynamicSupervisor linked to the caller: {:ok, pid}, or {:error,
/// {:already_started, pid}} when its name is taken.
task<start_result> start_link(options opts);
/// With the default options (an overload: see supervisor::start_link).
task<start_result> start_link();
start_result start_link(scoped_process& me, options opts = {});

/// Starts a child: {:ok, pid}, :ignore, {:error, :max_children}, or the
/// child's own {:error, reason} (e.g. {:already_started, pid} when its via
/// name is taken). The spec's id is not used (children are known by pid).
task<term> start_child(server_ref sup, child_spec spec);
term start_child(scoped_process& me, server_ref sup, child_spec spec);
/// Stops a child: :ok, or {:error, :not_found} if `child` is not one.
task<term> terminate_child(server_ref sup, pid child);
term terminate_child(scoped_process& me, server_ref sup, pid child);
/// [{:undefined, pid | :restarting, :worker | :supervisor, [module]}]
task<term> which_children(server_ref sup);
term which_children(scoped_process& me, server_ref sup);
/// %{active: n, specs: n, supervisors: n, workers: n}
task<term> count_children(server_ref sup);
term count_children(scoped_process& me, server_ref sup);

/// A DynamicSupervisor as a child of a supervisor (type supervisor,
/// shutdown infinity), as `Counter.WorkerSupervisor` in the lecture.
child_spec spec(term id, options opts = {});

}  // namespace otter::dynamic_supervisor

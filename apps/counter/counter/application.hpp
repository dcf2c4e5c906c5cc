// Counter.Application — the lecture's application: the Counter.Store ETS
// table, then Counter.Registry (unique keys) and Counter.WorkerSupervisor
// under a one_for_one top supervisor (Counter.Supervisor).
//
//   otter::runtime rt;
//   counter::application::start(rt);                 // {:ok, pid}
//   ... Counter.WorkerSupervisor.start_worker(:W1) ...
//   counter::application::stop(rt);
//
// The store belongs to the application (its master process makes it before
// any child starts), so it outlives every worker and supervisor restart and
// goes when the application stops. Environment, for Counter.WorkerSupervisor:
// "max_children" (default 100), "max_restarts" and "max_seconds" (OTP's
// default intensity, 3 in 5 s); set them with
// otter::application::put_env(rt, "counter", "max_children", n) before start.
#pragma once

#include <vector>

#include "otter/application.hpp"

namespace counter::application {

inline constexpr const char* name = "counter";

/// The application's spec (name "counter").
otter::application::spec spec();
/// Starts it: {:ok, pid of Counter.Supervisor} or {:error, reason}.
otter::start_result start(otter::runtime& rt);
/// Stops it (children in reverse order, then the store). False if it was not running.
bool stop(otter::runtime& rt);

/// The lecture's static-supervisor step, before the Registry: two workers
/// :W1 and :W2 under a Supervisor, each with its own id through
/// Supervisor.child_spec({Counter.Worker, :W1}, id: :W1). With
/// `distinct_ids` false the ids are left equal (both Counter.Worker), and
/// Supervisor.start_link fails with {:shutdown, {:start_spec,
/// {:duplicate_child_name, Counter.Worker}}} as the lecture shows.
std::vector<otter::child_spec> static_workers(bool distinct_ids = true);

}  // namespace counter::application

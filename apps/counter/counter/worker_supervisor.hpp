// Counter.WorkerSupervisor — the lecture's DynamicSupervisor: one_for_one,
// at most max_children workers (100, as in the lecture, unless configured),
// registered as Counter.WorkerSupervisor.
//
//   Counter.WorkerSupervisor.start_worker(:W1)   counter::worker_supervisor::start_worker("W1"_a)
//   # {:ok, pid} | {:error, {:already_started, pid}} | {:error, :max_children}
#pragma once

#include <string_view>

#include "otter/dynamic_supervisor.hpp"

namespace counter::worker_supervisor {

inline constexpr std::string_view name = "Elixir.Counter.WorkerSupervisor";
inline constexpr int default_max_children = 100;

/// DynamicSupervisor.start_link(__MODULE__, nil, name: __MODULE__) with
/// init's strategy: :one_for_one, max_children: max_children (and OTP's
/// default intensity, 3 restarts in 5 seconds, unless given).
otter::task<otter::start_result> start_link(int max_children = default_max_children, int max_restarts = 3,
                                            int max_seconds = 5);
/// Its child spec, for Counter.Application's children.
otter::child_spec child_spec(int max_children = default_max_children, int max_restarts = 3, int max_seconds = 5);

/// DynamicSupervisor.start_child(__MODULE__, {Counter.Worker, name}).
otter::task<otter::term> start_worker(otter::term name);
/// The same from outside any process.
otter::term start_worker(otter::scoped_process& me, otter::term name);

}  // namespace counter::worker_supervisor

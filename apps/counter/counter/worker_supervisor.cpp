// Counter.WorkerSupervisor (see worker_supervisor.hpp).
#include "counter/worker_supervisor.hpp"

#include "counter/worker.hpp"

namespace counter::worker_supervisor {

namespace {

otter::dynamic_supervisor::options options_of(int max_children, int max_restarts, int max_seconds) {
  if (max_children < 0)
    throw otter::bad_argument("Counter.WorkerSupervisor: max_children must be 0 or more, got " +
                              std::to_string(max_children));
  if (max_restarts < 0 || max_seconds < 1)
    throw otter::bad_argument("Counter.WorkerSupervisor: max_restarts must be 0 or more and max_seconds 1 or more, got " +
                              std::to_string(max_restarts) + " and " + std::to_string(max_seconds));
  otter::dynamic_supervisor::options o;
  o.max_children = max_children;
  o.max_restarts = max_restarts;
  o.max_seconds = max_seconds;
  o.name = otter::name(name);
  return o;
}

}  // namespace

otter::task<otter::start_result> start_link(int max_children, int max_restarts, int max_seconds) {
  return otter::dynamic_supervisor::start_link(options_of(max_children, max_restarts, max_seconds));
}

otter::child_spec child_spec(int max_children, int max_restarts, int max_seconds) {
  return otter::dynamic_supervisor::spec(otter::term(otter::atom(name)), options_of(max_children, max_restarts, max_seconds));
}

otter::task<otter::term> start_worker(otter::term worker_name) {
  otter::child_spec spec = worker::child_spec(std::move(worker_name));
  return otter::dynamic_supervisor::start_child(name, std::move(spec));
}

otter::term start_worker(otter::scoped_process& me, otter::term worker_name) {
  return otter::dynamic_supervisor::start_child(me, name, worker::child_spec(std::move(worker_name)));
}

}  // namespace counter::worker_supervisor

// Counter.WorkerSupervisor (see worker_supervisor.hpp).
#include "counter/worker_supervisor.hpp"

#include "counter/worker.hpp"

namespace counter::worker_supervisor {

namespace {

otter::dynamic_supervisor::options options_of(int max_children) {
  if (max_children < 0)
    throw otter::bad_argument("Counter.WorkerSupervisor: max_children must be 0 or more, got " +
                              std::to_string(max_children));
  otter::dynamic_supervisor::options o;
  o.max_children = max_children;
  o.name = otter::name(name);
  return o;
}

}  // namespace

otter::task<otter::start_result> start_link(int max_children) {
  return otter::dynamic_supervisor::start_link(options_of(max_children));
}

otter::child_spec child_spec(int max_children) {
  otter::child_spec s = otter::dynamic_supervisor::spec(otter::term(otter::atom(name)), options_of(max_children));
  return s;
}

otter::task<otter::term> start_worker(otter::term worker_name) {
  otter::child_spec spec = worker::child_spec(std::move(worker_name));
  return otter::dynamic_supervisor::start_child(name, std::move(spec));
}

otter::term start_worker(otter::scoped_process& me, otter::term worker_name) {
  return otter::dynamic_supervisor::start_child(me, name, worker::child_spec(std::move(worker_name)));
}

}  // namespace counter::worker_supervisor

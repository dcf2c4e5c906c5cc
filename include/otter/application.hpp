// otter::application — a small version of OTP's applications: a named top
// supervisor started and stopped as a unit, with an environment
// (configuration), as Counter.Application is in the lecture.
//
//   otter::application::spec app{
//       .name = "counter",
//       .env = {{"max_children", otter::term(100)}},
//       .setup = [] { otter::ets::new_table("Counter.Store"_a, {.protection = otter::ets::access::public_, .named_table = true}); },
//       .children = [](otter::runtime& rt) { return std::vector<otter::child_spec>{registry_spec, worker_sup_spec}; },
//       .options = {.strategy = otter::strategy::one_for_one, .name = otter::name("Counter.Supervisor")},
//   };
//   otter::application::start(rt, app);        // {:ok, pid of the top supervisor}
//   otter::application::get_env(rt, "counter", "max_children");   // 100
//   otter::application::stop(rt, "counter");   // the tree stops, last started first; returns when done
//
// Each started application has a master process that runs `setup` (ETS
// tables made there belong to the application: they outlive every worker
// crash and go when the application stops), starts the top supervisor
// linked to it, and stops it on request. If the top supervisor gives up, the
// application has exited: the master logs it (kind "application_exit") and
// ends, as OTP reports a temporary application that stopped.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "otter/child_spec.hpp"
#include "otter/runtime.hpp"
#include "otter/supervisor.hpp"

namespace otter::application {

struct spec {
  std::string name;                   ///< the application, e.g. "counter" (Elixir's :counter)
  std::map<std::string, term> env;    ///< its environment's defaults (Application.get_env)
  std::function<void()> setup;        ///< runs first, in the master process (e.g. make ETS tables)
  /// The top supervisor's children, in start order (built when it starts,
  /// so they can read the environment).
  std::function<std::vector<child_spec>(runtime& rt)> children;
  supervisor::options options;        ///< the top supervisor's (strategy, name, intensity)
};

/// Starts the application: {:ok, pid} (the top supervisor's), {:error,
/// {:already_started, name}}, or {:error, reason} if setup throws or the
/// supervisor fails to start. Environment values set before it starts
/// (put_env) win over the spec's defaults. From outside any process.
start_result start(runtime& rt, spec app);
/// Stops it: the top supervisor stops its children in reverse order, then
/// the application's tables go. Returns when all of it has ended; false if
/// it was not running.
bool stop(runtime& rt, const std::string& name);
/// The applications running, in start order.
std::vector<std::string> which_applications(runtime& rt);
/// The top supervisor of a running application, or the null pid.
pid top_supervisor(runtime& rt, const std::string& name);

/// Application.get_env(app, key): the value, or nullopt if unset.
std::optional<term> get_env(runtime& rt, const std::string& app, const std::string& key);
/// Application.fetch_env!/get_env with a default.
term get_env(runtime& rt, const std::string& app, const std::string& key, term dflt);
/// Application.put_env(app, key, value).
void put_env(runtime& rt, const std::string& app, const std::string& key, term value);

}  // namespace otter::application

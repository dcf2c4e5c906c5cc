// Applications: a master process per running application, its environment
// in a table per runtime. See otter/application.hpp.
#include "otter/application.hpp"

#include <algorithm>
#include <mutex>

#include "otter/logger.hpp"
#include "otter/scoped_process.hpp"
#include "runtime_impl.hpp"

namespace otter::application {
namespace {

// Environments and start order, by (runtime, application). A runtime's uid
// (not its address, which a later runtime may reuse) keeps them apart.
struct app_entry {
  std::map<std::string, term> env;
  std::uint64_t started = 0;  // start order; 0: never started
};
std::mutex registry_m;
std::map<std::pair<std::uint64_t, std::string>, app_entry> registry;  // guarded by registry_m
std::uint64_t start_seq = 0;                                         // guarded by registry_m

std::pair<std::uint64_t, std::string> key_of(runtime& rt, const std::string& app) { return {rt.impl().uid, app}; }

std::string master_name(const std::string& app) { return "otter.application." + app; }

struct stop_app {};
struct app_started {
  pid master;
  start_result result;
};

process master(runtime* rt, spec app, pid starter) {
  trap_exit(true);
  try {
    register_name(master_name(app.name), self());
  } catch (const bad_argument&) {
    send(starter, app_started{self(), {start_result::error, pid(), otter::tuple(atom("already_started"), atom(app.name))}});
    co_return;
  }
  start_result r;
  try {
    if (app.setup) app.setup();
    std::vector<child_spec> children = app.children ? app.children(*rt) : std::vector<child_spec>{};
    r = co_await supervisor::start_link(std::move(children), app.options);
  } catch (const exit_exception& e) {
    r = {start_result::error, pid(), e.reason.to_term()};
  } catch (const std::exception& e) {
    r = {start_result::error, pid(), exit_reason::from_exception(e).to_term()};
  }
  send(starter, app_started{self(), r});
  if (!r.is_ok()) co_return;  // the supervisor (if any) has exited with the reason
  const pid top = r.pid;
  for (;;) {
    any_message m = co_await receive([](any_message x) { return x; });
    if (m.is<stop_app>()) {
      co_await gen::stop(top, exit_reason::shutdown());
      co_return;  // the application's ETS tables go with us
    }
    if (const auto* x = m.get<exit_message>(); x && x->from == top) {
      otter::log({log_level::notice, self(), "application_exit",
                  "Application " + app.name + " exited: " + x->reason.to_string() + "\ntype: temporary"});
      co_return;
    }
  }
}

// Starting and stopping wait for processes: from a process, that would block
// a scheduler thread (and with one scheduler, never end).
void require_outside(const char* what) {
  if (detail::current_pcb()) throw bad_argument(std::string(what) + ": call it from outside any process");
}

}  // namespace

start_result start(runtime& rt, spec app) {
  require_outside("otter::application::start");
  if (app.name.empty()) throw bad_argument("otter::application::start: the application needs a name");
  {
    std::lock_guard lk(registry_m);
    app_entry& e = registry[key_of(rt, app.name)];
    for (auto& [k, v] : app.env) e.env.emplace(k, v);  // values put before win
  }
  scoped_process me(rt);
  if (rt.whereis(master_name(app.name)))
    return {start_result::error, pid(), otter::tuple(atom("already_started"), atom(app.name))};
  const std::string name = app.name;
  const pid m = rt.spawn(master, &rt, std::move(app), me.self());
  const reference mref = me.monitor(m);
  start_result out;
  me.receive_any(when([m](const app_started& a) { return a.master == m; }, [&](app_started a) { out = a.result; }),
                 when([mref](const down_message& d) { return d.ref == mref; },
                      [&](down_message d) { out = {start_result::error, pid(), d.reason.to_term()}; }));
  me.demonitor(mref, true);
  if (out.is_ok()) {
    std::lock_guard lk(registry_m);
    registry[key_of(rt, name)].started = ++start_seq;
  }
  return out;
}

bool stop(runtime& rt, const std::string& name) {
  require_outside("otter::application::stop");
  const pid m = rt.whereis(master_name(name));
  if (!m) return false;
  scoped_process me(rt);
  const reference mref = me.monitor(m);
  me.send(m, stop_app{});
  me.receive_any(when([mref](const down_message& d) { return d.ref == mref; }, [](down_message) {}));
  return true;
}

std::vector<std::string> which_applications(runtime& rt) {
  std::vector<std::pair<std::uint64_t, std::string>> running;
  {
    std::lock_guard lk(registry_m);
    for (auto& [k, e] : registry)
      if (k.first == rt.impl().uid && e.started) running.emplace_back(e.started, k.second);
  }
  std::sort(running.begin(), running.end());
  std::vector<std::string> out;
  for (auto& [seq, name] : running)
    if (rt.whereis(master_name(name))) out.push_back(name);
  return out;
}

pid top_supervisor(runtime& rt, const std::string& name) {
  const pid m = rt.whereis(master_name(name));
  if (!m) return pid();
  auto info = rt.get_process_info(m);
  if (!info) return pid();
  for (pid l : info->links) return l;  // the master links only to its top supervisor
  return pid();
}

std::optional<term> get_env(runtime& rt, const std::string& app, const std::string& key) {
  std::lock_guard lk(registry_m);
  auto it = registry.find(key_of(rt, app));
  if (it == registry.end()) return std::nullopt;
  auto v = it->second.env.find(key);
  if (v == it->second.env.end()) return std::nullopt;
  return v->second;
}

term get_env(runtime& rt, const std::string& app, const std::string& key, term dflt) {
  auto v = get_env(rt, app, key);
  return v ? *v : dflt;
}

void put_env(runtime& rt, const std::string& app, const std::string& key, term value) {
  std::lock_guard lk(registry_m);
  registry[key_of(rt, app)].env[key] = std::move(value);
}

}  // namespace otter::application

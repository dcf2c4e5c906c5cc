// Counter.Application (see application.hpp).
#include "counter/application.hpp"

#include <cstdint>

#include "counter/worker.hpp"
#include "counter/worker_supervisor.hpp"
#include "otter/ets.hpp"
#include "otter/registry.hpp"

namespace counter::application {

otter::application::spec spec() {
  otter::application::spec app;
  app.name = name;
  app.env = {{"max_children", otter::term(worker_supervisor::default_max_children)}};
  app.setup = [] {
    otter::ets::options o;
    o.protection = otter::ets::access::public_;
    o.named_table = true;
    otter::ets::new_table(otter::atom(store_name), o);
  };
  app.children = [](otter::runtime& rt) {
    // An environment value, checked: a bad one fails the start with a message.
    auto setting = [&rt](const char* key, std::int64_t dflt, std::int64_t least) {
      const otter::term v = otter::application::get_env(rt, name, key, otter::term(dflt));
      if (!v.is_integer() || v.as_int() < least || v.as_int() > INT32_MAX)
        throw otter::bad_argument(std::string("counter: ") + key + " must be an integer from " + std::to_string(least) +
                                  ", got " + v.to_string());
      return static_cast<int>(v.as_int());
    };
    otter::registry::options reg;
    reg.kind = otter::registry::keys::unique;
    reg.name = std::string(registry_name);
    return std::vector<otter::child_spec>{
        otter::registry::child_spec(reg),
        worker_supervisor::child_spec(setting("max_children", worker_supervisor::default_max_children, 0),
                                      setting("max_restarts", 3, 0), setting("max_seconds", 5, 1))};
  };
  app.options.strategy = otter::strategy::one_for_one;
  app.options.name = otter::name("Elixir.Counter.Supervisor");
  return app;
}

otter::start_result start(otter::runtime& rt) { return otter::application::start(rt, spec()); }

bool stop(otter::runtime& rt) { return otter::application::stop(rt, name); }

std::vector<otter::child_spec> static_workers(bool distinct_ids) {
  otter::child_spec w1 = worker::child_spec(otter::term(otter::atom("W1")));
  otter::child_spec w2 = worker::child_spec(otter::term(otter::atom("W2")));
  if (!distinct_ids) return {w1, w2};
  return {otter::child_spec_with(w1, {.id = otter::term(otter::atom("W1"))}),
          otter::child_spec_with(w2, {.id = otter::term(otter::atom("W2"))})};
}

}  // namespace counter::application

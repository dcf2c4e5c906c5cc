// otter::registry (see otter/registry.hpp), written on the public process
// and ETS APIs as Elixir's Registry is written on :ets and links.
//
// Tables: one named `set` with the registry's name holds the meta data
// ({:"$meta", kind, {{key_table, pid_table, partition_pid}, ...}}). Each
// partition has a key table ({key, {pid, value}}: a set for unique keys, a
// duplicate_bag otherwise) and a pid table ({pid, key}, a duplicate_bag).
// Unique registries pick the partition by the key, duplicate ones by the
// registering pid, as Elixir does. The registry's process owns every table;
// each partition process traps exits and, when a registered (linked)
// process exits, removes its entries.
#include "otter/registry.hpp"

#include "otter/ets.hpp"

#include <memory>

namespace otter::registry {

namespace {

const atom meta_key("$meta");
const atom unique_atom("unique");
const atom duplicate_atom("duplicate");

struct partition {
  term keys;  // the key table's id
  term pids;  // the pid table's id
  pid owner;  // the process that cleans up after exits
};

struct meta {
  keys kind;
  std::vector<partition> parts;

  const partition& by_key(const term& key) const { return parts[key.hash() % parts.size()]; }
  const partition& by_pid(pid p) const { return parts[term(p).hash() % parts.size()]; }
  // Where `key` may be: one partition (unique) or all of them.
  std::vector<const partition*> for_key(const term& key) const {
    std::vector<const partition*> out;
    if (kind == keys::unique) {
      out.push_back(&by_key(key));
    } else {
      for (const auto& p : parts) out.push_back(&p);
    }
    return out;
  }
};

meta read_meta(std::string_view registry) {
  std::vector<term> found;
  try {
    found = ets::lookup(term(atom(registry)), term(meta_key));
  } catch (const bad_argument&) {
  }
  if (found.empty()) throw bad_argument("otter::registry: no registry named " + term(atom(registry)).to_string());
  const term& m = found[0];
  meta out;
  out.kind = m[1].is_atom(unique_atom) ? keys::unique : keys::duplicate;
  for (const term& p : m[2].elements()) out.parts.push_back({p[0], p[1], p[2].as_pid()});
  return out;
}

// Each thread keeps the meta data of the registries it used last, so that an
// operation reads no shared table to find the partition's tables. A cached
// entry goes stale only when its registry stops (its tables are deleted,
// and using them is bad_argument): with_meta then reads the meta data again
// and retries once.
struct cached_meta {
  std::string name;
  std::shared_ptr<const meta> m;
};
thread_local std::vector<cached_meta> t_metas;

std::shared_ptr<const meta> find_meta(std::string_view registry, bool& cached) {
  for (auto& c : t_metas)
    if (c.name == registry) {
      cached = true;
      return c.m;
    }
  cached = false;
  auto m = std::make_shared<const meta>(read_meta(registry));
  if (t_metas.size() >= 8) t_metas.erase(t_metas.begin());
  t_metas.push_back({std::string(registry), m});
  return m;
}

void forget_meta(std::string_view registry) {
  std::erase_if(t_metas, [&](const cached_meta& c) { return c.name == registry; });
}

bool same_tables(const meta& a, const meta& b) {
  if (a.parts.size() != b.parts.size()) return false;
  for (std::size_t i = 0; i < a.parts.size(); ++i)
    if (!(a.parts[i].keys == b.parts[i].keys)) return false;
  return true;
}

template <class F>
auto with_meta(std::string_view registry, F&& f) {
  bool cached = false;
  auto m = find_meta(registry, cached);
  if (!cached) return f(*m);
  try {
    return f(*m);
  } catch (const bad_argument&) {
    // Retry only if the cache was stale (the registry restarted or
    // stopped); an error of the caller's own making is not repeated.
    forget_meta(registry);
    auto fresh = find_meta(registry, cached);  // bad_argument if it has stopped
    if (same_tables(*fresh, *m)) throw;
    return f(*fresh);
  }
}

// Whether `t` can be put in a match head as it is (no `_` or `$N` atoms).
bool ground(const term& t) {
  if (t.is_atom()) {
    const std::string_view s = t.as_atom().text();
    return s != "_" && !(s.size() > 1 && s[0] == '$');
  }
  if (t.is_tuple() || t.is_list()) {
    for (const term& e : t.elements())
      if (!ground(e)) return false;
    return t.is_tuple() || ground(t.list_tail());
  }
  if (t.is_map()) return false;
  return true;
}

std::vector<entry> alive_entries(const std::vector<term>& objects) {
  std::vector<entry> out;
  for (const term& o : objects) {
    const pid p = o[1][0].as_pid();
    if (is_alive(p)) out.push_back({p, o[1][1]});
  }
  return out;
}

// --- the processes ---

struct partition_ready {
  pid partition;
};

// Removes what `gone` registered in this partition.
void clean_up(const partition& part, pid gone) {
  for (const term& o : ets::lookup(part.pids, term(gone))) {
    const term& key = o[1];
    for (const term& k : ets::lookup(part.keys, key))
      if (k[1][0].as_pid() == gone) ets::delete_object(part.keys, k);
  }
  ets::delete_key(part.pids, term(gone));
}

process partition_main(pid top, term key_table, term pid_table) {
  trap_exit(true);
  const partition part{key_table, pid_table, self()};
  send(top, partition_ready{self()});
  for (;;) {
    any_message m = co_await receive([](any_message x) { return x; });
    exit_message* x = m.get<exit_message>();
    if (!x) continue;  // nothing else is for us: drop it rather than let it pile up
    // The registry stops: so does the partition, with `shutdown` (as a
    // supervisor would stop it), which ends the processes linked to it.
    if (x->from == top) otter::exit(x->reason.is_normal() ? exit_reason::shutdown() : x->reason);
    try {
      clean_up(part, x->from);
    } catch (const bad_argument&) {
      // The tables went with the registry's process, whose EXIT is still
      // behind this one in the queue: the registry is stopping, and so
      // does the partition (quietly, not as a crash).
      otter::exit(exit_reason::shutdown());
    }
  }
}

// The registry's process: owns the tables, starts the partitions, and
// stops (taking them along) when its parent or a partition ends.
struct registry_server : gen_server<registry_server> {
  struct state {
    std::vector<pid> partitions;
    std::size_t ready = 0;  // partitions that trap exits already
    std::vector<from> waiting;
  };
  // Answered once every partition traps exits: before that, a registered
  // process that exits would take its partition (and the registry) along.
  struct await_ready {};

  init_result<state> init(options o) {
    trap_exit(true);
    const term meta_name = term(atom(o.name));
    try {
      ets::new_table(atom(o.name), otter::list{atom("named_table"), atom("set"), atom("protected"),
                                               otter::tuple(atom("read_concurrency"), true)});
    } catch (const bad_argument& e) {
      return otter::stop(otter::tuple(atom("bad_argument"), term(std::string(e.what()))));
    }
    state s;
    std::vector<term> parts;
    const atom key_type = o.kind == keys::unique ? atom("set") : atom("duplicate_bag");
    for (unsigned i = 0; i < o.partitions; ++i) {
      const term key_table = ets::new_table(atom("registry_keys"), otter::list{key_type, atom("public"),
                                                                              otter::tuple(atom("read_concurrency"), true),
                                                                              otter::tuple(atom("write_concurrency"), true)});
      const term pid_table = ets::new_table(atom("registry_pids"), otter::list{atom("duplicate_bag"), atom("public"),
                                                                              otter::tuple(atom("write_concurrency"), true)});
      const pid p = spawn_link(partition_main, self(), key_table, pid_table);
      s.partitions.push_back(p);
      parts.push_back(otter::tuple(key_table, pid_table, p));
    }
    ets::insert(meta_name, otter::tuple(meta_key, o.kind == keys::unique ? unique_atom : duplicate_atom,
                                        term::tuple_of(std::move(parts))));
    return s;
  }

  call_result<bool> handle_call(await_ready, const from& f, state& s) {
    if (s.ready == s.partitions.size()) return true;
    s.waiting.push_back(f);
    return otter::noreply();
  }
  cast_result handle_info(exit_message x, state& s) {
    for (pid p : s.partitions)
      if (p == x.from) return otter::stop(x.reason);
    return {};
  }
  void handle_info(partition_ready, state& s) {
    if (++s.ready == s.partitions.size())
      for (const from& f : std::exchange(s.waiting, {})) reply(f, true);
  }
  using info_types = std::tuple<partition_ready>;
};

void check(const options& o) {
  if (o.name.empty()) throw bad_argument("otter::registry::start_link: a registry needs a name");
  if (o.partitions < 1) throw bad_argument("otter::registry::start_link: partitions must be at least 1");
}

}  // namespace

term to_term(const std::vector<entry>& entries) {
  std::vector<term> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(otter::tuple(e.process, e.value));
  return term::list_of(std::move(out));
}

task<start_result> start_link(options o) {
  check(o);
  const std::string n = o.name;
  start_result r = co_await registry_server::start_link(name(n), std::move(o));
  if (r.is_ok()) co_await registry_server::call(r.pid, registry_server::await_ready{}, infinity);
  co_return r;
}

start_result start_link(scoped_process& me, options o) {
  check(o);
  const std::string n = o.name;
  start_result r = registry_server::start_link(me, name(n), std::move(o));
  if (r.is_ok()) registry_server::call(me, r.pid, registry_server::await_ready{}, infinity);
  return r;
}

otter::child_spec child_spec(options o) {
  check(o);
  otter::child_spec s;
  s.id = term(atom(o.name));
  s.type = child_type::supervisor;
  const term keys_term(atom(o.kind == keys::unique ? "unique" : "duplicate"));
  s.start_call = otter::tuple(atom("Elixir.Registry"), atom("start_link"),
                              otter::list{term(otter::list{otter::tuple(atom("keys"), keys_term), otter::tuple(atom("name"), s.id),
                                                           otter::tuple(atom("partitions"), static_cast<std::int64_t>(o.partitions))})});
  s.modules = {term(atom("Elixir.Registry"))};
  s.start = [o]() -> task<start_result> { return start_link(o); };
  return s;
}

term register_key(std::string_view registry, const term& key, const term& value) {
  return with_meta(registry, [&](const meta& m) {
    const pid me = self();
    const partition& part = m.kind == keys::unique ? m.by_key(key) : m.by_pid(me);
    // A partition that is gone means a stale cached meta (the registry was
    // restarted): bad_argument makes with_meta read it again.
    if (!is_alive(part.owner)) throw bad_argument("otter::registry: the registry " + term(atom(registry)).to_string() + " has stopped");
    link(part.owner);  // first: if we die from here on, the partition cleans up
    const term object = otter::tuple(key, otter::tuple(me, value));
    if (m.kind == keys::unique) {
      for (;;) {
        if (ets::insert_new(part.keys, object)) break;
        const std::vector<term> found = ets::lookup(part.keys, key);
        if (found.empty()) continue;  // removed meanwhile: try again
        const pid holder = found[0][1][0].as_pid();
        if (holder == me || is_alive(holder)) {
          if (!ets::member(part.pids, term(me))) unlink(part.owner);  // nothing of ours to watch there
          return otter::tuple(atoms::error, otter::tuple(atom("already_registered"), holder));
        }
        // Its holder has exited and the partition has not cleaned up yet.
        ets::delete_object(part.keys, found[0]);
      }
    } else {
      ets::insert(part.keys, object);
    }
    ets::insert(part.pids, otter::tuple(me, key));
    return otter::tuple(atoms::ok, part.owner);
  });
}

void unregister(std::string_view registry, const term& key) {
  return with_meta(registry, [&](const meta& m) {
    const pid me = self();
    const partition& part = m.kind == keys::unique ? m.by_key(key) : m.by_pid(me);
    for (const term& o : ets::lookup(part.keys, key))
      if (o[1][0].as_pid() == me) ets::delete_object(part.keys, o);
    ets::delete_object(part.pids, otter::tuple(me, key));
    if (!ets::member(part.pids, term(me))) unlink(part.owner);
  });
}

std::vector<entry> lookup(std::string_view registry, const term& key) {
  return with_meta(registry, [&](const meta& m) {
    std::vector<entry> out;
    for (const partition* p : m.for_key(key)) {
      auto found = alive_entries(ets::lookup(p->keys, key));
      out.insert(out.end(), found.begin(), found.end());
    }
    return out;
  });
}

std::vector<term> keys_of(std::string_view registry, pid p) {
  return with_meta(registry, [&](const meta& m) -> std::vector<term> {
    if (!is_alive(p)) return {};
    std::vector<term> out;
    for (const partition& part : m.parts)
      for (const term& o : ets::lookup(part.pids, term(p))) out.push_back(o[1]);
    return out;
  });
}

std::vector<entry> match(std::string_view registry, const term& key, const term& pattern, const term& guards) {
  if (!guards.is_proper_list()) throw bad_argument("otter::registry::match: guards must be a list, got " + guards.to_string());
  return with_meta(registry, [&](const meta& m) {
    // A key without pattern atoms goes in the head (a lookup, not a scan);
    // any other is compared by a guard, so that it matches only itself.
    term spec;
    const term body = otter::list{otter::tuple(atom("element"), 2, atom("$_"))};
    if (ground(key)) {
      spec = otter::list{otter::tuple(otter::tuple(key, otter::tuple(atom("_"), pattern)), guards, body)};
    } else {
      std::vector<term> all = {
          otter::tuple(atom("=:="), otter::tuple(atom("element"), 1, atom("$_")), otter::tuple(atom("const"), key))};
      all.insert(all.end(), guards.elements().begin(), guards.elements().end());
      spec = otter::list{
          otter::tuple(otter::tuple(atom("_"), otter::tuple(atom("_"), pattern)), term::list_of(std::move(all)), body)};
    }
    std::vector<entry> out;
    for (const partition* p : m.for_key(key))
      for (const term& r : ets::select(p->keys, spec)) {
        const pid who = r[0].as_pid();
        if (is_alive(who)) out.push_back({who, r[1]});
      }
    return out;
  });
}

std::size_t count(std::string_view registry) {
  return with_meta(registry, [&](const meta& m) {
    std::size_t n = 0;
    for (const partition& p : m.parts) n += static_cast<std::size_t>(ets::info(p.keys, atom("size")).as_int());
    return n;
  });
}

std::vector<term> select(std::string_view registry, const term& spec) {
  if (!spec.is_proper_list())
    throw bad_argument("otter::registry::select: a match specification is a list of {{key, pid, value}, guards, body}, got " +
                       spec.to_string());
  return with_meta(registry, [&](const meta& m) {
    // Elixir's heads are {key, pid, value}; the tables hold {key, {pid, value}}.
    std::vector<term> clauses;
    for (const term& c : spec.elements()) {
      if (!c.is_tuple() || c.size() != 3 || !c[0].is_tuple() || c[0].size() != 3)
        throw bad_argument("otter::registry::select: each clause is {{key, pid, value}, guards, body}, got " + c.to_string());
      clauses.push_back(otter::tuple(otter::tuple(c[0][0], otter::tuple(c[0][1], c[0][2])), c[1], c[2]));
    }
    const term table_spec = term::list_of(std::move(clauses));
    std::vector<term> out;
    for (const partition& p : m.parts) {
      auto r = ets::select(p.keys, table_spec);
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  });
}

void dispatch(std::string_view registry, const term& key, const std::function<void(const std::vector<entry>&)>& f) {
  auto entries = lookup(registry, key);
  if (!entries.empty()) f(entries);
}

std::optional<std::pair<term, term>> update_value(std::string_view registry, const term& key,
                                                  const std::function<term(const term&)>& f) {
  return with_meta(registry, [&](const meta& m) -> std::optional<std::pair<term, term>> {
    if (m.kind != keys::unique)
      throw bad_argument("otter::registry::update_value: " + term(atom(registry)).to_string() + " is a duplicate registry");
    const pid me = self();
    const partition& part = m.by_key(key);
    const std::vector<term> found = ets::lookup(part.keys, key);
    if (found.empty() || found[0][1][0].as_pid() != me) return std::nullopt;
    const term old = found[0][1][1];
    term fresh = f(old);
    ets::insert(part.keys, otter::tuple(key, otter::tuple(me, fresh)));
    return std::make_pair(std::move(fresh), old);
  });
}

pid whereis_name(std::string_view registry, const term& key) {
  return with_meta(registry, [&](const meta& m) {
    if (m.kind != keys::unique)
      throw bad_argument("otter::registry: " + term(atom(registry)).to_string() + " is a duplicate registry; names need unique keys");
    for (const term& o : ets::lookup(m.by_key(key).keys, key)) {
      const pid p = o[1][0].as_pid();
      if (is_alive(p)) return p;
    }
    return pid();
  });
}

}  // namespace otter::registry

namespace otter::detail::gen {

pid via_register(const std::string& registry, const term& key) {
  const term r = registry::register_key(registry, key, atoms::nil);
  if (r[0].is_atom(atoms::ok)) return pid();
  return r[1][1].as_pid();
}

pid via_whereis(const std::string& registry, const term& key) { return registry::whereis_name(registry, key); }

}  // namespace otter::detail::gen

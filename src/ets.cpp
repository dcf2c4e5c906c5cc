// otter::ets: the table registry, ownership, access rules and the public
// operations (see otter/ets.hpp; storage is in ets_tables.cpp).
//
// Finding a table: ids and names live in one registry under a
// reader/writer lock, and every thread keeps a few recently used tables in
// a cache validated by a global generation number that changes whenever a
// table is deleted. A hit costs one atomic load, so operations on a table
// do not meet on a shared lock word; the cached shared_ptr keeps a table
// that is deleted meanwhile alive until the operation is done.
#include "otter/ets.hpp"

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "ets_match.hpp"
#include "ets_table.hpp"
#include "exit_hooks.hpp"
#include "runtime_impl.hpp"

namespace otter::ets {

using detail::table;

namespace {

struct owner_key {
  otter::detail::runtime_impl* rt;
  std::uint64_t pid;
  bool operator==(const owner_key&) const = default;
};
struct owner_hash {
  std::size_t operator()(const owner_key& k) const noexcept {
    return std::hash<const void*>{}(k.rt) ^ (std::hash<std::uint64_t>{}(k.pid) * 31);
  }
};

struct registry {
  std::shared_mutex m;
  std::unordered_map<term, std::shared_ptr<table>> by_id;                  // by tid; guarded by m
  std::unordered_map<std::uint32_t, std::shared_ptr<table>> by_name;       // atom index; guarded by m
  std::unordered_map<owner_key, std::vector<term>, owner_hash> by_owner;   // tids; guarded by m
  std::atomic<std::uint64_t> generation{1};
  std::atomic<std::uint64_t> next_ref{std::uint64_t{1} << 62};  // apart from make_ref()'s numbers
};

registry& reg() {
  static registry* r = new registry;  // never destroyed: tables may be used during static destruction
  return *r;
}

void owner_exited(otter::detail::runtime_impl& rt, pid who) noexcept;

unsigned owner_hook_bit() {
  static const unsigned bit = otter::detail::register_exit_hook(&owner_exited);
  return bit;
}

// The caller: the running process or the scoped_process acting for this thread.
struct caller_id {
  otter::detail::runtime_impl* rt = nullptr;
  std::uint64_t pid = 0;
};
caller_id caller() {
  if (otter::detail::pcb* p = otter::detail::acting_pcb())
    return {p->rt, p->serial.load(std::memory_order_relaxed)};
  return {};
}

std::string show(const term& t) { return inspect(t, {0, 10}); }

// --- the per-thread cache of tables ---

struct cache_entry {
  term id;
  std::shared_ptr<table> t;
};
struct thread_cache {
  std::uint64_t generation = 0;
  cache_entry entries[8];
  unsigned next = 0;
};
thread_local thread_cache t_cache;

// The table named `tab`. The pointer stays valid until this thread's next
// find_table (the cache entry owns the table), i.e. for one operation.
table* find_table(const term& tab) {
  registry& r = reg();
  thread_cache& c = t_cache;
  const std::uint64_t gen = r.generation.load(std::memory_order_acquire);
  if (c.generation != gen) {
    for (auto& e : c.entries) e = cache_entry{};
    c.generation = gen;
  }
  for (auto& e : c.entries)
    if (e.t && e.id == tab) return e.t.get();
  std::shared_ptr<table> t;
  {
    std::shared_lock lk(r.m);
    if (tab.is_atom()) {
      auto it = r.by_name.find(tab.as_atom().index());
      if (it != r.by_name.end()) t = it->second;
    } else {
      auto it = r.by_id.find(tab);
      if (it != r.by_id.end()) t = it->second;
    }
  }
  if (!t) {
    if (!tab.is_atom() && !tab.is_reference())
      throw bad_argument("otter::ets: a table id is an atom or a reference, got " + show(tab));
    throw bad_argument("otter::ets: the table " + show(tab) + " does not exist");
  }
  cache_entry& slot = c.entries[c.next++ % 8];
  slot = cache_entry{tab, std::move(t)};
  return slot.t.get();
}

enum class use { read, write };

table* checked(const term& tab, use u, const char* op) {
  table* t = find_table(tab);
  if (t->deleted.load(std::memory_order_acquire))
    throw bad_argument(std::string("otter::ets::") + op + ": the table " + show(tab) + " does not exist");
  const access a = t->opts.protection;
  if (a == access::public_ || (a == access::protected_ && u == use::read)) return t;
  const caller_id me = caller();
  if (me.pid == t->owner.load(std::memory_order_acquire) && me.rt == t->owner_rt.load(std::memory_order_acquire))
    return t;
  throw bad_argument(std::string("otter::ets::") + op + ": the table " + show(tab) + " is " +
                     (a == access::private_ ? "private" : "protected") + "; only its owner may " +
                     (u == use::read ? "read" : "write") + " it");
}

// Checks every object and returns them as a span: one tuple or a list of tuples.
std::vector<term> objects_of(const table& t, const term& object_or_objects, const char* op) {
  std::vector<term> v;
  if (object_or_objects.is_tuple()) {
    v.push_back(object_or_objects);
  } else if (object_or_objects.is_proper_list()) {
    auto e = object_or_objects.elements();
    v.assign(e.begin(), e.end());
  } else {
    throw bad_argument(std::string("otter::ets::") + op + ": expected a tuple or a list of tuples, got " +
                       show(object_or_objects));
  }
  for (const term& o : v) (void)t.key_of(o);
  return v;
}

// What ets:new returned for `t`: its name if named, else its reference.
// Under r.m (the name may change by rename).
term public_id(const table& t) { return t.opts.named_table ? term(t.name) : t.tid; }

void erase_from_registry(registry& r, std::shared_ptr<table> t) {  // by value: it erases the map entries that hold it
  // Under r.m (exclusive).
  t->deleted.store(true, std::memory_order_release);
  r.by_id.erase(t->tid);
  if (t->opts.named_table) r.by_name.erase(t->name.index());
  auto it = r.by_owner.find(owner_key{t->owner_rt.load(), t->owner.load()});
  if (it != r.by_owner.end()) {
    std::erase(it->second, t->tid);
    if (it->second.empty()) r.by_owner.erase(it);
  }
  r.generation.fetch_add(1, std::memory_order_acq_rel);
}

// Moves `t` to `to` (registry lock held); the caller then asks for the
// owner hook on `to` and sends ETS-TRANSFER.
void transfer_locked(registry& r, const std::shared_ptr<table>& t, otter::detail::runtime_impl* rt, std::uint64_t to) {
  auto it = r.by_owner.find(owner_key{t->owner_rt.load(), t->owner.load()});
  if (it != r.by_owner.end()) {
    std::erase(it->second, t->tid);
    if (it->second.empty()) r.by_owner.erase(it);
  }
  t->owner_rt.store(rt, std::memory_order_release);
  t->owner.store(to, std::memory_order_release);
  r.by_owner[owner_key{rt, to}].push_back(t->tid);
}

void send_transfer(otter::detail::runtime_impl& rt, pid to, const term& id, pid from, const term& data) {
  const term msg = otter::tuple(atom("ETS-TRANSFER"), id, from, data);
  rt.deliver(to, otter::detail::make_message<term>(msg));
}

unsigned owner_hook_bit();

void owner_exited(otter::detail::runtime_impl& rt, pid who) noexcept {
  registry& r = reg();
  std::vector<std::shared_ptr<table>> dead;  // freed after the lock is released
  struct handover {
    std::shared_ptr<table> t;
    pid heir;
    term id;
  };
  std::vector<handover> inherited;
  {
    std::unique_lock lk(r.m);
    auto it = r.by_owner.find(owner_key{&rt, who.value()});
    if (it == r.by_owner.end()) return;
    const std::vector<term> ids = it->second;
    for (const term& id : ids) {
      auto t = r.by_id.find(id);
      if (t == r.by_id.end()) continue;
      std::shared_ptr<table> tab = t->second;
      if (tab->heir && tab->heir != who.value()) {
        transfer_locked(r, tab, &rt, tab->heir);
        inherited.push_back({tab, pid(tab->heir), public_id(*tab)});
      } else {
        dead.push_back(tab);
        erase_from_registry(r, tab);
      }
    }
  }
  for (auto& h : inherited) {
    // A dead heir cannot take it: the table goes as if it had none.
    if (!otter::detail::request_exit_hook(rt, h.heir, owner_hook_bit())) {
      std::unique_lock lk(r.m);
      if (!h.t->deleted.load()) erase_from_registry(r, h.t);
      continue;
    }
    send_transfer(rt, h.heir, h.id, who, h.t->heir_data);
  }
}

// Elements of the update_counter op `{pos, incr}` / `{pos, incr, threshold, setvalue}`.
struct counter_op {
  std::size_t pos;
  std::int64_t incr;
  std::optional<std::int64_t> threshold, set_value;
};

counter_op counter_op_of(const table& t, const term& op) {
  auto bad = [&](const std::string& why) -> counter_op {
    throw bad_argument("otter::ets::update_counter: " + why + ", got " + show(op));
  };
  if (op.is_integer()) return {t.opts.keypos + 1, op.as_int(), {}, {}};
  if (!op.is_tuple() || (op.size() != 2 && op.size() != 4) || !op[0].is_integer() || !op[1].is_integer())
    return bad("expected an increment, {pos, incr} or {pos, incr, threshold, setvalue}");
  if (op.size() == 4 && (!op[2].is_integer() || !op[3].is_integer()))
    return bad("threshold and setvalue must be integers");
  if (op[0].as_int() < 1) return bad("positions start at 1");
  counter_op c{static_cast<std::size_t>(op[0].as_int()), op[1].as_int(), {}, {}};
  if (op.size() == 4) {
    c.threshold = op[2].as_int();
    c.set_value = op[3].as_int();
  }
  return c;
}

}  // namespace

options options::from_term(const term& list) {
  if (!list.is_proper_list())
    throw bad_argument("otter::ets::new_table: options must be a list, got " + show(list));
  options o;
  for (const term& e : list.elements()) {
    if (e.is_atom()) {
      const std::string_view a = e.as_atom().text();
      if (a == "set") o.type = table_type::set;
      else if (a == "ordered_set") o.type = table_type::ordered_set;
      else if (a == "bag") o.type = table_type::bag;
      else if (a == "duplicate_bag") o.type = table_type::duplicate_bag;
      else if (a == "public") o.protection = access::public_;
      else if (a == "protected") o.protection = access::protected_;
      else if (a == "private") o.protection = access::private_;
      else if (a == "named_table") o.named_table = true;
      else if (a == "compressed") {}  // accepted, as a hint
      else throw bad_argument("otter::ets::new_table: unknown option " + show(e));
    } else if (e.is_tuple() && e.size() == 2 && e[0].is_atom()) {
      const std::string_view a = e[0].as_atom().text();
      if (a == "keypos") {
        if (!e[1].is_integer() || e[1].as_int() < 1)
          throw bad_argument("otter::ets::new_table: keypos must be a positive integer, got " + show(e));
        o.keypos = static_cast<std::size_t>(e[1].as_int());
      } else if (a == "read_concurrency" && e[1].is_boolean()) {
        o.read_concurrency = e[1].as_bool();
      } else if (a == "write_concurrency" && (e[1].is_boolean() || e[1].is_atom(atom("auto")))) {
        o.write_concurrency = !e[1].is_atom(atoms::false_);
      } else if (a == "heir" && e[1].is_atom(atom("none"))) {
        o.heir.reset();
      } else if (a == "decentralized_counters" && e[1].is_boolean()) {
      } else {
        throw bad_argument("otter::ets::new_table: unknown or malformed option " + show(e));
      }
    } else if (e.is_tuple() && e.size() == 3 && e[0].is_atom(atom("heir"))) {
      if (!e[1].is_pid()) throw bad_argument("otter::ets::new_table: the heir must be a pid, got " + show(e));
      o.heir = std::make_pair(e[1].as_pid(), e[2]);
    } else {
      throw bad_argument("otter::ets::new_table: unknown option " + show(e));
    }
  }
  return o;
}

term new_table(atom name, const options& opts) {
  if (opts.keypos < 1) throw bad_argument("otter::ets::new_table: keypos must be at least 1");
  registry& r = reg();
  const caller_id me = caller();
  std::shared_ptr<table> t = detail::make_table(reference(r.next_ref.fetch_add(1, std::memory_order_relaxed)), name, opts);
  const term id = public_id(*t);
  t->owner_rt.store(me.rt, std::memory_order_relaxed);
  t->owner.store(me.pid, std::memory_order_relaxed);
  if (opts.heir) {
    t->heir = opts.heir->first.value();
    t->heir_data = opts.heir->second;
  }
  {
    std::unique_lock lk(r.m);
    if (opts.named_table && r.by_name.count(name.index()))
      throw bad_argument("otter::ets::new_table: a table named " + show(term(name)) + " exists already");
    r.by_id.emplace(t->tid, t);
    if (opts.named_table) r.by_name.emplace(name.index(), t);
    if (me.pid) r.by_owner[owner_key{me.rt, me.pid}].push_back(t->tid);
  }
  if (me.pid) otter::detail::request_exit_hook(*otter::detail::acting_pcb(), owner_hook_bit());
  return id;
}

term new_table(atom name, const term& option_list) { return new_table(name, options::from_term(option_list)); }

void delete_table(const term& tab) {
  table* t = checked(tab, use::write, "delete_table");
  registry& r = reg();
  std::unique_lock lk(r.m);
  auto it = r.by_id.find(t->tid);
  if (t->deleted.load() || it == r.by_id.end())
    throw bad_argument("otter::ets::delete_table: the table " + show(tab) + " does not exist");
  erase_from_registry(r, it->second);
}

void give_away(const term& tab, pid to, const term& gift_data) {
  table* t = find_table(tab);
  if (t->deleted.load(std::memory_order_acquire))
    throw bad_argument("otter::ets::give_away: the table " + show(tab) + " does not exist");
  const caller_id me = caller();
  if (!me.pid || me.pid != t->owner.load() || me.rt != t->owner_rt.load())
    throw bad_argument("otter::ets::give_away: only the owner of " + show(tab) + " may give it away");
  if (to.value() == me.pid) throw bad_argument("otter::ets::give_away: the table is already the caller's");
  registry& r = reg();
  std::shared_ptr<table> shared;
  term id;
  {
    std::unique_lock lk(r.m);
    auto it = r.by_id.find(t->tid);
    if (it == r.by_id.end()) throw bad_argument("otter::ets::give_away: the table " + show(tab) + " does not exist");
    shared = it->second;
    id = public_id(*shared);
    transfer_locked(r, shared, me.rt, to.value());
  }
  if (!otter::detail::request_exit_hook(*me.rt, to, owner_hook_bit())) {
    std::unique_lock lk(r.m);
    transfer_locked(r, shared, me.rt, me.pid);  // back to the caller
    throw bad_argument("otter::ets::give_away: " + to.to_string() + " is not alive");
  }
  send_transfer(*me.rt, to, id, pid(me.pid), gift_data);
}

atom rename(const term& tab, atom name) {
  table* t = checked(tab, use::write, "rename");
  registry& r = reg();
  std::unique_lock lk(r.m);
  auto it = r.by_id.find(t->tid);
  if (t->deleted.load() || it == r.by_id.end())
    throw bad_argument("otter::ets::rename: the table " + show(tab) + " does not exist");
  if (t->name == name) return name;
  if (t->opts.named_table) {
    if (r.by_name.count(name.index()))
      throw bad_argument("otter::ets::rename: a table named " + show(term(name)) + " exists already");
    r.by_name.erase(t->name.index());
    r.by_name.emplace(name.index(), it->second);
    // Threads' caches may map the old name to this table.
    r.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  t->name = name;
  return name;
}

void setopts(const term& tab, const term& opts) {
  table* t = find_table(tab);
  const caller_id me = caller();
  if (t->deleted.load(std::memory_order_acquire))
    throw bad_argument("otter::ets::setopts: the table " + show(tab) + " does not exist");
  if (!me.pid || me.pid != t->owner.load() || me.rt != t->owner_rt.load())
    throw bad_argument("otter::ets::setopts: only the owner of " + show(tab) + " may change its options");
  std::vector<term> list;
  if (opts.is_proper_list()) list.assign(opts.elements().begin(), opts.elements().end());
  else list.push_back(opts);
  std::optional<std::pair<std::uint64_t, term>> heir;
  for (const term& o : list) {
    if (o.is_tuple() && o.size() == 2 && o[0].is_atom(atom("heir")) && o[1].is_atom(atom("none")))
      heir = std::make_pair(std::uint64_t{0}, term());
    else if (o.is_tuple() && o.size() == 3 && o[0].is_atom(atom("heir")) && o[1].is_pid())
      heir = std::make_pair(o[1].as_pid().value(), o[2]);
    else
      throw bad_argument("otter::ets::setopts: expected {:heir, pid, data} or {:heir, :none}, got " + show(o));
  }
  if (!heir) return;
  std::unique_lock lk(reg().m);
  t->heir = heir->first;
  t->heir_data = heir->second;
}

void insert(const term& tab, const term& object_or_objects) {
  auto t = checked(tab, use::write, "insert");
  if (object_or_objects.is_tuple()) {  // the common case: no list to gather
    t->insert(std::span<const term>(&object_or_objects, 1), false);
    return;
  }
  auto objects = objects_of(*t, object_or_objects, "insert");
  t->insert(objects, false);
}

bool insert_new(const term& tab, const term& object_or_objects) {
  auto t = checked(tab, use::write, "insert_new");
  if (object_or_objects.is_tuple()) return t->insert(std::span<const term>(&object_or_objects, 1), true);
  auto objects = objects_of(*t, object_or_objects, "insert_new");
  return t->insert(objects, true);
}

std::vector<term> lookup(const term& tab, const term& key) { return checked(tab, use::read, "lookup")->lookup(key); }

term lookup_element(const term& tab, const term& key, std::size_t pos) {
  auto t = checked(tab, use::read, "lookup_element");
  std::vector<term> found = t->lookup(key);
  if (found.empty()) throw bad_argument("otter::ets::lookup_element: no object has the key " + show(key));
  std::vector<term> elements;
  for (const term& o : found) {
    if (pos < 1 || pos > o.size())
      throw bad_argument("otter::ets::lookup_element: position " + std::to_string(pos) + " is outside the object " +
                         show(o));
    elements.push_back(o[pos - 1]);
  }
  if (t->opts.type == table_type::set || t->opts.type == table_type::ordered_set) return elements[0];
  return term::list_of(std::move(elements));
}

bool member(const term& tab, const term& key) { return checked(tab, use::read, "member")->member(key); }

void delete_key(const term& tab, const term& key) { checked(tab, use::write, "delete_key")->erase(key); }

void delete_object(const term& tab, const term& object) {
  auto t = checked(tab, use::write, "delete_object");
  t->erase_object(object);
}

void delete_all_objects(const term& tab) { checked(tab, use::write, "delete_all_objects")->clear(); }

std::vector<term> take(const term& tab, const term& key) { return checked(tab, use::write, "take")->take(key); }

term update_counter(const term& tab, const term& key, const term& op, const std::optional<term>& default_object) {
  auto t = checked(tab, use::write, "update_counter");
  if (op.is_integer() && !default_object) return t->add_counter(key, t->opts.keypos + 1, op.as_int());
  std::vector<counter_op> ops;
  const bool many = op.is_list();
  if (many) {
    if (!op.is_proper_list()) throw bad_argument("otter::ets::update_counter: expected a list of operations, got " + show(op));
    for (const term& o : op.elements()) ops.push_back(counter_op_of(*t, o));
  } else {
    ops.push_back(counter_op_of(*t, op));
  }
  if (default_object) {
    const term& k = t->key_of(*default_object);
    // A set matches keys exactly; an ordered_set by term order (1 == 1.0).
    const bool same = t->opts.type == table_type::ordered_set ? equal(k, key) : k == key;
    if (!same)
      throw bad_argument("otter::ets::update_counter: the default object " + show(*default_object) +
                         " does not have the key " + show(key));
  }
  std::vector<term> results;
  t->update(key, [&](const term* existing) -> std::optional<term> {
    const term* base = existing;
    if (!base) {
      if (!default_object) throw bad_argument("otter::ets::update_counter: no object has the key " + show(key));
      base = &*default_object;
    }
    std::vector<term> elements(base->elements().begin(), base->elements().end());
    results.clear();
    for (const counter_op& c : ops) {
      // Each step sees the earlier ones, as in Erlang.
      const std::int64_t v = detail::counter_step(*base, elements, c.pos, t->opts.keypos, c.incr, c.threshold, c.set_value);
      elements[c.pos - 1] = term(v);
      results.emplace_back(v);
    }
    return term::tuple_of(std::move(elements));
  });
  if (many) return term::list_of(std::move(results));
  return results[0];
}

std::int64_t update_counter(const term& tab, const term& key, std::int64_t incr) {
  auto t = checked(tab, use::write, "update_counter");
  return t->add_counter(key, t->opts.keypos + 1, incr);
}

bool update_element(const term& tab, const term& key, const term& pos_value) {
  auto t = checked(tab, use::write, "update_element");
  std::vector<std::pair<std::size_t, term>> changes;
  auto add = [&](const term& pv) {
    if (!pv.is_tuple() || pv.size() != 2 || !pv[0].is_integer() || pv[0].as_int() < 1)
      throw bad_argument("otter::ets::update_element: expected {pos, value} or a list of them, got " + show(pv));
    changes.emplace_back(static_cast<std::size_t>(pv[0].as_int()), pv[1]);
  };
  if (pos_value.is_proper_list())
    for (const term& pv : pos_value.elements()) add(pv);
  else
    add(pos_value);
  bool found = false;
  t->update(key, [&](const term* existing) -> std::optional<term> {
    if (!existing) return std::nullopt;
    found = true;
    std::vector<term> elements(existing->elements().begin(), existing->elements().end());
    for (auto& [pos, value] : changes) {
      if (pos == t->opts.keypos) throw bad_argument("otter::ets::update_element: position " + std::to_string(pos) + " is the key");
      if (pos > elements.size())
        throw bad_argument("otter::ets::update_element: position " + std::to_string(pos) + " is outside " + show(*existing));
      elements[pos - 1] = value;
    }
    return term::tuple_of(std::move(elements));
  });
  return found;
}

std::vector<term> tab2list(const term& tab) { return checked(tab, use::read, "tab2list")->to_list(); }

std::optional<term> first(const term& tab) { return checked(tab, use::read, "first")->first_key(); }
std::optional<term> next(const term& tab, const term& key) { return checked(tab, use::read, "next")->next_key(key); }
std::optional<term> last(const term& tab) { return checked(tab, use::read, "last")->last_key(); }
std::optional<term> prev(const term& tab, const term& key) { return checked(tab, use::read, "prev")->prev_key(key); }

namespace {

// Runs `spec` over the table (or over the objects with its key, when every
// clause fixes the key) and hands each result to `out`.
void run_spec(const table& t, const detail::match_spec& spec, const std::function<void(term&&)>& out) {
  if (auto key = spec.bound_key(t.opts.keypos)) {
    for (const term& o : t.lookup(*key))
      if (auto r = spec.run(detail::object_ref(o))) out(std::move(*r));
    return;
  }
  t.scan([&](const detail::object_ref& o) {
    if (auto r = spec.run(o)) out(std::move(*r));
  });
}

std::vector<term> select_all(const table& t, const detail::match_spec& spec) {
  std::vector<term> results;
  run_spec(t, spec, [&](term&& r) { results.push_back(std::move(r)); });
  return results;
}

const atom continuation_tag("$ets_select_continuation");

// A chunk of `all` (a list term) from `from`; the continuation shares the
// list and keeps the offset, so each chunk costs only its own items.
std::optional<select_chunk> chunk_of(const term& tab, const term& all, std::size_t from, std::size_t limit) {
  auto results = all.elements();
  if (from >= results.size()) return std::nullopt;
  const std::size_t end = std::min(results.size(), from + limit);
  select_chunk c;
  c.matches.assign(results.begin() + static_cast<std::ptrdiff_t>(from), results.begin() + static_cast<std::ptrdiff_t>(end));
  c.continuation = otter::tuple(continuation_tag, tab, all, static_cast<std::int64_t>(end), static_cast<std::int64_t>(limit));
  return c;
}

}  // namespace

std::vector<term> match(const term& tab, const term& pattern) {
  auto t = checked(tab, use::read, "match");
  return select_all(*t, detail::match_spec::of_pattern(pattern, false));
}

std::vector<term> match_object(const term& tab, const term& pattern) {
  auto t = checked(tab, use::read, "match_object");
  return select_all(*t, detail::match_spec::of_pattern(pattern, true));
}

void match_delete(const term& tab, const term& pattern) {
  auto t = checked(tab, use::write, "match_delete");
  const auto spec = detail::match_spec::of_pattern(pattern, true);
  t->erase_if([&](const detail::object_ref& o) { return spec.run(o).has_value(); });
}

std::vector<term> select(const term& tab, const term& match_spec) {
  auto t = checked(tab, use::read, "select");
  return select_all(*t, detail::match_spec::compile(match_spec));
}

std::optional<select_chunk> select(const term& tab, const term& match_spec, std::size_t limit) {
  if (limit == 0) throw bad_argument("otter::ets::select: the limit must be at least 1");
  auto t = checked(tab, use::read, "select");
  return chunk_of(tab, term::list_of(select_all(*t, detail::match_spec::compile(match_spec))), 0, limit);
}

std::optional<select_chunk> select(const term& continuation) {
  const term& c = continuation;
  if (!c.is_tuple() || c.size() != 5 || !c[0].is_atom(continuation_tag) || !c[2].is_proper_list() ||
      !c[3].is_integer() || c[3].as_int() < 0 || !c[4].is_integer() || c[4].as_int() < 1)
    throw bad_argument("otter::ets::select: not a continuation: " + show(c));
  return chunk_of(c[1], c[2], static_cast<std::size_t>(c[3].as_int()), static_cast<std::size_t>(c[4].as_int()));
}

std::size_t select_count(const term& tab, const term& match_spec) {
  auto t = checked(tab, use::read, "select_count");
  const auto spec = detail::match_spec::compile(match_spec);
  std::size_t n = 0;
  run_spec(*t, spec, [&](term&& r) { n += r.is_atom(atoms::true_) ? 1 : 0; });
  return n;
}

std::size_t select_delete(const term& tab, const term& match_spec) {
  auto t = checked(tab, use::write, "select_delete");
  const auto spec = detail::match_spec::compile(match_spec);
  return t->erase_if([&](const detail::object_ref& o) {
    auto r = spec.run(o);
    return r && r->is_atom(atoms::true_);
  });
}

namespace {
std::string_view type_name(table_type t) {
  switch (t) {
    case table_type::set: return "set";
    case table_type::ordered_set: return "ordered_set";
    case table_type::bag: return "bag";
    case table_type::duplicate_bag: return "duplicate_bag";
  }
  return "set";
}
std::string_view access_name(access a) {
  switch (a) {
    case access::public_: return "public";
    case access::protected_: return "protected";
    case access::private_: return "private";
  }
  return "protected";
}
}  // namespace

namespace {
term heir_of(const table& t) {
  std::shared_lock lk(reg().m);
  return t.heir ? term(pid(t.heir)) : term(atom("none"));
}
}  // namespace

term info(const term& tab) {
  table* t = find_table(tab);
  if (t->deleted.load()) throw bad_argument("otter::ets::info: the table " + show(tab) + " does not exist");
  const std::uint64_t owner = t->owner.load();
  const atom name = [&] {
    std::shared_lock lk(reg().m);
    return t->name;
  }();
  auto kv = [](std::string_view k, term v) { return otter::tuple(atom(k), std::move(v)); };
  return otter::list{kv("id", t->tid),
                     kv("name", name),
                     kv("type", atom(type_name(t->opts.type))),
                     kv("size", static_cast<std::int64_t>(t->size())),
                     kv("memory", static_cast<std::int64_t>(t->memory_words())),
                     kv("owner", owner ? term(pid(owner)) : term(atoms::undefined)),
                     kv("heir", heir_of(*t)),
                     kv("protection", atom(access_name(t->opts.protection))),
                     kv("keypos", static_cast<std::int64_t>(t->opts.keypos)),
                     kv("named_table", t->opts.named_table),
                     kv("read_concurrency", t->opts.read_concurrency),
                     kv("write_concurrency", t->opts.write_concurrency)};
}

term info(const term& tab, atom item) {
  term all = info(tab);
  for (const term& kv : all.elements())
    if (kv[0].is_atom(item)) return kv[1];
  throw bad_argument("otter::ets::info: unknown item " + show(term(item)));
}

std::optional<term> whereis(atom name) {
  registry& r = reg();
  std::shared_lock lk(r.m);
  auto it = r.by_name.find(name.index());
  if (it == r.by_name.end()) return std::nullopt;
  return it->second->tid;
}

std::vector<term> all() {
  registry& r = reg();
  std::shared_lock lk(r.m);
  std::vector<term> out;
  out.reserve(r.by_id.size());
  for (const auto& [tid, t] : r.by_id) out.push_back(public_id(*t));
  return out;
}

}  // namespace otter::ets

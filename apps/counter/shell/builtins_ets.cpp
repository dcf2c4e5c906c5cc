// The shell's :ets builtins: Erlang's ets module on otter::ets, with the
// results Erlang returns and, when a call fails, the ArgumentError iex 1.14
// on OTP 25 prints: erl_stdlib_errors' explanation of each bad argument,
// then the trace line `(stdlib 4.2) :ets.fun(args)`.
//
// otter::ets throws bad_argument with a message of its own. Erlang's
// explanations come from a "cause" its BIF records (no such table, access
// rights, a missing key, the key position...) together with checks of the
// arguments' shapes. So when a call fails, the cause is worked out again by
// asking the table (info/2, member/2, lookup/2), and the explanations are
// built as erl_stdlib_errors:format_ets_error/3 builds them.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "builtins.hpp"
#include "errors.hpp"
#include "otter/ets.hpp"
#include "otter/process.hpp"

namespace otter::shell {

namespace {

namespace ets = otter::ets;
using args_t = std::vector<value>;

const atom end_of_table("$end_of_table");

// --- how a failure prints ---

// `:ets.fn(a, b)` as a stacktrace line shows it: each argument inspected on
// one line, lists cut at 50 items (Exception.format_mfa).
std::string call_text(std::string_view fn, std::span<const term> a) {
  std::string s = ":ets." + std::string(fn) + "(";
  for (std::size_t i = 0; i < a.size(); ++i) s += (i ? ", " : "") + inspect(a[i], {0, 50});
  return s + ")";
}


/// The trace of a BIF called directly: one line.
std::string bif_trace(std::string_view fn, std::span<const term> a) { return stdlib_line(call_text(fn, a)); }

// Elixir's ArgumentError for a BIF that failed: a line for each argument
// with an explanation (`why[i]` for argument i + 1; "" for none), or the
// bare "argument error" when no argument has one.
[[noreturn]] void fail(const std::vector<std::string>& why, std::string trace) {
  std::string lines;
  for (std::size_t i = 0; i < why.size(); ++i)
    if (!why[i].empty()) lines += "  * " + ordinal(i + 1) + " argument: " + why[i] + "\n";
  if (lines.empty()) raise("ArgumentError", "argument error", std::move(trace));
  raise("ArgumentError", "errors were found at the given arguments:\n\n" + lines, std::move(trace));
}

// --- the cause of a failure ---

enum class cause { none, type, id, access };

pid caller() {
  try {
    return otter::self();
  } catch (const not_in_process&) {
    return pid();
  }
}

const term* info_item(const term& info, std::string_view item) {
  const atom key(item);
  for (const term& kv : info.elements())
    if (kv[0].is_atom(key)) return &kv[1];
  return nullptr;
}

// Whether `t` is a reference otter made for a table (it numbers them from
// 2^62 up, apart from make_ref()'s, see src/ets.cpp). Erlang tells a
// reference that never named a table ("not a valid table identifier") from
// a deleted table's ("does not refer to an existing ETS table").
bool table_reference(const term& t) {
  try {
    return t.as_reference().value() >= (std::uint64_t{1} << 62);
  } catch (const bad_argument&) {
    return false;
  }
}

/// The table's info list, or nullopt if there is no such table.
std::optional<term> info_of(const term& tab) {
  if (!tab.is_atom() && !tab.is_reference()) return std::nullopt;
  try {
    return ets::info(tab);
  } catch (const bad_argument&) {
    return std::nullopt;
  }
}

// What Erlang's BIF finds wrong with the table argument, taking the table
// for reading or for writing as the function does.
cause table_cause(const term& tab, bool write) {
  if (!tab.is_atom() && !tab.is_reference()) return cause::type;
  const std::optional<term> info = info_of(tab);
  if (!info) return tab.is_reference() && !table_reference(tab) ? cause::type : cause::id;
  const term& protection = *info_item(*info, "protection");
  if (protection.is_atom(atom("public")) || (protection.is_atom(atom("protected")) && !write)) return cause::none;
  return *info_item(*info, "owner") == term(caller()) ? cause::none : cause::access;
}

std::string cause_text(cause k, const term& tab) {
  switch (k) {
    case cause::type:
      return tab.is_reference() ? "not a valid table identifier" : "not an atom or a table identifier";
    case cause::id: return "the table identifier does not refer to an existing ETS table";
    case cause::access: return "the table identifier refers to an ETS table with insufficient access rights";
    case cause::none: break;
  }
  return "";
}

std::string table_text(const term& tab, bool write) { return cause_text(table_cause(tab, write), tab); }

const std::string wrong_table_type =
    "the table identifier refers to an ETS table of a type not supported by this operation";
const std::string bad_key = "not a key that exists in the table";
const std::string bad_matchspec = "not a valid match specification";
const std::string bad_update_op = "not a valid update operation";
const std::string name_exists = "table name already exists";

// The table's type, or nullopt if there is no such table.
std::optional<atom> type_of(const term& tab) {
  const std::optional<term> info = info_of(tab);
  if (!info) return std::nullopt;
  return info_item(*info, "type")->as_atom();
}

bool is_bag(const term& tab) {
  const std::optional<atom> type = type_of(tab);
  return type && (*type == atom("bag") || *type == atom("duplicate_bag"));
}

std::size_t keypos_of(const term& tab) {
  const std::optional<term> info = info_of(tab);
  return info ? static_cast<std::size_t>(info_item(*info, "keypos")->as_int()) : 1;
}

// erl_stdlib_errors' format_tuple/format_objects: what is wrong with an
// object (or list of objects) to store.
std::string object_error(const term& o) {
  if (o.is_tuple()) return o.size() > 0 ? "" : "is an empty tuple";
  return "not a tuple";
}
std::string objects_error(const term& o) {
  if (!o.is_list()) return object_error(o);
  if (!o.is_proper_list()) return "not a non-empty tuple or a list of non-empty tuples";
  for (const term& e : o.elements())
    if (!e.is_tuple() || e.size() == 0) return "not a non-empty tuple or a list of non-empty tuples";
  return "";
}

// An update_counter operation: an increment, {pos, incr} or {pos, incr, threshold, setvalue}.
bool update_op(const term& op) {
  if (op.is_integer()) return true;
  if (!op.is_tuple() || (op.size() != 2 && op.size() != 4)) return false;
  for (const term& e : op.elements())
    if (!e.is_integer()) return false;
  return true;
}
bool update_ops(const term& op) {
  if (!op.is_list()) return update_op(op);
  if (!op.is_proper_list()) return false;
  for (const term& e : op.elements())
    if (!update_op(e)) return false;
  return true;
}
std::vector<term> ops_of(const term& op) {
  if (op.is_list()) return {op.elements().begin(), op.elements().end()};
  return {op};
}

// update_element's {pos, value} with pos >= 1, or a list of them.
bool element_spec(const term& s) {
  auto one = [](const term& e) { return e.is_tuple() && e.size() == 2 && e[0].is_integer() && e[0].as_int() > 0; };
  if (!s.is_list()) return one(s);
  if (!s.is_proper_list()) return false;
  for (const term& e : s.elements())
    if (!one(e)) return false;
  return true;
}

// A position argument: erl_stdlib_errors' format_non_negative_integer.
std::string position_error(const term& pos) {
  if (!pos.is_integer()) return "not an integer";
  return pos.as_int() < 1 ? "out of range" : "";
}

// The arguments as terms: ETS stores and matches terms, which hold no functions.
std::vector<term> terms_of(const call_context& c, const args_t& args) {
  std::vector<term> out;
  for (const value& v : args) {
    if (v.is_fun())
      raise_argument_error("the otter shell cannot pass a function to :ets." + std::string(c.name) +
                           " (ETS tables hold terms, and terms hold no functions)");
    out.push_back(v.t);
  }
  return out;
}

// The common case: the BIF's only possible complaint is about the table
// (erl_stdlib_errors' default clause). Runs `f` and, if otter refuses,
// explains as Erlang does.
template <class F>
value table_op(const call_context& c, const std::vector<term>& a, bool write, F&& f, std::string trace = {}) {
  if (trace.empty()) trace = bif_trace(c.name, a);
  try {
    return f();
  } catch (const bad_argument&) {
    fail({table_text(a[0], write)}, std::move(trace));
  }
}

term list_of(std::vector<term>&& v) { return term::list_of(std::move(v)); }
term key_or_end(const std::optional<term>& k) { return k ? *k : term(end_of_table); }

// --- creating, naming, deleting tables ---

value ets_new(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const term& name = a[0];
  const term& opts = a[1];
  const std::string name_error = name.is_atom() ? "" : "not an atom";
  const std::string opts_error = !opts.is_list() ? "not a list" : !opts.is_proper_list() ? "not a proper list" : "";
  if (!name_error.empty() || !opts_error.empty()) fail({name_error, opts_error}, bif_trace("new", a));
  ets::options o;
  try {
    o = ets::options::from_term(opts);
  } catch (const bad_argument&) {
    fail({"", "invalid options"}, bif_trace("new", a));
  }
  if (o.named_table && ets::whereis(name.as_atom())) fail({name_exists}, bif_trace("new", a));
  try {
    return ets::new_table(name.as_atom(), o);
  } catch (const bad_argument&) {  // named meanwhile by another process
    fail({name_exists}, bif_trace("new", a));
  }
}

value ets_delete1(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return table_op(c, a, true, [&] {
    ets::delete_table(a[0]);
    return term(true);
  });
}

value ets_rename(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  auto explain = [&]() -> std::vector<std::string> {
    std::vector<std::string> why{table_text(a[0], true), a[1].is_atom() ? "" : "invalid table name (must be an atom)"};
    if (why[0].empty() && why[1].empty()) why[1] = name_exists;
    return why;
  };
  if (!a[1].is_atom()) fail(explain(), bif_trace("rename", a));
  // A named table cannot take a name a named table has, its own included
  // (otter lets a table keep its own name).
  if (const auto info = info_of(a[0]); info && info_item(*info, "named_table")->is_atom(atoms::true_) &&
                                       ets::whereis(a[1].as_atom()) && table_cause(a[0], true) == cause::none)
    fail({"", name_exists}, bif_trace("rename", a));
  try {
    return term(ets::rename(a[0], a[1].as_atom()));
  } catch (const bad_argument&) {
    fail(explain(), bif_trace("rename", a));
  }
}

value ets_give_away(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const std::string trace = bif_trace("give_away", a);
  const std::string tab_error = table_text(a[0], true);
  if (!tab_error.empty()) fail({tab_error, a[1].is_pid() ? "" : "not a pid"}, trace);
  if (!a[1].is_pid()) fail({"", "not a pid"}, trace);
  const pid to = a[1].as_pid();
  if (const auto info = info_of(a[0]); !info || *info_item(*info, "owner") != term(caller()))
    fail({"", "the current process is not the owner"}, trace);
  if (to == caller()) fail({"", "the process is already the owner of the table"}, trace);
  if (!otter::is_alive(to)) fail({"", "the pid refers to a terminated process"}, trace);
  try {
    ets::give_away(a[0], to, a[2]);
  } catch (const bad_argument&) {  // the receiver ended meanwhile
    const std::string why = table_text(a[0], true);
    fail({why, why.empty() ? "the pid refers to a terminated process" : ""}, trace);
  }
  return term(true);
}

value ets_whereis(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  if (!a[0].is_atom()) fail({"invalid table name (must be an atom)"}, bif_trace("whereis", a));
  const std::optional<term> id = ets::whereis(a[0].as_atom());
  return id ? *id : term(atoms::undefined);
}

value ets_all(call_context&, args_t&) { return list_of(ets::all()); }

// info/1 in Erlang's order, with the items otter does not keep at the values
// Erlang reports for such a table; nullopt if there is no such table.
std::optional<term> erlang_info(const term& tab) {
  const std::optional<term> info = info_of(tab);
  if (!info) return std::nullopt;
  auto item = [&](std::string_view k) { return otter::tuple(atom(k), *info_item(*info, k)); };
  const bool decentralized = info_item(*info, "type")->is_atom(atom("ordered_set")) &&
                             info_item(*info, "write_concurrency")->is_atom(atoms::true_);
  return otter::list{item("id"),
                     otter::tuple(atom("decentralized_counters"), decentralized),
                     item("read_concurrency"),
                     item("write_concurrency"),
                     otter::tuple(atom("compressed"), false),
                     item("memory"),
                     item("owner"),
                     item("heir"),
                     item("name"),
                     item("size"),
                     otter::tuple(atom("node"), atoms::nonode_nohost),
                     item("named_table"),
                     item("type"),
                     item("keypos"),
                     item("protection")};
}

value ets_info1(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  if (table_cause(a[0], false) == cause::type) fail({cause_text(cause::type, a[0])}, bif_trace("info", a));
  const std::optional<term> info = erlang_info(a[0]);
  return info ? *info : term(atoms::undefined);
}

value ets_info2(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  if (table_cause(a[0], false) == cause::type) fail({cause_text(cause::type, a[0])}, bif_trace("info", a));
  const std::optional<term> info = erlang_info(a[0]);
  if (!info) return term(atoms::undefined);  // no such table: Erlang does not look at the item
  if (a[1].is_atom()) {
    const std::string_view k = a[1].as_atom().text();
    if (const term* v = info_item(*info, k)) return *v;
    if (k == "fixed" || k == "safe_fixed" || k == "safe_fixed_monotonic_time") return term(false);
    if (k == "binary") return term();
  }
  fail({"", "not a valid info item"}, bif_trace("info", a));
}

// --- writing ---

value insert_common(call_context& c, args_t& args, bool only_new) {
  const auto a = terms_of(c, args);
  // Erlang's bag (not duplicate_bag) stores the objects of one list that
  // share a key in reverse order: :ets.insert(b, [{:a, 1}, {:a, 2}]) then
  // looks up as [a: 2, a: 1]. otter keeps list order, so reverse the list.
  term objects = a[1];
  if (objects.is_proper_list() && objects.size() > 1 && type_of(a[0]) == atom("bag")) {
    std::vector<term> v(objects.elements().rbegin(), objects.elements().rend());
    objects = term::list_of(std::move(v));
  }
  try {
    if (only_new) return term(ets::insert_new(a[0], objects));
    ets::insert(a[0], objects);
    return term(true);
  } catch (const bad_argument&) {
    // A tuple shorter than the key position has no explanation: "argument error".
    fail({table_text(a[0], true), objects_error(a[1])}, bif_trace(c.name, a));
  }
}
value ets_insert(call_context& c, args_t& args) { return insert_common(c, args, false); }
value ets_insert_new(call_context& c, args_t& args) { return insert_common(c, args, true); }

value ets_delete2(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return table_op(c, a, true, [&] {
    ets::delete_key(a[0], a[1]);
    return term(true);
  });
}

value ets_delete_object(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  try {
    ets::delete_object(a[0], a[1]);
    return term(true);
  } catch (const bad_argument&) {
    fail({table_text(a[0], true), object_error(a[1])}, bif_trace("delete_object", a));
  }
}

// delete_all_objects/1 is ets:internal_delete_all/2 called from ets.erl.
value ets_delete_all_objects(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const term internal[] = {a[0], term(atoms::undefined)};
  return table_op(c, a, true, [&] {
    ets::delete_all_objects(a[0]);
    return term(true);
  }, bif_trace("internal_delete_all", internal) + stdlib_line("ets.erl:126: :ets.delete_all_objects/1"));
}

value ets_take(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return table_op(c, a, true, [&] { return list_of(ets::take(a[0], a[1])); });
}

// Why an update_counter failed on `object` (the key's object, or the
// default one), as Erlang's cause: the key position ("keypos"), a position
// outside the object ("position"), or neither (the element is no integer).
enum class counter_cause { keypos, position, other };
counter_cause counter_failure(const term& object, const term& op, std::size_t keypos) {
  for (const term& o : ops_of(op)) {
    const std::int64_t pos = o.is_integer() ? static_cast<std::int64_t>(keypos) + 1 : o[0].as_int();
    if (pos == static_cast<std::int64_t>(keypos)) return counter_cause::keypos;
    if (pos < 1 || static_cast<std::size_t>(pos) > object.size()) return counter_cause::position;
  }
  return counter_cause::other;
}

// Elements that are integers but whose sum leaves 64 bits: Erlang would
// make a big integer, the shell's integers cannot.
[[noreturn]] void counter_overflow(const call_context& c, const std::vector<term>& a) {
  raise("ArithmeticError", "integer overflow in " + call_text(c.name, a) + " (the otter shell's integers are 64-bit)");
}

bool elements_integers(const term& object, const term& op, std::size_t keypos) {
  for (const term& o : ops_of(op)) {
    const std::size_t pos = o.is_integer() ? keypos + 1 : static_cast<std::size_t>(o[0].as_int());
    if (!object[pos - 1].is_integer()) return false;
  }
  return true;
}

value ets_update_counter3(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const term &tab = a[0], &key = a[1], &op = a[2];
  const std::string trace = bif_trace("update_counter", a);
  const std::string op_error = update_ops(op) ? "" : bad_update_op;
  if (const std::string t = table_text(tab, true); !t.empty()) fail({t, "", op_error}, trace);
  if (is_bag(tab)) fail({wrong_table_type, "", op_error}, trace);
  if (!ets::member(tab, key)) fail({"", bad_key, op_error}, trace);
  if (!op_error.empty()) fail({"", "", op_error}, trace);
  try {
    return ets::update_counter(tab, key, op);
  } catch (const bad_argument&) {
    const std::vector<term> found = ets::lookup(tab, key);
    if (found.empty()) fail({"", bad_key}, trace);  // deleted meanwhile
    const std::size_t keypos = keypos_of(tab);
    switch (counter_failure(found[0], op, keypos)) {
      case counter_cause::keypos: fail({"", "", "the position is the same as the key position"}, trace);
      case counter_cause::position: fail({"", "", "the position in the update operation is out of range"}, trace);
      case counter_cause::other: break;
    }
    if (elements_integers(found[0], op, keypos)) counter_overflow(c, a);
    fail({"", "", "the value in the given position, in the object, is not an integer"}, trace);
  }
}

value ets_update_counter4(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const term &tab = a[0], &key = a[1], &op = a[2];
  const std::string trace = bif_trace("update_counter", a);
  if (const std::string t = table_text(tab, true); !t.empty()) fail({t}, trace);
  if (is_bag(tab)) fail({wrong_table_type}, trace);
  const std::string op_error = update_ops(op) ? "" : bad_update_op;
  const std::string default_error = object_error(a[3]);
  if (!op_error.empty() || !default_error.empty()) fail({"", "", op_error, default_error}, trace);
  // Erlang inserts the default object under `key`, whatever key it has.
  const std::size_t keypos = keypos_of(tab);
  term fallback = a[3];
  if (fallback.size() >= keypos) fallback = fallback.tuple_set(keypos - 1, key);
  try {
    return ets::update_counter(tab, key, op, fallback);
  } catch (const bad_argument&) {
    const std::vector<term> found = ets::lookup(tab, key);
    const term& object = found.empty() ? fallback : found[0];
    switch (counter_failure(object, op, keypos)) {
      case counter_cause::keypos: fail({"", "", "the position is the same as the key position"}, trace);
      case counter_cause::position: fail({"", "", "the position in the update operation is out of range"}, trace);
      case counter_cause::other: break;
    }
    if (elements_integers(object, op, keypos)) counter_overflow(c, a);
    fail({"", "", "the value in the given position, in the object, is not an integer"}, trace);
  }
}

value ets_update_element(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const term &tab = a[0], &key = a[1], &spec = a[2];
  const std::string trace = bif_trace("update_element", a);
  const std::string spec_error = element_spec(spec) ? "" : "is not a valid element specification";
  if (const std::string t = table_text(tab, true); !t.empty()) fail({t, "", spec_error}, trace);
  // Erlang refuses a bag here without a cause: the formatter then blames the position.
  if (is_bag(tab)) fail({"", "", spec_error.empty() ? "out of range" : spec_error}, trace);
  if (!spec_error.empty()) fail({"", "", spec_error}, trace);
  try {
    return term(ets::update_element(tab, key, spec));
  } catch (const bad_argument&) {
    const std::size_t keypos = keypos_of(tab);
    for (const term& pv : spec.is_list() ? spec.elements() : std::span<const term>(&spec, 1))
      if (pv[0].as_int() == static_cast<std::int64_t>(keypos))
        fail({"", "", "the position is the same as the key position"}, trace);
    fail({"", "", "out of range"}, trace);
  }
}

// --- reading ---

value ets_lookup(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return table_op(c, a, false, [&] { return list_of(ets::lookup(a[0], a[1])); });
}

value ets_member(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return table_op(c, a, false, [&] { return term(ets::member(a[0], a[1])); });
}

value ets_lookup_element(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const std::string trace = bif_trace("lookup_element", a);
  const std::string t = table_text(a[0], false), pos_error = position_error(a[2]);
  if (!t.empty() || !pos_error.empty()) fail({t, "", pos_error}, trace);
  try {
    return ets::lookup_element(a[0], a[1], static_cast<std::size_t>(a[2].as_int()));
  } catch (const bad_argument&) {
    if (!ets::member(a[0], a[1])) fail({"", bad_key}, trace);
    fail({"", "", "position is greater than the size of the object"}, trace);
  }
}

value ets_tab2list(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  // tab2list/1 is match_object(tab, :_) in ets.erl.
  const term internal[] = {a[0], term(atoms::underscore)};
  return table_op(c, a, false, [&] { return list_of(ets::tab2list(a[0])); },
                  bif_trace("match_object", internal) + stdlib_line("ets.erl:771: :ets.tab2list/1"));
}

value ets_first(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return table_op(c, a, false, [&] { return key_or_end(c.name == "first" ? ets::first(a[0]) : ets::last(a[0])); });
}

value ets_next(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  try {
    return key_or_end(c.name == "next" ? ets::next(a[0], a[1]) : ets::prev(a[0], a[1]));
  } catch (const bad_argument&) {
    const std::string t = table_text(a[0], false);
    fail({t, t.empty() ? bad_key : ""}, bif_trace(c.name, a));
  }
}

// --- matching ---

value ets_match(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return table_op(c, a, false, [&] {
    return list_of(c.name == "match" ? ets::match(a[0], a[1]) : ets::match_object(a[0], a[1]));
  });
}

// Failures of the functions that take a match specification: the table,
// else the specification (erl_stdlib_errors' format_default(bad_matchspec)).
template <class F>
value spec_op(const std::vector<term>& a, bool write, const std::string& trace, F&& f) {
  try {
    return f();
  } catch (const bad_argument&) {
    const std::string t = table_text(a[0], write);
    fail({t, t.empty() ? bad_matchspec : ""}, trace);
  }
}

value ets_select(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return spec_op(a, false, bif_trace("select", a), [&] { return list_of(ets::select(a[0], a[1])); });
}

value ets_select_count(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return spec_op(a, false, bif_trace("select_count", a),
                 [&] { return term(static_cast<std::int64_t>(ets::select_count(a[0], a[1]))); });
}

// select_delete/2 in ets.erl: the specification that deletes everything
// goes to internal_delete_all/2 (which only checks the table), any other to
// internal_select_delete/2. `caller_line` is match_delete's trace line.
value select_delete(const term& tab, const term& spec, const std::string& caller_line) {
  const bool everything = spec == otter::list{otter::tuple(atoms::underscore, term(), otter::list{term(true)})};
  const term internal[] = {tab, everything ? term(atoms::undefined) : spec};
  const std::string trace =
      bif_trace(everything ? "internal_delete_all" : "internal_select_delete", internal) +
      stdlib_line(everything ? "ets.erl:399: :ets.select_delete/2" : "ets.erl:401: :ets.select_delete/2") + caller_line;
  try {
    return term(static_cast<std::int64_t>(ets::select_delete(tab, spec)));
  } catch (const bad_argument&) {
    const std::string t = table_text(tab, true);
    fail({t, t.empty() && !everything ? bad_matchspec : ""}, trace);
  }
}

value ets_select_delete(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  return select_delete(a[0], a[1], "");
}

// match_delete/2 is select_delete(tab, [{pattern, [], [true]}]) in ets.erl.
value ets_match_delete(call_context& c, args_t& args) {
  const auto a = terms_of(c, args);
  const term spec = otter::list{otter::tuple(a[1], term(), otter::list{term(true)})};
  (void)select_delete(a[0], spec, stdlib_line("ets.erl:761: :ets.match_delete/2"));
  return term(true);
}

}  // namespace

void register_ets(builtin_table& t) {
  const std::string_view m = "ets";
  t.add(m, "new", 2, ets_new, "Creates a table: :ets.new(name, [:set | :ordered_set | :bag | :duplicate_bag, :named_table, :public, ...])");
  t.add(m, "delete", 1, ets_delete1, "Deletes the table");
  t.add(m, "delete", 2, ets_delete2, "Deletes the objects with the key");
  t.add(m, "rename", 2, ets_rename, "Renames the table");
  t.add(m, "give_away", 3, ets_give_away, "Makes another process the table's owner and sends it {:\"ETS-TRANSFER\", tab, from, gift}");
  t.add(m, "whereis", 1, ets_whereis, "The reference of the named table, or :undefined");
  t.add(m, "all", 0, ets_all, "Every table's id");
  t.add(m, "info", 1, ets_info1, "The table's properties as a keyword list, or :undefined");
  t.add(m, "info", 2, ets_info2, "One property of the table (:size, :type, :owner, ...)");
  t.add(m, "insert", 2, ets_insert, "Inserts a tuple or a list of tuples");
  t.add(m, "insert_new", 2, ets_insert_new, "Inserts unless a key is present; returns whether it did");
  t.add(m, "delete_object", 2, ets_delete_object, "Deletes exactly this object");
  t.add(m, "delete_all_objects", 1, ets_delete_all_objects, "Empties the table");
  t.add(m, "take", 2, ets_take, "Removes and returns the objects with the key");
  t.add(m, "update_counter", 3, ets_update_counter3, "Adds to a counter element; returns the new value");
  t.add(m, "update_counter", 4, ets_update_counter4, "update_counter/3, inserting the default object when the key is missing");
  t.add(m, "update_element", 3, ets_update_element, "Replaces elements {pos, value} of the key's object");
  t.add(m, "lookup", 2, ets_lookup, "The objects with the key");
  t.add(m, "lookup_element", 3, ets_lookup_element, "Element pos of the key's object");
  t.add(m, "member", 2, ets_member, "Whether an object has the key");
  t.add(m, "tab2list", 1, ets_tab2list, "Every object");
  t.add(m, "first", 1, ets_first, "The first key, or :\"$end_of_table\"");
  t.add(m, "last", 1, ets_first, "The last key (an ordered_set's; else as first/1), or :\"$end_of_table\"");
  t.add(m, "next", 2, ets_next, "The key after this one, or :\"$end_of_table\"");
  t.add(m, "prev", 2, ets_next, "The key before this one, or :\"$end_of_table\"");
  t.add(m, "match", 2, ets_match, "For each object matching the pattern, its $1, $2... values");
  t.add(m, "match_object", 2, ets_match, "The objects matching the pattern");
  t.add(m, "match_delete", 2, ets_match_delete, "Deletes the objects matching the pattern");
  t.add(m, "select", 2, ets_select, "The results of a match specification [{head, guards, body}]");
  t.add(m, "select_count", 2, ets_select_count, "How many objects the match specification returns true for");
  t.add(m, "select_delete", 2, ets_select_delete, "Deletes the objects the match specification returns true for");
}

}  // namespace otter::shell

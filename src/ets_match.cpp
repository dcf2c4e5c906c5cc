// ETS patterns and match specifications (see ets_match.hpp).
#include "ets_match.hpp"

#include <cstring>
#include <new>
#include <span>
#include <string>

#include "otter/errors.hpp"

namespace otter::ets::detail {

namespace {

using bindings = std::span<std::optional<term>>;

struct guard_fail {};

// Room for a clause's variables: on the stack for the usual few (run is per
// object, and only as many as the clause has are made), else on the heap.
class binding_buffer {
 public:
  explicit binding_buffer(std::size_t n) : n_(n) {
    if (n_ > few) many_.resize(n_);
    else
      for (std::size_t i = 0; i < n_; ++i) new (slot(i)) std::optional<term>();
  }
  ~binding_buffer() {
    if (n_ <= few)
      for (std::size_t i = 0; i < n_; ++i) slot(i)->~optional();
  }
  binding_buffer(const binding_buffer&) = delete;
  binding_buffer& operator=(const binding_buffer&) = delete;
  std::span<std::optional<term>> get() { return n_ > few ? std::span(many_) : std::span(slot(0), n_); }

 private:
  static constexpr std::size_t few = 8;
  std::optional<term>* slot(std::size_t i) { return std::launder(reinterpret_cast<std::optional<term>*>(raw_)) + i; }
  std::size_t n_;
  alignas(std::optional<term>) unsigned char raw_[few * sizeof(std::optional<term>)];
  std::vector<std::optional<term>> many_;
};  // a guard that raises: its clause does not match

std::string show(const term& t) { return inspect(t, {0, 10}); }

// `$N` -> N; -1 for any other atom (`$_` and `$$` included).
int variable_of(const term& t) {
  if (!t.is_atom()) return -1;
  std::string_view s = t.as_atom().text();
  if (s.size() < 2 || s[0] != '$') return -1;
  int n = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9' || n > 100000) return -1;
    n = n * 10 + (s[i] - '0');
  }
  return n;
}

bool is_wildcard(const term& t) { return t.is_atom(atoms::underscore); }

constexpr int max_variable_number = 10000;
// Patterns and expressions are walked recursively (here and when matching),
// so their nesting is bounded: deeper input is refused, not a stack overflow.
constexpr int max_nesting = 1000;

void check_nesting(int depth, const term& spec) {
  if (depth > max_nesting)
    throw bad_argument("otter::ets: the pattern or match specification " + show(spec) + " is nested deeper than " +
                       std::to_string(max_nesting) + " levels");
}

int max_variable(const term& t, const term& whole, int depth = 0) {
  check_nesting(depth, whole);
  if (int v = variable_of(t); v >= 0) {
    if (v > max_variable_number)
      throw bad_argument("otter::ets: the match variable $" + std::to_string(v) + " is beyond otter's limit of $" +
                         std::to_string(max_variable_number));
    return v;
  }
  int m = -1;
  switch (t.kind()) {
    case term_kind::tuple:
    case term_kind::list:
      for (const term& e : t.elements()) m = std::max(m, max_variable(e, whole, depth + 1));
      if (t.kind() == term_kind::list) m = std::max(m, max_variable(t.list_tail(), whole, depth + 1));
      break;
    case term_kind::map:
      for (std::size_t i = 0; i < t.size(); ++i) m = std::max(m, max_variable(t.map_value(i), whole, depth + 1));
      break;
    default: break;
  }
  return m;
}

// Whether `t` has no variable or wildcard anywhere (usable as a lookup key).
bool ground(const term& t) {
  if (is_wildcard(t) || variable_of(t) >= 0) return false;
  switch (t.kind()) {
    case term_kind::tuple:
      for (const term& e : t.elements())
        if (!ground(e)) return false;
      return true;
    case term_kind::list:
      for (const term& e : t.elements())
        if (!ground(e)) return false;
      return ground(t.list_tail());
    case term_kind::map: return false;  // a map pattern matches any map with at least its keys
    default: return true;
  }
}

bool match(const term& p, const term& o, bindings& b) {
  if (is_wildcard(p)) return true;
  if (int v = variable_of(p); v >= 0) {
    auto& slot = b[static_cast<std::size_t>(v)];
    if (!slot) {
      slot = o;
      return true;
    }
    return *slot == o;
  }
  switch (p.kind()) {
    case term_kind::tuple: {
      if (!o.is_tuple()) return false;
      auto pe = p.elements(), oe = o.elements();
      if (pe.size() != oe.size()) return false;
      for (std::size_t i = 0; i < pe.size(); ++i)
        if (!match(pe[i], oe[i], b)) return false;
      return true;
    }
    case term_kind::list: {
      if (o.kind() != term_kind::list) return false;
      auto pe = p.elements(), oe = o.elements();
      if (oe.size() < pe.size()) return false;
      for (std::size_t i = 0; i < pe.size(); ++i)
        if (!match(pe[i], oe[i], b)) return false;
      if (oe.size() == pe.size()) return match(p.list_tail(), o.list_tail(), b);
      // The pattern's tail meets the rest of the object's list.
      return match(p.list_tail(), term::list_of(oe.subspan(pe.size()), o.list_tail()), b);
    }
    case term_kind::map: {
      if (!o.is_map()) return false;
      for (std::size_t i = 0; i < p.size(); ++i) {
        const term* v = o.find(p.map_key(i));
        if (!v || !match(p.map_value(i), *v, b)) return false;
      }
      return true;
    }
    default: return p == o;
  }
}

// --- guard and body expressions ---

struct evaluator {
  const bindings& b;
  const object_ref& object;

  term eval(const term& e) const {
    if (e.is_atom()) {
      if (int v = variable_of(e); v >= 0) {
        if (static_cast<std::size_t>(v) >= b.size() || !b[static_cast<std::size_t>(v)]) throw guard_fail{};
        return *b[static_cast<std::size_t>(v)];
      }
      const std::string_view s = e.as_atom().text();
      if (s == "$_") return object.get();
      if (s == "$$") {
        std::vector<term> all;
        for (const auto& v : b)
          if (v) all.push_back(*v);
        return term::list_of(std::move(all));
      }
      return e;
    }
    if (e.kind() == term_kind::list) {
      std::vector<term> v;
      for (const term& x : e.elements()) v.push_back(eval(x));
      return term::list_of(std::move(v), eval(e.list_tail()));
    }
    if (!e.is_tuple() || e.size() == 0) return e;
    // {{a, b}} builds the tuple {eval(a), eval(b)}.
    if (e.size() == 1 && e[0].is_tuple()) {
      std::vector<term> v;
      for (const term& x : e[0].elements()) v.push_back(eval(x));
      return term::tuple_of(std::move(v));
    }
    if (!e[0].is_atom()) return e;
    return call(e[0].as_atom().text(), e);
  }

  static bool truthy(const term& t) {
    if (t.is_atom(atoms::true_)) return true;
    if (t.is_atom(atoms::false_)) return false;
    throw guard_fail{};
  }
  static std::int64_t integer(const term& t) {
    if (!t.is_integer()) throw guard_fail{};
    return t.as_int();
  }

  term call(std::string_view f, const term& e) const {
    const std::size_t n = e.size() - 1;
    auto arg = [&](std::size_t i) { return eval(e[i + 1]); };
    if (f == "const" && n == 1) return e[1];
    if (n == 1) {
      if (f == "is_atom") return arg(0).is_atom();
      if (f == "is_integer") return arg(0).is_integer();
      if (f == "is_float") return arg(0).is_float();
      if (f == "is_number") return arg(0).is_number();
      if (f == "is_binary") return arg(0).is_binary();
      if (f == "is_list") return arg(0).is_list();
      if (f == "is_tuple") return arg(0).is_tuple();
      if (f == "is_map") return arg(0).is_map();
      if (f == "is_pid") return arg(0).is_pid();
      if (f == "is_reference") return arg(0).is_reference();
      if (f == "is_boolean") return arg(0).is_boolean();
      if (f == "not") return !truthy(arg(0));
      if (f == "-") {
        std::int64_t r;
        term a = arg(0);
        if (a.is_float()) return -a.as_float();
        if (__builtin_sub_overflow(std::int64_t{0}, integer(a), &r)) throw guard_fail{};
        return r;
      }
      if (f == "abs") {
        term a = arg(0);
        if (a.is_float()) return a.as_float() < 0 ? -a.as_float() : a.as_float();
        const std::int64_t v = integer(a);
        if (v == INT64_MIN) throw guard_fail{};
        return v < 0 ? -v : v;
      }
      if (f == "tuple_size" || f == "size") {
        term a = arg(0);
        if (!a.is_tuple() && !(f == "size" && a.is_binary())) throw guard_fail{};
        return static_cast<std::int64_t>(a.size());
      }
      if (f == "length") {
        term a = arg(0);
        if (!a.is_proper_list()) throw guard_fail{};
        return static_cast<std::int64_t>(a.size());
      }
      if (f == "hd" || f == "tl") {
        term a = arg(0);
        if (a.kind() != term_kind::list) throw guard_fail{};
        return f == "hd" ? a.hd() : a.tl();
      }
      if (f == "map_size") {
        term a = arg(0);
        if (!a.is_map()) throw guard_fail{};
        return static_cast<std::int64_t>(a.size());
      }
    }
    if (n == 2) {
      if (f == "andalso") return truthy(arg(0)) ? term(truthy(arg(1))) : term(false);
      if (f == "orelse") return truthy(arg(0)) ? term(true) : term(truthy(arg(1)));
      if (f == "and") {
        const bool a = truthy(arg(0)), c = truthy(arg(1));
        return a && c;
      }
      if (f == "or") {
        const bool a = truthy(arg(0)), c = truthy(arg(1));
        return a || c;
      }
      if (f == "xor") return truthy(arg(0)) != truthy(arg(1));
      if (f == "==") return equal(arg(0), arg(1));
      if (f == "/=") return !equal(arg(0), arg(1));
      if (f == "=:=") return arg(0) == arg(1);
      if (f == "=/=") return !(arg(0) == arg(1));
      if (f == "<") return arg(0) < arg(1);
      if (f == ">") return arg(0) > arg(1);
      if (f == "=<") return arg(0) <= arg(1);
      if (f == ">=") return arg(0) >= arg(1);
      if (f == "+" || f == "-" || f == "*") {
        term a = arg(0), c = arg(1);
        if (a.is_integer() && c.is_integer()) {
          std::int64_t r;
          const bool over = f == "+"   ? __builtin_add_overflow(a.as_int(), c.as_int(), &r)
                            : f == "-" ? __builtin_sub_overflow(a.as_int(), c.as_int(), &r)
                                       : __builtin_mul_overflow(a.as_int(), c.as_int(), &r);
          if (over) throw guard_fail{};
          return r;
        }
        if (!a.is_number() || !c.is_number()) throw guard_fail{};
        const double x = a.as_number(), y = c.as_number();
        return f == "+" ? x + y : f == "-" ? x - y : x * y;
      }
      if (f == "/") {
        term a = arg(0), c = arg(1);
        if (!a.is_number() || !c.is_number() || c.as_number() == 0) throw guard_fail{};
        return a.as_number() / c.as_number();
      }
      if (f == "div" || f == "rem") {
        const std::int64_t a = integer(arg(0)), c = integer(arg(1));
        if (c == 0 || (a == INT64_MIN && c == -1)) throw guard_fail{};
        return f == "div" ? a / c : a % c;
      }
      if (f == "element") {
        const std::int64_t i = integer(arg(0));
        term t = arg(1);
        if (!t.is_tuple() || i < 1 || static_cast<std::size_t>(i) > t.size()) throw guard_fail{};
        return t[static_cast<std::size_t>(i - 1)];
      }
      if (f == "is_map_key") {
        term k = arg(0), m = arg(1);
        if (!m.is_map()) throw guard_fail{};
        return m.find(k) != nullptr;
      }
      if (f == "map_get") {
        term k = arg(0), m = arg(1);
        if (!m.is_map() || !m.find(k)) throw guard_fail{};
        return *m.find(k);
      }
    }
    throw guard_fail{};
  }
};

// The variables a head binds.
void collect_variables(const term& t, std::vector<bool>& bound) {
  if (int v = variable_of(t); v >= 0) {
    bound[static_cast<std::size_t>(v)] = true;
    return;
  }
  switch (t.kind()) {
    case term_kind::tuple:
    case term_kind::list:
      for (const term& e : t.elements()) collect_variables(e, bound);
      if (t.kind() == term_kind::list) collect_variables(t.list_tail(), bound);
      break;
    case term_kind::map:
      for (std::size_t i = 0; i < t.size(); ++i) collect_variables(t.map_value(i), bound);
      break;
    default: break;
  }
}

// Compile-time check of a guard or body expression: every call is one the
// evaluator knows and every variable is bound by the head, as Erlang checks.
void check_expression(const term& e, const term& spec, const std::vector<bool>& bound, int depth = 0) {
  check_nesting(depth, spec);
  if (int v = variable_of(e); v >= 0) {
    if (static_cast<std::size_t>(v) >= bound.size() || !bound[static_cast<std::size_t>(v)])
      throw bad_argument("otter::ets: in the match specification " + show(spec) + ", the variable $" +
                         std::to_string(v) + " is not bound by the clause's head");
    return;
  }
  if (e.kind() == term_kind::list) {
    for (const term& x : e.elements()) check_expression(x, spec, bound, depth + 1);
    return;
  }
  if (!e.is_tuple() || e.size() == 0) return;
  if (e.size() == 1 && e[0].is_tuple()) {
    for (const term& x : e[0].elements()) check_expression(x, spec, bound, depth + 1);
    return;
  }
  if (!e[0].is_atom())
    throw bad_argument("otter::ets: in the match specification " + show(spec) + ", " + show(e) +
                       " is neither a call {function, args...} nor a tuple built with {{...}}");
  static const char* known[] = {"const", "is_atom", "is_integer", "is_float", "is_number", "is_binary", "is_list",
                                "is_tuple", "is_map", "is_pid", "is_reference", "is_boolean", "not", "-", "abs",
                                "tuple_size", "size", "length", "hd", "tl", "map_size", "andalso", "orelse", "and",
                                "or", "xor", "==", "/=", "=:=", "=/=", "<", ">", "=<", ">=", "+", "*", "/", "div",
                                "rem", "element", "is_map_key", "map_get"};
  const std::string_view f = e[0].as_atom().text();
  bool ok = false;
  for (const char* k : known) ok = ok || f == k;
  if (!ok)
    throw bad_argument("otter::ets: the match specification " + show(spec) + " calls " + std::string(f) +
                       ", which match specifications do not offer (see docs/ets.md)");
  if (f != "const")
    for (std::size_t i = 1; i < e.size(); ++i) check_expression(e[i], spec, bound, depth + 1);
}

}  // namespace

match_spec match_spec::compile(const term& spec) {
  if (!spec.is_proper_list())
    throw bad_argument("otter::ets: a match specification is a list of {head, guards, body}, got " + show(spec));
  match_spec m;
  for (const term& c : spec.elements()) {
    if (!c.is_tuple() || c.size() != 3 || !c[1].is_proper_list() || !c[2].is_proper_list())
      throw bad_argument("otter::ets: each clause of a match specification is {head, [guard...], [body...]}, got " +
                         show(c));
    clause cl;
    cl.head = c[0];
    cl.max_var = max_variable(cl.head, spec);
    std::vector<bool> bound(static_cast<std::size_t>(cl.max_var + 1));
    collect_variables(cl.head, bound);
    for (const term& g : c[1].elements()) {
      check_expression(g, spec, bound);
      cl.guards.push_back(g);
    }
    for (const term& x : c[2].elements()) {
      check_expression(x, spec, bound);
      cl.body.push_back(x);
    }
    if (cl.body.empty()) throw bad_argument("otter::ets: a match specification clause needs a body, got " + show(c));
    cl.plan();
    m.clauses_.push_back(std::move(cl));
  }
  return m;
}

match_spec match_spec::of_pattern(const term& pattern, bool whole_object) {
  match_spec m;
  clause cl;
  cl.head = pattern;
  cl.body.push_back(term(atom(whole_object ? "$_" : "$$")));
  cl.max_var = max_variable(pattern, pattern);
  cl.plan();
  m.clauses_.push_back(std::move(cl));
  return m;
}

void match_spec::clause::plan() {
  whole = body.size() == 1 && guards.empty() && body[0].is_atom(atom("$_"));
  if (!head.is_tuple()) return;
  tuple_head = true;
  for (const term& p : head.elements()) {
    if (is_wildcard(p)) steps.push_back({step::any, 0});
    else if (int v = variable_of(p); v >= 0) steps.push_back({step::bind, v});
    else if (p.is_tuple() || p.is_list() || p.is_map()) steps.push_back({step::nested, 0});
    else if (p.is_atom()) steps.push_back({step::equal_atom, 0, p.as_atom()});  // compared inline
    else steps.push_back({step::equal, 0});
  }
}

bool match_spec::clause::matches(const object_ref& object, std::span<std::optional<term>> b) const {
  if (!tuple_head) return match(head, object.get(), b);
  if (!object.is_tuple()) return false;
  const object_ref& oe = object;
  const auto pe = head.elements();
  if (oe.size() != pe.size()) return false;
  for (std::size_t i = 0; i < pe.size(); ++i) {
    switch (steps[i].what) {
      case step::any: break;
      case step::bind: {
        auto& slot = b[static_cast<std::size_t>(steps[i].var)];
        if (!slot) slot = oe[i];
        else if (!(*slot == oe[i])) return false;
        break;
      }
      case step::equal:
        if (!(pe[i] == oe[i])) return false;
        break;
      case step::equal_atom:
        if (!oe[i].is_atom(steps[i].a)) return false;
        break;
      case step::nested:
        if (!match(pe[i], oe[i], b)) return false;
        break;
    }
  }
  return true;
}

std::optional<term> match_spec::run(const object_ref& object) const {
  for (const clause& c : clauses_) {
    binding_buffer buffer(static_cast<std::size_t>(c.max_var + 1));
    const bindings b = buffer.get();
    if (!c.matches(object, b)) continue;
    if (c.whole) return object.get();
    try {
      evaluator ev{b, object};
      bool pass = true;
      for (const term& g : c.guards)
        if (!ev.eval(g).is_atom(atoms::true_)) {
          pass = false;
          break;
        }
      if (!pass) continue;
      term result;
      for (const term& x : c.body) result = ev.eval(x);
      return result;
    } catch (const guard_fail&) {
      continue;
    } catch (const bad_argument&) {  // e.g. arithmetic that leaves the finite floats
      continue;
    }
  }
  return std::nullopt;
}

std::optional<term> match_spec::bound_key(std::size_t keypos) const {
  std::optional<term> key;
  for (const clause& c : clauses_) {
    if (!c.head.is_tuple() || c.head.size() < keypos) return std::nullopt;
    const term& k = c.head[keypos - 1];
    if (!ground(k)) return std::nullopt;
    if (key && !(*key == k)) return std::nullopt;
    key = k;
  }
  return key;
}

}  // namespace otter::ets::detail

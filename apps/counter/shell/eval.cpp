// The shell's evaluator (see eval.hpp): Elixir's semantics for the subset
// the parser accepts.
//
// Every node is evaluated by a coroutine, because any call may wait (a
// GenServer.call, Process.sleep): awaiting does not block the scheduler
// thread. Coroutine arguments are references to objects that outlive the
// await (g++ 12 mis-copies class temporaries built inside co_await).
#include "eval.hpp"

#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "builtins.hpp"
#include "errors.hpp"
#include "otter/receive.hpp"
#include "otter/term_parse.hpp"
#include "term_text.hpp"  // otter's UTF-8 encoder (src/)

namespace otter::shell {

namespace {

constexpr std::size_t max_depth = 2000;
constexpr std::int64_t max_timeout_ms = 4294967295;  // Erlang's largest timeout

const atom nil_atom("nil");
const atom true_atom("true");
const atom false_atom("false");

// --- compile errors (iex reports them as CompileError iex:N: ...) ---

[[noreturn]] void compile_error(const session& s, const std::string& what) {
  raise("CompileError", "iex:" + std::to_string(s.counter) + ": " + what);
}

// How much of this thread's native stack is left. Nested evaluation runs
// as nested calls (an awaited task runs inline), and how much stack a level
// takes depends on the build (ASan's frames are several times larger), so
// the guard below checks the stack itself as well as the depth.
std::size_t stack_left() {
  thread_local const std::uintptr_t lowest = [] {
    pthread_attr_t attr;
    void* addr = nullptr;
    std::size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    return reinterpret_cast<std::uintptr_t>(addr);
  }();
  const auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  return lowest && here > lowest ? here - lowest : SIZE_MAX;
}

constexpr std::size_t min_stack_left = 512 * 1024;

struct depth_guard {
  session& s;
  explicit depth_guard(session& ss) : s(ss) {
    if (++s.depth > max_depth || stack_left() < min_stack_left) {
      --s.depth;
      raise("SystemLimitError", "a system limit has been reached: the shell's nesting of evaluation (at most " +
                                    std::to_string(max_depth) + " levels, and the thread's stack) was exceeded");
    }
  }
  ~depth_guard() { --s.depth; }
  depth_guard(const depth_guard&) = delete;
  depth_guard& operator=(const depth_guard&) = delete;
};

// One line, at most 50 items as iex's inspect shows (which also bounds the
// printer's recursion on a deeply nested term).
std::string inspect_short(const term& t) { return inspect(t, {0, 50}); }

// --- arithmetic ---

[[noreturn]] void arith_error(std::string_view op, const value& a, const value* b) {
  std::string shown = b ? inspect_value(a) + " " + std::string(op) + " " + inspect_value(*b)
                        : std::string(op) + "(" + inspect_value(a) + ")";
  std::string call = b ? ":erlang." + std::string(op) + "(" + inspect_value(a) + ", " + inspect_value(*b) + ")"
                       : ":erlang." + std::string(op) + "(" + inspect_value(a) + ")";
  raise("ArithmeticError", "bad argument in arithmetic expression: " + shown, "    " + call + "\n");
}

term arith(std::string_view op, const value& a, const value& b) {
  if (a.is_fun() || b.is_fun() || !a.t.is_number() || !b.t.is_number()) arith_error(op, a, &b);
  const term& x = a.t;
  const term& y = b.t;
  if (op == "/") {
    const double d = y.as_number();
    if (d == 0.0) arith_error(op, a, &b);
    return term(x.as_number() / d);
  }
  if (x.is_integer() && y.is_integer()) {
    const std::int64_t i = x.as_int(), j = y.as_int();
    std::int64_t r = 0;
    bool overflow = false;
    if (op == "+") overflow = __builtin_add_overflow(i, j, &r);
    else if (op == "-") overflow = __builtin_sub_overflow(i, j, &r);
    else overflow = __builtin_mul_overflow(i, j, &r);
    if (overflow)
      raise("ArithmeticError", "integer overflow in " + inspect_short(x) + " " + std::string(op) + " " +
                                   inspect_short(y) + " (the otter shell's integers are 64-bit)");
    return term(r);
  }
  const double i = x.as_number(), j = y.as_number();
  double r = op == "+" ? i + j : op == "-" ? i - j : i * j;
  if (!std::isfinite(r)) arith_error(op, a, &b);
  return term(r);
}

// Kernel.**: integer powers stay integers (a negative exponent raises, as
// in Elixir); anything with a float is a float.
term power(const value& a, const value& b) {
  if (a.is_fun() || b.is_fun() || !a.t.is_number() || !b.t.is_number()) arith_error("**", a, &b);
  if (a.t.is_integer() && b.t.is_integer()) {
    std::int64_t base = a.t.as_int(), exp = b.t.as_int(), r = 1;
    if (exp < 0) raise("ArithmeticError", "bad argument in arithmetic expression: " + inspect_value(a) + " ** " + inspect_value(b));
    while (exp > 0) {
      if ((exp & 1) && __builtin_mul_overflow(r, base, &r)) break;
      exp >>= 1;
      if (exp > 0 && __builtin_mul_overflow(base, base, &base)) {
        exp = -1;
        break;
      }
    }
    if (exp != 0)
      raise("ArithmeticError", "integer overflow in " + inspect_value(a) + " ** " + inspect_value(b) +
                                   " (the otter shell's integers are 64-bit)");
    return term(r);
  }
  const double r = std::pow(a.t.as_number(), b.t.as_number());
  if (!std::isfinite(r)) arith_error("**", a, &b);
  return term(r);
}

// --- comparison and membership ---

term compare_op(std::string_view op, const term& a, const term& b) {
  if (op == "==") return term(equal(a, b));
  if (op == "!=") return term(!equal(a, b));
  if (op == "===") return term(a == b);
  if (op == "!==") return term(!(a == b));
  const auto c = a <=> b;
  if (op == "<") return term(c < 0);
  if (op == ">") return term(c > 0);
  if (op == "<=") return term(c <= 0);
  return term(c >= 0);  // >=
}

term map_get(const term& m, const term& key, bool* found) {
  const term* v = m.find(key);
  *found = v != nullptr;
  return v ? *v : term();
}

bool is_range(const term& t) {
  static const term struct_key(atom("__struct__")), range_mod(atom("Elixir.Range"));
  if (!t.is_map()) return false;
  const term* v = t.find(struct_key);
  return v && *v == range_mod;
}

term make_range(const term& first, const term& last, const term& step, std::string_view shown) {
  if (!first.is_integer() || !last.is_integer() || !step.is_integer())
    raise_argument_error("ranges (first..last//step) expect both sides to be integers, got: " + std::string(shown));
  if (step.as_int() == 0) raise_argument_error("the step of a range cannot be zero, got: " + std::string(shown));
  return term::map_of(std::vector<std::pair<term, term>>{{term(atom("__struct__")), term(atom("Elixir.Range"))},
                                                         {term(atom("first")), first},
                                                         {term(atom("last")), last},
                                                         {term(atom("step")), step}});
}

bool in_enum(const term& x, const term& e) {
  if (is_range(e)) {
    bool f = false;
    const term first = map_get(e, term(atom("first")), &f), last = map_get(e, term(atom("last")), &f),
               step = map_get(e, term(atom("step")), &f);
    if (!x.is_integer()) return false;
    // In 128 bits: v - a and the step's sign change cannot overflow.
    const __int128 v = x.as_int(), a = first.as_int(), b = last.as_int(), s = step.as_int();
    if (s > 0 ? (v < a || v > b) : (v > a || v < b)) return false;
    return (v - a) % s == 0;
  }
  if (e.is_map()) {
    if (!x.is_tuple() || x.size() != 2) return false;
    bool found = false;
    const term v = map_get(e, x[0], &found);
    return found && v == x[1];
  }
  if (e.is_list()) {
    term l = e;
    while (l.kind() == term_kind::list) {
      if (l.hd() == x) return true;
      l = l.tl();
    }
    return false;
  }
  raise("Protocol.UndefinedError", "protocol Enumerable not implemented for " + inspect_short(e) + " of type " +
                                       std::string(e.is_tuple() ? "Tuple" : e.is_atom() ? "Atom" : e.is_integer() ? "Integer"
                                                   : e.is_binary() ? "BitString" : e.is_float() ? "Float" : "Term"));
}

term concat_lists(const term& a, const term& b, const std::string& shown) {
  if (!a.is_proper_list()) raise_badarg(1, "not a list", ":erlang.++(" + shown + ")");
  const auto e = a.elements();
  std::vector<term> out(e.begin(), e.end());
  return term::list_of(std::move(out), b);
}

term subtract_lists(const term& a, const term& b, const std::string& shown) {
  if (!a.is_proper_list()) raise_badarg(1, "not a list", ":erlang.--(" + shown + ")");
  if (!b.is_proper_list()) raise_badarg(2, "not a list", ":erlang.--(" + shown + ")");
  const auto e = a.elements();
  std::vector<term> out(e.begin(), e.end());
  for (const term& x : b.elements()) {
    auto it = std::find(out.begin(), out.end(), x);
    if (it != out.end()) out.erase(it);
  }
  return term::list_of(std::move(out));
}

[[noreturn]] void bad_boolean(std::string_view op, const value& v) {
  raise("BadBooleanError", "expected a boolean on left-side of \"" + std::string(op) + "\", got: " + inspect_value(v));
}

std::string fun_shown(const node& n) { return n.source.empty() ? n.name : n.source; }

}  // namespace

bool truthy(const term& t) noexcept { return !(t.is_atom(nil_atom) || t.is_atom(false_atom)); }

std::string to_chars(const value& v) {
  if (v.is_fun()) raise("Protocol.UndefinedError", "protocol String.Chars not implemented for " + inspect_value(v) + " of type Function");
  const term& t = v.t;
  switch (t.kind()) {
    case term_kind::binary:
      return std::string(t.as_binary());
    case term_kind::atom:
      return t.is_atom(nil_atom) ? std::string() : std::string(t.as_atom().text());
    case term_kind::integer:
    case term_kind::float_:
      return t.to_string();
    case term_kind::nil:
      return {};
    case term_kind::list: {
      std::string out;
      if (!t.is_proper_list()) break;
      for (const term& e : t.elements()) {
        if (e.is_integer()) {
          const std::int64_t cp = e.as_int();
          if (cp < 0 || cp > 0x10ffff) break;
          otter::detail::append_utf8(out, static_cast<std::uint32_t>(cp));
        } else if (e.is_binary()) {
          out += e.as_binary();
        } else {
          raise_argument_error("cannot convert the given list to a string: " + inspect_short(t));
        }
      }
      return out;
    }
    default:
      break;
  }
  static constexpr std::string_view type_names[] = {"Integer", "Float", "Atom", "Reference", "PID", "Tuple", "Map", "List", "List", "BitString"};
  raise("Protocol.UndefinedError", "protocol String.Chars not implemented for " + inspect(t) + " of type " +
                                       std::string(type_names[static_cast<int>(t.kind())]));
}

// --- pattern matching ---

namespace {

bool bind(const std::string& name, const term& v, bindings& out) {
  if (name == "_") return true;
  auto it = out.find(name);
  if (it != out.end()) return !it->second.is_fun() && it->second.t == v;  // {x, x} = ...: both the same
  out.emplace(name, value(v));
  return true;
}

term literal_of(const node& n, const bindings& env, bool* ok);

}  // namespace

bool match(const node& p, const term& v, const bindings& env, bindings& out) {
  switch (p.kind) {
    case node_kind::literal:
      return p.value == v;
    case node_kind::variable:
      return bind(p.name, v, out);
    case node_kind::pin: {
      const node& var = *p.args.at(0);
      auto it = env.find(var.name);
      if (it == env.end() || it->second.is_fun()) return false;
      return it->second.t == v;
    }
    case node_kind::match:  // `{a, b} = t` inside a pattern binds both
      return match(*p.args[0], v, env, out) && match(*p.args[1], v, env, out);
    case node_kind::tuple: {
      if (!v.is_tuple() || v.size() != p.args.size()) return false;
      for (std::size_t i = 0; i < p.args.size(); ++i)
        if (!match(*p.args[i], v[i], env, out)) return false;
      return true;
    }
    case node_kind::list: {
      term rest = v;
      for (const node_ptr& e : p.args) {
        if (rest.kind() != term_kind::list) return false;
        if (!match(*e, rest.hd(), env, out)) return false;
        rest = rest.tl();
      }
      if (p.tail) return match(*p.tail, rest, env, out);
      return rest.is_empty_list();
    }
    case node_kind::map: {
      if (!v.is_map()) return false;
      for (const auto& [kn, vn] : p.pairs) {
        bool ok = false;
        const term key = literal_of(*kn, env, &ok);
        if (!ok) return false;
        bool found = false;
        const term got = map_get(v, key, &found);
        if (!found || !match(*vn, got, env, out)) return false;
      }
      return true;
    }
    case node_kind::binary_op: {
      if (p.name == "<>") {  // "prefix" <> rest
        bool ok = false;
        const term prefix = literal_of(*p.args[0], env, &ok);
        if (!ok || !prefix.is_binary() || !v.is_binary()) return false;
        const std::string_view s = v.as_binary(), pre = prefix.as_binary();
        if (!s.starts_with(pre)) return false;
        return match(*p.args[1], term(s.substr(pre.size())), env, out);
      }
      break;
    }
    case node_kind::unary_op: {
      bool ok = false;
      const term lit = literal_of(p, env, &ok);
      return ok && lit == v;
    }
    default:
      break;
  }
  return false;
}

namespace {

// Keys of map patterns and the prefix of `<>` patterns: literals, pins and
// negative numbers.
term literal_of(const node& n, const bindings& env, bool* ok) {
  *ok = true;
  if (n.kind == node_kind::literal) return n.value;
  if (n.kind == node_kind::pin) {
    auto it = env.find(n.args.at(0)->name);
    if (it != env.end() && !it->second.is_fun()) return it->second.t;
  }
  if (n.kind == node_kind::unary_op && n.name == "-" && n.args.at(0)->kind == node_kind::literal &&
      n.args[0]->value.is_number()) {
    const term& x = n.args[0]->value;
    return x.is_integer() ? term(-x.as_int()) : term(-x.as_float());
  }
  *ok = false;
  return term();
}

bool is_pattern_node(const node& n) {
  switch (n.kind) {
    case node_kind::literal:
    case node_kind::variable:
    case node_kind::pin:
    case node_kind::tuple:
    case node_kind::list:
    case node_kind::map:
    case node_kind::match:
      return true;
    case node_kind::binary_op:
      return n.name == "<>";
    case node_kind::unary_op:
      return n.name == "-" || n.name == "+";
    default:
      return false;
  }
}

void check_pattern(const session& s, const node& n) {
  if (!is_pattern_node(n)) {
    if (n.kind == node_kind::local_call || n.kind == node_kind::remote_call)
      compile_error(s, "cannot invoke remote function " + fun_shown(n) + " inside a match");
    compile_error(s, "invalid pattern in match");
  }
  for (const node_ptr& a : n.args)
    if (a) check_pattern(s, *a);
  for (const auto& [k, v] : n.pairs) check_pattern(s, *v);
  if (n.tail) check_pattern(s, *n.tail);
}

// A function matches only a variable pattern (terms cannot hold one).
bool bind_fun(const node& pattern, const value& f, bindings& out) {
  if (pattern.kind != node_kind::variable) return false;
  if (pattern.name != "_") out.insert_or_assign(pattern.name, f);
  return true;
}

void commit(bindings& env, bindings& scratch) {
  for (auto& [k, v] : scratch) env.insert_or_assign(k, std::move(v));
}

task<bool> guard_holds(session& s, const clause& c, bindings& env) {
  if (!c.guard) co_return true;
  try {
    value g = co_await eval(s, *c.guard, env);
    co_return !g.is_fun() && g.t.is_atom(true_atom);
  } catch (const elixir_error&) {
    co_return false;  // an error in a guard makes it fail, as in Elixir
  }
}

std::string args_shown(const std::vector<value>& args) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    out += inspect_value(args[i]);
  }
  return out;
}

}  // namespace

// --- calls ---

task<value> call_function(session& s, std::string_view module, std::string_view name, std::vector<value>& args,
                          const node* where) {
  const builtin_table& table = builtins();
  const builtin* b = table.find(module, name, args.size());
  if (!b) {
    const std::string shown = module_display(module) + "." + std::string(name) + "/" + std::to_string(args.size());
    const std::string trace = "    " + module_display(module) + "." + std::string(name) + "(" + args_shown(args) + ")\n";
    if (!table.has_module(module))
      raise("UndefinedFunctionError",
            "function " + shown + " is undefined (module " + module_display(module) + " is not available)", trace);
    raise("UndefinedFunctionError", "function " + shown + " is undefined or private", trace);
  }
  call_context c{s, module, name, where};
  if (b->sync) co_return b->sync(c, args);
  co_return co_await b->async(c, args);
}

task<value> apply(session& s, const value& f, std::vector<value>& args) {
  if (!f.is_fun()) raise("BadFunctionError", "expected a function, got: " + inspect_value(f));
  const fun& fn = *f.f;
  if (args.size() != fn.arity) {
    std::string given = args_shown(args);
    raise("BadArityError", inspect_value(f) + " with arity " + std::to_string(fn.arity) + " called with " +
                               (args.empty() ? "no arguments" : std::to_string(args.size()) + " argument" +
                                                                    (args.size() == 1 ? "" : "s") + " (" + given + ")"));
  }
  if (!fn.fn) {  // &Mod.fun/n
    const std::string module = fn.module.empty() ? "Elixir.Kernel" : fn.module;
    co_return co_await call_function(s, module, fn.name, args, nullptr);
  }
  depth_guard guard(s);
  const node& def = *fn.fn;
  // Functions made inside this one keep the same tree alive.
  struct source_scope {
    session& s;
    std::shared_ptr<const void> saved;
    source_scope(session& ss, std::shared_ptr<const void> now) : s(ss), saved(std::exchange(ss.source, std::move(now))) {}
    ~source_scope() { s.source = std::move(saved); }
  } scope(s, fn.owner);
  if (def.kind == node_kind::capture) {  // &(&1 + 1)
    bindings env = fn.captured;
    for (std::size_t i = 0; i < args.size(); ++i) env.insert_or_assign("&" + std::to_string(i + 1), args[i]);
    co_return co_await eval(s, *def.args.at(0), env);
  }
  for (const clause& c : def.clauses) {
    if (c.patterns.size() != args.size()) continue;
    bindings scratch;
    bool ok = true;
    for (std::size_t i = 0; ok && i < args.size(); ++i)
      ok = !args[i].is_fun() ? match(*c.patterns[i], args[i].t, fn.captured, scratch)
                             : bind_fun(*c.patterns[i], args[i], scratch);
    if (!ok) continue;
    bindings env = fn.captured;
    commit(env, scratch);
    if (!co_await guard_holds(s, c, env)) continue;
    co_return co_await eval(s, *c.body, env);
  }
  raise("FunctionClauseError", "no function clause matching in anonymous fn/" + std::to_string(fn.arity) +
                                   "\n\n    The following arguments were given to anonymous fn/" +
                                   std::to_string(fn.arity) + ":\n" + [&] {
                                     std::string out;
                                     for (std::size_t i = 0; i < args.size(); ++i)
                                       out += "\n        # " + std::to_string(i + 1) + "\n        " + inspect_value(args[i]) + "\n";
                                     return out;
                                   }());
}

namespace {

task<std::vector<value>> eval_args(session& s, const std::vector<node_ptr>& nodes, std::size_t from, bindings& env,
                                   const value* first) {
  std::vector<value> out;
  out.reserve(nodes.size() - from + (first ? 1 : 0));
  if (first) out.push_back(*first);
  for (std::size_t i = from; i < nodes.size(); ++i) out.push_back(co_await eval(s, *nodes[i], env));
  co_return out;
}

// A call node, with the piped value (if any) as its first argument.
task<value> eval_call(session& s, const node& n, bindings& env, const value* piped) {
  switch (n.kind) {
    case node_kind::local_call: {
      std::vector<value> args = co_await eval_args(s, n.args, 0, env, piped);
      if (const builtin* b = builtins().find("Elixir.Kernel", n.name, args.size()); b != nullptr) {
        call_context c{s, "Elixir.Kernel", n.name, &n};
        if (b->sync) co_return b->sync(c, args);
        co_return co_await b->async(c, args);
      }
      if (env.count(n.name))
        compile_error(s, "undefined function " + n.name + "/" + std::to_string(args.size()) +
                             " (there is no such import; to call the function in variable " + n.name + ", write " +
                             n.name + ".(...))");
      compile_error(s, "undefined function " + n.name + "/" + std::to_string(args.size()) + " (there is no such import)");
    }
    case node_kind::remote_call: {
      const node& mod_node = *n.args.at(0);
      value mod = co_await eval(s, mod_node, env);
      if (n.no_parens && !piped && !mod.is_fun() && mod.t.is_map()) {  // map.key
        bool found = false;
        term v = map_get(mod.t, term(atom(n.name)), &found);
        if (!found)
          raise("KeyError", "key :" + n.name + " not found in: " + inspect(mod.t));
        co_return value(v);
      }
      if (mod.is_fun() || !mod.t.is_atom()) {
        std::vector<value> args = co_await eval_args(s, n.args, 1, env, piped);
        if (n.no_parens && !piped)
          raise("ArgumentError", "cannot access field :" + n.name + " of " + inspect_value(mod) +
                                     " (expected a map or a module)");
        raise("ArgumentError", "you attempted to apply a function named :" + n.name + " on " + inspect_value(mod) +
                                   ". If you are using Kernel.apply/3, make sure the module is an atom. If you are "
                                   "using the dot syntax, such as module.function(), make sure the left-hand side "
                                   "of the dot is an atom representing a module");
      }
      std::vector<value> args = co_await eval_args(s, n.args, 1, env, piped);
      const std::string module(mod.t.as_atom().text());
      co_return co_await call_function(s, module, n.name, args, &n);
    }
    case node_kind::apply_fun: {
      value f = co_await eval(s, *n.args.at(0), env);
      std::vector<value> args = co_await eval_args(s, n.args, 1, env, piped);
      co_return co_await apply(s, f, args);
    }
    default:
      break;
  }
  raise("ArgumentError", "cannot pipe " + inspect_value(piped ? *piped : value()) +
                             " into an expression that is not a call; can only pipe into local calls foo(), remote "
                             "calls Foo.bar() or anonymous function calls foo.()");
}

task<value> eval_binary(session& s, const node& n, bindings& env) {
  const std::string& op = n.name;
  if (op == "|>") {
    value left = co_await eval(s, *n.args[0], env);
    co_return co_await eval_call(s, *n.args[1], env, &left);
  }
  if (op == "&&" || op == "||" || op == "and" || op == "or") {
    value left = co_await eval(s, *n.args[0], env);
    const bool strict = op == "and" || op == "or";
    if (strict && (left.is_fun() || !left.t.is_boolean())) bad_boolean(op, left);
    const bool t = left.is_fun() || truthy(left.t);
    if ((op == "&&" || op == "and") ? !t : t) co_return left;
    co_return co_await eval(s, *n.args[1], env);
  }
  value left = co_await eval(s, *n.args[0], env);
  value right = co_await eval(s, *n.args[1], env);
  if (op == "+" || op == "-" || op == "*" || op == "/") co_return value(arith(op, left, right));
  if (op == "**") co_return value(power(left, right));
  if (op == "==" || op == "!=" || op == "===" || op == "!==" || op == "<" || op == ">" || op == "<=" || op == ">=") {
    if (left.is_fun() || right.is_fun()) {
      const bool same = left.f == right.f;
      co_return value(term(op == "==" || op == "===" ? same : op == "!=" || op == "!==" ? !same : false));
    }
    co_return value(compare_op(op, left.t, right.t));
  }
  const std::string shown = inspect_value(left) + ", " + inspect_value(right);
  if (op == "<>") {
    if (left.is_fun() || !left.t.is_binary())
      raise_argument_error("expected binary argument in <> operator but got: " + inspect_value(left));
    if (right.is_fun() || !right.t.is_binary())
      raise_argument_error("expected binary argument in <> operator but got: " + inspect_value(right));
    co_return value(term(std::string(left.t.as_binary()) + std::string(right.t.as_binary())));
  }
  if (op == "++") co_return value(concat_lists(need_term_in(left, "a list"), need_term_in(right, "a list"), shown));
  if (op == "--") co_return value(subtract_lists(need_term_in(left, "a list"), need_term_in(right, "a list"), shown));
  if (op == "..") co_return value(make_range(need_term_in(left, "a range"), need_term_in(right, "a range"), term(left.t.is_integer() && right.t.is_integer() && left.t.as_int() > right.t.as_int() ? -1 : 1), inspect_value(left) + ".." + inspect_value(right)));
  if (op == "in") co_return value(term(in_enum(need_term_in(left, "in"), need_term_in(right, "in"))));
  if (op == "not in") co_return value(term(!in_enum(need_term_in(left, "in"), need_term_in(right, "in"))));
  if (op == "=~") {
    if (left.is_fun() || !left.t.is_binary() || right.is_fun() || !right.t.is_binary())
      raise_argument_error("=~ in the otter shell takes two strings (no regular expressions), got: " + shown);
    co_return value(term(left.t.as_binary().find(right.t.as_binary()) != std::string_view::npos));
  }
  compile_error(s, "the operator " + op + " is not supported by the otter shell");
}

task<value> eval_case(session& s, const node& n, bindings& env) {
  for (const clause& c : n.clauses) check_pattern(s, *c.patterns.at(0));
  value subject = co_await eval(s, *n.args.at(0), env);
  for (const clause& c : n.clauses) {
    bindings scratch;
    if (subject.is_fun()) {
      if (!bind_fun(*c.patterns.at(0), subject, scratch)) continue;
    } else if (!match(*c.patterns.at(0), subject.t, env, scratch)) {
      continue;
    }
    bindings inner = env;
    commit(inner, scratch);
    if (!co_await guard_holds(s, c, inner)) continue;
    co_return co_await eval(s, *c.body, inner);
  }
  raise("CaseClauseError", "no case clause matching: " + inspect_value(subject));
}

task<value> eval_access(session& s, const node& n, bindings& env) {
  value container = co_await eval(s, *n.args.at(0), env);
  value key = co_await eval(s, *n.args.at(1), env);
  const term& c = need_term_in(container, "an access");
  const term& k = need_term_in(key, "an access");
  if (c.is_atom(nil_atom)) co_return value(term(nil_atom));
  if (c.is_map()) {
    bool found = false;
    term v = map_get(c, k, &found);
    co_return value(found ? v : term(nil_atom));
  }
  if (c.is_proper_list()) {
    if (!k.is_atom())
      raise_argument_error("the Access calls for keywords expect the key to be an atom, got: " + inspect_short(k));
    for (const term& e : c.elements())
      if (e.is_tuple() && e.size() == 2 && e[0] == k) co_return value(e[1]);
    co_return value(term(nil_atom));
  }
  raise("UndefinedFunctionError", "function " + std::string(c.is_tuple() ? "Tuple" : "Access") +
                                      ".fetch/2 is undefined or private (Access is implemented for maps and keyword lists, got: " +
                                      inspect_short(c) + ")");
}

task<void> eval_for(session& s, const node& n, std::size_t q, bindings& env, std::vector<term>& out) {
  if (q == n.clauses.size()) {
    value v = co_await eval(s, *n.args.at(1), env);
    out.push_back(need_term_in(v, "a list"));
    co_return;
  }
  const clause& c = n.clauses[q];
  if (c.patterns.empty()) {  // a filter
    value keep = co_await eval(s, *c.body, env);
    if (keep.is_fun() || truthy(keep.t)) co_await eval_for(s, n, q + 1, env, out);
    co_return;
  }
  check_pattern(s, *c.patterns[0]);
  value source = co_await eval(s, *c.body, env);
  const call_context ctx{s, "Elixir.Kernel", "for", &n};
  const std::vector<term> elements = enumerate(ctx, source);
  for (const term& e : elements) {
    bindings scratch;
    if (!match(*c.patterns[0], e, env, scratch)) continue;  // a generator skips what does not match
    bindings inner = env;
    commit(inner, scratch);
    if (c.guard) {
      value g = co_await eval(s, *c.guard, inner);
      if (g.is_fun() || !g.t.is_atom(true_atom)) continue;
    }
    co_await eval_for(s, n, q + 1, inner, out);
  }
}

task<value> eval_receive(session& s, const node& n, bindings& env) {
  for (const clause& c : n.clauses) {
    if (c.guard) compile_error(s, "guards in receive are not supported by the otter shell; match in the pattern and use case");
    check_pattern(s, *c.patterns.at(0));
  }
  std::optional<std::chrono::milliseconds> timeout;
  if (!n.args.empty()) {
    value t = co_await eval(s, *n.args.at(0), env);
    if (!t.is_fun() && t.t.is_atom(atom("infinity"))) {
    } else if (t.is_fun() || !t.t.is_integer() || t.t.as_int() < 0 || t.t.as_int() > max_timeout_ms) {
      raise("ArgumentError", "the after timeout must be an integer from 0 to 4294967295 or :infinity, got: " + inspect_value(t));
    } else {
      timeout = std::chrono::milliseconds(t.t.as_int());
    }
  }
  // The first message, in mailbox order, that some clause's pattern matches.
  const bindings& pins = env;
  auto matches = [&n, &pins](const any_message& m) {
    const term t = message_as_term(m);
    for (const clause& c : n.clauses) {
      bindings scratch;
      if (match(*c.patterns[0], t, pins, scratch)) return true;
    }
    return false;
  };
  auto take = [](any_message m) { return std::optional<term>(message_as_term(m)); };
  std::optional<term> got;
  if (timeout) {
    got = co_await receive(when(matches, take), after(*timeout, [] { return std::optional<term>(); }));
  } else {
    got = co_await receive(when(matches, take));
  }
  if (!got) {
    bindings inner = env;
    co_return co_await eval(s, *n.args.at(1), inner);
  }
  for (const clause& c : n.clauses) {
    bindings scratch;
    if (!match(*c.patterns[0], *got, env, scratch)) continue;
    bindings inner = env;
    commit(inner, scratch);
    co_return co_await eval(s, *c.body, inner);
  }
  co_return value(*got);  // unreachable: the predicate matched a clause
}

}  // namespace

task<value> eval(session& s, const node& n, bindings& env) {
  depth_guard guard(s);
  switch (n.kind) {
    case node_kind::literal:
      co_return value(n.value);
    case node_kind::variable: {
      if (auto it = env.find(n.name); it != env.end()) co_return it->second;
      if (n.name == "_" || n.name.starts_with('_'))
        compile_error(s, "invalid use of _. \"_\" represents a value to be ignored in a pattern and cannot be used in expressions");
      // A bare name that is not bound is a zero-arity call: `self`, `flush`.
      if (const builtin* b = builtins().find("Elixir.Kernel", n.name, 0); b != nullptr) {
        std::vector<value> none;
        call_context c{s, "Elixir.Kernel", n.name, &n};
        if (b->sync) co_return b->sync(c, none);
        co_return co_await b->async(c, none);
      }
      // iex warns on standard error before the error, as the compiler does.
      const std::string warning = "warning: variable \"" + n.name + "\" does not exist and is being expanded to \"" + n.name +
                                  "()\", please use parentheses to remove the ambiguity or change the variable name\n  iex:" +
                                  std::to_string(s.counter) + "\n\n";
      std::fwrite(warning.data(), 1, warning.size(), stderr);
      std::fflush(stderr);
      compile_error(s, "undefined function " + n.name + "/0 (there is no such import)");
    }
    case node_kind::pin:
      compile_error(s, "misplaced operator ^" + n.args.at(0)->name + "\n\nThe pin operator ^ is supported only inside matches or inside custom macros");
    case node_kind::tuple: {
      std::vector<term> out;
      out.reserve(n.args.size());
      for (const node_ptr& a : n.args) {
        value v = co_await eval(s, *a, env);
        out.push_back(need_term_in(v, "a tuple"));
      }
      co_return value(term::tuple_of(std::move(out)));
    }
    case node_kind::list: {
      std::vector<term> out;
      out.reserve(n.args.size());
      for (const node_ptr& a : n.args) {
        value v = co_await eval(s, *a, env);
        out.push_back(need_term_in(v, "a list"));
      }
      term tail;
      if (n.tail) {
        value t = co_await eval(s, *n.tail, env);
        tail = need_term_in(t, "a list");
      }
      co_return value(term::list_of(std::move(out), tail));
    }
    case node_kind::map: {
      std::vector<std::pair<term, term>> entries;
      if (n.tail) {
        value base = co_await eval(s, *n.tail, env);
        if (base.is_fun() || !base.t.is_map())
          raise("BadMapError", "expected a map, got: " + inspect_value(base));
        for (std::size_t i = 0; i < base.t.size(); ++i) entries.emplace_back(base.t.map_key(i), base.t.map_value(i));
        for (const auto& [kn, vn] : n.pairs) {
          value k = co_await eval(s, *kn, env);
          value v = co_await eval(s, *vn, env);
          auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == k.t; });
          if (it == entries.end()) raise("KeyError", "key " + inspect_value(k) + " not found in: " + inspect(base.t));
          it->second = need_term_in(v, "a map");
        }
        co_return value(term::map_of(std::move(entries)));
      }
      for (const auto& [kn, vn] : n.pairs) {
        value k = co_await eval(s, *kn, env);
        value v = co_await eval(s, *vn, env);
        entries.emplace_back(need_term_in(k, "a map"), need_term_in(v, "a map"));
      }
      co_return value(term::map_of(std::move(entries)));
    }
    case node_kind::interpolation: {
      std::string out;
      for (const node_ptr& part : n.args) {
        if (part->kind == node_kind::literal && part->value.is_binary()) {
          out += part->value.as_binary();
          continue;
        }
        value v = co_await eval(s, *part, env);
        out += to_chars(v);
      }
      if (n.name == "atom") {  // :"W#{i}" is String.to_atom("W#{i}"), with its errors
        std::vector<value> args{value(term(out))};
        call_context c{s, "Elixir.String", "to_atom", &n};
        co_return builtins().find("Elixir.String", "to_atom", 1)->sync(c, args);
      }
      co_return value(term(out));
    }
    case node_kind::block: {
      value last{term(nil_atom)};
      for (const node_ptr& e : n.args) last = co_await eval(s, *e, env);
      co_return last;
    }
    case node_kind::match: {
      check_pattern(s, *n.args.at(0));
      value v = co_await eval(s, *n.args.at(1), env);
      bindings scratch;
      if (v.is_fun()) {
        if (!bind_fun(*n.args[0], v, scratch)) raise("MatchError", "no match of right hand side value: " + inspect_value(v));
      } else if (!match(*n.args[0], v.t, env, scratch)) {
        raise("MatchError", "no match of right hand side value: " + inspect_value(v));
      }
      commit(env, scratch);
      co_return v;
    }
    case node_kind::binary_op:
      if (n.name == "..//") {
        value a = co_await eval(s, *n.args.at(0), env);
        value b = co_await eval(s, *n.args.at(1), env);
        value st = co_await eval(s, *n.args.at(2), env);
        co_return value(make_range(need_term_in(a, "a range"), need_term_in(b, "a range"), need_term_in(st, "a range"),
                                   inspect_value(a) + ".." + inspect_value(b) + "//" + inspect_value(st)));
      }
      co_return co_await eval_binary(s, n, env);
    case node_kind::unary_op: {
      value v = co_await eval(s, *n.args.at(0), env);
      if (n.name == "!") co_return value(term(v.is_fun() ? false : !truthy(v.t)));
      if (n.name == "not") {
        if (v.is_fun() || !v.t.is_boolean()) raise_badarg(1, "not a boolean", ":erlang.not(" + inspect_value(v) + ")");
        co_return value(term(!v.t.as_bool()));
      }
      if (v.is_fun() || !v.t.is_number()) arith_error(n.name, v, nullptr);
      if (n.name == "+") co_return v;
      if (v.t.is_integer()) {
        if (v.t.as_int() == std::numeric_limits<std::int64_t>::min())
          raise("ArithmeticError", "integer overflow in -(" + inspect_value(v) + ") (the otter shell's integers are 64-bit)");
        co_return value(term(-v.t.as_int()));
      }
      co_return value(term(-v.t.as_float()));
    }
    case node_kind::local_call:
    case node_kind::remote_call:
    case node_kind::apply_fun:
      co_return co_await eval_call(s, n, env, nullptr);
    case node_kind::fn: {
      auto f = std::make_shared<fun>();
      f->fn = &n;
      f->owner = s.source;
      f->captured = env;
      f->arity = n.clauses.empty() ? 0 : n.clauses[0].patterns.size();
      for (const clause& c : n.clauses) {
        if (c.patterns.size() != f->arity) compile_error(s, "cannot mix clauses with different arities in anonymous functions");
        for (const node_ptr& p : c.patterns) check_pattern(s, *p);
      }
      f->id = next_fun_id();
      co_return value(std::shared_ptr<const fun>(std::move(f)));
    }
    case node_kind::case_:
      co_return co_await eval_case(s, n, env);
    case node_kind::if_: {
      value c = co_await eval(s, *n.args.at(0), env);
      const bool t = c.is_fun() || truthy(c.t);
      bindings inner = env;  // variables bound in a branch stay in it
      const node_ptr& branch = t ? n.args.at(1) : n.args.at(2);
      if (!branch) co_return value(term(nil_atom));
      co_return co_await eval(s, *branch, inner);
    }
    case node_kind::cond_: {
      for (const clause& c : n.clauses) {
        value v = co_await eval(s, *c.patterns.at(0), env);
        if (v.is_fun() || truthy(v.t)) {
          bindings inner = env;
          co_return co_await eval(s, *c.body, inner);
        }
      }
      raise("CondClauseError", "no cond clause evaluated to a truthy value");
    }
    case node_kind::capture: {
      auto f = std::make_shared<fun>();
      f->arity = n.arity;
      f->id = next_fun_id();
      if (n.args.empty() || (n.args.size() == 1 && !n.args[0]) || n.name.size()) {
        // &Mod.fun/arity or &fun/arity
        if (!n.args.empty() && n.args[0]) {
          value mod = co_await eval(s, *n.args[0], env);
          if (mod.is_fun() || !mod.t.is_atom()) raise_argument_error("a capture needs a module, got: " + inspect_value(mod));
          f->module = std::string(mod.t.as_atom().text());
        }
        f->name = n.name;
        co_return value(std::shared_ptr<const fun>(std::move(f)));
      }
      f->fn = &n;
      f->owner = s.source;
      f->captured = env;
      co_return value(std::shared_ptr<const fun>(std::move(f)));
    }
    case node_kind::capture_arg: {
      if (auto it = env.find("&" + std::to_string(n.arity)); it != env.end()) co_return it->second;
      compile_error(s, "capture argument &" + std::to_string(n.arity) + " must be used within the capture operator &");
    }
    case node_kind::access:
      co_return co_await eval_access(s, n, env);
    case node_kind::for_: {
      std::vector<term> out;
      bindings inner = env;  // variables of the generators stay inside
      co_await eval_for(s, n, 0, inner, out);
      co_return value(term::list_of(std::move(out)));
    }
    case node_kind::receive_:
      co_return co_await eval_receive(s, n, env);
    default:
      break;
  }
  compile_error(s, "this expression is not supported by the otter shell");
}

task<value> eval_top(session& s, const std::shared_ptr<const std::vector<node_ptr>>& exprs) {
  s.source = exprs;
  // Bind into a copy: an input that fails leaves the bindings as they were.
  bindings vars = s.vars;
  value last{term(nil_atom)};
  for (const node_ptr& e : *exprs) last = co_await eval(s, *e, vars);
  s.vars = std::move(vars);
  co_return last;
}

}  // namespace otter::shell

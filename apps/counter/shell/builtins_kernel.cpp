// Kernel's functions as the shell calls them (`elem(t, 0)`, `is_atom(x)`,
// `Kernel.length(l)`), and IO.
#include <cmath>
#include <cstdio>

#include "builtins.hpp"
#include "errors.hpp"
#include "eval.hpp"

namespace otter::shell {

namespace {

constexpr std::string_view K = "Elixir.Kernel";

const atom nil_atom("nil");

value boolean(bool b) { return value(term(b)); }

// Erlang's guards: `is_atom(x)` and friends.
template <bool (*Test)(const value&)>
value is_kind(call_context&, std::vector<value>& a) {
  return boolean(Test(a[0]));
}

bool atom_p(const value& v) { return !v.is_fun() && v.t.is_atom(); }
bool binary_p(const value& v) { return !v.is_fun() && v.t.is_binary(); }
bool boolean_p(const value& v) { return !v.is_fun() && v.t.is_boolean(); }
bool integer_p(const value& v) { return !v.is_fun() && v.t.is_integer(); }
bool float_p(const value& v) { return !v.is_fun() && v.t.is_float(); }
bool number_p(const value& v) { return !v.is_fun() && v.t.is_number(); }
bool list_p(const value& v) { return !v.is_fun() && v.t.is_list(); }
bool tuple_p(const value& v) { return !v.is_fun() && v.t.is_tuple(); }
bool map_p(const value& v) { return !v.is_fun() && v.t.is_map(); }
bool pid_p(const value& v) { return !v.is_fun() && v.t.is_pid(); }
bool reference_p(const value& v) { return !v.is_fun() && v.t.is_reference(); }
bool function_p(const value& v) { return v.is_fun(); }
bool nil_p(const value& v) { return !v.is_fun() && v.t.is_atom(nil_atom); }

const term& tuple_arg(call_context& c, std::vector<value>& a, std::size_t i, std::string_view erl) {
  const term& t = arg_term(c, a, i);
  if (!t.is_tuple()) raise_badarg(i + 1, "not a tuple", ":erlang." + std::string(erl));
  return t;
}

std::string erl_call(std::string_view fn, std::vector<value>& a) {
  std::string out = ":erlang." + std::string(fn) + "(";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i) out += ", ";
    out += inspect_value(a[i]);
  }
  return out + ")";
}

value elem(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  const term& i = arg_term(c, a, 1);
  std::vector<value> shown{a[1], a[0]};  // :erlang.element(index + 1, tuple)
  if (i.is_integer()) shown[0] = value(term(i.as_int() + 1));
  if (!i.is_integer()) raise_badarg(1, "not an integer", erl_call("element", shown));
  if (!t.is_tuple()) raise_badarg(2, "not a tuple", erl_call("element", shown));
  if (i.as_int() < 0 || static_cast<std::size_t>(i.as_int()) >= t.size())
    raise_badarg(1, "out of range", erl_call("element", shown));
  return value(t[static_cast<std::size_t>(i.as_int())]);
}

value put_elem(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  const std::int64_t i = arg_int(c, a, 1);
  const term& v = arg_term(c, a, 2);
  std::vector<value> shown{value(term(i + 1)), a[0], a[2]};
  if (!t.is_tuple()) raise_badarg(2, "not a tuple", erl_call("setelement", shown));
  if (i < 0 || static_cast<std::size_t>(i) >= t.size()) raise_badarg(1, "out of range", erl_call("setelement", shown));
  return value(t.tuple_set(static_cast<std::size_t>(i), v));
}

value tuple_size(call_context& c, std::vector<value>& a) {
  return value(term(static_cast<std::int64_t>(tuple_arg(c, a, 0, "tuple_size(" + inspect_value(a[0]) + ")").size())));
}

value length(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (!t.is_proper_list()) raise_badarg(1, "not a list", erl_call("length", a));
  return value(term(static_cast<std::int64_t>(t.size())));
}

value hd(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (t.kind() != term_kind::list) raise_badarg(1, "not a nonempty list", erl_call("hd", a));
  return value(t.hd());
}

value tl(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (t.kind() != term_kind::list) raise_badarg(1, "not a nonempty list", erl_call("tl", a));
  return value(t.tl());
}

value map_size(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (!t.is_map()) raise("BadMapError", "expected a map, got: " + inspect_value(a[0]));
  return value(term(static_cast<std::int64_t>(t.size())));
}

value byte_size(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (!t.is_binary()) raise_badarg(1, "not a bitstring", erl_call("byte_size", a));
  return value(term(static_cast<std::int64_t>(t.as_binary().size())));
}

value abs_(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (t.is_integer()) {
    if (t.as_int() == INT64_MIN) raise("ArithmeticError", "integer overflow in abs (the otter shell's integers are 64-bit)");
    return value(term(t.as_int() < 0 ? -t.as_int() : t.as_int()));
  }
  if (t.is_float()) return value(term(std::fabs(t.as_float())));
  raise_badarg(1, "not a number", erl_call("abs", a));
}

value div_rem(call_context& c, std::vector<value>& a, bool is_div) {
  const term& x = arg_term(c, a, 0);
  const term& y = arg_term(c, a, 1);
  const std::string op = is_div ? "div" : "rem";
  if (!x.is_integer() || !y.is_integer() || y.as_int() == 0 || (x.as_int() == INT64_MIN && y.as_int() == -1))
    raise("ArithmeticError", "bad argument in arithmetic expression: " + op + "(" + inspect_value(a[0]) + ", " +
                                 inspect_value(a[1]) + ")",
          "    " + erl_call(op, a) + "\n");
  return value(term(is_div ? x.as_int() / y.as_int() : x.as_int() % y.as_int()));
}
value div_(call_context& c, std::vector<value>& a) { return div_rem(c, a, true); }
value rem_(call_context& c, std::vector<value>& a) { return div_rem(c, a, false); }

value max_(call_context& c, std::vector<value>& a) {
  const term& x = arg_term(c, a, 0);
  const term& y = arg_term(c, a, 1);
  return value((x <=> y) < 0 ? y : x);
}
value min_(call_context& c, std::vector<value>& a) {
  const term& x = arg_term(c, a, 0);
  const term& y = arg_term(c, a, 1);
  return value((y <=> x) < 0 ? y : x);
}

value round_trunc(call_context& c, std::vector<value>& a, bool round) {
  const term& t = arg_term(c, a, 0);
  if (t.is_integer()) return a[0];
  if (!t.is_float()) raise_badarg(1, "not a number", erl_call(round ? "round" : "trunc", a));
  const double d = round ? std::round(t.as_float()) : std::trunc(t.as_float());
  if (!(d >= -9.2e18 && d <= 9.2e18)) raise("ArithmeticError", "the otter shell's integers are 64-bit: " + inspect_value(a[0]));
  return value(term(static_cast<std::int64_t>(d)));
}
value round_(call_context& c, std::vector<value>& a) { return round_trunc(c, a, true); }
value trunc_(call_context& c, std::vector<value>& a) { return round_trunc(c, a, false); }

value to_string_(call_context&, std::vector<value>& a) { return value(term(to_chars(a[0]))); }
value inspect_(call_context&, std::vector<value>& a) { return value(term(inspect_value(a[0]))); }

value not_(call_context& c, std::vector<value>& a) {
  const term& t = arg_term(c, a, 0);
  if (!t.is_boolean()) raise_badarg(1, "not a boolean", erl_call("not", a));
  return boolean(!t.as_bool());
}

value raise_(call_context&, std::vector<value>& a) {
  if (!a[0].is_fun() && a[0].t.is_binary()) raise("RuntimeError", std::string(a[0].t.as_binary()));
  if (!a[0].is_fun() && a[0].t.is_atom()) {
    const std::string_view m = a[0].t.as_atom().text();
    raise(std::string(m.starts_with("Elixir.") ? m.substr(7) : m), "");
  }
  raise_argument_error("raise/1 expects a module name, a string or an exception, got: " + inspect_value(a[0]));
}

value raise2_(call_context& c, std::vector<value>& a) {
  const atom kind = arg_atom(c, a, 0);
  const term& opts = arg_term(c, a, 1);
  std::string message;
  if (opts.is_binary()) message = std::string(opts.as_binary());
  else if (opts.is_proper_list())
    for (const term& kv : opts.elements())
      if (kv.is_tuple() && kv.size() == 2 && kv[0].is_atom(atom("message")) && kv[1].is_binary())
        message = std::string(kv[1].as_binary());
  const std::string_view m = kind.text();
  raise(std::string(m.starts_with("Elixir.") ? m.substr(7) : m), message);
}

value throw_(call_context& c, std::vector<value>& a) { throw thrown_value(arg_term(c, a, 0)); }

task<value> apply2(call_context& c, std::vector<value>& a) {
  const term& args = arg_term(c, a, 1);
  if (!args.is_proper_list()) raise_badarg(2, "not a list", c.shown(a));
  std::vector<value> call_args(args.elements().begin(), args.elements().end());
  value f = a[0];
  co_return co_await apply(c.s, f, call_args);
}

task<value> apply3(call_context& c, std::vector<value>& a) {
  const atom m = arg_atom(c, a, 0);
  const atom f = arg_atom(c, a, 1);
  const term& args = arg_term(c, a, 2);
  if (!args.is_proper_list()) raise_badarg(3, "not a list", c.shown(a));
  std::vector<value> call_args(args.elements().begin(), args.elements().end());
  const std::string module(m.text()), name(f.text());
  co_return co_await call_function(c.s, module, name, call_args, c.where);
}

// IO
// IO.puts(:stderr, text) goes to standard error; any other device, as the
// shell's own output.
void io_write_to(call_context& c, std::vector<value>& a, const std::string& text) {
  if (a.size() == 2 && !a[0].is_fun() && a[0].t.is_atom(atom("stderr"))) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
    return;
  }
  c.s.write(text);
}

value io_puts(call_context& c, std::vector<value>& a) {
  io_write_to(c, a, to_chars(a.back()) + "\n");
  return value(term(atom("ok")));
}

value io_write(call_context& c, std::vector<value>& a) {
  io_write_to(c, a, to_chars(a.back()));
  return value(term(atom("ok")));
}

value io_inspect(call_context& c, std::vector<value>& a) {
  std::string label;
  if (a.size() == 2) {
    const term& opts = arg_term(c, a, 1);
    if (!opts.is_proper_list()) raise_argument_error("IO.inspect/2 expects a keyword list of options, got: " + inspect_value(a[1]));
    for (const term& kv : opts.elements())
      if (kv.is_tuple() && kv.size() == 2 && kv[0].is_atom(atom("label"))) label = to_chars(value(kv[1])) + ": ";
  }
  c.s.write(label + inspect_value(a[0]) + "\n");
  return a[0];
}

}  // namespace

void register_kernel(builtin_table& t) {
  struct guard_fn {
    const char* name;
    sync_builtin f;
  };
  const guard_fn guards[] = {
      {"is_atom", is_kind<atom_p>},       {"is_binary", is_kind<binary_p>},     {"is_boolean", is_kind<boolean_p>},
      {"is_integer", is_kind<integer_p>}, {"is_float", is_kind<float_p>},       {"is_number", is_kind<number_p>},
      {"is_list", is_kind<list_p>},       {"is_tuple", is_kind<tuple_p>},       {"is_map", is_kind<map_p>},
      {"is_pid", is_kind<pid_p>},         {"is_reference", is_kind<reference_p>}, {"is_function", is_kind<function_p>},
      {"is_nil", is_kind<nil_p>},
  };
  for (const auto& g : guards) t.add(K, g.name, 1, g.f, std::string(g.name) + "(term): true if the term is of that type");
  t.add(K, "elem", 2, elem, "elem(tuple, index): the element at a zero-based index");
  t.add(K, "put_elem", 3, put_elem, "put_elem(tuple, index, value): the tuple with one element replaced");
  t.add(K, "tuple_size", 1, tuple_size, "tuple_size(tuple): how many elements");
  t.add(K, "length", 1, length, "length(list): how many elements");
  t.add(K, "hd", 1, hd, "hd(list): the first element");
  t.add(K, "tl", 1, tl, "tl(list): all but the first element");
  t.add(K, "map_size", 1, map_size, "map_size(map): how many keys");
  t.add(K, "byte_size", 1, byte_size, "byte_size(binary): how many bytes");
  t.add(K, "abs", 1, abs_, "abs(number)");
  t.add(K, "div", 2, div_, "div(a, b): integer division, rounded towards zero");
  t.add(K, "rem", 2, rem_, "rem(a, b): the remainder of div");
  t.add(K, "max", 2, max_, "max(a, b): the larger in term order");
  t.add(K, "min", 2, min_, "min(a, b): the smaller in term order");
  t.add(K, "round", 1, round_, "round(number): the nearest integer");
  t.add(K, "trunc", 1, trunc_, "trunc(number): the integer part");
  t.add(K, "to_string", 1, to_string_, "to_string(term): String.Chars");
  t.add(K, "inspect", 1, inspect_, "inspect(term): the term as iex prints it, as a string");
  t.add(K, "not", 1, not_, "not(boolean)");
  t.add(K, "raise", 1, raise_, "raise(message): raises RuntimeError");
  t.add(K, "raise", 2, raise2_, "raise(ExceptionModule, message: text)");
  t.add(K, "throw", 1, throw_, "throw(term)");
  t.add_async(K, "apply", 2, apply2, "apply(fun, args)");
  t.add_async(K, "apply", 3, apply3, "apply(module, name, args)");
  constexpr std::string_view io = "Elixir.IO";
  t.add(io, "puts", 1, io_puts, "IO.puts(text): writes text and a newline");
  t.add(io, "puts", 2, io_puts, "IO.puts(device, text)");
  t.add(io, "write", 1, io_write, "IO.write(text)");
  t.add(io, "write", 2, io_write, "IO.write(device, text)");
  t.add(io, "inspect", 1, io_inspect, "IO.inspect(term): prints the term as iex does and returns it");
  t.add(io, "inspect", 2, io_inspect, "IO.inspect(term, label: text)");
}

}  // namespace otter::shell

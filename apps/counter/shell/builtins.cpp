// The builtin table and the helpers builtins share (see builtins.hpp).
#include "builtins.hpp"

#include "errors.hpp"
#include "eval.hpp"

namespace otter::shell {

void builtin_table::add(std::string_view module, std::string_view name, std::size_t arity, sync_builtin f,
                        std::string doc) {
  fns_[{std::string(module), std::string(name), arity}] = builtin{f, nullptr, std::move(doc)};
}

void builtin_table::add_async(std::string_view module, std::string_view name, std::size_t arity, async_builtin f,
                              std::string doc) {
  fns_[{std::string(module), std::string(name), arity}] = builtin{nullptr, f, std::move(doc)};
}

const builtin* builtin_table::find(std::string_view module, std::string_view name, std::size_t arity) const {
  auto it = fns_.find(std::make_tuple(std::string(module), std::string(name), arity));
  return it == fns_.end() ? nullptr : &it->second;
}

bool builtin_table::has_module(std::string_view module) const {
  auto it = fns_.lower_bound(std::make_tuple(std::string(module), std::string(), std::size_t{0}));
  return it != fns_.end() && std::get<0>(it->first) == module;
}

std::vector<std::pair<std::string, std::size_t>> builtin_table::functions(std::string_view module) const {
  std::vector<std::pair<std::string, std::size_t>> out;
  for (auto it = fns_.lower_bound(std::make_tuple(std::string(module), std::string(), std::size_t{0}));
       it != fns_.end() && std::get<0>(it->first) == module; ++it)
    out.emplace_back(std::get<1>(it->first), std::get<2>(it->first));
  return out;
}

std::vector<std::string> builtin_table::modules() const {
  std::vector<std::string> out;
  for (const auto& [key, b] : fns_)
    if (out.empty() || out.back() != std::get<0>(key)) out.push_back(std::get<0>(key));
  return out;
}

const builtin* builtin_table::doc_of(std::string_view module, std::string_view name) const {
  for (auto it = fns_.lower_bound(std::make_tuple(std::string(module), std::string(name), std::size_t{0}));
       it != fns_.end() && std::get<0>(it->first) == module && std::get<1>(it->first) == name; ++it)
    if (!it->second.doc.empty()) return &it->second;
  return nullptr;
}

const builtin_table& builtins() {
  static const builtin_table table = [] {
    builtin_table t;
    register_kernel(t);
    register_enum(t);
    register_data(t);
    register_ets(t);
    register_otp(t);
    register_process(t);
    register_counter(t);
    register_task(t);
    return t;
  }();
  return table;
}

std::string elixir_line(std::string_view text) { return "    (elixir 1.14.0) lib/" + std::string(text) + "\n"; }
std::string stdlib_line(std::string_view text) { return "    (stdlib 4.2) " + std::string(text) + "\n"; }

std::string module_display(std::string_view module) {
  if (module.starts_with("Elixir.")) return std::string(module.substr(7));
  return term(atom(module)).to_string();
}

std::string call_context::shown(const std::vector<value>& args) const {
  std::string out = module == "Elixir.Kernel" ? std::string() : module_display(module) + ".";
  out += std::string(name) + "(";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    out += inspect_value(args[i]);
  }
  return out + ")";
}

namespace {

[[noreturn]] void bad(const call_context& c, std::vector<value>& args, std::size_t i, std::string_view what) {
  raise_badarg(i + 1, what, c.shown(args));
}

}  // namespace

const term& arg_term(const call_context& c, std::vector<value>& args, std::size_t i) {
  if (args.at(i).is_fun()) bad(c, args, i, "not a term (a function)");
  return args[i].t;
}

std::int64_t arg_int(const call_context& c, std::vector<value>& args, std::size_t i) {
  const term& t = arg_term(c, args, i);
  if (!t.is_integer()) bad(c, args, i, "not an integer");
  return t.as_int();
}

atom arg_atom(const call_context& c, std::vector<value>& args, std::size_t i) {
  const term& t = arg_term(c, args, i);
  if (!t.is_atom()) bad(c, args, i, "not an atom");
  return t.as_atom();
}

const value& arg_fun(const call_context& c, std::vector<value>& args, std::size_t i, std::size_t arity) {
  const value& v = args.at(i);
  if (!v.is_fun()) bad(c, args, i, "not a fun");
  if (v.f->arity != arity)
    raise("BadArityError", inspect_value(v) + " with arity " + std::to_string(v.f->arity) + " called with " +
                               std::to_string(arity) + " argument" + (arity == 1 ? "" : "s"));
  return v;
}

std::vector<term> enumerate(const call_context& c, const value& v) {
  (void)c;
  if (v.is_fun()) raise("Protocol.UndefinedError", "protocol Enumerable not implemented for " + inspect_value(v) + " of type Function");
  const term& t = v.t;
  if (t.is_proper_list()) {
    const auto e = t.elements();
    return std::vector<term>(e.begin(), e.end());
  }
  if (t.is_map()) {
    static const term struct_key(atom("__struct__")), range_mod(atom("Elixir.Range"));
    const term* s = t.find(struct_key);
    if (s && *s == range_mod) {
      // In 128 bits: last - first and -step cannot overflow.
      const __int128 first = t.at(term(atom("first"))).as_int(), last = t.at(term(atom("last"))).as_int(),
                     step = t.at(term(atom("step"))).as_int();
      const __int128 count = step > 0 ? (last >= first ? (last - first) / step + 1 : 0)
                                      : (first >= last ? (first - last) / -step + 1 : 0);
      constexpr std::int64_t max_elements = 10'000'000;  // 160 MB of terms: ranges are listed, not streamed
      if (count > max_elements)
        raise_argument_error("the otter shell enumerates at most " + std::to_string(max_elements) +
                             " elements of a range, got " + inspect_value(v));
      std::vector<term> out;
      out.reserve(static_cast<std::size_t>(count));
      for (__int128 i = 0; i < count; ++i) out.emplace_back(static_cast<std::int64_t>(first + i * step));
      return out;
    }
    std::vector<term> out;
    out.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) out.push_back(otter::tuple(t.map_key(i), t.map_value(i)));
    return out;
  }
  raise("Protocol.UndefinedError", "protocol Enumerable not implemented for " + inspect_value(v) + " of type " +
                                       std::string(t.is_tuple() ? "Tuple" : t.is_atom() ? "Atom" : t.is_integer() ? "Integer"
                                                                       : t.is_binary() ? "BitString" : "Term"));
}

}  // namespace otter::shell

// Printing values as iex does (see value.hpp).
#include "value.hpp"

#include <atomic>

namespace otter::shell {

std::uint64_t next_fun_id() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

namespace {

std::string module_shown(const std::string& m) {
  if (m.empty()) return {};
  if (m.starts_with("Elixir.")) return m.substr(7) + ".";
  return term(atom(m)).to_string() + ".";
}

// Ranges are %Range{} structs (maps); iex prints them as first..last//step.
bool print_range(const term& t, std::string& out) {
  static const term struct_key(atom("__struct__")), range_mod(atom("Elixir.Range")), first_key(atom("first")),
      last_key(atom("last")), step_key(atom("step"));
  if (!t.is_map() || t.size() != 4) return false;
  const term* s = t.find(struct_key);
  if (!s || *s != range_mod) return false;
  const term *first = t.find(first_key), *last = t.find(last_key), *step = t.find(step_key);
  if (!first || !last || !step) return false;
  out = first->to_string() + ".." + last->to_string();
  // As Elixir 1.14: the step is left out only when it is 1 and the range ascends (5..1 is 5..1//-1).
  const bool default_step = step->is_integer() && first->is_integer() && last->is_integer() && step->as_int() == 1 &&
                            first->as_int() <= last->as_int();
  if (!default_step) out += "//" + step->to_string();
  return true;
}

}  // namespace

std::string inspect_value(const value& v) {
  if (v.is_fun()) {
    const fun& f = *v.f;
    if (!f.fn) return "&" + module_shown(f.module) + f.name + "/" + std::to_string(f.arity);
    return "#Function<" + std::to_string(f.id) + "." + std::to_string(40000000 + f.id * 7919 % 9000000) + "/" +
           std::to_string(f.arity) + " in :erl_eval.expr/6>";
  }
  std::string range;
  if (print_range(v.t, range)) return range;
  return inspect(v.t);
}

}  // namespace otter::shell

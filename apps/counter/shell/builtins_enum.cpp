// The shell's Enum builtins: Elixir's Enum over lists, ranges and maps (as
// {key, value} tuples), with the results and errors iex 1.14 prints.
//
// Functions that take a function are coroutines (add_async): calling a
// shell function may wait. Results are terms, which hold no functions, so a
// callback that returns a function where a term must go is an ArgumentError.
//
// The errors Elixir raises for wrong arguments are reproduced whole where
// users meet them: Protocol.UndefinedError for what is not enumerable (with
// the stacktrace lines iex shows for each function), FunctionClauseError
// with its "following arguments were given" block, Enum.EmptyError. The
// FunctionClauseError helper here also serves builtins_data.cpp.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "builtins.hpp"
#include "errors.hpp"
#include "eval.hpp"

namespace otter::shell {

// --- shared with builtins_data.cpp (declared there) ---

/// `text` as Elixir's FunctionClauseError shows a guard or pattern part:
/// as it is when it held, between dashes when it did not.
std::string blame_part(bool held, std::string_view text) {
  return held ? std::string(text) : "-" + std::string(text) + "-";
}

/// Elixir's FunctionClauseError as iex prints it: `fn` ("String.length/1"),
/// the arguments given, the clauses tried (with blame_part() marks; none for
/// Erlang functions) and the stacktrace lines (each ending in "\n").
[[noreturn]] void raise_function_clause(std::string_view fn, const std::vector<value>& given,
                                        const std::vector<std::string>& clauses, std::string trace) {
  std::string m = "no function clause matching in " + std::string(fn) + "    \n    \n    The following arguments were given to " +
                  std::string(fn) + ":\n";
  for (std::size_t i = 0; i < given.size(); ++i) {
    m += "    \n        # " + std::to_string(i + 1) + "\n        ";
    for (char ch : inspect_value(given[i])) m += ch == '\n' ? std::string("\n        ") : std::string(1, ch);
    m += "\n";
  }
  if (!clauses.empty()) {
    const std::string n = std::to_string(clauses.size());
    m += "    \n    Attempted function clauses (showing " + n + " out of " + n + "):\n    \n";
    for (const std::string& c : clauses) m += "        " + c + "\n";
  }
  raise("FunctionClauseError", m + "    ", std::move(trace));
}

/// `v` as a term, for a result that goes into `where` ("a list", "a map").
const term& need_term_in(const value& v, std::string_view where) {
  if (v.is_fun())
    raise_argument_error("the otter shell cannot put a function inside " + std::string(where) +
                         " (terms hold no functions); bind it to a variable instead");
  return v.t;
}

namespace {

using args_t = std::vector<value>;


bool is_range(const term& t) {
  static const term struct_key(atom("__struct__")), range(atom("Elixir.Range"));
  const term* s = t.is_map() ? t.find(struct_key) : nullptr;
  return s && *s == range;
}

// A range's fields, for the functions that, as in Elixir, answer from them
// without listing the elements (count, member?, at, sum, empty?): 1..10**15
// is a fine thing to ask about.
struct range_fields {
  std::int64_t first, last, step;
  __int128 size() const {
    const __int128 span = static_cast<__int128>(last) - first;
    if (step > 0 ? span < 0 : span > 0) return 0;
    return span / step + 1;
  }
  __int128 at(__int128 i) const { return first + i * step; }
};
std::optional<range_fields> range_of(const value& v) {
  if (v.is_fun() || !is_range(v.t)) return std::nullopt;
  return range_fields{v.t.at(term(atom("first"))).as_int(), v.t.at(term(atom("last"))).as_int(),
                      v.t.at(term(atom("step"))).as_int()};
}

// Elixir's name for the type of `v`, as Protocol.UndefinedError says it.
std::string elixir_type(const value& v) {
  if (v.is_fun()) return "Function";
  switch (v.t.kind()) {
    case term_kind::integer: return "Integer";
    case term_kind::float_: return "Float";
    case term_kind::atom: return "Atom";
    case term_kind::reference: return "Reference";
    case term_kind::pid: return "PID";
    case term_kind::tuple: return "Tuple";
    case term_kind::map: return is_range(v.t) ? "Range (a struct)" : "Map";
    case term_kind::nil:
    case term_kind::list: return "List";
    case term_kind::binary: return "BitString";
  }
  return "Term";
}

// The stacktrace iex prints under "protocol Enumerable not implemented"
// for each Enum function (`key` is name/arity; a few paths have their own).
std::string enumerable_trace(std::string_view key) {
  // How Enum reached the protocol: Enumerable.reduce/3 for most.
  static const char* const reduce = "enum.ex:166: Enumerable.reduce/3";
  static const char* const slice = "enum.ex:230: Enumerable.slice/1";
  struct entry {
    std::string_view key;
    const char* via;
    std::vector<std::string_view> lines;
  };
  static const std::vector<entry> table = {
      {"each/2", reduce, {"enum.ex:4307: Enum.each/2"}},
      {"map/2", reduce, {"enum.ex:4307: Enum.map/2"}},
      {"filter/2", reduce, {"enum.ex:4307: Enum.filter/2"}},
      {"reject/2", reduce, {"enum.ex:4307: Enum.reject/2"}},
      {"reduce/2", reduce, {"enum.ex:2418: Enum.reduce/2"}},
      {"reduce/3", reduce, {"enum.ex:4307: Enum.reduce/3"}},
      {"sum/1", reduce, {"enum.ex:4307: Enum.sum/1"}},
      {"count/1", "enum.ex:178: Enumerable.count/1", {"enum.ex:690: Enum.count/1"}},
      {"count/2", reduce, {"enum.ex:4307: Enum.count/2"}},
      {"to_list/1", reduce, {"enum.ex:4307: Enum.reverse/1", "enum.ex:3646: Enum.to_list/1"}},
      {"member?/2", "enum.ex:194: Enumerable.member?/2", {"enum.ex:1960: Enum.member?/2"}},
      {"at", slice, {"enum.ex:4379: Enum.slice_forward/4", "enum.ex:468: Enum.at/3"}},
      {"at-", slice, {"enum.ex:4460: Enum.slice_count_and_fun/2", "enum.ex:4361: Enum.slice_forward/4", "enum.ex:468: Enum.at/3"}},
      {"find", reduce, {"enum.ex:1150: Enum.find/3"}},
      {"any?/1", reduce, {"enum.ex:405: Enum.any?/1"}},
      {"all?/1", reduce, {"enum.ex:339: Enum.all?/1"}},
      {"any?/2", reduce, {"enum.ex:436: Enum.any?/2"}},
      {"all?/2", reduce, {"enum.ex:375: Enum.all?/2"}},
      {"max/1", reduce, {"enum.ex:4307: Enum.aggregate/3"}},
      {"min/1", reduce, {"enum.ex:4307: Enum.aggregate/3"}},
      {"sort", reduce, {"enum.ex:4307: Enum.sort/2"}},
      {"reverse/1", reduce, {"enum.ex:4307: Enum.reverse/1"}},
      {"take/2", reduce, {"enum.ex:3448: Enum.take/2"}},
      {"take-", slice, {"enum.ex:4460: Enum.slice_count_and_fun/2", "enum.ex:3459: Enum.take/2"}},
      {"drop/2", reduce, {"enum.ex:4307: Enum.drop/2"}},
      {"drop-", slice, {"enum.ex:4460: Enum.slice_count_and_fun/2", "enum.ex:897: Enum.drop/2"}},
      {"with_index", reduce, {"enum.ex:4307: Enum.map_reduce/3", "enum.ex:3783: Enum.with_index/2"}},
      {"with_index-fun", reduce, {"enum.ex:4307: Enum.map_reduce/3", "enum.ex:3789: Enum.with_index/2"}},
      {"zip/2", reduce, {"(stdlib 4.2) lists.erl:1442: :lists.foreach_1/2", "stream.ex:1369: Stream.do_zip_enum/4",
                         "enum.ex:3983: Enum.zip_reduce/3", "enum.ex:3837: Enum.zip/1"}},
      {"join/1", reduce, {"enum.ex:4307: Enum.map/2", "enum.ex:1617: Enum.join/2"}},
      {"join/2", reduce, {"enum.ex:4307: Enum.join/2"}},
      {"uniq/1", reduce, {"enum.ex:4307: Enum.uniq_by/2"}},
      {"into-list", reduce, {"enum.ex:4307: Enum.reverse/1", "enum.ex:3646: Enum.to_list/1"}},
      {"into-map", reduce, {"enum.ex:4307: Enum.reverse/1", "enum.ex:3646: Enum.to_list/1", "enum.ex:1487: Enum.into_map/1"}},
      {"into-map2", reduce, {"enum.ex:4307: Enum.reduce/3"}},
      {"into-binary", reduce, {"enum.ex:1518: Enum.reduce_into_protocol/3", "enum.ex:1502: Enum.into_protocol/2"}},
      {"empty?/1", slice, {"enum.ex:1007: Enum.empty?/1"}},
      {"frequencies/1", reduce, {"enum.ex:4307: Enum.frequencies/1"}},
      {"group_by/2", reduce, {"enum.ex:4307: Enum.reverse/1", "enum.ex:1374: Enum.group_by/3"}},
      {"random/1", slice, {"enum.ex:2356: Enum.random/1"}},
      {"flat_map/2", reduce, {"enum.ex:4307: Enum.flat_map/2"}},
      {"flat_map-result", reduce, {"enum.ex:4307: Enum.reverse/1", "enum.ex:3646: Enum.to_list/1", "enum.ex:4251: Enum.flat_map_list/2"}},
  };
  for (const entry& e : table) {
    if (e.key != key) continue;
    std::string out = elixir_line("enum.ex:1: Enumerable.impl_for!/1") + elixir_line(e.via);
    for (std::string_view l : e.lines) out += l.starts_with("(") ? "    " + std::string(l) + "\n" : elixir_line(l);
    return out;
  }
  return {};
}

// The elements of `v` if it is enumerable (a list, a range, a map), else
// Protocol.UndefinedError with the trace of `trace_key` (default: name/arity).
std::vector<term> elements(const call_context& c, const value& v, std::string_view trace_key) {
  if (v.is_fun() || !(v.t.is_proper_list() || v.t.is_map()))
    raise("Protocol.UndefinedError",
          "protocol Enumerable not implemented for " + inspect_value(v) + " of type " + elixir_type(v),
          enumerable_trace(trace_key));
  return enumerate(c, v);
}
std::vector<term> elements(const call_context& c, const args_t& args) {
  return elements(c, args[0], std::string(c.name) + "/" + std::to_string(args.size()));
}

bool truthy_value(const value& v) { return v.is_fun() || truthy(v.t); }

// Calls `f`; the argument vector is built here, never inside a co_await
// expression (g++ 12 miscompiles class temporaries there).
task<value> call1(session& s, const value& f, const term& x) {
  std::vector<value> a;
  a.emplace_back(x);
  co_return co_await apply(s, f, a);
}
task<value> call2(session& s, const value& f, const term& x, const term& y) {
  std::vector<value> a;
  a.emplace_back(x);
  a.emplace_back(y);
  co_return co_await apply(s, f, a);
}

[[noreturn]] void empty_error(std::string_view trace_line) { raise("Enum.EmptyError", "empty error", elixir_line(trace_line)); }

term list_of(std::vector<term>&& v) { return term::list_of(std::move(v)); }

// --- Enum ---

task<value> enum_each(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  for (const term& x : items) (void)co_await call1(c.s, args[1], x);
  co_return value(term(atoms::ok));
}

task<value> enum_map(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  // Enum.map/2 hands a list to :lists.map, whose clause wants a function
  // (and calling a non-function fails inside it).
  if (!args[1].is_fun() && args[0].t.is_list()) {
    const std::string line = elixir_line("enum.ex:1658: Enum.\"-map/2-lists^map/1-0-\"/2");
    if (items.empty()) raise_function_clause("Enum.\"-map/2-lists^map/1-0-\"/2", {args[1], args[0]}, {}, line);
    raise("BadFunctionError", "expected a function, got: " + inspect_value(args[1]), line + line);
  }
  std::vector<term> out;
  for (const term& x : items) {
    const value r = co_await call1(c.s, args[1], x);
    out.push_back(need_term_in(r, "a list"));
  }
  co_return value(list_of(std::move(out)));
}

task<value> enum_filter(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  const bool keep = c.name == "filter";  // reject keeps the others
  std::vector<term> out;
  for (const term& x : items) {
    const value r = co_await call1(c.s, args[1], x);
    if (truthy_value(r) == keep) out.push_back(x);
  }
  co_return value(list_of(std::move(out)));
}

task<value> enum_reduce2(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  if (items.empty()) empty_error(args[0].t.is_list() ? "enum.ex:2414: Enum.reduce/2" : "enum.ex:2424: Enum.reduce/2");
  value acc(items[0]);
  for (std::size_t i = 1; i < items.size(); ++i) {
    const term a = need_term_in(acc, "an accumulator of Enum.reduce/2");
    acc = co_await call2(c.s, args[1], items[i], a);
  }
  co_return acc;
}

task<value> enum_reduce3(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  value acc = args[1];
  for (const term& x : items) {
    const term a = need_term_in(acc, "an accumulator of Enum.reduce/3");
    acc = co_await call2(c.s, args[2], x, a);
  }
  co_return acc;
}

value enum_sum(call_context& c, args_t& args) {
  if (const auto r = range_of(args[0])) {
    const __int128 n = r->size(), sum = n == 0 ? 0 : (static_cast<__int128>(r->first) + r->at(n - 1)) * n / 2;
    if (sum < INT64_MIN || sum > INT64_MAX)
      raise("ArithmeticError", "integer overflow in Enum.sum(" + inspect_value(args[0]) +
                                   ") (the otter shell's integers are 64-bit)");
    return term(static_cast<std::int64_t>(sum));
  }
  const std::vector<term> items = elements(c, args);
  term acc(0);
  for (const term& x : items) {
    // Enum.sum folds with x + acc; that order shows in the message.
    if (!x.is_number()) {
      const std::string where = args[0].t.is_map() ? elixir_line("enum.ex:2480: anonymous fn/3 in Enum.sum/1") +
                                                         "    (stdlib 4.2) maps.erl:411: :maps.fold_1/3\n"
                                                   : elixir_line("enum.ex:2468: Enum.\"-sum/1-lists^foldl/2-0-\"/2");
      raise("ArithmeticError", "bad argument in arithmetic expression: " + inspect(x) + " + " + inspect(acc),
            "    :erlang.+(" + inspect(x) + ", " + inspect(acc) + ")\n" + where);
    }
    if (x.is_integer() && acc.is_integer()) {
      std::int64_t r = 0;
      if (__builtin_add_overflow(x.as_int(), acc.as_int(), &r))
        raise("ArithmeticError", "integer overflow in " + inspect(x) + " + " + inspect(acc) +
                                     " (the otter shell's integers are 64-bit)");
      acc = term(r);
    } else {
      const double r = x.as_number() + acc.as_number();
      if (!std::isfinite(r))
        raise("ArithmeticError", "bad argument in arithmetic expression: " + inspect(x) + " + " + inspect(acc),
              "    :erlang.+(" + inspect(x) + ", " + inspect(acc) + ")\n");
      acc = term(r);
    }
  }
  return acc;
}

value enum_count1(call_context& c, args_t& args) {
  if (const auto r = range_of(args[0])) return term(static_cast<std::int64_t>(r->size()));
  return term(static_cast<std::int64_t>(elements(c, args).size()));
}

task<value> enum_count2(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  std::int64_t n = 0;
  for (const term& x : items) {
    const value r = co_await call1(c.s, args[1], x);
    n += truthy_value(r) ? 1 : 0;
  }
  co_return value(term(n));
}

value enum_to_list(call_context& c, args_t& args) { return list_of(elements(c, args)); }

value enum_member(call_context& c, args_t& args) {
  if (const auto r = range_of(args[0])) {
    if (args[1].is_fun() || !args[1].t.is_integer()) return term(false);
    const __int128 offset = static_cast<__int128>(args[1].t.as_int()) - r->first;
    return term(offset % r->step == 0 && offset / r->step >= 0 && offset / r->step < r->size());
  }
  const std::vector<term> items = elements(c, args);
  if (args[1].is_fun()) return term(false);  // no term equals a function
  return term(std::find(items.begin(), items.end(), args[1].t) != items.end());
}

value enum_at(call_context& c, args_t& args) {
  const value fallback = args.size() == 3 ? args[2] : value(term(atoms::nil));
  if (args[1].is_fun() || !args[1].t.is_integer())
    raise_function_clause("Enum.at/3", {args[0], args[1], fallback},
                          {"def at(enumerable, index, default) when -is_integer(index)-"},
                          elixir_line("enum.ex:467: Enum.at/3"));
  const std::int64_t i = args[1].t.as_int();
  if (const auto r = range_of(args[0])) {
    const __int128 at = i < 0 ? r->size() + i : i;
    return at < 0 || at >= r->size() ? fallback : value(term(static_cast<std::int64_t>(r->at(at))));
  }
  const std::vector<term> items = elements(c, args[0], i < 0 ? "at-" : "at");
  const std::int64_t n = static_cast<std::int64_t>(items.size());
  const std::int64_t at = i < 0 ? n + i : i;
  if (at < 0 || at >= n) return fallback;
  return items[static_cast<std::size_t>(at)];
}

task<value> enum_find(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args[0], "find");
  const value& f = args.back();
  for (const term& x : items) {
    const value r = co_await call1(c.s, f, x);
    if (truthy_value(r)) co_return value(x);
  }
  co_return args.size() == 3 ? args[1] : value(term(atoms::nil));
}

// any?/1, all?/1 test the elements themselves; any?/2, all?/2 a function of them.
task<value> enum_any_all(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  const bool any = c.name == "any?";
  for (const term& x : items) {
    bool t = truthy(x);
    if (args.size() == 2) {
      const value r = co_await call1(c.s, args[1], x);
      t = truthy_value(r);
    }
    if (t == any) co_return value(term(any));
  }
  co_return value(term(!any));
}

// max and min keep the first of equal elements, as :lists.max/min do.
value enum_max_min(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  const bool max = c.name == "max";
  if (items.empty())
    empty_error(max ? "enum.ex:1855: anonymous fn/0 in Enum.max/1" : "enum.ex:2035: anonymous fn/0 in Enum.min/1");
  const term* best = &items[0];
  for (const term& x : items)
    if (max ? x > *best : x < *best) best = &x;
  return *best;
}

value enum_sort1(call_context& c, args_t& args) {
  std::vector<term> items = elements(c, args[0], "sort");
  std::stable_sort(items.begin(), items.end(), [](const term& a, const term& b) { return a < b; });
  return list_of(std::move(items));
}

task<value> enum_sort2(call_context& c, args_t& args) {
  const value& how = args[1];
  const bool by_fun = how.is_fun() && how.f->arity == 2;
  if (!by_fun && (how.is_fun() || !how.t.is_atom()))
    raise_function_clause("Enum.to_sort_fun/1", {how},
                          {"defp to_sort_fun(sorter) when -is_function(sorter, 2)-", "defp to_sort_fun(-:asc-)",
                           "defp to_sort_fun(-:desc-)", "defp to_sort_fun(module) when -is_atom(module)-",
                           "defp to_sort_fun(-{:asc, module}-) when -is_atom(module)-",
                           "defp to_sort_fun(-{:desc, module}-) when -is_atom(module)-"},
                          elixir_line("enum.ex:3135: Enum.to_sort_fun/1") + elixir_line("enum.ex:3125: Enum.sort/2"));
  std::vector<term> items = elements(c, args[0], "sort");
  if (!by_fun) {
    const bool asc = how.t.is_atom(atom("asc"));
    if (!asc && !how.t.is_atom(atom("desc"))) {
      // Any other atom is a module with compare/2 (Date, ...): none here.
      if (items.size() < 2) co_return value(list_of(std::move(items)));
      const std::string m = module_display(how.t.as_atom().text());
      raise("UndefinedFunctionError",
            "function " + m + ".compare/2 is undefined (module " + m + " is not available)",
            "    " + m + ".compare(" + inspect(items[0]) + ", " + inspect(items[1]) + ")\n" +
                elixir_line("enum.ex:3138: anonymous fn/3 in Enum.to_sort_fun/1") +
                "    (stdlib 4.2) lists.erl:1022: :lists.sort/2\n");
    }
    std::stable_sort(items.begin(), items.end(), [asc](const term& a, const term& b) { return asc ? a < b : a > b; });
    co_return value(list_of(std::move(items)));
  }
  // A merge sort that takes the left element when fun(left, right) holds:
  // stable for <= and >=, as :lists.sort/2 is.
  std::vector<term> tmp(items.size());
  for (std::size_t width = 1; width < items.size(); width *= 2) {
    for (std::size_t lo = 0; lo < items.size(); lo += 2 * width) {
      const std::size_t mid = std::min(lo + width, items.size()), hi = std::min(lo + 2 * width, items.size());
      std::size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const value r = co_await call2(c.s, how, items[i], items[j]);
        tmp[k++] = truthy_value(r) ? items[i++] : items[j++];
      }
      while (i < mid) tmp[k++] = items[i++];
      while (j < hi) tmp[k++] = items[j++];
    }
    items.swap(tmp);
  }
  co_return value(list_of(std::move(items)));
}

value enum_reverse(call_context& c, args_t& args) {
  std::vector<term> items = elements(c, args);
  std::reverse(items.begin(), items.end());
  return list_of(std::move(items));
}

// take/2 and drop/2 want an integer count; Elixir's clauses for anything else.
void check_count(const call_context& c, const args_t& args) {
  const value& n = args[1];
  if (!n.is_fun() && n.t.is_integer()) return;
  const bool is_list = !args[0].is_fun() && args[0].t.is_list();
  // The guards compare in term order: :x > 0 holds, -1.5 > 0 does not.
  const bool pos = !n.is_fun() && n.t > term(0), neg = !n.is_fun() && n.t < term(0),
             nonneg = !n.is_fun() && n.t >= term(0);
  if (c.name == "take")
    raise_function_clause(
        "Enum.take/2", args,
        {"def take(_enumerable, -0-)",
         "def take(enumerable, amount) when " + blame_part(is_list, "is_list(enumerable)") + " and -is_integer(amount)- and " +
             blame_part(pos, "amount > 0"),
         "def take(enumerable, amount) when -is_integer(amount)- and " + blame_part(pos, "amount > 0"),
         "def take(enumerable, amount) when -is_integer(amount)- and " + blame_part(neg, "amount < 0")},
        elixir_line("enum.ex:3439: Enum.take/2"));
  raise_function_clause(
      "Enum.drop/2", args,
      {"def drop(enumerable, amount) when " + blame_part(is_list, "is_list(enumerable)") + " and -is_integer(amount)- and " +
           blame_part(nonneg, "amount >= 0"),
       "def drop(enumerable, -0-)", "def drop(enumerable, amount) when -is_integer(amount)- and " + blame_part(pos, "amount > 0"),
       "def drop(enumerable, amount) when -is_integer(amount)- and " + blame_part(neg, "amount < 0")},
      elixir_line("enum.ex:882: Enum.drop/2"));
}

value enum_take_drop(call_context& c, args_t& args) {
  check_count(c, args);
  const std::int64_t n = args[1].t.as_int();
  const bool take = c.name == "take";
  if (take && n == 0) return term();  // take(_, 0) never looks at the enumerable
  const std::string key = n == 0 ? "to_list/1" : std::string(c.name) + (n < 0 ? "-" : "/2");
  std::vector<term> items = elements(c, args[0], key);
  const std::size_t size = items.size();
  const std::uint64_t magnitude = n < 0 ? static_cast<std::uint64_t>(-(n + 1)) + 1 : static_cast<std::uint64_t>(n);
  const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(size, magnitude));
  // take n: the first n (n < 0: the last -n); drop n: all but those.
  std::size_t from = 0, to = size;
  if (take) {
    if (n > 0) to = k;
    else from = size - k;
  } else {
    if (n >= 0) from = k;
    else to = size - k;
  }
  return list_of(std::vector<term>(items.begin() + static_cast<std::ptrdiff_t>(from),
                                   items.begin() + static_cast<std::ptrdiff_t>(to)));
}

task<value> enum_with_index(call_context& c, args_t& args) {
  const bool has_fun = args.size() == 2 && args[1].is_fun() && args[1].f->arity == 2;
  if (args.size() == 2 && !has_fun && (args[1].is_fun() || !args[1].t.is_integer())) {
    const bool is_list = !args[0].is_fun() && args[0].t.is_list();
    raise_function_clause("Enum.with_index/2", args,
                          {"def with_index(enumerable, offset) when " + blame_part(is_list, "is_list(enumerable)") +
                               " and -is_integer(offset)-",
                           "def with_index(enumerable, fun) when " + blame_part(is_list, "is_list(enumerable)") +
                               " and -is_function(fun, 2)-",
                           "def with_index(enumerable, offset) when -is_integer(offset)-",
                           "def with_index(enumerable, fun) when -is_function(fun, 2)-"},
                          elixir_line("enum.ex:3773: Enum.with_index/2"));
  }
  const std::vector<term> items = elements(c, args[0], has_fun ? "with_index-fun" : "with_index");
  const std::int64_t offset = args.size() == 2 && !has_fun ? args[1].t.as_int() : 0;
  std::vector<term> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const term index(offset + static_cast<std::int64_t>(i));
    if (has_fun) {
      const value r = co_await call2(c.s, args[1], items[i], index);
      out.push_back(need_term_in(r, "a list"));
    } else {
      out.push_back(otter::tuple(items[i], index));
    }
  }
  co_return value(list_of(std::move(out)));
}

value enum_zip(call_context& c, args_t& args) {
  const std::vector<term> a = elements(c, args[0], "zip/2"), b = elements(c, args[1], "zip/2");
  std::vector<term> out;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) out.push_back(otter::tuple(a[i], b[i]));
  return list_of(std::move(out));
}

value enum_join(call_context& c, args_t& args) {
  if (args.size() == 2 && (args[1].is_fun() || !args[1].t.is_binary())) {
    const bool is_list = !args[0].is_fun() && args[0].t.is_list();
    raise_function_clause("Enum.join/2", args,
                          {"def join(enumerable, -\"\"-)",
                           "def join(enumerable, joiner) when " + blame_part(is_list, "is_list(enumerable)") +
                               " and -is_binary(joiner)-",
                           "def join(enumerable, joiner) when -is_binary(joiner)-"},
                          elixir_line("enum.ex:1615: Enum.join/2"));
  }
  const std::vector<term> items = elements(c, args);
  const std::string joiner = args.size() == 2 ? std::string(args[1].t.as_binary()) : std::string();
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? joiner : std::string()) + to_chars(value(items[i]));
  return term(out);
}

value enum_uniq(call_context& c, args_t& args) {
  std::vector<term> out;
  std::unordered_set<term> seen;  // exact equality: 1 and 1.0 both stay, as in Elixir
  for (const term& x : elements(c, args))
    if (seen.insert(x).second) out.push_back(x);
  return list_of(std::move(out));
}

value enum_into(call_context& c, args_t& args);

// Enum.into(enumerable, collectable, transform): the transformed elements, put into.
task<value> enum_into3(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args[0], "into-list");
  std::vector<term> mapped;
  mapped.reserve(items.size());
  for (const term& x : items) {
    const value r = co_await call1(c.s, args[2], x);
    mapped.push_back(need_term_in(r, "a collectable"));
  }
  args_t into_args{value(list_of(std::move(mapped))), args[1]};
  co_return enum_into(c, into_args);
}

value enum_into(call_context& c, args_t& args) {
  const value& into = args[1];
  if (!into.is_fun() && into.t.is_list()) {
    std::vector<term> items = elements(c, args[0], "into-list");
    return term::list_of(into.t.elements(), list_of(std::move(items)));
  }
  if (!into.is_fun() && into.t.is_map() && !is_range(into.t)) {
    const std::vector<term> items = elements(c, args[0], into.t.size() == 0 ? "into-map" : "into-map2");
    // One map_of over the old entries and the new pairs (it keeps the last
    // of equal keys): linear, where a map_put per pair would copy the map each time.
    std::vector<std::pair<term, term>> entries;
    entries.reserve(into.t.size() + items.size());
    for (std::size_t i = 0; i < into.t.size(); ++i) entries.emplace_back(into.t.map_key(i), into.t.map_value(i));
    for (const term& kv : items) {
      if (!kv.is_tuple() || kv.size() != 2)
        raise("ArgumentError", "argument error",
              "    (stdlib 4.2) :maps.from_list(" + inspect(list_of(std::vector<term>(items)), {0, 50}) + ")\n" +
                  elixir_line(into.t.size() == 0 ? "enum.ex:1486: Enum.into_map/1" : "enum.ex:1493: Enum.into_map/2"));
      entries.emplace_back(kv[0], kv[1]);
    }
    return term::map_of(std::move(entries));
  }
  if (!into.is_fun() && into.t.is_binary()) {
    std::string out(into.t.as_binary());
    term acc = otter::list{into.t};  // Collectable.BitString's iodata so far: [[[s] | a] | b]
    for (const term& x : elements(c, args[0], "into-binary")) {
      if (!x.is_binary())
        raise_function_clause("anonymous fn/2 in Collectable.BitString.into/1", {value(acc), value(otter::tuple(atom("cont"), x))}, {},
                              "    (elixir 1.14.0) anonymous fn/2 in Collectable.BitString.into/1\n" +
                                  elixir_line("enum.ex:1513: Enum.\"-reduce_into_protocol/3-lists^foldl/2-0-\"/3") +
                                  elixir_line("enum.ex:1502: Enum.into_protocol/2"));
      out += x.as_binary();
      acc = term::list_of(std::span<const term>(&acc, 1), x);
    }
    return term(out);
  }
  raise("Protocol.UndefinedError",
        "protocol Collectable not implemented for " + inspect_value(into) + " of type " + elixir_type(into),
        elixir_line("collectable.ex:1: Collectable.impl_for!/1") + elixir_line("collectable.ex:92: Collectable.into/1") +
            elixir_line("enum.ex:1499: Enum.into_protocol/2"));
}

value enum_empty(call_context& c, args_t& args) {
  if (const auto r = range_of(args[0])) return term(r->size() == 0);
  return term(elements(c, args).empty());
}

value enum_frequencies(call_context& c, args_t& args) {
  std::unordered_map<term, std::int64_t> counts;  // exact equality, as map keys
  for (const term& x : elements(c, args)) ++counts[x];
  std::vector<std::pair<term, term>> entries;
  for (const auto& [k, n] : counts) entries.emplace_back(k, term(n));
  return term::map_of(std::move(entries));
}

task<value> enum_group_by(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  std::vector<std::pair<term, std::vector<term>>> groups;  // in order of first appearance
  std::unordered_map<term, std::size_t> index;
  for (const term& x : items) {
    const value r = co_await call1(c.s, args[1], x);
    const term& key = need_term_in(r, "a map");
    auto [it, fresh] = index.emplace(key, groups.size());
    if (fresh) groups.emplace_back(key, std::vector<term>());
    groups[it->second].second.push_back(x);
  }
  std::vector<std::pair<term, term>> entries;
  for (auto& [k, v] : groups) entries.emplace_back(k, list_of(std::move(v)));
  co_return value(term::map_of(std::move(entries)));
}

value enum_random(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  if (items.empty()) empty_error("enum.ex:2349: Enum.random/1");
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

task<value> enum_flat_map(call_context& c, args_t& args) {
  const std::vector<term> items = elements(c, args);
  std::vector<term> out;
  for (const term& x : items) {
    const value r = co_await call1(c.s, args[1], x);
    for (const term& y : elements(c, r, "flat_map-result")) out.push_back(y);
  }
  co_return value(list_of(std::move(out)));
}

}  // namespace

void register_enum(builtin_table& t) {
  const std::string_view m = "Elixir.Enum";
  t.add_async(m, "each", 2, enum_each, "Calls the function on each element; returns :ok");
  t.add_async(m, "map", 2, enum_map, "The list of the function's results on each element");
  t.add_async(m, "filter", 2, enum_filter, "The elements for which the function returns a truthy value");
  t.add_async(m, "reject", 2, enum_filter, "The elements for which the function returns false or nil");
  t.add_async(m, "reduce", 2, enum_reduce2, "Folds with fun.(element, acc), starting from the first element");
  t.add_async(m, "reduce", 3, enum_reduce3, "Folds with fun.(element, acc), starting from acc");
  t.add(m, "sum", 1, enum_sum, "The sum of the elements");
  t.add(m, "count", 1, enum_count1, "The number of elements");
  t.add_async(m, "count", 2, enum_count2, "The number of elements for which the function returns a truthy value");
  t.add(m, "to_list", 1, enum_to_list, "The elements as a list");
  t.add(m, "member?", 2, enum_member, "Whether the element is in the enumerable (===)");
  t.add(m, "at", 2, enum_at, "The element at the index (negative: from the end), or nil");
  t.add(m, "at", 3, enum_at, "The element at the index, or the default");
  t.add_async(m, "find", 2, enum_find, "The first element for which the function returns a truthy value, or nil");
  t.add_async(m, "find", 3, enum_find, "Enum.find(enumerable, default, fun)");
  t.add_async(m, "any?", 1, enum_any_all, "Whether any element is truthy");
  t.add_async(m, "any?", 2, enum_any_all, "Whether the function returns a truthy value for any element");
  t.add_async(m, "all?", 1, enum_any_all, "Whether every element is truthy");
  t.add_async(m, "all?", 2, enum_any_all, "Whether the function returns a truthy value for every element");
  t.add(m, "max", 1, enum_max_min, "The largest element in term order");
  t.add(m, "min", 1, enum_max_min, "The smallest element in term order");
  t.add(m, "sort", 1, enum_sort1, "The elements in term order");
  t.add_async(m, "sort", 2, enum_sort2, "Sorted by fun.(a, b) (true: a first), or :asc / :desc");
  t.add(m, "reverse", 1, enum_reverse, "The elements in reverse order");
  t.add(m, "take", 2, enum_take_drop, "The first n elements (n < 0: the last -n)");
  t.add(m, "drop", 2, enum_take_drop, "All but the first n elements (n < 0: but the last -n)");
  t.add_async(m, "with_index", 1, enum_with_index, "Each element as {element, index}");
  t.add_async(m, "with_index", 2, enum_with_index, "{element, offset + index}, or fun.(element, index)");
  t.add(m, "zip", 2, enum_zip, "Pairs {a, b} of the elements at each position, as long as the shorter");
  t.add(m, "join", 1, enum_join, "The elements as strings, concatenated");
  t.add(m, "join", 2, enum_join, "The elements as strings, with the joiner between them");
  t.add(m, "uniq", 1, enum_uniq, "The elements without repetitions");
  t.add(m, "into", 2, enum_into, "The elements put into a map (of {key, value}), a list or a string");
  t.add_async(m, "into", 3, enum_into3, "Enum.into(enumerable, collectable, fun): the transformed elements, put into");
  t.add(m, "empty?", 1, enum_empty, "Whether there are no elements");
  t.add(m, "frequencies", 1, enum_frequencies, "A map from each element to how often it occurs");
  t.add_async(m, "group_by", 2, enum_group_by, "A map from fun.(element) to the elements giving it");
  t.add(m, "random", 1, enum_random, "A random element");
  t.add_async(m, "flat_map", 2, enum_flat_map, "The function's results (lists) concatenated");
}

}  // namespace otter::shell

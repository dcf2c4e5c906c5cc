// The shell's small data modules: List, Map, Tuple, Keyword, String,
// Integer and Atom, the functions lecture users type, with the results and
// errors iex 1.14 prints (BadMapError, Erlang's badarg explanations,
// FunctionClauseError with the clauses Elixir shows).
//
// Strings are UTF-8 binaries. Case mapping covers Latin-1, Latin
// Extended-A, Greek and Cyrillic; graphemes (String.length, String.reverse)
// are code points with their combining marks, modifiers and joiners, which
// is Unicode's segmentation for all but rare scripts.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "builtins.hpp"
#include "term_text.hpp"  // otter's UTF-8 encoder (src/)
#include "errors.hpp"
#include "eval.hpp"

namespace otter::shell {

namespace {

using args_t = std::vector<value>;


// Arguments as a stacktrace line shows them: one line each, lists cut at 50.
std::string shown(const args_t& args) {
  std::string s;
  for (std::size_t i = 0; i < args.size(); ++i)
    s += (i ? ", " : "") + (args[i].is_fun() ? inspect_value(args[i]) : inspect(args[i].t, {0, 50}));
  return s;
}

bool is(const value& v, bool (term::*kind)() const noexcept) { return !v.is_fun() && (v.t.*kind)(); }

// Erlang's badarg explanations for several arguments (`why[i]` for argument
// i + 1, "" for none), with the call as the trace.
[[noreturn]] void badargs(const std::vector<std::string>& why, const std::string& trace) {
  std::string lines;
  for (std::size_t i = 0; i < why.size(); ++i)
    if (!why[i].empty()) lines += "  * " + ordinal(i + 1) + " argument: " + why[i] + "\n";
  raise("ArgumentError", "errors were found at the given arguments:\n\n" + lines, trace);
}

// Elements built here stay below this, as enumerate() keeps ranges: a typo
// like String.duplicate("a", 10**12) should not take the machine's memory.
constexpr std::int64_t max_elements = 100'000'000;

[[noreturn]] void too_big(std::string_view what) {
  raise("SystemLimitError", "a system limit has been reached (the otter shell builds " + std::string(what) +
                                " of at most " + std::to_string(max_elements) + " elements)");
}

// --- UTF-8 ---

// One code point of a string, or one byte that is not valid UTF-8 (cp = -1).
struct unit {
  char32_t cp;
  std::string_view bytes;
  bool valid() const { return cp != static_cast<char32_t>(-1); }
};

std::vector<unit> decode(std::string_view s) {
  std::vector<unit> out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    char32_t cp = n == 1 ? b : n == 2 ? b & 0x1f : n == 3 ? b & 0x0f : b & 0x07;
    bool ok = n != 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const unsigned char c = static_cast<unsigned char>(s[i + k]);
      ok = (c >> 6) == 2;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) {
      out.push_back({static_cast<char32_t>(-1), s.substr(i, 1)});
      ++i;
    } else {
      out.push_back({cp, s.substr(i, n)});
      i += n;
    }
  }
  return out;
}

void encode(char32_t cp, std::string& out) { otter::detail::append_utf8(out, static_cast<std::uint32_t>(cp)); }

// Latin Extended-A pairs capitals and small letters as even/odd code points
// in 0x100-0x137 and 0x14a-0x177, odd/even in 0x139-0x148 and 0x179-0x17e.
bool pair_even_upper(char32_t c) { return (c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177); }
bool pair_odd_upper(char32_t c) { return (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e); }

// The Latin digraphs DŽ Dž dž, LJ Lj lj, NJ Nj nj (capital, title, small)
// and DZ Dz dz: the first of each triple.
char32_t digraph(char32_t c) {
  if (c >= 0x1c4 && c <= 0x1cc) return 0x1c4 + (c - 0x1c4) / 3 * 3;
  if (c >= 0x1f1 && c <= 0x1f3) return 0x1f1;
  return 0;
}

char32_t to_upper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if (digraph(c)) return digraph(c);
  if (c >= 0xe0 && c <= 0xfe && c != 0xf7) return c - 32;
  if (c == 0xff) return 0x178;
  if (c == 0x131) return 'I';
  if (c == 0x17f) return 'S';
  if (pair_even_upper(c) && c % 2 == 1 && c != 0x131) return c - 1;
  if (pair_odd_upper(c) && c % 2 == 0) return c - 1;
  if (c == 0x3c2) return 0x3a3;  // final sigma
  if (c >= 0x3b1 && c <= 0x3cb) return c - 32;
  switch (c) {
    case 0x3ac: return 0x386;
    case 0x3ad: return 0x388;
    case 0x3ae: return 0x389;
    case 0x3af: return 0x38a;
    case 0x3cc: return 0x38c;
    case 0x3cd: return 0x38e;
    case 0x3ce: return 0x38f;
    default: break;
  }
  if (c >= 0x430 && c <= 0x44f) return c - 32;
  if (c >= 0x450 && c <= 0x45f) return c - 80;
  return c;
}

char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (digraph(c)) return digraph(c) + 2;
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 32;
  if (c == 0x178) return 0xff;
  if (pair_even_upper(c) && c % 2 == 0 && c != 0x130) return c + 1;
  if (pair_odd_upper(c) && c % 2 == 1) return c + 1;
  if (c >= 0x391 && c <= 0x3ab && c != 0x3a2) return c + 32;
  switch (c) {
    case 0x386: return 0x3ac;
    case 0x388: return 0x3ad;
    case 0x389: return 0x3ae;
    case 0x38a: return 0x3af;
    case 0x38c: return 0x3cc;
    case 0x38e: return 0x3cd;
    case 0x38f: return 0x3ce;
    default: break;
  }
  if (c >= 0x410 && c <= 0x42f) return c + 32;
  if (c >= 0x400 && c <= 0x40f) return c + 80;
  return c;
}

std::string change_case(std::string_view s, bool upper) {
  std::string out;
  for (const unit& u : decode(s)) {
    if (!u.valid()) {
      out += u.bytes;
    } else if (upper && u.cp == 0xdf) {
      out += "SS";  // ß has no single capital
    } else if (upper && u.cp == 0x149) {
      out += "\u02bcN";  // ŉ: apostrophe and N
    } else if (!upper && u.cp == 0x130) {
      out += "i\u0307";  // İ: i and a combining dot above
    } else {
      encode(upper ? to_upper(u.cp) : to_lower(u.cp), out);
    }
  }
  return out;
}

// Code points that belong to the grapheme before them.
bool extends(char32_t c) {
  return (c >= 0x300 && c <= 0x36f) || (c >= 0x483 && c <= 0x489) || (c >= 0x591 && c <= 0x5bd) ||
         (c >= 0x610 && c <= 0x61a) || (c >= 0x64b && c <= 0x65f) || (c >= 0x1ab0 && c <= 0x1aff) ||
         (c >= 0x1dc0 && c <= 0x1dff) || c == 0x200c || c == 0x200d || (c >= 0x20d0 && c <= 0x20ff) ||
         (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfe20 && c <= 0xfe2f) || (c >= 0x1f3fb && c <= 0x1f3ff) ||
         (c >= 0xe0020 && c <= 0xe007f) || (c >= 0xe0100 && c <= 0xe01ef);
}
bool regional_indicator(char32_t c) { return c >= 0x1f1e6 && c <= 0x1f1ff; }

std::vector<std::string_view> graphemes(std::string_view s) {
  std::vector<std::string_view> out;
  const std::vector<unit> units = decode(s);
  std::size_t start = 0, at = 0;  // byte offsets
  bool joined = false, lone_ri = false;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const unit& u = units[i];
    const bool attach = i > 0 && u.valid() &&
                        (extends(u.cp) || joined || (u.cp == '\n' && units[i - 1].cp == '\r') ||
                         (regional_indicator(u.cp) && lone_ri));
    if (i > 0 && !attach) {
      out.push_back(s.substr(start, at - start));
      start = at;
    }
    joined = u.valid() && u.cp == 0x200d;
    lone_ri = u.valid() && regional_indicator(u.cp) && !(attach && lone_ri);
    at += u.bytes.size();
  }
  if (!units.empty()) out.push_back(s.substr(start));
  return out;
}

// Unicode whitespace. String.split/1 leaves out the non-breaking spaces
// (U+00A0, U+2007, U+202F), String.trim/1 takes them too.
bool space(char32_t c, bool breaking_only) {
  if ((c >= 9 && c <= 13) || c == ' ' || c == 0x85 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
      c == 0x2029 || c == 0x205f || c == 0x3000)
    return !(breaking_only && c == 0x2007);
  return !breaking_only && (c == 0xa0 || c == 0x202f);
}

// --- List ---

value list_first(call_context&, args_t& args) {
  const value& l = args[0];
  if (is(l, &term::is_empty_list)) return term(atoms::nil);
  if (l.is_fun() || l.t.kind() != term_kind::list)
    raise_function_clause("List.first/2", {l, value(term(atoms::nil))},
                          {"def first(-[]-, default)", "def first(-[head | _]-, _default)"},
                          elixir_line("list.ex:293: List.first/2"));
  return l.t.hd();
}

value list_last(call_context&, args_t& args) {
  const value& l = args[0];
  if (is(l, &term::is_empty_list)) return term(atoms::nil);
  if (l.is_fun() || l.t.kind() != term_kind::list)
    raise("CaseClauseError", "no case clause matching: {" + inspect_value(l) + ", nil}",
          elixir_line("list.ex:320: List.last/1"));
  if (!l.t.list_tail().is_empty_list())
    raise_function_clause("List.last/2", {value(l.t.list_tail()), value(term(atoms::nil))},
                          {"def last(-[]-, default)", "def last(-[head]-, _default)", "def last(-[_ | tail]-, default)"},
                          elixir_line("list.ex:320: List.last/2"));
  return l.t.elements().back();
}

void flatten_into(const term& l, std::vector<term>& out) {
  for (const term& e : l.elements()) {
    if (e.is_list()) flatten_into(e, out);
    else out.push_back(e);
  }
  if (!l.list_tail().is_empty_list())
    raise_function_clause(":lists.do_flatten/2", {value(l.list_tail()), value(term())}, {},
                          stdlib_line("lists.erl:659: :lists.do_flatten/2"));
}

value list_flatten(call_context&, args_t& args) {
  if (!is(args[0], &term::is_list))
    raise_function_clause(":lists.flatten/1", args, {}, stdlib_line("lists.erl:648: :lists.flatten/1"));
  std::vector<term> out;
  flatten_into(args[0].t, out);
  return term::list_of(std::move(out));
}

value list_wrap(call_context&, args_t& args) {
  const value& v = args[0];
  if (!v.is_fun() && v.t.is_atom(atoms::nil)) return term();
  if (is(v, &term::is_list)) return v;
  return term::list_of(std::vector<term>{need_term_in(v, "a list")});
}

value list_duplicate(call_context&, args_t& args) {
  const value &x = args[0], &n = args[1];
  if (!is(n, &term::is_integer) || n.t.as_int() < 0)
    raise_function_clause(":lists.duplicate/2", {n, x}, {}, stdlib_line("lists.erl:331: :lists.duplicate/2"));
  if (n.t.as_int() == 0) return term();
  if (n.t.as_int() > max_elements) too_big("lists");
  return term::list_of(std::vector<term>(static_cast<std::size_t>(n.t.as_int()), need_term_in(x, "a list")));
}

// --- Map ---

// BadMapError as the function's trace shows it (`trace` the whole line).
void need_map(const value& m, const std::string& trace) {
  if (!is(m, &term::is_map)) raise("BadMapError", "expected a map, got: " + inspect_value(m), trace);
}

value map_get(call_context&, args_t& args) {
  const value fallback = args.size() == 3 ? args[2] : value(term(atoms::nil));
  need_map(args[0], elixir_line("map.ex:534: Map.get(" + shown({args[0], args[1], fallback}) + ")"));
  if (args[1].is_fun()) return fallback;  // no key is a function
  const term* v = args[0].t.find(args[1].t);
  return v ? value(*v) : fallback;
}

value map_put(call_context&, args_t& args) {
  need_map(args[0], stdlib_line(":maps.put(:k, :v, " + shown({args[0]}) + ")"));
  return args[0].t.map_put(need_term_in(args[1], "a map"), need_term_in(args[2], "a map"));
}

value map_delete(call_context&, args_t& args) {
  need_map(args[0], stdlib_line(":maps.remove(" + shown({args[1], args[0]}) + ")"));
  return args[1].is_fun() ? args[0] : value(args[0].t.map_remove(args[1].t));
}

value map_keys_values(call_context& c, args_t& args) {
  const bool keys = c.name == "keys";
  need_map(args[0], stdlib_line(std::string(keys ? ":maps.keys(" : ":maps.values(") + shown(args) + ")"));
  std::vector<term> out;
  for (std::size_t i = 0; i < args[0].t.size(); ++i) out.push_back(keys ? args[0].t.map_key(i) : args[0].t.map_value(i));
  return term::list_of(std::move(out));
}

value map_has_key(call_context&, args_t& args) {
  need_map(args[0], stdlib_line(":maps.is_key(" + shown({args[1], args[0]}) + ")"));
  return term(!args[1].is_fun() && args[0].t.find(args[1].t) != nullptr);
}

value map_new(call_context&, args_t&) { return otter::map{}; }

value map_to_list(call_context&, args_t& args) {
  need_map(args[0], stdlib_line("maps.erl:581: :maps.to_list(" + shown(args) + ")"));
  std::vector<term> out;
  for (std::size_t i = 0; i < args[0].t.size(); ++i) out.push_back(otter::tuple(args[0].t.map_key(i), args[0].t.map_value(i)));
  return term::list_of(std::move(out));
}

value map_merge(call_context&, args_t& args) {
  need_map(args[0], stdlib_line(":maps.put(:k, :v, " + shown({args[0]}) + ")"));
  need_map(args[1], stdlib_line(":maps.merge(" + shown(args) + ")"));
  // One map_of (the last of equal keys wins): linear in both maps.
  std::vector<std::pair<term, term>> entries;
  entries.reserve(args[0].t.size() + args[1].t.size());
  for (const value* v : {&args[0], &args[1]})
    for (std::size_t i = 0; i < v->t.size(); ++i) entries.emplace_back(v->t.map_key(i), v->t.map_value(i));
  return term::map_of(std::move(entries));
}

// --- Tuple, Keyword, Atom, Integer ---

value tuple_to_list(call_context&, args_t& args) {
  if (!is(args[0], &term::is_tuple)) raise_badarg(1, "not a tuple", ":erlang.tuple_to_list(" + shown(args) + ")");
  const auto e = args[0].t.elements();
  return term::list_of(std::vector<term>(e.begin(), e.end()));
}

value keyword_get(call_context&, args_t& args) {
  const value fallback = args.size() == 3 ? args[2] : value(term(atoms::nil));
  const bool list = is(args[0], &term::is_list), key = is(args[1], &term::is_atom);
  if (!list || !key)
    raise_function_clause("Keyword.get/3", {args[0], args[1], fallback},
                          {"def get(keywords, key, default) when " + blame_part(list, "is_list(keywords)") + " and " +
                               blame_part(key, "is_atom(key)")},
                          elixir_line("keyword.ex:388: Keyword.get/3"));
  for (const term& e : args[0].t.elements())
    if (e.is_tuple() && e.size() == 2 && e[0] == args[1].t) return e[1];
  return fallback;
}

value keyword_keys(call_context&, args_t& args) {
  if (!is(args[0], &term::is_list))
    raise_function_clause("Keyword.keys/1", args, {"def keys(keywords) when -is_list(keywords)-"},
                          elixir_line("keyword.ex:639: Keyword.keys/1"));
  std::vector<term> out;
  for (const term& e : args[0].t.elements()) {
    if (!e.is_tuple() || e.size() != 2 || !e[0].is_atom())
      raise_argument_error("expected a keyword list, but an entry in the list is not a two-element tuple with an atom "
                           "as its first element, got: " + inspect(e),
                           elixir_line("keyword.ex:649: Keyword.keys/1"));
    out.push_back(e[0]);
  }
  return term::list_of(std::move(out));
}

value atom_to_string(call_context&, args_t& args) {
  if (!is(args[0], &term::is_atom)) raise_badarg(1, "not an atom", ":erlang.atom_to_binary(" + shown(args) + ")");
  return term(args[0].t.as_atom().text());
}

value integer_to_string(call_context&, args_t& args) {
  if (!is(args[0], &term::is_integer)) raise_badarg(1, "not an integer", ":erlang.integer_to_binary(" + shown(args) + ")");
  return term(std::to_string(args[0].t.as_int()));
}

// An optional sign and decimal digits from the start of `s`: the value and
// how many bytes it took (0: none). Raises for what leaves 64 bits.
std::pair<std::int64_t, std::size_t> leading_integer(std::string_view s, const std::string& call) {
  std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  const bool negative = i == 1 && s[0] == '-';
  const std::size_t digits_from = i;
  std::int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    // Accumulate negatively so that -9223372036854775808 fits.
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, s[i] - '0', &v))
      raise("ArithmeticError", "integer overflow in " + call + " (the otter shell's integers are 64-bit)");
  }
  if (i == digits_from) return {0, 0};
  if (!negative && v == INT64_MIN)
    raise("ArithmeticError", "integer overflow in " + call + " (the otter shell's integers are 64-bit)");
  return {negative ? v : -v, i};
}

value integer_parse(call_context&, args_t& args) {
  if (!is(args[0], &term::is_binary))
    raise_function_clause("Integer.parse/2", {args[0], value(term(10))},
                          {"def parse(_binary, base) when -not (is_integer(base) and (base >= 2 and base <= 36))-",
                           "def parse(binary, base) when -is_binary(binary)-"},
                          elixir_line("integer.ex:275: Integer.parse/2"));
  const std::string_view s = args[0].t.as_binary();
  const auto [v, used] = leading_integer(s, "Integer.parse(" + shown(args) + ")");
  if (used == 0) return term(atoms::error);
  return otter::tuple(v, s.substr(used));
}

// --- String ---

// The FunctionClauseError of String functions whose one clause wants a binary.
void need_string(const args_t& args, std::string_view fn, std::string_view clause, std::string_view line) {
  if (!is(args[0], &term::is_binary))
    raise_function_clause(fn, args, {std::string(clause)}, elixir_line(line));
}

value string_case(call_context& c, args_t& args) {
  const bool up = c.name == "upcase";
  if (!is(args[0], &term::is_binary)) {
    const std::string f = up ? "upcase" : "downcase";
    raise_function_clause("String." + f + "/2", {args[0], value(term(atom("default")))},
                          {"def " + f + "(-\"\"-, _mode)", "def " + f + "(string, :default) when -is_binary(string)-",
                           "def " + f + "(string, -:ascii-) when -is_binary(string)-",
                           "def " + f + "(string, mode) when -is_binary(string)- and -mode === :greek- or -mode === :turkic-"},
                          elixir_line(up ? "string.ex:831: String.upcase/2" : "string.ex:899: String.downcase/2"));
  }
  return term(change_case(args[0].t.as_binary(), up));
}

value string_length(call_context&, args_t& args) {
  need_string(args, "String.length/1", "def length(string) when -is_binary(string)-", "string.ex:2016: String.length/1");
  return term(static_cast<std::int64_t>(graphemes(args[0].t.as_binary()).size()));
}

value string_reverse(call_context&, args_t& args) {
  need_string(args, "String.reverse/1", "def reverse(string) when -is_binary(string)-", "string.ex:1657: String.reverse/1");
  const std::vector<std::string_view> g = graphemes(args[0].t.as_binary());
  std::string out;
  for (auto it = g.rbegin(); it != g.rend(); ++it) out += *it;
  return term(out);
}

value string_trim(call_context&, args_t& args) {
  need_string(args, "String.trim/1", "def trim(string) when -is_binary(string)-", "string.ex:1271: String.trim/1");
  const std::string_view s = args[0].t.as_binary();
  const std::vector<unit> units = decode(s);
  std::size_t from = 0, to = units.size();
  while (from < to && units[from].valid() && space(units[from].cp, false)) ++from;
  while (to > from && units[to - 1].valid() && space(units[to - 1].cp, false)) --to;
  if (from == to) return term("");
  const char* begin = units[from].bytes.data();
  const char* end = units[to - 1].bytes.data() + units[to - 1].bytes.size();
  return term(std::string_view(begin, static_cast<std::size_t>(end - begin)));
}

value string_split1(call_context&, args_t& args) {
  if (!is(args[0], &term::is_binary)) {
    // String.split/1 is :binary.split over Unicode's breaking whitespace.
    std::vector<term> spaces;
    for (char32_t cp : {0x3000, 0x205f, 0x2029, 0x2028, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2008,
                        0x2009, 0x200a, 0x1680, 0x85, 0x20, 0x9, 0xa, 0xb, 0xc, 0xd}) {
      std::string s;
      encode(cp, s);
      spaces.emplace_back(s);
    }
    badargs({"not a binary"}, stdlib_line(":binary.split(" + shown(args) + ", " + inspect(term::list_of(std::move(spaces)), {0, 50}) +
                                          ", [:global, :trim_all])") +
                                  elixir_line("elixir/unicode/unicode.ex:515: String.Break.split/1"));
  }
  std::vector<term> out;
  std::string word;
  for (const unit& u : decode(args[0].t.as_binary())) {
    if (u.valid() && space(u.cp, true)) {
      if (!word.empty()) out.emplace_back(word);
      word.clear();
    } else {
      word += u.bytes;
    }
  }
  if (!word.empty()) out.emplace_back(word);
  return term::list_of(std::move(out));
}

value string_split2(call_context&, args_t& args) {
  const value &str = args[0], &pat = args[1];
  if (!is(str, &term::is_binary)) {
    const args_t given{str, pat, value(term())};
    const bool empty = !pat.is_fun() && pat.t == term(""), none = is(pat, &term::is_empty_list);
    raise_function_clause(
        "String.split/3", given,
        {"def split(string, -%Regex{} = pattern-, options) when -is_binary(string)- and is_list(options)",
         "def split(string, " + blame_part(empty, "\"\"") + ", options) when -is_binary(string)- and is_list(options)",
         "def split(string, " + blame_part(none, "[]") + ", options) when -is_binary(string)- and is_list(options)",
         "def split(string, pattern, options) when -is_binary(string)- and is_list(options)"},
        elixir_line("string.ex:479: String.split/3"));
  }
  const std::string_view s = str.t.as_binary();
  if (!pat.is_fun() && pat.t == term("")) {  // between graphemes, and at both ends
    std::vector<term> out{term("")};
    for (std::string_view g : graphemes(s)) out.emplace_back(g);
    out.emplace_back("");
    return term::list_of(std::move(out));
  }
  if (is(pat, &term::is_empty_list)) return otter::list{str.t};
  // :binary.split wants non-empty binaries.
  std::vector<std::string_view> patterns;
  bool valid = is(pat, &term::is_binary) || is(pat, &term::is_proper_list);
  if (valid) {
    for (const term& p : pat.t.is_binary() ? std::span<const term>(&pat.t, 1) : pat.t.elements()) {
      valid = valid && p.is_binary() && p.size() > 0;
      if (valid) patterns.push_back(p.as_binary());
    }
  }
  if (!valid)
    badargs({"", "not a valid pattern"}, stdlib_line(":binary.split(" + shown(args) + ", [:global])") +
                                              elixir_line("string.ex:509: String.split/3"));
  // At each position the longest pattern that matches there, as :binary.split.
  std::vector<term> out;
  std::size_t piece = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    for (std::string_view p : patterns)
      if (s.substr(i).starts_with(p)) len = std::max(len, p.size());
    if (len == 0) {
      ++i;
      continue;
    }
    out.emplace_back(s.substr(piece, i - piece));
    i += len;
    piece = i;
  }
  out.emplace_back(s.substr(piece));
  return term::list_of(std::move(out));
}

value string_to_atom(call_context&, args_t& args) {
  const std::string call = ":erlang.binary_to_atom(" + shown(args) + ", :utf8)";
  if (!is(args[0], &term::is_binary)) raise_badarg(1, "not a binary", call);
  const std::vector<unit> units = decode(args[0].t.as_binary());
  if (std::any_of(units.begin(), units.end(), [](const unit& u) { return !u.valid(); }))
    raise_badarg(1, "invalid UTF8 encoding", call);
  if (units.size() > 255) raise("SystemLimitError", "a system limit has been reached", "    " + call + "\n");
  return term(atom(args[0].t.as_binary()));
}

value string_to_integer(call_context&, args_t& args) {
  const std::string call = ":erlang.binary_to_integer(" + shown(args) + ")";
  if (!is(args[0], &term::is_binary)) raise_badarg(1, "not a binary", call);
  const std::string_view s = args[0].t.as_binary();
  const auto [v, used] = leading_integer(s, "String.to_integer(" + shown(args) + ")");
  if (used == 0 || used != s.size()) raise_badarg(1, "not a textual representation of an integer", call);
  return term(v);
}

// contains?/2 and starts_with?/2: a binary or a list of binaries.
value string_contains(call_context& c, args_t& args) {
  const bool prefix = c.name == "starts_with?";
  const value &str = args[0], &pat = args[1];
  if (!is(str, &term::is_binary)) {
    const bool bin = is(pat, &term::is_binary), list = is(pat, &term::is_list);
    if (prefix)
      raise_function_clause("String.starts_with?/2", args,
                            {"def starts_with?(string, prefix) when -is_binary(string)- and " + blame_part(bin, "is_binary(prefix)"),
                             "def starts_with?(string, prefix) when -is_binary(string)- and " + blame_part(list, "is_list(prefix)"),
                             "def starts_with?(string, prefix) when -is_binary(string)-"},
                            elixir_line("string.ex:2346: String.starts_with?/2"));
    raise_function_clause("String.contains?/2", args,
                          {"def contains?(string, contents) when -is_binary(string)- and " + blame_part(list, "is_list(contents)"),
                           "def contains?(string, contents) when -is_binary(string)-"},
                          elixir_line("string.ex:2490: String.contains?/2"));
  }
  const std::string_view s = str.t.as_binary();
  if (!is(pat, &term::is_binary) && !is(pat, &term::is_proper_list))
    badargs({"", "not a valid pattern"},
            stdlib_line(":binary.match(" + shown(args) + ")") +
                elixir_line(prefix ? "string.ex:2357: String.starts_with?/2" : "string.ex:2495: String.contains?/2"));
  for (const term& p : pat.t.is_binary() ? std::span<const term>(&pat.t, 1) : pat.t.elements()) {
    if (!p.is_binary()) {
      if (prefix)
        raise("CaseClauseError", "no case clause matching: " + inspect(otter::tuple(str.t, static_cast<std::int64_t>(s.size()), p)),
              elixir_line("string.ex:2361: anonymous fn/3 in String.starts_with?/2") +
                  elixir_line("enum.ex:4136: Enum.any_list/2"));
      badargs({"not a bitstring"}, "    :erlang.byte_size(" + inspect(p, {0, 50}) + ")\n" +
                                       elixir_line("string.ex:2499: String.list_contains?/4"));
    }
    const std::string_view q = p.as_binary();
    if (prefix ? s.starts_with(q) : s.find(q) != std::string_view::npos) return term(true);
  }
  return term(false);
}

value string_duplicate(call_context&, args_t& args) {
  const std::string bin = is(args[0], &term::is_binary) ? "" : "not a binary";
  const std::string count = !is(args[1], &term::is_integer) ? "not an integer" : args[1].t.as_int() < 0 ? "out of range" : "";
  if (!bin.empty() || !count.empty()) badargs({bin, count}, stdlib_line(":binary.copy(" + shown(args) + ")"));
  const std::string_view s = args[0].t.as_binary();
  const std::int64_t n = args[1].t.as_int();
  if (!s.empty() && n > max_elements / static_cast<std::int64_t>(s.size())) too_big("strings");
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) out += s;
  return term(out);
}

}  // namespace

void register_data(builtin_table& t) {
  const std::string_view list = "Elixir.List", map = "Elixir.Map", str = "Elixir.String";
  t.add(list, "first", 1, list_first, "The first element, or nil for []");
  t.add(list, "last", 1, list_last, "The last element, or nil for []");
  t.add(list, "flatten", 1, list_flatten, "The list with nested lists spliced in");
  t.add(list, "wrap", 1, list_wrap, "[] for nil, a list as it is, anything else in a list");
  t.add(list, "duplicate", 2, list_duplicate, "A list of n copies of the element");
  t.add(map, "get", 2, map_get, "The value under the key, or nil");
  t.add(map, "get", 3, map_get, "The value under the key, or the default");
  t.add(map, "put", 3, map_put, "The map with the key set to the value");
  t.add(map, "delete", 2, map_delete, "The map without the key");
  t.add(map, "keys", 1, map_keys_values, "The keys");
  t.add(map, "values", 1, map_keys_values, "The values");
  t.add(map, "has_key?", 2, map_has_key, "Whether the map has the key");
  t.add(map, "new", 0, map_new, "An empty map");
  t.add(map, "to_list", 1, map_to_list, "The entries as {key, value} tuples");
  t.add(map, "merge", 2, map_merge, "The first map with the second's entries put in");
  t.add("Elixir.Tuple", "to_list", 1, tuple_to_list, "The tuple's elements as a list");
  t.add("Elixir.Keyword", "get", 2, keyword_get, "The value of the first entry with the key, or nil");
  t.add("Elixir.Keyword", "get", 3, keyword_get, "The value of the first entry with the key, or the default");
  t.add("Elixir.Keyword", "keys", 1, keyword_keys, "The keys, in order, repeated ones included");
  t.add("Elixir.Atom", "to_string", 1, atom_to_string, "The atom's text");
  t.add("Elixir.Integer", "to_string", 1, integer_to_string, "The integer in decimal");
  t.add("Elixir.Integer", "parse", 1, integer_parse, "{integer, rest} from the start of a string, or :error");
  t.add(str, "upcase", 1, string_case, "The string in capitals");
  t.add(str, "downcase", 1, string_case, "The string in small letters");
  t.add(str, "length", 1, string_length, "The number of graphemes (characters)");
  t.add(str, "split", 1, string_split1, "The words between Unicode whitespace");
  t.add(str, "split", 2, string_split2, "The parts between occurrences of the pattern (a string or a list of them)");
  t.add(str, "to_atom", 1, string_to_atom, "The atom with this text");
  t.add(str, "to_integer", 1, string_to_integer, "The integer a decimal string writes");
  t.add(str, "trim", 1, string_trim, "The string without leading and trailing whitespace");
  t.add(str, "reverse", 1, string_reverse, "The graphemes in reverse order");
  t.add(str, "contains?", 2, string_contains, "Whether the string contains the pattern (or one of a list)");
  t.add(str, "starts_with?", 2, string_contains, "Whether the string starts with the prefix (or one of a list)");
  t.add(str, "duplicate", 2, string_duplicate, "The string repeated n times");
}

}  // namespace otter::shell

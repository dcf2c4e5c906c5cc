// Tests of the shell's parser (apps/counter/shell/parser.hpp): every
// construct of the Elixir subset, Elixir's precedence and associativity
// (checked against Elixir 1.14's Code.string_to_quoted), the syntax errors
// with their positions and `incomplete()`, and hostile input.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "otter/term.hpp"
#include "shell/parser.hpp"

namespace {

using namespace otter::shell;
using otter::term;

// --- a compact rendering of the tree, so expectations read like Elixir ---

std::string show(const node_ptr& n);

std::string join(const std::vector<node_ptr>& v, std::size_t from = 0, const char* sep = ", ") {
  std::string out;
  for (std::size_t i = from; i < v.size(); ++i) {
    if (i > from) out += sep;
    out += show(v[i]);
  }
  return out;
}

std::string show_clauses(const std::vector<clause>& cs) {
  std::string out;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (i > 0) out += "; ";
    out += join(cs[i].patterns);
    if (cs[i].guard) out += " when " + show(cs[i].guard);
    out += " -> " + show(cs[i].body);
  }
  return out;
}

std::string show(const node_ptr& n) {
  if (!n) return "null";
  switch (n->kind) {
    case node_kind::literal: return n->value.to_string();
    case node_kind::variable: return n->name;
    case node_kind::pin: return "^" + show(n->args[0]);
    case node_kind::tuple: return "{" + join(n->args) + "}";
    case node_kind::list: return "[" + join(n->args) + (n->tail ? " | " + show(n->tail) : "") + "]";
    case node_kind::map: {
      std::string out = "%{";
      if (n->tail) out += show(n->tail) + " | ";
      for (std::size_t i = 0; i < n->pairs.size(); ++i) {
        if (i > 0) out += ", ";
        out += show(n->pairs[i].first) + " => " + show(n->pairs[i].second);
      }
      return out + "}";
    }
    case node_kind::interpolation: return (n->name == "atom" ? ":interp(" : "interp(") + join(n->args) + ")";
    case node_kind::block: return "block(" + join(n->args, 0, "; ") + ")";
    case node_kind::match: return "(" + show(n->args[0]) + " = " + show(n->args[1]) + ")";
    case node_kind::binary_op:
      if (n->name == "..//") return "(" + show(n->args[0]) + ".." + show(n->args[1]) + "//" + show(n->args[2]) + ")";
      return "(" + show(n->args[0]) + " " + n->name + " " + show(n->args[1]) + ")";
    case node_kind::unary_op: return "(" + n->name + (n->name == "not" ? " " : "") + show(n->args[0]) + ")";
    case node_kind::local_call: return n->name + "(" + join(n->args) + ")";
    case node_kind::remote_call:
      return show(n->args[0]) + "." + n->name + (n->no_parens ? "" : "(" + join(n->args, 1) + ")");
    case node_kind::apply_fun: return show(n->args[0]) + ".(" + join(n->args, 1) + ")";
    case node_kind::fn: return "fn(" + show_clauses(n->clauses) + ")";
    case node_kind::case_: return "case(" + show(n->args[0]) + "; " + show_clauses(n->clauses) + ")";
    case node_kind::if_: return "if(" + join(n->args) + ")";
    case node_kind::cond_: return "cond(" + show_clauses(n->clauses) + ")";
    case node_kind::capture:
      if (!n->name.empty())
        return "&" + (n->args[0] ? show(n->args[0]) + "." : std::string()) + n->name + "/" + std::to_string(n->arity);
      return "&(" + show(n->args[0]) + ")/" + std::to_string(n->arity);
    case node_kind::capture_arg: return "&" + std::to_string(n->arity);
    case node_kind::access: return show(n->args[0]) + "[" + show(n->args[1]) + "]";
    case node_kind::receive_:
      return "receive(" + show_clauses(n->clauses) +
             (n->args.empty() ? "" : "; after " + show(n->args[0]) + " -> " + show(n->args[1])) + ")";
    case node_kind::for_: {
      std::string out = "for(";
      for (const clause& q : n->clauses) {
        if (!q.patterns.empty()) out += show(q.patterns[0]) + (q.guard ? " when " + show(q.guard) : "") + " <- ";
        out += show(q.body) + ", ";
      }
      return out + "do: " + show(n->args[1]) + ")";
    }
  }
  return "?";
}

// The top-level expressions of `src`, rendered and joined with " ;; ".
std::string p(std::string_view src) {
  std::string out;
  for (const node_ptr& n : parse(src)) {
    if (!out.empty()) out += " ;; ";
    out += show(n);
  }
  return out;
}

// The only expression of `src`.
node_ptr one(std::string_view src) {
  std::vector<node_ptr> v = parse(src);
  if (v.size() != 1) {
    ADD_FAILURE() << "expected one expression in: " << src << ", got " << v.size();
    return nullptr;
  }
  return v[0];
}

struct error_info {
  std::string what;
  std::size_t line = 0, column = 0;
  bool incomplete = false;
};

error_info err(std::string_view src, const parse_limits& limits = {}) {
  try {
    const std::vector<node_ptr> v = parse(src, limits);
    ADD_FAILURE() << "expected a syntax error for: " << src;
  } catch (const syntax_error& e) {
    return {e.what(), e.line(), e.column(), e.incomplete()};
  }
  return {};
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

#define EXPECT_ERROR(src, message, l, c, inc)                                                  \
  do {                                                                                         \
    const error_info e_ = err(src);                                                            \
    EXPECT_TRUE(contains(e_.what, message)) << "input: " << (src) << "\nmessage: " << e_.what; \
    EXPECT_EQ(e_.line, std::size_t{l}) << "input: " << (src) << "\nmessage: " << e_.what;      \
    EXPECT_EQ(e_.column, std::size_t{c}) << "input: " << (src) << "\nmessage: " << e_.what;    \
    EXPECT_EQ(e_.incomplete, inc) << "input: " << (src) << "\nmessage: " << e_.what;           \
  } while (0)

// --- literals ---

TEST(shell_parser, integers) {
  EXPECT_EQ(p("42"), "42");
  EXPECT_EQ(p("1_000_000"), "1000000");
  EXPECT_EQ(p("0x1F"), "31");
  EXPECT_EQ(p("0xff_ff"), "65535");
  EXPECT_EQ(p("0o17"), "15");
  EXPECT_EQ(p("0b101"), "5");
  EXPECT_EQ(p("007"), "7");
  EXPECT_EQ(p("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(p("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(p("-1"), "-1");
  EXPECT_EQ(p("- 1"), "-1");
  EXPECT_EQ(p("+7"), "7");
  const node_ptr n = one("-5");
  ASSERT_EQ(n->kind, node_kind::literal);  // a signed number is one literal
  EXPECT_EQ(n->value, term(-5));
}

TEST(shell_parser, char_literals) {
  EXPECT_EQ(p("?a"), "97");
  EXPECT_EQ(p("?\\n"), "10");
  EXPECT_EQ(p("?\\s"), "32");
  EXPECT_EQ(p("?\\\\"), "92");
  EXPECT_EQ(p("?ä"), "228");
  EXPECT_EQ(p("?😀"), "128512");
  EXPECT_EQ(p("? "), "32");
  EXPECT_EQ(p("-?a"), "-97");
  EXPECT_EQ(p("[?a, ?b]"), "[97, 98]");
}

TEST(shell_parser, integer_errors) {
  EXPECT_ERROR("9223372036854775808", "integer too large", 1, 1, false);
  EXPECT_ERROR("x = -9223372036854775809", "integer too large", 1, 5, false);
  EXPECT_ERROR("123456789012345678901234567890", "integer too large", 1, 1, false);
  EXPECT_ERROR("0xFFFFFFFFFFFFFFFFFF", "integer too large", 1, 1, false);
  EXPECT_ERROR("1_", "invalid character \"_\" after number 1", 1, 2, false);
  EXPECT_ERROR("1__0", "invalid character \"_\" after number 1", 1, 2, false);
  EXPECT_ERROR("12abc", "invalid character \"a\" after number 12", 1, 3, false);
  EXPECT_ERROR("0x", "invalid character \"x\" after number 0", 1, 2, false);
  EXPECT_ERROR("0b2", "invalid character \"b\" after number 0", 1, 2, false);
  EXPECT_ERROR("?", "missing character after ?", 1, 2, true);
  EXPECT_ERROR("?\\", "missing escape", 1, 3, true);
}

TEST(shell_parser, floats) {
  EXPECT_EQ(p("1.5"), "1.5");
  EXPECT_EQ(p("1.0e-3"), "0.001");
  EXPECT_EQ(p("1.0E3"), "1000.0");
  EXPECT_EQ(p("2.5e+2"), "250.0");
  EXPECT_EQ(p("1_000.5"), "1000.5");
  EXPECT_EQ(p("-0.5"), "-0.5");
  EXPECT_EQ(p("1.0e-999"), "0.0");  // underflow is 0.0, as in Erlang
  EXPECT_ERROR("1.0e999", "invalid float number 1.0e999", 1, 1, false);
  EXPECT_ERROR("1e3", "invalid character \"e\" after number 1", 1, 2, false);
  EXPECT_ERROR("3.14e", "invalid character \"e\" after number 3.14", 1, 5, false);
  EXPECT_EQ(p("1.e3"), "1.e3");  // as in Elixir: a field of 1, not a float
  EXPECT_EQ(p("1..2"), "(1 .. 2)");
}

TEST(shell_parser, atoms_and_aliases) {
  EXPECT_EQ(p(":ok"), ":ok");
  EXPECT_EQ(p(":\"a b\""), ":\"a b\"");
  EXPECT_EQ(p(":'a b'"), ":\"a b\"");
  EXPECT_EQ(p(":\"\""), ":\"\"");
  EXPECT_EQ(p(":foo?"), ":foo?");
  EXPECT_EQ(p(":foo!"), ":foo!");
  EXPECT_EQ(p(":Foo"), ":Foo");
  EXPECT_EQ(p(":a@b"), ":a@b");
  EXPECT_EQ(p(":+"), ":+");
  EXPECT_EQ(p(":==="), ":===");
  EXPECT_EQ(p(":..//"), ":..//");
  EXPECT_EQ(p(":->"), ":->");
  EXPECT_EQ(p("true"), "true");
  EXPECT_EQ(p("false"), "false");
  EXPECT_EQ(p("nil"), "nil");
  EXPECT_EQ(one("nil")->value, term(otter::atoms::nil));

  const node_ptr alias = one("Counter.Worker");
  ASSERT_EQ(alias->kind, node_kind::literal);
  EXPECT_EQ(alias->value, term(otter::atom("Elixir.Counter.Worker")));
  EXPECT_EQ(one("Enum")->value, term(otter::atom("Elixir.Enum")));
  EXPECT_EQ(one("Elixir.Enum")->value, term(otter::atom("Elixir.Enum")));
  EXPECT_EQ(one("Elixir")->value, term(otter::atom("Elixir")));

  EXPECT_ERROR(":", "unexpected end of input after \":\"", 1, 1, true);
  EXPECT_ERROR(": a", "unexpected token: \":\"", 1, 1, false);
  EXPECT_EQ(p(":\"W#{i}\""), ":interp(\"W\", i, \"\")");  // :"W#{i}" makes an atom of the string
  EXPECT_EQ(p(":'a#{1}b'"), ":interp(\"a\", 1, \"b\")");
  EXPECT_EQ(one(":\"a b\"")->value, term(otter::atom("a b")));
  EXPECT_ERROR(":\"a#{1}", "missing terminator: \" (for quoted atom starting at line 1)", 1, 8, true);
  EXPECT_ERROR(std::string(":\"") + std::string(300, 'a') + "\"", "invalid atom", 1, 1, false);
  EXPECT_ERROR(":\"ab", "missing terminator: \" (for quoted atom starting at line 1)", 1, 5, true);
  EXPECT_ERROR(std::string(":") + std::string(300, 'a'), "invalid atom", 1, 1, false);
  EXPECT_ERROR("A.b.C", "syntax error before: C", 1, 5, false);
  EXPECT_ERROR("Fooé", "invalid character in an alias", 1, 4, false);
}

TEST(shell_parser, strings) {
  EXPECT_EQ(p("\"hello\""), "\"hello\"");
  EXPECT_EQ(p("\"\""), "\"\"");
  EXPECT_EQ(one("\"a\\tb\\n\\\"q\\\" \\\\ \\#{x}\"")->value, term("a\tb\n\"q\" \\ #{x}"));
  EXPECT_EQ(one("\"\\a\\b\\d\\e\\f\\r\\s\\v\\0\"")->value, term(std::string_view("\a\b\x7f\x1b\f\r \v\0", 9)));
  EXPECT_EQ(one("\"\\u00e9\\u{1F600}\\x{e9}\"")->value, term("é😀é"));
  EXPECT_EQ(one("\"\\xff\\x41\"")->value, term::binary("\xff"
                                                       "A"));  // \xHH is a byte
  EXPECT_EQ(one("\"\\z\"")->value, term("z"));                 // unknown escapes stand for themselves
  EXPECT_EQ(one("\"a\\\nb\"")->value, term("ab"));             // backslash-newline continues
  EXPECT_EQ(one("\"line1\nline2\"")->value, term("line1\nline2"));
  EXPECT_EQ(one("\"é\"")->value, term("é"));
  EXPECT_EQ(one(std::string_view("\"a\0b\"", 5))->value, term(std::string_view("a\0b", 3)));

  EXPECT_ERROR("\"abc", "missing terminator: \" (for string starting at line 1)", 1, 5, true);
  EXPECT_ERROR("x = \"abc\n", "missing terminator: \" (for string starting at line 1)", 2, 1, true);
  EXPECT_ERROR("\"\\x\"", "invalid hex escape", 1, 2, false);
  EXPECT_ERROR("\"\\u12\"", "invalid unicode escape", 1, 2, false);
  EXPECT_ERROR("\"\\u{D800}\"", "invalid escape", 1, 2, false);
  EXPECT_ERROR("\"\\u{110000}\"", "invalid escape", 1, 2, false);
  EXPECT_ERROR("x = \"\"\"\nheredoc\n\"\"\"", "heredocs are not supported by this shell", 1, 5, false);
  EXPECT_ERROR("\"a\" \"b\"", "syntax error before: \"b\"", 1, 5, false);
}

TEST(shell_parser, interpolation) {
  EXPECT_EQ(p("\"n = #{n + 1}!\""), "interp(\"n = \", (n + 1), \"!\")");
  EXPECT_EQ(p("\"#{a}#{b}\""), "interp(\"\", a, \"\", b, \"\")");
  EXPECT_EQ(p("\"a #{\"b #{c} d\"} e\""), "interp(\"a \", interp(\"b \", c, \" d\"), \" e\")");
  EXPECT_EQ(p("\"#{ {1, 2} }\""), "interp(\"\", {1, 2}, \"\")");
  EXPECT_EQ(p("\"#{%{a: 1}[:a]}\""), "interp(\"\", %{:a => 1}[:a], \"\")");
  EXPECT_EQ(p("\"#{}\""), "interp(\"\", nil, \"\")");
  EXPECT_EQ(p("\"#{a; b}\""), "interp(\"\", block(a; b), \"\")");
  EXPECT_EQ(p("\"#{\n  x\n}\""), "interp(\"\", x, \"\")");
  EXPECT_EQ(p("\"#{x # comment\n}\""), "interp(\"\", x, \"\")");
  EXPECT_EQ(p("\"\\#{x}\""), "\"\\#{x}\"");  // escaped: no interpolation

  // The parts alternate, a literal string first and last.
  const node_ptr n = one("\"a#{1}b#{2}\"");
  ASSERT_EQ(n->kind, node_kind::interpolation);
  ASSERT_EQ(n->args.size(), 5u);
  for (std::size_t i = 0; i < n->args.size(); i += 2) {
    EXPECT_EQ(n->args[i]->kind, node_kind::literal);
    EXPECT_TRUE(n->args[i]->value.is_binary());
  }
  EXPECT_EQ(n->args[1]->value, term(1));
  EXPECT_EQ(n->args[4]->value, term(""));

  EXPECT_ERROR("\"#{", "missing terminator: } (for \"#{\" starting at line 1)", 1, 4, true);
  EXPECT_ERROR("\"#{1}", "missing terminator: \" (for string starting at line 1)", 1, 6, true);
  EXPECT_ERROR("\"#{1 +}\"", "syntax error before: '}'", 1, 7, false);
  EXPECT_ERROR("\"#{)}\"", "unexpected token: )", 1, 4, false);
}

TEST(shell_parser, charlists) {
  EXPECT_EQ(p("'abc'"), "'abc'");
  EXPECT_EQ(one("'abc'")->value, term::list_of(std::vector<term>{97, 98, 99}));
  EXPECT_EQ(one("''")->value, term());
  EXPECT_EQ(one("'é'")->value, term::list_of(std::vector<term>{233}));
  EXPECT_EQ(one("'\\xff'")->value, term::list_of(std::vector<term>{255}));
  EXPECT_EQ(one("'a\\'b'")->value, term::list_of(std::vector<term>{97, 39, 98}));
  EXPECT_EQ(one("~c\"abc\"")->value, one("'abc'")->value);
  EXPECT_EQ(one("~c(a\\nb)")->value, term::list_of(std::vector<term>{97, 10, 98}));
  EXPECT_EQ(one("~C(a\\nb)")->value, term::list_of(std::vector<term>{97, 92, 110, 98}));
  EXPECT_ERROR("'a#{1}'", "interpolation (#{...}) in a charlist is not supported", 1, 3, false);
  EXPECT_ERROR("~c(#{1})", "interpolation (#{...}) in a sigil ~c is not supported", 1, 4, false);
  EXPECT_ERROR("'abc", "missing terminator: ' (for charlist starting at line 1)", 1, 5, true);
  EXPECT_ERROR("'''\nx\n'''", "heredocs are not supported", 1, 1, false);
}

TEST(shell_parser, sigils) {
  EXPECT_EQ(p("~w(a b c)"), "[\"a\", \"b\", \"c\"]");
  EXPECT_EQ(p("~w(  a\n b\t)"), "[\"a\", \"b\"]");
  EXPECT_EQ(p("~w()"), "[]");
  EXPECT_EQ(p("~w(a b)a"), "[:a, :b]");
  EXPECT_EQ(p("~w(a b)c"), "['a', 'b']");
  EXPECT_EQ(p("~w(a b)s"), "[\"a\", \"b\"]");
  EXPECT_EQ(p("~W(a\\nb c)"), "[\"a\\\\nb\", \"c\"]");
  EXPECT_EQ(p("~s(a \"q\" b)"), "\"a \\\"q\\\" b\"");
  EXPECT_EQ(p("~s(a\\nb)"), "\"a\\nb\"");
  EXPECT_EQ(p("~S(a\\nb)"), "\"a\\\\nb\"");
  EXPECT_EQ(p("~S(a\\)b)"), "\"a)b\"");
  EXPECT_EQ(p("~S(a#{b})"), "\"a\\#{b}\"");
  EXPECT_EQ(p("~s(x = #{x})"), "interp(\"x = \", x, \"\")");
  for (std::string_view delims : {"()", "[]", "{}", "<>", "\"\"", "''", "//", "||"}) {
    const std::string src = std::string("~s") + delims[0] + "hi" + delims[1];
    EXPECT_EQ(p(src), "\"hi\"") << src;
  }
  EXPECT_ERROR("~r/a+/", "sigil ~r is not supported by this shell", 1, 1, false);
  EXPECT_ERROR("~s#a#", "invalid sigil delimiter: \"#\"", 1, 3, false);
  EXPECT_ERROR("~w(a)x", "invalid modifier for sigil ~w: x", 1, 6, false);
  EXPECT_ERROR("~s(a)u", "sigil ~s takes no modifiers", 1, 6, false);
  EXPECT_ERROR("~s(a#{1})u", "sigil ~s takes no modifiers", 1, 10, false);
  EXPECT_ERROR("~w(a #{1})", "interpolation (#{...}) in a sigil ~w is not supported", 1, 6, false);
  EXPECT_ERROR("~w(a b", "missing terminator: ) (for sigil ~w starting at line 1)", 1, 7, true);
  EXPECT_ERROR("~s", "missing delimiter for sigil ~s", 1, 3, true);
  EXPECT_ERROR("~s\"\"\"\nx\n\"\"\"", "heredocs are not supported", 1, 3, false);
}

// --- variables, containers ---

TEST(shell_parser, variables_and_pins) {
  for (std::string_view name : {"x", "_", "_y", "foo?", "valid!", "x1", "αβ"}) {
    const node_ptr n = one(name);
    ASSERT_EQ(n->kind, node_kind::variable) << name;
    EXPECT_EQ(n->name, name);
  }
  const node_ptr pin = one("^x");
  ASSERT_EQ(pin->kind, node_kind::pin);
  ASSERT_EQ(pin->args.size(), 1u);
  EXPECT_EQ(pin->args[0]->kind, node_kind::variable);
  EXPECT_EQ(pin->args[0]->name, "x");
  EXPECT_EQ(p("{^a, b} = t"), "({^a, b} = t)");
  EXPECT_EQ(p("a!=b"), "(a! = b)");  // as Elixir reads it: `!` belongs to the name
  EXPECT_ERROR("^1", "the pin operator ^ must be followed by a variable, got 1", 1, 2, false);
  EXPECT_ERROR("^f(x)", "the pin operator ^ must be followed by a variable", 1, 2, false);
  EXPECT_ERROR("^", "syntax error: expression is incomplete", 1, 2, true);
}

TEST(shell_parser, tuples) {
  EXPECT_EQ(p("{}"), "{}");
  EXPECT_EQ(p("{1}"), "{1}");
  EXPECT_EQ(p("{:ok, v}"), "{:ok, v}");
  EXPECT_EQ(p("{1, 2,}"), "{1, 2}");
  EXPECT_EQ(p("{\n1,\n2\n}"), "{1, 2}");
  EXPECT_EQ(p("{1, a: 2, b: 3}"), "{1, [{:a, 2}, {:b, 3}]}");
  EXPECT_ERROR("{a: 1}", "syntax error before: a:", 1, 2, false);
  EXPECT_ERROR("{1, 2", "missing terminator: } (for \"{\" starting at line 1)", 1, 6, true);
  EXPECT_ERROR("{1 2}", "syntax error before: 2", 1, 4, false);
  EXPECT_ERROR("{1,,2}", "syntax error before: ','", 1, 4, false);
}

TEST(shell_parser, lists_and_keywords) {
  EXPECT_EQ(p("[]"), "[]");
  EXPECT_EQ(p("[1, 2]"), "[1, 2]");
  EXPECT_EQ(p("[1, 2,]"), "[1, 2]");
  EXPECT_EQ(p("[h | t]"), "[h | t]");
  EXPECT_EQ(p("[1, 2 | t]"), "[1, 2 | t]");
  EXPECT_EQ(p("[1 | [2 | []]]"), "[1 | [2 | []]]");
  EXPECT_EQ(p("[x = 1 | t]"), "[(x = 1) | t]");
  EXPECT_EQ(p("[a: 1, b: 2]"), "[{:a, 1}, {:b, 2}]");
  EXPECT_EQ(p("[1, a: 2]"), "[1, {:a, 2}]");
  EXPECT_EQ(p("[\"a b\": 1, 'c': 2]"), "[{:\"a b\", 1}, {:c, 2}]");
  EXPECT_EQ(p("[Foo: 1, do: 2, true: 3, nil: 4]"), "[{:Foo, 1}, {:do, 2}, {true, 3}, {nil, 4}]");
  EXPECT_EQ(p("[a:\n1]"), "[{:a, 1}]");
  EXPECT_EQ(p("[a: 1,]"), "[{:a, 1}]");
  EXPECT_EQ(p("[\n  1,\n  2\n]"), "[1, 2]");

  // A keyword is a 2-tuple node of an atom literal and the value.
  const node_ptr kw = one("[a: 1]");
  ASSERT_EQ(kw->kind, node_kind::list);
  ASSERT_EQ(kw->args.size(), 1u);
  const node_ptr& pair = kw->args[0];
  ASSERT_EQ(pair->kind, node_kind::tuple);
  ASSERT_EQ(pair->args.size(), 2u);
  EXPECT_EQ(pair->args[0]->kind, node_kind::literal);
  EXPECT_EQ(pair->args[0]->value, term(otter::atom("a")));
  EXPECT_EQ(pair->args[1]->value, term(1));

  EXPECT_ERROR("[a:1]", "keyword argument must be followed by space after: a:", 1, 2, false);
  EXPECT_ERROR("[a: 1, 2]", "unexpected expression after keyword list", 1, 8, false);
  EXPECT_ERROR("[1 | 2, 3]", "syntax error before: ','", 1, 7, false);
  EXPECT_ERROR("[1, 2 |]", "syntax error before: ']'", 1, 8, false);
  EXPECT_ERROR("[| t]", "syntax error before: '|'", 1, 2, false);
  EXPECT_ERROR("[1\n2]", "syntax error before: 2", 2, 1, false);
  EXPECT_ERROR("[1, 2", "missing terminator: ] (for \"[\" starting at line 1)", 1, 6, true);
  EXPECT_ERROR("[1,\n", "missing terminator: ]", 2, 1, true);
  EXPECT_ERROR("[1\n", "missing terminator: ]", 2, 1, true);
  EXPECT_ERROR("[1, 2)", "unexpected token: ). The \"[\" at line 1 is missing terminator \"]\"", 1, 6, false);
}

TEST(shell_parser, maps) {
  EXPECT_EQ(p("%{}"), "%{}");
  EXPECT_EQ(p("%{a: 1}"), "%{:a => 1}");
  EXPECT_EQ(p("%{\"k\" => v, 1 => 2}"), "%{\"k\" => v, 1 => 2}");
  EXPECT_EQ(p("%{\"k\" => v, a: 1}"), "%{\"k\" => v, :a => 1}");
  EXPECT_EQ(p("%{m | a: 2}"), "%{m | :a => 2}");
  EXPECT_EQ(p("%{m | \"a\" => 1, b: 2}"), "%{m | \"a\" => 1, :b => 2}");
  EXPECT_EQ(p("%{f(x) | a: 1}"), "%{f(x) | :a => 1}");
  EXPECT_EQ(p("%{{1, 2} => [3]}"), "%{{1, 2} => [3]}");
  EXPECT_EQ(p("%{a: 1,}"), "%{:a => 1}");
  EXPECT_EQ(p("%{\n  a: 1,\n  b: 2\n}"), "%{:a => 1, :b => 2}");
  EXPECT_EQ(p("%{a: %{b: 1}}"), "%{:a => %{:b => 1}}");

  const node_ptr m = one("%{m | a: 2}");
  ASSERT_EQ(m->kind, node_kind::map);
  ASSERT_TRUE(m->tail);
  EXPECT_EQ(m->tail->name, "m");
  ASSERT_EQ(m->pairs.size(), 1u);
  EXPECT_EQ(m->pairs[0].first->value, term(otter::atom("a")));
  EXPECT_FALSE(one("%{a: 1}")->tail);

  EXPECT_ERROR("%{a: 1, \"b\" => 2}", "unexpected expression after keyword list", 1, 9, false);
  EXPECT_ERROR("%{1}", "syntax error before: '}'", 1, 4, false);
  EXPECT_ERROR("%{1, 2}", "syntax error before: ','", 1, 4, false);
  EXPECT_ERROR("%{m | }", "syntax error before: '}'", 1, 7, false);
  EXPECT_ERROR("%{a => 1 | m}", "syntax error before: '|'", 1, 10, false);
  EXPECT_ERROR("%{a: 1", "missing terminator: } (for \"%{\" starting at line 1)", 1, 7, true);
  EXPECT_ERROR("%Foo{a: 1}", "structs (%Name{...}) are not supported by this shell", 1, 1, false);
  EXPECT_ERROR("<<1, 2>>", "binaries are not supported by this shell", 1, 1, false);
}

// --- operators ---

TEST(shell_parser, precedence_as_in_elixir) {
  // Each expected tree is what Elixir 1.14's Code.string_to_quoted gives.
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"1 + 2 * 3", "(1 + (2 * 3))"},
      {"1 * 2 + 3", "((1 * 2) + 3)"},
      {"a ** b * c", "((a ** b) * c)"},
      {"-2 ** 2", "(-2 ** 2)"},
      {"-a * b", "((-a) * b)"},
      {"a <> b + c", "(a <> (b + c))"},
      {"a ++ b .. c", "(a ++ (b .. c))"},
      {"a .. b ++ c", "(a .. (b ++ c))"},
      {"a in b ++ c", "(a in (b ++ c))"},
      {"a |> b in c", "(a |> (b in c))"},
      {"a in b |> c", "((a in b) |> c)"},
      {"a |> b < c", "((a |> b) < c)"},
      {"a < b == c", "((a < b) == c)"},
      {"a == b && c", "((a == b) && c)"},
      {"a && b || c", "((a && b) || c)"},
      {"a || b && c", "(a || (b && c))"},
      {"a and b or c", "((a and b) or c)"},
      {"a or b and c", "(a or (b and c))"},
      {"a and b && c", "((a and b) && c)"},
      {"a = b || c", "(a = (b || c))"},
      {"a = b |> c", "(a = (b |> c))"},
      {"not a == b", "((not a) == b)"},
      {"!a == b", "((!a) == b)"},
      {"not a in b", "(not (a in b))"},
      {"a and not b", "(a and (not b))"},
      {"!a.b", "(!a.b)"},
      {"- a.b", "(-a.b)"},
      {"a not in b ++ c", "(a not in (b ++ c))"},
      {"a === b", "(a === b)"},
      {"a !== b", "(a !== b)"},
      {"a != b", "(a != b)"},
      {"a =~ b", "(a =~ b)"},
      {"a >= b", "(a >= b)"},
      {"a <= b", "(a <= b)"},
      {"a > b", "(a > b)"},
      {"1 + -1", "(1 + -1)"},
      {"1+-1", "(1 + -1)"},
      {"a - -b", "(a - (-b))"},
      {"!!a", "(!(!a))"},
      {"1 + 2 == 3 and x", "(((1 + 2) == 3) and x)"},
      {"x = y = 1 + 2", "(x = (y = (1 + 2)))"},
  };
  for (const auto& [src, expected] : cases) EXPECT_EQ(p(src), expected) << src;
}

TEST(shell_parser, associativity) {
  EXPECT_EQ(p("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(p("a / b / c"), "((a / b) / c)");
  EXPECT_EQ(p("2 ** 3 ** 2"), "((2 ** 3) ** 2)");  // left, as in Elixir 1.14
  EXPECT_EQ(p("a ++ b ++ c"), "(a ++ (b ++ c))");
  EXPECT_EQ(p("a -- b -- c"), "(a -- (b -- c))");
  EXPECT_EQ(p("a <> b <> c"), "(a <> (b <> c))");
  EXPECT_EQ(p("1..2..3"), "(1 .. (2 .. 3))");
  EXPECT_EQ(p("a = b = c"), "(a = (b = c))");
  EXPECT_EQ(p("a |> b |> c"), "((a |> b) |> c)");
  EXPECT_EQ(p("a == b == c"), "((a == b) == c)");
  EXPECT_EQ(p("a || b || c"), "((a || b) || c)");
  EXPECT_EQ(p("a in b in c"), "((a in b) in c)");
}

TEST(shell_parser, match_and_operator_nodes) {
  const node_ptr m = one("{a, b} = t");
  ASSERT_EQ(m->kind, node_kind::match);
  EXPECT_TRUE(m->name.empty());
  EXPECT_EQ(show(m->args[0]), "{a, b}");
  const node_ptr op = one("x + 1");
  ASSERT_EQ(op->kind, node_kind::binary_op);
  EXPECT_EQ(op->name, "+");
  ASSERT_EQ(op->args.size(), 2u);
  const node_ptr notin = one("a not in b");
  ASSERT_EQ(notin->kind, node_kind::binary_op);
  EXPECT_EQ(notin->name, "not in");
  EXPECT_EQ(p("a\tnot   in b"), "(a not in b)");
  const node_ptr neg = one("-x");
  ASSERT_EQ(neg->kind, node_kind::unary_op);
  EXPECT_EQ(neg->name, "-");
  EXPECT_EQ(one("not x")->name, "not");
  EXPECT_EQ(one("!x")->name, "!");
  EXPECT_EQ(one("+x")->name, "+");
}

TEST(shell_parser, ranges_and_steps) {
  EXPECT_EQ(p("1..10"), "(1 .. 10)");
  EXPECT_EQ(p("1..10//2"), "(1..10//2)");
  EXPECT_EQ(p("1..2+3//4"), "(1..(2 + 3)//4)");
  EXPECT_EQ(p("a..b//c..d"), "(a..b//(c .. d))");
  EXPECT_EQ(p("1..10//2 |> Enum.to_list"), "((1..10//2) |> Enum.to_list)");
  EXPECT_EQ(p("x in 1..10//-1"), "(x in (1..10//-1))");
  const node_ptr r = one("1..10//2");
  ASSERT_EQ(r->kind, node_kind::binary_op);
  EXPECT_EQ(r->name, "..//");
  ASSERT_EQ(r->args.size(), 3u);
  EXPECT_EQ(r->args[2]->value, term(2));
  EXPECT_ERROR("1 // 2", "the range step operator (//) must immediately follow the range definition operator (..)", 1,
               3, false);
  EXPECT_ERROR("1..", "syntax error: expression is incomplete", 1, 4, true);
}

TEST(shell_parser, unsupported_operators) {
  EXPECT_ERROR("a <<< b", "operator <<< is not supported by this shell", 1, 3, false);
  EXPECT_ERROR("a ~> b", "operator ~> is not supported by this shell", 1, 3, false);
  EXPECT_ERROR("a :: b", "operator :: is not supported by this shell", 1, 3, false);
  EXPECT_ERROR("a \\\\ b", "operator \\\\ is not supported by this shell", 1, 3, false);
  EXPECT_ERROR("a when b", "syntax error before: 'when'", 1, 3, false);
  EXPECT_ERROR("a | b", "syntax error before: '|'", 1, 3, false);
  EXPECT_ERROR("a => b", "syntax error before: '=>'", 1, 3, false);
  EXPECT_ERROR("a <- b", "syntax error before: '<-'", 1, 3, false);
  EXPECT_ERROR("a -> b", "syntax error before: '->'", 1, 3, false);
  EXPECT_ERROR("...", "syntax error before: '...'", 1, 1, false);
  EXPECT_ERROR("a $ b", "unexpected token: \"$\" (column 3, code point U+0024)", 1, 3, false);
  EXPECT_ERROR("`x`", "unexpected token: \"`\"", 1, 1, false);
}

// --- lines ---

TEST(shell_parser, newlines_and_separators) {
  EXPECT_EQ(p("x = 1\ny = 2"), "(x = 1) ;; (y = 2)");
  EXPECT_EQ(p("x = 1; y = 2"), "(x = 1) ;; (y = 2)");
  EXPECT_EQ(p("\n\n  x  \n\n"), "x");
  EXPECT_EQ(p(""), "");
  EXPECT_EQ(p("   "), "");
  EXPECT_EQ(p("# only a comment"), "");
  EXPECT_EQ(p(";"), "");
  EXPECT_EQ(p("x # comment\ny # another"), "x ;; y");
  EXPECT_EQ(p("x = 1;\n"), "(x = 1)");
  EXPECT_EQ(p("1 +\n 2"), "(1 + 2)");
  EXPECT_EQ(p("1 +\n\n# gap\n 2"), "(1 + 2)");
  EXPECT_EQ(p("a =\n1"), "(a = 1)");
  EXPECT_EQ(p("a\n|> b\n|> c"), "((a |> b) |> c)");
  EXPECT_EQ(p("a # c\n|> b"), "(a |> b)");
  EXPECT_EQ(p("a\n== b"), "(a == b)");
  EXPECT_EQ(p("a\nand b"), "(a and b)");
  EXPECT_EQ(p("a\n.b"), "a.b");
  EXPECT_EQ(p("a\nnot in b"), "(a not in b)");
  EXPECT_EQ(p("a\n- b"), "a ;; (-b)");  // `-` may start an expression: the newline ends `a`
  EXPECT_EQ(p("a\n+ b"), "a ;; (+b)");
  EXPECT_EQ(p("a\n!b"), "a ;; (!b)");
  EXPECT_EQ(p("f(\n1,\n2\n)"), "f(1, 2)");
  EXPECT_EQ(p("f(1\n, 2)"), "f(1, 2)");
  EXPECT_EQ(p("not\na"), "(not a)");
  EXPECT_EQ(p("x \\\n+ 1"), "(x + 1)");  // a backslash continues the line
  EXPECT_EQ(p("x\r\ny"), "x ;; y");
  EXPECT_EQ(p("IO.puts\n\"hi\""), "IO.puts ;; \"hi\"");
  EXPECT_ERROR("1 +; 2", "syntax error before: ';'", 1, 4, false);
  EXPECT_ERROR("f(1; 2)", "syntax error before: ';'", 1, 4, false);
  EXPECT_ERROR("1 2", "syntax error before: 2", 1, 3, false);
}

// --- calls ---

TEST(shell_parser, local_and_remote_calls) {
  EXPECT_EQ(p("f(a, b)"), "f(a, b)");
  EXPECT_EQ(p("self()"), "self()");
  EXPECT_EQ(p("elem(t, 0)"), "elem(t, 0)");
  EXPECT_EQ(p("foo?(x)"), "foo?(x)");
  EXPECT_EQ(p("Mod.f(a)"), "Mod.f(a)");
  EXPECT_EQ(p(":ets.new(T, [])"), ":ets.new(T, [])");
  EXPECT_EQ(p("mod_var.f()"), "mod_var.f()");
  EXPECT_EQ(p("x.y.z()"), "x.y.z()");
  EXPECT_EQ(p("x.y(1).z"), "x.y(1).z");
  EXPECT_EQ(p("f(x).y"), "f(x).y");
  EXPECT_EQ(p("x.fn"), "x.fn");  // after a dot, any word is a name
  EXPECT_EQ(p("Kernel.and(a, b)"), "Kernel.and(a, b)");
  EXPECT_EQ(p("f(g(h(1)))"), "f(g(h(1)))");

  const node_ptr local = one("f(a, b)");
  ASSERT_EQ(local->kind, node_kind::local_call);
  EXPECT_EQ(local->name, "f");
  EXPECT_EQ(local->args.size(), 2u);
  EXPECT_EQ(local->source, "f(a, b)");

  const node_ptr remote = one("Counter.Worker.bogus()");
  ASSERT_EQ(remote->kind, node_kind::remote_call);
  EXPECT_EQ(remote->name, "bogus");
  ASSERT_EQ(remote->args.size(), 1u);
  EXPECT_EQ(remote->args[0]->value, term(otter::atom("Elixir.Counter.Worker")));
  EXPECT_FALSE(remote->no_parens);
  EXPECT_EQ(remote->source, "Counter.Worker.bogus()");

  const node_ptr erl = one(":ets.new(T, [])");
  EXPECT_EQ(erl->args[0]->value, term(otter::atom("ets")));
  EXPECT_EQ(erl->args.size(), 3u);

  const node_ptr var_mod = one("m.f(1)");
  EXPECT_EQ(var_mod->args[0]->kind, node_kind::variable);

  EXPECT_EQ(one("  IO.puts(\"hi\")  ")->source, "IO.puts(\"hi\")");
  EXPECT_EQ(one("x = IO.puts(\"hi\")")->args[1]->source, "IO.puts(\"hi\")");
  EXPECT_EQ(one(std::string("f(") + std::string(300, 'a') + ")")->source.size(), 160u);  // bounded

  EXPECT_ERROR("f(1,)", "syntax error before: ')'", 1, 5, false);
  EXPECT_ERROR("f(", "missing terminator: ) (for \"(\" starting at line 1)", 1, 3, true);
  EXPECT_ERROR("f(a, b", "missing terminator: )", 1, 7, true);
  EXPECT_ERROR("f(x) (1)", "syntax error before: '('", 1, 6, false);
  EXPECT_ERROR("Foo.", "syntax error: expression is incomplete", 1, 5, true);
  EXPECT_ERROR("x.\"f\"()", "syntax error before: \"f\"", 1, 3, false);
  EXPECT_ERROR("x.Foo", "syntax error before: Foo", 1, 3, false);
}

TEST(shell_parser, no_parens_fields) {
  const node_ptr value = one("Counter.Worker.value");
  ASSERT_EQ(value->kind, node_kind::remote_call);
  EXPECT_TRUE(value->no_parens);
  EXPECT_EQ(value->name, "value");
  EXPECT_EQ(value->args.size(), 1u);
  EXPECT_EQ(value->source, "Counter.Worker.value");

  const node_ptr field = one("m.key.other");
  ASSERT_EQ(field->kind, node_kind::remote_call);
  EXPECT_TRUE(field->no_parens);
  EXPECT_EQ(field->name, "other");
  EXPECT_EQ(field->args[0]->kind, node_kind::remote_call);
  EXPECT_TRUE(field->args[0]->no_parens);
  EXPECT_EQ(field->args[0]->name, "key");

  EXPECT_EQ(p("%{a: 1}.a"), "%{:a => 1}.a");
  EXPECT_EQ(p("x .y"), "x.y");
  EXPECT_EQ(p("m.key + 1"), "(m.key + 1)");
  EXPECT_FALSE(one("m.f()")->no_parens);
  EXPECT_FALSE(one("IO.puts \"hi\"")->no_parens);
}

TEST(shell_parser, anonymous_function_calls) {
  const node_ptr n = one("f.(x, y)");
  ASSERT_EQ(n->kind, node_kind::apply_fun);
  ASSERT_EQ(n->args.size(), 3u);
  EXPECT_EQ(n->args[0]->name, "f");
  EXPECT_EQ(p("f.()"), "f.()");
  EXPECT_EQ(p("m.f.(1)"), "m.f.(1)");
  EXPECT_EQ(p("fn x -> x end.(1)"), "fn(x -> x).(1)");
  EXPECT_EQ(p("f.(1).(2)"), "f.(1).(2)");
}

TEST(shell_parser, calls_without_parentheses) {
  EXPECT_EQ(p("IO.puts \"hi\""), "IO.puts(\"hi\")");
  EXPECT_EQ(p("h Enum"), "h(Enum)");
  EXPECT_EQ(p("h Enum.map"), "h(Enum.map)");
  EXPECT_EQ(p("IO.inspect x, label: \"a\""), "IO.inspect(x, [{:label, \"a\"}])");
  EXPECT_EQ(p("f a: 1, b: 2"), "f([{:a, 1}, {:b, 2}])");
  EXPECT_EQ(p("f g 1, 2"), "f(g(1, 2))");
  EXPECT_EQ(p("a b c"), "a(b(c))");
  EXPECT_EQ(p("IO.puts String.upcase \"a\""), "IO.puts(String.upcase(\"a\"))");
  EXPECT_EQ(p("x = f y, z"), "(x = f(y, z))");
  EXPECT_EQ(p("f x |> g"), "f((x |> g))");
  EXPECT_EQ(p("a.b c"), "a.b(c)");
  EXPECT_EQ(p("f :a"), "f(:a)");
  EXPECT_EQ(p("f {1}"), "f({1})");
  EXPECT_EQ(p("f [1]"), "f([1])");
  EXPECT_EQ(p("f %{}"), "f(%{})");
  EXPECT_EQ(p("f ^x"), "f(^x)");
  EXPECT_EQ(p("f !x"), "f((!x))");
  EXPECT_EQ(p("f not x"), "f((not x))");
  EXPECT_EQ(p("f &g/1"), "f(&g/1)");
  EXPECT_ERROR("f &1", "capture argument &1 must be used within the capture operator &", 1, 3, false);
}

TEST(shell_parser, calls_without_parentheses_edges) {
  EXPECT_EQ(p("spawn fn -> 1 end"), "spawn(fn( -> 1))");
  EXPECT_EQ(p("f \"a#{x}\""), "f(interp(\"a\", x, \"\"))");
  EXPECT_EQ(p("f 'a'"), "f('a')");
  EXPECT_EQ(p("f ~w(a)"), "f([\"a\"])");
  EXPECT_EQ(p("f 1.5"), "f(1.5)");
  EXPECT_EQ(p("f ?a"), "f(97)");
  EXPECT_EQ(p("f true"), "f(true)");
  EXPECT_EQ(p("f (1)"), "f(1)");
  EXPECT_EQ(p("f (1), 2"), "f(1, 2)");
  EXPECT_EQ(p("f ()"), "f(nil)");
  EXPECT_EQ(p("x - 1"), "(x - 1)");
  EXPECT_EQ(p("x -1"), "(x - 1)");  // a subtraction, not f(-1)
  EXPECT_EQ(p("x-1"), "(x - 1)");
  EXPECT_EQ(p("x +1"), "(x + 1)");
  EXPECT_EQ(p("x [1]"), "x([1])");
  EXPECT_EQ(p("x[1]"), "x[1]");
  EXPECT_EQ(p("x(1)"), "x(1)");
  EXPECT_EQ(p("x (1)"), "x(1)");
  EXPECT_EQ(p("[f x]"), "[f(x)]");
  EXPECT_EQ(p("%{a: f x}"), "%{:a => f(x)}");
  EXPECT_EQ(p("foo(bar 1, 2)"), "foo(bar(1, 2))");  // the first argument may take the commas
  EXPECT_EQ(p("IO.puts if x, do: 1"), "IO.puts(if(x, 1, null))");
  const node_ptr call = one("IO.puts \"hi\"");
  ASSERT_EQ(call->kind, node_kind::remote_call);
  EXPECT_EQ(call->source, "IO.puts \"hi\"");
  EXPECT_EQ(one("h Enum")->source, "h Enum");
  EXPECT_ERROR("[f 1, 2]", "unexpected comma. Parentheses are required to solve ambiguity inside containers", 1, 5,
               false);
  EXPECT_ERROR("{f 1, 2}", "unexpected comma", 1, 5, false);
  EXPECT_ERROR("foo(a, bar 1, 2)", "unexpected comma", 1, 13, false);
  EXPECT_ERROR("f 1,", "syntax error: expression is incomplete", 1, 5, true);
  EXPECT_ERROR("IO.puts \"a\",\n", "syntax error: expression is incomplete", 2, 1, true);
}

TEST(shell_parser, trailing_keyword_arguments) {
  const node_ptr n = one("Registry.start_link(name: R, keys: :unique)");
  ASSERT_EQ(n->kind, node_kind::remote_call);
  ASSERT_EQ(n->args.size(), 2u);  // the module, then one keyword list
  const node_ptr& kw = n->args[1];
  ASSERT_EQ(kw->kind, node_kind::list);
  ASSERT_EQ(kw->args.size(), 2u);
  EXPECT_EQ(show(kw), "[{:name, R}, {:keys, :unique}]");
  EXPECT_EQ(p("f(1, a: 2)"), "f(1, [{:a, 2}])");
  EXPECT_EQ(p("f(1, \"a b\": 2)"), "f(1, [{:\"a b\", 2}])");
  EXPECT_EQ(p("f(\n  a: 1,\n  b: 2\n)"), "f([{:a, 1}, {:b, 2}])");
  EXPECT_EQ(p("f(1, [a: 2])"), "f(1, [{:a, 2}])");
  EXPECT_ERROR("f(a: 1, 2)", "unexpected expression after keyword list", 1, 9, false);
  EXPECT_ERROR("f(a: 1,)", "syntax error before: ')'", 1, 8, false);
  EXPECT_ERROR("f(a: )", "syntax error before: ')'", 1, 6, false);
}

TEST(shell_parser, access) {
  const node_ptr n = one("m[:a]");
  ASSERT_EQ(n->kind, node_kind::access);
  ASSERT_EQ(n->args.size(), 2u);
  EXPECT_EQ(n->args[0]->name, "m");
  EXPECT_EQ(n->args[1]->value, term(otter::atom("a")));
  EXPECT_EQ(p("list[0]"), "list[0]");
  EXPECT_EQ(p("m[:a][:b]"), "m[:a][:b]");
  EXPECT_EQ(p("f(x)[0]"), "f(x)[0]");
  EXPECT_EQ(p("m.a[1]"), "m.a[1]");
  EXPECT_EQ(p("m[k].f"), "m[k].f");
  EXPECT_EQ(p("m[x + 1] * 2"), "(m[(x + 1)] * 2)");
  EXPECT_ERROR("m[1", "missing terminator: ] (for \"[\" starting at line 1)", 1, 4, true);
  EXPECT_ERROR("m[1, 2]", "syntax error before: ','", 1, 4, false);
}

// --- fn, case, cond, if ---

TEST(shell_parser, anonymous_functions) {
  EXPECT_EQ(p("fn x -> x * 2 end"), "fn(x -> (x * 2))");
  EXPECT_EQ(p("fn -> :ok end"), "fn( -> :ok)");
  EXPECT_EQ(p("fn () -> :ok end"), "fn( -> :ok)");
  EXPECT_EQ(p("fn a, b -> a + b end"), "fn(a, b -> (a + b))");
  EXPECT_EQ(p("fn (a, b) -> a end"), "fn(a, b -> a)");
  EXPECT_EQ(p("fn (x) when x > 0 -> x end"), "fn(x when (x > 0) -> x)");
  EXPECT_EQ(p("fn {:ok, v} -> v; _ -> nil end"), "fn({:ok, v} -> v; _ -> nil)");
  EXPECT_EQ(p("fn x when x > 0 -> x end"), "fn(x when (x > 0) -> x)");
  EXPECT_EQ(p("fn x, y when x > y -> x end"), "fn(x, y when (x > y) -> x)");
  EXPECT_EQ(p("fn x when is_integer(x) and x > 0 -> x end"), "fn(x when (is_integer(x) and (x > 0)) -> x)");
  EXPECT_EQ(p("fn x -> end"), "fn(x -> nil)");
  EXPECT_EQ(p("fn\n  0 -> :zero\n  n ->\n    m = n * 2\n    m + 1\nend"),
            "fn(0 -> :zero; n -> block((m = (n * 2)); (m + 1)))");
  EXPECT_EQ(p("fn -1 -> :neg\n 1 -> :pos end"), "fn(-1 -> :neg; 1 -> :pos)");
  EXPECT_EQ(p("fn x -> fn y -> x + y end end"), "fn(x -> fn(y -> (x + y)))");
  EXPECT_EQ(p("fn x -> (x) end"), "fn(x -> x)");
  EXPECT_EQ(p("fn x -> f x, 1 end"), "fn(x -> f(x, 1))");
  EXPECT_EQ(p("fn\n  (a) -> a\n  (a, b) -> b\nend"), "fn(a -> a; a, b -> b)");
  EXPECT_EQ(p("fn %{a: a} = m -> {a, m} end"), "fn((%{:a => a} = m) -> {a, m})");
  EXPECT_EQ(p("Enum.map(l, fn x -> x end)"), "Enum.map(l, fn(x -> x))");

  const node_ptr n = one("fn a, b -> a end");
  ASSERT_EQ(n->kind, node_kind::fn);
  ASSERT_EQ(n->clauses.size(), 1u);
  EXPECT_EQ(n->clauses[0].patterns.size(), 2u);
  EXPECT_FALSE(n->clauses[0].guard);

  EXPECT_ERROR("fn x -> x", "missing terminator: end (for \"fn\" starting at line 1)", 1, 10, true);
  EXPECT_ERROR("fn x ->", "missing terminator: end (for \"fn\" starting at line 1)", 1, 8, true);
  EXPECT_ERROR("fn\n", "missing terminator: end (for \"fn\" starting at line 1)", 2, 1, true);
  EXPECT_ERROR("fn end", "expected clauses (pattern -> expression) in fn", 1, 4, false);
  EXPECT_ERROR("fn x end", "unexpected reserved word: end", 1, 6, false);
  EXPECT_ERROR("fn x -> (x end", "unexpected reserved word: end. The \"(\" at line 1 is missing terminator \")\"", 1,
               12, false);
  EXPECT_ERROR("fn x when -> x end", "syntax error before: '->'", 1, 11, false);
  EXPECT_ERROR("fn x -> x when y end", "unexpected reserved word: end", 1, 18, false);
}

TEST(shell_parser, case_expressions) {
  EXPECT_EQ(p("case x do 1 -> :a; 2 -> :b end"), "case(x; 1 -> :a; 2 -> :b)");
  EXPECT_EQ(p("case x do\n  1 -> :a\n  _ -> :b\nend"), "case(x; 1 -> :a; _ -> :b)");
  EXPECT_EQ(p("case f(x) do\n  {:ok, v} when v > 0 ->\n    IO.puts v\n    v\n  {:error, _} = e -> e\nend"),
            "case(f(x); {:ok, v} when (v > 0) -> block(IO.puts(v); v); ({:error, _} = e) -> e)");
  EXPECT_EQ(p("case x do\n  [] -> 0\n  [h | t] -> h\nend"), "case(x; [] -> 0; [h | t] -> h)");
  EXPECT_EQ(p("case x do 1 -> end"), "case(x; 1 -> nil)");
  EXPECT_EQ(p("case(x) do _ -> 1 end"), "case(x; _ -> 1)");
  EXPECT_EQ(p("case x do\n  -1 -> :neg\n  1 -> :pos\nend"), "case(x; -1 -> :neg; 1 -> :pos)");
  EXPECT_EQ(p("case f x do _ -> 1 end"), "case(f(x); _ -> 1)");
  EXPECT_EQ(p("case x do\n  _ -> :a\nend\n|> f"), "(case(x; _ -> :a) |> f)");
  EXPECT_EQ(p("y = case x do _ -> 1 end"), "(y = case(x; _ -> 1))");

  const node_ptr n = one("case x do a when a > 1 -> a end");
  ASSERT_EQ(n->kind, node_kind::case_);
  ASSERT_EQ(n->args.size(), 1u);
  ASSERT_EQ(n->clauses.size(), 1u);
  EXPECT_EQ(n->clauses[0].patterns.size(), 1u);
  EXPECT_EQ(show(n->clauses[0].guard), "(a > 1)");

  EXPECT_ERROR("case x do", "missing terminator: end (for \"do\" starting at line 1)", 1, 10, true);
  EXPECT_ERROR("case x do\n  1 -> :a\n", "missing terminator: end (for \"do\" starting at line 1)", 3, 1, true);
  EXPECT_ERROR("case x do\n  1 ->", "missing terminator: end", 2, 7, true);
  EXPECT_ERROR("case x do end", "expected clauses (pattern -> expression) in case", 1, 11, false);
  EXPECT_ERROR("case x do 1, 2 -> 3 end", "case clauses take exactly one pattern", 1, 12, false);
  EXPECT_ERROR("case x do\n 1 -> 2\n 3, 4 -> 5\nend", "case clauses take exactly one pattern", 3, 3, false);
  EXPECT_ERROR("case x", "`case` expects a do-block", 1, 7, false);
  EXPECT_ERROR("case x\n", "`case` expects a do-block", 1, 7, false);
  EXPECT_ERROR("case do 1 -> 2 end", "`case` expects one expression and a do-block", 1, 1, false);
  EXPECT_ERROR("case x, do: 1", "`case` expects one expression and a do-block", 1, 1, false);
  EXPECT_ERROR("case x do 1 -> 2 else 3 end", "unexpected reserved word: else", 1, 18, false);
  EXPECT_ERROR("case x do 1 -> 2 end end", "unexpected reserved word: end", 1, 22, false);
}

TEST(shell_parser, cond_expressions) {
  EXPECT_EQ(p("cond do\n  x > 1 -> :a\n  true -> :b\nend"), "cond((x > 1) -> :a; true -> :b)");
  EXPECT_EQ(p("cond do x -> 1; y -> 2 end"), "cond(x -> 1; y -> 2)");
  const node_ptr n = one("cond do a -> b end");
  ASSERT_EQ(n->kind, node_kind::cond_);
  ASSERT_EQ(n->clauses.size(), 1u);
  EXPECT_EQ(n->clauses[0].patterns.size(), 1u);
  EXPECT_ERROR("cond do end", "expected clauses (pattern -> expression) in cond", 1, 9, false);
  EXPECT_ERROR("cond do a when b -> c end", "cond clauses take no guard (when)", 1, 11, false);
  EXPECT_ERROR("cond do a, b -> c end", "cond clauses take exactly one condition", 1, 10, false);
  EXPECT_ERROR("cond x do a -> b end", "`cond` takes no arguments", 1, 1, false);
  EXPECT_ERROR("cond do", "missing terminator: end (for \"do\" starting at line 1)", 1, 8, true);
}

TEST(shell_parser, if_and_unless) {
  EXPECT_EQ(p("if c do a end"), "if(c, a, null)");
  EXPECT_EQ(p("if c do a else b end"), "if(c, a, b)");
  EXPECT_EQ(p("if c, do: a, else: b"), "if(c, a, b)");
  EXPECT_EQ(p("if c, do: a"), "if(c, a, null)");
  EXPECT_EQ(p("if(c, do: a, else: b)"), "if(c, a, b)");
  EXPECT_EQ(p("if(c) do a end"), "if(c, a, null)");
  EXPECT_EQ(p("if c, [do: a]"), "if(c, a, null)");
  EXPECT_EQ(p("if x do\n  1\n  2\nelse\n  3\nend"), "if(x, block(1; 2), 3)");
  EXPECT_EQ(p("if x do\nelse\n  3\nend"), "if(x, nil, 3)");
  EXPECT_EQ(p("if x > 1 and y, do: :a, else: :b"), "if(((x > 1) and y), :a, :b)");
  EXPECT_EQ(p("if f x, do: 1"), "if(f(x), 1, null)");  // the comma belongs to if
  EXPECT_EQ(p("if x, do: 1, else: 2 |> f"), "if(x, 1, (2 |> f))");
  EXPECT_EQ(p("y = if x, do: 1, else: 2"), "(y = if(x, 1, 2))");
  EXPECT_EQ(p("if x,\n  do: 1,\n  else: 2"), "if(x, 1, 2)");
  // unless c do a else b end is if_ [c, b, a]; without else, b is a nil literal.
  EXPECT_EQ(p("unless c do a end"), "if(c, nil, a)");
  EXPECT_EQ(p("unless c do a else b end"), "if(c, b, a)");
  EXPECT_EQ(p("unless c, do: a, else: b"), "if(c, b, a)");
  const node_ptr u = one("unless c do a end");
  ASSERT_EQ(u->kind, node_kind::if_);
  ASSERT_EQ(u->args.size(), 3u);
  ASSERT_TRUE(u->args[1]);
  EXPECT_EQ(u->args[1]->kind, node_kind::literal);
  const node_ptr i = one("if c do a end");
  ASSERT_EQ(i->args.size(), 3u);
  EXPECT_FALSE(i->args[2]);

  EXPECT_ERROR("if x", "`if` expects a do-block", 1, 5, false);
  EXPECT_ERROR("if x do", "missing terminator: end (for \"do\" starting at line 1)", 1, 8, true);
  EXPECT_ERROR("if x do 1 else", "missing terminator: end (for \"do\" starting at line 1)", 1, 15, true);
  EXPECT_ERROR("if x,", "syntax error: expression is incomplete", 1, 6, true);
  EXPECT_ERROR("if x, do:", "syntax error: expression is incomplete", 1, 10, true);
  EXPECT_ERROR("if do 1 end", "`if` expects one condition", 1, 1, false);
  EXPECT_ERROR("if a, b, do: 1", "`if` expects one condition", 1, 1, false);
  EXPECT_ERROR("if x, do: 1 do 2 end", "`if` takes either do: ... or a do-block, not both", 1, 13, false);
  EXPECT_ERROR("if x, else: 1", "missing do: in if", 1, 7, false);
  EXPECT_ERROR("if x, do: 1, then: 2", "unexpected keyword then: in if", 1, 14, false);
  EXPECT_ERROR("if x, do: 1, do: 2", "unexpected keyword do: in if", 1, 14, false);
  EXPECT_ERROR("unless x", "`unless` expects a do-block", 1, 9, false);
  EXPECT_ERROR("if x do 1 else 2 else 3 end", "unexpected reserved word: else", 1, 18, false);
  EXPECT_ERROR("if x do 1 after 2 end", "unexpected reserved word: after", 1, 11, false);
}

TEST(shell_parser, blocks_in_parentheses) {
  EXPECT_EQ(p("(a; b)"), "block(a; b)");
  EXPECT_EQ(p("(a\nb)"), "block(a; b)");
  EXPECT_EQ(p("(\n  x = 1\n  x + 1\n)"), "block((x = 1); (x + 1))");
  EXPECT_EQ(p("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(p("(1)"), "1");
  EXPECT_EQ(p("()"), "nil");
  EXPECT_EQ(p("((1))"), "1");
  EXPECT_EQ(p("(1).a"), "1.a");
  EXPECT_EQ(one("(a; b)")->kind, node_kind::block);
  EXPECT_ERROR("(1, 2)", "syntax error before: ','", 1, 3, false);
  EXPECT_ERROR("(1", "missing terminator: ) (for \"(\" starting at line 1)", 1, 3, true);
  EXPECT_ERROR("(x]", "unexpected token: ]. The \"(\" at line 1 is missing terminator \")\"", 1, 3, false);
}

// --- captures ---

TEST(shell_parser, captures) {
  const node_ptr remote = one("&Counter.Worker.inc/1");
  ASSERT_EQ(remote->kind, node_kind::capture);
  EXPECT_EQ(remote->name, "inc");
  EXPECT_EQ(remote->arity, 1u);
  ASSERT_EQ(remote->args.size(), 1u);
  ASSERT_TRUE(remote->args[0]);
  EXPECT_EQ(remote->args[0]->value, term(otter::atom("Elixir.Counter.Worker")));

  const node_ptr local = one("&is_atom/1");
  ASSERT_EQ(local->kind, node_kind::capture);
  EXPECT_EQ(local->name, "is_atom");
  EXPECT_EQ(local->arity, 1u);
  ASSERT_EQ(local->args.size(), 1u);
  EXPECT_FALSE(local->args[0]);

  const node_ptr expr = one("&elem(&1, 0)");
  ASSERT_EQ(expr->kind, node_kind::capture);
  EXPECT_TRUE(expr->name.empty());  // an expression capture has no name
  EXPECT_EQ(expr->arity, 1u);
  EXPECT_EQ(show(expr->args[0]), "elem(&1, 0)");
  EXPECT_EQ(expr->args[0]->args[0]->kind, node_kind::capture_arg);
  EXPECT_EQ(expr->args[0]->args[0]->arity, 1u);

  EXPECT_EQ(p("&(&1 + 1)"), "&((&1 + 1))/1");
  EXPECT_EQ(p("& &1 + &2"), "&((&1 + &2))/2");
  EXPECT_EQ(p("&{&2, &1}"), "&({&2, &1})/2");
  EXPECT_EQ(p("&[&1 | &2]"), "&([&1 | &2])/2");
  EXPECT_EQ(p("&(&1)"), "&(&1)/1");
  EXPECT_EQ(p("&:erlang.abs/1"), "&:erlang.abs/1");
  EXPECT_EQ(p("&m.f/2"), "&m.f/2");
  EXPECT_EQ(p("&(Mod.f/0)"), "&Mod.f/0");
  EXPECT_EQ(p("&Enum.map(&1, &to_string/1)"), "&(Enum.map(&1, &to_string/1))/1");
  EXPECT_EQ(p("Enum.map(l, &(&1 * 2))"), "Enum.map(l, &((&1 * 2))/1)");
  EXPECT_EQ(p("f = &(&1.a)"), "(f = &(&1.a)/1)");
  // Operators as functions: the same as the capture of an expression.
  EXPECT_EQ(p("&+/2"), "&((&1 + &2))/2");
  EXPECT_EQ(p("&<>/2"), "&((&1 <> &2))/2");
  EXPECT_EQ(p("&//2"), "&((&1 / &2))/2");
  EXPECT_EQ(p("&-/1"), "&((-&1))/1");
  EXPECT_EQ(p("Enum.reduce(l, 0, &+/2)"), "Enum.reduce(l, 0, &((&1 + &2))/2)");
  EXPECT_ERROR("&+/3", "syntax error before: '/'", 1, 3, false);

  EXPECT_ERROR("&1", "capture argument &1 must be used within the capture operator &", 1, 1, false);
  EXPECT_ERROR("x = &1 + 1", "capture argument &1 must be used within the capture operator &", 1, 5, false);
  EXPECT_ERROR("&(&2)", "capture argument &2 cannot be defined without &1", 1, 1, false);
  EXPECT_ERROR("&(&1 + &3)", "capture argument &3 cannot be defined without &2", 1, 1, false);
  EXPECT_ERROR("&(&0)", "capture argument &0 is invalid", 1, 3, false);
  EXPECT_ERROR("&(&256)", "capture argument &256 is invalid", 1, 3, false);
  EXPECT_ERROR("&Enum.map(&1, &(&1 + 1))", "nested captures are not allowed", 1, 15, false);
  EXPECT_ERROR("&foo", "invalid capture", 1, 1, false);
  EXPECT_ERROR("&(1)", "invalid capture", 1, 1, false);
  EXPECT_ERROR("&foo/a", "invalid capture", 1, 1, false);
  EXPECT_ERROR("&foo/256", "invalid arity in a capture: 256", 1, 6, false);
  EXPECT_ERROR("&foo/-1", "invalid arity in a capture: -1", 1, 6, false);
  EXPECT_ERROR("&", "syntax error: expression is incomplete", 1, 2, true);
}

// --- for and receive ---

TEST(shell_parser, for_comprehensions) {
  EXPECT_EQ(p("for x <- list, do: x * 2"), "for(x <- list, do: (x * 2))");
  EXPECT_EQ(p("for x <- list do\n  x * 2\nend"), "for(x <- list, do: (x * 2))");
  EXPECT_EQ(p("for x <- [1], y <- [2], x > 1, do: x"), "for(x <- [1], y <- [2], (x > 1), do: x)");
  EXPECT_EQ(p("for x when x > 1 <- l, do: x"), "for(x when (x > 1) <- l, do: x)");
  EXPECT_EQ(p("for {k, v} <- m,\n    v > 0 do\n  k\nend"), "for({k, v} <- m, (v > 0), do: k)");
  EXPECT_EQ(p("for x <- 1..10//2, do: x"), "for(x <- (1..10//2), do: x)");
  const node_ptr n = one("for x <- list, x > 1, do: x");
  ASSERT_EQ(n->kind, node_kind::for_);
  ASSERT_EQ(n->clauses.size(), 2u);
  ASSERT_EQ(n->clauses[0].patterns.size(), 1u);
  EXPECT_EQ(n->clauses[0].patterns[0]->name, "x");
  EXPECT_EQ(n->clauses[0].body->name, "list");
  EXPECT_TRUE(n->clauses[1].patterns.empty());  // a filter
  EXPECT_EQ(show(n->clauses[1].body), "(x > 1)");
  ASSERT_EQ(n->args.size(), 2u);
  EXPECT_EQ(n->args[0], n->clauses[0].body);  // the first enumerable
  EXPECT_EQ(n->args[1]->name, "x");           // the body

  EXPECT_ERROR("for x > 1, do: x", "`for` must start with a generator", 1, 1, false);
  EXPECT_ERROR("for do x end", "`for` must start with a generator", 1, 1, false);
  EXPECT_ERROR("for x <- l, into: %{}, do: x", "the for option into: is not supported by this shell", 1, 13, false);
  EXPECT_ERROR("for x <- l", "`for` expects a do-block", 1, 11, false);
  EXPECT_ERROR("for x <- l, do: 1 do 2 end", "`for` takes either do: ... or a do-block, not both", 1, 19, false);
  EXPECT_ERROR("for x when y, do: x", "expected <- after the guard of a generator", 1, 13, false);
  EXPECT_ERROR("for x <- l do", "missing terminator: end (for \"do\" starting at line 1)", 1, 14, true);
  EXPECT_ERROR("for x <-", "syntax error: expression is incomplete", 1, 9, true);
}

TEST(shell_parser, receive_expressions) {
  EXPECT_EQ(p("receive do\n  {:a, x} -> x\n  _ -> :other\nafter\n  1000 -> :timeout\nend"),
            "receive({:a, x} -> x; _ -> :other; after 1000 -> :timeout)");
  EXPECT_EQ(p("receive do x -> x end"), "receive(x -> x)");
  EXPECT_EQ(p("receive do after 100 -> :t end"), "receive(; after 100 -> :t)");
  EXPECT_EQ(p("receive do\nafter\n  0 ->\n    :a\n    :b\nend"), "receive(; after 0 -> block(:a; :b))");
  EXPECT_EQ(p("receive do {:msg, n} when n > 0 -> n end"), "receive({:msg, n} when (n > 0) -> n)");
  const node_ptr n = one("receive do x -> x after t -> :late end");
  ASSERT_EQ(n->kind, node_kind::receive_);
  ASSERT_EQ(n->clauses.size(), 1u);
  ASSERT_EQ(n->args.size(), 2u);
  EXPECT_EQ(n->args[0]->name, "t");
  EXPECT_TRUE(one("receive do x -> x end")->args.empty());
  EXPECT_ERROR("receive do end", "expected clauses (pattern -> expression) in receive", 1, 12, false);
  EXPECT_ERROR("receive do x -> x after end", "expected clauses (pattern -> expression) in after", 1, 25, false);
  EXPECT_ERROR("receive do x -> x after 1 -> 2; 3 -> 4 end", "`after` in receive takes exactly one clause", 1, 19,
               false);
  EXPECT_ERROR("receive do", "missing terminator: end (for \"do\" starting at line 1)", 1, 11, true);
  EXPECT_ERROR("receive x do y -> y end", "`receive` takes no arguments", 1, 1, false);
}

// --- what the shell rejects ---

TEST(shell_parser, unsupported_constructs) {
  for (std::string_view word : {"defmodule", "def", "defp", "defmacro", "defstruct", "try", "with", "quote", "import",
                                "alias", "require", "use", "__MODULE__", "__ENV__"}) {
    const std::string src = std::string(word) + " Foo do x end";
    const error_info e = err(src);
    EXPECT_EQ(e.what, "`" + std::string(word) + "` is not supported by this shell") << src;
    EXPECT_EQ(e.line, 1u);
    EXPECT_EQ(e.column, 1u);
    EXPECT_FALSE(e.incomplete);
  }
  EXPECT_ERROR("x = __MODULE__", "`__MODULE__` is not supported by this shell", 1, 5, false);
  EXPECT_ERROR("@attr", "module attributes (@name) are not supported by this shell", 1, 1, false);
  EXPECT_ERROR("%Struct{}", "structs (%Name{...}) are not supported by this shell", 1, 1, false);
  EXPECT_ERROR("<<1>>", "binaries are not supported by this shell", 1, 1, false);
  EXPECT_ERROR("with {:ok, x} <- f(), do: x", "`with` is not supported by this shell", 1, 1, false);
  // An unfinished construct is incomplete, so that the shell reads all of
  // it and reports it once rather than each of its lines.
  EXPECT_ERROR("defmodule Foo do", "`defmodule` is not supported by this shell", 1, 1, true);
  EXPECT_ERROR("defmodule Foo do\n  def bar(x) do\n    x\n  end", "`defmodule` is not supported", 1, 1, true);
  EXPECT_ERROR("defmodule Foo do\n  def bar(x) do\n    x\n  end\nend", "`defmodule` is not supported", 1, 1, false);
  EXPECT_ERROR("try do\n  f(fn -> 1 end, [", "`try` is not supported", 1, 1, true);
  EXPECT_ERROR("x = 1\n  try do x end", "`try` is not supported", 2, 3, false);
  EXPECT_ERROR("def f, do: \"x", "missing terminator: \" (for string starting at line 1)", 1, 14, true);
  // The words are still fine as keys and function names.
  EXPECT_EQ(p("[def: 1, try: 2]"), "[{:def, 1}, {:try, 2}]");
  EXPECT_EQ(p("Kernel.def(1)"), "Kernel.def(1)");
}

// --- errors: wording, positions, incomplete ---

TEST(shell_parser, error_wording_like_elixir) {
  EXPECT_ERROR("foo)", "unexpected token: )", 1, 4, false);
  EXPECT_ERROR("1 +* 2", "syntax error before: '*'", 1, 4, false);
  EXPECT_ERROR("foo(", "missing terminator: ) (for \"(\" starting at line 1)", 1, 5, true);
  EXPECT_ERROR("case x do", "missing terminator: end (for \"do\" starting at line 1)", 1, 10, true);
  EXPECT_ERROR("end", "unexpected reserved word: end", 1, 1, false);
  EXPECT_ERROR("x\nelse", "unexpected reserved word: else", 2, 1, false);
  EXPECT_ERROR("}", "unexpected token: }", 1, 1, false);
  EXPECT_ERROR("1,", "syntax error before: ','", 1, 2, false);
  EXPECT_ERROR("a: 1", "syntax error before: a:", 1, 1, false);
  EXPECT_ERROR("f(1]", "unexpected token: ]. The \"(\" at line 1 is missing terminator \")\"", 1, 4, false);
  EXPECT_ERROR("[\n  1,\n  2\n}", "unexpected token: }. The \"[\" at line 1 is missing terminator \"]\"", 4, 1, false);
  EXPECT_ERROR("x = [1, 2,\n     3 4]", "syntax error before: 4", 2, 8, false);
}

TEST(shell_parser, incomplete_exactly_when_more_input_could_complete) {
  // More lines could complete these: the shell asks for another line.
  for (std::string_view src : {"foo(",
                               "foo(1,",
                               "[1, 2",
                               "{",
                               "%{",
                               "%{a: 1,",
                               "\"abc",
                               "\"#{x",
                               "'ab",
                               "~w(a",
                               "case x do",
                               "case x do\n 1 -> 2",
                               "fn x -> x",
                               "fn",
                               "if x do 1 else",
                               "1 +",
                               "x =",
                               "x |>",
                               "a and",
                               "1 +\n",
                               "x = [\n",
                               "f(\n  1,\n",
                               "IO.puts \"a\",",
                               "[a:",
                               "cond do",
                               "receive do",
                               "for x <- l do",
                               "&",
                               "-",
                               "not",
                               "^",
                               "?",
                               ":",
                               "Foo.",
                               "x.",
                               "m[",
                               "(",
                               "(1;",
                               "\"a\\",
                               "1..",
                               "1..2//",
                               "fn x when",
                               "case x do 1 ->",
                               "x \"abc",
                               "f(\"a#{x}",
                               "[a: 1, b:",
                               "%{\"k\" =>",
                               "x.y :",
                               "~s(#{x}"}) {
    const error_info e = err(src);
    EXPECT_TRUE(e.incomplete) << "input: " << src << "\nmessage: " << e.what;
  }
  // These are wrong whatever follows.
  for (std::string_view src : {"foo)",
                               "1 +* 2",
                               "]",
                               "end",
                               "x = )",
                               "[1, 2)",
                               "\"abc\" \"",
                               "case x do 1 -> 2 ) ",
                               "f(1,)",
                               "1 $",
                               "9223372036854775808",
                               "fn end",
                               "if x",
                               "case x\n",
                               "a b c d e f g)",
                               "~r/",
                               "%Struct{",
                               "<<",
                               "@x",
                               "defmodule",
                               "&1",
                               "1 // 2",
                               "x |> |>",
                               "\"#{1 +}\"",
                               "\xff",
                               "foo) \"abc",
                               "x when",
                               "1 \"abc",
                               "(1) 'a",
                               "[1] ~w(",
                               "1 ?",
                               "[a: 1, b:2]",
                               "%{a: 1, \"k\" =>",
                               "~s(#{x})u"}) {
    const error_info e = err(src);
    EXPECT_FALSE(e.incomplete) << "input: " << src << "\nmessage: " << e.what;
  }
}

TEST(shell_parser, locations) {
  const std::vector<node_ptr> v = parse("x = 1\n  foo(bar, :baz)\n\n    [1, {2, \"é\" <> s}]");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0]->where.line, 1u);
  EXPECT_EQ(v[0]->where.column, 1u);
  EXPECT_EQ(v[0]->args[1]->where.column, 5u);
  const node_ptr& call = v[1];
  EXPECT_EQ(call->where.line, 2u);
  EXPECT_EQ(call->where.column, 3u);
  EXPECT_EQ(call->args[0]->where.column, 7u);
  EXPECT_EQ(call->args[1]->where.column, 12u);
  const node_ptr& list = v[2];
  EXPECT_EQ(list->where.line, 4u);
  EXPECT_EQ(list->where.column, 5u);
  const node_ptr& tuple = list->args[1];
  EXPECT_EQ(tuple->where.column, 9u);
  const node_ptr& concat = tuple->args[1];
  EXPECT_EQ(concat->where.column, 13u);           // a binary op starts at its left operand
  EXPECT_EQ(concat->args[1]->where.column, 20u);  // columns count characters, not bytes

  const node_ptr fn = one("f = fn\n  x -> x\nend");
  EXPECT_EQ(fn->args[1]->where.line, 1u);
  EXPECT_EQ(fn->args[1]->where.column, 5u);
  EXPECT_EQ(fn->args[1]->clauses[0].patterns[0]->where.line, 2u);
  EXPECT_EQ(fn->args[1]->clauses[0].patterns[0]->where.column, 3u);

  const node_ptr neg = one("  -5");
  EXPECT_EQ(neg->where.column, 3u);
  const node_ptr interp = one("\"a#{b}c\"");
  EXPECT_EQ(interp->args[1]->where.column, 5u);
  EXPECT_EQ(interp->args[2]->where.column, 7u);
  const node_ptr kw = one("f(a: 1)");
  EXPECT_EQ(kw->args[0]->where.column, 3u);
  EXPECT_EQ(kw->args[0]->args[0]->where.column, 3u);

  EXPECT_ERROR("x = 1\ny = (2 +\n  * 3)", "syntax error before: '*'", 3, 3, false);
  EXPECT_ERROR("é = $", "unexpected token: \"$\" (column 5", 1, 5, false);
}

// Every node carries a location, wherever the parser made it.
void expect_located(const node_ptr& n) {
  if (!n) return;
  EXPECT_GE(n->where.line, 1u) << show(n);
  EXPECT_GE(n->where.column, 1u) << show(n);
  for (const node_ptr& a : n->args) expect_located(a);
  for (const auto& [k, v] : n->pairs) {
    expect_located(k);
    expect_located(v);
  }
  expect_located(n->tail);
  for (const clause& c : n->clauses) {
    for (const node_ptr& pat : c.patterns) expect_located(pat);
    expect_located(c.guard);
    expect_located(c.body);
  }
}

TEST(shell_parser, every_node_has_a_location) {
  const std::string_view src =
      "x = %{\"k\" => {^y, 'c', ~w(a b)a}, a: [1, 2 | t]}\n"
      "case f.(x) do\n  {:ok, v} when v > 0 -> \"v=#{v}\"\n  _ -> m[:a].b\nend\n"
      "if a, do: &(&1 + 1), else: &Mod.f/2\n"
      "unless a do b end\n"
      "for x <- 1..10//2, x > 1, do: x\n"
      "receive do m -> m after 10 -> () end\n"
      "cond do not a -> (b; c) end\n"
      "fn -> -1 end";
  for (const node_ptr& n : parse(src)) expect_located(n);
}

// --- limits and hostile input ---

TEST(shell_parser, depth_limit) {
  const parse_limits small{.max_depth = 20};
  EXPECT_EQ(p("[[[[[[[[[[1]]]]]]]]]]"), "[[[[[[[[[[1]]]]]]]]]]");
  const error_info deep = err(std::string(30, '[') + std::string(30, ']'), small);
  EXPECT_TRUE(contains(deep.what, "expression nested too deeply (more than 20 levels)")) << deep.what;
  EXPECT_FALSE(deep.incomplete);
  EXPECT_NO_THROW(parse(std::string(15, '[') + std::string(15, ']'), small));

  // Whatever nests, the default limit stops it long before the stack would.
  for (std::string_view open : {"(", "[", "{", "%{a: ", "f(", "- ", "!", "not ", "fn -> ", "\"#{", "&(", "x = ",
                                "case x do _ -> ", "if x do ", "for x <- ", "[a: ", "f x, ", "receive do _ -> "}) {
    std::string src;
    for (int k = 0; k < 20000; ++k) src += open;
    const error_info e = err(src);
    EXPECT_TRUE(contains(e.what, "nested too deeply")) << open << ": " << e.what;
    EXPECT_FALSE(e.incomplete) << open;
  }
  // Loops nest the tree too: long chains are refused before they get deep
  // enough to overflow whoever walks or frees the tree.
  for (std::string_view step : {" + 1", ".f", "[0]", ".(1)", ".f(1)"}) {
    std::string src = "x";
    for (int k = 0; k < 100000; ++k) src += step;
    const error_info e = err(src);
    EXPECT_TRUE(contains(e.what, "nested too deeply")) << step << ": " << e.what;
  }
  std::string chain = "x";
  for (int k = 0; k < 100; ++k) chain += " + 1";
  EXPECT_NO_THROW(parse(chain));
}

TEST(shell_parser, large_flat_inputs) {
  std::string list = "[";
  for (int k = 0; k < 100000; ++k) list += "1, ";
  list += "]";
  EXPECT_EQ(one(list)->args.size(), 100000u);

  std::string lines;
  for (int k = 0; k < 20000; ++k) lines += "x = \"#{k}\" <> :a\n";
  EXPECT_EQ(parse(lines).size(), 20000u);

  const std::string text = "\"" + std::string(1 << 20, 'a') + "\"";
  EXPECT_EQ(one(text)->value.size(), std::size_t{1} << 20);
  EXPECT_TRUE(parse("# " + std::string(1 << 20, 'c')).empty());
  EXPECT_TRUE(parse(std::string(1 << 20, '\n')).empty());
  EXPECT_TRUE(contains(err(std::string(1 << 20, '}')).what, "unexpected token: }"));
}

TEST(shell_parser, invalid_bytes) {
  EXPECT_ERROR("x = \"\xff\"", "invalid UTF-8 in the input", 1, 6, false);
  EXPECT_ERROR("a\n\xc3(", "invalid UTF-8 in the input", 2, 1, false);
  EXPECT_ERROR("\xed\xa0\x80", "invalid UTF-8 in the input", 1, 1, false);  // a surrogate
  EXPECT_ERROR(std::string_view("x \0 y", 5), "unexpected token: (column 3, code point U+0000)", 1, 3, false);
  EXPECT_ERROR("\x01", "code point U+0001", 1, 1, false);
  EXPECT_EQ(one(std::string_view("\"\0\"", 3))->value, term(std::string_view("\0", 1)));
  EXPECT_ERROR(std::string_view("'\0", 2), "missing terminator: '", 1, 3, true);
}

TEST(shell_parser, random_input_never_crashes) {
  // Fragments that exercise every path of the lexer and the parser, glued at
  // random, with random bytes in between: each must parse or throw a
  // syntax_error with a position.
  const std::vector<std::string> pieces = {"(",
                                           ")",
                                           "[",
                                           "]",
                                           "{",
                                           "}",
                                           "%{",
                                           "<<",
                                           ">>",
                                           "\"",
                                           "'",
                                           "#{",
                                           "\\",
                                           "~w(",
                                           "~s[",
                                           "~c<",
                                           ":",
                                           "::",
                                           ",",
                                           ";",
                                           "\n",
                                           " ",
                                           "x",
                                           "f",
                                           "Foo.Bar",
                                           ".",
                                           "fn",
                                           "->",
                                           "end",
                                           "do",
                                           "case",
                                           "if",
                                           "unless",
                                           "else",
                                           "cond",
                                           "for",
                                           "<-",
                                           "receive",
                                           "after",
                                           "&",
                                           "&1",
                                           "&2",
                                           "/",
                                           "1",
                                           "-",
                                           "+",
                                           "..",
                                           "//",
                                           "|",
                                           "|>",
                                           "=",
                                           "==",
                                           "when",
                                           "not",
                                           "in",
                                           "and",
                                           "?",
                                           "?\\",
                                           "0x",
                                           "1.5e",
                                           "a:",
                                           "\"k\": ",
                                           "=>",
                                           "^",
                                           "!",
                                           "@",
                                           "%",
                                           "#",
                                           std::string(1, '\0'),
                                           "é",
                                           "99999999999999999999",
                                           "\"a#{",
                                           "1_",
                                           ":\"",
                                           "~",
                                           "`",
                                           "$",
                                           "**",
                                           "'a'"};
  std::mt19937 rng(20240601);
  std::size_t parsed = 0, rejected = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 30);
    for (int k = 0; k < len; ++k) {
      if (rng() % 12 == 0)
        s.push_back(static_cast<char>(rng() % 256));
      else
        s += pieces[rng() % pieces.size()];
    }
    try {
      for (const node_ptr& n : parse(s)) expect_located(n);
      ++parsed;
    } catch (const syntax_error& e) {
      ++rejected;
      ASSERT_GE(e.line(), 1u) << s;
      ASSERT_GE(e.column(), 1u) << s;
      ASSERT_FALSE(std::string(e.what()).empty()) << s;
    }
  }
  EXPECT_GT(parsed, 100u);
  EXPECT_GT(rejected, 100u);
}

}  // namespace

// Parsing Elixir literals: every form the shell user types, errors that say
// where and what, hostile input, and print -> parse round trips of
// generated terms.
#include <gtest/gtest.h>

#include <string>

#include "otter/term_parse.hpp"
#include "term_gen.hpp"

using namespace otter;
using namespace otter::literals;

TEST(TermParse, numbers_in_every_notation) {
  EXPECT_EQ(parse_term("1_000"), term(1000));
  EXPECT_EQ(parse_term("-42"), term(-42));
  EXPECT_EQ(parse_term("0x1F"), term(31));
  EXPECT_EQ(parse_term("0o17"), term(15));
  EXPECT_EQ(parse_term("0b101"), term(5));
  EXPECT_EQ(parse_term("?a"), term(97));
  EXPECT_EQ(parse_term("?\\n"), term(10));
  EXPECT_EQ(parse_term("?é"), term(233));
  EXPECT_EQ(parse_term("1.5e3"), term(1500.0));
  EXPECT_EQ(parse_term("1.0E-2"), term(0.01));
  EXPECT_EQ(parse_term("-9223372036854775808"), term(INT64_MIN));
  EXPECT_EQ(parse_term("9223372036854775807"), term(INT64_MAX));
  EXPECT_EQ(parse_term("1_000.5"), term(1000.5));
}

TEST(TermParse, atoms_aliases_and_the_wildcard) {
  EXPECT_EQ(parse_term(":ok"), term("ok"_a));
  EXPECT_EQ(parse_term(":\"needs quotes\""), term("needs quotes"_a));
  EXPECT_EQ(parse_term(":'single'"), term("single"_a));
  EXPECT_EQ(parse_term("Counter.Worker"), term("Elixir.Counter.Worker"_a));
  EXPECT_EQ(parse_term("true"), term(true));
  EXPECT_EQ(parse_term("nil"), term(atoms::nil));
  EXPECT_EQ(parse_term("_"), term(atoms::underscore));
  EXPECT_EQ(parse_term("{:_, 1}"), tuple(atoms::underscore, 1));
  EXPECT_EQ(parse_term("[:+, :===, :..., :foo?, :a@b]"), (list{"+"_a, "==="_a, "..."_a, "foo?"_a, "a@b"_a}));
}

TEST(TermParse, strings_with_escapes_and_charlists) {
  EXPECT_EQ(parse_term(R"("a\nb\t\"q\"\\")"), term("a\nb\t\"q\"\\"));
  EXPECT_EQ(parse_term(R"("\x41\u00e9\u{1F600}\0")").as_binary(), std::string("A\xc3\xa9\xf0\x9f\x98\x80\0", 8));
  EXPECT_EQ(parse_term(R"("\#{x}")"), term("#{x}"));
  EXPECT_EQ(parse_term("'abc'"), charlist("abc"));
  EXPECT_EQ(parse_term("~c\"hé\""), charlist("hé"));
  EXPECT_EQ(parse_term("<<1, 2, \"ab\">>"), term::binary(std::string("\x01\x02" "ab", 4)));
  EXPECT_EQ(parse_term("<<>>"), term(""));
}

TEST(TermParse, containers_keywords_maps_and_tails) {
  EXPECT_EQ(parse_term("{:W1, 5}"), tuple("W1"_a, 5));
  EXPECT_EQ(parse_term("{}"), tuple());
  EXPECT_EQ(parse_term("[1, 2, ]"), (list{1, 2}));
  EXPECT_EQ(parse_term("[1 | 2]"), list::improper({1}, 2));
  EXPECT_EQ(parse_term("[1, 2 | [3]]"), (list{1, 2, 3}));
  EXPECT_EQ(parse_term("[a: 1, b: 2]"), (list{tuple("a"_a, 1), tuple("b"_a, 2)}));
  EXPECT_EQ(parse_term("[1, a: 2]"), (list{1, tuple("a"_a, 2)}));
  EXPECT_EQ(parse_term("[\"a b\": 1, W1: 2]"), (list{tuple("a b"_a, 1), tuple("W1"_a, 2)}));
  EXPECT_EQ(parse_term("%{a: 1}"), (map{{"a"_a, 1}}));
  EXPECT_EQ(parse_term("%{\"k\" => [1], 2 => 3, b: 4}"), (map{{"k", list{1}}, {2, 3}, {"b"_a, 4}}));
  EXPECT_EQ(parse_term("%{a: 1, a: 2}"), (map{{"a"_a, 2}}));
  EXPECT_EQ(parse_term("#PID<0.12.3>"), term(pid((std::uint64_t{3} << 32) | 12)));
  EXPECT_EQ(parse_term("#Reference<0.1.2.3>"), term(ref_words{{3, 2, 1}}));
  EXPECT_EQ(parse_term("  # a comment\n {1,\n  2} # another\n"), tuple(1, 2));
}

namespace {
void expect_error(std::string_view text, std::size_t line, std::size_t column, std::string_view says, bool incomplete) {
  try {
    term t = parse_term(text);
    ADD_FAILURE() << "parsed `" << text << "` as " << t;
  } catch (const parse_error& e) {
    EXPECT_EQ(e.line(), line) << text << ": " << e.what();
    EXPECT_EQ(e.column(), column) << text << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << text << ": " << e.what();
    EXPECT_EQ(e.incomplete(), incomplete) << text << ": " << e.what();
  }
}
}  // namespace

TEST(TermParse, errors_say_where_and_what) {
  expect_error("{1, 2", 1, 6, "missing terminator: }", true);
  expect_error("[1,\n 2", 2, 3, "missing terminator: ]", true);
  expect_error("\"abc", 1, 5, "missing terminator: \"", true);
  expect_error("%{a: }", 1, 6, "expected a term", false);
  expect_error("[a: 1, 2]", 1, 8, "keywords must be the last", false);
  expect_error("99999999999999999999", 1, 1, "does not fit in 64 bits", false);
  expect_error("9223372036854775808", 1, 1, "does not fit in 64 bits", false);
  expect_error("foo", 1, 1, "unexpected identifier `foo`", false);
  expect_error("{1 2}", 1, 4, "expected `,` or `}`", false);
  expect_error("%{1 2}", 1, 5, "expected `=>`", false);
  expect_error("\"a#{b}\"", 1, 3, "interpolation", false);
  expect_error("1.0e400", 1, 1, "out of range", false);
  expect_error("<<256>>", 1, 3, "expected a byte", false);
  expect_error("1 2", 1, 3, "unexpected `2` after the term", false);
  expect_error("", 1, 1, "expected a term", true);
  expect_error("%Foo{}", 1, 1, "only maps", false);
  expect_error("1e5", 1, 2, "after a number", false);
  expect_error(":\"\\xff\"", 1, 1, "not valid UTF-8", false);
  expect_error("#PID<1.2.3>", 1, 1, "only local pids", false);
  expect_error("#PID<0.1.", 1, 10, "expected a number in a pid", true);
  expect_error("'\xc0\x80'", 1, 2, "invalid UTF-8", false);  // raw bytes, not an escape
}

TEST(TermParse, deep_nesting_is_refused_not_a_stack_overflow) {
  std::string deep(100000, '[');
  expect_error(deep, 1, 1001, "nesting deeper than 1000", false);
  std::string ok = std::string(500, '{') + std::string(500, '}');
  EXPECT_NO_THROW(parse_term(ok));
}

TEST(TermParse, print_then_parse_gives_the_same_term_for_generated_terms) {
  otter_test::term_gen gen(20261125);
  for (int i = 0; i < 3000; ++i) {
    term t = gen.any();
    const std::string text = t.to_string();
    term back;
    try {
      back = parse_term(text);
    } catch (const parse_error& e) {
      FAIL() << text << "\n" << e.what();
    }
    ASSERT_EQ(back, t) << text << "\nparsed back as\n" << back;
    ASSERT_EQ(back.hash(), t.hash()) << text;
  }
}

TEST(TermParse, char_literals_and_charlist_escapes_as_elixir) {
  EXPECT_EQ(parse_term("{?\\x41}"), tuple(65));
  EXPECT_EQ(parse_term("{?\\x{41}}"), tuple(65));
  EXPECT_EQ(parse_term("%{a: ?\\u0041}"), (map{{"a"_a, 65}}));
  EXPECT_EQ(parse_term("?\\é"), term(233));
  EXPECT_EQ(parse_term("'\\xFF'"), (list{255}));  // a code point, as Elixir reads it
  EXPECT_EQ(parse_term("\"\\xFF\""), term::binary("\xff"));  // a byte in a string
  expect_error("[1, ?\\u{110000}]", 1, 5, "invalid unicode code point", false);
}

TEST(TermParse, nested_binaries_are_depth_limited_too) {
  expect_error(std::string(100000, '<'), 1, 2001, "nesting deeper than 1000", false);
}

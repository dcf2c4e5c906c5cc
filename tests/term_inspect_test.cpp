// Printing as iex prints. Every expected string below was printed by Elixir
// 1.14.0 on OTP 25 (IO.inspect, i.e. pretty, width 80, limit 50) for the
// same literal; tests/term_elixir_test.cpp repeats the comparison live on
// generated terms when Elixir is installed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "otter/term.hpp"
#include "otter/term_parse.hpp"

using namespace otter;
using namespace otter::literals;

namespace {
std::string show(std::string_view literal) { return inspect(parse_term(literal)); }
std::string flat(std::string_view literal) { return parse_term(literal).to_string(); }
}  // namespace

TEST(TermInspect, the_lectures_values_print_as_iex_prints_them) {
  EXPECT_EQ(show("{:ok, #PID<0.110.0>}"), "{:ok, #PID<0.110.0>}");
  EXPECT_EQ(show("[{1, \"hello\"}]"), "[{1, \"hello\"}]");
  EXPECT_EQ(show("[{1, \"hello\"}, {1, \"world\"}]"), "[{1, \"hello\"}, {1, \"world\"}]");
  EXPECT_EQ(show("[{:W1, 3}]"), "[W1: 3]");  // a keyword list
  EXPECT_EQ(show("true"), "true");
  EXPECT_EQ(show("{:error, {:already_started, #PID<0.120.0>}}"), "{:error, {:already_started, #PID<0.120.0>}}");
  EXPECT_EQ(show("{:error, :max_children}"), "{:error, :max_children}");
  EXPECT_EQ(show("Counter.Worker"), "Counter.Worker");
  EXPECT_EQ(show("%{a: 1}"), "%{a: 1}");
}

TEST(TermInspect, atoms_quote_only_when_elixir_does) {
  EXPECT_EQ(flat("[:ok, :\"needs quotes\", :Foo, Counter.Worker, :\"Elixir.foo bar\", :+, :\"=>\", :&&, :a@b, :a?, "
                 ":\"a?b\", :\"1a\", :_, :__MODULE__, :\"\", nil, true, Elixir, :\"Elixir.\", :\"Elixir.Foo.bar\", :é, "
                 ":héllo, :foo!, :!, :..., :.., :/, :<>, :%, :%{}, :{}, :-, :\"::\", :\\\\, :@, :^, :\"...\"]"),
            "[:ok, :\"needs quotes\", :Foo, Counter.Worker, :\"Elixir.foo bar\", :+, :\"=>\", :&&, :a@b, :a?, "
            ":\"a?b\", :\"1a\", :_, :__MODULE__, :\"\", nil, true, Elixir, :\"Elixir.\", :\"Elixir.Foo.bar\", :é, "
            ":héllo, :foo!, :!, :..., :.., :/, :<>, :%, :%{}, :{}, :-, :\"::\", :\\\\, :@, :^, :...]");
  EXPECT_EQ(flat("[:a@, :\"@a\", :W1, :\"W1.x\", :\"Foo.Bar\", :\"Elixir.Elixir\", :\"Elixir.Elixir.Foo\", "
                 ":\"Elixir.Foo1_x\", :\"a-b\", :=, :|, :., :..//, :->, :<-, :<<>>, :|>, :=~, :**, :\"//\", :and, "
                 ":\"not in\", :\"~~~\", :&&&, :<<<, :\"^^^\", :===, :!==, :\"1\", :日本, :\"😀\", :\"a\\\"b\", :\"\\n\"]"),
            "[:a@, :\"@a\", :W1, :\"W1.x\", :\"Foo.Bar\", Elixir.Elixir, Elixir.Elixir.Foo, Foo1_x, :\"a-b\", :=, :|, "
            ":., :..//, :->, :<-, :<<>>, :|>, :=~, :**, :\"//\", :and, :\"not in\", :\"~~~\", :&&&, :<<<, :\"^^^\", "
            ":===, :!==, :\"1\", :日本, :\"😀\", :\"a\\\"b\", :\"\\n\"]");
}

TEST(TermInspect, keyword_keys_quote_like_elixir) {
  EXPECT_EQ(flat("[{:a@b, 1}, {:+, 1}, {:\"?\", 1}, {:Foo, 1}, {:a?, 1}, {:é, 1}, {:\"1\", 1}, {:_, 1}, {true, 1}, "
                 "{nil, 1}, {:\"Elixir\", 1}, {:\"Foo.Bar\", 1}, {:\"a-b\", 1}, {:|>, 1}, {:\"::\", 1}, {:..., 1}, "
                 "{:do, 1}, {:\"not in\", 1}, {:\"😀\", 1}, {:W1, 1}, {:%{}, 1}]"),
            "[a@b: 1, +: 1, \"?\": 1, Foo: 1, a?: 1, é: 1, \"1\": 1, _: 1, true: 1, nil: 1, \"Elixir\": 1, "
            "\"Foo.Bar\": 1, \"a-b\": 1, |>: 1, \"::\": 1, ...: 1, do: 1, \"not in\": 1, \"😀\": 1, W1: 1, %{}: 1]");
  // A key starting with Elixir. makes it an ordinary list of tuples.
  EXPECT_EQ(flat("[{Foo, 1}]"), "[{Foo, 1}]");
  EXPECT_EQ(flat("%{Foo => 2, :a => 1}"), "%{Foo => 2, :a => 1}");
  EXPECT_EQ(flat("%{\"a b\": 1}"), "%{\"a b\": 1}");
}

TEST(TermInspect, floats_print_shortest_the_elixir_way) {
  EXPECT_EQ(flat("[1.0, 0.1, 1.0e20, 1.0e21, 1.0e-5, 0.0001, 0.001, 123456789.0, 1.5e300, -0.0, 2.0e15, 1.0e16, "
                 "1.0e15, 12345678901234567.0, 5.0e-324, 100.0]"),
            "[1.0, 0.1, 1.0e20, 1.0e21, 1.0e-5, 0.0001, 0.001, 123456789.0, 1.5e300, -0.0, 2000000000000000.0, "
            "1.0e16, 1000000000000000.0, 1.2345678901234568e16, 5.0e-324, 100.0]");
  EXPECT_EQ(flat("[1000000000000000.5, 9007199254740993.0, 10000000000000002.0, 0.30000000000000004, 123.456, "
                 "1.0e-10, 0.00012, 1.5e-7, 123456780000000.0, 1.0e100, 2.5, -0.0015, 0.00123]"),
            "[1000000000000000.5, 9007199254740992.0, 1.0000000000000002e16, 0.30000000000000004, 123.456, "
            "1.0e-10, 1.2e-4, 1.5e-7, 123456780000000.0, 1.0e100, 2.5, -0.0015, 0.00123]");
}

TEST(TermInspect, strings_charlists_and_binaries) {
  EXPECT_EQ(flat(R"(["text", "a\nb\t\"q\"\\", <<1, 2, 3>>, <<255>>, "é", "\e\a\0", "", "\x7f"])"),
            R"(["text", "a\nb\t\"q\"\\", <<1, 2, 3>>, <<255>>, "é", <<27, 7, 0>>, "", "\d"])");
  EXPECT_EQ(flat(R"(["\e\a", "a\#{b", "\v\b\f\r", <<0x80>>, <<0xC2, 0x80>>, "\uFFFE", "\uFFFD"])"),
            R"(["\e\a", "a\#{b", "\v\b\f\r", <<128>>, <<194, 128>>, <<239, 191, 190>>, "�"])");
  EXPECT_EQ(flat(R"([[?a, ?\e], 'a\'b', 'a"b', [0x7f], [128], [?a, 0x100], [], [?\\], [104, 105]])"),
            R"(['a\e', 'a\'b', 'a"b', [127], [128], [97, 256], [], '\\', 'hi'])");
  EXPECT_EQ(flat("{:a, [1 | :b], [1, 2 | 3], %{}, {}, [a: [b: 1]], %{\"a\" => %{b: 1}}, %{[1] => 2}}"),
            "{:a, [1 | :b], [1, 2 | 3], %{}, {}, [a: [b: 1]], %{\"a\" => %{b: 1}}, %{[1] => 2}}");
  EXPECT_EQ(flat("%{2 => :a, 1.0 => :b, 1 => :c, 2.0 => :d}"), "%{1 => :c, 2 => :a, 1.0 => :b, 2.0 => :d}");
}

TEST(TermInspect, pretty_layout_breaks_where_iex_does) {
  EXPECT_EQ(show("[1.0, 0.1, 1.0e20, 1.0e21, 1.0e-5, 0.0001, 0.001, 123456789.0, 1.5e300, -0.0, 2.0e15, 1.0e16, "
                 "1.0e15, 12345678901234567.0, 5.0e-324, 100.0]"),
            "[1.0, 0.1, 1.0e20, 1.0e21, 1.0e-5, 0.0001, 0.001, 123456789.0, 1.5e300, -0.0,\n"
            " 2000000000000000.0, 1.0e16, 1000000000000000.0, 1.2345678901234568e16,\n"
            " 5.0e-324, 100.0]");
  EXPECT_EQ(show("['abc', [104, 105], [1,2], 'a\\nb', [7], [?a | ?b], [a: 1, b: 2], [{:a, 1}, {\"b\", 2}]]"),
            "[\n  'abc',\n  'hi',\n  [1, 2],\n  'a\\nb',\n  '\\a',\n  [97 | 98],\n  [a: 1, b: 2],\n"
            "  [{:a, 1}, {\"b\", 2}]\n]");
  const std::string a30(30, 'a'), b30(30, 'b'), c30(30, 'c');
  auto q = [](const std::string& s) { return "\"" + s + "\""; };
  EXPECT_EQ(show("[" + q(a30) + ", " + q(b30) + ", " + q(c30) + "]"),
            "[" + q(a30) + ", " + q(b30) + ",\n " + q(c30) + "]");
  EXPECT_EQ(show("{" + q(a30) + ", " + q(b30) + ", " + q(c30) + "}"),
            "{" + q(a30) + ", " + q(b30) + ",\n " + q(c30) + "}");
  EXPECT_EQ(show("%{a: " + q(a30) + ", b: " + q(b30) + ", c: " + q(c30) + "}"),
            "%{\n  a: " + q(a30) + ",\n  b: " + q(b30) + ",\n  c: " + q(c30) + "\n}");
  EXPECT_EQ(show("[a: " + q(a30) + ", b: " + q(b30) + ", c: " + q(c30) + "]"),
            "[\n  a: " + q(a30) + ",\n  b: " + q(b30) + ",\n  c: " + q(c30) + "\n]");
  EXPECT_EQ(show("[{" + q(a30) + ", 1}, {" + q(b30) + ", 2}, {" + q(c30) + ", 3}]"),
            "[\n  {" + q(a30) + ", 1},\n  {" + q(b30) + ", 2},\n  {" + q(c30) + ", 3}\n]");
  const std::string a40(40, 'a'), b40(40, 'b');
  EXPECT_EQ(show("{[" + q(a40) + ", " + q(b40) + "], :x}"), "{[" + q(a40) + ",\n  " + q(b40) + "], :x}");
}

TEST(TermInspect, limit_cuts_containers_at_50_items_and_nested_ones_earlier) {
  std::vector<term> sixty;
  for (int i = 1; i <= 60; ++i) sixty.push_back(i);
  EXPECT_EQ(inspect(term::list_of(sixty), {0, 50}),
            "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, "
            "29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, ...]");
  EXPECT_EQ(inspect(term::list_of(sixty), {0, 3}), "[1, 2, 3, ...]");
  EXPECT_EQ(inspect(list{list{1, 2, 3, 4}, list{1, 2, 3, 4}}, {0, 3}), "[[1, 2, ...], [1, ...]]");
  EXPECT_EQ(inspect(term::binary(std::string("\x01\x02\x03\x04", 4)), {0, 2}), "<<1, 2, ...>>");
  EXPECT_EQ(inspect(map{{1, 1}, {2, 2}, {3, 3}}, {0, 2}), "%{1 => 1, 2 => 2, ...}");
  EXPECT_EQ(inspect(map{{"a"_a, 1}, {"b"_a, 2}, {"c"_a, 3}}, {0, 2}), "%{a: 1, b: 2, ...}");
  EXPECT_EQ(inspect(tuple(1, 2, 3, 4), {0, 2}), "{1, 2, ...}");
  EXPECT_EQ(inspect(parse_term("[a: 1, b: 2, c: 3]"), {0, 2}), "[a: 1, b: 2, ...]");
  EXPECT_EQ(inspect(list::improper({1, 2}, 3), {0, 1}), "[1, ...]");
  EXPECT_EQ(inspect(list::improper({1, 2}, 3), {0, 2}), "[1, 2 | 3]");
}

TEST(TermInspect, long_binaries_and_map_entries_lay_out_as_iex) {
  EXPECT_EQ(inspect(term::binary(std::string(40, '\xc8'))),
            "<<200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,\n"
            "  200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,\n"
            "  200, 200, 200, 200, 200, 200, 200, 200, 200, 200>>");
  const std::string k(50, 'k'), v(50, 'v');
  EXPECT_EQ(inspect(map{{k, v}}), "%{\n  \"" + k + "\" => \"" + v + "\"\n}");
}

TEST(TermInspect, only_ascii_printable_integers_make_a_charlist) {
  EXPECT_EQ(term(list{4294967306LL}).to_string(), "[4294967306]");  // not '\\n' (2^32 + 10)
  EXPECT_EQ(term(list{10}).to_string(), "'\\n'");
  EXPECT_EQ(term(atom("Elixir.ElixirFoo")).to_string(), "ElixirFoo");
  EXPECT_EQ(term(atom("Elixir.Elixir.Foo")).to_string(), "Elixir.Elixir.Foo");
}

TEST(TermInspect, to_string_is_one_line_and_unlimited) {
  std::vector<term> many;
  for (int i = 0; i < 100; ++i) many.push_back(i);
  const std::string s = term::list_of(many).to_string();
  EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_EQ(s.find("..."), std::string::npos);
  EXPECT_EQ(parse_term(s), term::list_of(many));
}

TEST(TermInspect, structs_print_as_elixir_prints_them) {
  // Task.async(fn -> 1 + 1 end) in iex 1.14:
  EXPECT_EQ(show("%{__struct__: Task, mfa: {:erlang, :apply, 2}, owner: #PID<0.106.0>, pid: #PID<0.108.0>, "
                 "ref: #Reference<0.1983473889.1914503169.124876>}"),
            "%Task{\n  mfa: {:erlang, :apply, 2},\n  owner: #PID<0.106.0>,\n  pid: #PID<0.108.0>,\n"
            "  ref: #Reference<0.1983473889.1914503169.124876>\n}");
  EXPECT_EQ(flat("%{__struct__: Counter.Point, x: 1, y: 2}"), "%Counter.Point{x: 1, y: 2}");
  EXPECT_EQ(flat("%{__struct__: Empty}"), "%Empty{}");
  // Not structs: the module is no Elixir alias, or a key is no atom.
  EXPECT_EQ(flat("%{__struct__: :foo, a: 1}"), "%{__struct__: :foo, a: 1}");
  EXPECT_EQ(flat("%{:__struct__ => Foo, \"a\" => 1}"), "%{:__struct__ => Foo, \"a\" => 1}");
}

// The lecture through the shell: tests/shell/*.exs are typed into the
// read-eval-print loop line by line, as `iex -S mix` would get them, and
// the transcript is compared with tests/shell/*.expected (what real iex
// prints for the same input, with the differences tests/shell/README.md
// lists). Pids, references and function ids are normalized, since they
// differ between runs.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "counter/application.hpp"
#include "shell/parser.hpp"
#include "shell/repl.hpp"
#include "test_util.hpp"

using namespace otter_test;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What differs between runs (pids, references, function ids) and between
// the two programs by design: the banner, the prompt's name, and where a
// stacktrace line says the code is (iex: "(elixir 1.14.0) lib/gen_server.ex:1027:").
// (By hand rather than with <regex>, which g++ 12 warns about under ASan.)
std::string strip_numbers(std::string text, std::string_view open, std::string_view allowed, char close) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t at = text.find(open, i);
    if (at == std::string::npos) break;
    std::size_t j = at + open.size();
    while (j < text.size() && allowed.find(text[j]) != std::string_view::npos) ++j;
    out.append(text, i, at + open.size() - i);
    if (j < text.size() && text[j] == close) i = j;  // drop the numbers, keep `close`
    else i = at + open.size();
  }
  out.append(text, i, std::string::npos);
  return out;
}

std::string normalize(const std::string& raw) {
  std::string text = strip_numbers(raw, "#PID<", "0123456789.", '>');
  text = strip_numbers(text, "#Reference<", "0123456789.", '>');
  text = strip_numbers(text, "#Function<", "0123456789.", '/');
  std::istringstream in(text);
  std::string out, line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!first) out += '\n';
    first = false;
    if (line.starts_with("Interactive Elixir (") || line.starts_with("Interactive otter (")) line = "<banner>";
    if (line.starts_with("iex(")) line = "otter(" + line.substr(4);
    if (line.starts_with("    (elixir ") || line.starts_with("    (stdlib ") || line.starts_with("    (otter) ")) {
      // "    (elixir 1.14.0) lib/gen_server.ex:1027: GenServer.call/3",
      // "    (stdlib 4.2) sys.erl:338: :sys.send_system_msg/2" and "    (otter) GenServer.call/3"
      const std::size_t paren = line.find(") ");
      std::string rest = line.substr(paren + 2);
      const std::size_t colon = rest.find(": ");
      if (colon != std::string::npos && (rest.starts_with("lib/") || rest.substr(0, colon).find(".erl:") != std::string::npos))
        rest = rest.substr(colon + 2);
      line = "    (trace) " + rest;
    }
    out += line;
  }
  if (!text.empty() && text.back() == '\n') out += '\n';
  return out;
}

struct transcript {
  std::mutex m;
  std::string text;
  void add(std::string_view s) {
    std::lock_guard lk(m);
    text += s;
  }
  std::string get() {
    std::lock_guard lk(m);
    return text;
  }
};

// Runs `input` through a shell on the started counter application and
// returns the transcript as iex shows piped input: prompt, then output.
std::string run(const std::string& input, int max_children = -1) {
  // Before the runtime: processes the script spawned write to it until the
  // runtime has stopped.
  transcript out;
  log_capture logs;  // crash reports stay out of the transcript (iex: Logger level :none)
  otter::runtime rt(quiet());
  if (max_children >= 0) otter::application::put_env(rt, "counter", "max_children", otter::term(max_children));
  EXPECT_TRUE(counter::application::start(rt).is_ok());
  {
    otter::shell::repl r(rt, [&out](std::string_view s) { out.add(s); });
    out.add(otter::shell::repl::banner());
    std::istringstream in(input);
    std::string line;
    for (;;) {
      out.add(r.prompt());
      if (!std::getline(in, line)) break;
      r.feed(line);
    }
  }
  counter::application::stop(rt);
  rt.shutdown();
  return out.get();
}

void expect_same(const std::string& name) {
  const std::string dir = OTTER_SHELL_TESTS;
  const std::string got = normalize(run(read_file(dir + "/" + name + ".exs")));
  const std::string want = normalize(read_file(dir + "/" + name + ".expected"));
  if (got == want) return;
  // Show the first differing line.
  std::istringstream g(got), w(want);
  std::string gl, wl;
  int n = 1;
  while (true) {
    const bool more_g = static_cast<bool>(std::getline(g, gl)), more_w = static_cast<bool>(std::getline(w, wl));
    if (!more_g && !more_w) break;
    if (gl != wl || more_g != more_w) {
      ADD_FAILURE() << name << ": line " << n << " differs\n  got:      " << (more_g ? gl : "<end>")
                    << "\n  expected: " << (more_w ? wl : "<end>") << "\n--- whole transcript ---\n" << got;
      return;
    }
    ++n;
  }
}

TEST(shell_lecture, the_lecture_as_iex_prints_it) { expect_same("lecture"); }
TEST(shell_lecture, enum_and_data_modules_as_iex_prints_them) { expect_same("builtins_enum"); }
TEST(shell_lecture, ets_as_iex_prints_it) { expect_same("builtins_ets"); }
TEST(shell_lecture, tasks_as_iex_prints_them) { expect_same("task"); }
TEST(shell_lecture, iex_helpers_as_iex_prints_them) { expect_same("iex_helpers"); }

TEST(shell_lecture, multi_line_input_and_errors_keep_the_shell_alive) {
  const std::string t = normalize(run("x = [1,\n2,\n3]\nEnum.sum(x)\ncase x do\n  [1 | rest] -> rest\n  _ -> :other\nend\n"
                                      "Process.exit(self(), :kill)\nx\n1 + 1\n"));
  EXPECT_NE(t.find("otter(1)> ...(1)> ...(1)> [1, 2, 3]\notter(2)> 6\n"), std::string::npos) << t;
  EXPECT_NE(t.find("[2, 3]\n"), std::string::npos) << t;
  EXPECT_NE(t.find("** (EXIT from #PID<>) shell process exited with reason: killed\n"), std::string::npos) << t;
  // A new evaluator: bindings are gone, numbering restarts, the shell goes on.
  EXPECT_NE(t.find("** (CompileError) iex:1: undefined function x/0 (there is no such import)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("otter(1)> 2\notter(2)> "), std::string::npos) << t;
}

TEST(shell_lecture, hostile_input_gets_errors_not_crashes) {
  const std::string t = normalize(run(
      "f = fn f, n -> if n == 0, do: 0, else: 1 + f.(f, n - 1) end\n"
      "f.(f, 100000)\n"
      "l = Enum.reduce(1..200_000, [], fn _, a -> [a] end); :made\n"
      "is_list(l)\n"
      "-9223372036854775808 in 0..-9223372036854775808\n"
      "Enum.to_list(1..100_000_000_000)\n"
      "9223372036854775807 + 1\n"
      "2 ** 64\n"
      "2 ** 10\n"
      "receive do x -> x after 99999999999 -> :late end\n"
      "\"abc\n"));
  EXPECT_NE(t.find("** (SystemLimitError) a system limit has been reached: the shell's nesting of evaluation (at most"), std::string::npos) << t;
  EXPECT_NE(t.find("otter(2)> :made\notter(3)> true\n"), std::string::npos) << t;  // a list 200,000 deep
  EXPECT_NE(t.find("otter(4)> true\n"), std::string::npos) << t;  // 0..-2^63 counts down to -2^63
  EXPECT_NE(t.find("** (ArgumentError) the otter shell enumerates at most 10000000 elements of a range"), std::string::npos) << t;
  EXPECT_NE(t.find("** (ArithmeticError) integer overflow in 9223372036854775807 + 1"), std::string::npos) << t;
  EXPECT_NE(t.find("** (ArithmeticError) integer overflow in 2 ** 64"), std::string::npos) << t;
  EXPECT_NE(t.find("1024\n"), std::string::npos) << t;
  EXPECT_NE(t.find("** (ArgumentError) the after timeout must be an integer from 0 to 4294967295"), std::string::npos) << t;
}

TEST(shell_lecture, a_dead_evaluator_loses_no_input) {
  // The evaluator dies after answering (a linked process crashes later):
  // the next input goes to a new evaluator, and #iex:break drops an
  // unfinished expression.
  const std::string t = normalize(run("spawn_link(fn -> receive do :go -> exit(:boom) end end) |> send(:go)\n"
                                      "Process.sleep(50)\n"
                                      "1 + 1\n"
                                      "[1,\n#iex:break\n:after_break\n"));
  const std::size_t died = t.find("shell process exited with reason: :boom");
  ASSERT_NE(died, std::string::npos) << t;
  EXPECT_NE(t.find("> 2\n", died), std::string::npos) << t;  // 1 + 1, by the new evaluator
  EXPECT_NE(t.find(":after_break\n"), std::string::npos) << t;
}

// Waits until `r` is evaluating something and returns its number.
std::uint64_t evaluation_under_way(const otter::shell::repl& r) {
  for (;;) {
    if (const std::uint64_t n = r.evaluation()) return n;
    std::this_thread::yield();
  }
}

TEST(shell_lecture, ctrl_c_ends_only_the_evaluation_it_was_pressed_in) {
  transcript out;
  log_capture logs;
  otter::runtime rt(quiet());
  ASSERT_TRUE(counter::application::start(rt).is_ok());
  {
    otter::shell::repl r(rt, [&out](std::string_view s) { out.add(s); });
    EXPECT_EQ(r.evaluation(), 0u);  // at the prompt
    r.interrupt();                  // Ctrl+C at the prompt does nothing
    std::uint64_t first = 0;
    std::thread ctrl_c([&] {
      first = evaluation_under_way(r);
      r.interrupt(first);
    });
    EXPECT_FALSE(r.feed("Process.sleep(:infinity)"));
    ctrl_c.join();
    EXPECT_NE(out.get().find("shell process exited with reason: killed"), std::string::npos) << out.get();
    EXPECT_EQ(r.evaluation(), 0u);

    // The same Ctrl+C handled late, while the next evaluation runs: it is
    // dropped. (The evaluation waits for :go, sent only after the late
    // interrupt, so the interrupt surely comes while it runs.)
    std::thread late([&] {
      evaluation_under_way(r);
      r.interrupt(first);
      while (!rt.whereis("shell_test_evaluator")) std::this_thread::yield();
      rt.send("shell_test_evaluator", otter::term(otter::atom("go")));
    });
    EXPECT_TRUE(r.feed("Process.register(self(), :shell_test_evaluator); receive do :go -> :after_ctrl_c end"))
        << out.get();
    late.join();
    EXPECT_NE(out.get().find(":after_ctrl_c\n"), std::string::npos) << out.get();
    EXPECT_EQ(out.get().find("killed", out.get().find("killed") + 1), std::string::npos) << out.get();
  }
  counter::application::stop(rt);
  rt.shutdown();
}

TEST(shell_lecture, started_tasks_write_where_the_shell_writes) {
  const std::string t = run("parent = self()\n"
                            "Task.start(fn -> IO.puts(\"from a task\"); send(parent, :printed) end)\n"
                            "Task.start_link(fn -> IO.puts(\"from a linked task\"); send(parent, :printed) end)\n"
                            "receive do :printed -> :ok after 60_000 -> :no_answer end\n"
                            "receive do :printed -> :ok after 60_000 -> :no_answer end\n");
  EXPECT_NE(t.find("from a task\n"), std::string::npos) << t;
  EXPECT_NE(t.find("from a linked task\n"), std::string::npos) << t;
}

TEST(shell_lecture, syntax_errors_name_line_and_column) {
  const std::string t = run("1 +\n* 2\n{1, 2\n]\n");
  EXPECT_NE(t.find("** (SyntaxError) iex:2:1:"), std::string::npos) << t;
  EXPECT_NE(t.find("** (SyntaxError) iex:2:1: unexpected token: ]"), std::string::npos) << t;
}

}  // namespace

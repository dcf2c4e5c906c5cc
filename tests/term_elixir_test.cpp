// Cross-check with the real thing: generated terms are written as Elixir
// literals, read and inspected by `elixir` (IO.inspect's defaults: pretty,
// width 80, limit 50), and compared with otter::inspect, text for text.
// scripts/install-deps.sh installs Elixir, so the check runs in CI; without
// it the test is skipped and says so.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "otter/term.hpp"
#include "term_gen.hpp"

namespace {

bool have_elixir() { return std::system("command -v elixir >/dev/null 2>&1") == 0; }

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace

TEST(TermElixir, inspect_matches_elixir_on_generated_terms) {
  if (!have_elixir()) GTEST_SKIP() << "elixir is not installed (scripts/install-deps.sh installs it)";
  otter_test::term_gen gen(77, {.pids_and_refs = false, .max_depth = 4});
  std::vector<otter::term> terms;
  for (int i = 0; i < 400; ++i) terms.push_back(gen.any());
  // A few long ones, so that the layout breaks lines.
  for (int i = 0; i < 40; ++i) {
    std::vector<otter::term> v;
    for (int k = 0; k < 12; ++k) v.push_back(gen.any(1));
    terms.push_back(i % 2 ? otter::term::list_of(std::move(v)) : otter::term::tuple_of(std::move(v)));
  }
  const auto dir = std::filesystem::temp_directory_path() / ("otter_elixir_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto script = dir / "inspect.exs";
  {
    std::ofstream f(script);
    for (const auto& t : terms) f << "IO.puts(inspect((" << t.to_string() << "), pretty: true))\nIO.puts(\"\\u0001\")\n";
  }
  // erl insists on a HOME; CI environments may not set one.
  const std::string out = run("HOME=\"${HOME:-/tmp}\" elixir " + script.string() + " 2>/dev/null");
  std::filesystem::remove_all(dir);
  std::vector<std::string> printed;
  std::size_t start = 0;
  for (std::size_t pos; (pos = out.find("\n\x01\n", start)) != std::string::npos; start = pos + 3)
    printed.push_back(out.substr(start, pos - start));
  ASSERT_EQ(printed.size(), terms.size()) << "elixir printed:\n" << out.substr(0, 2000);
  for (std::size_t i = 0; i < terms.size(); ++i)
    EXPECT_EQ(otter::inspect(terms[i]), printed[i]) << "for the literal " << terms[i].to_string();
}

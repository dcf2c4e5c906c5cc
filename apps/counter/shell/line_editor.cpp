// The interactive terminal through libedit's readline interface (see
// line_editor.hpp).
#include "line_editor.hpp"

// clang-format off
#include <cstdio>
#include <editline/readline.h>
// clang-format on

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace otter::shell {

namespace {

repl* g_repl = nullptr;  // readline's completion callbacks take no context
std::vector<std::string> g_matches;

char* next_match(const char*, int state) {
  static std::size_t i;
  if (state == 0) i = 0;
  if (i >= g_matches.size()) return nullptr;
  return strdup(g_matches[i++].c_str());
}

char** complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // no file names
  rl_completion_append_character = '\0';  // a module is followed by `.`, a function by `(`: let the user type it
  g_matches = g_repl->complete(text);
  return rl_completion_matches(text, next_match);
}

std::string history_file() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.otter_history" : std::string();
}

}  // namespace

int run_line_editor(repl& r, const repl::output& out) {
  g_repl = &r;
  rl_readline_name = "otter";
  // Module names have dots and Erlang's start with a colon: keep them in one word.
  static char breaks[] = " \t\n\"\\'`@$><=;|&{([,+-*/";
  rl_basic_word_break_characters = breaks;
  rl_attempted_completion_function = complete;
  const std::string hist = history_file();
  using_history();
  if (!hist.empty()) read_history(hist.c_str());
  for (;;) {
    const std::string prompt = r.prompt();
    char* line = readline(prompt.c_str());
    if (!line) break;  // Ctrl+D
    std::string text(line);
    std::free(line);
    if (!text.empty()) add_history(text.c_str());
    r.feed(text);
  }
  out("\n");
  if (!hist.empty()) {
    write_history(hist.c_str());
    history_truncate_file(hist.c_str(), 1000);
  }
  g_repl = nullptr;
  return 0;
}

}  // namespace otter::shell

// The interactive terminal through libedit's readline interface (see
// line_editor.hpp).
#include "line_editor.hpp"

// clang-format off
#include <cstdio>
#include <editline/readline.h>
// clang-format on

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
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

// Ctrl+C: the handler notes which evaluation was under way when the key
// was pressed and writes its number to a pipe (a lock-free load and a
// write are all it may do); a thread reads it and interrupts that
// evaluation, if it has not ended meanwhile. At the prompt (number 0) it
// does nothing, as iex's single Ctrl+C does not end the shell.
int interrupt_pipe[2] = {-1, -1};
constexpr std::uint64_t stop_interrupter = ~std::uint64_t{0};

void on_sigint(int) {
  const int saved = errno;
  const std::uint64_t evaluation = g_repl ? g_repl->evaluation() : 0;
  [[maybe_unused]] const ssize_t n = ::write(interrupt_pipe[1], &evaluation, sizeof evaluation);
  errno = saved;
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
  // Our SIGINT handler stays in charge while a line is read (libedit's
  // would pass Ctrl+C on as the default action and end the program).
  rl_catch_signals = 0;
  std::thread interrupter;
  if (::pipe(interrupt_pipe) == 0) {
    interrupter = std::thread([&r] {
      // Writes of 8 bytes to a pipe are atomic (under PIPE_BUF): never torn.
      std::uint64_t evaluation;
      while (::read(interrupt_pipe[0], &evaluation, sizeof evaluation) == sizeof evaluation &&
             evaluation != stop_interrupter)
        r.interrupt(evaluation);
    });
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
  }
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
  if (interrupter.joinable()) {
    signal(SIGINT, SIG_DFL);
    [[maybe_unused]] const ssize_t n = ::write(interrupt_pipe[1], &stop_interrupter, sizeof stop_interrupter);
    interrupter.join();
    ::close(interrupt_pipe[0]);
    ::close(interrupt_pipe[1]);
  }
  if (!hist.empty()) {
    write_history(hist.c_str());
    history_truncate_file(hist.c_str(), 1000);
  }
  g_repl = nullptr;
  return 0;
}

}  // namespace otter::shell

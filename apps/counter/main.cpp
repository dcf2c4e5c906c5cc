// `otter`: the counter application with an iex-like shell (`iex -S mix`).
//
//   otter                      interactive when standard input is a terminal
//   otter script.exs           evaluates a file, printing as the shell would
//   cmd | otter                the same from standard input
//   otter --stop-on-error ...  exits with status 1 at the first error
//   otter --quiet ...          no banner and no prompts: results and errors only
//   otter --echo ...           prints each input line after its prompt (transcripts)
//   otter --max-children N     Counter.WorkerSupervisor's limit (default 100)
//   otter --schedulers N       scheduler threads (default: one per core)
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>

#include "counter/application.hpp"
#include "otter/logger.hpp"
#include "shell/line_editor.hpp"
#include "shell/repl.hpp"

namespace {

struct options {
  std::string file;
  bool stop_on_error = false;
  bool quiet = false;
  bool echo = false;
  int max_children = -1;
  unsigned schedulers = 0;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "otter: %s\nusage: otter [--stop-on-error] [--quiet|-q] [--echo] [--max-children N] [--schedulers N] [FILE]\n",
               why);
  std::exit(2);
}

long number_arg(int& i, int argc, char** argv, long most) {
  if (i + 1 >= argc) usage((std::string(argv[i]) + " needs a number").c_str());
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(argv[++i], &end, 10);
  if (!*argv[i] || *end || errno || v < 0 || v > most)
    usage((std::string(argv[i - 1]) + " needs a number from 0 to " + std::to_string(most) + ", got '" + argv[i] + "'").c_str());
  return v;
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--stop-on-error") o.stop_on_error = true;
    else if (a == "--quiet" || a == "-q") o.quiet = true;
    else if (a == "--echo") o.echo = true;
    else if (a == "--max-children") o.max_children = static_cast<int>(number_arg(i, argc, argv, 10'000'000));
    else if (a == "--schedulers") o.schedulers = static_cast<unsigned>(number_arg(i, argc, argv, 1024));
    else if (a == "--help" || a == "-h") {
      std::printf("usage: otter [--stop-on-error] [--quiet|-q] [--echo] [--max-children N] [--schedulers N] [FILE]\n"
                  "Starts the counter application and its shell; reads FILE or standard input when it is not a terminal.\n");
      std::exit(0);
    } else if (!a.empty() && a[0] == '-') usage(("unknown option " + a).c_str());
    else if (o.file.empty()) o.file = a;
    else usage("only one FILE");
  }
  return o;
}

std::mutex out_m;

void write_out(std::string_view text) {
  std::lock_guard lk(out_m);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Reports (a server's crash, a process that raised) as Elixir's logger
// prints them: to standard error, so that they do not mix into results.
// Like Elixir's logger by default (handle_sasl_reports: false), it leaves
// out supervisor reports; crash reports of processes that end by an
// exception are off too (runtime_config::on_crash): every process of the
// application is a gen_server or supervisor that reports in Elixir's terms,
// and a process the shell spawns reports itself.
void log_to_stderr(const otter::log_event& e) {
  if (e.kind == "supervisor_report") return;
  static const char* const levels[] = {"debug", "info", "notice", "warning", "error"};
  std::string text = "\n[" + std::string(levels[static_cast<int>(e.level)]) + "] " + e.text + "\n";
  std::lock_guard lk(out_m);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

// Errors are printed and the run goes on; with --stop-on-error the first
// one ends it with status 1.
int run_script(otter::shell::repl& r, std::istream& in, const options& o) {
  std::string line;
  for (;;) {
    if (!o.quiet) write_out(r.prompt());
    if (!std::getline(in, line)) break;
    if (o.echo && !o.quiet) write_out(line + "\n");
    if (!r.feed(line) && o.stop_on_error) return 1;
  }
  if (!r.finish() && o.stop_on_error) return 1;  // the input ended inside an expression
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse_options(argc, argv);
  std::ifstream file;
  if (!o.file.empty()) {
    file.open(o.file);
    if (!file) usage(("cannot read " + o.file + ": " + std::strerror(errno)).c_str());
  }
  otter::set_log_handler(log_to_stderr);
  otter::runtime_config cfg;
  cfg.on_crash = {};  // see log_to_stderr
  if (o.schedulers) cfg.schedulers = o.schedulers;
  otter::runtime rt(cfg);
  if (o.max_children >= 0) otter::application::put_env(rt, "counter", "max_children", otter::term(o.max_children));
  const otter::start_result started = counter::application::start(rt);
  if (!started.is_ok()) {
    std::fprintf(stderr, "otter: the counter application did not start: %s\n", started.to_term().to_string().c_str());
    return 1;
  }
  int status = 0;
  {
    otter::shell::repl r(rt, write_out);
    const bool interactive = o.file.empty() && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    if (!o.quiet) write_out(otter::shell::repl::banner());
    if (interactive) status = otter::shell::run_line_editor(r, write_out);
    else status = run_script(r, o.file.empty() ? std::cin : file, o);
    // The session is over: what its end brings down (a server linked to the
    // shell, the application) goes quietly, as when iex's VM halts.
    otter::set_log_handler({});
  }
  counter::application::stop(rt);
  return status;
}

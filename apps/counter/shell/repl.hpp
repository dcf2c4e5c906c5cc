// The read-eval-print loop: collects lines until an expression is complete,
// has the evaluator process evaluate it, prints the result or the error as
// iex does, and starts a new evaluator if the old one is killed.
//
//   otter::shell::repl r(rt, out);
//   r.feed("x = 1 +");   // incomplete: r.prompt() is now "...(1)> "
//   r.feed("2");         // prints 3
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "otter/runtime.hpp"

namespace otter::shell {

class repl {
 public:
  using output = std::function<void(std::string_view)>;
  /// Starts an evaluator process in `rt`; everything is printed through `out`.
  repl(runtime& rt, output out);
  ~repl();
  repl(const repl&) = delete;
  repl& operator=(const repl&) = delete;

  /// Takes one line of input (without its newline). Evaluates once the
  /// input so far is complete; returns false if that evaluation failed
  /// (an exception, an exit, a syntax error, the evaluator's death).
  bool feed(std::string_view line);
  /// The prompt for the next line: "otter(N)> " or, inside an unfinished
  /// expression, "...(N)> ".
  std::string prompt() const;
  /// Whether lines have been fed that do not make a complete expression yet.
  bool pending() const;
  /// Drops an unfinished expression (typing `#iex:break` does, as in iex).
  void reset_pending();
  /// At the end of the input: an unfinished expression is an error (the
  /// parser's, e.g. a missing terminator); returns false if there was one.
  bool finish();
  /// The number of the evaluation under way, or 0 when none is (at the
  /// prompt). Async-signal-safe: a SIGINT handler takes it when Ctrl+C is
  /// pressed and hands it to interrupt(evaluation) later.
  std::uint64_t evaluation() const noexcept;
  /// Ends evaluation number `evaluation` if it is still under way (Ctrl+C):
  /// the evaluator is killed and a new one started, as the shell does when
  /// it dies. An interrupt for an evaluation that has ended does nothing,
  /// however late it comes. Safe from any thread.
  void interrupt(std::uint64_t evaluation);
  /// Ends the evaluation under way now, if any: interrupt(evaluation()).
  void interrupt();
  /// Completions for the word before the cursor (module and function names).
  std::vector<std::string> complete(std::string_view word) const;
  /// The banner iex shows at start and after the evaluator is restarted.
  static std::string banner();

 private:
  struct state;
  std::unique_ptr<state> st_;
};

}  // namespace otter::shell

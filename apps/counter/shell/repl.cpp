// The read-eval-print loop (see repl.hpp).
//
// The evaluator is an otter process, as iex's is: `self()` is its pid,
// Registry.register registers it, tables it makes belong to it, and a link
// to a crashing process can kill it. The loop itself runs on the caller's
// thread (it may block in line editing) through a scoped_process; it sends
// each complete input to the evaluator and waits for its answer or its DOWN.
#include "repl.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <optional>

#include "builtins.hpp"
#include "errors.hpp"
#include "eval.hpp"
#include "otter/process.hpp"
#include "otter/receive.hpp"
#include "otter/scoped_process.hpp"
#include "parser.hpp"

namespace otter::shell {

namespace {

struct eval_request {
  std::shared_ptr<const std::vector<node_ptr>> exprs;
  std::size_t counter;
};

struct eval_done {
  bool ok;
};

// Ctrl+C, for the evaluation numbered `evaluation`. It comes to the loop's
// own process, which alone knows whether that evaluation is still under
// way: an interrupt that arrives late is dropped instead of killing the
// next evaluation.
struct interrupt_request {
  std::uint64_t evaluation;
};

std::string shown_exception(const std::exception& e) {
  if (const auto* b = dynamic_cast<const bad_argument*>(&e)) return "** (ArgumentError) " + std::string(b->what()) + "\n\n";
  return "** (RuntimeError) " + std::string(e.what()) + "\n\n";
}

// A trace line for an exit that came out of a GenServer call, as iex shows
// where it was raised.
std::string exit_trace(const term& reason) {
  if (reason.is_tuple() && reason.size() == 2 && reason[1].is_tuple() && reason[1].size() == 3 &&
      reason[1][0].is_atom() && reason[1][1].is_atom() && reason[1][2].is_proper_list()) {
    const term& mfa = reason[1];
    // Where iex's trace starts in a helper: sys:get_state/1,2 fails in the
    // one that sends the system message, Task.await_many in its await_many/5.
    std::string helper;
    if (mfa[0].is_atom(atom("sys"))) helper = "    (otter) :sys.send_system_msg/2\n";
    if (mfa[0].is_atom(atom("Elixir.Task")) && mfa[1].is_atom(atom("await_many"))) helper = "    (otter) Task.await_many/5\n";
    return helper + "    (otter) " + module_display(mfa[0].as_atom().text()) + "." + std::string(mfa[1].as_atom().text()) +
           "/" + std::to_string(mfa[2].size()) + "\n";
  }
  return "\n";
}

process evaluator(pid loop, repl::output out) {
  session s;
  s.write = out;
  for (;;) {
    eval_request r = co_await receive<eval_request>();
    s.counter = r.counter;
    bool ok = false;
    std::string text;
    try {
      value v = co_await eval_top(s, r.exprs);
      text = inspect_value(v) + "\n";
      ok = true;
    } catch (const elixir_error& e) {
      text = format_error(e);
    } catch (const exit_exception& e) {
      const term reason = e.reason.to_term();
      text = format_exit_error(reason) + exit_trace(reason);
    } catch (const thrown_value& t) {
      text = "** (throw) " + inspect(t.value, {0, 50}) + "\n\n";
    } catch (const std::exception& e) {
      text = shown_exception(e);
    }
    // Take the signals that came meanwhile before answering: an exit the
    // evaluation caused (Process.exit(self(), :kill), a linked process that
    // failed to start) ends the evaluator now, as it would in iex, instead
    // of at the next input.
    co_await receive(when([](const any_message&) { return false; }, [](any_message) {}),
                     after(std::chrono::milliseconds(0), [] {}));
    out(text);
    send(loop, eval_done{ok});
  }
}

}  // namespace

struct repl::state {
  runtime& rt;
  output out;
  scoped_process me;
  // The number of the evaluation under way, 0 at the prompt. Read by a
  // signal handler, so it must be a lock-free atomic.
  std::atomic<std::uint64_t> evaluating{0};
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
  std::uint64_t evaluations = 0;
  pid evaluator_pid;
  reference evaluator_monitor;
  std::size_t counter = 1;
  std::string buffer;        // lines of an unfinished expression
  std::size_t buffer_lines = 0;

  state(runtime& r, output o) : rt(r), out(std::move(o)), me(r) { start_evaluator(); }

  void start_evaluator() {
    evaluator_pid = rt.spawn(evaluator, me.self(), out);
    evaluator_monitor = me.monitor(evaluator_pid);
  }

  // The evaluator's DOWN, if it died since the last input (a linked
  // process that crashed later): report it and start a new one, so that
  // this input goes to a live evaluator.
  void restart_if_dead() {
    const reference mon = evaluator_monitor;
    auto d = me.receive<down_message>([mon](const down_message& m) { return m.ref == mon; }, std::chrono::milliseconds(0));
    if (d) evaluator_died(*d);
  }

  void evaluator_died(const down_message& d) {
    out("** (EXIT from " + d.process.to_string() + ") shell process exited with reason: " +
        format_exit(d.reason.to_term()) + "\n\n" + banner());
    counter = 1;
    start_evaluator();
  }

  bool evaluate(std::shared_ptr<const std::vector<node_ptr>> exprs) {
    restart_if_dead();
    // Numbered before it is sent: a Ctrl+C from here on interrupts it.
    const std::uint64_t number = ++evaluations;
    evaluating.store(number, std::memory_order_relaxed);
    struct done_evaluating {
      std::atomic<std::uint64_t>& flag;
      ~done_evaluating() { flag.store(0, std::memory_order_relaxed); }
    } guard{evaluating};
    me.send(evaluator_pid, eval_request{std::move(exprs), counter});
    const reference mon = evaluator_monitor;
    for (;;) {
      const std::optional<bool> ok = me.receive_any(
          [this](eval_done d) -> std::optional<bool> {
            if (d.ok) ++counter;
            return d.ok;
          },
          when([mon](const down_message& d) { return d.ref == mon; },
               [this](down_message d) -> std::optional<bool> {
                 evaluator_died(d);
                 return false;
               }),
          [this, number](interrupt_request i) -> std::optional<bool> {
            if (i.evaluation == number) me.exit(evaluator_pid, exit_reason::kill());  // its DOWN ends the wait
            return std::nullopt;
          });
      if (ok) return *ok;
    }
  }
};

repl::repl(runtime& rt, output out) : st_(std::make_unique<state>(rt, std::move(out))) {}

repl::~repl() {
  st_->me.demonitor(st_->evaluator_monitor);
  st_->me.exit(st_->evaluator_pid, exit_reason::kill());
}

std::string repl::banner() {
  return "Interactive otter (0.1.0) - the counter application is running (type h() ENTER for help, Ctrl+D to exit)\n";
}

std::string repl::prompt() const {
  return (st_->buffer_lines ? "...(" : "otter(") + std::to_string(st_->counter) + ")> ";
}

bool repl::pending() const { return st_->buffer_lines > 0; }

void repl::reset_pending() {
  st_->buffer.clear();
  st_->buffer_lines = 0;
}

namespace {

// The source line and a caret under the column, as Elixir 1.14 shows a
// syntax error; iex numbers input lines from the prompt's number.
std::string syntax_error_text(const syntax_error& e, std::string_view source, std::size_t counter) {
  const std::size_t shown_line = counter + e.line() - 1;
  std::string out = "** (SyntaxError) iex:" + std::to_string(shown_line) + ":" + std::to_string(e.column()) + ": " +
                    e.what() + "\n";
  std::size_t line = 1, start = 0;
  for (std::size_t i = 0; i < source.size() && line < e.line(); ++i)
    if (source[i] == '\n') {
      ++line;
      start = i + 1;
    }
  if (line == e.line() && start <= source.size() && e.column() > 0) {
    std::string_view text = source.substr(start);
    text = text.substr(0, text.find('\n'));
    std::string number = std::to_string(shown_line);
    if (number.size() < 3) number.insert(0, 3 - number.size(), ' ');
    const std::string gutter(number.size() + 1, ' ');
    out += gutter + "|\n" + number + " | " + std::string(text) + "\n" + gutter + "|" + std::string(e.column(), ' ') + "^\n";
  }
  return out + "\n";
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

bool repl::feed(std::string_view line) {
  state& st = *st_;
  if (st.buffer_lines == 0 && blank(line)) return true;
  if (line == "#iex:break") {  // as iex: drop an unfinished expression
    reset_pending();
    return true;
  }
  if (st.buffer_lines) st.buffer += '\n';
  st.buffer += line;
  ++st.buffer_lines;
  std::vector<node_ptr> exprs;
  try {
    exprs = parse(st.buffer);
  } catch (const syntax_error& e) {
    if (e.incomplete()) return true;  // ask for another line
    st.out(syntax_error_text(e, st.buffer, st.counter));
    reset_pending();
    return false;
  }
  reset_pending();
  if (exprs.empty()) return true;
  return st.evaluate(std::make_shared<const std::vector<node_ptr>>(std::move(exprs)));
}

std::uint64_t repl::evaluation() const noexcept { return st_->evaluating.load(std::memory_order_relaxed); }

void repl::interrupt(std::uint64_t evaluation) {
  if (evaluation != 0) st_->rt.send(st_->me.self(), interrupt_request{evaluation});
}

void repl::interrupt() { interrupt(evaluation()); }

bool repl::finish() {
  state& st = *st_;
  if (!st.buffer_lines) return true;
  try {
    (void)parse(st.buffer);
  } catch (const syntax_error& e) {
    st.out(syntax_error_text(e, st.buffer, st.counter));
  }
  reset_pending();
  return false;
}

std::vector<std::string> repl::complete(std::string_view word) const {
  const builtin_table& t = builtins();
  std::vector<std::string> out;
  const std::size_t dot = word.rfind('.');
  if (dot != std::string_view::npos && dot > 0) {
    // Module.fun or Module.Sub: the module is an alias or an :erlang atom.
    const std::string_view mod = word.substr(0, dot), rest = word.substr(dot + 1);
    const std::string module = mod.starts_with(':') ? std::string(mod.substr(1)) : "Elixir." + std::string(mod);
    for (const auto& [name, arity] : t.functions(module))
      if (std::string_view(name).starts_with(rest) &&
          (out.empty() || out.back() != std::string(mod) + "." + name))
        out.push_back(std::string(mod) + "." + name);
    for (const std::string& m : t.modules()) {
      const std::string shown = module_display(m);
      if (shown.size() > word.size() && std::string_view(shown).starts_with(word) && shown[mod.size()] == '.')
        out.push_back(shown);
    }
  } else if (!word.empty() && (std::isupper(static_cast<unsigned char>(word[0])) || word[0] == ':')) {
    for (const std::string& m : t.modules()) {
      if (m == "Elixir.Kernel") continue;
      const std::string shown = module_display(m);
      if (std::string_view(shown).starts_with(word)) out.push_back(shown);
    }
  } else {
    for (const auto& [name, arity] : t.functions("Elixir.Kernel"))
      if (std::string_view(name).starts_with(word) && (out.empty() || out.back() != name)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace otter::shell

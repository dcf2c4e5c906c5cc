// The shell's errors: Elixir exceptions (ArgumentError, MatchError, ...)
// raised while evaluating, and how iex prints them and exits.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "otter/term.hpp"

namespace otter::shell {

/// An Elixir exception: `** (kind) message`, then `trace` (lines already
/// indented as iex indents a stacktrace; empty: none).
class elixir_error : public std::runtime_error {
 public:
  elixir_error(std::string kind, std::string message, std::string trace = {})
      : std::runtime_error(message), kind_(std::move(kind)), trace_(std::move(trace)) {}
  const std::string& kind() const noexcept { return kind_; }
  std::string message() const { return what(); }
  const std::string& trace() const noexcept { return trace_; }

 private:
  std::string kind_;
  std::string trace_;
};

/// `throw x` (raised by Kernel.throw/1): ** (throw) x
class thrown_value : public std::runtime_error {
 public:
  explicit thrown_value(term v) : std::runtime_error("throw"), value(std::move(v)) {}
  term value;
};

/// ArgumentError with Erlang's "errors were found at the given arguments"
/// wording: `position` from 1, `what` e.g. "not a nonempty list", `call`
/// the call as Elixir shows it (":erlang.hd([])").
[[noreturn]] void raise_badarg(std::size_t position, std::string_view what, std::string_view call);
/// ArgumentError with a message of its own.
[[noreturn]] void raise_argument_error(std::string message, std::string trace = {});
/// An exception of any kind.
[[noreturn]] void raise(std::string kind, std::string message, std::string trace = {});

/// The text iex prints for an exception (first line `** (Kind) message`),
/// ending with a newline; without a trace it ends with a blank line, as
/// iex's does.
std::string format_error(const elixir_error& e);
/// `** (exit) ...` for an exit reason, as Exception.format(:exit, reason).
std::string format_exit_error(const term& reason);
/// Exception.format_exit/1: "no process: ...", "exited in: GenServer.call(...)\n    ** (EXIT) time out", ...
std::string format_exit(const term& reason);
/// Ordinals as Erlang's error messages use them: 1st, 2nd, 3rd, 4th...
std::string ordinal(std::size_t n);

}  // namespace otter::shell

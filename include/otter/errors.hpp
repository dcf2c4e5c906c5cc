// otter's exception types: what a misuse of the API throws.
//
// Erlang answers a bad argument with `badarg` and a call outside its context
// with an error; otter throws these, each with a message that says what was
// wrong. Inside a process an uncaught one becomes the process's exit reason,
// like any exception. All are std::logic_error or std::runtime_error, so a
// generic handler still catches them.
#pragma once

#include <stdexcept>
#include <string>

namespace otter {

/// Thrown for an argument the call cannot accept (Erlang's `badarg`).
struct bad_argument : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// Thrown when a process-only operation is used outside any process.
struct not_in_process : std::logic_error {
  using std::logic_error::logic_error;
};

/// Thrown when spawning on, or acting through, a runtime that has stopped.
struct runtime_stopped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Thrown by `register_name` when the name is taken or the pid is dead.
struct name_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace otter

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

/// Thrown when spawning on a runtime that has stopped, or creating a
/// scoped_process, arming a timer or asking process info through it. (Sends
/// and exit signals after shutdown are dropped silently, as to a dead pid.)
struct runtime_stopped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Thrown by `register_name` when the name is taken, empty or `undefined`,
/// or the pid is dead or has a name already. A bad_argument, as in Erlang
/// (`badarg`), so one catch serves both.
struct name_error : bad_argument {
  using bad_argument::bad_argument;
};

/// Thrown when a fixed system limit is reached (Erlang's `system_limit`):
/// the atom table is full, say.
struct system_limit : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace otter

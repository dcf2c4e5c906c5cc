// The messages the runtime itself delivers: Erlang's `{'EXIT', From, Reason}`
// (to a process that traps exits) and `{'DOWN', Ref, process, Pid, Reason}`
// (to a monitoring process). Receive them like any other message:
//
//   auto down = co_await otter::receive<otter::down_message>(
//       [&](const otter::down_message& d) { return d.ref == ref; });
#pragma once

#include "otter/exit_reason.hpp"
#include "otter/pid.hpp"

namespace otter {

/// An exit signal turned into a message because the receiver traps exits.
struct exit_message {
  pid from;            ///< the process that sent the signal (or ended)
  exit_reason reason;  ///< its exit reason
};

/// Sent to a monitoring process when the monitored process ends.
struct down_message {
  reference ref;       ///< the monitor reference returned by `monitor`
  pid process;         ///< the process that ended
  exit_reason reason;  ///< why (`noproc` if it was already gone)
};

}  // namespace otter

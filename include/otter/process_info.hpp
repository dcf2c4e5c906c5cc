// otter::process_info — what a live process reports about itself, for tools
// (a shell, an observer). Erlang's `process_info/1`, as a struct.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "otter/pid.hpp"

namespace otter {

/// A snapshot of one process, taken by the process itself when asked.
struct process_info {
  /// As Erlang's `status`: waiting in receive, runnable, or running.
  enum class state { waiting, runnable, running };
  state status = state::running;
  std::size_t message_queue_len = 0;  ///< messages waiting in its mailbox
  std::vector<pid> links;             ///< processes it is linked to
  std::vector<pid> monitors;          ///< processes it monitors
  std::vector<pid> monitored_by;      ///< processes monitoring it
  std::string registered_name;        ///< empty if none
  bool trap_exit = false;             ///< whether it traps exits
};

}  // namespace otter

// Internal: the caller's side of links, monitors and exit signals, shared by
// processes (process.cpp) and scoped_process.
#pragma once

#include "otter/detail/pcb.hpp"

namespace otter::detail {

void do_link(pcb& me, pid other);
void do_unlink(pcb& me, pid other);
reference do_monitor(pcb& me, pid other);
bool do_demonitor(pcb& me, reference ref, bool flush);
void do_exit(pcb& me, pid target, const exit_reason& reason);

}  // namespace otter::detail

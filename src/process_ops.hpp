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
/// Sends `e`, a message of family request_head tagged with a fresh
/// reference, as a request that also monitors `to` (envelope_kind::request).
/// If `to` is gone, a noproc DOWN for the tag follows what it sent us.
void do_send_request(pcb& me, pid to, envelope* e);

}  // namespace otter::detail

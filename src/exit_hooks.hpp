// Internal: work that other components (ETS, later the Registry) need done
// when a process ends, without the runtime knowing them.
//
// A component registers a hook once and gets a bit; a process that needs the
// hook (one that owns an ETS table, say) sets the bit on itself; when it
// exits, the runtime calls the hooks whose bits are set, after its name is
// freed and before its links and monitors are told (as Erlang deletes a
// dead owner's tables before anyone sees the DOWN).
#pragma once

#include <cstdint>

#include "otter/pid.hpp"

namespace otter::detail {

class runtime_impl;
struct pcb;

using exit_hook = void (*)(runtime_impl& rt, pid who) noexcept;

/// Registers `h` (at most 32 hooks in all); returns its bit.
unsigned register_exit_hook(exit_hook h);
/// Asks for hook `bit` when `p` exits; call it on the thread running `p`.
void request_exit_hook(pcb& p, unsigned bit);
/// Asks for hook `bit` when the process `target` of `rt` exits, from any
/// thread: a signal, handled in order with the others (so if the target
/// ends before it looks, its exit still runs the hook). Returns false if
/// `target` is not alive.
bool request_exit_hook(runtime_impl& rt, pid target, unsigned bit);
/// Runs the hooks in `bits` for `who` (called by exit_process).
void run_exit_hooks(std::uint32_t bits, runtime_impl& rt, pid who) noexcept;

}  // namespace otter::detail

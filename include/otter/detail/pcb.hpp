// Internal: the process control block (PCB) and the hooks that the header-only
// parts of the API (spawn, receive) call into.
//
// Protocol of the inbox word (`pcb::inbox`), a lock-free LIFO stack:
//   nullptr   runnable or running, nothing pending
//   envelope* pending envelopes, newest first
//   BLOCKED   waiting in receive: the sender that replaces this marker (and
//             only that one) schedules the process — exactly once
//   CLOSED    exited: pushes fail and the envelope is dropped
// Only the process itself (the thread running it) drains the inbox, sets
// BLOCKED or CLOSED; senders only push. Everything below `rt` is owned by the
// running process and touched by no other thread.
//
// PCBs live in the process table's chunks and are never freed before the
// runtime (type-stable memory), so a sender may look at a slot whose process
// has gone: `refs` (taken only while non-zero) plus a check of `serial` tell
// it whether the slot still holds the process it meant.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "otter/detail/envelope.hpp"

namespace otter::detail {

class runtime_impl;
struct process_extras;
struct timer_entry;
struct pcb;

inline envelope* inbox_blocked() noexcept { return reinterpret_cast<envelope*>(std::uintptr_t{1}); }
inline envelope* inbox_closed() noexcept { return reinterpret_cast<envelope*>(std::uintptr_t{2}); }

/// The state of one receive in progress; lives in the awaiter, in the
/// coroutine frame. The scheduler polls it when new mail arrives.
struct receive_state {
  envelope** cursor = nullptr;  // next link of the private queue to examine
  envelope* matched = nullptr;  // set by poll when a clause matched
  int clause = -1;              // which clause matched
  bool (*try_match)(receive_state*, envelope*) = nullptr;  // sets clause
  std::int64_t timeout_ns = -1;  // -1: no `after`; 0: poll once
  timer_entry* timer = nullptr;  // armed lazily when the process blocks
  std::uint32_t timer_seq = 0;
  bool timed_out = false;
};

enum class poll_result : std::uint8_t { matched, timeout, no_match, exit };

struct alignas(64) pcb {
  // --- shared with senders (any thread) ---
  std::atomic<envelope*> inbox{nullptr};
  std::atomic<std::uint32_t> refs{0};
  // The scheduler that ran it last (its home; UINT32_MAX before its first
  // turn): a waker on another scheduler queues it there while that one is busy.
  std::atomic<std::uint32_t> home{UINT32_MAX};
  std::atomic<std::uint64_t> serial{0};
  std::atomic<bool> has_name{false};  // see names.cpp
  runtime_impl* rt = nullptr;
  void* ext = nullptr;  // scoped_process only: how to wake its thread

  // --- owned by the process (whichever thread runs it) ---
  envelope* queue_head = nullptr;  // private FIFO of drained messages
  envelope** queue_tail = &queue_head;
  std::size_t queue_len = 0;
  receive_state* waiter = nullptr;        // the receive it is suspended in
  std::coroutine_handle<> resume_point;   // innermost suspended coroutine
  std::coroutine_handle<> root;           // the process body's frame
  pcb* next_run = nullptr;                // link in the injection queue
  process_extras* extras = nullptr;       // links, monitors, name; lazily
  std::int32_t budget = 0;                // reductions left in this turn
  std::uint32_t receive_seq = 0;          // tags receive timeouts
  bool trap_exit = false;
  bool external = false;         // a scoped_process: woken, not scheduled
  bool yield_requested = false;  // suspended in otter::yield()
  bool exit_pending = false;     // an exit signal killed it; reason in extras
  bool timeout_fired = false;    // the current receive's timer fired
  bool started = false;          // ran at least once
  bool receiving = false;        // draining on behalf of a receive
};

/// Returns the process running on this thread, or nullptr. Not inlined on
/// purpose: a coroutine may resume on another thread, and a compiler may
/// otherwise keep a thread_local's address across a suspension point.
pcb* current_pcb() noexcept;
/// Returns the running process or throws not_in_process naming `what`.
pcb& require_current(const char* what);

/// Scans the private queue from `rs.cursor`, draining the inbox (and handling
/// signals) when it runs out; stops at the first envelope that matches.
poll_result poll_receive(pcb& p, receive_state& rs);
/// Ends a receive: cancels its timer and clears the timeout state.
void finish_receive(pcb& p, receive_state& rs) noexcept;

/// Delivers an envelope to a pid of the given runtime; consumes `e` always.
/// Returns false if the process is gone (the envelope is then dropped).
bool deliver(runtime_impl& rt, pid to, envelope* e);

/// Converts a timeout to nanoseconds, rejecting negative values.
std::int64_t checked_timeout_ns(std::int64_t ns, const char* what);

}  // namespace otter::detail

// Internal: the runtime's state and the scheduler threads.
//
// Scheduling protocol (after Tokio's multi-thread scheduler):
// - A process is in at most one place: a scheduler's LIFO slot, a local run
//   queue, the injection queue, or running. The inbox protocol (pcb.hpp)
//   guarantees a waiting process is enqueued exactly once per wake-up.
// - A process woken by the running one goes to the waker's LIFO slot and runs
//   next on the same core (ping-pong stays in cache); the LIFO slot is not
//   stealable. After `lifo_limit` LIFO turns in a row, the queue goes first.
// - Idle schedulers steal half of a victim's local queue. At most half of the
//   schedulers search at once; the others park on a condition variable. A
//   push wakes a parked scheduler only when nobody is searching; a searcher
//   that finds work while being the last searcher wakes one more. The counts
//   live in one word (`idle_state::state`) changed by RMW operations, which
//   order a producer's push against a parker's final check (no lost wake-up).
// - A process has a home: the scheduler that ran it last. A waker on another
//   scheduler queues it in its home's remote queue while that scheduler is
//   busy (BEAM's run-queue affinity: many clients calling one server stay on
//   their cores instead of migrating with every reply), and takes it into its
//   own LIFO slot when the home is idle (so ping-pong pairs converge on one
//   core). Idle schedulers take from any remote queue too.
// - A parked scheduler sleeps until its next timer at the latest.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "otter/runtime.hpp"
#include "process_table.hpp"
#include "run_queue.hpp"
#include "timer_wheel.hpp"

namespace otter::detail {

/// What a process has beyond the PCB; allocated on first use. Touched only
/// by the process itself, except `ext`, which senders use to wake it.
struct process_extras {
  std::unordered_set<std::uint64_t> links;                     // pid serials
  std::unordered_map<std::uint64_t, std::uint64_t> monitors;   // ref -> target pid
  std::unordered_map<std::uint64_t, std::uint64_t> monitored_by;  // ref -> watcher pid
  exit_reason pending_reason;  // valid when pcb::exit_pending
  bool crashed = false;        // ended by an exception: report it
  std::uint32_t exit_hooks = 0;  // bit i: run exit hook i when it ends (see exit_hooks.hpp)
};

/// The processes one thread sends to again and again (a server, the other
/// side of a ping-pong), each with a process-table reference held so that
/// its slot keeps its process: a send to one of them pushes without taking
/// and dropping a reference, two atomic operations on the receiver's cache
/// line fewer. A target is held from its second send in a row through its
/// entry (so a ring of a thousand, each sent to once per turn, never evicts
/// anyone). Owned by a scheduler (a thread outside gained nothing by it).
struct held_targets {
  struct entry {
    std::uint64_t held = 0;  // serial of `p`
    pcb* p = nullptr;
    std::uint64_t seen = 0;  // the last target through this entry not held
  };
  std::array<entry, 4> entries{};
  /// Pushes `e` to `to` as runtime_impl::deliver does; `cache` takes freed slots.
  bool send(runtime_impl& rt, pid to, envelope* e, std::vector<std::uint32_t>* cache);
  /// Releases every reference held.
  void drop(runtime_impl& rt, std::vector<std::uint32_t>* cache);
};

/// How a scoped_process thread sleeps; shared by the owner and its wakers.
struct external_waiter {
  std::mutex m;
  std::condition_variable cv;
  bool woken = false;  // guarded by m
};

class runtime_impl;

class scheduler {
 public:
  scheduler(runtime_impl& rt, unsigned index);
  void start();
  void join();

  /// Thread main: runs processes until the runtime stops.
  void main_loop();
  /// Runs one process for one turn.
  void run_process(pcb* p);
  /// Finds the next process to run locally (LIFO slot, local queue, injection).
  pcb* next_local();
  /// Fires due timers; returns whether any fired.
  bool fire_timers();
  /// Puts a process that gave way back behind the other runnable ones.
  void requeue(pcb* p);
  /// Wakes this scheduler if it is parked.
  void unpark();
  /// Moves the LIFO slot's process to the local queue, where idle
  /// schedulers can steal it. The slot promises a woken process the core
  /// right after the running one; a process that goes on sending past its
  /// budget (a producer in a loop that never waits) breaks that promise, and
  /// the one it woke (the consumer) would otherwise wait for the whole loop.
  void release_lifo();

  runtime_impl& rt;
  const unsigned index;
  local_queue queue;
  remote_queue remote;  // woken here by other schedulers (see above)
  // False while it searches or parks; read by wakers on other schedulers.
  alignas(64) std::atomic<bool> active{false};
  pcb* lifo = nullptr;
  unsigned lifo_streak = 0;
  // Set when a park ended by a timer rather than by new work: the next
  // search then does one pass instead of spinning, so that a periodic
  // timer in an otherwise idle runtime costs a wake-up, not a spin.
  bool timer_wake = false;
  timer_wheel wheel;
  std::vector<std::uint32_t> free_slots;  // process-table slots cached here
  held_targets targets;  // dropped when the scheduler parks
  std::uint64_t ticks = 0;
  std::int32_t sends_this_turn = 0;  // by the running process
  std::uint32_t rng;

 private:
  /// Looks for work as a searcher (spinning, then parking); nullptr if it
  /// parked and woke without being made a searcher.
  pcb* search();
  /// One spell of spinning over the places work can be; nullptr if none came.
  pcb* search_once();
  /// Parks until woken; returns true if wake_parked woke it (it is then
  /// counted as a searcher and must search).
  bool park(bool searching);
  pcb* steal();
  /// Moves a chain taken from a remote queue into the local queue and
  /// returns its first process (nullptr for an empty chain).
  pcb* adopt_chain(pcb* first);
  /// Takes a fair share of the injection queue into the local queue and
  /// returns one process of it to run, or nullptr.
  pcb* pop_injected();

  std::thread thread_;
  std::mutex park_m_;
  std::condition_variable park_cv_;
  bool notified_ = false;  // guarded by park_m_
};

class runtime_impl {
 public:
  explicit runtime_impl(runtime_config cfg);
  ~runtime_impl();

  // --- processes ---
  spawn_result start(task<void> body, pcb* parent, spawn_tie tie);
  /// Pushes `e` into `p`'s inbox; schedules `p` if it was waiting. Returns
  /// false (and destroys `e`) if `p` has exited.
  bool push(pcb* p, envelope* e);
  /// Delivers to a pid: acquire, push, release.
  bool deliver(pid to, envelope* e);
  /// A fresh reference number. Taken from a block reserved per thread, so
  /// that callers on different cores (a monitor per gen_server call) do not
  /// share a counter's cache line; unique across all runtimes of the program.
  static std::uint64_t new_ref() noexcept;
  /// Makes `p` runnable: LIFO slot of the current scheduler, or injection.
  void schedule(pcb* p);
  /// Queues a new or yielding process at the back of a run queue.
  void enqueue(pcb* p);
  /// Ends `p` with `reason` (runs on the thread that runs `p`).
  void exit_process(pcb* p, exit_reason reason);
  /// Drains `p`'s inbox into its private queue, handling signals.
  bool drain(pcb& p);
  process_extras& extras(pcb& p);
  /// Sends an exit/link/monitor signal; returns false if the target is gone.
  bool send_signal(pid to, envelope* e) { return deliver(to, e); }
  void wake_parked();  // wakes a parked scheduler if nobody searches
  /// wake_parked for a push into a remote queue: a fence and a plain load
  /// instead of a read-modify-write of the shared idle word, so that busy
  /// schedulers waking each other's processes do not bounce that line.
  void wake_parked_after_remote_push();
  bool work_pending() const;
  std::vector<std::uint32_t>* slot_cache() noexcept;

  // --- time ---
  /// Timer resolution: fine enough that `receive after 1 ms` waits about
  /// 1 ms (not 2, as whole-millisecond ticks would round it), coarse enough
  /// that the wheel rarely cascades.
  static constexpr std::int64_t tick_ns = 250'000;
  std::int64_t now_ns() const noexcept;  // since `epoch` (virtual when deterministic)
  std::uint64_t now_tick() const noexcept;
  std::uint64_t deadline_tick(std::int64_t timeout_ns) const noexcept;
  std::chrono::steady_clock::time_point tick_time(std::uint64_t tick) const noexcept;
  /// Arms a timer delivering `payload` to `target` after `timeout_ns`.
  timer_entry* arm_timer(pid target, envelope* payload, std::int64_t timeout_ns, bool keep_ref);

  // --- names (names.cpp) ---
  void register_name(std::string_view name, pid p);
  bool unregister_name(std::string_view name);
  pid whereis(std::string_view name) const;
  std::string name_of(pid p) const;
  void drop_name(pcb& p);
  std::vector<std::string> registered() const;
  std::vector<pid> processes();

  // --- life cycle ---
  void shutdown();
  void note_exit();

  runtime_config cfg;
  // Unique among the runtimes of the program (a later runtime may reuse an
  // earlier one's address): keys per-runtime state kept elsewhere.
  const std::uint64_t uid;
  process_table table;
  injection_queue inject;
  std::vector<std::unique_ptr<scheduler>> scheds;
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> live{0};  // processes alive, scoped ones excluded
  std::atomic<std::int64_t> live_external{0};
  std::chrono::steady_clock::time_point epoch;
  std::atomic<std::uint64_t> virtual_ns{0};  // deterministic mode's clock

  // idle protocol
  std::atomic<std::uint32_t> idle_state{0};  // (unparked << 16) | searching
  std::mutex sleepers_m;
  std::vector<unsigned> sleepers;  // guarded by sleepers_m

  std::mutex exited_m;
  std::condition_variable exited_cv;

 private:
  mutable std::shared_mutex names_m_;
  std::unordered_map<std::string, std::uint64_t> names_;       // guarded by names_m_
  std::unordered_map<std::uint64_t, std::string> name_by_pid_;  // guarded by names_m_
  bool shut_down_ = false;
};

/// Returns the readable name of a mangled C++ type name.
std::string demangle(const char* mangled);

/// The scheduler running on this thread (null on other threads).
scheduler* current_scheduler() noexcept;
/// Makes `s` this thread's scheduler; returns the previous one.
scheduler* set_current_scheduler(scheduler* s) noexcept;
void set_current(pcb* p) noexcept;
/// The process the calling thread acts as: the running process, or else the
/// first scoped_process alive on this thread (code outside processes acts
/// through it, e.g. as the owner of an ETS table it creates); or nullptr.
pcb* acting_pcb() noexcept;
void adopt_acting(pcb* p) noexcept;
void drop_acting(pcb* p) noexcept;

inline std::uint32_t searching_of(std::uint32_t s) noexcept { return s & 0xffff; }
inline std::uint32_t unparked_of(std::uint32_t s) noexcept { return s >> 16; }

}  // namespace otter::detail

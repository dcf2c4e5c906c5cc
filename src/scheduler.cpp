// The scheduler loop: pick, run, search, park. See runtime_impl.hpp for the
// protocol.
#include <algorithm>
#include <typeinfo>

#include "runtime_impl.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OTTER_PAUSE() _mm_pause()
#else
#define OTTER_PAUSE() ((void)0)
#endif

namespace otter::detail {

namespace {
thread_local scheduler* t_sched = nullptr;
thread_local pcb* t_current = nullptr;
// A scoped_process standing for this thread, with its pid's serial so that
// a slot reused by another process is never taken for it.
thread_local pcb* t_acting = nullptr;
thread_local std::uint64_t t_acting_serial = 0;
constexpr unsigned lifo_limit = 16;       // LIFO turns in a row before the queue goes first
constexpr unsigned inject_interval = 61;  // check the injection queue every n turns (Go)
constexpr unsigned timer_interval = 64;   // fire timers every n turns
constexpr unsigned remote_interval = 7;   // take from the remote queue every n turns
}  // namespace

scheduler* current_scheduler() noexcept { return t_sched; }
scheduler* set_current_scheduler(scheduler* s) noexcept { return std::exchange(t_sched, s); }
void set_current(pcb* p) noexcept { t_current = p; }
__attribute__((noinline)) pcb* current_pcb() noexcept { return t_current; }
pcb* acting_pcb() noexcept {
  if (t_current) return t_current;
  if (t_acting && t_acting->serial.load(std::memory_order_acquire) == t_acting_serial &&
      t_acting->inbox.load(std::memory_order_acquire) != inbox_closed())
    return t_acting;
  return nullptr;
}
void adopt_acting(pcb* p) noexcept {
  if (acting_pcb() && !t_current) return;  // the first one alive on this thread stays
  t_acting = p;
  t_acting_serial = p->serial.load(std::memory_order_relaxed);
}
void drop_acting(pcb* p) noexcept {
  if (t_acting == p) t_acting = nullptr;
}

scheduler::scheduler(runtime_impl& r, unsigned i)
    : rt(r), index(i), queue(r.cfg.run_queue_capacity), wheel([](const void* c) { return static_cast<const runtime_impl*>(c)->now_tick(); }, &r), rng(0x9e3779b9u * (i + 1)) {}

void scheduler::start() {
  thread_ = std::thread([this] { main_loop(); });
}

void scheduler::join() {
  if (thread_.joinable()) thread_.join();
}

pcb* scheduler::next_local() {
  ++ticks;
  if (ticks % inject_interval == 0)
    if (pcb* p = rt.inject.pop()) return p;
  // Processes woken for us elsewhere wait at most a few turns, even while
  // the LIFO slot and the local queue keep us busy.
  if (ticks % remote_interval == 0)
    if (pcb* p = adopt_chain(remote.take_all())) return p;
  if (lifo) {
    if (lifo_streak < lifo_limit || queue.empty()) {
      ++lifo_streak;
      return std::exchange(lifo, nullptr);
    }
    queue.push_back(std::exchange(lifo, nullptr), rt.inject);  // let the queue go first
  }
  lifo_streak = 0;
  if (pcb* p = queue.pop()) return p;
  if (pcb* p = adopt_chain(remote.take_all())) return p;
  return pop_injected();
}

pcb* scheduler::adopt_chain(pcb* first) {
  if (!first) return nullptr;
  const bool more = first->next_run != nullptr;
  for (pcb* p = first->next_run; p;) {
    pcb* next = p->next_run;
    p->next_run = nullptr;
    queue.push_back(p, rt.inject);
    p = next;
  }
  first->next_run = nullptr;
  // As in pop_injected: let an idle scheduler steal the rest. A plain load
  // suffices (they are ours to run anyway; this only adds parallelism).
  if (more && !rt.cfg.deterministic) {
    std::uint32_t s = rt.idle_state.load(std::memory_order_relaxed);
    if (searching_of(s) == 0 && unparked_of(s) < rt.scheds.size()) rt.wake_parked();
  }
  return first;
}

pcb* scheduler::pop_injected() {
  // A fair share (Go's globrunqget): len / schedulers + 1, bounded by half
  // of the local queue so that the pushes below cannot overflow.
  std::size_t want = rt.inject.size() / rt.scheds.size() + 1;
  std::size_t room = queue.capacity() / 2 > queue.len() ? queue.capacity() / 2 - queue.len() : 0;
  if (want > room) want = room;
  if (want == 0) want = 1;
  // The rest waits in our queue while we run the first; their senders may
  // have found us searching and woken nobody, so adopt_chain wakes an idle
  // scheduler to steal them (else two runnable processes share one core).
  return adopt_chain(rt.inject.pop_batch(want));
}

bool scheduler::fire_timers() {
  timer_entry* fired = wheel.advance(rt.now_tick());
  bool any = fired != nullptr;
  while (fired) {
    timer_entry* e = fired;
    fired = e->next;
    e->next = nullptr;
    envelope* payload = std::exchange(e->payload, nullptr);
    if (payload) rt.deliver(e->target, payload);
    e->release();  // the wheel's reference
  }
  return any;
}

pcb* scheduler::steal() {
  const unsigned n = static_cast<unsigned>(rt.scheds.size());
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  unsigned start = rng % n;
  if (pcb* p = adopt_chain(remote.take_all())) return p;
  for (unsigned k = 0; k < n; ++k) {
    unsigned v = (start + k) % n;
    if (v == index) continue;
    if (pcb* p = rt.scheds[v]->queue.steal_into(queue)) return p;
    if (pcb* p = adopt_chain(rt.scheds[v]->remote.take_all())) return p;
  }
  return pop_injected();
}

pcb* scheduler::search() {
  // At most half of the schedulers search at once; the rest park at once.
  active.store(false, std::memory_order_relaxed);
  std::uint32_t s = rt.idle_state.load(std::memory_order_seq_cst);
  if (2 * searching_of(s) >= rt.scheds.size()) {
    if (!park(false)) return nullptr;
  } else {
    rt.idle_state.fetch_add(1, std::memory_order_seq_cst);
  }
  // Searching (counted in idle_state) from here until we find work or park.
  // A scheduler that wake_parked woke is a searcher too, and must leave
  // through the found-work path below: a push that woke it relies on it to
  // wake another if more work waits than it takes (two processes woken from
  // outside, one per home, would otherwise run one after the other).
  for (;;) {
    pcb* p = search_once();
    if (p) {
      // Found work: stop searching; if we were the last searcher and more
      // work is waiting (pushed while we searched, so its pusher woke
      // nobody), wake another scheduler to take it in parallel. Not when
      // only what we took was there: one request at a time from outside
      // would otherwise wake a second scheduler for nothing on every request.
      active.store(true, std::memory_order_relaxed);
      std::uint32_t prev = rt.idle_state.fetch_sub(1, std::memory_order_seq_cst);
      if (searching_of(prev) == 1 && rt.work_pending()) rt.wake_parked();
      return p;
    }
    if (!park(true)) return nullptr;
  }
}

pcb* scheduler::search_once() {
  const bool spin = !std::exchange(timer_wake, false);
  auto until = std::chrono::steady_clock::now() + rt.cfg.spin;
  pcb* p = nullptr;
  // A full pass (other schedulers' queues, the injection queue, timers)
  // every 8th round; in between only our own remote queue, where work for
  // the processes that live here arrives (a reply to a server's caller, a
  // request from outside). Its line is written only by such pushes, so
  // watching it closely costs the busy schedulers nothing, while polling
  // their queues that often would pull their hot lines away from them.
  for (unsigned i = 0;; ++i) {
    if ((i & 7) == 0) {
      if ((p = steal())) break;
      if (fire_timers() && (p = next_local())) break;
      if (rt.stopping.load(std::memory_order_acquire)) break;
      if (!spin || ((i & 127) == 120 && std::chrono::steady_clock::now() >= until)) break;
    } else if (!remote.looks_empty() && (p = adopt_chain(remote.take_all()))) {
      break;
    }
    for (int k = 0; k < 4; ++k) OTTER_PAUSE();
  }
  return p;
}

bool scheduler::park(bool searching) {
  targets.drop(rt, &free_slots);  // a parked scheduler holds no process's slot
  {
    std::lock_guard lk(rt.sleepers_m);
    std::uint32_t dec = (1u << 16) + (searching ? 1u : 0u);
    std::uint32_t prev = rt.idle_state.fetch_sub(dec, std::memory_order_seq_cst);
    rt.sleepers.push_back(index);
    // The last searcher to park checks for work pushed while nobody was
    // looking (its RMW above orders it after any producer's check).
    if (searching && searching_of(prev) == 1 && rt.work_pending()) {
      rt.sleepers.pop_back();
      rt.idle_state.fetch_add(1u << 16, std::memory_order_seq_cst);
      return false;
    }
  }
  std::uint64_t next = wheel.next_expiry();
  {
    std::unique_lock lk(park_m_);
    if (!rt.stopping.load(std::memory_order_acquire)) {
      if (next == UINT64_MAX)
        park_cv_.wait(lk, [&] { return notified_; });
      else
        park_cv_.wait_until(lk, rt.tick_time(next), [&] { return notified_; });
    }
    timer_wake = !notified_;
    notified_ = false;
  }
  // Woken by a timer or by shutdown rather than by wake_parked: count
  // ourselves unparked again. wake_parked did that already if it chose us,
  // and counted us as searching: we then search (see search()).
  std::lock_guard lk(rt.sleepers_m);
  auto it = std::find(rt.sleepers.begin(), rt.sleepers.end(), index);
  if (it == rt.sleepers.end()) return true;
  rt.sleepers.erase(it);
  rt.idle_state.fetch_add(1u << 16, std::memory_order_seq_cst);
  return false;
}

bool held_targets::send(runtime_impl& rt, pid to, envelope* e, std::vector<std::uint32_t>* cache) {
  entry& t = entries[to.value() % entries.size()];
  if (t.held == to.value()) {
    // Our reference keeps the slot from being reused, so it still holds
    // `to`; if `to` has exited, the push finds its inbox closed.
    if (rt.push(t.p, e)) return true;
    rt.table.release(t.p, cache);
    t.held = 0;
    t.p = nullptr;
    return false;
  }
  pcb* p = rt.table.acquire(to);
  if (!p) {
    destroy_envelope(e);
    return false;
  }
  const bool ok = rt.push(p, e);
  if (ok && t.seen == to.value()) {  // the second in a row: hold it
    if (t.p) rt.table.release(t.p, cache);
    t = {to.value(), p, 0};
  } else {
    t.seen = to.value();
    rt.table.release(p, cache);
  }
  return ok;
}

void held_targets::drop(runtime_impl& rt, std::vector<std::uint32_t>* cache) {
  for (entry& t : entries) {
    if (t.p) rt.table.release(t.p, cache);
    t = {};
  }
}

void scheduler::release_lifo() {
  queue.push_back(std::exchange(lifo, nullptr), rt.inject);
  if (!rt.cfg.deterministic) rt.wake_parked();
}

void scheduler::unpark() {
  std::lock_guard lk(park_m_);
  notified_ = true;
  park_cv_.notify_one();
}

void scheduler::main_loop() {
  t_sched = this;
  while (!rt.stopping.load(std::memory_order_acquire)) {
    pcb* p = next_local();
    if (!p && fire_timers()) p = next_local();
    if (!p) p = search();  // spins, then parks; returns null after parking
    if (!p) continue;
    run_process(p);
    if (ticks % timer_interval == 0) fire_timers();
  }
  targets.drop(rt, &free_slots);
  t_sched = nullptr;
}

void scheduler::requeue(pcb* p) {
  // Behind work waiting in the injection queue too, so that a yielding
  // process cannot keep work from outside waiting for `inject_interval` turns.
  if (!rt.inject.empty()) {
    rt.inject.push(p);
    if (!rt.cfg.deterministic) rt.wake_parked();
  } else {
    rt.enqueue(p);
  }
}

void scheduler::run_process(pcb* p) {
  t_current = p;
  sends_this_turn = 0;
  if (p->home.load(std::memory_order_relaxed) != index) p->home.store(index, std::memory_order_relaxed);
  p->budget = rt.cfg.budget;
  if (!p->waiter) rt.drain(*p);  // new or yielded: handle pending signals first
  for (;;) {
    if (p->exit_pending) {
      rt.exit_process(p, rt.extras(*p).pending_reason);
      break;
    }
    if (receive_state* w = p->waiter) {
      if (p->budget < 0) {  // the receive gave way to others; resume it later
        requeue(p);
        break;
      }
      poll_result r = poll_receive(*p, *w);
      if (r == poll_result::exit) continue;
      if (r == poll_result::no_match) {
        if (w->timeout_ns > 0 && !w->timer) {
          w->timer_seq = ++p->receive_seq;
          auto* sig = new signal_envelope(envelope_kind::timeout);
          sig->number = w->timer_seq;
          w->timer = rt.arm_timer(pid(p->serial.load(std::memory_order_relaxed)), sig, w->timeout_ns, true);
          continue;  // the timer may have fired at once
        }
        envelope* expected = nullptr;
        if (p->inbox.compare_exchange_strong(expected, inbox_blocked(), std::memory_order_acq_rel))
          break;  // waiting: the next sender schedules it
        continue;  // mail arrived meanwhile
      }
      p->waiter = nullptr;
    } else if (p->yield_requested) {
      p->yield_requested = false;
      requeue(p);
      break;
    }
    p->started = true;
    p->resume_point.resume();
    if (p->root.done()) {
      auto& pr = std::coroutine_handle<task<void>::promise_type>::from_address(p->root.address()).promise();
      exit_reason reason;
      if (pr.error) {
        try {
          std::rethrow_exception(pr.error);
        } catch (const exit_exception& e) {
          reason = e.reason;
        } catch (const std::exception& e) {
          reason = exit_reason(demangle(typeid(e).name()), e.what());
          rt.extras(*p).crashed = true;
        } catch (...) {
          reason = exit_reason("unknown_exception");
          rt.extras(*p).crashed = true;
        }
        pr.error = nullptr;
      }
      rt.exit_process(p, std::move(reason));
      break;
    }
  }
  t_current = nullptr;
}

}  // namespace otter::detail

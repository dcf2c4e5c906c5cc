// The runtime: construction, placement of runnable processes, time, shutdown,
// and the deterministic stepping mode.
#include "otter/runtime.hpp"

#include <bit>
#include <iostream>
#include <stdexcept>

#include "exit_hooks.hpp"
#include "otter/logger.hpp"
#include "runtime_impl.hpp"

#if defined(__SANITIZE_THREAD__)
#define OTTER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OTTER_TSAN 1
#endif
#endif
#ifndef OTTER_TSAN
#define OTTER_TSAN 0
#endif

namespace otter::detail {

runtime_impl::runtime_impl(runtime_config c)
    : cfg(std::move(c)),
      uid([] {
        static std::atomic<std::uint64_t> next{1};
        return next.fetch_add(1, std::memory_order_relaxed);
      }()),
      table(std::bit_ceil(std::max<std::size_t>(cfg.max_processes, 2) + 1)),
      epoch(std::chrono::steady_clock::now()) {
  if (cfg.run_queue_capacity < 2 || !std::has_single_bit(cfg.run_queue_capacity))
    throw bad_argument("runtime_config::run_queue_capacity must be a power of two >= 2, got " +
                       std::to_string(cfg.run_queue_capacity));
  if (cfg.budget < 1) throw bad_argument("runtime_config::budget must be >= 1");
  if (cfg.max_processes > (std::size_t{1} << 31))
    throw bad_argument("runtime_config::max_processes must be at most 2^31");
  unsigned n = cfg.deterministic ? 1 : (cfg.schedulers ? cfg.schedulers : std::thread::hardware_concurrency());
  if (n == 0) n = 1;
  if (n > 1024) throw bad_argument("runtime_config::schedulers must be at most 1024");
  for (unsigned i = 0; i < n; ++i) scheds.push_back(std::make_unique<scheduler>(*this, i));
  idle_state.store(n << 16, std::memory_order_relaxed);  // all unparked, none searching
  if (!cfg.deterministic)
    for (auto& s : scheds) s->start();
}

runtime_impl::~runtime_impl() { shutdown(); }

std::vector<std::uint32_t>* runtime_impl::slot_cache() noexcept {
  scheduler* s = current_scheduler();
  return s && &s->rt == this ? &s->free_slots : nullptr;
}

spawn_result runtime_impl::start(task<void> body, pcb* parent, spawn_tie tie) {
  if (stopping.load(std::memory_order_acquire))
    throw runtime_stopped("otter::spawn: the runtime has been shut down");
  pcb* p = table.allocate(slot_cache());
  if (!p)
    throw bad_argument("otter::spawn: too many processes (runtime_config::max_processes = " +
                       std::to_string(cfg.max_processes) + ")");
  p->rt = this;
  p->root = body.release();
  p->resume_point = p->root;
  pid child(p->serial.load(std::memory_order_relaxed));
  spawn_result r{child, {}};
  if (parent && tie == spawn_tie::link) {
    pid me(parent->serial.load(std::memory_order_relaxed));
    extras(*parent).links.insert(child.value());
    extras(*p).links.insert(me.value());
  } else if (parent && tie == spawn_tie::monitor) {
    r.monitor = reference(new_ref());
    extras(*parent).monitors.emplace(r.monitor.value(), child.value());
    extras(*p).monitored_by.emplace(r.monitor.value(), parent->serial.load(std::memory_order_relaxed));
  }
  live.fetch_add(1, std::memory_order_relaxed);
  schedule(p);  // runs next here, as Go's runnext: a parent that waits for its child (a start_link) keeps the chain on one core
  return r;
}

process_extras& runtime_impl::extras(pcb& p) {
  if (!p.extras) p.extras = new process_extras();
  return *p.extras;
}

bool runtime_impl::push(pcb* p, envelope* e) {
  envelope* head = p->inbox.load(std::memory_order_relaxed);
  for (;;) {
    if (head == inbox_closed()) {
      destroy_envelope(e);
      return false;
    }
    e->next = head == inbox_blocked() ? nullptr : head;
    if (p->inbox.compare_exchange_weak(head, e, std::memory_order_acq_rel, std::memory_order_relaxed)) break;
  }
  if (head == inbox_blocked()) schedule(p);
  return true;
}

bool runtime_impl::deliver(pid to, envelope* e) {
  scheduler* s = current_scheduler();
  if (!s || &s->rt != this) {
    pcb* p = table.acquire(to);
    if (!p) {
      destroy_envelope(e);
      return false;
    }
    bool ok = push(p, e);
    table.release(p, nullptr);
    return ok;
  }
  const bool ok = s->targets.send(*this, to, e, &s->free_slots);
  if (++s->sends_this_turn > cfg.budget && s->lifo) s->release_lifo();
  return ok;
}

void runtime_impl::schedule(pcb* p) {
  if (p->external) {
    auto* w = static_cast<external_waiter*>(p->ext);
    std::lock_guard lk(w->m);
    w->woken = true;
    w->cv.notify_one();
    return;
  }
  scheduler* s = current_scheduler();
  if (s && &s->rt == this) {
    const std::uint32_t home = p->home.load(std::memory_order_relaxed);
    if (home != s->index && home < scheds.size() && scheds[home]->active.load(std::memory_order_relaxed)) {
      scheds[home]->remote.push(p);
      wake_parked_after_remote_push();
      return;
    }
    if (pcb* prev = std::exchange(s->lifo, p)) {
      s->queue.push_back(prev, inject);
      wake_parked();
    }
    return;
  }
  // From outside the runtime (a scoped_process calling a server, say):
  // straight to its home scheduler's lock-free queue, where that scheduler
  // or a searching one picks it up; the injection queue (a mutex) only for
  // a process that never ran.
  const std::uint32_t home = p->home.load(std::memory_order_relaxed);
  if (!cfg.deterministic && home < scheds.size()) {
    scheds[home]->remote.push(p);
    wake_parked_after_remote_push();
    return;
  }
  inject.push(p);
  if (cfg.deterministic) return;
  wake_parked();
}

void runtime_impl::enqueue(pcb* p) {
  scheduler* s = current_scheduler();
  if (s && &s->rt == this)
    s->queue.push_back(p, inject);
  else
    inject.push(p);
  if (!cfg.deterministic) wake_parked();
}

void runtime_impl::wake_parked() {
  // The RMW orders this check after the caller's push (see park()).
  std::uint32_t s = idle_state.fetch_add(0, std::memory_order_seq_cst);
  if (searching_of(s) != 0 || unparked_of(s) >= scheds.size()) return;
  unsigned idx;
  {
    std::lock_guard lk(sleepers_m);
    s = idle_state.load(std::memory_order_seq_cst);
    if (searching_of(s) != 0 || sleepers.empty()) return;
    idx = sleepers.back();
    sleepers.pop_back();
    idle_state.fetch_add((1u << 16) + 1u, std::memory_order_seq_cst);  // unparked and searching
  }
  scheds[idx]->unpark();
}

std::uint64_t runtime_impl::new_ref() noexcept {
  static std::atomic<std::uint64_t> next_block{1};
  constexpr std::uint64_t block = 1024;
  thread_local std::uint64_t next = 0, end = 0;
  if (next == end) {
    next = next_block.fetch_add(block, std::memory_order_relaxed);
    end = next + block;
  }
  return next++;
}

void runtime_impl::wake_parked_after_remote_push() {
  // The push (a seq_cst CAS), this fence and a parking scheduler's RMW of
  // idle_state followed by its seq_cst check of the remote queues cannot
  // both miss each other: either we see it parked, or it sees the push.
#if OTTER_TSAN
  // ThreadSanitizer does not model fences; an RMW of idle_state gives the
  // same guarantee in terms it checks (RMWs of one atomic are totally
  // ordered and read the latest value), at the price of a shared write.
  std::uint32_t s = idle_state.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
  std::uint32_t s = idle_state.load(std::memory_order_relaxed);
#endif
  if (searching_of(s) == 0 && unparked_of(s) < scheds.size()) wake_parked();
}

bool runtime_impl::work_pending() const {
  if (!inject.empty()) return true;
  for (auto& s : scheds)
    if (!s->queue.empty() || !s->remote.empty()) return true;
  return false;
}

std::int64_t runtime_impl::now_ns() const noexcept {
  if (cfg.deterministic) return static_cast<std::int64_t>(virtual_ns.load(std::memory_order_acquire));
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - epoch).count();
}

std::uint64_t runtime_impl::now_tick() const noexcept { return static_cast<std::uint64_t>(now_ns() / tick_ns); }

std::uint64_t runtime_impl::deadline_tick(std::int64_t timeout_ns) const noexcept {
  // Rounded up: a timer never fires before its timeout has passed.
  return static_cast<std::uint64_t>((now_ns() + timeout_ns + tick_ns - 1) / tick_ns);
}

std::chrono::steady_clock::time_point runtime_impl::tick_time(std::uint64_t tick) const noexcept {
  return epoch + std::chrono::nanoseconds(static_cast<std::int64_t>(tick) * tick_ns);
}

timer_entry* runtime_impl::arm_timer(pid target, envelope* payload, std::int64_t timeout_ns, bool keep_ref) {
  auto* e = new timer_entry();
  e->target = target;
  e->payload = payload;
  if (keep_ref) e->retain();
  scheduler* s = current_scheduler();
  bool local = s && &s->rt == this;
  if (!local) s = scheds[0].get();
  if (!s->wheel.insert(e, deadline_tick(timeout_ns))) {
    // Already due: deliver now.
    envelope* pl = std::exchange(e->payload, nullptr);
    deliver(target, pl);
    e->release();
  } else if (!local && !cfg.deterministic) {
    s->unpark();  // it may be parked with a later deadline
  }
  return keep_ref ? e : nullptr;
}

void runtime_impl::note_exit() {
  if (live.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard lk(exited_m);
    exited_cv.notify_all();
  }
}

std::vector<pid> runtime_impl::processes() {
  std::vector<pid> out;
  for (std::uint64_t i = 1; i < table.high_water(); ++i) {
    const pcb* slot = table.slot_if_present(i);
    if (!slot) continue;
    // Acquire by the slot's current serial: a slot being reused or freed
    // meanwhile fails the acquire or the serial check inside it.
    const pid p(slot->serial.load(std::memory_order_acquire));
    if (!p) continue;
    pcb* q = table.acquire(p);
    if (!q) continue;
    if (q->inbox.load(std::memory_order_acquire) != inbox_closed()) out.push_back(p);
    table.release(q, slot_cache());
  }
  return out;
}

void runtime_impl::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  stopping.store(true, std::memory_order_release);
  for (auto& s : scheds) s->unpark();
  for (auto& s : scheds) s->join();
  for (auto& s : scheds) s->targets.drop(*this, &s->free_slots);  // a deterministic runtime's, never idle
  // Single-threaded from here: end every process still alive, without
  // signals (everything ends together), and free what it holds.
  for (std::uint64_t i = 1; i < table.high_water(); ++i) {
    pcb* p = table.slot_if_present(i);
    if (!p || p->refs.load(std::memory_order_acquire) == 0 || p->external) continue;
    envelope* in = p->inbox.exchange(inbox_closed(), std::memory_order_acq_rel);
    if (in == inbox_closed()) continue;  // exited; only senders' references remain
    set_current(p);
    if (p->waiter && p->waiter->timer) {
      detail::timer_entry* t = std::exchange(p->waiter->timer, nullptr);
      if (t->wheel->cancel(t)) t->release();  // the wheel's reference
      t->release();                           // the receive's reference
    }
    if (p->root) p->root.destroy();
    set_current(nullptr);
    p->root = {};
    while (in && in != inbox_blocked()) {
      envelope* n = in->next;
      destroy_envelope(in);
      in = n;
    }
    while (p->queue_head) {
      envelope* n = p->queue_head->next;
      destroy_envelope(p->queue_head);
      p->queue_head = n;
    }
    if (p->extras) run_exit_hooks(p->extras->exit_hooks, *this, pid(p->serial.load(std::memory_order_relaxed)));
    delete p->extras;
    p->extras = nullptr;
    p->has_name.store(false, std::memory_order_relaxed);
    live.fetch_sub(1, std::memory_order_relaxed);
    table.release(p, nullptr);
  }
  for (auto& s : scheds) s->fire_timers();  // frees due entries; the rest go with the wheels
  {
    std::lock_guard lk(exited_m);
    exited_cv.notify_all();
  }
  while (pcb* p = inject.pop()) (void)p;
}

}  // namespace otter::detail

namespace otter {

using detail::runtime_impl;

void runtime_config::default_crash_logger(const crash_report& r) {
  std::string who = r.process.to_string();
  if (!r.name.empty()) who += " (" + r.name + ")";
  // Through otter::log, the one place reports go (a test or an
  // application replaces or silences it there).
  otter::log({log_level::error, r.process, "crash_report",
              "Process " + who + " raised an exception\n** (exit) " + r.reason.to_string()});
}

runtime::runtime(runtime_config cfg) : impl_(std::make_unique<runtime_impl>(std::move(cfg))) {}
runtime::~runtime() { shutdown(); }

void runtime::shutdown() {
  if (detail::pcb* p = detail::current_pcb(); p && p->rt == impl_.get())
    throw bad_argument("otter::runtime::shutdown: called from one of its own processes (it would join its own scheduler thread)");
  impl_->shutdown();
}

void runtime::deliver(pid to, detail::envelope* e) { impl_->deliver(to, e); }

bool runtime::is_alive(pid p) const {
  detail::pcb* q = impl_->table.acquire(p);
  if (!q) return false;
  bool alive = q->inbox.load(std::memory_order_acquire) != detail::inbox_closed();
  impl_->table.release(q, impl_->slot_cache());
  return alive;
}

std::size_t runtime::process_count() const {
  auto n = impl_->live.load(std::memory_order_acquire) + impl_->live_external.load(std::memory_order_acquire);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void runtime::await_all_exited() {
  if (impl_->cfg.deterministic) {
    run_until_idle();
    return;
  }
  if (detail::current_pcb())
    throw not_in_process("otter::runtime::await_all_exited: would block a scheduler; call it outside processes");
  std::unique_lock lk(impl_->exited_m);
  impl_->exited_cv.wait(lk, [&] {
    return impl_->live.load(std::memory_order_acquire) <= 0 || impl_->stopping.load(std::memory_order_acquire);
  });
}

reference runtime::make_ref() { return reference(runtime_impl::new_ref()); }

unsigned runtime::schedulers() const {
  return impl_->cfg.deterministic ? 0 : static_cast<unsigned>(impl_->scheds.size());
}

static void require_deterministic(const runtime_impl& rt, const char* what) {
  if (!rt.cfg.deterministic)
    throw std::logic_error(std::string(what) + ": only a deterministic runtime can be stepped");
}

bool runtime::run_once() {
  require_deterministic(*impl_, "otter::runtime::run_once");
  auto& s = *impl_->scheds[0];
  detail::scheduler* prev = detail::set_current_scheduler(&s);
  detail::pcb* p = s.next_local();
  if (p) s.run_process(p);
  detail::set_current_scheduler(prev);
  return p != nullptr;
}

std::size_t runtime::run_until_idle() {
  require_deterministic(*impl_, "otter::runtime::run_until_idle");
  std::size_t n = 0;
  while (run_once()) ++n;
  return n;
}

void runtime::advance_time(std::chrono::nanoseconds d) {
  require_deterministic(*impl_, "otter::runtime::advance_time");
  if (d.count() < 0) throw bad_argument("otter::runtime::advance_time: negative duration");
  impl_->virtual_ns.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_acq_rel);
  detail::scheduler* prev = detail::set_current_scheduler(impl_->scheds[0].get());
  impl_->scheds[0]->fire_timers();
  detail::set_current_scheduler(prev);
}

}  // namespace otter

// Internal: the run queues of the schedulers.
//
// local_queue is a bounded ring owned by one scheduler, after Tokio's
// multi-thread run queue. Only the owner pushes (at the tail) and pops (at the
// head, FIFO); thieves take half of the queue at once. `head` packs two
// 32-bit indices: `steal` (where an in-flight steal started) and `real` (the
// next item to pop). While a steal is in flight the two differ, the owner
// cannot reclaim the slots being copied, and a second thief backs off.
// Indices wrap; all arithmetic is modulo 2^32. A full queue moves half of
// itself plus the new item to the global injection queue.
//
// Slots are atomics with relaxed order: the release store of `tail` (owner)
// and the acquire/acq_rel CAS of `head` (thieves) order them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "otter/detail/pcb.hpp"

namespace otter::detail {

/// The shared queue for work from outside a scheduler and for overflow.
/// A mutex is fine here: it is off the hot path (local queues take the load).
class injection_queue {
 public:
  /// Appends the chain first..last (linked through next_run) of `n` processes.
  void push_batch(pcb* first, pcb* last, std::size_t n) {
    std::lock_guard lk(m_);
    last->next_run = nullptr;
    if (tail_)
      tail_->next_run = first;
    else
      head_ = first;
    tail_ = last;
    len_.store(len_.load(std::memory_order_relaxed) + n, std::memory_order_seq_cst);
  }
  void push(pcb* p) { push_batch(p, p, 1); }
  /// Removes and returns the oldest process, or nullptr.
  pcb* pop() {
    if (empty()) return nullptr;
    std::lock_guard lk(m_);
    pcb* p = head_;
    if (!p) return nullptr;
    head_ = p->next_run;
    if (!head_) tail_ = nullptr;
    p->next_run = nullptr;
    len_.store(len_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    return p;
  }
  /// Removes up to `max` (>= 1) of the oldest processes as a chain linked
  /// through next_run (the last one's next_run is null); returns its head, or
  /// nullptr. Taking a batch under one lock is what keeps a stream of work
  /// from outside (spawns from main, say) from costing a lock per process.
  pcb* pop_batch(std::size_t max) {
    if (empty()) return nullptr;
    std::lock_guard lk(m_);
    pcb* first = head_;
    if (!first) return nullptr;
    std::size_t len = len_.load(std::memory_order_relaxed);
    std::size_t n = max < len ? max : len;
    pcb* last = first;
    for (std::size_t i = 1; i < n; ++i) last = last->next_run;
    head_ = last->next_run;
    if (!head_) tail_ = nullptr;
    last->next_run = nullptr;
    len_.store(len - n, std::memory_order_relaxed);
    return first;
  }
  /// Returns whether it looks empty (seq_cst: see scheduler parking).
  bool empty() const noexcept { return len_.load(std::memory_order_seq_cst) == 0; }
  std::size_t size() const noexcept { return len_.load(std::memory_order_relaxed); }

 private:
  std::mutex m_;
  pcb* head_ = nullptr;  // guarded by m_
  pcb* tail_ = nullptr;  // guarded by m_
  std::atomic<std::size_t> len_{0};  // written under m_, read without it
};

/// Processes woken for this scheduler by other schedulers: a process
/// usually runs where it ran last (its home), so a server and the clients
/// spread over the cores stay where their memory is instead of migrating on
/// every wake-up. A lock-free stack any thread pushes to; the owner, or a
/// thief when the owner is idle, takes it whole.
class remote_queue {
 public:
  /// Pushes `p` (seq_cst: ordered before the pusher's check of the idle state,
  /// against a parking scheduler's check of this queue).
  void push(pcb* p) noexcept {
    pcb* h = head_.load(std::memory_order_relaxed);
    do {
      p->next_run = h;
    } while (!head_.compare_exchange_weak(h, p, std::memory_order_seq_cst, std::memory_order_relaxed));
  }
  /// Takes everything, oldest first, as a chain linked through next_run.
  pcb* take_all() noexcept {
    if (!head_.load(std::memory_order_relaxed)) return nullptr;
    pcb* h = head_.exchange(nullptr, std::memory_order_acquire);
    pcb* prev = nullptr;
    while (h) {
      pcb* n = h->next_run;
      h->next_run = prev;
      prev = h;
      h = n;
    }
    return prev;
  }
  /// Returns whether it looks empty (seq_cst: see scheduler parking).
  bool empty() const noexcept { return head_.load(std::memory_order_seq_cst) == nullptr; }
  /// The same without ordering, for spinning.
  bool looks_empty() const noexcept { return head_.load(std::memory_order_relaxed) == nullptr; }

 private:
  alignas(64) std::atomic<pcb*> head_{nullptr};
};

class local_queue {
 public:
  explicit local_queue(std::uint32_t capacity)
      : cap_(capacity), mask_(capacity - 1), buf_(new std::atomic<pcb*>[capacity]) {
    for (std::uint32_t i = 0; i < cap_; ++i) buf_[i].store(nullptr, std::memory_order_relaxed);
  }

  /// Owner only: appends `p`; on overflow moves half the queue to `inject`.
  void push_back(pcb* p, injection_queue& inject) {
    for (;;) {
      std::uint64_t head = head_.load(std::memory_order_acquire);
      std::uint32_t steal = unpack_steal(head), real = unpack_real(head);
      std::uint32_t tail = tail_.load(std::memory_order_relaxed);  // owner's own value
      if (tail - steal < cap_) {
        buf_[tail & mask_].store(p, std::memory_order_relaxed);
        tail_.store(tail + 1, std::memory_order_release);
        return;
      }
      if (steal != real) {  // a thief is copying; it will free space soon
        inject.push(p);
        return;
      }
      if (push_overflow(p, real, tail, inject)) return;
    }
  }

  /// Owner only: removes the oldest process, or returns nullptr.
  pcb* pop() {
    std::uint64_t head = head_.load(std::memory_order_acquire);
    std::uint32_t idx;
    for (;;) {
      std::uint32_t steal = unpack_steal(head), real = unpack_real(head);
      std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (real == tail) return nullptr;
      std::uint32_t next_real = real + 1;
      std::uint64_t next = steal == real ? pack(next_real, next_real) : pack(steal, next_real);
      if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
        idx = real & mask_;
        break;
      }
    }
    return buf_[idx].load(std::memory_order_relaxed);
  }

  /// Thief: moves about half of this queue into `dst` (which must be owned by
  /// the caller) and returns one of the stolen processes to run, or nullptr.
  pcb* steal_into(local_queue& dst) {
    std::uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);
    std::uint32_t dst_steal = unpack_steal(dst.head_.load(std::memory_order_acquire));
    if (dst_tail - dst_steal > dst.cap_ / 2) return nullptr;  // no room to take half
    std::uint32_t n = steal_into2(dst, dst_tail);
    if (n == 0) return nullptr;
    --n;
    pcb* ret = dst.buf_[(dst_tail + n) & dst.mask_].load(std::memory_order_relaxed);
    if (n > 0) dst.tail_.store(dst_tail + n, std::memory_order_release);
    return ret;
  }

  /// Returns how many processes it holds (approximate if read by others).
  std::uint32_t len() const noexcept {
    std::uint64_t head = head_.load(std::memory_order_acquire);
    return tail_.load(std::memory_order_acquire) - unpack_real(head);
  }
  bool empty() const noexcept { return len() == 0; }
  std::uint32_t capacity() const noexcept { return cap_; }

 private:
  static std::uint32_t unpack_steal(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h >> 32); }
  static std::uint32_t unpack_real(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h); }
  static std::uint64_t pack(std::uint32_t steal, std::uint32_t real) noexcept {
    return (std::uint64_t{steal} << 32) | real;
  }

  bool push_overflow(pcb* p, std::uint32_t head, std::uint32_t tail, injection_queue& inject) {
    const std::uint32_t n = cap_ / 2;
    if (tail - head != cap_) return false;  // a pop or steal changed things; retry
    std::uint64_t expect = pack(head, head);
    if (!head_.compare_exchange_strong(expect, pack(head + n, head + n), std::memory_order_release,
                                       std::memory_order_relaxed))
      return false;  // a thief got there first; retry the normal push
    pcb* first = buf_[head & mask_].load(std::memory_order_relaxed);
    pcb* prev = first;
    for (std::uint32_t i = 1; i < n; ++i) {
      pcb* q = buf_[(head + i) & mask_].load(std::memory_order_relaxed);
      prev->next_run = q;
      prev = q;
    }
    prev->next_run = p;
    inject.push_batch(first, p, n + 1);
    return true;
  }

  std::uint32_t steal_into2(local_queue& dst, std::uint32_t dst_tail) {
    std::uint64_t prev = head_.load(std::memory_order_acquire);
    std::uint64_t next;
    std::uint32_t n, first;
    for (;;) {
      std::uint32_t steal = unpack_steal(prev), real = unpack_real(prev);
      std::uint32_t tail = tail_.load(std::memory_order_acquire);
      if (steal != real) return 0;  // another thief is at work
      n = tail - real;
      n -= n / 2;
      if (n == 0) return 0;
      next = pack(steal, real + n);
      if (head_.compare_exchange_weak(prev, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
        first = real;
        break;
      }
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      pcb* q = buf_[(first + i) & mask_].load(std::memory_order_relaxed);
      dst.buf_[(dst_tail + i) & dst.mask_].store(q, std::memory_order_relaxed);
    }
    // Release the steal marker: the owner may reuse the copied slots again.
    prev = next;
    for (;;) {
      std::uint32_t real = unpack_real(prev);
      if (head_.compare_exchange_weak(prev, pack(real, real), std::memory_order_acq_rel,
                                      std::memory_order_acquire))
        return n;
    }
  }

  const std::uint32_t cap_;
  const std::uint32_t mask_;
  std::unique_ptr<std::atomic<pcb*>[]> buf_;
  alignas(64) std::atomic<std::uint64_t> head_{0};  // packed (steal, real)
  alignas(64) std::atomic<std::uint32_t> tail_{0};  // written by the owner only
};

}  // namespace otter::detail

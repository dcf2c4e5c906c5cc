// Internal: the reader/writer lock of one ETS stripe.
//
// std::shared_mutex (pthread_rwlock) cost 40 % of an uncontended
// update_counter in the profile: its lock and unlock are calls with several
// atomic steps each. This lock is one word: lock and unlock are one atomic
// step each when nobody waits. A thread that cannot get it spins briefly
// (stripes are held for a few hundred nanoseconds), then sleeps on the word
// (C++20 atomic wait, a futex on Linux), so a holder that was preempted does
// not make the others burn their time slice.
//
// Meets the Lockable and SharedLockable requirements (std::unique_lock,
// std::shared_lock). Not fair: a steady stream of readers can delay a
// writer, which for ETS's short critical sections does not happen in
// practice.
#pragma once

#include <atomic>
#include <cstdint>

namespace otter::ets::detail {

class stripe_lock {
 public:
  void lock() noexcept {
    std::uint32_t s = 0;
    if (word_.compare_exchange_weak(s, writer, std::memory_order_acquire, std::memory_order_relaxed)) return;
    lock_slow();
  }
  void unlock() noexcept {
    if (word_.exchange(0, std::memory_order_release) & waiters) word_.notify_all();
  }
  void lock_shared() noexcept {
    std::uint32_t s = word_.load(std::memory_order_relaxed);
    if (!(s & (writer | waiters)) &&
        word_.compare_exchange_weak(s, s + 1, std::memory_order_acquire, std::memory_order_relaxed))
      return;
    lock_shared_slow();
  }
  void unlock_shared() noexcept {
    const std::uint32_t s = word_.fetch_sub(1, std::memory_order_release) - 1;
    if (s == waiters) wake_from(s);  // the last reader out, with someone waiting
  }

 private:
  static constexpr std::uint32_t writer = 1u << 31;
  static constexpr std::uint32_t waiters = 1u << 30;
  static constexpr int spins = 16;  // more made two writers on one key 3x slower: they kept trading the line

  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  // Clears the waiters bit (if the word is still `s`) and wakes them all:
  // each retries, and those that still cannot get the lock set it again.
  void wake_from(std::uint32_t s) noexcept {
    if (word_.compare_exchange_strong(s, 0, std::memory_order_relaxed)) word_.notify_all();
  }

  // Waits while the word is `s` after marking that someone waits; returns
  // when it may have changed.
  void wait_on(std::uint32_t s) noexcept {
    if (!(s & waiters)) {
      if (!word_.compare_exchange_weak(s, s | waiters, std::memory_order_relaxed)) return;
      s |= waiters;
    }
    word_.wait(s, std::memory_order_relaxed);
  }

  void lock_slow() noexcept {
    for (int i = 0;; ++i) {
      std::uint32_t s = word_.load(std::memory_order_relaxed);
      if (!(s & ~waiters)) {
        // Free: take it, keeping the waiters bit so our unlock wakes them.
        if (word_.compare_exchange_weak(s, s | writer, std::memory_order_acquire, std::memory_order_relaxed)) return;
        continue;
      }
      if (i < spins) {
        pause();
        continue;
      }
      wait_on(s);
    }
  }

  void lock_shared_slow() noexcept {
    for (int i = 0;; ++i) {
      std::uint32_t s = word_.load(std::memory_order_relaxed);
      // Readers do not pass a waiting writer while spinning, so writers are
      // not starved; after that they take what they can.
      if (!(s & writer) && (!(s & waiters) || i >= spins)) {
        if (word_.compare_exchange_weak(s, s + 1, std::memory_order_acquire, std::memory_order_relaxed)) return;
        continue;
      }
      if (i < spins) {
        pause();
        continue;
      }
      wait_on(s);
    }
  }

  std::atomic<std::uint32_t> word_{0};
};

}  // namespace otter::ets::detail

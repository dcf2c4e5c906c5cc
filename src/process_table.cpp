#include "process_table.hpp"

#include <new>

#include "runtime_impl.hpp"

namespace otter::detail {

namespace {
constexpr std::size_t cache_limit = 512;  // per-scheduler free slots kept locally
constexpr std::size_t cache_batch = 256;  // moved to or from the shared list at once
}  // namespace

process_table::process_table(std::uint64_t capacity)
    : capacity_(capacity), chunks_(new std::atomic<pcb*>[(capacity + chunk_size - 1) / chunk_size]) {
  for (std::uint64_t i = 0; i < (capacity + chunk_size - 1) / chunk_size; ++i)
    chunks_[i].store(nullptr, std::memory_order_relaxed);
}

process_table::~process_table() {
  for (std::uint64_t i = 0; i < (capacity_ + chunk_size - 1) / chunk_size; ++i) {
    pcb* c = chunks_[i].load(std::memory_order_relaxed);
    if (!c) continue;
    for (std::uint64_t j = 0; j < chunk_size; ++j) c[j].~pcb();
    ::operator delete(c, std::align_val_t{alignof(pcb)});
  }
}

pcb* process_table::slot(std::uint64_t index) noexcept {
  auto& ch = chunks_[index >> chunk_bits];
  pcb* c = ch.load(std::memory_order_acquire);
  if (!c) {
    std::lock_guard lk(chunk_m_);
    c = ch.load(std::memory_order_relaxed);
    if (!c) {
      c = static_cast<pcb*>(::operator new(sizeof(pcb) * chunk_size, std::align_val_t{alignof(pcb)}));
      for (std::uint64_t j = 0; j < chunk_size; ++j) new (&c[j]) pcb();
      ch.store(c, std::memory_order_release);
    }
  }
  return &c[index & (chunk_size - 1)];
}

pcb* process_table::slot_if_present(std::uint64_t index) const noexcept {
  if (index >= capacity_) return nullptr;
  pcb* c = chunks_[index >> chunk_bits].load(std::memory_order_acquire);
  return c ? &c[index & (chunk_size - 1)] : nullptr;
}

pcb* process_table::allocate(std::vector<std::uint32_t>* cache) {
  std::uint64_t index = 0;
  if (cache && !cache->empty()) {
    index = cache->back();
    cache->pop_back();
  } else {
    {
      std::lock_guard lk(free_m_);
      if (!free_.empty()) {
        index = free_.back();
        free_.pop_back();
        if (cache) {  // take a batch so the next allocations need no lock
          std::size_t n = std::min(free_.size(), cache_batch);
          cache->insert(cache->end(), free_.end() - static_cast<std::ptrdiff_t>(n), free_.end());
          free_.resize(free_.size() - n);
        }
      }
    }
    if (index == 0) {
      std::uint64_t i = fresh_.load(std::memory_order_relaxed);
      do {
        if (i >= capacity_) return nullptr;
      } while (!fresh_.compare_exchange_weak(i, i + 1, std::memory_order_acq_rel));
      index = i;
    }
  }
  pcb* p = slot(index);
  // A reused slot keeps its old serial until now; the new one bumps the generation.
  std::uint64_t old = p->serial.load(std::memory_order_relaxed);
  std::uint64_t serial = old == 0 ? index : old + (std::uint64_t{1} << 32);
  p->serial.store(serial, std::memory_order_relaxed);
  p->home.store(UINT32_MAX, std::memory_order_relaxed);
  p->refs.store(1, std::memory_order_release);  // publishes the serial to acquire()
  return p;
}

pcb* process_table::acquire(pid who) noexcept {
  std::uint64_t serial = who.value();
  std::uint64_t index = index_of(serial);
  pcb* p = slot_if_present(index);
  if (!p || index == 0) return nullptr;
  std::uint32_t r = p->refs.load(std::memory_order_relaxed);
  do {
    if (r == 0) return nullptr;
  } while (!p->refs.compare_exchange_weak(r, r + 1, std::memory_order_acquire, std::memory_order_relaxed));
  if (p->serial.load(std::memory_order_relaxed) != serial) {
    release(p, nullptr);
    return nullptr;
  }
  return p;
}

void process_table::release(pcb* p, std::vector<std::uint32_t>* cache) noexcept {
  if (p->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // Last reference: nobody can reach this slot any more.
  std::uint64_t serial = p->serial.load(std::memory_order_relaxed);
  p->inbox.store(nullptr, std::memory_order_relaxed);
  p->queue_head = nullptr;
  p->queue_tail = &p->queue_head;
  p->queue_len = 0;
  p->waiter = nullptr;
  p->resume_point = {};
  p->root = {};
  p->next_run = nullptr;
  p->extras = nullptr;
  delete static_cast<external_waiter*>(p->ext);  // senders are done with it now
  p->ext = nullptr;
  p->trap_exit = p->external = p->yield_requested = p->exit_pending = p->timeout_fired = p->started = p->receiving = false;
  if ((serial >> 32) == 0xffffffffu) return;  // generation exhausted: retire the slot
  free_slot(index_of(serial), cache);
}

void process_table::free_slot(std::uint64_t index, std::vector<std::uint32_t>* cache) noexcept {
  if (cache && cache->size() < cache_limit) {
    cache->push_back(static_cast<std::uint32_t>(index));
    return;
  }
  std::lock_guard lk(free_m_);
  free_.push_back(static_cast<std::uint32_t>(index));
  if (cache) {  // hand a batch back so other threads can use it
    std::size_t n = std::min(cache->size(), cache_batch);
    free_.insert(free_.end(), cache->end() - static_cast<std::ptrdiff_t>(n), cache->end());
    cache->resize(cache->size() - n);
  }
}

}  // namespace otter::detail

// The small-block pool (see otter/detail/pool.hpp).
//
// Size classes of 16 bytes up to pool_max_block. Each thread keeps, per
// class, a free list and a bump region carved from 64 KiB slabs. A free list
// longer than 2 × batch moves a batch of `batch` blocks to the class's depot
// (a mutex-guarded stack of batches, touched once per `batch` operations);
// an empty free list takes a batch from the depot before carving new memory.
// Slabs are never returned: they stay reachable from the slab list, so leak
// checkers do not report them, and their blocks are recycled.
#include "otter/detail/pool.hpp"

#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define OTTER_POOL_BYPASS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OTTER_POOL_BYPASS 1
#endif
#endif

namespace otter::detail {

namespace {
thread_local std::uint64_t t_allocations = 0;
}  // namespace

std::uint64_t pool_allocations() noexcept { return t_allocations; }

#ifdef OTTER_POOL_BYPASS

void* pool_alloc(std::size_t n) {
  ++t_allocations;
  return ::operator new(n);
}
void pool_free(void* p, std::size_t) noexcept { ::operator delete(p); }

#else

namespace {

constexpr std::size_t granule = 16;
constexpr std::size_t classes = pool_max_block / granule;
constexpr std::size_t slab_bytes = 64 * 1024;
constexpr std::uint32_t batch = 256;

struct block {
  block* next;
};

struct batch_list {
  block* head;
  std::uint32_t count;
};

struct depot {
  std::mutex m;
  std::vector<batch_list> batches;  // each holds `batch` blocks
};

struct shared_state {
  depot depots[classes];
  std::mutex slabs_m;
  std::vector<void*> slabs;  // keeps every slab reachable
};

shared_state& shared() {
  // Never destroyed: threads may free blocks during static destruction.
  static shared_state* s = new shared_state;
  return *s;
}

void* new_slab() {
  void* p = ::operator new(slab_bytes);
  shared_state& s = shared();
  std::lock_guard lk(s.slabs_m);
  s.slabs.push_back(p);
  return p;
}

struct thread_cache {
  block* free[classes] = {};
  std::uint32_t count[classes] = {};
  char* bump[classes] = {};
  char* bump_end[classes] = {};

  ~thread_cache() {
    // Give every block back so that other threads can use it, including the
    // untouched rest of each bump region (carved into blocks), so that
    // short-lived threads do not strand memory.
    for (std::size_t c = 0; c < classes; ++c) {
      const std::size_t size = (c + 1) * granule;
      while (bump[c] && static_cast<std::size_t>(bump_end[c] - bump[c]) >= size) {
        auto* b = reinterpret_cast<block*>(bump[c]);
        b->next = free[c];
        free[c] = b;
        ++count[c];
        bump[c] += size;
      }
      bump[c] = bump_end[c] = nullptr;
      if (free[c]) push_depot(c, free[c], count[c]);
      free[c] = nullptr;
      count[c] = 0;
    }
  }

  static void push_depot(std::size_t c, block* head, std::uint32_t n) {
    depot& d = shared().depots[c];
    std::lock_guard lk(d.m);
    d.batches.push_back({head, n});
  }

  void* refill(std::size_t c) {
    {
      depot& d = shared().depots[c];
      std::lock_guard lk(d.m);
      if (!d.batches.empty()) {
        batch_list b = d.batches.back();
        d.batches.pop_back();
        free[c] = b.head->next;
        count[c] = b.count - 1;
        return b.head;
      }
    }
    const std::size_t size = (c + 1) * granule;
    if (static_cast<std::size_t>(bump_end[c] - bump[c]) < size) {  // (both null at first: 0 < size)
      bump[c] = static_cast<char*>(new_slab());
      bump_end[c] = bump[c] + slab_bytes;
    }
    void* p = bump[c];
    bump[c] += size;
    return p;
  }

  void spill(std::size_t c) {
    // Keep the most recently freed `batch` blocks (warm in cache); move the
    // next `batch` to the depot.
    block* keep_last = free[c];
    for (std::uint32_t i = 1; i < batch; ++i) keep_last = keep_last->next;
    block* give = keep_last->next;
    block* give_last = give;
    for (std::uint32_t i = 1; i < batch; ++i) give_last = give_last->next;
    keep_last->next = give_last->next;
    give_last->next = nullptr;
    count[c] -= batch;
    push_depot(c, give, batch);
  }
};

thread_local thread_cache t_cache;

}  // namespace

void* pool_alloc(std::size_t n) {
  ++t_allocations;
  if (n == 0) n = 1;
  if (n > pool_max_block) return ::operator new(n);
  const std::size_t c = (n - 1) / granule;
  thread_cache& t = t_cache;
  if (block* b = t.free[c]) {
    t.free[c] = b->next;
    --t.count[c];
    return b;
  }
  return t.refill(c);
}

void pool_free(void* p, std::size_t n) noexcept {
  if (!p) return;
  if (n == 0) n = 1;
  if (n > pool_max_block) {
    ::operator delete(p);
    return;
  }
  const std::size_t c = (n - 1) / granule;
  thread_cache& t = t_cache;
  auto* b = static_cast<block*>(p);
  b->next = t.free[c];
  t.free[c] = b;
  if (++t.count[c] > 2 * batch) t.spill(c);
}

#endif

}  // namespace otter::detail

// The small-block pool behind envelopes and frames: alignment, sizes above
// the pooled range, and blocks freed on another thread than the one that
// allocated them (the fan-in pattern), which move through the depot.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "otter/detail/pool.hpp"

using otter::detail::pool_alloc;
using otter::detail::pool_free;

TEST(Pool, blocks_are_16_byte_aligned_writable_and_distinct) {
  std::vector<std::pair<void*, std::size_t>> blocks;
  std::set<std::uintptr_t> seen;
  for (std::size_t n = 1; n <= otter::detail::pool_max_block + 64; n += 7) {
    void* p = pool_alloc(n);
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u) << "size " << n;
    std::memset(p, 0xab, n);
    EXPECT_TRUE(seen.insert(reinterpret_cast<std::uintptr_t>(p)).second);
    blocks.emplace_back(p, n);
  }
  for (auto& [p, n] : blocks) {
    auto* bytes = static_cast<unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(bytes[i], 0xab) << "block of " << n << " overwritten";
    pool_free(p, n);
  }
}

TEST(Pool, blocks_freed_on_another_thread_are_reused_without_overlap) {
  constexpr int rounds = 4;
  constexpr std::size_t per_round = 5000;  // well above the batch size
  constexpr std::size_t size = 40;
  for (int r = 0; r < rounds; ++r) {
    std::vector<void*> made(per_round);
    std::thread producer([&] {
      for (std::size_t i = 0; i < per_round; ++i) {
        made[i] = pool_alloc(size);
        std::memcpy(made[i], &i, sizeof i);
      }
    });
    producer.join();
    std::thread consumer([&] {
      for (std::size_t i = 0; i < per_round; ++i) {
        std::size_t v = 0;
        std::memcpy(&v, made[i], sizeof v);
        ASSERT_EQ(v, i);
        pool_free(made[i], size);
      }
      // Reuse on this thread: every block handed out is distinct.
      std::set<void*> again;
      std::vector<void*> held;
      for (std::size_t i = 0; i < per_round; ++i) {
        void* p = pool_alloc(size);
        ASSERT_TRUE(again.insert(p).second) << "block handed out twice";
        held.push_back(p);
      }
      for (void* p : held) pool_free(p, size);
    });
    consumer.join();
  }
}

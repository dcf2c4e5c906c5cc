// Internal: the small-block allocator behind envelopes and process frames.
//
// Every message is an allocation made by the sender and freed by the
// receiver, often on another scheduler thread; every process is a coroutine
// frame. pool_alloc/pool_free serve blocks up to `pool_max_block` bytes from
// per-thread free lists (no lock, no atomic), exchanging full batches with a
// global depot when a thread frees more than it allocates (the receiver of a
// fan-in) or allocates more than it frees (its senders). Larger blocks go to
// ::operator new. Memory taken by the pool is kept for reuse until the
// program ends. Under AddressSanitizer every call goes to ::operator new, so
// that use-after-free of a message is still caught.
#pragma once

#include <cstddef>
#include <cstdint>

namespace otter::detail {

inline constexpr std::size_t pool_max_block = 256;

/// Returns `n` bytes aligned to 16 (std::bad_alloc when memory is out).
void* pool_alloc(std::size_t n);
/// Frees a block from pool_alloc; `n` must be the size it was allocated with.
void pool_free(void* p, std::size_t n) noexcept;
/// How many times the calling thread has called pool_alloc (for benchmarks
/// that report allocations per operation).
std::uint64_t pool_allocations() noexcept;

}  // namespace otter::detail

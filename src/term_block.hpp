// Internal: the shared block behind tuples, lists, maps and long binaries.
//
// A block is a 16-byte header followed by its payload:
//   tuple   size terms
//   list    size terms, then the tail term ([] for a proper list)
//   map     size keys, then size values, keys sorted in exact term order
//   binary  size bytes
// Blocks are immutable once built and freed by the last term that holds
// them. Small blocks come from otter's pool.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "otter/term.hpp"

namespace otter::detail {

struct term_block {
  std::atomic<std::uint32_t> refs{1};
  std::uint32_t size = 0;
  term_kind kind = term_kind::tuple;

  static constexpr std::size_t header = 16;

  term* terms() noexcept { return reinterpret_cast<term*>(reinterpret_cast<char*>(this) + header); }
  const term* terms() const noexcept {
    return reinterpret_cast<const term*>(reinterpret_cast<const char*>(this) + header);
  }
  char* bytes() noexcept { return reinterpret_cast<char*>(this) + header; }
  const char* bytes() const noexcept { return reinterpret_cast<const char*>(this) + header; }

  /// The list's tail, after its `size` elements.
  const term& tail() const noexcept { return terms()[size]; }
  const term* keys() const noexcept { return terms(); }
  const term* values() const noexcept { return terms() + size; }

  /// Allocates a block of `kind` with room for `size` payload items; the
  /// caller constructs the payload (every term slot) before publishing it.
  static term_block* allocate(term_kind kind, std::size_t size);
  /// Destroys the payload and frees the block.
  static void destroy(term_block* b) noexcept;
};

/// Exact term order (map key order): numbers of different kinds compare by
/// kind (integers first), so it agrees with ==. Returns <0, 0, >0.
int compare_exact(const term& a, const term& b) noexcept;
/// Erlang's term order (1 == 1.0). Returns <0, 0, >0.
int compare_order(const term& a, const term& b) noexcept;
/// Compares an integer and a float exactly (no rounding).
int compare_int_float(std::int64_t i, double d) noexcept;

}  // namespace otter::detail

// Internal: the process table — PCB slots indexed by the low 32 bits of a pid.
//
// Slots live in chunks of 4096 that are allocated on first use and freed only
// with the table, so a PCB's memory stays a PCB for the table's whole life
// (type-stable): a sender may safely look at a slot whose process is gone.
// A pid is (generation << 32 | index); reusing a slot bumps its generation,
// and a slot whose generation would wrap is retired, so no pid is ever issued
// twice. Slot 0 is never used: pid 0 is the null pid.
//
// References: a live process holds one reference to its own slot; a sender
// holds one while it pushes. `acquire` takes a reference only while the count
// is non-zero and then checks the serial, so it can never resurrect a freed
// slot or mistake a reused one for the process it looked for. The slot goes
// back to the free list when the count drops to zero.
//
// Free slots are kept per scheduler (no lock) and in a shared list (locked)
// for other threads and for balance.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "otter/detail/pcb.hpp"

namespace otter::detail {

class process_table {
 public:
  static constexpr unsigned chunk_bits = 12;
  static constexpr std::uint64_t chunk_size = std::uint64_t{1} << chunk_bits;

  explicit process_table(std::uint64_t capacity);
  ~process_table();

  /// Returns a fresh slot for a new process, with refs = 1 and its serial set,
  /// or nullptr if `max_processes` are alive. `cache` is the calling
  /// scheduler's free list (or null outside schedulers).
  pcb* allocate(std::vector<std::uint32_t>* cache);
  /// Takes a reference to the live process `p`, or returns nullptr.
  pcb* acquire(pid p) noexcept;
  /// Drops a reference; at zero the slot is reset and freed.
  void release(pcb* p, std::vector<std::uint32_t>* cache) noexcept;
  /// Returns the slot with this index if its chunk exists (for shutdown walks).
  pcb* slot_if_present(std::uint64_t index) const noexcept;
  /// Returns one past the highest index ever handed out.
  std::uint64_t high_water() const noexcept { return fresh_.load(std::memory_order_acquire); }
  /// Returns the index part of a serial.
  static std::uint64_t index_of(std::uint64_t serial) noexcept { return serial & 0xffffffffu; }

 private:
  pcb* slot(std::uint64_t index) noexcept;
  void free_slot(std::uint64_t index, std::vector<std::uint32_t>* cache) noexcept;

  const std::uint64_t capacity_;
  std::unique_ptr<std::atomic<pcb*>[]> chunks_;
  std::mutex chunk_m_;                 // serialises chunk creation only
  std::atomic<std::uint64_t> fresh_{1};  // next never-used index (0 is reserved)
  std::mutex free_m_;
  std::vector<std::uint32_t> free_;    // guarded by free_m_
};

}  // namespace otter::detail

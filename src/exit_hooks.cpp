// Exit hooks (see exit_hooks.hpp).
#include "exit_hooks.hpp"

#include <atomic>
#include <stdexcept>

#include "runtime_impl.hpp"

namespace otter::detail {

namespace {
std::atomic<exit_hook> g_hooks[32];
std::atomic<unsigned> g_count{0};
}  // namespace

unsigned register_exit_hook(exit_hook h) {
  const unsigned bit = g_count.fetch_add(1, std::memory_order_acq_rel);
  if (bit >= 32) throw std::logic_error("otter: more than 32 exit hooks");
  g_hooks[bit].store(h, std::memory_order_release);
  return bit;
}

void request_exit_hook(pcb& p, unsigned bit) { p.rt->extras(p).exit_hooks |= 1u << bit; }

bool request_exit_hook(runtime_impl& rt, pid target, unsigned bit) {
  auto* s = new signal_envelope(envelope_kind::hook);
  s->number = bit;
  return rt.deliver(target, s);
}

void run_exit_hooks(std::uint32_t bits, runtime_impl& rt, pid who) noexcept {
  for (unsigned b = 0; bits; ++b, bits >>= 1)
    if (bits & 1u)
      if (exit_hook h = g_hooks[b].load(std::memory_order_acquire)) h(rt, who);
}

}  // namespace otter::detail

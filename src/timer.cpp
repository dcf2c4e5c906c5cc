// send_after / cancel_timer on top of the per-scheduler timing wheels.
#include "otter/timer.hpp"

#include "runtime_impl.hpp"

namespace otter {

timer_ref::timer_ref(const timer_ref& o) noexcept : entry_(o.entry_) {
  if (entry_) entry_->retain();
}
timer_ref::timer_ref(timer_ref&& o) noexcept : entry_(std::exchange(o.entry_, nullptr)) {}
timer_ref& timer_ref::operator=(timer_ref o) noexcept {
  std::swap(entry_, o.entry_);
  return *this;
}
timer_ref::~timer_ref() {
  if (entry_) entry_->release();
}

namespace detail {

timer_ref send_after_envelope(runtime_impl* rt, pid to, std::int64_t delay_ns, envelope* e) {
  if (!rt) {
    pcb* p = current_pcb();
    if (!p) {
      destroy_envelope(e);
      throw not_in_process("otter::send_after: called outside any process; pass the runtime");
    }
    rt = p->rt;
  }
  if (delay_ns < 0) {
    destroy_envelope(e);
    throw bad_argument("otter::send_after: negative delay");
  }
  if (rt->stopping.load(std::memory_order_acquire)) {
    destroy_envelope(e);
    throw runtime_stopped("otter::send_after: the runtime has been shut down");
  }
  return timer_ref(rt->arm_timer(to, e, delay_ns, true));
}

}  // namespace detail

std::optional<std::chrono::milliseconds> cancel_timer(const timer_ref& t) {
  detail::timer_entry* e = t.entry();
  if (!e || !e->wheel) return std::nullopt;
  detail::timer_wheel* w = e->wheel;
  std::uint64_t deadline = w->cancel(e);
  if (!deadline) return std::nullopt;
  e->release();  // the wheel's reference
  std::uint64_t now = w->now();
  // Deadlines are rounded up to the next tick and `now` down: take one off.
  const std::uint64_t ticks = deadline > now + 1 ? deadline - now - 1 : 0;
  const auto left = std::chrono::nanoseconds(static_cast<std::int64_t>(ticks) * detail::runtime_impl::tick_ns);
  return std::chrono::duration_cast<std::chrono::milliseconds>(left);
}

}  // namespace otter

#include "timer_wheel.hpp"

#include <bit>
#include <limits>

namespace otter::detail {

void timer_entry::release() noexcept {
  if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (payload) destroy_envelope(payload);
    delete this;
  }
}

timer_wheel::~timer_wheel() {
  for (auto& l : levels_)
    for (auto*& head : l.slots)
      while (head) {
        timer_entry* e = head;
        head = e->next;
        e->armed = false;
        e->release();
      }
}

int timer_wheel::level_for(std::uint64_t elapsed, std::uint64_t when) noexcept {
  std::uint64_t masked = (elapsed ^ when) | 63;
  if (masked >= max_ticks) masked = max_ticks - 1;
  int significant = 63 - std::countl_zero(masked);
  return significant / 6;
}

void timer_wheel::link(timer_entry* e) {
  int l = level_for(elapsed_, e->deadline);
  int s = static_cast<int>((e->deadline >> (6 * l)) & 63);
  auto& head = levels_[l].slots[s];
  e->level = static_cast<std::uint8_t>(l);
  e->slot = static_cast<std::uint8_t>(s);
  e->prev = nullptr;
  e->next = head;
  if (head) head->prev = e;
  head = e;
  levels_[l].occupied |= std::uint64_t{1} << s;
}

void timer_wheel::unlink(timer_entry* e) noexcept {
  int l = e->level, s = e->slot;
  auto& head = levels_[l].slots[s];
  if (e->prev)
    e->prev->next = e->next;
  else
    head = e->next;
  if (e->next) e->next->prev = e->prev;
  if (!head) levels_[l].occupied &= ~(std::uint64_t{1} << s);
  e->prev = e->next = nullptr;
}

bool timer_wheel::insert(timer_entry* e, std::uint64_t deadline) {
  std::lock_guard lk(m_);
  if (deadline <= elapsed_) return false;
  e->due = deadline;
  e->deadline = deadline - elapsed_ > horizon ? elapsed_ + horizon : deadline;
  e->wheel = this;
  e->armed = true;
  link(e);
  ++count_;
  return true;
}

std::uint64_t timer_wheel::cancel(timer_entry* e) {
  std::lock_guard lk(m_);
  if (!e->armed) return 0;
  e->armed = false;
  unlink(e);
  --count_;
  return e->due;
}

std::uint64_t timer_wheel::next_expiry_locked(int* lvl, int* slot) const noexcept {
  for (int l = 0; l < levels; ++l) {
    const auto& lv = levels_[l];
    if (!lv.occupied) continue;
    const std::uint64_t slot_range = std::uint64_t{1} << (6 * l);
    const std::uint64_t level_range = slot_range << 6;
    const unsigned now_slot = static_cast<unsigned>((elapsed_ / slot_range) & 63);
    const std::uint64_t rotated = std::rotr(lv.occupied, static_cast<int>(now_slot));
    const unsigned s = (static_cast<unsigned>(std::countr_zero(rotated)) + now_slot) & 63;
    const std::uint64_t level_start = elapsed_ & ~(level_range - 1);
    std::uint64_t deadline = level_start + s * slot_range;
    if (deadline <= elapsed_ && s != now_slot) deadline += level_range;  // wrapped past the top
    if (deadline < elapsed_) deadline = elapsed_;
    *lvl = l;
    *slot = static_cast<int>(s);
    return deadline;
  }
  return std::numeric_limits<std::uint64_t>::max();
}

std::uint64_t timer_wheel::next_expiry() {
  std::lock_guard lk(m_);
  int l = 0, s = 0;
  return next_expiry_locked(&l, &s);
}

timer_entry* timer_wheel::advance(std::uint64_t now) {
  timer_entry* fired = nullptr;
  std::lock_guard lk(m_);
  for (;;) {
    int l = 0, s = 0;
    std::uint64_t exp = next_expiry_locked(&l, &s);
    if (exp > now) break;
    // Take the whole slot, then fire or re-file each entry relative to `exp`.
    timer_entry* list = levels_[l].slots[s];
    levels_[l].slots[s] = nullptr;
    levels_[l].occupied &= ~(std::uint64_t{1} << s);
    if (exp > elapsed_) elapsed_ = exp;
    while (list) {
      timer_entry* e = list;
      list = e->next;
      e->prev = e->next = nullptr;
      if (e->deadline <= elapsed_ && e->due > elapsed_) {  // beyond the range: file again
        e->deadline = e->due - elapsed_ > horizon ? elapsed_ + horizon : e->due;
        link(e);
      } else if (e->deadline <= elapsed_) {
        e->armed = false;
        --count_;
        e->next = fired;
        fired = e;
      } else {
        link(e);
      }
    }
  }
  if (now > elapsed_) elapsed_ = now;
  return fired;
}

std::size_t timer_wheel::size() {
  std::lock_guard lk(m_);
  return count_;
}

}  // namespace otter::detail

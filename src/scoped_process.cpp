// scoped_process: a process identity for a non-process thread. It shares the
// PCB, inbox and receive scan with real processes; only waiting differs: the
// thread spins briefly, then sleeps on a condition variable that a sender
// signals when it replaces the BLOCKED marker (runtime_impl::schedule).
#include "otter/scoped_process.hpp"

#include "process_ops.hpp"
#include "runtime_impl.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OTTER_PAUSE() _mm_pause()
#else
#define OTTER_PAUSE() ((void)0)
#endif

namespace otter {

scoped_process::scoped_process(runtime& rt) : rt_(rt) {
  auto& impl = rt.impl();
  if (impl.stopping.load(std::memory_order_acquire))
    throw runtime_stopped("otter::scoped_process: the runtime has been shut down");
  pcb_ = impl.table.allocate(nullptr);
  if (!pcb_) throw bad_argument("otter::scoped_process: too many processes");
  pcb_->rt = &impl;
  pcb_->external = true;
  pcb_->ext = new detail::external_waiter();
  self_ = pid(pcb_->serial.load(std::memory_order_relaxed));
  impl.live_external.fetch_add(1, std::memory_order_relaxed);
  detail::adopt_acting(pcb_);
}

scoped_process::~scoped_process() {
  if (!pcb_) return;
  // An exit signal that arrived since the last receive decides the reason
  // its links and monitors see (killed, say), not the destructor.
  auto& impl = rt_.impl();
  impl.drain(*pcb_);
  impl.exit_process(pcb_, pcb_->exit_pending ? impl.extras(*pcb_).pending_reason : exit_reason::normal());
}

void scoped_process::send_envelope(pid to, detail::envelope* e) { rt_.impl().deliver(to, e); }

bool scoped_process::wait(detail::receive_state& rs) {
  if (!pcb_) throw exit_exception{exit_reason::noproc()};
  auto& p = *pcb_;
  auto& impl = rt_.impl();
  auto* w = static_cast<detail::external_waiter*>(p.ext);
  using clock = std::chrono::steady_clock;
  const bool bounded = rs.timeout_ns >= 0;
  const auto deadline = bounded ? clock::now() + std::chrono::nanoseconds(rs.timeout_ns) : clock::time_point::max();
  rs.cursor = &p.queue_head;
  for (;;) {
    auto r = detail::poll_receive(p, rs);
    if (r == detail::poll_result::matched) {
      detail::finish_receive(p, rs);
      return true;
    }
    if (r == detail::poll_result::timeout) {
      detail::finish_receive(p, rs);
      return false;
    }
    if (r == detail::poll_result::exit) {
      exit_reason why = impl.extras(p).pending_reason;
      impl.exit_process(pcb_, why);
      pcb_ = nullptr;
      throw exit_exception{why};
    }
    // Spin a little: an answer from a process often comes within microseconds.
    auto spin_until = std::min(deadline, clock::now() + impl.cfg.spin);
    bool arrived = false;
    for (unsigned i = 0; !arrived; ++i) {
      if (p.inbox.load(std::memory_order_acquire) != nullptr) arrived = true;
      else if ((i & 15) == 15 && clock::now() >= spin_until) break;
      else OTTER_PAUSE();
    }
    if (arrived) continue;
    if (bounded && clock::now() >= deadline) return false;
    {
      std::lock_guard lk(w->m);
      w->woken = false;
    }
    detail::envelope* expected = nullptr;
    if (!p.inbox.compare_exchange_strong(expected, detail::inbox_blocked(), std::memory_order_acq_rel)) continue;
    std::unique_lock lk(w->m);
    bool woken = bounded ? w->cv.wait_until(lk, deadline, [&] { return w->woken; })
                         : (w->cv.wait(lk, [&] { return w->woken; }), true);
    lk.unlock();
    if (woken) continue;
    // Timed out: take the BLOCKED marker back unless a sender just took it.
    expected = detail::inbox_blocked();
    if (p.inbox.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) return false;
  }
}

void scoped_process::link(pid p) {
  if (!pcb_) throw exit_exception{exit_reason::noproc()};
  detail::do_link(*pcb_, p);
}
void scoped_process::unlink(pid p) {
  if (pcb_) detail::do_unlink(*pcb_, p);
}
reference scoped_process::monitor(pid p) {
  if (!pcb_) throw exit_exception{exit_reason::noproc()};
  return detail::do_monitor(*pcb_, p);
}
bool scoped_process::demonitor(reference ref, bool flush) {
  return pcb_ ? detail::do_demonitor(*pcb_, ref, flush) : false;
}
bool scoped_process::trap_exit(bool on) {
  if (!pcb_) throw exit_exception{exit_reason::noproc()};
  return std::exchange(pcb_->trap_exit, on);
}
void scoped_process::exit(pid p, const exit_reason& reason) {
  if (!pcb_) throw exit_exception{exit_reason::noproc()};
  detail::do_exit(*pcb_, p, reason);
}

std::size_t scoped_process::message_queue_len() {
  if (!pcb_) return 0;
  rt_.impl().drain(*pcb_);
  return pcb_->queue_len;
}

std::optional<process_info> scoped_process::get_process_info(pid p, std::chrono::milliseconds timeout) {
  if (!pcb_) throw exit_exception{exit_reason::noproc()};
  auto& impl = rt_.impl();
  reference ref(impl.new_ref());
  auto* s = new detail::signal_envelope(detail::envelope_kind::info);
  s->from = self_;
  s->ref = ref;
  if (!impl.deliver(p, s)) return std::nullopt;
  auto reply = receive<detail::info_reply>([ref](const detail::info_reply& r) { return r.ref == ref; }, timeout);
  if (!reply) return std::nullopt;
  return std::move(reply->info);
}

void detail::scoped_access::send_request(scoped_process& me, pid to, envelope* e) {
  if (!me.pcb_) {
    destroy_envelope(e);
    throw exit_exception{exit_reason::noproc()};
  }
  do_send_request(*me.pcb_, to, e);
}

void runtime::exit(pid p, const exit_reason& reason) {
  // Sent from no process: the sender is the null pid, as from a port.
  auto* e = new detail::message_envelope<exit_message>(exit_message{pid(), reason});
  e->kind = detail::envelope_kind::exit;
  impl_->deliver(p, e);
}

std::optional<process_info> runtime::get_process_info(pid p, std::chrono::milliseconds timeout) {
  scoped_process asker(*this);
  return asker.get_process_info(p, timeout);
}

}  // namespace otter

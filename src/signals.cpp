// Signals: how a process handles link, exit, monitor and DOWN signals when it
// drains its inbox, how a receive scans the mailbox, and how a process exits.
//
// Everything here runs on the thread that runs the process, so the link and
// monitor sets need no lock. Ordering: signals and messages from one sender
// arrive in send order because they share the inbox; a drain handles them in
// that order, turning EXIT (when trapping) and DOWN into messages in place.
#include "otter/runtime.hpp"
#include "exit_hooks.hpp"
#include "runtime_impl.hpp"

namespace otter::detail {

namespace {

void append(pcb& p, envelope* e) {
  e->kind = envelope_kind::message;
  e->next = nullptr;
  *p.queue_tail = e;
  p.queue_tail = &e->next;
  ++p.queue_len;
}

pid self_of(const pcb& p) { return pid(p.serial.load(std::memory_order_relaxed)); }

void set_exit(runtime_impl& rt, pcb& p, exit_reason r) {
  if (p.exit_pending) return;  // the first reason wins
  p.exit_pending = true;
  rt.extras(p).pending_reason = std::move(r);
}

void answer_info(runtime_impl& rt, pcb& p, envelope* e, bool alive);

void handle_signal(runtime_impl& rt, pcb& p, envelope* e) {
  switch (e->kind) {
    case envelope_kind::link:
      rt.extras(p).links.insert(static_cast<signal_envelope*>(e)->from.value());
      break;
    case envelope_kind::unlink:
      if (p.extras) p.extras->links.erase(static_cast<signal_envelope*>(e)->from.value());
      break;
    case envelope_kind::monitor: {
      auto* s = static_cast<signal_envelope*>(e);
      rt.extras(p).monitored_by.emplace(s->ref.value(), s->from.value());
      break;
    }
    case envelope_kind::demonitor:
      if (p.extras) p.extras->monitored_by.erase(static_cast<signal_envelope*>(e)->ref.value());
      break;
    case envelope_kind::hook:
      rt.extras(p).exit_hooks |= 1u << static_cast<signal_envelope*>(e)->number;
      break;
    case envelope_kind::down: {
      auto& d = static_cast<message_envelope<down_message>*>(e)->value;
      if (!p.extras || p.extras->monitors.erase(d.ref.value()) == 0) break;  // demonitored
      append(p, e);
      return;
    }
    case envelope_kind::exit: {
      auto& x = static_cast<message_envelope<exit_message>*>(e)->value;
      if (e->from_link) {
        // Only an existing link carries an exit; the link ends with it.
        if (!p.extras || p.extras->links.erase(x.from.value()) == 0) break;
      }
      if (!e->from_link && x.reason.is_kill()) {
        set_exit(rt, p, exit_reason::killed());  // untrappable
      } else if (p.trap_exit) {
        append(p, e);
        return;
      } else if (!x.reason.is_normal()) {
        set_exit(rt, p, x.reason);
      } else if (x.from == self_of(p)) {
        set_exit(rt, p, exit_reason::normal());  // exit(self(), normal)
      }
      break;
    }
    case envelope_kind::timeout:
      if (static_cast<signal_envelope*>(e)->number == p.receive_seq) p.timeout_fired = true;
      break;
    case envelope_kind::info:
      answer_info(rt, p, e, true);
      return;
    case envelope_kind::message:
      append(p, e);
      return;
    case envelope_kind::reply: {
      const auto* head = static_cast<const reply_head*>(e->type->family_base(e));
      if (!p.extras) break;
      auto it = p.extras->monitors.find(head->tag.value());
      if (it == p.extras->monitors.end()) break;  // the caller gave up: drop it
      if (head->released) p.extras->monitors.erase(it);  // the server already dropped its side
      append(p, e);
      return;
    }
    case envelope_kind::request: {
      const auto* head = static_cast<const request_head*>(e->type->family_base(e));
      rt.extras(p).monitored_by.emplace(head->tag.value(), head->from.value());
      append(p, e);
      return;
    }
  }
  destroy_envelope(e);
}

void answer_info(runtime_impl& rt, pcb& p, envelope* e, bool alive) {
  auto* s = static_cast<signal_envelope*>(e);
  info_reply reply{s->ref, std::nullopt};
  if (alive) {
    process_info info;
    info.status = p.receiving ? process_info::state::waiting
                              : (p.started ? process_info::state::running : process_info::state::runnable);
    info.message_queue_len = p.queue_len;
    info.trap_exit = p.trap_exit;
    if (p.extras) {
      for (auto l : p.extras->links) info.links.push_back(pid(l));
      for (auto& [ref, target] : p.extras->monitors) info.monitors.push_back(pid(target));
      for (auto& [ref, watcher] : p.extras->monitored_by) info.monitored_by.push_back(pid(watcher));
    }
    info.registered_name = rt.name_of(self_of(p));
    reply.info = std::move(info);
  }
  pid to = s->from;
  destroy_envelope(e);
  rt.deliver(to, make_message<info_reply>(std::move(reply)));
}

envelope* reverse(envelope* e) noexcept {
  envelope* out = nullptr;
  while (e) {
    envelope* n = e->next;
    e->next = out;
    out = e;
    e = n;
  }
  return out;
}

}  // namespace

bool runtime_impl::drain(pcb& p) {
  envelope* list = p.inbox.exchange(nullptr, std::memory_order_acquire);
  if (!list || list == inbox_blocked()) return false;
  list = reverse(list);
  while (list) {
    envelope* e = list;
    list = e->next;
    handle_signal(*this, p, e);
  }
  return true;
}

poll_result poll_receive(pcb& p, receive_state& rs) {
  for (;;) {
    envelope** c = rs.cursor;
    while (envelope* e = *c) {
      if (rs.try_match(&rs, e)) {
        *c = e->next;
        if (p.queue_tail == &e->next) p.queue_tail = c;
        e->next = nullptr;
        --p.queue_len;
        rs.cursor = c;
        rs.matched = e;
        return poll_result::matched;
      }
      c = &e->next;
    }
    rs.cursor = c;
    if (p.exit_pending) return poll_result::exit;
    p.receiving = true;
    bool arrived = p.rt->drain(p);
    p.receiving = false;
    if (!arrived) {
      if (p.exit_pending) return poll_result::exit;
      if (p.timeout_fired || rs.timeout_ns == 0) {
        rs.timed_out = true;
        return poll_result::timeout;
      }
      return poll_result::no_match;
    }
  }
}

void finish_receive(pcb& p, receive_state& rs) noexcept {
  if (timer_entry* t = std::exchange(rs.timer, nullptr)) {
    if (t->wheel->cancel(t)) t->release();  // it was still armed: drop the wheel's reference
    t->release();
  }
  p.timeout_fired = false;
  rs.timed_out = false;
}

void runtime_impl::exit_process(pcb* p, exit_reason reason) {
  const pid me = self_of(*p);
  // Destroy the coroutine frames first: destructors of locals may still send.
  if (p->waiter) {
    finish_receive(*p, *p->waiter);
    p->waiter = nullptr;
  }
  if (p->root) {
    p->root.destroy();
    p->root = {};
  }
  process_extras& x = extras(*p);
  if (x.crashed && cfg.on_crash) {
    std::string name = p->has_name.load(std::memory_order_seq_cst) ? name_of(me) : std::string();
    crash_report r{me, std::move(name), reason};
    try {
      cfg.on_crash(r);
    } catch (...) {
    }
  }
  // After on_crash: a table it made for the dying process still goes.
  drop_acting(p);
  // Hooks (an owner's ETS tables) run while the inbox is still open, so that
  // a monitor or link placed meanwhile is answered after them, not with an
  // early `noproc`: whoever hears of the exit finds the tables gone.
  // (A blocked inbox would make a sender schedule the dying process.)
  envelope* blocked = inbox_blocked();
  p->inbox.compare_exchange_strong(blocked, nullptr, std::memory_order_acq_rel);
  const std::uint32_t ran = x.exit_hooks;
  run_exit_hooks(ran, *this, me);
  // Close the inbox; whatever was pushed before is handled as if dead now.
  envelope* rest = reverse(p->inbox.exchange(inbox_closed(), std::memory_order_seq_cst));
  while (rest && rest != inbox_blocked()) {
    envelope* e = rest;
    rest = e->next;
    switch (e->kind) {
      case envelope_kind::link:
        x.links.insert(static_cast<signal_envelope*>(e)->from.value());
        break;
      case envelope_kind::unlink:
        x.links.erase(static_cast<signal_envelope*>(e)->from.value());
        break;
      case envelope_kind::monitor: {
        auto* s = static_cast<signal_envelope*>(e);
        x.monitored_by.emplace(s->ref.value(), s->from.value());
        break;
      }
      case envelope_kind::request: {  // its monitor is answered with a DOWN below
        const auto* head = static_cast<const request_head*>(e->type->family_base(e));
        x.monitored_by.emplace(head->tag.value(), head->from.value());
        break;
      }
      case envelope_kind::demonitor:
        x.monitored_by.erase(static_cast<signal_envelope*>(e)->ref.value());
        break;
      case envelope_kind::hook:
        x.exit_hooks |= 1u << static_cast<signal_envelope*>(e)->number;
        break;
      case envelope_kind::info:
        answer_info(*this, *p, e, false);
        continue;
      default:
        break;
    }
    destroy_envelope(e);
  }
  while (envelope* e = p->queue_head) {
    p->queue_head = e->next;
    destroy_envelope(e);
  }
  p->queue_tail = &p->queue_head;
  p->queue_len = 0;
  // The name goes before anyone hears of the exit, so a restarted process
  // can take it as soon as its supervisor sees the DOWN or EXIT. Read after
  // the inbox is closed (see names.cpp): a register racing with this exit
  // either sees the inbox closed or sets the flag read here.
  if (p->has_name.load(std::memory_order_seq_cst)) drop_name(*p);
  // A hook asked for while the first ones ran (a table given to us just now).
  if (const std::uint32_t late = x.exit_hooks & ~ran) run_exit_hooks(late, *this, me);
  for (std::uint64_t l : x.links) {
    auto* e = new message_envelope<exit_message>(exit_message{me, reason});
    e->kind = envelope_kind::exit;
    e->from_link = true;
    deliver(pid(l), e);
  }
  for (auto& [ref, target] : x.monitors) {
    auto* e = new signal_envelope(envelope_kind::demonitor);
    e->ref = reference(ref);
    deliver(pid(target), e);
  }
  for (auto& [ref, watcher] : x.monitored_by) {
    auto* e = new message_envelope<down_message>(down_message{reference(ref), me, reason});
    e->kind = envelope_kind::down;
    deliver(pid(watcher), e);
  }
  delete p->extras;
  p->extras = nullptr;
  if (p->external) {
    live_external.fetch_sub(1, std::memory_order_acq_rel);
  } else {
    note_exit();
  }
  table.release(p, slot_cache());
}

}  // namespace otter::detail

// The in-process API: self, spawn, send, links, monitors, exit, trap_exit.
#include "otter/process.hpp"

#include "process_ops.hpp"
#include "runtime_impl.hpp"

namespace otter {

namespace detail {

pcb& require_current(const char* what) {
  pcb* p = current_pcb();
  if (!p) throw not_in_process(std::string(what) + ": called outside any process");
  return *p;
}

std::int64_t checked_timeout_ns(std::int64_t ns, const char* what) {
  if (ns < 0) throw bad_argument(std::string("otter::") + what + ": negative timeout");
  return ns;
}

spawn_result start_process(runtime_impl* rt, task<void> body, spawn_tie tie) {
  pcb* parent = current_pcb();
  if (!rt) {
    if (!parent) throw not_in_process("otter::spawn: called outside any process; use runtime::spawn");
    rt = parent->rt;
  } else if (parent && parent->rt != rt) {
    parent = nullptr;  // spawning into another runtime: no tie possible
  }
  if (tie != spawn_tie::none && !parent)
    throw not_in_process("otter::spawn_link/spawn_monitor: called outside any process");
  return rt->start(std::move(body), parent, tie);
}

void send_envelope(pid to, envelope* e) {
  pcb* p = current_pcb();
  if (!p) {
    destroy_envelope(e);
    throw not_in_process("otter::send: called outside any process; use runtime::send or scoped_process::send");
  }
  p->rt->deliver(to, e);
}

void send_envelope_named(std::string_view name, envelope* e) {
  pcb* p = current_pcb();
  if (!p) {
    destroy_envelope(e);
    throw not_in_process("otter::send: called outside any process; use runtime::send");
  }
  pid to = p->rt->whereis(name);
  if (!to) {
    destroy_envelope(e);
    throw bad_argument("otter::send: no process is registered as '" + std::string(name) + "'");
  }
  p->rt->deliver(to, e);
}

bool request_info(pid target, reference ref) {
  pcb& me = require_current("otter::get_process_info");
  auto* s = new signal_envelope(envelope_kind::info);
  s->from = pid(me.serial.load(std::memory_order_relaxed));
  s->ref = ref;
  return me.rt->deliver(target, s);
}

// Shared by processes and scoped_process: the caller's side of links,
// monitors and exit signals. `me` is the calling process.
void do_link(pcb& me, pid other) {
  runtime_impl& rt = *me.rt;
  pid self(me.serial.load(std::memory_order_relaxed));
  if (other == self) return;
  auto& x = rt.extras(me);
  if (x.links.count(other.value())) return;
  auto* s = new signal_envelope(envelope_kind::link);
  s->from = self;
  if (rt.deliver(other, s)) {
    x.links.insert(other.value());
    return;
  }
  if (!me.trap_exit) throw exit_exception{exit_reason::noproc()};
  rt.drain(me);  // its earlier messages first (see do_monitor)
  auto* e = new message_envelope<exit_message>(exit_message{other, exit_reason::noproc()});
  e->kind = envelope_kind::message;
  e->next = nullptr;
  *me.queue_tail = e;
  me.queue_tail = &e->next;
  ++me.queue_len;
}

void do_unlink(pcb& me, pid other) {
  runtime_impl& rt = *me.rt;
  if (!me.extras || me.extras->links.erase(other.value()) == 0) return;
  auto* s = new signal_envelope(envelope_kind::unlink);
  s->from = pid(me.serial.load(std::memory_order_relaxed));
  rt.deliver(other, s);
}

reference do_monitor(pcb& me, pid other) {
  runtime_impl& rt = *me.rt;
  reference ref(runtime_impl::new_ref());
  pid self(me.serial.load(std::memory_order_relaxed));
  auto* s = new signal_envelope(envelope_kind::monitor);
  s->from = self;
  s->ref = ref;
  if (rt.deliver(other, s)) {
    rt.extras(me).monitors.emplace(ref.value(), other.value());
    return ref;
  }
  // What `other` sent before it ended is already in our inbox; take it into
  // the queue first, so that its DOWN comes after it, as in Erlang.
  rt.drain(me);
  auto* e = new message_envelope<down_message>(down_message{ref, other, exit_reason::noproc()});
  e->next = nullptr;
  *me.queue_tail = e;
  me.queue_tail = &e->next;
  ++me.queue_len;
  return ref;
}

void do_send_request(pcb& me, pid to, envelope* e) {
  runtime_impl& rt = *me.rt;
  const reference ref = static_cast<const request_head*>(e->type->family_base(e))->tag;
  e->kind = envelope_kind::request;
  if (rt.deliver(to, e)) {
    rt.extras(me).monitors.emplace(ref.value(), to.value());
    return;
  }
  rt.drain(me);  // as in do_monitor: the DOWN comes after what `to` sent
  auto* down = new message_envelope<down_message>(down_message{ref, to, exit_reason::noproc()});
  *me.queue_tail = down;
  me.queue_tail = &down->next;
  ++me.queue_len;
}

bool do_demonitor(pcb& me, reference ref, bool flush) {
  runtime_impl& rt = *me.rt;
  bool active = false;
  if (me.extras) {
    auto it = me.extras->monitors.find(ref.value());
    if (it != me.extras->monitors.end()) {
      active = true;
      auto* s = new signal_envelope(envelope_kind::demonitor);
      s->ref = ref;
      pid target(it->second);
      me.extras->monitors.erase(it);
      rt.deliver(target, s);
    }
  }
  if (flush) {
    rt.drain(me);  // a DOWN still in the inbox is dropped there (monitor gone)
    for (envelope** c = &me.queue_head; *c;) {
      envelope* e = *c;
      if (e->type == id_of<down_message>() && static_cast<message_envelope<down_message>*>(e)->value.ref == ref) {
        *c = e->next;
        if (me.queue_tail == &e->next) me.queue_tail = c;
        --me.queue_len;
        destroy_envelope(e);
        continue;
      }
      c = &e->next;
    }
  }
  return active;
}

void do_exit(pcb& me, pid target, const exit_reason& reason) {
  auto* e = new message_envelope<exit_message>(exit_message{pid(me.serial.load(std::memory_order_relaxed)), reason});
  e->kind = envelope_kind::exit;
  me.rt->deliver(target, e);
}

}  // namespace detail

using detail::require_current;

pid self() { return pid(require_current("otter::self").serial.load(std::memory_order_relaxed)); }

void link(pid p) { detail::do_link(require_current("otter::link"), p); }
void unlink(pid p) { detail::do_unlink(require_current("otter::unlink"), p); }
reference monitor(pid p) { return detail::do_monitor(require_current("otter::monitor"), p); }
bool demonitor(reference ref, bool flush) { return detail::do_demonitor(require_current("otter::demonitor"), ref, flush); }

void exit(pid p, const exit_reason& reason) { detail::do_exit(require_current("otter::exit"), p, reason); }

void exit(const exit_reason& reason) {
  require_current("otter::exit");
  throw exit_exception{reason};
}

bool trap_exit(bool on) {
  auto& p = require_current("otter::trap_exit");
  return std::exchange(p.trap_exit, on);
}

bool is_alive(pid p) {
  // Also from a thread whose scoped_process acts for it (the Registry's
  // lookups check liveness wherever they are called).
  detail::pcb* acting = detail::acting_pcb();
  if (!acting) throw not_in_process("otter::is_alive: called outside any process (and no scoped_process on this thread)");
  auto& me = *acting;
  detail::pcb* q = me.rt->table.acquire(p);
  if (!q) return false;
  bool alive = q->inbox.load(std::memory_order_acquire) != detail::inbox_closed();
  me.rt->table.release(q, me.rt->slot_cache());
  return alive;
}

namespace detail {
void send_request(pid to, envelope* e) {
  pcb* me = current_pcb();
  if (!me) {
    destroy_envelope(e);
    throw not_in_process("otter::gen_server::call: called outside any process; pass a scoped_process");
  }
  do_send_request(*me, to, e);
}

bool release_request_monitor(pid caller, reference tag) noexcept {
  pcb* me = acting_pcb();
  if (!me || !me->extras) return false;
  auto& by = me->extras->monitored_by;
  auto it = by.find(tag.value());
  if (it == by.end() || it->second != caller.value()) return false;
  by.erase(it);
  return true;
}
}  // namespace detail

reference make_ref() {
  return reference((require_current("otter::make_ref"), detail::runtime_impl::new_ref()));
}

void register_name(std::string_view name, pid p) { require_current("otter::register_name").rt->register_name(name, p); }
bool unregister_name(std::string_view name) { return require_current("otter::unregister_name").rt->unregister_name(name); }
pid whereis(std::string_view name) { return require_current("otter::whereis").rt->whereis(name); }
std::vector<std::string> registered() { return require_current("otter::registered").rt->registered(); }
std::vector<pid> processes() { return require_current("otter::processes").rt->processes(); }

void yield_awaiter::await_suspend(std::coroutine_handle<> h) const {
  auto& p = require_current("otter::yield");
  p.resume_point = h;
  p.yield_requested = true;
}

task<std::optional<process_info>> get_process_info(pid p) {
  reference ref = make_ref();
  if (p == self()) {
    // Answer for ourselves without a round trip through the mailbox.
    auto& me = require_current("otter::get_process_info");
    me.rt->drain(me);
    process_info info;
    info.status = process_info::state::running;
    info.message_queue_len = me.queue_len;
    info.trap_exit = me.trap_exit;
    if (me.extras) {
      for (auto l : me.extras->links) info.links.push_back(pid(l));
      for (auto& [r, t] : me.extras->monitors) info.monitors.push_back(pid(t));
      for (auto& [r, w] : me.extras->monitored_by) info.monitored_by.push_back(pid(w));
    }
    info.registered_name = me.rt->name_of(p);
    co_return info;
  }
  if (!detail::request_info(p, ref)) co_return std::nullopt;
  auto reply = co_await receive<detail::info_reply>([ref](const detail::info_reply& r) { return r.ref == ref; });
  co_return std::move(reply.info);
}

}  // namespace otter

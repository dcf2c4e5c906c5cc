// Internal: the envelope every message and signal travels in.
//
// A mailbox is a list of envelopes. Ordinary messages carry a C++ value of any
// movable type, identified by a per-type tag (no RTTI on the hot path).
// Signals (link, exit, monitor, DOWN, timeouts) travel in the same inbox so
// that Erlang's ordering guarantee holds for messages and signals alike; the
// owning process handles signals when it drains its inbox, and turns EXIT and
// DOWN signals into ordinary messages in place (no copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "otter/detail/pool.hpp"
#include "otter/exit_reason.hpp"
#include "otter/pid.hpp"

namespace otter::detail {

struct envelope;

/// What varies with the type an envelope holds. Its address identifies the
/// type (no RTTI on the hot path), and one pointer in the envelope serves as
/// both the type's identity and its destructor.
struct envelope_type {
  void (*destroy)(envelope*) noexcept;
  // Message types that name a `message_family` (a base class they share)
  // can be recognised without knowing the exact type, as gen_server
  // recognises a call whatever its request type: `family` identifies the
  // base and `family_base` finds it in the message.
  const void* family = nullptr;
  void* (*family_base)(envelope*) noexcept = nullptr;
};
using type_id = const envelope_type*;

template <class T>
void destroy_message(envelope* e) noexcept;

/// The address that identifies message family `B`.
template <class B>
inline constexpr char family_tag = 0;

template <class T>
concept has_message_family = requires { typename T::message_family; };

template <class T>
void* family_base_of(envelope* e) noexcept;

template <class T>
constexpr envelope_type make_envelope_type() noexcept {
  if constexpr (has_message_family<T>)
    return {&destroy_message<T>, &family_tag<typename T::message_family>, &family_base_of<T>};
  else
    return {&destroy_message<T>, nullptr, nullptr};
}
template <class T>
inline constexpr envelope_type envelope_type_of = make_envelope_type<T>();
template <class T>
constexpr type_id id_of() noexcept {
  return &envelope_type_of<T>;
}

/// Envelopes live in the small-block pool (see pool.hpp).
struct pooled {
  static void* operator new(std::size_t n) { return pool_alloc(n); }
  static void operator delete(void* p, std::size_t n) noexcept { pool_free(p, n); }
  static void* operator new(std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
  static void operator delete(void* p, std::size_t n, std::align_val_t a) noexcept {
    (void)n;
    ::operator delete(p, a);
  }
};

/// What an envelope is: an ordinary message or one kind of signal.
enum class envelope_kind : std::uint8_t {
  message,
  link,        // from: add a link
  unlink,      // from: remove a link
  exit,        // message_envelope<exit_msg>; flag from_link
  monitor,     // from + ref: someone monitors us
  demonitor,   // ref: a monitor on us was removed
  down,        // message_envelope<down_msg>: a process we monitor ended
  timeout,     // seq: a receive timeout fired
  info,        // a process_info request; answered at drain time
  hook,        // number: an exit hook the process must run when it ends (exit_hooks.hpp)
  reply,       // a message of family reply_head: dropped unless its tag is a live monitor of the receiver
  request,     // a message of family request_head: also a monitor of the receiver by its sender
};
/// The head of a request that monitors its receiver (gen_server's call):
/// delivering it places a monitor of the receiver by `from` under `tag`, as
/// a monitor signal sent just before it would, in one push instead of two.
struct request_head {
  using message_family = request_head;
  pid from;
  reference tag;
};

/// The head of a reply to a call (gen_server's): its tag is the caller's
/// monitor of the server. A reply that arrives after the caller gave up
/// (and removed the monitor) is dropped, as OTP drops replies to a dead
/// alias, so a late reply never shows up in the caller's mailbox.
struct reply_head {
  using message_family = reply_head;
  reference tag;
  // Set when the replier was the monitored process and removed that monitor
  // as it replied: the caller has nothing left to demonitor (no signal back).
  bool released = false;
};

struct envelope : pooled {
  envelope* next = nullptr;
  type_id type = nullptr;
  envelope_kind kind = envelope_kind::message;
  bool from_link = false;  // exit signals: sent because a linked process ended
};

template <class T>
struct message_envelope final : envelope {
  T value;

  template <class... A>
  explicit message_envelope(A&&... a) : value(std::forward<A>(a)...) {
    type = id_of<T>();
  }
};

template <class T>
void destroy_message(envelope* e) noexcept {
  delete static_cast<message_envelope<T>*>(e);
}

template <class T>
void* family_base_of(envelope* e) noexcept {
  return static_cast<typename T::message_family*>(&static_cast<message_envelope<T>*>(e)->value);
}

/// Allocates a message envelope holding T built from `a...`.
template <class T, class... A>
envelope* make_message(A&&... a) {
  return new message_envelope<T>(std::forward<A>(a)...);
}

/// A control signal without payload beyond a pid, a reference and a number.
struct signal_envelope final : envelope {
  pid from;
  reference ref;
  std::uint64_t number = 0;  // timeout: the receive sequence number
  void* extra = nullptr;      // info: the request to answer

  explicit signal_envelope(envelope_kind k) {
    kind = k;
    type = &type_of_signal;
  }

 private:
  static void destroy(envelope* e) noexcept { delete static_cast<signal_envelope*>(e); }
  static constexpr envelope_type type_of_signal{&destroy};
};

inline void destroy_envelope(envelope* e) noexcept { e->type->destroy(e); }

}  // namespace otter::detail

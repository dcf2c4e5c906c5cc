// Internal: the messages of the gen_server protocol and the results its
// callbacks return. Public names are re-exported by otter/gen_server.hpp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "otter/exit_reason.hpp"
#include "otter/pid.hpp"
#include "otter/term.hpp"

namespace otter {

/// Who is waiting for the answer to a call (OTP's From): keep it to reply
/// later with otter::reply(from, value).
struct from {
  pid caller;
  reference tag;
};

/// A timeout that never fires (OTP's `infinity`).
inline constexpr std::chrono::milliseconds infinity = std::chrono::milliseconds::max();

/// The message handle_info gets when a callback's timeout passes without
/// messages (OTP sends the atom `timeout`; a handle_info that takes terms
/// gets `:timeout`).
struct timeout_message {};

namespace detail::gen {

class loop_base;

// --- requests ---

// A call is a request (from, tag) that monitors the server as it arrives,
// so the caller learns of the server's end (envelope_kind::request).
struct call_head : request_head {
  // The gen_server type the client compiled the call for (null for an
  // untyped call) and the function, instantiated by the client for that
  // type and the request's type, that handles it in the server.
  const void* server_kind = nullptr;
  void (*invoke)(loop_base& loop, void* message) = nullptr;
};
template <class Req>
struct call_msg : call_head {
  Req request;
  call_msg(call_head h, Req r) : call_head(h), request(std::move(r)) {}
};
/// The call in `m`, if it is one.
template <class Message>
call_head* call_in(Message& m) {
  return static_cast<call_head*>(m.template family<request_head>());
}

struct cast_head {
  using message_family = cast_head;
  const void* server_kind = nullptr;
  void (*invoke)(loop_base& loop, void* message) = nullptr;
};
template <class Msg>
struct cast_msg : cast_head {
  Msg request;
  cast_msg(cast_head h, Msg m) : cast_head(h), request(std::move(m)) {}
};

template <class R>
struct reply_msg : reply_head {
  R value;
  reply_msg(reference t, bool released, R v) : reply_head{t, released}, value(std::move(v)) {}
};

/// gen_server:stop's request (a system message in OTP).
struct stop_request {
  exit_reason reason;
};

/// sys:get_state's request (a system message in OTP): any gen_server
/// answers it with its state as a term, whatever its handle_call takes.
struct get_state_request {
  term to_term() const { return term(atom("get_state")); }
};

/// What the new server tells its starter.
struct start_ack {
  pid child;
  int status;  // 0 ok, 1 ignore, 2 error
  term reason;
};

}  // namespace detail::gen

// --- what callbacks return ---

/// What follows a callback: a timeout, hibernation, or handle_continue.
struct then_next {
  std::optional<std::chrono::milliseconds> timeout;
  bool hibernate = false;
  std::optional<term> continue_with;
};

namespace detail::gen {
template <class Self>
struct next_builder {
  then_next next;
  /// handle_info(timeout_message) follows unless a message comes first.
  Self& timeout(std::chrono::milliseconds t) & { return set([&] { next.timeout = t; }); }
  Self&& timeout(std::chrono::milliseconds t) && { return std::move(timeout(t)); }
  /// OTP's hibernate: accepted; otter keeps a waiting server small anyway.
  Self& hibernate() & { return set([&] { next.hibernate = true; }); }
  Self&& hibernate() && { return std::move(hibernate()); }
  /// handle_continue(value, state) runs before the next message.
  Self& then(term value) & { return set([&] { next.continue_with = std::move(value); }); }
  Self&& then(term value) && { return std::move(then(std::move(value))); }

 private:
  template <class F>
  Self& set(F f) {
    f();
    return static_cast<Self&>(*this);
  }
};
}  // namespace detail::gen

/// `{:noreply, state}` (and, from handle_call, "I will reply later").
struct noreply_t : detail::gen::next_builder<noreply_t> {};
inline noreply_t noreply() { return {}; }

/// `{:stop, reason, state}`: terminate runs, the server exits with `reason`.
struct stop_t {
  exit_reason reason;
};
inline stop_t stop(exit_reason reason) { return {std::move(reason)}; }
inline stop_t stop(const term& reason) { return {exit_reason(reason)}; }
inline stop_t stop(const char* reason) { return {exit_reason(reason)}; }  // an atom: stop("normal")

/// `{:stop, reason, reply, state}`: replies, then stops.
template <class V>
struct stop_reply_t {
  exit_reason reason;
  V value;
};
template <class V>
stop_reply_t<std::decay_t<V>> stop(exit_reason reason, V&& value) {
  return {std::move(reason), std::forward<V>(value)};
}
template <class V>
stop_reply_t<std::decay_t<V>> stop(const term& reason, V&& value) {
  return {exit_reason(reason), std::forward<V>(value)};
}
template <class V>
stop_reply_t<std::decay_t<V>> stop(const char* reason, V&& value) {
  return {exit_reason(reason), std::forward<V>(value)};
}

/// `{:reply, value, state}` with a timeout, hibernate or continue after it.
template <class V>
struct reply_t : detail::gen::next_builder<reply_t<V>> {
  V value;
  explicit reply_t(V v) : value(std::move(v)) {}
};
template <class V>
reply_t<std::decay_t<V>> reply(V&& value) {
  return reply_t<std::decay_t<V>>(std::forward<V>(value));
}

/// What handle_call returns when one handler uses several forms: a reply,
/// noreply, or a stop (with or without a reply).
template <class R>
class call_result {
 public:
  call_result(R value) : value_(std::move(value)) {}  // NOLINT: implicit, as `return value;`
  template <class V, std::enable_if_t<std::is_convertible_v<V, R>, int> = 0>
  call_result(reply_t<V> r) : value_(R(std::move(r.value))), next_(std::move(r.next)) {}
  call_result(noreply_t n) : next_(std::move(n.next)) {}
  call_result(stop_t s) : stop_(std::move(s.reason)) {}
  template <class V, std::enable_if_t<std::is_convertible_v<V, R>, int> = 0>
  call_result(stop_reply_t<V> s) : value_(R(std::move(s.value))), stop_(std::move(s.reason)) {}

  std::optional<R>& value() { return value_; }
  then_next& next() { return next_; }
  std::optional<exit_reason>& stop_reason() { return stop_; }

 private:
  std::optional<R> value_;
  then_next next_;
  std::optional<exit_reason> stop_;
};

/// What handle_cast, handle_info and handle_continue return when they
/// return more than nothing: noreply (with a timeout, ...) or stop.
class cast_result {
 public:
  cast_result() = default;
  cast_result(noreply_t n) : next_(std::move(n.next)) {}
  cast_result(stop_t s) : stop_(std::move(s.reason)) {}
  then_next& next() { return next_; }
  std::optional<exit_reason>& stop_reason() { return stop_; }

 private:
  then_next next_;
  std::optional<exit_reason> stop_;
};

/// What init returns besides a plain state: `otter::ignore()`,
/// `otter::stop(reason)`, or the state with a timeout or continue.
struct ignore_t {};
inline ignore_t ignore() { return {}; }

template <class S>
class init_result {
 public:
  init_result(S state) : state_(std::move(state)) {}  // NOLINT: implicit, as `return state;`
  init_result(ignore_t) : ignored_(true) {}
  init_result(stop_t s) : stop_(std::move(s.reason)) {}
  /// The state, then a timeout, hibernate or continue (like `{:ok, state, {:continue, x}}`).
  init_result(S state, then_next next) : state_(std::move(state)), next_(std::move(next)) {}

  std::optional<S>& state() { return state_; }
  bool ignored() const { return ignored_; }
  std::optional<exit_reason>& stop_reason() { return stop_; }
  then_next& next() { return next_; }

 private:
  std::optional<S> state_;
  bool ignored_ = false;
  std::optional<exit_reason> stop_;
  then_next next_;
};

}  // namespace otter

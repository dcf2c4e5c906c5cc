// Selective receive, as Erlang's `receive ... after ... end`.
//
// A receive takes the oldest message in the mailbox that one of its clauses
// matches; for each message, clauses are tried in order. Messages that match
// no clause stay in the mailbox, in order, for later receives. A clause is a
// handler taking one message type (deduced from its parameter), optionally
// guarded by a predicate; `after` gives up when no message matched in time.
//
//   auto p = co_await otter::receive<ping>();                      // any ping
//   auto big = co_await otter::receive<ping>([](const ping& p) { return p.n > 9; });
//   std::optional<ping> q = co_await otter::receive<ping>(100ms); // or nullopt
//   co_await otter::receive(                                       // multi-clause
//       [&](const ping& p) { ... },
//       otter::when([](const pong& p) { return p.n == 0; }, [&](pong) { ... }),
//       otter::after(1s, [&] { ... }));
//
// Handlers are plain (non-generic) callables; they must not co_await. A
// handler taking otter::any_message matches every message (any_message.hpp). The
// receive returns the std::common_type of the handlers' results (void if
// they return nothing). At most one `after` clause, anywhere in the list. Receive works only
// inside a process (throws otter::not_in_process otherwise); negative timeouts
// throw otter::bad_argument. Code outside any process uses
// otter::scoped_process::receive, which takes the same clauses.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "otter/any_message.hpp"
#include "otter/detail/pcb.hpp"

namespace otter {

namespace detail {

template <class F>
struct callable_arg : callable_arg<decltype(&F::operator())> {};
template <class R, class A>
struct callable_arg<R (*)(A)> {
  using type = std::remove_cvref_t<A>;
  using result = R;
};
template <class C, class R, class A>
struct callable_arg<R (C::*)(A)> : callable_arg<R (*)(A)> {};
template <class C, class R, class A>
struct callable_arg<R (C::*)(A) const> : callable_arg<R (*)(A)> {};
template <class C, class R, class A>
struct callable_arg<R (C::*)(A) noexcept> : callable_arg<R (*)(A)> {};
template <class C, class R, class A>
struct callable_arg<R (C::*)(A) const noexcept> : callable_arg<R (*)(A)> {};

struct always {
  template <class T>
  constexpr bool operator()(const T&) const noexcept {
    return true;
  }
};

}  // namespace detail

/// A receive clause: messages of type T for which `guard` holds go to `handler`.
template <class T, class Guard, class Handler>
struct clause {
  using message_type = T;
  Guard guard;
  Handler handler;
};

/// Makes a clause for `handler`'s message type that only matches when `guard` holds.
template <class Guard, class Handler>
auto when(Guard guard, Handler handler) {
  using T = typename detail::callable_arg<Handler>::type;
  return clause<T, Guard, Handler>{std::move(guard), std::move(handler)};
}

/// The `after` clause: runs `handler` if nothing matched within the timeout.
template <class Handler>
struct after_clause {
  std::int64_t timeout_ns;
  Handler handler;
};

/// Makes an `after` clause (at most one per receive; by convention the last).
template <class Rep, class Period, class Handler>
auto after(std::chrono::duration<Rep, Period> timeout, Handler handler) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  return after_clause<Handler>{detail::checked_timeout_ns(ns, "after"), std::move(handler)};
}

namespace detail {

template <class C>
struct is_after : std::false_type {};
template <class H>
struct is_after<after_clause<H>> : std::true_type {};

template <class C>
struct as_clause {  // a bare handler: match its argument type, no guard
  using type = clause<typename callable_arg<C>::type, always, C>;
  static type make(C c) { return {always{}, std::move(c)}; }
};
template <class T, class G, class H>
struct as_clause<clause<T, G, H>> {
  using type = clause<T, G, H>;
  static type make(type c) { return c; }
};
template <class H>
struct as_clause<after_clause<H>> {
  using type = after_clause<H>;
  static type make(type c) { return c; }
};

template <class C>
struct clause_result {
  using type = typename callable_arg<decltype(std::declval<C>().handler)>::result;
};
template <class H>
struct clause_result<after_clause<H>> {
  using type = std::invoke_result_t<H&>;
};

/// The clauses of one receive, their matching and their dispatch.
template <class... Clauses>
class clause_set {
 public:
  using result_type = std::common_type_t<typename clause_result<Clauses>::type...>;
  static constexpr std::size_t size = sizeof...(Clauses);
  static constexpr std::size_t after_count = (std::size_t{is_after<Clauses>::value} + ... + 0);
  static_assert(after_count <= 1, "otter::receive: at most one `after` clause");

  explicit clause_set(Clauses... c) : clauses_(std::move(c)...) {}

  /// Returns the `after` timeout in ns, or -1 if there is no `after` clause.
  std::int64_t timeout_ns() const noexcept { return timeout_ns_impl<0>(); }

  /// Tries each clause on `e` in order; returns the matching index or -1.
  int match(envelope* e) { return match_impl<0>(e); }

  /// Runs clause `i`'s handler on the (matched) envelope, which it consumes.
  result_type dispatch(int i, envelope* e) { return dispatch_impl<0>(i, e); }
  /// Runs the `after` handler.
  result_type dispatch_after() { return after_impl<0>(); }

 private:
  template <std::size_t I>
  std::int64_t timeout_ns_impl() const noexcept {
    if constexpr (I == size) {
      return -1;
    } else if constexpr (is_after<std::tuple_element_t<I, std::tuple<Clauses...>>>::value) {
      return std::get<I>(clauses_).timeout_ns;
    } else {
      return timeout_ns_impl<I + 1>();
    }
  }

  template <std::size_t I>
  int match_impl(envelope* e) {
    if constexpr (I == size) {
      return -1;
    } else {
      using C = std::tuple_element_t<I, std::tuple<Clauses...>>;
      if constexpr (!is_after<C>::value) {
        using T = typename C::message_type;
        if constexpr (std::is_same_v<T, any_message>) {
          if (std::get<I>(clauses_).guard(any_message(e, false))) return static_cast<int>(I);
        } else if (e->type == id_of<T>() &&
                   std::get<I>(clauses_).guard(static_cast<const message_envelope<T>*>(e)->value)) {
          return static_cast<int>(I);
        }
      }
      return match_impl<I + 1>(e);
    }
  }

  template <std::size_t I>
  result_type dispatch_impl(int i, envelope* e) {
    if constexpr (I == size) {
      __builtin_unreachable();
    } else {
      using C = std::tuple_element_t<I, std::tuple<Clauses...>>;
      if constexpr (!is_after<C>::value) {
        if (static_cast<int>(I) == i) {
          using T = typename C::message_type;
          if constexpr (std::is_same_v<T, any_message>) {
            return static_cast<result_type>(std::get<I>(clauses_).handler(any_message(e)));  // it owns e now
          } else {
            struct guard_t {
              envelope* e;
              ~guard_t() { destroy_envelope(e); }
            } g{e};
            return static_cast<result_type>(
                std::get<I>(clauses_).handler(std::move(static_cast<message_envelope<T>*>(e)->value)));
          }
        }
      }
      return dispatch_impl<I + 1>(i, e);
    }
  }

  template <std::size_t I>
  result_type after_impl() {
    if constexpr (I == size) {
      __builtin_unreachable();
    } else if constexpr (is_after<std::tuple_element_t<I, std::tuple<Clauses...>>>::value) {
      return static_cast<result_type>(std::get<I>(clauses_).handler());
    } else {
      return after_impl<I + 1>();
    }
  }

  std::tuple<Clauses...> clauses_;
};

template <class... C>
auto make_clause_set(C&&... c) {
  return clause_set<typename as_clause<std::decay_t<C>>::type...>(
      as_clause<std::decay_t<C>>::make(std::forward<C>(c))...);
}

/// The awaiter of a receive inside a process.
template <class Set>
class receive_awaiter : receive_state {
 public:
  explicit receive_awaiter(Set set) : set_(std::move(set)) {
    try_match = [](receive_state* rs, envelope* e) {
      auto* self = static_cast<receive_awaiter*>(rs);
      self->clause = self->set_.match(e);
      return self->clause >= 0;
    };
    timeout_ns = set_.timeout_ns();
  }
  receive_awaiter(const receive_awaiter&) = delete;
  receive_awaiter& operator=(const receive_awaiter&) = delete;

  bool await_ready() {
    p_ = &require_current("otter::receive");
    cursor = &p_->queue_head;
    if (--p_->budget < 0) return false;  // let others run first
    auto r = poll_receive(*p_, *this);
    return r == poll_result::matched || r == poll_result::timeout;
  }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    p_->waiter = this;
    p_->resume_point = h;
  }
  typename Set::result_type await_resume() {
    envelope* e = std::exchange(matched, nullptr);
    finish_receive(*p_, *this);
    if (e) return set_.dispatch(clause, e);
    if constexpr (Set::after_count == 1) return set_.dispatch_after();
    __builtin_unreachable();
  }

 private:
  Set set_;
  pcb* p_ = nullptr;
};

template <class T>
struct take_message {
  T operator()(T v) const { return v; }
};

}  // namespace detail

/// Receives the oldest message matching one of the clauses (see file comment).
template <class... Clauses>
  requires(sizeof...(Clauses) > 0)
auto receive(Clauses&&... clauses) {
  return detail::receive_awaiter(detail::make_clause_set(std::forward<Clauses>(clauses)...));
}

/// Receives the oldest message of type T.
template <class T>
auto receive() {
  return detail::receive_awaiter(detail::make_clause_set(
      clause<T, detail::always, detail::take_message<T>>{detail::always{}, {}}));
}

/// Receives the oldest message of type T for which `pred` holds.
template <class T, class Pred>
  requires std::is_invocable_r_v<bool, Pred&, const T&>
auto receive(Pred pred) {
  return detail::receive_awaiter(detail::make_clause_set(
      clause<T, Pred, detail::take_message<T>>{std::move(pred), {}}));
}

/// Receives the oldest T for which `pred` holds, or nullopt after `timeout`.
template <class T, class Pred, class Rep, class Period>
  requires std::is_invocable_r_v<bool, Pred&, const T&>
auto receive(Pred pred, std::chrono::duration<Rep, Period> timeout) {
  auto take = [](T v) -> std::optional<T> { return std::optional<T>(std::move(v)); };
  return detail::receive_awaiter(detail::make_clause_set(
      clause<T, Pred, decltype(take)>{std::move(pred), take},
      after(timeout, []() -> std::optional<T> { return std::nullopt; })));
}

/// Receives the oldest message of type T, or nullopt after `timeout`.
template <class T, class Rep, class Period>
auto receive(std::chrono::duration<Rep, Period> timeout) {
  return receive<T>(detail::always{}, timeout);
}

/// Suspends the calling process for `d` (Erlang's `receive after T -> ok end`);
/// messages that arrive meanwhile stay in the mailbox.
template <class Rep, class Period>
auto sleep(std::chrono::duration<Rep, Period> d) {
  return detail::receive_awaiter(detail::make_clause_set(after(d, [] {})));
}

}  // namespace otter

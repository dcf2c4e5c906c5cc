// otter::gen_server — OTP's generic server, written on the public process API
// as OTP writes gen_server.erl on proc_lib.
//
// A server is a struct deriving from gen_server<itself> that writes only the
// callbacks it needs. Messages are C++ types (each request type picks its
// handle_call overload, and the reply type is what that overload returns)
// or otter::term, as Elixir's GenServer takes them.
//
//   struct counter : otter::gen_server<counter> {
//     struct state { std::int64_t value = 0; };
//     struct inc { std::int64_t by = 1; };
//     struct get {};
//     state init(std::int64_t start) { return {start}; }
//     void handle_cast(inc m, state& s) { s.value += m.by; }
//     std::int64_t handle_call(get, state& s) { return s.value; }
//   };
//
//   // in a process:
//   otter::start_result r = co_await counter::start_link(otter::name("c1"), 5);   // {:ok, pid}
//   counter::cast("c1", counter::inc{2});
//   std::int64_t v = co_await counter::call("c1", counter::get{});                // 7
//   // outside any process, through a scoped_process:
//   std::int64_t w = counter::call(me, "c1", counter::get{});
//
// Callbacks (all optional; `state&` is left out when the server has no
// `state` type, and `from` when the handler does not need it):
//   init(args...)                       -> state | init_result<state> | otter::ignore() | otter::stop(reason)
//   handle_call(request, [from,] state&) -> reply value | otter::reply(v).timeout(..) | otter::noreply()
//                                          | otter::stop(reason[, v]) | call_result<R> (several forms)
//   handle_cast(message, state&)         -> void | otter::noreply()... | otter::stop(reason) | cast_result
//   handle_info(message, state&)         -> the same; for any other message: otter::term, down_message,
//                                          exit_message, timeout_message, and the types in `info_types`
//   handle_continue(const term&, state&) -> the same; after `.then(value)`
//   terminate(reason, state&)            -> on stop, on a callback's exception, on the parent's exit
//                                          while trapping exits; not on kill. reason: exit_reason or term
//
// Calls: a call to a dead or missing server, a timeout, or a server that
// dies during the call ends the caller (throws otter::exit_exception, which
// a process can catch as Elixir's `catch :exit`) with the reason
// `{reason, {GenServer, :call, [server, request, timeout]}}`. The caller
// monitors the server for the call, and a reply that comes after the
// caller gave up is dropped, never delivered later.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>

#include "otter/any_message.hpp"
#include "otter/detail/gen_protocol.hpp"
#include "otter/errors.hpp"
#include "otter/logger.hpp"
#include "otter/child_spec.hpp"
#include "otter/messages.hpp"
#include "otter/process.hpp"
#include "otter/receive.hpp"
#include "otter/runtime.hpp"
#include "otter/scoped_process.hpp"

namespace otter {

/// A name for a new server: a local name (`name: :foo` in Elixir), or a
/// key in a Registry (`{:via, Registry, {registry, key}}`).
struct server_name {
  std::string local;         ///< a local name, or empty
  std::string via_registry;  ///< with `via_key`: the Registry's name
  term via_key;
  bool is_via() const noexcept { return !via_registry.empty(); }
  /// Whether it names anything (the default one does not).
  bool named() const noexcept { return is_via() || !local.empty(); }
  /// How Elixir prints it: :foo, or {:via, Registry, {:"Counter.Registry", key}}.
  term to_term() const {
    if (!is_via()) return term(atom(local));
    return otter::tuple(atom("via"), atom("Elixir.Registry"), otter::tuple(atom(via_registry), via_key));
  }
};
inline server_name name(std::string_view n) { return {std::string(n), {}, {}}; }
inline server_name name(atom n) { return {std::string(n.text()), {}, {}}; }
/// `{:via, Registry, {registry, key}}`: registered in (and found through) a Registry.
inline server_name via(std::string_view registry, term key) { return {{}, std::string(registry), std::move(key)}; }

namespace detail::gen {
/// In registry.cpp: registers the caller under a via name; returns the
/// holder's pid if the key is taken (null pid: registered).
pid via_register(const std::string& registry, const term& key);
/// The pid registered under a via name, or the null pid.
pid via_whereis(const std::string& registry, const term& key);
/// Unregisters the caller's local or via name.
void release_name(const server_name& n);
}  // namespace detail::gen

/// Where a server is, for call, cast and stop: a pid, a registered name, or
/// a via name.
class server_ref {
 public:
  server_ref(pid p) : pid_(p) {}                                     // NOLINT: implicit
  server_ref(std::string_view name) : name_(name) {}                 // NOLINT
  server_ref(const char* name) : name_(name) {}                      // NOLINT
  server_ref(const std::string& name) : name_(name) {}               // NOLINT
  server_ref(atom name) : name_(name.text()) {}                      // NOLINT
  server_ref(server_name n) : name_(std::move(n.local)), via_(std::move(n)) {}  // NOLINT

  /// The pid, or the null pid if no process has the name (in a process).
  pid resolve() const {
    if (via_.is_via()) return detail::gen::via_whereis(via_.via_registry, via_.via_key);
    return name_.empty() ? pid_ : whereis(name_);
  }
  /// The same from anywhere.
  pid resolve(runtime& rt) const {
    if (via_.is_via()) return detail::gen::via_whereis(via_.via_registry, via_.via_key);
    return name_.empty() ? pid_ : rt.whereis(name_);
  }
  /// The pid, or the name: how exit reasons show the server.
  term to_term() const {
    if (via_.is_via()) return via_.to_term();
    return name_.empty() ? term(pid_) : term(atom(name_));
  }

 private:
  pid pid_;
  std::string name_;
  server_name via_;
};

/// Replies to a call whose handle_call returned otter::noreply() (OTP's
/// gen_server:reply/2); from a process. The value's type must be the one the
/// caller expects (the R of the handler's call_result<R>).
template <class V>
void reply(const from& to, V&& value) {
  // A reply from the server the call monitors ends that monitor here, so the
  // caller has no demonitor to send back.
  const bool released = detail::release_request_monitor(to.caller, to.tag);
  auto* e = detail::make_message<detail::gen::reply_msg<std::decay_t<V>>>(to.tag, released, std::forward<V>(value));
  e->kind = detail::envelope_kind::reply;
  detail::send_envelope(to.caller, e);
}

namespace detail::gen {

/// For casts, which never fail: the pid, or the null pid also when the
/// name cannot be looked up at all (an unknown registry, say).
pid resolve_quietly(const server_ref& s, runtime* rt = nullptr) noexcept;

std::string type_name(const std::type_info& t);
/// A start argument as reports show it: itself if it is a term, else its type.
template <class A>
term shown_argument(const A& a) {
  if constexpr (std::is_constructible_v<term, const A&>)
    return term(a);
  else
    return term(atom(type_name(typeid(A))));
}
/// A start task that gives {:error, reason} at once.
task<start_result> failed_start(term reason);
/// Why a call got no reply: the server's exit reason, a reply of another
/// type than `expected`, or the timeout.
exit_reason why_no_reply(const std::optional<exit_reason>& failed, bool wrong_type, const std::type_info& expected);
/// The exit reason of a failed call: {reason, {GenServer, :call, [server, request, timeout]}}.
exit_reason call_failure(const exit_reason& why, const term& server, const term& request, std::chrono::milliseconds timeout);
/// Logs a server's end with an abnormal reason (OTP's "Generic server terminating").
void log_terminate(pid self, const std::string& server, const exit_reason& reason, const std::string& last_message);
/// Logs a message no handle_info took.
void log_unexpected(pid self, const std::string& server, const std::string& message);
/// Whether a server ending with `r` is reported: not normal, shutdown or {shutdown, _}.
bool is_abnormal(const exit_reason& r);
/// Registers `name` for the caller; false (and the holder) if it is taken.
pid register_or_holder(const std::string& name);

/// How a failed call shows its request: a term request as itself, any
/// other by its type's name (built only when a call fails).
template <class T>
struct request_shown {
  std::optional<term> value;
  explicit request_shown(const T& v) {
    if constexpr (std::is_same_v<T, term>)
      value = v;
    else if constexpr (requires { { v.to_term() } -> std::convertible_to<term>; })
      value = v.to_term();  // a request that knows how OTP would show it
  }
  term get() const { return value ? *value : term(atom(type_name(typeid(T)))); }
};

/// A server's state as sys:get_state shows it: a state that is a term (or
/// converts to one) as itself, one with `term to_term() const` through it,
/// any other as the name of its C++ type, a string.
template <class S>
term state_as_term(const S& s) {
  if constexpr (requires { term(s); })
    return term(s);
  else if constexpr (requires { { s.to_term() } -> std::convertible_to<term>; })
    return s.to_term();
  else
    return term(type_name(typeid(S)));
}

/// The last message a server took, for its termination report: a term as
/// itself, a call or cast of a term as {:"$gen_call", request}, others by kind.
term last_of(const any_message& m);
/// Its text for the report.
std::string show_last(const term& last);

class loop_base {
 public:
  then_next next;
  std::optional<exit_reason> stop;
  pid parent;
  // {:stop, reason, reply, state}: the reply goes after terminate, as in OTP.
  std::function<void()> reply_after_stop;
};

template <class T>
struct reply_type {
  using type = T;
};
template <class V>
struct reply_type<reply_t<V>> {
  using type = V;
};
template <class V>
struct reply_type<stop_reply_t<V>> {
  using type = V;
};
template <class R>
struct reply_type<call_result<R>> {
  using type = R;
};
template <>
struct reply_type<noreply_t> {
  using type = void;
};
template <>
struct reply_type<stop_t> {
  using type = void;
};

template <class T>
struct is_init_result : std::false_type {};
template <class S>
struct is_init_result<init_result<S>> : std::true_type {};

template <class T>
struct tuple_of_types;
template <class... T>
struct tuple_of_types<std::tuple<T...>> {
  template <class F>
  static bool each(F&& f) {
    return (f(static_cast<T*>(nullptr)) || ...);
  }
};

template <class T, class Dependent>
struct delay {
  using type = T;
};
/// T, but looked up only once Dependent is known.
template <class T, class Dependent>
using delay_t = typename delay<T, Dependent>::type;

template <class D>
struct state_of {
  using type = std::monostate;
  static constexpr bool present = false;
};
template <class D>
  requires requires { typename D::state; }
struct state_of<D> {
  using type = typename D::state;
  static constexpr bool present = true;
};

// --- calls: the client side, shared by typed calls and otter::gen::call ---

using invoke_fn = void (*)(loop_base&, void*);

template <class R>
struct call_wait {
  std::optional<R> value;
  std::optional<exit_reason> failed;
  bool wrong_type = false;
  bool released = false;  // the reply ended the call's monitor (reply_head::released)
};

/// Matches any reply tagged `ref`, whatever its type.
inline auto is_reply_to(reference ref) {
  return [ref](const any_message& m) {
    auto* h = m.family<detail::reply_head>();
    return h && h->tag == ref;
  };
}

/// The reply (of type R), the server's DOWN, or a reply of another type.
template <class R>
auto call_clauses(call_wait<R>& w, reference ref) {
  return std::make_tuple(
      when([ref](const reply_msg<R>& r) { return r.tag == ref; }, [&w](reply_msg<R> r) {
             w.released = r.released;
             w.value = std::move(r.value);
           }),
      when([ref](const down_message& d) { return d.ref == ref; }, [&w](down_message d) { w.failed = d.reason; }),
      when(is_reply_to(ref), [&w](any_message) { w.wrong_type = true; }));
}

template <class R, class Q>
R call_outcome(call_wait<R>& w, const server_ref& s, const request_shown<Q>& shown, std::chrono::milliseconds timeout) {
  if (w.value) return std::move(*w.value);
  throw exit_exception{call_failure(why_no_reply(w.failed, w.wrong_type, typeid(R)), s.to_term(), shown.get(), timeout)};
}

template <class R, class Q>
task<R> call_in_process(server_ref s, Q request, std::chrono::milliseconds timeout, const void* kind, invoke_fn inv) {
  const pid p = s.resolve();
  const request_shown<Q> shown(request);
  if (!p || p == self())
    throw exit_exception{
        call_failure(p ? exit_reason("calling_self") : exit_reason::noproc(), s.to_term(), shown.get(), timeout)};
  const reference ref = make_ref();
  send_request(p, make_message<call_msg<Q>>(call_head{{self(), ref}, kind, inv}, std::move(request)));
  call_wait<R> w;
  auto c = call_clauses(w, ref);
  if (timeout == infinity)
    co_await std::apply([](auto&... cl) { return receive(std::move(cl)...); }, c);
  else
    co_await std::apply([&](auto&... cl) { return receive(std::move(cl)..., after(timeout, [] {})); }, c);
  if (!w.released) demonitor(ref, true);
  if (!w.value && !w.failed)  // gave up: a reply that came meanwhile goes too
    co_await receive(when(is_reply_to(ref), [](any_message) {}), after(std::chrono::milliseconds(0), [] {}));
  co_return call_outcome(w, s, shown, timeout);
}

template <class R, class Q>
R call_outside(scoped_process& me, server_ref s, Q request, std::chrono::milliseconds timeout, const void* kind,
               invoke_fn inv) {
  const pid p = s.resolve(me.owner());
  const request_shown<Q> shown(request);
  if (!p) throw exit_exception{call_failure(exit_reason::noproc(), s.to_term(), shown.get(), timeout)};
  const reference ref = me.owner().make_ref();
  scoped_access::send_request(me, p, make_message<call_msg<Q>>(call_head{{me.self(), ref}, kind, inv}, std::move(request)));
  call_wait<R> w;
  auto c = call_clauses(w, ref);
  if (timeout == infinity)
    std::apply([&](auto&... cl) { me.receive_any(std::move(cl)...); }, c);
  else
    std::apply([&](auto&... cl) { me.receive_any(std::move(cl)..., after(timeout, [] {})); }, c);
  if (!w.released) me.demonitor(ref, true);
  if (!w.value && !w.failed) me.receive_any(when(is_reply_to(ref), [](any_message) {}), after(std::chrono::milliseconds(0), [] {}));
  return call_outcome(w, s, shown, timeout);
}

}  // namespace detail::gen

/// The behaviour: derive `struct my_server : otter::gen_server<my_server>`.
template <class Derived>
class gen_server {
 public:
  /// Internal: what handle() gives when the server has no such handler.

  // The server's state type is looked up only inside function bodies and
  // nested classes, which are instantiated after Derived is complete (its
  // `state` is not declared yet when this base is instantiated).
  struct no_handler {};

  // --- starting ---

  /// Whether init takes these start arguments (none if there is no init):
  /// keeps start_link out of overload sets it cannot serve.
  template <class... A>
  static constexpr bool initializable() {
    if constexpr (requires(Derived& d, A&&... a) { d.init(std::forward<A>(a)...); })
      return true;
    else
      return sizeof...(A) == 0;
  }

  /// The spec that starts this server under a supervisor, as `{Module, arg}`
  /// does in Elixir: id and modules are the module (`Derived::module`, e.g.
  /// "Counter.Worker", if it declares one, else its C++ name) and start
  /// calls `Derived::start_link(args...)` (the server's own, if it has one).
  /// A DynamicSupervisor's extra arguments go first, as a
  /// std::vector<otter::term>, if such a start_link exists.
  template <class... A>
  static otter::child_spec child_spec(A&&... args) {
    otter::child_spec s;
    const term module = module_name();
    s.id = module;
    s.modules = {module};
    s.start_call = otter::tuple(module, atom("start_link"), otter::list{detail::gen::shown_argument(args)...});
    s.start = [module, packed = std::tuple<std::decay_t<A>...>(std::forward<A>(args)...)](
                  const std::vector<term>& extra) -> task<start_result> {
      return std::apply(
          [&](const auto&... a) -> task<start_result> {
            if constexpr (requires { Derived::start_link(extra, a...); }) {
              if (!extra.empty()) return Derived::start_link(extra, a...);
            }
            if (!extra.empty())
              return detail::gen::failed_start(
                  otter::tuple(atom("undef"), otter::tuple(module, atom("start_link"), std::int64_t(extra.size() + sizeof...(a)))));
            return Derived::start_link(a...);
          },
          packed);
    };
    return s;
  }
  /// The module a report or which_children shows: `Derived::module` as an
  /// Elixir module (Counter.Worker), else the C++ type's name.
  static term module_name() {
    if constexpr (requires { std::string_view(Derived::module); })
      return term(atom("Elixir." + std::string(std::string_view(Derived::module))));
    else
      return term(atom(detail::gen::type_name(typeid(Derived))));
  }

  /// Starts the server linked to the caller and waits until init has run:
  /// {ok, pid}, ignore, or {error, reason}. As in OTP, an init that fails
  /// makes the server exit with the reason, which reaches the linked
  /// caller as an exit signal too (it survives it only if it traps exits).
  template <class... A>
    requires(initializable<A...>())
  static task<start_result> start_link(server_name n, A&&... args) {
    return start_in_process(true, std::move(n), std::forward<A>(args)...);
  }
  template <class... A>
    requires(initializable<A...>())
  static task<start_result> start_link(A&&... args) {
    return start_in_process(true, server_name{}, std::forward<A>(args)...);
  }
  /// Starts the server without a link.
  template <class... A>
    requires(initializable<A...>())
  static task<start_result> start(server_name n, A&&... args) {
    return start_in_process(false, std::move(n), std::forward<A>(args)...);
  }
  template <class... A>
    requires(initializable<A...>())
  static task<start_result> start(A&&... args) {
    return start_in_process(false, server_name{}, std::forward<A>(args)...);
  }
  /// From outside any process: `me` waits for init (and is linked with start_link).
  template <class... A>
  static start_result start_link(scoped_process& me, server_name n, A&&... args) {
    return start_outside(me, true, std::move(n), std::forward<A>(args)...);
  }
  template <class... A>
  static start_result start_link(scoped_process& me, A&&... args) {
    return start_outside(me, true, server_name{}, std::forward<A>(args)...);
  }
  template <class... A>
  static start_result start(scoped_process& me, server_name n, A&&... args) {
    return start_outside(me, false, std::move(n), std::forward<A>(args)...);
  }
  template <class... A>
  static start_result start(scoped_process& me, A&&... args) {
    return start_outside(me, false, server_name{}, std::forward<A>(args)...);
  }

  /// Internal: what handles a request of type Req with `from` (the call
  /// handler in whichever of its four shapes the server wrote).
  template <class Req, class S>
  static decltype(auto) handle(Derived& d, S& s, Req&& req, const from& f) {
    if constexpr (requires { d.handle_call(std::move(req), f, s); })
      return d.handle_call(std::move(req), f, s);
    else if constexpr (requires { d.handle_call(std::move(req), s); })
      return d.handle_call(std::move(req), s);
    else if constexpr (requires { d.handle_call(std::move(req), f); })
      return d.handle_call(std::move(req), f);
    else if constexpr (requires { d.handle_call(std::move(req)); })
      return d.handle_call(std::move(req));
    else
      return no_handler{};
  }


  // --- calling ---

  /// What handle_call returns for a request of type Req.
  template <class Req>
  using reply_of = typename detail::gen::reply_type<std::decay_t<decltype(handle(
      std::declval<Derived&>(), std::declval<typename detail::gen::state_of<detail::gen::delay_t<Derived, Req>>::type&>(),
      std::declval<Req>(), std::declval<const from&>()))>>::type;

  /// Calls the server and waits for the reply (in a process).
  template <class Req>
  static task<reply_of<std::decay_t<Req>>> call(server_ref server, Req&& request,
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    using Q = std::decay_t<Req>;
    check_reply_type<Q>();
    return detail::gen::call_in_process<reply_of<Q>, Q>(std::move(server), Q(std::forward<Req>(request)), timeout, kind(),
                                           &invoke_call<Q>);
  }
  /// The same from outside any process, through `me`.
  template <class Req>
  static reply_of<std::decay_t<Req>> call(scoped_process& me, server_ref server, Req&& request,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    using Q = std::decay_t<Req>;
    check_reply_type<Q>();
    return detail::gen::call_outside<reply_of<Q>, Q>(me, std::move(server), Q(std::forward<Req>(request)), timeout, kind(),
                                        &invoke_call<Q>);
  }

  /// Sends a request without waiting; never fails, even if the server is
  /// missing (in a process).
  template <class Msg>
  static void cast(server_ref server, Msg&& message) {
    if (pid p = detail::gen::resolve_quietly(server)) detail::send_envelope(p, make_cast(std::forward<Msg>(message)));
  }
  /// The same from anywhere, through the runtime.
  template <class Msg>
  static void cast(runtime& rt, server_ref server, Msg&& message) {
    using Q = std::decay_t<Msg>;
    static_assert(handles_cast<Q>(), "otter::gen_server: the server has no handle_cast for this message type");
    if (pid p = detail::gen::resolve_quietly(server, &rt))
      rt.send(p, detail::gen::cast_msg<Q>(detail::gen::cast_head{kind(), &invoke_cast<Q>}, Q(std::forward<Msg>(message))));
  }

  // --- the server process (internal, public for spawn) ---

  template <class... A>
  static process server_main(pid starter, int tie, server_name reg_name, std::tuple<A...> args);

  // How a new server is tied to its starter: not at all (its own parent),
  // linked by spawn_link, or linking itself (a starter outside processes).
  static constexpr int tie_none = 0, tie_linked = 1, tie_link_yourself = 2;

 private:
  using loop_base = detail::gen::loop_base;

  struct loop : loop_base {
    using state_t = typename detail::gen::state_of<Derived>::type;
    Derived self{};
    std::optional<state_t> state;
    std::string label;  // the registered name or the pid, for reports
  };

  static const void* kind() noexcept {
    static const char tag = 0;
    return &tag;
  }

  template <class Q>
  static constexpr void check_reply_type() {
    using Ret = std::decay_t<decltype(handle(std::declval<Derived&>(), std::declval<typename loop::state_t&>(),
                                             std::declval<Q>(), std::declval<const from&>()))>;
    static_assert(!std::is_same_v<Ret, no_handler>,
                  "otter::gen_server: the server has no handle_call for this request type");
    static_assert(!std::is_void_v<reply_of<Q>>,
                  "otter::gen_server: this handle_call never returns a reply value; return otter::call_result<R> "
                  "so that callers know the type that otter::reply(from, value) will send");
  }

  template <class Q>
  static constexpr bool handles_call() {
    return !std::is_same_v<std::decay_t<decltype(handle(std::declval<Derived&>(), std::declval<typename loop::state_t&>(),
                                                        std::declval<Q>(), std::declval<const from&>()))>,
                           no_handler>;
  }

  // --- casts, infos and continues: one shape of result for all ---

  template <class Msg, class S>
  static decltype(auto) handle_async(Derived& d, S& s, Msg&& m) {
    if constexpr (requires { d.handle_cast(std::move(m), s); })
      return d.handle_cast(std::move(m), s);
    else if constexpr (requires { d.handle_cast(std::move(m)); })
      return d.handle_cast(std::move(m));
    else
      return no_handler{};
  }
  template <class Msg, class S>
  static decltype(auto) handle_info_of(Derived& d, S& s, Msg&& m) {
    if constexpr (requires { d.handle_info(std::move(m), s); })
      return d.handle_info(std::move(m), s);
    else if constexpr (requires { d.handle_info(std::move(m)); })
      return d.handle_info(std::move(m));
    else
      return no_handler{};
  }
  template <class Msg>
  static constexpr bool handles_cast() {
    return !std::is_same_v<std::decay_t<decltype(handle_async(std::declval<Derived&>(),
                                                               std::declval<typename loop::state_t&>(),
                                                               std::declval<Msg>()))>,
                           no_handler>;
  }
  template <class Msg>
  static constexpr bool handles_info() {
    return !std::is_same_v<std::decay_t<decltype(handle_info_of(std::declval<Derived&>(),
                                                                 std::declval<typename loop::state_t&>(),
                                                                 std::declval<Msg>()))>,
                           no_handler>;
  }

  // Applies what a cast, info or continue handler returned.
  template <class Ret>
  static void apply_async(loop& l, Ret&& r) {
    using T = std::decay_t<Ret>;
    if constexpr (std::is_same_v<T, noreply_t>) {
      l.next = std::move(r.next);
    } else if constexpr (std::is_same_v<T, stop_t>) {
      l.stop = std::move(r.reason);
    } else if constexpr (std::is_same_v<T, cast_result>) {
      l.next = std::move(r.next());
      if (r.stop_reason()) l.stop = std::move(*r.stop_reason());
    } else {
      static_assert(std::is_same_v<T, std::monostate>,
                    "otter::gen_server: handle_cast/handle_info/handle_continue return void, otter::noreply(), "
                    "otter::stop(reason) or otter::cast_result");
    }
  }
  template <class F>
  static void run_async(loop& l, F&& f) {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
    } else {
      apply_async(l, f());
    }
  }

  // Applies what handle_call returned: reply, next, stop.
  template <class R, class Ret>
  static void apply_call(loop& l, const from& f, Ret&& r) {
    using T = std::decay_t<Ret>;
    if constexpr (std::is_same_v<T, noreply_t>) {
      l.next = std::move(r.next);
    } else if constexpr (std::is_same_v<T, stop_t>) {
      l.stop = std::move(r.reason);
    } else if constexpr (requires { typename detail::gen::reply_type<T>::type; } &&
                         !std::is_same_v<T, typename detail::gen::reply_type<T>::type>) {
      if constexpr (requires { r.stop_reason(); }) {  // call_result<R>
        l.next = std::move(r.next());
        if (r.stop_reason()) {
          l.stop = std::move(*r.stop_reason());
          if (r.value())
            l.reply_after_stop = [f, v = std::make_shared<R>(std::move(*r.value()))] { reply(f, std::move(*v)); };
        } else if (r.value()) {
          reply(f, R(std::move(*r.value())));
        }
      } else if constexpr (requires { r.reason; }) {  // stop_reply_t<V>
        l.reply_after_stop = [f, v = std::make_shared<R>(std::move(r.value))] { reply(f, std::move(*v)); };
        l.stop = std::move(r.reason);
      } else {  // reply_t<V>
        reply(f, R(std::move(r.value)));
        l.next = std::move(r.next);
      }
    } else {
      reply(f, R(std::forward<Ret>(r)));
    }
  }

  // Instantiated by a client for its request type: runs in the server.
  // Untyped calls (otter::gen::call) expect a term whatever the handler returns.
  template <class Q, bool AsTerm = false>
  static void invoke_call(loop_base& lb, void* head) {
    auto& l = static_cast<loop&>(lb);
    auto& msg = *static_cast<detail::gen::call_msg<Q>*>(static_cast<detail::gen::call_head*>(head));
    const from f{msg.from, msg.tag};
    if constexpr (std::is_void_v<decltype(handle(l.self, *l.state, std::move(msg.request), f))>) {
      handle(l.self, *l.state, std::move(msg.request), f);
    } else {
      using R = std::conditional_t<AsTerm, term, reply_of<Q>>;
      apply_call<R>(l, f, handle(l.self, *l.state, std::move(msg.request), f));
    }
  }
  template <class Q>
  static void invoke_cast(loop_base& lb, void* head) {
    auto& l = static_cast<loop&>(lb);
    auto& msg = *static_cast<detail::gen::cast_msg<Q>*>(static_cast<detail::gen::cast_head*>(head));
    run_async(l, [&]() -> decltype(auto) { return handle_async(l.self, *l.state, std::move(msg.request)); });
  }

  template <class Msg>
  static detail::envelope* make_cast(Msg&& m) {
    using Q = std::decay_t<Msg>;
    static_assert(handles_cast<Q>(), "otter::gen_server: the server has no handle_cast for this message type");
    return detail::make_message<detail::gen::cast_msg<Q>>(detail::gen::cast_head{kind(), &invoke_cast<Q>},
                                                          Q(std::forward<Msg>(m)));
  }

  // --- starting: the client side ---

  static start_result result_of(const detail::gen::start_ack& a) {
    start_result r;
    r.status = static_cast<start_result::status_t>(a.status);
    r.pid = a.child;
    r.reason = a.reason;
    return r;
  }

  // Not a coroutine: the arguments are copied now, so a start task that is
  // stored and awaited later holds no reference to the caller's temporaries.
  template <class... A>
  static task<start_result> start_in_process(bool link, server_name n, A&&... args) {
    return start_task(link, std::move(n), std::tuple<std::decay_t<A>...>(std::forward<A>(args)...));
  }
  template <class... A>
  static task<start_result> start_task(bool link, server_name n, std::tuple<A...> packed) {
    auto body = &gen_server::server_main<A...>;
    const pid child = link ? spawn_link(body, self(), tie_linked, std::move(n), std::move(packed))
                           : spawn(body, self(), tie_none, std::move(n), std::move(packed));
    const reference mref = monitor(child);
    start_result out;
    bool down = false;
    co_await receive(
        when([child](const detail::gen::start_ack& a) { return a.child == child; },
             [&](detail::gen::start_ack a) { out = result_of(a); }),
        when([mref](const down_message& d) { return d.ref == mref; }, [&](down_message d) {
          out = start_result{start_result::error, child, d.reason.to_term()};
          down = true;
        }));
    if (!out.is_ok() && !down) {
      // A server that did not start exits right after saying so. As OTP 26's
      // proc_lib does, return only once it has: a linked caller that does
      // not trap exits ends with its exit signal here (it comes before the
      // DOWN), not at some later receive.
      // A starter that traps exits keeps the server's EXIT message, as
      // with OTP 25's proc_lib (OTP 26 removes it).
      co_await receive(when([mref](const down_message& d) { return d.ref == mref; }, [](down_message) {}));
    } else if (!down) {
      demonitor(mref, true);
    }
    co_return out;
  }

  template <class... A>
  static start_result start_outside(scoped_process& me, bool link, server_name n, A&&... args) {
    auto body = &gen_server::server_main<std::decay_t<A>...>;
    std::tuple<std::decay_t<A>...> packed(std::forward<A>(args)...);
    const pid child = me.owner().spawn(body, me.self(), link ? tie_link_yourself : tie_none, std::move(n), std::move(packed));
    const reference mref = me.monitor(child);
    start_result out;
    me.receive_any(when([child](const detail::gen::start_ack& a) { return a.child == child; },
                    [&](detail::gen::start_ack a) { out = result_of(a); }),
               when([mref](const down_message& d) { return d.ref == mref; },
                    [&](down_message d) { out = start_result{start_result::error, child, d.reason.to_term()}; }));
    me.demonitor(mref, true);
    return out;
  }

  // --- the server side ---

  template <class... A>
  static auto run_init(loop& l, A&&... args) {
    using state_type = typename loop::state_t;
    Derived& d = l.self;
    if constexpr (requires { d.init(std::forward<A>(args)...); }) {
      using Ret = decltype(d.init(std::forward<A>(args)...));
      if constexpr (std::is_void_v<Ret>) {
        d.init(std::forward<A>(args)...);
        return init_result<state_type>(state_type{});
      } else {
        return init_result<state_type>(d.init(std::forward<A>(args)...));
      }
    } else {
      static_assert(sizeof...(A) == 0, "otter::gen_server: start arguments need an init that takes them");
      return init_result<state_type>(state_type{});
    }
  }

  static void run_terminate(loop& l, const exit_reason& reason) {
    Derived& d = l.self;
    if (!l.state) return;
    auto& s = *l.state;
    try {
      if constexpr (requires { d.terminate(reason, s); })
        d.terminate(reason, s);
      else if constexpr (requires { d.terminate(reason.to_term(), s); })
        d.terminate(reason.to_term(), s);
      else if constexpr (requires { d.terminate(reason); })
        d.terminate(reason);
      else if constexpr (requires { d.terminate(reason.to_term()); })
        d.terminate(reason.to_term());
    } catch (const std::exception& e) {
      otter::log({log_level::error, self(), "gen_server_terminate",
           "GenServer " + l.label + "'s terminate threw " + exit_reason::from_exception(e).to_string()});
    }
  }

  static void handle_info_message(loop& l, any_message& m) {
    Derived& d = l.self;
    auto& s = *l.state;
    (void)d;
    (void)s;
    if (auto* t = m.get<term>()) {
      if constexpr (handles_info<term>()) return run_async(l, [&]() -> decltype(auto) { return handle_info_of(d, s, std::move(*t)); });
    }
    if (auto* x = m.get<exit_message>()) {
      if constexpr (handles_info<exit_message>()) return run_async(l, [&]() -> decltype(auto) { return handle_info_of(d, s, std::move(*x)); });
    }
    if (auto* x = m.get<down_message>()) {
      if constexpr (handles_info<down_message>()) return run_async(l, [&]() -> decltype(auto) { return handle_info_of(d, s, std::move(*x)); });
    }
    if constexpr (requires { typename Derived::info_types; }) {
      bool done = detail::gen::tuple_of_types<typename Derived::info_types>::each([&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        if (auto* v = m.get<T>()) {
          run_async(l, [&]() -> decltype(auto) { return handle_info_of(d, s, std::move(*v)); });
          return true;
        }
        return false;
      });
      if (done) return;
    }
    detail::gen::log_unexpected(self(), l.label, detail::gen::show_last(detail::gen::last_of(m)));
  }

  static void handle_timeout(loop& l) {
    Derived& d = l.self;
    auto& s = *l.state;
    (void)d;
    (void)s;
    if constexpr (handles_info<timeout_message>())
      run_async(l, [&]() -> decltype(auto) { return handle_info_of(d, s, timeout_message{}); });
    else if constexpr (handles_info<term>())
      run_async(l, [&]() -> decltype(auto) { return handle_info_of(d, s, term(atom("timeout"))); });
    else
      detail::gen::log_unexpected(self(), l.label, ":timeout");
  }

  static void handle_continue(loop& l, term value) {
    Derived& d = l.self;
    auto& s = *l.state;
    if constexpr (requires { d.handle_continue(std::move(value), s); })
      run_async(l, [&]() -> decltype(auto) { return d.handle_continue(std::move(value), s); });
    else if constexpr (requires { d.handle_continue(std::move(value)); })
      run_async(l, [&]() -> decltype(auto) { return d.handle_continue(std::move(value)); });
    else
      throw bad_argument("otter::gen_server: " + l.label + " asked to continue with " + value.to_string() +
                         " but has no handle_continue");
  }

  // Takes one message (or the timeout) and runs its callback.
  static void dispatch(loop& l, any_message& m) {
    if (auto* c = detail::gen::call_in(m)) {
      if (c->server_kind == kind()) return c->invoke(l, c);
      if constexpr (handles_call<term>()) {
        if (m.is<detail::gen::call_msg<term>>()) return invoke_call<term, true>(l, c);
      }
      if (m.is<detail::gen::call_msg<detail::gen::get_state_request>>()) {
        reply(from{c->from, c->tag}, detail::gen::state_as_term(*l.state));
        return;
      }
      throw bad_argument("otter::gen_server: " + l.label + " got a call it has no handle_call for");
    }
    if (auto* c = m.family<detail::gen::cast_head>()) {
      if (c->server_kind == kind()) return c->invoke(l, c);
      if constexpr (handles_cast<term>()) {
        if (m.is<detail::gen::cast_msg<term>>()) return invoke_cast<term>(l, c);
      }
      throw bad_argument("otter::gen_server: " + l.label + " got a cast it has no handle_cast for");
    }
    if (auto* s = m.get<detail::gen::stop_request>()) {
      l.stop = s->reason;
      return;
    }
    if (auto* x = m.get<exit_message>(); x && x->from == l.parent && l.parent) {
      l.stop = x->reason;  // the parent ended while we trap exits: so do we
      return;
    }
    handle_info_message(l, m);
  }

  // Runs terminate and ends the process with the reason.
  static void finish(loop& l, const exit_reason& reason, const term& last) {
    run_terminate(l, reason);
    if (l.reply_after_stop) std::exchange(l.reply_after_stop, nullptr)();
    if (detail::gen::is_abnormal(reason)) detail::gen::log_terminate(self(), l.label, reason, detail::gen::show_last(last));
    if (!reason.is_normal()) otter::exit(reason);
  }
};

// The server process: registers the name, runs init, acks the starter,
// then takes messages one by one.
template <class Derived>
template <class... A>
process gen_server<Derived>::server_main(pid starter, int tie, server_name reg_name,
                                         std::tuple<A...> args) {
  using detail::gen::start_ack;
  // A starter outside any process cannot spawn_link: the server links
  // itself, first thing, so that no exit goes unnoticed.
  if (tie == tie_link_yourself) link(starter);
  loop l;
  l.parent = tie == tie_none ? pid() : starter;  // unlinked: its own parent, as in OTP
  // As Elixir shows a server's name: inspected (`:my_server`, `Counter.Registry`).
  l.label = !reg_name.named() ? self().to_string() : reg_name.to_term().to_string();
  if (reg_name.named()) {
    const pid holder = reg_name.is_via() ? detail::gen::via_register(reg_name.via_registry, reg_name.via_key)
                                         : detail::gen::register_or_holder(reg_name.local);
    if (holder) {
      send(starter, start_ack{self(), start_result::error, otter::tuple(atom("already_started"), holder)});
      co_return;
    }
  }
  // A failed start gives its name back before it answers (as OTP does), so
  // that a retry does not find the name taken by a process about to exit.
  auto release_name = [&] {
    if (reg_name.named()) detail::gen::release_name(reg_name);
  };
  std::optional<init_result<typename loop::state_t>> init;
  try {
    init.emplace(std::apply([&](auto&... a) { return run_init(l, std::move(a)...); }, args));
  } catch (const exit_exception& e) {
    release_name();
    send(starter, start_ack{self(), start_result::error, e.reason.to_term()});
    throw;
  } catch (const std::exception& e) {
    release_name();
    send(starter, start_ack{self(), start_result::error, exit_reason::from_exception(e).to_term()});
    throw;
  }
  if (init->ignored()) {
    release_name();
    send(starter, start_ack{self(), start_result::ignore, term()});
    co_return;
  }
  if (init->stop_reason()) {
    const exit_reason why = *init->stop_reason();
    release_name();
    send(starter, start_ack{self(), start_result::error, why.to_term()});
    if (!why.is_normal()) otter::exit(why);
    co_return;
  }
  l.state = std::move(*init->state());
  l.next = std::move(init->next());
  send(starter, start_ack{self(), start_result::ok, term()});

  term last = term(atom("none"));  // the last message taken, for reports (cheap: a term copy at most)
  for (;;) {
    try {
      if (l.next.continue_with) {
        term value = std::move(*l.next.continue_with);
        l.next = {};
        last = otter::tuple(atom("continue"), value);
        handle_continue(l, std::move(value));
      } else {
        std::optional<std::chrono::milliseconds> timeout = l.next.timeout;
        l.next = {};
        std::optional<any_message> m;
        if (timeout && *timeout != infinity) {
          m = co_await receive([](any_message x) { return std::optional<any_message>(std::move(x)); },
                               after(*timeout, [] { return std::optional<any_message>(); }));
        } else {
          m.emplace(co_await receive([](any_message x) { return x; }));
        }
        if (m) {
          last = detail::gen::last_of(*m);
          dispatch(l, *m);
        } else {
          last = term(atom("timeout"));
          handle_timeout(l);
        }
      }
    } catch (const exit_exception& e) {
      run_terminate(l, e.reason);
      if (detail::gen::is_abnormal(e.reason))
        detail::gen::log_terminate(self(), l.label, e.reason, detail::gen::show_last(last));
      throw;
    } catch (const std::exception& e) {
      const exit_reason why = exit_reason::from_exception(e);
      run_terminate(l, why);
      detail::gen::log_terminate(self(), l.label, why, detail::gen::show_last(last));
      throw;
    }
    if (l.stop) {
      finish(l, *l.stop, last);
      co_return;
    }
  }
}

namespace gen {

/// GenServer.call with a term request and a term reply, for servers that
/// take terms (the shell uses it); in a process.
task<term> call(server_ref server, term request, std::chrono::milliseconds timeout = std::chrono::seconds(5));
/// The same from outside any process.
term call(scoped_process& me, server_ref server, term request, std::chrono::milliseconds timeout = std::chrono::seconds(5));
/// GenServer.cast with a term; never fails.
void cast(server_ref server, term message);
void cast(runtime& rt, server_ref server, term message);
/// GenServer.stop: asks the server to stop with `reason` (terminate runs)
/// and waits until it has; exits with noproc if there is no such server,
/// with timeout if it does not stop in time.
task<void> stop(server_ref server, exit_reason reason = exit_reason::normal(),
                std::chrono::milliseconds timeout = infinity);
void stop(scoped_process& me, server_ref server, exit_reason reason = exit_reason::normal(),
          std::chrono::milliseconds timeout = infinity);
/// GenServer.whereis: the pid of a name, or the null pid.
inline pid whereis(server_ref server) { return server.resolve(); }

}  // namespace gen

namespace sys {

/// OTP's sys:get_state: the server's state as a term (see
/// detail::gen::state_as_term; give a state `term to_term() const` to show
/// it as Elixir code would). Answered by any gen_server between two
/// callbacks, whatever requests it handles. Exits with
/// {reason, {:sys, :get_state, [server]}} if the server is missing
/// (noproc), dies first, or does not answer within `timeout` (timeout;
/// any process that is not a gen_server never answers).
task<term> get_state(server_ref server, std::chrono::milliseconds timeout = std::chrono::seconds(5));
/// The same from outside any process.
term get_state(scoped_process& me, server_ref server, std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace sys

}  // namespace otter

// Counter.Worker — the lecture's worker (lecture 5): one gen_server per named
// counter, found through the Registry as
// {:via, Registry, {Counter.Registry, {Counter.Worker, name}}}.
//
//   Counter.Worker.start_link(:W1)            counter::worker::start_link("W1"_a)
//   Counter.Worker.inc(:W1, 5)                counter::worker::inc("W1"_a, 5)
//   Counter.Worker.value(:W1)                 co_await counter::worker::value("W1"_a)
//
// Its value survives crashes through the Counter.Store ETS table. The
// lecture saves in terminate, which Process.exit(pid, :kill) skips; this
// worker writes every update through to the table as it processes it, so
// neither an exception nor a brutal kill loses a processed update (see
// docs/counter.md for the cost).
//
// It takes typed C++ messages (inc_msg, dec_msg, value_msg) and the terms the Elixir
// code sends — GenServer.cast(via, {:inc, amt}), {:dec, amt},
// GenServer.call(via, :value) — so the shell and C++ code talk to the same
// workers.
#pragma once

#include <cstdint>
#include <string_view>

#include "otter/gen_server.hpp"

namespace counter {

/// The names the lecture uses.
inline constexpr std::string_view registry_name = "Elixir.Counter.Registry";
inline constexpr std::string_view store_name = "Elixir.Counter.Store";

struct worker : otter::gen_server<worker> {
  static constexpr std::string_view module = "Counter.Worker";

  struct state {
    otter::term name;
    std::int64_t value = 0;
    /// {name, value}, the lecture's state (:sys.get_state shows it).
    otter::term to_term() const { return otter::tuple(name, value); }
  };
  struct inc_msg {  // {:inc, amt}
    std::int64_t amount = 1;
  };
  struct dec_msg {  // {:dec, amt}
    std::int64_t amount = 1;
  };
  struct value_msg {};  // :value

  // --- the client API (Counter.Worker.start_link/1, inc/2, dec/2, value/1) ---

  /// {:via, Registry, {Counter.Registry, {Counter.Worker, name}}}
  static otter::server_name via(const otter::term& name);
  /// Starts a worker linked to the caller under its via name: {:ok, pid} or
  /// {:error, {:already_started, pid}}.
  static otter::task<otter::start_result> start_link(otter::term name);
  /// Casts; never fail, even when no worker has the name (as GenServer.cast).
  static void inc(const otter::term& name, std::int64_t amount = 1);
  static void dec(const otter::term& name, std::int64_t amount = 1);
  /// The same from outside any process.
  static void inc(otter::runtime& rt, const otter::term& name, std::int64_t amount = 1);
  static void dec(otter::runtime& rt, const otter::term& name, std::int64_t amount = 1);
  /// A call: exits with {:noproc, {GenServer, :call, ...}} when no worker has the name.
  static otter::task<std::int64_t> value(const otter::term& name);
  static std::int64_t value(otter::scoped_process& me, const otter::term& name);

  // --- the callbacks ---

  /// Reads the value saved under `name` ([{^name, v}] -> v; [] -> 0).
  state init(const otter::term& name);
  void handle_cast(inc_msg m, state& s);
  void handle_cast(dec_msg m, state& s);
  std::int64_t handle_call(value_msg, state& s);
  /// {:inc, amt} and {:dec, amt} as Elixir code casts them; anything else
  /// is logged and dropped as an unexpected message.
  void handle_cast(const otter::term& m, state& s);
  /// :value; any other request ends the worker with {:bad_call, request}
  /// (Elixir's default handle_call raises).
  otter::term handle_call(const otter::term& request, state& s);
};

}  // namespace counter

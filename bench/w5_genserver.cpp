// W5 gen_server: the otter version of peers/beam/w5_genserver.exs, with the
// same parts, workload ids and metric names.
//  (a) genserver_call: one server, W5A_CLIENTS client processes each doing
//      W5A_CALLS sequential calls (:inc, default 5 s timeout); the final
//      value is checked.
//  (b) genserver_cast: one client process sends W5B_CASTS casts (:inc), then
//      one call (:get, infinity) that must read W5B_CASTS; timed from the
//      client's start until that call returns.
//  (c) genserver_call_toplevel: W5C_CALLS sequential calls from outside any
//      process (a scoped_process on the main thread; BEAM's script uses its
//      top-level process, CAF a scoped_actor).
//
//   build/release/bench/w5_genserver
//
// Env: W5A_CLIENTS (100), W5A_CALLS (10000), W5B_CASTS (5000000),
// W5C_CALLS (100000), W5_PARTS (abc), OTTER_SCHEDULERS.
#include <algorithm>
#include <string>
#include <vector>

#include "common.hpp"
#include "otter/gen_server.hpp"

namespace {

// W5.Server: {:inc} replies n + 1, {:get} replies n; a cast :inc adds one.
struct server : otter::gen_server<server> {
  struct state {
    std::int64_t n = 0;
  };
  struct inc {};
  struct get {};
  state init(std::int64_t n) { return {n}; }
  std::int64_t handle_call(inc, state& s) { return ++s.n; }
  std::int64_t handle_call(get, state& s) { return s.n; }
  void handle_cast(inc, state& s) { ++s.n; }
};

struct go {};
struct client_done {
  otter::pid client;
};
struct cast_done {
  std::int64_t value;
  std::int64_t t_sent;
};

otter::process call_client(otter::pid srv, std::int64_t k, otter::pid main) {
  co_await otter::receive<go>();
  for (std::int64_t i = 0; i < k; ++i) co_await server::call(srv, server::inc{});
  otter::send(main, client_done{otter::self()});
}

otter::process cast_client(otter::pid srv, std::int64_t m, otter::pid main) {
  co_await otter::receive<go>();
  for (std::int64_t i = 0; i < m; ++i) server::cast(srv, server::inc{});
  const std::int64_t t_sent = bench::now_ns();
  const std::int64_t v = co_await server::call(srv, server::get{}, otter::infinity);
  otter::send(main, cast_done{v, t_sent});
}

void check(const char* name, std::int64_t got, std::int64_t want) {
  bench::result(name, "verified", got == want ? 1 : 0, "bool");
  bench::require(got == want, "the server's value is wrong");
}

void part_a(otter::runtime& rt, otter::scoped_process& me) {
  const std::int64_t c = bench::env_int("W5A_CLIENTS", 100);
  const std::int64_t k = bench::env_int("W5A_CALLS", 10'000);
  const auto started = server::start_link(me, std::int64_t{0});
  bench::require(started.is_ok(), "the server did not start");
  std::vector<otter::pid> clients;
  for (std::int64_t i = 0; i < c; ++i) clients.push_back(rt.spawn(call_client, started.pid, k, me.self()));
  const std::int64_t t0 = bench::now_ns();
  for (auto p : clients) me.send(p, go{});
  for (std::int64_t i = 0; i < c; ++i) me.receive<client_done>();
  const std::int64_t t1 = bench::now_ns();
  const std::int64_t total = c * k;
  const double ns = double(t1 - t0);
  bench::result("genserver_call", "clients", c, "processes");
  bench::result("genserver_call", "calls", total, "calls");
  bench::result("genserver_call", "calls_per_sec", double(total) / (ns / 1e9), "calls/s");
  bench::result("genserver_call", "ns_per_call", ns / double(total), "ns");
  check("genserver_call", server::call(me, started.pid, server::get{}), total);
  otter::gen::stop(me, started.pid);
}

void part_b(otter::runtime& rt, otter::scoped_process& me) {
  const std::int64_t m = bench::env_int("W5B_CASTS", 5'000'000);
  const auto started = server::start_link(me, std::int64_t{0});
  bench::require(started.is_ok(), "the server did not start");
  const std::int64_t rss0 = bench::rss_bytes();
  const otter::pid client = rt.spawn(cast_client, started.pid, m, me.self());
  const std::int64_t t0 = bench::now_ns();
  me.send(client, go{});
  const cast_done d = me.receive<cast_done>();
  const std::int64_t t1 = bench::now_ns();
  const std::int64_t hwm = bench::hwm_bytes();
  const double ns = double(t1 - t0);
  bench::result("genserver_cast", "casts", m, "msgs");
  bench::result("genserver_cast", "casts_per_sec", double(m) / (ns / 1e9), "casts/s");
  bench::result("genserver_cast", "ns_per_cast", ns / double(m), "ns");
  bench::result("genserver_cast", "send_loop_casts_per_sec", double(m) / (double(d.t_sent - t0) / 1e9), "casts/s");
  bench::result("genserver_cast", "peak_rss_delta_mib", double(std::max<std::int64_t>(0, hwm - rss0)) / 1048576.0, "MiB");
  check("genserver_cast", d.value, m);
  otter::gen::stop(me, started.pid);
}

void part_c(otter::scoped_process& me) {
  const std::int64_t q = bench::env_int("W5C_CALLS", 100'000);
  const auto started = server::start_link(me, std::int64_t{0});
  bench::require(started.is_ok(), "the server did not start");
  std::vector<std::int64_t> each;
  each.reserve(static_cast<std::size_t>(q));
  const std::int64_t t0 = bench::now_ns();
  for (std::int64_t i = 0; i < q; ++i) {
    const std::int64_t a = bench::now_ns();
    server::call(me, started.pid, server::inc{});
    each.push_back(bench::now_ns() - a);
  }
  const std::int64_t t1 = bench::now_ns();
  const double ns = double(t1 - t0);
  std::sort(each.begin(), each.end());
  bench::result("genserver_call_toplevel", "calls", q, "calls");
  bench::result("genserver_call_toplevel", "calls_per_sec", double(q) / (ns / 1e9), "calls/s");
  bench::result("genserver_call_toplevel", "ns_per_call", ns / double(q), "ns");
  bench::result("genserver_call_toplevel", "median_ns_per_call", double(each[each.size() / 2]), "ns");
  bench::result("genserver_call_toplevel", "p99_ns_per_call", double(each[each.size() * 99 / 100]), "ns");
  check("genserver_call_toplevel", server::call(me, started.pid, server::get{}), q);
  otter::gen::stop(me, started.pid);
}

}  // namespace

int main() {
  otter::runtime rt(bench::config());
  bench::header("w5_genserver", rt);
  const std::string parts = bench::env_str("W5_PARTS", "abc");
  {
    otter::scoped_process me(rt);
    if (parts.find('a') != std::string::npos) part_a(rt, me);
    if (parts.find('b') != std::string::npos) part_b(rt, me);
    if (parts.find('c') != std::string::npos) part_c(me);
  }
  return 0;
}

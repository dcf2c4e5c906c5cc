// Counter.Worker (see worker.hpp).
#include "counter/worker.hpp"

#include "otter/ets.hpp"
#include "otter/logger.hpp"

namespace counter {

namespace {

const otter::atom store_atom{store_name};

// The write-through: one ETS insert per processed update, so that the table
// always holds the value the worker has.
void save(const worker::state& s) { otter::ets::insert(otter::term(store_atom), otter::tuple(s.name, s.value)); }

std::int64_t amount_of(const otter::term& m) {
  if (!m.is_tuple() || m.size() != 2 || !m[1].is_integer())
    throw otter::bad_argument("Counter.Worker expects {:inc, integer} or {:dec, integer}, got " + m.to_string());
  return m[1].as_int();
}

// Counters are 64-bit: an update past the range crashes the worker (as an
// exception in handle_cast does) instead of wrapping; the saved value stays.
[[noreturn]] void overflow(const worker::state& s, const char* op, std::int64_t amount) {
  throw otter::bad_argument("Counter.Worker " + s.name.to_string() + ": " + op + " " + std::to_string(amount) +
                            " takes the counter beyond 64 bits");
}

}  // namespace

otter::server_name worker::via(const otter::term& name) {
  return otter::via(registry_name, otter::tuple(module_name(), name));
}

otter::task<otter::start_result> worker::start_link(otter::term name) {
  otter::server_name n = via(name);
  return gen_server::start_link(std::move(n), std::move(name));
}

void worker::inc(const otter::term& name, std::int64_t amount) { cast(via(name), inc_msg{amount}); }
void worker::dec(const otter::term& name, std::int64_t amount) { cast(via(name), dec_msg{amount}); }
void worker::inc(otter::runtime& rt, const otter::term& name, std::int64_t amount) { cast(rt, via(name), inc_msg{amount}); }
void worker::dec(otter::runtime& rt, const otter::term& name, std::int64_t amount) { cast(rt, via(name), dec_msg{amount}); }

otter::task<std::int64_t> worker::value(const otter::term& name) {
  otter::server_ref server(via(name));
  return call(std::move(server), value_msg{});
}
std::int64_t worker::value(otter::scoped_process& me, const otter::term& name) { return call(me, via(name), value_msg{}); }

worker::state worker::init(const otter::term& name) {
  const auto found = otter::ets::lookup(otter::term(store_atom), name);
  return {name, found.empty() ? 0 : found[0][1].as_int()};
}

void worker::handle_cast(inc_msg m, state& s) {
  if (__builtin_add_overflow(s.value, m.amount, &s.value)) overflow(s, "inc", m.amount);
  save(s);
}

void worker::handle_cast(dec_msg m, state& s) {
  if (__builtin_sub_overflow(s.value, m.amount, &s.value)) overflow(s, "dec", m.amount);
  save(s);
}

std::int64_t worker::handle_call(value_msg, state& s) { return s.value; }

void worker::handle_cast(const otter::term& m, state& s) {
  static const otter::atom inc_tag("inc"), dec_tag("dec");
  if (m.is_tuple() && m.size() == 2 && m[0].is_atom(inc_tag)) return handle_cast(inc_msg{amount_of(m)}, s);
  if (m.is_tuple() && m.size() == 2 && m[0].is_atom(dec_tag)) return handle_cast(dec_msg{amount_of(m)}, s);
  otter::log({otter::log_level::warning, otter::self(), "unexpected_message",
              "Counter.Worker " + s.name.to_string() + " received an unexpected cast: " + m.to_string()});
}

otter::term worker::handle_call(const otter::term& request, state& s) {
  static const otter::atom value_tag("value");
  if (request.is_atom(value_tag)) return otter::term(s.value);
  otter::exit(otter::exit_reason(otter::tuple(otter::atom("bad_call"), request)));
}

}  // namespace counter

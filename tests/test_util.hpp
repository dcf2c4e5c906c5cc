// Helpers shared by the tests: a runtime that records crash reports instead
// of printing them, and a bounded wait for outside-process receives.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <mutex>
#include <vector>

#include "otter/otter.hpp"

namespace otter_test {

using namespace std::chrono_literals;

/// Collects crash reports from a runtime (thread-safe).
struct crash_log {
  std::mutex m;
  std::vector<otter::crash_report> reports;
  std::function<void(const otter::crash_report&)> hook() {
    return [this](const otter::crash_report& r) {
      std::lock_guard lk(m);
      reports.push_back(r);
    };
  }
  std::size_t size() {
    std::lock_guard lk(m);
    return reports.size();
  }
};

inline otter::runtime_config quiet(unsigned schedulers = 2) {
  otter::runtime_config c;
  c.schedulers = schedulers;
  c.on_crash = {};
  return c;
}

/// Captures otter::log events while it lives (thread-safe).
struct log_capture {
  std::mutex m;
  std::vector<otter::log_event> events;
  std::function<void(const otter::log_event&)> previous;
  log_capture() {
    previous = otter::set_log_handler([this](const otter::log_event& e) {
      std::lock_guard lk(m);
      events.push_back(e);
    });
  }
  ~log_capture() { otter::set_log_handler(previous); }
  std::vector<otter::log_event> of_kind(const std::string& kind) {
    std::lock_guard lk(m);
    std::vector<otter::log_event> out;
    for (auto& e : events)
      if (e.kind == kind) out.push_back(e);
    return out;
  }
};

/// A generous bound for waits that must succeed: tests synchronise on
/// messages, and this only keeps a broken test from hanging CI.
constexpr auto forever = 60s;

/// Expects `f` to throw otter::bad_argument whose message contains `says`.
inline void expect_badarg(const std::function<void()>& f, std::string_view says) {
  try {
    f();
    ADD_FAILURE() << "expected bad_argument saying " << says;
  } catch (const otter::bad_argument& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}

/// Runs the coroutine `body` (returning otter::task<otter::term>) in a new
/// process and returns its result: tests of the in-process (co_await) API.
template <class F>
otter::term in_process(otter::runtime& rt, otter::scoped_process& me, F body) {
  using namespace otter::literals;
  rt.spawn([](otter::pid to, F f) -> otter::process {
    otter::term result = co_await f();
    otter::send(to, otter::tuple("result"_a, result));
  }, me.self(), std::move(body));
  auto r = me.receive<otter::term>(
      [](const otter::term& t) { return t.is_tuple() && t.size() == 2 && t[0].is_atom("result"_a); }, forever);
  EXPECT_TRUE(r) << "the process did not answer";
  return r ? (*r)[1] : otter::term();
}

}  // namespace otter_test

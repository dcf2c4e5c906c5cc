// Helpers shared by the tests: a runtime that records crash reports instead
// of printing them, and a bounded wait for outside-process receives.
#pragma once

#include <chrono>
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

/// A generous bound for waits that must succeed: tests synchronise on
/// messages, and this only keeps a broken test from hanging CI.
constexpr auto forever = 60s;

}  // namespace otter_test

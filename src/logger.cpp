// otter::log (see otter/logger.hpp). The handler is shared, swapped under a
// mutex and copied out before it runs, so a handler may log or replace
// itself without deadlock.
#include "otter/logger.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <utility>

namespace otter {

namespace {

using handler_t = std::function<void(const log_event&)>;

struct log_state {
  std::mutex m;
  std::shared_ptr<const handler_t> handler = std::make_shared<const handler_t>(&log_to_stderr);  // guarded by m
  std::atomic<int> level{static_cast<int>(log_level::debug)};
};

log_state& state() {
  static log_state* s = new log_state;  // never destroyed: processes may log during static destruction
  return *s;
}

const char* level_name(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::notice: return "notice";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
  }
  return "error";
}

}  // namespace

std::function<void(const log_event&)> set_log_handler(std::function<void(const log_event&)> handler) {
  auto fresh = std::make_shared<const handler_t>(std::move(handler));
  std::lock_guard lk(state().m);
  auto old = std::exchange(state().handler, std::move(fresh));
  return *old;
}

void set_log_level(log_level level) { state().level.store(static_cast<int>(level), std::memory_order_relaxed); }

void log(log_event event) {
  log_state& s = state();
  if (static_cast<int>(event.level) < s.level.load(std::memory_order_relaxed)) return;
  std::shared_ptr<const handler_t> h;
  {
    std::lock_guard lk(s.m);
    h = s.handler;
  }
  if (h && *h) (*h)(event);
}

void log_to_stderr(const log_event& e) {
  std::string block = "\n[" + std::string(level_name(e.level)) + "] " + e.kind;
  if (e.process) block += " " + e.process.to_string();
  block += "\n" + e.text + "\n";
  std::fwrite(block.data(), 1, block.size(), stderr);
}

}  // namespace otter

// otter::log — one place where the OTP behaviours report what happened.
//
// gen_server reports a server that stops with an abnormal reason and a
// message it did not expect; supervisors will report restarts. Each report
// is a log_event with a level, the process, a kind ("gen_server_terminate",
// "unexpected_message", ...) and a readable text. The default handler prints
// one block per event to stderr; replace it (a test captures events this
// way) or silence it with an empty function. Crash reports of processes
// that end by an exception come from the runtime (runtime_config::on_crash).
//
//   otter::set_log_handler([&](const otter::log_event& e) { seen.push_back(e); });
//   otter::set_log_level(otter::log_level::error);   // drop warnings and below
#pragma once

#include <functional>
#include <string>

#include "otter/pid.hpp"

namespace otter {

enum class log_level { debug, info, notice, warning, error };

struct log_event {
  log_level level;
  pid process;       ///< the process the event is about (null if none)
  std::string kind;  ///< what happened, e.g. "gen_server_terminate"
  std::string text;  ///< the report, one or more lines
};

/// Replaces the handler (thread-safe); an empty function silences logging.
/// Returns the previous handler.
std::function<void(const log_event&)> set_log_handler(std::function<void(const log_event&)> handler);
/// Events below `level` are dropped (default: debug, i.e. none).
void set_log_level(log_level level);
/// Hands an event to the handler if its level is enabled.
void log(log_event event);

/// The default handler: the event as one block on stderr.
void log_to_stderr(const log_event& e);

}  // namespace otter

// Shared helpers for otter's workload programs (bench/w*.cpp).
//
// Every program prints one line per figure, in the format of the peers'
// programs (/work/shared/peers/beam, /work/shared/peers/caf):
//   RESULT workload=<id> metric=<name> value=<number> unit=<unit>
// plus `# ...` comment lines. Sizes come from environment variables; integers
// may be written with underscores ("1_000_000"), as the BEAM scripts accept.
#pragma once

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <string>
#include <thread>
#include <type_traits>

#include "otter/otter.hpp"

namespace bench {

/// Integer from the environment; unset or empty gives `dflt`. Underscores are
/// ignored ("1_000_000"). Anything else that is not an integer is an error
/// (exit status 2), so a typo never silently runs the default size.
inline std::int64_t env_int(const char* name, std::int64_t dflt) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return dflt;
  std::string digits;
  for (const char* c = v; *c; ++c)
    if (*c != '_') digits += *c;
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(digits.c_str(), &end, 10);
  if (digits.empty() || errno != 0 || *end != '\0') {
    std::fprintf(stderr, "%s must be an integer, got '%s'\n", name, v);
    std::exit(2);
  }
  return x;
}

/// The first of `names` that is set in the environment, else `dflt`.
inline std::int64_t env_int_any(std::initializer_list<const char*> names, std::int64_t dflt) {
  for (const char* n : names) {
    const char* v = std::getenv(n);
    if (v != nullptr && *v != '\0') return env_int(n, dflt);
  }
  return dflt;
}

/// String from the environment; unset or empty gives `dflt`.
inline std::string env_str(const char* name, const char* dflt) {
  const char* v = std::getenv(name);
  return (v == nullptr || *v == '\0') ? std::string(dflt) : std::string(v);
}

/// Monotonic time in nanoseconds.
inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// A field of /proc/self/status (given in kB there), in bytes; 0 if absent.
inline std::int64_t proc_status_bytes(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':')
      return std::strtoll(line.c_str() + len + 1, nullptr, 10) * 1024;
  }
  return 0;
}

/// Resident set size now (VmRSS), in bytes.
inline std::int64_t rss_bytes() { return proc_status_bytes("VmRSS"); }
/// Peak resident set size since the program started (VmHWM), in bytes.
inline std::int64_t hwm_bytes() { return proc_status_bytes("VmHWM"); }

constexpr double mib = 1024.0 * 1024.0;

/// Formats like the BEAM scripts: integers as integers; floats with 4
/// decimals (1 when |v| >= 1000), trailing zeros dropped but one kept ("2.0").
inline std::string format_double(double v) {
  if (!std::isfinite(v)) return v != v ? "nan" : (v > 0 ? "inf" : "-inf");
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 1000 ? "%.1f" : "%.4f", v);
  std::string s(buf);
  while (s.size() > 2 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

/// Prints `RESULT workload=<id> metric=<name> value=<number> unit=<unit>`.
template <class T>
  requires std::is_arithmetic_v<T>
void result(const char* workload, const char* metric, T value, const char* unit) {
  std::string v;
  if constexpr (std::is_integral_v<T>)
    v = std::to_string(value);
  else
    v = format_double(static_cast<double>(value));
  std::printf("RESULT workload=%s metric=%s value=%s unit=%s\n", workload, metric, v.c_str(), unit);
  std::fflush(stdout);
}

/// The runtime configuration every program uses: OTTER_SCHEDULERS scheduler
/// threads (0, the default, means one per core); everything else default.
inline otter::runtime_config config() {
  otter::runtime_config cfg;
  std::int64_t s = env_int("OTTER_SCHEDULERS", 0);
  if (s < 0) {
    std::fprintf(stderr, "OTTER_SCHEDULERS must be >= 0, got %lld\n", static_cast<long long>(s));
    std::exit(2);
  }
  cfg.schedulers = static_cast<unsigned>(s);
  return cfg;
}

/// Prints a `# ...` header line naming the program and the scheduler count.
inline void header(const char* program, otter::runtime& rt) {
  std::printf("# %s otter schedulers=%u hardware_concurrency=%u\n", program, rt.schedulers(),
              std::thread::hardware_concurrency());
  std::fflush(stdout);
}

/// Exits with status 2 after printing `msg` to stderr if `ok` is false.
inline void require(bool ok, const char* msg) {
  if (!ok) {
    std::fprintf(stderr, "%s\n", msg);
    std::exit(2);
  }
}

}  // namespace bench

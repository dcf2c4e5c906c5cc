// Exit reasons, type-name demangling and the coroutine frame allocator.
#include "otter/exit_reason.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <ostream>

#include "otter/detail/pool.hpp"
#include "runtime_impl.hpp"

namespace otter {

struct exit_reason::data {
  std::string name;
  std::string detail;
};

exit_reason::exit_reason(std::string_view name) : exit_reason(name, {}) {}

exit_reason::exit_reason(std::string_view name, std::string_view detail) {
  if (name == "normal" && detail.empty()) return;  // normal is the null state
  data_ = std::make_shared<const data>(data{std::string(name), std::string(detail)});
}

exit_reason exit_reason::kill() {
  static const exit_reason r("kill");
  return r;
}
exit_reason exit_reason::killed() {
  static const exit_reason r("killed");
  return r;
}
exit_reason exit_reason::shutdown() {
  static const exit_reason r("shutdown");
  return r;
}
exit_reason exit_reason::noproc() {
  static const exit_reason r("noproc");
  return r;
}

std::string_view exit_reason::name() const noexcept { return data_ ? std::string_view(data_->name) : "normal"; }
std::string_view exit_reason::detail() const noexcept { return data_ ? std::string_view(data_->detail) : ""; }

std::string exit_reason::to_string() const {
  if (detail().empty()) return std::string(name());
  std::string out = "{" + std::string(name()) + ", \"";
  for (char c : detail()) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"}";
}

bool operator==(const exit_reason& a, const exit_reason& b) noexcept {
  return a.name() == b.name() && a.detail() == b.detail();
}

std::ostream& operator<<(std::ostream& os, const exit_reason& r) { return os << r.to_string(); }

}  // namespace otter

namespace otter::detail {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

void* frame_alloc(std::size_t n) { return pool_alloc(n); }
void frame_free(void* p, std::size_t n) noexcept { pool_free(p, n); }

}  // namespace otter::detail

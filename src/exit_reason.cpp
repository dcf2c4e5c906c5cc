// Exit reasons, type-name demangling and the coroutine frame allocator.
#include "otter/exit_reason.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <ostream>
#include <typeinfo>

#include "otter/detail/pool.hpp"
#include "runtime_impl.hpp"

namespace otter {

struct exit_reason::data {
  std::string name;
  std::string detail;
  term value;
  bool plain;  // an atom or {atom, "detail"}: printed as name / {name, "detail"}
};

exit_reason::exit_reason(std::string_view name) : exit_reason(name, {}) {}

namespace {
// The name as an atom; a name no atom can hold (longer than 255 bytes, or
// with the atom table full) stays a binary, so that making a reason never
// throws where an exception is being turned into one.
term name_term(std::string_view name) noexcept {
  try {
    return term(atom(name));
  } catch (...) {
    return term(name);
  }
}
}  // namespace

exit_reason::exit_reason(std::string_view name, std::string_view detail) {
  if (name == "normal" && detail.empty()) return;  // normal is the null state
  term value = detail.empty() ? name_term(name) : otter::tuple(name_term(name), term(detail));
  data_ = std::make_shared<const data>(data{std::string(name), std::string(detail), std::move(value), true});
}

bool exit_reason::is_kill() const noexcept {
  return data_ && data_->plain && data_->detail.empty() && data_->name == "kill";
}

exit_reason::exit_reason(const term& reason) {
  if (reason.is_atom()) {
    *this = exit_reason(reason.as_atom().text());
    return;
  }
  if (reason.is_tuple() && reason.size() == 2 && reason[0].is_atom() && reason[1].is_binary() &&
      !reason[1].as_binary().empty()) {
    *this = exit_reason(reason[0].as_atom().text(), reason[1].as_binary());
    return;
  }
  std::string name = reason.is_tuple() && reason.size() > 0 && reason[0].is_atom() ? std::string(reason[0].as_atom().text())
                                                                                   : reason.to_string();
  data_ = std::make_shared<const data>(data{std::move(name), {}, reason, false});
}

exit_reason exit_reason::from_exception(const std::exception& e) {
  return exit_reason(detail::demangle(typeid(e).name()), e.what());
}

term exit_reason::to_term() const { return data_ ? data_->value : term(atom("normal")); }

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
  if (data_ && !data_->plain) return data_->value.to_string();
  if (detail().empty()) return std::string(name());
  std::string out = "{" + std::string(name()) + ", \"";
  for (char c : detail()) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"}";
}

bool operator==(const exit_reason& a, const exit_reason& b) noexcept {
  if (!a.data_ || !b.data_) return !a.data_ && !b.data_;
  return a.data_->value == b.data_->value;
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

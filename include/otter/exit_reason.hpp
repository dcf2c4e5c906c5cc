// otter::exit_reason — why a process ended (Erlang's exit reason).
//
// Erlang's reasons are terms; the ones the runtime itself produces are atoms
// (`normal`, `kill`, `killed`, `shutdown`, `noproc`) or tuples describing an
// error. An exit_reason is an atom-like name plus an optional detail, which is
// how otter reports an exception: name = the exception's type, detail = its
// what(). Cheap to copy (shared immutable storage); safe to share across
// threads.
//
//   otter::exit(pid, otter::exit_reason::shutdown());
//   if (down.reason.is_normal()) ...
//   std::cout << down.reason;   // {std::runtime_error, "boom"}
#pragma once

#include <exception>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "otter/term.hpp"

namespace otter {

/// Why a process ended; compares by name and detail.
class exit_reason {
 public:
  /// Constructs `normal`.
  exit_reason() noexcept = default;
  /// Constructs a reason with the given atom-like name (e.g. "shutdown").
  explicit exit_reason(std::string_view name);
  explicit exit_reason(const char* name) : exit_reason(std::string_view(name)) {}
  explicit exit_reason(const std::string& name) : exit_reason(std::string_view(name)) {}
  /// Constructs a reason with a name and a detail (e.g. an exception message).
  exit_reason(std::string_view name, std::string_view detail);
  /// Constructs a reason from any term, as Erlang's reasons are
  /// (`{:shutdown, :closed}`); the atom `normal` is `normal`.
  explicit exit_reason(const term& reason);
  /// The reason for an exception that ended a process: `{Type, "what()"}`.
  static exit_reason from_exception(const std::exception& e);

  /// Returns `normal`: the process finished its work.
  static exit_reason normal() noexcept { return {}; }
  /// Returns `kill`: the untrappable reason to pass to `exit(pid, …)`.
  static exit_reason kill();
  /// Returns `killed`: what links and monitors see after a `kill`.
  static exit_reason killed();
  /// Returns `shutdown`: an orderly stop requested by a supervisor.
  static exit_reason shutdown();
  /// Returns `noproc`: the process did not exist.
  static exit_reason noproc();

  /// Returns the atom-like name ("normal", "killed", an exception type, …):
  /// the atom, or a tuple's first element if it is an atom; else the
  /// reason's text.
  std::string_view name() const noexcept;
  /// Returns the detail: the text in `{name, "detail"}`; else empty.
  std::string_view detail() const noexcept;
  /// The reason as a term: an atom, `{name, "detail"}`, or the term given.
  term to_term() const;
  /// Returns whether this is `normal`.
  bool is_normal() const noexcept { return !data_; }
  /// Returns whether this is `kill` (the atom; `{:kill, x}` is an ordinary reason).
  bool is_kill() const noexcept;
  /// Returns the Erlang-style text: `normal`, `killed`, `{name, "detail"}`;
  /// other terms as Elixir prints them.
  std::string to_string() const;

  friend bool operator==(const exit_reason& a, const exit_reason& b) noexcept;

 private:
  struct data;
  std::shared_ptr<const data> data_;  // null means `normal`
};

/// Prints the reason in Erlang style (see `exit_reason::to_string`).
std::ostream& operator<<(std::ostream& os, const exit_reason& r);

}  // namespace otter

// otter::any_message — a message of any type, as Erlang's `receive Msg ->`.
//
// A receive clause whose handler takes `otter::any_message` matches every
// message, so a process can take its mailbox in order and decide by type
// afterwards (gen_server's loop does). It owns the message; ask what it is
// with `is<T>()`, read it with `get<T>()`, or move it out with `take<T>()`.
//
//   co_await otter::receive([&](otter::any_message m) {
//     if (auto* n = m.get<int>()) total += *n;
//     else if (m.is<otter::term>()) log(m.take<otter::term>());
//   });
//
// A guard may look at it too: `otter::when([](const otter::any_message& m)
// { return m.is<ping>(); }, handler)`.
#pragma once

#include <utility>

#include "otter/detail/envelope.hpp"

namespace otter {

class any_message {
 public:
  any_message(any_message&& o) noexcept : e_(std::exchange(o.e_, nullptr)), owns_(o.owns_) {}
  any_message& operator=(any_message&& o) noexcept {
    if (this != &o) {
      reset();
      e_ = std::exchange(o.e_, nullptr);
      owns_ = o.owns_;
    }
    return *this;
  }
  any_message(const any_message&) = delete;
  any_message& operator=(const any_message&) = delete;
  ~any_message() { reset(); }

  /// Whether the message is a T.
  template <class T>
  bool is() const noexcept {
    return e_ && e_->type == detail::id_of<T>();
  }
  /// The message as a T, or null if it is not one.
  template <class T>
  T* get() noexcept {
    return is<T>() ? &static_cast<detail::message_envelope<T>*>(e_)->value : nullptr;
  }
  template <class T>
  const T* get() const noexcept {
    return is<T>() ? &static_cast<const detail::message_envelope<T>*>(e_)->value : nullptr;
  }
  /// Moves the T out; the message must be a T (see is<T>()).
  template <class T>
  T take() {
    return std::move(*get<T>());
  }
  /// For message types that name `using message_family = Base;`: the Base
  /// part of the message, whatever its exact type; null for other messages.
  template <class Base>
  Base* family() const noexcept {
    if (!e_ || e_->type->family != &detail::family_tag<Base>) return nullptr;
    return static_cast<Base*>(e_->type->family_base(e_));
  }

  /// Internal: takes (or, as a guard's view, borrows) an envelope.
  explicit any_message(detail::envelope* e, bool owns = true) noexcept : e_(e), owns_(owns) {}

 private:
  void reset() noexcept {
    if (e_ && owns_) detail::destroy_envelope(e_);
    e_ = nullptr;
  }
  detail::envelope* e_ = nullptr;
  bool owns_ = true;
};

}  // namespace otter

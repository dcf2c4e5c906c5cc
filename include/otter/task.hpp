// otter::task<T> and otter::process — the coroutine types of process code.
//
// A process body is a coroutine returning `otter::process` (an alias of
// `task<void>`). It may call helper coroutines returning `task<T>` with
// `co_await`. An awaited task runs at once on the awaiting thread; if it
// completes without suspending, the awaiter goes on in the same native frame,
// so a loop that awaits many short tasks never grows the thread's stack
// (with or without the compiler's tail calls). A chain of tasks awaiting
// one another, N deep, uses native stack for N frames while it runs, as
// nested function calls would. A task does nothing until awaited,
// and its frame is destroyed with the task object (or with its process, if
// the process is killed while suspended).
//
//   otter::task<int> next_number() { auto m = co_await otter::receive<int>(); co_return m; }
//   otter::process worker() { int n = co_await next_number(); ... }
//
// Not thread-safe in itself: a task belongs to the process that awaits it.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace otter {

template <class T = void>
class task;

/// The return type of a process body: `otter::process body(args...)`.
using process = task<void>;

namespace detail {

void* frame_alloc(std::size_t n);
void frame_free(void* p, std::size_t n) noexcept;

struct promise_base {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;
  // Set while the awaiting coroutine runs this one from its await_suspend;
  // `finished_inline` then tells it that this one completed without
  // suspending, so that it goes on without being resumed (see task).
  bool running_inline = false;
  bool finished_inline = false;

  static void* operator new(std::size_t n) { return frame_alloc(n); }
  static void operator delete(void* p, std::size_t n) noexcept { frame_free(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct final_awaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto& p = h.promise();
      if (p.running_inline) {
        p.finished_inline = true;
        return std::noop_coroutine();  // back to the awaiter's await_suspend, which goes on
      }
      auto c = p.continuation;
      return c ? c : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct task_promise : promise_base {
  std::optional<T> value;
  task<T> get_return_object() noexcept;
  template <class U = T>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct task_promise<void> : promise_base {
  task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

/// A lazily started coroutine producing a T; await it from process code.
template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::task_promise<T>;
  using handle_type = std::coroutine_handle<promise_type>;

  task() noexcept = default;
  explicit task(handle_type h) noexcept : h_(h) {}
  task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  task& operator=(task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  ~task() { reset(); }

  /// Returns whether this task owns a coroutine.
  explicit operator bool() const noexcept { return static_cast<bool>(h_); }

  bool await_ready() const noexcept { return false; }
  // Runs the task here, and goes on without suspending if it completes
  // without suspending. Resuming the caller from the task's final_suspend
  // instead (symmetric transfer) is a tail call only where the compiler
  // makes it one (not under AddressSanitizer): there, a loop that awaits a
  // thousand short tasks would nest a thousand native frames.
  bool await_suspend(std::coroutine_handle<> caller) noexcept {
    auto& p = h_.promise();
    p.continuation = caller;
    p.running_inline = true;
    h_.resume();
    p.running_inline = false;
    return !p.finished_inline;  // suspended inside: it resumes the caller when it completes
  }
  T await_resume() {
    auto& p = h_.promise();
    if (p.error) std::rethrow_exception(p.error);
    if constexpr (!std::is_void_v<T>) return std::move(*p.value);
  }

  /// Gives up ownership of the coroutine (the runtime takes process bodies).
  handle_type release() noexcept { return std::exchange(h_, {}); }

 private:
  void reset() noexcept {
    if (h_) h_.destroy();
    h_ = {};
  }
  handle_type h_;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace otter

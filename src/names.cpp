// Local names (Erlang's register/whereis/unregister).
//
// One reader-writer lock guards both directions of the map; lookups share it.
// Exit protocol: a process closes its inbox (a seq_cst exchange) and then
// reads its `has_name` flag (seq_cst); register_name sets the flag (seq_cst)
// before checking that the inbox is not closed. So either the exiting
// process sees the flag and removes the name, or the registration sees the
// process dead and fails: a dead process never keeps a name.
#include <shared_mutex>

#include "runtime_impl.hpp"

namespace otter::detail {

void runtime_impl::register_name(std::string_view name, pid p) {
  if (name.empty()) throw name_error("otter::register_name: the name is empty");
  if (name == "undefined") throw name_error("otter::register_name: 'undefined' cannot be registered");
  pcb* q = table.acquire(p);
  if (!q) throw name_error("otter::register_name: " + p.to_string() + " is not alive");
  struct releaser {
    runtime_impl* rt;
    pcb* q;
    ~releaser() { rt->table.release(q, rt->slot_cache()); }
  } guard{this, q};
  std::unique_lock lk(names_m_);
  auto it = names_.find(std::string(name));
  if (it != names_.end())
    throw name_error("otter::register_name: '" + std::string(name) + "' is already registered to " +
                     pid(it->second).to_string());
  if (name_by_pid_.count(p.value()))
    throw name_error("otter::register_name: " + p.to_string() + " is already registered as '" +
                     name_by_pid_[p.value()] + "'");
  q->has_name.store(true, std::memory_order_seq_cst);
  if (q->inbox.load(std::memory_order_seq_cst) == inbox_closed()) {
    q->has_name.store(false, std::memory_order_relaxed);
    throw name_error("otter::register_name: " + p.to_string() + " is not alive");
  }
  names_.emplace(std::string(name), p.value());
  name_by_pid_.emplace(p.value(), std::string(name));
}

bool runtime_impl::unregister_name(std::string_view name) {
  std::unique_lock lk(names_m_);
  auto it = names_.find(std::string(name));
  if (it == names_.end()) return false;
  if (pcb* q = table.acquire(pid(it->second))) {
    q->has_name.store(false, std::memory_order_relaxed);
    table.release(q, slot_cache());
  }
  name_by_pid_.erase(it->second);
  names_.erase(it);
  return true;
}

pid runtime_impl::whereis(std::string_view name) const {
  std::shared_lock lk(names_m_);
  auto it = names_.find(std::string(name));
  return it == names_.end() ? pid() : pid(it->second);
}

std::string runtime_impl::name_of(pid p) const {
  std::shared_lock lk(names_m_);
  auto it = name_by_pid_.find(p.value());
  return it == name_by_pid_.end() ? std::string() : it->second;
}

void runtime_impl::drop_name(pcb& p) {
  std::unique_lock lk(names_m_);
  auto it = name_by_pid_.find(p.serial.load(std::memory_order_relaxed));
  if (it != name_by_pid_.end()) {
    names_.erase(it->second);
    name_by_pid_.erase(it);
  }
  p.has_name.store(false, std::memory_order_relaxed);
}

std::vector<std::string> runtime_impl::registered() const {
  std::shared_lock lk(names_m_);
  std::vector<std::string> out;
  out.reserve(names_.size());
  for (auto& [n, p] : names_) out.push_back(n);
  return out;
}

}  // namespace otter::detail

namespace otter {

void runtime::register_name(std::string_view name, pid p) { impl_->register_name(name, p); }
bool runtime::unregister_name(std::string_view name) { return impl_->unregister_name(name); }
pid runtime::whereis(std::string_view name) const { return impl_->whereis(name); }
std::vector<std::string> runtime::registered() const { return impl_->registered(); }
std::vector<pid> runtime::processes() const { return impl_->processes(); }

}  // namespace otter

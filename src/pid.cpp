// Printing pids and references as Erlang does.
#include "otter/pid.hpp"

#include <ostream>
#include <string>

namespace otter {

std::uint64_t pid::number() const noexcept { return serial_ & 0xffffffffu; }
std::uint64_t pid::serial() const noexcept { return serial_ >> 32; }
std::string pid::to_string() const {
  return "#PID<0." + std::to_string(number()) + "." + std::to_string(serial()) + ">";
}
std::ostream& operator<<(std::ostream& os, pid p) { return os << p.to_string(); }

std::string reference::to_string() const {
  // Erlang's word layout (18 bits, 32 bits, 14 bits), as otter::term prints it.
  return "#Reference<0." + std::to_string(value_ >> 50) + "." + std::to_string((value_ >> 18) & 0xffffffffu) + "." +
         std::to_string(value_ & 0x3ffff) + ">";
}
std::ostream& operator<<(std::ostream& os, reference r) { return os << r.to_string(); }

}  // namespace otter

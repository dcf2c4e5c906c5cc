// libFuzzer target: otter::parse_term on any bytes.
// Property: a parse error is an otter::parse_error and nothing else; a parsed
// term prints (one line and pretty) and its one-line text parses back to an
// equal term with the same hash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "otter/term_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  otter::term t;
  try {
    t = otter::parse_term(text);
  } catch (const otter::parse_error&) {
    return 0;
  } catch (const otter::system_limit&) {
    return 0;  // the atom table filled up: a reported limit, not a bug
  }
  (void)otter::inspect(t);
  const std::string flat = t.to_string();
  otter::term back = otter::parse_term(flat);
  if (!(back == t) || back.hash() != t.hash()) std::abort();
  return 0;
}

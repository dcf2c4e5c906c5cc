// libFuzzer target: otter::etf::decode on any bytes.
// Property: bad bytes give an otter::etf::decode_error and nothing else; a
// decoded term encodes and decodes again to an equal term.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "otter/etf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  otter::term t;
  try {
    t = otter::etf::decode(bytes);
  } catch (const otter::etf::decode_error&) {
    return 0;
  }
  if (!(otter::etf::decode(otter::etf::encode(t)) == t)) std::abort();
  (void)t.to_string();
  return 0;
}

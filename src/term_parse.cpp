// A recursive-descent parser for Elixir literals (see otter/term_parse.hpp).
#include "otter/term_parse.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "term_text.hpp"

namespace otter {

namespace detail {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

}  // namespace detail

using detail::append_utf8;

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_lower(char c) noexcept { return (c >= 'a' && c <= 'z') || c == '_'; }
bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
bool is_ident_char(char c) noexcept {
  return is_lower(c) || is_upper(c) || is_digit(c) || static_cast<unsigned char>(c) >= 0x80;
}
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Operator atoms that may follow `:` without quotes, longest first so that
// the scan takes `:===` rather than `:==`.
constexpr std::string_view operator_atoms[] = {
    "..//", "<<>>", "===", "!==", "...", "&&&", "<<<", ">>>", "<~>", "+++", "---", "|||", "<<~", "~>>", "<|>",
    "%{}",  "==",   "!=",  "<=",  ">=",  "&&",  "||",  "<>",  "++",  "--",  "..",  "<-",  "->",  "|>",  "=~",
    "**",   "\\\\", "{}",  "<~",  "~>",  "+",   "-",   "*",   "/",   "=",   "<",   ">",   "!",   "&",   "@",
    "^",    "|",    ".",   "%"};

class parser {
 public:
  parser(std::string_view s, const parse_limits& limits) : s_(s), limits_(limits) {}

  term parse_all() {
    skip_blank();
    if (at_end()) fail(i_, "expected a term, got the end of the input", true);
    term t = value();
    skip_blank();
    if (!at_end()) fail(i_, "unexpected " + describe(i_) + " after the term");
    return t;
  }

 private:
  // --- errors ---
  // Line and column (from 1; columns count characters) of byte `at`.
  std::pair<std::size_t, std::size_t> line_col(std::size_t at) const {
    std::size_t line = 1, col = 1;
    for (std::size_t k = 0; k < at && k < s_.size(); ++k) {
      if (s_[k] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(s_[k]) & 0xc0) != 0x80) {
        ++col;
      }
    }
    return {line, col};
  }
  [[noreturn]] void fail(std::size_t at, const std::string& what, bool incomplete = false) const {
    auto [line, col] = line_col(at);
    throw parse_error(line, col, what, incomplete);
  }
  std::string where(std::size_t at) const {
    auto [line, col] = line_col(at);
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
  }
  std::string describe(std::size_t at) const {
    if (at >= s_.size()) return "the end of the input";
    std::size_t n = 1;
    while (at + n < s_.size() && (static_cast<unsigned char>(s_[at + n]) & 0xc0) == 0x80) ++n;
    return "`" + std::string(s_.substr(at, n)) + "`";
  }
  [[noreturn]] void missing(std::string_view closer, std::size_t opened_at, std::string_view opener) const {
    fail(i_, "missing terminator: " + std::string(closer) + " (for `" + std::string(opener) + "` at " +
                 where(opened_at) + ")",
         true);
  }

  // At the start of a container's item: true (and past it) at `closer`.
  bool closes(std::string_view closer, std::size_t open, std::string_view opener) {
    skip_blank();
    if (at_end()) missing(closer, open, opener);
    if (!starts(closer)) return false;
    i_ += closer.size();
    return true;
  }
  // After an item: past a `,` (false: more items) or `closer` (true: done).
  bool item_ends(std::string_view closer, std::size_t open, std::string_view opener, const char* what) {
    skip_blank();
    if (peek() == ',') {
      ++i_;
      return false;
    }
    if (starts(closer)) {
      i_ += closer.size();
      return true;
    }
    if (at_end()) missing(closer, open, opener);
    fail(i_, "expected `,` or `" + std::string(closer) + "` in the " + what + " opened at " + where(open) + ", got " +
                 describe(i_));
  }

  // --- scanning ---
  bool at_end() const noexcept { return i_ >= s_.size(); }
  char peek(std::size_t k = 0) const noexcept { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool starts(std::string_view p) const noexcept { return s_.substr(i_, p.size()) == p; }

  void skip_blank() {
    while (!at_end()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '#' && !starts("#PID<") && !starts("#Reference<")) {
        while (!at_end() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  struct depth_guard {
    parser& p;
    depth_guard(parser& q, std::size_t at) : p(q) {
      if (++p.depth_ > p.limits_.max_depth)
        p.fail(at, "nesting deeper than " + std::to_string(p.limits_.max_depth) + " levels");
    }
    ~depth_guard() { --p.depth_; }
  };

  // --- values ---
  term value() {
    const std::size_t at = i_;
    if (at_end()) fail(i_, "expected a term, got the end of the input", true);
    const char c = peek();
    if (c == '{') return tuple_value();
    if (c == '[') return list_value();
    if (c == '%') {
      if (peek(1) == '{') return map_value();
      fail(at, "expected `%{` (only maps are supported, not structs)");
    }
    if (c == '<' && peek(1) == '<') return binary_value();
    if (c == '"') return term(string_body('"'));
    if (c == '\'') return charlist_body('\'');
    if (c == '~' && peek(1) == 'c' && (peek(2) == '"' || peek(2) == '\'')) {
      i_ += 2;
      return charlist_body(peek());
    }
    if (c == ':') return atom_value();
    if (c == '?') return char_value();
    if (is_digit(c) || ((c == '-' || c == '+') && is_digit(peek(1)))) return number();
    if (starts("#PID<")) return pid_value();
    if (starts("#Reference<")) return reference_value();
    if (is_upper(c)) return alias_value();
    if (is_lower(c) || static_cast<unsigned char>(c) >= 0x80) {
      std::string name = identifier();
      if (name == "true") return term(atoms::true_);
      if (name == "false") return term(atoms::false_);
      if (name == "nil") return term(atoms::nil);
      if (name == "_") return term(atoms::underscore);
      if (peek() == ':') fail(at, "unexpected keyword `" + name + ":` (keywords go inside [] or %{} as the last items)");
      fail(at, "unexpected identifier `" + name + "`: a literal was expected (variables and calls are not literals)");
    }
    fail(at, "unexpected " + describe(at) + ": expected a term");
  }

  std::string identifier() {
    const std::size_t start = i_;
    while (!at_end() && (is_ident_char(peek()) || (i_ > start && peek() == '@'))) ++i_;
    if (peek() == '?' || peek() == '!') ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  // `name:` (followed by anything but a second `:`) or `"quoted":`: returns
  // true and the key, leaving the cursor after the colon.
  bool keyword_key(atom& key) {
    const std::size_t save = i_;
    if (is_lower(peek()) || is_upper(peek()) || static_cast<unsigned char>(peek()) >= 0x80) {
      std::string name = identifier();
      if (peek() == ':' && peek(1) != ':') {
        ++i_;
        key = make_atom(name, save);
        return true;
      }
    } else if (peek() == '"' || peek() == '\'') {
      std::string text = string_body(peek());
      if (peek() == ':' && peek(1) != ':') {
        ++i_;
        key = make_atom(text, save);
        return true;
      }
    } else {
      for (std::string_view op : operator_atoms)  // `+: 1`, `|>: 2`, `%{}: 3`
        if (starts(op) && peek(op.size()) == ':' && peek(op.size() + 1) != ':') {
          i_ += op.size() + 1;
          key = make_atom(op, save);
          return true;
        }
    }
    i_ = save;
    return false;
  }

  // A `key:` at an item of a list or map: true (cursor at its value). Once
  // keywords began (`keywords`), every later item must be one, as in Elixir.
  bool keyword(atom& key, bool& keywords, const char* container) {
    const std::size_t at = i_;
    if (keyword_key(key)) {
      skip_blank();
      keywords = true;
      return true;
    }
    if (keywords)
      fail(at, std::string("expected a keyword (`key: value`): keywords must be the last items of a ") + container);
    return false;
  }

  atom make_atom(std::string_view text, std::size_t at) {
    try {
      return atom(text);
    } catch (const bad_argument& e) {
      fail(at, e.what());
    } catch (const system_limit& e) {
      fail(at, e.what());
    }
  }

  term tuple_value() {
    const std::size_t open = i_;
    depth_guard g(*this, open);
    ++i_;
    std::vector<term> items;
    while (!closes("}", open, "{")) {
      items.push_back(value());
      if (item_ends("}", open, "{", "tuple")) break;
    }
    return term::tuple_of(std::move(items));
  }

  term list_value() {
    const std::size_t open = i_;
    depth_guard g(*this, open);
    ++i_;
    std::vector<term> items;
    term tail;
    bool keywords = false;
    while (!closes("]", open, "[")) {
      atom key = atoms::nil;
      if (keyword(key, keywords, "list")) {
        items.push_back(otter::tuple(key, value()));
      } else {
        items.push_back(value());
      }
      skip_blank();
      if (peek() == '|' && !keywords) {
        ++i_;
        skip_blank();
        tail = value();
        if (!closes("]", open, "["))
          fail(i_, "expected `]` after the tail of the list opened at " + where(open) + ", got " + describe(i_));
        break;
      }
      if (item_ends("]", open, "[", "list")) break;
    }
    return term::list_of(std::move(items), tail);
  }

  term map_value() {
    const std::size_t open = i_;
    depth_guard g(*this, open);
    i_ += 2;
    std::vector<std::pair<term, term>> entries;
    bool keywords = false;
    while (!closes("}", open, "%{")) {
      atom key = atoms::nil;
      if (keyword(key, keywords, "map")) {
        entries.emplace_back(term(key), value());
      } else {
        term k = value();
        skip_blank();
        if (!starts("=>")) {
          if (at_end()) missing("}", open, "%{");
          fail(i_, "expected `=>` after a map key, got " + describe(i_));
        }
        i_ += 2;
        skip_blank();
        entries.emplace_back(std::move(k), value());
      }
      if (item_ends("}", open, "%{", "map")) break;
    }
    return term::map_of(std::move(entries));
  }

  term binary_value() {
    const std::size_t open = i_;
    depth_guard g(*this, open);
    i_ += 2;
    std::string bytes;
    while (!closes(">>", open, "<<")) {
      const std::size_t at = i_;
      if (peek() == '"') {
        bytes += string_body('"');
      } else {
        term v = value();
        if (!v.is_integer() || v.as_int() < 0 || v.as_int() > 255)
          fail(at, "expected a byte (0..255) or a string in a binary, got " + v.to_string());
        bytes.push_back(static_cast<char>(v.as_int()));
      }
      if (item_ends(">>", open, "<<", "binary")) break;
    }
    return term::binary(bytes);
  }

  // One unit of a quoted body's escape: a raw byte (`\xHH`) or a code point.
  struct piece {
    std::uint32_t value;
    bool byte;
  };

  // Reads the escape after a backslash (the cursor is just past it). Returns
  // false for a backslash-newline (a line continuation, which is dropped).
  bool escape(std::size_t esc, piece& out) {
    const char c = s_[i_];
    switch (c) {
      case 'a': ++i_; out = {0x07, false}; return true;
      case 'b': ++i_; out = {0x08, false}; return true;
      case 'd': ++i_; out = {0x7f, false}; return true;
      case 'e': ++i_; out = {0x1b, false}; return true;
      case 'f': ++i_; out = {0x0c, false}; return true;
      case 'n': ++i_; out = {0x0a, false}; return true;
      case 'r': ++i_; out = {0x0d, false}; return true;
      case 's': ++i_; out = {0x20, false}; return true;
      case 't': ++i_; out = {0x09, false}; return true;
      case 'v': ++i_; out = {0x0b, false}; return true;
      case '0': ++i_; out = {0x00, false}; return true;
      case '\n': ++i_; return false;
      case 'x': {
        ++i_;
        if (peek() == '{') {
          out = {braced_hex(esc), false};
          return true;
        }
        std::uint32_t v = 0;
        int n = 0;
        while (n < 2 && hex_value(peek()) >= 0) {
          v = v * 16 + static_cast<std::uint32_t>(hex_value(peek()));
          ++i_;
          ++n;
        }
        if (n == 0) fail(esc, "invalid hex escape: expected `\\xHH` or `\\x{H...}`");
        out = {v, true};
        return true;
      }
      case 'u': {
        ++i_;
        std::uint32_t v = 0;
        if (peek() == '{') {
          v = braced_hex(esc);
        } else {
          for (int n = 0; n < 4; ++n) {
            if (hex_value(peek()) < 0) fail(esc, "invalid unicode escape: expected `\\uHHHH` or `\\u{H...}`");
            v = v * 16 + static_cast<std::uint32_t>(hex_value(peek()));
            ++i_;
          }
        }
        if (v >= 0xd800 && v <= 0xdfff) fail(esc, "invalid unicode code point in escape (a surrogate)");
        out = {v, false};
        return true;
      }
      default:  // \\ \" \' \# and any other character stand for themselves
        out = {plain_codepoint(esc), false};
        return true;
    }
  }

  // Reads one UTF-8 character at the cursor as a code point.
  std::uint32_t plain_codepoint(std::size_t at) {
    auto c = static_cast<unsigned char>(peek());
    const std::size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || i_ + len > s_.size()) fail(at, "invalid UTF-8 in the input");
    std::uint32_t cp = len == 1 ? c : c & (0x7fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto d = static_cast<unsigned char>(s_[i_ + k]);
      if ((d & 0xc0) != 0x80) fail(at, "invalid UTF-8 in the input");
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      fail(at, "invalid UTF-8 in the input");
    i_ += len;
    return cp;
  }

  // Scans a quoted body after the opening `quote` (at the cursor), calling
  // `plain(byte_offset)` for each unescaped character and `escaped(piece)`
  // for each escape. The cursor ends after the closer.
  template <class Plain, class Escaped>
  void quoted(char quote, Plain&& plain, Escaped&& escaped) {
    const std::size_t open = i_;
    ++i_;
    for (;;) {
      if (at_end())
        fail(i_, std::string("missing terminator: ") + quote + " (for the " + (quote == '"' ? "string" : "charlist") +
                     " starting at " + where(open) + ")",
             true);
      const char c = s_[i_];
      if (c == quote) {
        ++i_;
        return;
      }
      if (c == '#' && peek(1) == '{') fail(i_, "interpolation (`#{...}`) is not allowed in a literal");
      if (c != '\\') {
        plain();
        continue;
      }
      const std::size_t esc = i_;
      ++i_;
      if (at_end()) continue;  // reported as a missing terminator
      piece p{};
      if (escape(esc, p)) escaped(p);
    }
  }

  // A string body: the bytes, with escapes as UTF-8 (or as the byte \xHH).
  std::string string_body(char quote) {
    std::string out;
    quoted(
        quote, [&] { out.push_back(s_[i_++]); },
        [&](piece p) {
          if (p.byte)
            out.push_back(static_cast<char>(p.value));
          else
            append_utf8(out, p.value);
        });
    return out;
  }

  // A charlist body: one code point per character; `\xFF` is 255, as in Elixir.
  term charlist_body(char quote) {
    std::vector<term> cps;
    quoted(
        quote, [&] { cps.emplace_back(static_cast<std::int64_t>(plain_codepoint(i_))); },
        [&](piece p) { cps.emplace_back(static_cast<std::int64_t>(p.value)); });
    return term::list_of(std::move(cps));
  }

  std::uint32_t braced_hex(std::size_t esc) {
    ++i_;  // {
    std::uint32_t v = 0;
    int n = 0;
    while (hex_value(peek()) >= 0) {
      v = v * 16 + static_cast<std::uint32_t>(hex_value(peek()));
      ++i_;
      if (++n > 6) fail(esc, "invalid escape: too many hex digits");
    }
    if (n == 0 || peek() != '}') fail(esc, "invalid escape: expected hex digits and `}`");
    ++i_;
    if (v > 0x10ffff) fail(esc, "invalid unicode code point in escape");
    return v;
  }

  term atom_value() {
    const std::size_t at = i_;
    ++i_;  // ':'
    if (peek() == '"' || peek() == '\'') return term(make_atom(string_body(peek()), at));
    if (is_lower(peek()) || is_upper(peek()) || static_cast<unsigned char>(peek()) >= 0x80) {
      std::string name = identifier();
      return term(make_atom(name, at));
    }
    for (std::string_view op : operator_atoms)
      if (starts(op)) {
        i_ += op.size();
        return term(make_atom(op, at));
      }
    fail(at, "expected an atom after `:`, got " + describe(i_));
  }

  term alias_value() {
    const std::size_t at = i_;
    std::string text = "Elixir";
    for (;;) {
      if (!is_upper(peek())) fail(i_, "expected an alias segment (starting with an uppercase letter), got " + describe(i_));
      const std::size_t start = i_;
      while (!at_end() && (is_lower(peek()) || is_upper(peek()) || is_digit(peek()))) ++i_;
      text += ".";
      text.append(s_.substr(start, i_ - start));
      if (peek() == '.' && is_upper(peek(1))) {
        ++i_;
        continue;
      }
      break;
    }
    if (peek() == ':' && peek(1) != ':') fail(at, "unexpected keyword: keywords go inside [] or %{} as the last items");
    // `Elixir` and `Elixir.Foo` name the atoms :Elixir and :"Elixir.Foo".
    if (text == "Elixir.Elixir" || text.substr(0, 14) == "Elixir.Elixir.") text.erase(0, 7);
    return term(make_atom(text, at));
  }

  term char_value() {
    const std::size_t at = i_;
    ++i_;  // ?
    if (at_end()) fail(at, "expected a character after `?`", true);
    if (peek() == '\\') {
      ++i_;
      if (at_end()) fail(at, "expected an escape after `?\\`", true);
      piece p{};
      if (!escape(at, p)) fail(at, "expected a character after `?\\`, got a newline");
      return term(static_cast<std::int64_t>(p.value));
    }
    return term(static_cast<std::int64_t>(plain_codepoint(at)));
  }

  term number() {
    const std::size_t at = i_;
    bool negative = false;
    if (peek() == '-' || peek() == '+') {
      negative = peek() == '-';
      ++i_;
    }
    int base = 10;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'o' || peek(1) == 'b')) {
      base = peek(1) == 'x' ? 16 : peek(1) == 'o' ? 8 : 2;
      i_ += 2;
    }
    std::string digits;
    auto digit_ok = [&](char c) {
      int v = hex_value(c);
      return v >= 0 && v < base;
    };
    auto read_digits = [&](std::string& into) {
      if (!digit_ok(peek())) fail(i_, "expected a digit, got " + describe(i_));
      while (!at_end()) {
        if (digit_ok(peek())) {
          into.push_back(peek());
          ++i_;
        } else if (peek() == '_' && digit_ok(peek(1))) {
          ++i_;
        } else {
          break;
        }
      }
    };
    read_digits(digits);
    bool is_float = false;
    std::string text = digits;
    if (base == 10 && peek() == '.' && is_digit(peek(1))) {
      is_float = true;
      ++i_;
      text.push_back('.');
      read_digits(text);
      if (peek() == 'e' || peek() == 'E') {
        text.push_back('e');
        ++i_;
        if (peek() == '-' || peek() == '+') {
          text.push_back(peek());
          ++i_;
        }
        read_digits(text);
      }
    }
    if (is_ident_char(peek())) fail(i_, "unexpected " + describe(i_) + " after a number");
    if (is_float) {
      // from_chars: locale-independent. Out of range is an overflow (an
      // error) or an underflow, which gives 0.0 as Erlang's parser does.
      double d = 0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), d);
      if (r.ec == std::errc::result_out_of_range) {
        if (!float_underflows(text)) fail(at, "float literal out of range (larger than the largest double)");
        d = 0;
      } else if (r.ec != std::errc() || !std::isfinite(d)) {
        fail(at, "float literal out of range (larger than the largest double)");
      }
      return term(negative ? -d : d);
    }
    // Accumulate as unsigned; -2^63 is the one value whose magnitude exceeds INT64_MAX.
    std::uint64_t v = 0;
    for (char c : digits) {
      const auto d = static_cast<std::uint64_t>(hex_value(c));
      if (v > (UINT64_MAX - d) / static_cast<std::uint64_t>(base)) v = UINT64_MAX;
      else v = v * static_cast<std::uint64_t>(base) + d;
    }
    constexpr std::uint64_t limit = std::uint64_t{1} << 63;
    if ((!negative && v >= limit) || (negative && v > limit))
      fail(at, "integer literal " + std::string(s_.substr(at, i_ - at)) +
                   " does not fit in 64 bits (otter's integers are 64-bit)");
    if (negative) return term(v == limit ? INT64_MIN : -static_cast<std::int64_t>(v));
    return term(static_cast<std::int64_t>(v));
  }

  // Whether digits.digits[e[+-]exp] is too small (rather than too large)
  // for a double: its decimal exponent is negative.
  static bool float_underflows(const std::string& text) {
    const std::size_t dot = text.find('.');
    long exp10 = static_cast<long>(dot) - 1;  // position of the leading digit
    std::size_t lead = 0;
    while (lead < text.size() && (text[lead] == '0' || text[lead] == '.')) ++lead;
    if (lead > dot) exp10 = -static_cast<long>(lead - dot);  // 0.000ddd
    if (const std::size_t e = text.find('e'); e != std::string::npos) {
      long x = 0;
      std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(), x);
      exp10 += x;
    }
    return exp10 < 0;
  }

  std::uint64_t small_number(std::size_t at, const char* what) {
    if (!is_digit(peek())) fail(i_, std::string("expected a number in ") + what + ", got " + describe(i_), at_end());
    std::uint64_t v = 0;
    while (is_digit(peek())) {
      v = v * 10 + static_cast<std::uint64_t>(peek() - '0');
      if (v > UINT32_MAX) fail(at, std::string("a part of ") + what + " does not fit 32 bits");
      ++i_;
    }
    return v;
  }

  void expect(char c, const char* what) {
    if (peek() != c) fail(i_, std::string("expected `") + c + "` in " + what + ", got " + describe(i_), at_end());
    ++i_;
  }

  term pid_value() {
    const std::size_t at = i_;
    i_ += 5;  // #PID<
    std::uint64_t node = small_number(at, "a pid");
    if (node != 0) fail(at, "only local pids (#PID<0.N.S>) can be parsed");
    expect('.', "a pid");
    std::uint64_t number = small_number(at, "a pid");
    expect('.', "a pid");
    std::uint64_t serial = small_number(at, "a pid");
    expect('>', "a pid");
    return term(pid((serial << 32) | number));
  }

  term reference_value() {
    const std::size_t at = i_;
    i_ += 11;  // #Reference<
    std::uint64_t node = small_number(at, "a reference");
    if (node != 0) fail(at, "only local references (#Reference<0.A.B.C>) can be parsed");
    ref_words r;
    for (int k = 2; k >= 0; --k) {
      expect('.', "a reference");
      r.w[k] = static_cast<std::uint32_t>(small_number(at, "a reference"));
    }
    expect('>', "a reference");
    return term(r);
  }

  std::string_view s_;
  const parse_limits& limits_;
  std::size_t i_ = 0;
  std::size_t depth_ = 0;
};

}  // namespace

term parse_term(std::string_view text, const parse_limits& limits) { return parser(text, limits).parse_all(); }

}  // namespace otter

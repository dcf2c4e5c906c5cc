// The shell's lexer (see lexer.hpp): Elixir's tokens, with its escapes,
// sigils, interpolation and newline rules.
#include "lexer.hpp"

#include <charconv>
#include <cmath>
#include <exception>
#include <utility>

#include "term_text.hpp"  // otter's UTF-8 encoder (src/)

namespace otter::shell::detail {

using otter::detail::append_utf8;

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
bool is_letter(char c) noexcept { return is_upper(c) || (c >= 'a' && c <= 'z'); }
bool is_ident_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) noexcept { return is_ident_start(c) || is_upper(c) || is_digit(c); }
bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
int digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct utf8_char {
  std::uint32_t cp;
  std::size_t len;  // 0: not valid UTF-8
};

utf8_char decode_utf8(std::string_view s, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {c, 1};
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((c & 0xe0) == 0xc0) {
    len = 2;
    cp = c & 0x1fu;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3;
    cp = c & 0x0fu;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4;
    cp = c & 0x07u;
  } else {
    return {0, 0};
  }
  if (i + len > s.size()) return {0, 0};
  for (std::size_t k = 1; k < len; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0) != 0x80) return {0, 0};
    cp = (cp << 6) | (d & 0x3fu);
  }
  static constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {0, 0};
  return {cp, len};
}


// The code points of `bytes`; a byte that is not part of valid UTF-8 (from a
// `\xHH` escape) stands for itself, as Elixir's charlists keep such bytes.
std::vector<term> code_points(std::string_view bytes) {
  std::vector<term> out;
  for (std::size_t i = 0; i < bytes.size();) {
    const utf8_char u = decode_utf8(bytes, i);
    if (u.len == 0) {
      out.emplace_back(static_cast<std::int64_t>(static_cast<unsigned char>(bytes[i])));
      ++i;
    } else {
      out.emplace_back(static_cast<std::int64_t>(u.cp));
      i += u.len;
    }
  }
  return out;
}

std::string hex_code_point(std::uint32_t cp) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (int shift = cp > 0xffff ? 20 : 12; shift >= 0; shift -= 4) out.push_back(digits[(cp >> shift) & 0xf]);
  return out;
}

// Operators and punctuation, longest first so that `===` wins over `==`.
constexpr std::string_view operators[] = {
    "===", "!==", "...",  "<<<", ">>>", "&&&", "|||", "^^^", "~~~", "<~>", "<|>", "+++", "---", "<<~", "~>>",
    "==",  "!=",  "=~",   "<=",  ">=",  "->",  "=>",  "<-",  "|>",  "||",  "&&",  "++",  "--",  "<>",  "<<",
    ">>",  "::",  "\\\\", "**",  "..",  "//",  "<~",  "~>",  "%{",  "=",   "<",   ">",   "+",   "-",   "*",
    "/",   "!",   "^",    "&",   "|",   ".",   ",",   "(",   ")",   "[",   "]",   "{",   "}",   "%",   "@"};

// Operator atoms that may follow `:` without quotes, longest first.
constexpr std::string_view operator_atoms[] = {
    "..//", "<<>>", "===", "!==", "...", "&&&",  "<<<", ">>>", "<~>", "+++", "---", "|||", "<<~",
    "~>>",  "<|>",  "%{}", "==",  "!=",  "<=",   ">=",  "&&",  "||",  "<>",  "++",  "--",  "..",
    "<-",   "->",   "|>",  "=~",  "**",  "\\\\", "{}",  "<~",  "~>",  "+",   "-",   "*",   "/",
    "=",    "<",    ">",   "!",   "&",   "@",    "^",   "|",   ".",   "%"};

constexpr std::string_view word_operators[] = {"and", "or", "not", "in", "when"};
constexpr std::string_view reserved_words[] = {"do", "end", "fn", "else", "after", "catch", "rescue"};

template <std::size_t N>
bool one_of(std::string_view s, const std::string_view (&set)[N]) noexcept {
  for (std::string_view x : set)
    if (x == s) return true;
  return false;
}

// A newline after these continues the expression (an operand must follow).
bool continues_after(const token& t) noexcept {
  if (t.kind == tok::keyword || t.kind == tok::interp_open) return true;
  return t.kind == tok::op && t.text != ")" && t.text != "]" && t.text != "}" && t.text != ">>";
}

// A newline before these continues the previous line's expression: they can
// only follow an operand (`+` and `-` can also start one, so they do not).
bool continues_before(const token& t) noexcept {
  static constexpr std::string_view binary_only[] = {
      "|>", "==", "!=", "===", "!==",  "=~",  "<",   ">",   "<=",  ">=",   "&&", "||", "and", "or",  "in",  "not in",
      "*",  "/",  "**", "++",  "--",   "..",  "<>",  "=",   ".",   "when", "|",  "->", "=>",  "<-",  "//",  ",",
      ")",  "]",  "}",  "::",  "\\\\", "<<<", ">>>", "|||", "&&&", "^^^",  "<~", "~>", "<~>", "<|>", "+++", "---"};
  if (t.kind == tok::interp_close) return true;
  return t.kind == tok::op && one_of(t.text, binary_only);
}

// Whether digits.digits[e[+-]exp] (as from_chars got it) is too small,
// rather than too large, for a double: its decimal exponent is negative.
bool float_underflows(const std::string& text) {
  const std::size_t dot = text.find('.');
  long exp10 = static_cast<long>(dot) - 1;  // position of the leading digit
  std::size_t lead = 0;
  while (lead < text.size() && (text[lead] == '0' || text[lead] == '.')) ++lead;
  if (lead > dot) exp10 = -static_cast<long>(lead - dot);  // 0.000ddd
  if (const std::size_t e = text.find('e'); e != std::string::npos) {
    long x = 0;
    const char* first = text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0);
    if (std::from_chars(first, text.data() + text.size(), x).ec == std::errc::result_out_of_range)
      x = *first == '-' ? -1 : 1;
    exp10 += x;
  }
  return exp10 < 0;
}

}  // namespace

atom make_atom(std::string_view text, location where) {
  try {
    return atom(text);
  } catch (const std::exception& e) {
    throw syntax_error(where.line, where.column, std::string("invalid atom: ") + e.what(), false);
  }
}

lexer::lexer(std::string_view src) : src_(src) {
  for (std::size_t i = 0; i < src.size();) {
    const std::size_t len = decode_utf8(src, i).len;
    if (len == 0) {
      while (i_ < i) bump();
      fail(here_, "invalid UTF-8 in the input");
    }
    i += len;
  }
}

const token& lexer::at(std::size_t index) {
  // An eol is handed out only once the token after it is known: that token
  // decides whether the newline ends the expression at all.
  const std::size_t i = index - first_index_;
  while (!done_ && (tokens_.size() <= i || tokens_.back().kind == tok::eol)) produce();
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

void lexer::discard_before(std::size_t index) {
  while (first_index_ < index && tokens_.size() > 1) {
    tokens_.pop_front();
    ++first_index_;
  }
}

void lexer::fail(location at, const std::string& what, bool incomplete) const {
  throw syntax_error(at.line, at.column, what, incomplete);
}

void lexer::bump() {
  const auto c = static_cast<unsigned char>(src_[i_++]);
  if (c == '\n') {
    ++here_.line;
    here_.column = 1;
  } else if ((c & 0xc0) != 0x80) {
    ++here_.column;
  }
}

void lexer::bump(std::size_t n) {
  while (n-- > 0 && !at_end()) bump();
}

char lexer::peek(std::size_t k) const noexcept { return i_ + k < src_.size() ? src_[i_ + k] : '\0'; }

bool lexer::starts(std::string_view s) const noexcept { return src_.substr(i_, s.size()) == s; }

token lexer::make(tok kind, std::size_t begin, location where) const {
  token t;
  t.kind = kind;
  t.begin = begin;
  t.end = i_;
  t.where = where;
  t.space_before = space_;
  t.text = src_.substr(begin, i_ - begin);
  return t;
}

void lexer::push(token t) {
  if (t.kind != tok::eol && !tokens_.empty() && tokens_.back().kind == tok::eol && tokens_.back().text == "\n" &&
      continues_before(t))
    tokens_.pop_back();
  tokens_.push_back(std::move(t));
}

void lexer::produce() {
  skip_space();
  if (at_end()) {
    tokens_.push_back(make(tok::eof, i_, here_));
    done_ = true;
    return;
  }
  const std::size_t b = i_;
  const location w = here_;
  const bool space = space_;
  try {
    lex_token();
  } catch (const syntax_error& e) {
    // Whether this error is the one to report is the parser's call: in
    // `"abc" "` the second string is misplaced whether or not it ends.
    error_ = e;
    token t = make(tok::error, b, w);
    t.space_before = space;
    tokens_.push_back(std::move(t));
    done_ = true;
  }
}

void lexer::raise() const {
  if (error_) throw *error_;
  throw syntax_error(1, 1, "no lexical error to raise", false);
}

void lexer::skip_space() {
  space_ = false;
  while (!at_end()) {
    const char c = src_[i_];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      bump();
    } else if (c == '\n') {
      const location w = here_;
      const std::size_t b = i_;
      bump();
      if (!tokens_.empty() && tokens_.back().kind != tok::eol && !continues_after(tokens_.back())) {
        token t = make(tok::eol, b, w);
        t.end = b + 1;
        t.text = "\n";
        tokens_.push_back(std::move(t));
      }
    } else if (c == '#') {
      while (!at_end() && src_[i_] != '\n') bump();
    } else if (c == '\\' && (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n'))) {
      bump(peek(1) == '\n' ? 2 : 3);
    } else {
      break;
    }
    space_ = true;
  }
}

void lexer::lex_token() {
  const char c = src_[i_];
  const std::size_t b = i_;
  const location w = here_;
  if (is_digit(c)) return lex_number();
  if (is_ident_start(c)) return lex_identifier();
  if (is_upper(c)) return lex_alias();
  if (c == '"' || c == '\'') return lex_quoted(c);
  if (c == ':') return lex_colon();
  if (c == '?') return lex_char();
  if (c == '~' && is_letter(peek(1))) return lex_sigil();
  if (c == ';') {
    bump();
    if (tokens_.empty()) return;
    if (tokens_.back().kind == tok::eol) {
      tokens_.back().text = ";";  // a `;` is never dropped as a newline may be
      return;
    }
    token t = make(tok::eol, b, w);
    t.text = ";";
    return push(std::move(t));
  }
  if (c == '&' && is_digit(peek(1))) {
    bump();
    std::uint64_t n = 0;
    bool overflow = false;
    while (is_digit(peek())) {
      const auto d = static_cast<std::uint64_t>(peek() - '0');
      if (n > (UINT64_MAX - d) / 10)
        overflow = true;
      else
        n = n * 10 + d;
      bump();
    }
    token t = make(tok::capture_arg, b, w);
    t.magnitude = n;
    t.overflow = overflow;
    return push(std::move(t));
  }
  if (c == '}' && !frames_.empty() && frames_.back().interpolation) {
    quote q = std::move(frames_.back().q);
    frames_.pop_back();
    bump();
    push(make(tok::interp_close, b, w));
    return continue_body(std::move(q), true);
  }
  for (std::string_view op : operators) {
    if (!starts(op)) continue;
    bump(op.size());
    token t = make(tok::op, b, w);
    t.text = op;
    push(std::move(t));
    if (op == "{" || op == "%{")
      frames_.push_back(frame{false, quote{}});
    else if (op == "}" && !frames_.empty() && !frames_.back().interpolation)
      frames_.pop_back();
    return;
  }
  const utf8_char u = decode_utf8(src_, i_);
  std::string msg = "unexpected token: ";
  if (u.cp >= 0x20 && u.cp != 0x7f) msg += "\"" + std::string(src_.substr(i_, u.len)) + "\" ";
  fail(w, msg + "(column " + std::to_string(w.column) + ", code point U+" + hex_code_point(u.cp) + ")");
}

void lexer::lex_number() {
  const std::size_t b = i_;
  const location w = here_;
  int base = 10;
  if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'o' || peek(1) == 'b')) {
    const int candidate = peek(1) == 'x' ? 16 : peek(1) == 'o' ? 8 : 2;
    const int d = digit_value(peek(2));
    if (d >= 0 && d < candidate) {
      base = candidate;
      bump(2);
    }
  }
  const auto in_base = [&](char ch) {
    const int d = digit_value(ch);
    return d >= 0 && d < base;
  };
  std::uint64_t magnitude = 0;
  bool overflow = false;
  std::string text;  // the digits without underscores, for from_chars
  const auto digits = [&](bool accumulate) {
    while (!at_end()) {
      const char ch = src_[i_];
      if (in_base(ch)) {
        if (accumulate) {
          const auto d = static_cast<std::uint64_t>(digit_value(ch));
          const auto ubase = static_cast<std::uint64_t>(base);
          if (magnitude > (UINT64_MAX - d) / ubase)
            overflow = true;
          else
            magnitude = magnitude * ubase + d;
        }
        text.push_back(ch);
        bump();
      } else if (ch == '_' && in_base(peek(1))) {
        bump();
      } else {
        break;
      }
    }
  };
  digits(true);
  bool is_float = false;
  if (base == 10 && peek() == '.' && is_digit(peek(1))) {
    is_float = true;
    text.push_back('.');
    bump();
    digits(false);
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '-' || peek(1) == '+') && is_digit(peek(2))))) {
      text.push_back('e');
      bump();
      if (peek() == '-' || peek() == '+') {
        text.push_back(peek());
        bump();
      }
      digits(false);
    }
  }
  if (!at_end() && is_ident_char(src_[i_])) {
    const utf8_char u = decode_utf8(src_, i_);
    fail(here_, "invalid character \"" + std::string(src_.substr(i_, u.len)) + "\" after number " +
                    std::string(src_.substr(b, i_ - b)));
  }
  token t = make(is_float ? tok::literal : tok::integer, b, w);
  if (is_float) {
    double d = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    if (r.ec == std::errc::result_out_of_range && float_underflows(text)) {
      d = 0;  // as Erlang's parser does
    } else if (r.ec != std::errc() || !std::isfinite(d)) {
      fail(w, "invalid float number " + std::string(t.text) + " (out of range)");
    }
    t.value = term(d);
  } else {
    t.magnitude = magnitude;
    t.overflow = overflow;
  }
  push(std::move(t));
}

bool lexer::keyword_follows() const { return peek() == ':' && (i_ + 1 >= src_.size() || is_blank(src_[i_ + 1])); }

void lexer::lex_identifier() {
  const std::size_t b = i_;
  const location w = here_;
  while (!at_end() && is_ident_char(src_[i_])) bump();
  if (peek() == '?' || peek() == '!') bump();
  const std::string_view text = src_.substr(b, i_ - b);
  // After a dot every word is a function name: `x.fn`, `Kernel.and(a, b)`.
  const bool after_dot = !tokens_.empty() && tokens_.back().kind == tok::op && tokens_.back().text == ".";
  if (!after_dot && peek() == ':' && peek(1) != ':') {
    if (!keyword_follows()) fail(w, "keyword argument must be followed by space after: " + std::string(text) + ":");
    bump();
    token t = make(tok::keyword, b, w);
    t.value = term(make_atom(text, w));
    return push(std::move(t));
  }
  if (!after_dot) {
    if (text == "not") {
      std::size_t j = i_;
      while (j < src_.size() && (src_[j] == ' ' || src_[j] == '\t')) ++j;
      if (src_.substr(j, 2) == "in" && (j + 2 >= src_.size() || !is_ident_char(src_[j + 2]))) {
        bump(j + 2 - i_);
        token t = make(tok::op, b, w);
        t.text = "not in";
        return push(std::move(t));
      }
    }
    if (one_of(text, word_operators)) return push(make(tok::op, b, w));
    if (one_of(text, reserved_words)) return push(make(tok::reserved, b, w));
    if (text == "true" || text == "false" || text == "nil") {
      token t = make(tok::literal, b, w);
      t.value = term(text == "true" ? atoms::true_ : text == "false" ? atoms::false_ : atoms::nil);
      return push(std::move(t));
    }
  }
  push(make(tok::identifier, b, w));
}

void lexer::lex_alias() {
  const std::size_t b = i_;
  const location w = here_;
  const auto segment = [&] {
    while (!at_end() && (is_letter(src_[i_]) || is_digit(src_[i_]) || src_[i_] == '_')) bump();
  };
  segment();
  std::size_t segments = 1;
  while (peek() == '.' && is_upper(peek(1))) {
    bump();
    segment();
    ++segments;
  }
  if (!at_end() && static_cast<unsigned char>(src_[i_]) >= 0x80)
    fail(here_, "invalid character in an alias (aliases are made of ASCII letters, digits and _)");
  const std::string_view text = src_.substr(b, i_ - b);
  if (segments == 1 && peek() == ':' && peek(1) != ':') {
    if (!keyword_follows()) fail(w, "keyword argument must be followed by space after: " + std::string(text) + ":");
    bump();
    token t = make(tok::keyword, b, w);
    t.value = term(make_atom(text, w));
    return push(std::move(t));
  }
  token t = make(tok::alias, b, w);
  // `Elixir` and `Elixir.Foo` already name :Elixir and :"Elixir.Foo".
  const bool rooted = text == "Elixir" || text.starts_with("Elixir.");
  t.value = term(make_atom(rooted ? std::string(text) : "Elixir." + std::string(text), w));
  push(std::move(t));
}

void lexer::lex_colon() {
  const std::size_t b = i_;
  const location w = here_;
  if (peek(1) == ':') {
    bump(2);
    token t = make(tok::op, b, w);
    t.text = "::";
    return push(std::move(t));
  }
  std::string text;
  if (peek(1) == '"' || peek(1) == '\'') {
    bump();
    const char qc = peek();
    if (peek(1) == qc && peek(2) == qc) fail(here_, "heredocs are not supported by this shell");
    // Read as a string (interpolation included) that makes an atom: the
    // parser sees string_begin with text starting with ':'.
    quote q{qc, true, interp::yes, false, "quoted atom", 0, w, b};
    bump();
    continue_body(std::move(q), false);
    return;
  } else if (is_ident_start(peek(1)) || is_upper(peek(1))) {
    bump();
    while (!at_end() && (is_ident_char(src_[i_]) || src_[i_] == '@')) bump();
    if (peek() == '?' || peek() == '!') bump();
    text = src_.substr(b + 1, i_ - b - 1);
  } else {
    for (std::string_view op : operator_atoms) {
      if (src_.substr(i_ + 1, op.size()) != op) continue;
      bump(op.size() + 1);
      text = op;
      break;
    }
    if (i_ == b) {
      if (i_ + 1 >= src_.size()) fail(w, "unexpected end of input after \":\"", true);
      fail(w, "unexpected token: \":\" (column " + std::to_string(w.column) + ", code point U+003A)");
    }
  }
  token t = make(tok::literal, b, w);
  t.value = term(make_atom(text, w));
  push(std::move(t));
}

void lexer::lex_char() {
  const std::size_t b = i_;
  const location w = here_;
  bump();
  if (at_end()) fail(here_, "missing character after ?", true);
  std::uint32_t cp = 0;
  if (peek() == '\\') {
    bump();
    if (at_end()) fail(here_, "missing escape after ?\\", true);
    piece p{};
    if (!escape(w, p)) fail(w, "invalid character literal: ?\\ followed by a newline");
    cp = p.value;
  } else {
    const utf8_char u = decode_utf8(src_, i_);
    cp = u.cp;
    bump(u.len);
  }
  token t = make(tok::integer, b, w);
  t.magnitude = cp;
  push(std::move(t));
}

void lexer::lex_quoted(char quote_char) {
  if (peek(1) == quote_char && peek(2) == quote_char) fail(here_, "heredocs are not supported by this shell");
  const bool string = quote_char == '"';
  quote q{quote_char, true, string ? interp::yes : interp::rejected, !string, string ? "string" : "charlist", 0,
          here_,      i_};
  bump();
  continue_body(std::move(q), false);
}

void lexer::lex_sigil() {
  const std::size_t b = i_;
  const location w = here_;
  const char letter = peek(1);
  if (std::string_view("sScCwW").find(letter) == std::string_view::npos)
    fail(w, std::string("sigil ~") + letter + " is not supported by this shell (~s, ~c, ~w, ~S, ~C and ~W are)");
  bump(2);
  if (at_end()) fail(here_, std::string("missing delimiter for sigil ~") + letter, true);
  static constexpr std::string_view openers = "([{<\"'/|", closers = ")]}>\"'/|";
  const std::size_t k = openers.find(peek());
  if (k == std::string_view::npos) {
    const utf8_char u = decode_utf8(src_, i_);
    fail(here_,
         "invalid sigil delimiter: \"" + std::string(src_.substr(i_, u.len)) + "\" (expected one of ( [ { < \" ' / |)");
  }
  if ((peek() == '"' || peek() == '\'') && peek(1) == peek() && peek(2) == peek())
    fail(here_, "heredocs are not supported by this shell");
  const bool lower = letter >= 'a';
  quote q{closers[k],
          lower,
          letter == 's' ? interp::yes
          : lower       ? interp::rejected
                        : interp::literal,
          letter == 'c' || letter == 'C',
          std::string("sigil ~") + letter,
          letter,
          w,
          b};
  bump();
  continue_body(std::move(q), false);
}

void lexer::continue_body(quote q, bool started) {
  const std::size_t part_begin = i_;
  const location part_at = here_;
  std::string bytes;
  std::vector<term> cps;
  const body_end e = scan_body(q, bytes, cps);
  if (!started && e == body_end::closed) {
    token t = make(tok::literal, q.start_offset, q.start);
    if (q.sigil != 0) {
      t.value = sigil_value(q, bytes, cps);
    } else if (q.what == "quoted atom") {
      t.value = term(make_atom(bytes, q.start));
    } else if (keyword_follows()) {  // `"quoted key": value`
      t.kind = tok::keyword;
      bump();
      std::string key;
      if (q.code_points)
        for (const term& cp : cps) append_utf8(key, static_cast<std::uint32_t>(cp.as_int()));
      t.value = term(make_atom(q.code_points ? key : bytes, q.start));
    } else {
      t.value = q.code_points ? term::list_of(std::move(cps)) : term(bytes);
    }
    t.end = i_;
    t.text = src_.substr(t.begin, t.end - t.begin);
    return push(std::move(t));
  }
  if (!started) {
    token sb = make(tok::string_begin, q.start_offset, q.start);
    sb.end = part_begin;
    sb.text = src_.substr(q.start_offset, part_begin - q.start_offset);
    push(std::move(sb));
  }
  token part = make(tok::string_part, part_begin, part_at);
  part.space_before = false;
  part.value = term(bytes);
  push(std::move(part));
  if (e == body_end::closed) {
    if (q.sigil != 0 && is_letter(peek())) fail(here_, std::string("sigil ~") + q.sigil + " takes no modifiers");
    token end = make(tok::string_end, i_ - 1, here_);
    end.space_before = false;
    return push(std::move(end));
  }
  const std::size_t b = i_;
  const location w = here_;
  bump(2);  // #{
  token open = make(tok::interp_open, b, w);
  open.space_before = false;
  push(std::move(open));
  frames_.push_back(frame{true, std::move(q)});
}

lexer::body_end lexer::scan_body(const quote& q, std::string& bytes, std::vector<term>& cps) {
  const auto add = [&](std::uint32_t cp) {
    if (q.code_points)
      cps.emplace_back(static_cast<std::int64_t>(cp));
    else
      append_utf8(bytes, cp);
  };
  for (;;) {
    if (at_end())
      fail(here_,
           std::string("missing terminator: ") + q.closer + " (for " + q.what + " starting at line " +
               std::to_string(q.start.line) + ")",
           true);
    const char c = src_[i_];
    if (c == q.closer) {
      bump();
      return body_end::closed;
    }
    if (c == '#' && peek(1) == '{' && q.interpolation != interp::literal) {
      if (q.interpolation == interp::rejected)
        fail(here_, "interpolation (#{...}) in a " + q.what + " is not supported by this shell");
      return body_end::interpolation;
    }
    if (c == '\\' && !q.escapes) {  // uppercase sigils: only the closing delimiter is escaped
      bump();
      if (peek() == q.closer && !at_end()) {
        add(static_cast<unsigned char>(q.closer));
        bump();
      } else {
        add('\\');
      }
      continue;
    }
    if (c == '\\') {
      const location at = here_;
      bump();
      if (at_end()) continue;  // reported as the missing terminator
      piece p{};
      if (!escape(at, p)) continue;
      if (q.code_points || !p.byte)
        add(p.value);
      else
        bytes.push_back(static_cast<char>(p.value));
      continue;
    }
    if (q.code_points) {
      const utf8_char u = decode_utf8(src_, i_);
      add(u.cp);
      bump(u.len);
    } else {
      bytes.push_back(c);
      bump();
    }
  }
}

bool lexer::escape(location at, piece& out) {
  const char c = src_[i_];
  const auto simple = [&](std::uint32_t v) {
    bump();
    out = {v, false};
    return true;
  };
  switch (c) {
    case 'a': return simple(0x07);
    case 'b': return simple(0x08);
    case 'd': return simple(0x7f);
    case 'e': return simple(0x1b);
    case 'f': return simple(0x0c);
    case 'n': return simple(0x0a);
    case 'r': return simple(0x0d);
    case 's': return simple(0x20);
    case 't': return simple(0x09);
    case 'v': return simple(0x0b);
    case '0': return simple(0x00);
    case '\n': bump(); return false;  // a line continuation
    case 'x': {
      bump();
      if (peek() == '{') {
        out = {braced_hex(at), false};
        return true;
      }
      std::uint32_t v = 0;
      int n = 0;
      while (n < 2 && digit_value(peek()) >= 0) {
        v = v * 16 + static_cast<std::uint32_t>(digit_value(peek()));
        bump();
        ++n;
      }
      if (n == 0) fail(at, "invalid hex escape: expected \\xHH or \\x{H...}");
      out = {v, true};
      return true;
    }
    case 'u': {
      bump();
      std::uint32_t v = 0;
      if (peek() == '{') {
        v = braced_hex(at);
      } else {
        for (int n = 0; n < 4; ++n) {
          if (digit_value(peek()) < 0) fail(at, "invalid unicode escape: expected \\uHHHH or \\u{H...}");
          v = v * 16 + static_cast<std::uint32_t>(digit_value(peek()));
          bump();
        }
      }
      if (v >= 0xd800 && v <= 0xdfff) fail(at, "invalid unicode escape: a surrogate code point");
      out = {v, false};
      return true;
    }
    default: {  // \\ \" \' \# and any other character stand for themselves
      const utf8_char u = decode_utf8(src_, i_);
      bump(u.len);
      out = {u.cp, false};
      return true;
    }
  }
}

std::uint32_t lexer::braced_hex(location at) {
  bump();  // {
  std::uint32_t v = 0;
  int n = 0;
  while (digit_value(peek()) >= 0) {
    v = v * 16 + static_cast<std::uint32_t>(digit_value(peek()));
    bump();
    if (++n > 6) fail(at, "invalid escape: too many hex digits");
  }
  if (n == 0 || peek() != '}') fail(at, "invalid escape: expected hex digits and }");
  bump();
  if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) fail(at, "invalid escape: not a unicode code point");
  return v;
}

term lexer::sigil_value(const quote& q, std::string& bytes, std::vector<term>& cps) {
  const std::size_t mods_begin = i_;
  const location mods_at = here_;
  while (is_letter(peek())) bump();
  const std::string_view mods = src_.substr(mods_begin, i_ - mods_begin);
  const char kind = static_cast<char>(q.sigil | 0x20);  // the lowercase letter
  if (kind != 'w' && !mods.empty()) fail(mods_at, std::string("sigil ~") + q.sigil + " takes no modifiers");
  if (kind == 's') return term(bytes);
  if (kind == 'c') return term::list_of(std::move(cps));
  if (mods.size() > 1 || (mods.size() == 1 && std::string_view("acs").find(mods[0]) == std::string_view::npos))
    fail(mods_at, std::string("invalid modifier for sigil ~") + q.sigil + ": " + std::string(mods) +
                      " (one of a, c and s is allowed)");
  const char as = mods.empty() ? 's' : mods[0];
  std::vector<term> words;
  std::string_view rest = bytes;
  for (;;) {
    std::size_t k = 0;
    while (k < rest.size() && (is_blank(rest[k]) || rest[k] == '\f' || rest[k] == '\v')) ++k;
    rest.remove_prefix(k);
    if (rest.empty()) break;
    std::size_t n = 0;
    while (n < rest.size() && !is_blank(rest[n]) && rest[n] != '\f' && rest[n] != '\v') ++n;
    const std::string_view word = rest.substr(0, n);
    if (as == 'a')
      words.emplace_back(make_atom(word, q.start));
    else if (as == 'c')
      words.emplace_back(term::list_of(code_points(word)));
    else
      words.emplace_back(word);
    rest.remove_prefix(n);
  }
  return term::list_of(std::move(words));
}

}  // namespace otter::shell::detail

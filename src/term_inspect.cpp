// Printing terms as Elixir 1.14's Inspect does (see otter::inspect).
//
// Each kind builds the document its Inspect implementation builds
// (Inspect.List, Inspect.Tuple, Inspect.Map, Inspect.BitString, ...), and
// doc_arena lays it out with Elixir's algorithm, so line breaks fall where
// iex puts them. The rules were checked against Elixir 1.14 / OTP 25 (see
// tests/term_inspect_test.cpp, whose expected strings come from it).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "doc_algebra.hpp"
#include "term_block.hpp"
#include "term_text.hpp"

namespace otter {

namespace detail {

namespace {

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 if invalid.
std::size_t utf8_next(std::string_view s, std::size_t i, std::uint32_t& cp) noexcept {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 1 ? c : c & (0x7fu >> len);
  for (std::size_t k = 1; k < len; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  static constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

// The control characters Elixir prints as escapes: \a \b \t \n \v \f \r \e \d.
char escape_letter(std::uint32_t cp) noexcept {
  switch (cp) {
    case 0x07: return 'a';
    case 0x08: return 'b';
    case 0x09: return 't';
    case 0x0a: return 'n';
    case 0x0b: return 'v';
    case 0x0c: return 'f';
    case 0x0d: return 'r';
    case 0x1b: return 'e';
    case 0x7f: return 'd';
    default: return 0;
  }
}

}  // namespace

bool printable_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    std::size_t n = utf8_next(s, i, cp);
    if (n == 0) return false;
    bool ok = (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
              (cp >= 0x10000 && cp <= 0x10ffff) || escape_letter(cp) != 0;
    if (!ok) return false;
    i += n;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view s, char quote) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == quote || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '#' && i + 1 < s.size() && s[i + 1] == '{') {
      out.append("\\#");
    } else if (char e = escape_letter(static_cast<unsigned char>(c))) {
      out.push_back('\\');
      out.push_back(e);
    } else {
      out.push_back(c);
    }
  }
}

namespace {

bool ascii_letter(unsigned char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

// Letters outside ASCII that Elixir accepts in identifiers: an
// approximation of Unicode's ID_Start by script blocks (Latin, Greek,
// Cyrillic, Armenian, Hebrew, Arabic, Devanagari, kana, CJK, Hangul).
bool unicode_letter(std::uint32_t cp) noexcept {
  return cp == 0xaa || cp == 0xb5 || cp == 0xba || (cp >= 0xc0 && cp <= 0xd6) || (cp >= 0xd8 && cp <= 0xf6) ||
         (cp >= 0xf8 && cp <= 0x2ff) || (cp >= 0x370 && cp <= 0x3ff && cp != 0x37e && cp != 0x387) ||
         (cp >= 0x400 && cp <= 0x52f) || (cp >= 0x531 && cp <= 0x587) || (cp >= 0x5d0 && cp <= 0x5ea) ||
         (cp >= 0x620 && cp <= 0x64a) || (cp >= 0x904 && cp <= 0x939) || (cp >= 0x1100 && cp <= 0x11ff) ||
         (cp >= 0x3041 && cp <= 0x30ff && cp != 0x30fb) || (cp >= 0x3400 && cp <= 0x4dbf) ||
         (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3);
}

// An identifier as Elixir's tokenizer reads one: a letter or _, then
// letters, digits, _ and @, then at most one ? or !.
bool is_identifier(std::string_view s) noexcept {
  if (s.empty()) return false;
  std::size_t i = 0;
  bool first = true;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (ascii_letter(c) || c == '_' || (!first && (ascii_digit(c) || c == '@'))) {
        ++i;
      } else if (!first && (c == '?' || c == '!') && i + 1 == s.size()) {
        return true;
      } else {
        return false;
      }
    } else {
      std::uint32_t cp = 0;
      std::size_t n = utf8_next(s, i, cp);
      if (n == 0 || !unicode_letter(cp)) return false;
      i += n;
    }
    first = false;
  }
  return true;
}

// Atoms that print bare after the colon though they are no identifiers:
// Elixir's operators and special forms (as Elixir 1.14 prints them).
bool is_bare_operator(std::string_view s) noexcept {
  static constexpr std::string_view ops[] = {
      "+",   "-",   "*",   "/",   "=",   "==",  "!=",  "===", "!==", "<",   ">",   "<=",  ">=",  "&&",
      "||",  "!",   "<>",  "++",  "--",  "..",  "...", "<-",  "->",  "|>",  "=~",  "**",  "\\\\", "&",
      "@",   "^",   "|",   ".",   "%",   "%{}", "{}",  "<<>>", "..//", "&&&", "<<<", ">>>", "<~>", "+++",
      "---", "|||", "<<~", "~>>", "<~",  "~>",  "<|>"};
  for (std::string_view op : ops)
    if (s == op) return true;
  return false;
}

// "Elixir" or "Elixir.A.B" with each segment [A-Z][A-Za-z0-9_]*.
bool is_elixir_alias(std::string_view s) noexcept {
  if (s == "Elixir") return true;
  if (s.substr(0, 7) != "Elixir.") return false;
  std::size_t i = 7;
  for (;;) {
    if (i >= s.size() || !(s[i] >= 'A' && s[i] <= 'Z')) return false;
    ++i;
    while (i < s.size() && (ascii_letter(static_cast<unsigned char>(s[i])) ||
                            ascii_digit(static_cast<unsigned char>(s[i])) || s[i] == '_'))
      ++i;
    if (i == s.size()) return true;
    if (s[i] != '.') return false;
    ++i;
  }
}

}  // namespace

bool atom_needs_no_quotes(std::string_view s) noexcept { return is_identifier(s) || is_bare_operator(s); }

std::string atom_literal(atom a) {
  std::string_view s = a.text();
  if (a == atoms::true_ || a == atoms::false_ || a == atoms::nil) return std::string(s);
  if (is_elixir_alias(s)) {
    if (s == "Elixir" || s == "Elixir.Elixir" || s.substr(0, 14) == "Elixir.Elixir.") return std::string(s);
    return std::string(s.substr(7));
  }
  std::string out = ":";
  if (atom_needs_no_quotes(s)) {
    out.append(s);
  } else {
    out.push_back('"');
    append_escaped(out, s, '"');
    out.push_back('"');
  }
  return out;
}

std::string atom_key(atom a) {
  std::string_view s = a.text();
  std::string out;
  if (a == atoms::true_ || a == atoms::false_ || a == atoms::nil || (!is_elixir_alias(s) && atom_needs_no_quotes(s))) {
    out.append(s);
  } else {
    out.push_back('"');
    append_escaped(out, s, '"');
    out.push_back('"');
  }
  out.push_back(':');
  return out;
}

std::string format_float(double d) {
  // Elixir's Inspect.Float: integral values in [1, 1e16) print as the
  // integer plus ".0"; everything else as Erlang's shortest round-trip form
  // (io_lib_format:fwrite_g/1), choosing plain or e-notation by length.
  const double a = d < 0 ? -d : d;
  char buf[64];
  if (a >= 1.0 && a < 1.0e16 && static_cast<double>(static_cast<std::int64_t>(a)) == a) {
    std::snprintf(buf, sizeof buf, "%lld.0", static_cast<long long>(d));
    return buf;
  }
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  auto r = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));  // d[.ddd]e±XX
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.') digits.push_back(c);
  int exp10 = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp10);
  const long len = static_cast<long>(digits.size());
  const long place = exp10 + 1;  // value = 0.DIGITS x 10^place
  std::string out = d < 0 ? "-" : "";
  auto with_exp = [&] {
    out.push_back(digits[0]);
    out.push_back('.');
    if (len == 1)
      out.push_back('0');
    else
      out.append(digits, 1);
    out += "e" + std::to_string(place - 1);
  };
  if (place == 0) {
    out += "0." + digits;
  } else if (place < 0 || place >= len) {
    const std::string exp_text = std::to_string(place - 1);
    const long exp_cost = static_cast<long>(exp_text.size()) + 1 + (len == 1 ? 2 : 1);
    if (place < 0) {
      if (2 - place <= exp_cost)
        out += "0." + std::string(static_cast<std::size_t>(-place), '0') + digits;
      else
        with_exp();
    } else if (place - len + 2 <= exp_cost && a < 9007199254740992.0) {
      out += digits + std::string(static_cast<std::size_t>(place - len), '0') + ".0";
    } else {
      with_exp();
    }
  } else {
    out += digits.substr(0, static_cast<std::size_t>(place)) + "." + digits.substr(static_cast<std::size_t>(place));
  }
  return out;
}

namespace {

using doc = doc_arena::doc;
constexpr long infinity = -1;

long decrement(long limit) { return limit == infinity ? infinity : limit - 1; }

class printer {
 public:
  explicit printer(doc_arena& a) : a_(a) {}

  doc to_doc(const term& t, long limit) {
    switch (t.kind()) {
      case term_kind::integer: return a_.text(std::to_string(t.as_int()));
      case term_kind::float_: return a_.text(format_float(t.as_float()));
      case term_kind::atom: return a_.text(atom_literal(t.as_atom()));
      case term_kind::reference: {
        ref_words r = t.as_ref_words();
        return a_.text("#Reference<0." + std::to_string(r.w[2]) + "." + std::to_string(r.w[1]) + "." +
                       std::to_string(r.w[0]) + ">");
      }
      case term_kind::pid: return a_.text(t.as_pid().to_string());
      case term_kind::tuple: return tuple_doc(t, limit);
      case term_kind::map: return map_doc(t, limit);
      case term_kind::nil: return a_.text("[]");
      case term_kind::list: return list_doc(t, limit);
      case term_kind::binary: return binary_doc(t.as_binary(), limit);
    }
    return doc_arena::nil;
  }

 private:
  enum class brk { maybe, strict, flex };

  doc join(doc l, doc r, bool flex, std::string_view sep) {
    if (l == doc_arena::nil) return r;
    if (r == doc_arena::nil) return l;
    return flex ? a_.flex_glue(a_.concat(l, a_.text(sep)), " ", r) : a_.glue(a_.concat(l, a_.text(sep)), " ", r);
  }

  // Inspect.Algebra.container_doc/6. `item(i, limit)` builds item i.
  template <class Item>
  doc container(std::string_view left, std::size_t n, const term* improper_tail, std::string_view right, long limit,
                brk mode, Item&& item) {
    if (n == 0) return a_.text(std::string(left) + std::string(right));
    std::vector<doc> docs;
    bool simple = mode == brk::maybe;
    for (std::size_t i = 0; i < n; ++i) {
      if (limit == 0) {
        docs.push_back(a_.text("..."));
        break;
      }
      limit = decrement(limit);
      if (improper_tail && i + 1 == n) {
        doc l = item(i, limit);
        doc r = to_doc(*improper_tail, limit);
        simple = simple && a_.simple(l) && a_.simple(r);
        docs.push_back(join(l, r, simple, " |"));
        break;
      }
      doc d = item(i, limit);
      simple = simple && a_.simple(d);
      docs.push_back(d);
    }
    const bool flex = simple || mode == brk::flex;
    doc folded = docs.back();
    for (std::size_t i = docs.size() - 1; i-- > 0;) folded = join(docs[i], folded, flex, ",");
    if (flex) return a_.group(a_.concat(a_.concat(a_.text(left), a_.nest(folded, 1)), a_.text(right)));
    return a_.group(a_.glue(a_.nest(a_.glue(a_.text(left), "", folded), 2), "", a_.text(right)));
  }

  doc tuple_doc(const term& t, long limit) {
    auto e = t.elements();
    return container("{", e.size(), nullptr, "}", limit, brk::flex,
                     [&](std::size_t i, long l) { return to_doc(e[i], l); });
  }

  static bool keyword_pair(const term& e) {
    if (!e.is_tuple() || e.elements().size() != 2 || !e[0].is_atom()) return false;
    return e[0].as_atom().text().substr(0, 7) != "Elixir.";
  }

  doc keyword_item(const term& key, const term& value, long limit) {
    return a_.concat(a_.text(atom_key(key.as_atom())), a_.concat(a_.text(" "), to_doc(value, limit)));
  }

  doc list_doc(const term& t, long limit) {
    auto e = t.elements();
    const term& tail = t.list_tail();
    const bool proper = tail.is_empty_list();
    if (proper) {
      bool printable = true;
      for (const term& c : e) {
        if (!c.is_integer()) {
          printable = false;
          break;
        }
        // Elixir's List.ascii_printable?: 7..13, 27 and 32..126.
        const std::int64_t v = c.as_int();
        if (!((v >= 0x20 && v <= 0x7e) || (v >= 0x07 && v <= 0x0d) || v == 0x1b)) {
          printable = false;
          break;
        }
      }
      if (printable) {
        std::string s;
        for (const term& c : e) s.push_back(static_cast<char>(c.as_int()));
        std::string out = "'";
        append_escaped(out, s, '\'');
        out.push_back('\'');
        return a_.text(out);
      }
      bool keyword = true;
      for (const term& c : e)
        if (!keyword_pair(c)) {
          keyword = false;
          break;
        }
      if (keyword)
        return container("[", e.size(), nullptr, "]", limit, brk::strict,
                         [&](std::size_t i, long l) { return keyword_item(e[i][0], e[i][1], l); });
    }
    return container("[", e.size(), proper ? nullptr : &tail, "]", limit, brk::maybe,
                     [&](std::size_t i, long l) { return to_doc(e[i], l); });
  }

  doc map_doc(const term& t, long limit) {
    const std::size_t n = t.size();
    if (doc d = struct_doc(t, limit); d != doc_arena::nil) return d;
    bool keyword = true;
    for (std::size_t i = 0; i < n && keyword; ++i)
      keyword = t.map_key(i).is_atom() && t.map_key(i).as_atom().text().substr(0, 7) != "Elixir.";
    if (keyword)
      return container("%{", n, nullptr, "}", limit, brk::strict,
                       [&](std::size_t i, long l) { return keyword_item(t.map_key(i), t.map_value(i), l); });
    return container("%{", n, nullptr, "}", limit, brk::strict, [&](std::size_t i, long l) {
      return a_.concat(a_.concat(to_doc(t.map_key(i), l), a_.text(" => ")), to_doc(t.map_value(i), l));
    });
  }

  // A struct, as Elixir shows one: a map whose keys are atoms, one of them
  // :__struct__ naming an Elixir module, prints as %Module{key: value, ...}
  // (%Task{...}). nil if `t` is no such map.
  doc struct_doc(const term& t, long limit) {
    static const atom struct_key("__struct__");
    const std::size_t n = t.size();
    std::optional<std::size_t> at;
    for (std::size_t i = 0; i < n; ++i) {
      if (!t.map_key(i).is_atom()) return doc_arena::nil;
      if (t.map_key(i).is_atom(struct_key)) at = i;
    }
    if (!at || !t.map_value(*at).is_atom()) return doc_arena::nil;
    const std::string_view module = t.map_value(*at).as_atom().text();
    if (!module.starts_with("Elixir.") || module.size() == 7) return doc_arena::nil;
    std::vector<std::size_t> fields;
    for (std::size_t i = 0; i < n; ++i)
      if (i != *at) fields.push_back(i);
    return container("%" + std::string(module.substr(7)) + "{", fields.size(), nullptr, "}", limit, brk::strict,
                     [&](std::size_t i, long l) { return keyword_item(t.map_key(fields[i]), t.map_value(fields[i]), l); });
  }

  doc binary_doc(std::string_view bytes, long limit) {
    if (printable_utf8(bytes)) {
      std::string out = "\"";
      append_escaped(out, bytes, '"');
      out.push_back('"');
      return a_.text(out);
    }
    // Inspect.BitString's each_bit: "1," flex " " "2," ... ; "..." at the limit.
    doc inner = doc_arena::nil;
    std::vector<doc> parts;
    long counter = limit;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (counter == 0) {
        parts.push_back(a_.text("..."));
        break;
      }
      const std::string num = std::to_string(static_cast<unsigned char>(bytes[i]));
      parts.push_back(a_.text(i + 1 == bytes.size() ? num : num + ","));
      counter = decrement(counter);
    }
    for (std::size_t i = parts.size(); i-- > 0;) inner = inner == doc_arena::nil ? parts[i] : a_.flex_glue(parts[i], " ", inner);
    return a_.group(a_.concat(a_.concat(a_.text("<<"), a_.nest(inner, 2)), a_.text(">>")));
  }

  doc_arena& a_;
};

}  // namespace

}  // namespace detail

std::string inspect(const term& t, const inspect_options& options) {
  detail::doc_arena arena;
  detail::printer p(arena);
  const long limit = options.limit == 0 ? detail::infinity : static_cast<long>(options.limit);
  auto d = p.to_doc(t, limit);
  return arena.format(d, options.width);
}

std::string term::to_string() const { return inspect(*this, inspect_options{0, 0}); }

}  // namespace otter

// Internal: Elixir's document algebra (Inspect.Algebra), enough of it to lay
// terms out exactly as iex does.
//
// A document is a tree of nodes in one arena: text, concatenation, nesting,
// breaks (strict: all break or none in a group; flex: each decides for
// itself) and groups. `format` is Elixir's `format/2` (after Lindig's
// "Strictly Pretty", with Elixir's changes): a group is laid out flat when it
// fits the line, and otherwise its strict breaks become newlines; a flex
// break becomes a newline only when what follows it up to the next break
// does not fit. Widths are counted in bytes, as Elixir counts the binaries
// that Inspect produces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otter::detail {

class doc_arena {
 public:
  using doc = std::int32_t;
  static constexpr doc nil = 0;

  doc_arena() { nodes_.push_back(node{op::nil, false, 0, 0, 0, 0, 0}); }

  doc text(std::string_view s);
  doc concat(doc a, doc b);
  doc concat(doc a, doc b, doc c) { return concat(concat(a, b), c); }
  doc nest(doc a, std::int32_t indent);
  doc strict_break(std::string_view s = " ");
  doc flex_break(std::string_view s = " ");
  doc group(doc a);
  /// glue: a, a strict break, b.
  doc glue(doc a, std::string_view brk, doc b) { return concat(a, concat(strict_break(brk), b)); }
  doc flex_glue(doc a, std::string_view brk, doc b) { return concat(a, concat(flex_break(brk), b)); }

  /// Whether `d` is text only (Elixir's `simple?`): a container of simple
  /// documents may fill its lines (flex) instead of one item per line.
  bool simple(doc d) const;

  /// Lays `root` out in `width` columns (0: no line breaks at all).
  std::string format(doc root, std::size_t width) const;

 private:
  enum class op : std::uint8_t { nil, text, cons, nest, brk, group };
  struct node {
    op kind;
    bool flex;
    std::int32_t indent;
    doc a, b;
    std::uint32_t off, len;  // text and break strings, in buf_
  };
  enum class mode : std::uint8_t { flat, brk };
  struct entry {
    std::int32_t indent;
    mode m;
    doc d;
  };

  doc add(node n) {
    nodes_.push_back(n);
    return static_cast<doc>(nodes_.size() - 1);
  }
  std::uint32_t store(std::string_view s) {
    auto off = static_cast<std::uint32_t>(buf_.size());
    buf_.append(s);
    return off;
  }
  std::string_view str(const node& n) const { return std::string_view(buf_).substr(n.off, n.len); }
  bool fits(long width, long column, bool broke, const std::vector<entry>& rest, const entry* first) const;

  std::vector<node> nodes_;
  std::string buf_;
};

}  // namespace otter::detail

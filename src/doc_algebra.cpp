// Elixir's document algebra (see doc_algebra.hpp), after
// lib/elixir/lib/inspect/algebra.ex: `fits?/4` and `format/3`.
#include "doc_algebra.hpp"

#include <algorithm>

namespace otter::detail {

doc_arena::doc doc_arena::text(std::string_view s) {
  if (s.empty()) return nil;
  return add(node{op::text, false, 0, 0, 0, store(s), static_cast<std::uint32_t>(s.size())});
}

doc_arena::doc doc_arena::concat(doc a, doc b) {
  if (a == nil) return b;
  if (b == nil) return a;
  return add(node{op::cons, false, 0, a, b, 0, 0});
}

doc_arena::doc doc_arena::nest(doc a, std::int32_t indent) {
  if (indent == 0) return a;
  return add(node{op::nest, false, indent, a, 0, 0, 0});
}

doc_arena::doc doc_arena::strict_break(std::string_view s) {
  return add(node{op::brk, false, 0, 0, 0, store(s), static_cast<std::uint32_t>(s.size())});
}

doc_arena::doc doc_arena::flex_break(std::string_view s) {
  return add(node{op::brk, true, 0, 0, 0, store(s), static_cast<std::uint32_t>(s.size())});
}

doc_arena::doc doc_arena::group(doc a) { return add(node{op::group, false, 0, a, 0, 0, 0}); }

bool doc_arena::simple(doc d) const {
  const node& n = nodes_[static_cast<std::size_t>(d)];
  switch (n.kind) {
    case op::nil:
    case op::text: return true;
    case op::cons: return simple(n.a) && simple(n.b);
    default: return false;
  }
}

// Elixir's fits?(w, k, b?, [first | rest]): does the layout fit until the
// next break that is not flat? `broke` says whether a break was passed (a
// long text alone cannot be helped, so it "fits" until then).
bool doc_arena::fits(long width, long column, bool broke, const std::vector<entry>& rest, const entry* first) const {
  struct item {
    bool tail;     // a {:tail, b?, t} marker: restore `broke` when a group ends
    bool tail_broke;
    entry e;
  };
  // Our own items first; when they run out, the entries of `rest` from its
  // back (the next to be formatted), read in place rather than copied: the
  // walk usually stops within a line.
  std::vector<item> stack;
  if (first) stack.push_back(item{false, false, *first});
  std::size_t next_rest = rest.size();
  long k = column;
  bool b = broke;
  for (;;) {
    if (k > width && b) return false;
    item it;
    if (!stack.empty()) {
      it = stack.back();
      stack.pop_back();
    } else if (next_rest > 0) {
      it = item{false, false, rest[--next_rest]};
    } else {
      return true;
    }
    if (it.tail) {
      b = it.tail_broke;
      continue;
    }
    const node& n = nodes_[static_cast<std::size_t>(it.e.d)];
    switch (n.kind) {
      case op::nil: break;
      case op::text: k += n.len; break;
      case op::brk:
        if (it.e.m == mode::brk) return true;
        k += n.len;
        b = true;
        break;
      case op::nest: stack.push_back(item{false, false, entry{it.e.indent + n.indent, it.e.m, n.a}}); break;
      case op::cons:
        stack.push_back(item{false, false, entry{it.e.indent, it.e.m, n.b}});
        stack.push_back(item{false, false, entry{it.e.indent, it.e.m, n.a}});
        break;
      case op::group:
        stack.push_back(item{true, b, entry{}});
        stack.push_back(item{false, false, entry{it.e.indent, mode::flat, n.a}});
        break;
    }
  }
}

std::string doc_arena::format(doc root, std::size_t width_in) const {
  const bool infinite = width_in == 0;
  const long width = infinite ? 0 : static_cast<long>(std::min<std::size_t>(width_in, 1u << 30));
  std::string out;
  std::vector<entry> stack{entry{0, mode::flat, root}};
  long k = 0;
  auto newline = [&](std::int32_t indent) {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(indent), ' ');
    k = indent;
  };
  while (!stack.empty()) {
    entry e = stack.back();
    stack.pop_back();
    const node& n = nodes_[static_cast<std::size_t>(e.d)];
    switch (n.kind) {
      case op::nil: break;
      case op::text:
        out.append(str(n));
        k += n.len;
        break;
      case op::cons:
        stack.push_back(entry{e.indent, e.m, n.b});
        stack.push_back(entry{e.indent, e.m, n.a});
        break;
      case op::nest: stack.push_back(entry{e.indent + n.indent, e.m, n.a}); break;
      case op::brk:
        if (n.flex) {
          const long k2 = k + n.len;
          if (infinite || e.m == mode::flat || fits(width, k2, true, stack, nullptr)) {
            out.append(str(n));
            k = k2;
          } else {
            newline(e.indent);
          }
        } else if (e.m == mode::brk) {
          newline(e.indent);
        } else {
          out.append(str(n));
          k += n.len;
        }
        break;
      case op::group: {
        const entry flat{e.indent, mode::flat, n.a};
        static const std::vector<entry> none;
        if (infinite || fits(width, k, false, none, &flat))
          stack.push_back(flat);
        else
          stack.push_back(entry{e.indent, mode::brk, n.a});
        break;
      }
    }
  }
  return out;
}

}  // namespace otter::detail

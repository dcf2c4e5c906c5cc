// External Term Format encoder and hardened decoder (see otter/etf.hpp and
// erts/doc/src/erl_ext_dist.xml for the format).
#include "otter/etf.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <vector>

#include "term_block.hpp"

namespace otter::etf {

namespace {

using detail::term_block;

enum tag : unsigned char {
  version_magic = 131,
  new_float_ext = 70,
  bit_binary_ext = 77,
  compressed = 80,
  new_pid_ext = 88,
  newer_reference_ext = 90,
  small_integer_ext = 97,
  integer_ext = 98,
  float_ext = 99,
  atom_ext = 100,
  reference_ext = 101,
  port_ext = 102,
  pid_ext = 103,
  small_tuple_ext = 104,
  large_tuple_ext = 105,
  nil_ext = 106,
  string_ext = 107,
  list_ext = 108,
  binary_ext = 109,
  small_big_ext = 110,
  large_big_ext = 111,
  new_fun_ext = 112,
  export_ext = 113,
  new_reference_ext = 114,
  small_atom_ext = 115,
  map_ext = 116,
  fun_ext = 117,
  atom_utf8_ext = 118,
  small_atom_utf8_ext = 119,
  v4_port_ext = 120,
  local_ext = 121,
};

// --- encoding ---

void put8(std::string& o, std::uint32_t v) { o.push_back(static_cast<char>(v & 0xff)); }
void put16(std::string& o, std::uint32_t v) {
  put8(o, v >> 8);
  put8(o, v);
}
void put32(std::string& o, std::uint32_t v) {
  put16(o, v >> 16);
  put16(o, v);
}

void put_atom(std::string& o, atom a) {
  std::string_view s = a.text();
  if (s.size() < 256) {
    put8(o, small_atom_utf8_ext);
    put8(o, static_cast<std::uint32_t>(s.size()));
  } else {
    put8(o, atom_utf8_ext);
    put16(o, static_cast<std::uint32_t>(s.size()));
  }
  o.append(s);
}

void put_term(std::string& o, const term& t) {
  switch (t.kind()) {
    case term_kind::integer: {
      const std::int64_t v = t.as_int();
      if (v >= 0 && v <= 255) {
        put8(o, small_integer_ext);
        put8(o, static_cast<std::uint32_t>(v));
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        put8(o, integer_ext);
        put32(o, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)));
      } else {
        std::uint64_t mag = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
        std::string digits;
        while (mag) {
          digits.push_back(static_cast<char>(mag & 0xff));
          mag >>= 8;
        }
        put8(o, small_big_ext);
        put8(o, static_cast<std::uint32_t>(digits.size()));
        put8(o, v < 0 ? 1 : 0);
        o += digits;
      }
      break;
    }
    case term_kind::float_: {
      double d = t.as_float();
      std::uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      put8(o, new_float_ext);
      put32(o, static_cast<std::uint32_t>(bits >> 32));
      put32(o, static_cast<std::uint32_t>(bits));
      break;
    }
    case term_kind::atom: put_atom(o, t.as_atom()); break;
    case term_kind::reference: {
      ref_words r = t.as_ref_words();
      put8(o, newer_reference_ext);
      put16(o, 3);
      put_atom(o, atoms::nonode_nohost);
      put32(o, 0);  // creation
      for (std::uint32_t w : r.w) put32(o, w);
      break;
    }
    case term_kind::pid: {
      pid p = t.as_pid();
      put8(o, new_pid_ext);
      put_atom(o, atoms::nonode_nohost);
      put32(o, static_cast<std::uint32_t>(p.number()));
      put32(o, static_cast<std::uint32_t>(p.serial()));
      put32(o, 0);  // creation
      break;
    }
    case term_kind::tuple: {
      auto e = t.elements();
      if (e.size() < 256) {
        put8(o, small_tuple_ext);
        put8(o, static_cast<std::uint32_t>(e.size()));
      } else {
        put8(o, large_tuple_ext);
        put32(o, static_cast<std::uint32_t>(e.size()));
      }
      for (const term& x : e) put_term(o, x);
      break;
    }
    case term_kind::map: {
      const std::size_t n = t.size();
      put8(o, map_ext);
      put32(o, static_cast<std::uint32_t>(n));
      for (std::size_t i = 0; i < n; ++i) {
        put_term(o, t.map_key(i));
        put_term(o, t.map_value(i));
      }
      break;
    }
    case term_kind::nil: put8(o, nil_ext); break;
    case term_kind::list: {
      auto e = t.elements();
      const term& tail = t.list_tail();
      bool bytes = tail.is_empty_list() && e.size() <= 0xffff;
      for (std::size_t i = 0; bytes && i < e.size(); ++i)
        bytes = e[i].is_integer() && e[i].as_int() >= 0 && e[i].as_int() <= 255;
      if (bytes) {  // what term_to_binary does with a "string"
        put8(o, string_ext);
        put16(o, static_cast<std::uint32_t>(e.size()));
        for (const term& x : e) put8(o, static_cast<std::uint32_t>(x.as_int()));
        break;
      }
      put8(o, list_ext);
      put32(o, static_cast<std::uint32_t>(e.size()));
      for (const term& x : e) put_term(o, x);
      put_term(o, tail);
      break;
    }
    case term_kind::binary: {
      std::string_view b = t.as_binary();
      put8(o, binary_ext);
      put32(o, static_cast<std::uint32_t>(b.size()));
      o.append(b);
      break;
    }
  }
}

// --- decoding ---

class reader {
 public:
  reader(std::string_view b, const decode_options& o) : b_(b), o_(o) {}

  // The version byte at offset 0 is checked by the caller.
  term all() {
    term t = value(0);
    if (i_ != b_.size()) fail(i_, std::to_string(b_.size() - i_) + " bytes left after the term");
    return t;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) const { throw decode_error(at, what); }

  void need(std::size_t n, const char* what) const {
    if (b_.size() - i_ < n)
      fail(i_, std::string("truncated ") + what + ": needs " + std::to_string(n) + " bytes, " +
                   std::to_string(b_.size() - i_) + " left");
  }
  std::uint32_t byte() {
    need(1, "term");
    return static_cast<unsigned char>(b_[i_++]);
  }
  std::uint32_t u16(const char* what) {
    need(2, what);
    std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(b_[i_])} << 8) | static_cast<unsigned char>(b_[i_ + 1]);
    i_ += 2;
    return v;
  }
  std::uint32_t u32(const char* what) {
    need(4, what);
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(b_[i_ + static_cast<std::size_t>(k)]);
    i_ += 4;
    return v;
  }
  std::string_view take(std::size_t n, const char* what) {
    need(n, what);
    std::string_view s = b_.substr(i_, n);
    i_ += n;
    return s;
  }
  // Each item takes at least `min_bytes`: refuse counts the rest cannot hold
  // before reserving memory for them.
  // Bytes not yet spoken for: every item that an open container promised
  // takes at least one byte, so these are all a new container may claim.
  // This bounds the items (and so the memory) of all containers together
  // by the input's size, however they nest.
  std::size_t available() const noexcept {
    const std::size_t left = b_.size() - i_;
    return left > owed_ ? left - owed_ : 0;
  }
  void plausible(std::uint64_t count, std::size_t at, const char* what) const {
    if (count > available())
      fail(at, std::string(what) + " of " + std::to_string(count) + " items cannot fit in the " +
                   std::to_string(available()) + " bytes left for it");
    if (count > std::uint64_t{UINT32_MAX / 2})
      fail(at, std::string(what) + " of " + std::to_string(count) + " items is larger than otter's limit of 2^31 - 1");
  }
  // A container of `count` items opens: they are owed until read.
  void promise(std::uint64_t count, std::size_t at, const char* what) {
    plausible(count, at, what);
    owed_ += static_cast<std::size_t>(count);
  }
  // Reads one promised item.
  term item(std::size_t depth) {
    --owed_;
    return value(depth);
  }

  // A block of `n` payload items whose `slots` term slots start as [], so
  // that it can be freed at any point while it is being filled.
  static term_block* new_block(term_kind k, std::size_t n, std::size_t slots) {
    term_block* b = term_block::allocate(k, n);
    for (std::size_t i = 0; i < slots; ++i) new (&b->terms()[i]) term();
    return b;
  }

  atom make_atom(std::string_view text, bool latin1, std::size_t at) {
    std::string utf8;
    if (latin1) {
      for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x80) {
          utf8.push_back(c);
        } else {
          utf8.push_back(static_cast<char>(0xc0 | (u >> 6)));
          utf8.push_back(static_cast<char>(0x80 | (u & 0x3f)));
        }
      }
      text = utf8;
    }
    if (o_.existing_atoms_only) {
      if (auto a = atom::existing(text)) return *a;
      fail(at, "the atom '" + std::string(text.substr(0, 60)) + "' does not exist (existing_atoms_only)");
    }
    try {
      return atom(text);
    } catch (const std::exception& e) {
      fail(at, std::string("bad atom: ") + e.what());
    }
  }

  atom atom_value(const char* what) {
    const std::size_t at = i_;
    const std::uint32_t t = byte();
    switch (t) {
      case atom_utf8_ext: return make_atom(take(u16("atom length"), "atom text"), false, at);
      case small_atom_utf8_ext: return make_atom(take(byte(), "atom text"), false, at);
      case atom_ext: return make_atom(take(u16("atom length"), "atom text"), true, at);
      case small_atom_ext: return make_atom(take(byte(), "atom text"), true, at);
      default: fail(at, std::string("expected an atom for ") + what + ", got tag " + std::to_string(t));
    }
  }

  // Reads a node name and refuses any but nonode@nohost, without making
  // an atom of it (a hostile peer could otherwise fill the atom table).
  void local_node(std::size_t at, const char* what) {
    const std::size_t node_at = i_;
    const std::uint32_t t = byte();
    std::string_view text;
    switch (t) {
      case atom_utf8_ext:
      case atom_ext: text = take(u16("atom length"), "atom text"); break;
      case small_atom_utf8_ext:
      case small_atom_ext: text = take(byte(), "atom text"); break;
      default: fail(node_at, std::string("expected an atom for the node of ") + what + ", got tag " + std::to_string(t));
    }
    if (text != "nonode@nohost")
      fail(at, std::string(what) + " of another node: only local (nonode@nohost) pids and references are supported");
  }

  std::int64_t big(std::size_t n, std::size_t at) {
    const std::uint32_t sign = byte();
    if (sign > 1) fail(at, "bad sign byte in a big integer");
    std::string_view d = take(n, "big integer digits");
    std::size_t used = n;
    while (used > 0 && d[used - 1] == 0) --used;  // leading zeros
    if (used > 8) fail(at, "integer does not fit in 64 bits (otter's integers are 64-bit)");
    std::uint64_t mag = 0;
    for (std::size_t k = used; k-- > 0;) mag = (mag << 8) | static_cast<unsigned char>(d[k]);
    constexpr std::uint64_t limit = std::uint64_t{1} << 63;
    if ((sign == 0 && mag >= limit) || (sign == 1 && mag > limit))
      fail(at, "integer does not fit in 64 bits (otter's integers are 64-bit)");
    if (sign == 1) return mag == limit ? INT64_MIN : -static_cast<std::int64_t>(mag);
    return static_cast<std::int64_t>(mag);
  }

  term value(std::size_t depth) {
    const std::size_t at = i_;
    if (depth > o_.max_depth) fail(at, "nesting deeper than " + std::to_string(o_.max_depth) + " levels");
    const std::uint32_t t = byte();
    switch (t) {
      case small_integer_ext: return term(static_cast<std::int64_t>(byte()));
      case integer_ext: return term(static_cast<std::int64_t>(static_cast<std::int32_t>(u32("integer"))));
      case small_big_ext: {
        const std::uint32_t n = byte();
        return term(big(n, at));
      }
      case large_big_ext: {
        const std::uint32_t n = u32("big integer length");
        plausible(n, at, "a big integer");
        return term(big(n, at));
      }
      case new_float_ext: {
        std::uint64_t bits = (std::uint64_t{u32("float")} << 32);
        bits |= u32("float");
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) fail(at, "the float is NaN or infinite (not an Erlang float)");
        return term(d);
      }
      case float_ext: {
        std::string text(take(31, "float text"));
        text = text.c_str();  // up to the first NUL
        char* end = nullptr;
        double d = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || !std::isfinite(d)) fail(at, "bad FLOAT_EXT text");
        return term(d);
      }
      case atom_ext:
      case small_atom_ext:
      case atom_utf8_ext:
      case small_atom_utf8_ext:
        i_ = at;
        return term(atom_value("an atom"));
      case small_tuple_ext:
      case large_tuple_ext: {
        const std::uint32_t n = t == small_tuple_ext ? byte() : u32("tuple arity");
        promise(n, at, "a tuple");
        if (n == 0) return term::tuple_of(std::span<const term>());
        term_block* b = new_block(term_kind::tuple, n, n);
        term tuple = term::adopt_block(b, term_kind::tuple);  // owns the block if value() throws
        for (std::uint32_t k = 0; k < n; ++k) b->terms()[k] = item(depth + 1);
        return tuple;
      }
      case nil_ext: return term();
      case string_ext: {
        std::string_view s = take(u16("string length"), "string bytes");
        if (s.empty()) return term();
        term_block* b = new_block(term_kind::list, s.size(), s.size() + 1);
        for (std::size_t k = 0; k < s.size(); ++k)
          b->terms()[k] = term(static_cast<std::int64_t>(static_cast<unsigned char>(s[k])));
        return term::adopt_block(b, term_kind::list);
      }
      case list_ext: {
        const std::uint32_t n = u32("list length");
        promise(std::uint64_t{n} + 1, at, "a list");
        if (n == 0) return item(depth + 1);  // no elements: just the tail
        term_block* b = new_block(term_kind::list, n, std::size_t{n} + 1);
        term list = term::adopt_block(b, term_kind::list);
        for (std::uint32_t k = 0; k < n; ++k) b->terms()[k] = item(depth + 1);
        term tail = item(depth + 1);
        if (tail.kind() == term_kind::list)  // [a | [b]]: Erlang's encoder never writes it, but it is valid
          return term::list_of(list.elements(), tail);
        b->terms()[n] = std::move(tail);
        return list;
      }
      case binary_ext: return term::binary(take(u32("binary length"), "binary bytes"));
      case bit_binary_ext: {
        const std::uint32_t n = u32("bitstring length");
        const std::uint32_t bits = byte();
        if (bits < 1 || bits > 8) fail(at, "bad bit count in a bitstring");
        if (bits != 8 && n > 0) fail(at, "bitstrings that are not whole bytes are not supported");
        return term::binary(take(n, "bitstring bytes"));
      }
      case map_ext: {
        const std::uint32_t n = u32("map size");
        promise(std::uint64_t{n} * 2, at, "a map");
        std::vector<std::pair<term, term>> v;
        v.reserve(n);
        for (std::uint32_t k = 0; k < n; ++k) {
          term key = item(depth + 1);
          term val = item(depth + 1);
          v.emplace_back(std::move(key), std::move(val));
        }
        term m = term::map_of(std::move(v));
        if (m.size() != n) fail(at, "a map with a duplicate key");
        return m;
      }
      case new_pid_ext:
      case pid_ext: {
        local_node(at, "a pid");
        const std::uint32_t id = u32("pid id");
        const std::uint32_t serial = u32("pid serial");
        if (t == new_pid_ext)
          (void)u32("pid creation");
        else
          (void)byte();
        return term(pid((std::uint64_t{serial} << 32) | id));
      }
      case newer_reference_ext:
      case new_reference_ext: {
        const std::uint32_t n = u16("reference length");
        local_node(at, "a reference");
        if (t == newer_reference_ext)
          (void)u32("reference creation");
        else
          (void)byte();
        if (n == 0 || n > 5) fail(at, "a reference of " + std::to_string(n) + " words (1 to 5 are valid)");
        ref_words r;
        for (std::uint32_t k = 0; k < n; ++k) {
          const std::uint32_t w = u32("reference word");
          if (k < 3)
            r.w[k] = w;
          else if (w != 0)
            fail(at, "references of more than three words are not supported");
        }
        return term(r);
      }
      case compressed: fail(at, "compressed terms are not supported");
      case new_fun_ext:
      case fun_ext:
      case export_ext: fail(at, "funs are not supported");
      case port_ext:
      case v4_port_ext: fail(at, "ports are not supported");
      case reference_ext: fail(at, "old-style references (REFERENCE_EXT) are not supported");
      case local_ext: fail(at, "LOCAL_EXT terms are not supported");
      default: fail(at, "unknown tag " + std::to_string(t));
    }
  }

  std::string_view b_;
  const decode_options& o_;
  std::size_t i_ = 1;
  std::size_t owed_ = 0;  // items promised by open containers, not yet read
};

}  // namespace

void encode_to(std::string& out, const term& t) {
  out.push_back(static_cast<char>(version_magic));
  put_term(out, t);
}

std::string encode(const term& t) {
  std::string out;
  encode_to(out, t);
  return out;
}

term decode(std::string_view bytes, const decode_options& options) {
  reader r(bytes, options);
  if (bytes.empty()) throw decode_error(0, "empty input: expected the version byte 131");
  if (static_cast<unsigned char>(bytes[0]) != version_magic)
    throw decode_error(0, "expected the version byte 131, got " + std::to_string(static_cast<unsigned char>(bytes[0])));
  try {
    return r.all();
  } catch (const system_limit& e) {  // a binary of 2 GiB or more, say
    throw decode_error(0, e.what());
  }
}

}  // namespace otter::etf

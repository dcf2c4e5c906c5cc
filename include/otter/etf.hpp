// Erlang's External Term Format: the bytes of `:erlang.term_to_binary/1`,
// read by `:erlang.binary_to_term/1`, the wire and disk format of BEAM.
//
//   std::string bytes = otter::etf::encode(otter::tuple("ok"_a, 42));
//   otter::term back = otter::etf::decode(bytes);      // {:ok, 42}
//
// Encoding writes version 131 and the forms current Erlang writes: small and
// 32-bit integers, SMALL_BIG_EXT beyond them, NEW_FLOAT_EXT, atoms as UTF-8
// (SMALL_)ATOM_UTF8_EXT, STRING_EXT for lists of bytes, LIST_EXT, NIL_EXT,
// BINARY_EXT, SMALL/LARGE_TUPLE_EXT, MAP_EXT, NEW_PID_EXT and
// NEWER_REFERENCE_EXT (node `nonode@nohost`, creation 0).
//
// Decoding also reads the older forms (ATOM_EXT and SMALL_ATOM_EXT in
// Latin-1, FLOAT_EXT, PID_EXT, NEW_REFERENCE_EXT, LARGE_BIG_EXT) and is
// hardened for untrusted input: any byte string gives a term or an
// otter::etf::decode_error saying what is wrong and where, in time and
// memory bounded by the input's size (every length is checked against the
// bytes left before anything is allocated; nesting is limited). Not
// supported, with a clear error: compressed terms, funs, ports, bitstrings
// that are not whole bytes, pids and references of other nodes, integers
// beyond 64 bits, references with non-zero words beyond the third, and
// containers or binaries of 2^31 items or more.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "otter/errors.hpp"
#include "otter/term.hpp"

namespace otter::etf {

/// What is wrong with the bytes given to decode, and at which offset.
class decode_error : public bad_argument {
 public:
  decode_error(std::size_t offset, const std::string& what)
      : bad_argument("otter::etf::decode: at byte " + std::to_string(offset) + ": " + what), offset_(offset) {}
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::size_t offset_;
};

struct decode_options {
  /// Deepest nesting of tuples, lists and maps accepted.
  std::size_t max_depth = 1000;
  /// Like binary_to_term's `safe`: refuse to create atoms (a hostile peer
  /// could otherwise fill the atom table, which is never freed).
  bool existing_atoms_only = false;
};

/// Encodes `t` (term_to_binary). Never fails for a term otter can hold.
std::string encode(const term& t);
/// Appends the encoding of `t` to `out`.
void encode_to(std::string& out, const term& t);

/// Decodes one term that must fill `bytes` exactly (binary_to_term).
term decode(std::string_view bytes, const decode_options& options = {});

}  // namespace otter::etf

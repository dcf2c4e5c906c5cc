// The shell's lexer: turns the text typed at the prompt into tokens for
// parser.cpp, one at a time as the parser asks for them, so that a syntax
// error early in the text is reported before a lexical one further on.
//
// Newlines are tokens (they end expressions), except where Elixir ignores
// them: after an operator, a comma or an opening bracket, and before a
// binary-only operator (`|>`, `==`, `.`, ...), a comma or a closing bracket.
// Interpolated strings come as string_begin, string_part, then any number of
// interp_open <expression tokens> interp_close string_part, then string_end:
// the literal parts and the expressions alternate, starting and ending with a
// (possibly empty) part.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"
#include "parser.hpp"

namespace otter::shell::detail {

enum class tok : std::uint8_t {
  eof,
  eol,           // a newline (text "\n") or `;` that may end an expression
  integer,       // magnitude (a unary minus is the parser's), overflow beyond 64 bits
  literal,       // value: a float, atom, string, charlist, ~w list, true/false/nil
  alias,         // value: the atom, e.g. :"Elixir.Counter.Worker"
  identifier,    // text: a name, with its trailing ? or !
  keyword,       // `name: ` or `"quoted": `: value is the key atom
  capture_arg,   // `&N`: magnitude is N
  string_begin,  // an interpolated string (see the file comment)
  string_part,   // value: the literal text between interpolations
  interp_open,   // `#{`
  interp_close,  // the `}` that ends an interpolation
  string_end,    // the closing delimiter
  op,            // text: an operator or punctuation, word operators included (`and`, `not in`, `when`)
  reserved,      // text: do end fn else after catch rescue
  error,         // no token (an unterminated string, a stray `$`): the last one; see lexer::raise
};

struct token {
  tok kind = tok::eof;
  std::string_view text;  // operators: the canonical spelling; otherwise the text as typed
  otter::term value;
  std::uint64_t magnitude = 0;
  bool overflow = false;
  bool space_before = false;       // blanks or a comment right before it
  std::size_t begin = 0, end = 0;  // byte offsets in the source
  location where;
};

class lexer {
 public:
  /// Throws syntax_error for invalid UTF-8 anywhere in `src`.
  explicit lexer(std::string_view src);

  /// Token `index` (from 0), lexing as far as needed; past the end, eof.
  /// References stay valid until the token is discarded.
  const token& at(std::size_t index);
  /// Frees the tokens before `index` (the parser is done with them).
  void discard_before(std::size_t index);
  /// Throws the lexical error behind the error token. The parser does so
  /// only where a valid token could stand: `x = "abc` is incomplete, but in
  /// `"abc" "` the second string is misplaced however it would end.
  [[noreturn]] void raise() const;

 private:
  enum class interp : std::uint8_t { yes, literal, rejected };
  struct quote {  // how to read the body of a string, charlist, quoted atom or sigil
    char closer;
    bool escapes;
    interp interpolation;
    bool code_points;  // a charlist: one element per character
    std::string what;  // for messages: "string", "sigil ~w", ...
    char sigil = 0;    // the sigil letter, or 0
    location start;
    std::size_t start_offset;
  };
  struct frame {  // an open `{`, `%{` or interpolation `#{`
    bool interpolation;
    quote q;
  };
  enum class body_end : std::uint8_t { closed, interpolation };
  struct piece {  // one escape: a raw byte (`\xHH`) or a code point
    std::uint32_t value;
    bool byte;
  };

  void produce();
  void push(token t);
  void skip_space();
  void lex_token();
  void lex_number();
  void lex_identifier();
  void lex_alias();
  void lex_colon();
  void lex_char();
  void lex_quoted(char quote_char);
  void lex_sigil();
  void open_body(quote q);
  void continue_body(quote q, bool started);
  body_end scan_body(const quote& q, std::string& bytes, std::vector<term>& cps);
  bool escape(location at, piece& out);
  std::uint32_t braced_hex(location at);
  term sigil_value(const quote& q, std::string& bytes, std::vector<term>& cps);
  bool keyword_follows() const;

  token make(tok kind, std::size_t begin, location where) const;
  [[noreturn]] void fail(location at, const std::string& what, bool incomplete = false) const;
  void bump();
  void bump(std::size_t n);
  char peek(std::size_t k = 0) const noexcept;
  bool starts(std::string_view s) const noexcept;
  bool at_end() const noexcept { return i_ >= src_.size(); }

  std::string_view src_;
  std::size_t i_ = 0;
  location here_;
  std::deque<token> tokens_;
  std::size_t first_index_ = 0;  // the index of tokens_.front()
  std::vector<frame> frames_;
  std::optional<syntax_error> error_;
  bool done_ = false;
  bool space_ = false;
};

/// Makes an atom, turning the atom table's errors (invalid UTF-8, too long,
/// table full) into syntax errors at `where`.
atom make_atom(std::string_view text, location where);

}  // namespace otter::shell::detail

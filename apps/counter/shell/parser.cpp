// The shell's parser (see parser.hpp): recursive descent over the tokens of
// lexer.hpp, with precedence climbing for Elixir's binary operators, building
// the syntax tree of ast.hpp.
#include "parser.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>

#include "lexer.hpp"

namespace otter::shell {

namespace {

using detail::tok;
using detail::token;

constexpr int match_prec = 20;
constexpr int in_prec = 80;
constexpr int range_prec = 90;

struct binop {
  int prec;
  bool right;
};

// Elixir's binary operators that the shell evaluates, by precedence.
std::optional<binop> binary_operator(const token& t) {
  if (t.kind != tok::op) return std::nullopt;
  static constexpr std::pair<std::string_view, binop> table[] = {
      {"=", {match_prec, true}},    {"||", {30, false}},        {"or", {30, false}},        {"&&", {40, false}},
      {"and", {40, false}},         {"==", {50, false}},        {"!=", {50, false}},        {"===", {50, false}},
      {"!==", {50, false}},         {"=~", {50, false}},        {"<", {60, false}},         {">", {60, false}},
      {"<=", {60, false}},          {">=", {60, false}},        {"|>", {70, false}},        {"in", {in_prec, false}},
      {"not in", {in_prec, false}}, {"++", {range_prec, true}}, {"--", {range_prec, true}}, {"..", {range_prec, true}},
      {"<>", {range_prec, true}},   {"+", {100, false}},        {"-", {100, false}},        {"*", {110, false}},
      {"/", {110, false}},          {"**", {120, false}}};
  for (const auto& [op, b] : table)
    if (op == t.text) return b;
  return std::nullopt;
}

// Binary operators Elixir has and this shell does not.
bool unsupported_operator(const token& t) {
  static constexpr std::string_view ops[] = {"<<<", ">>>", "&&&", "|||", "^^^", "<~>", "<|>", "+++",
                                             "---", "<<~", "~>>", "<~",  "~>",  "::",  "\\\\"};
  if (t.kind != tok::op) return false;
  for (std::string_view op : ops)
    if (op == t.text) return true;
  return false;
}

// Names of Elixir constructs the shell does not evaluate.
bool unsupported_name(std::string_view name) {
  static constexpr std::string_view names[] = {
      "defmodule", "def",         "defp",       "defmacro",         "defmacrop",    "defstruct",      "defprotocol",
      "defimpl",   "defdelegate", "defguard",   "defguardp",        "defexception", "defoverridable", "try",
      "with",      "quote",       "unquote",    "unquote_splicing", "import",       "alias",          "require",
      "use",       "super",       "__MODULE__", "__ENV__",          "__CALLER__",   "__DIR__",        "__STACKTRACE__"};
  for (std::string_view n : names)
    if (n == name) return true;
  return false;
}

// At most `max` bytes of `s`, cut at a character boundary, with "..." when cut.
std::string shortened(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max - 3;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

// A keyword list as the parser builds it (and as `[do: 1]` is written): a
// proper list of {atom, value} tuples.
bool is_keyword_list(const node& n) {
  if (n.kind != node_kind::list || n.tail || n.args.empty()) return false;
  for (const node_ptr& pair : n.args)
    if (pair->kind != node_kind::tuple || pair->args.size() != 2 || pair->args[0]->kind != node_kind::literal ||
        !pair->args[0]->value.is_atom())
      return false;
  return true;
}

class parser {
 public:
  parser(std::string_view src, const parse_limits& limits) : src_(src), lex_(src), limits_(limits) {}

  std::vector<node_ptr> program() {
    std::vector<node_ptr> out;
    for (;;) {
      skip_eols();
      if (peek().kind == tok::eof) return out;
      out.push_back(expr());
      if (peek().kind != tok::eol && peek().kind != tok::eof) unexpected();
      lex_.discard_before(pos_);  // no token reference outlives a top-level expression
    }
  }

 private:
  // Who a comma after a call written without parentheses belongs to: the
  // call (`f a, b` on a line of its own), the enclosing construct
  // (`if f x, do: 1`), or nobody: Elixir's "unexpected comma" in `[f a, b]`.
  enum class commas : std::uint8_t { greedy, single, container };
  enum class clause_kind : std::uint8_t { fn, one, cond };

  struct open_construct {
    std::string_view closer, opener;
    location where;
  };
  struct capture_scope {
    std::size_t highest = 0;
    std::vector<bool> used;
  };

  class mode_guard {
   public:
    mode_guard(parser& p, commas m) : p_(p), saved_(p.mode_) { p.mode_ = m; }
    ~mode_guard() { p_.mode_ = saved_; }
    mode_guard(const mode_guard&) = delete;
    mode_guard& operator=(const mode_guard&) = delete;

   private:
    parser& p_;
    commas saved_;
  };
  class open_guard {
   public:
    open_guard(parser& p, std::string_view closer, std::string_view opener, location where) : p_(p) {
      p.opens_.push_back({closer, opener, where});
    }
    ~open_guard() { p_.opens_.pop_back(); }
    open_guard(const open_guard&) = delete;
    open_guard& operator=(const open_guard&) = delete;

   private:
    parser& p_;
  };
  class depth_guard {
   public:
    explicit depth_guard(parser& p) : p_(p) {
      if (++p.depth_ > p.limits_.max_depth) {
        --p.depth_;
        p.fail_depth();
      }
    }
    ~depth_guard() { --p_.depth_; }
    depth_guard(const depth_guard&) = delete;
    depth_guard& operator=(const depth_guard&) = delete;

   private:
    parser& p_;
  };
  // The levels a loop adds to the tree (`a + b + c`, `a.b.c`): they are
  // parsed without recursion but nest all the same, and a tree too deep would
  // overflow the stack of whoever walks it, or destroys it, later.
  class chain_depth {
   public:
    explicit chain_depth(parser& p) : p_(p) {}
    ~chain_depth() { p_.depth_ -= n_; }
    chain_depth(const chain_depth&) = delete;
    chain_depth& operator=(const chain_depth&) = delete;
    void add() {
      ++n_;
      if (++p_.depth_ > p_.limits_.max_depth) p_.fail_depth();
    }

   private:
    parser& p_;
    std::size_t n_ = 0;
  };

  // --- tokens ---
  const token& peek(std::size_t k = 0) { return lex_.at(pos_ + k); }
  const token& take() {
    const token& t = peek();
    if (t.kind == tok::error) lex_.raise();
    if (t.kind != tok::eof) {
      ++pos_;
      prev_end_ = t.end;
    }
    return t;
  }
  bool at_op(std::string_view s, std::size_t k = 0) {
    const token& t = peek(k);
    return t.kind == tok::op && t.text == s;
  }
  bool at_reserved(std::string_view s) {
    const token& t = peek();
    return t.kind == tok::reserved && t.text == s;
  }
  static bool is_stop(const token& t, std::initializer_list<std::string_view> stops) {
    if (t.kind != tok::reserved) return false;
    for (std::string_view s : stops)
      if (t.text == s) return true;
    return false;
  }
  void skip_eols() {
    while (peek().kind == tok::eol) take();
  }
  void expect_op(std::string_view s) {
    if (!at_op(s)) unexpected();
    take();
  }
  void expect_end() {
    if (!at_reserved("end")) unexpected();
    take();
  }

  // --- errors ---
  // Messages are built here, in cold functions taking their parts, so that
  // the frames of the recursive functions stay small: the depth limit, not
  // the stack, must be what stops deeply nested input, sanitizers included.
  [[noreturn, gnu::cold, gnu::noinline]] void fail(location at, std::initializer_list<std::string_view> parts,
                                                   bool incomplete = false) const {
    std::string what;
    for (std::string_view part : parts) what += part;
    throw syntax_error(at.line, at.column, what, incomplete);
  }
  [[noreturn, gnu::cold, gnu::noinline]] void fail(const token& t,
                                                   std::initializer_list<std::string_view> parts) const {
    fail(t.where, parts, t.kind == tok::eof);
  }
  // "syntax error before: <t>" and a note.
  [[noreturn, gnu::cold, gnu::noinline]] void fail_before(const token& t, std::string_view note = {}) const {
    fail(t, {"syntax error before: ", describe(t), note});
  }
  // A construct the shell does not evaluate (`defmodule`, `try`, ...). While
  // a block or bracket after it is still open the error says the input is
  // incomplete, so that the shell reads the whole construct and reports it
  // once, instead of reading each of its lines as an input of its own.
  [[noreturn, gnu::cold, gnu::noinline]] void unsupported(const token& t) {
    std::size_t open = 0;
    for (std::size_t k = 0;; ++k) {
      const token& u = peek(k);
      if (u.kind == tok::eof) break;
      if (u.kind == tok::error) lex_.raise();  // e.g. an unterminated string: incomplete too
      const bool opens = (u.kind == tok::reserved && (u.text == "do" || u.text == "fn")) ||
                         (u.kind == tok::op && (u.text == "(" || u.text == "[" || u.text == "{" || u.text == "%{" ||
                                                u.text == "<<"));
      const bool closes = (u.kind == tok::reserved && u.text == "end") ||
                          (u.kind == tok::op && (u.text == ")" || u.text == "]" || u.text == "}" || u.text == ">>"));
      if (opens) ++open;
      if (closes && open > 0) --open;
    }
    fail(t.where, {"`", t.text, "` is not supported by this shell"}, open > 0);
  }
  [[noreturn, gnu::cold, gnu::noinline]] void fail_depth() {
    fail(peek().where, {"expression nested too deeply (more than ", std::to_string(limits_.max_depth), " levels)"});
  }
  static std::string mismatch(const open_construct& o) {
    return ". The \"" + std::string(o.opener) + "\" at line " + std::to_string(o.where.line) +
           " is missing terminator \"" + std::string(o.closer) + "\"";
  }
  // Reports the current token as unexpected, worded as Elixir words it.
  [[noreturn, gnu::cold, gnu::noinline]] void unexpected() {
    if (peek().kind == tok::eol && peek().text == "\n") {
      skip_eols();  // a newline is no token to the reader: name what follows it
      unexpected();
    }
    const token& t = peek();
    const std::string text(t.text);
    switch (t.kind) {
      case tok::eof:
        if (!opens_.empty()) {
          const open_construct& o = opens_.back();
          fail(t, {"missing terminator: ", o.closer, " (for \"", o.opener, "\" starting at line ",
                   std::to_string(o.where.line), ")"});
        }
        fail(t, {"syntax error: expression is incomplete"});
      case tok::op:
        if (text == ")" || text == "]" || text == "}") {
          if (!opens_.empty() && opens_.back().closer == text) fail_before(t);
          fail(t, {"unexpected token: ", text, opens_.empty() ? "" : mismatch(opens_.back())});
        }
        if (text == "//")
          fail_before(t,
                      ": the range step operator (//) must immediately follow the range definition operator "
                      "(..), as in 1..9//2");
        if (text == "|") fail_before(t, " (| only goes in [head | tail] lists and %{map | key: value} updates)");
        if (text == "=>") fail_before(t, " (=> only goes in maps: %{key => value})");
        if (text == "<-") fail_before(t, " (<- only goes in for generators: for x <- list)");
        if (text == "->") fail_before(t, " (-> only goes in fn, case, cond and receive clauses)");
        if (text == "when") fail_before(t, " (when only goes in clause heads: pattern when guard -> ...)");
        fail_before(t);
      case tok::reserved:
        fail(t, {"unexpected reserved word: ", text,
                 text == "end" && !opens_.empty() && opens_.back().closer != "end" ? mismatch(opens_.back()) : ""});
      case tok::keyword: fail_before(t, " (keyword lists go in [...], %{...}, or last among a call's arguments)");
      case tok::error: {  // misplaced, however it would end: name its first character
        std::size_t n = 1;
        while (t.begin + n < src_.size() && (static_cast<unsigned char>(src_[t.begin + n]) & 0xc0) == 0x80) ++n;
        fail(t, {"syntax error before: ", src_.substr(t.begin, n)});
      }
      default: fail_before(t);
    }
  }
  std::string describe(const token& t) const {
    switch (t.kind) {
      case tok::eof: return "end of input";
      case tok::eol: return t.text == ";" ? "';'" : "newline";
      case tok::op:
      case tok::interp_close: return "'" + std::string(t.text) + "'";
      default: return shortened(src_.substr(t.begin, t.end - t.begin), 40);
    }
  }

  // --- nodes ---
  static std::shared_ptr<node> make(node_kind kind, location where) {
    auto n = std::make_shared<node>();
    n->kind = kind;
    n->where = where;
    return n;
  }
  static node_ptr literal(term value, location where) {
    auto n = make(node_kind::literal, where);
    n->value = std::move(value);
    return n;
  }
  // A body of expressions: nil when empty, the expression when one, else a block.
  static node_ptr body_of(std::vector<node_ptr> exprs, location where) {
    if (exprs.empty()) return literal(term(atoms::nil), where);
    if (exprs.size() == 1) return std::move(exprs.front());
    auto n = make(node_kind::block, where);
    n->args = std::move(exprs);
    return n;
  }
  // The text of the construct from `begin` to the last token taken: what a
  // call looked like, for error messages (bounded: the text may be huge).
  std::string source_from(std::size_t begin) const {
    return shortened(src_.substr(begin, prev_end_ > begin ? prev_end_ - begin : 0), 160);
  }
  [[gnu::noinline]] node_ptr integer(const token& t, bool negative, location where) const {
    constexpr std::uint64_t limit = std::uint64_t{1} << 63;  // -2^63 is the one magnitude beyond INT64_MAX
    if (t.overflow || t.magnitude > (negative ? limit : limit - 1))
      fail(where, {"integer too large: ", negative ? "-" : "", t.text, " (otter's integers are 64-bit)"});
    if (!negative) return literal(term(static_cast<std::int64_t>(t.magnitude)), where);
    return literal(term(t.magnitude == limit ? INT64_MIN : -static_cast<std::int64_t>(t.magnitude)), where);
  }

  // --- expressions ---
  node_ptr expr() { return binary(0); }

  node_ptr binary(int min_prec) {
    depth_guard g(*this);
    return binary_rest(unary(), min_prec);
  }

  node_ptr binary_rest(node_ptr left, int min_prec) {
    chain_depth chain(*this);
    for (;;) {
      const token& t = peek();
      const std::optional<binop> op = binary_operator(t);
      if (!op) {
        if (unsupported_operator(t)) fail(t, {"operator ", t.text, " is not supported by this shell"});
        return left;
      }
      if (op->prec < min_prec) return left;
      chain.add();
      take();
      node_ptr right = binary(op->right ? op->prec : op->prec + 1);
      auto n = make(t.text == "=" ? node_kind::match : node_kind::binary_op, left->where);
      if (t.text != "=") n->name = t.text;
      // `//` is not an operator of its own: it completes the range just
      // read, `first..last//step` (so its right operand stops before it).
      if (t.text == ".." && at_op("//")) {
        take();
        n->name = "..//";
        n->args = {std::move(left), std::move(right), binary(range_prec)};
      } else {
        n->args = {std::move(left), std::move(right)};
      }
      left = std::move(n);
    }
  }

  node_ptr unary() {
    const token& t = peek();
    if (t.kind == tok::op) {
      if (t.text == "-" || t.text == "+") {
        // A signed number is a literal, so that -9223372036854775808 fits
        // and patterns such as `-1 ->` need no arithmetic.
        const token& n = peek(1);
        if (n.kind == tok::integer || (n.kind == tok::literal && n.value.is_float())) {
          take();
          take();
          const bool negative = t.text == "-";
          node_ptr number = n.kind == tok::integer
                                ? integer(n, negative, t.where)
                                : literal(term(negative ? -n.value.as_float() : n.value.as_float()), t.where);
          return postfix(std::move(number), t.begin);
        }
      }
      if (t.text == "-" || t.text == "+" || t.text == "!" || t.text == "not") {
        take();
        depth_guard g(*this);
        node_ptr operand = unary();
        // `not a in b` is `not(a in b)`, as Elixir reads it.
        if (t.text == "not" && at_op("in")) operand = binary_rest(std::move(operand), in_prec);
        auto n = make(node_kind::unary_op, t.where);
        n->name = t.text;
        n->args = {std::move(operand)};
        return n;
      }
      if (t.text == "^") return pin();
      if (t.text == "&") return capture();
    }
    const std::size_t begin = t.begin;
    return postfix(primary(), begin);
  }

  [[gnu::noinline]] node_ptr pin() {
    const token& caret = take();
    const token& v = peek();
    if (v.kind != tok::identifier || (at_op("(", 1) && !peek(1).space_before)) {
      if (v.kind == tok::eof) unexpected();
      fail(v, {"the pin operator ^ must be followed by a variable, got ", describe(v)});
    }
    take();
    auto var = make(node_kind::variable, v.where);
    var->name = v.text;
    auto n = make(node_kind::pin, caret.where);
    n->args = {std::move(var)};
    return n;
  }

  [[gnu::noinline]] node_ptr capture() {
    const token& amp = take();
    if (node_ptr op = operator_capture(amp)) return op;
    captures_.emplace_back();
    node_ptr body = binary(match_prec);  // `&` binds more loosely than everything but `|` and `when`
    const capture_scope scope = std::move(captures_.back());
    captures_.pop_back();
    auto n = make(node_kind::capture, amp.where);
    if (scope.highest == 0) {  // &fun/arity or &Mod.fun/arity
      if (body->kind == node_kind::binary_op && body->name == "/") {
        const node& f = *body->args[0];
        const node& arity = *body->args[1];
        if (arity.kind == node_kind::literal && arity.value.is_integer() &&
            (f.kind == node_kind::variable || (f.kind == node_kind::remote_call && f.no_parens))) {
          if (arity.value.as_int() < 0 || arity.value.as_int() > 255)
            fail(arity.where, {"invalid arity in a capture: ", arity.value.to_string(), " (0 to 255)"});
          n->name = f.name;
          n->args = {f.kind == node_kind::variable ? nullptr : f.args[0]};
          n->arity = static_cast<std::size_t>(arity.value.as_int());
          return n;
        }
      }
      fail(amp.where, {"invalid capture: expected &fun/arity, &Mod.fun/arity or an expression using &1, &2, "
                       "... such as &(&1 + 1)"});
    }
    if (!captures_.empty()) fail(amp.where, {"nested captures are not allowed: write the inner one as fn ... end"});
    for (std::size_t k = 1; k < scope.highest; ++k)
      if (!scope.used[k])
        fail(amp.where,
             {"capture argument &", std::to_string(scope.highest), " cannot be defined without &", std::to_string(k)});
    n->args = {std::move(body)};
    n->arity = scope.highest;
    return n;
  }

  // `&+/2`, `&<>/2`, `&-/1`: an operator as a function, built as the
  // capture `&(&1 + &2)` (`&//2` is division: the lexer reads `//` there).
  // Returns null when the tokens after `&` are not one of these.
  node_ptr operator_capture(const token& amp) {
    static constexpr std::string_view binary_ops[] = {"+",  "-", "*",  "/",  "==", "!=", "===", "!==", "<",
                                                      ">",  "<=", ">=", "<>", "++", "--"};
    static constexpr std::string_view unary_ops[] = {"+", "-"};
    const token& op = peek();
    if (op.kind != tok::op) return nullptr;
    const bool slash_slash = op.text == "//";  // `&//2` lexes as `&` `//` `2`
    if (!slash_slash && !at_op("/", 1)) return nullptr;
    const token& arity = peek(slash_slash ? 1 : 2);
    if (arity.kind != tok::integer || arity.magnitude > 2) return nullptr;
    const std::string_view name = slash_slash ? std::string_view("/") : op.text;
    const auto has = [name](const auto& ops) {
      for (std::string_view o : ops)
        if (o == name) return true;
      return false;
    };
    if (arity.magnitude == 2 ? !has(binary_ops) : arity.magnitude == 1 ? !has(unary_ops) : true) return nullptr;
    take();
    if (!slash_slash) take();
    take();
    auto body = make(arity.magnitude == 2 ? node_kind::binary_op : node_kind::unary_op, op.where);
    body->name = std::string(name);
    for (std::size_t k = 1; k <= arity.magnitude; ++k) {
      auto arg = make(node_kind::capture_arg, op.where);
      arg->arity = k;
      body->args.push_back(std::move(arg));
    }
    auto n = make(node_kind::capture, amp.where);
    n->arity = arity.magnitude;
    n->args = {std::move(body)};
    return n;
  }

  [[gnu::noinline]] node_ptr capture_arg(const token& t) {
    if (captures_.empty()) fail(t, {"capture argument ", t.text, " must be used within the capture operator &"});
    if (t.overflow || t.magnitude == 0 || t.magnitude > 255)
      fail(t, {"capture argument ", t.text, " is invalid: they go from &1 to &255"});
    capture_scope& scope = captures_.back();
    if (scope.used.size() <= t.magnitude) scope.used.resize(t.magnitude + 1);
    scope.used[t.magnitude] = true;
    if (t.magnitude > scope.highest) scope.highest = t.magnitude;
    auto n = make(node_kind::capture_arg, t.where);
    n->arity = t.magnitude;
    return n;
  }

  // Calls through a dot and accesses that follow an expression.
  node_ptr postfix(node_ptr n, std::size_t begin) {
    chain_depth chain(*this);
    for (;;) {
      const token& t = peek();
      if (t.kind == tok::op && t.text == ".") {
        chain.add();
        take();
        const token& name = peek();
        if (name.kind == tok::op && name.text == "(") {
          take();
          auto call = make(node_kind::apply_fun, n->where);
          call->args = {std::move(n)};
          for (node_ptr& a : paren_args(name)) call->args.push_back(std::move(a));
          n = std::move(call);
          continue;
        }
        if (name.kind != tok::identifier) {
          if (name.kind == tok::eof) unexpected();
          fail_before(name, " (a function name or ( must follow the dot)");
        }
        take();
        auto call = make(node_kind::remote_call, n->where);
        call->name = name.text;
        call->args = {std::move(n)};
        if (at_op("(") && !peek().space_before) {
          const token& open = take();
          for (node_ptr& a : paren_args(open)) call->args.push_back(std::move(a));
        } else if (starts_argument(peek())) {
          for (node_ptr& a : noparen_args(mode_ == commas::greedy)) call->args.push_back(std::move(a));
          call->source = source_from(begin);
          return call;  // the arguments took the rest of the expression
        } else {
          call->no_parens = true;
        }
        call->source = source_from(begin);
        n = std::move(call);
        continue;
      }
      if (t.kind == tok::op && t.text == "[" && !t.space_before) {
        chain.add();
        take();
        open_guard og(*this, "]", "[", t.where);
        mode_guard mg(*this, commas::container);
        node_ptr key = expr();
        expect_op("]");
        auto a = make(node_kind::access, n->where);
        a->args = {std::move(n), std::move(key)};
        n = std::move(a);
        continue;
      }
      return n;
    }
  }

  node_ptr primary() {
    const token& t = peek();
    switch (t.kind) {
      case tok::integer: take(); return integer(t, false, t.where);
      case tok::literal:
      case tok::alias: take(); return literal(t.value, t.where);
      case tok::string_begin: return interpolation();
      case tok::capture_arg: take(); return capture_arg(t);
      case tok::identifier: return identifier();
      case tok::error: lex_.raise();
      case tok::reserved:
        if (t.text == "fn") return fn();
        unexpected();
      case tok::op:
        if (t.text == "(") return parens();
        if (t.text == "[") return list();
        if (t.text == "{") return tuple();
        if (t.text == "%{") return map();
        if (t.text == "%") fail(t, {"structs (%Name{...}) are not supported by this shell"});
        if (t.text == "<<") fail(t, {"binaries are not supported by this shell"});
        if (t.text == "@") fail(t, {"module attributes (@name) are not supported by this shell"});
        unexpected();
      default: unexpected();
    }
  }

  // Whether `t` starts the arguments of a call written without parentheses:
  // on the same line, after a blank, a token that can only start an
  // expression (so `x - 1` and `x -1` stay subtractions).
  static bool starts_argument(const token& t) {
    if (!t.space_before) return false;
    switch (t.kind) {
      case tok::integer:
      case tok::literal:
      case tok::alias:
      case tok::identifier:
      case tok::keyword:
      case tok::capture_arg:
      case tok::string_begin:
      case tok::error: return true;
      case tok::reserved: return t.text == "fn";
      case tok::op:
        return t.text == "(" || t.text == "[" || t.text == "{" || t.text == "%{" || t.text == "%" || t.text == "<<" ||
               t.text == "^" || t.text == "&" || t.text == "!" || t.text == "not" || t.text == "@";
      default: return false;
    }
  }

  [[gnu::noinline]] node_ptr identifier() {
    const token& t = take();
    const std::string_view name = t.text;
    if (name == "if" || name == "unless") return if_(t);
    if (name == "case") return case_(t);
    if (name == "cond") return cond_(t);
    if (name == "receive") return receive_(t);
    if (name == "for") return for_(t);
    if (unsupported_name(name)) unsupported(t);
    if (at_op("(") && !peek().space_before) {
      const token& open = take();
      auto call = make(node_kind::local_call, t.where);
      call->name = name;
      call->args = paren_args(open);
      call->source = source_from(t.begin);
      return call;
    }
    if (starts_argument(peek())) {
      auto call = make(node_kind::local_call, t.where);
      call->name = name;
      call->args = noparen_args(mode_ == commas::greedy);
      call->source = source_from(t.begin);
      return call;
    }
    auto v = make(node_kind::variable, t.where);
    v->name = name;
    return v;
  }

  // Arguments in parentheses, the `(` taken: a trailing keyword list becomes
  // one list argument; no trailing comma, as in Elixir. A call without
  // parentheses as the first argument takes the commas (`f(g a, b)` is
  // f(g(a, b))), as Elixir's grammar has it; a later one may not.
  [[gnu::noinline]] std::vector<node_ptr> paren_args(const token& open) {
    open_guard og(*this, ")", "(", open.where);
    mode_guard mg(*this, commas::greedy);
    std::vector<node_ptr> args;
    while (!at_op(")")) {
      if (peek().kind == tok::keyword) {
        args.push_back(keywords(")", false, true));
        break;
      }
      args.push_back(expr());
      mode_ = commas::container;
      if (!at_op(",")) break;
      take();
      if (at_op(")")) unexpected();
    }
    expect_op(")");
    return args;
  }

  // Arguments without parentheses: `IO.puts "hi"`, `f a, b, key: v`.
  [[gnu::noinline]] std::vector<node_ptr> noparen_args(bool own_commas) {
    std::vector<node_ptr> args;
    for (;;) {
      if (peek().kind == tok::keyword) {
        args.push_back(keywords({}, false, own_commas));
        break;
      }
      args.push_back(expr());
      if (!at_op(",") || !own_commas_here(own_commas)) break;
      take();
    }
    return args;
  }

  // At a comma after an argument: whether it separates this call's arguments.
  bool own_commas_here(bool own_commas) {
    if (own_commas) return true;
    if (mode_ == commas::container)
      fail(peek(), {"unexpected comma. Parentheses are required to solve ambiguity inside containers: write "
                    "f(a, b) for a call with several arguments"});
    return false;
  }

  // `key: value, ...` up to `closer` (not taken); the current token is a keyword.
  [[gnu::noinline]] node_ptr keywords(std::string_view closer, bool trailing_comma, bool own_commas) {
    auto list = make(node_kind::list, peek().where);
    for (;;) {
      const token& k = take();
      auto pair = make(node_kind::tuple, k.where);
      pair->args = {literal(k.value, k.where), expr()};
      list->args.push_back(std::move(pair));
      if (!at_op(",") || !own_commas_here(own_commas)) return list;
      take();
      if (peek().kind == tok::keyword) continue;
      if (peek().kind == tok::error) lex_.raise();  // such as `b:2`, a keyword without its space
      if (trailing_comma && at_op(closer)) return list;
      if (peek().kind == tok::eof || at_op(closer)) unexpected();
      fail(peek(), {"unexpected expression after keyword list: keywords must come last, as in [1, 2, key: value] "
                    "or f(a, key: value)"});
    }
  }

  [[gnu::noinline]] node_ptr parens() {
    const token& open = take();
    open_guard og(*this, ")", "(", open.where);
    mode_guard mg(*this, commas::greedy);
    std::vector<node_ptr> exprs;
    for (;;) {
      skip_eols();
      if (at_op(")")) break;
      exprs.push_back(expr());
      if (peek().kind != tok::eol && !at_op(")")) unexpected();
    }
    take();
    return body_of(std::move(exprs), open.where);
  }

  [[gnu::noinline]] node_ptr list() {
    const token& open = take();
    open_guard og(*this, "]", "[", open.where);
    mode_guard mg(*this, commas::container);
    auto l = make(node_kind::list, open.where);
    while (!at_op("]")) {
      if (peek().kind == tok::keyword) {
        const node_ptr kw = keywords("]", true, true);
        l->args.insert(l->args.end(), kw->args.begin(), kw->args.end());
        break;
      }
      l->args.push_back(expr());
      if (at_op("|")) {
        take();
        l->tail = expr();
        break;
      }
      if (!at_op(",")) break;
      take();
    }
    expect_op("]");
    return l;
  }

  [[gnu::noinline]] node_ptr tuple() {
    const token& open = take();
    open_guard og(*this, "}", "{", open.where);
    mode_guard mg(*this, commas::container);
    auto t = make(node_kind::tuple, open.where);
    while (!at_op("}")) {
      if (peek().kind == tok::keyword) {
        if (t->args.empty()) unexpected();  // `{a: 1}` is an error in Elixir too
        t->args.push_back(keywords("}", true, true));
        break;
      }
      t->args.push_back(expr());
      if (!at_op(",")) break;
      take();
    }
    expect_op("}");
    return t;
  }

  [[gnu::noinline]] node_ptr map() {
    const token& open = take();
    open_guard og(*this, "}", "%{", open.where);
    mode_guard mg(*this, commas::container);
    auto m = make(node_kind::map, open.where);
    bool first = true;
    while (!at_op("}")) {
      if (peek().kind == tok::keyword) {
        const node_ptr kw = keywords("}", true, true);
        for (const node_ptr& pair : kw->args) m->pairs.emplace_back(pair->args[0], pair->args[1]);
        break;
      }
      node_ptr key = expr();
      if (first && at_op("|")) {  // %{map | key: value}
        take();
        m->tail = std::move(key);
        first = false;
        if (at_op("}")) unexpected();
        continue;
      }
      first = false;
      expect_op("=>");
      m->pairs.emplace_back(std::move(key), expr());
      if (!at_op(",")) break;
      take();
    }
    expect_op("}");
    return m;
  }

  [[gnu::noinline]] node_ptr interpolation() {
    const token& begin = take();
    auto n = make(node_kind::interpolation, begin.where);
    if (begin.text.starts_with(':')) n->name = "atom";  // :"W#{i}"
    for (;;) {
      if (peek().kind == tok::error) lex_.raise();  // the string does not end
      if (peek().kind != tok::string_part) unexpected();
      const token& part = take();
      n->args.push_back(literal(part.value, part.where));
      if (peek().kind == tok::error) lex_.raise();
      if (peek().kind == tok::string_end) {
        take();
        return n;
      }
      if (peek().kind != tok::interp_open) unexpected();
      const token& open = take();
      open_guard og(*this, "}", "#{", open.where);
      mode_guard mg(*this, commas::greedy);
      std::vector<node_ptr> exprs;
      for (;;) {
        skip_eols();
        if (peek().kind == tok::interp_close) break;
        exprs.push_back(expr());
        if (peek().kind != tok::eol && peek().kind != tok::interp_close) unexpected();
      }
      take();
      n->args.push_back(body_of(std::move(exprs), open.where));
    }
  }

  // Expressions separated by newlines or `;` up to one of `stops` (not taken).
  [[gnu::noinline]] node_ptr body(std::initializer_list<std::string_view> stops, location where) {
    mode_guard mg(*this, commas::greedy);
    std::vector<node_ptr> exprs;
    for (;;) {
      skip_eols();
      if (is_stop(peek(), stops)) break;
      exprs.push_back(expr());
      if (peek().kind != tok::eol && !is_stop(peek(), stops)) unexpected();
    }
    const location at = exprs.empty() ? where : exprs.front()->where;
    return body_of(std::move(exprs), at);
  }

  // `pattern [when guard] -> body` clauses up to one of `stops` (not taken).
  // A body runs until the next line that turns out to be a head: an
  // expression followed by `->`, `,` or `when`.
  [[gnu::noinline]] std::vector<clause> clauses(clause_kind kind, std::string_view what,
                                                std::initializer_list<std::string_view> stops) {
    mode_guard mg(*this, commas::greedy);
    std::vector<clause> out;
    skip_eols();
    if (is_stop(peek(), stops)) fail(peek(), {"expected clauses (pattern -> expression) in ", what});
    node_ptr first;  // the first pattern of the next clause, already read
    for (;;) {
      clause c = head(kind, what, std::move(first));
      first = nullptr;
      const location body_at = peek().where;
      std::vector<node_ptr> exprs;
      bool another = false;
      for (;;) {
        skip_eols();
        if (is_stop(peek(), stops)) break;
        if (kind == clause_kind::fn && paren_head_ahead()) {
          another = true;
          break;
        }
        node_ptr e = expr();
        if (at_op("->") || at_op(",") || at_op("when")) {
          first = std::move(e);
          another = true;
          break;
        }
        exprs.push_back(std::move(e));
        if (peek().kind != tok::eol && !is_stop(peek(), stops)) unexpected();
      }
      c.body = body_of(std::move(exprs), body_at);
      out.push_back(std::move(c));
      if (!another) return out;
    }
  }

  [[gnu::noinline]] clause head(clause_kind kind, std::string_view what, node_ptr first) {
    clause c;
    bool parenthesized = false;
    if (!first) {
      if (kind == clause_kind::fn && at_op("->")) {  // fn -> body end
        take();
        return c;
      }
      if (kind == clause_kind::fn && paren_head_ahead()) {  // fn (a, b) -> body end
        const token& open = take();
        open_guard og(*this, ")", "(", open.where);
        mode_guard mg(*this, commas::container);
        while (!at_op(")")) {
          c.patterns.push_back(expr());
          if (!at_op(",")) break;
          take();
        }
        expect_op(")");
        parenthesized = true;
      } else {
        first = expr();
      }
    }
    if (!parenthesized) {
      c.patterns.push_back(std::move(first));
      while (at_op(",")) {
        if (kind != clause_kind::fn)
          fail(peek(), {what, " clauses take exactly one ", kind == clause_kind::cond ? "condition" : "pattern"});
        take();
        mode_guard mg(*this, commas::container);
        c.patterns.push_back(expr());
      }
    }
    if (at_op("when")) {
      if (kind == clause_kind::cond) fail(peek(), {"cond clauses take no guard (when)"});
      take();
      c.guard = expr();
    }
    expect_op("->");
    return c;
  }

  // Whether a `(` here opens the parenthesized head of a fn clause: its `)`
  // is followed by `->` or `when`. Heads are short; the scan is bounded so
  // that hostile input stays linear.
  [[gnu::noinline]] bool paren_head_ahead() {
    if (!at_op("(")) return false;
    std::size_t depth = 0;
    for (std::size_t k = 0; k < 256; ++k) {
      const token& t = peek(k);
      if (t.kind == tok::eof || t.kind == tok::error) return false;
      if (t.kind != tok::op) continue;
      if (t.text == "(" || t.text == "[" || t.text == "{" || t.text == "%{") {
        ++depth;
      } else if (t.text == ")" || t.text == "]" || t.text == "}") {
        if (--depth == 0) return at_op("->", k + 1) || at_op("when", k + 1);
      }
    }
    return false;
  }

  [[gnu::noinline]] node_ptr fn() {
    const token& f = take();
    open_guard og(*this, "end", "fn", f.where);
    auto n = make(node_kind::fn, f.where);
    n->clauses = clauses(clause_kind::fn, "fn", {"end"});
    expect_end();
    return n;
  }

  struct special_args_t {
    std::vector<node_ptr> positional;
    node_ptr keywords;  // a trailing keyword list, or null
  };

  // The arguments of if/unless/case/cond/receive/for: in parentheses, or
  // without them, the commas then separating these arguments (`if f x, do: 1`).
  [[gnu::noinline]] special_args_t special_args() {
    special_args_t out;
    if (at_op("(") && !peek().space_before) {
      const token& open = take();
      out.positional = paren_args(open);
    } else if (starts_argument(peek())) {
      mode_guard mg(*this, commas::single);
      out.positional = noparen_args(true);
    }
    if (!out.positional.empty() && is_keyword_list(*out.positional.back())) {
      out.keywords = std::move(out.positional.back());
      out.positional.pop_back();
    }
    return out;
  }

  [[noreturn, gnu::cold, gnu::noinline]] void missing_do(const token& form, std::string_view usage) {
    fail(peek().where, {"`", form.text, "` expects a do-block: ", usage});
  }

  static std::string_view key_of(const node& pair) { return pair.args[0]->value.as_atom().text(); }

  [[gnu::noinline]] node_ptr if_(const token& t) {
    const std::string_view name = t.text;
    const std::string_view usage =
        name == "if" ? "if condition do ... else ... end, or if condition, do: ..., else: ..."
                     : "unless condition do ... else ... end, or unless condition, do: ..., else: ...";
    special_args_t a = special_args();
    if (a.positional.size() != 1) fail(t, {"`", name, "` expects one condition: ", usage});
    node_ptr then_branch, else_branch;
    if (at_reserved("do")) {
      if (a.keywords) fail(peek(), {"`", name, "` takes either do: ... or a do-block, not both"});
      const token& d = take();
      open_guard og(*this, "end", "do", d.where);
      then_branch = body({"else", "end"}, d.where);
      if (at_reserved("else")) {
        const token& e = take();
        else_branch = body({"end"}, e.where);
      }
      expect_end();
    } else if (a.keywords) {
      for (const node_ptr& pair : a.keywords->args) {
        const std::string_view key = key_of(*pair);
        node_ptr& slot = key == "do" ? then_branch : else_branch;
        if ((key != "do" && key != "else") || slot)
          fail(pair->where, {"unexpected keyword ", key, ": in ", name, " (do: and else: are allowed, once)"});
        slot = pair->args[1];
      }
      if (!then_branch) fail(a.keywords->where, {"missing do: in ", name, ": ", usage});
    } else {
      missing_do(t, usage);
    }
    auto n = make(node_kind::if_, t.where);
    if (name == "unless")
      n->args = {a.positional[0], else_branch ? else_branch : literal(term(atoms::nil), t.where), then_branch};
    else
      n->args = {a.positional[0], then_branch, else_branch};
    return n;
  }

  [[gnu::noinline]] node_ptr case_(const token& t) {
    static constexpr std::string_view usage = "case expression do pattern -> ... end";
    special_args_t a = special_args();
    if (a.positional.size() != 1 || a.keywords) fail(t, {"`case` expects one expression and a do-block: ", usage});
    if (!at_reserved("do")) missing_do(t, usage);
    const token& d = take();
    open_guard og(*this, "end", "do", d.where);
    auto n = make(node_kind::case_, t.where);
    n->args = {std::move(a.positional[0])};
    n->clauses = clauses(clause_kind::one, "case", {"end"});
    expect_end();
    return n;
  }

  [[gnu::noinline]] node_ptr cond_(const token& t) {
    static constexpr std::string_view usage = "cond do condition -> ... end";
    special_args_t a = special_args();
    if (!a.positional.empty() || a.keywords) fail(t, {"`cond` takes no arguments: ", usage});
    if (!at_reserved("do")) missing_do(t, usage);
    const token& d = take();
    open_guard og(*this, "end", "do", d.where);
    auto n = make(node_kind::cond_, t.where);
    n->clauses = clauses(clause_kind::cond, "cond", {"end"});
    expect_end();
    return n;
  }

  [[gnu::noinline]] node_ptr receive_(const token& t) {
    static constexpr std::string_view usage = "receive do pattern -> ... after timeout -> ... end";
    special_args_t a = special_args();
    if (!a.positional.empty() || a.keywords) fail(t, {"`receive` takes no arguments: ", usage});
    if (!at_reserved("do")) missing_do(t, usage);
    const token& d = take();
    open_guard og(*this, "end", "do", d.where);
    auto n = make(node_kind::receive_, t.where);
    skip_eols();
    if (!at_reserved("after")) n->clauses = clauses(clause_kind::one, "receive", {"after", "end"});
    if (at_reserved("after")) {
      const token& after = take();
      std::vector<clause> timeout = clauses(clause_kind::one, "after", {"end"});
      if (timeout.size() != 1 || timeout[0].guard)
        fail(after, {"`after` in receive takes exactly one clause: after timeout -> expression"});
      n->args = {std::move(timeout[0].patterns[0]), std::move(timeout[0].body)};
    }
    expect_end();
    return n;
  }

  [[gnu::noinline]] node_ptr for_(const token& t) {
    static constexpr std::string_view usage = "for pattern <- enumerable, filter, do: expression (or do ... end)";
    auto n = make(node_kind::for_, t.where);
    node_ptr kw;
    if (starts_argument(peek())) {
      mode_guard mg(*this, commas::single);
      for (;;) {
        if (peek().kind == tok::keyword) {
          kw = keywords({}, false, true);
          break;
        }
        node_ptr e = expr();
        clause q;
        if (at_op("when")) {
          take();
          q.guard = expr();
          if (!at_op("<-")) {
            if (peek().kind == tok::eof) unexpected();
            fail(peek(), {"expected <- after the guard of a generator: for pattern when guard <- enumerable"});
          }
        }
        if (at_op("<-")) {
          take();
          q.patterns.push_back(std::move(e));
          q.body = expr();
        } else {
          q.body = std::move(e);
        }
        n->clauses.push_back(std::move(q));
        if (!at_op(",")) break;
        take();
      }
    }
    if (n->clauses.empty() || n->clauses[0].patterns.empty()) fail(t, {"`for` must start with a generator: ", usage});
    node_ptr body_node;
    if (at_reserved("do")) {
      if (kw) fail(peek(), {"`for` takes either do: ... or a do-block, not both"});
      const token& d = take();
      open_guard og(*this, "end", "do", d.where);
      body_node = body({"end"}, d.where);
      expect_end();
    } else if (kw) {
      for (const node_ptr& pair : kw->args) {
        const std::string_view key = key_of(*pair);
        if (key != "do") fail(pair->where, {"the for option ", key, ": is not supported by this shell (only do: is)"});
        if (body_node) fail(pair->where, {"do: given twice in for"});
        body_node = pair->args[1];
      }
    } else {
      missing_do(t, usage);
    }
    n->args = {n->clauses[0].body, std::move(body_node)};
    return n;
  }

  std::string_view src_;
  detail::lexer lex_;
  const parse_limits& limits_;
  std::size_t pos_ = 0;
  std::size_t prev_end_ = 0;
  std::size_t depth_ = 0;
  commas mode_ = commas::greedy;
  std::vector<open_construct> opens_;
  std::vector<capture_scope> captures_;
};

}  // namespace

std::vector<node_ptr> parse(std::string_view text, const parse_limits& limits) {
  return parser(text, limits).program();
}

}  // namespace otter::shell

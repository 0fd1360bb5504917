// lib/front/detail/parser.cpp - Recursive descent with precedence climbing over the token list.
#include "lib/front/detail/parser.h"

#include <fmt/format.h>

#include <cctype>

namespace rasp::front::detail {
namespace {

// Binding levels, loosest first (see parser.h).
enum Level : int {
  kIn = 1,
  kTernary = 2,
  kAndOr = 3,
  kCompare = 4,
  kAdd = 5,
  kMod = 6,
  kMul = 7,
  kPow = 8,
  kPrefix = 9,
};

int binary_level(Tok t) {
  switch (t) {
    case Tok::And:
    case Tok::Or:
      return kAndOr;
    case Tok::EqEq:
    case Tok::Le:
    case Tok::Ge:
    case Tok::Lt:
    case Tok::Gt:
      return kCompare;
    case Tok::Plus:
    case Tok::Minus:
      return kAdd;
    case Tok::Percent:
      return kMod;
    case Tok::Star:
    case Tok::Slash:
      return kMul;
    case Tok::Caret:
      return kPow;
    default:
      return 0;
  }
}

struct ParseError {
  Diagnostic diagnostic;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::shared_ptr<const std::string> file, int max_depth)
      : d_tokens(std::move(tokens)), d_file(std::move(file)), d_max_depth(max_depth) {}

  std::vector<StmtPtr> program() {
    std::vector<StmtPtr> out;
    while (peek().kind != Tok::End) {
      if (auto s = statement(/*top_level=*/true)) {
        if (s->kind == StmtKind::Ignored && s->name == "exit") break;
        out.push_back(s);
      }
    }
    return out;
  }

  AstPtr lone_expression() {
    AstPtr e = expr(0);
    if (peek().kind == Tok::Semicolon) next();
    if (peek().kind != Tok::End) {
      throw_error(code::kSyntax, fmt::format("unexpected {} after the expression", describe(peek())),
                  peek());
    }
    return e;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = std::min(d_pos + ahead, d_tokens.size() - 1);
    return d_tokens[i];
  }
  const Token& next() {
    const Token& t = d_tokens[d_pos];
    if (d_pos + 1 < d_tokens.size()) ++d_pos;
    return t;
  }
  bool accept(Tok kind) {
    if (peek().kind != kind) return false;
    next();
    return true;
  }

  SourceRange range_of(const Token& t) const {
    return SourceRange{d_file, t.line, t.col, t.end_line, t.end_col};
  }
  SourceRange span(const SourceRange& from, const Token& last) const {
    return SourceRange{d_file, from.line, from.col, last.end_line, last.end_col};
  }
  const Token& previous() const { return d_tokens[d_pos == 0 ? 0 : d_pos - 1]; }

  [[noreturn]] void throw_error(const char* code, std::string message, const Token& at) {
    throw ParseError{Diagnostic{Severity::Error, code, std::move(message), range_of(at), {}}};
  }

  // A statement that runs into the end of the file is reported where it starts: that is
  // the statement the reference would silently swallow.
  [[noreturn]] void cut_off(const std::string& what) {
    const Token& at = d_statement_start ? *d_statement_start : peek();
    throw ParseError{Diagnostic{Severity::Error, code::kCutOff,
                                fmt::format("statement cut off at end of file ({})", what),
                                range_of(at),
                                {fmt::format("the file ends at line {}", peek().line)}}};
  }

  const Token& expect(Tok kind, const char* what) {
    if (peek().kind == kind) return next();
    if (peek().kind == Tok::End) cut_off(fmt::format("expected {}", what));
    if (peek().kind == Tok::NotEq) {
      throw_error(code::kNotEqualOutsideSelect,
                  "'!=' exists only inside select(...); write not (a == b)", peek());
    }
    throw_error(code::kSyntax, fmt::format("expected {}, found {}", what, describe(peek())), peek());
  }

  std::string expect_id(const char* what) { return expect(Tok::Id, what).text; }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.d_depth > p.d_max_depth) {
        p.throw_error(code::kTooDeep,
                      fmt::format("nesting deeper than {} levels", p.d_max_depth), p.peek());
      }
    }
    ~DepthGuard() { --p.d_depth; }
  };

  // ----- statements -----

  bool is_word(std::size_t ahead, std::string_view w) const {
    return peek(ahead).kind == Tok::Id && peek(ahead).text == w;
  }

  // REPL commands the reference accepts in files: `set example X`, `show example`,
  // `examples on`, `full seq display off`, `exit`. Returns null when this is not one.
  StmtPtr repl_statement() {
    const Token& start = peek();
    auto stmt = std::make_shared<Stmt>();
    stmt->range = range_of(start);
    auto subset_len = [&](std::size_t at) -> std::size_t {
      if (is_word(at, "selector")) return 1;
      if (is_word(at, "s") && peek(at + 1).kind == Tok::Minus && is_word(at + 2, "op")) return 3;
      return 0;
    };
    if (is_word(0, "set") || is_word(0, "show")) {
      bool set = is_word(0, "set");
      std::size_t sub = subset_len(1);
      if (!is_word(1 + sub, "example")) return nullptr;
      for (std::size_t k = 0; k < 2 + sub; ++k) next();
      if (set) {
        stmt->kind = StmtKind::SetExample;
        stmt->exprs.push_back(expr(0));
      } else {
        stmt->kind = StmtKind::Ignored;
      }
      accept(Tok::Semicolon);
      return stmt;
    }
    std::size_t sub = subset_len(0);
    if (is_word(sub, "examples") && (is_word(sub + 1, "on") || is_word(sub + 1, "off"))) {
      for (std::size_t k = 0; k < sub + 2; ++k) next();
      accept(Tok::Semicolon);
      stmt->kind = StmtKind::Ignored;
      return stmt;
    }
    if (is_word(0, "full") && is_word(1, "seq") && is_word(2, "display") &&
        (is_word(3, "on") || is_word(3, "off"))) {
      for (int k = 0; k < 4; ++k) next();
      accept(Tok::Semicolon);
      stmt->kind = StmtKind::Ignored;
      return stmt;
    }
    // Alone on its line, `exit` ends the file there as it ends the reference's REPL, even
    // with more lines after it.
    if ((is_word(0, "exit") || is_word(0, "quit")) &&
        (peek(1).kind == Tok::End || peek(1).kind == Tok::Semicolon || peek(1).line > peek(0).end_line ||
         (peek(1).kind == Tok::LParen && peek(2).kind == Tok::RParen))) {
      next();
      if (accept(Tok::LParen)) next();
      accept(Tok::Semicolon);
      stmt->kind = StmtKind::Ignored;
      stmt->name = "exit";
      return stmt;
    }
    return nullptr;
  }

  StmtPtr statement(bool top_level) {
    DepthGuard guard(*this);
    const Token& start = peek();
    const Token* outer = d_statement_start;
    d_statement_start = &start;
    struct Reset {
      Parser& p;
      const Token* outer;
      ~Reset() { p.d_statement_start = outer; }
    } reset{*this, outer};
    if (start.kind != Tok::Id && start.kind != Tok::End && peek(1).kind == Tok::Assign &&
        start.text.size() > 0 && std::isalpha(static_cast<unsigned char>(start.text[0]))) {
      throw_error(code::kReserved, fmt::format("cannot assign to reserved word '{}'", start.text), start);
    }
    if (top_level) {
      if (auto s = repl_statement()) return s;
    }
    auto stmt = std::make_shared<Stmt>();
    switch (start.kind) {
      case Tok::Def:
        return def_statement();
      case Tok::For:
        return for_statement();
      case Tok::Load: {
        next();
        const Token& file = expect(Tok::String, "a file name in double quotes");
        stmt->kind = StmtKind::Load;
        stmt->name = file.text.substr(1, file.text.size() - 2);
        expect(Tok::Semicolon, "';'");
        stmt->range = span(range_of(start), file);
        return stmt;
      }
      case Tok::Draw: {
        next();
        expect(Tok::LParen, "'('");
        stmt->kind = StmtKind::Draw;
        stmt->exprs.push_back(expr(0));
        if (accept(Tok::Comma)) stmt->exprs.push_back(expr(0));
        expect(Tok::RParen, "')'");
        stmt->range = span(range_of(start), previous());
        expect(Tok::Semicolon, "';'");
        return stmt;
      }
      case Tok::Return:
        throw_error(code::kSyntax, "'return' outside a function body", start);
      case Tok::Semicolon:
        throw_error(code::kSyntax, "empty statement: unexpected ';'", start);
      default:
        break;
    }
    if (start.kind == Tok::Id && (peek(1).kind == Tok::Assign || peek(1).kind == Tok::Comma)) {
      stmt->kind = StmtKind::Assign;
      stmt->names.push_back(next().text);
      while (accept(Tok::Comma)) stmt->names.push_back(expect_id("a name to assign"));
      expect(Tok::Assign, "'='");
      stmt->exprs = expr_list();
      stmt->range = span(range_of(start), previous());
      expect(Tok::Semicolon, "';'");
      return stmt;
    }
    stmt->kind = StmtKind::Expr;
    stmt->exprs.push_back(expr(0));
    stmt->range = span(range_of(start), previous());
    if (peek().kind == Tok::Assign) {
      throw_error(code::kSyntax, "only names can be assigned to", peek());
    }
    expect(Tok::Semicolon, "';'");
    return stmt;
  }

  std::vector<StmtPtr> block_until(Tok stop) {
    std::vector<StmtPtr> body;
    while (peek().kind != stop && peek().kind != Tok::RBrace) {
      if (peek().kind == Tok::End) cut_off("expected '}'");
      body.push_back(statement(/*top_level=*/false));
    }
    return body;
  }

  StmtPtr def_statement() {
    const Token& start = next();  // def
    auto stmt = std::make_shared<Stmt>();
    stmt->kind = StmtKind::Def;
    stmt->name = expect_id("a function name");
    expect(Tok::LParen, "'('");
    if (peek().kind != Tok::RParen) {
      stmt->names.push_back(expect_id("a parameter name"));
      while (accept(Tok::Comma)) stmt->names.push_back(expect_id("a parameter name"));
    }
    expect(Tok::RParen, "')'");
    expect(Tok::LBrace, "'{'");
    stmt->body = block_until(Tok::Return);
    if (peek().kind != Tok::Return) {
      throw_error(code::kSyntax,
                  fmt::format("the body of '{}' must end with a return statement", stmt->name), peek());
    }
    next();
    stmt->exprs = expr_list();
    expect(Tok::Semicolon, "';'");
    expect(Tok::RBrace, "'}' after the return statement");
    stmt->range = span(range_of(start), previous());
    return stmt;
  }

  StmtPtr for_statement() {
    const Token& start = next();  // for
    auto stmt = std::make_shared<Stmt>();
    stmt->kind = StmtKind::For;
    stmt->names.push_back(expect_id("a loop variable"));
    while (accept(Tok::Comma)) stmt->names.push_back(expect_id("a loop variable"));
    expect(Tok::In, "'in'");
    stmt->exprs.push_back(expr(0));
    expect(Tok::LBrace, "'{'");
    stmt->body = block_until(Tok::RBrace);
    expect(Tok::RBrace, "'}'");
    stmt->range = span(range_of(start), previous());
    return stmt;
  }

  // ----- expressions -----

  std::vector<AstPtr> expr_list() {
    std::vector<AstPtr> out{expr(0)};
    while (accept(Tok::Comma)) out.push_back(expr(0));
    return out;
  }

  AstPtr make(ExprKind kind, const SourceRange& from, std::vector<AstPtr> args, Tok op = Tok::End,
              std::string text = {}) {
    auto a = std::make_shared<Ast>();
    a->kind = kind;
    a->op = op;
    for (const AstPtr& arg : args) a->height = std::max(a->height, arg->height + 1);
    a->args = std::move(args);
    a->text = std::move(text);
    a->range = span(from, previous());
    // A chain of operators (`1 + 1 + ... + 1`, `x[0][0]...`) nests as deeply as brackets do
    // without any, and staging it recurses as deep: the same limit.
    if (a->height > d_max_depth) {
      throw ParseError{Diagnostic{Severity::Error, code::kTooDeep,
                                  fmt::format("expression nested deeper than {} levels (a chain of {} or more "
                                              "operations)",
                                              d_max_depth, d_max_depth),
                                  a->range,
                                  {}}};
    }
    return a;
  }

  AstPtr expr(int min_level) {
    DepthGuard guard(*this);
    AstPtr left = prefix();
    while (true) {
      const Token& t = peek();
      if (t.kind == Tok::LBracket) {
        SourceRange op = range_of(next());
        AstPtr index = expr(0);
        expect(Tok::RBracket, "']'");
        auto a = make(ExprKind::Index, left->range, {left, index});
        std::const_pointer_cast<Ast>(a)->op_range = op;
        left = a;
        continue;
      }
      if (t.kind == Tok::LParen) {
        SourceRange op = range_of(next());
        std::vector<AstPtr> args{left};
        if (peek().kind != Tok::RParen) {
          for (auto& e : expr_list()) args.push_back(e);
        }
        expect(Tok::RParen, "')'");
        auto a = make(ExprKind::Call, left->range, std::move(args));
        std::const_pointer_cast<Ast>(a)->op_range = op;
        left = a;
        continue;
      }
      if (t.kind == Tok::NotEq) {
        throw_error(code::kNotEqualOutsideSelect,
                    "'!=' exists only inside select(...); write not (a == b)", t);
      }
      int level = binary_level(t.kind);
      if (level > 0 && level >= min_level) {
        const Token& op = next();
        Tok kind = op.kind;
        SourceRange op_range = range_of(op);
        AstPtr right = expr(level + 1);
        auto a = make(ExprKind::Binary, left->range, {left, right}, kind, op.text);
        std::const_pointer_cast<Ast>(a)->op_range = op_range;
        left = a;
        continue;
      }
      if (t.kind == Tok::If && kTernary >= min_level) {
        SourceRange op_range = range_of(next());
        AstPtr cond = expr(0);
        expect(Tok::Else, "'else'");
        AstPtr other = expr(kTernary + 1);
        auto a = make(ExprKind::Ternary, left->range, {left, cond, other});
        std::const_pointer_cast<Ast>(a)->op_range = op_range;
        left = a;
        continue;
      }
      if (t.kind == Tok::In && kIn >= min_level) {
        SourceRange op_range = range_of(next());
        AstPtr container = expr(kIn + 1);
        auto a = make(ExprKind::In, left->range, {left, container});
        std::const_pointer_cast<Ast>(a)->op_range = op_range;
        left = a;
        continue;
      }
      return left;
    }
  }

  AstPtr prefix() {
    const Token& t = peek();
    if (t.kind == Tok::Not || t.kind == Tok::Minus || t.kind == Tok::Plus) {
      SourceRange from = range_of(next());
      AstPtr operand = expr(kPrefix);
      auto a = make(ExprKind::Unary, from, {operand}, t.kind);
      std::const_pointer_cast<Ast>(a)->op_range = from;
      return a;
    }
    return primary();
  }

  AstPtr primary() {
    const Token& t = peek();
    SourceRange from = range_of(t);
    switch (t.kind) {
      case Tok::Int:
        next();
        return make(ExprKind::Int, from, {}, Tok::End, t.text);
      case Tok::Float:
        next();
        return make(ExprKind::Float, from, {}, Tok::End, t.text);
      case Tok::String:
        next();
        return make(ExprKind::String, from, {}, Tok::End, t.text.substr(1, t.text.size() - 2));
      case Tok::Id:
        next();
        return make(ExprKind::Name, from, {}, Tok::End, t.text);
      case Tok::LParen: {
        next();
        AstPtr inner = expr(0);
        expect(Tok::RParen, "')'");
        return inner;
      }
      case Tok::Round:
      case Tok::Indicator: {
        next();
        expect(Tok::LParen, "'('");
        AstPtr inner = expr(0);
        expect(Tok::RParen, "')'");
        auto a = make(ExprKind::Unary, from, {inner}, t.kind);
        std::const_pointer_cast<Ast>(a)->op_range = from;
        return a;
      }
      case Tok::SelectOpen: {
        next();
        AstPtr keys = expr(0);
        expect(Tok::Comma, "','");
        AstPtr queries = expr(0);
        expect(Tok::Comma, "','");
        const Token& op = peek();
        if (op.kind != Tok::EqEq && op.kind != Tok::NotEq && op.kind != Tok::Lt &&
            op.kind != Tok::Gt && op.kind != Tok::Le && op.kind != Tok::Ge) {
          if (op.kind == Tok::End) cut_off("expected a comparison");
          throw_error(code::kSyntax,
                      fmt::format("select's comparison must be one of == != < > <= >=, found {}",
                                  describe(op)),
                      op);
        }
        next();
        expect(Tok::RParen, "')'");
        return make(ExprKind::Select, from, {keys, queries}, op.kind, op.text);
      }
      case Tok::AggregateOpen: {
        next();
        std::vector<AstPtr> args{expr(0)};
        expect(Tok::Comma, "','");
        args.push_back(expr(0));
        if (accept(Tok::Comma)) args.push_back(expr(0));
        expect(Tok::RParen, "')'");
        return make(ExprKind::Aggregate, from, std::move(args));
      }
      case Tok::RangeOpen:
      case Tok::ZipOpen: {
        next();
        std::vector<AstPtr> args;
        if (peek().kind != Tok::RParen) args = expr_list();
        expect(Tok::RParen, "')'");
        return make(t.kind == Tok::RangeOpen ? ExprKind::Range : ExprKind::Zip, from, std::move(args));
      }
      case Tok::LenOpen: {
        next();
        AstPtr inner = expr(0);
        expect(Tok::RParen, "')'");
        return make(ExprKind::Len, from, {inner});
      }
      case Tok::LBracket:
        return list_or_comprehension();
      case Tok::LBrace:
        return dict_or_comprehension();
      case Tok::End:
        cut_off("expected an expression");
      case Tok::NotEq:
        throw_error(code::kNotEqualOutsideSelect,
                    "'!=' exists only inside select(...); write not (a == b)", t);
      default:
        throw_error(code::kSyntax, fmt::format("expected an expression, found {}", describe(t)), t);
    }
  }

  std::vector<std::string> iterator_names() {
    std::vector<std::string> ids{expect_id("a loop variable")};
    while (accept(Tok::Comma)) ids.push_back(expect_id("a loop variable"));
    return ids;
  }

  AstPtr list_or_comprehension() {
    SourceRange from = range_of(next());  // [
    if (accept(Tok::RBracket)) return make(ExprKind::List, from, {});
    AstPtr first = expr(0);
    if (accept(Tok::For)) {
      std::vector<std::string> ids = iterator_names();
      expect(Tok::In, "'in'");
      AstPtr iterable = expr(0);
      expect(Tok::RBracket, "']'");
      auto a = make(ExprKind::ListComp, from, {first, iterable});
      std::const_pointer_cast<Ast>(a)->ids = std::move(ids);
      return a;
    }
    std::vector<AstPtr> items{first};
    while (accept(Tok::Comma)) items.push_back(expr(0));
    expect(Tok::RBracket, "']'");
    return make(ExprKind::List, from, std::move(items));
  }

  AstPtr dict_or_comprehension() {
    SourceRange from = range_of(next());  // {
    if (accept(Tok::RBrace)) return make(ExprKind::Dict, from, {});
    AstPtr key = expr(0);
    expect(Tok::Colon, "':'");
    AstPtr value = expr(0);
    if (accept(Tok::For)) {
      std::vector<std::string> ids = iterator_names();
      expect(Tok::In, "'in'");
      AstPtr iterable = expr(0);
      expect(Tok::RBrace, "'}'");
      auto a = make(ExprKind::DictComp, from, {key, value, iterable});
      std::const_pointer_cast<Ast>(a)->ids = std::move(ids);
      return a;
    }
    std::vector<AstPtr> items{key, value};
    while (accept(Tok::Comma)) {
      items.push_back(expr(0));
      expect(Tok::Colon, "':'");
      items.push_back(expr(0));
    }
    expect(Tok::RBrace, "'}'");
    return make(ExprKind::Dict, from, std::move(items));
  }

  std::vector<Token> d_tokens;
  std::size_t d_pos = 0;
  std::shared_ptr<const std::string> d_file;
  int d_max_depth;
  int d_depth = 0;
  const Token* d_statement_start = nullptr;
};

}  // namespace

Result<std::vector<StmtPtr>> parse_program(std::string_view source,
                                           std::shared_ptr<const std::string> file, int max_depth) {
  auto tokens = lex(source, file);
  if (!tokens) return tl::unexpected(tokens.error());
  try {
    return Parser(std::move(*tokens), file, max_depth).program();
  } catch (const ParseError& e) {
    return tl::unexpected(Diagnostics{e.diagnostic});
  }
}

Result<AstPtr> parse_expression(std::string_view source, std::shared_ptr<const std::string> file,
                                int max_depth) {
  auto tokens = lex(source, file);
  if (!tokens) return tl::unexpected(tokens.error());
  try {
    return Parser(std::move(*tokens), file, max_depth).lone_expression();
  } catch (const ParseError& e) {
    return tl::unexpected(Diagnostics{e.diagnostic});
  }
}

}  // namespace rasp::front::detail

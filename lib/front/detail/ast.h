// lib/front/detail/ast.h - Syntax trees of RASP statements and expressions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/front/detail/lexer.h"
#include "lib/ir/diagnostic.h"

namespace rasp::front::detail {

enum class ExprKind {
  Name,
  Int,
  Float,
  String,
  List,
  Dict,
  ListComp,
  DictComp,
  Index,      ///< args[0][args[1]]
  Call,       ///< args[0](args[1..])
  Unary,      ///< op in {Not, Minus, Plus, Round, Indicator}
  Binary,     ///< op is the operator token
  Select,     ///< select(args[0] keys, args[1] queries, op)
  Aggregate,  ///< aggregate(args[0], args[1] [, args[2]])
  Ternary,    ///< args[0] if args[1] else args[2]
  In,         ///< args[0] in args[1]
  Range,
  Zip,
  Len,
};

struct Ast;
using AstPtr = std::shared_ptr<const Ast>;

struct Ast {
  ExprKind kind = ExprKind::Name;
  Tok op = Tok::End;
  std::string text;               ///< name, literal text
  std::vector<AstPtr> args;       ///< operands; for Dict: key0, val0, key1, val1, ...
  std::vector<std::string> ids;   ///< comprehension iterator names
  SourceRange range;
  SourceRange op_range;           ///< the operator's own position, for carets
  int height = 1;                 ///< 1 + the tallest operand's: what evaluating it recurses
};

enum class StmtKind { Expr, Assign, Def, For, Load, Draw, SetExample, Ignored };

struct Stmt;
using StmtPtr = std::shared_ptr<const Stmt>;

struct Stmt {
  StmtKind kind = StmtKind::Expr;
  std::vector<std::string> names;  ///< assigned names, def parameters, for iterators
  std::string name;                ///< def name, load file name
  std::vector<AstPtr> exprs;       ///< values; def: return values; for: {iterable}
  std::vector<StmtPtr> body;
  SourceRange range;
};

}  // namespace rasp::front::detail

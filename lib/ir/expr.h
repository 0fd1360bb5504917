// lib/ir/expr.h - Typed symbolic expressions for elementwise maps and selector predicates.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lib/ir/value.h"

namespace rasp::ir {

/// What an expression node does. Every elementwise operation of RASP is one of these, so
/// the interpreter, value-set inference, the compiler and the SMT encoder can all look in.
enum class ExprOp : std::uint8_t {
  Const,      ///< `value`
  Var,        ///< the `var`-th operand (x0..xk); for a selector predicate x0 = key, x1 = query
  Binary,     ///< `bop` over args[0], args[1]
  Neg,        ///< -args[0]
  Not,        ///< not args[0] (truthiness), a bool
  And,        ///< both truthy, a bool (the reference's s-op `and`)
  Or,         ///< either truthy, a bool
  Ite,        ///< args[1] if args[0] else args[2]
  Round,      ///< round half to even, an int
  Indicator,  ///< 1 if truthy else 0
  ToBool,     ///< bool(args[0])
  ToInt,      ///< int(args[0]): tokens_int's conversion
  ToFloat,    ///< float(args[0])
  ToStr,      ///< str(args[0])
  In,         ///< args[0] == one of `table_values` (membership in a constant list)
  Lookup,     ///< constant list/string indexed by an int, or dict by key (`table_*`)
};

/// How a Lookup indexes its table.
enum class TableKind : std::uint8_t { List, String, Dict };

class ExprNode;
/// An immutable, shareable expression tree.
using Expr = std::shared_ptr<const ExprNode>;

class ExprNode {
 public:
  ExprOp op = ExprOp::Const;
  BinaryOp bop = BinaryOp::Add;
  TableKind table_kind = TableKind::List;
  int var = 0;
  Value value;
  std::vector<Expr> args;
  /// Dict keys of a Lookup (empty for lists and strings).
  std::vector<Value> table_keys;
  /// List elements, string characters, dict values, or the members for In.
  std::vector<Value> table_values;
  std::size_t hash = 0;
};

[[nodiscard]] Expr make_const(Value v);
[[nodiscard]] Expr make_var(int index);
[[nodiscard]] Expr make_binary(BinaryOp op, Expr a, Expr b);
[[nodiscard]] Expr make_unary(ExprOp op, Expr a);
/// `and` / `or` of two operands (op is ExprOp::And or ExprOp::Or), giving a bool.
[[nodiscard]] Expr make_logical(ExprOp op, Expr a, Expr b);
[[nodiscard]] Expr make_ite(Expr cond, Expr then_expr, Expr else_expr);
[[nodiscard]] Expr make_in(Expr a, std::vector<Value> members);
/// A lookup in a constant list or string (`keys` empty) or dict.
[[nodiscard]] Expr make_lookup(Expr index, TableKind kind, std::vector<Value> keys,
                               std::vector<Value> values);

/// Evaluates with operands `vars`; errors are Python's (type, division by zero, index).
[[nodiscard]] ValueResult<Value> evaluate(const ExprNode& e, std::span<const Value> vars);

/// Structural equality (constants compared with Value::identical).
[[nodiscard]] bool equal(const Expr& a, const Expr& b);
/// One more than the largest Var index used (0 for a constant expression).
[[nodiscard]] int arity(const Expr& e);
/// Replaces each Var(i) with `replacement[i]`.
[[nodiscard]] Expr substitute(const Expr& e, const std::vector<Expr>& replacement);
/// Reads like RASP source with operands named by `names` (x0, x1, ... when empty).
[[nodiscard]] std::string to_string(const Expr& e, const std::vector<std::string>& names = {});

}  // namespace rasp::ir

// lib/ir/expr.cpp - Construction, evaluation and printing of symbolic expressions.
#include "lib/ir/expr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "lib/ir/diagnostic.h"

namespace rasp::ir {
namespace {

std::size_t combine(std::size_t seed, std::size_t v) {
  return seed ^ (v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

Expr finish(ExprNode n) {
  std::size_t h = combine(static_cast<std::size_t>(n.op) * 1315423911u, static_cast<std::size_t>(n.bop));
  h = combine(h, static_cast<std::size_t>(n.var));
  h = combine(h, static_cast<std::size_t>(n.table_kind));
  if (n.op == ExprOp::Const) h = combine(h, n.value.hash());
  for (const auto& a : n.args) h = combine(h, a->hash);
  for (const auto& v : n.table_keys) h = combine(h, v.hash());
  for (const auto& v : n.table_values) h = combine(h, v.hash());
  n.hash = h;
  return std::make_shared<const ExprNode>(std::move(n));
}

ValueError index_error(std::string message) { return {code::kIndex, std::move(message)}; }

}  // namespace

Expr make_const(Value v) {
  ExprNode n;
  n.op = ExprOp::Const;
  n.value = std::move(v);
  return finish(std::move(n));
}

Expr make_var(int index) {
  ExprNode n;
  n.op = ExprOp::Var;
  n.var = index;
  return finish(std::move(n));
}

Expr make_binary(BinaryOp op, Expr a, Expr b) {
  ExprNode n;
  n.op = ExprOp::Binary;
  n.bop = op;
  n.args = {std::move(a), std::move(b)};
  return finish(std::move(n));
}

Expr make_unary(ExprOp op, Expr a) {
  assert(op != ExprOp::Binary && op != ExprOp::Ite && op != ExprOp::Const && op != ExprOp::Var &&
         "make_unary takes a one-operand op");
  ExprNode n;
  n.op = op;
  n.args = {std::move(a)};
  return finish(std::move(n));
}

Expr make_logical(ExprOp op, Expr a, Expr b) {
  assert((op == ExprOp::And || op == ExprOp::Or) && "make_logical takes and/or");
  ExprNode n;
  n.op = op;
  n.args = {std::move(a), std::move(b)};
  return finish(std::move(n));
}

Expr make_ite(Expr cond, Expr then_expr, Expr else_expr) {
  ExprNode n;
  n.op = ExprOp::Ite;
  n.args = {std::move(cond), std::move(then_expr), std::move(else_expr)};
  return finish(std::move(n));
}

Expr make_in(Expr a, std::vector<Value> members) {
  ExprNode n;
  n.op = ExprOp::In;
  n.args = {std::move(a)};
  n.table_values = std::move(members);
  return finish(std::move(n));
}

Expr make_lookup(Expr index, TableKind kind, std::vector<Value> keys, std::vector<Value> values) {
  ExprNode n;
  n.op = ExprOp::Lookup;
  n.table_kind = kind;
  n.args = {std::move(index)};
  n.table_keys = std::move(keys);
  n.table_values = std::move(values);
  return finish(std::move(n));
}

ValueResult<Value> evaluate(const ExprNode& e, std::span<const Value> vars) {
  switch (e.op) {
    case ExprOp::Const:
      return e.value;
    case ExprOp::Var:
      assert(e.var >= 0 && static_cast<std::size_t>(e.var) < vars.size() && "operand in range");
      return vars[static_cast<std::size_t>(e.var)];
    case ExprOp::Binary: {
      auto a = evaluate(*e.args[0], vars);
      if (!a) return a;
      auto b = evaluate(*e.args[1], vars);
      if (!b) return b;
      return apply(e.bop, *a, *b);
    }
    case ExprOp::Ite: {
      auto c = evaluate(*e.args[0], vars);
      if (!c) return c;
      return evaluate(*e.args[c->truthy() ? 1 : 2], vars);
    }
    case ExprOp::And:
    case ExprOp::Or: {
      auto a = evaluate(*e.args[0], vars);
      if (!a) return a;
      auto b = evaluate(*e.args[1], vars);
      if (!b) return b;
      bool r = e.op == ExprOp::And ? (a->truthy() && b->truthy()) : (a->truthy() || b->truthy());
      return Value::boolean(r);
    }
    default:
      break;
  }
  auto a = evaluate(*e.args[0], vars);
  if (!a) return a;
  switch (e.op) {
    case ExprOp::Neg:
      return negate(*a);
    case ExprOp::Not:
      return Value::boolean(!a->truthy());
    case ExprOp::Round:
      return round_half_even(*a);
    case ExprOp::Indicator:
      return Value::integer(a->truthy() ? 1 : 0);
    case ExprOp::ToBool:
      return to_bool(*a);
    case ExprOp::ToInt:
      return to_int(*a);
    case ExprOp::ToFloat:
      return to_float(*a);
    case ExprOp::ToStr:
      return to_str(*a);
    case ExprOp::In:
      return Value::boolean(std::any_of(e.table_values.begin(), e.table_values.end(),
                                        [&](const Value& m) { return m == *a; }));
    case ExprOp::Lookup: {
      if (e.table_kind == TableKind::Dict) {
        for (std::size_t i = 0; i < e.table_keys.size(); ++i) {
          if (e.table_keys[i] == *a) return e.table_values[i];
        }
        return tl::unexpected(index_error(fmt::format("key {} not in dict", a->repr())));
      }
      if (!a->is_int() && !a->is_bool()) {
        return tl::unexpected(ValueError{
            code::kType, fmt::format("list indices must be integers, not {}", kind_name(a->kind()))});
      }
      auto size = static_cast<std::int64_t>(e.table_values.size());
      std::int64_t i = a->num();
      if (i >= size || i < -size) {
        return tl::unexpected(index_error(fmt::format(
            "index {} out of range for {} of length {}", i,
            e.table_kind == TableKind::String ? "string" : "list", size)));
      }
      return e.table_values[static_cast<std::size_t>(i < 0 ? i + size : i)];
    }
    default:
      break;
  }
  assert(false && "unhandled expression op");
  return tl::unexpected(ValueError{code::kType, "unhandled expression"});
}

bool equal(const Expr& a, const Expr& b) {
  if (a == b) return true;
  if (!a || !b || a->hash != b->hash || a->op != b->op || a->bop != b->bop || a->var != b->var ||
      a->table_kind != b->table_kind || a->args.size() != b->args.size() ||
      a->table_keys.size() != b->table_keys.size() ||
      a->table_values.size() != b->table_values.size()) {
    return false;
  }
  if (a->op == ExprOp::Const && !a->value.identical(b->value)) return false;
  for (std::size_t i = 0; i < a->args.size(); ++i) {
    if (!equal(a->args[i], b->args[i])) return false;
  }
  for (std::size_t i = 0; i < a->table_keys.size(); ++i) {
    if (!a->table_keys[i].identical(b->table_keys[i])) return false;
  }
  for (std::size_t i = 0; i < a->table_values.size(); ++i) {
    if (!a->table_values[i].identical(b->table_values[i])) return false;
  }
  return true;
}

int arity(const Expr& e) {
  if (e->op == ExprOp::Var) return e->var + 1;
  int n = 0;
  for (const auto& a : e->args) n = std::max(n, arity(a));
  return n;
}

Expr substitute(const Expr& e, const std::vector<Expr>& replacement) {
  if (e->op == ExprOp::Var) {
    assert(static_cast<std::size_t>(e->var) < replacement.size() && "replacement for every operand");
    return replacement[static_cast<std::size_t>(e->var)];
  }
  if (e->args.empty()) return e;
  ExprNode n = *e;
  for (auto& a : n.args) a = substitute(a, replacement);
  return finish(std::move(n));
}

std::string to_string(const Expr& e, const std::vector<std::string>& names) {
  auto arg = [&](std::size_t i) { return to_string(e->args[i], names); };
  auto table = [&]() {
    std::string s;
    for (std::size_t i = 0; i < e->table_values.size(); ++i) {
      if (i) s += ", ";
      if (!e->table_keys.empty()) s += e->table_keys[i].repr() + ": ";
      s += e->table_values[i].repr();
    }
    return s;
  };
  switch (e->op) {
    case ExprOp::Const:
      return e->value.repr();
    case ExprOp::Var:
      if (static_cast<std::size_t>(e->var) < names.size()) return names[static_cast<std::size_t>(e->var)];
      return fmt::format("x{}", e->var);
    case ExprOp::Binary:
      if (e->bop == BinaryOp::Min || e->bop == BinaryOp::Max) {
        return fmt::format("{}({}, {})", binary_op_symbol(e->bop), arg(0), arg(1));
      }
      return fmt::format("({} {} {})", arg(0), binary_op_symbol(e->bop), arg(1));
    case ExprOp::Neg:
      return fmt::format("(-{})", arg(0));
    case ExprOp::Not:
      return fmt::format("(not {})", arg(0));
    case ExprOp::And:
      return fmt::format("({} and {})", arg(0), arg(1));
    case ExprOp::Or:
      return fmt::format("({} or {})", arg(0), arg(1));
    case ExprOp::Ite:
      return fmt::format("({} if {} else {})", arg(1), arg(0), arg(2));
    case ExprOp::Round:
      return fmt::format("round({})", arg(0));
    case ExprOp::Indicator:
      return fmt::format("indicator({})", arg(0));
    case ExprOp::ToBool:
      return fmt::format("bool({})", arg(0));
    case ExprOp::ToInt:
      return fmt::format("int({})", arg(0));
    case ExprOp::ToFloat:
      return fmt::format("float({})", arg(0));
    case ExprOp::ToStr:
      return fmt::format("str({})", arg(0));
    case ExprOp::In:
      return fmt::format("({} in [{}])", arg(0), table());
    case ExprOp::Lookup:
      if (e->table_kind == TableKind::Dict) return fmt::format("{{{}}}[{}]", table(), arg(0));
      return fmt::format("[{}][{}]", table(), arg(0));
  }
  return "?";
}

}  // namespace rasp::ir

// tests/support/random_programs.h - Random well-typed RASP programs read from a list of numbers.
// The SMT and compiler property tests draw the list with RapidCheck, which shrinks it.
#pragma once

#include <vector>

#include "tests/checkers/smt/program_builder.h"

namespace rasp::check::testing {

/// Reads a program's shape from a list of numbers, so that a second program can be the
/// same list with one number changed (a near miss, or sometimes an equivalent rewrite).
class Chooser {
 public:
  explicit Chooser(const std::vector<int>& choices) : d_choices(choices) {}
  int next(int n) {
    if (d_choices.empty()) return 0;
    return d_choices[d_at++ % d_choices.size()] % n;
  }

 private:
  const std::vector<int>& d_choices;
  std::size_t d_at = 0;
};

inline Expr small_constant(Chooser& c) { return lit(c.next(5) - 1); }

/// A random elementwise expression over one numeric operand.
inline Expr unary_expr(Chooser& c) {
  Expr x = x0();
  switch (c.next(10)) {
    case 0:
      return bin(BinaryOp::Add, x, small_constant(c));
    case 1:
      return bin(BinaryOp::Mul, x, small_constant(c));
    case 2:
      return bin(BinaryOp::Mod, x, c.next(2) ? lit(2 + c.next(2)) : lit(-2));
    case 3:
      return bin(BinaryOp::Min, x, small_constant(c));
    case 4:
      return ir::make_unary(ExprOp::Round, bin(BinaryOp::Div, x, lit(2)));
    case 5:
      return ir::make_unary(ExprOp::Neg, x);
    case 6:
      return ir::make_ite(bin(BinaryOp::Gt, x, small_constant(c)), x, small_constant(c));
    case 7:
      return ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Lt, x, small_constant(c)));
    case 8:
      return bin(BinaryOp::Div, lit(1), x);  // may divide by zero
    default:
      return ir::make_lookup(x, ir::TableKind::List, {},
                             {Value::integer(3), Value::integer(1), Value::integer(4)});
  }
}

inline Expr binary_expr(Chooser& c) {
  static const BinaryOp ops[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Min,
                                 BinaryOp::Max};
  if (c.next(4) == 0) return ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Le, x0(), x1()));
  return bin(ops[c.next(5)], x0(), x1());
}

inline BinaryOp comparison(Chooser& c) {
  static const BinaryOp ops[] = {BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt,
                                 BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge};
  return ops[c.next(6)];
}

/// A random program over string tokens "a", "b", "c": a few maps, selects, aggregates and
/// widths. Returns its last s-op.
inline NodeId random_program(Builder& b, Chooser& c) {
  NodeId t = b.tokens();
  std::vector<NodeId> nums{b.indices()}, strs{t}, sels;
  nums.push_back(b.map(ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Eq, x0(), lit("a"))), {t}));
  NodeId last = nums.back();
  auto pick = [&](const std::vector<NodeId>& from) { return from[static_cast<std::size_t>(c.next(static_cast<int>(from.size())))]; };
  auto new_select = [&]() {
    NodeId s;
    switch (c.next(3)) {
      case 0:
        s = b.select(pick(nums), pick(nums), comparison(c));
        break;
      case 1:
        s = b.select(pick(strs), pick(strs), comparison(c));
        break;
      default:
        s = b.select(pick(strs), pick(strs), bin(BinaryOp::Eq, x0(), lit("a")));
    }
    sels.push_back(s);
    return s;
  };
  int steps = 2 + c.next(4);
  for (int i = 0; i < steps; ++i) {
    switch (c.next(8)) {
      case 0:
        last = b.map(unary_expr(c), {pick(nums)});
        nums.push_back(last);
        break;
      case 1:
        last = b.map(binary_expr(c), {pick(nums), pick(nums)});
        nums.push_back(last);
        break;
      case 2:
        new_select();
        break;
      case 3:
        if (sels.empty()) {
          new_select();
        } else if (c.next(3) == 0) {
          sels.push_back(b.selector_not(pick(sels)));
        } else {
          sels.push_back(b.selector(c.next(2) ? NodeKind::SelectorAnd : NodeKind::SelectorOr,
                                    pick(sels), new_select()));
        }
        break;
      case 4:
      case 5: {
        NodeId s = sels.empty() ? new_select() : pick(sels);
        last = b.aggregate(s, pick(nums), Value::integer(c.next(2)));
        nums.push_back(last);
        break;
      }
      case 6: {
        // Strings: fails when two or more are selected, mixes types with a numeric default.
        NodeId s = sels.empty() ? new_select() : pick(sels);
        last = b.aggregate(s, pick(strs), c.next(2) ? Value::string("c") : Value::integer(0));
        strs.push_back(last);
        break;
      }
      default: {
        NodeId s = sels.empty() ? new_select() : pick(sels);
        last = b.width(s);
        nums.push_back(last);
      }
    }
  }
  return last;
}

}  // namespace rasp::check::testing

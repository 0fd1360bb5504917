// lib/interp/detail/number_columns.h - Column-at-a-time evaluation of an Expr over numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "lib/interp/detail/positions.h"
#include "lib/ir/expr.h"

namespace rasp::interp::detail {

/// A number as a `Value` holds it: Bool, Int or Float (an exact rational, normalised, den > 0).
/// Where a caller lets strings through (eval_number_columns), a String whose `num` is the
/// address of a string `Value` that outlives the evaluation (see string_num).
struct Num {
  ir::Kind kind = ir::Kind::Int;
  std::int64_t num = 0;
  std::int64_t den = 1;
};

/// Evaluates `e` at every position over operand columns of numbers (bool, int and float
/// mixed freely) with ir::evaluate's exact rules, on plain structs instead of `Value`s.
///
/// Covers constants, + - * /, comparisons, and/or/not, the conditional, negation, round,
/// indicator and bool(), writing the `n` results to `out`. Returns false when `e` leaves
/// that fragment or any position faults (overflow, division by zero); the caller then
/// takes the generic path, which reports the fault, so this path never decides an error.
/// Each operand points at `n` numbers. With `strings`, a string (a constant, or an operand
/// value) may be the result where it is only passed through, as the whole expression or a
/// branch of a conditional; any operation on a string, or without `strings` a string
/// result, declines.
[[nodiscard]] bool eval_number_columns(const ir::ExprNode& e, std::span<const Num* const> operands,
                                       std::size_t n, PerPosition<Num>& out, bool strings = false);

/// Whether eval_number_columns covers every operation of `e` (it may still decline a
/// position that faults); string constants count only where they are passed through.
[[nodiscard]] bool in_number_fragment(const ir::ExprNode& e);

/// A string value as a Num that stands for it (Kind::String), and back.
[[nodiscard]] inline Num string_num(const ir::Value& v) {
  return {ir::Kind::String, static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(&v)), 1};
}
[[nodiscard]] inline const ir::Value& string_value(const Num& x) {
  return *reinterpret_cast<const ir::Value*>(static_cast<std::intptr_t>(x.num));
}

/// num/den normalised, as a Float (Value::rational's rule); nothing when den is 0 or the
/// normalised parts overflow.
[[nodiscard]] std::optional<Num> rational_num(std::int64_t num, std::int64_t den);

}  // namespace rasp::interp::detail

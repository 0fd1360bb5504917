// lib/interp/detail/number_columns.h - Position-by-position evaluation of an Expr over numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lib/ir/expr.h"

namespace rasp::interp::detail {

/// A number as a `Value` holds it: Bool, Int or Float (an exact rational, normalised, den > 0).
struct Num {
  ir::Kind kind = ir::Kind::Int;
  std::int64_t num = 0;
  std::int64_t den = 1;
};

/// Evaluates `e` at every position over operand columns of numbers (bool, int and float
/// mixed freely) with ir::evaluate's exact rules, on plain structs instead of `Value`s.
///
/// Covers constants, + - * /, comparisons, and/or/not, the conditional, negation, round,
/// indicator and bool(). Returns nothing when `e` leaves that fragment or any position
/// faults (overflow, division by zero); the caller then takes the generic path, which
/// reports the fault, so this path never decides an error.
[[nodiscard]] std::optional<std::vector<Num>> eval_number_columns(const ir::ExprNode& e,
                                                                  std::span<const std::vector<Num>> operands,
                                                                  std::size_t n);

}  // namespace rasp::interp::detail

// lib/interp/detail/int_columns.h - Column-at-a-time evaluation of an Expr over int/bool columns.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lib/interp/detail/positions.h"
#include "lib/ir/expr.h"

namespace rasp::interp::detail {

/// The one kind every value of an int column has (Python's bool is a separate kind).
enum class IntKind : std::uint8_t { Bool, Int };

/// An operand column seen as int64s, all of one kind.
struct IntOperand {
  IntKind kind = IntKind::Int;
  const std::int64_t* values = nullptr;
};

/// Evaluates `e` at every position at once, each operation a tight loop over int64s, writes
/// the `n` results to `out` and returns their kind.
///
/// Returns nothing when `e` leaves the bool/int fragment (floats, strings, `/`, `^`, a
/// branch or min/max whose kinds differ) or when any position would overflow, divide by
/// zero or index out of range. The caller then takes the generic per-position path, which
/// reports the fault exactly as before, so this path never decides an error.
[[nodiscard]] std::optional<IntKind> eval_int_columns(const ir::ExprNode& e, std::span<const IntOperand> vars,
                                                     std::size_t n, PerPosition<std::int64_t>& out);

}  // namespace rasp::interp::detail

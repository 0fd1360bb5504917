// lib/interp/detail/selector_plan.h - A comparison selector kept as its two int64 columns.
//
// `select(keys, queries, OP)` over integers (or over shared ranks) selects key k for query
// q exactly when keys[k] OP queries[q]. Aggregates and selector widths read such a
// selector through `summarise` in O(n log n) instead of scanning its n x n matrix; the
// matrix is filled only when something needs the cells.
#pragma once

#include <cstdint>
#include <span>

#include "lib/interp/detail/positions.h"
#include "lib/ir/value.h"

namespace rasp::interp::detail {

struct SelectorPlan {
  ir::BinaryOp op = ir::BinaryOp::Eq;  ///< Eq, Ne, Lt, Le, Gt or Ge
  PerPosition<std::int64_t> keys;
  PerPosition<std::int64_t> queries;
  /// The same values as int32s when they all fit (x86-64's baseline SSE2 compares 32-bit
  /// lanes, not 64-bit ones), else empty.
  PerPosition<std::int32_t> keys32;
  PerPosition<std::int32_t> queries32;
};

/// Makes `plan` the selector `keys[k] OP queries[q]` (copying both columns). Sets every field:
/// the evaluator hands it the storage of an earlier plan.
void make_plan(ir::BinaryOp op, std::span<const std::int64_t> keys, std::span<const std::int64_t> queries,
               SelectorPlan& plan);

/// What one query selects: how many keys, one of them (the only one when count is 1), and
/// the sum of `nums` over them.
struct RowSummary {
  std::size_t count = 0;
  std::size_t one = 0;
  __int128 sum = 0;
};

/// Every query's summary; `nums` (one per key) may be null, and then every sum is 0.
[[nodiscard]] PerPosition<RowSummary> summarise(const SelectorPlan& plan, const std::int64_t* nums);

/// The same for `equal and other`, where `equal.op` is Eq (the "earlier with the same
/// value" idiom: select(x, x, ==) and select(indices, indices, <)).
[[nodiscard]] PerPosition<RowSummary> summarise_and(const SelectorPlan& equal, const SelectorPlan& other,
                                                    const std::int64_t* nums);

/// The same for `before or (equal and other)`, where `before.op` is Lt or Gt and `equal`
/// selects the keys equal to the query among the same values `before` compares (the
/// "smaller key, or the same key and earlier" idiom of sorting), read off `before`'s own
/// columns: the two parts select disjoint keys, so counts and sums add.
[[nodiscard]] PerPosition<RowSummary> summarise_lex(const SelectorPlan& before, const SelectorPlan& other,
                                                    const std::int64_t* nums);

/// Every row at once into `cells` ([query][key], row-major): for short inputs, one call.
void fill_matrix(const SelectorPlan& plan, std::uint8_t* cells);

/// Query q's row of cells, one byte a key.
void fill_row(const SelectorPlan& plan, std::size_t q, std::uint8_t* row);

}  // namespace rasp::interp::detail

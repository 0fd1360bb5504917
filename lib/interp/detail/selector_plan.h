// lib/interp/detail/selector_plan.h - A comparison selector kept as its two int64 columns.
//
// `select(keys, queries, OP)` over integers (or over shared ranks) selects key k for query
// q exactly when keys[k] OP queries[q]. Aggregates and selector widths read such a
// selector through `summarise` in O(n log n) instead of scanning its n x n matrix; the
// matrix is filled only when something needs the cells.
#pragma once

#include <cstdint>
#include <vector>

#include "lib/ir/value.h"

namespace rasp::interp::detail {

struct SelectorPlan {
  ir::BinaryOp op = ir::BinaryOp::Eq;  ///< Eq, Ne, Lt, Le, Gt or Ge
  std::vector<std::int64_t> keys;
  std::vector<std::int64_t> queries;
};

/// What one query selects: how many keys, one of them (the only one when count is 1), and
/// the sum of `nums` over them.
struct RowSummary {
  std::size_t count = 0;
  std::size_t one = 0;
  __int128 sum = 0;
};

/// Every query's summary; `nums` (one per key) may be null, and then every sum is 0.
[[nodiscard]] std::vector<RowSummary> summarise(const SelectorPlan& plan, const std::int64_t* nums);

/// The selector's n x n cells, row q for query q, one byte each.
void fill_cells(const SelectorPlan& plan, std::uint8_t* cells);

}  // namespace rasp::interp::detail

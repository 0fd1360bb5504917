// lib/interp/detail/selector_plan.cpp - Row summaries by sorted keys and prefix sums.
#include "lib/interp/detail/selector_plan.h"

#include <algorithm>
#include <numeric>

namespace rasp::interp::detail {

using ir::BinaryOp;

std::vector<RowSummary> summarise(const SelectorPlan& plan, const std::int64_t* nums) {
  std::size_t n = plan.keys.size();
  // Keys in ascending order (ties by position); every comparison selects a contiguous run
  // of them (Eq), its complement (Ne), a prefix (Lt, Le) or a suffix (Gt, Ge).
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return plan.keys[a] < plan.keys[b]; });
  std::vector<std::int64_t> sorted(n);
  std::vector<__int128> prefix(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    sorted[i] = plan.keys[order[i]];
    prefix[i + 1] = prefix[i] + (nums ? nums[order[i]] : 0);
  }
  auto run = [&](std::size_t lo, std::size_t hi) {
    return RowSummary{hi - lo, lo < hi ? order[lo] : 0, prefix[hi] - prefix[lo]};
  };
  std::vector<RowSummary> rows(plan.queries.size());
  for (std::size_t q = 0; q < rows.size(); ++q) {
    std::int64_t v = plan.queries[q];
    auto lower = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
    auto upper = static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
    switch (plan.op) {
      case BinaryOp::Eq:
        rows[q] = run(lower, upper);
        break;
      case BinaryOp::Ne: {
        RowSummary r{n - (upper - lower), 0, prefix[n] - (prefix[upper] - prefix[lower])};
        if (lower > 0) r.one = order[0];
        else if (upper < n) r.one = order[upper];
        rows[q] = r;
        break;
      }
      case BinaryOp::Lt:
        rows[q] = run(0, lower);
        break;
      case BinaryOp::Le:
        rows[q] = run(0, upper);
        break;
      case BinaryOp::Gt:
        rows[q] = run(upper, n);
        break;
      default:
        rows[q] = run(lower, n);
        break;
    }
  }
  return rows;
}

namespace {

// One row at a time, a plain loop the compiler turns into vector compares.
template <typename Cmp>
void fill(const SelectorPlan& plan, std::uint8_t* cells, Cmp cmp) {
  std::size_t n = plan.keys.size();
  const std::int64_t* keys = plan.keys.data();
  for (std::size_t q = 0; q < plan.queries.size(); ++q) {
    std::uint8_t* row = cells + q * n;
    std::int64_t v = plan.queries[q];
    for (std::size_t k = 0; k < n; ++k) row[k] = static_cast<std::uint8_t>(cmp(keys[k], v));
  }
}

}  // namespace

void fill_cells(const SelectorPlan& plan, std::uint8_t* cells) {
  switch (plan.op) {
    case BinaryOp::Eq:
      fill(plan, cells, [](std::int64_t k, std::int64_t q) { return k == q; });
      break;
    case BinaryOp::Ne:
      fill(plan, cells, [](std::int64_t k, std::int64_t q) { return k != q; });
      break;
    case BinaryOp::Lt:
      fill(plan, cells, [](std::int64_t k, std::int64_t q) { return k < q; });
      break;
    case BinaryOp::Le:
      fill(plan, cells, [](std::int64_t k, std::int64_t q) { return k <= q; });
      break;
    case BinaryOp::Gt:
      fill(plan, cells, [](std::int64_t k, std::int64_t q) { return k > q; });
      break;
    default:
      fill(plan, cells, [](std::int64_t k, std::int64_t q) { return k >= q; });
      break;
  }
}

}  // namespace rasp::interp::detail

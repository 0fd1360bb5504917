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
  // Keys by position (indices) or a constant are in order already.
  if (!std::is_sorted(plan.keys.begin(), plan.keys.end())) {
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return plan.keys[a] < plan.keys[b]; });
  }
  std::vector<std::int64_t> sorted(n);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = plan.keys[order[i]];
  std::vector<__int128> prefix(nums ? n + 1 : 1, 0);
  if (nums) {
    for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + nums[order[i]];
  }
  auto total = [&](std::size_t end) { return nums ? prefix[end] : __int128{0}; };
  auto run = [&](std::size_t lo, std::size_t hi) {
    return RowSummary{hi - lo, lo < hi ? order[lo] : 0, total(hi) - total(lo)};
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
        RowSummary r{n - (upper - lower), 0, total(n) - (total(upper) - total(lower))};
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

bool fits_int32(const std::vector<std::int64_t>& v) {
  return std::all_of(v.begin(), v.end(), [](std::int64_t x) { return x >= INT32_MIN && x <= INT32_MAX; });
}

// A plain loop the compiler turns into vector compares.
template <typename T, typename Cmp>
void fill(const T* keys, std::size_t n, T query, std::uint8_t* row, Cmp cmp) {
  for (std::size_t k = 0; k < n; ++k) row[k] = static_cast<std::uint8_t>(cmp(keys[k], query));
}

template <typename T>
void fill_op(BinaryOp op, const T* keys, std::size_t n, T query, std::uint8_t* row) {
  switch (op) {
    case BinaryOp::Eq:
      fill(keys, n, query, row, [](T k, T q) { return k == q; });
      break;
    case BinaryOp::Ne:
      fill(keys, n, query, row, [](T k, T q) { return k != q; });
      break;
    case BinaryOp::Lt:
      fill(keys, n, query, row, [](T k, T q) { return k < q; });
      break;
    case BinaryOp::Le:
      fill(keys, n, query, row, [](T k, T q) { return k <= q; });
      break;
    case BinaryOp::Gt:
      fill(keys, n, query, row, [](T k, T q) { return k > q; });
      break;
    default:
      fill(keys, n, query, row, [](T k, T q) { return k >= q; });
      break;
  }
}

}  // namespace

SelectorPlan make_plan(BinaryOp op, std::vector<std::int64_t> keys, std::vector<std::int64_t> queries) {
  SelectorPlan plan{op, std::move(keys), std::move(queries), {}, {}};
  if (fits_int32(plan.keys) && fits_int32(plan.queries)) {
    plan.keys32.assign(plan.keys.begin(), plan.keys.end());
    plan.queries32.assign(plan.queries.begin(), plan.queries.end());
  }
  return plan;
}

void fill_row(const SelectorPlan& plan, std::size_t q, std::uint8_t* row) {
  if (!plan.keys32.empty()) {
    fill_op(plan.op, plan.keys32.data(), plan.keys32.size(), plan.queries32[q], row);
  } else {
    fill_op(plan.op, plan.keys.data(), plan.keys.size(), plan.queries[q], row);
  }
}

}  // namespace rasp::interp::detail

// lib/interp/detail/selector_plan.cpp - Row summaries by sorted keys and prefix sums.
#include "lib/interp/detail/selector_plan.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <type_traits>

#include "lib/interp/detail/compare.h"

namespace rasp::interp::detail {

using ir::BinaryOp;

namespace {

// Values spanning a short range (ids, ranks, places, small counts): the lowest, and how
// many values lie from it to the highest, when a table of that many entries is cheap (at
// most 2n + 16 for n values); nothing for values spread out, or none.
struct Range {
  std::int64_t base;
  std::size_t span;
};
std::optional<Range> short_range(const PerPosition<std::int64_t>& values) {
  if (values.empty()) return std::nullopt;
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  auto span = static_cast<unsigned __int128>(static_cast<__int128>(*hi) - *lo) + 1;
  if (span > 2 * values.size() + 16) return std::nullopt;
  return Range{*lo, static_cast<std::size_t>(span)};
}

// Whether the values are k0, k0 + 1, ... in position order (indices, mostly).
bool consecutive(const PerPosition<std::int64_t>& values) {
  std::size_t n = values.size();
  if (n == 0 || values[0] > INT64_MAX - static_cast<std::int64_t>(n)) return false;
  for (std::size_t k = 1; k < n; ++k) {
    if (values[k] != values[0] + static_cast<std::int64_t>(k)) return false;
  }
  return true;
}

// Keys in ascending order of (first, then second) with ties by position, and the sums of
// `nums` over every prefix of that order.
class SortedKeys {
 public:
  SortedKeys(const PerPosition<std::int64_t>& first, const PerPosition<std::int64_t>* second,
             const std::int64_t* nums)
      : d_order(first.size()), d_nums(nums != nullptr) {
    std::size_t n = first.size();
    std::iota(d_order.begin(), d_order.end(), 0U);
    auto less = [&](std::uint32_t a, std::uint32_t b) {
      if (first[a] != first[b]) return first[a] < first[b];
      return second && (*second)[a] < (*second)[b];
    };
    // Keys by position (indices) or a constant are often in order already.
    if (!std::is_sorted(d_order.begin(), d_order.end(), less) && !counting_sort(first, second)) {
      std::stable_sort(d_order.begin(), d_order.end(), less);
    }
    d_first.resize(n);
    for (std::size_t i = 0; i < n; ++i) d_first[i] = first[d_order[i]];
    // Distinct consecutive integers (indices, mostly): a value's place is its offset.
    d_consecutive = n > 0 && static_cast<__int128>(d_first[n - 1]) - d_first[0] == static_cast<__int128>(n - 1) &&
                    std::adjacent_find(d_first.begin(), d_first.end()) == d_first.end();
    if (second) {
      d_second.resize(n);
      for (std::size_t i = 0; i < n; ++i) d_second[i] = (*second)[d_order[i]];
    }
    d_prefix.assign(nums ? n + 1 : 1, 0);
    for (std::size_t i = 0; nums && i < n; ++i) d_prefix[i + 1] = d_prefix[i] + nums[d_order[i]];
  }

  std::size_t size() const { return d_order.size(); }

  // Orders single keys spanning a short range (distinct-value ids, small counts) by
  // counting, stably; false, touching nothing, when the keys are pairs or spread out.
  bool counting_sort(const PerPosition<std::int64_t>& first, const PerPosition<std::int64_t>* second) {
    std::size_t n = first.size();
    if (second) return false;
    auto range = short_range(first);
    if (!range) return false;
    std::int64_t base = range->base;
    PerPosition<std::uint32_t> start(range->span + 1, 0);
    for (std::int64_t k : first) ++start[static_cast<std::size_t>(k - base) + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (std::uint32_t i = 0; i < n; ++i) d_order[start[static_cast<std::size_t>(first[i] - base)]++] = i;
    return true;
  }
  const PerPosition<std::int64_t>& first() const { return d_first; }
  const PerPosition<std::int64_t>& second() const { return d_second; }

  // What `key OP v` selects among the keys at [lo, hi) of the order, `sorted` holding
  // their values in that order: a run (Eq, Lt, Le, Gt, Ge) or all but a run (Ne).
  RowSummary select(const PerPosition<std::int64_t>& sorted, std::size_t lo, std::size_t hi, BinaryOp op,
                    std::int64_t v) const {
    std::size_t lower = 0, upper = 0;
    if (d_consecutive && &sorted == &d_first && lo == 0 && hi == sorted.size()) {
      __int128 offset = static_cast<__int128>(v) - sorted[0];
      auto n = static_cast<__int128>(hi);
      lower = static_cast<std::size_t>(std::clamp<__int128>(offset, 0, n));
      upper = offset >= 0 && offset < n ? lower + 1 : lower;
    } else {
      auto begin = sorted.begin();
      lower = static_cast<std::size_t>(std::lower_bound(begin + static_cast<std::ptrdiff_t>(lo),
                                                        begin + static_cast<std::ptrdiff_t>(hi), v) - begin);
      upper = static_cast<std::size_t>(std::upper_bound(begin + static_cast<std::ptrdiff_t>(lower),
                                                        begin + static_cast<std::ptrdiff_t>(hi), v) - begin);
    }
    switch (op) {
      case BinaryOp::Eq:
        return run(lower, upper);
      case BinaryOp::Ne: {
        RowSummary r{(hi - lo) - (upper - lower), 0, total(lo, hi) - total(lower, upper)};
        if (lower > lo) r.one = d_order[lo];
        else if (upper < hi) r.one = d_order[upper];
        return r;
      }
      case BinaryOp::Lt:
        return run(lo, lower);
      case BinaryOp::Le:
        return run(lo, upper);
      case BinaryOp::Gt:
        return run(upper, hi);
      default:
        return run(lower, hi);
    }
  }

 private:
  __int128 total(std::size_t lo, std::size_t hi) const { return d_nums ? d_prefix[hi] - d_prefix[lo] : 0; }
  RowSummary run(std::size_t lo, std::size_t hi) const {
    return RowSummary{hi - lo, lo < hi ? d_order[lo] : 0, total(lo, hi)};
  }

  PerPosition<std::uint32_t> d_order;
  bool d_nums;
  bool d_consecutive = false;
  PerPosition<std::int64_t> d_first, d_second;
  PerPosition<__int128> d_prefix;
};

// Below this many keys, scanning every key for every query is cheaper than sorting them.
constexpr std::size_t kScanBelow = 17;

// Each query's summary by visiting every key: `one` is the first selected position. A
// query that `same_as_previous` says selects what the one before it did copies its row.
template <typename Selects, typename Same>
void scan(std::size_t keys, const std::int64_t* nums, Selects selects, Same same_as_previous,
          PerPosition<RowSummary>& rows) {
  for (std::size_t q = 0; q < rows.size(); ++q) {
    RowSummary& r = rows[q];
    if (q > 0 && same_as_previous(q)) {
      r = rows[q - 1];
      continue;
    }
    for (std::size_t k = 0; k < keys; ++k) {
      if (!selects(k, q)) continue;
      if (r.count++ == 0) r.one = k;
      if (nums) r.sum += nums[k];
    }
  }
}

}  // namespace

namespace {

// Keys k0, k0 + 1, ... in position order (indices, mostly): what a query selects is a run
// (or all but one key) found by arithmetic, its sum from prefix sums. False, touching
// nothing, for other keys.
bool summarise_consecutive(const SelectorPlan& plan, const std::int64_t* nums, PerPosition<RowSummary>& rows) {
  const auto& keys = plan.keys;
  std::size_t n = keys.size();
  if (!consecutive(keys)) return false;
  PerPosition<__int128> prefix(n + 1, 0);
  for (std::size_t k = 0; nums && k < n; ++k) prefix[k + 1] = prefix[k] + nums[k];
  auto run = [&](std::size_t lo, std::size_t hi) { return RowSummary{hi - lo, lo < hi ? lo : 0, prefix[hi] - prefix[lo]}; };
  for (std::size_t q = 0; q < rows.size(); ++q) {
    // Where the query's value falls among the keys: keys at [0, at) are below it.
    __int128 offset = static_cast<__int128>(plan.queries[q]) - keys[0];
    auto at = static_cast<std::size_t>(std::clamp<__int128>(offset, 0, static_cast<__int128>(n)));
    std::size_t past = offset >= 0 && offset < static_cast<__int128>(n) ? at + 1 : at;  // past the equal key
    switch (plan.op) {
      case BinaryOp::Eq:
        rows[q] = run(at, past);
        break;
      case BinaryOp::Ne: {
        RowSummary r{n - (past - at), 0, prefix[n] - (prefix[past] - prefix[at])};
        r.one = at > 0 ? 0 : (past < n ? past : 0);
        rows[q] = r;
        break;
      }
      case BinaryOp::Lt:
        rows[q] = run(0, at);
        break;
      case BinaryOp::Le:
        rows[q] = run(0, past);
        break;
      case BinaryOp::Gt:
        rows[q] = run(past, n);
        break;
      default:
        rows[q] = run(at, n);
        break;
    }
  }
  return true;
}

// `==` or `!=` over keys spanning a short range (distinct-value ids, places, small counts):
// the keys of each value counted, summed and one remembered in a bucket, so each query
// reads its value's bucket. False, touching nothing, for keys spread out.
bool summarise_buckets(const SelectorPlan& plan, const std::int64_t* nums, PerPosition<RowSummary>& rows) {
  if (plan.op != BinaryOp::Eq && plan.op != BinaryOp::Ne) return false;
  const auto& keys = plan.keys;
  std::size_t n = keys.size();
  auto range = short_range(keys);
  if (!range) return false;
  std::int64_t base = range->base;
  auto span = range->span;
  PerPosition<RowSummary> buckets(span);
  __int128 total = 0;
  // Backwards, so each bucket's `one` ends as its first key.
  for (std::size_t k = n; k-- > 0;) {
    RowSummary& b = buckets[static_cast<std::size_t>(keys[k] - base)];
    ++b.count;
    b.one = k;
    if (nums) {
      b.sum += nums[k];
      total += nums[k];
    }
  }
  // For `!=`: the first key of a value other than the first key's.
  auto other = static_cast<std::size_t>(
      std::find_if(keys.begin(), keys.end(), [&](std::int64_t k) { return k != keys[0]; }) - keys.begin());
  for (std::size_t q = 0; q < rows.size(); ++q) {
    __int128 at = static_cast<__int128>(plan.queries[q]) - base;
    bool inside = at >= 0 && at < static_cast<__int128>(span);
    RowSummary equal = inside ? buckets[static_cast<std::size_t>(at)] : RowSummary{};
    if (plan.op == BinaryOp::Eq) {
      rows[q] = equal;
      continue;
    }
    // All keys but the equal ones: the first key when it is not one of them, else the
    // first key of another value.
    RowSummary r{n - equal.count, 0, total - equal.sum};
    if (keys[0] == plan.queries[q] && other < n) r.one = other;
    rows[q] = r;
  }
  return true;
}

}  // namespace

PerPosition<RowSummary> summarise(const SelectorPlan& plan, const std::int64_t* nums) {
  PerPosition<RowSummary> rows(plan.queries.size());
  if (summarise_consecutive(plan, nums, rows)) return rows;
  if (summarise_buckets(plan, nums, rows)) return rows;
  if (plan.keys.size() < kScanBelow) {
    with_compare(plan.op, [&](auto cmp) {
      scan(plan.keys.size(), nums, [&](std::size_t k, std::size_t q) { return cmp(plan.keys[k], plan.queries[q]); },
           [&](std::size_t q) { return plan.queries[q] == plan.queries[q - 1]; }, rows);
    });
    return rows;
  }
  SortedKeys keys(plan.keys, nullptr, nums);
  for (std::size_t q = 0; q < rows.size(); ++q) {
    rows[q] = keys.select(keys.first(), 0, keys.size(), plan.op, plan.queries[q]);
  }
  return rows;
}

namespace {

bool same_values(const PerPosition<std::int64_t>& a, const PerPosition<std::int64_t>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The "earlier with the same value" idioms over one column `values` of a short range
// (ids, ranks, levels, counts): `select(x, x, ==) and select(indices, indices, OP)`, and
// with `before` (Lt or Gt) also the keys of smaller (larger) value, as in sorting. One pass
// in position order (backwards for > and >=) keeps each value's keys so far. False,
// touching nothing, for other shapes: `order`'s keys not consecutive or its queries not its
// keys, or values spread out.
bool summarise_in_order(const PerPosition<std::int64_t>& values, const SelectorPlan& order,
                        std::optional<BinaryOp> before, const std::int64_t* nums, PerPosition<RowSummary>& rows) {
  std::size_t n = values.size();
  if (n == 0 || order.keys.size() != n || !same_values(order.keys, order.queries)) return false;
  if (order.op != BinaryOp::Lt && order.op != BinaryOp::Le && order.op != BinaryOp::Gt && order.op != BinaryOp::Ge) {
    return false;
  }
  if (!consecutive(order.keys)) return false;
  auto range = short_range(values);
  if (!range) return false;
  std::int64_t base = range->base;
  auto bucket = [&](std::size_t k) { return static_cast<std::size_t>(values[k] - base); };
  std::size_t buckets = range->span;
  bool forwards = order.op == BinaryOp::Lt || order.op == BinaryOp::Le;
  bool inclusive = order.op == BinaryOp::Le || order.op == BinaryOp::Ge;
  // Sums or not chosen once, outside the loops.
  auto fill = [&](auto with_sums) {
    // The keys of smaller (or larger) value: counts and sums of the buckets below each, and
    // a key of the lowest (highest) non-empty bucket, the only such key when there is one.
    PerPosition<RowSummary> outside(before ? buckets : 0);
    if (before) {
      for (std::size_t k = 0; k < n; ++k) {
        RowSummary& t = outside[bucket(k)];
        ++t.count;
        t.one = k;
        if constexpr (with_sums) t.sum += nums[k];
      }
      // Each bucket's totals turned into those of the buckets before it, in place.
      bool less = *before == BinaryOp::Lt;
      RowSummary run;
      for (std::size_t step = 0; step < buckets; ++step) {
        std::size_t b = less ? step : buckets - 1 - step;
        RowSummary t = outside[b];
        outside[b] = run;
        if (t.count == 0) continue;
        if (run.count == 0) run.one = t.one;
        run.count += t.count;
        if constexpr (with_sums) run.sum += t.sum;
      }
    }
    // Each value's keys so far, in the order the comparison counts "earlier".
    PerPosition<RowSummary> so_far(buckets);
    for (std::size_t step = 0; step < n; ++step) {
      std::size_t q = forwards ? step : n - 1 - step;
      RowSummary& seen = so_far[bucket(q)];
      auto add = [&] {
        if (seen.count++ == 0) seen.one = q;
        if constexpr (with_sums) seen.sum += nums[q];
      };
      if (inclusive) add();
      if (before) {
        const RowSummary& out = outside[bucket(q)];
        rows[q] = RowSummary{out.count + seen.count, out.count > 0 ? out.one : seen.one, out.sum + seen.sum};
      } else {
        rows[q] = seen;
      }
      if (!inclusive) add();
    }
  };
  if (nums) {
    fill(std::true_type{});
  } else {
    fill(std::false_type{});
  }
  return true;
}

}  // namespace

PerPosition<RowSummary> summarise_and(const SelectorPlan& equal, const SelectorPlan& other,
                                      const std::int64_t* nums) {
  PerPosition<RowSummary> rows(equal.queries.size());
  if (same_values(equal.keys, equal.queries) && summarise_in_order(equal.keys, other, std::nullopt, nums, rows)) {
    return rows;
  }
  if (equal.keys.size() < kScanBelow) {
    with_compare(other.op, [&](auto cmp) {
      scan(equal.keys.size(), nums, [&](std::size_t k, std::size_t q) {
        return equal.keys[k] == equal.queries[q] && cmp(other.keys[k], other.queries[q]);
      }, [&](std::size_t q) {
        return equal.queries[q] == equal.queries[q - 1] && other.queries[q] == other.queries[q - 1];
      }, rows);
    });
    return rows;
  }
  // Ordered by the == key, then by the other key: the keys equal to a query's value are
  // one run, and within it the other comparison selects a run (or all but one).
  SortedKeys keys(equal.keys, &other.keys, nums);
  const auto& first = keys.first();
  for (std::size_t q = 0; q < rows.size(); ++q) {
    auto [lo, hi] = std::equal_range(first.begin(), first.end(), equal.queries[q]);
    rows[q] = keys.select(keys.second(), static_cast<std::size_t>(lo - first.begin()),
                          static_cast<std::size_t>(hi - first.begin()), other.op, other.queries[q]);
  }
  return rows;
}

PerPosition<RowSummary> summarise_lex(const SelectorPlan& before, const SelectorPlan& other,
                                      const std::int64_t* nums) {
  PerPosition<RowSummary> rows(before.queries.size());
  if (same_values(before.keys, before.queries) && summarise_in_order(before.keys, other, before.op, nums, rows)) {
    return rows;
  }
  bool less = before.op == BinaryOp::Lt;
  if (before.keys.size() < kScanBelow) {
    with_compare(other.op, [&](auto cmp) {
      scan(before.keys.size(), nums, [&](std::size_t k, std::size_t q) {
        std::int64_t key = before.keys[k], query = before.queries[q];
        return (less ? key < query : key > query) || (key == query && cmp(other.keys[k], other.queries[q]));
      }, [&](std::size_t q) {
        return before.queries[q] == before.queries[q - 1] && other.queries[q] == other.queries[q - 1];
      }, rows);
    });
    return rows;
  }
  // Ordered by `before`'s key, then by the other key: the keys below (or above) a query's
  // value are a run at one end, those equal to it the run next to it, within which the
  // other comparison selects a run (or all but one).
  SortedKeys keys(before.keys, &other.keys, nums);
  const auto& first = keys.first();
  for (std::size_t q = 0; q < rows.size(); ++q) {
    std::int64_t v = before.queries[q];
    auto [lo, hi] = std::equal_range(first.begin(), first.end(), v);
    RowSummary outer = keys.select(first, 0, keys.size(), before.op, v);
    RowSummary tied = keys.select(keys.second(), static_cast<std::size_t>(lo - first.begin()),
                                  static_cast<std::size_t>(hi - first.begin()), other.op, other.queries[q]);
    rows[q] = RowSummary{outer.count + tied.count, outer.count > 0 ? outer.one : tied.one, outer.sum + tied.sum};
  }
  return rows;
}

namespace {

bool fits_int32(const PerPosition<std::int64_t>& v) {
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

void make_plan(BinaryOp op, std::span<const std::int64_t> keys, std::span<const std::int64_t> queries,
               SelectorPlan& plan) {
  plan.op = op;
  plan.keys.assign(keys.begin(), keys.end());
  plan.queries.assign(queries.begin(), queries.end());
  plan.keys32.clear();
  plan.queries32.clear();
  // Short rows gain nothing from 32-bit lanes worth the copies.
  if (plan.keys.size() >= kScanBelow && fits_int32(plan.keys) && fits_int32(plan.queries)) {
    plan.keys32.assign(plan.keys.begin(), plan.keys.end());
    plan.queries32.assign(plan.queries.begin(), plan.queries.end());
  }
}

// Every cell of `keys OP queries` into `cells`, the comparison chosen once.
template <typename T>
void fill_cells(BinaryOp op, const T* keys, std::size_t n, const T* queries, std::size_t m, std::uint8_t* cells) {
  with_compare(op, [&](auto cmp) {
    for (std::size_t q = 0; q < m; ++q) {
      T v = queries[q];
      std::uint8_t* row = cells + q * n;
      for (std::size_t k = 0; k < n; ++k) row[k] = static_cast<std::uint8_t>(cmp(keys[k], v));
    }
  });
}

void fill_matrix(const SelectorPlan& plan, std::uint8_t* cells) {
  // 64-bit compares: at the short lengths this serves, narrowing to 32-bit lanes costs more
  // than it saves.
  fill_cells(plan.op, plan.keys.data(), plan.keys.size(), plan.queries.data(), plan.queries.size(), cells);
}

void fill_row(const SelectorPlan& plan, std::size_t q, std::uint8_t* row) {
  if (!plan.keys32.empty()) {
    fill_op(plan.op, plan.keys32.data(), plan.keys32.size(), plan.queries32[q], row);
  } else {
    fill_op(plan.op, plan.keys.data(), plan.keys.size(), plan.queries[q], row);
  }
}

}  // namespace rasp::interp::detail

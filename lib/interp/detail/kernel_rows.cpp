// lib/interp/detail/kernel_rows.cpp - Selector rows from keys and queries, without a comparison per cell where it can.
#include "lib/interp/detail/kernel_rows.h"

#include <algorithm>
#include <array>
#include <utility>

namespace rasp::interp::detail {

namespace {

// An ordering's row from the keys below the query's value (`less`) and those at most it
// (`not_more`), out of `all`.
std::uint64_t ordered_row(BinaryOp op, std::uint64_t less, std::uint64_t not_more, std::uint64_t all) {
  switch (op) {
    case BinaryOp::Lt:
      return less;
    case BinaryOp::Le:
      return not_more;
    case BinaryOp::Gt:
      return all & ~not_more;
    default:  // Ge
      return all & ~less;
  }
}

using i128 = __int128;

template <typename Cell>
void fill_rows(SelColumn& out, std::size_t n, bool causal, Cell cell) {
  for (std::size_t q = 0; q < n; ++q) {
    std::uint64_t row = 0;
    std::size_t end = causal ? q + 1 : n;
    for (std::size_t k = 0; k < end; ++k) row |= static_cast<std::uint64_t>(cell(q, k)) << k;
    out.row[q] = row;
  }
}

bool integral(const NumColumn& c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (c.den[i] != 1) return false;
  }
  return true;
}

template <BinaryOp op>
void select_ints(const NumColumn& keys, const NumColumn& queries, SelColumn& out, std::size_t n, bool causal) {
  fill_rows(out, n, causal, [&](std::size_t q, std::size_t k) {
    std::int64_t a = keys.num[k], b = queries.num[q];
    if constexpr (op == BinaryOp::Eq) return a == b;
    if constexpr (op == BinaryOp::Ne) return a != b;
    if constexpr (op == BinaryOp::Lt) return a < b;
    if constexpr (op == BinaryOp::Le) return a <= b;
    if constexpr (op == BinaryOp::Gt) return a > b;
    return a >= b;
  });
}

// Rows of a comparison selector from one mask of keys per value, when the keys' values span
// fewer than kMaskValues: a pass over the keys and a lookup per query, not a comparison per
// cell. An ordering reads the union of the masks below (or above) the query's value, made
// once. False when the span is wider.
constexpr std::int64_t kMaskValues = 128;

template <typename T>
bool select_by_masks(BinaryOp op, const T* keys, const T* queries, std::size_t n, bool causal, SelColumn& out) {
  T lo = keys[0], hi = keys[0];
  for (std::size_t k = 1; k < n; ++k) {
    lo = keys[k] < lo ? keys[k] : lo;
    hi = keys[k] > hi ? keys[k] : hi;
  }
  if (static_cast<i128>(hi) - static_cast<i128>(lo) >= kMaskValues) return false;
  auto span = static_cast<std::size_t>(hi - lo) + 1;
  std::array<std::uint64_t, kMaskValues> masks;
  std::fill_n(masks.begin(), span, std::uint64_t{0});
  for (std::size_t k = 0; k < n; ++k) masks[static_cast<std::size_t>(keys[k] - lo)] |= std::uint64_t{1} << k;
  std::uint64_t all = low_bits(n);
  bool equality = op == BinaryOp::Eq || op == BinaryOp::Ne;
  std::array<std::uint64_t, kMaskValues + 1> below;  // below[j]: keys of the j smallest values
  if (!equality) {
    below[0] = 0;
    for (std::size_t j = 0; j < span; ++j) below[j + 1] = below[j] | masks[j];
  }
  for (std::size_t q = 0; q < n; ++q) {
    T v = queries[q];
    std::uint64_t m = 0;
    if (equality) {
      m = v >= lo && v <= hi ? masks[static_cast<std::size_t>(v - lo)] : 0;
      if (op == BinaryOp::Ne) m = ~m & all;
    } else {
      // How many of the span's values are below v, and how many at most v.
      std::size_t less = v <= lo ? 0 : (v > hi ? span : static_cast<std::size_t>(v - lo));
      std::size_t not_more = v < lo ? 0 : (v >= hi ? span : static_cast<std::size_t>(v - lo) + 1);
      m = ordered_row(op, below[less], below[not_more], all);
    }
    if (causal) m &= low_bits(q + 1);
    out.row[q] = m;
  }
  return true;
}

}  // namespace

// Each row is one key or a run of keys.
void select_by_index(BinaryOp op, const NumColumn& queries, SelColumn& out, std::size_t n, bool causal) {
  auto below = [n](std::int64_t v) {  // keys k < v
    return v <= 0 ? std::uint64_t{0} : low_bits(std::min(static_cast<std::size_t>(v), n));
  };
  std::uint64_t all = low_bits(n);
  for (std::size_t q = 0; q < n; ++q) {
    std::int64_t v = queries.num[q];
    // k <= v is k < v + 1, and k > v is not k < v + 1; v + 1 only where v < n, so no overflow.
    std::uint64_t up_to = v >= static_cast<std::int64_t>(n) ? all : below(v + 1);
    std::uint64_t m = 0;
    std::uint64_t at = v >= 0 && v < static_cast<std::int64_t>(n) ? std::uint64_t{1} << v : 0;
    if (op == BinaryOp::Eq) {
      m = at;
    } else if (op == BinaryOp::Ne) {
      m = all & ~at;
    } else {
      m = ordered_row(op, below(v), up_to, all);
    }
    out.row[q] = causal ? m & low_bits(q + 1) : m;
  }
}

namespace {

// Past this many positions an ordering selector sorts its keys once rather than compare
// every cell.
constexpr std::size_t kSortKeysFrom = 17;

// Rows of an ordering selector from the keys sorted once: the keys below a query's value
// are a prefix of the sorted order, those above a suffix, each a mask made in one pass.
void select_ordered_by_sorting(BinaryOp op, const std::int64_t* keys, const std::int64_t* queries, SelColumn& out,
                               std::size_t n, bool causal) {
  std::array<std::pair<std::int64_t, std::uint32_t>, kN> sorted;
  for (std::size_t k = 0; k < n; ++k) sorted[k] = {keys[k], static_cast<std::uint32_t>(k)};
  std::sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n));
  std::array<std::uint64_t, kN + 1> first;  // first[j]: the first j keys in sorted order
  first[0] = 0;
  for (std::size_t j = 0; j < n; ++j) first[j + 1] = first[j] | (std::uint64_t{1} << sorted[j].second);
  std::uint64_t all = low_bits(n);
  auto end = sorted.begin() + static_cast<std::ptrdiff_t>(n);
  for (std::size_t q = 0; q < n; ++q) {
    std::int64_t v = queries[q];
    auto less = static_cast<std::size_t>(
        std::lower_bound(sorted.begin(), end, v, [](const auto& e, std::int64_t x) { return e.first < x; }) -
        sorted.begin());
    auto not_more = static_cast<std::size_t>(
        std::upper_bound(sorted.begin(), end, v, [](std::int64_t x, const auto& e) { return x < e.first; }) -
        sorted.begin());
    std::uint64_t m = ordered_row(op, first[less], first[not_more], all);
    out.row[q] = causal ? m & low_bits(q + 1) : m;
  }
}

// Each string's place in the order of the strings the two columns hold, so that strings
// compare as these ints do.
void string_ranks(const Kernel& k, const StrColumn& keys, const StrColumn& queries, std::size_t n,
                  std::array<std::int64_t, kN>& key_ranks, std::array<std::int64_t, kN>& query_ranks) {
  std::array<std::uint32_t, 2 * kN> ids;
  std::copy_n(keys.id.begin(), n, ids.begin());
  std::copy_n(queries.id.begin(), n, ids.begin() + static_cast<std::ptrdiff_t>(n));
  auto end = ids.begin() + static_cast<std::ptrdiff_t>(2 * n);
  // One id per string: distinct ids are distinct strings.
  std::sort(ids.begin(), end);
  end = std::unique(ids.begin(), end);
  auto distinct = static_cast<std::size_t>(end - ids.begin());
  std::array<std::uint32_t, 2 * kN> by_text;
  std::copy_n(ids.begin(), distinct, by_text.begin());
  std::sort(by_text.begin(), by_text.begin() + static_cast<std::ptrdiff_t>(distinct),
            [&](std::uint32_t a, std::uint32_t b) { return k.pool[a] < k.pool[b]; });
  // Each id's rank, found by id (ids ascending) rather than by comparing text again.
  std::array<std::int64_t, 2 * kN> rank_of;
  for (std::size_t r = 0; r < distinct; ++r) {
    auto at = std::lower_bound(ids.begin(), end, by_text[r]) - ids.begin();
    rank_of[static_cast<std::size_t>(at)] = static_cast<std::int64_t>(r);
  }
  auto rank = [&](std::uint32_t id) {
    return rank_of[static_cast<std::size_t>(std::lower_bound(ids.begin(), end, id) - ids.begin())];
  };
  for (std::size_t i = 0; i < n; ++i) {
    key_ranks[i] = rank(keys.id[i]);
    query_ranks[i] = rank(queries.id[i]);
  }
}

// Each number's place in the order of the numbers the two columns hold (equal numbers one
// place), so that fractions compare as these ints do.
void number_ranks(const NumColumn& keys, const NumColumn& queries, std::size_t n,
                  std::array<std::int64_t, kN>& key_ranks, std::array<std::int64_t, kN>& query_ranks) {
  // Position p < n is key p, position n + p is query p.
  auto column = [&](std::size_t p) -> std::pair<const NumColumn*, std::size_t> {
    return p < n ? std::pair{&keys, p} : std::pair{&queries, p - n};
  };
  auto less = [&](std::size_t a, std::size_t b) {
    auto [x, i] = column(a);
    auto [y, j] = column(b);
    return order(*x, i, *y, j) < 0;
  };
  std::array<std::size_t, 2 * kN> places;
  for (std::size_t p = 0; p < 2 * n; ++p) places[p] = p;
  std::sort(places.begin(), places.begin() + static_cast<std::ptrdiff_t>(2 * n), less);
  std::int64_t rank = 0;
  for (std::size_t r = 0; r < 2 * n; ++r) {
    if (r > 0 && less(places[r - 1], places[r])) ++rank;
    std::size_t p = places[r];
    (p < n ? key_ranks[p] : query_ranks[p - n]) = rank;
  }
}

}  // namespace

void select_num(BinaryOp op, bool ints, const NumColumn& keys, const NumColumn& queries, SelColumn& out,
                std::size_t n, bool causal) {
  if (ints || (integral(keys, n) && integral(queries, n))) {
    if (select_by_masks(op, keys.num.data(), queries.num.data(), n, causal, out)) return;
    if (op != BinaryOp::Eq && op != BinaryOp::Ne && n >= kSortKeysFrom) {
      return select_ordered_by_sorting(op, keys.num.data(), queries.num.data(), out, n, causal);
    }
    switch (op) {
      case BinaryOp::Eq:
        return select_ints<BinaryOp::Eq>(keys, queries, out, n, causal);
      case BinaryOp::Ne:
        return select_ints<BinaryOp::Ne>(keys, queries, out, n, causal);
      case BinaryOp::Lt:
        return select_ints<BinaryOp::Lt>(keys, queries, out, n, causal);
      case BinaryOp::Le:
        return select_ints<BinaryOp::Le>(keys, queries, out, n, causal);
      case BinaryOp::Gt:
        return select_ints<BinaryOp::Gt>(keys, queries, out, n, causal);
      default:
        return select_ints<BinaryOp::Ge>(keys, queries, out, n, causal);
    }
  }
  if (n >= kSortKeysFrom) {
    // Ranks run from 0 to at most 2n - 1, within select_by_masks's span.
    std::array<std::int64_t, kN> key_ranks, query_ranks;
    number_ranks(keys, queries, n, key_ranks, query_ranks);
    if (select_by_masks(op, key_ranks.data(), query_ranks.data(), n, causal, out)) return;
  }
  fill_rows(out, n, causal, [&](std::size_t q, std::size_t k) { return holds(op, order(keys, k, queries, q)); });
}

void select_strings(const Kernel& k, BinaryOp op, const StrColumn& keys, const StrColumn& queries, SelColumn& out,
                    std::size_t n, bool causal) {
  if (op == BinaryOp::Eq || op == BinaryOp::Ne) {
    if (select_by_masks(op, keys.id.data(), queries.id.data(), n, causal, out)) return;
    bool eq = op == BinaryOp::Eq;
    fill_rows(out, n, causal, [&](std::size_t q, std::size_t key) { return (keys.id[key] == queries.id[q]) == eq; });
    return;
  }
  std::array<std::int64_t, kN> key_ranks, query_ranks;
  string_ranks(k, keys, queries, n, key_ranks, query_ranks);
  // Ranks run from 0 to at most 2n - 1.
  if (!select_by_masks(op, key_ranks.data(), query_ranks.data(), n, causal, out)) {
    select_ordered_by_sorting(op, key_ranks.data(), query_ranks.data(), out, n, causal);
  }
}

}  // namespace rasp::interp::detail

// lib/interp/detail/column_facts.cpp - Integer views, distinct-value numbering and shared ranks.
#include "lib/interp/detail/column_facts.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

namespace rasp::interp::detail {

using ir::Value;

void compute_numbers(ColumnFacts& f, std::span<const Value> column) {
  f.numbers_known = true;
  f.integral = std::all_of(column.begin(), column.end(),
                           [](const Value& v) { return !v.is_string() && v.den() == 1; });
  if (!f.integral) return;
  f.nums.resize(column.size());
  bool all_int = true, all_bool = true;
  for (std::size_t i = 0; i < column.size(); ++i) {
    f.nums[i] = column[i].num();
    all_int = all_int && column[i].is_int();
    all_bool = all_bool && column[i].is_bool();
  }
  if (all_int) f.int_kind = IntKind::Int;
  if (all_bool) f.int_kind = IntKind::Bool;
}

std::int64_t largest_magnitude(std::span<const std::int64_t> nums) {
  std::int64_t largest = 0;
  for (std::int64_t x : nums) largest = std::max(largest, x == INT64_MIN ? INT64_MAX : (x < 0 ? -x : x));
  return largest;
}

void compute_ids(ColumnFacts& f, std::span<const Value> column) {
  f.ids_known = true;
  if (!f.numbers_known) compute_numbers(f, column);
  // An int column is numbered from `nums` alone; its values may not exist (column empty).
  std::size_t n = f.int_kind ? f.nums.size() : column.size();
  f.ids.resize(n);
  f.reps.clear();
  auto number = [&](auto& seen, auto key, std::size_t i) {
    auto [it, fresh] = seen.emplace(key, static_cast<std::uint32_t>(f.reps.size()));
    if (fresh) f.reps.push_back(static_cast<std::uint32_t>(i));
    f.ids[i] = it->second;
  };
  // A table indexed by the value itself, when the values span a short range.
  auto number_by_table = [&](auto key_of, std::int64_t lowest, std::size_t span) {
    // On the stack up to 512 entries (every short input, and characters): no allocation.
    std::array<std::uint32_t, 512> small;
    std::vector<std::uint32_t> large;
    std::uint32_t* seen = small.data();
    if (span > small.size()) {
      large.resize(span);
      seen = large.data();
    }
    std::fill_n(seen, span, UINT32_MAX);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t& id = seen[static_cast<std::size_t>(key_of(i) - lowest)];
      if (id == UINT32_MAX) {
        id = static_cast<std::uint32_t>(f.reps.size());
        f.reps.push_back(static_cast<std::uint32_t>(i));
      }
      f.ids[i] = id;
    }
  };
  auto chars = [&] {
    return !column.empty() && std::all_of(column.begin(), column.end(), [](const Value& v) {
      return v.is_string() && v.str().size() == 1;
    });
  };
  if (f.int_kind) {
    if (n == 0) return;
    // One kind throughout, so equal numerators are identical values.
    auto [lo, hi] = std::minmax_element(f.nums.begin(), f.nums.end());
    auto span = static_cast<unsigned __int128>(static_cast<__int128>(*hi) - *lo) + 1;
    if (span <= 4 * n + 64) {
      number_by_table([&](std::size_t i) { return f.nums[i]; }, *lo, static_cast<std::size_t>(span));
      return;
    }
    std::unordered_map<std::int64_t, std::uint32_t> seen;
    for (std::size_t i = 0; i < n; ++i) number(seen, f.nums[i], i);
  } else if (chars()) {
    number_by_table([&](std::size_t i) { return static_cast<std::int64_t>(static_cast<unsigned char>(column[i].str()[0])); },
                    0, 256);
  } else if (!column.empty() && std::all_of(column.begin(), column.end(),
                                            [](const Value& v) { return v.is_string(); })) {
    std::unordered_map<std::string_view, std::uint32_t> seen;
    for (std::size_t i = 0; i < column.size(); ++i) number(seen, std::string_view(column[i].str()), i);
  } else {
    std::unordered_map<Value, std::uint32_t, ir::ValueHash, ir::ValueIdentical> seen;
    for (std::size_t i = 0; i < column.size(); ++i) number(seen, column[i], i);
  }
}

void shared_ranks(const ColumnFacts& a, std::span<const Value> a_column, const ColumnFacts& b,
                  std::span<const Value> b_column, PerPosition<std::int64_t>& a_ranks,
                  PerPosition<std::int64_t>& b_ranks) {
  // Every distinct value of both columns, tagged with its column and id.
  struct Entry {
    const Value* value;
    std::uint32_t column;
    std::uint32_t id;
  };
  // One column against itself (`select(tokens, tokens, <)`): its values ranked once.
  bool same = &a == &b;
  PerPosition<Entry> entries;
  entries.reserve(a.reps.size() + b.reps.size());
  for (std::uint32_t id = 0; id < a.reps.size(); ++id) entries.push_back({&a_column[a.reps[id]], 0, id});
  for (std::uint32_t id = 0; !same && id < b.reps.size(); ++id) entries.push_back({&b_column[b.reps[id]], 1, id});
  // Strictly less in Python's order, numbers before strings (never compared across).
  auto less = [](const Value& x, const Value& y) {
    if (x.is_string() != y.is_string()) return !x.is_string();
    if (x.is_string()) return x.str() < y.str();
    return static_cast<__int128>(x.num()) * y.den() < static_cast<__int128>(y.num()) * x.den();
  };
  std::sort(entries.begin(), entries.end(),
            [&](const Entry& x, const Entry& y) { return less(*x.value, *y.value); });
  PerPosition<std::int64_t> rank_a(a.reps.size()), rank_b(b.reps.size());
  std::int64_t rank = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && less(*entries[i - 1].value, *entries[i].value)) ++rank;
    (entries[i].column == 0 ? rank_a : rank_b)[entries[i].id] = rank;
  }
  a_ranks.resize(a.ids.size());
  b_ranks.resize(b.ids.size());
  for (std::size_t i = 0; i < a.ids.size(); ++i) a_ranks[i] = rank_a[a.ids[i]];
  for (std::size_t i = 0; i < b.ids.size(); ++i) b_ranks[i] = (same ? rank_a : rank_b)[b.ids[i]];
}

}  // namespace rasp::interp::detail

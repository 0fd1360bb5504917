// lib/interp/detail/column_facts.h - What the fast paths need to know about a column, computed once.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "lib/interp/detail/int_columns.h"
#include "lib/interp/detail/positions.h"
#include "lib/ir/value.h"

namespace rasp::interp::detail {

/// Facts about one column, each computed on first use and shared by every consumer.
struct ColumnFacts {
  bool numbers_known = false;
  /// Every value is a non-string with denominator 1; `nums` then holds the numerators.
  bool integral = false;
  PerPosition<std::int64_t> nums;
  /// Set when every value is an int, or every value a bool (the map fast path's operands).
  std::optional<IntKind> int_kind;

  bool ids_known = false;
  /// Distinct values (by kind and value) numbered in order of first appearance.
  PerPosition<std::uint32_t> ids;
  /// The first position holding each distinct value.
  PerPosition<std::uint32_t> reps;

  /// Forgets every fact, keeping the buffers.
  void clear() {
    numbers_known = integral = ids_known = false;
    nums.clear();
    int_kind.reset();
    ids.clear();
    reps.clear();
  }
};

void compute_numbers(ColumnFacts& facts, std::span<const ir::Value> column);
/// The largest |x| (INT64_MAX if some x is INT64_MIN).
[[nodiscard]] std::int64_t largest_magnitude(std::span<const std::int64_t> nums);
/// Numbers the distinct values. An int column (`int_kind` known) is numbered from `nums`
/// alone, and `column` may then be empty.
void compute_ids(ColumnFacts& facts, std::span<const ir::Value> column);

/// Ranks of the distinct values of two columns in one shared order, so that comparing ranks
/// is comparing values: numbers by value (1 == 1.0 == True share a rank), then strings.
/// Comparisons between a string and a number must be excluded by the caller when they are
/// ordering comparisons (Python raises there), and are always false for == / !=.
void shared_ranks(const ColumnFacts& a, std::span<const ir::Value> a_column, const ColumnFacts& b,
                  std::span<const ir::Value> b_column, PerPosition<std::int64_t>& a_ranks,
                  PerPosition<std::int64_t>& b_ranks);

}  // namespace rasp::interp::detail

// lib/interp/detail/token_memo.h - Results of maps over tokens alone, kept per token value across evaluations.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "lib/interp/detail/positions.h"
#include "lib/ir/program.h"
#include "lib/ir/value.h"

namespace rasp::interp::detail {

/// A map whose operands are one `tokens` node or other such maps gives a token value the
/// same result at every position of every input: the map is elementwise and its expression
/// pure. The memo numbers the token values it has seen and keeps each such map's result per
/// number, for one program (by Program::serial) on one thread. A result is kept only once
/// computed without a fault, so a faulting token is evaluated (and faults) every time.
class TokenMemo {
 public:
  /// More distinct token values than this and the memo declines (number() is false).
  static constexpr std::size_t kMostValues = 1024;

  TokenMemo() { d_by_char.fill(UINT32_MAX); }

  /// Forgets every result unless `program` is the program remembered, and makes room for
  /// `nodes` nodes.
  void start(std::uint64_t program, std::size_t nodes);

  /// The numbers of the values at positions `reps` of `column` (a tokens column's distinct
  /// values), new values numbered as they come; false, numbering nothing, if there would be
  /// more than kMostValues.
  bool number(std::span<const ir::Value> column, std::span<const std::uint32_t> reps,
              PerPosition<std::uint32_t>& numbers);

  /// Node `id`'s results, indexed by token number (each empty until set), for every
  /// number given so far.
  std::vector<std::optional<ir::Value>>& results(ir::NodeId id);

 private:
  std::uint64_t d_program = 0;
  std::unordered_map<ir::Value, std::uint32_t, ir::ValueHash, ir::ValueIdentical> d_numbers;
  /// The numbers of one-character strings (the usual tokens), by character, without hashing.
  std::array<std::uint32_t, 256> d_by_char;
  /// [node][token number]
  std::vector<std::vector<std::optional<ir::Value>>> d_results;
};

}  // namespace rasp::interp::detail

// lib/interp/detail/token_memo.cpp - Token value numbering and per-node results across evaluations.
#include "lib/interp/detail/token_memo.h"

namespace rasp::interp::detail {

void TokenMemo::start(std::uint64_t program, std::size_t nodes) {
  if (program != d_program) {
    d_program = program;
    d_numbers.clear();
    d_results.clear();
    d_by_char.fill(UINT32_MAX);
  }
  if (d_results.size() < nodes) d_results.resize(nodes);
}

bool TokenMemo::number(std::span<const ir::Value> column, std::span<const std::uint32_t> reps,
                       PerPosition<std::uint32_t>& numbers) {
  numbers.resize(reps.size());
  std::size_t fresh = 0;
  for (std::size_t d = 0; d < reps.size(); ++d) {
    const ir::Value& v = column[reps[d]];
    if (v.is_string() && v.str().size() == 1) {
      numbers[d] = d_by_char[static_cast<unsigned char>(v.str()[0])];
      if (numbers[d] == UINT32_MAX) ++fresh;
      continue;
    }
    auto it = d_numbers.find(v);
    if (it == d_numbers.end()) {
      ++fresh;
      numbers[d] = UINT32_MAX;
    } else {
      numbers[d] = it->second;
    }
  }
  if (fresh == 0) return true;
  if (d_numbers.size() + fresh > kMostValues) return false;
  for (std::size_t d = 0; d < reps.size(); ++d) {
    if (numbers[d] != UINT32_MAX) continue;
    auto next = static_cast<std::uint32_t>(d_numbers.size());
    const ir::Value& v = column[reps[d]];
    numbers[d] = d_numbers.emplace(v, next).first->second;
    if (v.is_string() && v.str().size() == 1) d_by_char[static_cast<unsigned char>(v.str()[0])] = numbers[d];
  }
  return true;
}

std::vector<std::optional<ir::Value>>& TokenMemo::results(ir::NodeId id) {
  std::vector<std::optional<ir::Value>>& results = d_results[id];
  if (results.size() < d_numbers.size()) results.resize(d_numbers.size());
  return results;
}

}  // namespace rasp::interp::detail

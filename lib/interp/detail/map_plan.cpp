// lib/interp/detail/map_plan.cpp - Token sources and fusion groups from the program's edges.
#include "lib/interp/detail/map_plan.h"

#include <algorithm>

#include "lib/interp/detail/number_columns.h"

namespace rasp::interp::detail {

using ir::NodeId;
using ir::NodeKind;

void find_token_sources(const ir::Program& program, std::span<const NodeId> order, std::vector<NodeId>& source) {
  source.assign(program.size(), kNoTokenSource);
  for (NodeId id : order) {
    const ir::Node& node = program.node(id);
    if (node.kind == NodeKind::Tokens) {
      source[id] = id;
      continue;
    }
    if (node.kind != NodeKind::Map || node.inputs.empty()) continue;
    NodeId first = source[node.inputs[0]];
    if (std::all_of(node.inputs.begin(), node.inputs.end(), [&](NodeId in) { return source[in] == first; })) {
      source[id] = first;
    }
  }
}

void find_read_by_token_maps_only(const ir::Program& program, std::span<const NodeId> order,
                                  std::span<const NodeId> roots, std::span<const NodeId> token_source,
                                  std::vector<char>& only) {
  only.assign(program.size(), 0);
  auto token_map = [&](NodeId id) {
    return program.node(id).kind == NodeKind::Map && token_source[id] != kNoTokenSource;
  };
  // Candidates first, then any reader that is not such a map rules its operands out.
  std::vector<char> read(program.size(), 0);
  for (NodeId id : order) {
    for (NodeId in : program.node(id).inputs) read[in] = 1;
  }
  for (NodeId id : order) only[id] = token_map(id) && read[id];
  for (NodeId id : order) {
    if (token_map(id)) continue;
    for (NodeId in : program.node(id).inputs) only[in] = 0;
  }
  for (NodeId r : roots) only[r] = 0;
}

void plan_fusion(const ir::Program& program, std::span<const NodeId> order, std::span<const NodeId> roots,
                 std::span<const NodeId> token_source, bool independent_too, std::vector<char>& inner,
                 std::vector<std::vector<NodeId>>& groups, std::vector<std::uint32_t>& slots) {
  std::size_t size = program.size();
  inner.assign(size, 0);
  slots.resize(size);
  for (auto& group : groups) group.clear();
  groups.resize(size);
  constexpr NodeId kNone = UINT32_MAX, kMany = UINT32_MAX - 1;
  std::vector<NodeId> reader(size, kNone);
  std::vector<char> reads_tokens(size, 0);
  for (NodeId id : order) {
    const ir::Node& node = program.node(id);
    reads_tokens[id] = node.kind == NodeKind::Tokens || std::any_of(node.inputs.begin(), node.inputs.end(),
                                                                    [&](NodeId in) { return reads_tokens[in] != 0; });
    for (NodeId in : node.inputs) reader[in] = reader[in] == kNone || reader[in] == id ? id : kMany;
  }
  for (NodeId r : roots) reader[r] = kMany;
  auto fusable = [&](NodeId id) {
    const ir::Node& node = program.node(id);
    return node.kind == NodeKind::Map && (reads_tokens[id] || independent_too) && token_source[id] == kNoTokenSource &&
           in_number_fragment(*node.expr);
  };
  for (NodeId id : order) inner[id] = reader[id] < kMany && fusable(id) && fusable(reader[id]);
  for (NodeId id : order) {
    if (inner[id] || !fusable(id)) continue;
    std::vector<NodeId>& group = groups[id];
    std::vector<NodeId> stack = {id};
    while (!stack.empty()) {
      NodeId at = stack.back();
      stack.pop_back();
      for (NodeId in : program.node(at).inputs) {
        if (inner[in] && std::find(group.begin(), group.end(), in) == group.end()) {
          group.push_back(in);
          stack.push_back(in);
        }
      }
    }
    if (group.empty()) continue;
    std::sort(group.begin(), group.end());
    for (std::size_t k = 0; k < group.size(); ++k) slots[group[k]] = static_cast<std::uint32_t>(k);
    group.push_back(id);
  }
}

}  // namespace rasp::interp::detail

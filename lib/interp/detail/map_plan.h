// lib/interp/detail/map_plan.h - Which maps the evaluator remembers per token and which it fuses.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "lib/ir/program.h"

namespace rasp::interp::detail {

/// No tokens node: the map reads something else too.
inline constexpr ir::NodeId kNoTokenSource = UINT32_MAX;

/// For each node of `order` (ids ascending): the tokens node itself, or for a map over one
/// tokens node alone (each operand that node or such a map), that node; else kNoTokenSource.
/// `source` is sized for the whole program.
void find_token_sources(const ir::Program& program, std::span<const ir::NodeId> order,
                        std::vector<ir::NodeId>& source);

/// Among the nodes of `order`, the maps over one tokens node alone (see find_token_sources)
/// that are not roots and are read only by such maps: while every token of an input has
/// a remembered result for one, its column need not be made, since its readers read it only
/// for a token they have no result for. `only` is sized for the whole program.
void find_read_by_token_maps_only(const ir::Program& program, std::span<const ir::NodeId> order,
                                  std::span<const ir::NodeId> roots, std::span<const ir::NodeId> token_source,
                                  std::vector<char>& only);

/// Fusion: among the nodes of `order`, a map in the number fragment that reads tokens (so is
/// never kept across inputs) and is not over tokens alone is `inner` when it is not a root and
/// its one reader is such a map too. It is computed only inside the map its readers lead to,
/// whose `groups` entry lists the group's inner maps in id order and then itself; other
/// entries are empty. Each inner map belongs to exactly one group; `slots` gives its place
/// in it. `independent_too` (when nothing is kept across inputs): maps that do not read
/// tokens (index arithmetic, `length`) are fused the same way.
void plan_fusion(const ir::Program& program, std::span<const ir::NodeId> order,
                 std::span<const ir::NodeId> roots, std::span<const ir::NodeId> token_source,
                 bool independent_too, std::vector<char>& inner,
                 std::vector<std::vector<ir::NodeId>>& groups, std::vector<std::uint32_t>& slots);

}  // namespace rasp::interp::detail

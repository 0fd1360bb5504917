// tests/analyzers/cost_models_test.cpp - The three cost models on hand-checked programs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "analyzers/cost_model_tracr.h"
#include "tests/analyzers/program_builder.h"

namespace rasp::analyze {
namespace {

using test_support::ProgramBuilder;
using ::testing::ElementsAre;

TEST(RaspCostModelTest, ReverseIsTwoLayersOneHead) {
  ProgramBuilder b;
  ir::NodeId root = build_reverse(b, false);
  Bounds r = rasp_bounds(b.p, root);
  EXPECT_EQ(r.layers, 2);
  EXPECT_EQ(r.max_heads, 1);
  EXPECT_EQ(r.heads_per_layer, (std::vector<int>{1, 1}));
  EXPECT_EQ(r.total_heads, 2);
  EXPECT_EQ(r.lower_bound, 2);
  EXPECT_TRUE(r.tight);
  EXPECT_EQ(r.critical_path.size(), 2u);
  EXPECT_EQ(r.critical_path.back(), root);
  EXPECT_EQ(r.schedule.placement.at(root).layer, 2);
  EXPECT_EQ(r.schedule.placement.at(root).head, 0);
}

TEST(RaspCostModelTest, DepthsFollowTheReferenceRules) {
  ProgramBuilder b;
  ir::NodeId s1 = b.select(b.tokens, b.tokens, ir::BinaryOp::Eq);
  EXPECT_EQ(rasp_depth(b.p, s1), 1);  // a select is one deeper than its operands
  ir::NodeId a1 = b.aggregate(s1, b.indices);
  EXPECT_EQ(rasp_depth(b.p, a1), 1);  // max(values + 1, selector) = max(1, 1)
  ir::NodeId m = b.plus(a1, 1);
  EXPECT_EQ(rasp_depth(b.p, m), 1);  // elementwise is free
  ir::NodeId s2 = b.select(m, b.tokens, ir::BinaryOp::Lt);
  EXPECT_EQ(rasp_depth(b.p, s2), 2);
  ir::NodeId both = b.both(s1, s2);
  EXPECT_EQ(rasp_depth(b.p, b.negate(both)), 2);
  ir::NodeId a2 = b.aggregate(s1, m);  // values at depth 1 push it to 2
  EXPECT_EQ(rasp_depth(b.p, a2), 2);
  EXPECT_EQ(rasp_depth(b.p, b.width(s1)), 1);
  EXPECT_EQ(rasp_depth(b.p, b.tokens), 0);
  EXPECT_EQ(rasp_depth(b.p, b.plus(b.tokens, 3)), 0);
}

TEST(RaspCostModelTest, HistCostsTwoHeadsWithoutBosOneWith) {
  ProgramBuilder b;
  ir::NodeId root = build_hist(b);
  Bounds r = rasp_bounds(b.p, root);
  EXPECT_EQ(r.layers, 1);
  EXPECT_EQ(r.max_heads, 2);
  Bounds with_bos = rasp_bounds(b.p, root, test_support::options(true));
  EXPECT_EQ(with_bos.layers, 1);
  EXPECT_EQ(with_bos.max_heads, 1);
}

TEST(RaspCostModelTest, SortIsTwoLayersTwoHeads) {
  ProgramBuilder b;
  ir::NodeId root = build_sort(b);
  Bounds r = rasp_bounds(b.p, root);
  EXPECT_EQ(r.layers, 2);
  EXPECT_EQ(r.max_heads, 2);
  EXPECT_EQ(r.heads_per_layer, (std::vector<int>{2, 1}));
}

TEST(RaspCostModelTest, SameSelectorObjectSharesAHeadTextualCopiesDoNot) {
  ProgramBuilder b;
  ir::NodeId s = b.select(b.tokens, b.tokens, ir::BinaryOp::Eq);
  std::uint32_t object = b.p.new_instance();
  ir::NodeId a = b.aggregate(s, b.indices, object);
  ir::NodeId c = b.aggregate(s, b.plus(b.indices, 1), object);  // same object
  ir::NodeId shared = b.sum({a, c});
  EXPECT_EQ(rasp_bounds(b.p, shared).heads_per_layer, (std::vector<int>{1}));
  // The same select written again is a new object: the reference counts a second head.
  ir::NodeId d = b.aggregate(s, b.plus(b.indices, 2));
  ir::NodeId copied = b.sum({a, c, d});
  EXPECT_EQ(rasp_bounds(b.p, copied).heads_per_layer, (std::vector<int>{2}));
  // The optimal model shares the hash-consed selector.
  EXPECT_EQ(optimal_bounds(b.p, copied).heads_per_layer, (std::vector<int>{1}));
  // Instance 0 (unknown object) falls back to the selector node.
  ir::NodeId e = b.aggregate(s, b.plus(b.indices, 3), 0);
  ir::NodeId f = b.aggregate(s, b.plus(b.indices, 4), 0);
  EXPECT_EQ(rasp_bounds(b.p, b.sum({e, f})).heads_per_layer, (std::vector<int>{1}));
}

TEST(RaspCostModelTest, SelectorWidthSharesNothing) {
  ProgramBuilder b;
  ir::NodeId s = b.select(b.tokens, b.tokens, ir::BinaryOp::Eq);
  std::uint32_t object = b.p.new_instance();
  ir::NodeId a = b.aggregate(s, b.indices, object);
  ir::NodeId w = b.width(s, object);
  ir::NodeId root = b.sum({a, w});
  EXPECT_EQ(rasp_bounds(b.p, root).heads_per_layer, (std::vector<int>{3}));
  EXPECT_EQ(rasp_bounds(b.p, root, test_support::options(true)).heads_per_layer, (std::vector<int>{2}));
}

TEST(RaspCostModelTest, NoAttentionIsZeroLayers) {
  ProgramBuilder b;
  ir::NodeId root = b.plus(b.tokens, 1);
  Bounds r = rasp_bounds(b.p, root);
  EXPECT_EQ(r.layers, 0);
  EXPECT_EQ(r.max_heads, 0);
  EXPECT_TRUE(r.heads_per_layer.empty());
  EXPECT_TRUE(r.tight);
  EXPECT_EQ(r.schedule.placement.at(root).layer, 0);
}

TEST(TracrCostModelTest, ReverseWithTwoMapsIsFourLayers) {
  // tracr's own library: length (selector width), opp_idx = length - indices,
  // opp_idx - 1, then the flip: 4 layers, heads 1,1, MLPs in layers 1-3 (ANCHORS.md).
  ProgramBuilder b;
  ir::NodeId len = b.width(b.select_all(b.tokens, b.tokens));
  ir::NodeId diff = b.map(ir::make_binary(ir::BinaryOp::Sub, ir::make_var(0), ir::make_var(1)),
                          {len, b.indices});
  ir::NodeId opp = b.plus(diff, -1);
  ir::NodeId root = b.aggregate(b.select(b.indices, opp, ir::BinaryOp::Eq), b.tokens);
  Bounds t = tracr_bounds(b.p, root);
  EXPECT_EQ(t.layers, 4);
  EXPECT_EQ(t.heads_per_layer, (std::vector<int>{1, 0, 0, 1}));
  EXPECT_EQ(t.mlps_per_layer, (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(t.max_heads, 1);
  EXPECT_EQ(t.lower_bound, 4);
  EXPECT_TRUE(t.tight);
  EXPECT_THAT(t.critical_path, ElementsAre(len, diff, opp, root));
  // The rasp model folds both maps into the first layer's feed-forward.
  EXPECT_EQ(rasp_bounds(b.p, root).layers, 2);
}

TEST(TracrCostModelTest, OneMapOfTokensTakesTheFirstMlp) {
  ProgramBuilder b;
  ir::NodeId m = b.plus(b.tokens, 1);
  Bounds t = tracr_bounds(b.p, m);
  EXPECT_EQ(t.layers, 1);
  EXPECT_EQ(t.heads_per_layer, (std::vector<int>{0}));
  EXPECT_EQ(t.mlps_per_layer, (std::vector<int>{1}));
  // A map of two s-ops after a map costs a second MLP, hence a second layer.
  ir::NodeId m2 = b.sum({m, b.indices});
  EXPECT_EQ(tracr_bounds(b.p, m2).layers, 2);
  EXPECT_EQ(tracr_bounds(b.p, m2).mlps_per_layer, (std::vector<int>{1, 1}));
  // An aggregate of a map's output waits for the next attention sublayer.
  ir::NodeId a = b.aggregate(b.select(b.tokens, b.tokens, ir::BinaryOp::Eq), m);
  Bounds ta = tracr_bounds(b.p, a);
  EXPECT_EQ(ta.layers, 2);
  EXPECT_EQ(ta.heads_per_layer, (std::vector<int>{0, 1}));
}

TEST(TracrCostModelTest, OneOperandMapsCompose) {
  // tracr simplifies Map(f, Map(g, x)) to one Map: one MLP, one layer.
  ProgramBuilder b;
  ir::NodeId inner = b.plus(b.tokens, 1);
  ir::NodeId outer = b.plus(inner, 2);
  Bounds t = tracr_bounds(b.p, outer);
  EXPECT_EQ(t.layers, 1);
  EXPECT_EQ(t.mlps_per_layer, (std::vector<int>{1}));
  // When the inner map is also read elsewhere it stays, in parallel: two MLPs, one layer.
  ir::NodeId both = b.aggregate(b.select(inner, outer, ir::BinaryOp::Eq), b.tokens);
  Bounds t2 = tracr_bounds(b.p, both);
  EXPECT_EQ(t2.layers, 2);
  EXPECT_EQ(t2.mlps_per_layer, (std::vector<int>{2, 0}));
  EXPECT_EQ(t2.heads_per_layer, (std::vector<int>{0, 1}));
  Bounds o = optimal_bounds(b.p, both, test_support::options(false, true));
  EXPECT_EQ(o.layers, 2);
  EXPECT_EQ(o.mlps_per_layer, (std::vector<int>{2, 0}));
}

TEST(TracrCostModelTest, HistIsOneLayerOneHeadOneMlp) {
  ProgramBuilder b;
  Bounds t = tracr_bounds(b.p, build_hist(b));
  EXPECT_EQ(t.layers, 1);
  EXPECT_EQ(t.heads_per_layer, (std::vector<int>{1}));
  EXPECT_EQ(t.mlps_per_layer, (std::vector<int>{1}));
}

/// A chain of three dependent aggregates beside three independent ones: the greedy
/// schedule stacks all four layer-1-ready heads into layer 1; spreading needs search.
struct ChainAndSide {
  ProgramBuilder b;
  ir::NodeId root = 0;
  ChainAndSide() {
    ir::NodeId a1 = b.aggregate(b.select(b.tokens, b.tokens, ir::BinaryOp::Eq), b.tokens);
    ir::NodeId a2 = b.aggregate(b.select(a1, b.tokens, ir::BinaryOp::Eq), b.tokens);
    ir::NodeId a3 = b.aggregate(b.select(a2, b.tokens, ir::BinaryOp::Eq), b.tokens);
    std::vector<ir::NodeId> side;
    for (ir::BinaryOp op : {ir::BinaryOp::Lt, ir::BinaryOp::Gt, ir::BinaryOp::Le}) {
      side.push_back(b.aggregate(b.select(b.tokens, b.tokens, op), b.indices));
    }
    root = b.sum({a3, side[0], side[1], side[2]});
  }
};

TEST(OptimalCostModelTest, SpreadsHeadsOverTheSlack) {
  ChainAndSide c;
  Bounds r = rasp_bounds(c.b.p, c.root);
  EXPECT_EQ(r.layers, 3);
  EXPECT_EQ(r.heads_per_layer, (std::vector<int>{4, 1, 1}));
  Bounds o = optimal_bounds(c.b.p, c.root);
  EXPECT_EQ(o.layers, 3);
  EXPECT_EQ(o.max_heads, 2);
  EXPECT_EQ(o.heads_per_layer, (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(o.total_heads, 6);
  EXPECT_EQ(o.lower_bound, 3);
  EXPECT_TRUE(o.tight);
  EXPECT_EQ(o.critical_path.size(), 3u);
}

TEST(OptimalCostModelTest, FrontierTradesLayersForHeads) {
  ChainAndSide c;
  std::vector<FrontierPoint> f = pareto_frontier(c.b.p, c.root);
  ASSERT_EQ(f.size(), 4u);
  // 6 heads over 3, 4 or 5 layers put 2 in some layer; 6 layers allow 1 each.
  EXPECT_EQ(f[0].layers, 3);
  EXPECT_EQ(f[0].max_heads, 2);
  EXPECT_EQ(f[1].max_heads, 2);
  EXPECT_EQ(f[2].max_heads, 2);
  EXPECT_EQ(f[3].layers, 6);
  EXPECT_EQ(f[3].max_heads, 1);
  for (const FrontierPoint& p : f) EXPECT_TRUE(p.proven);
  EXPECT_FALSE(optimal_bounds_with_layers(c.b.p, c.root, 2).has_value());
}

TEST(OptimalCostModelTest, PaperProgramsAreTight) {
  ProgramBuilder b;
  ir::NodeId reverse = build_reverse(b, false);
  Bounds o = optimal_bounds(b.p, reverse);
  EXPECT_EQ(o.layers, 2);
  EXPECT_EQ(o.max_heads, 1);
  EXPECT_TRUE(o.tight);
  ir::NodeId sort = build_sort(b);
  Bounds os = optimal_bounds(b.p, sort);
  EXPECT_EQ(os.layers, 2);
  EXPECT_EQ(os.heads_per_layer, (std::vector<int>{2, 1}));
  EXPECT_TRUE(os.tight);
  Bounds bos = optimal_bounds(b.p, sort, test_support::options(true));
  EXPECT_EQ(bos.heads_per_layer, (std::vector<int>{1, 1}));
}

TEST(OptimalCostModelTest, MlpSublayersMatchTracrDepth) {
  ProgramBuilder b;
  ir::NodeId root = build_reverse(b, true);
  // The prelude's length needs indicator(indices == 0) in an MLP first (mlp 1), then its
  // aggregate (attn 2), round (mlp 2), minus (mlp 3), -1 (mlp 4) and the flip (attn 5).
  Bounds o = optimal_bounds(b.p, root, test_support::options(false, true));
  EXPECT_EQ(o.layers, 5);
  EXPECT_EQ(o.lower_bound, 5);
  EXPECT_EQ(o.critical_path.size(), 6u);
  EXPECT_EQ(o.mlps_per_layer, (std::vector<int>{1, 1, 1, 1, 0}));
  EXPECT_EQ(o.heads_per_layer, (std::vector<int>{0, 1, 0, 0, 1}));
  EXPECT_EQ(tracr_bounds(b.p, root).layers, 5);
  EXPECT_TRUE(o.tight);
}

TEST(BoundsTest, ModelNamesRoundTrip) {
  for (CostModel m : {CostModel::Rasp, CostModel::Tracr, CostModel::Optimal}) {
    EXPECT_EQ(parse_cost_model(cost_model_name(m)), m);
  }
  EXPECT_FALSE(parse_cost_model("fast").has_value());
}

}  // namespace
}  // namespace rasp::analyze

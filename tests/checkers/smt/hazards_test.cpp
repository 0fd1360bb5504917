// tests/checkers/smt/hazards_test.cpp - Compile hazards proven by Z3, or refuted with the least input.
#include "checkers/smt/hazards.h"

#include <gtest/gtest.h>

#include "tests/checkers/smt/program_builder.h"

namespace rasp::check {
namespace {

using namespace rasp::check::testing;

BoundedOptions options(const std::string& vocab, int max_len) {
  BoundedOptions o;
  o.vocabulary = strings(vocab);
  o.max_len = max_len;
  o.timeout_seconds = 60;
  return o;
}

// aggregate(select(indices % 5, indices, ==), tokens): below 6 tokens `indices % 5` is
// injective, so every query selects one key; from 6 tokens query 0 selects keys 0 and 5.
NodeId wraps_at_six(Builder& b) {
  NodeId i = b.indices();
  NodeId keys = b.map(bin(BinaryOp::Mod, x0(), lit(5)), {i});
  return b.aggregate(b.select(keys, i, BinaryOp::Eq), b.tokens());
}

TEST(HazardsTest, TwoKeysWithDifferentValuesOnlyFromLengthSix) {
  Builder b;
  NodeId agg = wraps_at_six(b);
  auto report = check_hazards(b.program, agg, {{agg, HazardKind::SelectedValuesEqual}},
                              options("ab", 8));
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->inconclusive.empty()) << report->inconclusive;
  ASSERT_TRUE(report->outcomes[0].witness.has_value());
  // The least input of the shortest length: position 5 must differ from position 0.
  EXPECT_EQ(interp::describe_input(*report->outcomes[0].witness), "\"aaaaab\"");
  EXPECT_EQ(report->outcomes[0].proven_up_to, 5);
  EXPECT_EQ(report->proven_up_to, 5);
}

TEST(HazardsTest, AtMostOneKeyFailsOnAnyInputOfLengthSix) {
  Builder b;
  NodeId agg = wraps_at_six(b);
  auto report =
      check_hazards(b.program, agg, {{agg, HazardKind::AtMostOneKey}}, options("ab", 8));
  ASSERT_TRUE(report.has_value());
  ASSERT_TRUE(report->outcomes[0].witness.has_value());
  EXPECT_EQ(interp::describe_input(*report->outcomes[0].witness), "\"aaaaaa\"");
}

TEST(HazardsTest, ProvenUpToTheMaximumLength) {
  Builder b;
  NodeId agg = wraps_at_six(b);
  std::vector<Hazard> hazards{{agg, HazardKind::SelectedValuesEqual}};
  for (const Hazard& h : runtime_hazards(b.program, agg)) hazards.push_back(h);
  EXPECT_EQ(hazards.size(), 4u);  // the aggregate twice, the map, the select
  auto report = check_hazards(b.program, agg, hazards, options("ab", 5));
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->inconclusive.empty()) << report->inconclusive;
  EXPECT_EQ(report->proven_up_to, 5);
  for (const HazardOutcome& o : report->outcomes) {
    EXPECT_FALSE(o.witness.has_value());
    EXPECT_EQ(o.proven_up_to, 5);
  }
  // Below 6 tokens the indices are constants, so the violation simplifies away.
  EXPECT_TRUE(report->outcomes[0].trivial);
}

TEST(HazardsTest, KeysSelectedByTokenEqualityHoldEqualTokens) {
  // aggregate(select(tokens, tokens, ==), tokens) selects many keys, all holding the
  // query's own token: proven by the solver, while "at most one key" fails on "aa".
  Builder b;
  NodeId t = b.tokens();
  NodeId agg = b.aggregate(b.select(t, t, BinaryOp::Eq), t);
  auto report = check_hazards(b.program, agg, {{agg, HazardKind::SelectedValuesEqual}},
                              options("abc", 6));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->proven_up_to, 6);
  EXPECT_FALSE(report->outcomes[0].witness.has_value());
  EXPECT_FALSE(report->outcomes[0].trivial);
  auto one = check_hazards(b.program, agg, {{agg, HazardKind::AtMostOneKey}}, options("abc", 6));
  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(one->outcomes[0].witness.has_value());
  EXPECT_EQ(interp::describe_input(*one->outcomes[0].witness), "\"aa\"");
}

TEST(HazardsTest, DivisionByZeroInAMap) {
  // 12 / (indices - 3) divides by zero at position 3: every input of 4 tokens.
  Builder b;
  NodeId i = b.indices();
  NodeId div = b.map(bin(BinaryOp::Div, lit(12), bin(BinaryOp::Sub, x0(), lit(3))), {i});
  auto report = check_hazards(b.program, div, runtime_hazards(b.program, div), options("ab", 6));
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->outcomes.size(), 1u);
  ASSERT_TRUE(report->outcomes[0].witness.has_value());
  EXPECT_EQ(interp::describe_input(*report->outcomes[0].witness), "\"aaaa\"");
  EXPECT_EQ(report->proven_up_to, 3);
}

TEST(HazardsTest, DivisionByATokenThatCanBeZero) {
  // 6 / tokens over the int tokens {1, 0}: the least failing input is [0].
  Builder b;
  NodeId t = b.tokens(ir::TokenType::Int);
  NodeId div = b.map(bin(BinaryOp::Div, lit(6), x0()), {t});
  BoundedOptions o = options("", 4);
  o.vocabulary = {Value::integer(1), Value::integer(0)};
  auto report = check_hazards(b.program, div, runtime_hazards(b.program, div), o);
  ASSERT_TRUE(report.has_value());
  ASSERT_TRUE(report->outcomes[0].witness.has_value());
  EXPECT_EQ(interp::describe_input(*report->outcomes[0].witness), "[0]");
  // A guarded division never fails.
  Builder g;
  NodeId gt = g.tokens(ir::TokenType::Int);
  Expr zero = lit(std::int64_t{0});
  Expr safe = ir::make_ite(bin(BinaryOp::Eq, x0(), zero), zero, bin(BinaryOp::Div, lit(6), x0()));
  NodeId guarded = g.map(std::move(safe), {gt});
  auto ok = check_hazards(g.program, guarded, runtime_hazards(g.program, guarded), o);
  ASSERT_TRUE(ok.has_value());
  EXPECT_FALSE(ok->outcomes[0].witness.has_value());
  EXPECT_EQ(ok->proven_up_to, 4);
}

TEST(HazardsTest, WidthsStayInRange) {
  Builder b;
  NodeId n = b.length();
  auto report = check_hazards(b.program, n, runtime_hazards(b.program, n), options("abc", 6));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->proven_up_to, 6);
  bool width = false;
  for (const HazardOutcome& o : report->outcomes) width = width || o.hazard.kind == HazardKind::WidthInRange;
  EXPECT_TRUE(width);
}

}  // namespace
}  // namespace rasp::check

// tests/lib/interp/evaluator_test.cpp - Mean, sum, defaults, BOS, causal masks and run-time faults.
#include "lib/interp/evaluator.h"

#include <gtest/gtest.h>

#include "lib/front/front.h"
#include "lib/interp/io.h"

namespace rasp::interp {
namespace {

Result<Output> run(const std::string& expr, const std::string& input, Options options = {},
                   const std::string& source = "") {
  auto module = front::load_source(source, "t.rasp");
  EXPECT_TRUE(module.has_value());
  auto root = front::evaluate_expression(*module, expr);
  EXPECT_TRUE(root.has_value()) << front::render(root.error());
  return evaluate(module->program, *root, *parse_input(input), options);
}

nlohmann::json json_of(const Result<Output>& r) {
  EXPECT_TRUE(r.has_value()) << (r ? "" : front::render(r.error()));
  return r ? output_to_json(*r) : nullptr;
}

TEST(EvaluatorTest, MeanIsExactAndAFloatEvenOfEqualIntegers) {
  auto r = run("aggregate(select(indices, indices, <=), indices)", "abc");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->values[0].is_int()) << "one selected value keeps its type";
  EXPECT_TRUE(r->values[1].is_float());
  EXPECT_EQ(r->values[1], *ir::Value::rational(1, 2));
  EXPECT_EQ(r->values[2], ir::Value::integer(1));
  EXPECT_TRUE(run("aggregate(select(1, 1, ==), 3)", "ab")->values[0].is_float());
  auto third = run("aggregate(select(indices, 2, <=), indicator(indices == 0))", "abc");
  EXPECT_EQ(third->values[0], *ir::Value::rational(1, 3)) << "exactly 1/3, not 0.333...";
}

TEST(EvaluatorTest, SumAggregationIsRASPysSemantics) {
  Options sum;
  sum.aggregation = Aggregation::Sum;
  EXPECT_EQ(json_of(run("aggregate(select(indices, indices, <=), indices + 1)", "abcd", sum)),
            nlohmann::json({1, 3, 6, 10}));
}

TEST(EvaluatorTest, NoSelectedKeyGivesTheDefault) {
  EXPECT_EQ(json_of(run("aggregate(select(indices, indices, <), tokens, \"_\")", "ab")),
            nlohmann::json({"_", "a"}));
  EXPECT_EQ(json_of(run("aggregate(select(indices, indices, >), indices)", "ab")), nlohmann::json({1, 0}));
}

TEST(EvaluatorTest, AveragingNonNumbersIsAnErrorEvenWhenEqual) {
  auto r = run("aggregate(select(1, 1, ==), tokens)", "aa");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().code, "E0203");
  EXPECT_NE(r.error().front().notes.front().find("\"aa\""), std::string::npos) << "names the input";
  auto b = run("aggregate(select(1, 1, ==), tokens == \"a\")", "ab");
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().front().code, "E0203") << "booleans are not averaged";
}

TEST(EvaluatorTest, MixedTypeSequencesAreErrors) {
  auto r = run("aggregate(select(indices, indices, <), tokens)", "ab");
  ASSERT_FALSE(r.has_value()) << "default 0 next to strings";
  EXPECT_EQ(r.error().front().code, "E0204");
}

TEST(EvaluatorTest, DivisionByZeroNamesTheNodesLine) {
  auto module = front::load_source("x = indices;\ny = 1 / x;\n", "t.rasp");
  auto root = front::evaluate_expression(*module, "y");
  auto r = evaluate(module->program, *root, *parse_input("ab"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().code, "E0205");
  EXPECT_EQ(r.error().front().range.line, 2);
}

TEST(EvaluatorTest, CausalMasksLaterKeys) {
  Options causal;
  causal.causal = true;
  EXPECT_EQ(json_of(run("selector_width(select(1, 1, ==))", "abcd", causal)), nlohmann::json({1, 2, 3, 4}));
  EXPECT_EQ(json_of(run("selector_width(not select(indices, indices, ==))", "abc", causal)),
            nlohmann::json({0, 1, 2}));
}

TEST(EvaluatorTest, BosIsAPositionTheOutputHides) {
  Options bos;
  bos.bos = true;
  EXPECT_EQ(json_of(run("indices", "ab", bos)), nlohmann::json({1, 2}));
  EXPECT_EQ(json_of(run("aggregate(select(indices, 0, ==), tokens)", "ab", bos)), nlohmann::json({"BOS", "BOS"}));
  EXPECT_EQ(json_of(run("length", "abc", bos)), nlohmann::json({4, 4, 4}));
}

TEST(EvaluatorTest, SelectorsAreMatricesIndexedQueryThenKey) {
  auto r = run("select(indices, indices, <)", "abc");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(output_to_json(*r), nlohmann::json({{"selector", {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}}}));
}

TEST(EvaluatorTest, EmptyInputIsRefused) {
  auto module = front::load_source("", "t.rasp");
  auto root = front::evaluate_expression(*module, "indices");
  std::vector<ir::Value> none;
  EXPECT_FALSE(evaluate(module->program, *root, none, {}).has_value());
}

TEST(EvaluatorTest, LongInputsJustWork) {
  std::string input(20000, 'a');
  auto r = run("aggregate(select(indices, length - indices - 1, ==), indices)", input);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->values.front(), ir::Value::integer(19999));
}

}  // namespace
}  // namespace rasp::interp

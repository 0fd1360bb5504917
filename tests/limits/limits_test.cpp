// tests/limits/limits_test.cpp - Every resource limit ends in a located diagnostic, quickly.
//
// docs/reliability.md lists these limits; each test states the input that hits one.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"

namespace rasp {
namespace {

// Loads `source`, expects the error `code` at `line` (any known line when -1), and a bounded
// time to say so.
void expect_limit(const std::string& source, const std::string& code, int line) {
  auto start = std::chrono::steady_clock::now();
  auto module = front::load_source(source, "limit.rasp");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(module.has_value()) << "loaded: " << source.substr(0, 200);
  const Diagnostic& d = module.error().front();
  EXPECT_EQ(d.code, code) << d.message;
  EXPECT_TRUE(d.range.known()) << d.message;
  if (line >= 0) {
    EXPECT_EQ(d.range.line, line) << d.message;
  }
  EXPECT_LT(seconds, 120.0) << "the limit took " << seconds << " s to report";
}

TEST(LimitsTest, DeepParenthesesAreE0004) {
  expect_limit("x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + ";", "E0004",
               1);
}

// Chains of operators nest as deeply as brackets: each was a stack overflow at 20,000 links.
TEST(LimitsTest, LongOperatorChainsAreE0004) {
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  expect_limit("y = 0;\nx = 1" + repeat(" + 1", 100000) + ";", "E0004", 2);
  expect_limit("x = tokens" + repeat("[0]", 100000) + ";", "E0004", 1);
  expect_limit("x = " + repeat("indices if indices > 0 else ", 100000) + "0;", "E0004", 1);
  expect_limit("s = select(indices, indices, ==);\nx = s" + repeat(" and s", 100000) + ";", "E0004", 2);
  expect_limit("def f(a) { return f; }\nx = f(1)" + repeat("(1)", 100000) + ";", "E0004", 2);
  // Below the limit, a long chain loads.
  EXPECT_TRUE(front::load_source("x = indices" + repeat(" + 1", 1900) + ";", "ok.rasp").has_value());
}

TEST(LimitsTest, DeepBlocksAreE0004) {
  std::string src;
  for (int i = 0; i < 5000; ++i) src += "for i in [1] {\n";
  expect_limit(src, "E0004", -1);
}

TEST(LimitsTest, HugeRangeIsE0212) { expect_limit("x = 1;\nl = range(100000000);", "E0212", 2); }

TEST(LimitsTest, HugeListRepeatIsE0212) {
  expect_limit("l = [1, 2, 3, 4] * 4611686018427387904;", "E0212", 1);  // 4 * 2^62 wraps to 0
  expect_limit("l = [1, 2, 3] * 1000000000;", "E0212", 1);
}

TEST(LimitsTest, EmptyListRepeatedOftenIsEmpty) {
  auto module = front::load_source("l = [] * 4611686018427387904;\nx = tokens;", "limit.rasp");
  ASSERT_TRUE(module.has_value()) << front::render(module.error());
}

TEST(LimitsTest, EndlessRecursionIsE0212) {
  expect_limit("def f(x) {\n  return f(x);\n}\ny = f(tokens);", "E0212", 2);
}

TEST(LimitsTest, NestedLongLoopsAreE0212) {
  expect_limit("n = 0;\nfor i in range(999999) {\n  for j in range(999999) {\n    n = j;\n  }\n}",
               "E0212", 4);
}

TEST(LimitsTest, QuadraticDictBuildingIsE0212) {
  expect_limit("d = {i: i for i in range(999999)};", "E0212", 1);
}

TEST(LimitsTest, ReasonableLoadTimeWorkStillLoads) {
  auto module = front::load_source(
      "d = {i: i * i for i in range(1000)};\nt = 0;\nfor i in range(100000) {\n  t = t + 1;\n}\n"
      "x = tokens;",
      "limit.rasp");
  ASSERT_TRUE(module.has_value()) << front::render(module.error());
}

TEST(LimitsTest, DeeplyNestedJsonIsRejected) {
  std::string text = std::string(100000, '[') + std::string(100000, ']');
  auto doc = nlohmann::json::parse(text, nullptr, false);
  auto program = ir::program_from_json(doc);
  EXPECT_FALSE(program.has_value());
}

TEST(LimitsTest, DeepJsonExpressionIsE0301) {
  nlohmann::json e = {{"op", "var"}, {"var", 0}};
  for (int i = 0; i < 100000; ++i) e = {{"op", "neg"}, {"args", nlohmann::json::array({std::move(e)})}};
  nlohmann::json doc = {{"schema", 1},
                        {"nodes",
                         {{{"id", 0}, {"kind", "tokens"}, {"token_type", "int"}},
                          {{"id", 1}, {"kind", "map"}, {"inputs", {0}}, {"expr", std::move(e)}}}}};
  auto program = ir::program_from_json(doc);
  ASSERT_FALSE(program.has_value());
  EXPECT_EQ(program.error().front().code, "E0301");
}

TEST(LimitsTest, LongJsonChainLoadsAndRuns) {
  // 100,000 maps in a chain: no recursion per node in the loader or the interpreter.
  nlohmann::json nodes = nlohmann::json::array();
  nodes.push_back({{"id", 0}, {"kind", "tokens"}, {"token_type", "int"}});
  nlohmann::json add_one = {{"op", "binary"}, {"bop", "+"}};
  add_one["args"] = nlohmann::json::array();
  add_one["args"].push_back({{"op", "var"}, {"var", 0}});
  add_one["args"].push_back({{"op", "const"}, {"value", {{"int", 1}}}});
  for (int i = 1; i <= 100000; ++i) {
    nlohmann::json node = {{"id", i}, {"kind", "map"}, {"expr", add_one}};
    // Parsed JSON holds non-negative numbers as unsigned, and the loader wants that type.
    node["inputs"] = nlohmann::json::array({static_cast<std::size_t>(i - 1)});
    nodes.push_back(std::move(node));
  }
  nlohmann::json doc = {{"schema", 1}};
  doc["nodes"] = std::move(nodes);
  auto program = ir::program_from_json(doc);
  ASSERT_TRUE(program.has_value()) << program.error().front().message;
  std::vector<ir::Value> input{ir::Value::integer(1), ir::Value::integer(2)};
  auto out = interp::evaluate(*program, program->size() - 1, input, {});
  ASSERT_TRUE(out.has_value()) << out.error().front().message;
  EXPECT_EQ(interp::output_to_json(*out), nlohmann::json({100001, 100002}));
}

TEST(LimitsTest, SelectorMatrixLimitIsE0212) {
  auto module =
      front::load_source("rev = aggregate(select(indices, length - indices - 1, ==), tokens);",
                         "limit.rasp");
  ASSERT_TRUE(module.has_value());
  interp::Options options;
  options.max_matrix_cells = 10000;
  auto input = *interp::parse_input(std::string(101, 'a'));
  auto out = interp::evaluate(module->program, *module->last_assigned, input, options);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().front().code, "E0212");
  const Diagnostic& d = out.error().front();
  EXPECT_NE(d.message.find("length 101"), std::string::npos) << d.message;
  // Located at the first selector that goes over, before its matrix is allocated: here the
  // one inside the prelude's `length`, evaluated first.
  EXPECT_TRUE(d.range.known()) << d.message;
}

TEST(LimitsTest, SelectorMatrixLimitIsAtTheSelectorsLine) {
  auto module = front::load_source(
      "x = tokens;\n"
      "same = aggregate(select(indices, indices, ==), tokens);\n",
      "limit.rasp");
  ASSERT_TRUE(module.has_value());
  interp::Options options;
  options.max_matrix_cells = 10000;
  auto input = *interp::parse_input(std::string(101, 'a'));
  auto out = interp::evaluate(module->program, *module->last_assigned, input, options);
  ASSERT_FALSE(out.has_value());
  const Diagnostic& d = out.error().front();
  EXPECT_EQ(d.code, "E0212");
  EXPECT_EQ(d.range.line, 2) << d.message;
  EXPECT_EQ(d.range.col, 18) << d.message;
}

TEST(LimitsTest, SelectorMatrixLimitCountsEveryMatrixAndSparesSelectorFreePrograms) {
  auto module = front::load_source(
      "double = tokens + tokens;\n"
      "a = select(indices, indices, ==);\n"
      "b = select(indices, indices, <);\n"
      "w = selector_width(a) + selector_width(b);\n",
      "limit.rasp");
  ASSERT_TRUE(module.has_value()) << module.error().front().message;
  interp::Options options;
  options.max_matrix_cells = 15000;  // one 101 x 101 matrix fits, two do not
  auto input = *interp::parse_input(std::string(101, 'a'));
  auto elementwise = interp::evaluate(module->program, *front::evaluate_expression(*module, "double"), input, options);
  EXPECT_TRUE(elementwise.has_value()) << elementwise.error().front().message;
  auto one = interp::evaluate(module->program, *front::evaluate_expression(*module, "a"), input, options);
  EXPECT_TRUE(one.has_value()) << one.error().front().message;
  auto both = interp::evaluate(module->program, *front::evaluate_expression(*module, "w"), input, options);
  ASSERT_FALSE(both.has_value());
  const Diagnostic& d = both.error().front();
  EXPECT_EQ(d.code, "E0212");
  EXPECT_EQ(d.range.line, 3) << d.message;
}

// Issue 7: n = 20,000 for the interpreter just works (one 20,000 x 20,000 selector: 400 MB).
TEST(LimitsTest, InterpreterRunsTwentyThousandTokens) {
  auto module =
      front::load_source("rev = aggregate(select(indices, length - indices - 1, ==), tokens);",
                         "limit.rasp");
  ASSERT_TRUE(module.has_value());
  std::vector<ir::Value> input;
  for (int i = 0; i < 20000; ++i) input.push_back(ir::Value::string(i % 2 ? "a" : "b"));
  auto out = interp::evaluate(module->program, *module->last_assigned, input, {});
  ASSERT_TRUE(out.has_value()) << out.error().front().message;
  ASSERT_EQ(out->values.size(), 20000U);
  EXPECT_EQ(out->values.front(), ir::Value::string("a"));
  EXPECT_EQ(out->values.back(), ir::Value::string("b"));
}

}  // namespace
}  // namespace rasp

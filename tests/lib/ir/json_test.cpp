// tests/lib/ir/json_test.cpp - Whole programs survive the JSON IR round trip.
#include "lib/ir/json.h"

#include <gtest/gtest.h>

#include <fstream>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "lib/interp/io.h"

namespace rasp::ir {
namespace {

TEST(JsonTest, RoundTripKeepsEveryNodeAndTheResults) {
  auto module = front::load_source(
      "rev = aggregate(select(indices, length - indices - 1, ==), tokens);\n"
      "h = selector_width(select(tokens, tokens, ==));\n"
      "m = {\"a\": 1, \"b\": 2.5, \"c\": 0}[tokens] if tokens in [\"a\", \"b\"] else 7;\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value()) << front::render(module.error());
  module->program.outputs["rev"] = *front::evaluate_expression(*module, "rev");
  module->program.outputs["m"] = *front::evaluate_expression(*module, "m");
  nlohmann::json doc = program_to_json(module->program);
  EXPECT_EQ(doc["schema"], 1);
  auto back = program_from_json(doc);
  ASSERT_TRUE(back.has_value()) << back.error().front().message;
  EXPECT_EQ(back->size(), module->program.size());
  EXPECT_EQ(program_to_json(*back), doc);
  auto input = *interp::parse_input("abcab");
  for (const char* name : {"rev", "m"}) {
    auto a = interp::evaluate(module->program, module->program.outputs[name], input, {});
    auto b = interp::evaluate(*back, back->outputs[name], input, {});
    ASSERT_TRUE(a && b);
    EXPECT_EQ(interp::output_to_json(*a), interp::output_to_json(*b)) << name;
  }
}

// A JSON IR program with several outputs needs --expr, and the message names them.
TEST(JsonTest, SeveralOutputsAskForAnExpression) {
  auto module = front::load_source("a = indices;\nb = tokens;\n", "t.rasp");
  ASSERT_TRUE(module.has_value());
  module->program.outputs["a"] = *front::evaluate_expression(*module, "a");
  module->program.outputs["b"] = *front::evaluate_expression(*module, "b");
  std::string path = ::testing::TempDir() + "/two_outputs.json";
  std::ofstream(path) << program_to_json(module->program).dump();
  auto loaded = front::load_file(path);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().message;
  auto root = front::select_expression(*loaded, std::nullopt);
  ASSERT_FALSE(root.has_value());
  EXPECT_EQ(root.error().front().message, "no expression to use: the program has 2 outputs (a, b); pass --expr");
}

TEST(JsonTest, RejectsMalformedProgramsWithAPath) {
  nlohmann::json bad = {{"schema", 1},
                        {"nodes", {{{"id", 0}, {"kind", "indices"}},
                                   {{"id", 1}, {"kind", "aggregate"}, {"inputs", {0, 0}}}}}};
  auto r = program_from_json(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().code, "E0301");
  EXPECT_NE(r.error().front().message.find("nodes[1].inputs"), std::string::npos) << r.error().front().message;
  nlohmann::json forward = {{"schema", 1}, {"nodes", {{{"id", 0}, {"kind", "map"}, {"inputs", {3}}}}}};
  EXPECT_FALSE(program_from_json(forward).has_value());
  EXPECT_FALSE(program_from_json(nlohmann::json{{"schema", 2}, {"nodes", nlohmann::json::array()}}).has_value());
}

// JSON integers past INT64_MAX (held unsigned by the parser) are refused, not wrapped to
// negative numbers: in inputs, in tagged values of the IR, and in expected outputs.
TEST(JsonTest, IntegersPastSixtyFourBitsAreRefusedNotWrapped) {
  auto fine = interp::parse_input("[1, 9223372036854775807]");
  ASSERT_TRUE(fine.has_value());
  EXPECT_EQ((*fine)[1].num(), INT64_MAX);
  for (const char* text : {"[1, 9223372036854775808]", "[12345678901234567890]", "[18446744073709551615]"}) {
    auto bad = interp::parse_input(text);
    ASSERT_FALSE(bad.has_value()) << text;
    EXPECT_EQ(bad.error().front().code, std::string(code::kOverflow)) << text;
  }
  EXPECT_FALSE(value_from_tagged_json(nlohmann::json::parse(R"({"int": 9223372036854775808})")).has_value());
  EXPECT_FALSE(value_from_tagged_json(nlohmann::json::parse(R"({"float": [1, 18446744073709551615]})")).has_value());
  EXPECT_TRUE(value_from_tagged_json(nlohmann::json::parse(R"({"int": -9223372036854775808})")).has_value());
}

}  // namespace
}  // namespace rasp::ir

// tests/lib/front/parser_test.cpp - The reference's precedence and associativity quirks.
#include <gtest/gtest.h>

#include "lib/front/front.h"

namespace rasp::front {
namespace {

ir::Value atom(const std::string& text) {
  auto module = load_source("", "t.rasp");
  EXPECT_TRUE(module.has_value());
  auto v = evaluate_atom(*module, text);
  EXPECT_TRUE(v.has_value()) << text << ": " << (v ? "" : render(v.error()));
  return v ? *v : ir::Value();
}

void expect_atom(const std::string& text, const ir::Value& want) {
  ir::Value got = atom(text);
  EXPECT_TRUE(got.identical(want)) << text << " gave " << got.repr() << ", want " << want.repr();
}

ir::Value I(std::int64_t i) { return ir::Value::integer(i); }
ir::Value B(bool b) { return ir::Value::boolean(b); }

TEST(ParserTest, NotBindsTighterThanComparison) { expect_atom("not 1==2", B(false)); }
TEST(ParserTest, UnaryMinusBindsTighterThanPower) { expect_atom("-2^2", I(4)); }
TEST(ParserTest, PowerIsLeftAssociative) { expect_atom("2^3^2", I(64)); }
TEST(ParserTest, ModuloBindsLooserThanTimes) { expect_atom("7%3*2", I(1)); }
TEST(ParserTest, ModuloBindsTighterThanPlus) { expect_atom("1+7%4", I(4)); }
TEST(ParserTest, ComparisonsChainLeftToRight) { expect_atom("3>2>1", B(false)); }
TEST(ParserTest, AndOrShareOneLeftAssociativeLevel) {
  expect_atom("True or False and False", B(false));
  expect_atom("False and False or True", B(true));
}
TEST(ParserTest, ConditionalIsLeftAssociative) {
  // (1 if False else 2) if False else 3
  expect_atom("1 if False else 2 if False else 3", I(3));
  expect_atom("1 if True else 2 if True else 3", I(1));
}
TEST(ParserTest, InBindsLoosest) {
  // (1 + 1) in [2], and (2 == 2) in [True]
  expect_atom("1 + 1 in [2]", B(true));
  expect_atom("2 == 2 in [True]", B(true));
}
TEST(ParserTest, RoundTiesToEvenAndDivisionIsFloat) {
  expect_atom("round(2.5)", I(2));
  expect_atom("round(3.5)", I(4));
  EXPECT_TRUE(atom("4/2").is_float());
}
TEST(ParserTest, ModuloFollowsTheDivisorSign) { expect_atom("-7 % 3", I(2)); }
TEST(ParserTest, ListsDictsAndComprehensions) {
  expect_atom("len([x * 2 for x in range(5)])", I(5));
  expect_atom("[x * 2 for x in range(5)][4]", I(8));
  expect_atom("{k: v for k, v in zip([\"a\", \"b\"], [1, 2])}[\"b\"]", I(2));
  expect_atom("\"abc\"[-1]", ir::Value::string("c"));
  expect_atom("len(range(2, 10, 3))", I(3));
}

TEST(ParserTest, SelectIsOneTokenWithItsParenthesis) {
  // `select` alone is an undefined name, so `==` cannot be a call argument: a syntax error,
  // as in the reference.
  auto module = load_source("s = select (indices, indices, ==);", "t.rasp");
  ASSERT_FALSE(module.has_value());
  EXPECT_EQ(module.error().front().code, "E0001");
  auto name = load_source("s = select (indices, indices);", "t.rasp");
  ASSERT_FALSE(name.has_value());
  EXPECT_EQ(name.error().front().code, "E0101");
  EXPECT_NE(name.error().front().message.find("'select(' is one token"), std::string::npos)
      << name.error().front().message;
}

TEST(ParserTest, NotEqualExistsOnlyInsideSelect) {
  EXPECT_TRUE(load_source("s = select(indices, indices, !=);", "t.rasp").has_value());
  auto bad = load_source("x = indices != 1;", "t.rasp");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().front().code, "E0210");
  EXPECT_EQ(bad.error().front().range.col, 13);
}

TEST(ParserTest, ReplStatementsAreAcceptedAndIgnored) {
  auto module = load_source(
      "set example [1, 2, 3]\nexamples off\nfull seq display on\nx = tokens_int + 1;\nshow example\n", "t.rasp");
  ASSERT_TRUE(module.has_value()) << render(module.error());
  EXPECT_EQ(module->last_assigned_name, "x");
}

TEST(ParserTest, DeepNestingIsADiagnosticNotACrash) {
  std::string deep(100000, '(');
  deep += "1";
  deep += std::string(100000, ')');
  auto module = load_source("x = " + deep + ";", "t.rasp");
  ASSERT_FALSE(module.has_value());
  EXPECT_EQ(module.error().front().code, "E0004");
}

}  // namespace
}  // namespace rasp::front

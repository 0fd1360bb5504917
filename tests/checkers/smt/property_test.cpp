// tests/checkers/smt/property_test.cpp - Assertions proven on every short input, or refuted.
#include "checkers/smt/property.h"

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
  o.exhaustive_fallback = 0;
  o.enumerate_up_to = 0;
  o.race_up_to = 0;
  return o;
}

TEST(PropertyTest, HistogramIsAtLeastOneAndAtMostLength) {
  Builder b;
  NodeId t = b.tokens();
  NodeId hist = b.width(b.select(t, t, BinaryOp::Eq));
  NodeId ok = b.map(ir::make_logical(ExprOp::And, bin(BinaryOp::Ge, x0(), lit(1)),
                                     bin(BinaryOp::Le, x0(), x1())),
                    {hist, b.length()});
  auto v = check_property(b.program, hist, ok, options("abc", 5));
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<Proven>(*v));
  EXPECT_EQ(std::get<Proven>(*v).proven_up_to, 5);
}

TEST(PropertyTest, HistogramBelowThreeIsRefutedByTheLeastInput) {
  Builder b;
  NodeId t = b.tokens();
  NodeId hist = b.width(b.select(t, t, BinaryOp::Eq));
  NodeId ok = b.map(bin(BinaryOp::Lt, x0(), lit(3)), {hist});
  auto v = check_property(b.program, hist, ok, options("abc", 5));
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<Counterexample>(*v));
  const auto& c = std::get<Counterexample>(*v);
  EXPECT_EQ(interp::describe_input(c.input), "\"aaa\"");
  ASSERT_TRUE(c.output_a.has_value());
  EXPECT_EQ(c.output_a->values[0], Value::integer(3));
}

TEST(PropertyTest, AFaultIsACounterexample) {
  Builder b;
  NodeId t = b.tokens();
  NodeId avg = b.aggregate(b.select(t, t, BinaryOp::Eq), t);  // averaging strings
  NodeId ok = b.map(ir::make_const(Value::boolean(true)), {avg});
  auto v = check_property(b.program, avg, ok, options("ab", 3));
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<Counterexample>(*v));
  EXPECT_EQ(interp::describe_input(std::get<Counterexample>(*v).input), "\"aa\"");
  EXPECT_FALSE(std::get<Counterexample>(*v).output_a.has_value());
}

}  // namespace
}  // namespace rasp::check

// tests/lib/ir/expr_test.cpp - Symbolic expressions: evaluation, equality, substitution.
#include "lib/ir/expr.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace rasp::ir {
namespace {

TEST(ExprTest, EvaluatesOverOperands) {
  Expr e = make_binary(BinaryOp::Sub, make_binary(BinaryOp::Mul, make_var(0), make_const(Value::integer(2))),
                       make_var(1));
  Value vars[] = {Value::integer(5), Value::integer(3)};
  EXPECT_TRUE(evaluate(*e, vars)->identical(Value::integer(7)));
  EXPECT_EQ(arity(e), 2);
  EXPECT_EQ(to_string(e, {"a", "b"}), "((a * 2) - b)");
}

TEST(ExprTest, LogicalOperatorsGiveBooleans) {
  Expr e = make_logical(ExprOp::And, make_var(0), make_var(1));
  Value vars[] = {Value::integer(2), Value::string("x")};
  EXPECT_TRUE(evaluate(*e, vars)->identical(Value::boolean(true)));
  Value none[] = {Value::integer(0), Value::string("x")};
  EXPECT_TRUE(evaluate(*e, none)->identical(Value::boolean(false)));
}

TEST(ExprTest, LookupsIndexListsFromBothEndsAndReportMisses) {
  Expr list = make_lookup(make_var(0), TableKind::List, {}, {Value::string("a"), Value::string("b")});
  Value last[] = {Value::integer(-1)};
  EXPECT_EQ(evaluate(*list, last)->str(), "b");
  Value out[] = {Value::integer(2)};
  auto miss = evaluate(*list, out);
  ASSERT_FALSE(miss.has_value());
  EXPECT_STREQ(miss.error().code, "E0206");
  // The most negative index is out of range too (negating it would overflow).
  Value lowest[] = {Value::integer(INT64_MIN)};
  auto below = evaluate(*list, lowest);
  ASSERT_FALSE(below.has_value());
  EXPECT_STREQ(below.error().code, "E0206");
  Expr dict = make_lookup(make_var(0), TableKind::Dict, {Value::string("x")}, {Value::integer(9)});
  Value key[] = {Value::string("y")};
  EXPECT_FALSE(evaluate(*dict, key).has_value());
}

TEST(ExprTest, StructuralEqualityDistinguishesConstantsByType) {
  Expr a = make_binary(BinaryOp::Add, make_var(0), make_const(Value::integer(1)));
  Expr b = make_binary(BinaryOp::Add, make_var(0), make_const(Value::integer(1)));
  Expr c = make_binary(BinaryOp::Add, make_var(0), make_const(*Value::rational(1, 1)));
  EXPECT_TRUE(equal(a, b));
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_FALSE(equal(a, c));
}

TEST(ExprTest, SubstituteComposesFunctions) {
  Expr inner = make_binary(BinaryOp::Add, make_var(0), make_const(Value::integer(1)));
  Expr outer = make_binary(BinaryOp::Mul, make_var(0), make_var(0));
  Expr composed = substitute(outer, {inner});
  Value vars[] = {Value::integer(2)};
  EXPECT_TRUE(evaluate(*composed, vars)->identical(Value::integer(9)));
}

TEST(ExprTest, MembershipUsesPythonEquality) {
  Expr in = make_in(make_var(0), {Value::integer(1), Value::string("a")});
  Value t[] = {Value::boolean(true)};
  EXPECT_TRUE(evaluate(*in, t)->as_bool()) << "True == 1 in Python";
  Value f[] = {Value::string("b")};
  EXPECT_FALSE(evaluate(*in, f)->as_bool());
}

}  // namespace
}  // namespace rasp::ir

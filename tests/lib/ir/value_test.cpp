// tests/lib/ir/value_test.cpp - Python's arithmetic on exact atoms.
#include "lib/ir/value.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace rasp::ir {
namespace {

Value I(std::int64_t i) { return Value::integer(i); }
Value F(std::int64_t n, std::int64_t d) { return *Value::rational(n, d); }
Value S(const char* s) { return Value::string(s); }

Value op(BinaryOp o, const Value& a, const Value& b) {
  auto r = apply(o, a, b);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : Value();
}

TEST(ValueTest, IntegerArithmeticStaysInteger) {
  EXPECT_TRUE(op(BinaryOp::Add, I(2), I(3)).identical(I(5)));
  EXPECT_TRUE(op(BinaryOp::Mul, I(-4), I(3)).identical(I(-12)));
  EXPECT_TRUE(op(BinaryOp::Pow, I(2), I(10)).identical(I(1024)));
}

TEST(ValueTest, DivisionAlwaysGivesFloat) {
  Value v = op(BinaryOp::Div, I(4), I(2));
  EXPECT_TRUE(v.is_float());
  EXPECT_EQ(v, I(2));
  EXPECT_FALSE(v.identical(I(2)));
  EXPECT_EQ(op(BinaryOp::Div, I(1), I(3)), F(1, 3));
}

TEST(ValueTest, ModuloTakesTheSignOfTheDivisor) {
  EXPECT_TRUE(op(BinaryOp::Mod, I(-7), I(3)).identical(I(2)));
  EXPECT_TRUE(op(BinaryOp::Mod, I(7), I(-3)).identical(I(-2)));
  EXPECT_EQ(op(BinaryOp::Mod, F(7, 2), I(2)), F(3, 2));
}

TEST(ValueTest, RoundSendsTiesToEven) {
  EXPECT_TRUE(round_half_even(F(5, 2))->identical(I(2)));
  EXPECT_TRUE(round_half_even(F(7, 2))->identical(I(4)));
  EXPECT_TRUE(round_half_even(F(-5, 2))->identical(I(-2)));
  EXPECT_TRUE(round_half_even(F(13, 10))->identical(I(1)));
  EXPECT_TRUE(round_half_even(I(7))->identical(I(7)));
}

TEST(ValueTest, NegativeAndFractionalPowers) {
  EXPECT_EQ(op(BinaryOp::Pow, I(2), I(-2)), F(1, 4));
  EXPECT_TRUE(op(BinaryOp::Pow, I(2), I(-2)).is_float());
  EXPECT_EQ(op(BinaryOp::Pow, I(4), F(1, 2)), I(2));
  EXPECT_FALSE(apply(BinaryOp::Pow, I(2), F(1, 2)).has_value()) << "sqrt(2) is not exact";
  EXPECT_FALSE(apply(BinaryOp::Pow, I(0), I(-1)).has_value());
}

TEST(ValueTest, PowersPastInt64AreOverflowErrors) {
  // (2^62)^3: the squared base (2^124) times the partial result would overflow even int128.
  auto big = apply(BinaryOp::Pow, I(std::int64_t{1} << 62), I(3));
  ASSERT_FALSE(big.has_value());
  EXPECT_STREQ(big.error().code, "E0208");
  EXPECT_EQ(op(BinaryOp::Pow, I(-2), I(63)), I(INT64_MIN));
}

TEST(ValueTest, EqualityFollowsPython) {
  EXPECT_EQ(Value::boolean(true), I(1));
  EXPECT_EQ(I(2), F(2, 1));
  EXPECT_NE(S("1"), I(1));
  EXPECT_EQ(S("ab"), op(BinaryOp::Add, S("a"), S("b")));
}

TEST(ValueTest, OrderingStringsWithNumbersIsATypeError) {
  EXPECT_FALSE(compare(BinaryOp::Lt, S("a"), I(1)).has_value());
  EXPECT_TRUE(*compare(BinaryOp::Lt, S("a"), S("b")));
  EXPECT_TRUE(*compare(BinaryOp::Gt, F(1, 2), F(1, 3)));
  EXPECT_FALSE(*compare(BinaryOp::Eq, S("a"), I(1)));
}

TEST(ValueTest, DivisionByZeroAndOverflowAreErrors) {
  auto d = apply(BinaryOp::Div, I(1), I(0));
  ASSERT_FALSE(d.has_value());
  EXPECT_STREQ(d.error().code, "E0205");
  auto o = apply(BinaryOp::Mul, I(INT64_MAX), I(2));
  ASSERT_FALSE(o.has_value());
  EXPECT_STREQ(o.error().code, "E0208");
}

TEST(ValueTest, TokenConversions) {
  EXPECT_TRUE(to_int(S("42"))->identical(I(42)));
  EXPECT_TRUE(to_int(S("-3"))->identical(I(-3)));
  EXPECT_FALSE(to_int(S("h")).has_value());
  EXPECT_EQ(*to_float(S("2.5")), F(5, 2));
  EXPECT_TRUE(to_bool(S("")).identical(Value::boolean(false)));
  EXPECT_EQ(to_str(F(1, 2)).str(), "0.5");
  EXPECT_EQ(to_str(F(2, 1)).str(), "2.0");
  EXPECT_EQ(to_str(Value::boolean(true)).str(), "True");
}

TEST(ValueTest, StringsConcatenateAndRepeat) {
  EXPECT_EQ(op(BinaryOp::Mul, S("ab"), I(3)).str(), "ababab");
  EXPECT_FALSE(apply(BinaryOp::Sub, S("a"), S("b")).has_value());
}

}  // namespace
}  // namespace rasp::ir

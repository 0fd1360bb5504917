// tests/lib/ir/value_test.cpp - Python's arithmetic on exact atoms.
#include "lib/ir/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

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

// Decimal text, with an exponent as Python's float() and JSON write it, read exactly.
TEST(ValueTest, DecimalsAndExponentsAreExact) {
  auto d = [](const char* text) {
    auto v = Value::decimal(text);
    EXPECT_TRUE(v.has_value()) << text;
    return v ? *v : Value();
  };
  EXPECT_TRUE(d("2.5").identical(F(5, 2)));
  EXPECT_TRUE(d("-0.125").identical(F(-1, 8)));
  EXPECT_TRUE(d("2.5e-10").identical(F(1, 4000000000)));
  EXPECT_TRUE(d("1E3").identical(F(1000, 1)));
  EXPECT_TRUE(d("+1.5e+2").identical(F(150, 1)));
  EXPECT_TRUE(d("1.2500000000000000000000").identical(F(5, 4)));
  EXPECT_TRUE(d("0.30000000000000004").identical(F(30000000000000004, 100000000000000000)));
  for (const char* bad : {"", "-", ".", "e5", "1e", "1e+", "1.2.3", "1x", "1e5.5"}) {
    EXPECT_FALSE(Value::decimal(bad).has_value()) << bad;
  }
  EXPECT_EQ(std::string(Value::decimal("1e30").error().code), "E0208");
}

// A JSON number is the double it denotes, taken exactly through its shortest text, never
// rounded to a nearby fraction (1e-10 was 0, 0.30000000000000004 was 0.3).
TEST(ValueTest, DoublesAreTakenExactlyOrRefused) {
  EXPECT_TRUE(Value::from_double(1e-10)->identical(F(1, 10000000000)));
  EXPECT_TRUE(Value::from_double(0.1)->identical(F(1, 10)));
  EXPECT_FALSE(*Value::from_double(0.30000000000000004) == F(3, 10));
  EXPECT_EQ(std::string(Value::from_double(1e-30).error().code), "E0208");
  EXPECT_EQ(std::string(Value::from_double(1e20).error().code), "E0208");
  EXPECT_FALSE(Value::from_double(std::numeric_limits<double>::infinity()).has_value());
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

// As Python's int() and float(): whitespace around the number (tabs, newlines too) and
// underscores between digits are read; an underscore anywhere else is not.
TEST(ValueTest, TokenConversionsReadNumbersAsPythonDoes) {
  EXPECT_TRUE(to_int(S(" 1_000\n"))->identical(I(1000)));
  EXPECT_TRUE(to_int(S("\t+7 "))->identical(I(7)));
  EXPECT_EQ(*to_float(S("1.5 ")), F(3, 2));
  EXPECT_EQ(*to_float(S("\t3\n")), F(3, 1));
  EXPECT_EQ(*to_float(S("1_0.5")), F(21, 2));
  for (const char* bad : {"1__0", "_1", "1_", "1_.5", " ", ""}) {
    EXPECT_FALSE(to_int(S(bad)).has_value()) << bad;
    EXPECT_FALSE(to_float(S(bad)).has_value()) << bad;
  }
  // More digits than a 64-bit fraction holds: the double Python rounds the text to, as
  // its shortest decimal; a number no fraction of 64-bit integers comes near is E0208, not
  // "not a number".
  auto pi = to_float(S("3.14159265358979323846264338327950288"));
  ASSERT_TRUE(pi.has_value());
  EXPECT_EQ(pi->to_string(), "3.141592653589793");
  EXPECT_EQ(*Value::python_float("0.1000000000000000000001"), F(1, 10));
  auto tiny = to_float(S("1e-30"));
  ASSERT_FALSE(tiny.has_value());
  EXPECT_STREQ(tiny.error().code, "E0208");
}

TEST(ValueTest, StringsConcatenateAndRepeat) {
  EXPECT_EQ(op(BinaryOp::Mul, S("ab"), I(3)).str(), "ababab");
  EXPECT_EQ(op(BinaryOp::Mul, I(2), S("ab")).str(), "abab");
  EXPECT_EQ(op(BinaryOp::Mul, S("ab"), I(-2)).str(), "") << "Python: a negative count gives the empty string";
  EXPECT_EQ(op(BinaryOp::Mul, S("ab"), Value::boolean(true)).str(), "ab");
  // An empty string repeated 2^63 - 1 times is empty, at once (it once looped that often).
  EXPECT_EQ(op(BinaryOp::Mul, S(""), I(INT64_MAX)).str(), "");
  EXPECT_EQ(op(BinaryOp::Mul, S("a"), I(1 << 20)).str().size(), std::size_t{1} << 20) << "1 MiB exactly is allowed";
  auto big = apply(BinaryOp::Mul, S("ab"), I(INT64_MAX));
  ASSERT_FALSE(big.has_value());
  EXPECT_STREQ(big.error().code, "E0212");
  EXPECT_EQ(big.error().message, "string repetition over 1 MiB");
  EXPECT_FALSE(apply(BinaryOp::Sub, S("a"), S("b")).has_value());
}

}  // namespace
}  // namespace rasp::ir

// tests/limits/solver_limits_test.cpp - Z3's limits end in an Inconclusive verdict that says which,
// or, on lengths short enough to race it, in running every input instead.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "checkers/smt/equivalence.h"
#include "lib/front/front.h"

namespace rasp {
namespace {

// Two ways to reverse (equivalent): proving them takes Z3 real work at every length.
struct Pair {
  front::Module a;
  front::Module b;
};

Pair reverse_pair() {
  auto a = front::load_source("rev = aggregate(select(indices, length - indices - 1, ==), tokens);",
                              "a.rasp");
  auto b = front::load_source(
      "after = selector_width(select(indices, indices, >));\n"
      "rev = aggregate(select(indices, after, ==), tokens);\n",
      "b.rasp");
  EXPECT_TRUE(a.has_value() && b.has_value());
  return Pair{std::move(*a), std::move(*b)};
}

check::BoundedOptions z3_only(int max_len) {
  check::BoundedOptions o;
  o.vocabulary = {ir::Value::string("a"), ir::Value::string("b"), ir::Value::string("c")};
  o.max_len = max_len;
  o.enumerate_up_to = 0;  // every length goes to Z3
  o.race_up_to = 0;
  return o;
}

Result<check::Verdict> prove(Pair& p, const check::BoundedOptions& o) {
  return check::check_equivalence({&p.a.program, *p.a.last_assigned},
                                  {&p.b.program, *p.b.last_assigned}, o);
}

TEST(SolverLimitsTest, WithoutLimitsThePairIsProven) {
  Pair p = reverse_pair();
  auto v = prove(p, z3_only(5));
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<check::Proven>(*v));
  EXPECT_EQ(std::get<check::Proven>(*v).proven_up_to, 5);
}

TEST(SolverLimitsTest, ResourceLimitIsInconclusiveAndSaysSo) {
  Pair p = reverse_pair();
  auto o = z3_only(8);
  o.rlimit = 1;
  auto v = prove(p, o);
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<check::Inconclusive>(*v));
  const auto& why = std::get<check::Inconclusive>(*v);
  EXPECT_NE(why.reason.find("rlimit 1"), std::string::npos) << why.reason;
  EXPECT_EQ(why.proven_up_to, 0) << why.reason;
  // The same limit gives the same verdict every run (what a timeout cannot promise).
  auto again = prove(p, o);
  ASSERT_TRUE(again.has_value() && std::holds_alternative<check::Inconclusive>(*again));
  EXPECT_EQ(std::get<check::Inconclusive>(*again).reason, why.reason);
}

TEST(SolverLimitsTest, QueryTimeoutStopsTheWholeSearch) {
  Pair p = reverse_pair();
  auto o = z3_only(30);  // far more than 0.2 s of work
  o.timeout_seconds = 0.2;
  auto start = std::chrono::steady_clock::now();
  auto v = prove(p, o);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<check::Inconclusive>(*v));
  const auto& why = std::get<check::Inconclusive>(*v);
  EXPECT_NE(why.reason.find("timeout after 0.2 s at length"), std::string::npos) << why.reason;
  EXPECT_LT(why.proven_up_to, 30);
  // Encoding one length is not interrupted, so allow it some seconds past the budget.
  EXPECT_LT(seconds, 30.0);
}

// Two ways to take the minimum of integer tokens: equivalent, and hard for Z3 from length 7
// on (about a minute for lengths 7 to 9 on our machine), while running every one of the
// 3^7 .. 3^8 inputs takes milliseconds.
Pair min_pair(const std::string& extra_b) {
  std::string common =
      "smaller = select(tokens_int, tokens_int, <);\n"
      "is_min = selector_width(smaller) == 0;\n";
  auto a = front::load_source(common + "mn = aggregate(select(is_min, True, ==), tokens_int);\n", "a.rasp");
  auto b = front::load_source(
      common + "mn = aggregate(full_s, indicator(is_min) * tokens_int) / aggregate(full_s, indicator(is_min))" +
          extra_b + ";\n",
      "b.rasp");
  EXPECT_TRUE(a.has_value() && b.has_value());
  return Pair{std::move(*a), std::move(*b)};
}

check::BoundedOptions ints(int max_len) {
  check::BoundedOptions o;
  o.vocabulary = {ir::Value::integer(1), ir::Value::integer(2), ir::Value::integer(3)};
  o.max_len = max_len;
  return o;
}

TEST(SolverRaceTest, ZThreeOverItsShareRunsEveryInputInstead) {
  Pair p = min_pair("");
  auto o = ints(8);
  auto v = prove(p, o);
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<check::Proven>(*v));
  const auto& proven = std::get<check::Proven>(*v);
  EXPECT_EQ(proven.proven_up_to, 8);
  ASSERT_EQ(proven.methods.size(), 8U);
  EXPECT_EQ(proven.methods[5], "exhaustive");  // 729 inputs: never raced
  EXPECT_EQ(proven.methods[7].rfind("exhaustive (Z3 gave up within 262440 resource units", 0), 0U)
      << proven.methods[7];
  // Resource units, not time: the same lengths are settled the same way every run.
  auto again = prove(p, o);
  ASSERT_TRUE(again.has_value() && std::holds_alternative<check::Proven>(*again));
  EXPECT_EQ(std::get<check::Proven>(*again).methods, proven.methods);
  // A caller's own resource limit, lower than the share, ends in enumeration too.
  o.rlimit = 1;
  auto limited = prove(p, o);
  ASSERT_TRUE(limited.has_value() && std::holds_alternative<check::Proven>(*limited));
}

TEST(SolverRaceTest, TheLeastCounterexampleOfARacedLength) {
  // Differs only where position 7 holds a 2: first at "11111112".
  Pair p = min_pair(" + indicator(indices == 7 and tokens_int == 2)");
  auto v = prove(p, ints(8));
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<check::Counterexample>(*v));
  EXPECT_EQ(interp::describe_input(std::get<check::Counterexample>(*v).input), "[1, 1, 1, 1, 1, 1, 1, 2]");
}

TEST(SolverRaceTest, WithoutTheRaceTheSameLimitIsInconclusive) {
  Pair p = min_pair("");
  auto o = ints(8);
  o.race_up_to = 0;
  o.rlimit = 1000;
  auto v = prove(p, o);
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<check::Inconclusive>(*v));
  EXPECT_EQ(std::get<check::Inconclusive>(*v).proven_up_to, 6);
  // Z3 calls a spent resource limit "canceled", as it may a timeout: none was set here.
  EXPECT_NE(std::get<check::Inconclusive>(*v).reason.find("resource limit (rlimit 1000) at length 7"), std::string::npos)
      << std::get<check::Inconclusive>(*v).reason;
}

// A pair Z3 needs seconds for from length 7 on (the reverse pair above can be proven at every
// length within a millisecond on a quick machine, so its calls need not time out).
TEST(SolverLimitsTest, PerCallTimeoutIsInconclusiveAndSaysSo) {
  Pair p = min_pair("");
  auto o = ints(8);
  o.enumerate_up_to = 0;
  o.race_up_to = 0;
  o.solver_timeout_seconds = 0.001;
  auto v = prove(p, o);
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<check::Inconclusive>(*v));
  const auto& why = std::get<check::Inconclusive>(*v);
  EXPECT_NE(why.reason.find("a solver call timed out after 0.001 s at length"), std::string::npos)
      << why.reason;
}

}  // namespace
}  // namespace rasp

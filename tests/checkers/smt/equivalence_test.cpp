// tests/checkers/smt/equivalence_test.cpp - Equivalent pairs that look different, and near misses.
#include "checkers/smt/equivalence.h"
#include "checkers/smt/verdict_json.h"

#include <fmt/format.h>
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
  o.enumerate_up_to = 0;  // these tests are about the encoding: no silent fallback
  o.race_up_to = 0;
  return o;
}

Verdict check(Builder& a, NodeId ra, Builder& b, NodeId rb, const BoundedOptions& o) {
  auto v = check_equivalence({&a.program, ra}, {&b.program, rb}, o);
  EXPECT_TRUE(v.has_value());
  // Running every input must give the same answer.
  auto brute = enumerate_equivalence({&a.program, ra}, {&b.program, rb}, o);
  EXPECT_TRUE(brute.has_value());
  if (v && brute) {
    EXPECT_EQ(v->index(), brute->index());
    if (auto* c = std::get_if<Counterexample>(&*v); c && std::holds_alternative<Counterexample>(*brute)) {
      EXPECT_EQ(interp::describe_input(c->input),
                interp::describe_input(std::get<Counterexample>(*brute).input));
    }
  }
  return v ? *v : Verdict{Inconclusive{"error", 0}};
}

void expect_proven(const Verdict& v, int n) {
  ASSERT_TRUE(std::holds_alternative<Proven>(v))
      << (std::holds_alternative<Inconclusive>(v) ? std::get<Inconclusive>(v).reason : "counterexample");
  EXPECT_EQ(std::get<Proven>(v).proven_up_to, n);
  for (const auto& m : std::get<Proven>(v).methods) EXPECT_EQ(m, "smt");
}

void expect_counterexample(const Verdict& v, const std::string& input) {
  ASSERT_TRUE(std::holds_alternative<Counterexample>(v))
      << (std::holds_alternative<Inconclusive>(v) ? std::get<Inconclusive>(v).reason : "proven");
  EXPECT_EQ(interp::describe_input(std::get<Counterexample>(v).input), input);
}

// reverse = aggregate(select(indices, length - indices - 1, ==), tokens)
NodeId reverse_by_opposite_index(Builder& b) {
  NodeId i = b.indices();
  NodeId opp = b.map(bin(BinaryOp::Sub, bin(BinaryOp::Sub, x0(), x1()), lit(1)), {b.length(), i});
  return b.aggregate(b.select(i, opp, BinaryOp::Eq), b.tokens());
}

TEST(EquivalenceTest, TwoWaysToReverse) {
  Builder a, b;
  NodeId ra = reverse_by_opposite_index(a);
  // keys k+1, queries length-q: the same pairs, written differently.
  NodeId i = b.indices();
  NodeId k1 = b.map(bin(BinaryOp::Add, x0(), lit(1)), {i});
  NodeId lq = b.map(bin(BinaryOp::Sub, x0(), x1()), {b.length(), i});
  NodeId rb = b.aggregate(b.select(k1, lq, BinaryOp::Eq), b.tokens());
  expect_proven(check(a, ra, b, rb, options("abc", 5)), 5);
}

// The interpreter's integers are 64-bit (E0208 past that): a product that outgrows them
// fails there, so the encoding must fail there too, not compare unbounded integers.
TEST(EquivalenceTest, AnOverflowingProductIsAFailure) {
  Builder a, b;
  // 6 * 1537228672809129302 > 2^63 - 1: position 6 overflows, from length 7 on.
  NodeId ra = a.map(bin(BinaryOp::Gt, bin(BinaryOp::Mul, x0(), lit(1537228672809129302)), lit(-1)), {a.indices()});
  NodeId rb = b.map(bin(BinaryOp::Gt, x0(), lit(-1)), {b.indices()});
  expect_counterexample(check(a, ra, b, rb, options("ab", 7)), "\"aaaaaaa\"");
}

// A mean adds the selected values first: two of 2^62 overflow although their mean fits.
TEST(EquivalenceTest, AnOverflowingAggregateTotalIsAFailure) {
  Builder a, b;
  auto big = [](Builder& p) { return p.map(bin(BinaryOp::Add, bin(BinaryOp::Mul, x0(), lit(std::int64_t{0})), lit(4611686018427387904)), {p.indices()}); };
  NodeId va = big(a);
  NodeId i = a.indices();
  NodeId ra = a.aggregate(a.select(i, i, BinaryOp::Le), va);
  NodeId rb = big(b);
  expect_counterexample(check(a, ra, b, rb, options("ab", 3)), "\"aa\"");
}

// A vocabulary past what a shape lists (600 symbols) still puts every token in the string
// table: it was "missing from the string table", inconclusive.
TEST(EquivalenceTest, AVocabularyOfHundredsOfSymbols) {
  Builder a, b;
  NodeId ra = a.map(bin(BinaryOp::Eq, x0(), lit("s599")), {a.tokens()});
  NodeId rb = b.map(bin(BinaryOp::Eq, x0(), lit("s598")), {b.tokens()});
  BoundedOptions o = options("ab", 1);
  o.vocabulary.clear();
  for (int i = 0; i < 600; ++i) o.vocabulary.push_back(Value::string(fmt::format("s{}", i)));
  auto v = check_equivalence({&a.program, ra}, {&b.program, rb}, o);
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<Counterexample>(*v))
      << (std::holds_alternative<Inconclusive>(*v) ? std::get<Inconclusive>(*v).reason : "proven");
  EXPECT_EQ(interp::describe_input(std::get<Counterexample>(*v).input), "[\"s598\"]");
}

TEST(EquivalenceTest, ReverseOffByOneDiffersFromLengthTwo) {
  Builder a, b;
  NodeId ra = reverse_by_opposite_index(a);
  NodeId i = b.indices();
  NodeId opp = b.map(bin(BinaryOp::Sub, x0(), x1()), {b.length(), i});  // forgot the -1
  NodeId rb = b.aggregate(b.select(i, opp, BinaryOp::Eq), b.tokens());
  // Length 1: a gives "a"; b selects nothing and gives the default 0.
  expect_counterexample(check(a, ra, b, rb, options("ab", 4)), "\"a\"");
}

TEST(EquivalenceTest, NotLessIsGreaterOrEqualAsMatrices) {
  for (bool causal : {false, true}) {
    Builder a, b;
    NodeId ia = a.indices(), ib = b.indices();
    NodeId ra = a.selector_not(a.select(ia, ia, BinaryOp::Lt));
    NodeId rb = b.select(ib, ib, BinaryOp::Ge);
    auto o = options("ab", 4);
    o.semantics.causal = causal;
    expect_proven(check(a, ra, b, rb, o), 4);
  }
}

TEST(EquivalenceTest, NotLessOnTokensDiffersFromGreater) {
  Builder a, b;
  NodeId ta = a.tokens(), tb = b.tokens();
  NodeId ra = a.selector_not(a.select(ta, ta, BinaryOp::Lt));
  NodeId rb = b.select(tb, tb, BinaryOp::Gt);
  // Equal tokens: not(k < q) holds, k > q does not; "a" alone already shows it.
  expect_counterexample(check(a, ra, b, rb, options("ab", 3)), "\"a\"");
}

TEST(EquivalenceTest, DiffersOnlyWithARepeatedToken) {
  Builder a, b;
  NodeId t = a.tokens();
  NodeId ra = a.width(a.select(t, t, BinaryOp::Eq));
  NodeId rb = b.constant(Value::integer(1));
  expect_counterexample(check(a, ra, b, rb, options("abc", 4)), "\"aa\"");
}

TEST(EquivalenceTest, DiffersOnlyAtLengthThree) {
  Builder a, b;
  NodeId ra = a.length();
  NodeId len = b.length();
  NodeId rb = b.map(ir::make_ite(bin(BinaryOp::Eq, x0(), lit(3)), lit(4), x0()), {len});
  expect_counterexample(check(a, ra, b, rb, options("ab", 5)), "\"aaa\"");
}

TEST(EquivalenceTest, DiffersOnlyInATie) {
  // a: round(mean of [token == "a"]) over all keys; ties round to even, so 1/2 gives 0.
  // b: 2 * count("a") >= length, which says 1 at the tie.
  Builder a, b;
  NodeId ta = a.tokens();
  NodeId is_a = a.map(ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Eq, x0(), lit("a"))), {ta});
  NodeId all = a.select(ta, ta, ir::make_const(Value::boolean(true)));
  NodeId ra = a.map(ir::make_unary(ExprOp::Round, x0()), {a.aggregate(all, is_a)});
  NodeId tb = b.tokens();
  NodeId count = b.width(b.select(tb, tb, bin(BinaryOp::Eq, x0(), lit("a"))));
  NodeId rb = b.map(ir::make_unary(ExprOp::Indicator,
                                   bin(BinaryOp::Ge, bin(BinaryOp::Mul, lit(2), x0()), x1())),
                    {count, b.length()});
  expect_counterexample(check(a, ra, b, rb, options("ab", 4)), "\"ab\"");
}

TEST(EquivalenceTest, RoundHalfToEvenMatchesStrictMajority) {
  // With ties to even, round(frac) is 1 exactly when 2 * count > length.
  Builder a, b;
  NodeId ta = a.tokens();
  NodeId is_a = a.map(ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Eq, x0(), lit("a"))), {ta});
  NodeId all = a.select(ta, ta, ir::make_const(Value::boolean(true)));
  NodeId ra = a.map(ir::make_unary(ExprOp::Round, x0()), {a.aggregate(all, is_a)});
  NodeId tb = b.tokens();
  NodeId count = b.width(b.select(tb, tb, bin(BinaryOp::Eq, x0(), lit("a"))));
  NodeId rb = b.map(ir::make_unary(ExprOp::Indicator,
                                   bin(BinaryOp::Gt, bin(BinaryOp::Mul, lit(2), x0()), x1())),
                    {count, b.length()});
  expect_proven(check(a, ra, b, rb, options("ab", 5)), 5);
}

TEST(EquivalenceTest, PythonModuloTakesTheDivisorsSign) {
  // i % -3 == -((-i) % 3) and (i - 2) % 3 == (i + 1) % 3, with Python's floor modulo.
  Builder a, b;
  NodeId ia = a.indices(), ib = b.indices();
  NodeId ra = a.map(bin(BinaryOp::Add, bin(BinaryOp::Mod, x0(), lit(-3)),
                        bin(BinaryOp::Mod, bin(BinaryOp::Sub, x0(), lit(2)), lit(3))),
                    {ia});
  NodeId rb = b.map(bin(BinaryOp::Add, ir::make_unary(ExprOp::Neg,
                                                      bin(BinaryOp::Mod, ir::make_unary(ExprOp::Neg, x0()), lit(3))),
                        bin(BinaryOp::Mod, bin(BinaryOp::Add, x0(), lit(1)), lit(3))),
                    {ib});
  expect_proven(check(a, ra, b, rb, options("a", 7)), 7);
}

TEST(EquivalenceTest, TruncatedModuloIsNotPythons) {
  Builder a, b;
  NodeId ia = a.indices(), ib = b.indices();
  NodeId ra = a.map(bin(BinaryOp::Mod, bin(BinaryOp::Sub, x0(), lit(2)), lit(3)), {ia});
  // C's truncated remainder: (i - 2) - 3 * int((i - 2) / 3); differs when i - 2 < 0.
  NodeId rb = b.map(bin(BinaryOp::Sub, bin(BinaryOp::Sub, x0(), lit(2)),
                        bin(BinaryOp::Mul, lit(3),
                            ir::make_unary(ExprOp::ToInt, bin(BinaryOp::Div, bin(BinaryOp::Sub, x0(), lit(2)), lit(3))))),
                    {ib});
  expect_counterexample(check(a, ra, b, rb, options("a", 4)), "\"a\"");
}

TEST(EquivalenceTest, FractionOfPreviousTwoWays) {
  // Causal mean of [token == "a"] against count / (index + 1).
  Builder a, b;
  NodeId ta = a.tokens(), ia = a.indices();
  NodeId is_a = a.map(ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Eq, x0(), lit("a"))), {ta});
  NodeId ra = a.aggregate(a.select(ia, ia, BinaryOp::Le), is_a);
  NodeId tb = b.tokens(), ib = b.indices();
  NodeId prev = b.select(ib, ib, BinaryOp::Le);
  NodeId key_a = b.select(tb, tb, bin(BinaryOp::Eq, x0(), lit("a")));
  NodeId count = b.width(b.selector(NodeKind::SelectorAnd, prev, key_a));
  NodeId rb = b.map(bin(BinaryOp::Div, x0(), bin(BinaryOp::Add, x1(), lit(1))), {count, ib});
  expect_proven(check(a, ra, b, rb, options("ab", 5)), 5);
}

TEST(EquivalenceTest, SumAggregationIsCount) {
  Builder a, b;
  NodeId ta = a.tokens();
  NodeId is_a = a.map(ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Eq, x0(), lit("a"))), {ta});
  NodeId ra = a.aggregate(a.select(ta, ta, ir::make_const(Value::boolean(true))), is_a);
  NodeId tb = b.tokens();
  NodeId rb = b.width(b.select(tb, tb, bin(BinaryOp::Eq, x0(), lit("a"))));
  auto o = options("ab", 4);
  o.semantics.aggregation = interp::Aggregation::Sum;
  expect_proven(check(a, ra, b, rb, o), 4);
  // Under the mean they differ as soon as a query averages two or more values: "aa" gives
  // 1.0 against 2.
  o.semantics.aggregation = interp::Aggregation::Mean;
  expect_counterexample(check(a, ra, b, rb, o), "\"aa\"");
}

TEST(EquivalenceTest, StringConcatenationAndRepetition) {
  Builder a, b;
  NodeId ra = a.map(bin(BinaryOp::Add, x0(), x0()), {a.tokens()});
  NodeId rb = b.map(bin(BinaryOp::Mul, x0(), lit(2)), {b.tokens()});
  expect_proven(check(a, ra, b, rb, options("abc", 3)), 3);
  Builder c;
  NodeId rc = c.map(bin(BinaryOp::Add, x0(), ir::make_unary(ExprOp::ToStr, lit(1))), {c.tokens()});
  expect_counterexample(check(a, ra, c, rc, options("abc", 3)), "\"a\"");
}

TEST(EquivalenceTest, BosPositionIsSelectableButHidden) {
  // With BOS, selecting every key counts the BOS position too: length + 1.
  Builder a, b;
  NodeId ra = a.length();
  NodeId rb = b.map(bin(BinaryOp::Add, x0(), lit(1)), {b.indices()});
  auto o = options("ab", 3);
  o.semantics.bos = true;
  // Indices count from the BOS position, so index + 1 at the last position is length + 1;
  // the first user position (index 1) gives 2, equal to length + 1 only at length 1.
  expect_counterexample(check(a, ra, b, rb, o), "\"aa\"");
}

TEST(EquivalenceTest, DivisionByZeroIsADifference) {
  Builder a, b;
  NodeId ra = a.map(bin(BinaryOp::Div, lit(1), ir::make_unary(ExprOp::Indicator,
                                                               bin(BinaryOp::Eq, x0(), lit("a")))),
                    {a.tokens()});
  NodeId rb = b.map(lit(1), {b.tokens()});
  auto v = check(a, ra, b, rb, options("ab", 3));
  expect_counterexample(v, "\"b\"");
  const auto& c = std::get<Counterexample>(v);
  EXPECT_FALSE(c.output_a.has_value());
  EXPECT_TRUE(c.output_b.has_value());
}

// At length 1 `1 / indices` has no value at all (its one position divides by zero), so an
// aggregate of it has no value to average: the encoder read an empty optional there (a random
// program found it; Z3 then refused an ill-sorted term, or the test crashed). Position 0
// divides by zero at every length, so every input faults in both programs, whatever the
// aggregate's default: they agree.
TEST(EquivalenceTest, AggregateOfAColumnThatAlwaysFaults) {
  auto program = [](Builder& p, int dflt) {
    NodeId i = p.indices();
    NodeId inverse = p.map(bin(BinaryOp::Div, lit(1), x0()), {i});
    return p.map(bin(BinaryOp::Add, x0(), lit(-1)),
                 {p.aggregate(p.select(i, i, BinaryOp::Eq), inverse, Value::integer(dflt))});
  };
  Builder a, b;
  NodeId ra = program(a, 0), rb = program(b, 1);
  expect_proven(check(a, ra, b, rb, options("ab", 3)), 3);
}

TEST(EquivalenceTest, AveragingStringsFailsInBoth) {
  // Both fail on every input with a repeated selected string: agreement; they differ on
  // nothing else either.
  Builder a, b;
  NodeId ta = a.tokens(), tb = b.tokens();
  NodeId ra = a.aggregate(a.select(ta, ta, BinaryOp::Eq), ta);
  NodeId rb = b.aggregate(b.select(tb, tb, BinaryOp::Eq), b.map(x0(), {tb}));
  expect_proven(check(a, ra, b, rb, options("ab", 4)), 4);
}

TEST(EquivalenceTest, IntTokensAndLookups) {
  Builder a, b;
  NodeId ta = a.tokens(ir::TokenType::Int);
  NodeId ra = a.map(ir::make_lookup(x0(), ir::TableKind::List, {},
                                    {Value::integer(10), Value::integer(20), Value::integer(30), Value::integer(40)}),
                    {ta});
  NodeId tb = b.tokens(ir::TokenType::Int);
  NodeId rb = b.map(bin(BinaryOp::Mul, bin(BinaryOp::Add, x0(), lit(1)), lit(10)), {tb});
  BoundedOptions o = options("", 3);
  o.vocabulary = {Value::string("0"), Value::string("1"), Value::string("3")};
  expect_proven(check(a, ra, b, rb, o), 3);
  o.vocabulary = {Value::string("0"), Value::string("4")};
  // Index 4 is out of range for the table: a fails, b gives 50.
  expect_counterexample(check(a, ra, b, rb, o), "\"4\"");
}

TEST(EquivalenceTest, SelectorAgainstSopIsAnError) {
  Builder a, b;
  NodeId ia = a.indices();
  NodeId ra = a.select(ia, ia, BinaryOp::Eq);
  NodeId rb = b.indices();
  auto v = check_equivalence({&a.program, ra}, {&b.program, rb}, options("ab", 2));
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().front().code, code::kType);
}

TEST(EquivalenceTest, TimeoutIsInconclusive) {
  Builder a, b;
  NodeId ra = reverse_by_opposite_index(a);
  NodeId rb = reverse_by_opposite_index(b);
  auto o = options("abcdefgh", 40);
  o.timeout_seconds = 0.5;
  auto v = check_equivalence({&a.program, ra}, {&b.program, rb}, o);
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(std::holds_alternative<Inconclusive>(*v));
  EXPECT_LT(std::get<Inconclusive>(*v).proven_up_to, 40);
  EXPECT_NE(std::get<Inconclusive>(*v).reason.find("timeout"), std::string::npos);
}

// The terminal text names how every length was proven, runs of lengths on one line.
TEST(VerdictTextTest, ListsEveryLengthByMethod) {
  Proven p{5, {"exhaustive", "exhaustive", "smt", "smt", "exhaustive (unsupported: x)"}};
  std::string text = describe_verdict(Verdict{p}, 5, 0.5, "equivalent", "a", "b");
  EXPECT_EQ(text,
            "equivalent on every input of length 1..5 (0.50 s)\n"
            "  lengths 1..2: exhaustive\n"
            "  lengths 3..4: Z3 (smt)\n"
            "  length 5: exhaustive (unsupported: x)\n");
}

}  // namespace
}  // namespace rasp::check

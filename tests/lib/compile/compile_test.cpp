// tests/lib/compile/compile_test.cpp - Hand-built programs compiled and run against the interpreter.
#include <gtest/gtest.h>

#include <random>

#include "tests/lib/compile/programs.h"

namespace rasp::compile::testing {
namespace {

// Every input up to 5 tokens (and 200 random ones of exactly max_len, seed pinned) must
// decode to the interpreter's output in float64 and float32.
Model expect_faithful(const Builder& b, NodeId root, const std::vector<Value>& vocab,
                      int max_len, int exhaustive = 5, WidthFusion fusion = WidthFusion::Auto) {
  CompileOptions o;
  o.width_fusion = fusion;
  o.vocab = vocab;
  o.max_len = max_len;
  auto model = compile(b.p, root, o);
  EXPECT_TRUE(model) << (model ? "" : model.error().front().message);
  if (!model) return {};
  for (Precision prec : {Precision::Float64, Precision::Float32}) {
    Agreement a = compare_all(b.p, root, *model, vocab, std::min(exhaustive, max_len), prec);
    std::mt19937 rng(12345);
    for (int r = 0; r < 200; ++r) {
      std::vector<Value> input;
      for (int i = 0; i < max_len; ++i) input.push_back(vocab[rng() % vocab.size()]);
      compare_one(b.p, root, *model, input, prec, a);
    }
    EXPECT_GT(a.compared, 0u);
    EXPECT_EQ(a.mismatches, 0u) << (prec == Precision::Float32 ? "float32: " : "float64: ")
                                << a.first_mismatch;
  }
  return std::move(*model);
}

const std::vector<Value> kAbc = chars("abc");

// A chain of maps tens of thousands long (`x = x + 1;` repeated) is folded without
// recursion: 50,000 links overflowed the stack.
TEST(CompileTest, LongChainsOfMapsCompile) {
  Builder b;
  NodeId x = b.indices();
  for (int i = 0; i < 50000; ++i) x = b.map({x}, ir::make_binary(BinaryOp::Add, ir::make_var(0), ir::make_const(Value::integer(1))));
  CompileOptions o;
  o.vocab = kAbc;
  o.max_len = 2;
  auto model = compile(b.p, x, o);
  ASSERT_TRUE(model) << model.error().front().message;
  auto out = run_compiled(*model, chars("ab"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(interp::output_to_json(*out), nlohmann::json({50000, 50001}));
}

TEST(CompileTest, TokensAloneNeedNoLayer) {
  Builder b;
  auto t = b.tokens();
  Model m = expect_faithful(b, t, kAbc, 8);
  EXPECT_EQ(m.layers.size(), 0u);
}

// `--vocab 1,2` reads numbers, a string input gives strings: under tokens_str they are one
// token, and a token that converts to none of the vocabulary's is still refused.
TEST(CompileTest, InputTokensMatchTheVocabularyAfterConversion) {
  Builder b;
  auto t = b.tokens();
  auto one = b.map({t}, ir::make_binary(BinaryOp::Eq, x(0), ir::make_const(Value::string("1"))));
  CompileOptions o;
  o.vocab = {Value::integer(1), Value::integer(2)};
  o.max_len = 3;
  auto model = compile(b.p, one, o);
  ASSERT_TRUE(model) << model.error().front().message;
  auto out = run_compiled(*model, chars("21"));
  ASSERT_TRUE(out.has_value()) << out.error().front().message;
  EXPECT_EQ(interp::output_to_json(*out), nlohmann::json({false, true}));
  auto outside = run_compiled(*model, chars("13"));
  ASSERT_FALSE(outside.has_value());
  EXPECT_EQ(outside.error().front().code, std::string(code::kInput));
}

TEST(CompileTest, MapsOfTokensFoldIntoTheEmbedding) {
  Builder b;
  auto t = b.tokens();
  auto up = b.map({t}, ir::make_binary(BinaryOp::Eq, x(0), ir::make_const(Value::string("a"))));
  Model m = expect_faithful(b, up, kAbc, 8);
  EXPECT_EQ(m.layers.size(), 0u);
}

TEST(CompileTest, MapOfTokensAndIndicesUsesOneMlp) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  auto s = b.map({t, i}, bin(BinaryOp::Add, x(0), x(1)));
  Model m = expect_faithful(b, s, {Value::integer(1), Value::integer(2), Value::integer(3)}, 8);
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_TRUE(m.layers[0].heads.empty());
  EXPECT_EQ(m.layers[0].mlp.w_in.cols(), 3 * 8);  // one hidden unit per (token, index)
}

TEST(CompileTest, LengthIsOneHeadAndOneMlp) {
  Builder b;
  auto len = b.length();
  Model m = expect_faithful(b, len, kAbc, 16);
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].heads.size(), 1u);
}

TEST(CompileTest, LengthStaysExactAtSixtyFour) {
  Builder b;
  auto len = b.length();
  // tracr's selector width goes wrong from width 10 (ANCHORS.md); ours must not at 64.
  expect_faithful(b, len, chars("ab"), 64, 3);
}

TEST(CompileTest, Reverse) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto len = b.length();
  auto opp = b.map({len, i}, bin(BinaryOp::Sub, bin(BinaryOp::Sub, x(0), x(1)), c(1)), "opp_idx");
  auto rev = b.aggregate(b.select(i, opp, BinaryOp::Eq), t, Value::string(""), "reverse");
  // tracr needs 4 layers for reverse (ANCHORS.md): length, opp_idx, then the flip. Read
  // off the width's head in its own layer, opp_idx takes 2 layers and one MLP with the width's
  // 2N+1 = 17 breakpoint units for each of the 8 indices; decoded first (the default, since
  // that MLP is narrower), 3 layers: the decoding's 17 units, then 9 lengths x 8 indices.
  Model fused = expect_faithful(b, rev, kAbc, 8, 5, WidthFusion::Always);
  ASSERT_EQ(fused.layers.size(), 2u);
  EXPECT_EQ(fused.layers[0].mlp.w_in.cols(), 17 * 8);
  Model m = expect_faithful(b, rev, kAbc, 8);
  ASSERT_EQ(m.layers.size(), 3u);
  EXPECT_EQ(m.layers[0].mlp.w_in.cols(), 17);
  EXPECT_EQ(m.layers[1].mlp.w_in.cols(), 9 * 8);
  EXPECT_EQ(m.layers[2].mlp.w_in.cols(), 0);
  Model never = expect_faithful(b, rev, kAbc, 8, 5, WidthFusion::Never);
  EXPECT_EQ(never.layers.size(), 3u);
}

TEST(CompileTest, AMapOfAWidthAloneReadsItsHeadInTheSameLayer) {
  Builder b;
  auto t = b.tokens();
  auto len = b.length();
  auto last = b.map({len}, bin(BinaryOp::Sub, x(0), c(1)), "last");
  auto shifted = b.aggregate(b.select(b.indices(), last, BinaryOp::Eq), t, Value::string(""),
                             "last_token");
  // Fused, the map's MLP is the width's decoding itself: no wider, one layer fewer.
  Model m = expect_faithful(b, shifted, kAbc, 8);
  EXPECT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[0].mlp.w_in.cols(), 17);
  Model never = expect_faithful(b, shifted, kAbc, 8, 5, WidthFusion::Never);
  EXPECT_EQ(never.layers.size(), 3u);
}

TEST(CompileTest, Histogram) {
  Builder b;
  auto t = b.tokens();
  auto hist = b.width(b.select(t, t, BinaryOp::Eq), "hist");
  expect_faithful(b, hist, kAbc, 16);
}

TEST(CompileTest, FracPrevsIsAnExactNumericalMean) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto is_a = b.map({t}, ir::make_unary(ir::ExprOp::Indicator,
                                        bin(BinaryOp::Eq, x(0), ir::make_const(Value::string("a")))),
                    "is_a", ir::Encoding::Numerical);
  auto frac = b.aggregate(b.select(i, i, BinaryOp::Le), is_a, Value::integer(0), "frac_prevs",
                          ir::Encoding::Numerical);
  expect_faithful(b, frac, kAbc, 16);
}

TEST(CompileTest, MeanOfNonBinaryValuesWithADefault) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  // Mean of the earlier tokens; position 0 selects nothing and gets the default 5.
  auto prev_mean = b.aggregate(b.select(i, i, BinaryOp::Lt), t, Value::integer(5), "prev_mean");
  expect_faithful(b, prev_mean, {Value::integer(-2), Value::integer(3), Value::integer(7)}, 8);
}

TEST(CompileTest, NumericalMapAfterAMeanDiscretisesByTheGaps) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto is_a = b.map({t}, ir::make_unary(ir::ExprOp::Indicator,
                                        bin(BinaryOp::Eq, x(0), ir::make_const(Value::string("a")))),
                    "is_a", ir::Encoding::Numerical);
  auto frac = b.aggregate(b.select(i, i, BinaryOp::Le), is_a, Value::integer(0), "frac",
                          ir::Encoding::Numerical);
  auto majority = b.map({frac}, bin(BinaryOp::Gt, x(0), ir::make_const(*Value::rational(1, 2))),
                        "majority");
  // A categorical map of the mean, and a signed numerical one (tracr clips negatives).
  expect_faithful(b, majority, kAbc, 8);
  auto centred = b.map({frac}, bin(BinaryOp::Sub, x(0), ir::make_const(*Value::rational(1, 2))),
                       "centred", ir::Encoding::Numerical);
  expect_faithful(b, centred, kAbc, 8);
}

TEST(CompileTest, GatedMapOfANumericalAndACategoricalSop) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto is_a = b.map({t}, ir::make_unary(ir::ExprOp::Indicator,
                                        bin(BinaryOp::Eq, x(0), ir::make_const(Value::string("a")))),
                    "is_a", ir::Encoding::Numerical);
  auto frac = b.aggregate(b.select(i, i, BinaryOp::Le), is_a, Value::integer(0), "frac",
                          ir::Encoding::Numerical);
  auto mix = b.map({frac, t},
                   ir::make_ite(bin(BinaryOp::Eq, x(1), ir::make_const(Value::string("b"))),
                                bin(BinaryOp::Mul, x(0), c(3)), bin(BinaryOp::Sub, c(0), x(0))),
                   "mix", ir::Encoding::Numerical);
  expect_faithful(b, mix, kAbc, 8);
}

TEST(CompileTest, NumericalMeanUsedAsASelectorKeyGetsAOneHotShadow) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto is_a = b.map({t}, ir::make_unary(ir::ExprOp::Indicator,
                                        bin(BinaryOp::Eq, x(0), ir::make_const(Value::string("a")))),
                    "is_a", ir::Encoding::Numerical);
  auto frac = b.aggregate(b.select(i, i, BinaryOp::Le), is_a, Value::integer(0), "frac",
                          ir::Encoding::Numerical);
  auto same = b.width(b.select(frac, frac, BinaryOp::Eq), "same_frac");
  Model m = expect_faithful(b, same, chars("ab"), 6);
  EXPECT_EQ(m.layers.size(), 2u);
}

TEST(CompileTest, ConjunctionOverDifferentOperandsIsOneHead) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  // How many earlier positions hold the same token.
  auto sel = b.both(b.select(i, i, BinaryOp::Lt), b.select(t, t, BinaryOp::Eq));
  auto count = b.width(sel, "same_before");
  Model m = expect_faithful(b, count, kAbc, 8);
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].heads.size(), 1u);
}

TEST(CompileTest, OrAndNotOverOneKeyAndOneQuerySop) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  auto sel = b.either(b.select(i, i, BinaryOp::Eq), b.negate(b.select(i, i, BinaryOp::Le)));
  auto agg = b.aggregate(sel, t, Value::integer(0), "self_or_later");
  expect_faithful(b, agg, {Value::integer(0), Value::integer(4)}, 8);
}

TEST(CompileTest, CategoricalAggregateThatMaySelectTwoKeysIsRefusedWithAWitness) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  // sort without unique keys: two equal tokens land on the same target position.
  auto smaller = b.select(t, t, BinaryOp::Lt);
  auto target = b.width(smaller, "target_pos");
  auto sorted = b.aggregate(b.select(target, i, BinaryOp::Eq), t, Value::string(""), "sort");
  CompileOptions o;
  o.vocab = kAbc;
  o.max_len = 8;
  auto model = compile(b.p, sorted, o);
  ASSERT_FALSE(model);
  const Diagnostic& d = model.error().front();
  EXPECT_EQ(d.code, code::kUnsupported);
  EXPECT_NE(d.message.find("sort"), std::string::npos);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], "witness input: \"aa\"");
}

TEST(CompileTest, UniqueSortCompilesWithAnObligation) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  // Keys made unique by the index: key = token * 16 + index.
  auto key = b.map({t, i}, bin(BinaryOp::Add, bin(BinaryOp::Mul, x(0), c(16)), x(1)), "key");
  auto target = b.width(b.select(key, key, BinaryOp::Lt), "target_pos");
  auto sorted = b.aggregate(b.select(target, i, BinaryOp::Eq), t, Value::integer(0), "sort",
                            ir::Encoding::Categorical);
  Model m = expect_faithful(b, sorted, {Value::integer(1), Value::integer(2), Value::integer(3)}, 8);
  ASSERT_EQ(m.obligations.size(), 1u);
  EXPECT_EQ(m.obligations[0].node, "sort");
  EXPECT_EQ(m.obligations[0].checked_up_to, 5);
}

TEST(CompileTest, OrOverDifferentKeySopsCompilesThroughTupleCodes) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto sel = b.either(b.select(i, i, BinaryOp::Lt), b.select(t, t, BinaryOp::Eq));
  auto w = b.width(sel, "before_or_same");
  Model m = expect_faithful(b, w, kAbc, 8);
  // The (token, index) tuple needs an MLP before the head reads it.
  EXPECT_EQ(m.layers.size(), 2u);
}

TEST(CompileTest, PaperSortWithTiesCompilesAtSixteen) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto smaller = b.select(t, t, BinaryOp::Lt);
  auto tied_earlier = b.both(b.select(t, t, BinaryOp::Eq), b.select(i, i, BinaryOp::Lt));
  auto target = b.width(b.either(smaller, tied_earlier), "target_pos");
  auto sorted = b.aggregate(b.select(target, i, BinaryOp::Eq), t, Value::integer(0), "sorted");
  Model m = expect_faithful(b, sorted, chars("abcd"), 16, 4);
  EXPECT_EQ(m.layers.size(), 3u);
  ASSERT_EQ(m.obligations.size(), 1u);
}

TEST(CompileTest, NotOfAConjunctionAndedWithAnotherPart) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  auto odd = b.map({t}, bin(BinaryOp::Mod, x(0), c(2)), "odd");
  // not (same token and earlier), and the key's parity is not above the query's.
  auto sel = b.both(b.negate(b.both(b.select(t, t, BinaryOp::Eq), b.select(i, i, BinaryOp::Lt))),
                    b.select(odd, odd, BinaryOp::Le));
  auto frac = b.aggregate(sel, odd, Value::integer(0), "frac", ir::Encoding::Numerical);
  expect_faithful(b, frac, {Value::integer(1), Value::integer(2), Value::integer(3)}, 8);
}

TEST(CompileTest, CompositeSelectorOverTooManyCombinationsIsRefused) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  auto sel = b.either(b.select(i, i, BinaryOp::Lt), b.select(t, t, BinaryOp::Eq));
  auto w = b.width(sel);
  CompileOptions o;
  for (int v = 0; v < 40; ++v) o.vocab.push_back(Value::integer(v));
  o.max_len = 32;
  o.max_value_set = 1000;  // 40 tokens x 32 indices = 1280 key tuples
  auto model = compile(b.p, w, o);
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().front().code, code::kLimit);
  EXPECT_NE(model.error().front().message.find("composite selector"), std::string::npos)
      << model.error().front().message;
}

TEST(CompileTest, SumAggregationSelectingOneKeyCompilesAndMatchesSumSemantics) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  // The next position's token (default 0 at the end): one key at most, so sum = mean.
  auto next = b.map({i}, bin(BinaryOp::Add, x(0), c(1)), "next");
  auto agg = b.aggregate(b.select(i, next, BinaryOp::Eq), t, Value::integer(0), "shifted");
  std::vector<Value> vocab{Value::integer(1), Value::integer(5)};
  CompileOptions o;
  o.vocab = vocab;
  o.max_len = 8;
  o.aggregation = interp::Aggregation::Sum;
  auto model = compile(b.p, agg, o);
  ASSERT_TRUE(model) << model.error().front().message;
  interp::Options sum;
  sum.aggregation = interp::Aggregation::Sum;
  std::size_t compared = 0;
  for (int len = 1; len <= 8; ++len) {
    for (int bits = 0; bits < (1 << len); ++bits) {
      std::vector<Value> input;
      for (int k = 0; k < len; ++k) input.push_back(vocab[(bits >> k) & 1]);
      auto want = interp::evaluate(b.p, agg, input, sum);
      ASSERT_TRUE(want);
      auto got = run_compiled(*model, input);
      ASSERT_TRUE(got);
      EXPECT_TRUE(interp::output_matches(interp::output_to_json(*want), *got))
          << interp::describe_input(input);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 510u);
}

TEST(CompileTest, SumAggregationOverSeveralKeysIsRefusedWithAWitness) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  auto prefix_sum = b.aggregate(b.select(i, i, BinaryOp::Le), t, Value::integer(0), "prefix_sum",
                                ir::Encoding::Numerical);
  CompileOptions o;
  o.vocab = {Value::integer(0), Value::integer(1)};
  o.max_len = 8;
  o.aggregation = interp::Aggregation::Sum;
  auto model = compile(b.p, prefix_sum, o);
  ASSERT_FALSE(model);
  const Diagnostic& d = model.error().front();
  EXPECT_EQ(d.code, code::kUnsupported);
  EXPECT_NE(d.message.find("prefix_sum"), std::string::npos);
  EXPECT_NE(d.message.find("under sum aggregation"), std::string::npos);
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(d.notes[0], "witness input: [0, 0]");
  EXPECT_EQ(d.notes[1], "use mean aggregation, or a selector that selects at most one key");
  // The same program under mean aggregation compiles.
  o.aggregation = interp::Aggregation::Mean;
  EXPECT_TRUE(compile(b.p, prefix_sum, o));
}

TEST(CompileTest, ValueSetOverTheLimitIsRefused) {
  Builder b;
  auto t = b.tokens(ir::TokenType::Int);
  auto i = b.indices();
  auto agg = b.aggregate(b.select(i, i, BinaryOp::Le), t);
  CompileOptions o;
  for (int v = 0; v < 30; ++v) o.vocab.push_back(Value::integer(v * v));
  o.max_len = 32;
  o.max_value_set = 1000;
  auto model = compile(b.p, agg, o);
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().front().code, code::kLimit);
}

}  // namespace
}  // namespace rasp::compile::testing

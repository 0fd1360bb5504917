// tests/lib/interp/kernel_test.cpp - Kernels (Options::kernels) against the evaluator without them.
//
// A kernel must give what the evaluator gives, kind for kind (2 and 2.0 differ), and leave
// every fault to it. Each case runs with kernels on and off and asserts the kernel ran.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "lib/interp/io.h"

namespace rasp::interp {
namespace {

struct Loaded {
  front::Module module;
  ir::NodeId root = 0;
};

// A program that does not load fails the test (gtest reports the exception).
Loaded load(const std::string& source, const std::string& expr) {
  auto module = front::load_source(source, "t.rasp");
  if (!module) throw std::runtime_error(front::render(module.error()));
  auto root = front::evaluate_expression(*module, expr);
  if (!root) throw std::runtime_error(front::render(root.error(), &*module));
  return {std::move(*module), *root};
}

bool identical(const Output& a, const Output& b) {
  return a.is_selector == b.is_selector && a.matrix == b.matrix && a.values.size() == b.values.size() &&
         std::equal(a.values.begin(), a.values.end(), b.values.begin(),
                    [](const ir::Value& x, const ir::Value& y) { return x.identical(y); });
}

// The result with kernels, after checking it against the result without them.
Result<Output> both_ways(const Loaded& p, const std::string& input, Options options = {}) {
  auto tokens = parse_input(input);
  EXPECT_TRUE(tokens.has_value()) << input;
  options.kernels = false;
  auto without = evaluate(p.module.program, p.root, *tokens, options);
  options.kernels = true;
  auto with = evaluate(p.module.program, p.root, *tokens, options);
  EXPECT_EQ(with.has_value(), without.has_value()) << input;
  if (with && without) {
    EXPECT_TRUE(identical(*with, *without)) << input << ": " << output_to_json(*with).dump() << " against "
                                            << output_to_json(*without).dump();
  } else if (!with && !without) {
    EXPECT_EQ(with.error().front().code, without.error().front().code) << input;
    EXPECT_EQ(with.error().front().message, without.error().front().message) << input;
  }
  return with;
}

TEST(KernelTest, CoversThePapersPrograms) {
  for (const auto& [file, expr] : std::vector<std::pair<std::string, std::string>>{
           {"reverse", "reverse"}, {"dyck2_ptf", "dyck2_ptf"}, {"hist", "hist"}, {"sort", "sorted_tokens"},
           {"most_freq", "most_freq"}}) {
    auto module = front::load_file(std::string(RASPKIT_SOURCE_DIR) + "/corpus/paper/" + file + ".rasp");
    ASSERT_TRUE(module.has_value()) << file;
    auto root = front::evaluate_expression(*module, expr);
    ASSERT_TRUE(root.has_value()) << file;
    EXPECT_TRUE(kernel_covers(module->program, *root, {})) << file;
    Options off;
    off.kernels = false;
    EXPECT_FALSE(kernel_covers(module->program, *root, off)) << file;
  }
}

TEST(KernelTest, MeansKeepTheEvaluatorsKinds) {
  Loaded p = load("", "aggregate(select(indices, indices, <=), indices)");
  ASSERT_TRUE(kernel_covers(p.module.program, p.root, {}));
  auto r = both_ways(p, "abcd");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->values[0].is_int()) << "one selected value keeps its kind";
  EXPECT_TRUE(r->values[2].is_float()) << "a mean of 0, 1, 2 is 1.0, a float";
  EXPECT_EQ(r->values[3], *ir::Value::rational(3, 2));
  Options sum;
  sum.aggregation = Aggregation::Sum;
  auto s = both_ways(p, "abcd", sum);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->values[3].is_int());
  EXPECT_EQ(s->values[3], ir::Value::integer(6));
  // Fractions are kept unreduced inside a kernel; what leaves it is reduced.
  Loaded twice = load("m = aggregate(select(indices, indices, <=), indices * 2);", "round(m * 3) + m");
  auto t = both_ways(twice, "abcdef");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->values[5].den(), 1) << "5.0 + 15, not 25/5";
}

TEST(KernelTest, BosAndCausalMasks) {
  Loaded p = load("", "aggregate(select(tokens, tokens, ==), indices)");
  for (int flags = 0; flags < 4; ++flags) {
    Options o;
    o.bos = (flags & 1) != 0;
    o.causal = (flags & 2) != 0;
    EXPECT_TRUE(both_ways(p, "abab", o).has_value());
  }
  Loaded negated = load("", "selector_width(select(indices, indices, <) or not select(tokens, tokens, ==))");
  Options causal;
  causal.causal = true;
  auto w = both_ways(negated, "aab", causal);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(output_to_json(*w), nlohmann::json({0, 1, 2})) << "`not` masked too: query 0 reads no later key";
}

TEST(KernelTest, StringsCompareAsStrings) {
  Loaded p = load("", "selector_width(select(tokens, tokens, <))");
  auto r = both_ways(p, "[\"b\", \"ab\", \"a\", \"\"]");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(output_to_json(*r), nlohmann::json({3, 2, 1, 0})) << "\"ab\" sorts between \"a\" and \"b\"";
  Loaded in = load("", "tokens in [\"a\", 1, \"c\"]");
  EXPECT_EQ(output_to_json(*both_ways(in, "abc")), nlohmann::json({true, false, true}));
  Loaded truthy = load("", "indicator(tokens)");
  EXPECT_EQ(output_to_json(*both_ways(truthy, "[\"x\", \"\"]")), nlohmann::json({1, 0}));
}

TEST(KernelTest, IndicatorsAreInts) {
  for (const char* expr : {"indicator(tokens == \"a\")", "indicator(indices > 0) * 3", "indicator(tokens == tokens) + indices",
                           "indicator(indices) - indicator(tokens)", "indicator(not (indices < 1))"}) {
    Loaded p = load("", expr);
    ASSERT_TRUE(kernel_covers(p.module.program, p.root, {})) << expr;
    auto r = both_ways(p, "[\"a\", \"\", \"b\"]");
    ASSERT_TRUE(r.has_value()) << expr;
    for (const auto& v : r->values) EXPECT_TRUE(v.is_int()) << expr;
  }
}

TEST(KernelTest, MinAndMaxKeepTheOperandsKind) {
  Loaded p = load("", "min(indices, 1.5)");
  ASSERT_TRUE(kernel_covers(p.module.program, p.root, {}));
  auto r = both_ways(p, "abc");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->values[0].is_int());
  EXPECT_TRUE(r->values[2].is_float());
}

TEST(KernelTest, FaultsAreLeftToTheEvaluator) {
  Loaded overflow = load("", "indices * 4611686018427387904 * 2");
  ASSERT_TRUE(kernel_covers(overflow.module.program, overflow.root, {}));
  EXPECT_TRUE(both_ways(overflow, "a").has_value()) << "0 * ... is 0";
  auto r = both_ways(overflow, "ab");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().code, "E0208");
  // Both branches of a conditional over s-ops are s-ops, each evaluated whole.
  Loaded guarded = load("", "0 if indices == 0 else 6 / indices");
  auto g = both_ways(guarded, "abc");
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().front().code, "E0205");
  Loaded strings = load("", "aggregate(select(1, 1, ==), tokens)");
  auto s = both_ways(strings, "ab");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().front().code, "E0203");
  Loaded mixed = load("", "aggregate(select(indices, indices, <), tokens)");
  auto m = both_ways(mixed, "ab");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().front().code, "E0204") << "the default 0 beside strings";
  Loaded empty = load("", "aggregate(select(indices, indices, >), tokens)");
  EXPECT_EQ(output_to_json(*both_ways(empty, "a")), nlohmann::json({0})) << "defaults alone do not mix";
}

TEST(KernelTest, InputsOfAnotherTypeAndLongInputsFallBack) {
  Loaded p = load("", "tokens");
  auto numbers = both_ways(p, "[1, 2]");
  ASSERT_TRUE(numbers.has_value());
  EXPECT_EQ(output_to_json(*numbers), nlohmann::json({"1", "2"})) << "str() of each, as the evaluator does";
  Loaded width = load("", "selector_width(select(indices, indices, <=))");
  std::string longest(64, 'a'), past(65, 'a');
  EXPECT_EQ(both_ways(width, longest)->values.back(), ir::Value::integer(64));
  EXPECT_EQ(both_ways(width, past)->values.back(), ir::Value::integer(65));
  Options bos;
  bos.bos = true;
  EXPECT_EQ(both_ways(width, longest, bos)->values.back(), ir::Value::integer(65));
}

TEST(KernelTest, ProgramsOutsideTheKernelStillRun) {
  Loaded power = load("", "indices ^ 2");
  EXPECT_FALSE(kernel_covers(power.module.program, power.root, {}));
  EXPECT_EQ(output_to_json(*both_ways(power, "abc")), nlohmann::json({0, 1, 4}));
}

TEST(KernelTest, LookupsInListsStringsAndDicts) {
  Loaded chars = load("", "\"xyz\"[indices]");
  ASSERT_TRUE(kernel_covers(chars.module.program, chars.root, {}));
  EXPECT_EQ(output_to_json(*both_ways(chars, "ab")), nlohmann::json({"x", "y"}));
  auto past = both_ways(chars, "abcd");
  ASSERT_FALSE(past.has_value()) << "index 3 of a string of 3";
  Loaded wrap = load("", "[10, 2.5, True][indices - 1]");
  auto w = both_ways(wrap, "abc");
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE(w->values[0].is_bool()) << "index -1 is the last";
  EXPECT_TRUE(w->values[2].is_float());
  Loaded dict = load("", "{\"a\": 1, \"b\": 2, 3: 4}[tokens]");
  ASSERT_TRUE(kernel_covers(dict.module.program, dict.root, {}));
  EXPECT_EQ(output_to_json(*both_ways(dict, "bab")), nlohmann::json({2, 1, 2}));
  EXPECT_FALSE(both_ways(dict, "ac").has_value()) << "no key \"c\"";
  EXPECT_FALSE(both_ways(dict, "[\"3\"]").has_value()) << "the string \"3\" is not the key 3";
  Loaded numeric = load("", "{1: \"one\", 2.0: \"two\"}[indices + 1]");
  EXPECT_EQ(output_to_json(*both_ways(numeric, "ab")), nlohmann::json({"one", "two"})) << "2 finds the key 2.0";
}

// Ordering selectors over `indices` keys are read as runs; queries below 0, past n and in
// between, with and without the causal mask and BOS.
TEST(KernelTest, OrderingSelectorsOverIndices) {
  for (const char* op : {"<", "<=", ">", ">="}) {
    Loaded p = load("", std::string("selector_width(select(indices, tokens_int, ") + op + "))");
    ASSERT_TRUE(kernel_covers(p.module.program, p.root, {}));
    for (int flags = 0; flags < 4; ++flags) {
      Options o;
      o.bos = (flags & 1) != 0;
      o.causal = (flags & 2) != 0;
      EXPECT_TRUE(both_ways(p, "[-9223372036854775808, -1, 0, 1, 2, 3, 4, 9223372036854775807]", o).has_value()) << op;
    }
  }
}

// Past 16 positions ordering selectors over other keys sort them once: fractions, strings
// and ints with ties, every comparison, with and without the causal mask.
TEST(KernelTest, OrderingSelectorsBySortedKeys) {
  std::mt19937 rng(11);
  for (const char* op : {"<", "<=", ">", ">=", "==", "!="}) {
    std::string o = op;
    Loaded fractions = load("", "selector_width(select(indices / 7 - tokens_int, tokens_int / 3, " + o + "))");
    Loaded strings = load("", "selector_width(select(tokens_str, tokens_str, " + o + "))");
    Loaded wide = load("", "aggregate(select(tokens_int * 1000000007, indices * 1000000007, " + o + "), indices)");
    for (const Loaded* p : {&fractions, &strings, &wide}) ASSERT_TRUE(kernel_covers(p->module.program, p->root, {})) << o;
    for (int trial = 0; trial < 4; ++trial) {
      std::string input = "[";
      for (int i = 0; i < 40; ++i) input += (i ? ", " : "") + std::to_string(static_cast<int>(rng() % 9) - 4);
      input += "]";
      Options causal;
      causal.causal = trial % 2 == 1;
      EXPECT_TRUE(both_ways(fractions, input, causal).has_value()) << o << " " << input;
      std::string words = "[";
      for (int i = 0; i < 40; ++i) words += (i ? ", \"" : "\"") + std::string(1 + rng() % 2, "ab"[rng() % 2]) + "\"";
      words += "]";
      EXPECT_TRUE(both_ways(strings, words, causal).has_value()) << o << " " << words;
      EXPECT_TRUE(both_ways(wide, input, causal).has_value()) << o << " " << input;
    }
  }
}

// Equal-length batches keep what does not read tokens; a new length, options or an input
// that makes the kernel decline must not leave stale values behind.
TEST(KernelTest, ReuseAcrossABatchChangesNothing) {
  Loaded p = load("n = length; back = select(indices, n - indices - 1, ==);",
                  "aggregate(back, tokens_int * (n - indices))");
  std::mt19937 rng(7);
  Options reuse, fresh;
  fresh.reuse = false;
  for (int i = 0; i < 200; ++i) {
    std::size_t n = 1 + rng() % 6;
    std::string input = "[";
    for (std::size_t k = 0; k < n; ++k) {
      input += (k ? ", " : "") + std::to_string(static_cast<int>(rng() % 7) - 3);
    }
    input += "]";
    if (rng() % 10 == 0) input = "[4611686018427387904, 2]";  // overflows: declined
    auto got = both_ways(p, input, reuse);
    auto want = both_ways(p, input, fresh);
    ASSERT_EQ(got.has_value(), want.has_value()) << input;
    if (got) {
      EXPECT_TRUE(identical(*got, *want)) << input;
    }
  }
}

}  // namespace
}  // namespace rasp::interp

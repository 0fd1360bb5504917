// tests/lib/interp/evaluator_test.cpp - Mean, sum, defaults, BOS, causal masks and run-time faults.
#include "lib/interp/evaluator.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/front/front.h"
#include "lib/interp/io.h"

namespace rasp::interp {
namespace {

Result<Output> run(const std::string& expr, const std::string& input, Options options = {},
                   const std::string& source = "") {
  auto module = front::load_source(source, "t.rasp");
  EXPECT_TRUE(module.has_value());
  auto root = front::evaluate_expression(*module, expr);
  EXPECT_TRUE(root.has_value()) << front::render(root.error());
  return evaluate(module->program, *root, *parse_input(input), options);
}

nlohmann::json json_of(const Result<Output>& r) {
  EXPECT_TRUE(r.has_value()) << (r ? "" : front::render(r.error()));
  return r ? output_to_json(*r) : nullptr;
}

TEST(EvaluatorTest, MeanIsExactAndAFloatEvenOfEqualIntegers) {
  auto r = run("aggregate(select(indices, indices, <=), indices)", "abc");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->values[0].is_int()) << "one selected value keeps its type";
  EXPECT_TRUE(r->values[1].is_float());
  EXPECT_EQ(r->values[1], *ir::Value::rational(1, 2));
  EXPECT_EQ(r->values[2], ir::Value::integer(1));
  EXPECT_TRUE(run("aggregate(select(1, 1, ==), 3)", "ab")->values[0].is_float());
  auto third = run("aggregate(select(indices, 2, <=), indicator(indices == 0))", "abc");
  EXPECT_EQ(third->values[0], *ir::Value::rational(1, 3)) << "exactly 1/3, not 0.333...";
}

TEST(EvaluatorTest, SumAggregationIsRASPysSemantics) {
  Options sum;
  sum.aggregation = Aggregation::Sum;
  EXPECT_EQ(json_of(run("aggregate(select(indices, indices, <=), indices + 1)", "abcd", sum)),
            nlohmann::json({1, 3, 6, 10}));
}

TEST(EvaluatorTest, NoSelectedKeyGivesTheDefault) {
  EXPECT_EQ(json_of(run("aggregate(select(indices, indices, <), tokens, \"_\")", "ab")),
            nlohmann::json({"_", "a"}));
  EXPECT_EQ(json_of(run("aggregate(select(indices, indices, >), indices)", "ab")), nlohmann::json({1, 0}));
}

TEST(EvaluatorTest, AveragingNonNumbersIsAnErrorEvenWhenEqual) {
  auto r = run("aggregate(select(1, 1, ==), tokens)", "aa");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().code, "E0203");
  EXPECT_NE(r.error().front().notes.front().find("\"aa\""), std::string::npos) << "names the input";
  auto b = run("aggregate(select(1, 1, ==), tokens == \"a\")", "ab");
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().front().code, "E0203") << "booleans are not averaged";
}

TEST(EvaluatorTest, MixedTypeSequencesAreErrors) {
  auto r = run("aggregate(select(indices, indices, <), tokens)", "ab");
  ASSERT_FALSE(r.has_value()) << "default 0 next to strings";
  EXPECT_EQ(r.error().front().code, "E0204");
}

TEST(EvaluatorTest, DivisionByZeroNamesTheNodesLine) {
  auto module = front::load_source("x = indices;\ny = 1 / x;\n", "t.rasp");
  auto root = front::evaluate_expression(*module, "y");
  auto r = evaluate(module->program, *root, *parse_input("ab"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().front().code, "E0205");
  EXPECT_EQ(r.error().front().range.line, 2);
}

// The same computation written twice is one node (hash-consing): a fault in it is located
// where the evaluated expression reads it, and named by that reader, not at the first place
// it was written.
TEST(EvaluatorTest, AFaultInASharedComputationIsLocatedWhereItIsRead) {
  auto module = front::load_source("a = 1 / (indices - 7);\nb = indices + 1 / (indices - 7);\nc = b * 2;\n", "t.rasp");
  ASSERT_TRUE(module);
  for (const char* name : {"a", "b", "c"}) {
    auto root = front::evaluate_expression(*module, name);
    ASSERT_TRUE(root);
    auto r = evaluate(module->program, *root, *parse_input("abcdefghi"), {});
    ASSERT_FALSE(r.has_value()) << name;
    const Diagnostic& d = r.error().front();
    EXPECT_EQ(d.code, "E0205") << name;
    bool first = std::string(name) == "a";
    EXPECT_EQ(d.range.line, first ? 1 : 2) << name;
    EXPECT_EQ(d.range.col, first ? 5 : 15) << name;
    ASSERT_FALSE(d.notes.empty());
    EXPECT_EQ(d.notes.front().rfind(first ? "in a on" : "in b on", 0), 0u) << d.notes.front();
  }
}

TEST(EvaluatorTest, CausalMasksLaterKeys) {
  Options causal;
  causal.causal = true;
  EXPECT_EQ(json_of(run("selector_width(select(1, 1, ==))", "abcd", causal)), nlohmann::json({1, 2, 3, 4}));
  EXPECT_EQ(json_of(run("selector_width(not select(indices, indices, ==))", "abc", causal)),
            nlohmann::json({0, 1, 2}));
}

TEST(EvaluatorTest, BosIsAPositionTheOutputHides) {
  Options bos;
  bos.bos = true;
  EXPECT_EQ(json_of(run("indices", "ab", bos)), nlohmann::json({1, 2}));
  EXPECT_EQ(json_of(run("aggregate(select(indices, 0, ==), tokens)", "ab", bos)), nlohmann::json({"BOS", "BOS"}));
  EXPECT_EQ(json_of(run("length", "abc", bos)), nlohmann::json({4, 4, 4}));
}

TEST(EvaluatorTest, SelectorsAreMatricesIndexedQueryThenKey) {
  auto r = run("select(indices, indices, <)", "abc");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(output_to_json(*r), nlohmann::json({{"selector", {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}}}));
}

TEST(EvaluatorTest, EmptyInputIsRefused) {
  auto module = front::load_source("", "t.rasp");
  auto root = front::evaluate_expression(*module, "indices");
  std::vector<ir::Value> none;
  EXPECT_FALSE(evaluate(module->program, *root, none, {}).has_value());
}

// Text that starts with '[' is a JSON list; when it is not a usable one (a Dyck word such
// as [()] or []), the error says how to give its characters as tokens.
TEST(EvaluatorTest, BracketInputsThatAreNoListSayHowToQuoteThem) {
  for (const char* text : {"[()]", "[]", "[[]]"}) {
    auto input = parse_input(text);
    ASSERT_FALSE(input.has_value()) << text;
    EXPECT_EQ(input.error().front().code, std::string(code::kInput));
    ASSERT_EQ(input.error().front().notes.size(), 1u) << text;
    EXPECT_NE(input.error().front().notes[0].find(nlohmann::json(text).dump()), std::string::npos);
  }
  auto quoted = parse_input("\"[()]\"");
  ASSERT_TRUE(quoted.has_value());
  EXPECT_EQ(quoted->size(), 4u);
  EXPECT_EQ(parse_input("[1, \"a\"]")->size(), 2u);
}

TEST(EvaluatorTest, LongInputsJustWork) {
  std::string input(20000, 'a');
  auto r = run("aggregate(select(indices, length - indices - 1, ==), indices)", input);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->values.front(), ir::Value::integer(19999));
}

// Options::reuse keeps what does not read tokens from one evaluation to the next; what an
// evaluation gives must not depend on what ran before it.
TEST(EvaluatorTest, KeptSelectorsStillCountAgainstTheMatrixLimit) {
  auto module = front::load_source(
      "flip = select(indices, length - indices - 1, ==);\n"
      "same = select(tokens, tokens, ==);\n"
      "both = aggregate(same, indices) + aggregate(flip, indices);\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto flip = front::evaluate_expression(*module, "aggregate(flip, indices)");
  auto both = front::evaluate_expression(*module, "both");
  ASSERT_TRUE(flip && both);
  auto input = *parse_input("abcab");
  Options o;
  o.max_matrix_cells = 60;  // `flip` and the select inside `length` fit (5 x 5 each), a third not
  auto kept = evaluate(module->program, *flip, input, o);
  ASSERT_TRUE(kept.has_value()) << front::render(kept.error());
  EXPECT_EQ(output_to_json(*kept), nlohmann::json({4, 3, 2, 1, 0}));
  // `flip` and `length` are kept from the evaluation above; with `same` they exceed the limit.
  auto refused = evaluate(module->program, *both, input, o);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().front().code, "E0212");
  o.reuse = false;
  auto fresh = evaluate(module->program, *both, input, o);
  ASSERT_FALSE(fresh.has_value());
  EXPECT_EQ(fresh.error().front().message, refused.error().front().message);
}

TEST(EvaluatorTest, ReuseFollowsTheProgramItsLengthAndItsOptions) {
  auto module = front::load_source("mirror = aggregate(select(indices, length - indices - 1, ==), tokens);\n", "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto mirror = front::evaluate_expression(*module, "mirror");
  ASSERT_TRUE(mirror.has_value());
  Options plain, bos, causal;
  bos.bos = true;
  causal.causal = true;
  auto json = [&](const ir::Program& p, ir::NodeId root, const char* input, const Options& o) {
    auto r = evaluate(p, root, *parse_input(input), o);
    EXPECT_TRUE(r.has_value()) << (r ? "" : front::render(r.error()));
    return r ? output_to_json(*r) : nullptr;
  };
  EXPECT_EQ(json(module->program, *mirror, "abc", plain), nlohmann::json({"c", "b", "a"}));
  EXPECT_EQ(json(module->program, *mirror, "xyz", plain), nlohmann::json({"z", "y", "x"}));
  EXPECT_EQ(json(module->program, *mirror, "wxyz", plain), nlohmann::json({"z", "y", "x", "w"}));
  // BOS and causal masks change `length` and the selector: each evaluation, after one with
  // other options at the same length, gives what a fresh evaluation gives.
  std::vector<std::pair<const Options*, const char*>> steps = {
      {&bos, "xyz"}, {&causal, "xyz"}, {&plain, "uvw"}, {&causal, "uvw"}, {&bos, "uvw"}, {&plain, "xyz"}};
  std::vector<nlohmann::json> want;
  for (auto [o, input] : steps) {
    Options fresh = *o;
    fresh.reuse = false;
    want.push_back(json(module->program, *mirror, input, fresh));
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(json(module->program, *mirror, steps[i].second, *steps[i].first), want[i]) << "step " << i;
  }
  // A node added after the evaluations above, over nodes they kept.
  auto shifted = front::evaluate_expression(*module, "aggregate(select(indices, length - indices - 2, ==), tokens, \"_\")");
  ASSERT_TRUE(shifted.has_value());
  EXPECT_EQ(json(module->program, *shifted, "xyz", plain), nlohmann::json({"y", "x", "_"}));
  // A copy is another program: same nodes, its own serial, same values.
  ir::Program copy = module->program;
  EXPECT_NE(copy.serial(), module->program.serial());
  EXPECT_EQ(json(copy, *mirror, "pqr", plain), nlohmann::json({"r", "q", "p"}));
  // A different program with the same node ids, where the same ids compute other things.
  auto other = front::load_source("mirror = aggregate(select(indices, indices, ==), tokens);\n", "u.rasp");
  ASSERT_TRUE(other.has_value());
  auto identity = front::evaluate_expression(*other, "mirror");
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(json(other->program, *identity, "pqr", plain), nlohmann::json({"p", "q", "r"}));
  EXPECT_EQ(json(module->program, *mirror, "pqr", plain), nlohmann::json({"r", "q", "p"}));
}

TEST(EvaluatorTest, AFaultKeepsNothingHalfDone) {
  auto module = front::load_source(
      "n = length;\nratio = aggregate(select(indices, indices, <=), tokens_int) / (n - 2);\n", "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto ratio = front::evaluate_expression(*module, "ratio");
  auto n = front::evaluate_expression(*module, "n");
  ASSERT_TRUE(ratio && n);
  EXPECT_FALSE(evaluate(module->program, *ratio, *parse_input("[1, 2]"), {}).has_value()) << "divides by 0";
  auto after = evaluate(module->program, *n, *parse_input("[1, 2]"), {});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(output_to_json(*after), nlohmann::json({2, 2}));
  auto mixed = evaluate(module->program, *ratio, *parse_input("[4, 2, 3]"), {});
  ASSERT_TRUE(mixed.has_value());
  EXPECT_EQ(output_to_json(*mixed), nlohmann::json({4, 3, 3}));
}

// Maps over tokens alone remember each token value's result across inputs (TokenMemo): a
// token whose map faults is not remembered and faults again; a result remembered for one
// input mixes with another input's new token value as the generic path says.
TEST(EvaluatorTest, RememberedTokenResultsFaultAndMixAsBefore) {
  auto module = front::load_source(
      "w = 1 / (0 if tokens == \"z\" else 1);\n"
      "v = 1 if tokens == \"a\" else (\"s\" if tokens == \"s\" else 2);\n"
      "u = v == 1;\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto w = front::evaluate_expression(*module, "w");
  auto v = front::evaluate_expression(*module, "v");
  auto u = front::evaluate_expression(*module, "u");
  ASSERT_TRUE(w && v && u);
  auto eval = [&](ir::NodeId root, const char* input, bool fast) {
    Options o;
    o.fast_paths = fast;
    return evaluate(module->program, root, *parse_input(input), o);
  };
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(json_of(eval(*w, "ab", true)), nlohmann::json({1.0, 1.0}));
    auto fault = eval(*w, "abz", true);
    ASSERT_FALSE(fault.has_value()) << "round " << round;
    auto want = eval(*w, "abz", false);
    ASSERT_FALSE(want.has_value());
    EXPECT_EQ(fault.error().front().code, want.error().front().code);
    EXPECT_EQ(fault.error().front().notes, want.error().front().notes);
    // "a" and "b" are remembered as ints; "s" then makes the column mix types.
    EXPECT_EQ(json_of(eval(*v, "ab", true)), nlohmann::json({1, 2}));
    auto mixed = eval(*v, "abs", true);
    ASSERT_FALSE(mixed.has_value());
    EXPECT_EQ(mixed.error().front().message, eval(*v, "abs", false).error().front().message);
    // Read by another map over tokens alone, which stops at the same fault.
    auto through = eval(*u, "sab", true);
    ASSERT_FALSE(through.has_value());
    EXPECT_EQ(through.error().front().message, eval(*u, "sab", false).error().front().message);
    EXPECT_EQ(json_of(eval(*u, "bab", true)), nlohmann::json({false, true, false}));
  }
}

// evaluate() computes a map read by one map alone inside that map (fusion). When such a map
// and a node after it both fault, the first in node order is reported, as node by node.
TEST(EvaluatorTest, AFaultInAFusedMapIsTheFirstFaultAsBefore) {
  auto module = front::load_source(
      "a = 10 / (tokens_int - indices);\n"     // faults where a token equals its index
      "b = 10 / (tokens_int + indices - 5);\n"  // read twice, so computed on its own
      "f = (a + 1 + b) + b * 2;\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto f = front::evaluate_expression(*module, "f");
  ASSERT_TRUE(f.has_value());
  Options generic;
  generic.fast_paths = false;
  for (const char* input : {"[0, 4]", "[1, 4]", "[1, 2]"}) {
    auto got = evaluate(module->program, *f, *parse_input(input), {});
    auto want = evaluate(module->program, *f, *parse_input(input), generic);
    ASSERT_EQ(got.has_value(), want.has_value()) << input;
    if (!want) {
      EXPECT_EQ(got.error().front().range.line, want.error().front().range.line) << input;
      EXPECT_EQ(got.error().front().notes, want.error().front().notes) << input;
    } else {
      EXPECT_EQ(output_to_json(*got), output_to_json(*want)) << input;
    }
  }
  auto both = evaluate(module->program, *f, *parse_input("[0, 4]"), {});
  ASSERT_FALSE(both.has_value());
  EXPECT_EQ(both.error().front().range.line, 1) << "a faults before b";
}

// Without reuse (nothing kept across inputs), maps that do not read tokens are fused too:
// the same values and the same first fault as node by node.
TEST(EvaluatorTest, FreshEvaluationsFuseIndexArithmeticAsNodeByNode) {
  auto module = front::load_source(
      "a = 12 / (length - indices - 2);\n"  // faults at the next-to-last position
      "b = a * 2 + 1;\n"
      "c = (length - indices - 1) * 3 - 1;\n"
      "f = aggregate(select(indices, c, ==), tokens) if b > 0 else \"-\";\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value());
  for (const char* root : {"b", "c", "f"}) {
    auto id = front::evaluate_expression(*module, root);
    ASSERT_TRUE(id.has_value()) << root;
    Options fresh, generic;
    fresh.reuse = false;
    generic.fast_paths = false;
    for (const char* input : {"a", "ab", "abc", "abcdef"}) {
      auto got = evaluate(module->program, *id, *parse_input(input), fresh);
      auto want = evaluate(module->program, *id, *parse_input(input), generic);
      ASSERT_EQ(got.has_value(), want.has_value()) << root << " " << input;
      if (!want) {
        EXPECT_EQ(got.error().front().range.line, 1) << root << " " << input;
        EXPECT_EQ(got.error().front().notes, want.error().front().notes) << input;
      } else {
        EXPECT_EQ(output_to_json(*got), output_to_json(*want)) << root << " " << input;
      }
    }
  }
  Options fresh;
  fresh.reuse = false;
  auto c = front::evaluate_expression(*module, "c");
  auto values = evaluate(module->program, *c, *parse_input("abcd"), fresh);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(output_to_json(*values), nlohmann::json({8, 5, 2, -1}));
}

// A mean of means past 64-bit fractions is E0208 with a note saying why, at the aggregate.
TEST(EvaluatorTest, MeansOfMeansPastSixtyFourBitsSayWhy) {
  std::string source =
      "pre = select(indices, indices, <=);\n"
      "f1 = aggregate(pre, indicator(tokens == \"a\"));\n"
      "f2 = aggregate(pre, f1);\n"
      "f3 = aggregate(pre, f2);\n";
  std::string input;
  for (int i = 0; i < 20; ++i) input += "ab";
  auto out = run("f3", input, {}, source);
  ASSERT_FALSE(out.has_value());
  const Diagnostic& d = out.error().front();
  EXPECT_EQ(d.code, "E0208");
  EXPECT_EQ(d.range.line, 4);
  ASSERT_EQ(d.notes.size(), 2U);
  EXPECT_NE(d.notes[1].find("lcm(1..n)"), std::string::npos) << d.notes[1];
  // Shorter inputs fit.
  EXPECT_TRUE(run("f3", input.substr(0, 20), {}, source).has_value());
}

// A fault on a long input shows its first 40 tokens and how many there are.
TEST(EvaluatorTest, LongInputsAreShownByTheirFirstTokens) {
  auto out = run("q", std::string(50, 'a'), {}, "q = 1 / (indices - 45);\n");
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().front().notes.at(0),
            "in q on input \"" + std::string(40, 'a') + "\" and 10 more tokens (50 in all)");
}

// A fault in the library's nodes (the selector of `length` over the matrix limit) is located
// where the user's program reads them.
TEST(EvaluatorTest, LibraryFaultsAreLocatedInTheUsersProgram) {
  Options small;
  small.max_matrix_cells = 10;
  auto out = run("x", "abcd", small, "y = indices * 2;\nx = y + length;\n");
  ASSERT_FALSE(out.has_value());
  const Diagnostic& d = out.error().front();
  EXPECT_EQ(d.code, "E0212");
  EXPECT_EQ(d.range.file_name(), "t.rasp");
  EXPECT_EQ(d.range.line, 2);
  EXPECT_EQ(d.notes.at(0), "in the library's full_s, which this reads, on input \"abcd\"");
}

// A fused group whose operands are strings is computed map by map.
TEST(EvaluatorTest, FusedMapsOverStringsAreComputedOneByOne) {
  auto r = run("not (aggregate(select(indices, indices, ==), tokens) == tokens) or indices > 1", "abc");
  EXPECT_EQ(json_of(r), nlohmann::json({false, false, true}));
}

// A fused group passes strings through conditionals; a column mixing them with numbers, or
// an operation on them, is left to the node-by-node path, which reports it.
TEST(EvaluatorTest, FusedMapsPassStringsThroughAndNothingElse) {
  auto module = front::load_source(
      "picked = \"s\" if tokens_int + indices > 2 else \"t\";\n"
      "mixed = \"s\" if tokens_int + indices > 2 else 0;\n"
      "negated = -(\"s\" if tokens_int + indices > 2 else \"t\");\n"
      "rounded = round(\"s\" if tokens_int + indices > 2 else 1);\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value());
  Options generic;
  generic.fast_paths = false;
  for (const char* name : {"picked", "mixed", "negated", "rounded"}) {
    auto root = front::evaluate_expression(*module, name);
    ASSERT_TRUE(root.has_value()) << name;
    for (const char* input : {"[0, 1, 2]", "[5, 5, 5]", "[0, 0]"}) {
      auto got = evaluate(module->program, *root, *parse_input(input), {});
      auto want = evaluate(module->program, *root, *parse_input(input), generic);
      ASSERT_EQ(got.has_value(), want.has_value()) << name << " " << input;
      if (want) {
        EXPECT_EQ(output_to_json(*got), output_to_json(*want)) << name << " " << input;
      } else {
        EXPECT_EQ(got.error().front().code, want.error().front().code) << name << " " << input;
        EXPECT_EQ(got.error().front().message, want.error().front().message) << name << " " << input;
      }
    }
  }
  EXPECT_EQ(json_of(evaluate(module->program, *front::evaluate_expression(*module, "picked"), *parse_input("[0, 1, 2]"), {})),
            nlohmann::json({"t", "t", "s"}));
}

// A string as a condition is Python's truthiness (the empty string is false): the column
// paths leave it to the per-position rules, fused or not.
TEST(EvaluatorTest, AStringConditionIsItsTruthiness) {
  auto module = front::load_source(
      "same = aggregate(select(indices, indices, ==), tokens);\n"
      "flag = 1 if same else 0;\n"
      "shifted = flag + 1;\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto root = front::evaluate_expression(*module, "shifted");
  ASSERT_TRUE(root.has_value());
  auto input = parse_input(R"(["", "x", "", "yz"])");
  ASSERT_TRUE(input.has_value());
  EXPECT_EQ(json_of(evaluate(module->program, *root, *input, {})), nlohmann::json({1, 2, 1, 2}));
  Options generic;
  generic.fast_paths = false;
  EXPECT_EQ(json_of(evaluate(module->program, *root, *input, generic)), nlohmann::json({1, 2, 1, 2}));
}

TEST(EvaluatorTest, ThreadsEvaluateInTheirOwnScratch) {
  auto module = front::load_source("mirror = aggregate(select(indices, length - indices - 1, ==), tokens);\n", "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto mirror = front::evaluate_expression(*module, "mirror");
  ASSERT_TRUE(mirror.has_value());
  auto work = [&](const std::string& alphabet, std::vector<std::string>* wrong) {
    for (std::size_t i = 0; i < 2000; ++i) {
      std::string input(1 + i % 7, alphabet[i % alphabet.size()]);
      input.back() = alphabet[(i + 1) % alphabet.size()];
      auto r = evaluate(module->program, *mirror, *parse_input(input), {});
      std::string want(input.rbegin(), input.rend());
      std::string got;
      for (const auto& v : r->values) got += v.str();
      if (got != want) wrong->push_back(input);
    }
  };
  std::vector<std::string> wrong_a, wrong_b;
  std::thread a(work, "abc", &wrong_a);
  std::thread b(work, "xyzw", &wrong_b);
  a.join();
  b.join();
  EXPECT_TRUE(wrong_a.empty()) << wrong_a.front();
  EXPECT_TRUE(wrong_b.empty()) << wrong_b.front();
}

}  // namespace
}  // namespace rasp::interp

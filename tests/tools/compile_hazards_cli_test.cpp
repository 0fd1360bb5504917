// tests/tools/compile_hazards_cli_test.cpp - `compile` proves its hazards with Z3; `bounds --smt` shares heads.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/tools/cli_run.h"

namespace {

using namespace rasp::testing;

// From 6 tokens on, query 0 selects keys 0 and 5 (indices % 5 wraps): two string values,
// which no one-hot head can average (the interpreter refuses it too), first at a length
// beyond the exhaustive search's 5 tokens. (Numbers average exactly as a numerical mean;
// selected keys with different values are covered in tests/checkers/smt/hazards_test.cpp.)
const char* kWrapsAtSix =
    "keys = indices % 5;\n"
    "picked = aggregate(select(keys, indices, ==), tokens);\n";

TEST(CompileHazardsCliTest, RefusedWithTheShortestZ3Witness) {
  std::string prog = write_temp("wraps.rasp", kWrapsAtSix);
  CliRun r = raspkit(fmt::format("compile {} --expr picked --vocab ab --max-len 8 --json", prog));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("wraps.rasp:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[E0401]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("picked"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("witness input: \"aaaaaa\""), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// A value leaving the 64-bit range fails in the interpreter (E0208), so no weights can
// agree there: refused with the witness, not compiled into weights that print a wrapped or
// saturated number.
TEST(CompileHazardsCliTest, AnOverflowIsAHazard) {
  std::string prog = write_temp("overflow_c.rasp", "x = indices + 9223372036854775807;\n");
  CliRun r = raspkit(fmt::format("compile {} --vocab a --max-len 2 --json", prog));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("[E0401]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("witness input: \"aa\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("integer overflow"), std::string::npos) << r.err;
  CliRun run = raspkit(fmt::format("run {} --compiled --vocab a --max-len 2 --input aa", prog));
  EXPECT_EQ(run.status, 2) << run.out << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

// Weights exact in exact arithmetic can decode wrongly once rounded to f32: a mean of 1 and
// 2e7 scaled back by the length needs more than f32's 24 bits next to its gaps. compile runs
// the forward pass in the tensor type and refuses, with the input, rather than claim
// exact_up_to; f64 keeps enough bits here, and fails the same way at 1e18.
TEST(CompileHazardsCliTest, WeightsRoundedToTheTensorTypeMustStayExact) {
  std::string prog = write_temp("precision.rasp",
                                "x = (indices + 1) * aggregate(select(indices, indices, <=), tokens_int);\n");
  CliRun f32 = raspkit(fmt::format("compile {} --tokens int --vocab 1,20000000 --max-len 1 --json", prog));
  EXPECT_EQ(f32.status, 2) << f32.out << f32.err;
  EXPECT_NE(f32.err.find("the f32 weights are not exact"), std::string::npos) << f32.err;
  EXPECT_NE(f32.err.find("witness input: [20000000]"), std::string::npos) << f32.err;
  CliRun f64 = raspkit(fmt::format("compile {} --tokens int --vocab 1,20000000 --max-len 1 --json --dtype f64", prog));
  EXPECT_EQ(f64.status, 0) << f64.out << f64.err;
  auto doc = nlohmann::json::parse(f64.out);
  EXPECT_EQ(doc["dtype"], "f64");
  EXPECT_EQ(doc["dtype_checked_inputs"], 2);  // [1] and [20000000]
  CliRun huge = raspkit(
      fmt::format("compile {} --tokens int --vocab 1,1000000000000000000 --max-len 1 --json --dtype f64", prog));
  EXPECT_EQ(huge.status, 2) << huge.out << huge.err;
  EXPECT_NE(huge.err.find("the f64 weights are not exact"), std::string::npos) << huge.err;
}

// `run --compiled` builds the weights as `compile` does, hazards proven: it refuses what
// compile refuses instead of printing what the weights make of an input the interpreter
// rejects.
TEST(CompileHazardsCliTest, RunCompiledRefusesWhatCompileRefuses) {
  std::string prog = write_temp("wraps_run.rasp", kWrapsAtSix);
  CliRun r = raspkit(fmt::format("run {} --expr picked --compiled --vocab ab --max-len 8 --input aaaaaab", prog));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("[E0401]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("witness input: \"aaaaaa\""), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  CliRun ok = raspkit(fmt::format("run {} --expr picked --compiled --vocab ab --max-len 5 --input abab", prog));
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "[\"a\",\"b\",\"a\",\"b\"]\n");
}

TEST(CompileHazardsCliTest, CompilesWhereTheHazardCannotHappen) {
  std::string prog = write_temp("wraps5.rasp", kWrapsAtSix);
  CliRun r = raspkit(fmt::format("compile {} --expr picked --vocab ab --max-len 5 --json", prog));
  ASSERT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["proven_safe_up_to"], 5);
  EXPECT_EQ(doc["exact_up_to"], 5);  // the existing fields stay
  EXPECT_TRUE(doc.contains("layers"));
}

TEST(CompileHazardsCliTest, SafeProgramReportsWhatWasProven) {
  std::string prog = write_temp("rev.rasp",
                                "opp = length - indices - 1;\n"
                                "rev = aggregate(select(indices, opp, ==), tokens);\n");
  CliRun r = raspkit(fmt::format("compile {} --expr rev --vocab abc --max-len 6 --json", prog));
  ASSERT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["proven_safe_up_to"], 6);
  EXPECT_FALSE(doc["hazards"].empty());
  for (const auto& h : doc["hazards"]) EXPECT_EQ(h["proven_up_to"], 6) << h.dump();
  EXPECT_NE(r.err.find("proven safe up to 6 tokens"), std::string::npos) << r.err;
  EXPECT_FALSE(doc.contains("smt_stopped"));
}

TEST(CompileHazardsCliTest, DivisionByZeroIsRefusedWithTheInterpretersError) {
  std::string prog = write_temp("div.rasp", "q = 12 / (indices - 3);\n");
  CliRun r = raspkit(fmt::format("compile {} --expr q --vocab ab --max-len 6 --json", prog));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("div.rasp:1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("witness input: \"aaaa\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no input of up to 3 tokens"), std::string::npos) << r.err;
}

TEST(CompileHazardsCliTest, AWitnessOfOneTokenIsTheShortest) {
  std::string prog = write_temp("div0.rasp", "q = 1 / indices;\n");
  CliRun r = raspkit(fmt::format("compile {} --expr q --vocab ab --max-len 3 --json", prog));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("witness input: \"a\" (found by Z3; no shorter input exists)"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("up to 0 tokens"), std::string::npos) << r.err;
}

// Equal selectors written differently share a head under --smt; unequal ones do not.
TEST(BoundsSmtCliTest, MergesProvenEqualSelectorsOnly) {
  std::string prog = write_temp(
      "heads.rasp",
      "a = aggregate(select(indices, indices, ==), tokens);\n"
      "b = aggregate(select(indices + 0, indices, ==), tokens);\n"
      "c = aggregate(select(indices, indices, <), indicator(tokens == \"a\"));\n"
      "d = aggregate(select(indices, indices, <=), indicator(tokens == \"a\"));\n"
      "both = a + b;\n"
      "fracs = c + d;\n");
  CliRun plain = raspkit(fmt::format("bounds {} --expr both --model optimal --json", prog));
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(nlohmann::json::parse(plain.out)["max_heads"], 2);

  CliRun r = raspkit(fmt::format(
      "bounds {} --expr both --model optimal --smt --vocab a,b --max-len 5 --json", prog));
  ASSERT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["max_heads"], 2);  // the existing field keeps its meaning
  EXPECT_EQ(doc["smt"]["max_heads"], 1);
  EXPECT_EQ(doc["smt"]["total_heads"], 1);
  ASSERT_EQ(doc["smt"]["merged"].size(), 1u);
  EXPECT_EQ(doc["smt"]["merged"][0]["line"], 2);
  EXPECT_EQ(doc["smt"]["merged"][0]["into_line"], 1);

  CliRun u = raspkit(fmt::format(
      "bounds {} --expr fracs --model optimal --smt --vocab a,b --max-len 5 --json", prog));
  ASSERT_EQ(u.status, 0) << u.err;
  auto unequal = nlohmann::json::parse(u.out);
  EXPECT_EQ(unequal["smt"]["max_heads"], 2);
  EXPECT_TRUE(unequal["smt"]["merged"].empty());

  CliRun human = raspkit(fmt::format(
      "bounds {} --expr both --model optimal --smt --vocab a,b --max-len 5", prog));
  EXPECT_NE(human.out.find("merged: "), std::string::npos) << human.out;

  CliRun usage = raspkit(fmt::format("bounds {} --expr both --smt", prog));
  EXPECT_EQ(usage.status, 1);
}

TEST(BoundsSmtCliTest, NotLessThanAndGreaterOrEqualShareAHead) {
  std::string prog = write_temp(
      "laws.rasp",
      "x = aggregate(select(indices, indices, >=), indicator(tokens == \"a\"));\n"
      "y = aggregate(not select(indices, indices, <), indicator(tokens == \"b\"));\n"
      "s = x + y;\n");
  CliRun r = raspkit(fmt::format(
      "bounds {} --expr s --model optimal --smt --vocab a,b --max-len 6 --json", prog));
  ASSERT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["max_heads"], 2);
  EXPECT_EQ(doc["smt"]["max_heads"], 1);
  EXPECT_EQ(doc["smt"]["merged"].size(), 1u);
}

}  // namespace

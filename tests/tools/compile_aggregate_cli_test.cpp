// tests/tools/compile_aggregate_cli_test.cpp - `compile --aggregate` and `run --compiled --aggregate`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/tools/cli_run.h"

namespace rasp::testing {
namespace {

// `prev` selects at most one key (sum and mean agree); `total` selects every key.
constexpr const char* kProgram =
    "prev = aggregate(select(indices, indices - 1, ==), tokens, 0);\n"
    "total = aggregate(select(indices, indices, <=), tokens);\n";

TEST(CompileAggregateCliTest, SumCompilesWhereOneKeyIsSelected) {
  std::string prog = write_temp("agg_prev.rasp", kProgram);
  CliRun sum = raspkit(fmt::format(
      "compile {} --expr prev --tokens int --vocab 1,2,3 --max-len 6 --aggregate sum --json", prog));
  ASSERT_EQ(sum.status, 0) << sum.err;
  auto doc = nlohmann::json::parse(sum.out.substr(0, sum.out.find('\n')));
  EXPECT_EQ(doc["exact_up_to"], 6);
  CliRun mean = raspkit(fmt::format(
      "compile {} --expr prev --tokens int --vocab 1,2,3 --max-len 6 --aggregate mean --json", prog));
  ASSERT_EQ(mean.status, 0) << mean.err;
  auto mean_doc = nlohmann::json::parse(mean.out.substr(0, mean.out.find('\n')));
  EXPECT_EQ(doc["params"], mean_doc["params"]);
}

TEST(CompileAggregateCliTest, SumOfSeveralKeysIsRefusedWithAWitness) {
  std::string prog = write_temp("agg_total.rasp", kProgram);
  CliRun r = raspkit(fmt::format(
      "compile {} --expr total --tokens int --vocab 1,2 --max-len 6 --aggregate sum --json", prog));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.err.find("under sum aggregation"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("witness input: [1, 1]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":2:"), std::string::npos) << r.err;  // the aggregate's line
  // Under the default mean the same expression compiles.
  CliRun mean = raspkit(
      fmt::format("compile {} --expr total --tokens int --vocab 1,2 --max-len 6 --json", prog));
  EXPECT_EQ(mean.status, 0) << mean.err;
}

// An aggregate that selects at most one key only on the inputs themselves (no structural
// reason) compiles under sum once Z3 proves it, as a categorical one's does under mean;
// where it selects two keys only past the witness search (indices % 5 == 0 from 6 tokens
// on), Z3's witness refuses it.
TEST(CompileAggregateCliTest, SumOfAtMostOneKeyIsProvenNotAssumedStructurally) {
  std::string prog = write_temp("agg_one.rasp",
                                "same = aggregate(not select(indices, indices, !=), tokens_int);\n"
                                "none = aggregate(select(1, 0, ==), tokens_int, 7);\n"
                                "wraps = aggregate(select(indices % 5, 0, ==), tokens_int);\n");
  for (const char* expr : {"same", "none"}) {
    CliRun r = raspkit(fmt::format(
        "compile {} --expr {} --tokens int --vocab 1,2 --max-len 4 --aggregate sum --json", prog, expr));
    EXPECT_EQ(r.status, 0) << expr << ": " << r.err;
    EXPECT_NE(r.out.find("selects at most one key at every query"), std::string::npos) << r.out;
  }
  CliRun wraps = raspkit(fmt::format(
      "compile {} --expr wraps --tokens int --vocab 1,2 --max-len 8 --aggregate sum --json", prog));
  EXPECT_EQ(wraps.status, 2) << wraps.out << wraps.err;
  EXPECT_NE(wraps.err.find("witness input: [1, 1, 1, 1, 1, 1]"), std::string::npos) << wraps.err;
}

// The library's `length` under sum sums over every key: refused where the user's program
// reads it, with the library's place in a note, not at <prelude>:LINE with no user line.
TEST(CompileAggregateCliTest, ARefusalInTheLibraryIsLocatedWhereTheProgramReadsIt) {
  std::string prog = write_temp("agg_len.rasp", "n = 1;\nrev = aggregate(select(indices, length - indices - 1, ==), tokens);\n");
  CliRun r = raspkit(fmt::format("compile {} --vocab a,b --max-len 3 --aggregate sum --json", prog));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_EQ(r.err.rfind(prog + ":2:", 0), 0u) << r.err;  // the diagnostic's own location
  EXPECT_NE(r.err.find("note: in the library's code at <prelude>:"), std::string::npos) << r.err;
}

// cex takes --aggregate as compile does, so a model compiled for sums can be searched with
// the interpreter's sum semantics (cex had no such option).
TEST(CompileAggregateCliTest, CexTakesTheAggregation) {
  std::string prog = write_temp("agg_cex.rasp", kProgram);
  std::string model = temp_path("agg_cex.safetensors");
  CliRun compiled = raspkit(fmt::format(
      "compile {} --expr prev --tokens int --vocab 1,2,3 --max-len 4 --aggregate sum -o {}", prog, model));
  ASSERT_EQ(compiled.status, 0) << compiled.err;
  CliRun cex = raspkit(fmt::format(
      "cex {} --expr prev --tokens int --vocab 1,2,3 --max-len 4 --aggregate sum --model {} --json", prog, model));
  EXPECT_EQ(cex.status, 0) << cex.err;
  EXPECT_EQ(raspkit(fmt::format("cex {} --expr prev --vocab 1,2 --max-len 2 --aggregate median", prog)).status, 1);
}

TEST(CompileAggregateCliTest, UnknownAggregationIsAUsageError) {
  std::string prog = write_temp("agg_bad.rasp", kProgram);
  CliRun r = raspkit(fmt::format(
      "compile {} --expr prev --tokens int --vocab 1,2 --max-len 4 --aggregate avg --json", prog));
  EXPECT_EQ(r.status, 1);
}

TEST(CompileAggregateCliTest, RunCompiledUsesTheSameAggregation) {
  std::string prog = write_temp("agg_run.rasp", kProgram);
  std::string common = fmt::format("run {} --tokens int -i [3,1,2,2] --aggregate sum", prog);
  CliRun interp = raspkit(common + " --expr prev");
  ASSERT_EQ(interp.status, 0) << interp.err;
  EXPECT_EQ(interp.out, "[0,3,1,2]\n");
  CliRun compiled = raspkit(common + " --expr prev --compiled --vocab 1,2,3 --max-len 6");
  ASSERT_EQ(compiled.status, 0) << compiled.err;
  EXPECT_EQ(compiled.out, interp.out);
  // The sum of several keys is refused through `run --compiled` as through `compile`.
  CliRun total = raspkit(common + " --expr total --compiled --vocab 1,2,3 --max-len 6");
  EXPECT_EQ(total.status, 2);
  EXPECT_NE(total.err.find("under sum aggregation"), std::string::npos) << total.err;
}

}  // namespace
}  // namespace rasp::testing

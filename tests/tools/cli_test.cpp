// tests/tools/cli_test.cpp - The CLI contract: flags, JSON documents and exit codes.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

CliRun raspkit(const std::string& args) {
  static int counter = 0;
  std::string dir = ::testing::TempDir();
  std::string out = fmt::format("{}/cli_out_{}_{}", dir, getpid(), counter),
              err = fmt::format("{}/cli_err_{}_{}", dir, getpid(), counter);
  ++counter;
  std::string cmd = fmt::format("{} {} >{} 2>{}", RASPKIT_BIN, args, out, err);
  int raw = std::system(cmd.c_str());
  return CliRun{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

std::string write_temp(const std::string& name, const std::string& text) {
  // ctest runs each test in its own process, in parallel: keep their files apart.
  std::string path = fmt::format("{}/{}_{}", ::testing::TempDir(), getpid(), name);
  std::ofstream(path) << text;
  return path;
}

TEST(CliTest, RunPrintsTheOutputAndJson) {
  std::string prog = write_temp("rev.rasp", "rev = aggregate(select(indices, length - indices - 1, ==), tokens);\n");
  CliRun r = raspkit(fmt::format("run {} --input hello", prog));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[\"o\",\"l\",\"l\",\"e\",\"h\"]\n");
  CliRun j = raspkit(fmt::format("run {} --input '[\"a\",\"b\"]' --json", prog));
  EXPECT_EQ(j.status, 0);
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["input"], "ab");
  EXPECT_EQ(doc["output"], nlohmann::json({"b", "a"}));
}

TEST(CliTest, RunEvaluatesExpressionsAndSelectors) {
  CliRun r = raspkit("run --expr 'select(indices, indices, <)' --input abc --json");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["output"]["selector"], nlohmann::json({{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}));
  CliRun t = raspkit("run --expr 'tokens + 1' --tokens int --input '[1,2]'");
  EXPECT_EQ(t.out, "[2,3]\n");
}

TEST(CliTest, BatchModeKeepsGoingAfterAFailingInput) {
  std::string inputs = write_temp("inputs.jsonl", "\"ab\"\n\"a\"\n[1, \"x\"]\n");
  CliRun r = raspkit(fmt::format("run --expr 'aggregate(select(1,1,==), tokens)' --inputs {} --json", inputs));
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> docs;
  for (std::string line; std::getline(lines, line);) docs.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(docs.size(), 3u) << r.out << r.err;
  EXPECT_EQ(docs[0]["error"]["code"], "E0203");
  EXPECT_EQ(docs[1]["output"], nlohmann::json({"a"}));
  EXPECT_TRUE(docs[2].contains("error"));
  EXPECT_EQ(r.status, 2);
}

TEST(CliTest, BadProgramsExitTwoWithALocatedDiagnostic) {
  std::string prog = write_temp("bad.rasp", "x = tokens;\ny = x +* 2;\n");
  CliRun r = raspkit(fmt::format("run {} --input ab", prog));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.rasp:2:8: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[E0001]"), std::string::npos);
  EXPECT_NE(r.err.find("^"), std::string::npos);
  EXPECT_TRUE(r.out.empty()) << "no partial result on stdout";
}

TEST(CliTest, UsageErrorsExitOne) {
  EXPECT_EQ(raspkit("run --input ab").status, 1);
  EXPECT_EQ(raspkit("frobnicate").status, 1);
  EXPECT_EQ(raspkit("run --expr tokens --input a --aggregate median").status, 1);
}

TEST(CliTest, CheckFailsAtTheWrongExpectation) {
  std::string prog = write_temp("expect.rasp",
                                "x = indices + 1;\n"
                                "# EXPR: x\n"
                                "# INPUT: \"abc\" -> [1, 2, 3]\n"
                                "# INPUT: \"ab\" -> [1, 3]\n");
  CliRun r = raspkit("check " + prog);
  EXPECT_EQ(r.status, 10);
  EXPECT_NE(r.err.find("expect.rasp:4: FAIL"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("expect.rasp:3: FAIL"), std::string::npos) << r.err;
  std::string good = write_temp("good.rasp", "x = indices + 1;\n# INPUT: \"ab\" -> [1, 2]\n");
  EXPECT_EQ(raspkit("check " + good).status, 0);
}

TEST(CliTest, CheckMatchesExpectedErrors) {
  std::string prog = write_temp("err.rasp", "a = tokens;\n# ERROR@+1: E0101\nb = a + c;\n");
  EXPECT_EQ(raspkit("check " + prog).status, 0);
  std::string wrong = write_temp("err_wrong.rasp", "a = tokens;\n# ERROR@+1: E0102\nb = a + c;\n");
  EXPECT_EQ(raspkit("check " + wrong).status, 10);
}

}  // namespace

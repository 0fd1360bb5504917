// tests/tools/cex_test.cpp - `raspkit cex`: exit codes, JSON, the layer it blames and the regress file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/tools/cli_run.h"

namespace {

using namespace rasp::testing;

// reverse: layer 0 computes length (attention) and the opposite index (MLP), layer 1
// copies the token from there (attention).
const char* kReverse =
    "opp = length - indices - 1;\n"
    "flip = select(indices, opp, ==);\n"
    "reverse = aggregate(flip, tokens);\n";

/// Multiplies every entry of one tensor of a safetensors file by `factor`, in place.
void scale_tensor(const std::string& path, const std::string& name, double factor) {
  std::string bytes = slurp(path);
  std::uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);  // little-endian hosts only, like the CI
  auto header = nlohmann::json::parse(bytes.substr(8, header_len));
  ASSERT_TRUE(header.contains(name)) << header.dump();
  const auto& t = header[name];
  std::size_t begin = 8 + header_len + t["data_offsets"][0].get<std::size_t>();
  std::size_t end = 8 + header_len + t["data_offsets"][1].get<std::size_t>();
  ASSERT_EQ(t["dtype"], "F32");
  for (std::size_t p = begin; p < end; p += 4) {
    float v;
    std::memcpy(&v, bytes.data() + p, 4);
    v = static_cast<float>(v * factor);
    std::memcpy(bytes.data() + p, &v, 4);
  }
  std::ofstream(path, std::ios::binary) << bytes;
}

struct Compiled {
  std::string program;
  std::string model;
};

Compiled compile_reverse(const std::string& tag) {
  Compiled c{write_temp(tag + ".rasp", kReverse), temp_path(tag + ".safetensors")};
  CliRun r = raspkit(fmt::format("compile {} --expr reverse --vocab a,b,c --max-len 5 -o {}",
                                 c.program, c.model));
  EXPECT_EQ(r.status, 0) << r.err;
  return c;
}

TEST(CexTest, CorrectCompilationHasNoCounterexample) {
  Compiled c = compile_reverse("good");
  for (const std::string& model : {std::string(), " --model " + c.model}) {
    CliRun r = raspkit(fmt::format("cex {} --expr reverse --vocab a,b,c --max-len 5 --json{}",
                                   c.program, model));
    EXPECT_EQ(r.status, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["verdict"], "none");
    EXPECT_EQ(doc["proven_up_to"], 5);  // 3 + 9 + ... + 243 inputs: all enumerated
    EXPECT_EQ(doc["method"], "exhaustive");
    EXPECT_FALSE(doc.contains("input"));
  }
}

TEST(CexTest, BrokenAttentionIsFoundAndBlamed) {
  Compiled c = compile_reverse("bad_head");
  // Flip the sign of the head that copies the token (layer 1).
  scale_tensor(c.model, "layers.1.heads.0.w_o", -1.0);
  std::string regress = temp_path("reverse_regress.rasp");
  CliRun r = raspkit(fmt::format(
      "cex {} --expr reverse --vocab a,b,c --max-len 5 --model {} --json -o {}", c.program,
      c.model, regress));
  ASSERT_EQ(r.status, 10) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["verdict"], "counterexample");
  EXPECT_EQ(doc["method"], "exhaustive");
  EXPECT_EQ(doc["input"], "a");  // the least input: every input goes wrong
  EXPECT_EQ(doc["output_interpreter"], nlohmann::json({"a"}));
  EXPECT_NE(doc["output_compiled"], doc["output_interpreter"]);
  EXPECT_EQ(doc["first_divergence"]["layer"], 1);
  EXPECT_EQ(doc["first_divergence"]["sublayer"], "attention");
  EXPECT_EQ(doc["first_divergence"]["sop"], "reverse");
  EXPECT_EQ(doc["first_divergence"]["position"], 0);
  EXPECT_EQ(doc["regress_file"], regress);
  // The regress file is a corpus file that the interpreter (and a fresh compile) pass.
  std::string text = slurp(regress);
  EXPECT_NE(text.find("# EXPR: reverse\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# INPUT: \"a\" -> [\"a\"]\n"), std::string::npos) << text;
  CliRun check = raspkit(fmt::format("check {}", regress));
  EXPECT_EQ(check.status, 0) << check.out << check.err;
}

TEST(CexTest, BrokenMlpIsBlamedOnItsLayer) {
  Compiled c = compile_reverse("bad_mlp");
  // Scale the MLP that computes opp (layer 0): the index it writes stops being one-hot.
  scale_tensor(c.model, "layers.0.mlp.w_out", 0.3);
  CliRun r = raspkit(fmt::format("cex {} --expr reverse --vocab a,b,c --max-len 5 --model {} --json",
                                 c.program, c.model));
  ASSERT_EQ(r.status, 10) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["first_divergence"]["layer"], 0);
  EXPECT_EQ(doc["first_divergence"]["sublayer"], "mlp");
  EXPECT_EQ(doc["first_divergence"]["sop"], "opp");
  EXPECT_FALSE(doc.contains("regress_file"));
}

// A selector combined with `or` is lowered to one head, as `raspkit compile` does, and the
// blame names the caller's s-ops (cex refused the paper's sort that compile accepts).
TEST(CexTest, OrSelectorsAreLoweredAsCompileLowersThem) {
  std::string program = write_temp("sort_or.rasp",
                                   "smaller = select(tokens, tokens, <) or (select(tokens, tokens, ==) and "
                                   "select(indices, indices, <));\n"
                                   "place = selector_width(smaller);\n"
                                   "sorted = aggregate(select(place, indices, ==), tokens);\n");
  std::string model = temp_path("sort_or.safetensors");
  ASSERT_EQ(raspkit(fmt::format("compile {} --expr sorted --vocab a,b,c --max-len 4 -o {}", program, model)).status,
            0);
  CliRun good = raspkit(fmt::format("cex {} --expr sorted --vocab a,b,c --max-len 4 --json", program));
  ASSERT_EQ(good.status, 0) << good.err;
  EXPECT_EQ(nlohmann::json::parse(good.out)["verdict"], "none");
  // Layer 0 codes the tuples (an MLP), layer 1 counts the lowered selector's keys, layer 2
  // copies the token: that head turned around blames `sorted`.
  scale_tensor(model, "layers.2.heads.0.w_o", -1.0);
  CliRun bad = raspkit(fmt::format("cex {} --expr sorted --vocab a,b,c --max-len 4 --model {} --json", program, model));
  ASSERT_EQ(bad.status, 10) << bad.err;
  auto doc = nlohmann::json::parse(bad.out);
  EXPECT_EQ(doc["input"], "a");
  EXPECT_EQ(doc["first_divergence"]["layer"], 2);
  EXPECT_EQ(doc["first_divergence"]["sop"], "sorted");
  EXPECT_EQ(doc["first_divergence"]["line"], 3);
}

TEST(CexTest, RandomSearchShrinksAndIsDeterministic) {
  Compiled c = compile_reverse("bad_random");
  scale_tensor(c.model, "layers.1.heads.0.w_o", -1.0);
  // No exhaustive search: random inputs only, shrunk to the shortest failing one.
  std::string args = fmt::format(
      "cex {} --expr reverse --vocab a,b,c --max-len 5 --model {} --json --exhaustive 0 "
      "--seed 7",
      c.program, c.model);
  CliRun a = raspkit(args), b = raspkit(args);
  ASSERT_EQ(a.status, 10) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.err, b.err);
  auto doc = nlohmann::json::parse(a.out);
  EXPECT_EQ(doc["method"], "random");
  EXPECT_EQ(doc["seed"], 7);
  EXPECT_EQ(doc["input"], "a");
  EXPECT_NE(a.err.find("seed 7"), std::string::npos) << a.err;
}

// Inputs the interpreter rejects are not counterexamples, but the verdict says how many
// there were, and that nothing was compared when it rejects them all.
TEST(CexTest, InputsOutsideTheDomainAreCountedNotCompared) {
  std::string some = write_temp("some.rasp", "x = 6 / (indices - 2);\n");
  CliRun r = raspkit(fmt::format("cex {} --expr x --vocab a,b --max-len 4 --json", some));
  EXPECT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["verdict"], "none");
  EXPECT_EQ(doc["outside_domain"]["count"], 24);  // 8 + 16 inputs have a position 2
  EXPECT_EQ(doc["outside_domain"]["tried"], 30);
  EXPECT_EQ(doc["outside_domain"]["first"], "aaa");
  EXPECT_EQ(doc["outside_domain"]["error"], "division by zero");
  EXPECT_NE(r.err.find("every input up to length 4 agrees"), std::string::npos) << r.err;

  std::string all = write_temp("all.rasp", "x = 6 / indices;\n");
  r = raspkit(fmt::format("cex {} --expr x --vocab a,b --max-len 3 --json", all));
  EXPECT_EQ(r.status, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["outside_domain"]["count"], doc["outside_domain"]["tried"]);
  EXPECT_NE(r.err.find("none was possible"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("agrees"), std::string::npos) << r.err;

  std::string none = write_temp("none.rasp", kReverse);
  r = raspkit(fmt::format("cex {} --expr reverse --vocab a,b --max-len 3 --json", none));
  EXPECT_FALSE(nlohmann::json::parse(r.out).contains("outside_domain")) << r.out;
}

TEST(CexTest, RejectsBadProgramsAndMismatchedModels) {
  Compiled c = compile_reverse("mismatch");
  CliRun other = raspkit(fmt::format("cex {} --expr reverse --vocab a,b,c --max-len 4 --model {}",
                                     c.program, c.model));
  EXPECT_EQ(other.status, 2) << other.err;
  std::string bad = write_temp("bad.rasp", "x = aggregate(select(indices, indices, ==);\n");
  EXPECT_EQ(raspkit(fmt::format("cex {} --expr x --vocab a,b --max-len 3", bad)).status, 2);
  EXPECT_EQ(raspkit(fmt::format("cex {} --expr reverse --max-len 3", c.program)).status, 1);
}

}  // namespace

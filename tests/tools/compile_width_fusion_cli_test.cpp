// tests/tools/compile_width_fusion_cli_test.cpp - `compile --width-fusion` and its default.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/tools/cli_run.h"

namespace rasp::testing {
namespace {

// opp reads the width `n` and indices; last's query reads the width alone.
constexpr const char* kProgram =
    "always = select(tokens, tokens, ==) or not select(tokens, tokens, ==);\n"
    "n = selector_width(always);\n"
    "opp = n - indices - 1;\n"
    "flip = aggregate(select(indices, opp, ==), tokens);\n"
    "last = aggregate(select(indices, n - 1, ==), tokens);\n";

nlohmann::json compiled(const std::string& prog, const std::string& expr, const std::string& flags) {
  CliRun r = raspkit(fmt::format("compile {} --expr {} --vocab abcde --max-len 5 --json{}", prog,
                                 expr, flags));
  EXPECT_EQ(r.status, 0) << r.err;
  if (r.status != 0) return {};
  return nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
}

TEST(CompileWidthFusionCliTest, DefaultDecodesAWidthReadWithOtherSopsFirst) {
  std::string prog = write_temp("fusion_flip.rasp", kProgram);
  // Fused: opp's MLP holds the width's 2N+1 = 11 breakpoints for each of the 5 indices.
  nlohmann::json fused = compiled(prog, "flip", " --width-fusion always");
  EXPECT_EQ(fused["layers"], 2);
  EXPECT_EQ(fused["mlp_hidden"], nlohmann::json::array({55, 0}));
  // Decoded first (the default): 11 units, then a table of 6 lengths x 5 indices.
  nlohmann::json automatic = compiled(prog, "flip", "");
  EXPECT_EQ(automatic["layers"], 3);
  EXPECT_EQ(automatic["mlp_hidden"], nlohmann::json::array({11, 30, 0}));
  EXPECT_EQ(compiled(prog, "flip", " --width-fusion never"), automatic);
  EXPECT_EQ(automatic["exact_up_to"], 5);
  EXPECT_EQ(fused["exact_up_to"], 5);
}

TEST(CompileWidthFusionCliTest, AWidthReadAloneIsFusedByDefault) {
  std::string prog = write_temp("fusion_last.rasp", kProgram);
  nlohmann::json automatic = compiled(prog, "last", "");
  EXPECT_EQ(automatic["layers"], 2);
  EXPECT_EQ(automatic["mlp_hidden"], nlohmann::json::array({11, 0}));
  EXPECT_EQ(compiled(prog, "last", " --width-fusion always"), automatic);
  nlohmann::json never = compiled(prog, "last", " --width-fusion never");
  EXPECT_EQ(never["layers"], 3);
  EXPECT_EQ(never["mlp_hidden"], nlohmann::json::array({11, 6, 0}));
}

TEST(CompileWidthFusionCliTest, RunCompiledAgreesWithTheInterpreter) {
  std::string prog = write_temp("fusion_run.rasp", kProgram);
  CliRun interp = raspkit(fmt::format("run {} --expr flip -i abcca", prog));
  ASSERT_EQ(interp.status, 0) << interp.err;
  EXPECT_EQ(interp.out, "[\"a\",\"c\",\"c\",\"b\",\"a\"]\n");
  CliRun compiled = raspkit(fmt::format("run {} --expr flip -i abcca --compiled --vocab abcde --max-len 5", prog));
  ASSERT_EQ(compiled.status, 0) << compiled.err;
  EXPECT_EQ(compiled.out, interp.out);
  // The layouts `compile` can make run too, each as exact.
  for (const char* flags : {"--width-fusion always", "--width-fusion never", "--schedule asap"}) {
    CliRun other = raspkit(fmt::format("run {} --expr flip -i abcca --compiled --vocab abcde --max-len 5 {}", prog, flags));
    ASSERT_EQ(other.status, 0) << flags << ": " << other.err;
    EXPECT_EQ(other.out, interp.out) << flags;
  }
  // Flags of the weights without --compiled would be ignored: refused instead.
  CliRun without = raspkit(fmt::format("run {} --expr flip -i abcca --width-fusion always", prog));
  EXPECT_EQ(without.status, 1);
  EXPECT_NE(without.err.find("--compiled"), std::string::npos) << without.err;
}

TEST(CompileWidthFusionCliTest, CexReadsWeightsInTheLayoutTheyWereCompiledWith) {
  std::string prog = write_temp("fusion_cex.rasp", kProgram);
  std::string model = temp_path("fusion_cex.safetensors");
  CliRun c = raspkit(fmt::format(
      "compile {} --expr flip --vocab abc --max-len 4 --width-fusion always -o {}", prog, model));
  ASSERT_EQ(c.status, 0) << c.err;
  std::string cex = fmt::format("cex {} --expr flip --vocab abc --max-len 4 --model {}", prog, model);
  CliRun same = raspkit(cex + " --width-fusion always --json");
  EXPECT_EQ(same.status, 0) << same.err;
  EXPECT_EQ(nlohmann::json::parse(same.out)["verdict"], "none");
  // The default layout decodes the width first: a third layer the file does not have.
  CliRun other = raspkit(cex);
  EXPECT_EQ(other.status, 2) << other.err;
  EXPECT_EQ(raspkit(cex + " --width-fusion some").status, 1);
}

TEST(CompileWidthFusionCliTest, UnknownValueIsAUsageError) {
  std::string prog = write_temp("fusion_bad.rasp", kProgram);
  CliRun r = raspkit(fmt::format("compile {} --expr flip --vocab abc --max-len 4 --json --width-fusion fast", prog));
  EXPECT_EQ(r.status, 1);
}

}  // namespace
}  // namespace rasp::testing

// tests/lib/compile/export_test.cpp - safetensors layout, config, and the numpy example against our forward pass.
#include "lib/compile/export.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/lib/compile/programs.h"

namespace rasp::compile::testing {
namespace {

Builder reverse_program(NodeId& root) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto len = b.length();
  auto opp = b.map({len, i}, bin(BinaryOp::Sub, bin(BinaryOp::Sub, x(0), x(1)), c(1)), "opp_idx");
  root = b.aggregate(b.select(i, opp, BinaryOp::Eq), t, Value::string(""), "reverse");
  return b;
}

Builder frac_program(NodeId& root) {
  Builder b;
  auto t = b.tokens();
  auto i = b.indices();
  auto is_a = b.map({t}, ir::make_unary(ir::ExprOp::Indicator,
                                        bin(BinaryOp::Eq, x(0), ir::make_const(Value::string("a")))),
                    "is_a", ir::Encoding::Numerical);
  root = b.aggregate(b.select(i, i, BinaryOp::Le), is_a, Value::integer(0), "frac_prevs",
                     ir::Encoding::Numerical);
  return b;
}

// Widths fused into the maps that read them: reverse in two layers of one head each.
Model compiled(const Builder& b, NodeId root, int max_len) {
  CompileOptions o;
  o.width_fusion = WidthFusion::Always;
  o.vocab = chars("abc");
  o.max_len = max_len;
  auto m = compile(b.p, root, o);
  EXPECT_TRUE(m);
  return m ? std::move(*m) : Model{};
}

TEST(ExportTest, SafetensorsHeaderDescribesEveryTensor) {
  NodeId root = 0;
  Builder b = reverse_program(root);
  Model m = compiled(b, root, 6);
  std::string bytes = safetensors_bytes(m, TensorType::F32);
  ASSERT_GE(bytes.size(), 8u);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  EXPECT_EQ((8 + n) % 8, 0u);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  std::size_t end = 0;
  std::size_t count = 0;
  for (auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    ++count;
    EXPECT_EQ(info["dtype"], "F32");
    auto shape = info["shape"];
    std::size_t elems = shape[0].get<std::size_t>() * shape[1].get<std::size_t>();
    EXPECT_EQ(info["data_offsets"][1].get<std::size_t>() - info["data_offsets"][0].get<std::size_t>(),
              elems * 4)
        << name;
    end = std::max(end, info["data_offsets"][1].get<std::size_t>());
  }
  // Embeddings, 2 layers x 1 head x 4 matrices, and layer 1's MLP (opp_idx); the flip
  // in layer 2 is the output, so that layer has no MLP.
  EXPECT_EQ(count, 2u + 8u + 2u);
  EXPECT_EQ(8 + n + end, bytes.size());
  EXPECT_EQ(header["token_embedding"]["shape"][0], 4);  // BOS + a, b, c
}

TEST(ExportTest, SummaryHasTheIssuesFields) {
  NodeId root = 0;
  Builder b = reverse_program(root);
  Model m = compiled(b, root, 8);
  auto j = summary_json(m);
  EXPECT_EQ(j["layers"], 2);
  EXPECT_EQ(j["heads_per_layer"], nlohmann::json::array({1, 1}));
  EXPECT_EQ(j["residual_width"], m.d_model());
  EXPECT_EQ(j["exact_up_to"], 8);
  EXPECT_EQ(j["params"], m.parameter_count());
  auto config = config_json(m);
  EXPECT_EQ(config["residual_layout"].size(), static_cast<std::size_t>(m.d_model()));
  EXPECT_EQ(config["vocab"], nlohmann::json::array({"a", "b", "c"}));
}

std::string run_command(const std::string& command) {
  std::array<char, 4096> buf{};
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return out;
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  return out;
}

std::string joined(std::string lines) {
  for (auto& ch : lines) {
    if (ch == '\n') ch = ',';
  }
  return lines;
}

void expect_numpy_agrees(const Builder& b, NodeId root, TensorType type, const char* tag) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  ASSERT_TRUE(std::filesystem::exists("examples/numpy_forward.py"))
      << "run from the source root (ctest does)";
  Model m = compiled(b, root, 8);
  auto dir = std::filesystem::temp_directory_path() / ("raspkit_export_" + std::string(tag));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "model.safetensors").string();
  ASSERT_TRUE(write_model(m, path, "", type));
  std::vector<std::string> inputs{"a", "abc", "cba", "aabbc", "cabbacab", "bbbbbbbb"};
  std::string command = "/usr/bin/python3 examples/numpy_forward.py " + path;
  for (const auto& s : inputs) command += " '\"" + s + "\"'";
  std::string out = run_command(command + " 2>&1");
  std::string expected;
  for (const auto& s : inputs) {
    auto actual = run_compiled(m, chars(s), type == TensorType::F32 ? Precision::Float32
                                                                     : Precision::Float64);
    ASSERT_TRUE(actual);
    nlohmann::json j = interp::output_to_json(*actual);
    expected += j.dump() + "\n";
  }
  // Both print exact decoded values, so the lines must match token for token.
  ASSERT_FALSE(out.empty());
  auto got = nlohmann::json::parse("[" + joined(out.substr(0, out.size() - 1)) + "]", nullptr, false);
  ASSERT_FALSE(got.is_discarded()) << out;
  EXPECT_EQ(got, nlohmann::json::parse("[" + joined(expected.substr(0, expected.size() - 1)) + "]"));
  std::filesystem::remove_all(dir);
}

TEST(ExportTest, NumpyExampleMatchesOurForwardPassCategorical) {
  NodeId root = 0;
  Builder b = reverse_program(root);
  expect_numpy_agrees(b, root, TensorType::F32, "rev32");
  expect_numpy_agrees(b, root, TensorType::F64, "rev64");
}

TEST(ExportTest, NumpyExampleMatchesOurForwardPassNumerical) {
  NodeId root = 0;
  Builder b = frac_program(root);
  expect_numpy_agrees(b, root, TensorType::F32, "frac32");
}

}  // namespace
}  // namespace rasp::compile::testing

// tests/lib/compile/export_transformerlens_test.cpp - TransformerLens names, shapes, padding, circuit.
#include "lib/compile/export_transformerlens.h"

#include <gtest/gtest.h>

#include <map>

#include "lib/compile/forward.h"
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

Model compiled(const Builder& b, NodeId root, int max_len) {
  CompileOptions o;
  o.vocab = chars("abc");
  o.max_len = max_len;
  auto m = compile(b.p, root, o);
  EXPECT_TRUE(m);
  return m ? std::move(*m) : Model{};
}

std::map<std::string, const Tensor*> by_name(const TransformerLensExport& e) {
  std::map<std::string, const Tensor*> out;
  for (const Tensor& t : e.tensors) out[t.name] = &t;
  return out;
}

// TransformerLens's forward equations on the exported tensors, for one sequence of ids:
// the output logits [pos, d_vocab_out].
Eigen::MatrixXd tl_forward(const TransformerLensExport& e, const std::vector<int>& ids) {
  auto t = by_name(e);
  const auto& cfg = e.config;
  int dm = cfg["d_model"], nh = cfg["n_heads"], dh = cfg["d_head"], dmlp = cfg["d_mlp"];
  auto n = static_cast<Eigen::Index>(ids.size());
  auto matrix = [&](const Tensor& x, std::size_t offset, Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index r = 0; r < rows; ++r) {
      for (Eigen::Index c = 0; c < cols; ++c) {
        m(r, c) = x.data[offset + static_cast<std::size_t>(r * cols + c)];
      }
    }
    return m;
  };
  Eigen::MatrixXd x(n, dm);
  const Tensor& w_e = *t.at("embed.W_E");
  const Tensor& w_pos = *t.at("pos_embed.W_pos");
  for (Eigen::Index p = 0; p < n; ++p) {
    x.row(p) = matrix(w_e, static_cast<std::size_t>(ids[static_cast<std::size_t>(p)] * dm), 1, dm) +
               matrix(w_pos, static_cast<std::size_t>(p * dm), 1, dm);
  }
  for (int l = 0; l < cfg["n_layers"].get<int>(); ++l) {
    std::string p = "blocks." + std::to_string(l) + ".";
    Eigen::MatrixXd delta = Eigen::MatrixXd::Zero(n, dm);
    for (int h = 0; h < nh; ++h) {
      auto at = [&](const std::string& name, Eigen::Index rows, Eigen::Index cols) {
        return matrix(*t.at(p + name), static_cast<std::size_t>(h * rows * cols), rows, cols);
      };
      Eigen::MatrixXd scores = (x * at("attn.W_Q", dm, dh)) * (x * at("attn.W_K", dm, dh)).transpose();
      for (Eigen::Index q = 0; q < n; ++q) {
        scores.row(q) = (scores.row(q).array() - scores.row(q).maxCoeff()).exp().matrix();
        scores.row(q) /= scores.row(q).sum();
      }
      delta += scores * (x * at("attn.W_V", dm, dh)) * at("attn.W_O", dh, dm);
    }
    x += delta;
    Eigen::MatrixXd w_in = matrix(*t.at(p + "mlp.W_in"), 0, dm, dmlp);
    Eigen::MatrixXd w_out = matrix(*t.at(p + "mlp.W_out"), 0, dmlp, dm);
    x += (x * w_in).cwiseMax(0.0) * w_out;
  }
  return x * matrix(*t.at("unembed.W_U"), 0, dm, cfg["d_vocab_out"].get<int>());
}

TEST(TransformerLensExportTest, NamesAndShapesAreTransformerLens) {
  NodeId root = 0;
  Builder b = reverse_program(root);
  Model m = compiled(b, root, 6);
  TransformerLensExport e = to_transformerlens(m, b.p, root);
  auto t = by_name(e);
  int dm = m.d_model() + 1;
  int nh = e.config["n_heads"], dh = e.config["d_head"], dmlp = e.config["d_mlp"];
  using Shape = std::vector<std::int64_t>;
  EXPECT_EQ(t.at("embed.W_E")->shape, (Shape{5, dm}));  // BOS, a, b, c, PAD
  EXPECT_EQ(t.at("pos_embed.W_pos")->shape, (Shape{7, dm}));
  for (int l = 0; l < 2; ++l) {
    std::string p = "blocks." + std::to_string(l) + ".";
    for (const char* w : {"attn.W_Q", "attn.W_K", "attn.W_V"}) {
      EXPECT_EQ(t.at(p + w)->shape, (Shape{nh, dm, dh})) << p << w;
    }
    EXPECT_EQ(t.at(p + "attn.W_O")->shape, (Shape{nh, dh, dm}));
    for (const char* bias : {"attn.b_Q", "attn.b_K", "attn.b_V"}) {
      EXPECT_EQ(t.at(p + bias)->shape, (Shape{nh, dh}));
    }
    EXPECT_EQ(t.at(p + "attn.b_O")->shape, (Shape{dm}));
    EXPECT_EQ(t.at(p + "mlp.W_in")->shape, (Shape{dm, dmlp}));
    EXPECT_EQ(t.at(p + "mlp.b_in")->shape, (Shape{dmlp}));
    EXPECT_EQ(t.at(p + "mlp.W_out")->shape, (Shape{dmlp, dm}));
    EXPECT_EQ(t.at(p + "mlp.b_out")->shape, (Shape{dm}));
  }
  // One logit per output value: a, b, c and the aggregate's default "".
  ASSERT_EQ(m.output.values.size(), 4u);
  EXPECT_EQ(t.at("unembed.W_U")->shape, (Shape{dm, 4}));
  EXPECT_EQ(t.at("unembed.b_U")->shape, (Shape{4}));
  EXPECT_EQ(e.config["n_ctx"], 7);
  EXPECT_EQ(e.config["d_vocab"], 5);
  EXPECT_EQ(e.config["attention_dir"], "bidirectional");
  EXPECT_EQ(e.config["use_attn_scale"], false);
  EXPECT_TRUE(e.config["normalization_type"].is_null());
  EXPECT_EQ(e.vocab["pad_id"], 4);
  EXPECT_EQ(e.vocab["token_to_id"]["b"], 2);
}

TEST(TransformerLensExportTest, ForwardEquationsMatchOurForwardPassPaddedOrNot) {
  NodeId root = 0;
  Builder b = reverse_program(root);
  Model m = compiled(b, root, 5);
  TransformerLensExport e = to_transformerlens(m, b.p, root);
  int pad = e.vocab["pad_id"];
  std::vector<std::string> inputs{"a", "ab", "cab", "abca", "bbacb", "cc"};
  for (const std::string& s : inputs) {
    auto ours = run_compiled(m, chars(s));
    ASSERT_TRUE(ours);
    std::vector<int> ids{0};
    for (char ch : s) ids.push_back(e.vocab["token_to_id"][std::string(1, ch)].get<int>());
    for (int padding : {0, 5 - static_cast<int>(s.size())}) {
      std::vector<int> padded = ids;
      padded.insert(padded.end(), static_cast<std::size_t>(padding), pad);
      Eigen::MatrixXd logits = tl_forward(e, padded);
      for (std::size_t p = 0; p < s.size(); ++p) {
        Eigen::Index best = 0;
        logits.row(static_cast<Eigen::Index>(p + 1)).maxCoeff(&best);
        EXPECT_TRUE(m.output.values[static_cast<std::size_t>(best)].identical(ours->values[p]))
            << s << " position " << p << " padding " << padding;
      }
    }
  }
}

TEST(TransformerLensExportTest, CircuitPlacesEveryNodeAndReadsEdgesOffTheWeights) {
  NodeId root = 0;
  Builder b = reverse_program(root);
  Model m = compiled(b, root, 5);
  TransformerLensExport e = to_transformerlens(m, b.p, root);
  const auto& c = e.circuit;
  bool reverse_in_head = false, length_located = false;
  for (const auto& n : c["nodes"]) {
    for (const auto& loc : n["locations"]) {
      if (n["name"] == "reverse" && loc["part"] == "head") reverse_in_head = true;
      if (n["kind"] == "selector_width" && !loc.empty()) length_located = true;
    }
  }
  EXPECT_TRUE(reverse_in_head);
  EXPECT_TRUE(length_located);
  // The reverse head reads tokens through its values, from the token embedding.
  bool tokens_to_v = false, to_unembed = false;
  for (const auto& edge : c["edges"]) {
    if (edge["from"] == "embed" && edge["port"] == "v") tokens_to_v = true;
    if (edge["to"] == "unembed") to_unembed = true;
  }
  EXPECT_TRUE(tokens_to_v);
  EXPECT_TRUE(to_unembed);
  for (const auto& comp : c["components"]) {
    if (comp["kind"] == "attention" && !comp["padding"].get<bool>()) {
      EXPECT_TRUE(comp["on_output_path"].get<bool>()) << comp["id"];
    }
  }
}

}  // namespace
}  // namespace rasp::compile::testing

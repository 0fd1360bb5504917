// lib/compile/export_transformerlens.cpp - TransformerLens state dict, config, circuit and vocabulary.
#include "lib/compile/export_transformerlens.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "lib/compile/detail/plan.h"

namespace rasp::compile {

using ir::NodeId;
using ir::NodeKind;

namespace {

// A dense row-major tensor being filled.
struct Dense {
  std::vector<std::int64_t> shape;
  std::vector<double> data;

  explicit Dense(std::vector<std::int64_t> s) : shape(std::move(s)) {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    data.assign(static_cast<std::size_t>(n), 0.0);
  }
  double& at(std::int64_t i) { return data[static_cast<std::size_t>(i)]; }
  double& at(std::int64_t i, std::int64_t j) { return at(i * shape[1] + j); }
  double& at(std::int64_t i, std::int64_t j, std::int64_t k) {
    return at((i * shape[1] + j) * shape[2] + k);
  }
  Tensor named(std::string name) && { return Tensor{std::move(name), shape, std::move(data)}; }
};

// The sizes every block shares.
struct Shape {
  int d_model = 0;  // ours plus the pad direction
  int pad = 0;      // the pad direction's index
  int bos = 0;
  int one = 1;
  int d_vocab = 0;
  int n_ctx = 0;
  int n_heads = 1;
  int d_head = 1;
  int d_mlp = 1;
  int d_vocab_out = 1;
};

Shape shape_of(const Model& model) {
  Shape s;
  s.pad = model.d_model();
  s.d_model = model.d_model() + 1;
  for (std::size_t d = 0; d < model.layout.size(); ++d) {
    if (model.layout[d].role == "bos") s.bos = static_cast<int>(d);
    if (model.layout[d].role == "one") s.one = static_cast<int>(d);
  }
  s.d_vocab = static_cast<int>(model.vocab.size()) + 2;
  s.n_ctx = model.max_len + 1;
  for (const Layer& l : model.layers) {
    s.n_heads = std::max(s.n_heads, static_cast<int>(l.heads.size()));
    for (const AttentionHead& h : l.heads) {
      // One more query/key column for the pad penalty.
      s.d_head = std::max({s.d_head, static_cast<int>(h.w_q.cols()) + 1,
                           static_cast<int>(h.w_v.cols())});
    }
    s.d_mlp = std::max(s.d_mlp, static_cast<int>(l.mlp.w_in.cols()));
  }
  s.d_vocab_out = model.output.categorical ? static_cast<int>(model.output.values.size()) : 1;
  s.d_vocab_out = std::max(s.d_vocab_out, 1);
  return s;
}

std::vector<Tensor> state_dict(const Model& model, const Shape& s) {
  std::vector<Tensor> out;
  int ours = model.d_model();
  Dense w_e({s.d_vocab, s.d_model});
  for (Eigen::Index r = 0; r < model.token_embedding.rows(); ++r) {
    for (int c = 0; c < ours; ++c) w_e.at(r, c) = model.token_embedding(r, c);
  }
  w_e.at(s.d_vocab - 1, s.pad) = 1.0;
  out.push_back(std::move(w_e).named("embed.W_E"));
  Dense w_pos({s.n_ctx, s.d_model});
  for (Eigen::Index r = 0; r < model.position_embedding.rows(); ++r) {
    for (int c = 0; c < ours; ++c) w_pos.at(r, c) = model.position_embedding(r, c);
  }
  out.push_back(std::move(w_pos).named("pos_embed.W_pos"));
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const Layer& layer = model.layers[l];
    Dense w_q({s.n_heads, s.d_model, s.d_head}), w_k({s.n_heads, s.d_model, s.d_head});
    Dense w_v({s.n_heads, s.d_model, s.d_head}), w_o({s.n_heads, s.d_head, s.d_model});
    for (std::size_t h = 0; h < layer.heads.size(); ++h) {
      const AttentionHead& head = layer.heads[h];
      auto hi = static_cast<std::int64_t>(h);
      for (int r = 0; r < ours; ++r) {
        for (Eigen::Index c = 0; c < head.w_q.cols(); ++c) {
          w_q.at(hi, r, c) = head.w_q(r, c);
          w_k.at(hi, r, c) = head.w_k(r, c);
        }
        for (Eigen::Index c = 0; c < head.w_v.cols(); ++c) w_v.at(hi, r, c) = head.w_v(r, c);
      }
      for (Eigen::Index r = 0; r < head.w_o.rows(); ++r) {
        for (int c = 0; c < ours; ++c) w_o.at(hi, r, c) = head.w_o(r, c);
      }
      // Every real query (BOS or not) reads 1 from bos + one; a PAD key carries kPadLogit.
      std::int64_t extra = head.w_q.cols();
      w_q.at(hi, s.bos, extra) = 1.0;
      w_q.at(hi, s.one, extra) = 1.0;
      w_k.at(hi, s.pad, extra) = kPadLogit;
    }
    std::string p = fmt::format("blocks.{}.attn.", l);
    out.push_back(std::move(w_q).named(p + "W_Q"));
    out.push_back(std::move(w_k).named(p + "W_K"));
    out.push_back(std::move(w_v).named(p + "W_V"));
    out.push_back(std::move(w_o).named(p + "W_O"));
    for (const char* b : {"b_Q", "b_K", "b_V"}) {
      out.push_back(Dense({s.n_heads, s.d_head}).named(p + b));
    }
    out.push_back(Dense({s.d_model}).named(p + "b_O"));
    Dense w_in({s.d_model, s.d_mlp}), w_out({s.d_mlp, s.d_model});
    for (int r = 0; r < ours; ++r) {
      for (Eigen::Index c = 0; c < layer.mlp.w_in.cols(); ++c) w_in.at(r, c) = layer.mlp.w_in(r, c);
    }
    for (Eigen::Index r = 0; r < layer.mlp.w_out.rows(); ++r) {
      for (int c = 0; c < ours; ++c) w_out.at(r, c) = layer.mlp.w_out(r, c);
    }
    std::string m = fmt::format("blocks.{}.mlp.", l);
    out.push_back(std::move(w_in).named(m + "W_in"));
    out.push_back(Dense({s.d_mlp}).named(m + "b_in"));
    out.push_back(std::move(w_out).named(m + "W_out"));
    out.push_back(Dense({s.d_model}).named(m + "b_out"));
  }
  Dense w_u({s.d_model, s.d_vocab_out});
  const Decoder& dec = model.output;
  if (dec.categorical) {
    for (std::size_t v = 0; v < dec.readouts.size(); ++v) {
      for (auto [d, c] : dec.readouts[v]) w_u.at(d, static_cast<std::int64_t>(v)) += c;
    }
  } else {
    for (auto [d, c] : dec.numeric) w_u.at(d, 0) += c;
  }
  out.push_back(std::move(w_u).named("unembed.W_U"));
  out.push_back(Dense({s.d_vocab_out}).named("unembed.b_U"));
  return out;
}

nlohmann::ordered_json config_of(const Model& model, const ir::Program& program, NodeId root,
                                 const Shape& s) {
  nlohmann::ordered_json c;
  c["model_name"] = "raspkit-" + detail::node_label(program, root);
  c["n_layers"] = model.layers.size();
  c["d_model"] = s.d_model;
  c["n_ctx"] = s.n_ctx;
  c["d_head"] = s.d_head;
  c["n_heads"] = s.n_heads;
  c["d_mlp"] = s.d_mlp;
  c["d_vocab"] = s.d_vocab;
  c["d_vocab_out"] = s.d_vocab_out;
  c["act_fn"] = "relu";
  c["normalization_type"] = nullptr;
  c["attn_only"] = false;
  c["use_attn_scale"] = false;
  c["attn_scale"] = 1.0;
  c["attention_dir"] = "bidirectional";
  c["positional_embedding_type"] = "standard";
  c["parallel_attn_mlp"] = false;
  c["gated_mlp"] = false;
  c["original_architecture"] = "raspkit";
  c["tokenizer_name"] = nullptr;
  c["default_prepend_bos"] = true;
  c["init_weights"] = false;
  std::vector<int> heads, hidden;
  for (const Layer& l : model.layers) {
    heads.push_back(static_cast<int>(l.heads.size()));
    hidden.push_back(static_cast<int>(l.mlp.w_in.cols()));
  }
  std::vector<int> head_widths;
  for (const Layer& l : model.layers) {
    for (const AttentionHead& h : l.heads) {
      head_widths.push_back(static_cast<int>(std::max(h.w_q.cols() + 1, h.w_v.cols())));
    }
  }
  c["raspkit"] = {
      {"schema", 1},
      {"note", "not a HookedTransformerConfig field: pop it before HookedTransformerConfig(**config)"},
      {"exact_up_to", model.max_len},
      {"heads_per_layer", heads},
      {"head_widths", head_widths},
      {"mlp_hidden", hidden},
      {"padding",
       "every block has n_heads heads of width d_head and an MLP of width d_mlp: heads a layer "
       "lacks are all zero (listed as padding in circuit.json), a narrower head uses the first "
       "columns of d_head and leaves the rest zero, a narrower MLP the first hidden units"},
      {"pad_direction", s.pad},
      {"pad_logit", kPadLogit},
      {"attention",
       "logits are q.k with no 1/sqrt(d_head) (use_attn_scale false, attn_scale 1): the logit "
       "scale is already in W_Q; no mask (bidirectional); position 0 holds BOS"},
      {"biases",
       "all b_* are zero: biases are folded into W_in/W_Q through the residual direction 'one' "
       "(1 at every non-BOS position), so the BOS position stays free of MLP output"},
      {"padding_tokens",
       "pad on the right with pad_id (vocab.json) and pass no attention_mask: W_E[pad_id] sets "
       "the pad direction and every head's last used query/key column gives PAD keys pad_logit"},
      {"dtype_note", "load in float32 (the default) or float64; outputs at PAD positions are "
                     "meaningless"}};
  return c;
}

// Where dims are read and written, from the weights themselves.
struct Component {
  std::string id;
  std::string kind;  // embed, pos_embed, attention, mlp, unembed
  int layer = -1;
  int head = -1;
  bool padding = false;
  std::set<int> writes;
  std::map<std::string, std::set<int>> reads;  // port -> dims
};

std::set<int> nonzero_rows(const Eigen::MatrixXd& m) {
  std::set<int> out;
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    if (m.row(r).cwiseAbs().maxCoeff() > 0) out.insert(static_cast<int>(r));
  }
  return out;
}

std::set<int> nonzero_cols(const Eigen::MatrixXd& m) {
  std::set<int> out;
  for (Eigen::Index c = 0; c < m.cols(); ++c) {
    if (m.rows() > 0 && m.col(c).cwiseAbs().maxCoeff() > 0) out.insert(static_cast<int>(c));
  }
  return out;
}

std::vector<Component> components_of(const Model& model, const Shape& s) {
  std::vector<Component> out;
  out.push_back({"embed", "embed", -1, -1, false, nonzero_cols(model.token_embedding), {}});
  out.push_back({"pos_embed", "pos_embed", -1, -1, false, nonzero_cols(model.position_embedding), {}});
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const Layer& layer = model.layers[l];
    for (int h = 0; h < s.n_heads; ++h) {
      Component c{fmt::format("blocks.{}.attn.{}", l, h), "attention", static_cast<int>(l), h,
                  h >= static_cast<int>(layer.heads.size()), {}, {}};
      if (!c.padding) {
        const AttentionHead& head = layer.heads[static_cast<std::size_t>(h)];
        c.reads["q"] = nonzero_rows(head.w_q);
        c.reads["k"] = nonzero_rows(head.w_k);
        c.reads["v"] = nonzero_rows(head.w_v);
        c.writes = nonzero_cols(head.w_o);
      }
      out.push_back(std::move(c));
    }
    Component m{fmt::format("blocks.{}.mlp", l), "mlp", static_cast<int>(l), -1,
                layer.mlp.w_in.cols() == 0, {}, {}};
    if (!m.padding) {
      m.reads["in"] = nonzero_rows(layer.mlp.w_in);
      m.writes = nonzero_cols(layer.mlp.w_out);
    }
    out.push_back(std::move(m));
  }
  Component u{"unembed", "unembed", -1, -1, false, {}, {}};
  std::set<int> dims;
  for (const Readout& r : model.output.readouts) {
    for (auto [d, c] : r) dims.insert(d);
  }
  for (auto [d, c] : model.output.numeric) dims.insert(d);
  u.reads["in"] = dims;
  out.push_back(std::move(u));
  return out;
}

nlohmann::ordered_json direction_json(const Model& model, int d) {
  const Direction& dir = model.layout[static_cast<std::size_t>(d)];
  nlohmann::ordered_json j{{"dim", d}, {"sop", dir.sop}, {"value", dir.value}, {"role", dir.role}};
  if (dir.node >= 0) j["node"] = dir.node;
  return j;
}

bool depends_on(const ir::Program& program, NodeId id, NodeKind kind) {
  const ir::Node& n = program.node(id);
  if (n.kind == kind) return true;
  return std::any_of(n.inputs.begin(), n.inputs.end(),
                     [&](NodeId in) { return depends_on(program, in, kind); });
}

// The attention nodes whose selector is `selector` (through And/Or/Not).
bool reads_selector(const ir::Program& program, NodeId user, NodeId selector) {
  const ir::Node& n = program.node(user);
  if (n.inputs.empty()) return false;
  NodeId s = n.inputs[0];
  std::vector<NodeId> stack{s};
  while (!stack.empty()) {
    NodeId x = stack.back();
    stack.pop_back();
    if (x == selector) return true;
    if (!program.is_selector(x)) continue;
    for (NodeId in : program.node(x).inputs) {
      if (program.is_selector(in)) stack.push_back(in);
    }
  }
  return false;
}

nlohmann::ordered_json circuit_of(const Model& model, const ir::Program& program, NodeId root,
                                  const Shape& s) {
  std::vector<Component> comps = components_of(model, s);
  auto special = [&](int d) { return d == s.bos || d == s.one || d == s.pad; };
  // Edges: a component reads a dim an earlier component writes (bias directions excluded).
  nlohmann::ordered_json edges = nlohmann::json::array();
  std::map<std::string, std::set<std::string>> into;  // to -> from
  for (std::size_t r = 0; r < comps.size(); ++r) {
    for (const auto& [port, dims] : comps[r].reads) {
      for (std::size_t w = 0; w < r; ++w) {
        // Heads of one layer run side by side: none reads another's output.
        if (comps[w].kind == "attention" && comps[r].kind == "attention" &&
            comps[w].layer == comps[r].layer) {
          continue;
        }
        std::vector<int> shared;
        std::set<std::string> sops;
        for (int d : dims) {
          if (!special(d) && comps[w].writes.count(d)) {
            shared.push_back(d);
            sops.insert(model.layout[static_cast<std::size_t>(d)].sop);
          }
        }
        if (shared.empty()) continue;
        edges.push_back({{"from", comps[w].id},
                         {"to", comps[r].id},
                         {"port", port},
                         {"sops", std::vector<std::string>(sops.begin(), sops.end())},
                         {"dims", shared}});
        into[comps[r].id].insert(comps[w].id);
      }
    }
  }
  // Components from which the unembedding is reachable.
  std::set<std::string> on_path{"unembed"};
  for (auto it = comps.rbegin(); it != comps.rend(); ++it) {
    if (!on_path.count(it->id)) continue;
    for (const std::string& from : into[it->id]) on_path.insert(from);
  }
  nlohmann::ordered_json components = nlohmann::json::array();
  for (const Component& c : comps) {
    nlohmann::ordered_json j{{"id", c.id}, {"kind", c.kind}};
    if (c.layer >= 0) j["layer"] = c.layer;
    if (c.head >= 0) j["head"] = c.head;
    if (c.kind == "attention") {
      j["hook"] = fmt::format("blocks.{}.attn.hook_z", c.layer);
      j["weights"] = fmt::format("blocks.{}.attn.W_O[{}]", c.layer, c.head);
    } else if (c.kind == "mlp") {
      j["hook"] = fmt::format("blocks.{}.hook_mlp_out", c.layer);
      j["units_hook"] = fmt::format("blocks.{}.mlp.hook_post", c.layer);
      j["units"] = {0, c.padding ? 0 : model.layers[static_cast<std::size_t>(c.layer)].mlp.w_in.cols()};
    } else if (c.kind == "embed") {
      j["hook"] = "hook_embed";
    } else if (c.kind == "pos_embed") {
      j["hook"] = "hook_pos_embed";
    }
    j["padding"] = c.padding;
    j["on_output_path"] = on_path.count(c.id) > 0;
    components.push_back(std::move(j));
  }
  nlohmann::ordered_json nodes = nlohmann::json::array();
  for (NodeId id : program.ancestors(root)) {
    const ir::Node& n = program.node(id);
    nlohmann::ordered_json j{{"id", id},
                             {"name", detail::node_label(program, id)},
                             {"kind", std::string(ir::node_kind_name(n.kind))},
                             {"line", n.range.line},
                             {"col", n.range.col},
                             {"inputs", n.inputs}};
    if (n.range.in_library()) j["library"] = true;  // its line is the library's
    nlohmann::ordered_json dirs = nlohmann::json::array();
    for (std::size_t d = 0; d < model.layout.size(); ++d) {
      if (model.layout[d].node == static_cast<int>(id)) dirs.push_back(direction_json(model, static_cast<int>(d)));
    }
    nlohmann::ordered_json where = nlohmann::json::array();
    for (std::size_t l = 0; l < model.layers.size(); ++l) {
      const Layer& layer = model.layers[l];
      for (std::size_t h = 0; h < layer.heads.size(); ++h) {
        const AttentionHead& head = layer.heads[h];
        std::string comp = fmt::format("blocks.{}.attn.{}", l, h);
        for (NodeId x : head.node_ids) {
          if (x == id) {
            where.push_back({{"component", comp}, {"layer", l}, {"head", h}, {"part", "head"}});
          } else if (program.is_selector(id) && reads_selector(program, x, id)) {
            where.push_back({{"component", comp}, {"layer", l}, {"head", h}, {"part", "qk"}});
            break;
          }
        }
      }
      for (const Mlp::Units& u : layer.mlp.units) {
        if (u.node != id) continue;
        where.push_back({{"component", fmt::format("blocks.{}.mlp", l)},
                         {"layer", l},
                         {"units", {u.begin, u.end}},
                         {"part", u.function}});
      }
    }
    if (where.empty() && !dirs.empty()) {
      // Tokens, indices, and maps of either alone, are written by the embeddings.
      bool pos = depends_on(program, id, NodeKind::Indices);
      bool tok = depends_on(program, id, NodeKind::Tokens);
      if (tok || !pos) where.push_back({{"component", "embed"}, {"part", "embedding"}});
      if (pos) where.push_back({{"component", "pos_embed"}, {"part", "embedding"}});
    }
    j["locations"] = where;
    j["directions"] = dirs;
    if (where.empty() && dirs.empty()) {
      j["folded"] = n.kind == NodeKind::Constant
                        ? "a constant: read through the 'one' direction by its users"
                        : "no directions of its own: its users' weights read its operands";
    }
    nodes.push_back(std::move(j));
  }
  nlohmann::ordered_json c;
  c["schema"] = 1;
  c["format"] = "raspkit-circuit";
  c["output"] = {{"node", root}, {"name", detail::node_label(program, root)}};
  c["residual"] = {{"d_model", s.d_model}, {"bos", s.bos}, {"one", s.one}, {"pad", s.pad}};
  c["components"] = components;
  c["nodes"] = nodes;
  c["edges"] = edges;
  return c;
}

std::string token_key(const ir::Value& v) {
  nlohmann::json j = value_to_json(v);
  return j.is_string() ? j.get<std::string>() : j.dump();
}

nlohmann::ordered_json vocab_of(const Model& model, const Shape& s) {
  nlohmann::ordered_json tokens = nlohmann::json::array();
  nlohmann::ordered_json to_id = nlohmann::json::object();
  tokens.push_back({{"id", 0}, {"special", "BOS"}});
  for (std::size_t i = 0; i < model.vocab.size(); ++i) {
    tokens.push_back({{"id", i + 1}, {"token", value_to_json(model.vocab[i])}});
    to_id[token_key(model.vocab[i])] = i + 1;
  }
  tokens.push_back({{"id", s.d_vocab - 1}, {"special", "PAD"}});
  const Decoder& dec = model.output;
  nlohmann::ordered_json values = nlohmann::json::array();
  for (const ir::Value& v : dec.values) values.push_back(nlohmann::ordered_json(value_to_json(v)));
  nlohmann::ordered_json v;
  v["schema"] = 1;
  v["bos_id"] = 0;
  v["pad_id"] = s.d_vocab - 1;
  v["d_vocab"] = s.d_vocab;
  v["token_type"] = std::string(ir::token_type_name(model.token_type));
  v["tokens"] = tokens;
  v["token_to_id"] = to_id;
  v["encode"] =
      "ids = [bos_id] + [token_to_id[t] for t in input] (a string input is one token per "
      "character; a non-string token is looked up by its JSON text); at most n_ctx - 1 tokens; "
      "to batch, right-pad with pad_id";
  v["output"] = {{"sop", dec.sop},
                 {"encoding", dec.categorical ? "categorical" : "numerical"},
                 {"values", values}};
  v["output"]["decode"] =
      dec.categorical
          ? "logits = resid_post[-1] @ W_U + b_U; at positions 1..n (0 is BOS), the output is "
            "values[argmax over the d_vocab_out logits]"
          : "logits = resid_post[-1] @ W_U + b_U has one column: at positions 1..n (0 is BOS), "
            "the output is the entry of values nearest to logits[..., 0]";
  return v;
}

}  // namespace

TransformerLensExport to_transformerlens(const Model& model, const ir::Program& program,
                                         NodeId root) {
  Shape s = shape_of(model);
  TransformerLensExport e;
  e.tensors = state_dict(model, s);
  e.config = config_of(model, program, root, s);
  e.circuit = circuit_of(model, program, root, s);
  e.vocab = vocab_of(model, s);
  return e;
}

Result<void> write_transformerlens(const TransformerLensExport& exported, const std::string& dir,
                                   TensorType type) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    return fail(code::kInput, fmt::format("cannot create the directory {}", dir));
  }
  auto write = [&](const std::string& name, const std::string& text) -> Result<void> {
    std::string path = (std::filesystem::path(dir) / name).string();
    std::ofstream out(path, std::ios::binary);
    if (out) out << text;
    if (!out) return fail(code::kInput, fmt::format("cannot write {}", path));
    return {};
  };
  nlohmann::ordered_json meta{{"format", "raspkit-transformerlens"}};
  if (exported.config.contains("raspkit")) {
    meta["exact_up_to"] = std::to_string(exported.config["raspkit"]["exact_up_to"].get<int>());
  }
  if (auto ok = write("model.safetensors", safetensors_bytes(exported.tensors, meta, type)); !ok) {
    return ok;
  }
  nlohmann::ordered_json config = exported.config;
  if (type == TensorType::F64) config["raspkit"]["dtype"] = "float64";
  const std::vector<std::pair<std::string, const nlohmann::ordered_json*>> documents{
      {"config.json", &config}, {"circuit.json", &exported.circuit}, {"vocab.json", &exported.vocab}};
  for (const auto& [name, doc] : documents) {
    if (auto ok = write(name, doc->dump(2) + "\n"); !ok) return ok;
  }
  return {};
}

}  // namespace rasp::compile

// lib/compile/export.cpp - safetensors writer and the model's JSON config.
#include "lib/compile/export.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace rasp::compile {

namespace {

struct NamedTensor {
  std::string name;
  const Eigen::MatrixXd* matrix;
};

std::vector<NamedTensor> tensors(const Model& model) {
  std::vector<NamedTensor> out{{"token_embedding", &model.token_embedding},
                               {"position_embedding", &model.position_embedding}};
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const Layer& layer = model.layers[l];
    for (std::size_t h = 0; h < layer.heads.size(); ++h) {
      const AttentionHead& head = layer.heads[h];
      std::string p = fmt::format("layers.{}.heads.{}.", l, h);
      out.push_back({p + "w_q", &head.w_q});
      out.push_back({p + "w_k", &head.w_k});
      out.push_back({p + "w_v", &head.w_v});
      out.push_back({p + "w_o", &head.w_o});
    }
    if (layer.mlp.w_in.cols() > 0) {
      out.push_back({fmt::format("layers.{}.mlp.w_in", l), &layer.mlp.w_in});
      out.push_back({fmt::format("layers.{}.mlp.w_out", l), &layer.mlp.w_out});
    }
  }
  return out;
}

template <typename T>
void append_le(std::string& out, T v) {
  static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof(T));
  out.append(bytes, sizeof(T));
}

nlohmann::json readout_json(const Readout& r) {
  nlohmann::json out = nlohmann::json::array();
  for (auto [d, c] : r) out.push_back({d, c});
  return out;
}

}  // namespace

nlohmann::json value_to_json(const ir::Value& v) {
  switch (v.kind()) {
    case ir::Kind::Bool:
      return v.as_bool();
    case ir::Kind::Int:
      return v.num();
    case ir::Kind::Float:
      return v.to_double();
    case ir::Kind::String:
      return v.str();
  }
  return nullptr;
}

std::string safetensors_bytes(const std::vector<Tensor>& tensors,
                              const nlohmann::ordered_json& metadata, TensorType type) {
  nlohmann::ordered_json header;
  header["__metadata__"] = metadata;
  std::string data;
  for (const Tensor& t : tensors) {
    std::size_t begin = data.size();
    for (double x : t.data) {
      if (type == TensorType::F32) {
        append_le(data, static_cast<float>(x));
      } else {
        append_le(data, x);
      }
    }
    header[t.name] = {{"dtype", type == TensorType::F32 ? "F32" : "F64"},
                      {"shape", t.shape},
                      {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  // Pad the header with spaces so the data starts 8-byte aligned.
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');
  std::string out;
  append_le(out, static_cast<std::uint64_t>(text.size()));
  out += text;
  out += data;
  return out;
}

std::string safetensors_bytes(const Model& model, TensorType type) {
  std::vector<Tensor> out;
  for (const NamedTensor& t : tensors(model)) {
    const Eigen::MatrixXd& m = *t.matrix;
    Tensor tensor{t.name, {m.rows(), m.cols()}, {}};
    tensor.data.reserve(static_cast<std::size_t>(m.size()));
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      for (Eigen::Index c = 0; c < m.cols(); ++c) tensor.data.push_back(m(r, c));
    }
    out.push_back(std::move(tensor));
  }
  return safetensors_bytes(
      out, {{"format", "raspkit"}, {"exact_up_to", std::to_string(model.max_len)}}, type);
}

nlohmann::json summary_json(const Model& model) {
  nlohmann::json heads = nlohmann::json::array(), hidden = nlohmann::json::array();
  for (const Layer& l : model.layers) {
    heads.push_back(l.heads.size());
    hidden.push_back(l.mlp.w_in.cols());
  }
  return {{"layers", model.layers.size()},
          {"heads_per_layer", heads},
          {"residual_width", model.d_model()},
          {"mlp_hidden", hidden},
          {"params", model.parameter_count()},
          {"exact_up_to", model.max_len}};
}

nlohmann::json config_json(const Model& model) {
  nlohmann::json j = summary_json(model);
  j["schema"] = 1;
  j["format"] = "raspkit-compiled-transformer";
  j["max_len"] = model.max_len;
  j["bos_token"] = "BOS";
  nlohmann::json vocab = nlohmann::json::array();
  for (const ir::Value& v : model.vocab) vocab.push_back(value_to_json(v));
  j["vocab"] = vocab;
  j["token_rows"] = "row 0 of token_embedding is BOS; row 1 + i is vocab[i]";
  j["token_type"] = std::string(ir::token_type_name(model.token_type));
  nlohmann::json layout = nlohmann::json::array();
  for (const Direction& d : model.layout) {
    layout.push_back({{"sop", d.sop}, {"value", d.value}, {"role", d.role}});
  }
  j["residual_layout"] = layout;
  j["forward"] = {
      {"input", "position 0 is BOS; x[p] = token_embedding[row of token p] + position_embedding[p]"},
      {"attention", "x += sum over heads of softmax((x w_q)(x w_k)^T, rows) (x w_v) w_o; no "
                    "1/sqrt(d) scaling, no mask"},
      {"mlp", "x += relu(x w_in) w_out; no biases (the 'one' direction carries them)"},
      {"order", "per layer: all heads read the same x, then the MLP"}};
  nlohmann::json layers = nlohmann::json::array();
  for (const Layer& l : model.layers) {
    nlohmann::json heads = nlohmann::json::array();
    for (const AttentionHead& h : l.heads) {
      heads.push_back({{"computes", h.node}, {"logit_scale", h.logit_scale}});
    }
    layers.push_back({{"heads", heads}, {"mlp_computes", l.mlp.nodes}});
  }
  j["layer_contents"] = layers;
  const Decoder& dec = model.output;
  nlohmann::json values = nlohmann::json::array();
  for (const ir::Value& v : dec.values) values.push_back(value_to_json(v));
  nlohmann::json readouts = nlohmann::json::array();
  for (const Readout& r : dec.readouts) readouts.push_back(readout_json(r));
  j["output"] = {{"sop", dec.sop},
                 {"encoding", dec.categorical ? "categorical" : "numerical"},
                 {"values", values},
                 {"decode", dec.categorical
                                ? "at each non-BOS position, the value whose readout (sum of "
                                  "coef * x[dim]) is largest"
                                : "the value nearest to the numeric readout"}};
  if (dec.categorical) {
    j["output"]["readouts"] = readouts;
  } else {
    j["output"]["readout"] = readout_json(dec.numeric);
  }
  j["attention_leak"] = model.attention_leak;
  nlohmann::json obligations = nlohmann::json::array();
  for (const Obligation& o : model.obligations) {
    obligations.push_back({{"node", o.node},
                           {"line", o.range.line},
                           {"statement", o.statement},
                           {"checked_up_to", o.checked_up_to}});
  }
  j["obligations"] = obligations;
  return j;
}

std::string default_config_path(const std::string& path) {
  std::filesystem::path p(path);
  p.replace_extension(".json");
  if (p == std::filesystem::path(path)) p += ".config.json";
  return p.string();
}

Result<void> write_model(const Model& model, const std::string& path,
                         const std::string& config_path, TensorType type) {
  std::string config = config_path.empty() ? default_config_path(path) : config_path;
  {
    std::ofstream out(path, std::ios::binary);
    if (!out) return fail(code::kInput, fmt::format("cannot write {}", path));
    out << safetensors_bytes(model, type);
    if (!out) return fail(code::kInput, fmt::format("cannot write {}", path));
  }
  std::ofstream out(config);
  if (!out) return fail(code::kInput, fmt::format("cannot write {}", config));
  out << config_json(model).dump(2) << "\n";
  if (!out) return fail(code::kInput, fmt::format("cannot write {}", config));
  return {};
}

}  // namespace rasp::compile

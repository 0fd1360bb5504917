// lib/compile/export.h - safetensors weights and a JSON config that a numpy script can run.
#pragma once

#include <nlohmann/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/compile/model.h"

namespace rasp::compile {

enum class TensorType { F32, F64 };

/// A named tensor of any rank: its shape and its elements in row-major order.
struct Tensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<double> data;
};

/// `tensors` in safetensors form (see below), in the given order, with `metadata` (string
/// values) as the header's `__metadata__`.
[[nodiscard]] std::string safetensors_bytes(const std::vector<Tensor>& tensors,
                                            const nlohmann::ordered_json& metadata,
                                            TensorType type = TensorType::F32);

/// The tensors in safetensors form: an 8-byte little-endian header length, the JSON
/// header (name -> dtype, shape, data_offsets), then the raw row-major little-endian data.
/// Names: token_embedding, position_embedding, layers.{l}.heads.{h}.{w_q,w_k,w_v,w_o},
/// layers.{l}.mlp.{w_in,w_out} (layers and heads from 0; a layer without an MLP has none).
[[nodiscard]] std::string safetensors_bytes(const Model& model, TensorType type = TensorType::F32);

/// Everything needed to run and read the model besides the tensors: sizes, vocabulary with
/// the BOS row, the residual layout, the forward pass's conventions and the output decoder.
[[nodiscard]] nlohmann::json config_json(const Model& model);

/// The `raspkit compile --json` summary: layers, heads_per_layer, residual_width,
/// mlp_hidden, params, exact_up_to.
[[nodiscard]] nlohmann::json summary_json(const Model& model);

/// Writes `path` (the safetensors file) and its config beside it (`path` with its
/// extension replaced by `.json`, or `config_path` when given). Fails with E0211 when a
/// file cannot be written.
[[nodiscard]] Result<void> write_model(const Model& model, const std::string& path,
                                       const std::string& config_path = "",
                                       TensorType type = TensorType::F32);

/// The config's path for a model written to `path`.
[[nodiscard]] std::string default_config_path(const std::string& path);

/// A value as JSON: strings, booleans and integers as themselves, rationals as numbers.
[[nodiscard]] nlohmann::json value_to_json(const ir::Value& v);

}  // namespace rasp::compile

// lib/compile/import.cpp - safetensors reader; weights swapped into a reference model's layout.
#include "lib/ir/read_file.h"
#include "lib/compile/import.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lib/compile/export.h"

namespace rasp::compile {

namespace {

template <typename T>
T read_le(const char* bytes) {
  char copy[sizeof(T)];
  std::memcpy(copy, bytes, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(copy, copy + sizeof(T));
  T v;
  std::memcpy(&v, copy, sizeof(T));
  return v;
}

Result<std::string> slurp(const std::string& path) {
  // Weights can be large, but not endless (/dev/zero): 4 GiB is past any model compile makes.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    return fail(code::kInput, fmt::format("cannot read {}: not a regular file", path));
  }
  auto read = ir::read_file(path, std::size_t{4} << 30);
  if (!read) return fail(code::kInput, fmt::format("cannot read {}: {}", path, read.error()));
  return std::move(*read);
}

/// The tensors a model of the reference's shape has, by name (the names export.h documents).
std::map<std::string, Eigen::MatrixXd*> slots(Model& model) {
  std::map<std::string, Eigen::MatrixXd*> out{{"token_embedding", &model.token_embedding},
                                              {"position_embedding", &model.position_embedding}};
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    Layer& layer = model.layers[l];
    for (std::size_t h = 0; h < layer.heads.size(); ++h) {
      AttentionHead& head = layer.heads[h];
      std::string p = fmt::format("layers.{}.heads.{}.", l, h);
      out[p + "w_q"] = &head.w_q;
      out[p + "w_k"] = &head.w_k;
      out[p + "w_v"] = &head.w_v;
      out[p + "w_o"] = &head.w_o;
    }
    if (layer.mlp.w_in.cols() > 0) {
      out[fmt::format("layers.{}.mlp.w_in", l)] = &layer.mlp.w_in;
      out[fmt::format("layers.{}.mlp.w_out", l)] = &layer.mlp.w_out;
    }
  }
  return out;
}

Result<void> check_config(const Model& reference, const std::string& path) {
  auto text = slurp(path);
  if (!text) return tl::unexpected(text.error());
  nlohmann::json config = nlohmann::json::parse(*text, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return fail(code::kInput, fmt::format("{} is not a JSON model config", path));
  }
  nlohmann::json want = config_json(reference);
  for (const char* field : {"residual_layout", "vocab", "max_len"}) {
    if (!config.contains(field) || config[field] != want[field]) {
      return fail(code::kInput,
                  fmt::format("{}: the model's {} is not the one this program compiles to with "
                              "these options (compiled with another --vocab, --max-len or "
                              "program?)",
                              path, field));
    }
  }
  return {};
}

}  // namespace

Result<std::map<std::string, Eigen::MatrixXd>> read_safetensors(const std::string& path) {
  auto bytes = slurp(path);
  if (!bytes) return tl::unexpected(bytes.error());
  auto bad = [&](const std::string& why) {
    return fail(code::kInput, fmt::format("{} is not a safetensors file: {}", path, why));
  };
  if (bytes->size() < 8) return bad("shorter than its header length");
  auto header_len = read_le<std::uint64_t>(bytes->data());
  if (header_len > bytes->size() - 8) return bad("the header runs past the end");
  nlohmann::json header = nlohmann::json::parse(bytes->substr(8, header_len), nullptr, false);
  if (header.is_discarded() || !header.is_object()) return bad("the header is not a JSON object");
  std::size_t data = 8 + header_len;
  std::map<std::string, Eigen::MatrixXd> out;
  for (const auto& [name, t] : header.items()) {
    if (name == "__metadata__") continue;
    if (!t.is_object() || !t.contains("dtype") || !t.contains("shape") ||
        !t.contains("data_offsets")) {
      return bad(fmt::format("tensor {} lacks dtype, shape or data_offsets", name));
    }
    std::string dtype = t["dtype"].is_string() ? t["dtype"].get<std::string>() : "";
    if (dtype != "F32" && dtype != "F64") {
      return bad(fmt::format("tensor {} has dtype {} (only F32 and F64 are read)", name,
                             t["dtype"].dump()));
    }
    const nlohmann::json& shape = t["shape"];
    const nlohmann::json& offsets = t["data_offsets"];
    if (!shape.is_array() || shape.size() > 2 || !offsets.is_array() || offsets.size() != 2) {
      return bad(fmt::format("tensor {} has a shape of rank over 2 or bad offsets", name));
    }
    std::uint64_t dims[2] = {1, 1};
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (!shape[i].is_number_unsigned()) return bad(fmt::format("tensor {} has a bad shape", name));
      dims[shape.size() == 1 ? 1 : i] = shape[i].get<std::uint64_t>();
    }
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
      return bad(fmt::format("tensor {} has bad offsets", name));
    }
    auto begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
    std::size_t width = dtype == "F32" ? 4 : 8;
    if (dims[0] > (1u << 24) || dims[1] > (1u << 24) || end < begin ||
        end - begin != dims[0] * dims[1] * width || end > bytes->size() - data) {
      return bad(fmt::format("tensor {} does not fit its shape and the file", name));
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(dims[0]), static_cast<Eigen::Index>(dims[1]));
    const char* p = bytes->data() + data + begin;
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      for (Eigen::Index c = 0; c < m.cols(); ++c, p += width) {
        m(r, c) = width == 4 ? static_cast<double>(read_le<float>(p)) : read_le<double>(p);
      }
    }
    out.emplace(name, std::move(m));
  }
  return out;
}

Result<Model> load_weights(const Model& reference, const std::string& path,
                           const std::string& config_path) {
  std::string config = config_path.empty() ? default_config_path(path) : config_path;
  if (!config_path.empty() || std::filesystem::exists(config)) {
    if (auto ok = check_config(reference, config); !ok) return tl::unexpected(ok.error());
  }
  auto tensors = read_safetensors(path);
  if (!tensors) return tl::unexpected(tensors.error());
  Model model = reference;
  auto wanted = slots(model);
  for (const auto& [name, matrix] : *tensors) {
    if (!wanted.count(name)) {
      return fail(code::kInput, fmt::format("{}: tensor {} is not in the model this program "
                                            "compiles to (another schedule or program?)",
                                            path, name));
    }
  }
  for (auto& [name, slot] : wanted) {
    auto it = tensors->find(name);
    if (it == tensors->end()) {
      return fail(code::kInput, fmt::format("{}: tensor {} is missing", path, name));
    }
    if (it->second.rows() != slot->rows() || it->second.cols() != slot->cols()) {
      return fail(code::kInput,
                  fmt::format("{}: tensor {} is {}x{}, the program compiles it to {}x{}", path,
                              name, it->second.rows(), it->second.cols(), slot->rows(),
                              slot->cols()));
    }
    *slot = it->second;
  }
  return model;
}

}  // namespace rasp::compile

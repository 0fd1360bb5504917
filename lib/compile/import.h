// lib/compile/import.h - Reading compiled weights back from a safetensors file and its config.
#pragma once

#include <Eigen/Dense>
#include <map>
#include <string>

#include "lib/compile/model.h"

namespace rasp::compile {

/// Every tensor of a safetensors file (F32 or F64, rank 1 or 2; rank 1 reads as one row),
/// as float64 matrices by name. Fails (E0211) on an unreadable or malformed file.
[[nodiscard]] Result<std::map<std::string, Eigen::MatrixXd>> read_safetensors(
    const std::string& path);

/// `reference` with its weights replaced by those in the safetensors file at `path`: every
/// tensor `safetensors_bytes` writes for the reference must be there with the same shape,
/// and no other. When the config beside it (`config_path`, or default_config_path(path))
/// exists, its residual layout, vocabulary and max length must be the reference's. The
/// layout and output decoder stay the reference's. Fails with E0211 saying what differs.
[[nodiscard]] Result<Model> load_weights(const Model& reference, const std::string& path,
                                         const std::string& config_path = "");

}  // namespace rasp::compile

// lib/compile/forward.h - Our own evaluator of compiled weights, decoding through the residual layout.
#pragma once

#include <Eigen/Dense>
#include <span>

#include "lib/compile/model.h"
#include "lib/interp/evaluator.h"

namespace rasp::compile {

enum class Precision { Float64, Float32 };

/// The residual stream after the last layer, one row per position (row 0 is BOS), computed
/// with real softmax attention (max-subtracted) and ReLU MLPs in the given precision.
/// Fails (E0211) on a token outside the vocabulary or an input longer than max_len.
[[nodiscard]] Result<Eigen::MatrixXd> forward(const Model& model,
                                              std::span<const ir::Value> input,
                                              Precision precision = Precision::Float64);

/// The residual stream after every stage: the embedding (index 0), then for layer l (from 0)
/// its attention (index 2l+1) and its MLP (index 2l+2, equal to the previous one when the
/// layer has no MLP). The last entry is what `forward` returns. Fails as `forward` does.
[[nodiscard]] Result<std::vector<Eigen::MatrixXd>> forward_stages(
    const Model& model, std::span<const ir::Value> input,
    Precision precision = Precision::Float64);

/// The value of the output s-op at every non-BOS position of a residual stream.
[[nodiscard]] interp::Output decode(const Model& model, const Eigen::MatrixXd& residual);

/// forward + decode: the compiled model's answer in the interpreter's terms.
[[nodiscard]] Result<interp::Output> run_compiled(const Model& model,
                                                  std::span<const ir::Value> input,
                                                  Precision precision = Precision::Float64);

/// The worst decoding error over the non-BOS positions: for a categorical output the
/// largest distance of a value's score from its ideal 0 or 1, for a numerical one the
/// distance to the nearest value it can take. Decoding is right while this stays below
/// 0.5 (categorical) or half the smallest gap between values (numerical).
[[nodiscard]] double decode_error(const Model& model, const Eigen::MatrixXd& residual);

}  // namespace rasp::compile

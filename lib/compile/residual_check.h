// lib/compile/residual_check.h - Where a compiled model's residual stream leaves the interpreter's trace.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/compile/model.h"
#include "lib/interp/evaluator.h"

namespace rasp::compile {

/// The first place where an s-op read back from the residual stream differs from the
/// interpreter's value of it.
struct Divergence {
  int stage = 0;         ///< index into forward_stages: 0 embedding, 2l+1, 2l+2
  int layer = -1;        ///< from 0, as in the tensor names; -1 for the embedding
  std::string sublayer;  ///< "embedding", "attention" or "mlp"
  std::string sop;       ///< the s-op's name in the residual layout
  SourceRange range;     ///< where the program defines it
  int position = 0;      ///< from 0, BOS not counted
  ir::Value expected;    ///< the interpreter's value
  /// What the residual reads as: a value's repr, "nothing" (no one-hot direction above
  /// 0.5), "several of ..." or, for numbers, the nearest value with the raw reading.
  std::string found;
  /// Which directions were read: "one-hot", "numerical" or "selector-width BOS weight".
  std::string reading;
};

/// A program compiled for a vocabulary and max length, together with the layout plan behind
/// its residual stream, so the residual after every stage can be read s-op by s-op.
///
/// Each materialized s-op is checked from the stage that first writes one of its directions
/// (found in the reference weights): a one-hot reads as the values whose direction exceeds
/// 0.5 (a categorical aggregate reads as nothing where its selector selects no key), a
/// numerical direction as the nearest value of its value set, a selector width's scratch
/// direction (the weight its head leaves on BOS, 1/(w+1)) as the nearest such width.
class ResidualReader {
 public:
  /// Compiles as `compile` does (same arguments, same model); fails as it does.
  [[nodiscard]] static Result<ResidualReader> make(const ir::Program& program, ir::NodeId root,
                                                   const CompileOptions& options,
                                                   const ir::Schedule* schedule = nullptr);

  /// The reference model the layout belongs to.
  [[nodiscard]] const Model& model() const;

  /// The first stage, and in it the first s-op (in layout order) and position, where
  /// `stages` (forward_stages of a model with this layout, possibly other weights) reads
  /// otherwise than `trace` (the interpreter on the same input, no BOS). Nothing when every
  /// s-op agrees at every stage.
  [[nodiscard]] std::optional<Divergence> first_divergence(
      const std::vector<Eigen::MatrixXd>& stages, const interp::Trace& trace) const;

  ResidualReader(ResidualReader&&) noexcept;
  ResidualReader& operator=(ResidualReader&&) noexcept;
  ~ResidualReader();

  struct Impl;

 private:
  explicit ResidualReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> d_impl;
};

}  // namespace rasp::compile

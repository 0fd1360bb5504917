// lib/compile/export_transformerlens.h - A compiled model as a TransformerLens state dict, with its circuit.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/compile/export.h"
#include "lib/compile/model.h"
#include "lib/ir/program.h"

namespace rasp::compile {

/// The attention logit added, through the extra "pad" residual direction, to every key that
/// holds the PAD token: it keeps right-padded batches exact, because TransformerLens applies
/// no padding mask to bidirectional attention.
inline constexpr double kPadLogit = -1e6;

/// Everything `raspkit compile --format transformerlens` writes (docs/export.md).
struct TransformerLensExport {
  /// TransformerLens state-dict names and shapes: embed.W_E [d_vocab, d_model],
  /// pos_embed.W_pos [n_ctx, d_model], blocks.{l}.attn.W_Q|W_K|W_V [n_heads, d_model, d_head],
  /// W_O [n_heads, d_head, d_model], b_Q|b_K|b_V [n_heads, d_head], b_O [d_model],
  /// blocks.{l}.mlp.W_in [d_model, d_mlp], b_in [d_mlp], W_out [d_mlp, d_model],
  /// b_out [d_model], unembed.W_U [d_model, d_vocab_out], b_U [d_vocab_out].
  std::vector<Tensor> tensors;
  /// HookedTransformerConfig keyword arguments, plus a "raspkit" entry (pop it first) that
  /// states the padding and the conventions.
  nlohmann::ordered_json config;
  /// Ground truth: every node's components and residual directions, and the edges.
  nlohmann::ordered_json circuit;
  /// Token ids (with BOS and PAD) and how to decode the output.
  nlohmann::ordered_json vocab;
};

/// Builds the export of `model`, compiled from `root` of `program`. Every block gets the
/// same n_heads, d_head and d_mlp (TransformerLens's shapes): missing heads, narrower heads
/// and narrower MLPs are zero-padded. The residual gains one "pad" direction (the last).
[[nodiscard]] TransformerLensExport to_transformerlens(const Model& model,
                                                       const ir::Program& program,
                                                       ir::NodeId root);

/// Writes dir/model.safetensors, dir/config.json, dir/circuit.json and dir/vocab.json,
/// creating `dir`. Fails with E0211 when something cannot be written.
[[nodiscard]] Result<void> write_transformerlens(const TransformerLensExport& exported,
                                                 const std::string& dir,
                                                 TensorType type = TensorType::F32);

}  // namespace rasp::compile

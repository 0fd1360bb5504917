// lib/compile/compile.cpp - The compiler's driver: blocks, layers, layout, weights.
#include "lib/compile/detail/plan.h"

namespace rasp::compile {

std::size_t Model::parameter_count() const {
  auto size = [](const Eigen::MatrixXd& m) { return static_cast<std::size_t>(m.size()); };
  std::size_t n = size(token_embedding) + size(position_embedding);
  for (const Layer& l : layers) {
    for (const AttentionHead& h : l.heads) n += size(h.w_q) + size(h.w_k) + size(h.w_v) + size(h.w_o);
    n += size(l.mlp.w_in) + size(l.mlp.w_out);
  }
  return n;
}

Result<Model> compile(const ir::Program& program, ir::NodeId root, const CompileOptions& options,
                      const ir::Schedule* schedule) {
  if (options.vocab.empty()) return fail(code::kInput, "the vocabulary is empty");
  if (options.max_len < 1) return fail(code::kInput, "the maximum length must be at least 1");
  auto lowered = detail::composite_to_tuples(program, root, options);
  if (!lowered) return tl::unexpected(lowered.error());
  std::optional<ir::Schedule> moved;
  if (schedule) {
    // The schedule names nodes of `program`: carry it over to the lowered copy.
    moved.emplace();
    moved->layers = schedule->layers;
    moved->heads_per_layer = schedule->heads_per_layer;
    for (const auto& [id, place] : schedule->placement) {
      if (id < lowered->old_to_new.size()) moved->placement[lowered->old_to_new[id]] = place;
    }
  }
  auto plan = detail::graph_to_blocks(lowered->program, lowered->root, options);
  if (!plan) return tl::unexpected(plan.error());
  if (auto ok = detail::blocks_to_layers(*plan, options, moved ? &*moved : nullptr); !ok) {
    return tl::unexpected(ok.error());
  }
  detail::Layout layout = detail::make_layout(*plan);
  return detail::blocks_to_weights(*plan, layout, options);
}

}  // namespace rasp::compile

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
  auto plan = detail::graph_to_blocks(program, root, options);
  if (!plan) return tl::unexpected(plan.error());
  if (auto ok = detail::blocks_to_layers(*plan, options, schedule); !ok) {
    return tl::unexpected(ok.error());
  }
  detail::Layout layout = detail::make_layout(*plan);
  return detail::blocks_to_weights(*plan, layout, options);
}

}  // namespace rasp::compile

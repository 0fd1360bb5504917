// lib/compile/compile.cpp - The compiler's driver: blocks, layers, layout, weights.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "lib/compile/detail/plan.h"
#include "lib/compile/witness.h"

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

namespace {

// Under sum aggregation an aggregate selecting w >= 2 keys is w times their mean: a product
// of two attention outputs (the mean and the weight 1/(w+1) a head leaves on BOS), which
// one MLP discretising one numerical operand cannot form exactly. Where at most one key is
// selected, sum and mean agree and the mean's construction is exact. Refused with a witness
// where one is found; otherwise each such aggregate becomes an obligation (AtMostOneKey,
// checked up to the length searched) that Z3 discharges as it does a categorical
// aggregate's, returned here as the caller's nodes.
Result<std::vector<Obligation>> sums_select_at_most_one(const ir::Program& program, ir::NodeId root,
                                                        const CompileOptions& options) {
  std::vector<Obligation> pending;
  for (ir::NodeId id : program.ancestors(root)) {
    const ir::Node& n = program.node(id);
    if (n.kind != ir::NodeKind::Aggregate) continue;
    if (selects_at_most_one(program, n.inputs[0], options.max_len)) continue;
    // Look for a witness even when the caller leaves the obligations to Z3 (witness_len
    // 0, as `raspkit compile` does): a refusal with an input is worth the search.
    int search_len = std::min(std::max(options.witness_len, CompileOptions{}.witness_len),
                              options.max_len);
    auto search = find_multi_select_witness(program, id, options.vocab, search_len,
                                            options.witness_budget, false);
    if (!search.witness) {
      pending.push_back(Obligation{detail::node_label(program, id), n.range,
                                   "the aggregate never selects two or more keys (under sum "
                                   "aggregation only one key's value can be read)",
                                   search.checked_len, id, Obligation::Kind::AtMostOneKey});
      continue;
    }
    std::string what = fmt::format(
        "cannot compile {} exactly under sum aggregation: it can select two or more keys, and "
        "a sum of several keys is their width times their mean, a product of two attention "
        "outputs that the compiler does not build (it compiles sums only where at most one "
        "key is selected)",
        detail::node_label(program, id));
    std::vector<std::string> notes{
        fmt::format("witness input: {}", interp::describe_input(*search.witness)),
        "use mean aggregation, or a selector that selects at most one key"};
    return tl::unexpected(Diagnostics{
        Diagnostic{Severity::Error, code::kUnsupported, std::move(what), n.range, std::move(notes)}});
  }
  return pending;
}

}  // namespace

namespace detail {

Result<Stages> compile_stages(const ir::Program& program, ir::NodeId root, const CompileOptions& options,
                              const ir::Schedule* schedule) {
  if (options.vocab.empty()) return fail(code::kInput, "the vocabulary is empty");
  if (options.max_len < 1) return fail(code::kInput, "the maximum length must be at least 1");
  std::vector<Obligation> sum_obligations;
  if (options.aggregation == interp::Aggregation::Sum) {
    auto pending = sums_select_at_most_one(program, root, options);
    if (!pending) return tl::unexpected(pending.error());
    sum_obligations = std::move(*pending);
  }
  auto lowered = composite_to_tuples(program, root, options);
  if (!lowered) return tl::unexpected(lowered.error());
  Stages out;
  out.lowered = std::make_unique<Lowered>(std::move(*lowered));
  const Lowered& low = *out.lowered;
  std::optional<ir::Schedule> moved;
  if (schedule) {
    // The schedule names nodes of `program`: carry it over to the lowered copy.
    moved.emplace();
    moved->layers = schedule->layers;
    moved->heads_per_layer = schedule->heads_per_layer;
    for (const auto& [id, place] : schedule->placement) {
      if (id < low.old_to_new.size()) moved->placement[low.old_to_new[id]] = place;
    }
  }
  auto plan = graph_to_blocks(low.program, low.root, options);
  if (!plan) return tl::unexpected(plan.error());
  if (auto ok = blocks_to_layers(*plan, options, moved ? &*moved : nullptr); !ok) {
    return tl::unexpected(ok.error());
  }
  out.plan = std::move(*plan);
  out.layout = make_layout(out.plan);
  auto model = blocks_to_weights(out.plan, out.layout, options);
  if (!model) return tl::unexpected(model.error());
  // The obligations, layout, heads and MLP units name nodes of the lowered copy: name the
  // caller's. A node the lowering made (a tuple-coded map) has none: -1, or left out.
  std::vector<std::optional<ir::NodeId>> caller(low.program.size());
  for (ir::NodeId old : program.ancestors(root)) {
    if (old < low.old_to_new.size() && low.old_to_new[old] < caller.size()) caller[low.old_to_new[old]] = old;
  }
  auto of = [&](long lowered) -> std::optional<ir::NodeId> {
    return lowered >= 0 && static_cast<std::size_t>(lowered) < caller.size() ? caller[static_cast<std::size_t>(lowered)]
                                                                              : std::nullopt;
  };
  for (Obligation& o : model->obligations) o.id = of(o.id).value_or(o.id);
  for (Direction& d : model->layout) d.node = of(d.node) ? static_cast<int>(*of(d.node)) : -1;
  for (Layer& layer : model->layers) {
    for (AttentionHead& head : layer.heads) {
      std::vector<ir::NodeId> ids;
      for (ir::NodeId x : head.node_ids) {
        if (auto o = of(x)) ids.push_back(*o);
      }
      head.node_ids = std::move(ids);
    }
    for (Mlp::Units& u : layer.mlp.units) u.node = of(u.node).value_or(std::numeric_limits<ir::NodeId>::max());
  }
  // A sum's own obligation, unless the categorical construction already states one.
  for (Obligation& o : sum_obligations) {
    bool stated = std::any_of(model->obligations.begin(), model->obligations.end(),
                              [&](const Obligation& m) { return m.id == o.id; });
    if (!stated) model->obligations.push_back(std::move(o));
  }
  out.model = std::move(*model);
  return out;
}

}  // namespace detail

Result<Model> compile(const ir::Program& program, ir::NodeId root, const CompileOptions& options,
                      const ir::Schedule* schedule) {
  auto stages = detail::compile_stages(program, root, options, schedule);
  if (!stages) return tl::unexpected(stages.error());
  return std::move(stages->model);
}

}  // namespace rasp::compile

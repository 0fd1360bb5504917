// lib/compile/residual_check.cpp - Reading every materialized s-op back from the residual after each stage.
#include "lib/compile/residual_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>

#include "lib/compile/detail/plan.h"

namespace rasp::compile {

using ir::NodeId;
using ir::NodeKind;
using ir::Value;

namespace {

enum class ProbeKind { OneHot, Numerical, WidthScratch };

/// One group of directions that together hold one s-op.
struct Probe {
  NodeId node = 0;
  ProbeKind kind = ProbeKind::OneHot;
  std::vector<int> dims;       ///< OneHot: per value of `values` (-1: none); else one
  std::vector<Value> values;   ///< OneHot: what each dim is the one-hot of; Numerical: the set
  Readout readout;             ///< Numerical
  std::optional<NodeId> empty_selector;  ///< a categorical aggregate's selector
  int stage = INT_MAX;         ///< the first stage that writes one of `dims`
};

bool nonzero(const Eigen::MatrixXd& m, int col) {
  return m.cols() > col && m.rows() > 0 && m.col(col).cwiseAbs().maxCoeff() > 0;
}

int write_stage(const Model& model, int dim) {
  if (nonzero(model.token_embedding, dim) || nonzero(model.position_embedding, dim)) {
    return 0;
  }
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const Layer& layer = model.layers[l];
    for (const AttentionHead& h : layer.heads) {
      if (nonzero(h.w_o, dim)) return 2 * static_cast<int>(l) + 1;
    }
    if (nonzero(layer.mlp.w_out, dim)) return 2 * static_cast<int>(l) + 2;
  }
  return INT_MAX;
}

std::optional<std::size_t> index_of(const std::vector<Value>& values, const Value& v) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].identical(v)) return i;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == v) return i;
  }
  return std::nullopt;
}

const Value* nearest(const std::vector<Value>& values, double x) {
  const Value* best = nullptr;
  double gap = 0;
  for (const Value& v : values) {
    if (v.is_string()) continue;
    double d = std::abs(v.to_double() - x);
    if (!best || d < gap) {
      best = &v;
      gap = d;
    }
  }
  return best;
}

}  // namespace

struct ResidualReader::Impl {
  const ir::Program* program = nullptr;
  Model model;
  std::vector<Probe> probes;

  /// Nothing when `probe` reads as the interpreter's value at residual row `row`, else what
  /// it reads as.
  std::optional<std::string> mismatch(const Probe& probe, const Eigen::MatrixXd& x,
                                      Eigen::Index row, const interp::Trace& trace) const {
    auto q = static_cast<std::size_t>(row - 1);
    const Value& expected = trace.column(probe.node)[q];
    switch (probe.kind) {
      case ProbeKind::OneHot: {
        std::vector<std::size_t> hot;
        for (std::size_t v = 0; v < probe.dims.size(); ++v) {
          if (probe.dims[v] >= 0 && x(row, probe.dims[v]) > 0.5) hot.push_back(v);
        }
        std::optional<std::size_t> want = index_of(probe.values, expected);
        if (probe.empty_selector && trace.has(*probe.empty_selector)) {
          const interp::Matrix& m = trace.matrix(*probe.empty_selector);
          bool any = false;
          for (std::size_t k = 0; k < m.n; ++k) any = any || m.at(q, k);
          if (!any) want.reset();  // the default: no value direction is written
        }
        if (want ? hot == std::vector<std::size_t>{*want} : hot.empty()) return std::nullopt;
        if (hot.empty()) return std::string("nothing");
        if (hot.size() == 1) return probe.values[hot[0]].repr();
        std::vector<std::string> names;
        for (std::size_t v : hot) names.push_back(probe.values[v].repr());
        return fmt::format("several of {}", fmt::join(names, ", "));
      }
      case ProbeKind::Numerical: {
        double r = 0;
        for (auto [d, c] : probe.readout) r += c * x(row, d);
        const Value* v = nearest(probe.values, r);
        if (v && *v == expected) return std::nullopt;
        return fmt::format("{} (reading {:.6g})", v ? v->repr() : "no value", r);
      }
      case ProbeKind::WidthScratch: {
        double s = x(row, probe.dims[0]);
        int max_width = model.max_len;
        int w = s <= 0 ? max_width + 1 : static_cast<int>(std::lround(1.0 / s - 1.0));
        w = std::clamp(w, 0, max_width + 1);
        if (w <= max_width && Value::integer(w) == expected) return std::nullopt;
        return fmt::format("{} (BOS weight {:.6g})",
                           w <= max_width ? std::to_string(w) : "no width", s);
      }
    }
    return std::nullopt;
  }
};

ResidualReader::ResidualReader(std::unique_ptr<Impl> impl) : d_impl(std::move(impl)) {}
ResidualReader::ResidualReader(ResidualReader&&) noexcept = default;
ResidualReader& ResidualReader::operator=(ResidualReader&&) noexcept = default;
ResidualReader::~ResidualReader() = default;

const Model& ResidualReader::model() const { return d_impl->model; }

Result<ResidualReader> ResidualReader::make(const ir::Program& program, NodeId root,
                                            const CompileOptions& options,
                                            const ir::Schedule* schedule) {
  // The same stages as compile(), keeping the plan and layout the model is made from. The
  // plan is of the lowered copy; probes name the caller's nodes, whose trace they read.
  auto stages = detail::compile_stages(program, root, options, schedule);
  if (!stages) return tl::unexpected(stages.error());
  const detail::Plan& plan = stages->plan;
  const detail::Layout& layout = stages->layout;
  const detail::Lowered& low = *stages->lowered;
  std::vector<std::optional<NodeId>> to_old(low.program.size());
  for (NodeId old = 0; old < low.old_to_new.size(); ++old) to_old[low.old_to_new[old]] = old;

  auto impl = std::make_unique<Impl>();
  impl->program = &program;
  impl->model = std::move(stages->model);
  auto stage_of = [&](const std::vector<int>& dims) {
    int s = INT_MAX;
    for (int d : dims) {
      if (d >= 0) s = std::min(s, write_stage(impl->model, d));
    }
    return s;
  };
  for (NodeId id = 0; id < program.size() && id < low.old_to_new.size(); ++id) {
    NodeId at = low.old_to_new[id];
    const ir::Node& n = low.program.node(at);
    const detail::SopPlan& s = plan.sops[at];
    if (!s.needed || low.program.is_selector(at)) continue;
    if (auto it = layout.cat_dims.find(at); it != layout.cat_dims.end()) {
      Probe p;
      p.node = id;
      p.kind = ProbeKind::OneHot;
      p.dims = it->second;
      bool copies = n.kind == NodeKind::Aggregate && !s.numeric_mean;
      p.values = copies ? plan.sets.of(n.inputs[1]) : plan.sets.of(at);
      if (copies) p.empty_selector = to_old[n.inputs[0]];
      p.stage = stage_of(p.dims);
      impl->probes.push_back(std::move(p));
    }
    if (auto it = layout.num_dim.find(at); it != layout.num_dim.end()) {
      Probe p;
      p.node = id;
      p.kind = ProbeKind::Numerical;
      p.dims = {it->second};
      p.values = plan.sets.of(at);
      p.readout = detail::numeric_readout(plan, layout, at);
      p.stage = stage_of(p.dims);
      impl->probes.push_back(std::move(p));
    }
    if (auto it = layout.scratch_dim.find(at);
        it != layout.scratch_dim.end() && n.kind == NodeKind::SelectorWidth) {
      Probe p;
      p.node = id;
      p.kind = ProbeKind::WidthScratch;
      p.dims = {it->second};
      p.stage = stage_of(p.dims);
      impl->probes.push_back(std::move(p));
    }
  }
  std::erase_if(impl->probes, [](const Probe& p) { return p.stage == INT_MAX; });
  return ResidualReader(std::move(impl));
}

std::optional<Divergence> ResidualReader::first_divergence(
    const std::vector<Eigen::MatrixXd>& stages, const interp::Trace& trace) const {
  const Impl& impl = *d_impl;
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const Eigen::MatrixXd& x = stages[s];
    for (const Probe& probe : impl.probes) {
      if (probe.stage > static_cast<int>(s) || !trace.has(probe.node)) continue;
      for (Eigen::Index row = 1; row < x.rows(); ++row) {
        auto found = impl.mismatch(probe, x, row, trace);
        if (!found) continue;
        Divergence d;
        d.stage = static_cast<int>(s);
        d.layer = s == 0 ? -1 : static_cast<int>((s - 1) / 2);
        d.sublayer = s == 0 ? "embedding" : (s % 2 == 1 ? "attention" : "mlp");
        const ir::Node& n = impl.program->node(probe.node);
        d.sop = detail::node_label(*impl.program, probe.node);
        d.range = n.range;
        d.position = static_cast<int>(row - 1);
        d.expected = trace.column(probe.node)[static_cast<std::size_t>(row - 1)];
        d.found = std::move(*found);
        d.reading = probe.kind == ProbeKind::OneHot     ? "one-hot"
                    : probe.kind == ProbeKind::Numerical ? "numerical"
                                                         : "selector-width BOS weight";
        return d;
      }
    }
  }
  return std::nullopt;
}

}  // namespace rasp::compile

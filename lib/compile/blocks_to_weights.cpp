// lib/compile/blocks_to_weights.cpp - Embeddings, attention heads and MLPs as dense matrices.
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>

#include "lib/compile/detail/plan.h"

namespace rasp::compile::detail {

using ir::NodeId;
using ir::NodeKind;
using ir::Value;

namespace {

std::size_t index_of(const ValueSet& set, const Value& v) {
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (set[i].identical(v)) return i;
  }
  return set.size();
}

template <typename Vector>
void add_to(Vector&& column, const Readout& r, double scale = 1.0) {
  for (auto [d, c] : r) column(d) += c * scale;
}

Readout scaled(Readout r, double s) {
  for (auto& p : r) p.second *= s;
  return r;
}

Readout plus(Readout a, const Readout& b, double s = 1.0) {
  for (auto [d, c] : b) a.emplace_back(d, c * s);
  return a;
}

// Hidden units of one MLP being built: input readouts and output vectors.
struct HiddenUnits {
  std::vector<Readout> in;
  std::vector<Readout> out;
  void add(Readout i, Readout o) {
    if (o.empty()) return;
    in.push_back(std::move(i));
    out.push_back(std::move(o));
  }
};

class WeightBuilder {
 public:
  WeightBuilder(const Plan& plan, const Layout& layout, const CompileOptions& options)
      : d_plan(plan), d_program(*plan.program), d_layout(layout), d_options(options) {}

  Result<Model> run() {
    d_model.layout = d_layout.dims;
    d_model.max_len = d_options.max_len;
    d_model.attention_leak = d_options.attention_leak;
    d_model.obligations = d_plan.obligations;
    for (const Value& v : d_options.vocab) {
      bool seen = std::any_of(d_model.vocab.begin(), d_model.vocab.end(),
                              [&](const Value& w) { return w.identical(v); });
      if (!seen) d_model.vocab.push_back(v);
    }
    for (NodeId id = 0; id < d_program.size(); ++id) {
      if (d_plan.sops[id].needed && d_program.node(id).kind == NodeKind::Tokens) {
        d_model.token_type = d_program.node(id).token_type;
      }
    }
    tolerances();
    embeddings();
    d_model.layers.resize(static_cast<std::size_t>(d_plan.layers));
    for (int layer = 1; layer <= d_plan.layers; ++layer) {
      Layer& l = d_model.layers[static_cast<std::size_t>(layer - 1)];
      std::vector<const AttentionBlock*> blocks;
      for (const AttentionBlock& b : d_plan.attention) {
        if (b.layer == layer) blocks.push_back(&b);
      }
      std::sort(blocks.begin(), blocks.end(),
                [](const AttentionBlock* a, const AttentionBlock* b) { return a->head < b->head; });
      // Aggregates of one selector in one layer share a head: same logits, values side by side.
      std::vector<std::vector<const AttentionBlock*>> groups;
      for (const AttentionBlock* b : blocks) {
        auto same = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
          return !b->width && !g[0]->width &&
                 d_program.node(g[0]->node).inputs[0] == d_program.node(b->node).inputs[0];
        });
        if (same == groups.end()) {
          groups.push_back({b});
        } else {
          same->push_back(b);
        }
      }
      for (const auto& g : groups) l.heads.push_back(head(g));
      HiddenUnits units;
      for (const FunctionBlock& f : d_plan.functions) {
        if (f.layer != layer) continue;
        int begin = static_cast<int>(units.in.size());
        if (auto ok = mlp_function(f, units); !ok) return tl::unexpected(ok.error());
        l.mlp.nodes.push_back(node_label(d_program, f.node));
        l.mlp.units.push_back({f.node, begin, static_cast<int>(units.in.size()),
                               f.kind == FunctionKind::Map           ? "map"
                               : f.kind == FunctionKind::WidthDecode ? "width_decode"
                                                                     : "shadow"});
      }
      int hidden = static_cast<int>(units.in.size());
      l.mlp.w_in = Eigen::MatrixXd::Zero(d_model.d_model(), hidden);
      l.mlp.w_out = Eigen::MatrixXd::Zero(hidden, d_model.d_model());
      for (int h = 0; h < hidden; ++h) {
        add_to(l.mlp.w_in.col(h), units.in[static_cast<std::size_t>(h)]);
        add_to(l.mlp.w_out.row(h), units.out[static_cast<std::size_t>(h)]);
      }
    }
    decoder();
    return std::move(d_model);
  }

 private:
  int dims() const { return static_cast<int>(d_layout.dims.size()); }

  // Writes the representations of `id` for value `v` into an embedding row.
  template <typename Vector>
  void write_value(Vector&& row, NodeId id, const Value& v) {
    if (auto it = d_layout.cat_dims.find(id); it != d_layout.cat_dims.end()) {
      std::size_t i = index_of(d_plan.sets.of(id), v);
      if (i < it->second.size()) row(it->second[i]) += 1.0;
    }
    if (auto it = d_layout.num_dim.find(id); it != d_layout.num_dim.end() && v.is_number()) {
      row(it->second) += v.to_double();
    }
  }



  // Whether `id` or an ancestor of it is of `kind`: for every node at once, in id order
  // (operands first), on first use, so that a chain of maps tens of thousands long costs
  // neither recursion nor a walk per node.
  bool depends_on_kind(NodeId id, NodeKind kind) const {
    std::vector<char>& depends = d_depends[kind];
    if (depends.empty()) {
      depends.assign(d_program.size(), 0);
      for (NodeId at = 0; at < d_program.size(); ++at) {
        const ir::Node& n = d_program.node(at);
        depends[at] = n.kind == kind ||
                      std::any_of(n.inputs.begin(), n.inputs.end(), [&](NodeId in) { return depends[in] != 0; });
      }
    }
    return depends[id] != 0;
  }
  mutable std::map<NodeKind, std::vector<char>> d_depends;

  void embeddings() {
    int n_vocab = static_cast<int>(d_model.vocab.size());
    d_model.token_embedding = Eigen::MatrixXd::Zero(1 + n_vocab, dims());
    d_model.position_embedding = Eigen::MatrixXd::Zero(1 + d_options.max_len, dims());
    d_model.token_embedding(0, d_layout.bos) = 1.0;
    std::vector<NodeId> tokens, indices;
    for (NodeId id = 0; id < d_program.size(); ++id) {
      const SopPlan& s = d_plan.sops[id];
      if (!s.needed || !s.materialized) continue;
      if (d_program.node(id).kind == NodeKind::Tokens) tokens.push_back(id);
      if (d_program.node(id).kind == NodeKind::Indices) indices.push_back(id);
    }
    for (int t = 0; t < n_vocab; ++t) {
      auto row = d_model.token_embedding.row(1 + t);
      row(d_layout.one) = 1.0;
      std::map<NodeId, Value> known;
      for (NodeId id = 0; id < d_program.size(); ++id) {
        const ir::Node& n = d_program.node(id);
        if (!d_plan.sops[id].needed || n.kind != NodeKind::Tokens) continue;
        ir::ValueResult<Value> v = d_model.vocab[static_cast<std::size_t>(t)];
        switch (n.token_type) {
          case ir::TokenType::Str: v = ir::to_str(*v); break;
          case ir::TokenType::Int: v = ir::to_int(*v); break;
          case ir::TokenType::Float: v = ir::to_float(*v); break;
          case ir::TokenType::Bool: v = ir::to_bool(*v); break;
          case ir::TokenType::AsIs: break;
        }
        if (v) known.emplace(id, *v);
      }
      for (NodeId id : tokens) {
        if (known.count(id)) write_value(row, id, known.at(id));
      }
      for (NodeId id : d_plan.embedded_maps) {
        if (depends_on_kind(id, NodeKind::Indices)) continue;
        if (auto v = evaluate_through(d_program, id, known)) write_value(row, id, *v);
      }
    }
    for (int p = 1; p <= d_options.max_len; ++p) {
      auto row = d_model.position_embedding.row(p);
      std::map<NodeId, Value> known;
      for (NodeId id = 0; id < d_program.size(); ++id) {
        if (d_plan.sops[id].needed && d_program.node(id).kind == NodeKind::Indices) {
          known.emplace(id, Value::integer(p - 1));
        }
      }
      for (NodeId id : indices) write_value(row, id, Value::integer(p - 1));
      for (NodeId id : d_plan.embedded_maps) {
        if (!depends_on_kind(id, NodeKind::Indices)) continue;
        if (auto v = evaluate_through(d_program, id, known)) write_value(row, id, *v);
      }
    }
  }

  // The smallest distance between two numerically different values, and the largest |v|.
  static std::pair<double, double> gap_and_range(const ValueSet& set) {
    std::vector<double> xs;
    for (const Value& v : set) {
      if (v.is_number()) xs.push_back(v.to_double());
    }
    std::sort(xs.begin(), xs.end());
    double gap = 1.0, range = 0.0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      range = std::max(range, std::abs(xs[i]));
      if (i > 0 && xs[i] > xs[i - 1]) gap = std::min(gap, xs[i] - xs[i - 1]);
    }
    return {gap, range};
  }

  // The error each numerical mean's readout may carry. Discretising MLPs and the decoder
  // tolerate a quarter of the gaps of what they read; a mean keeps within an eighth of its
  // own gaps, and the terms of a linear map (or the values of a numerical mean, when those
  // carry errors of their own) within an eighth of that map's gaps, divided among them.
  void tolerances() {
    d_tolerance.assign(d_program.size(), std::numeric_limits<double>::infinity());
    for (NodeId id = static_cast<NodeId>(d_program.size()); id-- > 0;) {
      const SopPlan& s = d_plan.sops[id];
      if (!s.needed || d_program.is_selector(id)) continue;
      if (!s.linear && !s.numeric_mean) continue;
      double tol = std::min(d_tolerance[id], gap_and_range(d_plan.sets.of(id)).first / 8.0);
      d_tolerance[id] = tol;
      if (s.linear) {
        double weight = 0;
        for (const auto& [term, a] : s.terms) weight += std::abs(a);
        for (const auto& [term, a] : s.terms) {
          d_tolerance[term] = std::min(d_tolerance[term], tol / weight);
        }
      } else {
        NodeId values = d_program.node(id).inputs[1];
        const SopPlan& vs = d_plan.sops[values];
        if (vs.linear || vs.numeric_mean) {
          // Half for this head's own leak, half for the values' errors.
          d_tolerance[id] = tol / 2.0;
          d_tolerance[values] = std::min(d_tolerance[values], tol / 2.0);
        }
      }
    }
  }

  // The logit scale that keeps the leak of block `b` within what its readers tolerate.
  double logit_scale(const AttentionBlock& b) {
    const ir::Node& n = d_program.node(b.node);
    const SopPlan& s = d_plan.sops[b.node];
    double n_keys = d_options.max_len + 1.0;
    // Leak bound: every non-winning key sits at least `gap` logits below the winners, so
    // their total weight is at most (N+1) e^-gap. Derive the needed bound per head.
    double leak = d_options.attention_leak;
    if (b.width) {
      // 1/(w+1) must stay within a quarter of the smallest gap 1/(N(N+1)).
      leak = std::min(leak, 1.0 / (8.0 * d_options.max_len * (d_options.max_len + 1.0)));
    } else if (s.numeric_mean) {
      double range = gap_and_range(d_plan.sets.of(b.node)).second;
      leak = std::min(leak, d_tolerance[b.node] / (range + std::abs(n.value.to_double()) + 1.0));
    }
    double gap_units = b.width ? 1.0 : 0.5;
    return std::log(n_keys / leak) / gap_units;
  }

  AttentionHead head(const std::vector<const AttentionBlock*>& group) {
    const AttentionBlock& b = *group[0];
    auto m = static_cast<double>(b.parts.size());
    double scale = 0;
    AttentionHead h;
    for (const AttentionBlock* g : group) {
      scale = std::max(scale, logit_scale(*g));
      h.node += (h.node.empty() ? "" : ",") + node_label(d_program, g->node);
      h.node_ids.push_back(g->node);
    }
    h.logit_scale = scale;
    std::vector<Readout> qf, kf;
    for (const PredicatePart& p : b.parts) {
      const ValueSet& qv = d_plan.sets.of(p.queries);
      const ValueSet& kv = d_plan.sets.of(p.keys);
      if (qv.size() <= kv.size()) {
        for (std::size_t a = 0; a < qv.size(); ++a) {
          Readout k;
          for (std::size_t c = 0; c < kv.size(); ++c) {
            if (p.matrix[a][c]) k = plus(k, indicator(d_plan, d_layout, p.keys, c));
          }
          if (k.empty()) continue;
          qf.push_back(scaled(indicator(d_plan, d_layout, p.queries, a), scale));
          kf.push_back(std::move(k));
        }
      } else {
        for (std::size_t c = 0; c < kv.size(); ++c) {
          Readout q;
          for (std::size_t a = 0; a < qv.size(); ++a) {
            if (p.matrix[a][c]) q = plus(q, indicator(d_plan, d_layout, p.queries, a), scale);
          }
          if (q.empty()) continue;
          qf.push_back(std::move(q));
          kf.push_back(indicator(d_plan, d_layout, p.keys, c));
        }
      }
    }
    // BOS: just below a full match for aggregates (so it wins only when nothing is
    // selected), level with a match for selector width (so it keeps 1/(w+1)); a BOS query
    // looks at BOS alone, keeping the BOS position's directions at zero.
    qf.push_back({{d_layout.one, scale}});
    kf.push_back({{d_layout.bos, b.width ? m : m - 0.5}});
    qf.push_back({{d_layout.bos, scale}});
    kf.push_back({{d_layout.bos, m}});
    int d_head = static_cast<int>(qf.size());
    h.w_q = Eigen::MatrixXd::Zero(dims(), d_head);
    h.w_k = Eigen::MatrixXd::Zero(dims(), d_head);
    for (int f = 0; f < d_head; ++f) {
      add_to(h.w_q.col(f), qf[static_cast<std::size_t>(f)]);
      add_to(h.w_k.col(f), kf[static_cast<std::size_t>(f)]);
    }
    std::vector<std::pair<Readout, int>> values;  // value readout -> output dimension
    for (const AttentionBlock* g : group) head_values(*g, values);
    int d_value = static_cast<int>(values.size());
    h.w_v = Eigen::MatrixXd::Zero(dims(), d_value);
    h.w_o = Eigen::MatrixXd::Zero(d_value, dims());
    for (int j = 0; j < d_value; ++j) {
      add_to(h.w_v.col(j), values[static_cast<std::size_t>(j)].first);
      h.w_o(j, values[static_cast<std::size_t>(j)].second) = 1.0;
    }
    return h;
  }

  void head_values(const AttentionBlock& b, std::vector<std::pair<Readout, int>>& values) {
    const ir::Node& n = d_program.node(b.node);
    const SopPlan& s = d_plan.sops[b.node];
    if (b.width) {
      values.emplace_back(Readout{{d_layout.bos, 1.0}}, d_layout.scratch_dim.at(b.node));
    } else if (s.numeric_mean) {
      values.emplace_back(numeric_readout(d_plan, d_layout, n.inputs[1]),
                          d_layout.num_dim.at(b.node));
      if (auto it = d_layout.scratch_dim.find(b.node); it != d_layout.scratch_dim.end()) {
        values.emplace_back(Readout{{d_layout.bos, 1.0}}, it->second);
      }
    } else {
      const std::vector<int>& out = d_layout.cat_dims.at(b.node);
      for (std::size_t j = 0; j < out.size(); ++j) {
        values.emplace_back(indicator(d_plan, d_layout, n.inputs[1], j), out[j]);
      }
    }
  }

  // Where the function's output value goes in the residual.
  Readout output_vector(const FunctionBlock& f, const std::optional<Value>& v) {
    Readout out;
    if (!v) return out;
    if (f.out_cat) {
      const std::vector<int>& dims = d_layout.cat_dims.at(f.node);
      std::size_t i = index_of(d_plan.sets.of(f.node), *v);
      if (i < dims.size()) out.emplace_back(dims[i], 1.0);
    }
    if (f.out_num && v->is_number()) {
      double x = v->to_double();
      if (x != 0.0) out.emplace_back(d_layout.num_dim.at(f.node), x);
    }
    return out;
  }

  Readout leaf_numeric(const Leaf& leaf) {
    if (leaf.width_scratch) {
      // Selector width: the weight on BOS, minus the BOS direction so BOS reads 0.
      return {{d_layout.scratch_dim.at(leaf.node), 1.0}, {d_layout.bos, -1.0}};
    }
    return numeric_readout(d_plan, d_layout, leaf.node);
  }

  Result<void> mlp_function(const FunctionBlock& f, HiddenUnits& units) {
    std::vector<std::size_t> cat_leaves;
    std::optional<std::size_t> num_leaf;
    for (std::size_t i = 0; i < f.leaves.size(); ++i) {
      if (f.leaves[i].cat) {
        cat_leaves.push_back(i);
      } else {
        num_leaf = i;
      }
    }
    std::size_t product = 1;
    for (std::size_t i : cat_leaves) product *= std::max<std::size_t>(1, f.leaves[i].values.size());
    if (product > d_options.max_value_set) {
      return fail(code::kLimit,
                  fmt::format("the MLP for {} would need a table of {} rows, over the limit of {}",
                              node_label(d_program, f.node), product, d_options.max_value_set),
                  d_program.node(f.node).range);
    }
    auto k = static_cast<double>(cat_leaves.size());
    // Numerical leaf: its distinct numbers in increasing order, each with every value of that
    // number (an integer 2 and a float 2.0 are one point of the residual, but a function such as
    // a list index may accept one and fault on the other).
    std::vector<std::vector<Value>> xs;
    if (num_leaf) {
      std::vector<Value> numbers;
      for (const Value& v : f.leaves[*num_leaf].values) {
        if (v.is_number()) numbers.push_back(v);
      }
      std::stable_sort(numbers.begin(), numbers.end(),
                       [](const Value& a, const Value& b) { return a.to_double() < b.to_double(); });
      for (const Value& v : numbers) {
        if (xs.empty() || xs.back().front().to_double() != v.to_double()) xs.emplace_back();
        xs.back().push_back(v);
      }
      if (xs.empty()) return {};
    }
    Readout x_readout = num_leaf ? leaf_numeric(f.leaves[*num_leaf]) : Readout{};
    std::vector<std::size_t> digit(cat_leaves.size(), 0);
    std::vector<Value> args(f.leaves.size());
    for (std::size_t row = 0; row < product; ++row) {
      // The tuple's gate: 1 when every categorical leaf holds its value, <= 0 otherwise.
      Readout gate{{d_layout.one, 1.0 - k}};
      bool empty = false;
      for (std::size_t j = 0; j < cat_leaves.size(); ++j) {
        const Leaf& leaf = f.leaves[cat_leaves[j]];
        if (leaf.values.empty()) {
          empty = true;
          break;
        }
        args[cat_leaves[j]] = leaf.values[digit[j]];
        gate = plus(gate, indicator(d_plan, d_layout, leaf.node, digit[j]));
      }
      if (!empty) {
        if (!num_leaf) {
          units.add(gate, output_vector(f, f.f(args)));
        } else {
          auto done = tabulate_numeric(f, units, gate, x_readout, xs, args, *num_leaf, k > 0);
          if (!done) return done;
        }
      }
      for (std::size_t j = 0; j < digit.size(); ++j) {
        if (++digit[j] < f.leaves[cat_leaves[j]].values.size()) break;
        digit[j] = 0;
      }
    }
    return {};
  }

  // f over one numerical leaf x (gated by a categorical tuple): f(x_1) plus, for each gap
  // between consecutive values, a ramp of slope 2/gap centred in the gap, so the step is
  // exactly 0 or 1 whenever x is within a quarter gap of a value it can take.
  // At a number several values share, f must give one result (as a number, if numbers) on all
  // that do not fault.
  Result<void> tabulate_numeric(const FunctionBlock& f, HiddenUnits& units, const Readout& gate,
                                const Readout& x, const std::vector<std::vector<Value>>& xs,
                                std::vector<Value>& args, std::size_t num_leaf, bool gated) {
    std::vector<Readout> outs;
    for (const auto& same : xs) {
      std::optional<Value> result;
      for (const Value& v : same) {
        args[num_leaf] = v;
        std::optional<Value> r = f.f(args);
        if (!r) continue;
        // The residual holds numbers: an integer 2 and a float 2.0 are one result there.
        bool agrees = result && (result->identical(*r) || (result->is_number() && r->is_number() &&
                                                            result->to_double() == r->to_double()));
        if (result && !agrees) {
          return fail(code::kUnsupported,
                      fmt::format("{} gives {} for {} but {} for {}, the same number in the residual stream",
                                  node_label(d_program, f.node), result->repr(), same.front().repr(),
                                  r->repr(), v.repr()),
                      d_program.node(f.node).range);
        }
        if (!result) result = r;
      }
      outs.push_back(output_vector(f, result));
    }
    units.add(gate, outs[0]);
    double lo = xs.front().front().to_double(), hi = xs.back().front().to_double();
    for (std::size_t i = 0; i + 1 < xs.size(); ++i) {
      Readout delta = plus(outs[i + 1], outs[i], -1.0);
      // Merge duplicate dimensions and drop zero steps.
      std::map<int, double> merged;
      for (auto [d, c] : delta) merged[d] += c;
      Readout step;
      for (auto [d, c] : merged) {
        if (c != 0.0) step.emplace_back(d, c);
      }
      if (step.empty()) continue;
      double a = xs[i].front().to_double(), b = xs[i + 1].front().to_double();
      double slope = 2.0 / (b - a);
      double mid = (a + b) / 2.0;
      // Off tuples push the ramp below zero everywhere on [lo, hi].
      double g = gated ? slope * (hi - lo) + 1.0 : 0.0;
      Readout pre = scaled(x, slope);
      pre.emplace_back(d_layout.one, -slope * mid);
      if (gated) pre = plus(pre, plus(gate, {{d_layout.one, -1.0}}), g);
      Readout up = plus(pre, {{d_layout.one, 0.5}});
      Readout down = plus(pre, {{d_layout.one, -0.5}});
      units.add(up, step);
      units.add(down, scaled(step, -1.0));
    }
    return {};
  }

  void decoder() {
    NodeId root = d_plan.root;
    Decoder& dec = d_model.output;
    dec.sop = node_label(d_program, root);
    const SopPlan& s = d_plan.sops[root];
    const ValueSet& set = d_plan.sets.of(root);
    if (s.cat) {
      dec.categorical = true;
      for (std::size_t v = 0; v < set.size(); ++v) {
        dec.values.push_back(set[v]);
        dec.readouts.push_back(indicator(d_plan, d_layout, root, v));
      }
    } else {
      dec.categorical = false;
      dec.numeric = numeric_readout(d_plan, d_layout, root);
      for (const Value& v : set) {
        if (v.is_number()) dec.values.push_back(v);
      }
      std::stable_sort(dec.values.begin(), dec.values.end(), [](const Value& a, const Value& b) {
        return a.to_double() < b.to_double();
      });
    }
  }

  const Plan& d_plan;
  const ir::Program& d_program;
  const Layout& d_layout;
  const CompileOptions& d_options;
  Model d_model;
  std::vector<double> d_tolerance;  ///< per node: the error its numerical readout may carry
};

}  // namespace

Result<Model> blocks_to_weights(const Plan& plan, const Layout& layout,
                                const CompileOptions& options) {
  return WeightBuilder(plan, layout, options).run();
}

}  // namespace rasp::compile::detail

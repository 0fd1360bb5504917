// lib/compile/blocks_to_layers.cpp - Layers and heads for attention, MLP placement of maps.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "lib/compile/detail/plan.h"

namespace rasp::compile::detail {

using ir::NodeId;
using ir::NodeKind;
using ir::Value;

namespace {

class Placer {
 public:
  Placer(Plan& plan, const CompileOptions& options, const ir::Schedule* schedule)
      : d_plan(plan), d_program(*plan.program), d_options(options), d_schedule(schedule) {}

  Result<void> run() {
    std::map<NodeId, AttentionBlock*> attention;
    for (AttentionBlock& b : d_plan.attention) attention[b.node] = &b;
    for (NodeId id = 0; id < d_program.size(); ++id) {
      SopPlan& s = d_plan.sops[id];
      if (!s.needed || d_program.is_selector(id)) continue;
      const ir::Node& n = d_program.node(id);
      switch (n.kind) {
        case NodeKind::Tokens:
        case NodeKind::Indices:
        case NodeKind::Constant:
          s.where = Where::Embed;
          s.stage = s.cat_stage = 0;
          break;
        case NodeKind::Map:
          place_map(id);
          break;
        case NodeKind::Aggregate:
        case NodeKind::SelectorWidth:
          place_attention(id, *attention.at(id));
          break;
        default:
          break;
      }
    }
    // Heads within a layer: the schedule's order when given, else node order.
    std::map<int, std::vector<AttentionBlock*>> by_layer;
    for (AttentionBlock& b : d_plan.attention) by_layer[b.layer].push_back(&b);
    for (auto& [layer, blocks] : by_layer) {
      std::stable_sort(blocks.begin(), blocks.end(), [&](AttentionBlock* a, AttentionBlock* b) {
        return scheduled_head(a->node) < scheduled_head(b->node);
      });
      for (std::size_t h = 0; h < blocks.size(); ++h) {
        blocks[h]->head = static_cast<int>(h);
        d_plan.sops[blocks[h]->node].head = static_cast<int>(h);
      }
    }
    return make_functions();
  }

 private:
  int scheduled_head(NodeId id) const {
    if (!d_schedule) return 0;
    auto it = d_schedule->placement.find(id);
    return it == d_schedule->placement.end() ? 0 : it->second.head;
  }

  // The non-map, non-constant nodes a map reads through chains of maps.
  // Without recursion (a chain of maps can be tens of thousands long), each node once.
  void base_leaves(NodeId id, std::set<NodeId>& out) const {
    // Marks kept between calls and cleared for just the nodes this call visited.
    d_marks.resize(d_program.size(), 0);
    std::vector<NodeId> stack = {id}, visited = {id};
    d_marks[id] = 1;
    while (!stack.empty()) {
      NodeId at = stack.back();
      stack.pop_back();
      const ir::Node& n = d_program.node(at);
      if (n.kind == NodeKind::Constant) continue;
      if (n.kind != NodeKind::Map) {
        out.insert(at);
        continue;
      }
      for (NodeId in : n.inputs) {
        if (d_marks[in]) continue;
        d_marks[in] = 1;
        visited.push_back(in);
        stack.push_back(in);
      }
    }
    for (NodeId v : visited) d_marks[v] = 0;
  }
  mutable std::vector<char> d_marks;

  // The stage at which `reader` can read `id` in the representation it will use.
  int stage_for(NodeId id, bool want_cat) const {
    const SopPlan& s = d_plan.sops[id];
    if (want_cat && s.cat) return s.cat_stage;
    if (!want_cat && s.num) return s.stage;
    return s.cat ? s.cat_stage : s.stage;
  }

  // A linear map is readable once all its terms are.
  void place_linear(NodeId id) {
    SopPlan& s = d_plan.sops[id];
    s.where = Where::Linear;
    s.stage = 0;
    for (const auto& [term, a] : s.terms) s.stage = std::max(s.stage, stage_for(term, false));
    s.cat_stage = s.stage;
    s.layer = (s.stage + 1) / 2;
  }

  void place_map(NodeId id) {
    SopPlan& s = d_plan.sops[id];
    if (s.linear) {
      place_linear(id);
      return;
    }
    std::set<NodeId> base;
    base_leaves(id, base);
    bool tokens_only = std::all_of(base.begin(), base.end(), [&](NodeId b) {
      return d_program.node(b).kind == NodeKind::Tokens;
    });
    bool indices_only = !base.empty() && std::all_of(base.begin(), base.end(), [&](NodeId b) {
      return d_program.node(b).kind == NodeKind::Indices;
    });
    if (tokens_only || indices_only) {
      s.where = Where::Embed;
      s.stage = s.cat_stage = 0;
      return;
    }
    // A selector width can be read in its own layer's MLP, through its head's BOS weight,
    // when the map then has at most one numerical leaf.
    int layer = map_layer(id, true);
    s.where = Where::Mlp;
    s.layer = layer;
    std::vector<NodeId> leaves;
    collect_leaves(id, layer, leaves);
    if (numeric_leaves(leaves, layer) > 1 || !fuse_width(leaves, layer)) {
      layer = map_layer(id, false);
      leaves.clear();
      collect_leaves(id, layer, leaves);
    }
    if (numeric_leaves(leaves, layer) > 1 && has_linear(leaves)) {
      // A linear leaf has no one-hot to convert to: stop fusing the maps of this layer
      // into this one, and read their one-hots in the next layer's MLP.
      std::vector<NodeId> later;
      collect_leaves(id, layer + 1, later);
      if (numeric_leaves(later, layer + 1) <= 1) {
        layer = layer + 1;
        leaves = std::move(later);
      }
    }
    if (numeric_leaves(leaves, layer) > 1) {
      // One MLP discretises one numerical operand: give the others a one-hot (a conversion
      // MLP after a numerical mean; maps and widths write both encodings) and read those.
      for (NodeId leaf : leaves) {
        SopPlan& ls = d_plan.sops[leaf];
        if (ls.cat || ls.linear) continue;  // map_function refuses what stays numerical
        ls.cat = true;
        if (d_program.node(leaf).kind == NodeKind::Aggregate) {
          ls.shadow = true;
          ls.cat_stage = mlp_stage(ls.layer);
        }
        layer = std::max(layer, first_mlp_layer_after(ls.cat_stage));
      }
    }
    s.where = Where::Mlp;
    s.layer = layer;
    s.stage = s.cat_stage = mlp_stage(layer);
    d_plan.layers = std::max(d_plan.layers, layer);
  }

  // Whether a map whose MLP would read a selector width off its head's scratch does so
  // (CompileOptions::width_fusion). Fused, the table has a row per width breakpoint for each
  // combination of the other leaves' values; decoded first, the width's MLP and the map's
  // table are each narrower as soon as there is another leaf.
  bool fuse_width(const std::vector<NodeId>& leaves, int layer) const {
    bool scratch = std::any_of(leaves.begin(), leaves.end(),
                               [&](NodeId leaf) { return reads_scratch(leaf, layer); });
    if (!scratch) return true;
    switch (d_options.width_fusion) {
      case WidthFusion::Always:
        return true;
      case WidthFusion::Never:
        return false;
      case WidthFusion::Auto:
        break;
    }
    return leaves.size() == 1;
  }

  bool has_linear(const std::vector<NodeId>& leaves) const {
    return std::any_of(leaves.begin(), leaves.end(),
                       [&](NodeId leaf) { return d_plan.sops[leaf].linear; });
  }

  int map_layer(NodeId id, bool width_scratch) const {
    int layer = 1;
    for (NodeId in : d_program.node(id).inputs) {
      const SopPlan& is = d_plan.sops[in];
      const ir::Node& inn = d_program.node(in);
      if (inn.kind == NodeKind::Constant) continue;
      if (inn.kind == NodeKind::Map && is.where == Where::Mlp) {
        layer = std::max(layer, is.layer);  // fused into the same MLP when equal
      } else if (inn.kind == NodeKind::SelectorWidth && width_scratch) {
        layer = std::max(layer, is.layer);
      } else {
        // The earliest representation; the leaf reads a one-hot if that exists by then.
        layer = std::max(layer, first_mlp_layer_after(is.stage));
      }
    }
    return layer;
  }

  bool reads_scratch(NodeId leaf, int layer) const {
    return d_program.node(leaf).kind == NodeKind::SelectorWidth && d_plan.sops[leaf].layer == layer;
  }

  int numeric_leaves(const std::vector<NodeId>& leaves, int layer) const {
    int numeric = 0;
    for (NodeId leaf : leaves) {
      const SopPlan& ls = d_plan.sops[leaf];
      if (reads_scratch(leaf, layer) || !(ls.cat && ls.cat_stage < mlp_stage(layer))) ++numeric;
    }
    return numeric;
  }

  void place_attention(NodeId id, AttentionBlock& block) {
    SopPlan& s = d_plan.sops[id];
    int layer = 1;
    for (const PredicatePart& p : block.parts) {
      layer = std::max(layer, first_attention_layer_after(stage_for(p.keys, true)));
      layer = std::max(layer, first_attention_layer_after(stage_for(p.queries, true)));
    }
    if (!block.width) {
      NodeId values = d_program.node(id).inputs[1];
      layer = std::max(layer, first_attention_layer_after(stage_for(values, s.cat)));
    }
    if (d_schedule) {
      auto it = d_schedule->placement.find(id);
      if (it != d_schedule->placement.end() && it->second.layer >= layer) layer = it->second.layer;
    }
    block.layer = layer;
    s.where = Where::Attention;
    s.layer = layer;
    if (block.width) {
      s.stage = s.cat_stage = mlp_stage(layer);
    } else {
      s.stage = attention_stage(layer);
      s.cat_stage = s.shadow ? mlp_stage(layer) : s.stage;
    }
    d_plan.layers = std::max(d_plan.layers, layer);
  }

  Result<void> make_functions() {
    std::set<NodeId> materialize{d_plan.root};
    for (const AttentionBlock& b : d_plan.attention) {
      for (const PredicatePart& p : b.parts) {
        materialize.insert(p.keys);
        materialize.insert(p.queries);
      }
      if (!b.width) materialize.insert(d_program.node(b.node).inputs[1]);
    }
    // Maps computed in an MLP: the root, attention operands and leaves of other MLP maps.
    // Leaves are found from users down, so walk the nodes in reverse topological order.
    std::vector<FunctionBlock> maps;
    for (NodeId id = static_cast<NodeId>(d_program.size()); id-- > 0;) {
      const SopPlan& s = d_plan.sops[id];
      if (!s.needed || d_program.is_selector(id)) continue;
      const ir::Node& n = d_program.node(id);
      if (n.kind == NodeKind::Map && s.where == Where::Mlp) {
        // A map used only by maps of its own MLP is fused into them.
        bool outside = materialize.count(id) > 0;
        if (!outside) continue;
        auto block = map_function(id);
        if (!block) return tl::unexpected(block.error());
        for (const Leaf& leaf : block->leaves) {
          if (!leaf.width_scratch) materialize.insert(leaf.node);
        }
        maps.push_back(std::move(*block));
      } else if (n.kind == NodeKind::Map && s.where == Where::Embed) {
        // An embedded map read by another embedded map is fused into its table.
      } else if (s.where == Where::Linear && materialize.count(id)) {
        for (const auto& [term, a] : s.terms) materialize.insert(term);
      }
    }
    for (NodeId id = 0; id < d_program.size(); ++id) {
      SopPlan& s = d_plan.sops[id];
      if (!s.needed || d_program.is_selector(id)) continue;
      const ir::Node& n = d_program.node(id);
      s.materialized = materialize.count(id) > 0 && n.kind != NodeKind::Constant && !s.linear;
      if (n.kind == NodeKind::Tokens) s.materialized = true;  // the input is always embedded
      if (n.kind == NodeKind::Map && s.where == Where::Embed && s.materialized) {
        d_plan.embedded_maps.push_back(id);
      }
    }
    std::reverse(maps.begin(), maps.end());
    for (FunctionBlock& b : maps) d_plan.functions.push_back(std::move(b));
    for (const AttentionBlock& b : d_plan.attention) {
      const SopPlan& s = d_plan.sops[b.node];
      if (b.width) {
        if (!materialize.count(b.node)) continue;  // only read through its scratch
        FunctionBlock f;
        f.kind = FunctionKind::WidthDecode;
        f.node = b.node;
        f.layer = b.layer;
        f.leaves.push_back(width_leaf(b.node));
        f.out_cat = s.cat;
        f.out_num = s.num;
        f.f = [](const std::vector<Value>& x) -> std::optional<Value> { return width_of(x[0]); };
        d_plan.functions.push_back(std::move(f));
      } else if (s.shadow) {
        FunctionBlock f;
        f.kind = FunctionKind::Shadow;
        f.node = b.node;
        f.layer = b.layer;
        f.leaves.push_back(Leaf{b.node, false, d_plan.sets.of(b.node), false});
        f.out_cat = true;
        f.f = [](const std::vector<Value>& x) -> std::optional<Value> { return x[0]; };
        d_plan.functions.push_back(std::move(f));
      }
    }
    return {};
  }

  Result<FunctionBlock> map_function(NodeId id) {
    const SopPlan& s = d_plan.sops[id];
    FunctionBlock block;
    block.kind = FunctionKind::Map;
    block.node = id;
    block.layer = s.layer;
    block.out_cat = s.cat;
    block.out_num = s.num;
    std::vector<NodeId> leaves;
    collect_leaves(id, s.layer, leaves);
    int numeric = numeric_leaves(leaves, s.layer);
    std::vector<std::uint8_t> scratch;
    for (NodeId leaf : leaves) {
      const SopPlan& ls = d_plan.sops[leaf];
      Leaf l{leaf, ls.cat && ls.cat_stage < mlp_stage(s.layer), d_plan.sets.of(leaf), false};
      if (reads_scratch(leaf, s.layer)) l = width_leaf(leaf);
      scratch.push_back(l.width_scratch ? 1 : 0);
      block.leaves.push_back(std::move(l));
    }
    if (numeric > 1) {
      const ir::Node& n = d_program.node(id);
      return fail(code::kUnsupported,
                  fmt::format("cannot compile {} exactly: it is a function of {} numerical "
                              "s-ops, and one MLP can only discretise one",
                              node_label(d_program, id), numeric),
                  n.range);
    }
    const ir::Program* program = &d_program;
    block.f = [program, id, leaves, scratch](const std::vector<Value>& x) -> std::optional<Value> {
      std::map<NodeId, Value> known;
      for (std::size_t i = 0; i < leaves.size(); ++i) {
        known.emplace(leaves[i], scratch[i] ? width_of(x[i]) : x[i]);
      }
      return evaluate_through(*program, id, known);
    };
    return block;
  }

  // The head of a selector width leaves 1/(w+1) on BOS.
  static Value width_of(const Value& bos_weight) {
    return Value::integer(bos_weight.den() / bos_weight.num() - 1);
  }

  Leaf width_leaf(NodeId width) const {
    Leaf leaf;
    leaf.node = width;
    leaf.cat = false;
    leaf.width_scratch = true;
    for (int w = 0; w <= d_options.max_len; ++w) leaf.values.push_back(*Value::rational(1, w + 1));
    return leaf;
  }



  // An embedded map of tokens alone or of indices alone, read by an MLP, is folded into
  // that MLP's table through its base when the base has no more values: the table is no
  // larger, and the map needs no directions of its own (tracr_sort's indices / 10).
  NodeId embedded_base(NodeId id) const {
    const SopPlan& s = d_plan.sops[id];
    if (d_program.node(id).kind != NodeKind::Map || s.where != Where::Embed) return id;
    std::set<NodeId> base;
    base_leaves(id, base);
    if (base.size() != 1) return id;
    NodeId b = *base.begin();
    NodeKind kind = d_program.node(b).kind;
    if (kind != NodeKind::Tokens && kind != NodeKind::Indices) return id;
    return d_plan.sets.of(b).size() <= d_plan.sets.of(id).size() ? b : id;
  }

  void collect_leaves(NodeId id, int layer, std::vector<NodeId>& out) const {
    for (NodeId in : d_program.node(id).inputs) {
      const ir::Node& n = d_program.node(in);
      const SopPlan& s = d_plan.sops[in];
      if (n.kind == NodeKind::Constant) continue;
      if (n.kind == NodeKind::Map && s.where == Where::Mlp && s.layer == layer) {
        collect_leaves(in, layer, out);
      } else if (NodeId leaf = embedded_base(in);
                 std::find(out.begin(), out.end(), leaf) == out.end()) {
        out.push_back(leaf);
      }
    }
  }

  Plan& d_plan;
  const ir::Program& d_program;
  const CompileOptions& d_options;
  const ir::Schedule* d_schedule;
};

}  // namespace

Result<void> blocks_to_layers(Plan& plan, const CompileOptions& options,
                              const ir::Schedule* schedule) {
  return Placer(plan, options, schedule).run();
}

}  // namespace rasp::compile::detail

// analyzers/cost_model_optimal.cpp - Exact head minimisation over the slack of each node.
//
// The problem: items (attention nodes, and Maps when MLP sublayers count) get slots
// (layers; or sublayers 2k = attention, 2k+1 = MLP of layer k+1). An item must come after
// the items it reads. The heads of a layer are the distinct head keys (selector node, or
// selector node of a selector_width) of its attention items, weighted by their cost.
#include "analyzers/cost_model_optimal.h"

#include <z3++.h>

#include <algorithm>
#include <cassert>
#include <map>
#include <numeric>

#include "analyzers/cost_model_rasp.h"

namespace rasp::analyze {
namespace {

struct Item {
  ir::NodeId node = 0;
  int parity = -1;  ///< MLP mode: 0 attention, 1 MLP; -1 in attention-only mode
  int tail = 0;     ///< extra slots before successors may read it (selector_width's MLP)
  int key = -1;     ///< head key index, -1 for MLP items
  std::vector<int> preds;
  int earliest = 0;
  int latest = 0;
};

struct Problem {
  bool mlp = false;
  std::vector<Item> items;
  std::vector<int> key_cost;
  std::vector<int> item_of;  ///< node -> item index or -1
  int min_layers = 0;
  std::vector<int> chain_end;  ///< the item whose earliest slot set min_layers (witness)

  [[nodiscard]] int layer_of(int slot) const { return mlp ? slot / 2 + 1 : slot; }
  [[nodiscard]] int first_slot() const { return mlp ? 0 : 1; }
  [[nodiscard]] int last_slot(int layers) const { return mlp ? 2 * layers - 1 : layers; }
  /// Smallest slot >= s an item of `parity` may take.
  [[nodiscard]] int up(int s, int parity) const {
    if (parity >= 0 && ((s % 2) + 2) % 2 != parity) ++s;
    return s;
  }
  [[nodiscard]] int down(int s, int parity) const {
    if (parity >= 0 && ((s % 2) + 2) % 2 != parity) --s;
    return s;
  }
};

Problem build_problem(const ir::Program& program, ir::NodeId root, const BoundsOptions& opts) {
  Problem pb;
  pb.mlp = opts.mlp_sublayers;
  pb.item_of.assign(program.size(), -1);
  std::vector<ir::NodeId> order = program.ancestors(root);
  std::map<std::pair<int, ir::NodeId>, int> keys;
  // reach[n]: the items n reads directly or through non-items, as a sorted vector.
  std::vector<std::vector<int>> reach(program.size());
  for (ir::NodeId id : order) {
    const ir::Node& n = program.node(id);
    std::vector<int> r;
    for (ir::NodeId i : n.inputs) {
      if (pb.item_of[i] >= 0) {
        r.push_back(pb.item_of[i]);
      } else {
        r.insert(r.end(), reach[i].begin(), reach[i].end());
      }
    }
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
    bool attention = ir::is_attention_kind(n.kind);
    bool is_item = attention || (pb.mlp && n.kind == ir::NodeKind::Map);
    if (!is_item) {
      reach[id] = std::move(r);
      continue;
    }
    Item it;
    it.node = id;
    it.preds = std::move(r);
    if (pb.mlp && fuses_into_operand(program, id)) {
      // Map(f, Map(g, x)) is Map(f . g, x), computed beside g from g's operands.
      for (ir::NodeId i : n.inputs) {
        if (pb.item_of[i] >= 0) it.preds = pb.items[pb.item_of[i]].preds;
      }
    }
    if (pb.mlp) it.parity = attention ? 0 : 1;
    if (pb.mlp && n.kind == ir::NodeKind::SelectorWidth) it.tail = 1;
    if (attention) {
      std::pair<int, ir::NodeId> k{n.kind == ir::NodeKind::SelectorWidth ? 1 : 0, n.inputs[0]};
      auto [pos, fresh] = keys.emplace(k, static_cast<int>(pb.key_cost.size()));
      if (fresh) pb.key_cost.push_back(attention_cost(program, id, opts.bos));
      it.key = pos->second;
    }
    pb.item_of[id] = static_cast<int>(pb.items.size());
    pb.items.push_back(std::move(it));
  }
  // Earliest slots, forwards (items are in topological order).
  int last = pb.first_slot() - 1;
  for (Item& it : pb.items) {
    int s = pb.first_slot();
    for (int p : it.preds) s = std::max(s, pb.items[p].earliest + pb.items[p].tail + 1);
    it.earliest = pb.up(s, it.parity);
    last = std::max(last, it.earliest + it.tail);
  }
  pb.min_layers = pb.items.empty() ? 0 : pb.layer_of(last);
  return pb;
}

/// Latest slots for `layers` layers, backwards.
void set_latest(Problem& pb, int layers) {
  for (Item& it : pb.items) it.latest = pb.down(pb.last_slot(layers) - it.tail, it.parity);
  for (int i = static_cast<int>(pb.items.size()) - 1; i >= 0; --i) {
    for (int p : pb.items[i].preds) {
      Item& q = pb.items[p];
      q.latest = std::min(q.latest, pb.down(pb.items[i].latest - q.tail - 1, q.parity));
    }
  }
}

struct Cost {
  int max_heads = 0;
  int total = 0;
  std::vector<int> per_layer;
};

Cost evaluate(const Problem& pb, const std::vector<int>& slot, int layers) {
  Cost c;
  c.per_layer.assign(layers, 0);
  std::vector<std::vector<char>> seen(layers + 1, std::vector<char>(pb.key_cost.size(), 0));
  for (std::size_t i = 0; i < pb.items.size(); ++i) {
    int k = pb.items[i].key;
    if (k < 0) continue;
    int l = pb.layer_of(slot[i]);
    if (!seen[l][k]) {
      seen[l][k] = 1;
      c.per_layer[l - 1] += pb.key_cost[k];
    }
  }
  for (int h : c.per_layer) {
    c.max_heads = std::max(c.max_heads, h);
    c.total += h;
  }
  return c;
}

/// Lower bounds on (max heads, total heads) for `layers` layers, from the latest/earliest
/// slots already set: every key costs at least once; the heads of keys forced into one
/// layer add up there; the total spreads over at most `layers` layers.
std::pair<int, int> simple_lower_bounds(const Problem& pb, int layers) {
  int total = std::accumulate(pb.key_cost.begin(), pb.key_cost.end(), 0);
  int max_heads = 0;
  for (int c : pb.key_cost) max_heads = std::max(max_heads, c);
  if (layers > 0) max_heads = std::max(max_heads, (total + layers - 1) / layers);
  std::vector<std::vector<char>> forced(layers + 1, std::vector<char>(pb.key_cost.size(), 0));
  std::vector<int> forced_heads(layers + 1, 0);
  for (const Item& it : pb.items) {
    if (it.key < 0 || pb.layer_of(it.earliest) != pb.layer_of(it.latest)) continue;
    int l = pb.layer_of(it.earliest);
    if (!forced[l][it.key]) {
      forced[l][it.key] = 1;
      forced_heads[l] += pb.key_cost[it.key];
    }
  }
  for (int h : forced_heads) max_heads = std::max(max_heads, h);
  return {max_heads, total};
}

struct Solution {
  std::vector<int> slot;
  Cost cost;
  bool proven = false;
};

/// The exact search: Z3 Optimize, lexicographically min max-heads then min total heads.
std::optional<Solution> solve_exact(const Problem& pb, int layers, unsigned timeout_ms) {
  try {
    z3::context ctx;
    z3::optimize opt(ctx);
    z3::params params(ctx);
    params.set("timeout", timeout_ms);
    opt.set(params);
    std::vector<z3::expr> t;
    for (std::size_t i = 0; i < pb.items.size(); ++i) {
      const Item& it = pb.items[i];
      t.push_back(ctx.int_const(("t" + std::to_string(i)).c_str()));
      opt.add(t[i] >= it.earliest && t[i] <= it.latest);
      if (it.parity >= 0) opt.add(z3::mod(t[i], 2) == it.parity);
      for (int p : it.preds) opt.add(t[i] >= t[p] + pb.items[p].tail + 1);
    }
    z3::expr max_heads = ctx.int_const("max_heads");
    z3::expr total = ctx.int_val(0);
    for (int l = 1; l <= layers; ++l) {
      // present[k]: some item of key k is in layer l.
      std::vector<z3::expr_vector> in_layer;
      for (std::size_t k = 0; k < pb.key_cost.size(); ++k) in_layer.emplace_back(ctx);
      for (std::size_t i = 0; i < pb.items.size(); ++i) {
        const Item& it = pb.items[i];
        if (it.key < 0 || pb.layer_of(it.earliest) > l || pb.layer_of(it.latest) < l) continue;
        int s = pb.mlp ? 2 * (l - 1) : l;
        in_layer[it.key].push_back(t[i] == s);
      }
      z3::expr heads = ctx.int_val(0);
      for (std::size_t k = 0; k < pb.key_cost.size(); ++k) {
        if (in_layer[k].empty()) continue;
        heads = heads + z3::ite(z3::mk_or(in_layer[k]), ctx.int_val(pb.key_cost[k]),
                                ctx.int_val(0));
      }
      opt.add(heads <= max_heads);
      total = total + heads;
    }
    opt.minimize(max_heads);
    opt.minimize(total);
    if (opt.check() != z3::sat) return std::nullopt;
    // A timeout leaves the best model found so far; z3 reports sat only once both
    // objectives are optimal, so an `unknown` never reaches here.
    z3::model m = opt.get_model();
    Solution s;
    for (std::size_t i = 0; i < pb.items.size(); ++i) {
      s.slot.push_back(m.eval(t[i], true).get_numeral_int());
    }
    s.cost = evaluate(pb, s.slot, layers);
    s.proven = true;
    return s;
  } catch (const z3::exception&) {
    return std::nullopt;
  }
}

Solution solve(Problem& pb, int layers, const BoundsOptions& opts) {
  set_latest(pb, layers);
  std::vector<int> asap, alap;
  for (const Item& it : pb.items) {
    asap.push_back(it.earliest);
    alap.push_back(it.latest);
  }
  Solution best{asap, evaluate(pb, asap, layers), false};
  Cost late = evaluate(pb, alap, layers);
  if (std::pair{late.max_heads, late.total} < std::pair{best.cost.max_heads, best.cost.total}) {
    best = Solution{alap, late, false};
  }
  auto [lb_max, lb_total] = simple_lower_bounds(pb, layers);
  if (best.cost.max_heads == lb_max && best.cost.total == lb_total) {
    best.proven = true;
    return best;
  }
  if (auto exact = solve_exact(pb, layers, opts.timeout_ms)) return *exact;
  return best;
}

Bounds to_bounds(const ir::Program& program, ir::NodeId root, const Problem& pb,
                 const Solution& sol, int layers) {
  Bounds b;
  b.model = CostModel::Optimal;
  b.layers = layers;
  b.heads_per_layer = sol.cost.per_layer;
  b.max_heads = sol.cost.max_heads;
  b.total_heads = sol.cost.total;
  if (pb.mlp) b.mlps_per_layer.assign(layers, 0);
  std::vector<std::map<int, int>> head_of_key(layers + 1);
  std::vector<int> next_head(layers + 1, 0);
  std::vector<int> layer(program.size(), 0);
  std::vector<char> absorbed = absorbed_maps(program, root);
  for (ir::NodeId id : program.ancestors(root)) {
    const ir::Node& n = program.node(id);
    int i = pb.item_of[id];
    if (i < 0) {
      // Not an item: runs in the MLP of the layer that produced its latest operand.
      for (ir::NodeId in : n.inputs) layer[id] = std::max(layer[id], layer[in]);
      if (!program.is_selector(id)) b.schedule.placement[id] = ir::Placement{layer[id], -1};
      continue;
    }
    const Item& it = pb.items[i];
    layer[id] = pb.layer_of(sol.slot[i] + it.tail);
    ir::Placement p{pb.layer_of(sol.slot[i]), -1};
    if (it.key >= 0) {
      auto [pos, fresh] = head_of_key[p.layer].emplace(it.key, next_head[p.layer]);
      if (fresh) next_head[p.layer] += pb.key_cost[it.key];
      p.head = pos->second;
    }
    if (pb.mlp && !absorbed[id] &&
        (n.kind == ir::NodeKind::Map || n.kind == ir::NodeKind::SelectorWidth)) {
      ++b.mlps_per_layer[layer[id] - 1];
      b.mlp_placement.emplace_back(id, layer[id]);
    }
    b.schedule.placement[id] = p;
  }
  b.schedule.layers = layers;
  b.schedule.heads_per_layer = b.heads_per_layer;
  // The witness: walk back from an item ending last through predecessors that are tight
  // against it in the as-early-as-possible slots.
  if (!pb.items.empty()) {
    int cur = 0;
    for (std::size_t i = 0; i < pb.items.size(); ++i) {
      const Item& it = pb.items[i];
      if (it.earliest + it.tail > pb.items[cur].earliest + pb.items[cur].tail) cur = int(i);
    }
    while (true) {
      b.critical_path.push_back(pb.items[cur].node);
      int next = -1;
      for (int p : pb.items[cur].preds) {
        const Item& q = pb.items[p];
        if (pb.up(q.earliest + q.tail + 1, pb.items[cur].parity) == pb.items[cur].earliest &&
            (next < 0 || q.earliest + q.tail > pb.items[next].earliest + pb.items[next].tail)) {
          next = p;
        }
      }
      if (next < 0) break;
      cur = next;
    }
    std::reverse(b.critical_path.begin(), b.critical_path.end());
  }
  // Lower bound from the witness alone: each step needs a later slot of its kind.
  int s = pb.first_slot() - 1;
  for (ir::NodeId id : b.critical_path) {
    const Item& it = pb.items[pb.item_of[id]];
    s = pb.up(s + 1, it.parity) + it.tail;
  }
  b.lower_bound = b.critical_path.empty() ? 0 : pb.layer_of(s);
  b.tight = sol.proven && b.layers == b.lower_bound;
  return b;
}

}  // namespace

std::optional<Bounds> optimal_bounds_with_layers(const ir::Program& program, ir::NodeId root,
                                                 int layers, const BoundsOptions& options) {
  Problem pb = build_problem(program, root, options);
  if (layers < pb.min_layers) return std::nullopt;
  Solution sol = solve(pb, layers, options);
  Bounds b = to_bounds(program, root, pb, sol, layers);
  // With more layers than the minimum the layer count is the caller's choice, not a bound.
  b.tight = sol.proven && b.lower_bound == pb.min_layers;
  return b;
}

Bounds optimal_bounds(const ir::Program& program, ir::NodeId root, const BoundsOptions& options) {
  Problem pb = build_problem(program, root, options);
  Solution sol = solve(pb, pb.min_layers, options);
  return to_bounds(program, root, pb, sol, pb.min_layers);
}

std::vector<FrontierPoint> pareto_frontier(const ir::Program& program, ir::NodeId root,
                                           const BoundsOptions& options) {
  Problem pb = build_problem(program, root, options);
  int floor = 0;
  for (int c : pb.key_cost) floor = std::max(floor, c);
  int greedy = rasp_bounds(program, root, options).layers;
  std::vector<FrontierPoint> out;
  int limit = pb.min_layers + static_cast<int>(pb.items.size());
  for (int layers = pb.min_layers; layers <= limit; ++layers) {
    Solution sol = solve(pb, layers, options);
    out.push_back({layers, sol.cost.max_heads, sol.cost.total, sol.proven});
    if (sol.cost.max_heads <= floor && layers >= greedy) break;
  }
  return out;
}

}  // namespace rasp::analyze

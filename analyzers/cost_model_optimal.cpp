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
    if (pb.mlp && fuses_into_operand(program, id)) {
      // Map(f, Map(g, x)) is Map(f . g, x): computed beside g, in the same MLP sublayer, so
      // it is the same item as g.
      for (ir::NodeId i : n.inputs) {
        if (pb.item_of[i] >= 0) pb.item_of[id] = pb.item_of[i];
      }
      continue;
    }
    Item it;
    it.node = id;
    it.preds = std::move(r);
    if (pb.mlp) it.parity = attention ? 0 : 1;
    if (pb.mlp && n.kind == ir::NodeKind::SelectorWidth) it.tail = 1;
    if (attention) {
      ir::NodeId selector = n.inputs[0];
      if (selector < opts.same_selector.size()) selector = opts.same_selector[selector];
      std::pair<int, ir::NodeId> k{n.kind == ir::NodeKind::SelectorWidth ? 1 : 0, selector};
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
/// slots already set. Total: every key costs at least once. Max heads: the dearest key;
/// and for every window of consecutive layers, the keys of the items that must run inside
/// it cost at least once there, spread over at most that many layers (an energy bound).
std::pair<int, int> simple_lower_bounds(const Problem& pb, int layers) {
  int total = std::accumulate(pb.key_cost.begin(), pb.key_cost.end(), 0);
  int max_heads = 0;
  for (int c : pb.key_cost) max_heads = std::max(max_heads, c);
  std::vector<int> seen(pb.key_cost.size(), -1);
  for (int a = 1; a <= layers; ++a) {
    for (int b = a; b <= layers; ++b) {
      int window = a * (layers + 1) + b;
      int energy = 0;
      for (const Item& it : pb.items) {
        if (it.key < 0 || seen[it.key] == window) continue;
        if (pb.layer_of(it.earliest) >= a && pb.layer_of(it.latest) <= b) {
          seen[it.key] = window;
          energy += pb.key_cost[it.key];
        }
      }
      int span = b - a + 1;
      max_heads = std::max(max_heads, (energy + span - 1) / span);
    }
  }
  return {max_heads, total};
}

struct Solution {
  std::vector<int> slot;
  Cost cost;
  bool proven = false;
};

/// List scheduling under a head budget: items in topological order, each in the layer
/// (within its slack, after its operands) that already holds its key, else the earliest
/// one with room. Nothing if some item finds no layer.
std::optional<std::vector<int>> list_schedule(const Problem& pb, int layers, int budget) {
  std::vector<int> slot(pb.items.size(), 0);
  std::vector<int> heads(layers + 1, 0);
  std::vector<std::vector<char>> has(layers + 1, std::vector<char>(pb.key_cost.size(), 0));
  for (std::size_t i = 0; i < pb.items.size(); ++i) {
    const Item& it = pb.items[i];
    int lo = it.earliest;
    for (int p : it.preds) lo = std::max(lo, slot[p] + pb.items[p].tail + 1);
    lo = pb.up(lo, it.parity);
    int step = it.parity >= 0 ? 2 : 1;
    int chosen = -1;
    if (it.key >= 0) {
      for (int s = lo; s <= it.latest && chosen < 0; s += step) {
        if (has[pb.layer_of(s)][it.key]) chosen = s;
      }
      for (int s = lo; s <= it.latest && chosen < 0; s += step) {
        if (heads[pb.layer_of(s)] + pb.key_cost[it.key] <= budget) chosen = s;
      }
    } else if (lo <= it.latest) {
      chosen = lo;
    }
    if (chosen < 0) return std::nullopt;
    slot[i] = chosen;
    if (it.key >= 0 && !has[pb.layer_of(chosen)][it.key]) {
      has[pb.layer_of(chosen)][it.key] = 1;
      heads[pb.layer_of(chosen)] += pb.key_cost[it.key];
    }
  }
  return slot;
}

/// The exact search as satisfiability: one Boolean per (item, allowed slot), precedence as
/// clauses, "key k present in layer l" implied by its items, and pseudo-Boolean budgets on
/// each layer's heads and on the total. Binary search on the budget of the widest layer,
/// then on the total; each answer of the SAT solver is a proof (unsat) or a schedule (sat).
class ExactSearch {
 public:
  ExactSearch(const Problem& pb, int layers, unsigned timeout_ms)
      : d_pb(pb), d_layers(layers), d_solver(d_ctx, "QF_FD") {
    z3::params params(d_ctx);
    params.set("timeout", timeout_ms);
    d_solver.set(params);
    const std::size_t n = pb.items.size();
    d_at.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Item& it = pb.items[i];
      z3::expr_vector one(d_ctx);
      for (int s = it.earliest; s <= it.latest; ++s) {
        if (it.parity >= 0 && ((s % 2) + 2) % 2 != it.parity) continue;
        d_at[i].emplace_back(s, d_ctx.bool_const(("x" + std::to_string(i) + "_" +
                                                  std::to_string(s)).c_str()));
        one.push_back(d_at[i].back().second);
      }
      d_solver.add(z3::mk_or(one));
      d_solver.add(z3::atmost(one, 1));
      for (int p : it.preds) {
        int gap = pb.items[p].tail + 1;
        for (const auto& [s, x] : d_at[i]) {
          z3::expr_vector before(d_ctx);
          for (const auto& [sp, xp] : d_at[p]) {
            if (sp + gap <= s) before.push_back(xp);
          }
          d_solver.add(z3::implies(x, z3::mk_or(before)));
        }
      }
    }
    // present[l][k]
    for (int l = 0; l <= layers; ++l) {
      d_present.emplace_back();
      for (std::size_t k = 0; k < pb.key_cost.size(); ++k) {
        d_present[l].push_back(d_ctx.bool_const(
            ("p" + std::to_string(l) + "_" + std::to_string(k)).c_str()));
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (pb.items[i].key < 0) continue;
      for (const auto& [s, x] : d_at[i]) {
        d_solver.add(z3::implies(x, d_present[pb.layer_of(s)][pb.items[i].key]));
      }
    }
  }

  /// Some schedule with every layer within `max_heads` and the total within `total`:
  /// the slots, std::nullopt when none exists, or an error when the solver gave up.
  std::optional<std::optional<std::vector<int>>> feasible(int max_heads, int total) {
    d_solver.push();
    z3::expr_vector all(d_ctx);
    std::vector<int> all_w;
    for (int l = 1; l <= d_layers; ++l) {
      z3::expr_vector layer(d_ctx);
      std::vector<int> w;
      for (std::size_t k = 0; k < d_pb.key_cost.size(); ++k) {
        layer.push_back(d_present[l][k]);
        w.push_back(d_pb.key_cost[k]);
        all.push_back(d_present[l][k]);
        all_w.push_back(d_pb.key_cost[k]);
      }
      if (!layer.empty()) d_solver.add(z3::pble(layer, w.data(), max_heads));
    }
    if (!all.empty()) d_solver.add(z3::pble(all, all_w.data(), total));
    z3::check_result r = d_solver.check();
    std::optional<std::optional<std::vector<int>>> out;
    if (r == z3::unsat) {
      out = std::optional<std::vector<int>>();
    } else if (r == z3::sat) {
      z3::model m = d_solver.get_model();
      std::vector<int> slot(d_pb.items.size(), 0);
      for (std::size_t i = 0; i < d_pb.items.size(); ++i) {
        for (const auto& [s, x] : d_at[i]) {
          if (m.eval(x, true).is_true()) slot[i] = s;
        }
      }
      out = std::optional<std::vector<int>>(std::move(slot));
    }
    d_solver.pop();
    return out;
  }

 private:
  const Problem& d_pb;
  int d_layers;
  z3::context d_ctx;
  z3::solver d_solver;
  std::vector<std::vector<std::pair<int, z3::expr>>> d_at;
  std::vector<std::vector<z3::expr>> d_present;
};

Solution solve(Problem& pb, int layers, const BoundsOptions& opts) {
  set_latest(pb, layers);
  auto [lb_max, lb_total] = simple_lower_bounds(pb, layers);
  std::vector<int> asap;
  for (const Item& it : pb.items) asap.push_back(it.earliest);
  Solution best{asap, evaluate(pb, asap, layers), false};
  auto consider = [&](const std::vector<int>& slot) {
    Cost c = evaluate(pb, slot, layers);
    if (std::pair{c.max_heads, c.total} < std::pair{best.cost.max_heads, best.cost.total}) {
      best = Solution{slot, c, false};
    }
  };
  std::vector<int> alap;
  for (const Item& it : pb.items) alap.push_back(it.latest);
  consider(alap);
  for (int budget = lb_max; budget < best.cost.max_heads; ++budget) {
    if (auto slot = list_schedule(pb, layers, budget)) {
      consider(*slot);
      break;
    }
  }
  if (best.cost.max_heads == lb_max && best.cost.total == lb_total) {
    best.proven = true;
    return best;
  }
  try {
    ExactSearch search(pb, layers, opts.timeout_ms);
    // Fewest heads in the widest layer: binary search in [lb_max, best].
    int lo = lb_max, hi = best.cost.max_heads;
    while (lo < hi) {
      int mid = lo + (hi - lo) / 2;
      auto r = search.feasible(mid, lb_total + mid * layers);
      if (!r) return best;  // the solver gave up: best stays unproven
      if (*r) {
        consider(**r);
        hi = std::min(mid, best.cost.max_heads);
      } else {
        lo = mid + 1;
      }
    }
    // Then the fewest in total with that widest layer.
    int tlo = lb_total, thi = best.cost.total;
    while (tlo < thi) {
      int mid = tlo + (thi - tlo) / 2;
      auto r = search.feasible(best.cost.max_heads, mid);
      if (!r) return best;
      if (*r) {
        consider(**r);
        thi = std::min(mid, best.cost.total);
      } else {
        tlo = mid + 1;
      }
    }
    best.proven = true;
  } catch (const z3::exception&) {
    best.proven = false;
  }
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

// lib/compile/composite_to_tuples.cpp - Or/not selectors over several s-ops as one select of tuple codes.
//
// Attention compares one key vector with one query vector, and a head's logit is bilinear in
// them: a predicate such as `k1 < q1 or (k1 == q1 and k2 < q2)` (the paper's sort) is no sum
// of per-pair terms, so it cannot be tested on the separate one-hots. This pass gives each
// such selector a key s-op and a query s-op that code the tuple of its key (query) s-ops as
// one integer (a map; an MLP writes its one-hot, or the embedding when the tuple is of tokens
// alone or of indices alone), and a Select over the two codes whose predicate is the
// original one, tabulated. Conjunctions of single-pair parts stay as they are: one head adds
// their logits. The copy computes exactly what the original does on every input.
#include <fmt/format.h>

#include <algorithm>

#include "lib/compile/detail/plan.h"

namespace rasp::compile::detail {

using ir::NodeId;
using ir::NodeKind;
using ir::Value;

namespace {

class Lowering {
 public:
  Lowering(const ir::Program& program, NodeId root, const CompileOptions& options)
      : d_program(program), d_root(root), d_options(options) {}

  // Nodes keep their ids (the copy starts as the whole program); a lowered selector and
  // the nodes above it are added anew, so only they get new ids.
  Result<Lowered> run() {
    Lowered out;
    out.program = d_program;
    out.root = d_root;
    out.old_to_new.resize(d_program.size());
    for (NodeId id = 0; id < d_program.size(); ++id) out.old_to_new[id] = id;
    std::vector<NodeId> order = d_program.ancestors(d_root);
    if (std::none_of(order.begin(), order.end(), [&](NodeId id) { return needs_tuples(id); })) {
      return out;
    }
    for (NodeId id : order) {
      if (needs_tuples(id)) {
        if (!d_sets) {
          ValueSetOptions vo;
          vo.vocab = d_options.vocab;
          vo.max_len = d_options.max_len;
          vo.max_size = d_options.max_value_set;
          auto sets = infer_value_sets(d_program, d_root, vo);
          if (!sets) return tl::unexpected(sets.error());
          d_sets = std::move(*sets);
        }
        auto lowered = lower(id, out);
        if (!lowered) return tl::unexpected(lowered.error());
        out.old_to_new[id] = *lowered;
        continue;
      }
      ir::Node n = d_program.node(id);
      bool moved = false;
      for (NodeId& in : n.inputs) {
        moved = moved || out.old_to_new[in] != in;
        in = out.old_to_new[in];
      }
      if (moved) out.old_to_new[id] = out.program.add(std::move(n));
    }
    out.root = out.old_to_new[d_root];
    return out;
  }

 private:
  // The key and the query s-ops the Selects under `sel` read.
  void operands(NodeId sel, std::vector<NodeId>& keys, std::vector<NodeId>& queries) const {
    const ir::Node& n = d_program.node(sel);
    if (n.kind == NodeKind::Select) {
      if (std::find(keys.begin(), keys.end(), n.inputs[0]) == keys.end()) keys.push_back(n.inputs[0]);
      if (std::find(queries.begin(), queries.end(), n.inputs[1]) == queries.end()) {
        queries.push_back(n.inputs[1]);
      }
      return;
    }
    for (NodeId in : n.inputs) operands(in, keys, queries);
  }

  // An or/not whose Selects read more than one key or query s-op (an and of such parts is
  // a sum of logits; an and under an or/not is part of the or/not).
  bool needs_tuples(NodeId id) const {
    NodeKind kind = d_program.node(id).kind;
    if (kind != NodeKind::SelectorOr && kind != NodeKind::SelectorNot) return false;
    std::vector<NodeId> keys, queries;
    operands(id, keys, queries);
    return keys.size() > 1 || queries.size() > 1;
  }

  // The selector's verdict given the values of its key and query s-ops.
  bool holds(NodeId sel, const std::map<NodeId, Value>& keys,
             const std::map<NodeId, Value>& queries) const {
    const ir::Node& n = d_program.node(sel);
    switch (n.kind) {
      case NodeKind::Select: {
        Value vars[2] = {keys.at(n.inputs[0]), queries.at(n.inputs[1])};
        auto v = ir::evaluate(*n.expr, vars);
        return v && v->truthy();
      }
      case NodeKind::SelectorAnd:
        return holds(n.inputs[0], keys, queries) && holds(n.inputs[1], keys, queries);
      case NodeKind::SelectorOr:
        return holds(n.inputs[0], keys, queries) || holds(n.inputs[1], keys, queries);
      case NodeKind::SelectorNot:
        return !holds(n.inputs[0], keys, queries);
      default:
        return false;
    }
  }

  // Every combination of the s-ops' values, the first s-op varying slowest.
  static std::vector<std::map<NodeId, Value>> combinations(const std::vector<NodeId>& sops,
                                                           const std::vector<const ValueSet*>& sets) {
    std::vector<std::map<NodeId, Value>> out{{}};
    for (std::size_t i = 0; i < sops.size(); ++i) {
      std::vector<std::map<NodeId, Value>> next;
      for (const auto& prefix : out) {
        for (const Value& v : *sets[i]) {
          auto m = prefix;
          m.emplace(sops[i], v);
          next.push_back(std::move(m));
        }
      }
      out = std::move(next);
    }
    return out;
  }

  // A map coding the tuple of `sops` as sum_i index_i * stride_i (one s-op: itself).
  NodeId tuple_code(const std::vector<NodeId>& sops, const std::vector<const ValueSet*>& sets,
                    const ir::Node& selector, const std::string& side, Lowered& out) {
    if (sops.size() == 1) return out.old_to_new[sops[0]];
    ir::Expr code;
    std::int64_t stride = 1;
    for (std::size_t i = sops.size(); i-- > 0;) {
      std::vector<Value> indices;
      for (std::size_t j = 0; j < sets[i]->size(); ++j) {
        indices.push_back(Value::integer(static_cast<std::int64_t>(j)));
      }
      ir::Expr index = ir::make_lookup(ir::make_var(static_cast<int>(i)), ir::TableKind::Dict,
                                       *sets[i], std::move(indices));
      ir::Expr term = stride == 1 ? index
                                  : ir::make_binary(ir::BinaryOp::Mul, index,
                                                    ir::make_const(Value::integer(stride)));
      code = code ? ir::make_binary(ir::BinaryOp::Add, term, code) : term;
      stride *= static_cast<std::int64_t>(sets[i]->size());
    }
    ir::Node n;
    n.kind = NodeKind::Map;
    n.expr = std::move(code);
    n.encoding = ir::Encoding::Categorical;
    n.range = selector.range;
    std::vector<std::string> names;
    for (NodeId s : sops) {
      n.inputs.push_back(out.old_to_new[s]);
      names.push_back(node_label(d_program, s));
    }
    n.name = fmt::format("{}_tuple({})", side, fmt::join(names, ","));
    return out.program.add(std::move(n));
  }

  Result<NodeId> lower(NodeId id, Lowered& out) {
    const ir::Node& sel = d_program.node(id);
    std::vector<NodeId> keys, queries;
    operands(id, keys, queries);
    auto sets_of = [&](const std::vector<NodeId>& sops) {
      std::vector<const ValueSet*> sets;
      for (NodeId s : sops) sets.push_back(&d_sets->of(s));
      return sets;
    };
    std::vector<const ValueSet*> key_sets = sets_of(keys), query_sets = sets_of(queries);
    // The tuple one-hots and the predicate table grow with the products: refuse early.
    auto product = [&](const std::vector<const ValueSet*>& sets) {
      std::size_t p = 1;
      for (const ValueSet* s : sets) {
        p *= std::max<std::size_t>(1, s->size());
        if (p > d_options.max_value_set) return p;
      }
      return p;
    };
    std::size_t nk = product(key_sets), nq = product(query_sets);
    if (nk > d_options.max_value_set || nq > d_options.max_value_set) {
      bool key_side = nk > d_options.max_value_set;
      const auto& sops = key_side ? keys : queries;
      std::vector<std::string> names;
      for (NodeId s : sops) names.push_back(node_label(d_program, s));
      return fail(code::kLimit,
                  fmt::format("this composite selector tests its {} s-ops {} together, and their "
                              "value combinations number {} or more, over the limit of {}",
                              key_side ? "key" : "query", fmt::join(names, ", "),
                              key_side ? nk : nq, d_options.max_value_set),
                  sel.range);
    }
    if (nk * nq > 256 * d_options.max_value_set) {
      return fail(code::kLimit,
                  fmt::format("this composite selector's predicate would be tabulated over {} "
                              "(key, query) value combinations, over the limit of {}",
                              nk * nq, 256 * d_options.max_value_set),
                  sel.range);
    }
    NodeId key_code = tuple_code(keys, key_sets, sel, "key", out);
    NodeId query_code = tuple_code(queries, query_sets, sel, "query", out);
    // The predicate on (key code, query code), as a list indexed by key * |Q| + query. A
    // single s-op on one side keeps its own values: index them with a dict first.
    auto combos_k = combinations(keys, key_sets);
    auto combos_q = combinations(queries, query_sets);
    std::vector<Value> table;
    table.reserve(combos_k.size() * combos_q.size());
    for (const auto& k : combos_k) {
      for (const auto& q : combos_q) table.push_back(Value::boolean(holds(id, k, q)));
    }
    auto side_index = [&](int var, const std::vector<NodeId>& sops,
                          const std::vector<const ValueSet*>& sets) {
      if (sops.size() > 1) return ir::make_var(var);
      std::vector<Value> indices;
      for (std::size_t j = 0; j < sets[0]->size(); ++j) {
        indices.push_back(Value::integer(static_cast<std::int64_t>(j)));
      }
      return ir::make_lookup(ir::make_var(var), ir::TableKind::Dict, *sets[0], std::move(indices));
    };
    ir::Expr index = ir::make_binary(
        ir::BinaryOp::Add,
        ir::make_binary(ir::BinaryOp::Mul, side_index(0, keys, key_sets),
                        ir::make_const(Value::integer(static_cast<std::int64_t>(nq)))),
        side_index(1, queries, query_sets));
    ir::Node n;
    n.kind = NodeKind::Select;
    n.inputs = {key_code, query_code};
    n.expr = ir::make_lookup(std::move(index), ir::TableKind::List, {}, std::move(table));
    n.name = sel.name;
    n.range = sel.range;
    return out.program.add(std::move(n));
  }

  const ir::Program& d_program;
  NodeId d_root;
  const CompileOptions& d_options;
  std::optional<ValueSets> d_sets;
};

}  // namespace

Result<Lowered> composite_to_tuples(const ir::Program& program, NodeId root,
                                    const CompileOptions& options) {
  return Lowering(program, root, options).run();
}

}  // namespace rasp::compile::detail

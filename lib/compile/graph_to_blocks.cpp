// lib/compile/graph_to_blocks.cpp - Encodings, attention predicates and compile hazards of a program.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "lib/compile/detail/plan.h"
#include "lib/compile/witness.h"
#include "lib/interp/evaluator.h"

namespace rasp::compile::detail {

using ir::NodeId;
using ir::NodeKind;
using ir::Value;

std::string node_label(const ir::Program& program, NodeId id) {
  const ir::Node& n = program.node(id);
  if (!n.name.empty()) return n.name;
  return fmt::format("{}#{}", ir::node_kind_name(n.kind), id);
}

std::optional<Value> evaluate_through(const ir::Program& program, NodeId id,
                                      std::map<NodeId, Value>& known) {
  if (auto it = known.find(id); it != known.end()) return it->second;
  // The maps and constants `id` is made of, found without recursion (a chain of maps can be
  // tens of thousands long), then evaluated in id order, which puts operands first.
  std::vector<NodeId> stack = {id}, maps;
  std::set<NodeId> seen = {id};
  while (!stack.empty()) {
    NodeId at = stack.back();
    stack.pop_back();
    const ir::Node& n = program.node(at);
    if (known.count(at) || n.kind == NodeKind::Constant) continue;
    if (n.kind != NodeKind::Map) return std::nullopt;
    maps.push_back(at);
    for (NodeId in : n.inputs) {
      if (seen.insert(in).second) stack.push_back(in);
    }
  }
  if (maps.empty()) return program.node(id).value;  // a constant
  std::sort(maps.begin(), maps.end());
  for (NodeId at : maps) {
    const ir::Node& n = program.node(at);
    std::vector<Value> vars;
    for (NodeId in : n.inputs) {
      const ir::Node& operand = program.node(in);
      vars.push_back(operand.kind == NodeKind::Constant && !known.count(in) ? operand.value : known.at(in));
    }
    auto v = ir::evaluate(*n.expr, vars);
    if (!v) return std::nullopt;
    known.emplace(at, std::move(*v));
  }
  return known.at(id);
}

namespace {

bool numeric_set(const ValueSet& set) {
  return !set.empty() &&
         std::none_of(set.begin(), set.end(), [](const Value& v) { return v.is_string(); }) &&
         !std::all_of(set.begin(), set.end(), [](const Value& v) { return v.is_bool(); });
}

class Builder {
 public:
  Builder(const ir::Program& program, NodeId root, const CompileOptions& options)
      : d_program(program), d_root(root), d_options(options) {}

  Result<Plan> run() {
    ValueSetOptions vo;
    vo.vocab = d_options.vocab;
    vo.max_len = d_options.max_len;
    vo.max_size = d_options.max_value_set;
    auto sets = infer_value_sets(d_program, d_root, vo);
    if (!sets) return tl::unexpected(sets.error());
    d_plan.program = &d_program;
    d_plan.root = d_root;
    d_plan.sets = std::move(*sets);
    d_plan.sops.resize(d_program.size());
    if (d_program.is_selector(d_root)) {
      return refuse(d_root, "a selector is not an s-op: compile an s-op that uses it");
    }
    for (NodeId id : d_program.ancestors(d_root)) {
      d_plan.sops[id].needed = true;
      if (auto ok = encode(id); !ok) return tl::unexpected(ok.error());
    }
    for (NodeId id : d_program.ancestors(d_root)) mark_linear(id);
    // Representations consumers need but the producer does not make by itself.
    for (NodeId id : d_program.ancestors(d_root)) {
      SopPlan& s = d_plan.sops[id];
      if (!s.needed || d_program.is_selector(id) || !s.need_cat || s.cat) continue;
      const ir::Node& n = d_program.node(id);
      if (n.kind == NodeKind::Aggregate) {
        s.shadow = true;  // a conversion MLP right after the attention
      }
      s.cat = true;  // maps and widths write both encodings from the same hidden units
    }
    return std::move(d_plan);
  }

 private:
  tl::unexpected<Diagnostics> refuse(NodeId id, const std::string& why,
                                     std::vector<std::string> notes = {}) {
    const ir::Node& n = d_program.node(id);
    Diagnostic d{Severity::Error, code::kUnsupported,
                 fmt::format("cannot compile {} exactly: {}", node_label(d_program, id), why),
                 n.range, std::move(notes)};
    return tl::unexpected(Diagnostics{std::move(d)});
  }

  Result<void> encode(NodeId id) {
    const ir::Node& n = d_program.node(id);
    SopPlan& s = d_plan.sops[id];
    switch (n.kind) {
      case NodeKind::Tokens:
      case NodeKind::Indices:
        s.cat = true;
        return {};
      case NodeKind::Constant:
        s.cat = true;
        s.num = n.value.is_number();
        return {};
      case NodeKind::Map:
      case NodeKind::SelectorWidth:
        if (n.encoding == ir::Encoding::Numerical) {
          if (!numeric_set(d_plan.sets.of(id)) && !d_plan.sets.of(id).empty()) {
            return refuse(id, "a numerical s-op must hold numbers");
          }
          s.num = true;
        } else {
          s.cat = true;
        }
        if (n.kind == NodeKind::SelectorWidth) return attention_parts(id, n.inputs[0], true);
        return {};
      case NodeKind::Aggregate:
        return encode_aggregate(id, n);
      default:
        return {};  // selectors: handled by the attention that reads them
    }
  }

  // A map that is linear in numbers and reads a numerical-only s-op (a numerical mean, a
  // numerical map, another linear map) becomes a readout of its operands, as tracr
  // compiles a LinearSequenceMap: a lookup table over such operands would need a row per
  // combination of their values (issue 4: shuffle_dyck's round_bal - curly_bal). Maps
  // that an attention reads as keys or queries need a one-hot and stay tables, as do maps
  // of tokens alone or indices alone (folded into the embedding).
  void mark_linear(NodeId id) {
    const ir::Node& n = d_program.node(id);
    SopPlan& s = d_plan.sops[id];
    if (n.kind != NodeKind::Map || n.encoding == ir::Encoding::Categorical || s.need_cat) return;
    auto form = linear_form(n.expr, n.inputs.size());
    if (!form || !numeric_readable(d_plan.sets.of(id))) return;
    std::map<NodeId, double> terms;
    bool numerical_operand = false;
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      NodeId in = n.inputs[i];
      const ir::Node& operand = d_program.node(in);
      double a = form->coefficients[i];
      if (operand.kind == NodeKind::Constant) {
        if (!operand.value.is_number()) return;
        form->constant += a * operand.value.to_double();
        continue;
      }
      if (!numeric_readable(d_plan.sets.of(in))) return;
      if (a == 0.0) continue;
      const SopPlan& is = d_plan.sops[in];
      if (is.linear || (is.num && !is.cat)) numerical_operand = true;
      terms[in] += a;
    }
    if (!numerical_operand) return;
    s.linear = true;
    s.cat = false;
    s.num = true;
    s.terms.assign(terms.begin(), terms.end());
    s.constant = form->constant;
  }

  static bool numeric_readable(const ValueSet& set) {
    return !set.empty() &&
           std::none_of(set.begin(), set.end(), [](const Value& v) { return v.is_string(); });
  }

  Result<void> encode_aggregate(NodeId id, const ir::Node& n) {
    SopPlan& s = d_plan.sops[id];
    NodeId selector = n.inputs[0];
    NodeId values = n.inputs[1];
    const ValueSet& vs = d_plan.sets.of(values);
    bool numeric = numeric_set(vs);
    bool one = selects_at_most_one(d_program, selector, d_options.max_len);
    if (n.encoding == ir::Encoding::Numerical || (numeric && !one &&
                                                  n.encoding != ir::Encoding::Categorical)) {
      if (!numeric) {
        return refuse(id, "a numerical aggregate must average numbers, and its values are not "
                          "numbers");
      }
      if (!n.value.is_number()) {
        return refuse(id, fmt::format("the default {} of a numerical aggregate must be a number",
                                      n.value.repr()));
      }
      s.num = true;
      s.numeric_mean = true;
    } else {
      s.cat = true;
      d_plan.sops[values].need_cat = true;
      if (!one) {
        // Averaging one-hot vectors is only right when at most one key is selected (or,
        // for numbers, when the selected keys agree).
        auto search = find_multi_select_witness(d_program, id, d_options.vocab,
                                                std::min(d_options.witness_len, d_options.max_len),
                                                d_options.witness_budget, numeric);
        std::string what = numeric ? "select two keys holding different values"
                                   : "select two or more keys of non-numeric values";
        if (search.witness) {
          return refuse(id,
                        fmt::format("this categorical aggregate can {}, which one-hot attention "
                                    "cannot average",
                                    what),
                        {fmt::format("witness input: {}",
                                     interp::describe_input(*search.witness))});
        }
        d_plan.obligations.push_back(
            Obligation{node_label(d_program, id), n.range,
                       fmt::format("the aggregate never can {}", what), search.checked_len, id,
                       numeric ? Obligation::Kind::SelectedValuesEqual
                               : Obligation::Kind::AtMostOneKey});
      }
    }
    return attention_parts(id, selector, false);
  }

  // The selector's predicate as conjuncts over one key and one query s-op each.
  Result<void> attention_parts(NodeId node, NodeId selector, bool width) {
    AttentionBlock block;
    block.node = node;
    block.width = width;
    std::vector<NodeId> conjuncts;
    flatten_and(selector, conjuncts);
    auto single = operands(selector);
    if (single.first.size() == 1 && single.second.size() == 1) conjuncts = {selector};
    for (NodeId c : conjuncts) {
      auto [keys, queries] = operands(c);
      if (keys.size() != 1 || queries.size() != 1) {
        return refuse(node,
                      "its selector combines several key or query s-ops with or/not, which one "
                      "attention head cannot test (only conjunctions of such parts)");
      }
      // A map of tokens alone or of indices alone is read through its base's one-hot,
      // with the map folded into the predicate: it needs no directions of its own.
      NodeId key_sop = *keys.begin();
      NodeId query_sop = *queries.begin();
      PredicatePart part;
      part.keys = embedded_base(key_sop);
      part.queries = embedded_base(query_sop);
      d_plan.sops[part.keys].need_cat = true;
      d_plan.sops[part.queries].need_cat = true;
      const ValueSet& kv = d_plan.sets.of(part.keys);
      const ValueSet& qv = d_plan.sets.of(part.queries);
      auto through = [&](NodeId sop, NodeId base, const Value& v) {
        std::map<NodeId, Value> known{{base, v}};
        return evaluate_through(d_program, sop, known);
      };
      part.matrix.assign(qv.size(), std::vector<std::uint8_t>(kv.size(), 0));
      for (std::size_t a = 0; a < qv.size(); ++a) {
        auto q = through(query_sop, part.queries, qv[a]);
        if (!q) continue;
        for (std::size_t b = 0; b < kv.size(); ++b) {
          auto k = through(key_sop, part.keys, kv[b]);
          part.matrix[a][b] = k && holds(c, *k, *q) ? 1 : 0;
        }
      }
      block.parts.push_back(std::move(part));
    }
    d_plan.attention.push_back(std::move(block));
    return {};
  }

  // The one tokens or indices node a map reads through maps and constants, else `sop`.
  NodeId embedded_base(NodeId sop) {
    if (d_program.node(sop).kind != NodeKind::Map) return sop;
    std::set<NodeId> bases;
    std::vector<NodeId> stack{sop};
    while (!stack.empty()) {
      NodeId n = stack.back();
      stack.pop_back();
      const ir::Node& node = d_program.node(n);
      if (node.kind == NodeKind::Map) {
        stack.insert(stack.end(), node.inputs.begin(), node.inputs.end());
      } else if (node.kind != NodeKind::Constant) {
        bases.insert(n);
      }
    }
    if (bases.size() != 1) return sop;
    NodeKind kind = d_program.node(*bases.begin()).kind;
    return kind == NodeKind::Tokens || kind == NodeKind::Indices ? *bases.begin() : sop;
  }

  void flatten_and(NodeId sel, std::vector<NodeId>& out) {
    const ir::Node& n = d_program.node(sel);
    if (n.kind == NodeKind::SelectorAnd) {
      flatten_and(n.inputs[0], out);
      flatten_and(n.inputs[1], out);
    } else {
      out.push_back(sel);
    }
  }

  std::pair<std::set<NodeId>, std::set<NodeId>> operands(NodeId sel) {
    const ir::Node& n = d_program.node(sel);
    if (n.kind == NodeKind::Select) return {{n.inputs[0]}, {n.inputs[1]}};
    std::pair<std::set<NodeId>, std::set<NodeId>> out;
    for (NodeId in : n.inputs) {
      auto sub = operands(in);
      out.first.insert(sub.first.begin(), sub.first.end());
      out.second.insert(sub.second.begin(), sub.second.end());
    }
    return out;
  }

  // The selector's verdict for one key value and one query value (every Select in it
  // reads the same key and query s-ops when this is called).
  bool holds(NodeId sel, const Value& key, const Value& query) {
    const ir::Node& n = d_program.node(sel);
    switch (n.kind) {
      case NodeKind::Select: {
        Value vars[2] = {key, query};
        auto v = ir::evaluate(*n.expr, vars);
        return v && v->truthy();
      }
      case NodeKind::SelectorAnd:
        return holds(n.inputs[0], key, query) && holds(n.inputs[1], key, query);
      case NodeKind::SelectorOr:
        return holds(n.inputs[0], key, query) || holds(n.inputs[1], key, query);
      case NodeKind::SelectorNot:
        return !holds(n.inputs[0], key, query);
      default:
        return false;
    }
  }

  const ir::Program& d_program;
  NodeId d_root;
  const CompileOptions& d_options;
  Plan d_plan;
};

}  // namespace

Result<Plan> graph_to_blocks(const ir::Program& program, NodeId root,
                             const CompileOptions& options) {
  return Builder(program, root, options).run();
}

}  // namespace rasp::compile::detail

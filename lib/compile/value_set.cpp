// lib/compile/value_set.cpp - Value-set inference by enumeration, with exact rational means.
#include "lib/compile/value_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace rasp::compile {

using ir::NodeId;
using ir::NodeKind;
using ir::Value;

void insert_value(ValueSet& set, const Value& v) {
  auto it = std::lower_bound(set.begin(), set.end(), v,
                             [](const Value& a, const Value& b) { return a.total_less(b); });
  if (it != set.end() && it->identical(v)) return;
  set.insert(it, v);
}

namespace {

std::string describe(const ir::Node& node) {
  return node.name.empty() ? std::string(ir::node_kind_name(node.kind))
                           : fmt::format("'{}'", node.name);
}


// The values of a node that depends on indices alone (through maps and constants), per
// index 0..n-1; nothing when it depends on anything else or fails somewhere.
std::optional<std::vector<Value>> column_over_indices(const ir::Program& program, NodeId id,
                                                      int n) {
  const ir::Node& node = program.node(id);
  std::vector<Value> out;
  switch (node.kind) {
    case NodeKind::Indices:
      for (int i = 0; i < n; ++i) out.push_back(Value::integer(i));
      return out;
    case NodeKind::Constant:
      return std::vector<Value>(static_cast<std::size_t>(n), node.value);
    case NodeKind::Map: {
      std::vector<std::vector<Value>> cols;
      for (NodeId in : node.inputs) {
        auto c = column_over_indices(program, in, n);
        if (!c) return std::nullopt;
        cols.push_back(std::move(*c));
      }
      std::vector<Value> vars(cols.size());
      for (int i = 0; i < n; ++i) {
        for (std::size_t a = 0; a < cols.size(); ++a) vars[a] = cols[a][static_cast<std::size_t>(i)];
        auto v = ir::evaluate(*node.expr, vars);
        if (!v) return std::nullopt;
        out.push_back(*v);
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

std::optional<LinearForm> linear_of(const ir::ExprNode& e, std::size_t arity) {
  auto constant = [&](const ir::ExprNode& c) -> std::optional<double> {
    if (c.op != ir::ExprOp::Const || !c.value.is_number() || c.value.is_bool()) return std::nullopt;
    return c.value.to_double();
  };
  switch (e.op) {
    case ir::ExprOp::Const: {
      auto c = constant(e);
      if (!c) return std::nullopt;
      return LinearForm{std::vector<double>(arity, 0.0), *c};
    }
    case ir::ExprOp::Var: {
      if (e.var < 0 || static_cast<std::size_t>(e.var) >= arity) return std::nullopt;
      LinearForm f{std::vector<double>(arity, 0.0), 0.0};
      f.coefficients[static_cast<std::size_t>(e.var)] = 1.0;
      return f;
    }
    case ir::ExprOp::Neg: {
      auto f = linear_of(*e.args[0], arity);
      if (!f) return std::nullopt;
      for (double& a : f->coefficients) a = -a;
      f->constant = -f->constant;
      return f;
    }
    case ir::ExprOp::Binary:
      break;
    default:
      return std::nullopt;
  }
  const ir::ExprNode& l = *e.args[0];
  const ir::ExprNode& r = *e.args[1];
  auto scale = [](LinearForm f, double s) {
    for (double& a : f.coefficients) a *= s;
    f.constant *= s;
    return f;
  };
  switch (e.bop) {
    case ir::BinaryOp::Add:
    case ir::BinaryOp::Sub: {
      auto a = linear_of(l, arity);
      auto b = linear_of(r, arity);
      if (!a || !b) return std::nullopt;
      double sign = e.bop == ir::BinaryOp::Add ? 1.0 : -1.0;
      for (std::size_t i = 0; i < arity; ++i) a->coefficients[i] += sign * b->coefficients[i];
      a->constant += sign * b->constant;
      return a;
    }
    case ir::BinaryOp::Mul: {
      if (auto c = constant(l)) {
        auto f = linear_of(r, arity);
        return f ? std::optional<LinearForm>(scale(*f, *c)) : std::nullopt;
      }
      auto c = constant(r);
      auto f = linear_of(l, arity);
      return c && f ? std::optional<LinearForm>(scale(*f, *c)) : std::nullopt;
    }
    case ir::BinaryOp::Div: {
      auto c = constant(r);
      auto f = linear_of(l, arity);
      if (!c || *c == 0.0 || !f) return std::nullopt;
      return scale(*f, 1.0 / *c);
    }
    default:
      return std::nullopt;
  }
}

bool is_var(const ir::Expr& e, int index) { return e->op == ir::ExprOp::Var && e->var == index; }

}  // namespace

std::optional<LinearForm> linear_form(const ir::Expr& e, std::size_t arity) {
  if (!e) return std::nullopt;
  return linear_of(*e, arity);
}

bool selects_at_most_one(const ir::Program& program, NodeId selector, int max_len) {
  const ir::Node& node = program.node(selector);
  if (node.kind == NodeKind::SelectorAnd) {
    return selects_at_most_one(program, node.inputs[0], max_len) ||
           selects_at_most_one(program, node.inputs[1], max_len);
  }
  if (node.kind != NodeKind::Select) return false;
  const ir::ExprNode& p = *node.expr;
  if (p.op != ir::ExprOp::Binary || p.bop != ir::BinaryOp::Eq) return false;
  if (!((is_var(p.args[0], 0) && is_var(p.args[1], 1)) ||
        (is_var(p.args[0], 1) && is_var(p.args[1], 0)))) {
    return false;
  }
  // Injective keys: no two positions hold equal keys, so one query matches at most one.
  auto keys = column_over_indices(program, node.inputs[0], max_len);
  if (!keys) return false;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    for (std::size_t j = i + 1; j < keys->size(); ++j) {
      if ((*keys)[i] == (*keys)[j]) return false;
    }
  }
  return true;
}

namespace {

// Operand combinations enumerated for the set of a linear map (about a second of work).
constexpr std::size_t kLinearProductLimit = std::size_t{1} << 21;

class Inference {
 public:
  Inference(const ir::Program& program, const ValueSetOptions& options)
      : d_program(program), d_options(options) {}

  Result<ValueSets> run(NodeId root) {
    d_sets.sets.resize(d_program.size());
    for (NodeId id : d_program.ancestors(root)) {
      if (d_program.is_selector(id)) continue;
      auto set = infer(id);
      if (!set) return tl::unexpected(set.error());
      if (set->size() > d_options.max_size) return too_big(id, set->size());
      d_sets.sets[id] = std::move(*set);
    }
    return std::move(d_sets);
  }

 private:
  tl::unexpected<Diagnostics> too_big(NodeId id, std::size_t size) {
    const ir::Node& node = d_program.node(id);
    return fail(code::kLimit,
                fmt::format("value set of {} has {} or more values, over the limit of {}",
                            describe(node), size, d_options.max_size),
                node.range);
  }

  Result<ValueSet> infer(NodeId id) {
    const ir::Node& node = d_program.node(id);
    ValueSet out;
    switch (node.kind) {
      case NodeKind::Tokens:
        for (const Value& raw : d_options.vocab) {
          auto v = ir::convert_token(node.token_type, raw);
          if (!v) {
            return fail(code::kInput,
                        fmt::format("vocabulary token {} does not convert to {}: {}", raw.repr(),
                                    ir::token_type_name(node.token_type), v.error().message),
                        node.range);
          }
          insert_value(out, *v);
        }
        return out;
      case NodeKind::Indices:
        for (int i = 0; i < d_options.max_len; ++i) insert_value(out, Value::integer(i));
        return out;
      case NodeKind::Constant:
        out.push_back(node.value);
        return out;
      case NodeKind::SelectorWidth:
        for (int i = 0; i <= d_options.max_len; ++i) insert_value(out, Value::integer(i));
        return out;
      case NodeKind::Map:
        return infer_map(id, node);
      case NodeKind::Aggregate:
        return infer_aggregate(id, node);
      default:
        return out;
    }
  }

  Result<ValueSet> infer_map(NodeId id, const ir::Node& node) {
    // Enumerate the distinct operands once each: x + x ranges over one set, not two.
    std::vector<NodeId> distinct;
    for (NodeId in : node.inputs) {
      if (std::find(distinct.begin(), distinct.end(), in) == distinct.end()) distinct.push_back(in);
    }
    // A linear map of numbers is a readout, not a table: only its set of sums is bounded
    // (the product is still enumerated, so it gets a limit of its own).
    bool linear = linear_form(node.expr, node.inputs.size()).has_value() &&
                  std::all_of(distinct.begin(), distinct.end(), [&](NodeId in) {
                    const ValueSet& set = d_sets.of(in);
                    return std::none_of(set.begin(), set.end(),
                                        [](const Value& v) { return v.is_string(); });
                  });
    std::size_t limit = linear ? std::max(d_options.max_size, kLinearProductLimit)
                               : d_options.max_size;
    std::size_t product = 1;
    for (NodeId in : distinct) {
      std::size_t n = d_sets.of(in).size();
      if (n == 0) return ValueSet{};
      if (product > limit / n) {
        const ir::Node& nd = d_program.node(id);
        return fail(code::kLimit,
                    fmt::format("{} needs its function {} over more than {} operand "
                                "combinations",
                                describe(nd), linear ? "enumerated" : "tabulated", limit),
                    nd.range);
      }
      product *= n;
    }
    ValueSet out;
    std::vector<std::size_t> digit(distinct.size(), 0);
    std::vector<Value> vars(node.inputs.size());
    for (std::size_t count = 0; count < product; ++count) {
      for (std::size_t a = 0; a < node.inputs.size(); ++a) {
        std::size_t k = static_cast<std::size_t>(
            std::find(distinct.begin(), distinct.end(), node.inputs[a]) - distinct.begin());
        vars[a] = d_sets.of(distinct[k])[digit[k]];
      }
      if (auto v = ir::evaluate(*node.expr, vars)) insert_value(out, *v);
      if (linear && out.size() > d_options.max_size) return too_big(id, out.size());
      for (std::size_t k = 0; k < digit.size(); ++k) {
        if (++digit[k] < d_sets.of(distinct[k]).size()) break;
        digit[k] = 0;
      }
    }
    return out;
  }

  Result<ValueSet> infer_aggregate(NodeId id, const ir::Node& node) {
    const ValueSet& values = d_sets.of(node.inputs[1]);
    ValueSet out = values;
    insert_value(out, node.value);
    bool numeric = !values.empty() &&
                   std::none_of(values.begin(), values.end(),
                                [](const Value& v) { return v.is_string(); }) &&
                   !std::all_of(values.begin(), values.end(),
                                [](const Value& v) { return v.is_bool(); });
    if (!numeric || d_options.max_len < 2 ||
        selects_at_most_one(d_program, node.inputs[0], d_options.max_len)) {
      return out;
    }
    bool sum = d_options.aggregation == interp::Aggregation::Sum;
    bool integral = std::all_of(values.begin(), values.end(),
                                [](const Value& v) { return v.den() == 1; });
    // Sums of k values, as exact rationals keyed by (num, den): S_k = S_{k-1} + values.
    std::set<std::pair<std::int64_t, std::int64_t>> sums;
    for (const Value& v : values) sums.emplace(v.num(), v.den());
    for (int k = 2; k <= d_options.max_len; ++k) {
      std::set<std::pair<std::int64_t, std::int64_t>> next;
      for (const auto& [num, den] : sums) {
        Value s = integral ? Value::integer(num) : *Value::rational(num, den);
        for (const Value& v : values) {
          Value addend = v.is_bool() ? Value::integer(v.num()) : v;
          auto t = ir::apply(ir::BinaryOp::Add, s, addend);
          if (!t) {
            const ir::Node& nd = d_program.node(id);
            return fail(code::kOverflow,
                        fmt::format("the sums of {} overflow while inferring its values",
                                    describe(nd)),
                        nd.range);
          }
          next.emplace(t->num(), t->den());
        }
        if (next.size() > d_options.max_size) return too_big(id, next.size());
      }
      sums = std::move(next);
      for (const auto& [num, den] : sums) {
        if (sum) {
          insert_value(out, integral ? Value::integer(num) : *Value::rational(num, den));
        } else {
          auto mean = Value::rational(num, den * k);
          if (!mean) return too_big(id, out.size());
          insert_value(out, *mean);
        }
      }
      if (out.size() > d_options.max_size) return too_big(id, out.size());
    }
    return out;
  }

  const ir::Program& d_program;
  const ValueSetOptions& d_options;
  ValueSets d_sets;
};

}  // namespace

Result<ValueSets> infer_value_sets(const ir::Program& program, NodeId root,
                                   const ValueSetOptions& options) {
  return Inference(program, options).run(root);
}

}  // namespace rasp::compile

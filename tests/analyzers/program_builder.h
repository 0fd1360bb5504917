// tests/analyzers/program_builder.h - Hand-built programs and random DAGs for the analyzer tests.
#pragma once

#include <rapidcheck.h>

#include <map>
#include <vector>

#include "analyzers/bounds.h"
#include "lib/ir/program.h"

namespace rasp::analyze::test_support {

/// Bounds options without designated initialisers (-Wmissing-field-initializers).
inline BoundsOptions options(bool bos, bool mlp_sublayers = false) {
  BoundsOptions o;
  o.bos = bos;
  o.mlp_sublayers = mlp_sublayers;
  return o;
}

/// Builds IR programs the way the front end would, without parsing.
struct ProgramBuilder {
  ir::Program p;
  ir::NodeId tokens = p.add(node(ir::NodeKind::Tokens, {}));
  ir::NodeId indices = p.add(node(ir::NodeKind::Indices, {}));

  static ir::Node node(ir::NodeKind kind, std::vector<ir::NodeId> inputs, ir::Expr expr = {},
                       std::uint32_t instance = 0) {
    ir::Node n;
    n.kind = kind;
    n.inputs = std::move(inputs);
    n.expr = std::move(expr);
    n.instance = instance;
    if (kind == ir::NodeKind::Aggregate) n.value = ir::Value::integer(0);
    return n;
  }
  ir::NodeId constant(ir::Value v) {
    ir::Node n = node(ir::NodeKind::Constant, {});
    n.value = v;
    return p.add(n);
  }
  /// A map over `inputs` computing `expr` (x0.. are the inputs).
  ir::NodeId map(ir::Expr expr, std::vector<ir::NodeId> inputs, std::string name = {}) {
    ir::Node n = node(ir::NodeKind::Map, std::move(inputs), std::move(expr));
    n.name = std::move(name);
    return p.add(n);
  }
  /// x0 + c, a unary map.
  ir::NodeId plus(ir::NodeId a, int c) {
    return map(ir::make_binary(ir::BinaryOp::Add, ir::make_var(0),
                               ir::make_const(ir::Value::integer(c))),
               {a});
  }
  /// The sum of all inputs.
  ir::NodeId sum(std::vector<ir::NodeId> inputs) {
    ir::Expr e = ir::make_var(0);
    for (int i = 1; i < static_cast<int>(inputs.size()); ++i) {
      e = ir::make_binary(ir::BinaryOp::Add, e, ir::make_var(i));
    }
    return map(e, std::move(inputs));
  }
  ir::NodeId select(ir::NodeId keys, ir::NodeId queries, ir::BinaryOp op) {
    return p.add(node(ir::NodeKind::Select, {keys, queries},
                      ir::make_binary(op, ir::make_var(0), ir::make_var(1))));
  }
  /// select(keys, queries, True): every key, as the prelude's full_s.
  ir::NodeId select_all(ir::NodeId keys, ir::NodeId queries) {
    return p.add(node(ir::NodeKind::Select, {keys, queries},
                      ir::make_const(ir::Value::boolean(true))));
  }
  ir::NodeId both(ir::NodeId a, ir::NodeId b) {
    return p.add(node(ir::NodeKind::SelectorAnd, {a, b}));
  }
  ir::NodeId either(ir::NodeId a, ir::NodeId b) {
    return p.add(node(ir::NodeKind::SelectorOr, {a, b}));
  }
  ir::NodeId negate(ir::NodeId a) {
    return p.add(node(ir::NodeKind::SelectorNot, {a}));
  }
  /// An aggregate reading selector object `instance` (a fresh object when 0 is not wanted).
  ir::NodeId aggregate(ir::NodeId sel, ir::NodeId values, std::uint32_t instance) {
    return p.add(node(ir::NodeKind::Aggregate, {sel, values}, {}, instance));
  }
  ir::NodeId aggregate(ir::NodeId sel, ir::NodeId values) {
    return aggregate(sel, values, p.new_instance());
  }
  ir::NodeId width(ir::NodeId sel) {
    return p.add(node(ir::NodeKind::SelectorWidth, {sel}, {}, p.new_instance()));
  }
  /// selector_width reading selector object `instance`.
  ir::NodeId width(ir::NodeId sel, std::uint32_t instance) {
    return p.add(node(ir::NodeKind::SelectorWidth, {sel}, {}, instance));
  }
  /// The prelude's length: round(1 / aggregate(full_s, indicator(indices == 0))).
  ir::NodeId length() {
    ir::NodeId full = select_all(tokens, tokens);
    ir::NodeId first = map(ir::make_unary(ir::ExprOp::Indicator,
                                          ir::make_binary(ir::BinaryOp::Eq, ir::make_var(0),
                                                          ir::make_const(ir::Value::integer(0)))),
                           {indices});
    if (!d_full_instance) d_full_instance = p.new_instance();
    ir::NodeId frac = aggregate(full, first, d_full_instance);
    return map(ir::make_unary(ir::ExprOp::Round,
                              ir::make_binary(ir::BinaryOp::Div,
                                              ir::make_const(ir::Value::integer(1)),
                                              ir::make_var(0))),
               {frac}, "length");
  }

 private:
  std::uint32_t d_full_instance = 0;
};

/// reverse as the paper writes it: aggregate(select(indices, length - indices - 1, ==),
/// tokens); `two_maps` computes the flipped index in two steps, as tracr's library does.
inline ir::NodeId build_reverse(ProgramBuilder& b, bool two_maps) {
  ir::NodeId len = b.length();
  ir::NodeId opp;
  if (two_maps) {
    ir::NodeId diff = b.map(ir::make_binary(ir::BinaryOp::Sub, ir::make_var(0), ir::make_var(1)),
                            {len, b.indices});
    opp = b.plus(diff, -1);
  } else {
    opp = b.map(ir::make_binary(ir::BinaryOp::Sub,
                                ir::make_binary(ir::BinaryOp::Sub, ir::make_var(0),
                                                ir::make_var(1)),
                                ir::make_const(ir::Value::integer(1))),
                {len, b.indices});
  }
  return b.aggregate(b.select(b.indices, opp, ir::BinaryOp::Eq), b.tokens);
}

/// hist: selector_width(select(tokens, tokens, ==)).
inline ir::NodeId build_hist(ProgramBuilder& b) {
  return b.width(b.select(b.tokens, b.tokens, ir::BinaryOp::Eq));
}

/// sort(tokens, tokens) as the reference library writes it (ties keep input order).
inline ir::NodeId build_sort(ProgramBuilder& b) {
  ir::NodeId smaller = b.select(b.tokens, b.tokens, ir::BinaryOp::Lt);
  ir::NodeId tied = b.both(b.select(b.tokens, b.tokens, ir::BinaryOp::Eq),
                           b.select(b.indices, b.indices, ir::BinaryOp::Lt));
  ir::NodeId target = b.width(b.either(smaller, tied));
  return b.aggregate(b.select(target, b.indices, ir::BinaryOp::Eq), b.tokens);
}

/// A random well-formed program: maps, selects, composite selectors, aggregates (sometimes
/// on a selector object used before) and selector widths, at least one attention node; the root sums every s-op, so all
/// nodes count. At most `max_attention` attention nodes.
inline ir::NodeId build_random(ProgramBuilder& b, int steps, int max_attention) {
  std::vector<ir::NodeId> sops{b.tokens, b.indices};
  std::vector<ir::NodeId> sels;
  std::map<ir::NodeId, std::vector<std::uint32_t>> objects;
  int attention = 0;
  // Half the picks take one of the three newest nodes, so chains (and layers) grow.
  auto pick = [](const std::vector<ir::NodeId>& v) {
    std::size_t from = *rc::gen::arbitrary<bool>() && v.size() > 3 ? v.size() - 3 : 0;
    return v[*rc::gen::inRange<std::size_t>(from, v.size())];
  };
  const ir::BinaryOp ops[] = {ir::BinaryOp::Eq, ir::BinaryOp::Lt, ir::BinaryOp::Le,
                              ir::BinaryOp::Gt, ir::BinaryOp::Ne};
  for (int step = 0; step < steps; ++step) {
    int kind = *rc::gen::inRange(0, 8);
    if (kind == 7) kind = 4;
    if (kind >= 4 && (sels.empty() || attention >= max_attention)) kind = 2;
    switch (kind) {
      case 0:
        sops.push_back(b.plus(pick(sops), *rc::gen::inRange(1, 4)));
        break;
      case 1:
        sops.push_back(b.sum({pick(sops), pick(sops)}));
        break;
      case 2:
        sels.push_back(b.select(pick(sops), pick(sops), ops[*rc::gen::inRange(0, 5)]));
        break;
      case 3:
        if (sels.empty()) break;
        if (*rc::gen::inRange(0, 3) == 0) {
          sels.push_back(b.negate(pick(sels)));
        } else if (*rc::gen::arbitrary<bool>()) {
          sels.push_back(b.both(pick(sels), pick(sels)));
        } else {
          sels.push_back(b.either(pick(sels), pick(sels)));
        }
        break;
      case 4:
      case 5: {
        ir::NodeId sel = pick(sels);
        auto& objs = objects[sel];
        std::uint32_t inst;
        if (!objs.empty() && *rc::gen::arbitrary<bool>()) {
          inst = objs[*rc::gen::inRange<std::size_t>(0, objs.size())];
        } else {
          inst = *rc::gen::inRange(0, 4) == 0 ? 0 : b.p.new_instance();
          if (inst) objs.push_back(inst);
        }
        sops.push_back(b.aggregate(sel, pick(sops), inst));
        ++attention;
        break;
      }
      case 6:
        sops.push_back(b.width(pick(sels)));
        ++attention;
        break;
    }
  }
  if (attention == 0) {
    ir::NodeId sel = sels.empty() ? b.select(pick(sops), pick(sops), ir::BinaryOp::Eq) : pick(sels);
    sops.push_back(b.aggregate(sel, pick(sops)));
  }
  return b.sum(sops);
}

}  // namespace rasp::analyze::test_support

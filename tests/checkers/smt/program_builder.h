// tests/checkers/smt/program_builder.h - Short names for building RASP programs by hand.
#pragma once

#include <string>
#include <vector>

#include "lib/ir/program.h"

namespace rasp::check::testing {

using ir::BinaryOp;
using ir::Expr;
using ir::ExprOp;
using ir::NodeId;
using ir::NodeKind;
using ir::Value;

inline Expr x0() { return ir::make_var(0); }
inline Expr x1() { return ir::make_var(1); }
inline Expr lit(std::int64_t i) { return ir::make_const(Value::integer(i)); }
inline Expr lit(const char* s) { return ir::make_const(Value::string(s)); }
inline Expr bin(BinaryOp op, Expr a, Expr b) { return ir::make_binary(op, std::move(a), std::move(b)); }

/// A program under construction; each method adds one node and returns its id.
class Builder {
 public:
  ir::Program program;

  NodeId tokens(ir::TokenType type = ir::TokenType::Str) {
    ir::Node n;
    n.kind = NodeKind::Tokens;
    n.token_type = type;
    return program.add(n);
  }
  NodeId indices() {
    ir::Node n;
    n.kind = NodeKind::Indices;
    return program.add(n);
  }
  NodeId constant(Value v) {
    ir::Node n;
    n.kind = NodeKind::Constant;
    n.value = std::move(v);
    return program.add(n);
  }
  NodeId map(Expr e, std::vector<NodeId> inputs) {
    ir::Node n;
    n.kind = NodeKind::Map;
    n.expr = std::move(e);
    n.inputs = std::move(inputs);
    return program.add(n);
  }
  /// Query q selects key k when `predicate(x0 = keys[k], x1 = queries[q])` holds.
  NodeId select(NodeId keys, NodeId queries, Expr predicate) {
    ir::Node n;
    n.kind = NodeKind::Select;
    n.expr = std::move(predicate);
    n.inputs = {keys, queries};
    return program.add(n);
  }
  NodeId select(NodeId keys, NodeId queries, BinaryOp op) {
    return select(keys, queries, bin(op, x0(), x1()));
  }
  NodeId selector(NodeKind kind, NodeId a, NodeId b) {
    ir::Node n;
    n.kind = kind;
    n.inputs = {a, b};
    return program.add(n);
  }
  NodeId selector_not(NodeId a) {
    ir::Node n;
    n.kind = NodeKind::SelectorNot;
    n.inputs = {a};
    return program.add(n);
  }
  NodeId aggregate(NodeId selector, NodeId values, Value dflt = Value::integer(0)) {
    ir::Node n;
    n.kind = NodeKind::Aggregate;
    n.inputs = {selector, values};
    n.value = std::move(dflt);
    return program.add(n);
  }
  NodeId width(NodeId selector) {
    ir::Node n;
    n.kind = NodeKind::SelectorWidth;
    n.inputs = {selector};
    return program.add(n);
  }
  /// The library's `length`: the width of an always-true selector.
  NodeId length() {
    NodeId t = tokens();
    return width(select(t, t, ir::make_const(Value::boolean(true))));
  }
};

inline std::vector<Value> strings(const std::string& symbols) {
  std::vector<Value> out;
  for (char c : symbols) out.push_back(Value::string(std::string(1, c)));
  return out;
}

}  // namespace rasp::check::testing

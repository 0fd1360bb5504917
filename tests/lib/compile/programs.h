// tests/lib/compile/programs.h - Hand-built RASP programs and an exhaustive model-vs-interpreter check.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lib/compile/forward.h"
#include "lib/interp/all_inputs.h"
#include "lib/compile/model.h"
#include "lib/interp/evaluator.h"
#include "lib/interp/io.h"
#include "lib/ir/program.h"

namespace rasp::compile::testing {

using ir::BinaryOp;
using ir::Node;
using ir::NodeId;
using ir::NodeKind;
using ir::Value;

/// A small builder for programs written by hand.
struct Builder {
  ir::Program p;
  NodeId tokens(ir::TokenType t = ir::TokenType::Str) {
    Node n;
    n.kind = NodeKind::Tokens;
    n.token_type = t;
    n.name = "tokens";
    return p.add(n);
  }
  NodeId indices() {
    Node n;
    n.kind = NodeKind::Indices;
    n.name = "indices";
    return p.add(n);
  }
  NodeId map(std::vector<NodeId> in, ir::Expr e, std::string name = "",
             ir::Encoding enc = ir::Encoding::Unspecified) {
    Node n;
    n.kind = NodeKind::Map;
    n.inputs = std::move(in);
    n.expr = std::move(e);
    n.name = std::move(name);
    n.encoding = enc;
    return p.add(n);
  }
  NodeId select(NodeId k, NodeId q, ir::Expr pred) {
    Node n;
    n.kind = NodeKind::Select;
    n.inputs = {k, q};
    n.expr = std::move(pred);
    return p.add(n);
  }
  NodeId select(NodeId k, NodeId q, BinaryOp op) {
    return select(k, q, ir::make_binary(op, ir::make_var(0), ir::make_var(1)));
  }
  NodeId both(NodeId a, NodeId b) { return composite(NodeKind::SelectorAnd, {a, b}); }
  NodeId either(NodeId a, NodeId b) { return composite(NodeKind::SelectorOr, {a, b}); }
  NodeId negate(NodeId a) { return composite(NodeKind::SelectorNot, {a}); }
  NodeId composite(NodeKind kind, std::vector<NodeId> in) {
    Node n;
    n.kind = kind;
    n.inputs = std::move(in);
    return p.add(n);
  }
  NodeId aggregate(NodeId sel, NodeId values, Value dflt = Value::integer(0), std::string name = "",
                   ir::Encoding enc = ir::Encoding::Unspecified) {
    Node n;
    n.kind = NodeKind::Aggregate;
    n.inputs = {sel, values};
    n.value = std::move(dflt);
    n.name = std::move(name);
    n.encoding = enc;
    n.instance = p.new_instance();
    return p.add(n);
  }
  NodeId width(NodeId sel, std::string name = "") {
    Node n;
    n.kind = NodeKind::SelectorWidth;
    n.inputs = {sel};
    n.name = std::move(name);
    n.instance = p.new_instance();
    return p.add(n);
  }
  NodeId length() {
    NodeId t = tokens();
    return width(select(t, t, ir::make_const(Value::boolean(true))), "length");
  }
};

inline ir::Expr x(int i) { return ir::make_var(i); }
inline ir::Expr c(std::int64_t v) { return ir::make_const(Value::integer(v)); }
inline ir::Expr bin(BinaryOp op, ir::Expr a, ir::Expr b) {
  return ir::make_binary(op, std::move(a), std::move(b));
}

inline std::vector<Value> chars(const std::string& s) {
  std::vector<Value> out;
  for (char ch : s) out.push_back(Value::string(std::string(1, ch)));
  return out;
}

struct Agreement {
  std::size_t compared = 0;
  std::size_t interpreter_errors = 0;
  std::size_t mismatches = 0;
  std::string first_mismatch;
  double worst_decode_error = 0;
};

/// Compares the compiled model (in `precision`) with the interpreter on one input.
inline void compare_one(const ir::Program& program, NodeId root, const Model& model,
                        const std::vector<Value>& input, Precision precision, Agreement& a) {
  auto expected = interp::evaluate(program, root, input, interp::Options{});
  if (!expected) {
    ++a.interpreter_errors;
    return;
  }
  ++a.compared;
  auto residual = forward(model, input, precision);
  if (!residual) {
    ++a.mismatches;
    if (a.first_mismatch.empty()) a.first_mismatch = residual.error().front().message;
    return;
  }
  a.worst_decode_error = std::max(a.worst_decode_error, decode_error(model, *residual));
  interp::Output actual = decode(model, *residual);
  if (!interp::output_matches(interp::output_to_json(*expected), actual)) {
    ++a.mismatches;
    if (a.first_mismatch.empty()) {
      a.first_mismatch = interp::describe_input(input) + ": expected " +
                         interp::output_to_json(*expected).dump() + ", got " +
                         interp::output_to_json(actual).dump();
    }
  }
}

/// Every input of 1..up_to tokens over `vocab`.
inline Agreement compare_all(const ir::Program& program, NodeId root, const Model& model,
                             const std::vector<Value>& vocab, int up_to,
                             Precision precision = Precision::Float64) {
  Agreement a;
  for (int len = 1; len <= up_to; ++len) {
    interp::AllInputs input(vocab, static_cast<std::size_t>(len));
    do {
      compare_one(program, root, model, *input, precision, a);
    } while (input.next());
  }
  return a;
}

}  // namespace rasp::compile::testing

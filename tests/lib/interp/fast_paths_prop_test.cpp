// tests/lib/interp/fast_paths_prop_test.cpp - The interpreter's fast paths against its generic path.
//
// Random maps, predicates and aggregates over int columns with values near the int64 limits
// (and over string columns) must give identical traces, or the same fault at the same node;
// aggregates and widths read comparison selectors through their sorted keys, unfilled when
// `evaluate` needs no cells.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "lib/interp/evaluator.h"
#include "lib/ir/expr.h"
#include "lib/ir/program.h"

namespace rasp::interp {
namespace {

using ir::BinaryOp;
using ir::ExprOp;
using ir::Value;

rc::Gen<std::int64_t> edgy_int() {
  return rc::gen::oneOf(rc::gen::inRange<std::int64_t>(-3, 4),
                        rc::gen::element<std::int64_t>(INT64_MAX, INT64_MIN, INT64_MAX - 1,
                                                       INT64_MIN + 1, INT64_MAX / 2, -(INT64_MAX / 2),
                                                       3037000499, -3037000500));
}

// A random expression over operands x0..x(arity-1) in the fragment the int fast path
// covers, plus a few operations it leaves to the generic path (`/`, `^`, float constants).
ir::Expr random_expr(int arity, int depth) {
  int pick = *rc::gen::inRange(0, depth <= 0 ? 2 : 12);
  switch (pick) {
    case 0:
      return ir::make_var(*rc::gen::inRange(0, arity));
    case 1: {
      int c = *rc::gen::inRange(0, 4);
      if (c == 0) return ir::make_const(Value::boolean(*rc::gen::arbitrary<bool>()));
      if (c == 1) return ir::make_const(*Value::rational(1, 2));
      return ir::make_const(Value::integer(*edgy_int()));
    }
    case 2:
    case 3:
    case 4:
    case 5: {
      auto op = *rc::gen::element(BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Mod,
                                  BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Ge,
                                  BinaryOp::Min, BinaryOp::Max, BinaryOp::Div, BinaryOp::Pow);
      return ir::make_binary(op, random_expr(arity, depth - 1), random_expr(arity, depth - 1));
    }
    case 6:
    case 7: {
      auto op = *rc::gen::element(ExprOp::Neg, ExprOp::Not, ExprOp::Indicator, ExprOp::Round,
                                  ExprOp::ToBool, ExprOp::ToInt);
      return ir::make_unary(op, random_expr(arity, depth - 1));
    }
    case 8:
      return ir::make_ite(random_expr(arity, depth - 1), random_expr(arity, depth - 1),
                          random_expr(arity, depth - 1));
    case 9:
      return ir::make_logical(*rc::gen::element(ExprOp::And, ExprOp::Or), random_expr(arity, depth - 1),
                              random_expr(arity, depth - 1));
    case 10:
      return ir::make_in(random_expr(arity, depth - 1),
                         {Value::integer(0), Value::integer(INT64_MAX), Value::string("a")});
    default:
      return ir::make_lookup(random_expr(arity, depth - 1), ir::TableKind::List, {},
                             {Value::integer(5), Value::integer(INT64_MIN), Value::integer(-1)});
  }
}

ir::Node node_of(ir::NodeKind kind, std::vector<ir::NodeId> inputs, ir::Expr expr = nullptr) {
  ir::Node n;
  n.kind = kind;
  n.inputs = std::move(inputs);
  n.expr = std::move(expr);
  return n;
}

// Every node's value, or the fault: the two paths must agree on all of it.
void expect_same(const ir::Program& p, std::span<const Value> input, Options options) {
  std::vector<ir::NodeId> all;
  for (ir::NodeId id = 0; id < p.size(); ++id) all.push_back(id);
  options.fast_paths = true;
  auto fast = trace(p, all, input, options);
  options.fast_paths = false;
  auto slow = trace(p, all, input, options);
  RC_ASSERT(fast.has_value() == slow.has_value());
  if (!fast) {
    RC_ASSERT(fast.error().front().code == slow.error().front().code);
    RC_ASSERT(fast.error().front().message == slow.error().front().message);
    RC_ASSERT(fast.error().front().notes == slow.error().front().notes);
    return;
  }
  for (ir::NodeId id : all) {
    if (fast->is_matrix(id)) {
      RC_ASSERT(fast->matrix(id).cells == slow->matrix(id).cells);
      continue;
    }
    const Column& a = fast->column(id);
    const Column& b = slow->column(id);
    RC_ASSERT(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) RC_ASSERT(a[i].identical(b[i]));
  }
  // `evaluate` fills a comparison selector only when something reads its cells (or it is
  // the root); each node's value that way must be the generic path's too.
  options.fast_paths = true;
  for (ir::NodeId id : all) {
    auto lazy = evaluate(p, id, input, options);
    RC_ASSERT(lazy.has_value());
    Output want = output_of(*slow, id);
    RC_ASSERT(lazy->is_selector == want.is_selector);
    RC_ASSERT(lazy->matrix == want.matrix);
    RC_ASSERT(lazy->values.size() == want.values.size());
    for (std::size_t i = 0; i < want.values.size(); ++i) RC_ASSERT(lazy->values[i].identical(want.values[i]));
  }
}

// One evaluation's result against another's: the same values, or the same first fault.
// True when there were values.
bool expect_same_result(const Result<Output>& got, const Result<Output>& want) {
  RC_ASSERT(got.has_value() == want.has_value());
  if (!got) {
    RC_ASSERT(got.error().front().code == want.error().front().code);
    RC_ASSERT(got.error().front().message == want.error().front().message);
    RC_ASSERT(got.error().front().notes == want.error().front().notes);
    return false;
  }
  RC_ASSERT(got->is_selector == want->is_selector);
  RC_ASSERT(got->matrix == want->matrix);
  RC_ASSERT(got->values.size() == want->values.size());
  for (std::size_t j = 0; j < got->values.size(); ++j) RC_ASSERT(got->values[j].identical(want->values[j]));
  return true;
}

// evaluate() with the fast paths against the generic path on one input; true when there
// were values.
bool expect_fast_as_generic(const ir::Program& p, ir::NodeId root, std::span<const Value> input, Options options) {
  options.fast_paths = false;
  auto want = evaluate(p, root, input, options);
  options.fast_paths = true;
  return expect_same_result(evaluate(p, root, input, options), want);
}

Options random_options() {
  Options o;
  o.aggregation = *rc::gen::element(Aggregation::Mean, Aggregation::Sum);
  o.bos = *rc::gen::arbitrary<bool>();
  o.causal = *rc::gen::arbitrary<bool>();
  return o;
}

// Tokens (ints), indices, a constant, maps, comparison and other selectors, composites and
// aggregates of each other: every fast path of the int columns, some nodes reading tokens
// and some not.
ir::Program random_int_program() {
  ir::Program p;
  ir::Node tokens = node_of(ir::NodeKind::Tokens, {});
  tokens.token_type = ir::TokenType::Int;
  auto t = p.add(tokens);
  auto i = p.add(node_of(ir::NodeKind::Indices, {}));
  auto m = p.add(node_of(ir::NodeKind::Map, {t, i}, random_expr(2, 3)));
  // A constant column, int or bool, kept as int64s like indices and int maps.
  ir::Node constant = node_of(ir::NodeKind::Constant, {});
  constant.value = *rc::gen::element(Value::integer(*edgy_int()), Value::boolean(*rc::gen::arbitrary<bool>()));
  auto k = p.add(constant);
  auto keys = *rc::gen::element(t, i, m, k);
  auto queries = *rc::gen::element(t, i, m);
  ir::Expr predicate = *rc::gen::arbitrary<bool>()
                           ? ir::make_binary(*rc::gen::element(BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt,
                                                               BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge),
                                             ir::make_var(0), ir::make_var(1))
                           : random_expr(2, 2);
  auto s = p.add(node_of(ir::NodeKind::Select, {keys, queries}, predicate));
  auto values = *rc::gen::element(t, i, m, k);
  // The default's kind decides whether picks of an int or bool column stay int64s.
  auto default_value = *rc::gen::element(Value::integer(0), Value::integer(*edgy_int()), Value::boolean(false),
                                         Value::boolean(true), *Value::rational(1, 2));
  ir::Node agg = node_of(ir::NodeKind::Aggregate, {s, values});
  agg.value = default_value;
  auto mean = p.add(agg);
  p.add(node_of(ir::NodeKind::SelectorWidth, {s}));
  // A map of a mean: ints, floats and bools mixed position by position.
  auto mean_map = p.add(node_of(ir::NodeKind::Map, {mean, *rc::gen::element(t, i, m, k)}, random_expr(2, 3)));
  // Picks of picks: an aggregate of an aggregate's result, through an index selector.
  auto by_index = p.add(node_of(ir::NodeKind::Select, {i, *rc::gen::element(i, mean, mean_map)},
                                ir::make_binary(BinaryOp::Eq, ir::make_var(0), ir::make_var(1))));
  ir::Node pick = node_of(ir::NodeKind::Aggregate, {by_index, *rc::gen::element(mean, mean_map, k)});
  pick.value = default_value;
  p.add(pick);
  // A composite reads the cells of a comparison selector that nothing filled before.
  auto s2 = p.add(node_of(ir::NodeKind::Select, {i, *rc::gen::element(t, i, m)},
                          ir::make_binary(*rc::gen::element(BinaryOp::Lt, BinaryOp::Eq, BinaryOp::Ge),
                                          ir::make_var(0), ir::make_var(1))));
  auto kind = *rc::gen::element(ir::NodeKind::SelectorAnd, ir::NodeKind::SelectorOr, ir::NodeKind::SelectorNot);
  auto c = p.add(node_of(kind, kind == ir::NodeKind::SelectorNot ? std::vector<ir::NodeId>{s2}
                                                                   : std::vector<ir::NodeId>{s, s2}));
  ir::Node agg2 = node_of(ir::NodeKind::Aggregate, {c, values});
  agg2.value = default_value;
  p.add(agg2);
  p.add(node_of(ir::NodeKind::SelectorWidth, {c}));
  // The "earlier with the same value" idiom, read off sorted keys: x == y and i OP j.
  auto same = p.add(node_of(ir::NodeKind::Select, {*rc::gen::element(t, i, m), *rc::gen::element(t, i, m)},
                            ir::make_binary(BinaryOp::Eq, ir::make_var(0), ir::make_var(1))));
  auto order = p.add(node_of(ir::NodeKind::Select, {*rc::gen::element(t, i, m), *rc::gen::element(t, i, m)},
                             ir::make_binary(*rc::gen::element(BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt,
                                                               BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge),
                                             ir::make_var(0), ir::make_var(1))));
  bool swap = *rc::gen::arbitrary<bool>();
  auto both = p.add(node_of(ir::NodeKind::SelectorAnd, swap ? std::vector<ir::NodeId>{order, same}
                                                            : std::vector<ir::NodeId>{same, order}));
  ir::Node agg3 = node_of(ir::NodeKind::Aggregate, {both, values});
  agg3.value = default_value;
  p.add(agg3);
  p.add(node_of(ir::NodeKind::SelectorWidth, {both}));
  return p;
}

std::vector<Value> random_int_input(std::size_t length) {
  auto ints = *rc::gen::container<std::vector<std::int64_t>>(length, edgy_int());
  std::vector<Value> input;
  for (auto x : ints) input.push_back(Value::integer(x));
  return input;
}

// `x == c` and `c != x` over columns of made values (tokens of any kind, a map's strings),
// which a fresh evaluation computes position by position with Python's ==: every kind
// against every kind, as the generic path gives it.
RC_GTEST_PROP(FastPathsProp, ComparisonsWithAConstantAgreeWithTheGenericPath, ()) {
  auto value = [] {
    return *rc::gen::element(Value::string("a"), Value::string("b"), Value::string(""), Value::integer(0),
                             Value::integer(1), Value::boolean(true), Value::boolean(false), *Value::rational(1, 2),
                             *Value::rational(2, 2));
  };
  // String tokens, or numbers of every kind (a column mixing the two is refused).
  bool strings = *rc::gen::arbitrary<bool>();
  std::vector<Value> input;
  for (std::size_t n = *rc::gen::inRange<std::size_t>(1, 12); n > 0; --n) {
    input.push_back(strings ? *rc::gen::element(Value::string("a"), Value::string("b"), Value::string(""))
                            : *rc::gen::element(Value::integer(0), Value::integer(1), Value::boolean(true),
                                                Value::boolean(false), *Value::rational(1, 2), *Value::rational(2, 2)));
  }
  ir::Program p;
  ir::Node tokens = node_of(ir::NodeKind::Tokens, {});
  tokens.token_type = ir::TokenType::AsIs;
  std::vector<ir::NodeId> columns = {p.add(tokens)};
  // A map's strings too, over string tokens.
  if (strings) {
    columns.push_back(p.add(node_of(ir::NodeKind::Map, {columns[0]},
                                    ir::make_binary(BinaryOp::Add, ir::make_var(0), ir::make_const(Value::string("!"))))));
  }
  for (int k = *rc::gen::inRange(1, 5); k > 0; --k) {
    ir::Expr var = ir::make_var(0), constant = ir::make_const(value());
    bool var_first = *rc::gen::arbitrary<bool>();
    BinaryOp op = *rc::gen::element(BinaryOp::Eq, BinaryOp::Ne);
    p.add(node_of(ir::NodeKind::Map, {columns[*rc::gen::inRange<std::size_t>(0, columns.size())]},
                  var_first ? ir::make_binary(op, var, constant) : ir::make_binary(op, constant, var)));
  }
  Options options = random_options();
  options.reuse = false;  // else the token memo answers these maps
  expect_same(p, input, options);
}

RC_GTEST_PROP(FastPathsProp, IntColumnsNearTheLimitsAgreeWithTheGenericPath, ()) {
  ir::Program p = random_int_program();
  expect_same(p, random_int_input(*rc::gen::inRange<std::size_t>(1, 25)), random_options());
}

// Options::reuse: a run of evaluations on inputs of a few lengths, each node in a random
// order, must give what evaluations that keep nothing give, faults included, though nodes
// not reading tokens keep their values from one input to the next. The third length is one
// after which the next evaluation gives back grown buffers (Scratch::trim).
RC_GTEST_PROP(FastPathsProp, ReuseAcrossInputsChangesNothing, ()) {
  ir::Program p = random_int_program();
  Options options = random_options();
  std::vector<std::size_t> lengths = {*rc::gen::inRange<std::size_t>(1, 33), *rc::gen::inRange<std::size_t>(1, 33),
                                      *rc::gen::inRange<std::size_t>(64, 80)};
  struct Step {
    std::vector<Value> input;
    ir::NodeId root;
  };
  std::vector<Step> steps;
  for (int k = *rc::gen::inRange(2, 12); k > 0; --k) {
    auto input = random_int_input(lengths[*rc::gen::inRange<std::size_t>(0, lengths.size())]);
    for (int r = *rc::gen::inRange(1, 5); r > 0; --r) {
      steps.push_back({input, *rc::gen::inRange<ir::NodeId>(0, static_cast<ir::NodeId>(p.size()))});
    }
  }
  options.reuse = false;
  std::vector<Result<Output>> want;
  for (const Step& step : steps) want.push_back(evaluate(p, step.root, step.input, options));
  options.reuse = true;
  std::size_t ran = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (expect_same_result(evaluate(p, steps[i].root, steps[i].input, options), want[i])) ++ran;
  }
  RC_CLASSIFY(ran == steps.size(), "no step faulted");
}

// Maps over string tokens alone, chained, whose results per token value are remembered across
// inputs (TokenMemo), with faults and mixed types on some token values only, read by
// selectors and aggregates: evaluations of two such programs in turn, on inputs over the
// same few letters, must give what the generic path gives input by input.
ir::Program random_token_program() {
  ir::Program p;
  auto t = p.add(node_of(ir::NodeKind::Tokens, {}));
  auto i = p.add(node_of(ir::NodeKind::Indices, {}));
  auto b = [] { return ir::make_const(Value::string("b")); };
  auto num = [](std::int64_t x) { return ir::make_const(Value::integer(x)); };
  auto is_b = [&] { return ir::make_binary(BinaryOp::Eq, ir::make_var(0), b()); };
  auto unary = [&] {
    return *rc::gen::element(ir::make_binary(BinaryOp::Add, ir::make_var(0), b()),
                             ir::make_binary(BinaryOp::Lt, ir::make_var(0), b()),
                             ir::make_ite(is_b(), num(1), ir::make_const(Value::string("z"))),
                             ir::make_ite(is_b(), num(1), num(2)),
                             ir::make_binary(BinaryOp::Div, num(1), ir::make_ite(is_b(), num(0), num(1))),
                             ir::make_binary(BinaryOp::Mul, ir::make_var(0), num(2)),
                             ir::make_binary(BinaryOp::Add, ir::make_var(0), num(1)),
                             ir::make_unary(ExprOp::Not, ir::make_var(0)));
  };
  auto m1 = p.add(node_of(ir::NodeKind::Map, {t}, unary()));
  auto m2 = p.add(node_of(ir::NodeKind::Map, {*rc::gen::element(t, m1)}, unary()));
  auto m3 = p.add(node_of(ir::NodeKind::Map, {*rc::gen::element(t, m1, m2), *rc::gen::element(t, m1, m2)},
                          ir::make_binary(*rc::gen::element(BinaryOp::Eq, BinaryOp::Add, BinaryOp::Lt),
                                          ir::make_var(0), ir::make_var(1))));
  auto mi = p.add(node_of(ir::NodeKind::Map, {*rc::gen::element(m1, m2, m3), i},
                          ir::make_binary(BinaryOp::Eq, ir::make_var(0), ir::make_var(1))));
  auto s = p.add(node_of(ir::NodeKind::Select, {*rc::gen::element(t, m1, m2, m3), *rc::gen::element(t, m1, m2, m3)},
                         ir::make_binary(*rc::gen::element(BinaryOp::Eq, BinaryOp::Lt), ir::make_var(0),
                                         ir::make_var(1))));
  ir::Node agg = node_of(ir::NodeKind::Aggregate, {s, *rc::gen::element(m1, m2, m3, mi)});
  agg.value = *rc::gen::element(Value::integer(0), Value::string("_"));
  p.add(agg);
  return p;
}

RC_GTEST_PROP(FastPathsProp, RememberedTokenResultsAgreeWithTheGenericPath, ()) {
  ir::Program programs[] = {random_token_program(), random_token_program()};
  Options options = random_options();
  std::size_t ran = 0, steps = 0;
  for (int k = *rc::gen::inRange(2, 16); k > 0; --k) {
    const ir::Program& p = programs[*rc::gen::inRange(0, 2)];
    auto root = *rc::gen::inRange<ir::NodeId>(0, static_cast<ir::NodeId>(p.size()));
    // Mostly one letter, as tokens usually are, and a longer token the memo numbers apart.
    auto tokens = *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange<std::size_t>(1, 12),
                                                                rc::gen::element<std::string>("a", "b", "c", "bb"));
    std::vector<Value> input;
    for (const std::string& t : tokens) input.push_back(Value::string(t));
    ++steps;
    if (expect_fast_as_generic(p, root, input, options)) ++ran;
  }
  RC_CLASSIFY(ran == steps, "no step faulted");
  RC_CLASSIFY(ran == 0, "every step faulted");
}

// Chains of maps over means, indices and tokens, many read by one map alone: evaluate()
// computes those inside the map they lead to (fusion), and on a fault evaluates node by node
// again. Every node's value on a run of inputs, or its first fault, must be the generic
// path's.
ir::Program random_chain_program() {
  ir::Program p;
  ir::Node tokens = node_of(ir::NodeKind::Tokens, {});
  tokens.token_type = ir::TokenType::Int;
  auto t = p.add(tokens);
  auto i = p.add(node_of(ir::NodeKind::Indices, {}));
  auto s = p.add(node_of(ir::NodeKind::Select, {i, i},
                         ir::make_binary(*rc::gen::element(BinaryOp::Le, BinaryOp::Eq, BinaryOp::Ge),
                                         ir::make_var(0), ir::make_var(1))));
  std::vector<ir::NodeId> pool = {t, i};
  auto read = [&](const std::vector<ir::NodeId>& from) { return from[*rc::gen::inRange<std::size_t>(0, from.size())]; };
  ir::Node mean = node_of(ir::NodeKind::Aggregate, {s, t});
  mean.value = Value::integer(0);
  pool.push_back(p.add(mean));
  for (int k = *rc::gen::inRange(3, 9); k > 0; --k) {
    int arity = *rc::gen::inRange(1, 3);
    std::vector<ir::NodeId> inputs;
    for (int a = 0; a < arity; ++a) inputs.push_back(read(pool));
    // Mostly the map just made, so that chains form whose links have one reader.
    if (*rc::gen::inRange(0, 3) > 0) inputs[0] = pool.back();
    ir::Expr expr = random_expr(arity, 2);
    // Some pick strings: all strings, or strings and numbers mixed (a fault), or strings
    // that a later map computes with.
    if (*rc::gen::inRange(0, 4) == 0) {
      expr = ir::make_ite(random_expr(arity, 1), ir::make_const(Value::string("s")),
                          *rc::gen::arbitrary<bool>() ? ir::make_const(Value::string("t")) : random_expr(arity, 1));
    }
    pool.push_back(p.add(node_of(ir::NodeKind::Map, inputs, expr)));
  }
  ir::Node agg = node_of(ir::NodeKind::Aggregate, {s, pool.back()});
  agg.value = Value::integer(0);
  p.add(agg);
  return p;
}

RC_GTEST_PROP(FastPathsProp, FusedMapsAgreeWithTheGenericPath, ()) {
  ir::Program p = random_chain_program();
  Options options = random_options();
  // Without reuse, maps that do not read tokens are fused too.
  options.reuse = *rc::gen::arbitrary<bool>();
  std::size_t ran = 0, steps = 0;
  for (int k = *rc::gen::inRange(1, 4); k > 0; --k) {
    auto input = random_int_input(*rc::gen::inRange<std::size_t>(1, 33));
    for (ir::NodeId root = 0; root < p.size(); ++root) {
      ++steps;
      if (expect_fast_as_generic(p, root, input, options)) ++ran;
    }
  }
  RC_CLASSIFY(ran == steps, "no step faulted");
  RC_CLASSIFY(ran == 0, "every step faulted");
}

// A map of one operation on operands and constants (most maps of a lowered program), which
// the int path computes straight into the column: every operation, operands of both int
// kinds (bools and ints) and constants of every kind, values near the limits; alone, and
// read by another such map (computed inside its group on short inputs).
ir::Expr random_leaf(int arity) {
  if (*rc::gen::arbitrary<bool>()) return ir::make_var(*rc::gen::inRange(0, arity));
  int c = *rc::gen::inRange(0, 4);
  if (c == 0) return ir::make_const(Value::boolean(*rc::gen::arbitrary<bool>()));
  if (c == 1) return ir::make_const(*Value::rational(1, 2));
  return ir::make_const(Value::integer(*edgy_int()));
}

ir::Expr random_one_operation(int arity) {
  int pick = *rc::gen::inRange(0, 4);
  if (pick == 0) {
    return ir::make_unary(*rc::gen::element(ExprOp::Neg, ExprOp::Not, ExprOp::Indicator, ExprOp::Round,
                                            ExprOp::ToBool, ExprOp::ToInt),
                          random_leaf(arity));
  }
  if (pick == 1) return ir::make_ite(random_leaf(arity), random_leaf(arity), random_leaf(arity));
  if (pick == 2) {
    return ir::make_logical(*rc::gen::element(ExprOp::And, ExprOp::Or), random_leaf(arity), random_leaf(arity));
  }
  auto op = *rc::gen::element(BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Mod, BinaryOp::Eq,
                              BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge, BinaryOp::Min,
                              BinaryOp::Max, BinaryOp::Div);
  return ir::make_binary(op, random_leaf(arity), random_leaf(arity));
}

RC_GTEST_PROP(FastPathsProp, OneOperationMapsAgreeWithTheGenericPath, ()) {
  ir::Program p;
  ir::Node tokens = node_of(ir::NodeKind::Tokens, {});
  tokens.token_type = ir::TokenType::Int;
  auto t = p.add(tokens);
  auto i = p.add(node_of(ir::NodeKind::Indices, {}));
  // A bool column beside the int ones.
  auto b = p.add(node_of(ir::NodeKind::Map, {t}, ir::make_binary(BinaryOp::Gt, ir::make_var(0),
                                                                  ir::make_const(Value::integer(0)))));
  auto first = p.add(node_of(ir::NodeKind::Map, {*rc::gen::element(t, i, b), *rc::gen::element(t, i, b)},
                             random_one_operation(2)));
  p.add(node_of(ir::NodeKind::Map, {first, *rc::gen::element(t, i, b)}, random_one_operation(2)));
  auto input = random_int_input(*rc::gen::inRange<std::size_t>(1, 20));
  Options options = random_options();
  expect_same(p, input, options);
  for (ir::NodeId root = 0; root < p.size(); ++root) expect_fast_as_generic(p, root, input, options);
}

// The sorting idiom `select(k, q, <) or (select(k', q', ==) and select(x, y, OP))`, read
// off sorted keys when the == compares what the < does (the same two nodes, or equal
// columns), or in one pass when x and y are indices: strings (whose == numbers distinct
// values rather than ranking them), ints and fractions, short inputs (scanned) and long
// ones (sorted), either operand order.
RC_GTEST_PROP(FastPathsProp, SortIdiomSelectorsAgreeWithTheGenericPath, ()) {
  ir::Program p;
  bool strings = *rc::gen::arbitrary<bool>();
  ir::Node tokens = node_of(ir::NodeKind::Tokens, {});
  tokens.token_type = strings ? ir::TokenType::Str : ir::TokenType::Int;
  auto t = p.add(tokens);
  auto i = p.add(node_of(ir::NodeKind::Indices, {}));
  // Ties broken another way: strings doubled, or ints halved (fractions with ties).
  auto m = p.add(node_of(ir::NodeKind::Map, {t},
                         strings ? ir::make_binary(BinaryOp::Add, ir::make_var(0), ir::make_var(0))
                                 : ir::make_binary(BinaryOp::Div, ir::make_var(0), ir::make_const(Value::integer(2)))));
  auto column = [&] { return *rc::gen::element(t, i, m); };
  auto select = [&](ir::NodeId k, ir::NodeId q, BinaryOp op) {
    return p.add(node_of(ir::NodeKind::Select, {k, q}, ir::make_binary(op, ir::make_var(0), ir::make_var(1))));
  };
  ir::NodeId k = column(), q = column();
  auto before = select(k, q, *rc::gen::element(BinaryOp::Lt, BinaryOp::Gt, BinaryOp::Le));
  bool same_nodes = *rc::gen::arbitrary<bool>();
  auto equal = select(same_nodes ? k : column(), same_nodes ? q : column(),
                      *rc::gen::element(BinaryOp::Eq, BinaryOp::Eq, BinaryOp::Ne));
  // Mostly ties broken by position (`select(indices, indices, <)`), read in one pass.
  bool by_position = *rc::gen::arbitrary<bool>();
  auto other = select(by_position ? i : column(), by_position ? i : column(),
                      *rc::gen::element(BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt,
                                        BinaryOp::Ge));
  auto tied = p.add(node_of(ir::NodeKind::SelectorAnd, *rc::gen::arbitrary<bool>() ? std::vector<ir::NodeId>{equal, other}
                                                                                  : std::vector<ir::NodeId>{other, equal}));
  auto order = p.add(node_of(ir::NodeKind::SelectorOr, *rc::gen::arbitrary<bool>() ? std::vector<ir::NodeId>{before, tied}
                                                                                   : std::vector<ir::NodeId>{tied, before}));
  // The idiom, and its `==` and `<` part alone ("earlier with the same value").
  for (ir::NodeId sel : {order, tied}) {
    p.add(node_of(ir::NodeKind::SelectorWidth, {sel}));
    for (ir::NodeId values : {t, i, m}) {
      ir::Node agg = node_of(ir::NodeKind::Aggregate, {sel, values});
      agg.value = strings && values != i ? Value::string("_") : Value::integer(0);
      p.add(agg);
    }
  }
  auto length = *rc::gen::inRange<std::size_t>(1, 40);
  std::vector<Value> input;
  if (strings) {
    auto chars = *rc::gen::container<std::string>(length, rc::gen::element('a', 'b', 'c', 'd'));
    for (char c : chars) input.push_back(Value::string(std::string(1, c)));
  } else {
    auto ints = *rc::gen::container<std::vector<std::int64_t>>(length, rc::gen::inRange<std::int64_t>(-3, 4));
    for (auto x : ints) input.push_back(Value::integer(x));
  }
  RC_CLASSIFY(length >= 17, "sorted keys");
  Options options = random_options();
  expect_same(p, input, options);
  // And the batch path: the same program's evaluations one after another.
  for (ir::NodeId root = 0; root < p.size(); ++root) expect_fast_as_generic(p, root, input, options);
}

RC_GTEST_PROP(FastPathsProp, StringColumnsAgreeWithTheGenericPath, ()) {
  ir::Program p;
  auto t = p.add(node_of(ir::NodeKind::Tokens, {}));
  auto i = p.add(node_of(ir::NodeKind::Indices, {}));
  auto a = ir::make_const(Value::string("b"));
  auto m = p.add(node_of(ir::NodeKind::Map, {t},
                         *rc::gen::element(ir::make_binary(BinaryOp::Add, ir::make_var(0), a),
                                           ir::make_binary(BinaryOp::Lt, ir::make_var(0), a),
                                           ir::make_binary(BinaryOp::Max, ir::make_var(0), a),
                                           ir::make_binary(BinaryOp::Mul, ir::make_var(0),
                                                           ir::make_const(Value::integer(2))))));
  auto keys = *rc::gen::element(t, i, m);
  auto queries = *rc::gen::element(t, i, m);
  auto op = *rc::gen::element(BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Ge, BinaryOp::Add);
  ir::Expr predicate = op == BinaryOp::Add
                           ? ir::make_binary(BinaryOp::Eq, ir::make_binary(op, ir::make_var(0), a), ir::make_var(1))
                           : ir::make_binary(op, ir::make_var(0), ir::make_var(1));
  auto s = p.add(node_of(ir::NodeKind::Select, {keys, queries}, predicate));
  ir::Node agg = node_of(ir::NodeKind::Aggregate, {s, *rc::gen::element(t, i, m)});
  agg.value = Value::string("_");
  p.add(agg);
  p.add(node_of(ir::NodeKind::SelectorWidth, {s}));
  auto chars = *rc::gen::container<std::string>(*rc::gen::inRange<std::size_t>(1, 25),
                                                rc::gen::element('a', 'b', 'c'));
  std::vector<Value> input;
  for (char c : chars) input.push_back(Value::string(std::string(1, c)));
  expect_same(p, input, random_options());
}

}  // namespace
}  // namespace rasp::interp

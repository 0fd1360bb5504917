// tests/lib/compile/value_set_test.cpp - Value-set inference against hand-computed sets.
#include "lib/compile/value_set.h"

#include <gtest/gtest.h>

namespace rasp::compile {
namespace {

using ir::BinaryOp;
using ir::Node;
using ir::NodeKind;
using ir::Value;

std::vector<std::string> render(const ValueSet& set) {
  std::vector<std::string> out;
  for (const Value& v : set) out.push_back(v.repr());
  return out;
}

ir::NodeId tokens(ir::Program& p, ir::TokenType t = ir::TokenType::Str) {
  Node n;
  n.kind = NodeKind::Tokens;
  n.token_type = t;
  return p.add(n);
}
ir::NodeId indices(ir::Program& p) {
  Node n;
  n.kind = NodeKind::Indices;
  return p.add(n);
}
ir::NodeId select(ir::Program& p, ir::NodeId k, ir::NodeId q, BinaryOp op) {
  Node n;
  n.kind = NodeKind::Select;
  n.inputs = {k, q};
  n.expr = ir::make_binary(op, ir::make_var(0), ir::make_var(1));
  return p.add(n);
}
ir::NodeId aggregate(ir::Program& p, ir::NodeId s, ir::NodeId v, Value dflt) {
  Node n;
  n.kind = NodeKind::Aggregate;
  n.inputs = {s, v};
  n.value = std::move(dflt);
  return p.add(n);
}

TEST(ValueSetTest, TokensIndicesAndWidth) {
  ir::Program p;
  auto t = tokens(p);
  auto i = indices(p);
  Node w;
  w.kind = NodeKind::SelectorWidth;
  w.inputs = {select(p, t, t, BinaryOp::Eq)};
  auto wid = p.add(w);
  Node m;
  m.kind = NodeKind::Map;
  m.inputs = {i, wid};
  m.expr = ir::make_binary(BinaryOp::Add, ir::make_var(0), ir::make_var(1));
  auto sum = p.add(m);
  ValueSetOptions o;
  o.vocab = {Value::string("b"), Value::string("a"), Value::string("a")};
  o.max_len = 3;
  auto sets = infer_value_sets(p, sum, o);
  ASSERT_TRUE(sets);
  EXPECT_EQ(render(sets->of(t)), (std::vector<std::string>{"\"a\"", "\"b\""}));
  EXPECT_EQ(render(sets->of(i)), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(render(sets->of(wid)), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(sets->of(sum).size(), 6u);  // 0..5
  EXPECT_FALSE(sets->has(wid - 1));     // the selector has no set
}

TEST(ValueSetTest, MeansAreExactRationals) {
  ir::Program p;
  auto t = tokens(p, ir::TokenType::Int);
  auto i = indices(p);
  auto agg = aggregate(p, select(p, i, i, BinaryOp::Lt), t, Value::integer(0));
  ValueSetOptions o;
  o.vocab = {Value::integer(0), Value::integer(1)};
  o.max_len = 5;
  auto sets = infer_value_sets(p, agg, o);
  ASSERT_TRUE(sets);
  const ValueSet& s = sets->of(agg);
  // 0, 1 as ints, then every j/k for k in 2..5 as Floats (0.0 and 1.0 among them).
  auto has = [&](std::int64_t num, std::int64_t den) {
    Value v = *Value::rational(num, den);
    return std::any_of(s.begin(), s.end(), [&](const Value& x) { return x.identical(v); });
  };
  EXPECT_TRUE(has(2, 5));
  EXPECT_TRUE(has(3, 4));
  EXPECT_TRUE(has(1, 3));
  EXPECT_FALSE(has(1, 6));
  // ints 0,1 + Floats {0,1,1/2,1/3,2/3,1/4,3/4,1/5,2/5,3/5,4/5}
  EXPECT_EQ(s.size(), 2u + 11u);
}

TEST(ValueSetTest, InjectiveEqualitySelectHasNoMeans) {
  ir::Program p;
  auto t = tokens(p, ir::TokenType::Int);
  auto i = indices(p);
  Node m;
  m.kind = NodeKind::Map;
  m.inputs = {i};
  m.expr = ir::make_binary(BinaryOp::Sub, ir::make_const(Value::integer(3)), ir::make_var(0));
  auto opp = p.add(m);
  auto sel = select(p, i, opp, BinaryOp::Eq);
  auto agg = aggregate(p, sel, t, Value::integer(0));
  ValueSetOptions o;
  o.vocab = {Value::integer(5), Value::integer(7)};
  o.max_len = 4;
  EXPECT_TRUE(selects_at_most_one(p, sel, 4));
  EXPECT_FALSE(selects_at_most_one(p, select(p, t, t, BinaryOp::Eq), 4));
  auto sets = infer_value_sets(p, agg, o);
  ASSERT_TRUE(sets);
  EXPECT_EQ(render(sets->of(agg)), (std::vector<std::string>{"0", "5", "7"}));
}

TEST(ValueSetTest, LimitIsADiagnostic) {
  ir::Program p;
  auto t = tokens(p, ir::TokenType::Int);
  auto i = indices(p);
  auto agg = aggregate(p, select(p, i, i, BinaryOp::Le), t, Value::integer(0));
  ValueSetOptions o;
  for (int k = 0; k < 40; ++k) o.vocab.push_back(Value::integer(k * 7919 % 1000));
  o.max_len = 16;
  o.max_size = 500;
  auto sets = infer_value_sets(p, agg, o);
  ASSERT_FALSE(sets);
  EXPECT_EQ(sets.error().front().code, code::kLimit);
}

TEST(ValueSetTest, FailingCombinationsAreLeftOut) {
  ir::Program p;
  auto i = indices(p);
  Node m;
  m.kind = NodeKind::Map;
  m.inputs = {i};
  m.expr = ir::make_binary(BinaryOp::Div, ir::make_const(Value::integer(6)), ir::make_var(0));
  auto q = p.add(m);
  ValueSetOptions o;
  o.vocab = {Value::string("a")};
  o.max_len = 4;
  auto sets = infer_value_sets(p, q, o);
  ASSERT_TRUE(sets);
  EXPECT_EQ(render(sets->of(q)), (std::vector<std::string>{"2.0", "3.0", "6.0"}));  // Python: / gives a float
}

}  // namespace
}  // namespace rasp::compile

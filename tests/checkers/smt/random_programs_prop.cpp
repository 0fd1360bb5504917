// tests/checkers/smt/random_programs_prop.cpp - Random programs: the encoding is the interpreter.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "checkers/smt/equivalence.h"
#include "tests/checkers/smt/program_builder.h"

namespace rasp::check {
namespace {

using namespace rasp::check::testing;

/// Reads a program's shape from a list of numbers, so that a second program can be the
/// same list with one number changed (a near miss, or sometimes an equivalent rewrite).
class Chooser {
 public:
  explicit Chooser(const std::vector<int>& choices) : d_choices(choices) {}
  int next(int n) {
    if (d_choices.empty()) return 0;
    return d_choices[d_at++ % d_choices.size()] % n;
  }

 private:
  const std::vector<int>& d_choices;
  std::size_t d_at = 0;
};

Expr small_constant(Chooser& c) { return lit(c.next(5) - 1); }

/// A random elementwise expression over one numeric operand.
Expr unary_expr(Chooser& c) {
  Expr x = x0();
  switch (c.next(10)) {
    case 0:
      return bin(BinaryOp::Add, x, small_constant(c));
    case 1:
      return bin(BinaryOp::Mul, x, small_constant(c));
    case 2:
      return bin(BinaryOp::Mod, x, c.next(2) ? lit(2 + c.next(2)) : lit(-2));
    case 3:
      return bin(BinaryOp::Min, x, small_constant(c));
    case 4:
      return ir::make_unary(ExprOp::Round, bin(BinaryOp::Div, x, lit(2)));
    case 5:
      return ir::make_unary(ExprOp::Neg, x);
    case 6:
      return ir::make_ite(bin(BinaryOp::Gt, x, small_constant(c)), x, small_constant(c));
    case 7:
      return ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Lt, x, small_constant(c)));
    case 8:
      return bin(BinaryOp::Div, lit(1), x);  // may divide by zero
    default:
      return ir::make_lookup(x, ir::TableKind::List, {},
                             {Value::integer(3), Value::integer(1), Value::integer(4)});
  }
}

Expr binary_expr(Chooser& c) {
  static const BinaryOp ops[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Min,
                                 BinaryOp::Max};
  if (c.next(4) == 0) return ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Le, x0(), x1()));
  return bin(ops[c.next(5)], x0(), x1());
}

BinaryOp comparison(Chooser& c) {
  static const BinaryOp ops[] = {BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt,
                                 BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge};
  return ops[c.next(6)];
}

/// A random program over string tokens "a", "b", "c": a few maps, selects, aggregates and
/// widths. Returns its last s-op.
NodeId random_program(Builder& b, Chooser& c) {
  NodeId t = b.tokens();
  std::vector<NodeId> nums{b.indices()}, strs{t}, sels;
  nums.push_back(b.map(ir::make_unary(ExprOp::Indicator, bin(BinaryOp::Eq, x0(), lit("a"))), {t}));
  NodeId last = nums.back();
  auto pick = [&](const std::vector<NodeId>& from) { return from[static_cast<std::size_t>(c.next(static_cast<int>(from.size())))]; };
  auto new_select = [&]() {
    NodeId s;
    switch (c.next(3)) {
      case 0:
        s = b.select(pick(nums), pick(nums), comparison(c));
        break;
      case 1:
        s = b.select(pick(strs), pick(strs), comparison(c));
        break;
      default:
        s = b.select(pick(strs), pick(strs), bin(BinaryOp::Eq, x0(), lit("a")));
    }
    sels.push_back(s);
    return s;
  };
  int steps = 2 + c.next(4);
  for (int i = 0; i < steps; ++i) {
    switch (c.next(8)) {
      case 0:
        last = b.map(unary_expr(c), {pick(nums)});
        nums.push_back(last);
        break;
      case 1:
        last = b.map(binary_expr(c), {pick(nums), pick(nums)});
        nums.push_back(last);
        break;
      case 2:
        new_select();
        break;
      case 3:
        if (sels.empty()) {
          new_select();
        } else if (c.next(3) == 0) {
          sels.push_back(b.selector_not(pick(sels)));
        } else {
          sels.push_back(b.selector(c.next(2) ? NodeKind::SelectorAnd : NodeKind::SelectorOr,
                                    pick(sels), new_select()));
        }
        break;
      case 4:
      case 5: {
        NodeId s = sels.empty() ? new_select() : pick(sels);
        last = b.aggregate(s, pick(nums), Value::integer(c.next(2)));
        nums.push_back(last);
        break;
      }
      case 6: {
        // Strings: fails when two or more are selected, mixes types with a numeric default.
        NodeId s = sels.empty() ? new_select() : pick(sels);
        last = b.aggregate(s, pick(strs), c.next(2) ? Value::string("c") : Value::integer(0));
        strs.push_back(last);
        break;
      }
      default: {
        NodeId s = sels.empty() ? new_select() : pick(sels);
        last = b.width(s);
        nums.push_back(last);
      }
    }
  }
  return last;
}

interp::Options random_semantics() {
  interp::Options o;
  o.aggregation = *rc::gen::element(interp::Aggregation::Mean, interp::Aggregation::Sum);
  o.bos = *rc::gen::arbitrary<bool>();
  o.causal = *rc::gen::arbitrary<bool>();
  return o;
}

// For one concrete input the encoding must give exactly what the interpreter gives:
// the same failure, or the same value at every position.
RC_GTEST_PROP(SmtEncoderProp, AgreesWithTheInterpreterOnEveryInput, ()) {
  auto choices = *rc::gen::container<std::vector<int>>(40, rc::gen::inRange(0, 1000));
  auto input_ids = *rc::gen::resize(4, rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 3))));
  interp::Options semantics = random_semantics();
  Builder b;
  Chooser chooser(choices);
  NodeId root = random_program(b, chooser);
  std::vector<Value> vocab = strings("abc");
  std::vector<Value> input;
  for (int i : input_ids) input.push_back(vocab[static_cast<std::size_t>(i)]);

  z3::context ctx;
  auto encoder = Encoder::make(ctx, input.size(), EncodeOptions{semantics, vocab}, {{&b.program, root}});
  RC_ASSERT(encoder.has_value());
  auto encoded = encoder->encode(0);
  if (!encoded) {
    RC_ASSERT(encoded.error().front().code == std::string(code::kUnsupported));
    RC_DISCARD("the encoder refuses this program");
  }
  z3::solver solver(ctx);
  for (std::size_t i = 0; i < input_ids.size(); ++i) solver.add(encoder->token(i) == input_ids[i]);
  RC_ASSERT(solver.check() == z3::sat);
  z3::model model = solver.get_model();
  auto expected = interp::evaluate(b.program, root, input, semantics);
  bool faults = model.eval(encoded->fault, true).is_true();
  RC_TAG(expected.has_value() ? "evaluates" : "fails");
  RC_ASSERT(faults == !expected.has_value());
  if (!expected) return;
  RC_ASSERT(encoded->values.size() == expected->values.size());
  for (std::size_t p = 0; p < expected->values.size(); ++p) {
    Value got = encoder->value_in(model, encoded->values[p]);
    RC_ASSERT(got == expected->values[p]);
  }
}

// The SMT verdict agrees with running every input, including the exact least
// counterexample, for a program and a near miss of it.
RC_GTEST_PROP(SmtEquivalenceProp, AgreesWithEnumeration, ()) {
  auto choices = *rc::gen::container<std::vector<int>>(40, rc::gen::inRange(0, 1000));
  auto mutated = choices;
  if (*rc::gen::arbitrary<bool>()) {
    mutated[*rc::gen::inRange<std::size_t>(0, mutated.size())] = *rc::gen::inRange(0, 1000);
  }
  BoundedOptions options;
  options.semantics = random_semantics();
  options.vocabulary = strings("abc");
  options.max_len = 3;
  options.enumerate_up_to = 0;  // the point is to compare the two methods
  Builder a, b;
  Chooser ca(choices), cb(mutated);
  NodeId ra = random_program(a, ca), rb = random_program(b, cb);
  auto smt = check_equivalence({&a.program, ra}, {&b.program, rb}, options);
  auto brute = enumerate_equivalence({&a.program, ra}, {&b.program, rb}, options);
  RC_ASSERT(smt.has_value() && brute.has_value());
  RC_ASSERT(!std::holds_alternative<Inconclusive>(*smt));
  RC_TAG(std::holds_alternative<Proven>(*smt) ? "equivalent" : "counterexample");
  RC_ASSERT(smt->index() == brute->index());
  if (std::holds_alternative<Counterexample>(*smt)) {
    RC_ASSERT(interp::describe_input(std::get<Counterexample>(*smt).input) ==
              interp::describe_input(std::get<Counterexample>(*brute).input));
  } else {
    RC_ASSERT(std::get<Proven>(*smt).proven_up_to == 3);
  }
}

}  // namespace
}  // namespace rasp::check

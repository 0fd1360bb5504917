// tests/checkers/smt/random_programs_prop.cpp - Random programs: the encoding is the interpreter.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "checkers/smt/equivalence.h"
#include "tests/support/random_programs.h"

namespace rasp::check {
namespace {

using namespace rasp::check::testing;

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
  options.race_up_to = 0;
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

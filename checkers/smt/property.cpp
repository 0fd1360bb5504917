// checkers/smt/property.cpp - An assertion as a bounded claim: truthy at every position.
#include "checkers/smt/property.h"

#include "checkers/smt/detail/bounded_search.h"

namespace rasp::check {

Result<Verdict> check_property(const ir::Program& program, ir::NodeId expr, ir::NodeId assertion,
                               const BoundedOptions& options) {
  if (program.is_selector(assertion)) {
    return fail(code::kType, "the assertion must be an s-op, not a selector");
  }
  detail::Claim claim;
  claim.programs = {ProgramRef{&program, expr}, ProgramRef{&program, assertion}};
  claim.violation = [](const Encoder& encoder,
                       const std::vector<EncodedRoot>& roots) -> Result<z3::expr> {
    z3::expr_vector bad(roots[1].fault.ctx());
    bad.push_back(roots[0].fault);
    bad.push_back(roots[1].fault);
    for (const auto& v : roots[1].values) bad.push_back(!encoder.truthy(v));
    return z3::mk_or(bad);
  };
  claim.run = [&program, expr, assertion,
               semantics = options.semantics](const std::vector<ir::Value>& input) {
    detail::Run run{interp::evaluate(program, expr, input, semantics),
                    interp::evaluate(program, assertion, input, semantics), false};
    run.fails = !run.a || !run.b;
    if (!run.fails) {
      for (const auto& v : run.b->values) run.fails = run.fails || !v.truthy();
    }
    return run;
  };
  return detail::bounded_search(claim, options);
}

}  // namespace rasp::check

// checkers/smt/equivalence.cpp - Equivalence as a bounded claim: the two roots never differ.
#include "checkers/smt/equivalence.h"

#include "checkers/smt/detail/bounded_search.h"

namespace rasp::check {
namespace {

Result<detail::Claim> equivalence_claim(const ProgramRef& a, const ProgramRef& b,
                                        const BoundedOptions& options) {
  if (a.program->is_selector(a.root) != b.program->is_selector(b.root)) {
    return fail(code::kType, "cannot compare a selector with an s-op");
  }
  detail::Claim claim;
  claim.programs = {a, b};
  claim.violation = [](const Encoder& encoder,
                       const std::vector<EncodedRoot>& roots) -> Result<z3::expr> {
    return encoder.differ(roots[0], roots[1]);
  };
  claim.run = [a, b, semantics = options.semantics](const std::vector<ir::Value>& input) {
    detail::Run run{interp::evaluate(*a.program, a.root, input, semantics),
                    interp::evaluate(*b.program, b.root, input, semantics), false};
    run.fails = outcomes_differ(run.a, run.b);
    return run;
  };
  return claim;
}

}  // namespace

Result<Verdict> check_equivalence(const ProgramRef& a, const ProgramRef& b,
                                  const BoundedOptions& options) {
  auto claim = equivalence_claim(a, b, options);
  if (!claim) return tl::unexpected(claim.error());
  return detail::bounded_search(*claim, options);
}

Result<Verdict> enumerate_equivalence(const ProgramRef& a, const ProgramRef& b,
                                      const BoundedOptions& options) {
  auto claim = equivalence_claim(a, b, options);
  if (!claim) return tl::unexpected(claim.error());
  return detail::enumerate(*claim, options);
}

}  // namespace rasp::check

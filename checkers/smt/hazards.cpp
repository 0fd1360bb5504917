// checkers/smt/hazards.cpp - One encoding per length, one solver call per open hazard.
#include "checkers/smt/hazards.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "checkers/smt/encoder.h"

namespace rasp::check {
namespace {

using ir::NodeId;
using ir::NodeKind;
using Clock = std::chrono::steady_clock;

/// The hazard's violation on the encoded program: true on the inputs where it happens and
/// the node's operands evaluate.
z3::expr violation(const Encoder& encoder, const ir::Program& program, const Hazard& h,
                   int max_len) {
  const ir::Node& n = program.node(h.node);
  EncodedNode self = *encoder.node(h.node);
  z3::context& ctx = self.own_fault.ctx();
  z3::expr_vector operand_faults(ctx);
  for (NodeId in : n.inputs) operand_faults.push_back(encoder.node(in)->root.fault);
  z3::expr operands_ok = !z3::mk_or(operand_faults);
  z3::expr_vector cases(ctx);
  switch (h.kind) {
    case HazardKind::NoRuntimeError:
      return (operands_ok && self.own_fault).simplify();
    case HazardKind::WidthInRange:
      for (const SymValue& v : self.root.values) cases.push_back(*v.num > max_len);
      break;
    case HazardKind::AtMostOneKey:
    case HazardKind::SelectedValuesEqual: {
      const EncodedNode selector = *encoder.node(n.inputs[0]);
      const EncodedNode column = *encoder.node(n.inputs[1]);
      const auto& m = selector.root.matrix;
      const auto& values = column.root.values;
      for (std::size_t q = 0; q < m.size(); ++q) {
        for (std::size_t a = 0; a < m[q].size(); ++a) {
          for (std::size_t b = a + 1; b < m[q].size(); ++b) {
            z3::expr both = m[q][a] && m[q][b];
            if (h.kind == HazardKind::SelectedValuesEqual) {
              both = both && !encoder.equal(values[a], values[b]);
            }
            cases.push_back(both);
          }
        }
      }
      break;
    }
  }
  return (operands_ok && z3::mk_or(cases)).simplify();
}

/// Whether the hazard happens on `input`, by the interpreter alone.
bool happens(const ir::Program& program, const Hazard& h, const std::vector<ir::Value>& input,
             const BoundedOptions& options) {
  const ir::Node& n = program.node(h.node);
  auto operands = interp::trace(program, n.inputs, input, options.semantics);
  if (!operands) return false;
  NodeId self[] = {h.node};
  auto full = interp::trace(program, self, input, options.semantics);
  if (h.kind == HazardKind::NoRuntimeError) return !full.has_value();
  std::size_t first = operands->first_position();
  if (h.kind == HazardKind::WidthInRange) {
    if (!full) return false;
    const interp::Column& w = full->column(h.node);
    for (std::size_t q = first; q < w.size(); ++q) {
      if (w[q].is_number() && w[q].to_double() > options.max_len) return true;
    }
    return false;
  }
  const interp::Matrix& m = operands->matrix(n.inputs[0]);
  const interp::Column& values = operands->column(n.inputs[1]);
  for (std::size_t q = first; q < m.n; ++q) {
    for (std::size_t a = first; a < m.n; ++a) {
      if (!m.at(q, a)) continue;
      for (std::size_t b = a + 1; b < m.n; ++b) {
        if (!m.at(q, b)) continue;
        if (h.kind == HazardKind::AtMostOneKey || !(values[a] == values[b])) return true;
      }
    }
  }
  return false;
}

}  // namespace

std::string hazard_statement(HazardKind kind) {
  switch (kind) {
    case HazardKind::AtMostOneKey:
      return "selects at most one key at every query";
    case HazardKind::SelectedValuesEqual:
      return "selects only keys holding equal values at every query";
    case HazardKind::NoRuntimeError:
      return "never fails at run time (division by zero, bad index, average of non-numbers)";
    case HazardKind::WidthInRange:
      return "stays within the width range compiled for";
  }
  return "";
}

std::vector<Hazard> runtime_hazards(const ir::Program& program, NodeId root) {
  std::vector<Hazard> out;
  for (NodeId id : program.ancestors(root)) {
    switch (program.node(id).kind) {
      case NodeKind::Map:
      case NodeKind::Select:
      case NodeKind::Aggregate:
        out.push_back({id, HazardKind::NoRuntimeError});
        break;
      case NodeKind::SelectorWidth:
        out.push_back({id, HazardKind::WidthInRange});
        break;
      default:
        break;
    }
  }
  return out;
}

Result<HazardReport> check_hazards(const ir::Program& program, NodeId root,
                                   const std::vector<Hazard>& hazards,
                                   const BoundedOptions& options) {
  HazardReport report;
  for (const Hazard& h : hazards) report.outcomes.push_back({h, 0, std::nullopt});
  const auto start = Clock::now();
  auto left = [&] {
    return options.timeout_seconds -
           std::chrono::duration<double>(Clock::now() - start).count();
  };
  bool limited = options.timeout_seconds > 0;
  auto timeout_reason = [&](int n) {
    return fmt::format("timeout after {:g} s at length {}", options.timeout_seconds, n);
  };
  for (int n = 1; n <= options.max_len; ++n) {
    if (limited && left() <= 0) {
      report.inconclusive = timeout_reason(n);
      return report;
    }
    bool refuted = false;
    try {
      z3::context ctx;
      auto encoder = Encoder::make(ctx, static_cast<std::size_t>(n),
                                   EncodeOptions{options.semantics, options.vocabulary},
                                   {ProgramRef{&program, root}});
      if (!encoder) {
        if (encoder.error().front().code != code::kUnsupported) {
          return tl::unexpected(encoder.error());
        }
        report.inconclusive = fmt::format("length {}: {}", n, encoder.error().front().message);
        return report;
      }
      if (auto encoded = encoder->encode(0); !encoded) {
        if (encoded.error().front().code != code::kUnsupported) {
          return tl::unexpected(encoded.error());
        }
        report.inconclusive = fmt::format("length {}: {}", n, encoded.error().front().message);
        return report;
      }
      z3::solver solver(ctx);
      solver.add(encoder->domain());
      auto check = [&] {
        ++report.solver_calls;
        if (limited) {
          solver.set("timeout", static_cast<unsigned>(std::max(1.0, std::ceil(left() * 1000))));
        }
        return solver.check();
      };
      auto unknown = [&] {
        std::string why = solver.reason_unknown();
        if ((limited && left() <= 0) || why == "timeout" || why == "canceled") {
          return timeout_reason(n);
        }
        return fmt::format("Z3 answered unknown at length {}: {}", n, why);
      };
      for (HazardOutcome& o : report.outcomes) {
        z3::expr bad = violation(*encoder, program, o.hazard, options.max_len);
        if (bad.is_false()) {
          o.proven_up_to = n;
          continue;
        }
        o.trivial = false;
        solver.push();
        solver.add(bad);
        z3::check_result r = check();
        if (r == z3::unsat) {
          solver.pop();
          o.proven_up_to = n;
          continue;
        }
        if (r == z3::unknown) {
          report.inconclusive = unknown();
          return report;
        }
        // The least input of this length: each position, first to last, fixed to the least
        // symbol that keeps the violation satisfiable.
        z3::model model = solver.get_model();
        std::vector<ir::Value> input;
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
          const z3::expr& t = encoder->token(i);
          int chosen = model.eval(t, true).get_numeral_int();
          for (int v = 0; v < chosen; ++v) {
            solver.push();
            solver.add(t == v);
            z3::check_result rv = check();
            if (rv == z3::sat) model = solver.get_model();
            solver.pop();
            if (rv == z3::sat) {
              chosen = v;
              break;
            }
            if (rv == z3::unknown) {
              report.inconclusive = unknown();
              return report;
            }
          }
          solver.add(t == chosen);
          input.push_back(options.vocabulary[static_cast<std::size_t>(chosen)]);
        }
        solver.pop();
        if (!happens(program, o.hazard, input, options)) {
          report.inconclusive = fmt::format(
              "the SMT encoding and the interpreter disagree on input {} (a raspkit bug; please "
              "report it)",
              interp::describe_input(input));
          return report;
        }
        o.witness = std::move(input);
        refuted = true;
      }
    } catch (const z3::exception& e) {
      report.inconclusive = fmt::format("Z3 failed at length {}: {}", n, e.msg());
      return report;
    }
    if (refuted) return report;
    report.proven_up_to = n;
  }
  return report;
}

}  // namespace rasp::check

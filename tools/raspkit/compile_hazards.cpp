// tools/raspkit/compile_hazards.cpp - compile, discharge, then write the model or refuse with the witness.
#include "tools/raspkit/compile_hazards.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "analyzers/bounds.h"
#include "checkers/smt/hazards.h"
#include "lib/compile/witness.h"
#include "lib/interp/evaluator.h"
#include "tools/raspkit/compile_schedule.h"

namespace rasp::cli {
namespace {

std::string located(const ir::Program& program, ir::NodeId id) {
  const SourceRange& r = program.node(id).range;
  std::string name = analyze::node_label(program, id);
  if (!r.known()) return name;
  return fmt::format("{} ({}:{})", name,
                     std::filesystem::path(r.file_name()).filename().string(), r.line);
}

/// Why the hazard makes exact weights impossible, as the diagnostic's message.
std::string refusal(const ir::Program& program, const check::Hazard& h) {
  std::string what;
  switch (h.kind) {
    case check::HazardKind::AtMostOneKey:
      what = "this categorical aggregate can select two or more keys of non-numeric values, "
             "which one-hot attention cannot average";
      break;
    case check::HazardKind::SelectedValuesEqual:
      what = "this categorical aggregate can select two keys holding different values, which "
             "one-hot attention cannot average";
      break;
    case check::HazardKind::NoRuntimeError:
      what = "it fails at run time on some input, where no weights can agree with the "
             "interpreter";
      break;
    case check::HazardKind::WidthInRange:
      what = "its width can leave the range the model decodes";
      break;
  }
  return fmt::format("cannot compile {} exactly: {}", analyze::node_label(program, h.node), what);
}

tl::unexpected<Diagnostics> refuse(const ir::Program& program, const check::Hazard& h,
                                   const std::vector<ir::Value>& witness,
                                   const std::string& how) {
  std::vector<std::string> notes{
      fmt::format("witness input: {} ({})", interp::describe_input(witness), how)};
  if (h.kind == check::HazardKind::NoRuntimeError) {
    ir::NodeId self[] = {h.node};
    auto run = interp::trace(program, self, witness, interp::Options{});
    if (!run) notes.push_back("the interpreter says: " + run.error().front().message);
  }
  return tl::unexpected(Diagnostics{Diagnostic{Severity::Error, code::kUnsupported,
                                               refusal(program, h), program.node(h.node).range,
                                               std::move(notes)}});
}

}  // namespace

Result<HazardCheck> discharge_hazards(const ir::Program& program, ir::NodeId root,
                                      compile::Model& model,
                                      const compile::CompileOptions& options,
                                      double timeout_seconds) {
  std::vector<check::Hazard> hazards;
  for (const compile::Obligation& o : model.obligations) {
    hazards.push_back({o.id, o.kind == compile::Obligation::Kind::AtMostOneKey
                                 ? check::HazardKind::AtMostOneKey
                                 : check::HazardKind::SelectedValuesEqual});
  }
  for (const check::Hazard& h : check::runtime_hazards(program, root)) hazards.push_back(h);

  check::BoundedOptions bo;
  bo.vocabulary = options.vocab;
  bo.max_len = options.max_len;
  bo.timeout_seconds = timeout_seconds;
  auto report = check::check_hazards(program, root, hazards, bo);
  if (!report) return tl::unexpected(report.error());

  HazardCheck out;
  out.proven_safe_up_to = report->proven_up_to;
  out.fallback = report->inconclusive;
  for (const check::HazardOutcome& o : report->outcomes) {
    if (o.witness) {
      std::string least = o.proven_up_to == 0
                              ? std::string("no shorter input exists")
                              : fmt::format("no input of up to {} tokens has the hazard", o.proven_up_to);
      return refuse(program, o.hazard, *o.witness, fmt::format("found by Z3; {}", least));
    }
  }
  for (std::size_t i = 0; i < report->outcomes.size(); ++i) {
    const check::HazardOutcome& o = report->outcomes[i];
    std::string statement = check::hazard_statement(o.hazard.kind);
    out.hazards.push_back({{"node", analyze::node_label(program, o.hazard.node)},
                           {"line", program.node(o.hazard.node).range.line},
                           {"statement", statement},
                           {"proven_up_to", o.proven_up_to}});
    if (o.trivial) {
      ++out.trivially_proven;
    } else {
      out.proven.push_back(fmt::format("{}: {}", located(program, o.hazard.node), statement));
    }
    if (i < model.obligations.size()) {
      model.obligations[i].checked_up_to = std::max(model.obligations[i].checked_up_to,
                                                    o.proven_up_to);
    }
  }
  if (out.fallback.empty()) return out;
  // Z3 stopped early: the obligations it did not reach get the exhaustive search.
  for (std::size_t i = 0; i < model.obligations.size(); ++i) {
    compile::Obligation& o = model.obligations[i];
    if (o.checked_up_to >= options.max_len) continue;
    int len = std::min(options.witness_len, options.max_len);
    if (len <= o.checked_up_to) continue;
    bool different = o.kind == compile::Obligation::Kind::SelectedValuesEqual;
    auto search = compile::find_multi_select_witness(program, o.id, options.vocab, len,
                                                     options.witness_budget, different);
    if (search.witness) {
      return refuse(program, hazards[i], *search.witness,
                    fmt::format("found by exhaustive search after Z3 stopped: {}", out.fallback));
    }
    o.checked_up_to = std::max(o.checked_up_to, search.checked_len);
  }
  return out;
}

void print_hazard_check(const HazardCheck& check, int max_len) {
  if (check.fallback.empty()) {
    fmt::print(stderr, "note: proven safe up to {} tokens by Z3 (proven_safe_up_to = {})\n",
               max_len, check.proven_safe_up_to);
  } else {
    fmt::print(stderr,
               "note: Z3 proved the hazards for inputs of up to {} tokens, then stopped ({}); "
               "the aggregates' obligations fell back to exhaustive search over short inputs\n",
               check.proven_safe_up_to, check.fallback);
  }
  for (const std::string& p : check.proven) fmt::print(stderr, "  proven: {}\n", p);
  if (check.trivially_proven > 0) {
    fmt::print(stderr, "  and {} hazard{} that {}\n", check.trivially_proven,
               check.trivially_proven == 1 ? "" : "s",
               check.fallback.empty() ? "cannot happen by construction"
                                      : "needed no solver call up to that length");
  }
}

namespace {

// A refusal located in the library's source (`length` under sum aggregation, say) is moved
// to the first of the user's nodes that reads it, with a note on where in the library.
Diagnostics located_in_user_code(const ir::Program& program, ir::NodeId root, Diagnostics diagnostics) {
  for (Diagnostic& d : diagnostics) {
    if (!d.range.in_library()) continue;
    // A diagnostic names a place, not a node: the library's nodes that start there.
    std::vector<ir::NodeId> order = program.ancestors(root);
    std::vector<char> reads(program.size(), 0);
    for (ir::NodeId id : order) {
      const SourceRange& r = program.node(id).range;
      if (r.in_library() && r.line == d.range.line && r.col == d.range.col) reads[id] = 1;
    }
    if (auto reader = program.first_user_reader(order, std::move(reads))) {
      d.notes.insert(d.notes.begin(), fmt::format("in the library's code at <prelude>:{}:{}, which this reads",
                                                  d.range.line, d.range.col));
      d.range = program.node(*reader).range;
    }
  }
  return diagnostics;
}

}  // namespace

Result<CheckedModel> compile_checked(const ir::Program& program, ir::NodeId root,
                                     compile::CompileOptions options, const std::string& schedule,
                                     double timeout_seconds) {
  std::optional<analyze::Bounds> bounds = compile_schedule(program, root, schedule);
  const int exhaustive_len = options.witness_len;
  options.witness_len = 0;  // Z3 discharges the obligations; exhaustive search is its fallback
  auto model = compile::compile(program, root, options, bounds ? &bounds->schedule : nullptr);
  if (!model) return tl::unexpected(located_in_user_code(program, root, model.error()));
  options.witness_len = exhaustive_len;
  auto hazards = discharge_hazards(program, root, *model, options, timeout_seconds);
  if (!hazards) return tl::unexpected(located_in_user_code(program, root, hazards.error()));
  return CheckedModel{std::move(*model), std::move(*hazards)};
}

}  // namespace rasp::cli

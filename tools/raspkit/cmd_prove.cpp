// tools/raspkit/cmd_prove.cpp - `raspkit prove`: an assertion true at every position of every input up to N.
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "checkers/smt/property.h"
#include "checkers/smt/verdict_json.h"
#include "lib/ir/json.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct ProveOptions {
  ProgramOptions program;
  std::string assertion;
  std::string vocab;
  int max_len = 6;
  double timeout = 0;
  double solver_timeout = 0;
  unsigned rlimit = 0;
  std::string aggregate = "mean";
  interp::Options semantics;
  bool json = false;
  bool deterministic = false;
};

int run(ProveOptions& o) {
  if (!apply_aggregate(o.aggregate, o.semantics)) return kUsage;
  o.program.sum_aggregation = o.semantics.aggregation == interp::Aggregation::Sum;
  auto plain = load_or_report(o.program);
  if (!plain) return kBadInput;
  if (!plain->module.env) {
    // --assert is RASP read in the program's scope: a JSON IR program has names for its
    // outputs but no scope to read an expression in.
    fmt::print(stderr, "raspkit prove: {} is a JSON IR program, which has no scope to read --assert in; "
                       "prove its .rasp source\n", o.program.file);
    return kUsage;
  }
  std::string expr = o.program.expr.value_or(plain->module.last_assigned_name);
  if (expr.empty()) {
    fmt::print(stderr, "raspkit prove: give --expr (the file assigns no s-op)\n");
    return kUsage;
  }
  front::Module* module = &plain->module;
  auto root = front::bind_expression(*module, "out", expr);
  if (!root) {
    report(root.error(), module);
    return kBadInput;
  }
  auto assertion = front::evaluate_expression(*module, o.assertion);
  if (!assertion) {
    report(assertion.error(), module);
    return kBadInput;
  }
  check::BoundedOptions options;
  options.semantics = o.semantics;
  auto vocabulary = symbol_vocab("prove", o.vocab, o.program.tokens);
  if (!vocabulary) return kUsage;
  options.vocabulary = std::move(*vocabulary);
  options.max_len = o.max_len;
  options.timeout_seconds = o.timeout;
  options.solver_timeout_seconds = o.solver_timeout;
  options.rlimit = o.rlimit;
  options.on_length = length_progress("prove", o.max_len);
  auto start = std::chrono::steady_clock::now();
  auto verdict = check::check_property(module->program, *root, *assertion, options);
  clear_progress(options.on_length);
  double seconds = elapsed_seconds(start, o.deterministic);
  if (!verdict) {
    report(verdict.error(), module);
    return kBadInput;
  }
  fmt::print(stderr, "{}",
             check::describe_verdict(*verdict, o.max_len, seconds, "proven", expr, o.assertion));
  // JSON: equiv's verdicts and fields (issue 5: "same verdicts and output"), so one parser
  // reads both; the text above says "proven".
  if (o.json) std::cout << ir::json_text(check::verdict_to_json(*verdict, o.max_len, seconds, "equivalent")) << "\n";
  if (std::holds_alternative<check::Proven>(*verdict)) return kVerified;
  if (std::holds_alternative<check::Counterexample>(*verdict)) return kCounterexample;
  return kInconclusive;
}

void add_prove_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<ProveOptions>();
  auto* sub = app.add_subcommand(
      "prove", "Prove an assertion true at every position of every input up to --max-len, or give the least input where it fails");
  add_program_options(*sub, o->program);
  sub->add_option("--assert", o->assertion,
                  "a RASP s-op over the program's names, with `out` for --expr; it holds where its value is truthy as in Python (true, non-zero, a non-empty string)")
      ->required();
  sub->add_option("--vocab", o->vocab, "input symbols, comma-separated, in the order that defines the least input")
      ->required();
  sub->add_option("--max-len", o->max_len, "prove every length from 1 to this")
      ->check(CLI::Range(1, 1000))
      ->required();
  sub->add_option("--timeout", o->timeout, "seconds for the whole check (0: no limit)")
      ->check(seconds(true));
  sub->add_option("--solver-timeout", o->solver_timeout,
                  "seconds for any one Z3 call, within --timeout (0: no limit)")
      ->check(seconds(true));
  sub->add_option("--rlimit", o->rlimit,
                  "Z3 resource units for any one call (0: no limit); unlike a timeout, the same "
                  "verdict every run");
  add_semantics_options(*sub, o->semantics, o->aggregate);
  sub->add_flag("--json", o->json, "print one JSON document on stdout");
  add_deterministic_option(*sub, o->deterministic);
  sub->callback([o, &action] { action = [o] { return run(*o); }; });
}

const CommandRegistration kRegistered{55, add_prove_command};

}  // namespace
}  // namespace rasp::cli

// tools/raspkit/cmd_equiv.cpp - `raspkit equiv`: two expressions equal on every input up to N, or where not.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <random>

#include "checkers/smt/equivalence.h"
#include "checkers/smt/verdict_json.h"
#include "lib/interp/all_inputs.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct EquivOptions {
  std::string file_a;
  std::string file_b;
  std::optional<std::string> expr_a;
  std::optional<std::string> expr_b;
  std::string tokens = "str";
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

int verdict_exit(const check::Verdict& v) {
  if (std::holds_alternative<check::Proven>(v)) return kVerified;
  if (std::holds_alternative<check::Counterexample>(v)) return kCounterexample;
  return kInconclusive;
}

// Inputs on which both programs fail at run time: every input of lengths 1, 2, ... while
// they number at most 2000 in all, then 100 inputs drawn at random (a fixed seed, so every
// run tries the same) of each longer length, so that both failing on every long input is
// seen too.
struct BothFail {
  std::size_t count = 0;
  std::size_t tried = 0;
  std::vector<ir::Value> first;
  std::string error;
};

BothFail both_fail(const ir::Program& pa, ir::NodeId ra, const ir::Program& pb, ir::NodeId rb,
                   const check::BoundedOptions& options) {
  BothFail out;
  const auto& vocab = options.vocabulary;
  auto tr = [&](const std::vector<ir::Value>& input) {
    ++out.tried;
    auto a = interp::evaluate(pa, ra, input, options.semantics);
    if (!a && !interp::evaluate(pb, rb, input, options.semantics) && out.count++ == 0) {
      out.first = input;
      out.error = a.error().front().message;
    }
  };
  int n = 1;
  for (; n <= options.max_len; ++n) {
    double count = std::pow(static_cast<double>(vocab.size()), n);
    if (static_cast<double>(out.tried) + count > 2000) break;
    interp::AllInputs input(vocab, static_cast<std::size_t>(n));
    do {
      tr(*input);
    } while (input.next());
  }
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<std::size_t> pick(0, vocab.size() - 1);
  for (; n <= options.max_len; ++n) {
    std::vector<ir::Value> input(static_cast<std::size_t>(n));
    for (int k = 0; k < 100; ++k) {
      for (auto& token : input) token = vocab[pick(rng)];
      tr(input);
    }
  }
  return out;
}

int run(EquivOptions& o) {
  if (!apply_aggregate(o.aggregate, o.semantics)) return kUsage;
  auto vocabulary = symbol_vocab("equiv", o.vocab, o.tokens);
  if (!vocabulary) return kUsage;
  bool sums = o.semantics.aggregation == interp::Aggregation::Sum;
  auto a = load_or_report(ProgramOptions{o.file_a, o.expr_a, o.tokens, sums});
  if (!a) return kBadInput;
  auto b = load_or_report(ProgramOptions{o.file_b, o.expr_b, o.tokens, sums});
  if (!b) return kBadInput;
  check::BoundedOptions options;
  options.semantics = o.semantics;
  options.vocabulary = std::move(*vocabulary);
  options.max_len = o.max_len;
  options.timeout_seconds = o.timeout;
  options.solver_timeout_seconds = o.solver_timeout;
  options.rlimit = o.rlimit;
  options.on_length = length_progress("equiv", o.max_len);
  auto start = std::chrono::steady_clock::now();
  auto verdict = check::check_equivalence({&a->module.program, a->root},
                                          {&b->module.program, b->root}, options);
  clear_progress(options.on_length);
  double seconds = elapsed_seconds(start, o.deterministic);
  if (!verdict) {
    report(verdict.error());
    return kBadInput;
  }
  std::string name_a = fmt::format("{}:{}", o.file_a, o.expr_a.value_or(a->module.last_assigned_name));
  std::string name_b = fmt::format("{}:{}", o.file_b, o.expr_b.value_or(b->module.last_assigned_name));
  fmt::print(stderr, "{}",
             check::describe_verdict(*verdict, o.max_len, seconds, "equivalent", name_a, name_b));
  nlohmann::json doc = check::verdict_to_json(*verdict, o.max_len, seconds, "equivalent");
  if (std::holds_alternative<check::Proven>(*verdict)) {
    // Both failing counts as agreeing, whatever the errors: say so when it happens on the
    // inputs tried, above all when both fail on every one.
    BothFail both = both_fail(a->module.program, a->root, b->module.program, b->root, options);
    if (both.count > 0) {
      fmt::print(stderr,
                 "  note: both fail at run time on {} of the {} inputs tried{} (first {}: {}); "
                 "both failing counts as agreeing, whatever the two errors\n",
                 both.count, both.tried, both.count == both.tried ? ", every one" : "",
                 interp::describe_input(both.first), both.error);
      doc["both_fail"] = {{"count", both.count},
                          {"tried", both.tried},
                          {"first", interp::input_to_json(both.first)},
                          {"error", both.error}};
    }
  }
  if (o.json) std::cout << ir::json_text(doc) << "\n";
  return verdict_exit(*verdict);
}

void add_equiv_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<EquivOptions>();
  auto* sub = app.add_subcommand(
      "equiv", "Prove two expressions equal on every input up to --max-len, or give the least input where they differ");
  sub->add_option("a", o->file_a, "first program (.rasp or .json)")->required();
  sub->add_option("b", o->file_b, "second program (.rasp or .json)")->required();
  sub->add_option("--expr-a", o->expr_a, "expression in the first program (default: its last assignment)");
  sub->add_option("--expr-b", o->expr_b, "expression in the second program (default: its last assignment)");
  sub->add_option("--tokens", o->tokens, "what `tokens` means: str, int, float, bool")
      ->check(CLI::IsMember({"str", "int", "float", "bool", "asis"}));
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

const CommandRegistration kRegistered{50, add_equiv_command};

}  // namespace
}  // namespace rasp::cli

// tools/raspkit/cmd_cex.cpp - `raspkit cex`: an input on which compiled weights and the interpreter disagree.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <cmath>
#include <random>
#include <set>
#include <sstream>

#include "analyzers/cost_model_optimal.h"
#include "checkers/smt/hazards.h"
#include "lib/compile/export.h"
#include "lib/compile/forward.h"
#include "lib/compile/import.h"
#include "lib/compile/residual_check.h"
#include "lib/interp/all_inputs.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/compile_schedule.h"
#include "tools/raspkit/directives.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct CexCommand {
  ProgramOptions program;
  std::string vocab;
  int max_len = 0;
  std::string model_path;
  std::string config_path;
  std::string schedule = "optimal";
  std::string width_fusion = "auto";
  std::uint64_t seed = 1;
  double timeout = 0;
  std::size_t exhaustive_budget = 20000;
  std::size_t random_inputs = 2000;
  std::string output;
  bool json = false;
  std::string aggregate = "mean";
  /// --aggregate: the interpreter's semantics, and the aggregation the weights compile for.
  interp::Options semantics;
};

using Input = std::vector<ir::Value>;

/// The interpreter's and the weights' answers on one input.
struct Comparison {
  bool in_domain = false;  ///< the interpreter evaluates the program on it
  interp::Output interpreter;
  interp::Output compiled;
  bool differ = false;
};

class Search {
 public:
  Search(const CexCommand& cmd, const ir::Program& program, ir::NodeId root,
         const compile::Model& model, const std::vector<ir::Value>& vocab)
      : d_cmd(cmd), d_program(program), d_root(root), d_model(model), d_vocab(vocab),
        d_start(std::chrono::steady_clock::now()) {}

  Comparison compare(const Input& input) {
    ++d_tried;
    Comparison c;
    auto expected = interp::evaluate(d_program, d_root, input, d_cmd.semantics);
    if (!expected) {  // outside the program's domain: nothing to compile
      if (d_outside++ == 0) {
        d_outside_example = input;
        d_outside_error = expected.error().empty() ? std::string() : expected.error().front().message;
      }
      return c;
    }
    c.in_domain = true;
    c.interpreter = std::move(*expected);
    auto got = compile::run_compiled(d_model, input);
    if (!got) return c;  // a token the model lacks: the vocabulary check rules it out first
    c.compiled = std::move(*got);
    c.differ = !interp::same_values(c.interpreter, c.compiled);
    return c;
  }

  bool failing(const Input& input) { return compare(input).differ; }

  [[nodiscard]] bool out_of_time() const {
    if (d_cmd.timeout <= 0) return false;
    std::chrono::duration<double> spent = std::chrono::steady_clock::now() - d_start;
    return spent.count() > d_cmd.timeout;
  }

  /// Every input of `length` tokens in vocabulary order; the first failing one, if any.
  /// Sets `timed_out` when the time ran out before the end.
  std::optional<Input> exhaustive(int length, bool& timed_out) {
    interp::AllInputs input(d_vocab, static_cast<std::size_t>(length));
    do {
      if ((d_tried & 255) == 0 && out_of_time()) {
        timed_out = true;
        return std::nullopt;
      }
      if (failing(*input)) return *input;
    } while (input.next());
    return std::nullopt;
  }

  /// `count` inputs of lengths min_len..max_len drawn with the seed; the first failing one.
  std::optional<Input> random(int min_len, std::size_t count, std::size_t& drawn,
                              bool& timed_out) {
    // mt19937_64 is specified bit for bit, and the draws below use plain modulo (not
    // std::uniform_int_distribution, whose algorithm is the library's), so a seed gives
    // the same inputs everywhere.
    std::mt19937_64 rng(d_cmd.seed);
    auto span = static_cast<std::uint64_t>(d_cmd.max_len - min_len + 1);
    for (drawn = 0; drawn < count; ++drawn) {
      if ((drawn & 63) == 0 && out_of_time()) {
        timed_out = true;
        return std::nullopt;
      }
      std::size_t length = static_cast<std::size_t>(min_len) + rng() % span;
      Input input;
      for (std::size_t k = 0; k < length; ++k) input.push_back(d_vocab[rng() % d_vocab.size()]);
      if (failing(input)) {
        ++drawn;
        return input;
      }
    }
    return std::nullopt;
  }

  /// A failing input made shorter (dropping one position at a time), then earlier in
  /// vocabulary order (each token replaced by the first earlier symbol that still fails),
  /// until neither helps.
  Input shrink(Input input, int& steps) {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 0; i < input.size() && input.size() > 1 && !changed; ++i) {
        Input shorter = input;
        shorter.erase(shorter.begin() + static_cast<std::ptrdiff_t>(i));
        if (failing(shorter)) {
          input = std::move(shorter);
          changed = true;
          ++steps;
        }
      }
      for (std::size_t i = 0; i < input.size() && !changed; ++i) {
        for (const ir::Value& v : d_vocab) {
          if (v.identical(input[i])) break;
          Input earlier = input;
          earlier[i] = v;
          if (failing(earlier)) {
            input = std::move(earlier);
            changed = true;
            ++steps;
            break;
          }
        }
      }
    }
    return input;
  }

  [[nodiscard]] std::size_t tried() const { return d_tried; }
  /// Inputs the interpreter rejected (a run-time error), where no weights are compared;
  /// the first of them and the interpreter's message.
  [[nodiscard]] std::size_t outside() const { return d_outside; }
  [[nodiscard]] const Input& outside_example() const { return d_outside_example; }
  [[nodiscard]] const std::string& outside_error() const { return d_outside_error; }

 private:
  const CexCommand& d_cmd;
  const ir::Program& d_program;
  ir::NodeId d_root;
  const compile::Model& d_model;
  const std::vector<ir::Value>& d_vocab;
  std::chrono::steady_clock::time_point d_start;
  std::size_t d_tried = 0;
  std::size_t d_outside = 0;
  Input d_outside_example;
  std::string d_outside_error;
};

std::string vocab_directive(const std::vector<ir::Value>& vocab) {
  std::vector<std::string> symbols;
  for (const ir::Value& v : vocab) {
    std::string s = v.is_string() ? v.str() : v.repr();
    if (s.empty() || s.find_first_of(", \t#") != std::string::npos) return "";
    symbols.push_back(s);
  }
  return fmt::format("{}", fmt::join(symbols, ","));
}

std::string default_regress_path(const CexCommand& cmd) {
  std::string name = std::filesystem::path(cmd.program.file).stem().string();
  if (cmd.program.expr) name += "_" + *cmd.program.expr;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return fmt::format("corpus/regress/{}_cex.rasp", name);
}

std::string describe_divergence(const compile::Divergence& d) {
  std::string where = d.layer < 0 ? "the embedding"
                                  : fmt::format("layer {} ({})", d.layer, d.sublayer);
  std::string line = d.range.known() ? fmt::format(" (line {})", d.range.line) : "";
  return fmt::format("{}, s-op {}{}, position {}: the interpreter has {}, the residual reads {} "
                     "({})",
                     where, d.sop, line, d.position, d.expected.repr(), d.found, d.reading);
}

/// The program's source without its directive lines, then the counterexample as directives.
std::optional<std::string> regress_text(const CexCommand& cmd, const std::string& expr,
                                        const std::vector<ir::Value>& vocab, const Input& input,
                                        const Comparison& c, const std::string& divergence) {
  std::ifstream in(cmd.program.file);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string source = buffer.str();
  std::set<int> directive_lines;
  for (const Directive& d : read_directives(source)) directive_lines.insert(d.line);
  std::string out = fmt::format(
      "# Regression found by `raspkit cex` (vocab {}, max length {}{}): on this input the\n"
      "# compiled model answered {}, the interpreter {}.\n# First divergence: {}.\n",
      cmd.vocab, cmd.max_len, cmd.model_path.empty() ? "" : ", weights " + cmd.model_path,
      ir::json_text(interp::output_to_json(c.compiled)), ir::json_text(interp::output_to_json(c.interpreter)),
      divergence);
  std::istringstream lines(source);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!directive_lines.count(++n)) out += line + "\n";
  }
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  out += "\n";
  std::string flags;
  if (cmd.program.tokens != "str") flags += fmt::format(" --tokens {}", cmd.program.tokens);
  if (cmd.semantics.aggregation == interp::Aggregation::Sum) flags += " --aggregate sum";
  if (!flags.empty()) out += fmt::format("# FLAGS:{}\n", flags);
  out += fmt::format("# EXPR: {}\n", expr);
  out += fmt::format("# INPUT: {} -> {}\n", ir::json_text(interp::input_to_json(input)),
                     ir::json_text(interp::output_to_json(c.interpreter)));
  if (std::string v = vocab_directive(vocab); !v.empty()) {
    out += fmt::format("# COMPILES: vocab={} max-len={}\n", v, cmd.max_len);
  }
  return out;
}

int run_cex(const CexCommand& cmd) {
  auto vocab = parse_vocab(cmd.vocab);
  if (!vocab || vocab->empty()) {
    fmt::print(stderr, "raspkit cex: cannot read --vocab '{}'\n", cmd.vocab);
    return kUsage;
  }
  if (auto ok = read_bool_vocab(*vocab, cmd.program.tokens); !ok) {
    fmt::print(stderr, "raspkit cex: --vocab: {}\n", ok.error());
    return kUsage;
  }
  auto loaded = load_or_report(cmd.program);
  if (!loaded) return kBadInput;
  const ir::Program& program = loaded->module.program;
  if (program.is_selector(loaded->root)) {
    fmt::print(stderr, "raspkit cex: the expression is a selector; a compiled model computes s-ops\n");
    return kBadInput;
  }
  std::string expr = cmd.program.expr.value_or(loaded->module.last_assigned_name);

  // The reference compilation, as `raspkit compile` makes it: its layout reads the residual.
  std::optional<analyze::Bounds> bounds = compile_schedule(program, loaded->root, cmd.schedule);
  compile::CompileOptions options;
  options.vocab = *vocab;
  options.max_len = cmd.max_len;
  options.width_fusion = width_fusion(cmd.width_fusion);
  options.aggregation = cmd.semantics.aggregation;
  auto reader = compile::ResidualReader::make(program, loaded->root, options,
                                              bounds ? &bounds->schedule : nullptr);
  if (!reader) {
    report(reader.error(), &loaded->module);
    return kBadInput;
  }
  compile::Model model = reader->model();
  if (!cmd.model_path.empty()) {
    auto weights = compile::load_weights(reader->model(), cmd.model_path, cmd.config_path);
    if (!weights) {
      report(weights.error());
      return kBadInput;
    }
    model = std::move(*weights);
  }

  Search search(cmd, program, loaded->root, model, *vocab);
  nlohmann::json doc;
  std::vector<std::string> coverage;
  std::optional<Input> found;
  std::string method;
  bool timed_out = false;

  // 1. Hazards by SMT: the compiler's unproven assumptions (and selector widths in range),
  //    each proven for every length up to N or refuted with the least input; a witness on
  //    which the weights go wrong is the counterexample.
  nlohmann::json hazards = nlohmann::json::array();
  {
    std::vector<check::Hazard> wanted;
    for (const compile::Obligation& o : model.obligations) {
      wanted.push_back({o.id, o.kind == compile::Obligation::Kind::AtMostOneKey
                                  ? check::HazardKind::AtMostOneKey
                                  : check::HazardKind::SelectedValuesEqual});
    }
    for (const check::Hazard& h : check::runtime_hazards(program, loaded->root)) {
      if (h.kind == check::HazardKind::WidthInRange) wanted.push_back(h);
    }
    check::BoundedOptions bo;
    bo.semantics = cmd.semantics;
    bo.vocabulary = *vocab;
    bo.max_len = cmd.max_len;
    bo.timeout_seconds = cmd.timeout > 0 ? cmd.timeout : 60;
    auto checked = wanted.empty() ? Result<check::HazardReport>(check::HazardReport{})
                                 : check::check_hazards(program, loaded->root, wanted, bo);
    if (!checked) {
      report(checked.error(), &loaded->module);
      return kBadInput;
    }
    int refuted = 0;
    bool outside = false;  // a witness the interpreter itself rejects (a run-time error)
    for (const check::HazardOutcome& o : checked->outcomes) {
      nlohmann::json h{{"node", analyze::node_label(program, o.hazard.node)},
                       {"line", program.node(o.hazard.node).range.line},
                       {"statement", check::hazard_statement(o.hazard.kind)},
                       {"proven_up_to", o.proven_up_to}};
      if (o.witness) {
        ++refuted;
        h["witness"] = interp::input_to_json(*o.witness);
        Comparison c = search.compare(*o.witness);
        outside = outside || !c.in_domain;
        if (!found && c.differ) {
          found = *o.witness;
          method = "smt-hazard";
        }
      }
      hazards.push_back(std::move(h));
    }
    if (wanted.empty()) {
      coverage.push_back("hazards: none to prove (no unproven compiler assumption or width hazard)");
    } else if (refuted > 0) {
      coverage.push_back(fmt::format(
          "hazards: {} of {} can happen (SMT witness of length {}){}", refuted, wanted.size(),
          checked->proven_up_to + 1,
          found     ? ""
          : outside ? "; the interpreter rejects the witness (run-time error), so it is no "
                      "counterexample"
                    : "; the weights agree with the interpreter on the witness"));
    } else if (!checked->inconclusive.empty()) {
      coverage.push_back(fmt::format("hazards: {} proven by SMT up to length {}, then: {}",
                                     wanted.size(), checked->proven_up_to, checked->inconclusive));
    } else {
      coverage.push_back(fmt::format("hazards: {} proven by SMT up to length {}", wanted.size(),
                                     checked->proven_up_to));
    }
  }

  // 2. Every input of the shortest lengths, within the budget.
  int exhaustive_up_to = 0;
  std::size_t total = 0;
  for (int length = 1; length <= cmd.max_len && !found && !timed_out; ++length) {
    double count = std::pow(static_cast<double>(vocab->size()), length);
    if (static_cast<double>(total) + count > static_cast<double>(cmd.exhaustive_budget)) break;
    found = search.exhaustive(length, timed_out);
    if (found) {
      method = "exhaustive";
    } else if (!timed_out) {
      exhaustive_up_to = length;
      total += static_cast<std::size_t>(count);
    }
  }
  if (exhaustive_up_to > 0) {
    coverage.push_back(fmt::format("exhaustive: every input of length 1..{} ({} inputs)",
                                   exhaustive_up_to, total));
  }

  // 3. Random inputs of the lengths left, then shrinking.
  std::size_t drawn = 0;
  int shrink_steps = 0;
  bool ran_random = false;
  if (!found && !timed_out && exhaustive_up_to < cmd.max_len) {
    ran_random = true;
    found = search.random(exhaustive_up_to + 1, cmd.random_inputs, drawn, timed_out);
    if (found) {
      method = "random";
      *found = search.shrink(*found, shrink_steps);
    }
    coverage.push_back(fmt::format("random: {} input(s) of length {}..{}, seed {}{}", drawn,
                                   exhaustive_up_to + 1, cmd.max_len, cmd.seed,
                                   found ? fmt::format(", shrunk in {} step(s)", shrink_steps)
                                         : " (searched, not proven)"));
  }

  // Inputs the interpreter rejects are no counterexamples (no weights can agree with a
  // run-time error), but a verdict resting on few or none of the inputs tried says so.
  if (search.outside() > 0) {
    coverage.push_back(fmt::format(
        "domain: the interpreter fails on {} of the {} inputs tried (first {}: {}); the weights "
        "are compared only where it does not{}",
        search.outside(), search.tried(), interp::describe_input(search.outside_example()),
        search.outside_error(),
        search.outside() == search.tried() ? ", so nothing was compared (`raspkit compile` refuses such a program)" : ""));
    doc["outside_domain"] = {{"count", search.outside()},
                             {"tried", search.tried()},
                             {"first", interp::input_to_json(search.outside_example())},
                             {"error", search.outside_error()}};
  }
  doc["max_len"] = cmd.max_len;
  doc["proven_up_to"] = exhaustive_up_to;
  if (ran_random) doc["seed"] = cmd.seed;
  doc["coverage"] = coverage;
  doc["hazards"] = hazards;
  int status = kVerified;
  std::string text;
  if (found) {
    status = kCounterexample;
    Comparison c = search.compare(*found);
    auto trace = interp::trace(program, std::vector<ir::NodeId>{loaded->root}, *found, cmd.semantics);
    auto stages = compile::forward_stages(model, *found);
    std::optional<compile::Divergence> div;
    if (trace && stages) div = reader->first_divergence(*stages, *trace);
    if (!div) {
      // Every materialized s-op reads right: the output decoder itself goes wrong.
      compile::Divergence d;
      d.layer = static_cast<int>(model.layers.size()) - 1;
      d.sublayer = "output";
      d.sop = model.output.sop;
      for (std::size_t i = 0; i < c.interpreter.values.size(); ++i) {
        if (!(c.interpreter.values[i] == c.compiled.values[i])) {
          d.position = static_cast<int>(i);
          d.expected = c.interpreter.values[i];
          d.found = c.compiled.values[i].repr();
          break;
        }
      }
      d.reading = "output decoder";
      div = d;
    }
    std::string divergence = describe_divergence(*div);
    doc["verdict"] = "counterexample";
    doc["method"] = method;
    doc["input"] = interp::input_to_json(*found);
    doc["output_interpreter"] = interp::output_to_json(c.interpreter);
    doc["output_compiled"] = interp::output_to_json(c.compiled);
    doc["first_divergence"] = {{"layer", div->layer},
                               {"sublayer", div->sublayer},
                               {"sop", div->sop},
                               {"position", div->position},
                               {"interpreter", compile::value_to_json(div->expected)},
                               {"residual", div->found},
                               {"reading", div->reading}};
    if (div->range.known()) doc["first_divergence"]["line"] = div->range.line;
    text = fmt::format(
        "raspkit cex: counterexample ({} search)\n  input:       {}\n  interpreter: {}\n  "
        "compiled:    {}\n  first divergence: {}\n",
        method, ir::json_text(doc["input"]), ir::json_text(doc["output_interpreter"]),
        ir::json_text(doc["output_compiled"]), divergence);
    std::string path = cmd.output.empty() ? default_regress_path(cmd) : cmd.output;
    if (!cmd.output.empty()) {
      auto regress = regress_text(cmd, expr, *vocab, *found, c, divergence);
      std::ofstream out(path);
      if (!regress || !(out << *regress)) {
        fmt::print(stderr, "raspkit cex: cannot write {}\n", path);
        return kUsage;
      }
      doc["regress_file"] = path;
      text += fmt::format("  regress file: {} (`raspkit check {}` runs it)\n", path, path);
    } else {
      text += fmt::format("  to save it as a regression test: add -o {}\n", path);
    }
  } else if (timed_out) {
    status = kInconclusive;
    doc["verdict"] = "inconclusive";
    doc["reason"] = fmt::format("timeout after {} s", cmd.timeout);
    text = fmt::format("raspkit cex: inconclusive: the {} s timeout ran out\n", cmd.timeout);
  } else {
    doc["verdict"] = "none";
    doc["method"] = ran_random ? "exhaustive+random" : "exhaustive";
    text = search.outside() == search.tried()
               ? fmt::format("raspkit cex: no counterexample, but none was possible: the interpreter fails "
                             "on every input tried up to length {}\n",
                             cmd.max_len)
           : exhaustive_up_to == cmd.max_len
               ? fmt::format("raspkit cex: no counterexample: every input up to length {} "
                             "agrees\n",
                             cmd.max_len)
               : fmt::format("raspkit cex: no counterexample found up to length {} (proven "
                             "only up to length {}; longer inputs were sampled)\n",
                             cmd.max_len, exhaustive_up_to);
  }
  for (const std::string& line : coverage) text += "  " + line + "\n";
  fmt::print(stderr, "{}", text);
  if (cmd.json) std::cout << ir::json_text(doc) << "\n";
  return status;
}

void add_cex_command(CLI::App& app, Action& action) {
  auto cmd = std::make_shared<CexCommand>();
  auto* sub = app.add_subcommand(
      "cex", "find an input on which compiled weights and the interpreter disagree, and the "
             "first layer where the residual stream goes wrong");
  add_program_options(*sub, cmd->program);
  sub->add_option("--vocab", cmd->vocab, "the input tokens: abc, a,b,c or a JSON list")
      ->required();
  sub->add_option("--max-len", cmd->max_len, "search inputs of 1..N tokens (the model's length)")
      ->required()
      ->check(CLI::Range(1, 4096));
  sub->add_option("--model", cmd->model_path,
                  "weights written by `raspkit compile -o` (default: compile them now)");
  sub->add_option("--config", cmd->config_path, "the model's JSON config (default: beside it)");
  sub->add_option("--schedule", cmd->schedule,
                  "layer assignment the weights were compiled with: optimal (default) or asap")
      ->check(CLI::IsMember({"optimal", "asap"}));
  sub->add_option("--width-fusion", cmd->width_fusion,
                  "the --width-fusion the weights were compiled with: auto (default), always "
                  "or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_option("--seed", cmd->seed, "seed of the random search (default 1)");
  sub->add_option("--aggregate", cmd->aggregate, "mean (the reference, tracr) or sum (RASPy), as compile takes it")
      ->check(CLI::IsMember({"mean", "sum"}));
  sub->add_option("--timeout", cmd->timeout, "seconds for the whole search (0: no limit)")
      ->check(seconds(true));
  sub->add_option("--exhaustive", cmd->exhaustive_budget,
                  "try every input of the shortest lengths while they number at most this "
                  "(default 20000)");
  sub->add_option("--random", cmd->random_inputs,
                  "random inputs of the longer lengths (default 2000)");
  sub->add_option("-o,--output", cmd->output,
                  "write the counterexample as a corpus file here, e.g. corpus/regress/NAME.rasp");
  sub->add_flag("--json", cmd->json,
                "print {verdict, input, output_interpreter, output_compiled, first_divergence, "
                "method, seed, regress_file}");
  sub->callback([cmd, &action] {
    action = [cmd] {
      if (!apply_aggregate(cmd->aggregate, cmd->semantics)) return kUsage;
      // Under sums the library is loaded for sums, as compile loads it.
      cmd->program.sum_aggregation = cmd->semantics.aggregation == interp::Aggregation::Sum;
      return run_cex(*cmd);
    };
  });
}

const CommandRegistration kRegistered{45, add_cex_command};

}  // namespace
}  // namespace rasp::cli

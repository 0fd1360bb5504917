// tools/raspkit/cmd_compile.cpp - `raspkit compile`: RASP to transformer weights (safetensors + JSON config).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzers/cost_model_optimal.h"
#include "lib/compile/export.h"
#include "lib/compile/export_transformerlens.h"
#include "lib/compile/model.h"
#include "lib/compile/precision_check.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/compile_hazards.h"
#include "tools/raspkit/compile_schedule.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct CompileCommand {
  ProgramOptions program;
  std::string vocab;
  int max_len = 0;
  std::string output;
  std::string config;
  std::string dtype = "f32";
  std::string schedule = "optimal";
  std::string width_fusion = "auto";
  std::string format = "safetensors";
  std::string aggregate = "mean";
  double timeout = kHazardTimeoutSeconds;
  bool json = false;
};

int run_compile(const CompileCommand& cmd) {
  auto vocab = parse_vocab(cmd.vocab);
  if (!vocab || vocab->empty()) {
    fmt::print(stderr, "raspkit compile: cannot read --vocab '{}'\n", cmd.vocab);
    return kUsage;
  }
  if (auto ok = read_bool_vocab(*vocab, cmd.program.tokens); !ok) {
    fmt::print(stderr, "raspkit compile: --vocab: {}\n", ok.error());
    return kUsage;
  }
  if (cmd.output.empty() && !cmd.json) {
    fmt::print(stderr, "raspkit compile: give -o FILE, --json, or both\n");
    return kUsage;
  }
  // The config goes beside the weights (-o prog.safetensors: prog.json), which may be the
  // program itself when it is JSON IR: refused rather than overwritten.
  for (const std::string& out : {cmd.output, cmd.config,
                                  cmd.output.empty() ? std::string() : compile::default_config_path(cmd.output)}) {
    if (same_file(out, cmd.program.file)) {
      fmt::print(stderr, "raspkit compile: writing {} would overwrite the program; give another -o or --config\n", out);
      return kUsage;
    }
  }
  if (cmd.format == "transformerlens" && !cmd.config.empty()) {
    fmt::print(stderr, "raspkit compile: --format transformerlens writes DIR/config.json; drop --config\n");
    return kUsage;
  }
  interp::Options semantics;
  if (!apply_aggregate(cmd.aggregate, semantics)) return kUsage;
  ProgramOptions program_options = cmd.program;
  program_options.sum_aggregation = semantics.aggregation == interp::Aggregation::Sum;
  auto loaded = load_or_report(program_options);
  if (!loaded) return kBadInput;
  const ir::Program& program = loaded->module.program;
  compile::CompileOptions options;
  options.vocab = *vocab;
  options.max_len = cmd.max_len;
  options.width_fusion = width_fusion(cmd.width_fusion);
  options.aggregation = semantics.aggregation;
  auto checked = compile_checked(program, loaded->root, options, cmd.schedule, cmd.timeout);
  if (!checked) {
    report(checked.error(), &loaded->module);
    return kBadInput;
  }
  compile::Model* model = &checked->model;
  const HazardCheck* hazards = &checked->hazards;
  // The weights are exact in exact arithmetic; rounded to the tensor type, large numbers
  // next to small gaps between values decode wrongly. Refuse rather than claim exact_up_to.
  auto precision = compile::check_precision(*model, program, loaded->root, semantics,
                                            cmd.dtype == "f64" ? compile::Precision::Float64
                                                               : compile::Precision::Float32);
  if (precision.mismatch) {
    const auto& m = *precision.mismatch;
    std::vector<std::string> notes{
        fmt::format("witness input: {}", interp::describe_input(m.input)),
        cmd.dtype == "f64" ? std::string("the exact weights agree; its values are too large for f64's 53-bit "
                                         "significand next to the gaps between them")
                           : std::string("the exact weights agree; --dtype f64 keeps 53 bits where f32 keeps 24")};
    report(Diagnostics{Diagnostic{Severity::Error, code::kUnsupported,
                                  fmt::format("the {} weights are not exact: rounded to {} they decode {} where the "
                                              "interpreter gives {}",
                                              cmd.dtype, cmd.dtype, ir::json_text(interp::output_to_json(m.compiled)),
                                              ir::json_text(interp::output_to_json(m.interpreter))),
                                  program.node(loaded->root).range, std::move(notes)}},
           &loaded->module);
    return kBadInput;
  }
  if (!cmd.output.empty() && cmd.format == "transformerlens") {
    auto written = compile::write_transformerlens(
        compile::to_transformerlens(*model, program, loaded->root), cmd.output,
        cmd.dtype == "f64" ? compile::TensorType::F64 : compile::TensorType::F32);
    if (!written) {
      report(written.error());
      return kUsage;
    }
  } else if (!cmd.output.empty()) {
    auto written = compile::write_model(*model, cmd.output, cmd.config,
                                        cmd.dtype == "f64" ? compile::TensorType::F64
                                                           : compile::TensorType::F32);
    if (!written) {
      report(written.error());
      return kUsage;
    }
  }
  print_hazard_check(*hazards, cmd.max_len);
  for (const compile::Obligation& o : model->obligations) {
    if (o.checked_up_to >= cmd.max_len) continue;  // proven by Z3
    fmt::print(stderr,
               "note: {} assumes that {} (no input of up to {} tokens breaks it; `raspkit prove` "
               "can discharge it)\n",
               o.node, o.statement, o.checked_up_to);
  }
  if (cmd.json) {
    nlohmann::json doc = compile::summary_json(*model);
    doc["proven_safe_up_to"] = hazards->proven_safe_up_to;
    doc["dtype"] = cmd.dtype;
    doc["dtype_checked_inputs"] = precision.inputs_checked;
    doc["hazards"] = hazards->hazards;
    if (!hazards->fallback.empty()) doc["smt_stopped"] = hazards->fallback;
    std::cout << ir::json_text(doc) << "\n";
  }
  return kVerified;
}

void add_compile_command(CLI::App& app, Action& action) {
  auto cmd = std::make_shared<CompileCommand>();
  auto* sub = app.add_subcommand(
      "compile", "compile a RASP expression to transformer weights exact up to --max-len");
  add_program_options(*sub, cmd->program);
  sub->add_option("--vocab", cmd->vocab, "the input tokens: abc, a,b,c or a JSON list")
      ->required();
  sub->add_option("--max-len", cmd->max_len, "the longest input the weights must be exact on")
      ->required()
      ->check(CLI::Range(1, 4096));
  sub->add_option("-o,--output", cmd->output, "write safetensors here (config beside it, .json)");
  sub->add_option("--config", cmd->config, "write the JSON config here instead");
  sub->add_option("--dtype", cmd->dtype, "tensor type: f32 (default) or f64")
      ->check(CLI::IsMember({"f32", "f64"}));
  sub->add_option("--format", cmd->format,
                  "safetensors (default: -o FILE plus its .json config) or transformerlens "
                  "(-o DIR: model.safetensors, config.json, circuit.json, vocab.json)")
      ->check(CLI::IsMember({"safetensors", "transformerlens"}));
  sub->add_option("--schedule", cmd->schedule,
                  "layer assignment: optimal (default, from `raspkit bounds`) or asap")
      ->check(CLI::IsMember({"optimal", "asap"}));
  sub->add_option("--width-fusion", cmd->width_fusion, kWidthFusionHelp)
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_option("--aggregate", cmd->aggregate,
                  "mean (the reference, tracr) or sum (RASPy); under sum only aggregates that "
                  "select at most one key compile")
      ->check(CLI::IsMember({"mean", "sum"}));
  sub->add_option("--timeout", cmd->timeout,
                  "seconds for Z3 to prove the compile hazards (default 20); then exhaustive "
                  "search over short inputs")
      ->check(seconds(false));
  sub->add_flag("--json", cmd->json,
                "print {layers, heads_per_layer, residual_width, mlp_hidden, params, exact_up_to}");
  sub->callback([cmd, &action] { action = [cmd] { return run_compile(*cmd); }; });
}

const CommandRegistration kRegistered{40, add_compile_command};

}  // namespace
}  // namespace rasp::cli

// tools/raspkit/cmd_run.cpp - `raspkit run`: evaluate an expression on one input or a batch.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "lib/compile/forward.h"
#include "lib/compile/model.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"
#include "lib/ir/read_file.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/compile_hazards.h"
#include "tools/raspkit/compile_schedule.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct RunOptions {
  ProgramOptions program;
  std::optional<std::string> input;
  std::optional<std::string> inputs_file;
  std::string aggregate = "mean";
  interp::Options semantics;
  bool json = false;
  bool compiled = false;
  std::string vocab;
  int max_len = 0;
  std::string schedule = "optimal";
  std::string width_fusion = "auto";
};

nlohmann::json diagnostic_json(const Diagnostic& d) {
  nlohmann::json j{{"code", d.code}, {"message", d.message}};
  if (d.range.known()) {
    j["file"] = d.range.file_name();
    j["line"] = d.range.line;
    j["col"] = d.range.col;
  }
  if (!d.notes.empty()) j["notes"] = d.notes;
  return j;
}

int run(RunOptions& o) {
  if (!apply_aggregate(o.aggregate, o.semantics)) return kUsage;
  o.program.sum_aggregation = o.semantics.aggregation == interp::Aggregation::Sum;
  if (o.input.has_value() == o.inputs_file.has_value()) {
    fmt::print(stderr, "raspkit run: give exactly one of --input and --inputs\n");
    return kUsage;
  }
  std::optional<LoadedProgram> loaded;
  if (o.program.file.empty()) {
    if (!o.program.expr) {
      fmt::print(stderr, "raspkit run: give a FILE, an --expr, or both\n");
      return kUsage;
    }
    front::LoadOptions load;
    load.tokens = ir::parse_token_type(o.program.tokens).value_or(ir::TokenType::Str);
    load.sum_aggregation = o.program.sum_aggregation;
    auto module = front::load_source("", "<none>", load);
    if (!module) {
      report(module.error());
      return kBadInput;
    }
    auto root = front::evaluate_expression(*module, *o.program.expr);
    if (!root) {
      report(root.error(), &*module);
      return kBadInput;
    }
    loaded = LoadedProgram{std::move(*module), *root};
  } else {
    loaded = load_or_report(o.program);
    if (!loaded) return kBadInput;
  }

  // --compiled: the same inputs through compiled weights (float64), made as `raspkit compile`
  // makes them: --schedule, --width-fusion and --aggregate mean the same.
  std::optional<compile::Model> model;
  if (o.compiled) {
    auto vocab = parse_vocab(o.vocab);
    if (!vocab || vocab->empty() || o.max_len < 1) {
      fmt::print(stderr, "raspkit run: --compiled needs --vocab V and --max-len N\n");
      return kUsage;
    }
    if (auto ok = read_bool_vocab(*vocab, o.program.tokens); !ok) {
      fmt::print(stderr, "raspkit run: --vocab: {}\n", ok.error());
      return kUsage;
    }
    if (o.semantics.bos || o.semantics.causal) {
      fmt::print(stderr, "raspkit run: --compiled runs without --bos or --causal\n");
      return kUsage;
    }
    compile::CompileOptions co;
    co.vocab = *vocab;
    co.max_len = o.max_len;
    co.aggregation = o.semantics.aggregation;  // as `raspkit compile --aggregate`
    co.width_fusion = width_fusion(o.width_fusion);
    // As `raspkit compile` makes them, hazards proven: weights it would refuse (an input on
    // which the interpreter faults, or averages what one-hot attention cannot) are refused
    // here too, not run.
    auto checked = compile_checked(loaded->module.program, loaded->root, co, o.schedule,
                                   kHazardTimeoutSeconds);
    if (!checked) {
      report(checked.error(), &loaded->module);
      return kBadInput;
    }
    model = std::move(checked->model);
  }

  int status = kVerified;
  // In batch mode, the line of the inputs file a failing input came from, as a note.
  std::size_t line_number = 0;
  auto locate = [&](Diagnostics& d) {
    if (line_number > 0 && !d.empty()) d.front().notes.push_back(fmt::format("input on line {} of {}", line_number, *o.inputs_file));
  };
  auto run_one = [&](const nlohmann::json& input_json, const std::vector<ir::Value>& input) {
    auto out = model ? compile::run_compiled(*model, input)
                     : interp::evaluate(loaded->module.program, loaded->root, input, o.semantics);
    if (!out) {
      locate(out.error());
      status = kBadInput;
      if (o.json) {
        std::cout << ir::json_text(nlohmann::json{{"input", input_json}, {"error", diagnostic_json(out.error().front())}})
                  << "\n";
      }
      report(out.error(), &loaded->module);
      return;
    }
    if (model && !out->is_selector) {
      // A decoded number is a value of the s-op's value set, where 3 and 3.0 are one value:
      // where it equals the interpreter's, it is printed as the interpreter prints it (issue
      // 4: the same JSON); where they differ, the compiled value is shown as it is.
      if (auto want = interp::evaluate(loaded->module.program, loaded->root, input, o.semantics);
          want && want->values.size() == out->values.size()) {
        for (std::size_t i = 0; i < out->values.size(); ++i) {
          if (out->values[i] == want->values[i]) out->values[i] = want->values[i];
        }
      }
    }
    nlohmann::json result = interp::output_to_json(*out);
    if (o.json) {
      std::cout << ir::json_text(nlohmann::json{{"input", input_json}, {"output", result}}) << "\n";
    } else {
      std::cout << ir::json_text(result) << "\n";
    }
  };
  auto run_text = [&](const std::string& text) {
    auto input = interp::parse_input(text);
    nlohmann::json shown = ir::parse_json(text);
    if (shown.is_discarded()) shown = text;
    if (!input) {
      locate(input.error());
      status = kBadInput;
      if (o.json) {
        std::cout << ir::json_text(nlohmann::json{{"input", shown}, {"error", diagnostic_json(input.error().front())}})
                  << "\n";
      }
      report(input.error());
      return;
    }
    // The input as the user wrote it (a list stays a list); text that is neither a JSON
    // string nor a list (abc, 123) as the tokens it was read as.
    run_one(shown.is_string() || shown.is_array() ? shown : interp::input_to_json(*input), *input);
  };
  if (o.input) {
    run_text(*o.input);
    return status;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(*o.inputs_file, ec)) {
    fmt::print(stderr, "raspkit run: cannot open {}: it is a directory\n", *o.inputs_file);
    return kUsage;
  }
  std::ifstream in(*o.inputs_file);
  if (!in) {
    fmt::print(stderr, "raspkit run: cannot open {}\n", *o.inputs_file);
    return kUsage;
  }
  std::string line;
  bool too_long = false;
  while (ir::getline_bounded(in, line, too_long)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.back() == '\r') line.pop_back();
    run_text(line);
  }
  if (too_long) {
    fmt::print(stderr, "raspkit run: {}:{}: the line holds more than {} MiB; stopped there\n", *o.inputs_file,
               line_number + 1, ir::kMaxTextFileBytes >> 20);
    return kUsage;
  }
  return status;
}

void add_run_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand("run", "Evaluate a RASP expression on inputs with the exact interpreter");
  add_program_options(*sub, options->program, /*file_optional=*/true);
  sub->add_option("--input,-i", options->input,
                  "one input: a string (one token per character) or a JSON list");
  sub->add_option("--inputs", options->inputs_file, "a file with one JSON input per line (batch mode)");
  add_semantics_options(*sub, options->semantics, options->aggregate);
  sub->add_flag("--json", options->json, "print {\"input\", \"output\"} per input");
  auto* compiled = sub->add_flag("--compiled", options->compiled,
                                 "run the compiled transformer weights instead (a number equal to the "
                                 "interpreter's is printed as the interpreter prints it, 3 or 3.0)");
  sub->add_option("--vocab", options->vocab, "with --compiled: the vocabulary, e.g. a,b,c")->needs(compiled);
  sub->add_option("--max-len", options->max_len, "with --compiled: the longest input the model takes")
      ->needs(compiled)
      ->check(CLI::Range(1, 4096));
  sub->add_option("--schedule", options->schedule,
                  "with --compiled: layer assignment, optimal (default) or asap, as `raspkit compile`")
      ->check(CLI::IsMember({"optimal", "asap"}))
      ->needs(compiled);
  sub->add_option("--width-fusion", options->width_fusion, std::string("with --compiled: ") + kWidthFusionHelp)
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->needs(compiled);
  sub->callback([options, &action] { action = [options] { return run(*options); }; });
}

const CommandRegistration kRegistered{10, add_run_command};

}  // namespace
}  // namespace rasp::cli

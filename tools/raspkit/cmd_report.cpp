// tools/raspkit/cmd_report.cpp - `raspkit report`: one self-contained HTML page picturing a run.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <memory>

#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "lib/interp/io.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"
#include "tools/raspkit/report/html.h"

namespace rasp::cli {
namespace {

/// The longest input a report pictures.
constexpr std::size_t kMaxReportTokens = 256;

struct ReportCommand {
  ProgramOptions program;
  std::string input;
  std::string output;
  std::string aggregate = "mean";
  interp::Options semantics;
  std::string model = "rasp";
};

int run_report(ReportCommand& cmd) {
  if (!apply_aggregate(cmd.aggregate, cmd.semantics)) return kUsage;
  cmd.program.sum_aggregation = cmd.semantics.aggregation == interp::Aggregation::Sum;
  auto input = interp::parse_input(cmd.input);
  if (!input) {
    report(input.error());
    return kBadInput;
  }
  // Every selector is drawn as an n x n heatmap: 3,000 tokens made a page of a gigabyte.
  if (input->size() > kMaxReportTokens) {
    report(Diagnostics{Diagnostic{
        Severity::Error, code::kLimit,
        fmt::format("the report draws an n x n heatmap of every selector: an input of {} tokens is over its limit "
                    "of {} (`raspkit run` takes longer inputs)",
                    input->size(), kMaxReportTokens),
        {},
        {}}});
    return kBadInput;
  }
  auto loaded = load_or_report(cmd.program);
  if (!loaded) return kBadInput;
  const ir::Program& p = loaded->module.program;
  ir::NodeId roots[] = {loaded->root};
  auto trace = interp::trace(p, roots, *input, cmd.semantics);
  if (!trace) {
    report(trace.error(), &loaded->module);
    return kBadInput;
  }
  analyze::BoundsOptions bounds_options;
  bounds_options.bos = cmd.semantics.bos;
  analyze::Bounds bounds = cmd.model == "optimal"
                               ? analyze::optimal_bounds(p, loaded->root, bounds_options)
                               : analyze::rasp_bounds(p, loaded->root, bounds_options);

  html::ReportContent content;
  content.program = &p;
  content.root = loaded->root;
  content.file = cmd.program.file;
  content.expression = cmd.program.expr.value_or(loaded->module.last_assigned_name);
  content.input = *input;
  content.trace = &*trace;
  content.semantics = cmd.semantics;
  content.bounds = &bounds;
  std::string page = html::render_html(content);

  std::ofstream out(cmd.output, std::ios::binary);
  out << page;
  out.close();
  if (!out) {
    fmt::print(stderr, "raspkit report: cannot write {}\n", cmd.output);
    return kUsage;
  }
  return kVerified;
}

}  // namespace

void add_report_command(CLI::App& app, Action& action) {
  auto cmd = std::make_shared<ReportCommand>();
  CLI::App* sub = app.add_subcommand(
      "report",
      "write one self-contained HTML page: the graph by layer, attention heatmaps and every "
      "s-op's values on one input");
  add_program_options(*sub, cmd->program);
  sub->add_option("--input,-i", cmd->input,
                  "the input: a string (one token per character) or a JSON list")
      ->required();
  sub->add_option("--output,-o", cmd->output, "the HTML file to write")->required();
  add_semantics_options(*sub, cmd->semantics, cmd->aggregate);
  sub->add_option("--model", cmd->model,
                  "schedule that assigns layers and heads: rasp (default) or optimal")
      ->check(CLI::IsMember({"rasp", "optimal"}));
  sub->callback([cmd, &action] { action = [cmd] { return run_report(*cmd); }; });
}

namespace {
const CommandRegistration kRegistered{70, add_report_command};
}  // namespace

}  // namespace rasp::cli

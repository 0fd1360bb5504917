// tools/raspkit/report/html.h - One self-contained HTML page picturing a program run on one input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzers/bounds.h"
#include "lib/interp/evaluator.h"
#include "lib/ir/program.h"

namespace rasp::cli::html {

/// What a report shows: a program, the node asked for, one input, its trace and a schedule.
struct ReportContent {
  const ir::Program* program = nullptr;
  ir::NodeId root = 0;
  std::string file;        ///< the program's file, as the user named it
  std::string expression;  ///< the --expr text, or the name of the last assignment
  std::vector<ir::Value> input;
  /// The evaluation of `root` on `input`: every ancestor of `root` has a column or matrix.
  const interp::Trace* trace = nullptr;
  interp::Options semantics;
  /// Layers and heads under the chosen cost model; selectors need no placement.
  const analyze::Bounds* bounds = nullptr;
};

/// The report page: a summary, the computation graph by layer as inline SVG, one attention
/// heatmap per selector (queries left, keys on top, aggregated values below, outputs right)
/// and the value of every s-op at every position.
///
/// The page loads nothing: CSS and SVG are inline, there is no script, and a
/// Content-Security-Policy forbids every fetch. Every user-provided text (names, tokens,
/// values, file names) is escaped. With a BOS position the BOS column is shown, marked.
[[nodiscard]] std::string render_html(const ReportContent& content);

/// Escapes & < > " ' for HTML and XML text and attributes; control characters other than
/// newline and tab become spaces (XML 1.0 forbids them). Shared with the JUnit report.
[[nodiscard]] std::string escape_html(std::string_view text);

}  // namespace rasp::cli::html

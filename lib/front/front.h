// lib/front/front.h - Loading RASP source (the tech-srl dialect) or JSON IR into a Program.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"

namespace rasp::front {

struct LoadOptions {
  /// What the name `tokens` means (the reference binds it to tokens_str).
  ir::TokenType tokens = ir::TokenType::Str;
  /// Where `load "name";` looks after the loading file's own folder and the working folder.
  std::vector<std::string> search_paths;
  /// Nesting limit for expressions and blocks, reported as E0004 rather than a crash.
  int max_depth = 2000;
  /// The program will run with aggregates that sum (RASPy's semantics, `--aggregate sum`):
  /// the library's `length`, `count` and `average`, written with means in the reference,
  /// are written for sums so that they mean the same (`length` is the length, not 1).
  bool sum_aggregation = false;
};

namespace detail {
class Environment;
}

/// A loaded program: the graph plus the top-level names, so that expressions can be
/// evaluated against it afterwards (`--expr`, `# EXPR:` directives).
struct Module {
  ir::Program program;
  /// The node of the last top-level assignment of an s-op or selector, if any.
  std::optional<ir::NodeId> last_assigned;
  std::string last_assigned_name;
  /// The file's source lines, for carets under diagnostics.
  std::map<std::string, std::vector<std::string>> sources;
  std::shared_ptr<detail::Environment> env;
  LoadOptions options;
};

/// Loads a `.rasp` file (or a `.json` IR program).
[[nodiscard]] Result<Module> load_file(const std::string& path, const LoadOptions& options = {});
/// Loads RASP source text; `file_name` is used in diagnostics and for relative loads.
[[nodiscard]] Result<Module> load_source(const std::string& source, const std::string& file_name,
                                         const LoadOptions& options = {});

/// Evaluates a RASP expression (e.g. `sort(tokens, indices)` or a name) in the module's
/// top-level scope and returns its s-op or selector node. Atoms are refused (E0209).
[[nodiscard]] Result<ir::NodeId> evaluate_expression(Module& module, const std::string& text);

/// Evaluates `text` and binds the result to `name` in the module's top-level scope, even a
/// reserved name such as `out` (how assertions refer to the expression under test).
[[nodiscard]] Result<ir::NodeId> bind_expression(Module& module, const std::string& name,
                                                 const std::string& text);

/// Evaluates a RASP expression whose value is an atom (`2^3^2`, `"a" + "b"`); other
/// values are refused (E0209).
[[nodiscard]] Result<ir::Value> evaluate_atom(Module& module, const std::string& text);

/// The node `--expr` means: `text` when given, else the last assignment.
[[nodiscard]] Result<ir::NodeId> select_expression(Module& module, const std::optional<std::string>& text);

/// Renders diagnostics as `file:line:col: error: message [CODE]` with the source line and
/// a caret, using the module's sources when available.
[[nodiscard]] std::string render(const Diagnostics& diagnostics, const Module* module = nullptr);

}  // namespace rasp::front

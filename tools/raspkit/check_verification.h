// tools/raspkit/check_verification.h - BOUNDS, EQUIV, ASSERT and COMPILES directives.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "tools/raspkit/check_runner.h"

namespace rasp::cli {

/// What a directive runs against: the file's module, the EXPR's node, the file's flags.
struct DirectiveContext {
  std::string path;
  front::Module* module = nullptr;
  ir::NodeId root = 0;
  std::string subject;
  interp::Options semantics;
  front::LoadOptions load;
  /// Draws the random inputs of `# COMPILES` (`raspkit check --seed`).
  std::uint32_t seed = kDefaultCheckSeed;
  /// `raspkit check --timeout`: solver directives get at most the time left before it.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// CheckFileOptions::progress.
  std::function<void(const std::string& status)> progress;
};

/// `# BOUNDS(rasp|tracr|optimal): layers=L heads=H`: the model's layers and max heads.
[[nodiscard]] CheckResult check_bounds(const Directive& d, const DirectiveContext& c);
/// `# EQUIV: [file:]expr vocab=V max-len=N [-> counterexample <json input>]`.
[[nodiscard]] CheckResult check_equiv(const Directive& d, const DirectiveContext& c);
/// `# ASSERT: <boolean expression over the file's names and out> vocab=V max-len=N`.
[[nodiscard]] CheckResult check_assert(const Directive& d, const DirectiveContext& c);
/// `# COMPILES: vocab=V max-len=N`: compiles, and the weights agree with the interpreter on
/// every input of up to 5 tokens and on 200 random inputs of N tokens drawn from `c.seed`.
[[nodiscard]] CheckResult check_compiles(const Directive& d, const DirectiveContext& c);

}  // namespace rasp::cli

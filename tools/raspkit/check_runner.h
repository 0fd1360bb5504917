// tools/raspkit/check_runner.h - Running the directives of .rasp files and collecting verdicts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "lib/ir/diagnostic.h"
#include "tools/raspkit/directives.h"

namespace rasp::cli {

enum class Verdict { Pass, Fail, Skip, Error, Inconclusive };

[[nodiscard]] std::string_view verdict_name(Verdict v);

/// The outcome of one directive (or of loading a file that states none).
struct CheckResult {
  std::string file;
  int line = 0;
  std::string kind;     ///< INPUT, ERROR, BOUNDS, ..., or LOAD for a file that fails to load
  std::string subject;  ///< what was checked, e.g. `reverse on "abc"`
  Verdict verdict = Verdict::Pass;
  std::string message;  ///< what differed, or why it was skipped
  std::string code;     ///< the diagnostic code involved, if any
  int col = 0;          ///< the column, where a diagnostic gave one (LOAD)
};

/// Every `.rasp` file under `paths` (files given directly are taken as they are), sorted.
[[nodiscard]] std::vector<std::string> find_rasp_files(const std::vector<std::string>& paths);

/// The seed of the random inputs `# COMPILES` tries when `raspkit check --seed` is not given.
inline constexpr std::uint32_t kDefaultCheckSeed = 20261122;

/// How `check_file` runs a file's directives (`raspkit check` options).
struct CheckFileOptions {
  /// Draws the random inputs of `# COMPILES` (`--seed`).
  std::uint32_t seed = kDefaultCheckSeed;
  /// `--timeout`: a directive reached after it is not run but Inconclusive, saying so;
  /// solver directives started before it get at most the time left.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// `--only`: the directive kinds to run (INPUT, ERROR, BOUNDS, EQUIV, ASSERT, COMPILES);
  /// the others are Skip. Empty: all of them.
  std::set<std::string> kinds;
  /// Told what is being checked ("FILE:LINE EQUIV, length N"), for a progress line on a
  /// terminal; may be empty. Called from the thread checking the file.
  std::function<void(const std::string& status)> progress;
};

/// Runs the directives of one file.
[[nodiscard]] std::vector<CheckResult> check_file(const std::string& path, const CheckFileOptions& options = {});

/// The message of a directive `raspkit check --timeout` left unrun.
inline constexpr const char* kGlobalTimeoutMessage = "not run: the global --timeout ran out before it";

}  // namespace rasp::cli

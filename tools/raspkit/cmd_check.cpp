// tools/raspkit/cmd_check.cpp - `raspkit check`: every directive of every file, verdict as exit code.
#include <fmt/format.h>

#include "tools/raspkit/check_runner.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  int verbose = 0;
  bool quiet = false;
};

int check(const CheckOptions& o) {
  std::vector<std::string> files = find_rasp_files(o.paths);
  if (files.empty()) {
    fmt::print(stderr, "raspkit check: no .rasp files under the given paths\n");
    return kUsage;
  }
  int passed = 0, failed = 0, skipped = 0, errors = 0, load_failures = 0;
  for (const auto& file : files) {
    for (const auto& r : check_file(file)) {
      switch (r.verdict) {
        case Verdict::Pass:
          ++passed;
          if (o.verbose > 0) fmt::print(stderr, "{}:{}: ok: {} {}\n", r.file, r.line, r.kind, r.subject);
          break;
        case Verdict::Skip:
          ++skipped;
          if (o.verbose > 1) fmt::print(stderr, "{}:{}: skipped: {}\n", r.file, r.line, r.message);
          break;
        case Verdict::Fail:
          if (r.kind == "LOAD") {
            ++load_failures;
          } else {
            ++failed;
          }
          fmt::print(stderr, "{}:{}: FAIL: {} {}: {}\n", r.file, r.line, r.kind, r.subject, r.message);
          break;
        case Verdict::Error:
          ++errors;
          fmt::print(stderr, "{}:{}: ERROR: {} {}: {}\n", r.file, r.line, r.kind, r.subject, r.message);
          break;
      }
    }
  }
  if (!o.quiet) {
    fmt::print(stderr, "raspkit check: {} files: {} passed, {} failed, {} skipped\n", files.size(), passed,
               failed + errors + load_failures, skipped);
  }
  if (failed > 0 || errors > 0) return kCounterexample;
  if (load_failures > 0) return kBadInput;
  return kVerified;
}

void add_check_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<CheckOptions>();
  auto* sub = app.add_subcommand("check", "Run the expectations (# INPUT:, # ERROR@, ...) of .rasp files");
  sub->add_option("paths", options->paths, "files or folders to check")->required();
  sub->add_flag("-v,--verbose", options->verbose, "list passing checks too (twice: skipped ones)");
  sub->add_flag("-q,--quiet", options->quiet, "no summary line");
  sub->callback([options, &action] { action = [options] { return check(*options); }; });
}

const CommandRegistration kRegistered{20, add_check_command};

}  // namespace
}  // namespace rasp::cli

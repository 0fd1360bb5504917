// tools/raspkit/cmd_check.cpp - `raspkit check`: every directive of every file, verdict as exit code.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "lib/ir/json.h"
#include "tools/raspkit/check_reports.h"
#include "tools/raspkit/check_runner.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  std::optional<std::string> sarif;
  std::optional<std::string> junit;
  bool json = false;
  int jobs = 0;
  int verbose = 0;
  bool quiet = false;
  std::uint32_t seed = kDefaultCheckSeed;
  double timeout = 0;
  std::vector<std::string> only;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) fmt::print(stderr, "raspkit check: cannot write {}\n", path);
  return static_cast<bool>(out);
}

// Files are checked on all cores; results keep the files' sorted order, so every report is
// the same from run to run.
std::vector<std::vector<CheckResult>> run_all(const std::vector<std::string>& files, int jobs, bool progress,
                                              const CheckOptions& o) {
  CheckFileOptions options;
  options.seed = o.seed;
  options.kinds.insert(o.only.begin(), o.only.end());
  if (o.timeout > 0) {
    options.deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                              std::chrono::duration<double>(o.timeout));
  }
  std::vector<std::vector<CheckResult>> per_file(files.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex print;
  // One line, rewritten: files done, and what is being checked (a directive, and for EQUIV
  // and ASSERT the length being proven).
  auto show = [&](const std::string& status) {
    std::lock_guard<std::mutex> lock(print);
    fmt::print(stderr, "\r\033[K[{}/{}] {}", done.load(), files.size(), status);
  };
  if (progress) options.progress = show;
  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      if (progress) show(files[i]);
      per_file[i] = check_file(files[i], options);
      ++done;
      if (progress) show(files[i]);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (progress) fmt::print(stderr, "\r\033[K");
  return per_file;
}

int check(const CheckOptions& o) {
  std::vector<std::string> files = find_rasp_files(o.paths);
  if (files.empty()) {
    fmt::print(stderr, "raspkit check: no .rasp files under the given paths\n");
    return kUsage;
  }
  for (const auto& report : {o.sarif, o.junit}) {
    if (!report) continue;
    for (const std::string& f : files) {
      if (same_file(*report, f)) {
        fmt::print(stderr, "raspkit check: the report {} is one of the files checked; give another path\n", *report);
        return kUsage;
      }
    }
  }
  int jobs = o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = std::min<int>(jobs, static_cast<int>(std::min<std::size_t>(files.size(), 1024)));  // no idle threads
  bool progress = !o.quiet && isatty(STDERR_FILENO);
  std::vector<CheckResult> results;
  for (auto& rs : run_all(files, jobs, progress, o)) {
    for (auto& r : rs) results.push_back(std::move(r));
  }
  int passed = 0, failed = 0, skipped = 0, inconclusive = 0, load_failures = 0;
  for (const auto& r : results) {
    switch (r.verdict) {
      case Verdict::Pass:
        ++passed;
        if (o.verbose > 0) fmt::print(stderr, "{}:{}: ok: {} {} {}\n", r.file, r.line, r.kind, r.subject, r.message);
        break;
      case Verdict::Skip:
        ++skipped;
        if (o.verbose > 1) fmt::print(stderr, "{}:{}: skipped: {}\n", r.file, r.line, r.message);
        break;
      case Verdict::Inconclusive:
        ++inconclusive;
        fmt::print(stderr, "{}:{}: INCONCLUSIVE: {} {}: {}\n", r.file, r.line, r.kind, r.subject, r.message);
        break;
      case Verdict::Fail:
      case Verdict::Error:
        if (r.kind == "LOAD") {
          ++load_failures;
        } else {
          ++failed;
        }
        fmt::print(stderr, "{}:{}: FAIL: {} {}: {}\n", r.file, r.line, r.kind, r.subject, r.message);
        break;
    }
  }
  bool written = true;
  if (o.sarif) written = write_file(*o.sarif, ir::json_text(sarif_report(results), 2) + "\n") && written;
  if (o.junit) written = write_file(*o.junit, junit_report(results)) && written;
  if (o.json) std::cout << ir::json_text(json_report(results, files.size()), 2) << "\n";
  if (!o.quiet) {
    fmt::print(stderr, "raspkit check: {} files: {} passed, {} failed, {} inconclusive, {} skipped\n",
               files.size(), passed, failed + load_failures, inconclusive, skipped);
  }
  if (!written) return kUsage;
  if (failed > 0) return kCounterexample;
  if (load_failures > 0) return kBadInput;
  if (inconclusive > 0) return kInconclusive;
  return kVerified;
}

void add_check_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<CheckOptions>();
  auto* sub = app.add_subcommand(
      "check", "Run the expectations (# INPUT:, # BOUNDS, # EQUIV, # ASSERT, # COMPILES, # ERROR@) of .rasp files");
  sub->add_option("paths", options->paths, "files or folders to check")->required();
  sub->add_flag("--json", options->json, "print every result as one JSON document on stdout");
  sub->add_option("--sarif", options->sarif, "write a SARIF 2.1.0 report (for code scanning)");
  sub->add_option("--junit", options->junit, "write a JUnit XML report");
  sub->add_option("-j,--jobs", options->jobs, "files checked at once (default: all cores)");
  sub->add_flag("-v,--verbose", options->verbose, "list passing checks too (twice: skipped ones)");
  sub->add_flag("-q,--quiet", options->quiet, "no summary line, no progress");
  sub->add_option("--seed", options->seed,
                  fmt::format("seed of the random inputs # COMPILES tries (default {}; printed "
                              "in its result)",
                              kDefaultCheckSeed));
  sub->add_option("--timeout", options->timeout,
                  "seconds for the whole run (default 0: no limit); directives not reached by then are "
                  "inconclusive (exit 5 when nothing failed), solver directives get at most the time left")
      ->check(seconds(true));
  sub->add_option("--only", options->only,
                  "run only these directive kinds (comma-separated: INPUT,ERROR,BOUNDS,EQUIV,ASSERT,COMPILES); "
                  "the others are reported as skipped")
      ->delimiter(',')
      ->check(CLI::IsMember({"INPUT", "ERROR", "BOUNDS", "EQUIV", "ASSERT", "COMPILES"}));
  sub->callback([options, &action] { action = [options] { return check(*options); }; });
}

const CommandRegistration kRegistered{20, add_check_command};

}  // namespace
}  // namespace rasp::cli

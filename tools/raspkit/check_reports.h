// tools/raspkit/check_reports.h - `raspkit check` results as JSON, SARIF 2.1.0 and JUnit XML.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/raspkit/check_runner.h"

namespace rasp::cli {

/// {"schema": 1, "files", "passed", "failed", "skipped", "inconclusive", "results": [...]}.
[[nodiscard]] nlohmann::json json_report(const std::vector<CheckResult>& results, std::size_t files);

/// SARIF 2.1.0 with one rule per check kind and per diagnostic code; a result for every
/// check that did not pass, located at its directive's (or the failing program's) line.
[[nodiscard]] nlohmann::json sarif_report(const std::vector<CheckResult>& results);

/// JUnit XML: a testsuite per file, a testcase per directive, failure elements saying what
/// differed.
[[nodiscard]] std::string junit_report(const std::vector<CheckResult>& results);

}  // namespace rasp::cli

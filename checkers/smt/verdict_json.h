// checkers/smt/verdict_json.h - Verdicts as the JSON document and the message the CLI prints.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "checkers/smt/verdict.h"

namespace rasp::check {

/// `{"verdict": "equivalent"|"counterexample"|"inconclusive", "max_len", "proven_up_to",
/// "counterexample": {"input", "output_a", "output_b"} or null, "seconds"}`, plus "reason"
/// when inconclusive and "methods" (how each length was settled) when proven. A failed
/// evaluation is `{"error": {"code", "message"}}` in place of an output. `proven_word` names
/// the positive verdict ("equivalent", "proven").
[[nodiscard]] nlohmann::json verdict_to_json(const Verdict& verdict, int max_len, double seconds,
                                             const std::string& proven_word);

/// Several lines for a terminal: the verdict, the input and both outcomes. `name_a` and
/// `name_b` label the outcomes.
[[nodiscard]] std::string describe_verdict(const Verdict& verdict, int max_len, double seconds,
                                           const std::string& proven_word,
                                           const std::string& name_a, const std::string& name_b);

}  // namespace rasp::check

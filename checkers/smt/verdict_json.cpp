// checkers/smt/verdict_json.cpp - Rendering of verdicts for --json and for people.
#include "checkers/smt/verdict_json.h"

#include <fmt/format.h>

#include "lib/interp/io.h"

namespace rasp::check {
namespace {

nlohmann::json outcome_json(const Result<interp::Output>& outcome) {
  if (outcome) return interp::output_to_json(*outcome);
  const Diagnostic& d = outcome.error().front();
  return {{"error", {{"code", d.code}, {"message", d.message}}}};
}

std::string outcome_text(const Result<interp::Output>& outcome) {
  if (outcome) return interp::output_to_json(*outcome).dump();
  const Diagnostic& d = outcome.error().front();
  return fmt::format("error: {} [{}]", d.message, d.code);
}

}  // namespace

nlohmann::json verdict_to_json(const Verdict& verdict, int max_len, double seconds,
                               const std::string& proven_word) {
  nlohmann::json j;
  j["max_len"] = max_len;
  j["counterexample"] = nullptr;
  if (const auto* p = std::get_if<Proven>(&verdict)) {
    j["verdict"] = proven_word;
    j["proven_up_to"] = p->proven_up_to;
    j["methods"] = p->methods;
  } else if (const auto* c = std::get_if<Counterexample>(&verdict)) {
    j["verdict"] = "counterexample";
    j["proven_up_to"] = static_cast<int>(c->input.size()) - 1;
    j["counterexample"] = {{"input", interp::input_to_json(c->input)},
                           {"output_a", outcome_json(c->output_a)},
                           {"output_b", outcome_json(c->output_b)}};
  } else {
    const auto& i = std::get<Inconclusive>(verdict);
    j["verdict"] = "inconclusive";
    j["proven_up_to"] = i.proven_up_to;
    j["reason"] = i.reason;
  }
  j["seconds"] = seconds;
  return j;
}

std::string describe_verdict(const Verdict& verdict, int max_len, double seconds,
                             const std::string& proven_word, const std::string& name_a,
                             const std::string& name_b) {
  if (const auto* p = std::get_if<Proven>(&verdict)) {
    // Runs of lengths proven the same way, one line each.
    std::string how;
    for (std::size_t i = 0; i < p->methods.size();) {
      std::size_t j = i;
      while (j + 1 < p->methods.size() && p->methods[j + 1] == p->methods[i]) ++j;
      std::string lengths = i == j ? fmt::format("length {}", i + 1) : fmt::format("lengths {}..{}", i + 1, j + 1);
      std::string method = p->methods[i] == "smt" ? "Z3 (smt)" : p->methods[i];
      how += fmt::format("\n  {}: {}", lengths, method);
      i = j + 1;
    }
    return fmt::format("{} on every input of length 1..{} ({:.2f} s){}\n", proven_word, max_len,
                       seconds, how);
  }
  if (const auto* c = std::get_if<Counterexample>(&verdict)) {
    return fmt::format(
        "counterexample of length {} (the least; shorter inputs are proven) ({:.2f} s)\n"
        "  input: {}\n  {}: {}\n  {}: {}\n",
        c->input.size(), seconds, interp::describe_input(c->input), name_a,
        outcome_text(c->output_a), name_b, outcome_text(c->output_b));
  }
  const auto& i = std::get<Inconclusive>(verdict);
  return fmt::format("inconclusive: {} (proven up to length {} of {}) ({:.2f} s)\n", i.reason,
                     i.proven_up_to, max_len, seconds);
}

}  // namespace rasp::check

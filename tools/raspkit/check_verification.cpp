// tools/raspkit/check_verification.cpp - Directives answered by the analyzers, the SMT checker
// and the compiler.
#include "tools/raspkit/check_verification.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "analyzers/cost_model_tracr.h"
#include "checkers/smt/equivalence.h"
#include "checkers/smt/property.h"
#include "lib/compile/forward.h"
#include "lib/compile/model.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"
#include "tools/raspkit/cli_support.h"

namespace rasp::cli {
namespace {

namespace fs = std::filesystem;

/// Random full-length inputs a COMPILES directive tries after the short ones (issue 4).
constexpr int kCompilesRandomInputs = 1000;

CheckResult make(const Directive& d, const DirectiveContext& c, Verdict v, std::string message,
                 std::string code = {}) {
  return CheckResult{c.path, d.line, d.kind, c.subject, v, std::move(message), std::move(code)};
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// `head key=value key=value [-> tail]`: the words before the first key=value, the pairs,
// and what follows an arrow.
struct Arguments {
  std::string head;
  std::map<std::string, std::string> options;
  std::string tail;
  std::vector<std::string> repeated;  ///< keys given more than once
};

// What is wrong with the keys of `a` when only `allowed` may appear, each once; empty when
// nothing is (a misspelt key would otherwise be ignored without a word).
std::string key_problem(const Arguments& a, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : a.options) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return fmt::format("unknown key {}= (this directive takes {}=)", key, fmt::join(allowed, "=, "));
    }
  }
  if (!a.repeated.empty()) return fmt::format("{}= given more than once", a.repeated.front());
  return {};
}

Arguments parse_arguments(const std::string& text) {
  Arguments a;
  std::string body = text;
  if (auto arrow = body.find("->"); arrow != std::string::npos) {
    a.tail = body.substr(arrow + 2);
    body = body.substr(0, arrow);
  }
  // key=value words (a key is a letter, then letters, '_' or '-'; the value runs to the next
  // space), read word by word: std::regex recurses per character and a long value
  // overflowed the stack.
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t first = std::string::npos;
  for (std::size_t i = 0; i < body.size();) {
    if (space(body[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < body.size() && !space(body[end])) ++end;
    std::string word = body.substr(i, end - i);
    std::size_t eq = word.find('=');
    bool key_ok = eq != std::string::npos && eq > 0 && eq + 1 < word.size() &&
                  std::isalpha(static_cast<unsigned char>(word[0])) &&
                  std::all_of(word.begin() + 1, word.begin() + static_cast<long>(eq), [](char c) {
                    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                  });
    if (key_ok) {
      if (first == std::string::npos) first = i;
      std::string key = word.substr(0, eq);
      if (a.options.count(key)) a.repeated.push_back(key);
      a.options[key] = word.substr(eq + 1);
    }
    i = end;
  }
  a.head = body.substr(0, first == std::string::npos ? body.size() : first);
  auto trim = [](std::string s) {
    auto b = s.find_first_not_of(" \t");
    auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  a.head = trim(a.head);
  a.tail = trim(a.tail);
  return a;
}

std::optional<check::BoundedOptions> bounded(const Directive& d, const Arguments& a, const DirectiveContext& c,
                                             std::string& problem) {
  check::BoundedOptions o;
  o.semantics = c.semantics;
  o.timeout_seconds = 120;
  if (problem = key_problem(a, {"vocab", "max-len", "timeout"}); !problem.empty()) return std::nullopt;
  if (!a.options.count("vocab") || !a.options.count("max-len")) {
    problem = "needs vocab=a,b,c and max-len=N";
    return std::nullopt;
  }
  auto symbols = read_symbols(a.options.at("vocab"), c.load.tokens);
  if (!symbols) {
    problem = symbols.error();
    return std::nullopt;
  }
  o.vocabulary = std::move(*symbols);
  if (c.progress) {
    o.on_length = [progress = c.progress, where = fmt::format("{}:{} {}", c.path, d.line, d.kind)](int n) {
      progress(fmt::format("{}, length {}", where, n));
    };
  }
  try {
    o.max_len = std::stoi(a.options.at("max-len"));
    if (a.options.count("timeout")) o.timeout_seconds = std::stod(a.options.at("timeout"));
  } catch (const std::exception&) {
    problem = "max-len and timeout must be numbers";
    return std::nullopt;
  }
  if (!(o.timeout_seconds >= 0)) {  // NaN too
    problem = "timeout must be 0 (no limit) or more seconds";
    return std::nullopt;
  }
  // The bounds of the commands these directives stand for: equiv and prove take up to 1000,
  // compile up to 4096 (a length beyond is not a check anyone can wait for).
  if (int most = d.kind == "COMPILES" ? 4096 : 1000; o.max_len > most) {
    problem = fmt::format("max-len must be at most {}", most);
    return std::nullopt;
  }
  if (c.deadline) {
    std::chrono::duration<double> left = *c.deadline - std::chrono::steady_clock::now();
    double rest = std::max(left.count(), 0.001);
    o.timeout_seconds = o.timeout_seconds > 0 ? std::min(o.timeout_seconds, rest) : rest;
  }
  if (o.vocabulary.empty() || o.max_len < 1) {
    problem = "needs a non-empty vocab and max-len >= 1";
    return std::nullopt;
  }
  return o;
}

std::string describe_outcome(const Result<interp::Output>& r) {
  if (!r) return fmt::format("error {}", r.error().front().code);
  return ir::json_text(interp::output_to_json(*r));
}

CheckResult from_verdict(const Directive& d, const DirectiveContext& c, const check::Verdict& v,
                         const std::string& expected_input) {
  if (auto p = std::get_if<check::Proven>(&v)) {
    if (!expected_input.empty()) {
      return make(d, c, Verdict::Fail,
                  fmt::format("expected a counterexample {}, but proven up to length {}", expected_input,
                              p->proven_up_to));
    }
    return make(d, c, Verdict::Pass, fmt::format("proven up to length {}", p->proven_up_to));
  }
  if (auto x = std::get_if<check::Counterexample>(&v)) {
    std::string got = ir::json_text(interp::input_to_json(x->input));
    if (expected_input.empty()) {
      return make(d, c, Verdict::Fail,
                  fmt::format("counterexample {}: {} vs {}", got, describe_outcome(x->output_a),
                              describe_outcome(x->output_b)));
    }
    auto want = interp::input_from_json(ir::parse_json(expected_input));
    // Compare token by token as the program reads them (str), so [1, 1] names the same
    // input as the symbols "1", "1" of vocab=1,2.
    auto as_text = [](const std::vector<ir::Value>& in) {
      std::vector<std::string> out;
      for (const auto& v : in) out.push_back(ir::to_str(v).str());
      return out;
    };
    if (want && as_text(*want) == as_text(x->input)) {
      return make(d, c, Verdict::Pass, fmt::format("counterexample {} as expected", got));
    }
    return make(d, c, Verdict::Fail,
                fmt::format("expected the least counterexample {}, found {}", expected_input, got));
  }
  const auto& i = std::get<check::Inconclusive>(v);
  return make(d, c, Verdict::Inconclusive,
              fmt::format("inconclusive after proving up to length {}: {}", i.proven_up_to, i.reason));
}

}  // namespace

CheckResult check_bounds(const Directive& d, const DirectiveContext& c) {
  auto model = analyze::parse_cost_model(d.argument);
  if (!model) return make(d, c, Verdict::Error, fmt::format("unknown cost model '{}'", d.argument));
  Arguments a = parse_arguments(d.text);
  if (std::string problem = key_problem(a, {"layers", "heads"}); !problem.empty()) {
    return make(d, c, Verdict::Error, problem);
  }
  if (!a.options.count("layers") || !a.options.count("heads")) {
    return make(d, c, Verdict::Error, "expected `layers=L heads=H`");
  }
  analyze::BoundsOptions options;
  options.bos = c.semantics.bos;
  analyze::Bounds b;
  switch (*model) {
    case analyze::CostModel::Rasp:
      b = analyze::rasp_bounds(c.module->program, c.root, options);
      break;
    case analyze::CostModel::Tracr:
      b = analyze::tracr_bounds(c.module->program, c.root, options);
      break;
    case analyze::CostModel::Optimal:
      b = analyze::optimal_bounds(c.module->program, c.root, options);
      break;
  }
  std::string got = fmt::format("layers={} heads={}", b.layers, b.max_heads);
  std::string want = fmt::format("layers={} heads={}", a.options["layers"], a.options["heads"]);
  if (got != want) return make(d, c, Verdict::Fail, fmt::format("expected {}, got {}", want, got));
  if (*model == analyze::CostModel::Optimal && !b.tight) {
    return make(d, c, Verdict::Inconclusive, fmt::format("{} but not proven tight", got));
  }
  return make(d, c, Verdict::Pass, got);
}

CheckResult check_equiv(const Directive& d, const DirectiveContext& c) {
  Arguments a = parse_arguments(d.text);
  std::string problem;
  auto options = bounded(d, a, c, problem);
  if (!options) return make(d, c, Verdict::Error, problem);
  std::string expected_input;
  if (!a.tail.empty()) {
    if (a.tail.rfind("counterexample", 0) != 0) {
      return make(d, c, Verdict::Error, "after '->' expected `counterexample <json input>`");
    }
    expected_input = a.tail.substr(std::string("counterexample").size());
    expected_input = expected_input.substr(std::min(expected_input.size(), expected_input.find_first_not_of(" ")));
    // Without its input the expectation says nothing a pass could be checked against.
    if (expected_input.empty()) {
      return make(d, c, Verdict::Error, "after '-> counterexample' expected the input, e.g. -> counterexample \"ab\"");
    }
  }
  // `other.rasp:expr` names another file (relative to this one); a bare expression is in
  // this file.
  std::string target = a.head;
  std::optional<front::Module> other;
  front::Module* module_b = c.module;
  auto colon = target.find(".rasp:");
  if (colon != std::string::npos) {
    fs::path file = fs::path(c.path).parent_path() / target.substr(0, colon + 5);
    auto loaded = front::load_file(file.string(), c.load);
    if (!loaded) {
      return make(d, c, Verdict::Error, first_line(front::render(loaded.error())), loaded.error().front().code);
    }
    other = std::move(*loaded);
    module_b = &*other;
    target = target.substr(colon + 6);
  }
  auto root_b = front::evaluate_expression(*module_b, target);
  if (!root_b) {
    return make(d, c, Verdict::Error, first_line(front::render(root_b.error(), module_b)),
                root_b.error().front().code);
  }
  auto verdict = check::check_equivalence({&c.module->program, c.root}, {&module_b->program, *root_b}, *options);
  if (!verdict) {
    return make(d, c, Verdict::Error, first_line(front::render(verdict.error())), verdict.error().front().code);
  }
  return from_verdict(d, c, *verdict, expected_input);
}

CheckResult check_assert(const Directive& d, const DirectiveContext& c) {
  Arguments a = parse_arguments(d.text);
  std::string problem;
  auto options = bounded(d, a, c, problem);
  if (!options) return make(d, c, Verdict::Error, problem);
  if (!c.subject.empty()) {
    auto out = front::bind_expression(*c.module, "out", c.subject);
    if (!out) return make(d, c, Verdict::Error, first_line(front::render(out.error(), c.module)));
  }
  auto assertion = front::evaluate_expression(*c.module, a.head);
  if (!assertion) {
    return make(d, c, Verdict::Error, first_line(front::render(assertion.error(), c.module)),
                assertion.error().front().code);
  }
  auto verdict = check::check_property(c.module->program, c.root, *assertion, *options);
  if (!verdict) {
    return make(d, c, Verdict::Error, first_line(front::render(verdict.error())), verdict.error().front().code);
  }
  return from_verdict(d, c, *verdict, "");
}

CheckResult check_compiles(const Directive& d, const DirectiveContext& c) {
  Arguments a = parse_arguments(d.text);
  std::string problem;
  auto options = bounded(d, a, c, problem);
  if (!options) return make(d, c, Verdict::Error, problem);
  if (c.semantics.bos || c.semantics.causal) {
    return make(d, c, Verdict::Error, "COMPILES needs semantics without --bos or --causal");
  }
  compile::CompileOptions co;
  co.vocab = options->vocabulary;
  co.max_len = options->max_len;
  co.aggregation = c.semantics.aggregation;  // FLAGS: --aggregate sum compiles sums
  auto model = compile::compile(c.module->program, c.root, co);
  if (!model) {
    return make(d, c, Verdict::Fail, first_line(front::render(model.error(), c.module)), model.error().front().code);
  }
  // Every input of up to 5 tokens (while under 50,000 of them), then random full-length ones.
  std::vector<std::vector<ir::Value>> inputs;
  const auto& vocab = options->vocabulary;
  std::vector<std::vector<ir::Value>> layer{{}};
  for (int len = 1; len <= std::min(5, options->max_len); ++len) {
    std::vector<std::vector<ir::Value>> next;
    for (const auto& prefix : layer) {
      for (const auto& v : vocab) {
        auto x = prefix;
        x.push_back(v);
        next.push_back(std::move(x));
      }
    }
    if (inputs.size() + next.size() > 50000) break;
    inputs.insert(inputs.end(), next.begin(), next.end());
    layer = std::move(next);
  }
  std::mt19937 rng(c.seed);
  for (int i = 0; i < kCompilesRandomInputs; ++i) {
    std::vector<ir::Value> x;
    for (int k = 0; k < options->max_len; ++k) x.push_back(vocab[rng() % vocab.size()]);
    inputs.push_back(std::move(x));
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& input = inputs[i];
    if (c.deadline && std::chrono::steady_clock::now() >= *c.deadline) {
      return make(d, c, Verdict::Inconclusive,
                  fmt::format("compiles; agrees on {} of {} inputs, then the global --timeout ran out (seed {})", i,
                              inputs.size(), c.seed));
    }
    auto want = interp::evaluate(c.module->program, c.root, input, c.semantics);
    if (!want) continue;  // inputs the program itself rejects have no answer to reproduce
    auto got = compile::run_compiled(*model, input);
    std::string shown = ir::json_text(interp::input_to_json(input));
    if (!got) {
      return make(d, c, Verdict::Fail, fmt::format("compiled model failed on {}: {} (seed {})", shown,
                                                   got.error().front().message, c.seed));
    }
    if (!interp::output_matches(interp::output_to_json(*want), *got)) {
      return make(d, c, Verdict::Fail,
                  fmt::format("compiled model gives {} on {}, the interpreter {} (seed {})",
                              ir::json_text(interp::output_to_json(*got)), shown,
                              ir::json_text(interp::output_to_json(*want)), c.seed));
    }
  }
  return make(d, c, Verdict::Pass,
              fmt::format("{} layers, {} parameters, agrees on {} inputs (random ones from seed {})",
                          model->layers.size(), model->parameter_count(), inputs.size(), c.seed));
}

}  // namespace rasp::cli

// tools/raspkit/cmd_bounds.cpp - `raspkit bounds`: layers and heads under the cost models, proven.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analyzers/bounds_json.h"
#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "analyzers/cost_model_tracr.h"
#include "analyzers/size_estimate.h"
#include "checkers/smt/selector_classes.h"
#include "lib/compile/value_set.h"
#include "lib/ir/json.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {
namespace {

struct BoundsCommand {
  ProgramOptions program;
  std::string model = "all";
  bool bos = false;
  bool json = false;
  std::string vocab;
  int max_len = 0;
  unsigned timeout_ms = 20000;
  bool smt = false;
  double smt_timeout = 60;
};

std::string join(const std::vector<int>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out.empty() ? "-" : out;
}

/// `name (file.rasp:line)`; the prelude's nodes name the prelude.
std::string located(const ir::Program& p, ir::NodeId id) {
  const SourceRange& r = p.node(id).range;
  if (!r.known()) return analyze::node_label(p, id);
  std::string file = std::filesystem::path(r.file_name()).filename().string();
  return fmt::format("{} ({}:{})", analyze::node_label(p, id), file, r.line);
}

void print_human(const ir::Program& p, const analyze::Bounds& b) {
  std::string name(analyze::cost_model_name(b.model));
  fmt::print("{}: {} layer{}, at most {} head{} per layer (per layer {}; total {})", name,
             b.layers, b.layers == 1 ? "" : "s", b.max_heads, b.max_heads == 1 ? "" : "s",
             join(b.heads_per_layer), b.total_heads);
  if (!b.mlps_per_layer.empty()) fmt::print("; MLPs per layer {}", join(b.mlps_per_layer));
  fmt::print("\n  lower bound {} layer{}: {}\n", b.lower_bound, b.lower_bound == 1 ? "" : "s",
             b.tight ? "tight (proven minimal)" : "not proven tight");
  if (!b.critical_path.empty()) {
    std::string path;
    for (ir::NodeId id : b.critical_path) path += (path.empty() ? "" : " -> ") + located(p, id);
    fmt::print("  critical path: {}\n", path);
  }
  for (int layer = 1; layer <= b.layers; ++layer) {
    std::string heads;
    for (const auto& [id, pl] : b.schedule.placement) {
      if (pl.layer == layer && pl.head >= 0) {
        heads += fmt::format("{}[h{}] {}", heads.empty() ? "" : ", ", pl.head, located(p, id));
      }
    }
    fmt::print("  layer {}: {}\n", layer, heads.empty() ? "(no heads)" : heads);
  }
}

/// The optimal model again, with heads shared by selectors Z3 proves equal up to --max-len:
/// {"max_len", "max_heads", "total_heads", "heads_per_layer", "merged": [{"selector",
/// "line", "into", "into_line"}], "inconclusive": [...], "optimal": bounds}.
Result<nlohmann::json> smt_shared_heads(const BoundsCommand& cmd, const ir::Program& p,
                                        ir::NodeId root, analyze::BoundsOptions opts) {
  check::BoundedOptions bo;
  std::stringstream in(cmd.vocab);
  for (std::string word; std::getline(in, word, ',');) bo.vocabulary.push_back(ir::Value::string(word));
  bo.max_len = cmd.max_len;
  bo.timeout_seconds = cmd.smt_timeout;
  auto classes = check::equal_selectors(p, root, bo);
  if (!classes) return tl::unexpected(classes.error());
  opts.same_selector = classes->representative;
  analyze::Bounds b = analyze::optimal_bounds(p, root, opts);
  auto line = [&](ir::NodeId id) -> nlohmann::json {
    const SourceRange& r = p.node(id).range;
    return r.known() ? nlohmann::json(r.line) : nlohmann::json(nullptr);
  };
  nlohmann::json merged = nlohmann::json::array();
  for (const auto& [sel, into] : classes->merged) {
    merged.push_back({{"selector", analyze::node_label(p, sel)},
                      {"line", line(sel)},
                      {"into", analyze::node_label(p, into)},
                      {"into_line", line(into)},
                      {"text", located(p, sel) + " = " + located(p, into)}});
  }
  return nlohmann::json{{"max_len", cmd.max_len},
                        {"max_heads", b.max_heads},
                        {"total_heads", b.total_heads},
                        {"heads_per_layer", b.heads_per_layer},
                        {"merged", merged},
                        {"inconclusive", classes->inconclusive},
                        {"optimal", analyze::bounds_to_json(p, b)}};
}

void print_smt(const nlohmann::json& smt) {
  fmt::print("optimal with heads shared by selectors proven equal up to length {}: at most {} "
             "head{} per layer (per layer {}; total {})\n",
             smt["max_len"].get<int>(), smt["max_heads"].get<int>(),
             smt["max_heads"].get<int>() == 1 ? "" : "s",
             join(smt["heads_per_layer"].get<std::vector<int>>()), smt["total_heads"].get<int>());
  for (const auto& m : smt["merged"]) fmt::print("  merged: {}\n", m["text"].get<std::string>());
  if (smt["merged"].empty()) fmt::print("  no two selectors proven equal\n");
  for (const auto& why : smt["inconclusive"]) {
    fmt::print("  not merged (inconclusive): {}\n", why.get<std::string>());
  }
}

int run_bounds(const BoundsCommand& cmd) {
  auto loaded = load_or_report(cmd.program);
  if (!loaded) return kBadInput;
  const ir::Program& p = loaded->module.program;
  ir::NodeId root = loaded->root;
  analyze::BoundsOptions opts;
  opts.bos = cmd.bos;
  opts.timeout_ms = cmd.timeout_ms;

  std::vector<analyze::Bounds> results;
  if (cmd.model == "rasp" || cmd.model == "all") results.push_back(analyze::rasp_bounds(p, root, opts));
  if (cmd.model == "tracr" || cmd.model == "all") results.push_back(analyze::tracr_bounds(p, root, opts));
  if (cmd.model == "optimal" || cmd.model == "all") {
    results.push_back(analyze::optimal_bounds(p, root, opts));
  }
  std::vector<analyze::FrontierPoint> frontier;
  if (cmd.model == "all") frontier = analyze::pareto_frontier(p, root, opts);

  nlohmann::json smt;
  if (cmd.smt) {
    if (cmd.vocab.empty() || cmd.max_len <= 0) {
      fmt::print(stderr, "raspkit bounds: --smt needs --vocab and --max-len\n");
      return kUsage;
    }
    auto merged = smt_shared_heads(cmd, p, root, opts);
    if (!merged) {
      report(merged.error(), &loaded->module);
      return kBadInput;
    }
    smt = std::move(*merged);
  }

  nlohmann::json value_sets, sizes;
  if (!cmd.vocab.empty() || cmd.max_len > 0) {
    if (cmd.vocab.empty() || cmd.max_len <= 0) {
      fmt::print(stderr, "raspkit bounds: --vocab and --max-len go together\n");
      return kUsage;
    }
    compile::ValueSetOptions vs;
    std::stringstream in(cmd.vocab);
    for (std::string word; std::getline(in, word, ',');) vs.vocab.push_back(ir::Value::string(word));
    vs.max_len = cmd.max_len;
    auto sets = compile::infer_value_sets(p, root, vs);
    if (!sets) {
      report(sets.error(), &loaded->module);
      return kBadInput;
    }
    analyze::Bounds tracr = analyze::tracr_bounds(p, root, opts);
    value_sets = analyze::value_sets_to_json(p, root, *sets);
    sizes = analyze::sizes_to_json(p, analyze::estimate_sizes(p, root, *sets, vs, tracr));
  }

  if (cmd.json) {
    nlohmann::json doc;
    if (results.size() == 1) {
      doc = analyze::bounds_to_json(p, results.front());
    } else {
      doc["models"] = nlohmann::json::array();
      for (const auto& b : results) doc["models"].push_back(analyze::bounds_to_json(p, b));
      doc["frontier"] = analyze::frontier_to_json(frontier);
    }
    doc["schema"] = 1;
    if (!smt.is_null()) doc["smt"] = smt;
    if (!value_sets.is_null()) {
      doc["value_sets"] = value_sets;
      doc["sizes"] = sizes;
    }
    fmt::print("{}\n", ir::json_text(doc, 2));
    return kVerified;
  }
  for (const auto& b : results) print_human(p, b);
  if (!frontier.empty()) {
    fmt::print("frontier (layers: fewest max heads per layer):");
    for (const auto& f : frontier) {
      fmt::print(" {}:{}{}", f.layers, f.max_heads, f.proven ? "" : "?");
    }
    fmt::print("\n");
  }
  if (!smt.is_null()) print_smt(smt);
  if (!sizes.is_null()) {
    fmt::print("estimated residual width {}; MLP hidden per tracr layer {}\n",
               sizes["residual_width"].get<int>(),
               join(sizes["mlp_hidden_per_layer"].get<std::vector<int>>()));
    for (const auto& vs : value_sets) {
      std::string values;
      for (const auto& v : vs["values"]) values += (values.empty() ? "" : ", ") + v.get<std::string>();
      fmt::print("  {}: {} value{}: {{{}}}\n", vs["name"].get<std::string>(),
                 vs["size"].get<int>(), vs["size"].get<int>() == 1 ? "" : "s", values);
    }
  }
  return kVerified;
}

}  // namespace

void add_bounds_command(CLI::App& app, Action& action) {
  auto cmd = std::make_shared<BoundsCommand>();
  CLI::App* sub = app.add_subcommand(
      "bounds", "layers and heads per layer under the rasp, tracr and optimal cost models");
  add_program_options(*sub, cmd->program);
  sub->add_option("--model", cmd->model, "rasp, tracr, optimal or all (default: all)")
      ->check(CLI::IsMember({"rasp", "tracr", "optimal", "all"}));
  sub->add_flag("--bos", cmd->bos, "a BOS position exists (selector_width costs one head)");
  sub->add_flag("--json", cmd->json, "one JSON document on stdout");
  sub->add_option("--vocab", cmd->vocab, "comma-separated vocabulary: adds value sets and sizes");
  sub->add_option("--max-len", cmd->max_len, "longest input, with --vocab")
      ->check(CLI::Range(1, 4096));  // compile's bound: 2^31 allocated 15 GB, then bad_alloc
  sub->add_option("--timeout-ms", cmd->timeout_ms, "time limit of one exact head search");
  sub->add_flag("--smt", cmd->smt,
                "with --vocab and --max-len: share heads between selectors Z3 proves equal");
  sub->add_option("--smt-timeout", cmd->smt_timeout,
                  "seconds for each selector equality proof with --smt (default 60)")
      ->check(seconds(false));
  sub->callback([cmd, &action] { action = [cmd] { return run_bounds(*cmd); }; });
}

const CommandRegistration kRegistered{30, add_bounds_command};

}  // namespace rasp::cli

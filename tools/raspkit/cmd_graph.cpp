// tools/raspkit/cmd_graph.cpp - `raspkit graph`: the computation graph, grouped by layer, heads coloured.
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/graphviz.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "analyzers/cost_model_tracr.h"
#include "tools/raspkit/cli_support.h"
#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

extern char** environ;

namespace rasp::cli {
namespace {

struct GraphCommand {
  ProgramOptions program;
  std::string format = "dot";
  std::string model = "optimal";
  std::string output;
  bool bos = false;
};

/// Distinct fill colours for heads 0, 1, ... (cycling).
constexpr const char* kHeadColours[] = {"#8dd3c7", "#fdb462", "#bebada", "#fb8072",
                                        "#80b1d3", "#b3de69", "#fccde5", "#ffffb3"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

/// The DOT text: one cluster per layer (layer 0 holds the inputs and what is computable from
/// them), attention nodes filled with their head's colour, selectors next to their readers.
std::string to_dot(const ir::Program& p, ir::NodeId root, const analyze::Bounds& b) {
  std::vector<ir::NodeId> nodes = p.ancestors(root);
  std::vector<char> keep(p.size(), 0);
  for (ir::NodeId id : nodes) keep[id] = 1;
  // A selector has no placement: draw it in the earliest layer of its readers.
  std::map<ir::NodeId, int> layer;
  for (const auto& [id, pl] : b.schedule.placement) layer[id] = pl.layer;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    if (!p.is_selector(*it)) continue;
    int best = b.layers;
    for (ir::NodeId u : p.users(*it)) {
      if (keep[u] && layer.count(u)) best = std::min(best, layer[u]);
    }
    layer[*it] = best;
  }
  auto vertex_writer = [&](std::ostream& out, auto v) {
    ir::NodeId id = static_cast<ir::NodeId>(v);
    const ir::Node& n = p.node(id);
    std::string label = escape(analyze::node_label(p, id));
    if (!n.name.empty()) label += "\\n" + std::string(ir::node_kind_name(n.kind));
    if (n.range.known()) label += fmt::format(" @{}", n.range.line);
    std::string attrs = fmt::format("label=\"{}\"", label);
    if (p.is_selector(id)) {
      attrs += ",shape=diamond";
    } else if (ir::is_attention_kind(n.kind)) {
      int head = b.schedule.placement.count(id) ? b.schedule.placement.at(id).head : -1;
      attrs += fmt::format(",shape=box,style=\"filled,bold\",fillcolor=\"{}\"",
                           kHeadColours[(head < 0 ? 0 : head) % 8]);
      label = fmt::format("head {}", head);
      attrs += fmt::format(",xlabel=\"{}\"", label);
    } else if (n.kind == ir::NodeKind::Map) {
      attrs += ",shape=box,style=rounded";
    } else {
      attrs += ",shape=ellipse";
    }
    if (id == root) attrs += ",peripheries=2";
    out << "[" << attrs << "]";
  };
  auto graph_writer = [&](std::ostream& out) {
    out << "rankdir=TB;\nnode [fontname=\"Helvetica\"];\n";
    out << fmt::format("label=\"{} model: {} layers, heads per layer {}\";\nlabelloc=t;\n",
                       analyze::cost_model_name(b.model), b.layers,
                       [&] {
                         std::string s;
                         for (int h : b.heads_per_layer) s += (s.empty() ? "" : ",") + std::to_string(h);
                         return s.empty() ? std::string("-") : s;
                       }());
    for (int l = 0; l <= b.layers; ++l) {
      out << fmt::format("subgraph cluster_layer{} {{\nlabel=\"{}\";\nstyle=dashed;\n", l,
                         l == 0 ? std::string("inputs (embedding)") : fmt::format("layer {}", l));
      for (ir::NodeId id : nodes) {
        if (layer.count(id) && layer[id] == l) out << id << ";\n";
      }
      out << "}\n";
    }
  };
  auto filter = [&keep](auto v) { return keep[v] != 0; };
  boost::filtered_graph<ir::Program::Graph, boost::keep_all, std::function<bool(std::size_t)>>
      view(p.graph(), boost::keep_all(), std::function<bool(std::size_t)>(filter));
  std::ostringstream out;
  boost::write_graphviz(out, view, vertex_writer, boost::default_writer(), graph_writer);
  return out.str();
}

/// The `dot` program on PATH, if any.
std::optional<std::string> find_dot() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::filesystem::path candidate = std::filesystem::path(dir) / "dot";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

int run_graph(const GraphCommand& cmd) {
  auto loaded = load_or_report(cmd.program);
  if (!loaded) return kBadInput;
  const ir::Program& p = loaded->module.program;
  analyze::BoundsOptions opts;
  opts.bos = cmd.bos;
  analyze::Bounds b = cmd.model == "rasp"    ? analyze::rasp_bounds(p, loaded->root, opts)
                      : cmd.model == "tracr" ? analyze::tracr_bounds(p, loaded->root, opts)
                                             : analyze::optimal_bounds(p, loaded->root, opts);
  std::string dot = to_dot(p, loaded->root, b);
  if (!cmd.output.empty() && same_file(cmd.output, cmd.program.file)) {
    fmt::print(stderr, "raspkit graph: -o {} is the program itself; give another file\n", cmd.output);
    return kUsage;
  }
  if (cmd.format == "dot") {
    if (cmd.output.empty()) {
      fmt::print("{}", dot);
    } else {
      std::ofstream out(cmd.output);
      out << dot;
      out.close();
      if (!out) {
        fmt::print(stderr, "raspkit graph: cannot write {}\n", cmd.output);
        return kUsage;
      }
    }
    return kVerified;
  }
  auto dot_program = find_dot();
  if (!dot_program) {
    fmt::print(stderr,
               "raspkit graph: --format svg needs Graphviz's `dot` program, which is not on "
               "PATH (install the graphviz package), or use --format dot\n");
    return kUsage;
  }
  std::filesystem::path tmp = std::filesystem::temp_directory_path() /
                              fmt::format("raspkit-graph-{}.dot", ::getpid());
  std::ofstream(tmp) << dot;
  std::vector<std::string> args{*dot_program, "-Tsvg", tmp.string()};
  if (!cmd.output.empty()) {
    args.push_back("-o");
    args.push_back(cmd.output);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, dot_program->c_str(), nullptr, nullptr, argv.data(), environ);
  int status = 0;
  if (rc == 0) ::waitpid(pid, &status, 0);
  std::filesystem::remove(tmp);
  if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // Most often the output cannot be written (dot says why above): the user's to fix.
    fmt::print(stderr, "raspkit graph: `dot -Tsvg` failed{}\n",
               cmd.output.empty() ? "" : fmt::format(" (writing {})", cmd.output));
    return cmd.output.empty() ? kInternal : kUsage;
  }
  return kVerified;
}

}  // namespace

void add_graph_command(CLI::App& app, Action& action) {
  auto cmd = std::make_shared<GraphCommand>();
  CLI::App* sub = app.add_subcommand(
      "graph", "draw the computation graph, nodes grouped by layer and heads coloured");
  add_program_options(*sub, cmd->program);
  sub->add_option("--format", cmd->format, "dot (default) or svg (runs Graphviz's dot)")
      ->check(CLI::IsMember({"dot", "svg"}));
  sub->add_option("--model", cmd->model, "schedule to draw: rasp, tracr or optimal (default)")
      ->check(CLI::IsMember({"rasp", "tracr", "optimal"}));
  sub->add_flag("--bos", cmd->bos, "a BOS position exists (selector_width costs one head)");
  sub->add_option("--output,-o", cmd->output, "write to this file instead of stdout");
  sub->callback([cmd, &action] { action = [cmd] { return run_graph(*cmd); }; });
}

const CommandRegistration kRegistered{80, add_graph_command};

}  // namespace rasp::cli

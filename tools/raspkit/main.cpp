// tools/raspkit/main.cpp - The raspkit command line: parse, run one subcommand, exit with its verdict.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>

#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

namespace rasp::cli {

std::vector<std::pair<int, AddCommand>>& command_registry() {
  static std::vector<std::pair<int, AddCommand>> registry;
  return registry;
}

}  // namespace rasp::cli

int main(int argc, char** argv) {
  CLI::App app{"raspkit: run, analyse, compile and verify RASP programs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "raspkit 0.1.0");
  rasp::cli::Action action;
  auto registry = rasp::cli::command_registry();
  std::sort(registry.begin(), registry.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : registry) add(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : rasp::cli::kUsage;
  }
  try {
    return action ? action() : rasp::cli::kUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "raspkit: internal error: {}\n", e.what());
    return rasp::cli::kInternal;
  }
}

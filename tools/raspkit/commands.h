// tools/raspkit/commands.h - Every subcommand registers itself here; main.cpp runs the one chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rasp::cli {

/// What main() runs after parsing: the chosen subcommand, returning the exit code.
using Action = std::function<int()>;

void add_run_command(CLI::App& app, Action& action);
void add_check_command(CLI::App& app, Action& action);

}  // namespace rasp::cli

// tools/raspkit/commands.h - Subcommands register themselves here; main.cpp runs the one chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace rasp::cli {

/// What main() runs after parsing: the chosen subcommand, returning the exit code.
using Action = std::function<int()>;
/// Adds one subcommand to `app`; its callback stores what to run in `action`.
using AddCommand = void (*)(CLI::App& app, Action& action);

/// Every subcommand, in the order `raspkit --help` lists them.
std::vector<std::pair<int, AddCommand>>& command_registry();

/// Registers a subcommand at static-initialisation time: one `cmd_*.cpp` file per
/// subcommand, each with `const CommandRegistration kRegistered{order, add_x_command};`.
struct CommandRegistration {
  CommandRegistration(int order, AddCommand add) { command_registry().emplace_back(order, add); }
};

}  // namespace rasp::cli

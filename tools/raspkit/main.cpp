// tools/raspkit/main.cpp - The raspkit command line: parse, run one subcommand, exit with its verdict.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "tools/raspkit/commands.h"
#include "tools/raspkit/exit_codes.h"

int main(int argc, char** argv) {
  CLI::App app{"raspkit: run, analyse, compile and verify RASP programs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "raspkit 0.1.0");
  rasp::cli::Action action;
  rasp::cli::add_run_command(app, action);
  rasp::cli::add_check_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return rasp::cli::kUsage;
  }
  try {
    return action ? action() : rasp::cli::kUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "raspkit: internal error: {}\n", e.what());
    return rasp::cli::kInternal;
  }
}

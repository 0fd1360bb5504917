// tests/tools/cli_run.h - Runs the raspkit binary from a test: exit status, stdout, stderr, temp files.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace rasp::testing {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

/// The whole file, byte for byte ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

/// A path in the test's temporary folder: ctest runs tests in parallel processes, so the
/// process id keeps their files apart.
inline std::string temp_path(const std::string& name) {
  return fmt::format("{}/{}_{}", ::testing::TempDir(), getpid(), name);
}

/// Writes `text` to temp_path(name) and returns the path.
inline std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

/// Runs `raspkit ARGS` through the shell (RASPKIT_BIN is set by CMake).
inline CliRun raspkit(const std::string& args) {
  static int counter = 0;
  std::string out = temp_path(fmt::format("cli_out_{}", counter)),
              err = temp_path(fmt::format("cli_err_{}", counter));
  ++counter;
  int raw = std::system(fmt::format("{} {} >{} 2>{}", RASPKIT_BIN, args, out, err).c_str());
  return CliRun{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

}  // namespace rasp::testing

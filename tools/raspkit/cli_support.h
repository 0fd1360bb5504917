// tools/raspkit/cli_support.h - What every subcommand shares: loading FILE + --expr, reporting.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"

namespace rasp::cli {

/// The options that pick a program and its expression, shared by most subcommands.
struct ProgramOptions {
  std::string file;
  std::optional<std::string> expr;
  std::string tokens = "str";
  /// `--aggregate sum`: the library is loaded for sums (front::LoadOptions::sum_aggregation).
  bool sum_aggregation = false;
};

/// Adds FILE (positional, required unless `file_optional`), --expr and --tokens.
void add_program_options(CLI::App& sub, ProgramOptions& options, bool file_optional = false);

/// A loaded module and the node its --expr names.
struct LoadedProgram {
  front::Module module;
  ir::NodeId root = 0;
};

/// Loads the file and picks the expression; on failure prints located diagnostics to
/// stderr and returns nothing (the caller exits 2).
[[nodiscard]] std::optional<LoadedProgram> load_or_report(const ProgramOptions& options);

/// Adds --aggregate mean|sum, --bos and --causal; returns the options they fill.
void add_semantics_options(CLI::App& sub, interp::Options& options, std::string& aggregate);
/// Applies the --aggregate text; false (with a message) when it is not mean or sum.
[[nodiscard]] bool apply_aggregate(const std::string& text, interp::Options& options);

/// Reads a --vocab: "a,b,c" or "1,2,3" (comma-separated tokens, each read as JSON when it
/// parses), "abc" (one token per character) or a JSON list. Nothing when unreadable.
[[nodiscard]] std::optional<std::vector<ir::Value>> parse_vocab(const std::string& text);

/// A boolean token as written in a vocabulary: True/true/1 or False/false/0. (Python's
/// bool() of the string "False" is True, which is not what `--vocab True,False` means.)
[[nodiscard]] std::optional<bool> bool_word(std::string_view word);

/// Under `tokens` "bool", a parse_vocab vocabulary's strings and 0/1 as booleans (bool_word);
/// the word that is none, if any, is an error (nothing is changed then).
[[nodiscard]] tl::expected<void, std::string> read_bool_vocab(std::vector<ir::Value>& vocab,
                                                              const std::string& tokens);

/// Symbols between commas ("a,b,c": the --vocab of equiv and prove, the vocab= of EQUIV and
/// ASSERT directives) as token values, or why they cannot serve: an empty or repeated
/// symbol, or one that `tokens` cannot read (every input would fail and nothing be compared).
[[nodiscard]] tl::expected<std::vector<ir::Value>, std::string> read_symbols(const std::string& text,
                                                                            ir::TokenType tokens);
/// read_symbols for a command's --vocab and --tokens text; nothing, with a message naming
/// `command`, when they cannot serve.
[[nodiscard]] std::optional<std::vector<ir::Value>> symbol_vocab(const char* command, const std::string& text,
                                                                const std::string& tokens);

/// On a terminal, a progress line for a bounded search ("raspkit equiv: length 7 of 12"),
/// rewritten as each length starts; empty (no progress) when stderr is not a terminal.
/// clear_progress() wipes the line before the verdict is printed.
[[nodiscard]] std::function<void(int length)> length_progress(const char* command, int max_len);
void clear_progress(const std::function<void(int length)>& progress);

/// A number of seconds, 0 or more (`zero_allowed`) or more than 0: CLI::NonNegativeNumber
/// and PositiveNumber let NaN through (every comparison with it is false, so `--timeout nan`
/// meant no limit).
[[nodiscard]] CLI::Validator seconds(bool zero_allowed);

/// Whether two paths name one existing file (an output about to overwrite an input).
[[nodiscard]] bool same_file(const std::string& a, const std::string& b);

/// Adds --deterministic: timings printed as 0, so that two runs print the same bytes.
void add_deterministic_option(CLI::App& sub, bool& deterministic);
/// Wall-clock seconds since `start`; 0 when `deterministic` or when the environment sets
/// RASPKIT_DETERMINISTIC to anything but "" or "0" (docs/reliability.md, Determinism).
[[nodiscard]] double elapsed_seconds(std::chrono::steady_clock::time_point start,
                                     bool deterministic);

/// Prints diagnostics to stderr with carets under the source.
void report(const Diagnostics& diagnostics, const front::Module* module = nullptr);

}  // namespace rasp::cli

// tools/raspkit/cli_support.cpp - Loading and reporting shared by the subcommands.
#include "tools/raspkit/cli_support.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "lib/ir/json.h"
#include "lib/interp/io.h"
#include "lib/ir/text.h"

namespace rasp::cli {

void add_program_options(CLI::App& sub, ProgramOptions& options, bool file_optional) {
  auto* file = sub.add_option("file", options.file, "RASP source (.rasp) or JSON IR (.json)");
  if (!file_optional) file->required();
  sub.add_option("--expr,-e", options.expr,
                 "RASP expression to use, evaluated after loading FILE (default: the last assignment)");
  sub.add_option("--tokens", options.tokens, "what `tokens` means: str, int, float, bool")
      ->check(CLI::IsMember({"str", "int", "float", "bool", "asis"}));
}

std::optional<LoadedProgram> load_or_report(const ProgramOptions& options) {
  front::LoadOptions load;
  load.tokens = ir::parse_token_type(options.tokens).value_or(ir::TokenType::Str);
  load.sum_aggregation = options.sum_aggregation;
  auto module = front::load_file(options.file, load);
  if (!module) {
    report(module.error());
    return std::nullopt;
  }
  auto root = front::select_expression(*module, options.expr);
  if (!root) {
    // A message about the file as a whole (nothing assigned in it) names the file.
    Diagnostics d = root.error();
    for (Diagnostic& one : d) {
      if (!one.range.known()) one.message = fmt::format("{}: {}", options.file, one.message);
    }
    report(d, &*module);
    return std::nullopt;
  }
  return LoadedProgram{std::move(*module), *root};
}

void add_semantics_options(CLI::App& sub, interp::Options& options, std::string& aggregate) {
  sub.add_option("--aggregate", aggregate, "mean (the reference, tracr) or sum (RASPy)")
      ->check(CLI::IsMember({"mean", "sum"}));
  sub.add_flag("--bos", options.bos, "prepend a BOS position (hidden from the output)");
  sub.add_flag("--causal", options.causal, "queries select no key after themselves");
}

bool apply_aggregate(const std::string& text, interp::Options& options) {
  if (text == "mean" || text.empty()) {
    options.aggregation = interp::Aggregation::Mean;
  } else if (text == "sum") {
    options.aggregation = interp::Aggregation::Sum;
  } else {
    fmt::print(stderr, "raspkit: --aggregate must be mean or sum\n");
    return false;
  }
  return true;
}

std::function<void(int length)> length_progress(const char* command, int max_len) {
  if (!isatty(STDERR_FILENO)) return {};
  return [command, max_len](int n) { fmt::print(stderr, "\r\033[Kraspkit {}: length {} of {}", command, n, max_len); };
}

void clear_progress(const std::function<void(int length)>& progress) {
  if (progress) fmt::print(stderr, "\r\033[K");
}

CLI::Validator seconds(bool zero_allowed) {
  return CLI::Validator(
      [zero_allowed](std::string& text) -> std::string {
        try {
          double v = std::stod(text);
          if (v > 0 || (zero_allowed && v == 0)) return {};
        } catch (const std::exception&) {
        }
        return zero_allowed ? "must be a number of seconds, 0 or more" : "must be a number of seconds, more than 0";
      },
      "SECONDS");
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return !a.empty() && !b.empty() && std::filesystem::equivalent(a, b, ec) && !ec;
}

void add_deterministic_option(CLI::App& sub, bool& deterministic) {
  sub.add_flag("--deterministic", deterministic,
               "print timings as 0 so that two runs print the same bytes "
               "(also RASPKIT_DETERMINISTIC=1)");
}

double elapsed_seconds(std::chrono::steady_clock::time_point start, bool deterministic) {
  const char* env = std::getenv("RASPKIT_DETERMINISTIC");
  if (deterministic || (env != nullptr && *env != '\0' && std::string(env) != "0")) return 0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// "abc" or a JSON string: one token per character; "[1, 2]": a JSON list; "a,b,c" or
// "1,2,3": comma-separated tokens, each read as JSON when it parses (numbers, booleans).
std::optional<std::vector<ir::Value>> parse_vocab(const std::string& text) {
  auto j = ir::parse_json(text);
  if (j.is_discarded() && text.find(',') != std::string::npos) {
    std::vector<ir::Value> out;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find(',', start);
      if (end == std::string::npos) end = text.size();
      std::string item = text.substr(start, end - start);
      if (!ir::valid_utf8(item)) return std::nullopt;
      auto parsed = ir::parse_json(item);
      auto one = interp::input_from_json(
          parsed.is_discarded() || parsed.is_string() ? nlohmann::json::array({item})
                                                       : nlohmann::json::array({parsed}));
      if (!one) return std::nullopt;
      out.push_back(one->front());
      start = end + 1;
    }
    return out;
  }
  auto input = interp::parse_input(text);
  if (!input) return std::nullopt;
  return *input;
}

std::optional<bool> bool_word(std::string_view word) {
  if (word == "True" || word == "true" || word == "1") return true;
  if (word == "False" || word == "false" || word == "0") return false;
  return std::nullopt;
}

tl::expected<void, std::string> read_bool_vocab(std::vector<ir::Value>& vocab, const std::string& tokens) {
  if (tokens != "bool") return {};
  std::vector<ir::Value> out;
  for (const ir::Value& v : vocab) {
    std::optional<bool> b;
    if (v.is_bool()) b = v.truthy();
    if (v.is_string()) b = bool_word(v.str());
    if (v.is_int() && (v.num() == 0 || v.num() == 1)) b = v.num() == 1;
    if (!b) return tl::unexpected(fmt::format("tokens of type bool read True or False, not {}", v.repr()));
    out.push_back(ir::Value::boolean(*b));
  }
  vocab = std::move(out);
  return {};
}

tl::expected<std::vector<ir::Value>, std::string> read_symbols(const std::string& text, ir::TokenType tokens) {
  std::vector<ir::Value> out;
  for (std::size_t start = 0;;) {
    std::size_t comma = text.find(',', start);
    std::string symbol = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    // "a, b" means a and b; a symbol of spaces alone stays a space token.
    if (std::size_t first = symbol.find_first_not_of(" \t"); first != std::string::npos) {
      symbol = symbol.substr(first, symbol.find_last_not_of(" \t") - first + 1);
    }
    if (symbol.empty()) return tl::unexpected(std::string("the vocabulary has an empty symbol (two commas, or one at an end)"));
    if (!ir::valid_utf8(symbol)) return tl::unexpected(std::string("the vocabulary has a symbol that is not UTF-8 text"));
    ir::Value raw = ir::Value::string(std::move(symbol));
    auto read = ir::convert_token(tokens, raw);
    if (tokens == ir::TokenType::Bool) {
      std::optional<bool> b = bool_word(raw.str());
      if (!b) return tl::unexpected(fmt::format("tokens of type bool read True or False, not {}", raw.repr()));
      read = ir::Value::boolean(*b);
    }
    if (!read) {
      return tl::unexpected(fmt::format("tokens of type {} cannot read the vocabulary's symbol {}: {}",
                                        ir::token_type_name(tokens), raw.repr(), read.error().message));
    }
    // Numbers and booleans as what they are, so that a counterexample prints as `run` reads
    // it ([1, 2], not ["1", "2"]); strings as written.
    ir::Value v = tokens == ir::TokenType::Str || tokens == ir::TokenType::AsIs ? std::move(raw) : std::move(*read);
    if (std::any_of(out.begin(), out.end(), [&](const ir::Value& seen) { return seen.identical(v); })) {
      return tl::unexpected(fmt::format("the vocabulary names {} twice", v.repr()));
    }
    out.push_back(std::move(v));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::optional<std::vector<ir::Value>> symbol_vocab(const char* command, const std::string& text,
                                                  const std::string& tokens) {
  auto symbols = read_symbols(text, ir::parse_token_type(tokens).value_or(ir::TokenType::Str));
  if (!symbols) {
    fmt::print(stderr, "raspkit {}: --vocab: {}\n", command, symbols.error());
    return std::nullopt;
  }
  return std::move(*symbols);
}

void report(const Diagnostics& diagnostics, const front::Module* module) {
  std::string text = front::render(diagnostics, module);
  std::fputs(text.c_str(), stderr);
}

}  // namespace rasp::cli

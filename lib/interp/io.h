// lib/interp/io.h - Inputs and outputs as users write them: JSON strings, lists and values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/interp/evaluator.h"

namespace rasp::interp {

/// A user's input: a JSON string is one token per character ("hello"), a JSON list is one
/// token per element ([1, 2, 3]); bare text that is not JSON is taken as a string of tokens.
[[nodiscard]] Result<std::vector<ir::Value>> parse_input(const std::string& text);
[[nodiscard]] Result<std::vector<ir::Value>> input_from_json(const nlohmann::json& j);
/// The inverse: a JSON string when every token is a one-character string, else a list.
[[nodiscard]] nlohmann::json input_to_json(const std::vector<ir::Value>& input);

/// An s-op as a JSON list; a selector as {"selector": [[...]]} indexed [query][key].
[[nodiscard]] nlohmann::json output_to_json(const Output& output);

/// Whether `actual` is what a test expects: same length, strings and booleans equal,
/// numbers equal within a relative 1e-6 (so 0.333333 matches 1/3 and 2 matches 2.0).
[[nodiscard]] bool output_matches(const nlohmann::json& expected, const Output& actual);

}  // namespace rasp::interp

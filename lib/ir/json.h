// lib/ir/json.h - The JSON IR: whole programs to and from JSON ("schema": 1), and values.
#pragma once

#include <nlohmann/json.hpp>

#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"

namespace rasp::ir {

inline constexpr int kJsonSchema = 1;

/// Arrays and objects nested deeper than this are refused before parsing: the parser
/// recurses, and 70,000 `[` overflow the stack.
inline constexpr int kMaxJsonDepth = 10000;

/// nlohmann::json::parse without exceptions for text a user wrote: discarded when it is not
/// JSON or nests deeper than kMaxJsonDepth.
[[nodiscard]] nlohmann::json parse_json(std::string_view text);

/// `j` as text for a user (indent -1: one line), bytes that are not UTF-8 (an input or file
/// name echoed back) as U+FFFD instead of nlohmann's type_error.
[[nodiscard]] inline std::string json_text(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// The whole program: every node with kind, inputs, expression, value, names and ranges.
[[nodiscard]] nlohmann::json program_to_json(const Program& program);
/// Reads a program back, validating every id, kind and expression; errors name the JSON
/// path (E0301).
[[nodiscard]] Result<Program> program_from_json(const nlohmann::json& doc,
                                                const std::string& file_name = "<json>");

/// Tagged, exact form used inside the IR: {"int": 3}, {"float": [7, 3]}, {"str": "a"}.
[[nodiscard]] nlohmann::json value_to_tagged_json(const Value& v);
[[nodiscard]] ValueResult<Value> value_from_tagged_json(const nlohmann::json& j);

/// Plain form for users: a JSON bool, integer, number or string. Floats become doubles.
[[nodiscard]] nlohmann::json value_to_plain_json(const Value& v);
/// Reads a user's input element: strings, integers, numbers (exact decimals) and bools.
[[nodiscard]] ValueResult<Value> value_from_plain_json(const nlohmann::json& j);
/// Whether `j` is a JSON integer an int64 holds (the parser keeps one past INT64_MAX
/// unsigned, which read as an int64 would wrap to a negative number).
[[nodiscard]] bool is_int64(const nlohmann::json& j);

}  // namespace rasp::ir

// lib/interp/io.cpp - Converting inputs and outputs between JSON and RASP values.
#include "lib/interp/io.h"

#include <fmt/format.h>

#include <cmath>

#include "lib/ir/json.h"
#include "lib/ir/text.h"

namespace rasp::interp {

using nlohmann::json;

Result<std::vector<ir::Value>> input_from_json(const json& j) {
  std::vector<ir::Value> out;
  if (j.is_string()) {
    // One token per character, as Python iterates a string (not per byte).
    for (std::string& c : ir::characters(j.get<std::string>())) out.push_back(ir::Value::string(std::move(c)));
    return out;
  }
  if (!j.is_array()) {
    return fail(code::kInput, fmt::format("an input is a JSON string or list, not {}", ir::json_text(j)));
  }
  for (const auto& e : j) {
    auto v = ir::value_from_plain_json(e);
    if (!v) return fail(v.error().code, v.error().message);
    out.push_back(*v);
  }
  return out;
}

namespace {

// Text that starts with '[' is read as a JSON list. When it is not a usable one and has no
// comma or quote (which a list meant as JSON would), the user may have meant the characters
// themselves, a Dyck word such as [()] or []: say how to give them.
tl::unexpected<Diagnostics> with_bracket_hint(const Result<std::vector<ir::Value>>& bad, const std::string& text) {
  Diagnostics d = bad.error();
  if (text.find_first_of(",\"") == std::string::npos) {
    d.front().notes.push_back(fmt::format("for its characters as tokens, give a JSON string: {}", ir::json_text(json(text))));
  }
  return tl::unexpected(std::move(d));
}

}  // namespace

Result<std::vector<ir::Value>> parse_input(const std::string& text) {
  json j = ir::parse_json(text);
  if (j.is_discarded()) {
    if (!text.empty() && (text.front() == '[' || text.front() == '"')) {
      auto bad = fail(code::kInput, fmt::format("input is not valid JSON: {}", text));
      return text.front() == '[' ? with_bracket_hint(bad, text) : bad;
    }
    j = text;  // plain text: one token per character
  } else if (!j.is_string() && !j.is_array()) {
    j = text;  // e.g. 123 means the tokens "1", "2", "3"
  }
  // JSON text was checked by the parser; plain text is checked here, so that every token
  // can be shown and written back as JSON.
  if (j.is_string() && !ir::valid_utf8(j.get_ref<const std::string&>())) {
    return fail(code::kInput, "input is not valid UTF-8 text");
  }
  auto input = input_from_json(j);
  if (input && input->empty() && j.is_array()) input = fail(code::kInput, kEmptyInput);
  if (!input && !text.empty() && text.front() == '[' && j.is_array()) return with_bracket_hint(input, text);
  return input;
}

json input_to_json(const std::vector<ir::Value>& input) {
  bool chars = !input.empty();
  for (const auto& v : input) chars = chars && v.is_string() && ir::one_character(v.str());
  if (chars) {
    std::string s;
    for (const auto& v : input) s += v.str();
    return s;
  }
  json a = json::array();
  for (const auto& v : input) a.push_back(ir::value_to_plain_json(v));
  return a;
}

json output_to_json(const Output& output) {
  if (output.is_selector) {
    json rows = json::array();
    for (const auto& row : output.matrix) {
      json r = json::array();
      for (bool b : row) r.push_back(b ? 1 : 0);
      rows.push_back(std::move(r));
    }
    return json{{"selector", std::move(rows)}};
  }
  json a = json::array();
  for (const auto& v : output.values) a.push_back(ir::value_to_plain_json(v));
  return a;
}

namespace {

bool value_matches(const json& e, const ir::Value& v) {
  if (e.is_string()) return v.is_string() && v.str() == e.get<std::string>();
  if (e.is_boolean()) return v.is_bool() && v.as_bool() == e.get<bool>();
  if (e.is_number()) {
    if (v.is_string() || v.is_bool()) return false;
    if (e.is_number_integer() && !ir::is_int64(e)) return false;
    if (e.is_number_integer() && v.den() == 1) return v.num() == e.get<std::int64_t>();
    double x = e.get<double>(), y = v.to_double();
    return std::fabs(x - y) <= 1e-6 * std::max(1.0, std::fabs(x));
  }
  return false;
}

}  // namespace

bool output_matches(const json& expected, const Output& actual) {
  if (actual.is_selector) {
    const json& rows = expected.is_object() && expected.contains("selector") ? expected["selector"] : expected;
    if (!rows.is_array() || rows.size() != actual.matrix.size()) return false;
    for (std::size_t q = 0; q < rows.size(); ++q) {
      if (!rows[q].is_array() || rows[q].size() != actual.matrix[q].size()) return false;
      for (std::size_t k = 0; k < rows[q].size(); ++k) {
        const json& c = rows[q][k];
        bool want = c.is_boolean() ? c.get<bool>() : (c.is_number() && c.get<double>() != 0);
        if (want != actual.matrix[q][k]) return false;
      }
    }
    return true;
  }
  if (!expected.is_array() || expected.size() != actual.values.size()) return false;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (!value_matches(expected[i], actual.values[i])) return false;
  }
  return true;
}

}  // namespace rasp::interp

// tools/raspkit/directives.cpp - Parsing `# KIND: ...` expectation comments.
#include "tools/raspkit/directives.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "lib/ir/json.h"

namespace rasp::cli {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<Directive> read_directives(const std::string& source) {
  // The regex reads only a directive's head, up to its colon, and the text after it is taken
  // as it is: libstdc++'s regex recurses per character, and a 40,000-character expected
  // output overflowed the stack.
  static const std::regex pattern(
      R"(^\s*#\s*(EXPR|INPUT|BOUNDS|EQUIV|ASSERT|COMPILES|ERROR|FLAGS)(\(([^)]*)\)|@\+?(-?\d+))?\s*:)");
  constexpr std::size_t kLongestHead = 256;
  std::vector<Directive> out;
  std::istringstream in(source);
  std::optional<std::string> expr;
  int expr_line = 0;
  int line_no = 0;
  // A comment that opens with a directive's name but is not one (`# ERROR@+1 E0101`, no
  // colon) would otherwise be skipped without a word, and the expectation never checked.
  static const std::regex named(R"(^\s*#\s*(EXPR|INPUT|BOUNDS|EQUIV|ASSERT|COMPILES|ERROR|FLAGS)\b)");
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    // A CRLF file's lines end in '\r', which `.` does not match: every directive was dropped.
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    std::size_t colon = line.find(':');
    std::string head = colon == std::string::npos ? std::string() : line.substr(0, colon + 1);
    bool matched = colon != std::string::npos && colon < kLongestHead && std::regex_match(head, m, pattern);
    // Only BOUNDS takes a (model) and only ERROR an @offset.
    if (matched && ((m[3].matched && m[1] != "BOUNDS") || (m[4].matched && m[1] != "ERROR"))) {
      matched = false;
    }
    if (!matched) {
      std::string start = line.substr(0, kLongestHead);
      if (std::regex_search(start, named, std::regex_constants::match_continuous)) {
        out.push_back(Directive{"MALFORMED", "", trim(line), line_no, expr, expr_line});
      }
      continue;
    }
    Directive d;
    d.kind = m[1];
    d.argument = m[3].matched ? std::string(m[3]) : m[4].matched ? std::string(m[4]) : "";
    d.text = trim(line.substr(colon + 1));
    d.line = line_no;
    if (d.kind == "EXPR") {
      expr = d.text;
      expr_line = line_no;
    }
    d.expr = expr;
    d.expr_line = expr_line;
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> split_arrow(const std::string& text) {
  for (std::size_t at = text.find("->"); at != std::string::npos; at = text.find("->", at + 2)) {
    std::string left = trim(text.substr(0, at));
    if (!ir::parse_json(left).is_discarded()) return std::make_pair(left, trim(text.substr(at + 2)));
  }
  return std::nullopt;
}

}  // namespace rasp::cli

// tools/raspkit/check_reports.cpp - Serialising check results for CI systems.
#include "tools/raspkit/check_reports.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "lib/ir/text.h"
#include "tools/raspkit/report/html.h"

namespace rasp::cli {
namespace {

const std::map<std::string, std::string>& kind_descriptions() {
  static const std::map<std::string, std::string> d = {
      {"INPUT", "An expression's output on an input matches the file's expectation"},
      {"ERROR", "A bad program fails with the stated diagnostic code at the stated line"},
      {"BOUNDS", "A cost model's layer and head counts match the file's expectation"},
      {"EQUIV", "Two expressions are equivalent up to a length, or differ first at the stated input"},
      {"ASSERT", "A boolean s-op holds at every position of every input up to a length"},
      {"COMPILES", "The expression compiles to weights that agree with the interpreter"},
      {"LOAD", "The program loads"},
      {"FLAGS", "The file's flags are valid"}};
  return d;
}

std::string rule_of(const CheckResult& r) {
  // Failures caused by a diagnostic are filed under its code; others under the check kind.
  return !r.code.empty() && r.verdict != Verdict::Pass && (r.kind == "LOAD" || r.verdict == Verdict::Error)
             ? r.code
             : r.kind;
}


}  // namespace

nlohmann::json json_report(const std::vector<CheckResult>& results, std::size_t files) {
  std::map<Verdict, int> counts;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : results) {
    ++counts[r.verdict];
    nlohmann::json j{{"file", r.file},       {"line", r.line},   {"kind", r.kind},
                     {"subject", r.subject}, {"verdict", verdict_name(r.verdict)}, {"message", r.message}};
    if (!r.code.empty()) j["code"] = r.code;
    list.push_back(std::move(j));
  }
  return {{"schema", 1},
          {"files", files},
          {"passed", counts[Verdict::Pass]},
          {"failed", counts[Verdict::Fail] + counts[Verdict::Error]},
          {"inconclusive", counts[Verdict::Inconclusive]},
          {"skipped", counts[Verdict::Skip]},
          {"results", std::move(list)}};
}

namespace {

// A path as a URI reference (RFC 3986): bytes other than unreserved characters and '/'
// percent-encoded, so that a space, '#' or '%' in a file name is not read as a fragment or
// an escape. An absolute path becomes a file: URI.
std::string path_uri(const std::string& path) {
  std::string out = path.starts_with('/') ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// A directory as a base URI must end in '/': "/" stays "/", "/w" becomes "/w/".
std::string directory_with_slash(std::string dir) {
  if (!dir.ends_with('/')) dir += '/';
  return dir;
}

}  // namespace

nlohmann::json sarif_report(const std::vector<CheckResult>& results) {
  std::set<std::string> rule_ids;
  for (const auto& [kind, text] : kind_descriptions()) rule_ids.insert(kind);
  for (const auto& r : results) rule_ids.insert(rule_of(r));
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, int> rule_index;
  for (const auto& id : rule_ids) {
    auto it = kind_descriptions().find(id);
    std::string text = it != kind_descriptions().end() ? it->second : fmt::format("raspkit diagnostic {}", id);
    rule_index[id] = static_cast<int>(rules.size());
    rules.push_back({{"id", id},
                     {"name", id},
                     {"shortDescription", {{"text", text}}}});
  }
  // Relative paths are relative to the directory check ran in, %SRCROOT% (defined below).
  auto location = [](const std::string& file) -> nlohmann::json {
    if (file.starts_with('/')) return {{"uri", path_uri(file)}};
    return {{"uri", path_uri(file)}, {"uriBaseId", "%SRCROOT%"}};
  };
  auto region = [](const CheckResult& r) -> nlohmann::json {
    nlohmann::json j = {{"startLine", std::max(1, r.line)}};
    if (r.col > 0) j["startColumn"] = r.col;
    return j;
  };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : results) {
    if (r.verdict == Verdict::Pass || r.verdict == Verdict::Skip) continue;
    std::string id = rule_of(r);
    std::string level = r.verdict == Verdict::Inconclusive ? "warning" : "error";
    std::string text = fmt::format("{} {}: {}", r.kind, r.subject, r.message);
    out.push_back({{"ruleId", id},
                   {"ruleIndex", rule_index[id]},
                   {"level", level},
                   {"message", {{"text", text}}},
                   {"locations", {{{"physicalLocation", {{"artifactLocation", location(r.file)}, {"region", region(r)}}}}}}});
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "raspkit"},
                 {"version", "0.1.0"},
                 {"rules", std::move(rules)}}}}},
             {"originalUriBaseIds",
              {{"%SRCROOT%", {{"uri", path_uri(directory_with_slash(std::filesystem::current_path().string()))}}}}},
             {"results", std::move(out)}}}}};
}

// Text for XML: UTF-8 (a file name's stray bytes as U+FFFD), control characters XML 1.0
// cannot hold as U+FFFD too, then escaped.
std::string xml_text(std::string_view text) {
  std::string valid = ir::with_replacement_characters(text);
  std::string out;
  for (char c : valid) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return html::escape_html(out);
}

std::string junit_report(const std::vector<CheckResult>& results) {
  std::map<std::string, std::vector<const CheckResult*>> by_file;
  for (const auto& r : results) by_file[r.file].push_back(&r);
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  std::string suites;
  for (const auto& [file, rs] : by_file) {
    int f = 0, e = 0, s = 0;
    std::string cases;
    for (const CheckResult* r : rs) {
      std::string name = fmt::format("line {}: {} {}", r->line, r->kind, r->subject);
      cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">", xml_text(name),
                           xml_text(file), xml_text(file), r->line);
      if (r->verdict == Verdict::Fail || r->verdict == Verdict::Error) {
        ++f;
        cases += fmt::format("<failure message=\"{}\" type=\"{}\">{}:{}: {}</failure>", xml_text(r->message),
                             verdict_name(r->verdict), xml_text(file), r->line, xml_text(r->message));
      } else if (r->verdict == Verdict::Inconclusive) {
        // Neither held nor failed (a timeout, Z3's unknown): JUnit's error, a test that
        // could not complete, as exit 5 is neither 0 nor 10.
        ++e;
        cases += fmt::format("<error message=\"{}\" type=\"inconclusive\">{}:{}: {}</error>", xml_text(r->message),
                             xml_text(file), r->line, xml_text(r->message));
      } else if (r->verdict == Verdict::Skip) {
        ++s;
        cases += fmt::format("<skipped message=\"{}\"/>", xml_text(r->message));
      }
      cases += "</testcase>\n";
    }
    tests += static_cast<int>(rs.size());
    failures += f;
    errors += e;
    skipped += s;
    suites += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n{}  </testsuite>\n",
                          xml_text(file), rs.size(), f, e, s, cases);
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"raspkit check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n{}</testsuites>\n",
                     tests, failures, errors, skipped, suites);
}

}  // namespace rasp::cli

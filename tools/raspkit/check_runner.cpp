// tools/raspkit/check_runner.cpp - INPUT and ERROR directives run through the interpreter.
#include "tools/raspkit/check_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lib/front/front.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"
#include "lib/ir/read_file.h"
#include "tools/raspkit/check_verification.h"

namespace rasp::cli {

namespace fs = std::filesystem;

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "pass";
    case Verdict::Fail:
      return "fail";
    case Verdict::Skip:
      return "skip";
    case Verdict::Error:
      return "error";
    case Verdict::Inconclusive:
      return "inconclusive";
  }
  return "?";
}

std::vector<std::string> find_rasp_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, ec); it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (ec) break;
        if (it->is_regular_file() && it->path().extension() == ".rasp") out.push_back(it->path().string());
      }
    } else {
      out.push_back(p);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

struct FileFlags {
  front::LoadOptions load;
  interp::Options semantics;
  /// Each bad FLAGS line and what is wrong with it.
  std::vector<std::pair<const Directive*, std::string>> problems;
};

FileFlags read_flags(const std::vector<Directive>& directives) {
  FileFlags f;
  auto problem = [&](const Directive& d, std::string what) { f.problems.emplace_back(&d, std::move(what)); };
  for (const auto& d : directives) {
    if (d.kind != "FLAGS") continue;
    std::istringstream words(d.text);
    for (std::string w; words >> w;) {
      if (w == "--bos") {
        f.semantics.bos = true;
      } else if (w == "--causal") {
        f.semantics.causal = true;
      } else if (w == "--aggregate") {
        std::string v;
        words >> v;
        if (v == "sum") {
          f.semantics.aggregation = interp::Aggregation::Sum;
          f.load.sum_aggregation = true;
        } else if (v != "mean") {
          problem(d, fmt::format("unknown --aggregate {}", v));
        }
      } else if (w == "--tokens") {
        std::string v;
        words >> v;
        auto t = ir::parse_token_type(v);
        if (!t) problem(d, fmt::format("unknown --tokens {}", v));
        f.load.tokens = t.value_or(ir::TokenType::Str);
      } else {
        problem(d, fmt::format("unknown flag {}", w));
      }
    }
  }
  return f;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

std::vector<CheckResult> check_file(const std::string& path, const CheckFileOptions& options) {
  const auto& deadline = options.deadline;
  auto selected = [&](const std::string& kind) { return options.kinds.empty() || options.kinds.count(kind) > 0; };
  std::vector<CheckResult> results;
  // The program's own loader reports a file it cannot read; its directives are read here
  // within the same bound, so /dev/zero is not read for ever.
  const std::string source = ir::read_file(path).value_or(std::string());
  const std::vector<Directive> directives = read_directives(source);
  FileFlags flags = read_flags(directives);
  auto result = [&](const Directive& d, Verdict v, std::string subject, std::string message,
                    std::string code = {}) {
    results.push_back(CheckResult{path, d.line, d.kind, std::move(subject), v, std::move(message),
                                  std::move(code)});
  };
  if (!flags.problems.empty()) {
    // Every bad flag at its own line; the file's other directives would run with the wrong
    // semantics, so they do not run.
    for (const auto& [d, what] : flags.problems) {
      results.push_back(CheckResult{path, d->line, "FLAGS", "flags", Verdict::Error, what, {}});
    }
    return results;
  }

  for (const auto& d : directives) {
    if (d.kind == "MALFORMED") {
      result(d, Verdict::Error, "directive",
             fmt::format("not a directive's form (`# KIND: ...`, `# BOUNDS(model): ...`, `# ERROR@+K: CODE`): {}",
                         d.text));
    }
  }

  // ERROR@+K directives: the code and line some diagnostic must have.
  struct ExpectedError {
    const Directive* directive;
    int line;
    std::string code;
    bool seen = false;
  };
  std::vector<ExpectedError> expected_errors;
  for (const auto& d : directives) {
    if (d.kind == "ERROR") {
      // A code no diagnostic has (a typo, say) could never be seen: the directive is wrong.
      if (std::none_of(std::begin(code::kAll), std::end(code::kAll), [&](const char* c) { return d.text == c; })) {
        result(d, Verdict::Error, "directive",
               fmt::format("'{}' is not a diagnostic code (E0001, E0101, ...: docs/diagnostics.md lists them)",
                           d.text));
        continue;
      }
      // ERROR@+K / ERROR@-K: an offset past any file's length cannot name a line (and
      // 2^31 would overflow it).
      long long offset = 1;
      if (!d.argument.empty()) {
        std::string digits = d.argument[0] == '+' ? d.argument.substr(1) : d.argument;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
        if (ec != std::errc() || end != digits.data() + digits.size() || offset > 1000000 || offset < -1000000) {
          result(d, Verdict::Error, "directive",
                 fmt::format("ERROR@{}: the offset must be a line count within a million", d.argument));
          continue;
        }
      }
      expected_errors.push_back({&d, d.line + static_cast<int>(offset), d.text});
    }
  }
  auto note_error = [&](const Diagnostic& diag) {
    for (auto& e : expected_errors) {
      if (e.code == diag.code && diag.range.line == e.line) e.seen = true;
    }
  };

  // The directives that run on the loaded program.
  static const std::set<std::string> kRunOnTheProgram = {"INPUT", "BOUNDS", "EQUIV", "ASSERT", "COMPILES"};
  bool timed_out = false;  // some INPUT that might have produced an expected error was not run
  auto module = front::load_file(path, flags.load);
  if (!module) {
    const Diagnostic& diag = module.error().front();
    note_error(diag);
    if (expected_errors.empty()) {
      results.push_back(CheckResult{path, diag.range.line, "LOAD", "the program loads", Verdict::Fail,
                                    first_line(front::render(module.error())), diag.code, diag.range.col});
    }
    // The file's other directives cannot run, and must not vanish from the totals. Where the
    // failure to load is expected (ERROR@), nothing else fails the file: each is a failure.
    // Otherwise the load failure already fails it (exit 2): each is skipped, saying why.
    for (const auto& d : directives) {
      if (!kRunOnTheProgram.count(d.kind)) continue;
      std::string what = d.expr.value_or("the program");
      if (!selected(d.kind)) {
        result(d, Verdict::Skip, what, "not selected by --only");
      } else if (expected_errors.empty()) {
        result(d, Verdict::Skip, what, fmt::format("not checked: the program does not load ({})", diag.code));
      } else {
        result(d, Verdict::Fail, what,
               fmt::format("not checked: the program does not load ({} at line {}, as an ERROR@ expects); a "
                           "directive that must run belongs in a file that loads",
                           diag.code, diag.range.line));
      }
    }
  } else {
    std::map<std::string, Result<ir::NodeId>> roots;
    for (const auto& d : directives) {
      if (!kRunOnTheProgram.count(d.kind)) continue;
      std::string what = d.expr.value_or(module->last_assigned_name);
      if (!selected(d.kind)) {
        result(d, Verdict::Skip, what, "not selected by --only");
        continue;
      }
      if (deadline && std::chrono::steady_clock::now() >= *deadline) {
        timed_out = true;
        result(d, Verdict::Inconclusive, what, kGlobalTimeoutMessage);
        continue;
      }
      auto it = roots.find(what);
      if (it == roots.end()) {
        it = roots.emplace(what, front::select_expression(*module, d.expr)).first;
      }
      if (!it->second) {
        result(d, Verdict::Error, what, first_line(front::render(it->second.error(), &*module)),
               it->second.error().front().code);
        continue;
      }
      if (d.kind != "INPUT") {
        DirectiveContext context{path,        &*module,     *it->second, what,    flags.semantics,
                                 flags.load,  options.seed, deadline,    options.progress};
        if (options.progress) options.progress(fmt::format("{}:{} {}", path, d.line, d.kind));
        if (d.kind == "BOUNDS") results.push_back(check_bounds(d, context));
        if (d.kind == "EQUIV") results.push_back(check_equiv(d, context));
        if (d.kind == "ASSERT") results.push_back(check_assert(d, context));
        if (d.kind == "COMPILES") results.push_back(check_compiles(d, context));
        continue;
      }
      auto parts = split_arrow(d.text);
      if (!parts) {
        result(d, Verdict::Error, what, "expected `# INPUT: <json input> -> <json output>`");
        continue;
      }
      auto input = interp::input_from_json(ir::parse_json(parts->first));
      std::string subject = fmt::format("{} on {}", what, parts->first);
      if (!input) {
        result(d, Verdict::Error, subject, input.error().front().message, input.error().front().code);
        continue;
      }
      auto out = interp::evaluate(module->program, *it->second, *input, flags.semantics);
      const std::string& want = parts->second;
      if (want.rfind("error", 0) == 0) {
        std::string code = want.size() > 5 ? std::string(want.substr(want.find_first_not_of(" ", 5))) : "";
        if (out) {
          result(d, Verdict::Fail, subject,
                 fmt::format("expected error {}, got {}", code, ir::json_text(interp::output_to_json(*out))), code);
        } else if (!code.empty() && out.error().front().code != code) {
          result(d, Verdict::Fail, subject,
                 fmt::format("expected error {}, got {}", code, first_line(front::render(out.error(), &*module))),
                 out.error().front().code);
        } else {
          note_error(out.error().front());
          result(d, Verdict::Pass, subject, "", code);
        }
        continue;
      }
      nlohmann::json expected = ir::parse_json(want);
      if (expected.is_discarded()) {
        result(d, Verdict::Error, subject, fmt::format("expected output is not JSON: {}", want));
        continue;
      }
      if (!out) {
        result(d, Verdict::Fail, subject,
               fmt::format("expected {}, got {}", ir::json_text(expected), first_line(front::render(out.error(), &*module))),
               out.error().front().code);
        continue;
      }
      if (interp::output_matches(expected, *out)) {
        result(d, Verdict::Pass, subject, "");
      } else {
        result(d, Verdict::Fail, subject,
               fmt::format("expected {}, got {}", ir::json_text(expected), ir::json_text(interp::output_to_json(*out))));
      }
    }
  }
  for (const auto& e : expected_errors) {
    std::string subject = fmt::format("{} at line {}", e.code, e.line);
    if (!selected("ERROR")) {
      results.push_back(CheckResult{path, e.directive->line, "ERROR", subject, Verdict::Skip,
                                    "not selected by --only", e.code});
    } else if (e.seen) {
      results.push_back(CheckResult{path, e.directive->line, "ERROR", subject, Verdict::Pass, "", e.code});
    } else if (module && !selected("INPUT")) {
      results.push_back(CheckResult{path, e.directive->line, "ERROR", subject, Verdict::Skip,
                                    "the program loads; an INPUT not selected by --only may produce it", e.code});
    } else if (timed_out) {
      results.push_back(CheckResult{path, e.directive->line, "ERROR", subject, Verdict::Inconclusive,
                                    kGlobalTimeoutMessage, e.code});
    } else {
      std::string got = module ? "the program loads and no INPUT produced it"
                               : first_line(front::render(module.error()));
      results.push_back(CheckResult{path, e.directive->line, "ERROR", subject, Verdict::Fail,
                                    fmt::format("expected {}, got: {}", subject, got), e.code});
    }
  }
  std::stable_sort(results.begin(), results.end(),
                   [](const CheckResult& a, const CheckResult& b) { return a.line < b.line; });
  return results;
}

}  // namespace rasp::cli

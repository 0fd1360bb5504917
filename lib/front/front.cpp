// lib/front/front.cpp - Loading files into modules, evaluating expressions, rendering diagnostics.
#include "lib/front/front.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lib/front/detail/parser.h"
#include "lib/front/detail/stager.h"
#include "lib/ir/json.h"
#include "lib/ir/read_file.h"
#include "lib/ir/text.h"

namespace rasp::front {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<Module> load_source(const std::string& source, const std::string& file_name,
                           const LoadOptions& options) {
  Module module;
  module.options = options;
  module.sources[file_name] = split_lines(source);
  auto file = std::make_shared<const std::string>(file_name);
  auto statements = detail::parse_program(source, file, options.max_depth);
  if (!statements) return tl::unexpected(statements.error());
  detail::Stager stager(module);
  auto scope = stager.make_file_scope();
  if (!scope) return tl::unexpected(scope.error());
  module.env = detail::owning_scope_handle(*scope);
  if (auto ok = stager.run_file(*statements, *scope, /*main_file=*/true); !ok) {
    return tl::unexpected(ok.error());
  }
  return module;
}

Result<Module> load_file(const std::string& path, const LoadOptions& options) {
  // A directory opens as a stream that reads as empty: refused as what it is.
  // Located at the file's start (FILE:1:1), as every diagnostic about a program is located.
  SourceRange start{std::make_shared<const std::string>(path), 1, 1, 1, 1};
  auto read = ir::read_file(path);
  if (!read) return fail(code::kLoad, read.error(), start);
  std::string text = std::move(*read);
  if (ends_with(path, ".json")) {
    nlohmann::json doc = ir::parse_json(text);
    if (doc.is_discarded()) return fail(code::kJson, "not valid JSON", start);
    auto program = ir::program_from_json(doc, path);
    if (!program) return tl::unexpected(program.error());
    Module module;
    module.options = options;
    module.program = std::move(*program);
    return module;
  }
  return load_source(std::string(ir::without_bom(text)), path, options);
}

namespace {

Result<detail::StageValue> stage_expression(Module& module, const std::string& text) {
  auto file = std::make_shared<const std::string>("<expr>");
  module.sources["<expr>"] = {text};
  auto ast = detail::parse_expression(text, file, module.options.max_depth);
  if (!ast) return tl::unexpected(ast.error());
  detail::Stager stager(module);
  return stager.evaluate(*ast, module.env);
}

// `f("hello")`: an s-op or selector applied to one input, as the reference's REPL shows
// values. The texts of what is applied and of the input.
struct Application {
  std::string kind;  ///< "an s-op" or "a selector"
  std::string applied;
  std::string input;
};

std::optional<Application> application(Module& module, const std::string& text) {
  auto file = std::make_shared<const std::string>("<expr>");
  auto ast = detail::parse_expression(text, file, module.options.max_depth);
  if (!ast || (*ast)->kind != detail::ExprKind::Call || (*ast)->args.size() != 2) return std::nullopt;
  detail::Stager stager(module);
  auto callee = stager.evaluate((*ast)->args[0], module.env);
  if (!callee || !(std::holds_alternative<detail::SOp>(*callee) || std::holds_alternative<detail::Sel>(*callee))) {
    return std::nullopt;
  }
  auto piece = [&](const SourceRange& r) -> std::optional<std::string> {
    if (r.line != 1 || r.end_line != 1 || r.col < 1 || r.end_col < r.col) return std::nullopt;
    return text.substr(static_cast<std::size_t>(r.col - 1), static_cast<std::size_t>(r.end_col - r.col));
  };
  auto applied = piece((*ast)->args[0]->range);
  auto input = piece((*ast)->args[1]->range);
  if (!applied || !input) return std::nullopt;
  // A string literal's characters are the input's tokens, as --input takes them unquoted.
  if (input->size() >= 2 && input->front() == '"' && input->back() == '"') *input = input->substr(1, input->size() - 2);
  return Application{std::holds_alternative<detail::SOp>(*callee) ? "an s-op" : "a selector", *applied, *input};
}

SourceRange whole_expression(const std::string& text) {
  return SourceRange{std::make_shared<const std::string>("<expr>"), 1, 1, 1,
                     static_cast<int>(text.size()) + 1};
}

}  // namespace

Result<ir::NodeId> evaluate_expression(Module& module, const std::string& text) {
  if (!module.env) {
    // A JSON IR program: expressions are the names of its outputs.
    if (auto it = module.program.outputs.find(text); it != module.program.outputs.end()) {
      return it->second;
    }
    return fail(code::kUndefined, fmt::format("no output named '{}' in this program", text));
  }
  auto value = stage_expression(module, text);
  if (!value) return tl::unexpected(value.error());
  if (auto s = std::get_if<detail::SOp>(&*value)) return s->id;
  if (auto s = std::get_if<detail::Sel>(&*value)) return s->id;
  if (auto applied = application(module, text)) {
    return fail(code::kType,
                fmt::format("'{}' applies {} to an input, which the reference's REPL prints; raspkit "
                            "takes the input apart: --expr '{}' --input '{}'",
                            text, applied->kind, applied->applied, applied->input),
                whole_expression(text));
  }
  if (std::holds_alternative<detail::None>(*value)) {
    return fail(code::kType,
                fmt::format("'{}' has no value, so it is no s-op or selector (applying an s-op to an input, as in "
                            "f(\"hello\"), gives one only in the reference's REPL)",
                            text),
                whole_expression(text));
  }
  return fail(code::kType,
              fmt::format("'{}' is {}, not an s-op or selector", text, detail::a_type_name(*value)),
              whole_expression(text));
}

Result<ir::NodeId> bind_expression(Module& module, const std::string& name,
                                   const std::string& text) {
  if (!module.env) return fail(code::kType, "a JSON IR program has no scope to bind names in");
  auto value = stage_expression(module, text);
  if (!value) return tl::unexpected(value.error());
  std::optional<ir::NodeId> id;
  if (auto s = std::get_if<detail::SOp>(&*value)) id = s->id;
  if (auto s = std::get_if<detail::Sel>(&*value)) id = s->id;
  if (!id) {
    return fail(code::kType,
                fmt::format("'{}' is {}, not an s-op or selector", text, detail::a_type_name(*value)),
                whole_expression(text));
  }
  module.env->set(name, *value);
  return *id;
}

Result<ir::Value> evaluate_atom(Module& module, const std::string& text) {
  if (!module.env) return fail(code::kType, "a JSON IR program has no expressions to evaluate");
  auto value = stage_expression(module, text);
  if (!value) return tl::unexpected(value.error());
  if (auto v = std::get_if<ir::Value>(&*value)) return *v;
  return fail(code::kType, fmt::format("'{}' is {}, not an atom", text, detail::a_type_name(*value)),
              whole_expression(text));
}

Result<ir::NodeId> select_expression(Module& module, const std::optional<std::string>& text) {
  if (text) return evaluate_expression(module, *text);
  if (module.last_assigned) return *module.last_assigned;
  if (module.program.outputs.size() == 1) return module.program.outputs.begin()->second;
  if (module.program.outputs.size() > 1) {
    std::vector<std::string> names;
    for (const auto& [name, id] : module.program.outputs) names.push_back(name);
    std::sort(names.begin(), names.end());
    return fail(code::kUndefined, fmt::format("no expression to use: the program has {} outputs ({}); pass --expr",
                                              names.size(), fmt::join(names, ", ")));
  }
  return fail(code::kUndefined,
              "no expression to use: the file assigns no s-op or selector; pass --expr");
}

std::string render(const Diagnostics& diagnostics, const Module* module) {
  std::vector<Diagnostic> sorted(diagnostics.begin(), diagnostics.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.range.file_name() != b.range.file_name()) return false;
    return std::tie(a.range.line, a.range.col) < std::tie(b.range.line, b.range.col);
  });
  std::string out;
  for (const auto& d : sorted) {
    std::string severity = d.severity == Severity::Error     ? "error"
                           : d.severity == Severity::Warning ? "warning"
                                                             : "note";
    if (d.range.known()) {
      out += fmt::format("{}:{}:{}: {}: {} [{}]\n", d.range.file_name(), d.range.line, d.range.col,
                         severity, d.message, d.code);
      std::vector<std::string> lines;
      if (module) {
        if (auto it = module->sources.find(d.range.file_name()); it != module->sources.end()) {
          lines = it->second;
        }
      }
      // Only a regular file is read to quote from (a JSON IR program may name any file,
      // /dev/zero or a FIFO), and only up to the text-file limit.
      std::error_code ec;
      if (lines.empty() && d.range.file && std::filesystem::is_regular_file(*d.range.file, ec)) {
        if (auto text = ir::read_file(*d.range.file)) lines = split_lines(*text);
      }
      if (d.range.line >= 1 && static_cast<std::size_t>(d.range.line) <= lines.size()) {
        const std::string& line = lines[static_cast<std::size_t>(d.range.line - 1)];
        // A NUL byte would end the line on a terminal: shown as a space, one column as it is.
        std::string shown = line;
        std::replace(shown.begin(), shown.end(), '\0', ' ');
        out += "  " + shown + "\n";
        // Columns count bytes; the caret line counts characters, so that it stands under the
        // text after non-ASCII characters (a UTF-8 continuation byte adds no column).
        auto continuation = [&](std::size_t i) {
          return i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
        };
        int start = std::max(1, d.range.col);
        int end = d.range.end_line == d.range.line ? std::max(start + 1, d.range.end_col)
                                                   : static_cast<int>(line.size()) + 1;
        end = std::min(end, std::max(start + 1, static_cast<int>(line.size()) + 1));
        std::string caret;
        for (std::size_t i = 0; i + 1 < static_cast<std::size_t>(start); ++i) {
          if (continuation(i)) continue;
          caret += i < line.size() && line[i] == '\t' ? '\t' : ' ';
        }
        caret += "^";
        for (auto i = static_cast<std::size_t>(start); i + 1 < static_cast<std::size_t>(end); ++i) {
          if (!continuation(i)) caret += '~';
        }
        out += "  " + caret + "\n";
      }
    } else {
      out += fmt::format("{}: {} [{}]\n", severity, d.message, d.code);
    }
    for (const auto& n : d.notes) out += fmt::format("  note: {}\n", n);
  }
  return out;
}

}  // namespace rasp::front

// tools/raspkit/directives.h - The expectations a .rasp file states in its comments.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rasp::cli {

/// One `# KIND: text` comment. Kinds: EXPR, INPUT, BOUNDS(model), EQUIV, ASSERT, COMPILES,
/// ERROR@+K, FLAGS. `expr` is the expression of the nearest EXPR line above (if any).
struct Directive {
  std::string kind;      ///< "INPUT", "BOUNDS", "ERROR", ...; "MALFORMED" for a comment that
                         ///< opens with a directive's name but does not have its form
  std::string argument;  ///< BOUNDS: the model; ERROR: the offset K
  std::string text;      ///< everything after the colon, trimmed
  int line = 0;
  std::optional<std::string> expr;
  int expr_line = 0;
};

/// Reads the directives of a file's text, in order.
[[nodiscard]] std::vector<Directive> read_directives(const std::string& source);

/// Splits `<json> -> <rest>` at the first arrow that leaves valid JSON on its left.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> split_arrow(const std::string& text);

}  // namespace rasp::cli

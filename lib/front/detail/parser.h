// lib/front/detail/parser.h - Statements and expressions with the reference's precedence quirks.
#pragma once

#include <string_view>
#include <vector>

#include "lib/front/detail/ast.h"

namespace rasp::front::detail {

/// Parses a whole file. Precedence, loosest first: `in`; `x if c else y` (left-assoc);
/// `and`/`or` (one level, left-assoc); `== <= >= < >` (left-assoc, so 3>2>1 is False);
/// `+ -`; `%` (looser than `*`, so 7%3*2 is 1); `* /`; `^` (left-assoc, 2^3^2 is 64);
/// prefix `not - +` bind tighter than every binary operator (`not 1==2` is (not 1)==2,
/// -2^2 is 4); then indexing and calls.
[[nodiscard]] Result<std::vector<StmtPtr>> parse_program(std::string_view source,
                                                         std::shared_ptr<const std::string> file,
                                                         int max_depth);

/// Parses one expression (a `--expr` or `# EXPR:` text).
[[nodiscard]] Result<AstPtr> parse_expression(std::string_view source,
                                              std::shared_ptr<const std::string> file,
                                              int max_depth);

}  // namespace rasp::front::detail

// lib/front/detail/lexer.h - Tokens of the tech-srl RASP dialect, with positions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/ir/diagnostic.h"

namespace rasp::front::detail {

enum class Tok {
  End,
  Int,
  Float,
  String,
  Id,
  // Compound tokens of the reference grammar: the name and the parenthesis are one token,
  // so `select (` (with a space) is a call of an undefined name, as in the reference.
  SelectOpen,
  AggregateOpen,
  RangeOpen,
  ZipOpen,
  LenOpen,
  // Keywords.
  Not,
  And,
  Or,
  If,
  Else,
  In,
  For,
  Def,
  Return,
  Load,
  Round,
  Indicator,
  Draw,
  // Punctuation and operators.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Semicolon,
  Colon,
  Assign,
  EqEq,
  NotEq,
  Lt,
  Gt,
  Le,
  Ge,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Caret,
};

struct Token {
  Tok kind = Tok::End;
  std::string text;
  int line = 1;
  int col = 1;
  int end_line = 1;
  int end_col = 1;  ///< one past the last character
};

/// A readable name for messages: `';'`, `identifier`, `end of file`.
[[nodiscard]] std::string describe(const Token& token);

/// Whether `word(` is one token (select, aggregate, range, zip, len).
[[nodiscard]] bool opens_call(std::string_view word);

/// Splits source text into tokens; comments and white space are dropped. A bad
/// character or an unterminated string is an E0002 diagnostic.
[[nodiscard]] Result<std::vector<Token>> lex(std::string_view source,
                                             std::shared_ptr<const std::string> file);

}  // namespace rasp::front::detail

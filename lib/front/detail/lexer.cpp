// lib/front/detail/lexer.cpp - A hand-written lexer following the reference grammar's tokens.
#include "lib/front/detail/lexer.h"

#include <fmt/format.h>

#include <cctype>
#include <unordered_map>

#include "lib/ir/text.h"

namespace rasp::front::detail {
namespace {

const std::unordered_map<std::string_view, Tok>& keywords() {
  static const std::unordered_map<std::string_view, Tok> k = {
      {"not", Tok::Not},       {"and", Tok::And},       {"or", Tok::Or},
      {"if", Tok::If},         {"else", Tok::Else},     {"in", Tok::In},
      {"for", Tok::For},       {"def", Tok::Def},       {"return", Tok::Return},
      {"load", Tok::Load},     {"round", Tok::Round},   {"indicator", Tok::Indicator},
      {"draw", Tok::Draw}};
  return k;
}

const std::unordered_map<std::string_view, Tok>& open_calls() {
  static const std::unordered_map<std::string_view, Tok> k = {{"select", Tok::SelectOpen},
                                                              {"aggregate", Tok::AggregateOpen},
                                                              {"range", Tok::RangeOpen},
                                                              {"zip", Tok::ZipOpen},
                                                              {"len", Tok::LenOpen}};
  return k;
}

}  // namespace

bool opens_call(std::string_view word) { return open_calls().count(word) > 0; }

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::End:
      return "end of file";
    case Tok::Int:
    case Tok::Float:
      return fmt::format("number {}", t.text);
    case Tok::String:
      return fmt::format("string {}", t.text);
    case Tok::Id:
      return fmt::format("name '{}'", t.text);
    default:
      return fmt::format("'{}'", t.text);
  }
}

Result<std::vector<Token>> lex(std::string_view src, std::shared_ptr<const std::string> file) {
  std::vector<Token> out;
  std::size_t i = 0;
  int line = 1, col = 1;
  auto advance = [&](std::size_t n) {
    for (std::size_t k = 0; k < n && i < src.size(); ++k, ++i) {
      if (src[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
  };
  auto emit = [&](Tok kind, std::size_t len) {
    Token t{kind, std::string(src.substr(i, len)), line, col, line, col};
    advance(len);
    t.end_line = line;
    t.end_col = col;
    out.push_back(std::move(t));
  };
  auto error = [&](std::string message, int width) {
    return fail(code::kLexical, std::move(message), SourceRange{file, line, col, line, col + width});
  };
  while (i < src.size()) {
    char c = src[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      advance(1);
      continue;
    }
    if (c == '#') {
      while (i < src.size() && src[i] != '\n') advance(1);
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < src.size() && std::isdigit(static_cast<unsigned char>(src[j]))) ++j;
      if (j + 1 < src.size() && src[j] == '.' && std::isdigit(static_cast<unsigned char>(src[j + 1]))) {
        ++j;
        while (j < src.size() && std::isdigit(static_cast<unsigned char>(src[j]))) ++j;
        emit(Tok::Float, j - i);
      } else {
        emit(Tok::Int, j - i);
      }
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < src.size() && (std::isalnum(static_cast<unsigned char>(src[j])) || src[j] == '_')) ++j;
      std::string_view word = src.substr(i, j - i);
      if (j < src.size() && src[j] == '(') {
        if (auto it = open_calls().find(word); it != open_calls().end()) {
          emit(it->second, j - i + 1);
          continue;
        }
      }
      if (auto it = keywords().find(word); it != keywords().end()) {
        emit(it->second, j - i);
      } else {
        emit(Tok::Id, j - i);
      }
      continue;
    }
    if (c == '"') {
      std::size_t j = i + 1;
      while (j < src.size() && src[j] != '"' && src[j] != '\n' && src[j] != '\r') ++j;
      if (j >= src.size() || src[j] != '"') {
        return error("unterminated string literal", static_cast<int>(j - i));
      }
      // Its characters become tokens and output, which are UTF-8 text everywhere.
      if (!ir::valid_utf8(src.substr(i + 1, j - i - 1))) {
        return error("string literal is not valid UTF-8 text", static_cast<int>(j - i + 1));
      }
      emit(Tok::String, j - i + 1);
      continue;
    }
    auto two = src.substr(i, 2);
    static const std::pair<std::string_view, Tok> pairs[] = {
        {"==", Tok::EqEq}, {"!=", Tok::NotEq}, {"<=", Tok::Le}, {">=", Tok::Ge}};
    bool matched = false;
    for (const auto& [text, kind] : pairs) {
      if (two == text) {
        emit(kind, 2);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    Tok kind;
    switch (c) {
      case '(':
        kind = Tok::LParen;
        break;
      case ')':
        kind = Tok::RParen;
        break;
      case '[':
        kind = Tok::LBracket;
        break;
      case ']':
        kind = Tok::RBracket;
        break;
      case '{':
        kind = Tok::LBrace;
        break;
      case '}':
        kind = Tok::RBrace;
        break;
      case ',':
        kind = Tok::Comma;
        break;
      case ';':
        kind = Tok::Semicolon;
        break;
      case ':':
        kind = Tok::Colon;
        break;
      case '=':
        kind = Tok::Assign;
        break;
      case '<':
        kind = Tok::Lt;
        break;
      case '>':
        kind = Tok::Gt;
        break;
      case '+':
        kind = Tok::Plus;
        break;
      case '-':
        kind = Tok::Minus;
        break;
      case '*':
        kind = Tok::Star;
        break;
      case '/':
        kind = Tok::Slash;
        break;
      case '%':
        kind = Tok::Percent;
        break;
      case '^':
        kind = Tok::Caret;
        break;
      default: {
        unsigned char u = static_cast<unsigned char>(c);
        std::string shown = (u >= 0x20 && u < 0x7f) ? std::string(1, c) : fmt::format("\\x{:02x}", u);
        // A non-ASCII character is shown whole (its UTF-8 bytes), as the source shows it.
        if (u >= 0xC0) {
          std::size_t j = i + 1;
          while (j < src.size() && j < i + 4 && (static_cast<unsigned char>(src[j]) & 0xC0) == 0x80) ++j;
          std::string_view whole = src.substr(i, j - i);
          if (ir::valid_utf8(whole)) return error(fmt::format("unexpected character '{}'", whole), static_cast<int>(j - i));
        }
        if (shown == "'") return error("unexpected character \"'\" (RASP strings take double quotes)", 1);
        return error(fmt::format("unexpected character '{}'", shown), 1);
      }
    }
    emit(kind, 1);
  }
  out.push_back(Token{Tok::End, "", line, col, line, col});
  return out;
}

}  // namespace rasp::front::detail

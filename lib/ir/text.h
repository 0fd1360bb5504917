// lib/ir/text.h - Strings as Python sees them: a sequence of Unicode characters (code points).
//
// The reference interpreter splits an input string, and indexes a string constant, by
// character; raspkit holds text as UTF-8, so one character may be several bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rasp::ir {

/// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
[[nodiscard]] bool valid_utf8(std::string_view text);

/// The characters of `text`, each as its UTF-8 bytes. A byte that starts no well-formed
/// character is one piece by itself (callers that show text check valid_utf8 first).
[[nodiscard]] std::vector<std::string> characters(std::string_view text);

/// `text` with every byte that starts no well-formed character replaced by U+FFFD, for
/// formats that must be UTF-8 (XML, JSON).
[[nodiscard]] std::string with_replacement_characters(std::string_view text);

/// Whether `text` is exactly one character.
[[nodiscard]] bool one_character(std::string_view text);

/// `text` without the byte-order mark some editors put first (UTF-8's EF BB BF), which
/// Python's "utf-8-sig" reading drops too.
[[nodiscard]] inline std::string_view without_bom(std::string_view text) {
  return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
}

}  // namespace rasp::ir

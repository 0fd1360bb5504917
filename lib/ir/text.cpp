// lib/ir/text.cpp - UTF-8 decoding, just enough to find where characters begin and end.
#include "lib/ir/text.h"

namespace rasp::ir {

namespace {

// The length in bytes of the well-formed character at the start of `text`, or 0.
std::size_t character_length(std::string_view text) {
  if (text.empty()) return 0;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  std::size_t len = b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3 : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : 0;
  if (len == 0 || text.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  unsigned char b1 = byte(1);
  // Overlong three- and four-byte forms, UTF-16 surrogates, and values past U+10FFFF.
  if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F) || (b0 == 0xF0 && b1 < 0x90) ||
      (b0 == 0xF4 && b1 > 0x8F)) {
    return 0;
  }
  return len;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  while (!text.empty()) {
    std::size_t len = character_length(text);
    if (len == 0) return false;
    text.remove_prefix(len);
  }
  return true;
}

std::vector<std::string> characters(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t len = character_length(text);
    if (len == 0) len = 1;
    out.emplace_back(text.substr(0, len));
    text.remove_prefix(len);
  }
  return out;
}

bool one_character(std::string_view text) {
  return !text.empty() && character_length(text) == text.size();
}

std::string with_replacement_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t len = character_length(text);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      len = 1;
    } else {
      out.append(text.substr(0, len));
    }
    text.remove_prefix(len);
  }
  return out;
}

}  // namespace rasp::ir

// tests/lib/ir/text_test.cpp - Characters of UTF-8 text, and inputs split into them.
#include "lib/ir/text.h"

#include <gtest/gtest.h>

#include "lib/interp/io.h"

namespace rasp::ir {
namespace {

TEST(TextTest, CharactersOfEveryWidth) {
  // 1, 2, 3 and 4 bytes: "a", "é", "€", "𝄞".
  std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E";
  EXPECT_TRUE(valid_utf8(text));
  EXPECT_EQ(characters(text), (std::vector<std::string>{"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E"}));
  EXPECT_TRUE(one_character("\xE2\x82\xAC"));
  EXPECT_FALSE(one_character("ab"));
  EXPECT_FALSE(one_character(""));
  EXPECT_TRUE(characters("").empty());
}

TEST(TextTest, MalformedBytesAreNotText) {
  for (std::string bad : {"\xC3", "a\xE9", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\x80", "\xFF"}) {
    EXPECT_FALSE(valid_utf8(bad)) << testing::PrintToString(bad);
  }
  // Each stray byte is a piece of its own.
  EXPECT_EQ(characters("a\xE9z"), (std::vector<std::string>{"a", "\xE9", "z"}));
  EXPECT_FALSE(one_character("\xE9"));
}

TEST(TextTest, InputsAreSplitIntoCharacters) {
  auto input = interp::parse_input("\xC3\xA9\xE2\x82\xACx");
  ASSERT_TRUE(input.has_value());
  ASSERT_EQ(input->size(), 3U);
  EXPECT_EQ((*input)[1].str(), "\xE2\x82\xAC");
  EXPECT_EQ(interp::input_to_json(*input), "\xC3\xA9\xE2\x82\xACx");  // shown back as one string
  auto json = interp::parse_input("\"\\u00e9a\"");
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json->size(), 2U);
  auto bad = interp::parse_input("a\xE9");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().front().message, "input is not valid UTF-8 text");
}

}  // namespace
}  // namespace rasp::ir

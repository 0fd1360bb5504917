// tests/lib/front/diagnostics_test.cpp - Every bad program gets a located, coded diagnostic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lib/front/front.h"

namespace rasp::front {
namespace {

struct Case {
  const char* source;
  const char* code;
  int line;
  int col;
};

class DiagnosticTest : public ::testing::TestWithParam<Case> {};

TEST_P(DiagnosticTest, ReportsCodeAndPosition) {
  const Case& c = GetParam();
  auto module = load_source(c.source, "bad.rasp");
  ASSERT_FALSE(module.has_value()) << c.source;
  const Diagnostic& d = module.error().front();
  EXPECT_EQ(d.code, c.code) << c.source << "\n" << render(module.error());
  EXPECT_EQ(d.range.line, c.line) << c.source;
  if (c.col > 0) {
    EXPECT_EQ(d.range.col, c.col) << c.source;
  }
}

INSTANTIATE_TEST_SUITE_P(
    BadPrograms, DiagnosticTest,
    ::testing::Values(
        Case{"x = 1 +;", "E0001", 1, 8}, Case{"x = \"abc;", "E0002", 1, 5}, Case{"x = 3 $ 4;", "E0002", 1, 7},
        Case{"x = tokens", "E0003", 1, 1}, Case{"y = 1;\ndef f(a) {\n  return a;\n", "E0003", 2, 1},
        Case{"if = 1;", "E0102", 1, 1},
        Case{"x = y + 1;", "E0101", 1, 5}, Case{"\ntokens_str = 1;", "E0102", 2, 1},
        Case{"length = 2;", "E0102", 1, 1}, Case{"def f(a) { return a; }\nx = f(1, 2);", "E0103", 2, 5},
        Case{"a, b = 1, 2, 3;", "E0104", 1, 1}, Case{"a, b = \"xyz\";", "E0104", 1, 1},
        Case{"a, b = 7;", "E0104", 1, 1}, Case{"x = 1;\ny = \"a\xe9\";", "E0002", 2, 5},
        Case{"load \"no_such_file\";", "E0105", 1, 1},
        Case{"x = 3(4);", "E0106", 1, 5}, Case{"x = select(indices, indices, ==) + 1;", "E0201", 1, 34},
        Case{"x = select(indices, indices, ==) and tokens;", "E0202", 1, 5},
        Case{"x = aggregate(tokens, tokens);", "E0207", 1, 15}, Case{"x = [1, 2][5];", "E0206", 1, 5},
        Case{"x = indicator(3);", "E0209", 1, 5}, Case{"for x in 3 { y = x; }", "E0209", 1, 10},
        Case{"x = tokens != 1;", "E0210", 1, 12}, Case{"x = 1 / 0;", "E0205", 1, 5},
        Case{"def f(x) { return f(x); }\ny = f(1);", "E0212", 1, 0}));

TEST(DiagnosticRenderTest, ShowsTheLineAndACaret) {
  auto module = load_source("a = tokens;\nb = a + nope;\n", "prog.rasp");
  ASSERT_FALSE(module.has_value());
  std::string text = render(module.error(), nullptr);
  EXPECT_NE(text.find("prog.rasp:2:9: error: undefined name 'nope' [E0101]"), std::string::npos) << text;
}

// Columns count bytes, but the caret stands under the text after non-ASCII characters; a
// NUL byte in the line does not end the echoed line; a non-ASCII character that is out of
// place is shown whole, and a single quote says RASP strings take double quotes.
TEST(DiagnosticRenderTest, TheCaretStandsUnderTheTextAfterNonAsciiCharacters) {
  // render() reads the lines from the files named.
  auto write = [](const std::string& name, const std::string& text) {
    std::string path = (std::filesystem::temp_directory_path() / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  };
  auto module = load_file(write("raspkit_caret_u.rasp", "x = \"\xC3\xA9\xC3\xA9\xC3\xA9\" + foo;\n"));
  ASSERT_FALSE(module.has_value());
  std::string text = render(module.error(), nullptr);
  EXPECT_NE(text.find(":1:16:"), std::string::npos) << text;
  EXPECT_NE(text.find("\n              ^~~\n"), std::string::npos) << text;  // under `foo`, 13th character
  auto nul = load_file(write("raspkit_caret_n.rasp", std::string("x = tokens;\0\ny = 1;\n", 20)));
  ASSERT_FALSE(nul.has_value());
  std::string shown = render(nul.error(), nullptr);
  EXPECT_NE(shown.find("  x = tokens; \n             ^\n"), std::string::npos) << shown;
  auto accent = load_source("x = tokens \xC3\xA9 1;\n", "a.rasp");
  ASSERT_FALSE(accent.has_value());
  EXPECT_EQ(accent.error().front().message, "unexpected character '\xC3\xA9'");
  auto quote = load_source("x = 'abc';\n", "q.rasp");
  ASSERT_FALSE(quote.has_value());
  EXPECT_NE(quote.error().front().message.find("double quotes"), std::string::npos);
}

// A diagnostic's source line is quoted only from a regular file: a JSON IR program may name
// any file in its ranges, and /dev/zero would be read for ever (a FIFO would block).
TEST(DiagnosticText, QuotesSourceOnlyFromARegularFile) {
  Diagnostic d{Severity::Error, "E0201", "boom", SourceRange{std::make_shared<const std::string>("/dev/zero"), 1, 1, 1, 2}, {}};
  std::string text = render(Diagnostics{d}, nullptr);
  EXPECT_EQ(text, "/dev/zero:1:1: error: boom [E0201]\n");
}

// A program file that cannot be read is located at its start, with the system's reason, and
// one that never ends (/dev/zero) is refused at the text-file limit, not read for ever.
TEST(DiagnosticText, UnreadableProgramFilesAreLocated) {
  auto missing = load_file("/nonexistent/raspkit_missing.rasp");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(render(missing.error(), nullptr),
            "/nonexistent/raspkit_missing.rasp:1:1: error: cannot open file: No such file or directory [E0105]\n");
  auto endless = load_file("/dev/zero");
  ASSERT_FALSE(endless.has_value());
  EXPECT_NE(endless.error().front().message.find("more than 64 MiB"), std::string::npos);
}

// Type names in messages take their article: "an int", "an s-op", "a selector".
TEST(DiagnosticText, TypeNamesTakeTheirArticle) {
  auto sum = load_source("x = 1 < [2];\n", "a.rasp");
  ASSERT_FALSE(sum.has_value());
  EXPECT_NE(sum.error().front().message.find("to an int and a list"), std::string::npos)
      << sum.error().front().message;
  auto round_of = load_source("x = round(select(indices, indices, ==));\n", "a.rasp");
  ASSERT_FALSE(round_of.has_value());
  EXPECT_EQ(round_of.error().front().message, "round of a selector");
  auto iterate = load_source("x = [a for a in tokens];\n", "a.rasp");
  ASSERT_FALSE(iterate.has_value());
  EXPECT_NE(iterate.error().front().message.find("got an s-op"), std::string::npos)
      << iterate.error().front().message;
}

}  // namespace
}  // namespace rasp::front

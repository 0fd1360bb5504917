// tests/lib/front/staging_test.cpp - Load-time evaluation builds the graph users expect.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "lib/interp/io.h"

namespace rasp::front {
namespace {

nlohmann::json run(const std::string& source, const std::string& expr, const std::string& input,
                   LoadOptions options = {}) {
  auto module = load_source(source, "t.rasp", options);
  EXPECT_TRUE(module.has_value()) << render(module.error());
  if (!module) return nullptr;
  auto root = evaluate_expression(*module, expr);
  EXPECT_TRUE(root.has_value()) << render(root.error(), &*module);
  if (!root) return nullptr;
  auto out = interp::evaluate(module->program, *root, *interp::parse_input(input), {});
  EXPECT_TRUE(out.has_value()) << render(out.error(), &*module);
  return out ? interp::output_to_json(*out) : nullptr;
}

TEST(StagingTest, FunctionsWithSeveralReturnValuesAndNestedDefs) {
  const char* src =
      "def both(s) {\n"
      "  def inc(x) { return x + 1; }\n"
      "  return inc(s), s * 2;\n"
      "}\n"
      "a, b = both(indices);\n";
  EXPECT_EQ(run(src, "a", "abc"), nlohmann::json({1, 2, 3}));
  EXPECT_EQ(run(src, "b", "abc"), nlohmann::json({0, 2, 4}));
}

// Lists, dicts and None compare and have truth as in Python (the reference evaluates them
// with Python's operators): == and != on any two, ordering of lists, and/or returning an
// operand, `not` of a dict. Each case as the reference gives it.
TEST(StagingTest, ListsAndDictsCompareAndHaveTruthAsInPython) {
  const std::pair<const char*, int> cases[] = {
      {"[1,2] == [1,2]", 1},           {"[1,2] == [1,2,3]", 0},         {"[1] == 1", 0},
      {"[1.0, True] == [1, 1]", 1},    {"{\"a\":1, \"b\":2} == {\"b\":2, \"a\":1}", 1},
      {"{\"a\":1} == {\"a\":2}", 0}, {"[1,2] < [1,2,0]", 1},         {"[2] > [1,5]", 1},
      {"[[1],[2]] < [[1],[3]]", 1},    {"[\"a\",\"b\"] < [\"a\",\"c\"]", 1},
      {"[] < [1]", 1},                 {"not {}", 1},                   {"not {\"a\":1}", 0},
      {"[] and 7", 0},                 {"len([] or [7, 8])", 1},        {"[0] and 5", 1}};
  for (const auto& [expr, truth] : cases) {
    std::string src = fmt::format("c = {};\nr = indices * 0 + (1 if c else 0);\n", expr);
    EXPECT_EQ(run(src, "r", "a"), nlohmann::json({truth})) << expr;
  }
  EXPECT_EQ(run("v = [] or [7, 8];\n", "indices + v[1]", "ab"), nlohmann::json({8, 9}));
}

// `f("hello")` shows a value in the reference's REPL; as an --expr it is refused with the
// way to run it here, and a name bound to such an application says why it has no value.
TEST(StagingTest, AnExpressionApplyingAnSOpToAnInputSaysHowToRunIt) {
  auto module = load_source("r = tokens + \"!\";\nc = r(\"ab\");\n", "t.rasp");
  ASSERT_TRUE(module) << render(module.error());
  auto applied = evaluate_expression(*module, "r(\"hey\")");
  ASSERT_FALSE(applied);
  EXPECT_NE(applied.error().front().message.find("--expr 'r' --input 'hey'"), std::string::npos)
      << applied.error().front().message;
  auto selector = evaluate_expression(*module, "select(indices, indices, <)([1, 2])");
  ASSERT_FALSE(selector);
  EXPECT_NE(selector.error().front().message.find("applies a selector"), std::string::npos);
  EXPECT_NE(selector.error().front().message.find("--input '[1, 2]'"), std::string::npos);
  auto none = evaluate_expression(*module, "c");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().front().message.find("'c' has no value"), std::string::npos)
      << none.error().front().message;
}

// `exit` or `quit` alone on a line ends the file there, as it ends the reference's REPL,
// with or without lines after it; as a name being assigned it is a name.
TEST(StagingTest, ExitAloneOnALineEndsTheFile) {
  EXPECT_EQ(run("z = tokens + \"!\";\nexit\nz = tokens;\n", "z", "ab"), nlohmann::json({"a!", "b!"}));
  EXPECT_EQ(run("z = tokens + \"!\";\nquit()\nz = tokens;\n", "z", "ab"), nlohmann::json({"a!", "b!"}));
  EXPECT_EQ(run("z = tokens + \"!\";\nexit;\n", "z", "ab"), nlohmann::json({"a!", "b!"}));
  EXPECT_EQ(run("z = tokens + \"!\";\nexit\n", "z", "ab"), nlohmann::json({"a!", "b!"}));
}

// s[-1] counts from the `length` in scope, as the reference reads it: a def may bind its
// own (here indices + 1, so each position reads itself); a `length` that is no s-op is an
// error at the index.
TEST(StagingTest, NegativeIndexCountsFromTheLengthInScope) {
  EXPECT_EQ(run("y = tokens[-1];\n", "y", "abc"), nlohmann::json({"c", "c", "c"}));
  const char* local = "def last(s) {\n  length = indices + 1;\n  return s[-1];\n}\ny = last(tokens);\n";
  EXPECT_EQ(run(local, "y", "abc"), nlohmann::json({"a", "b", "c"}));
  const char* param = "def last(s, length) { return s[-1]; }\ny = last(tokens, indices + 1);\n";
  EXPECT_EQ(run(param, "y", "abc"), nlohmann::json({"a", "b", "c"}));
  auto number = load_source("def last(s) { length = 3; return s[-1]; }\ny = last(tokens);\n", "t.rasp");
  ASSERT_FALSE(number.has_value());
  EXPECT_EQ(number.error().front().code, std::string("E0209"));
  EXPECT_EQ(number.error().front().range.col, 34);
}

// A chain of loads deeper than the limit is a located error (4,500 files overflowed the stack).
TEST(StagingTest, LoadsNestedTooDeepAreRefused) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("raspkit_chain_{}", ::getpid());
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 250; ++i) {
    std::ofstream((dir / fmt::format("c{}.rasp", i)).string())
        << (i + 1 < 250 ? fmt::format("load \"c{}\";\n", i + 1) : std::string()) << "x" << i << " = tokens;\n";
  }
  auto module = load_file((dir / "c0.rasp").string());
  ASSERT_FALSE(module.has_value());
  EXPECT_EQ(module.error().front().code, std::string("E0212"));
  EXPECT_NE(module.error().front().message.find("loads nested deeper than"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(StagingTest, ForLoopsBuildOneNodePerIteration) {
  const char* src = "acc = indices;\nfor k in range(3) { acc = acc + k; }\n";
  EXPECT_EQ(run(src, "acc", "ab"), nlohmann::json({3, 4}));
}

TEST(StagingTest, IndexingConstantsBySOps) {
  EXPECT_EQ(run("x = \"zyx\"[indices];", "x", "abc"), nlohmann::json({"z", "y", "x"}));
  EXPECT_EQ(run("x = {\"a\": 1, \"b\": 2}[tokens];", "x", "ab"), nlohmann::json({1, 2}));
  EXPECT_EQ(run("x = tokens in [\"a\"];", "x", "ab"), nlohmann::json({true, false}));
  EXPECT_EQ(run("x = tokens[0];", "x", "abc"), nlohmann::json({"a", "a", "a"}));
  EXPECT_EQ(run("x = tokens[-1];", "x", "abc"), nlohmann::json({"c", "c", "c"}));
}

// Several names take a list's items, a dict's keys or a string's characters, as Python zips.
TEST(StagingTest, UnpackingListsDictsAndStrings) {
  EXPECT_EQ(run("c, d = \"xy\";\nz = tokens + d + c;", "z", "a"), nlohmann::json({"ayx"}));
  EXPECT_EQ(run("k1, k2 = {\"p\": 1, \"q\": 2};\nz = tokens + k2;", "z", "a"), nlohmann::json({"aq"}));
  EXPECT_EQ(run("acc = \"\";\nfor a, b in [\"xy\", \"zw\"] { acc = acc + b + a; }\nz = tokens + acc;", "z", "a"),
            nlohmann::json({"ayxwz"}));
  EXPECT_EQ(run("o = [p for p, q in [\"()\", \"{}\"]];\nz = tokens in o;", "z", "({)"),
            nlohmann::json({true, true, false}));
}

// A string is a sequence of characters, not bytes: inputs and constants alike.
TEST(StagingTest, StringsAreCharactersNotBytes) {
  EXPECT_EQ(run("x = \"\u00e9\u20acx\"[indices];", "x", "abc"), nlohmann::json({"\u00e9", "\u20ac", "x"}));
  EXPECT_EQ(run("", "length", "\u00e9a\u00a7"), nlohmann::json({3, 3, 3}));
  EXPECT_EQ(run("", "tokens", "\u00e9a"), nlohmann::json({"\u00e9", "a"}));
  EXPECT_EQ(run("a, b = \"\u00e9\u20ac\";\nz = tokens + b;", "z", "x"), nlohmann::json({"x\u20ac"}));
}

// Loaded for sums (--aggregate sum), the library's mean-based names keep their meaning, at
// the same cost in heads.
TEST(StagingTest, LibraryNamesKeepTheirMeaningUnderSums) {
  LoadOptions sums;
  sums.sum_aggregation = true;
  auto run_sum = [&](const std::string& expr, const std::string& input) {
    auto module = load_source("", "t.rasp", sums);
    EXPECT_TRUE(module.has_value());
    auto root = evaluate_expression(*module, expr);
    EXPECT_TRUE(root.has_value()) << expr;
    interp::Options o;
    o.aggregation = interp::Aggregation::Sum;
    auto out = interp::evaluate(module->program, *root, *interp::parse_input(input), o);
    EXPECT_TRUE(out.has_value()) << expr;
    return out ? interp::output_to_json(*out) : nullptr;
  };
  EXPECT_EQ(run_sum("length", "abcd"), nlohmann::json({4, 4, 4, 4}));
  EXPECT_EQ(run_sum("count(tokens, \"a\")", "abca"), nlohmann::json({2, 2, 2, 2}));
  EXPECT_EQ(run_sum("average(indicator(tokens == \"a\"))", "abca"), nlohmann::json({0.5, 0.5, 0.5, 0.5}));
  EXPECT_EQ(run_sum("aggregate(select(indices, length - indices - 1, ==), tokens)", "abc"),
            nlohmann::json({"c", "b", "a"}));
}

TEST(StagingTest, LibraryNamesBehaveLikeTheReference) {
  EXPECT_EQ(run("", "length", "abcd"), nlohmann::json({4, 4, 4, 4}));
  EXPECT_EQ(run("", "sort(tokens, tokens)", "cab"), nlohmann::json({"a", "b", "c"}));
  EXPECT_EQ(run("", "count(tokens, \"a\")", "aba"), nlohmann::json({2, 2, 2}));
  EXPECT_EQ(run("", "shift(tokens, 1, \"_\")", "abc"), nlohmann::json({"_", "a", "b"}));
  EXPECT_EQ(run("", "mark_first_instance(tokens, \"a\")", "baa"), nlohmann::json({false, true, false}));
  EXPECT_EQ(run("", "max(indices, 1)", "abc"), nlohmann::json({1, 1, 2}));
}

TEST(StagingTest, IdenticalExpressionsShareNodesButSelectorsKeepTheirIdentity) {
  auto module = load_source(
      "a = aggregate(select(indices, indices, ==), tokens);\n"
      "b = aggregate(select(indices, indices, ==), tokens);\n",
      "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto a = *evaluate_expression(*module, "a");
  auto b = *evaluate_expression(*module, "b");
  EXPECT_NE(a, b) << "two selector objects are two heads in the reference";
  EXPECT_EQ(module->program.node(a).inputs, module->program.node(b).inputs) << "one shared select node";
}

// Python's unary +: a bool s-op becomes ints (so it can be averaged), numbers stay, and a
// string s-op is a fault at run time.
TEST(StagingTest, UnaryPlusOnAnSOpIsPythons) {
  EXPECT_EQ(run("x = +(tokens == \"a\");", "x", "aab"), nlohmann::json({1, 1, 0}));
  EXPECT_EQ(run("x = aggregate(select(indices, indices, <=), +(tokens == \"a\"));", "x", "ab"),
            nlohmann::json({1, 0.5}));
  EXPECT_EQ(run("x = +indices;", "x", "ab"), nlohmann::json({0, 1}));
  auto module = load_source("x = +tokens;", "t.rasp");
  ASSERT_TRUE(module.has_value());
  auto out = interp::evaluate(module->program, *evaluate_expression(*module, "x"), *interp::parse_input("ab"), {});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().front().code, std::string(code::kType));
}

// `out` is the value of the last expression a statement evaluated, per scope, as in the
// reference; it stays reserved.
TEST(StagingTest, OutIsTheLastExpressionsValue) {
  EXPECT_EQ(run("indices + 1;\ny = out * 2;", "y", "ab"), nlohmann::json({2, 4}));
  EXPECT_EQ(run("x = indices;\ny = out + 1;", "y", "ab"), nlohmann::json({1, 2}));
  EXPECT_EQ(run("def f(a) { b = a + 1; return out; }\nz = f(indices);", "z", "ab"), nlohmann::json({1, 2}));
  EXPECT_EQ(run("tokens == \"a\";", "out", "ab"), nlohmann::json({true, false}));
  EXPECT_FALSE(load_source("out = indices;", "t.rasp").has_value());
  EXPECT_FALSE(load_source("y = out;", "t.rasp").has_value());
}

// A bool is an int to Python: as an s-op's index, in range() and repeating a list.
TEST(StagingTest, BoolsServeAsIntsWhereAnIntIsExpected) {
  EXPECT_EQ(run("x = tokens[True];", "x", "abc"), nlohmann::json({"b", "b", "b"}));
  EXPECT_EQ(run("x = indices[1 == 2];", "x", "abc"), nlohmann::json({0, 0, 0}));
  EXPECT_EQ(run("x = indices + len(range(True)) + len([0] * True);", "x", "ab"), nlohmann::json({2, 3}));
}

TEST(StagingTest, TokensOptionChoosesTheConversion) {
  LoadOptions ints;
  ints.tokens = ir::TokenType::Int;
  EXPECT_EQ(run("x = tokens + 1;", "x", "[1, 2]", ints), nlohmann::json({2, 3}));
}

// As in the reference: a loaded file starts with `tokens` as every file does, not as the
// loading file made it, and a `tokens = ...` of its own is the loading file's afterwards,
// like its other names. Functions it defines read its `tokens`.
TEST(StagingTest, TokensAcrossLoadIsTheLoadedFilesOwn) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("raspkit_tokens_load_{}", ::getpid());
  fs::create_directories(dir);
  auto write = [&](const char* name, const char* text) { std::ofstream(dir / name) << text; };
  write("sets_int.rasp", "tokens = tokens_int;\n");
  write("reads.rasp", "z = tokens;\ndef g(a) { return tokens + a; }\n");
  write("a.rasp", "load \"sets_int\";\nx = tokens + 1;\n");
  write("b.rasp", "tokens = tokens_int;\nload \"reads\";\ny = z;\nw = tokens + 1;\nv = g(\"x\");\n");
  auto value = [&](const char* file, const char* expr) -> nlohmann::json {
    auto module = load_file((dir / file).string());
    EXPECT_TRUE(module.has_value()) << (module ? "" : render(module.error()));
    if (!module) return nullptr;
    auto root = evaluate_expression(*module, expr);
    EXPECT_TRUE(root.has_value());
    if (!root) return nullptr;
    auto out = interp::evaluate(module->program, *root, *interp::parse_input("[1, 2]"), {});
    EXPECT_TRUE(out.has_value()) << (out ? "" : render(out.error(), &*module));
    return out ? interp::output_to_json(*out) : nullptr;
  };
  EXPECT_EQ(value("a.rasp", "x"), nlohmann::json({2, 3}));
  EXPECT_EQ(value("b.rasp", "y"), nlohmann::json({"1", "2"}));
  EXPECT_EQ(value("b.rasp", "w"), nlohmann::json({2, 3}));
  EXPECT_EQ(value("b.rasp", "v"), nlohmann::json({"1x", "2x"}));
  fs::remove_all(dir);
}

// A byte-order mark first in a file (some Windows editors write one) is not a character of
// the program, in the main file or a loaded one.
TEST(StagingTest, AByteOrderMarkIsSkipped) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("raspkit_bom_{}", ::getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "lib.rasp") << "\xEF\xBB\xBFz = indices;\n";
  std::ofstream(dir / "main.rasp") << "\xEF\xBB\xBFload \"lib\";\ny = z + 1;\n";
  auto module = load_file((dir / "main.rasp").string());
  ASSERT_TRUE(module.has_value()) << render(module.error());
  auto out = interp::evaluate(module->program, *evaluate_expression(*module, "y"), *interp::parse_input("ab"), {});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(interp::output_to_json(*out), nlohmann::json({1, 2}));
  fs::remove_all(dir);
}

TEST(StagingTest, LoadReadsSiblingFilesAndKeepsPrivateNamesPrivate) {
  EXPECT_TRUE(load_file("corpus/misc/load_sibling.rasp").has_value());
}

}  // namespace
}  // namespace rasp::front

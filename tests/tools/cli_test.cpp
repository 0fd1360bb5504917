// tests/tools/cli_test.cpp - The CLI contract: flags, JSON documents and exit codes.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "lib/ir/text.h"
#include "tests/tools/cli_run.h"

namespace {

using namespace rasp::testing;

TEST(CliTest, RunPrintsTheOutputAndJson) {
  std::string prog = write_temp("rev.rasp", "rev = aggregate(select(indices, length - indices - 1, ==), tokens);\n");
  CliRun r = raspkit(fmt::format("run {} --input hello", prog));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[\"o\",\"l\",\"l\",\"e\",\"h\"]\n");
  CliRun j = raspkit(fmt::format("run {} --input '[\"a\",\"b\"]' --json", prog));
  EXPECT_EQ(j.status, 0);
  auto doc = nlohmann::json::parse(j.out);
  // The input is echoed as written: a list stays a list, text is a string.
  EXPECT_EQ(doc["input"], nlohmann::json({"a", "b"}));
  EXPECT_EQ(doc["output"], nlohmann::json({"b", "a"}));
  CliRun t = raspkit(fmt::format("run {} --input ab --json", prog));
  EXPECT_EQ(nlohmann::json::parse(t.out)["input"], "ab");
}

TEST(CliTest, RunEvaluatesExpressionsAndSelectors) {
  CliRun r = raspkit("run --expr 'select(indices, indices, <)' --input abc --json");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["output"]["selector"], nlohmann::json({{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}));
  CliRun t = raspkit("run --expr 'tokens + 1' --tokens int --input '[1,2]'");
  EXPECT_EQ(t.out, "[2,3]\n");
}

TEST(CliTest, BatchModeKeepsGoingAfterAFailingInput) {
  std::string inputs = write_temp("inputs.jsonl", "\"ab\"\n\"a\"\n[1, \"x\"]\n\n[1,\n");
  CliRun r = raspkit(fmt::format("run --expr 'aggregate(select(1,1,==), tokens)' --inputs {} --json", inputs));
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> docs;
  for (std::string line; std::getline(lines, line);) docs.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(docs.size(), 4u) << r.out << r.err;
  EXPECT_EQ(docs[0]["error"]["code"], "E0203");
  EXPECT_EQ(docs[1]["output"], nlohmann::json({"a"}));
  EXPECT_TRUE(docs[2].contains("error"));
  EXPECT_EQ(docs[3]["error"]["code"], "E0211");
  EXPECT_EQ(r.status, 2);
  // Each failure names the line of the inputs file it came from (blank lines count).
  EXPECT_NE(r.err.find(fmt::format("input on line 1 of {}", inputs)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fmt::format("input on line 5 of {}", inputs)), std::string::npos) << r.err;
  EXPECT_EQ(docs[3]["error"]["notes"], nlohmann::json({fmt::format("input on line 5 of {}", inputs)}));
}

// Text is split into characters, not bytes, and printed back as JSON (was an internal
// error on the first byte of "é").
TEST(CliTest, NonAsciiInputsAreCharacters) {
  CliRun r = raspkit("run --expr tokens --input '\xC3\xA9\xE2\x82\xAC' --json");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{\"input\":\"\xC3\xA9\xE2\x82\xAC\",\"output\":[\"\xC3\xA9\",\"\xE2\x82\xAC\"]}\n");
  CliRun bad = raspkit("run --expr tokens --input 'a\xE9'");
  EXPECT_EQ(bad.status, 2) << bad.err;
  EXPECT_NE(bad.err.find("not valid UTF-8"), std::string::npos) << bad.err;
}

// Two programs that fail alike are equivalent, and the verdict says how often that was.
TEST(CliTest, EquivSaysWhenBothProgramsFail) {
  std::string a = write_temp("fa.rasp", "x = 6 / (indices - 1);\n");
  std::string b = write_temp("fb.rasp", "x = 12 / (2 * indices - 2);\n");
  CliRun r = raspkit(fmt::format("equiv {} {} --vocab a,b --max-len 4 --json", a, b));
  EXPECT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["verdict"], "equivalent");
  EXPECT_EQ(doc["both_fail"]["count"], 28);  // every input with a position 1: 30 - 2
  EXPECT_EQ(doc["both_fail"]["tried"], 30);
  EXPECT_EQ(doc["both_fail"]["first"], "aa");
  EXPECT_NE(r.err.find("both failing counts as agreeing, whatever the two errors"), std::string::npos) << r.err;
  std::string c = write_temp("fc.rasp", "x = tokens + 1;\n");
  CliRun all = raspkit(fmt::format("equiv {} {} --vocab a,b --max-len 3", c, c));
  EXPECT_NE(all.err.find("every one"), std::string::npos) << all.err;
  CliRun none = raspkit(fmt::format("equiv {} {} --vocab a,b --max-len 3 --json", a, a));
  EXPECT_TRUE(nlohmann::json::parse(none.out).contains("both_fail"));
  std::string ok = write_temp("fok.rasp", "x = indices + 1;\n");
  CliRun clean = raspkit(fmt::format("equiv {} {} --vocab a,b --max-len 3 --json", ok, ok));
  EXPECT_FALSE(nlohmann::json::parse(clean.out).contains("both_fail")) << clean.out;
  // Failing only at a length past the 2000 shortest inputs (3^7 = 2187 at length 7) is
  // found by the inputs drawn at that length: every one of them fails in both.
  std::string d = write_temp("fd.rasp", "x = tokens if [0, 0, 0, 0, 0, 0, 0][length] == 0 else \"q\";\n");
  CliRun late = raspkit(fmt::format("equiv {} {} --vocab a,b,c --max-len 7 --json", d, d));
  EXPECT_EQ(late.status, 0) << late.err;
  auto late_doc = nlohmann::json::parse(late.out);
  EXPECT_EQ(late_doc["both_fail"]["count"], 100) << late.out;
  EXPECT_EQ(late_doc["both_fail"]["tried"], 1092 + 100) << late.out;  // 3 + 9 + ... + 729, then 100
}

// --vocab is one argument split at commas: `--vocab ,` does not take the next option as a
// symbol; an empty or repeated symbol, or one --tokens cannot read (every input would fail,
// nothing compared), is a usage error (exit 1), for equiv and prove alike.
TEST(CliTest, EquivAndProveRefuseAVocabularyTheyCannotUse) {
  std::string p = write_temp("voc.rasp", "x = tokens;\n");
  for (const char* vocab : {",", "a,", ",a", "a,,b", "a,b,a", "''"}) {
    CliRun r = raspkit(fmt::format("equiv {} {} --max-len 2 --vocab {} --expr-a tokens --expr-b 'tokens + \"x\"'",
                                   p, p, vocab));
    EXPECT_EQ(r.status, 1) << vocab << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("--vocab"), std::string::npos) << r.err;
    CliRun prove = raspkit(fmt::format("prove {} --max-len 2 --vocab {} --assert 'x == x'", p, vocab));
    EXPECT_EQ(prove.status, 1) << vocab << ": " << prove.out << prove.err;
  }
  CliRun unreadable = raspkit(fmt::format("equiv {} {} --max-len 2 --vocab a,b --tokens int", p, p));
  EXPECT_EQ(unreadable.status, 1) << unreadable.out << unreadable.err;
  EXPECT_NE(unreadable.err.find("--vocab: tokens of type int cannot read the vocabulary's symbol \"a\""), std::string::npos) << unreadable.err;
  CliRun numbers = raspkit(fmt::format("equiv {} {} --max-len 2 --vocab 1,2 --tokens int", p, p));
  EXPECT_EQ(numbers.status, 0) << numbers.out << numbers.err;
  // The vocab= of EQUIV and ASSERT directives is read the same way: such a vocabulary fails
  // the directive at its line.
  std::string directives = write_temp("vocdir.rasp",
                                      "x = tokens;\n"
                                      "# EQUIV: x vocab=a,,b max-len=2\n"
                                      "# ASSERT: x == x vocab=a,b,a max-len=2\n"
                                      "# EQUIV: x vocab=a,b max-len=2\n");
  CliRun checked = raspkit("check " + directives);
  EXPECT_EQ(checked.status, 10) << checked.err;
  EXPECT_NE(checked.err.find("vocdir.rasp:2: FAIL"), std::string::npos) << checked.err;
  EXPECT_NE(checked.err.find("empty symbol"), std::string::npos) << checked.err;
  EXPECT_NE(checked.err.find("vocdir.rasp:3: FAIL"), std::string::npos) << checked.err;
  EXPECT_EQ(checked.err.find("vocdir.rasp:4: FAIL"), std::string::npos) << checked.err;
}

// Spaces around a symbol are dropped ("a, b" is a and b); under --tokens int the symbols are
// numbers, so "1,01" names 1 twice and a counterexample prints as `run` reads it, [2].
TEST(CliTest, VocabularySymbolsAreTrimmedAndReadByTheTokenType) {
  std::string p = write_temp("voc_trim.rasp", "x = tokens;\n");
  CliRun spaced = raspkit(fmt::format("equiv {} {} --max-len 1 --vocab 'a, b' --expr-a x --expr-b 'x == \"b\"' --json", p, p));
  EXPECT_EQ(spaced.status, 10) << spaced.out << spaced.err;
  EXPECT_EQ(nlohmann::json::parse(spaced.out)["counterexample"]["input"], "a") << spaced.out;
  CliRun twice = raspkit(fmt::format("equiv {} {} --max-len 1 --vocab 1,01 --tokens int", p, p));
  EXPECT_EQ(twice.status, 1) << twice.out << twice.err;
  EXPECT_NE(twice.err.find("names 1 twice"), std::string::npos) << twice.err;
  CliRun ints = raspkit(fmt::format("equiv {} {} --max-len 1 --vocab 1,2 --tokens int --expr-a 'x > 1' --expr-b 'x > 2' --json",
                                    p, p));
  EXPECT_EQ(ints.status, 10) << ints.out << ints.err;
  EXPECT_EQ(nlohmann::json::parse(ints.out)["counterexample"]["input"], nlohmann::json::parse("[2]")) << ints.out;
  // Under --tokens bool, True and False are the booleans (Python's bool("False") is True,
  // which made them one symbol); other words are refused, for equiv and compile alike.
  CliRun bools = raspkit(fmt::format("equiv {} {} --max-len 1 --vocab True,False --tokens bool --expr-a x --expr-b 'not x' --json",
                                     p, p));
  EXPECT_EQ(bools.status, 10) << bools.out << bools.err;
  EXPECT_EQ(nlohmann::json::parse(bools.out)["counterexample"]["input"], nlohmann::json::parse("[true]")) << bools.out;
  CliRun words = raspkit(fmt::format("equiv {} {} --max-len 1 --vocab yes,no --tokens bool", p, p));
  EXPECT_EQ(words.status, 1) << words.out << words.err;
  CliRun compiled = raspkit(fmt::format("run {} --tokens bool --compiled --vocab True,False --max-len 2 -i '[false, true]'", p));
  EXPECT_EQ(compiled.status, 0) << compiled.err;
  EXPECT_EQ(compiled.out, "[false,true]\n");
  CliRun refused = raspkit(fmt::format("compile {} --tokens bool --vocab yes,no --max-len 2 --json", p));
  EXPECT_EQ(refused.status, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("tokens of type bool read True or False"), std::string::npos) << refused.err;
}

// A directory given as a program or as an --inputs file is refused as one (it read as an
// empty program, or as no inputs with exit 0).
TEST(CliTest, ADirectoryIsNotAProgramOrAnInputsFile) {
  std::string dir = std::filesystem::temp_directory_path().string();
  CliRun program = raspkit(fmt::format("run {} --input ab", dir));
  EXPECT_EQ(program.status, 2) << program.out << program.err;
  EXPECT_NE(program.err.find("it is a directory [E0105]"), std::string::npos) << program.err;
  std::string p = write_temp("dirin.rasp", "x = tokens;\n");
  CliRun inputs = raspkit(fmt::format("run {} --inputs {}", p, dir));
  EXPECT_EQ(inputs.status, 1) << inputs.out << inputs.err;
  EXPECT_NE(inputs.err.find("it is a directory"), std::string::npos) << inputs.err;
  // An --inputs file that never ends a line (/dev/zero) stops at the text-file limit.
  CliRun endless = raspkit(fmt::format("run {} --inputs /dev/zero", p));
  EXPECT_EQ(endless.status, 1) << endless.out << endless.err;
  EXPECT_NE(endless.err.find("the line holds more than 64 MiB"), std::string::npos) << endless.err;
}

// A file that assigns nothing (empty, or comments only) is named in the message.
TEST(CliTest, AFileThatAssignsNothingIsNamed) {
  std::string p = write_temp("nothing.rasp", "# only a comment\n");
  CliRun r = raspkit(fmt::format("run {} --input ab", p));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(p + ": no expression to use"), std::string::npos) << r.err;
}

TEST(CliTest, BadProgramsExitTwoWithALocatedDiagnostic) {
  std::string prog = write_temp("bad.rasp", "x = tokens;\ny = x +* 2;\n");
  CliRun r = raspkit(fmt::format("run {} --input ab", prog));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.rasp:2:8: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[E0001]"), std::string::npos);
  EXPECT_NE(r.err.find("^"), std::string::npos);
  EXPECT_TRUE(r.out.empty()) << "no partial result on stdout";
}

// bounds --json: a node of the library (the prelude's `length`) carries the library's line,
// marked `library: true` so it is not read as a line of the program; the program's are not.
TEST(CliTest, BoundsJsonMarksTheLibrarysLines) {
  std::string prog = write_temp("lib_lines.rasp",
                                "flip = select(indices, length - indices - 1, ==);\nrev = aggregate(flip, tokens);\n");
  CliRun r = raspkit("bounds " + prog + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  int library = 0, own = 0;
  for (const auto& e : doc["models"][0]["schedule"]) {
    if (e.value("library", false)) {
      ++library;
    } else if (e["name"] == "rev") {
      ++own;
      EXPECT_EQ(e["line"], 2);
    }
  }
  EXPECT_GT(library, 0) << r.out;
  EXPECT_EQ(own, 1) << r.out;
}

// Bytes that are not UTF-8 are refused as input or vocabulary, and a JSON document that
// shows them (the input echoed beside its error) replaces them with U+FFFD instead of
// failing as an internal error (exit 6).
TEST(CliTest, InvalidUtf8IsRefusedNotAnInternalError) {
  std::string p = write_temp("utf8.rasp", "x = tokens;\n");
  CliRun run = raspkit(fmt::format("run {} --json --input \"$(printf '\\377')\"", p));
  EXPECT_EQ(run.status, 2) << run.out << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["error"]["code"], "E0211") << run.out;
  CliRun vocab = raspkit(fmt::format("equiv {} {} --max-len 2 --vocab \"$(printf '\\377,a')\"", p, p));
  EXPECT_EQ(vocab.status, 1) << vocab.out << vocab.err;
  EXPECT_NE(vocab.err.find("not UTF-8"), std::string::npos) << vocab.err;
}

// prove reads --assert in the program's scope, which a JSON IR program does not have: said
// so (it said "the file assigns no s-op"); run and equiv take the same file.
TEST(CliTest, ProveSaysAJsonIrProgramHasNoScope) {
  std::string ir = write_temp(
      "prog_ir.json",
      R"({"schema":1,"nodes":[{"kind":"tokens","token_type":"int","name":"tokens","id":0},)"
      R"({"kind":"indices","name":"indices","id":1},{"kind":"select","inputs":[0,1],"expr":{"op":"binary","bop":"<=",)"
      R"("args":[{"op":"var","var":0},{"op":"var","var":1}]},"id":2},{"kind":"aggregate","inputs":[2,0],"instance":1,"id":3}],)"
      R"("outputs":{"agg":3}})");
  EXPECT_EQ(raspkit(fmt::format("run {} --tokens int --input '[1,2]'", ir)).status, 0);
  CliRun prove = raspkit(fmt::format("prove {} --assert 'out == out' --vocab 1,2 --max-len 2 --tokens int", ir));
  EXPECT_EQ(prove.status, 1) << prove.err;
  EXPECT_NE(prove.err.find("JSON IR program, which has no scope"), std::string::npos) << prove.err;
}

TEST(CliTest, UsageErrorsExitOne) {
  EXPECT_EQ(raspkit("run --input ab").status, 1);
  EXPECT_EQ(raspkit("frobnicate").status, 1);
  EXPECT_EQ(raspkit("run --expr tokens --input a --aggregate median").status, 1);
  // A NaN timeout is no number of seconds (it meant no limit at all).
  std::string p = write_temp("nan_timeout.rasp", "x = tokens;\n");
  EXPECT_EQ(raspkit(fmt::format("equiv {} {} --vocab a --max-len 2 --timeout nan", p, p)).status, 1);
  EXPECT_EQ(raspkit(fmt::format("compile {} --vocab a --max-len 2 --json --timeout nan", p)).status, 1);
  EXPECT_EQ(raspkit(fmt::format("check {} --timeout nan", p)).status, 1);
}

TEST(CliTest, CheckFailsAtTheWrongExpectation) {
  std::string prog = write_temp("expect.rasp",
                                "x = indices + 1;\n"
                                "# EXPR: x\n"
                                "# INPUT: \"abc\" -> [1, 2, 3]\n"
                                "# INPUT: \"ab\" -> [1, 3]\n");
  CliRun r = raspkit("check " + prog);
  EXPECT_EQ(r.status, 10);
  EXPECT_NE(r.err.find("expect.rasp:4: FAIL"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("expect.rasp:3: FAIL"), std::string::npos) << r.err;
  std::string good = write_temp("good.rasp", "x = indices + 1;\n# INPUT: \"ab\" -> [1, 2]\n");
  EXPECT_EQ(raspkit("check " + good).status, 0);
}

TEST(CliTest, CheckMatchesExpectedErrors) {
  std::string prog = write_temp("err.rasp", "a = tokens;\n# ERROR@+1: E0101\nb = a + c;\n");
  EXPECT_EQ(raspkit("check " + prog).status, 0);
  std::string wrong = write_temp("err_wrong.rasp", "a = tokens;\n# ERROR@+1: E0102\nb = a + c;\n");
  EXPECT_EQ(raspkit("check " + wrong).status, 10);
}

// Directives in a file with CRLF line endings are read (they were all dropped: 0 results,
// exit 0), and so is an --inputs file with CRLF lines.
TEST(CliTest, CheckReadsDirectivesOfACrlfFile) {
  std::string prog = write_temp("crlf.rasp",
                                "x = indices + 1;\r\n"
                                "# INPUT: \"ab\" -> [1, 2]\r\n"
                                "# INPUT: \"ab\" -> [1, 3]\r\n");
  CliRun r = raspkit("check " + prog);
  EXPECT_EQ(r.status, 10) << r.err;
  EXPECT_NE(r.err.find("crlf.rasp:3: FAIL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 passed, 1 failed"), std::string::npos) << r.err;
  std::string inputs = write_temp("crlf_inputs.txt", "ab\r\n\"cd\"\r\n");
  CliRun run = raspkit(fmt::format("run {} --expr tokens --inputs {}", prog, inputs));
  EXPECT_EQ(run.out, "[\"a\",\"b\"]\n[\"c\",\"d\"]\n") << run.err;
}

// A file whose failure to load an ERROR@ expects cannot run its other directives: each is a
// failure, not dropped from the totals (the file passed with a wrong INPUT). Where the
// failure is not expected, it fails the file (exit 2) and the others are skipped, counted.
TEST(CliTest, CheckCountsTheDirectivesOfAFileThatDoesNotLoad) {
  std::string expected = write_temp("drop.rasp",
                                    "good = tokens;\n"
                                    "# EXPR: good\n"
                                    "# INPUT: \"ab\" -> [\"WRONG\", \"WRONG\"]\n"
                                    "# ERROR@+1: E0101\n"
                                    "bad = nope;\n");
  CliRun r = raspkit("check " + expected);
  EXPECT_EQ(r.status, 10) << r.err;
  EXPECT_NE(r.err.find("drop.rasp:3: FAIL: INPUT good: not checked"), std::string::npos) << r.err;
  std::string broken = write_temp("broken.rasp", "x = tokens;\n# INPUT: \"ab\" -> [\"a\", \"b\"]\ny = x +;\n");
  CliRun b = raspkit("check " + broken);
  EXPECT_EQ(b.status, 2) << b.err;
  EXPECT_NE(b.err.find("1 skipped"), std::string::npos) << b.err;
}

// SARIF locations are URI references: a space, '#' or '%' in a file name is percent-encoded,
// an absolute path is a file: URI, a relative one is relative to %SRCROOT% (defined as the
// working directory), and a load failure carries its column.
TEST(CliTest, CheckSarifLocationsAreUris) {
  std::string prog = write_temp("odd name#1%.rasp", "x = tokens +;\n");
  std::string sarif = temp_path("odd.sarif");
  CliRun r = raspkit(fmt::format("check '{}' -q --sarif {}", prog, sarif));
  EXPECT_EQ(r.status, 2) << r.err;
  auto doc = nlohmann::json::parse(slurp(sarif));
  const auto& run = doc["runs"][0];
  EXPECT_TRUE(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].get<std::string>().starts_with("file:///"));
  const auto& where = run["results"][0]["locations"][0]["physicalLocation"];
  std::string uri = where["artifactLocation"]["uri"];
  EXPECT_TRUE(uri.starts_with("file:///")) << uri;  // temp paths are absolute
  EXPECT_NE(uri.find("odd%20name%231%25.rasp"), std::string::npos) << uri;
  EXPECT_EQ(uri.find(' '), std::string::npos) << uri;
  EXPECT_EQ(where["region"]["startLine"], 1);
  EXPECT_EQ(where["region"]["startColumn"], 13);
}

// JUnit: a failed directive is a failure, an inconclusive one (a timeout) an error of type
// inconclusive (it was counted as a failure), a passing one neither; totals add up.
TEST(CliTest, CheckJunitCountsInconclusiveAsErrors) {
  std::string prog = write_temp("junit_kinds.rasp",
                                "x = tokens;\n# EXPR: x\n# INPUT: \"ab\" -> [\"a\",\"b\"]\n"
                                "# INPUT: \"ab\" -> [\"a\",\"c\"]\n"
                                "# EQUIV: aggregate(select(indices, indices, ==), tokens) vocab=a,b,c,d,e max-len=12 "
                                "timeout=0.000001\n");
  std::string xml = temp_path("junit_kinds.xml");
  CliRun r = raspkit(fmt::format("check {} -q --junit {}", prog, xml));
  EXPECT_EQ(r.status, 10) << r.err;
  std::string text = slurp(xml);
  EXPECT_NE(text.find("<testsuites name=\"raspkit check\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\">"),
            std::string::npos) << text;
  EXPECT_NE(text.find("type=\"inconclusive\""), std::string::npos) << text;
}

// On a terminal (script(1) gives one) check's progress line names the file, the directive
// and the length being proven, and equiv's the length; nothing of it when stderr is a file.
TEST(CliTest, ProgressOnATerminalNamesFileDirectiveAndLength) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1)";
  std::string prog = write_temp("progress.rasp",
                                "x = tokens;\n# EXPR: x\n"
                                "# EQUIV: aggregate(select(indices, indices, ==), tokens) vocab=a,b max-len=3\n");
  std::string out = temp_path("progress.txt");
  int raw = std::system(fmt::format("script -qec '{} check {}' /dev/null > {} 2>&1", RASPKIT_BIN, prog, out).c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 0);
  std::string shown = slurp(out);
  EXPECT_NE(shown.find("progress.rasp:3 EQUIV, length 3"), std::string::npos) << shown;
  raw = std::system(fmt::format("script -qec '{} equiv {} {} --expr-b tokens --vocab a,b --max-len 3' /dev/null > {} 2>&1",
                                RASPKIT_BIN, prog, prog, out).c_str());
  EXPECT_NE(slurp(out).find("raspkit equiv: length 3 of 3"), std::string::npos) << slurp(out);
  CliRun plain = raspkit("check " + prog);
  EXPECT_EQ(plain.err.find("length"), std::string::npos) << plain.err;
}

// Directive numbers past what they can mean fail at their line instead of aborting check
// (an ERROR@ offset of 2^31 overflowed; std::terminate) or filling memory (max-len 10^8).
TEST(CliTest, CheckRefusesDirectiveNumbersOutOfRange) {
  std::string prog = write_temp("ranges.rasp",
                                "x = tokens;\n# ERROR@+2147483648: E0101\n# EQUIV: x vocab=a max-len=99999999\n"
                                "# COMPILES: vocab=a max-len=99999999\n# EQUIV: x vocab=a max-len=2 timeout=nan\n");
  CliRun r = raspkit(fmt::format("check {} -j 100000", prog));
  EXPECT_EQ(r.status, 10) << r.err;
  for (const char* line : {"ranges.rasp:2: FAIL", "ranges.rasp:3: FAIL", "ranges.rasp:4: FAIL", "ranges.rasp:5: FAIL"}) {
    EXPECT_NE(r.err.find(line), std::string::npos) << line << "\n" << r.err;
  }
}

// An output path that names an input is refused before anything is written (compile's
// config beside `-o prog.safetensors` was prog.json, a JSON IR program, overwritten), and
// an output that cannot be written is an error, not exit 0.
TEST(CliTest, OutputsNeverOverwriteInputsAndMustBeWritten) {
  std::string prog = write_temp("keep_me.rasp", "x = tokens;\n# EXPR: x\n# INPUT: \"a\" -> [\"a\"]\n");
  std::string before = slurp(prog);
  CliRun compile = raspkit(fmt::format("compile {} --vocab a --max-len 2 -o {} --config {}", prog,
                                       temp_path("keep.safetensors"), prog));
  EXPECT_EQ(compile.status, 1) << compile.err;
  CliRun sarif = raspkit(fmt::format("check {} --sarif {}", prog, prog));
  EXPECT_EQ(sarif.status, 1) << sarif.err;
  CliRun graph = raspkit(fmt::format("graph {} -o {}", prog, prog));
  EXPECT_EQ(graph.status, 1) << graph.err;
  EXPECT_EQ(slurp(prog), before);
  CliRun nowhere = raspkit(fmt::format("graph {} -o /nonexistent/raspkit/g.dot", prog));
  EXPECT_EQ(nowhere.status, 1) << nowhere.err;
  EXPECT_NE(nowhere.err.find("cannot write"), std::string::npos) << nowhere.err;
}

// A directive line of 40,000 characters (an expected output nested 20,000 deep) fails at its
// line: reading it with std::regex, which recurses per character, overflowed the stack, and
// so did parsing JSON nested that deep.
TEST(CliTest, CheckSurvivesHugeDirectiveLines) {
  std::string deep = std::string(20000, '[') + std::string(20000, ']');
  std::string prog = write_temp("huge_line.rasp", "x = tokens;\n# EXPR: x\n# INPUT: \"ab\" -> " + deep + "\n");
  CliRun r = raspkit("check " + prog);
  EXPECT_EQ(r.status, 10) << r.err.substr(0, 300);
  EXPECT_NE(r.err.find("huge_line.rasp:3: FAIL"), std::string::npos) << r.err.substr(0, 300);
  std::string inputs = write_temp("deep.jsonl", std::string(70000, '[') + "\n\"ab\"\n");
  CliRun batch = raspkit(fmt::format("run {} --inputs {} --json", prog, inputs));
  EXPECT_EQ(batch.status, 2) << batch.err.substr(0, 300);
  EXPECT_NE(batch.out.find("{\"input\":\"ab\",\"output\":[\"a\",\"b\"]}"), std::string::npos) << batch.out.substr(0, 300);
}

// run --compiled prints the interpreter's JSON where the values are equal (issue 4): a mean
// of 0 printed 0 from the weights and 0.0 from the interpreter.
TEST(CliTest, RunCompiledPrintsNumbersAsTheInterpreterDoes) {
  std::string prog = write_temp("fracs.rasp", "f = aggregate(select(indices, indices, <=), indicator(tokens == \"a\"));\n");
  CliRun interp = raspkit(fmt::format("run {} --input bbab --json", prog));
  CliRun compiled = raspkit(fmt::format("run {} --input bbab --json --compiled --vocab a,b --max-len 5", prog));
  ASSERT_EQ(interp.status, 0) << interp.err;
  ASSERT_EQ(compiled.status, 0) << compiled.err;
  EXPECT_EQ(compiled.out, interp.out);
  EXPECT_NE(interp.out.find("0.0"), std::string::npos) << interp.out;  // the case in point
}

// JUnit XML stays well-formed for a file name that is not UTF-8 (its byte as U+FFFD).
TEST(CliTest, CheckJunitIsUtf8WhateverTheFileName) {
  auto dir = std::filesystem::temp_directory_path() / "raspkit_junit_names";
  std::filesystem::create_directories(dir);
  std::string prog = (dir / "f\xff.rasp").string();
  std::ofstream(prog) << "x = tokens;\n# EXPR: x\n# INPUT: \"a\" -> [\"b\"]\n";
  std::string xml = temp_path("names.xml");
  CliRun r = raspkit(fmt::format("check '{}' -q --junit {}", dir.string(), xml));
  EXPECT_EQ(r.status, 10) << r.err;
  std::string text = slurp(xml);
  EXPECT_TRUE(rasp::ir::valid_utf8(text)) << text;
  EXPECT_NE(text.find("f\xEF\xBF\xBD.rasp"), std::string::npos) << text;
  std::filesystem::remove_all(dir);
}

// Run from the root directory, %SRCROOT% is "file:///", not "file:////".
TEST(CliTest, CheckSarifBaseAtTheRootEndsInOneSlash) {
  std::string prog = write_temp("root_base.rasp", "x = tokens;\n# INPUT: \"a\" -> [\"a\"]\n");
  std::string sarif = temp_path("root_base.sarif");
  int raw = std::system(fmt::format("cd / && {} check {} -q --sarif {} >/dev/null 2>&1", RASPKIT_BIN, prog, sarif).c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 0);
  auto doc = nlohmann::json::parse(slurp(sarif));
  EXPECT_EQ(doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///");
}

// A directive that is not in its form, or says less than it must, is an error at its own
// line, never skipped (an expected error never checked) nor passed.
TEST(CliTest, CheckReportsMalformedDirectivesAtTheirLines) {
  std::string prog = write_temp("malformed.rasp",
                                "x = tokens;\n"
                                "# ERROR@+1 E0101\n"
                                "# INPUT \"ab\" -> [\"a\", \"b\"]\n"
                                "# INPUT(x): \"ab\" -> [\"a\", \"b\"]\n"
                                "# ERROR(3): E0101\n"
                                "# EQUIV: x vocab=a,b max-len=2 -> counterexample\n"
                                "# INPUT: \"ab\" -> [\"a\", \"b\"]\n"
                                "# input: prose, not a directive\n");
  CliRun r = raspkit("check " + prog);
  EXPECT_NE(r.status, 0) << r.err;
  for (int line : {2, 3, 4, 5, 6}) {
    EXPECT_NE(r.err.find(fmt::format("malformed.rasp:{}: FAIL", line)), std::string::npos) << line << "\n" << r.err;
  }
  EXPECT_EQ(r.err.find("malformed.rasp:7: FAIL"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("malformed.rasp:8:"), std::string::npos) << r.err;
  // Unknown, repeated or out-of-range keys are errors too, not ignored.
  std::string keys = write_temp("keys.rasp",
                                "x = tokens;\n"
                                "# EQUIV: x vocab=a,b max-len=2 bogus=1\n"
                                "# EQUIV: x vocab=a,b max-len=2 max-len=3\n"
                                "# EQUIV: x vocab=a,b max-len=2 timeout=-1\n"
                                "# BOUNDS(rasp): layers=0 heads=0 extra=3\n"
                                "# EQUIV: x vocab=a,b max-len=2 timeout=5\n");
  CliRun k = raspkit("check " + keys);
  EXPECT_NE(k.status, 0);
  EXPECT_NE(k.err.find("keys.rasp:2: FAIL: EQUIV x: unknown key bogus="), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("keys.rasp:3: FAIL: EQUIV x: max-len= given more than once"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("keys.rasp:4: FAIL"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("keys.rasp:5: FAIL: BOUNDS x: unknown key extra="), std::string::npos) << k.err;
  EXPECT_EQ(k.err.find("keys.rasp:6: FAIL"), std::string::npos) << k.err;
  // Every bad FLAGS line at its own line.
  std::string flags = write_temp("flags.rasp", "x = tokens;\n\n\n# FLAGS: --bos --frobnicate\n# FLAGS: --tokens banana\n");
  CliRun f = raspkit("check " + flags);
  EXPECT_NE(f.status, 0);
  EXPECT_NE(f.err.find("flags.rasp:4: FAIL"), std::string::npos) << f.err;
  EXPECT_NE(f.err.find("--frobnicate"), std::string::npos) << f.err;
  EXPECT_NE(f.err.find("flags.rasp:5: FAIL"), std::string::npos) << f.err;
  // An ERROR code that no diagnostic has (a typo) could never be seen: an error at its line,
  // while the real code beside it still passes.
  std::string codes = write_temp("codes.rasp", "# ERROR@+1: E0101\nx = y;\n# ERROR@-2: E0110\n");
  CliRun c = raspkit("check " + codes);
  EXPECT_EQ(c.status, 10) << c.err;
  EXPECT_NE(c.err.find("codes.rasp:3: FAIL: ERROR directive: 'E0110' is not a diagnostic code"), std::string::npos)
      << c.err;
  EXPECT_EQ(c.err.find("codes.rasp:1: FAIL"), std::string::npos) << c.err;
}

// `check --timeout S` bounds the whole run (issue 7): the solver directive gets only the time
// left and ends inconclusive, the directives after it are not run and say so, an expected
// run-time error that no INPUT got to produce is inconclusive rather than failed, and the
// verdict is inconclusive (exit 5) because nothing failed.
TEST(CliTest, CheckGlobalTimeoutLeavesTheRestInconclusive) {
  std::string prog = write_temp("slow.rasp",
                                "# EXPR: hist\n"
                                "hist = selector_width(select(tokens, tokens, ==));\n"
                                "# EQUIV: hist2 vocab=a,b,c,d,e max-len=60 timeout=600\n"
                                "hist2 = aggregate(select(indices, indices, ==), hist);\n"
                                "# INPUT: \"aab\" -> [2, 2, 1]\n"
                                "# ERROR@+1: E0205\n"
                                "bad = 1 / (indices - 1);\n"
                                "# EXPR: bad\n"
                                "# INPUT: \"ab\" -> error E0205\n");
  CliRun r = raspkit("check --json --timeout 1 " + prog);
  EXPECT_EQ(r.status, 5) << r.err;
  EXPECT_EQ(r.err.find("FAIL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("slow.rasp:3: INCONCLUSIVE: EQUIV"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("slow.rasp:5: INCONCLUSIVE: INPUT hist: not run: the global --timeout"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("slow.rasp:6: INCONCLUSIVE: ERROR E0205"), std::string::npos) << r.err;
  // Without the global limit the same directives run (the EQUIV given less to do).
  std::string unlimited = slurp(prog);
  unlimited.replace(unlimited.find("max-len=60"), 10, "max-len=4");
  std::string quick_prog = write_temp("slow_quick.rasp", unlimited);
  CliRun all = raspkit("check " + quick_prog);
  EXPECT_EQ(all.status, 0) << all.err;
  // Without the global limit the same file passes.
  std::string quick = write_temp("quick.rasp",
                                 "hist = selector_width(select(tokens, tokens, ==));\n"
                                 "# EXPR: hist\n"
                                 "# INPUT: \"aab\" -> [2, 2, 1]\n");
  EXPECT_EQ(raspkit("check --timeout 600 " + quick).status, 0);
  EXPECT_EQ(raspkit("check --timeout -1 " + quick).status, 1) << "a negative timeout is a usage error";
  // A COMPILES directive in progress stops comparing inputs when the time runs out (1000
  // random inputs of 48 tokens through reverse's weights take several seconds).
  std::string compiles = write_temp("slow_compiles.rasp",
                                    "rev = aggregate(select(indices, length - indices - 1, ==), tokens);\n"
                                    "# COMPILES: vocab=a,b,c max-len=48\n");
  CliRun c = raspkit("check --timeout 0.5 " + compiles);
  EXPECT_EQ(c.status, 5) << c.err;
  EXPECT_NE(c.err.find("INCONCLUSIVE: COMPILES"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("then the global --timeout ran out"), std::string::npos) << c.err;
}

// `check --only KINDS` runs those directive kinds and reports the others as skipped; an
// ERROR@ that only an unselected INPUT could produce is skipped, not failed.
TEST(CliTest, CheckOnlyRunsTheSelectedKinds) {
  std::string prog = write_temp("only.rasp",
                                "x = indices + 1;\n"
                                "# INPUT: \"ab\" -> [1, 3]\n"
                                "# COMPILES: vocab=a,b max-len=4\n"
                                "# ERROR@+1: E0205\n"
                                "bad = 1 / (indices - 1);\n"
                                "# EXPR: bad\n"
                                "# INPUT: \"ab\" -> error E0205\n");
  CliRun all = raspkit("check " + prog);
  EXPECT_EQ(all.status, 10) << all.err;  // the first INPUT is wrong on purpose
  CliRun compiles = raspkit("check --json --only COMPILES " + prog);
  EXPECT_EQ(compiles.status, 0) << compiles.err;
  auto doc = nlohmann::json::parse(compiles.out);
  EXPECT_EQ(doc["passed"], 1);
  EXPECT_EQ(doc["skipped"], 3);
  CliRun inputs = raspkit("check --only INPUT,ERROR " + prog);
  EXPECT_EQ(inputs.status, 10) << inputs.err;
  EXPECT_NE(inputs.err.find("only.rasp:2: FAIL: INPUT"), std::string::npos) << inputs.err;
  EXPECT_EQ(raspkit("check --only LINT " + prog).status, 1) << "an unknown kind is a usage error";
}

// equiv --json keeps "seconds" (issue 5); --deterministic prints it as 0 so that two runs
// print the same bytes (issue 7; RASPKIT_DETERMINISTIC=1 is tested in determinism/).
TEST(CliTest, VerdictJsonHasSecondsThatDeterministicZeroes) {
  std::string a = write_temp("rev_a.rasp", "rev = aggregate(select(indices, length - indices - 1, ==), tokens);\n");
  std::string b = write_temp("rev_b.rasp",
                             "after = selector_width(select(indices, indices, >));\n"
                             "rev = aggregate(select(indices, after, ==), tokens);\n");
  std::string args = fmt::format("equiv {} {} --vocab a,b --max-len 3 --json", a, b);
  CliRun timed = raspkit(args);
  ASSERT_EQ(timed.status, 0) << timed.err;
  auto doc = nlohmann::json::parse(timed.out);
  ASSERT_TRUE(doc.contains("seconds"));
  EXPECT_TRUE(doc["seconds"].is_number());
  CliRun flag = raspkit(args + " --deterministic");
  ASSERT_EQ(flag.status, 0) << flag.err;
  EXPECT_EQ(nlohmann::json::parse(flag.out)["seconds"], 0);
  CliRun prove = raspkit(fmt::format("prove {} --assert 'out == tokens' --vocab a,b --max-len 3 --json --deterministic", a));
  EXPECT_EQ(prove.status, 10) << prove.err;
  auto p = nlohmann::json::parse(prove.out);
  EXPECT_EQ(p["seconds"], 0);
  EXPECT_EQ(p["verdict"], "counterexample");
  // A true assertion has equiv's verdict, as issue 5 asks ("same verdicts and output").
  CliRun holds = raspkit(fmt::format("prove {} --assert 'out == out' --vocab a,b --max-len 3 --json", a));
  EXPECT_EQ(holds.status, 0) << holds.err;
  EXPECT_EQ(nlohmann::json::parse(holds.out)["verdict"], "equivalent") << holds.out;
}

// `check` draws the random inputs of # COMPILES from a seed it prints; --seed changes it.
TEST(CliTest, CheckPrintsTheSeedOfItsRandomInputs) {
  std::string prog = write_temp("seeded.rasp",
                                "x = aggregate(select(tokens, tokens, ==), indices);\n"
                                "# COMPILES: vocab=a,b max-len=6\n");
  CliRun plain = raspkit("check -v " + prog);
  EXPECT_EQ(plain.status, 0) << plain.err;
  EXPECT_NE(plain.err.find("seed 20261122"), std::string::npos) << plain.err;
  CliRun seeded = raspkit("check -v --seed 7 " + prog);
  EXPECT_EQ(seeded.status, 0) << seeded.err;
  EXPECT_NE(seeded.err.find("seed 7)"), std::string::npos) << seeded.err;
}

}  // namespace

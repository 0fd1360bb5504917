// tests/tools/report/report_test.cpp - `raspkit report`: content, escaping, exit codes, rendering.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kSort = std::string(RASPKIT_SOURCE_DIR) + "/corpus/paper/sort.rasp";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

struct CommandRun {
  int status = -1;
  std::string err;
};

/// Runs a shell command, stderr captured; the exit status as the shell reports it.
CommandRun shell(const std::string& command) {
  static int counter = 0;
  fs::path err = fs::path(::testing::TempDir()) / fmt::format("report_err_{}_{}", ::getpid(), counter++);
  int raw = std::system(fmt::format("{} 2>{}", command, err.string()).c_str());
  return CommandRun{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(err)};
}

CommandRun raspkit(const std::string& args) { return shell(fmt::format("{} {}", RASPKIT_BIN, args)); }

/// Writes the report of `sorted_tokens` on `input` (a shell-quoted argument) to `name`.
fs::path sort_report(const std::string& name, const std::string& input) {
  fs::path out = fs::path(REPORT_ARTIFACT_DIR) / name;
  fs::remove(out);
  CommandRun r = raspkit(fmt::format("report {} --expr sorted_tokens --input {} -o {}", kSort, input,
                              out.string()));
  EXPECT_EQ(r.status, 0) << r.err;
  return out;
}

/// The text from `marker` to the end of the table it is in.
std::string table_from(const std::string& html, const std::string& marker) {
  std::size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  std::size_t end = html.find("</table>", at);
  return html.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

/// The heatmap of the selector named `name`: one string of 0/1 per query row.
std::vector<std::string> heatmap(const std::string& html, const std::string& name) {
  std::string table = table_from(html, fmt::format("data-selector=\"{}\"", name));
  std::vector<std::string> rows;
  std::regex row_re("<tr class=\"row\">(.*?)</tr>");
  std::regex cell_re("<td class=\"(on|off)\"");
  for (std::sregex_iterator r(table.begin(), table.end(), row_re), e; r != e; ++r) {
    std::string cells = (*r)[1];
    std::string bits;
    for (std::sregex_iterator c(cells.begin(), cells.end(), cell_re); c != e; ++c) {
      bits += (*c)[1] == "on" ? '1' : '0';
    }
    rows.push_back(bits);
  }
  return rows;
}

/// The texts of the `class="<cls>"` cells in the first table row after `marker`.
std::vector<std::string> cells(const std::string& html, const std::string& marker,
                               const std::string& cls) {
  std::size_t at = html.find(marker);
  if (at == std::string::npos) return {};
  std::string row = html.substr(at, html.find("</tr>", at) - at);
  std::regex cell_re(fmt::format("<td class=\"{}[^\"]*\"[^>]*>([^<]*)</td>", cls));
  std::vector<std::string> out;
  for (std::sregex_iterator c(row.begin(), row.end(), cell_re), e; c != e; ++c) out.push_back((*c)[1]);
  return out;
}

using Strings = std::vector<std::string>;

TEST(ReportTest, SortReportShowsTheGraphTheHeatmapsAndEveryValue) {
  std::string html = slurp(sort_report("sort_report.html", "hello"));
  ASSERT_FALSE(html.empty());
  for (const char* name : {"smaller_key", "tied_earlier", "target_pos", "sorted_tokens"}) {
    EXPECT_NE(html.find(fmt::format("data-node=\"{}\"", name)), std::string::npos) << name;
  }
  EXPECT_NE(html.find("<svg class=\"graph\""), std::string::npos);
  EXPECT_NE(html.find(">layer 1"), std::string::npos);
  EXPECT_NE(html.find(">layer 2"), std::string::npos);

  // select(tokens, tokens, <) on "hello": a query selects every strictly smaller key.
  EXPECT_EQ(heatmap(html, "smaller_key"), (Strings{"01000", "00000", "11000", "11000", "11110"}));
  // Equal tokens at an earlier index: only the second l sees the first.
  EXPECT_EQ(heatmap(html, "tied_earlier"), (Strings{"00000", "00000", "00000", "00100", "00000"}));

  // The last head: target_pos == indices, the tokens below the keys, the sorted output right.
  std::string last = html.substr(html.rfind("<table class=\"attn"));
  EXPECT_EQ(cells(last, "<tr class=\"values\">", "val"), (Strings{"h", "e", "l", "l", "o"}));
  std::vector<std::string> outputs;
  for (std::size_t at = last.find("<tr class=\"row\">"); at != std::string::npos;
       at = last.find("<tr class=\"row\">", at + 1)) {
    Strings out = cells(last.substr(at), "<tr class=\"row\">", "out");
    ASSERT_EQ(out.size(), 1u);
    outputs.push_back(out[0]);
  }
  EXPECT_EQ(outputs, (Strings{"e", "h", "l", "l", "o"}));

  EXPECT_EQ(cells(html, "data-sop=\"target_pos\"", "v"), (Strings{"1", "0", "2", "3", "4"}));
  EXPECT_EQ(cells(html, "data-sop=\"sorted_tokens\"", "v"), (Strings{"e", "h", "l", "l", "o"}));
  EXPECT_EQ(cells(html, "data-sop=\"tokens_str\"", "v"), (Strings{"h", "e", "l", "l", "o"}));

  // Self-contained: nothing to fetch, nothing to run.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  for (std::size_t at = html.find("url("); at != std::string::npos; at = html.find("url(", at + 1)) {
    EXPECT_EQ(html.substr(at, 5), "url(#") << "a url() that is not a fragment";
  }
}

TEST(ReportTest, BosAddsAMarkedColumnAndCausalMasksLaterKeys) {
  fs::path out = fs::path(REPORT_ARTIFACT_DIR) / "sort_report_bos.html";
  CommandRun r = raspkit(fmt::format(
      "report {} --expr 'selector_width(smaller_key)' --input cba --bos --causal -o {}", kSort,
      out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  std::string html = slurp(out);
  EXPECT_NE(html.find("<th class=\"bos\">BOS</th>"), std::string::npos);
  // Causal: no query selects a key after itself; the BOS row and column are shown.
  std::vector<std::string> rows = heatmap(html, "smaller_key");
  ASSERT_EQ(rows.size(), 4u);
  for (std::size_t q = 0; q < rows.size(); ++q) {
    EXPECT_EQ(rows[q].size(), 4u);
    EXPECT_EQ(rows[q].find('1', q + 1), std::string::npos) << "query " << q << ": " << rows[q];
  }
  // "BOS" sorts before lower-case letters, so every real query selects it.
  EXPECT_EQ(rows[1][0], '1');
}

TEST(ReportTest, EscapesTokensAndValues) {
  std::string html = slurp(sort_report("sort_report_escape.html", "'[\"<i>\", \"a&b\", \"\\\"q\"]'"));
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("a&b"), std::string::npos);
  EXPECT_NE(html.find("&lt;i&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b"), std::string::npos);
  EXPECT_NE(html.find("&quot;q"), std::string::npos);
}

TEST(ReportTest, ExitCodes) {
  fs::path out = fs::path(::testing::TempDir()) / "report_exit.html";
  fs::path bad = fs::path(::testing::TempDir()) / "report_bad.rasp";
  std::ofstream(bad) << "x = tokens;\ny = x +* 2;\n";
  EXPECT_EQ(raspkit(fmt::format("report {} --input ab -o {}", bad.string(), out.string())).status, 2);
  EXPECT_EQ(raspkit(fmt::format("report {} --expr nope --input ab -o {}", kSort, out.string())).status,
            2);
  EXPECT_EQ(raspkit(fmt::format("report {} --expr sorted_tokens -o {}", kSort, out.string())).status,
            1);
  EXPECT_EQ(raspkit(fmt::format("report {} --expr sorted_tokens --input ab", kSort)).status, 1);
  EXPECT_EQ(raspkit(fmt::format("report {} --input ab --aggregate median -o {}", kSort,
                                out.string()))
                .status,
            1);
  EXPECT_FALSE(fs::exists(out));
  // An input too long to picture (every selector an n x n heatmap) is refused, not drawn.
  CommandRun long_input = raspkit(fmt::format("report {} --expr sorted_tokens --input {} -o {}", kSort,
                                          std::string(257, 'a'), out.string()));
  EXPECT_EQ(long_input.status, 2);
  EXPECT_NE(long_input.err.find("[E0212]"), std::string::npos) << long_input.err;
  EXPECT_FALSE(fs::exists(out));
}

/// Chromium on PATH, as Debian names it.
std::optional<std::string> find_chromium() {
  std::stringstream dirs(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      fs::path candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return std::nullopt;
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

TEST(ReportTest, RendersInHeadlessChromium) {
  std::optional<std::string> chromium = find_chromium();
  ASSERT_TRUE(chromium.has_value())
      << "chromium is not on PATH: this test opens the report in headless Chromium; install "
         "Debian's chromium package (scripts/setup does)";
  fs::path html = fs::absolute(sort_report("sort_report_render.html", "hello"));
  fs::path png = fs::path(REPORT_ARTIFACT_DIR) / "sort_report.png";
  fs::remove(png);
  fs::path profile = fs::path(::testing::TempDir()) / fmt::format("report_chromium_{}", ::getpid());
  fs::create_directories(profile);
  CommandRun r = shell(fmt::format(
      "timeout 180 {} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir={} --screenshot={} --window-size=1400,1000 file://{} >/dev/null",
      *chromium, profile.string(), png.string(), html.string()));
  fs::remove_all(profile);
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(fs::exists(png)) << "chromium wrote no screenshot\n" << r.err;
  std::string bytes = slurp(png);
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(big_endian(bytes, 16), 1400u);  // IHDR width
  EXPECT_EQ(big_endian(bytes, 20), 1000u);  // IHDR height
  // A blank or unstyled page compresses to a few kilobytes.
  EXPECT_GT(bytes.size(), 10u * 1024) << png;
  std::cout << "report screenshot: " << png.string() << "\n";
  RecordProperty("screenshot", png.string());
}

}  // namespace

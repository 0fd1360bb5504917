// tests/analyzers/corpus_bounds_test.cpp - The corpus's `# BOUNDS(model)` lines, and optimal
// tight on every corpus program.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "analyzers/cost_model_optimal.h"
#include "analyzers/cost_model_rasp.h"
#include "analyzers/cost_model_tracr.h"
#include "lib/front/front.h"

namespace rasp::analyze {
namespace {

struct Expectation {
  std::string expr;
  std::string model;
  int layers = 0;
  int heads = 0;
  int line = 0;
};

struct CorpusFile {
  std::string path;
  std::vector<std::string> exprs;
  std::vector<Expectation> bounds;
  bool bos = false;  ///< `# FLAGS: --bos`
};

std::vector<CorpusFile> corpus_files() {
  std::vector<CorpusFile> out;
  const std::regex expr_re(R"(^\s*#\s*EXPR\s*:\s*(.*?)\s*$)");
  const std::regex bounds_re(
      R"(^\s*#\s*BOUNDS(\((\w+)\))?\s*:\s*layers=(\d+)\s+heads=(\d+)\s*$)");
  for (const auto& dir :
       {"corpus/paper", "corpus/tracr", "corpus/blog", "corpus/misc", "corpus/equiv"}) {
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::string path = entry.path().string();
      if (entry.path().extension() != ".rasp" || entry.path().filename().string()[0] == '_') {
        continue;
      }
      CorpusFile f{path, {}, {}};
      std::ifstream in(path);
      std::string line, expr;
      std::smatch m;
      for (int n = 1; std::getline(in, line); ++n) {
        if (line.find("FLAGS:") != std::string::npos && line.find("--bos") != std::string::npos) {
          f.bos = true;
        }
        if (std::regex_match(line, m, expr_re)) {
          expr = m[1];
          f.exprs.push_back(expr);
        } else if (std::regex_match(line, m, bounds_re)) {
          f.bounds.push_back({expr, m[2].matched ? std::string(m[2]) : "rasp", std::stoi(m[3]),
                              std::stoi(m[4]), n});
        }
      }
      out.push_back(std::move(f));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const CorpusFile& a, const CorpusFile& b) { return a.path < b.path; });
  return out;
}

TEST(CorpusBoundsTest, FilesExpectationsHoldAndOptimalIsTight) {
  std::vector<CorpusFile> files = corpus_files();
  if (files.empty()) GTEST_SKIP() << "no corpus (run from the source root)";
  int checked = 0, programs = 0;
  for (const CorpusFile& f : files) {
    auto module = front::load_file(f.path);
    ASSERT_TRUE(module.has_value()) << f.path << ": " << front::render(module.error());
    std::vector<std::string> exprs = f.exprs;
    if (exprs.empty()) exprs.push_back("");
    for (const std::string& e : exprs) {
      auto root = front::select_expression(
          *module, e.empty() ? std::nullopt : std::optional<std::string>(e));
      ASSERT_TRUE(root.has_value()) << f.path << " " << e;
      BoundsOptions options;
      options.bos = f.bos;
      Bounds opt = optimal_bounds(module->program, *root, options);
      EXPECT_TRUE(opt.tight) << f.path << " " << e;
      Bounds greedy = rasp_bounds(module->program, *root, options);
      EXPECT_EQ(opt.layers, greedy.layers) << f.path << " " << e;
      EXPECT_LE(opt.max_heads, greedy.max_heads) << f.path << " " << e;
      ++programs;
    }
    for (const Expectation& x : f.bounds) {
      auto root = front::select_expression(
          *module, x.expr.empty() ? std::nullopt : std::optional<std::string>(x.expr));
      ASSERT_TRUE(root.has_value());
      BoundsOptions options;
      options.bos = f.bos;
      Bounds b = x.model == "tracr"     ? tracr_bounds(module->program, *root, options)
                 : x.model == "optimal" ? optimal_bounds(module->program, *root, options)
                                        : rasp_bounds(module->program, *root, options);
      EXPECT_EQ(b.layers, x.layers) << f.path << ":" << x.line << " BOUNDS(" << x.model << ")";
      EXPECT_EQ(b.max_heads, x.heads) << f.path << ":" << x.line << " BOUNDS(" << x.model << ")";
      ++checked;
    }
  }
  EXPECT_GT(programs, 10);
  EXPECT_GT(checked, 10);
}

}  // namespace
}  // namespace rasp::analyze

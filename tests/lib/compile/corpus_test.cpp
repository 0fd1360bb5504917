// tests/lib/compile/corpus_test.cpp - Every corpus expression compiled at max length 8, 16, 32 and
// 64 (where its value sets allow) must agree with the interpreter on every input up to 5 tokens
// over the tokens its examples use (within a budget) and on 1000 random full-length inputs
// (seed pinned), or be refused with a located diagnostic (and a witness input for a compile
// hazard). One test per (expression, length), so ctest spreads them over the cores.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "lib/front/front.h"
#include "tests/lib/compile/programs.h"

namespace rasp::compile::testing {
namespace {

struct Case {
  std::string file;
  std::string expr;
  std::vector<Value> vocab;
  std::vector<std::pair<std::string, std::string>> examples;  ///< input json, output json
};

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

void add_vocab(std::vector<Value>& vocab, const std::vector<Value>& input) {
  for (const Value& v : input) {
    if (std::none_of(vocab.begin(), vocab.end(), [&](const Value& w) { return w.identical(v); })) {
      vocab.push_back(v);
    }
  }
}

// EXPR lines start a case; INPUT lines below it give examples (their tokens make the vocab).
std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* sub : {"corpus/tracr", "corpus/paper", "corpus/blog", "corpus/misc"}) {
    std::filesystem::path dir = std::filesystem::path(RASPKIT_SOURCE_DIR) / sub;
    if (!std::filesystem::exists(dir)) continue;
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".rasp") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find("# FLAGS:") != std::string::npos) continue;  // other semantics
      std::string line;
      std::istringstream lines(text.str());
      while (std::getline(lines, line)) {
        if (line.rfind("# EXPR:", 0) == 0) {
          out.push_back(Case{file, trim(line.substr(7)), {}, {}});
        } else if (line.rfind("# INPUT:", 0) == 0 && !out.empty() && out.back().file == file) {
          std::string rest = trim(line.substr(8));
          for (std::size_t arrow = rest.find("->"); arrow != std::string::npos;
               arrow = rest.find("->", arrow + 2)) {
            auto input = interp::parse_input(trim(rest.substr(0, arrow)));
            if (!input) continue;
            add_vocab(out.back().vocab, *input);
            out.back().examples.emplace_back(trim(rest.substr(0, arrow)), trim(rest.substr(arrow + 2)));
            break;
          }
        }
      }
    }
  }
  return out;
}

struct LengthCase {
  Case c;
  int max_len = 8;
};

class CorpusCompileTest : public ::testing::TestWithParam<LengthCase> {};

TEST_P(CorpusCompileTest, FaithfulOrRefusedWithAReason) {
  const Case& c = GetParam().c;
  const int max_len = GetParam().max_len;
  if (c.vocab.empty()) GTEST_SKIP() << "no examples to take a vocabulary from";
  auto module = front::load_file(c.file);
  ASSERT_TRUE(module) << front::render(module.error());
  auto root = front::evaluate_expression(*module, c.expr);
  ASSERT_TRUE(root) << front::render(root.error(), &*module);
  const ir::Program& program = module->program;
  CompileOptions o;
  o.vocab = c.vocab;
  o.max_len = max_len;
  auto model = compile(program, *root, o);
  if (!model) {
    const Diagnostic& d = model.error().front();
    std::cout << "[corpus] " << c.file << " " << c.expr << " N=" << max_len << ": refused "
              << d.code << " " << d.message << (d.notes.empty() ? "" : " (" + d.notes[0] + ")")
              << "\n";
    EXPECT_TRUE(d.code == code::kUnsupported || d.code == code::kLimit) << d.message;
    if (d.message.find("select two") != std::string::npos) {
      ASSERT_FALSE(d.notes.empty());
      EXPECT_EQ(d.notes[0].rfind("witness input: ", 0), 0u);
    }
    return;
  }
  std::size_t heads = 0;
  for (const Layer& l : model->layers) heads += l.heads.size();
  std::cout << "[corpus] " << c.file << " " << c.expr << " N=" << max_len << ": "
            << model->layers.size() << " layers, " << heads << " heads, residual "
            << model->d_model() << ", params " << model->parameter_count() << "\n";
  // Every input up to 5 tokens within a budget (longer max lengths get the short ones),
  // then 1000 random full-length inputs with a pinned seed, the first 100 also in float32.
  int up_to = 1;
  std::size_t total = c.vocab.size();
  std::size_t budget = max_len <= 8 ? 4000 : 400;
  while (up_to < std::min(5, max_len) && total * c.vocab.size() <= budget) {
    total *= c.vocab.size();
    ++up_to;
  }
  Agreement a = compare_all(program, *root, *model, c.vocab, up_to, Precision::Float64);
  std::mt19937 rng(20261122 + static_cast<unsigned>(max_len));
  for (int r = 0; r < 1000; ++r) {
    std::vector<Value> input;
    for (int i = 0; i < max_len; ++i) input.push_back(c.vocab[rng() % c.vocab.size()]);
    compare_one(program, *root, *model, input, Precision::Float64, a);
    if (r < 100) compare_one(program, *root, *model, input, Precision::Float32, a);
  }
  EXPECT_EQ(a.mismatches, 0u) << "N=" << max_len << ": " << a.first_mismatch;
  // The file's own examples, through the weights.
  for (const auto& [in, expected] : c.examples) {
    auto input = interp::parse_input(in);
    ASSERT_TRUE(input);
    if (static_cast<int>(input->size()) > max_len) continue;
    auto actual = run_compiled(*model, *input);
    ASSERT_TRUE(actual);
    auto want = nlohmann::json::parse(expected, nullptr, false);
    if (want.is_discarded()) continue;  // an expected error, not an output
    EXPECT_TRUE(interp::output_matches(want, *actual))
        << in << " -> " << interp::output_to_json(*actual).dump() << ", expected " << expected;
  }
}

std::vector<LengthCase> length_cases() {
  std::vector<LengthCase> out;
  for (const Case& c : cases()) {
    for (int n : {8, 16, 32, 64}) out.push_back(LengthCase{c, n});
  }
  return out;
}

std::string case_name(const ::testing::TestParamInfo<LengthCase>& info) {
  const Case& c = info.param.c;
  std::string name = std::filesystem::path(c.file).parent_path().filename().string() + "_" +
                     std::filesystem::path(c.file).stem().string() + "_" + c.expr + "_" +
                     std::to_string(info.index) + "_N" +
                     std::to_string(info.param.max_len);
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusCompileTest, ::testing::ValuesIn(length_cases()), case_name);

}  // namespace
}  // namespace rasp::compile::testing

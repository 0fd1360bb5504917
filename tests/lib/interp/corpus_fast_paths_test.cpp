// tests/lib/interp/corpus_fast_paths_test.cpp - The fast paths against the generic path on the corpus.
//
// Every corpus program, on its INPUT examples and on random inputs drawn from their tokens,
// under every combination of BOS, causal and sum aggregation: every node its EXPR lines
// need must have the same value (or the same first fault) with the fast paths on and off,
// both in a full trace and through `evaluate`, which leaves columns typed and selectors
// unfilled where it can.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "lib/interp/io.h"

namespace rasp::interp {
namespace {

struct CorpusFile {
  std::string path;
  std::vector<std::string> exprs;
  std::vector<std::vector<ir::Value>> inputs;
};

// Test names show the file, not the struct's bytes.
void PrintTo(const CorpusFile& f, std::ostream* os) {
  *os << std::filesystem::path(f.path).lexically_relative(RASPKIT_SOURCE_DIR).string();
}

std::vector<CorpusFile> corpus_files() {
  std::vector<CorpusFile> out;
  for (const char* sub : {"corpus/tracr", "corpus/paper", "corpus/blog", "corpus/misc", "corpus/regress"}) {
    std::filesystem::path dir = std::filesystem::path(RASPKIT_SOURCE_DIR) / sub;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() != ".rasp") continue;
      CorpusFile f{e.path().string(), {}, {}};
      std::ifstream in(f.path);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("# EXPR:", 0) == 0) f.exprs.push_back(line.substr(7));
        if (line.rfind("# INPUT:", 0) != 0) continue;
        std::string rest = line.substr(8);
        // The input is the JSON left of the first arrow that leaves valid input there.
        for (auto arrow = rest.find("->"); arrow != std::string::npos; arrow = rest.find("->", arrow + 2)) {
          if (auto input = parse_input(rest.substr(0, arrow)); input && !input->empty()) {
            f.inputs.push_back(*input);
            break;
          }
        }
      }
      if (!f.inputs.empty()) out.push_back(std::move(f));
    }
  }
  std::sort(out.begin(), out.end(), [](const CorpusFile& a, const CorpusFile& b) { return a.path < b.path; });
  return out;
}

bool same_values(const Column& a, const Column& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const ir::Value& x, const ir::Value& y) {
           return x.identical(y);
         });
}

class CorpusFastPathsTest : public ::testing::TestWithParam<CorpusFile> {};

TEST_P(CorpusFastPathsTest, EveryNodeAgreesWithTheGenericPath) {
  const CorpusFile& file = GetParam();
  auto module = front::load_file(file.path);
  ASSERT_TRUE(module) << front::render(module.error());
  std::vector<ir::NodeId> roots;
  if (file.exprs.empty()) {
    auto root = front::select_expression(*module, std::nullopt);
    ASSERT_TRUE(root) << front::render(root.error(), &*module);
    roots.push_back(*root);
  }
  for (const auto& expr : file.exprs) {
    auto root = front::evaluate_expression(*module, expr);
    ASSERT_TRUE(root) << front::render(root.error(), &*module);
    roots.push_back(*root);
  }
  std::vector<ir::NodeId> nodes;
  for (ir::NodeId r : roots) {
    for (ir::NodeId a : module->program.ancestors(r)) nodes.push_back(a);
  }
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());

  // The examples, then inputs of 1 to 12, of 17 to 32 and of 33 to 64 tokens drawn from
  // each example's tokens (the interpreter keeps up to 16 positions inline, more on the
  // heap; kernels take up to 64 positions, BOS included).
  std::vector<std::vector<ir::Value>> inputs = file.inputs;
  std::mt19937 rng(20261123);
  for (const auto& example : file.inputs) {
    for (int i = 0; i < 7; ++i) {
      std::vector<ir::Value> drawn(i < 4 ? 1 + rng() % 12 : (i < 6 ? 17 + rng() % 16 : 33 + rng() % 32));
      for (auto& v : drawn) v = example[rng() % example.size()];
      inputs.push_back(std::move(drawn));
    }
  }
  std::size_t agreed = 0;
  for (const auto& input : inputs) {
    for (int flags = 0; flags < 8; ++flags) {
      Options o;
      o.bos = (flags & 1) != 0;
      o.causal = (flags & 2) != 0;
      o.aggregation = (flags & 4) != 0 ? Aggregation::Sum : Aggregation::Mean;
      std::string where = describe_input(input) + (o.bos ? " --bos" : "") + (o.causal ? " --causal" : "") +
                          (flags & 4 ? " --aggregate sum" : "");
      o.fast_paths = false;
      auto slow = trace(module->program, nodes, input, o);
      o.fast_paths = true;
      auto fast = trace(module->program, nodes, input, o);
      ASSERT_EQ(fast.has_value(), slow.has_value()) << where;
      if (!slow) {
        EXPECT_EQ(fast.error().front().code, slow.error().front().code) << where;
        EXPECT_EQ(fast.error().front().message, slow.error().front().message) << where;
        EXPECT_EQ(fast.error().front().notes, slow.error().front().notes) << where;
        continue;
      }
      for (ir::NodeId id : nodes) {
        ASSERT_EQ(fast->is_matrix(id), slow->is_matrix(id)) << where << " node " << id;
        if (slow->is_matrix(id)) {
          EXPECT_EQ(fast->matrix(id).cells, slow->matrix(id).cells) << where << " node " << id;
        } else {
          EXPECT_TRUE(same_values(fast->column(id), slow->column(id))) << where << " node " << id;
        }
        auto lazy = evaluate(module->program, id, input, o);
        ASSERT_TRUE(lazy) << where << " node " << id;
        Output want = output_of(*slow, id);
        EXPECT_EQ(lazy->is_selector, want.is_selector) << where << " node " << id;
        EXPECT_EQ(lazy->matrix, want.matrix) << where << " node " << id;
        EXPECT_TRUE(same_values(lazy->values, want.values)) << where << " node " << id;
      }
      ++agreed;
    }
  }
  // Some inputs must run to the end, or the comparison above compared only faults.
  EXPECT_GT(agreed, 0u) << "every input faulted";
}

// Options::reuse on the programs as users write them: runs of inputs of one length (the
// examples, then inputs drawn from their tokens at the same length), every root and every
// node of the program, with and without BOS and causal masks, in the order a batch meets
// them, must give what evaluations that keep nothing give, faults included.
TEST_P(CorpusFastPathsTest, ReuseAcrossInputsChangesNothing) {
  const CorpusFile& file = GetParam();
  auto module = front::load_file(file.path);
  ASSERT_TRUE(module) << front::render(module.error());
  std::vector<ir::NodeId> roots;
  if (auto root = front::select_expression(*module, std::nullopt)) roots.push_back(*root);
  for (const auto& expr : file.exprs) {
    auto root = front::evaluate_expression(*module, expr);
    ASSERT_TRUE(root) << front::render(root.error(), &*module);
    roots.push_back(*root);
  }
  ASSERT_FALSE(roots.empty());
  std::vector<ir::NodeId> nodes = module->program.ancestors(roots.back());
  struct Step {
    std::vector<ir::Value> input;
    ir::NodeId root;
    Options options;
  };
  std::vector<Step> steps;
  std::mt19937 rng(20261124);
  for (const auto& example : file.inputs) {
    for (int flags = 0; flags < 4; ++flags) {
      Options o;
      o.bos = (flags & 1) != 0;
      o.causal = (flags & 2) != 0;
      for (int i = 0; i < 4; ++i) {
        std::vector<ir::Value> drawn = example;
        if (i > 0) {
          for (auto& v : drawn) v = example[rng() % example.size()];
        }
        for (ir::NodeId r : roots) steps.push_back({drawn, r, o});
        // Now and then a node of the program alone, as `--expr` asks for one.
        steps.push_back({drawn, nodes[rng() % nodes.size()], o});
      }
    }
  }
  std::vector<Result<Output>> want;
  for (Step& step : steps) {
    step.options.reuse = false;
    want.push_back(evaluate(module->program, step.root, step.input, step.options));
    step.options.reuse = true;
  }
  std::size_t ran = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    std::string where = describe_input(step.input) + (step.options.bos ? " --bos" : "") +
                        (step.options.causal ? " --causal" : "") + " node " + std::to_string(step.root);
    auto got = evaluate(module->program, step.root, step.input, step.options);
    ASSERT_EQ(got.has_value(), want[i].has_value()) << where;
    if (!got) {
      EXPECT_EQ(got.error().front().message, want[i].error().front().message) << where;
      EXPECT_EQ(got.error().front().notes, want[i].error().front().notes) << where;
      continue;
    }
    ++ran;
    EXPECT_EQ(got->is_selector, want[i]->is_selector) << where;
    EXPECT_EQ(got->matrix, want[i]->matrix) << where;
    EXPECT_TRUE(same_values(got->values, want[i]->values)) << where;
  }
  EXPECT_GT(ran, 0u) << "every step faulted";
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusFastPathsTest, ::testing::ValuesIn(corpus_files()),
                         [](const ::testing::TestParamInfo<CorpusFile>& info) {
                           std::string name = std::filesystem::path(info.param.path).parent_path().filename().string() +
                                              "_" + std::filesystem::path(info.param.path).stem().string();
                           std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return name;
                         });

}  // namespace
}  // namespace rasp::interp

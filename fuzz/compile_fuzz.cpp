// fuzz/compile_fuzz.cpp - Fuzz target: parse, interpret and compile, then compare the
// compiled forward pass with the interpreter on every short input.
//
// The first byte picks the vocabulary (three strings or three integers, by the program's
// token type); the rest is RASP source. A program that compiles must decode to the
// interpreter's output on every input of 1..4 tokens the interpreter accepts: the compiler
// promises exactness up to max_len, so any mismatch is a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "lib/compile/forward.h"
#include "lib/compile/model.h"
#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "lib/interp/io.h"

namespace {

constexpr int kMaxLen = 4;

// Every input of 1..kMaxLen tokens over `vocab`, shortest first.
std::vector<std::vector<rasp::ir::Value>> all_inputs(const std::vector<rasp::ir::Value>& vocab) {
  std::vector<std::vector<rasp::ir::Value>> out;
  std::vector<std::vector<rasp::ir::Value>> last{{}};
  for (int len = 1; len <= kMaxLen; ++len) {
    std::vector<std::vector<rasp::ir::Value>> next;
    for (const auto& prefix : last) {
      for (const auto& v : vocab) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    }
    out.insert(out.end(), next.begin(), next.end());
    last = std::move(next);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rasp;
  if (size < 1) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto module = front::load_source(text, "fuzz.rasp");
  if (!module) {
    fuzz::expect_explained(module.error(), "load_source");
    return 0;
  }
  if (!module->last_assigned) return 0;
  ir::NodeId root = *module->last_assigned;
  if (module->program.is_selector(root)) return 0;
  ir::TokenType type = fuzz::token_type_of(module->program);
  compile::CompileOptions options;
  for (unsigned i = 0; i < 3; ++i) options.vocab.push_back(fuzz::token(type, data[0] + i));
  options.max_len = kMaxLen;
  options.max_value_set = 256;
  options.witness_len = kMaxLen;
  options.witness_budget = 1000;
  auto model = compile::compile(module->program, root, options);
  if (!model) {
    fuzz::expect_explained(model.error(), "compile");
    return 0;
  }
  for (const auto& input : all_inputs(options.vocab)) {
    auto expected = interp::evaluate(module->program, root, input, interp::Options{});
    if (!expected) continue;
    auto actual = compile::run_compiled(*model, input, compile::Precision::Float64);
    if (!actual) {
      fuzz::fail("compiled model refused " + interp::describe_input(input) + ": " +
                 actual.error().front().message);
    }
    if (!interp::output_matches(interp::output_to_json(*expected), *actual)) {
      fuzz::fail("compiled model disagrees with the interpreter on " +
                 interp::describe_input(input) + ": expected " +
                 interp::output_to_json(*expected).dump() + ", got " +
                 interp::output_to_json(*actual).dump());
    }
  }
  return 0;
}

// lib/compile/precision_check.cpp - The forward pass in one precision against the interpreter.
#include "lib/compile/precision_check.h"

#include <chrono>
#include <cmath>
#include <random>

#include "lib/interp/all_inputs.h"

namespace rasp::compile {

PrecisionCheck check_precision(const Model& model, const ir::Program& program, ir::NodeId root,
                               const interp::Options& semantics, Precision precision, double seconds) {
  PrecisionCheck out;
  const auto start = std::chrono::steady_clock::now();
  auto out_of_time = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > seconds;
  };
  // True when the search should stop: a mismatch found, or the time spent.
  auto try_input = [&](const std::vector<ir::Value>& input) {
    if (out_of_time()) return true;
    auto want = interp::evaluate(program, root, input, semantics);
    if (!want) return false;  // outside the program's domain: nothing to reproduce
    auto got = run_compiled(model, input, precision);
    ++out.inputs_checked;
    if (got && interp::same_values(*want, *got)) return false;
    if (!got) return false;  // refused by the model (a token it lacks): not a rounding matter
    out.mismatch = PrecisionMismatch{input, std::move(*want), std::move(*got)};
    return true;
  };
  const std::vector<ir::Value>& vocab = model.vocab;
  if (vocab.empty() || model.max_len < 1) return out;
  int n = 1;
  double tried = 0;
  for (; n <= model.max_len; ++n) {
    double count = std::pow(static_cast<double>(vocab.size()), n);
    if (tried + count > 512) break;
    tried += count;
    interp::AllInputs input(vocab, static_cast<std::size_t>(n));
    do {
      if (try_input(*input)) return out;
    } while (input.next());
  }
  if (n > model.max_len) return out;
  auto longest = static_cast<std::size_t>(model.max_len);
  for (const ir::Value& token : vocab) {
    if (try_input(std::vector<ir::Value>(longest, token))) return out;
  }
  std::mt19937_64 rng(20261207);
  for (; n <= model.max_len; ++n) {
    std::vector<ir::Value> input(static_cast<std::size_t>(n));
    for (int k = 0; k < 16; ++k) {
      for (auto& token : input) token = vocab[rng() % vocab.size()];
      if (try_input(input)) return out;
    }
  }
  return out;
}

}  // namespace rasp::compile

// fuzz/fuzz_input.h - Turning fuzzer bytes into short program inputs and interpreter options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lib/interp/evaluator.h"
#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"
#include "lib/ir/value.h"

namespace rasp::fuzz {

/// FNV-1a over the bytes: the same data always gives the same inputs, so a saved input
/// replays exactly.
[[nodiscard]] inline std::uint64_t hash_bytes(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

/// The token type the program's `tokens` node converts raw tokens to (Str when none).
[[nodiscard]] inline ir::TokenType token_type_of(const ir::Program& program) {
  for (ir::NodeId id = 0; id < program.size(); ++id) {
    if (program.node(id).kind == ir::NodeKind::Tokens) return program.node(id).token_type;
  }
  return ir::TokenType::Str;
}

/// One raw token of the given type, chosen by `pick` among three.
[[nodiscard]] inline ir::Value token(ir::TokenType type, unsigned pick) {
  switch (type) {
    case ir::TokenType::Int:
    case ir::TokenType::Float:
      return ir::Value::integer(static_cast<std::int64_t>(pick % 3));
    case ir::TokenType::Bool:
      return ir::Value::boolean(pick % 2 != 0);
    case ir::TokenType::Str:
    case ir::TokenType::AsIs:
      break;
  }
  return ir::Value::string(std::string(1, static_cast<char>('a' + pick % 3)));
}

/// `count` inputs of 1..4 tokens each, derived from `seed`.
[[nodiscard]] inline std::vector<std::vector<ir::Value>> inputs_for(ir::TokenType type,
                                                                    std::uint64_t seed,
                                                                    int count) {
  std::vector<std::vector<ir::Value>> out;
  for (int i = 0; i < count; ++i) {
    std::size_t len = 1 + (seed & 3);
    seed >>= 2;
    std::vector<ir::Value> input;
    for (std::size_t k = 0; k < len; ++k) {
      input.push_back(token(type, static_cast<unsigned>(seed % 3)));
      seed = seed / 3 + 0x9e3779b97f4a7c15ULL * (k + 1);
    }
    out.push_back(std::move(input));
  }
  return out;
}

/// Aggregation, BOS and causal masking chosen by bits of `seed`.
[[nodiscard]] inline interp::Options options_for(std::uint64_t seed) {
  interp::Options o;
  o.aggregation = (seed >> 61) & 1 ? interp::Aggregation::Sum : interp::Aggregation::Mean;
  o.bos = ((seed >> 62) & 1) != 0;
  o.causal = ((seed >> 63) & 1) != 0;
  return o;
}

/// Stops the process like a sanitizer would, so both libFuzzer and the replay test fail.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

/// A failed load or evaluation must explain itself: at least one diagnostic, each with a
/// stable code and a message.
inline void expect_explained(const Diagnostics& diagnostics, const char* stage) {
  if (diagnostics.empty()) fail(std::string(stage) + " failed without a diagnostic");
  for (const Diagnostic& d : diagnostics) {
    if (d.code.empty() || d.message.empty()) {
      fail(std::string(stage) + " gave a diagnostic without code or message: " + d.message);
    }
  }
}

}  // namespace rasp::fuzz

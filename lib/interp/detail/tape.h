// lib/interp/detail/tape.h - A program lowered once to steps over typed columns, for short inputs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "lib/interp/evaluator.h"

namespace rasp::interp::detail {

/// The most positions a tape evaluates: a selector's row is one 64-bit word.
inline constexpr std::size_t kTapeMostPositions = 64;

/// How often this thread's evaluations ran on a tape, and how often a tape declined an input
/// (the Evaluator then computed it). For tests that must know the tape did the work.
struct TapeCounts {
  std::uint64_t runs = 0;
  std::uint64_t declined = 0;
};
[[nodiscard]] TapeCounts& tape_counts();

/// evaluate()'s path for short inputs: the root's ancestors lowered once to a list of steps
/// over columns of numbers (a string as a pointer to its value, as in eval_number_columns),
/// selectors as one bit mask per row, and maps over tokens alone as tables by distinct token.
/// What the Evaluator spends per node (state to reset, values made, paths tried in turn) is
/// paid once, at build().
///
/// A tape computes exactly what the Evaluator computes, or declines: build() declines a
/// program with a node or an option it does not cover, run() an input on which something
/// might fault or leaves what it covers (an operation on strings outside maps over tokens,
/// an overflow, a sequence that mixes strings and numbers). The caller then evaluates with
/// the Evaluator, which reports any fault.
class Tape {
 public:
  /// A tape for `root` under `options`, or null when it covers neither.
  [[nodiscard]] static std::unique_ptr<Tape> build(const ir::Program& program, ir::NodeId root,
                                                   const Options& options);
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;
  ~Tape();

  /// The root's value on `input` (raw token values), or nothing when the tape declines it.
  /// With Options::reuse, the steps that do not read tokens keep their columns from the
  /// last run of the same length, and maps over tokens alone their results by token value.
  [[nodiscard]] std::optional<Output> run(std::span<const ir::Value> input);

 private:
  struct State;
  explicit Tape(std::unique_ptr<State> state);
  std::unique_ptr<State> d;
};

}  // namespace rasp::interp::detail

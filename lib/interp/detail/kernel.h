// lib/interp/detail/kernel.h - A program compiled to typed column operations for short inputs.
#pragma once

#include <memory>
#include <optional>
#include <span>

#include "lib/interp/evaluator.h"

namespace rasp::interp::detail {

/// The most positions (BOS included) a kernel evaluates: a selector row is one 64-bit word.
inline constexpr std::size_t kKernelPositions = 64;

/// The ancestors of one root, typed once: every s-op is a column of strings (ids into an
/// interned pool) or of numbers (kind, numerator, denominator, not normalised), every
/// selector a row of bits per query, and each node a few straight-line column operations.
/// What it computes is what `Evaluator` computes, value for value and kind for kind.
class Kernel;

/// Frees a kernel (Kernel is complete only in kernel_code.h, inside the kernel's files).
struct KernelDelete {
  void operator()(Kernel* kernel) const;
};
using KernelPtr = std::unique_ptr<Kernel, KernelDelete>;

/// Compiles the ancestors of `root` under `options`, or nothing when some node is outside
/// what a kernel covers (a conversion, `^`, `+` on strings, a column whose values may be
/// strings at some positions and numbers at others, tokens other than str or int, more than
/// 4096 registers, ...).
[[nodiscard]] KernelPtr build_kernel(const ir::Program& program, ir::NodeId root, const Options& options);

/// The root's value on `input`, or nothing when the kernel declines: the input is empty,
/// longer than kKernelPositions, holds tokens of another type than the kernel was built
/// for, or some position faults, overflows, averages two or more non-integral numbers or
/// meets a case left to the evaluator. The caller then evaluates as usual, which reports
/// the fault, so a kernel never decides an error. With `reuse`, what does not read tokens
/// is kept from the last evaluation of the same length. After 32 declines in a row the
/// kernel tries only every 64th input.
[[nodiscard]] std::optional<Output> run_kernel(Kernel& kernel, std::span<const ir::Value> input, bool reuse);

}  // namespace rasp::interp::detail

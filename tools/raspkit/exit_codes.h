// tools/raspkit/exit_codes.h - Verdicts as exit codes, the contract CI scripts rely on.
#pragma once

namespace rasp::cli {

inline constexpr int kVerified = 0;
inline constexpr int kUsage = 1;
inline constexpr int kBadInput = 2;
inline constexpr int kInconclusive = 5;
inline constexpr int kInternal = 6;
inline constexpr int kCounterexample = 10;

}  // namespace rasp::cli

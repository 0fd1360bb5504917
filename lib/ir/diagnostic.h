// lib/ir/diagnostic.h - Source locations, located diagnostics and the Result type of lib/.
#pragma once

#include <memory>
#include <string>
#include <tl/expected.hpp>
#include <vector>

namespace rasp {

/// A half-open span of one source file; lines and columns count from 1.
///
/// `file` is shared so that every node of a program can keep its range cheaply.
/// A default range (line 0) means "no location" (programs built by hand or read from JSON
/// without positions).
struct SourceRange {
  std::shared_ptr<const std::string> file;
  int line = 0;
  int col = 0;
  int end_line = 0;
  int end_col = 0;

  [[nodiscard]] bool known() const { return line > 0; }
  [[nodiscard]] std::string file_name() const { return file ? *file : std::string("<input>"); }
  /// In the library raspkit loads before every program (lib/front's prelude), whose lines
  /// are not the program's.
  [[nodiscard]] bool in_library() const { return file && *file == kLibraryFile; }

  static constexpr const char* kLibraryFile = "<prelude>";
};

enum class Severity { Error, Warning, Note };

/// One message about the user's input, with a stable code such as "E0203".
struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;
  std::string message;
  SourceRange range;
  std::vector<std::string> notes;
};

using Diagnostics = std::vector<Diagnostic>;

/// The value of a fallible operation on user input: the value or the diagnostics that
/// explain why there is none.
template <typename T>
using Result = tl::expected<T, Diagnostics>;

/// A single-diagnostic failure, for `return fail(...)` in functions returning Result<T>.
[[nodiscard]] inline tl::unexpected<Diagnostics> fail(std::string code, std::string message,
                                                      SourceRange range = {}) {
  return tl::unexpected(
      Diagnostics{Diagnostic{Severity::Error, std::move(code), std::move(message), range, {}}});
}

/// Stable diagnostic codes; docs/diagnostics.md lists them with examples.
namespace code {
inline constexpr const char* kSyntax = "E0001";
inline constexpr const char* kLexical = "E0002";
inline constexpr const char* kCutOff = "E0003";
inline constexpr const char* kTooDeep = "E0004";
inline constexpr const char* kUndefined = "E0101";
inline constexpr const char* kReserved = "E0102";
inline constexpr const char* kArgCount = "E0103";
inline constexpr const char* kUnpack = "E0104";
inline constexpr const char* kLoad = "E0105";
inline constexpr const char* kNotCallable = "E0106";
inline constexpr const char* kSelectorOperand = "E0201";
inline constexpr const char* kAndOrMix = "E0202";
inline constexpr const char* kAverageNonNumbers = "E0203";
inline constexpr const char* kMixedTypes = "E0204";
inline constexpr const char* kDivisionByZero = "E0205";
inline constexpr const char* kIndex = "E0206";
inline constexpr const char* kAggregateOperand = "E0207";
inline constexpr const char* kOverflow = "E0208";
inline constexpr const char* kType = "E0209";
inline constexpr const char* kNotEqualOutsideSelect = "E0210";
inline constexpr const char* kInput = "E0211";
inline constexpr const char* kLimit = "E0212";
inline constexpr const char* kJson = "E0301";
inline constexpr const char* kUnsupported = "E0401";
/// Every code above: what a code a user writes (`# ERROR@+K: CODE`) is checked against.
inline constexpr const char* kAll[] = {kSyntax, kLexical, kCutOff, kTooDeep, kUndefined, kReserved, kArgCount,
                                       kUnpack, kLoad, kNotCallable, kSelectorOperand, kAndOrMix,
                                       kAverageNonNumbers, kMixedTypes, kDivisionByZero, kIndex,
                                       kAggregateOperand, kOverflow, kType, kNotEqualOutsideSelect, kInput,
                                       kLimit, kJson, kUnsupported};
}  // namespace code

}  // namespace rasp

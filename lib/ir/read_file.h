// lib/ir/read_file.h - Reading a user's file whole, bounded: never unbounded memory for /dev/zero.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <istream>
#include <string>

namespace rasp::ir {

/// Programs, expectations and batches are text a person wrote: far below this.
inline constexpr std::size_t kMaxTextFileBytes = std::size_t{64} << 20;

/// The bytes of `path`, or why not: it cannot be opened (with the system's reason), it is a
/// directory, or it holds more than `limit` bytes (a device such as /dev/zero never ends).
[[nodiscard]] tl::expected<std::string, std::string> read_file(const std::string& path,
                                                               std::size_t limit = kMaxTextFileBytes);

/// std::getline that stops a line at `limit` bytes: false at the end of `in`; `too_long`
/// set (and false returned) when a line runs past the limit.
bool getline_bounded(std::istream& in, std::string& line, bool& too_long, std::size_t limit = kMaxTextFileBytes);

}  // namespace rasp::ir

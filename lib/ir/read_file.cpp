// lib/ir/read_file.cpp - Bounded whole-file and line reads.
#include "lib/ir/read_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace rasp::ir {

tl::expected<std::string, std::string> read_file(const std::string& path, std::size_t limit) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return tl::unexpected(std::string("cannot open file: it is a directory"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(fmt::format("cannot open file: {}", std::strerror(errno)));
  // A regular file says its size: refused before reading when over the limit.
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) > limit && !ec) {
    return tl::unexpected(fmt::format("cannot read file: it holds more than {} MiB", limit >> 20));
  }
  std::string out;
  char chunk[1 << 16];
  while (in) {
    in.read(chunk, sizeof chunk);
    out.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (out.size() > limit) {
      return tl::unexpected(fmt::format("cannot read file: it holds more than {} MiB", limit >> 20));
    }
  }
  return out;
}

bool getline_bounded(std::istream& in, std::string& line, bool& too_long, std::size_t limit) {
  line.clear();
  too_long = false;
  std::istream::sentry ok(in, /*noskipws=*/true);
  if (!ok) return false;
  std::streambuf* buf = in.rdbuf();
  for (;;) {
    int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return !line.empty();
    }
    if (c == '\n') return true;
    if (line.size() >= limit) {
      too_long = true;
      return false;
    }
    line.push_back(static_cast<char>(c));
  }
}

}  // namespace rasp::ir

// lib/interp/detail/positions.h - Per-position arrays that keep short inputs inline.
#pragma once

#include <boost/container/small_vector.hpp>

namespace rasp::interp::detail {

/// One entry per position, per distinct value or per key. Up to 16 entries live inline, so
/// evaluating a short input (tests, checks, most user inputs) makes few heap allocations;
/// longer ones spill to the heap like a std::vector.
template <typename T>
using PerPosition = boost::container::small_vector<T, 16>;

}  // namespace rasp::interp::detail

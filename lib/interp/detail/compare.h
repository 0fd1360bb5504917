// lib/interp/detail/compare.h - A comparison operator chosen once, for loops over int64s.
#pragma once

#include <cstdint>
#include <functional>

#include "lib/ir/value.h"

namespace rasp::interp::detail {

/// Calls f with the comparison `op` (Eq, Ne, Lt, Le, Gt or Ge; anything else is taken as
/// Ge) as a function object on int64s, so a loop compares without a switch.
template <typename F>
decltype(auto) with_compare(ir::BinaryOp op, F f) {
  switch (op) {
    case ir::BinaryOp::Eq:
      return f(std::equal_to<std::int64_t>{});
    case ir::BinaryOp::Ne:
      return f(std::not_equal_to<std::int64_t>{});
    case ir::BinaryOp::Lt:
      return f(std::less<std::int64_t>{});
    case ir::BinaryOp::Le:
      return f(std::less_equal<std::int64_t>{});
    case ir::BinaryOp::Gt:
      return f(std::greater<std::int64_t>{});
    default:
      return f(std::greater_equal<std::int64_t>{});
  }
}

}  // namespace rasp::interp::detail

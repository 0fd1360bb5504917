// lib/interp/detail/number_columns.cpp - Python's number rules on (kind, num, den) triples.
#include "lib/interp/detail/number_columns.h"

#include <algorithm>
#include <array>
#include <numeric>

namespace rasp::interp::detail {
namespace {

using ir::BinaryOp;
using ir::ExprOp;
using ir::Kind;
using i128 = __int128;

bool fits(i128 x) { return x >= static_cast<i128>(INT64_MIN) && x <= static_cast<i128>(INT64_MAX); }

bool make_int(i128 x, Num& out) {
  if (!fits(x)) return false;
  out = {Kind::Int, static_cast<std::int64_t>(x), 1};
  return true;
}

// num/den normalised, as a Float (Value::rational's rule).
bool make_rational(i128 num, i128 den, Num& out) {
  if (den == 1) {  // whole numbers, as ints and whole floats mostly are: no gcd to take
    if (!fits(num)) return false;
    out = {Kind::Float, static_cast<std::int64_t>(num), 1};
    return true;
  }
  if (den == 0) return false;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  i128 a = num < 0 ? -num : num, b = den;
  if (a > static_cast<i128>(UINT64_MAX) || b > static_cast<i128>(UINT64_MAX)) return false;
  std::uint64_t g = std::gcd(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b));
  if (g > 1 && fits(num) && fits(den) && g <= static_cast<std::uint64_t>(INT64_MAX)) {
    // 64-bit division where it suffices: 128-bit division is a library call. A whole
    // quotient (a mean times its count, say) takes one.
    num = static_cast<std::int64_t>(num) / static_cast<std::int64_t>(g);
    den = static_cast<std::uint64_t>(b) == g ? 1 : static_cast<std::int64_t>(den) / static_cast<std::int64_t>(g);
  } else if (g > 1) {
    num /= g;
    den /= g;
  }
  if (!fits(num) || !fits(den)) return false;
  out = {Kind::Float, static_cast<std::int64_t>(num), static_cast<std::int64_t>(den)};
  return true;
}

Num boolean(bool b) { return {Kind::Bool, b ? 1 : 0, 1}; }

// Python's floor division of num by a positive den, in 64 bits (128-bit division is a
// library call).
std::int64_t floor_div(std::int64_t num, std::int64_t den) {
  std::int64_t q = num / den;
  if (num % den != 0 && num < 0) --q;
  return q;
}

// a OP b, for one operation chosen at compile time (so a column's loop has no switch);
// false where the result overflows or divides by zero, or for %, ^, min and max, which
// stay with the generic path.
template <BinaryOp Op>
bool binary(const Num& a, const Num& b, Num& out) {
  bool whole = a.den == 1 && b.den == 1;  // ints, bools and whole floats: no cross products
  i128 an = a.num, ad = a.den, bn = b.num, bd = b.den;
  bool floaty = a.kind == Kind::Float || b.kind == Kind::Float;
  if constexpr (Op == BinaryOp::Eq) {
    out = boolean(a.num == b.num && a.den == b.den);
  } else if constexpr (Op == BinaryOp::Ne) {
    out = boolean(!(a.num == b.num && a.den == b.den));
  } else if constexpr (Op == BinaryOp::Lt) {
    out = boolean(whole ? a.num < b.num : an * bd < bn * ad);
  } else if constexpr (Op == BinaryOp::Le) {
    out = boolean(whole ? a.num <= b.num : an * bd <= bn * ad);
  } else if constexpr (Op == BinaryOp::Gt) {
    out = boolean(whole ? a.num > b.num : an * bd > bn * ad);
  } else if constexpr (Op == BinaryOp::Ge) {
    out = boolean(whole ? a.num >= b.num : an * bd >= bn * ad);
  } else if constexpr (Op == BinaryOp::Add) {
    if (whole) return floaty ? make_rational(an + bn, 1, out) : make_int(an + bn, out);
    return floaty ? make_rational(an * bd + bn * ad, ad * bd, out) : make_int(an + bn, out);
  } else if constexpr (Op == BinaryOp::Sub) {
    if (whole) return floaty ? make_rational(an - bn, 1, out) : make_int(an - bn, out);
    return floaty ? make_rational(an * bd - bn * ad, ad * bd, out) : make_int(an - bn, out);
  } else if constexpr (Op == BinaryOp::Mul) {
    return floaty ? make_rational(an * bn, ad * bd, out) : make_int(an * bn, out);
  } else if constexpr (Op == BinaryOp::Div) {
    return bn != 0 && make_rational(an * bd, ad * bn, out);
  } else {
    return false;
  }
  return true;
}

// Calls f with `binary<op>` as a function object.
template <typename F>
decltype(auto) with_binary(BinaryOp op, F f) {
  auto as = [&]<BinaryOp Op>() { return f([](const Num& x, const Num& y, Num& out) { return binary<Op>(x, y, out); }); };
  switch (op) {
    case BinaryOp::Eq:
      return as.template operator()<BinaryOp::Eq>();
    case BinaryOp::Ne:
      return as.template operator()<BinaryOp::Ne>();
    case BinaryOp::Lt:
      return as.template operator()<BinaryOp::Lt>();
    case BinaryOp::Le:
      return as.template operator()<BinaryOp::Le>();
    case BinaryOp::Gt:
      return as.template operator()<BinaryOp::Gt>();
    case BinaryOp::Ge:
      return as.template operator()<BinaryOp::Ge>();
    case BinaryOp::Add:
      return as.template operator()<BinaryOp::Add>();
    case BinaryOp::Sub:
      return as.template operator()<BinaryOp::Sub>();
    case BinaryOp::Mul:
      return as.template operator()<BinaryOp::Mul>();
    case BinaryOp::Div:
      return as.template operator()<BinaryOp::Div>();
    default:
      return as.template operator()<BinaryOp::Mod>();
  }
}

// Python's `round` (ties to the even integer) of a number, as an int.
bool round_num(const Num& a, Num& out) {
  if (a.kind != Kind::Float || a.den == 1) return make_int(a.num, out);
  i128 fl = floor_div(a.num, a.den);  // den > 0, so no overflow
  i128 rem2 = 2 * (a.num - fl * a.den);
  if (rem2 > a.den || (rem2 == a.den && fl % 2 != 0)) ++fl;
  return make_int(fl, out);
}

// The one-operand operations other than round, and `and`/`or` (always a bool), shared by
// the column evaluator and the one-operation path: false where the result overflows.
bool negate(const Num& x, Num& out) {
  return x.kind == Kind::Float ? make_rational(-static_cast<i128>(x.num), x.den, out)
                               : make_int(-static_cast<i128>(x.num), out);
}
bool logical_not(const Num& x, Num& out) {
  out = boolean(x.num == 0);
  return true;
}
bool to_bool(const Num& x, Num& out) {
  out = boolean(x.num != 0);
  return true;
}
bool indicator(const Num& x, Num& out) {
  out = {Kind::Int, x.num != 0 ? 1 : 0, 1};
  return true;
}
auto logical(bool both) {
  return [both](const Num& x, const Num& y, Num& out) {
    out = boolean(both ? (x.num != 0 && y.num != 0) : (x.num != 0 || y.num != 0));
    return true;
  };
}

// A column during evaluation: one number at every position, or values at `data` (an
// operand's, or one of the evaluator's buffers when `owned`, which the next operation may
// overwrite in place). A few words, so passing one around copies no values.
struct NumCol {
  bool scalar = false;
  Num value;
  const Num* data = nullptr;
  Num* owned = nullptr;
  [[nodiscard]] const Num& at(std::size_t i) const { return scalar ? value : data[i]; }
};

using MaybeNumCol = std::optional<NumCol>;

// An expression over all positions at once, each operation a loop over the positions it is
// evaluated at: all of them, or for a branch of a conditional those whose condition picks
// it (the per-position rules evaluate only the branch taken, so only there can it fault).
class ColumnEvaluator {
 public:
  ColumnEvaluator(std::span<const Num* const> operands, std::size_t n) : d_operands(operands), d_n(n) {}
  ColumnEvaluator(const ColumnEvaluator&) = delete;
  ColumnEvaluator& operator=(const ColumnEvaluator&) = delete;
  // A long input's buffers are given back rather than kept for the thread's lifetime.
  ~ColumnEvaluator() {
    for (std::size_t b = 0; b < d_used; ++b) {
      if (d_buffers[b].capacity() > 4096) d_buffers[b] = {};
    }
    for (std::size_t b = 0; b < d_masks_used; ++b) {
      if (d_masks[b].capacity() > 4096) d_masks[b] = {};
    }
  }

  // `e` at the positions `active` marks (every one when null); nothing when one of them
  // faults, `e` leaves the fragment or the buffers run out.
  MaybeNumCol eval(const ir::ExprNode& e, const std::uint8_t* active) {
    // No position to evaluate at: nothing is computed, so nothing can fault.
    if (active && std::none_of(active, active + d_n, [](std::uint8_t a) { return a != 0; })) {
      return NumCol{true, Num{}, nullptr, nullptr};
    }
    switch (e.op) {
      case ExprOp::Const:
        if (e.value.is_string()) return NumCol{true, string_num(e.value), nullptr, nullptr};
        return NumCol{true, {e.value.kind(), e.value.num(), e.value.den()}, nullptr, nullptr};
      case ExprOp::Var:
        return NumCol{false, {}, d_operands[static_cast<std::size_t>(e.var)], nullptr};
      case ExprOp::Binary: {
        auto a = eval(*e.args[0], active);
        if (!a) return a;
        auto b = eval(*e.args[1], active);
        if (!b) return b;
        return with_binary(e.bop, [&](auto op) { return combine(*a, *b, active, op); });
      }
      case ExprOp::Ite:
        return ite(e, active);
      case ExprOp::And:
      case ExprOp::Or: {
        auto a = eval(*e.args[0], active);
        if (!a) return a;
        auto b = eval(*e.args[1], active);
        if (!b) return b;
        return combine(*a, *b, active, logical(e.op == ExprOp::And));
      }
      default:
        break;
    }
    auto a = eval(*e.args[0], active);
    if (!a) return a;
    switch (e.op) {
      case ExprOp::Neg:
        return map(*a, active, negate);
      case ExprOp::Not:
        return map(*a, active, logical_not);
      case ExprOp::ToBool:
        return map(*a, active, to_bool);
      case ExprOp::Indicator:
        return map(*a, active, indicator);
      case ExprOp::Round:
        return map(*a, active, round_num);
      default:
        return std::nullopt;
    }
  }

  // The finished column's values, into `out`.
  void finish(const NumCol& c, PerPosition<Num>& out) const {
    out.resize(d_n);
    for (std::size_t i = 0; i < d_n; ++i) out[i] = c.at(i);
  }

 private:
  // Where a result goes: `a`'s buffer, else `b`'s, else a new one (null when all are
  // taken). Each position is read before it is written, so writing in place is safe.
  NumCol* target(NumCol& a, NumCol& b, NumCol& fresh) {
    if (a.owned) return &a;
    if (b.owned) return &b;
    if (d_used == d_buffers.size()) return nullptr;
    PerPosition<Num>& buffer = d_buffers[d_used++];
    buffer.resize(d_n);
    fresh = NumCol{false, {}, buffer.data(), buffer.data()};
    return &fresh;
  }

  // f at every position, declining a string (operations on strings are left to the
  // generic path).
  template <typename F>
  MaybeNumCol map(NumCol& a, const std::uint8_t* active, F f) {
    if (a.scalar) {
      Num r;
      if (a.value.kind == Kind::String || !f(a.value, r)) return std::nullopt;
      return NumCol{true, r, nullptr, nullptr};
    }
    NumCol fresh;
    NumCol* out = target(a, a, fresh);
    if (!out) return std::nullopt;
    for (std::size_t i = 0; i < d_n; ++i) {
      if (active && !active[i]) continue;
      Num x = a.data[i];
      if (x.kind == Kind::String || !f(x, out->owned[i])) return std::nullopt;
    }
    return *out;
  }

  template <typename F>
  MaybeNumCol combine(NumCol& a, NumCol& b, const std::uint8_t* active, F f) {
    if (a.scalar && b.scalar) {
      Num r;
      if (a.value.kind == Kind::String || b.value.kind == Kind::String || !f(a.value, b.value, r)) return std::nullopt;
      return NumCol{true, r, nullptr, nullptr};
    }
    NumCol fresh;
    NumCol* out = target(a, b, fresh);
    if (!out) return std::nullopt;
    for (std::size_t i = 0; i < d_n; ++i) {
      if (active && !active[i]) continue;
      Num x = a.at(i), y = b.at(i);
      if (x.kind == Kind::String || y.kind == Kind::String || !f(x, y, out->owned[i])) return std::nullopt;
    }
    return *out;
  }

  MaybeNumCol ite(const ir::ExprNode& e, const std::uint8_t* active) {
    auto c = eval(*e.args[0], active);
    if (!c) return c;
    if (c->scalar) {
      if (c->value.kind == Kind::String) return std::nullopt;
      return eval(*e.args[c->value.num != 0 ? 1 : 2], active);
    }
    if (d_masks_used + 2 > d_masks.size()) return std::nullopt;
    PerPosition<std::uint8_t>& then_mask = d_masks[d_masks_used++];
    PerPosition<std::uint8_t>& else_mask = d_masks[d_masks_used++];
    then_mask.resize(d_n);
    else_mask.resize(d_n);
    for (std::size_t i = 0; i < d_n; ++i) {
      bool on = !active || active[i];
      if (on && c->data[i].kind == Kind::String) return std::nullopt;
      bool pick = c->data[i].num != 0;
      then_mask[i] = on && pick;
      else_mask[i] = on && !pick;
    }
    auto t = eval(*e.args[1], then_mask.data());
    if (!t) return t;
    auto f = eval(*e.args[2], else_mask.data());
    if (!f) return f;
    NumCol fresh;
    NumCol* out = target(*t, *f, fresh);
    if (!out) return std::nullopt;
    for (std::size_t i = 0; i < d_n; ++i) {
      if (then_mask[i]) {
        out->owned[i] = t->at(i);
      } else if (else_mask[i]) {
        out->owned[i] = f->at(i);
      }
    }
    return *out;
  }

  std::span<const Num* const> d_operands;
  std::size_t d_n;
  /// Buffers for results and for the positions a branch is evaluated at, taken in turn;
  /// more than these and the caller takes the generic path. The thread's, reused by every
  /// evaluation on it.
  struct Buffers {
    std::array<PerPosition<Num>, 12> values;
    std::array<PerPosition<std::uint8_t>, 8> masks;
  };
  static Buffers& thread_buffers() {
    thread_local Buffers buffers;
    return buffers;
  }
  std::array<PerPosition<Num>, 12>& d_buffers = thread_buffers().values;
  std::size_t d_used = 0;
  std::array<PerPosition<std::uint8_t>, 8>& d_masks = thread_buffers().masks;
  std::size_t d_masks_used = 0;
};

}  // namespace

std::optional<Num> rational_num(std::int64_t num, std::int64_t den) {
  Num out;
  if (!make_rational(num, den, out)) return std::nullopt;
  return out;
}

namespace {

// `passed`: a string here would be the result or a branch's, passed through unchanged.
bool in_fragment(const ir::ExprNode& e, bool passed) {
  switch (e.op) {
    case ExprOp::Const:
      return passed || !e.value.is_string();
    case ExprOp::Var:
      return true;
    case ExprOp::Binary:
      if (e.bop == BinaryOp::Mod || e.bop == BinaryOp::Pow || e.bop == BinaryOp::Min || e.bop == BinaryOp::Max) {
        return false;
      }
      break;
    case ExprOp::Ite:
    case ExprOp::And:
    case ExprOp::Or:
    case ExprOp::Neg:
    case ExprOp::Not:
    case ExprOp::ToBool:
    case ExprOp::Indicator:
    case ExprOp::Round:
      break;
    default:
      return false;
  }
  if (e.op == ExprOp::Ite) return in_fragment(*e.args[0], false) && in_fragment(*e.args[1], passed) && in_fragment(*e.args[2], passed);
  return std::all_of(e.args.begin(), e.args.end(), [](const ir::Expr& a) { return in_fragment(*a, false); });
}

}  // namespace

bool in_number_fragment(const ir::ExprNode& e) { return in_fragment(e, true); }

namespace {

// An operand of a one-operation expression: a column read in place, or a constant.
struct Leaf {
  const Num* data = nullptr;
  Num value;  ///< when `data` is null
  [[nodiscard]] const Num& at(std::size_t i) const { return data ? data[i] : value; }
  [[nodiscard]] bool is_string_constant() const { return !data && value.kind == Kind::String; }
};

std::optional<Leaf> leaf(const ir::ExprNode& e, std::span<const Num* const> operands) {
  if (e.op == ExprOp::Var) return Leaf{operands[static_cast<std::size_t>(e.var)], {}};
  if (e.op != ExprOp::Const) return std::nullopt;
  if (e.value.is_string()) return Leaf{nullptr, string_num(e.value)};
  return Leaf{nullptr, {e.value.kind(), e.value.num(), e.value.den()}};
}

enum class Flat : std::uint8_t { No, Declined, Done };

// One operation on operands and constants (`x > 0`, `round(x)`, `"T" if c else "P"`), the
// shape most maps of a lowered program have: computed straight into `out` with the column
// evaluator's rules and declines (a string operated on, an overflow, a division by zero).
// Flat::No for other shapes.
Flat eval_flat(const ir::ExprNode& e, std::span<const Num* const> operands, std::size_t n, PerPosition<Num>& out) {
  Leaf l[3];
  std::size_t arity = e.args.size();
  if (arity == 0 || arity > 3) return Flat::No;
  for (std::size_t a = 0; a < arity; ++a) {
    auto x = leaf(*e.args[a], operands);
    if (!x) return Flat::No;
    l[a] = *x;
  }
  auto unary = [&](auto f) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Num& x = l[0].at(i);
      if (x.kind == Kind::String || !f(x, out[i])) return Flat::Declined;
    }
    return Flat::Done;
  };
  auto pairwise = [&](auto f) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Num& x = l[0].at(i);
      const Num& y = l[1].at(i);
      if (x.kind == Kind::String || y.kind == Kind::String || !f(x, y, out[i])) return Flat::Declined;
    }
    return Flat::Done;
  };
  if (arity == 1) {
    switch (e.op) {
      case ExprOp::Neg:
        return unary(negate);
      case ExprOp::Not:
        return unary(logical_not);
      case ExprOp::ToBool:
        return unary(to_bool);
      case ExprOp::Indicator:
        return unary(indicator);
      case ExprOp::Round:
        return unary(round_num);
      default:
        return Flat::No;
    }
  }
  if (arity == 3) {
    if (e.op != ExprOp::Ite) return Flat::No;
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Num& c = l[0].at(i);
      if (c.kind == Kind::String) return Flat::Declined;
      out[i] = l[c.num != 0 ? 1 : 2].at(i);  // a branch's string passes through
    }
    return Flat::Done;
  }
  if (e.op == ExprOp::And || e.op == ExprOp::Or) return pairwise(logical(e.op == ExprOp::And));
  // in_fragment(e, false), for operands that are leaves: no string constant, an operator
  // the fragment has.
  if (e.op != ExprOp::Binary || e.bop == BinaryOp::Mod || e.bop == BinaryOp::Pow || e.bop == BinaryOp::Min ||
      e.bop == BinaryOp::Max || l[0].is_string_constant() || l[1].is_string_constant()) {
    return Flat::No;
  }
  return with_binary(e.bop, [&](auto op) { return pairwise(op); });
}

}  // namespace

bool eval_number_columns(const ir::ExprNode& e, std::span<const Num* const> operands, std::size_t n,
                         PerPosition<Num>& out, bool strings) {
  switch (eval_flat(e, operands, n, out)) {
    case Flat::Done:
      return strings || std::none_of(out.begin(), out.end(), [](const Num& x) { return x.kind == Kind::String; });
    case Flat::Declined:
      return false;
    case Flat::No:
      break;
  }
  ColumnEvaluator evaluator(operands, n);
  auto c = evaluator.eval(e, nullptr);
  if (!c) return false;
  evaluator.finish(*c, out);
  return strings || std::none_of(out.begin(), out.end(), [](const Num& x) { return x.kind == Kind::String; });
}

}  // namespace rasp::interp::detail

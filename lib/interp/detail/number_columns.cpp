// lib/interp/detail/number_columns.cpp - Python's number rules on (kind, num, den) triples.
#include "lib/interp/detail/number_columns.h"

#include <algorithm>
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
    // 64-bit division where it suffices: 128-bit division is a library call.
    num = static_cast<std::int64_t>(num) / static_cast<std::int64_t>(g);
    den = static_cast<std::int64_t>(den) / static_cast<std::int64_t>(g);
  } else if (g > 1) {
    num /= g;
    den /= g;
  }
  if (!fits(num) || !fits(den)) return false;
  out = {Kind::Float, static_cast<std::int64_t>(num), static_cast<std::int64_t>(den)};
  return true;
}

Num boolean(bool b) { return {Kind::Bool, b ? 1 : 0, 1}; }

// Python's floor division of num by a positive den.
i128 floor_div(i128 num, i128 den) {
  i128 q = num / den;
  if (num % den != 0 && num < 0) --q;
  return q;
}

class Evaluator {
 public:
  explicit Evaluator(const Num* vars) : d_vars(vars) {}

  bool eval(const ir::ExprNode& e, Num& out) {
    switch (e.op) {
      case ExprOp::Const:
        if (e.value.is_string()) return false;
        out = {e.value.kind(), e.value.num(), e.value.den()};
        return true;
      case ExprOp::Var:
        out = d_vars[static_cast<std::size_t>(e.var)];
        return true;
      case ExprOp::Binary: {
        Num a, b;
        return eval(*e.args[0], a) && eval(*e.args[1], b) && binary(e.bop, a, b, out);
      }
      case ExprOp::Ite: {
        Num c;
        if (!eval(*e.args[0], c)) return false;
        return eval(*e.args[c.num != 0 ? 1 : 2], out);
      }
      case ExprOp::And:
      case ExprOp::Or: {
        Num a, b;
        if (!eval(*e.args[0], a) || !eval(*e.args[1], b)) return false;
        out = boolean(e.op == ExprOp::And ? (a.num != 0 && b.num != 0) : (a.num != 0 || b.num != 0));
        return true;
      }
      default:
        break;
    }
    Num a;
    if (!eval(*e.args[0], a)) return false;
    switch (e.op) {
      case ExprOp::Neg:
        return a.kind == Kind::Float ? make_rational(-static_cast<i128>(a.num), a.den, out)
                                     : make_int(-static_cast<i128>(a.num), out);
      case ExprOp::Not:
        out = boolean(a.num == 0);
        return true;
      case ExprOp::ToBool:
        out = boolean(a.num != 0);
        return true;
      case ExprOp::Indicator:
        out = {Kind::Int, a.num != 0 ? 1 : 0, 1};
        return true;
      case ExprOp::Round: {
        if (a.kind != Kind::Float) return make_int(a.num, out);
        // Ties to the even integer.
        i128 fl = floor_div(a.num, a.den);
        i128 rem2 = 2 * (a.num - fl * a.den);
        if (rem2 > a.den || (rem2 == a.den && fl % 2 != 0)) ++fl;
        return make_int(fl, out);
      }
      default:
        return false;
    }
  }

 private:
  static bool binary(BinaryOp op, const Num& a, const Num& b, Num& out) {
    i128 an = a.num, ad = a.den, bn = b.num, bd = b.den;
    bool floaty = a.kind == Kind::Float || b.kind == Kind::Float;
    switch (op) {
      case BinaryOp::Eq:
        out = boolean(a.num == b.num && a.den == b.den);
        return true;
      case BinaryOp::Ne:
        out = boolean(!(a.num == b.num && a.den == b.den));
        return true;
      case BinaryOp::Lt:
        out = boolean(an * bd < bn * ad);
        return true;
      case BinaryOp::Le:
        out = boolean(an * bd <= bn * ad);
        return true;
      case BinaryOp::Gt:
        out = boolean(an * bd > bn * ad);
        return true;
      case BinaryOp::Ge:
        out = boolean(an * bd >= bn * ad);
        return true;
      case BinaryOp::Add:
        return floaty ? make_rational(an * bd + bn * ad, ad * bd, out) : make_int(an + bn, out);
      case BinaryOp::Sub:
        return floaty ? make_rational(an * bd - bn * ad, ad * bd, out) : make_int(an - bn, out);
      case BinaryOp::Mul:
        return floaty ? make_rational(an * bn, ad * bd, out) : make_int(an * bn, out);
      case BinaryOp::Div:
        return bn != 0 && make_rational(an * bd, ad * bn, out);
      default:
        return false;  // %, ^, min and max stay with the generic path
    }
  }

  const Num* d_vars;
};

}  // namespace

std::optional<Num> rational_num(std::int64_t num, std::int64_t den) {
  Num out;
  if (!make_rational(num, den, out)) return std::nullopt;
  return out;
}

bool in_number_fragment(const ir::ExprNode& e) {
  switch (e.op) {
    case ExprOp::Const:
      return !e.value.is_string();
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
  return std::all_of(e.args.begin(), e.args.end(), [](const ir::Expr& a) { return in_number_fragment(*a); });
}

bool eval_number_columns(const ir::ExprNode& e, std::span<const Num* const> operands, std::size_t n,
                         PerPosition<Num>& out) {
  out.resize(n);
  PerPosition<Num> vars(operands.size());
  Evaluator ev(vars.data());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t a = 0; a < operands.size(); ++a) vars[a] = operands[a][i];
    if (!ev.eval(e, out[i])) return false;
  }
  return true;
}

}  // namespace rasp::interp::detail

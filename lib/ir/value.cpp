// lib/ir/value.cpp - Python's arithmetic and comparison rules over exact atoms.
#include "lib/ir/value.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>

#include "lib/ir/diagnostic.h"

namespace rasp::ir {
namespace {

using i128 = __int128;

ValueError overflow() {
  return {code::kOverflow, "integer overflow: values must stay within 64 bits"};
}

bool fits(i128 x) {
  return x >= static_cast<i128>(INT64_MIN) && x <= static_cast<i128>(INT64_MAX);
}

i128 gcd128(i128 a, i128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  // 64-bit operands (nearly always) take std::gcd, not 128-bit division calls.
  if (a <= static_cast<i128>(UINT64_MAX) && b <= static_cast<i128>(UINT64_MAX)) {
    return std::gcd(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b));
  }
  while (b != 0) {
    i128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Normalises num/den into a Float.
ValueResult<Value> make_rational(i128 num, i128 den) {
  if (den == 0) return tl::unexpected(ValueError{code::kDivisionByZero, "division by zero"});
  if (den < 0) {
    num = -num;
    den = -den;
  }
  i128 g = gcd128(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  if (!fits(num) || !fits(den)) return tl::unexpected(overflow());
  return Value::rational(static_cast<std::int64_t>(num), static_cast<std::int64_t>(den));
}

ValueResult<Value> make_int(i128 x) {
  if (!fits(x)) return tl::unexpected(overflow());
  return Value::integer(static_cast<std::int64_t>(x));
}

ValueError type_error(std::string_view op, const Value& a, const Value& b) {
  return {code::kType, fmt::format("unsupported operand types for {}: {} and {}", op,
                                   kind_name(a.kind()), kind_name(b.kind()))};
}

// Floor division of rationals, as Python's // on floats: floor(a/b).
i128 floor_div(i128 n, i128 d) {
  if (fits(n) && d > 0 && fits(d)) {  // 64-bit division, far cheaper than 128-bit
    auto nn = static_cast<std::int64_t>(n), dd = static_cast<std::int64_t>(d);
    std::int64_t q = nn / dd;
    if (nn % dd != 0 && nn < 0) --q;
    return q;
  }
  i128 q = n / d;
  if ((n % d != 0) && ((n < 0) != (d < 0))) --q;
  return q;
}

ValueResult<Value> arith_add_sub_mul(BinaryOp op, const Value& a, const Value& b) {
  bool floaty = a.is_float() || b.is_float();
  i128 an = a.num(), ad = a.den(), bn = b.num(), bd = b.den();
  if (!floaty) {
    switch (op) {
      case BinaryOp::Add:
        return make_int(an + bn);
      case BinaryOp::Sub:
        return make_int(an - bn);
      default:
        return make_int(an * bn);
    }
  }
  switch (op) {
    case BinaryOp::Add:
      return make_rational(an * bd + bn * ad, ad * bd);
    case BinaryOp::Sub:
      return make_rational(an * bd - bn * ad, ad * bd);
    default:
      return make_rational(an * bn, ad * bd);
  }
}

ValueResult<Value> power(const Value& a, const Value& b) {
  if (!b.is_float()) {
    std::int64_t e = b.num();
    bool neg = e < 0;
    std::uint64_t k = neg ? static_cast<std::uint64_t>(-(e + 1)) + 1 : static_cast<std::uint64_t>(e);
    if (a.is_float() || neg) {
      if (a.num() == 0 && neg) {
        return tl::unexpected(ValueError{code::kDivisionByZero, "0 cannot be raised to a negative power"});
      }
      // Exact rational power by squaring.
      i128 n = 1, d = 1, bn = a.num(), bd = a.den();
      std::uint64_t kk = k;
      while (kk > 0) {
        if (kk & 1) {
          n *= bn;
          d *= bd;
          if (!fits(n) || !fits(d)) return tl::unexpected(overflow());
        }
        kk >>= 1;
        if (kk > 0) {
          bn *= bn;
          bd *= bd;
          if (!fits(bn) || !fits(bd)) {
            if (bn == 1 && bd == 1) continue;
            return tl::unexpected(overflow());
          }
        }
      }
      return neg ? make_rational(d, n) : make_rational(n, d);
    }
    i128 r = 1, base = a.num();
    while (k > 0) {
      if (k & 1) {
        // base may have grown past int64 (up to 2^124) while r has not: check the product.
        if (__builtin_mul_overflow(r, base, &r) || !fits(r)) return tl::unexpected(overflow());
      }
      k >>= 1;
      if (k > 0) {
        if (base > (static_cast<i128>(1) << 62) || base < -(static_cast<i128>(1) << 62)) {
          if (base == 1 || base == -1 || base == 0) continue;
          return tl::unexpected(overflow());
        }
        base *= base;
      }
    }
    return make_int(r);
  }
  // A fractional exponent: exact only when the result is rational; otherwise refuse rather
  // than round silently.
  double r = std::pow(a.to_double(), b.to_double());
  if (std::isnan(r)) {
    return tl::unexpected(ValueError{code::kType, "fractional power of a negative number"});
  }
  auto v = Value::from_double(r);
  if (!v) return v;
  auto back = power(*v, Value::integer(b.den()));
  auto want = power(a, Value::integer(b.num()));
  if (back && want && *back == *want) return v;
  return tl::unexpected(ValueError{code::kUnsupported,
                                   fmt::format("{} ^ {} is irrational; raspkit computes exactly",
                                               a.to_string(), b.to_string())});
}

}  // namespace

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "string";
  }
  return "?";
}

ValueResult<Value> Value::rational(std::int64_t num, std::int64_t den) {
  if (den == 0) return tl::unexpected(ValueError{code::kDivisionByZero, "division by zero"});
  i128 n = num, d = den;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  i128 g = gcd128(n, d);
  if (g > 1) {
    n /= g;
    d /= g;
  }
  if (!fits(n) || !fits(d)) return tl::unexpected(overflow());
  return Value(Kind::Float, static_cast<std::int64_t>(n), static_cast<std::int64_t>(d));
}

ValueResult<Value> Value::decimal(std::string_view text) {
  std::string_view whole = text;
  auto not_a_number = [&] {
    return tl::unexpected(ValueError{code::kInput, fmt::format("not a number: {}", whole)});
  };
  // A sign, "-" or "+", taken off `text` (the mantissa's or the exponent's).
  auto sign = [](std::string_view& t) {
    bool minus = !t.empty() && t.front() == '-';
    if (!t.empty() && (t.front() == '-' || t.front() == '+')) t.remove_prefix(1);
    return minus;
  };
  bool neg = sign(text);
  // An exponent: "2.5e-10", as Python's float() and JSON write small and large numbers.
  long exponent = 0;
  if (auto e = text.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view digits = text.substr(e + 1);
    bool down = sign(digits);
    if (digits.empty() || digits.size() > 6) return not_a_number();
    for (char c : digits) {
      if (c < '0' || c > '9') return not_a_number();
      exponent = exponent * 10 + (c - '0');
    }
    if (down) exponent = -exponent;
    text = text.substr(0, e);
  }
  if (text.find_first_of("0123456789") == std::string_view::npos) return not_a_number();
  // Zeros ending the fraction change nothing: "1.2500000000000000000000" is 5/4.
  if (text.find('.') != std::string_view::npos) {
    while (!text.empty() && text.back() == '0') text.remove_suffix(1);
  }
  i128 num = 0, den = 1;
  bool seen_dot = false;
  for (char c : text) {
    if (c == '.' && !seen_dot) {
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return not_a_number();
    num = num * 10 + (c - '0');
    if (seen_dot) den *= 10;
    if (!fits(num) || !fits(den)) return tl::unexpected(overflow());
  }
  for (; exponent > 0 && num != 0; --exponent) {
    if (den % 10 == 0) {
      den /= 10;
    } else {
      num *= 10;
    }
    if (!fits(num)) return tl::unexpected(overflow());
  }
  for (; exponent < 0 && num != 0; ++exponent) {
    if (num % 10 == 0) {
      num /= 10;
    } else {
      den *= 10;
    }
    if (!fits(den)) return tl::unexpected(overflow());
  }
  return make_rational(neg ? -num : num, den);
}

ValueResult<Value> Value::python_float(std::string_view text) {
  auto exact = decimal(text);
  if (exact || exact.error().code != std::string_view(code::kOverflow)) return exact;
  return from_double(std::strtod(std::string(text).c_str(), nullptr));
}

ValueResult<Value> Value::from_double(double d) {
  if (!std::isfinite(d)) {
    return tl::unexpected(ValueError{code::kInput, "infinite or NaN numbers are not RASP values"});
  }
  // The shortest text that reads back as d (Python's repr, as a JSON writer prints it), taken
  // exactly; a number that has no such fraction within 64 bits is refused, never rounded.
  std::string text = fmt::format("{}", d);
  auto v = decimal(text);
  if (!v && v.error().code == std::string(code::kOverflow)) {
    return tl::unexpected(ValueError{
        code::kOverflow, fmt::format("the number {} is not a fraction of 64-bit integers, which raspkit computes with exactly", text)});
  }
  return v;
}

bool Value::total_less(const Value& other) const {
  if (d_kind != other.d_kind) return d_kind < other.d_kind;
  if (d_kind == Kind::String) return d_str < other.d_str;
  return static_cast<i128>(d_num) * other.d_den < static_cast<i128>(other.d_num) * d_den;
}

std::size_t Value::hash() const {
  std::size_t h = std::hash<int>()(static_cast<int>(d_kind));
  if (d_kind == Kind::String) return h ^ (std::hash<std::string>()(d_str) * 31);
  return h ^ (std::hash<std::int64_t>()(d_num) * 31) ^ (std::hash<std::int64_t>()(d_den) * 131);
}

std::string Value::to_string() const {
  switch (d_kind) {
    case Kind::Bool:
      return d_num ? "True" : "False";
    case Kind::Int:
      return std::to_string(d_num);
    case Kind::Float: {
      std::string s = fmt::format("{}", to_double());
      if (s.find_first_of(".e") == std::string::npos && s.find("inf") == std::string::npos) {
        s += ".0";
      }
      return s;
    }
    case Kind::String:
      return d_str;
  }
  return "?";
}

std::string Value::repr() const {
  switch (d_kind) {
    case Kind::String:
      return "\"" + d_str + "\"";
    case Kind::Float:
      if (d_den == 1) return std::to_string(d_num) + ".0";
      return fmt::format("{}/{}", d_num, d_den);
    default:
      return to_string();
  }
}

std::string_view binary_op_symbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return "+";
    case BinaryOp::Sub:
      return "-";
    case BinaryOp::Mul:
      return "*";
    case BinaryOp::Div:
      return "/";
    case BinaryOp::Mod:
      return "%";
    case BinaryOp::Pow:
      return "^";
    case BinaryOp::Eq:
      return "==";
    case BinaryOp::Ne:
      return "!=";
    case BinaryOp::Lt:
      return "<";
    case BinaryOp::Le:
      return "<=";
    case BinaryOp::Gt:
      return ">";
    case BinaryOp::Ge:
      return ">=";
    case BinaryOp::Min:
      return "min";
    case BinaryOp::Max:
      return "max";
  }
  return "?";
}

ValueResult<bool> compare(BinaryOp op, const Value& a, const Value& b) {
  if (op == BinaryOp::Eq) return a == b;
  if (op == BinaryOp::Ne) return !(a == b);
  int c = 0;
  if (a.is_string() || b.is_string()) {
    if (!(a.is_string() && b.is_string())) {
      return tl::unexpected(ValueError{
          code::kType, fmt::format("'{}' not supported between {} and {}", binary_op_symbol(op),
                                   kind_name(a.kind()), kind_name(b.kind()))});
    }
    c = a.str().compare(b.str());
  } else {
    i128 l = static_cast<i128>(a.num()) * b.den(), r = static_cast<i128>(b.num()) * a.den();
    c = l < r ? -1 : (l > r ? 1 : 0);
  }
  return comparison_holds(op, c);
}

ValueResult<Value> apply(BinaryOp op, const Value& a, const Value& b) {
  switch (op) {
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge: {
      auto r = compare(op, a, b);
      if (!r) return tl::unexpected(r.error());
      return Value::boolean(*r);
    }
    case BinaryOp::Min:
    case BinaryOp::Max: {
      // As the reference's min/max: `a if a<b else b` and `a if a>b else b`.
      auto r = compare(op == BinaryOp::Min ? BinaryOp::Lt : BinaryOp::Gt, a, b);
      if (!r) return tl::unexpected(r.error());
      return *r ? a : b;
    }
    default:
      break;
  }
  if (a.is_string() || b.is_string()) {
    if (op == BinaryOp::Add && a.is_string() && b.is_string()) {
      // The limit repetition has: doubling a string forty times stops here.
      if (a.str().size() + b.str().size() > (1u << 20)) {
        return tl::unexpected(ValueError{code::kLimit, "string concatenation over 1 MiB"});
      }
      return Value::string(a.str() + b.str());
    }
    if (op == BinaryOp::Mul && (a.is_string() != b.is_string())) {
      const Value& s = a.is_string() ? a : b;
      const Value& n = a.is_string() ? b : a;
      if (n.is_float()) return tl::unexpected(type_error("*", a, b));
      // The size is known before a byte is copied: an empty string repeated 2^63 - 1 times
      // is empty at once (the loop this replaced ran that many times).
      if (s.str().empty() || n.num() <= 0) return Value::string("");
      constexpr std::size_t kMost = std::size_t{1} << 20;
      if (static_cast<std::uint64_t>(n.num()) > kMost / s.str().size()) {
        return tl::unexpected(ValueError{code::kLimit, "string repetition over 1 MiB"});
      }
      std::string out;
      out.reserve(s.str().size() * static_cast<std::size_t>(n.num()));
      for (std::int64_t i = 0; i < n.num(); ++i) out += s.str();
      return Value::string(std::move(out));
    }
    return tl::unexpected(type_error(binary_op_symbol(op), a, b));
  }
  switch (op) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Mul:
      return arith_add_sub_mul(op, a, b);
    case BinaryOp::Div:
      if (b.num() == 0) return tl::unexpected(ValueError{code::kDivisionByZero, "division by zero"});
      return make_rational(static_cast<i128>(a.num()) * b.den(), static_cast<i128>(a.den()) * b.num());
    case BinaryOp::Mod: {
      if (b.num() == 0) return tl::unexpected(ValueError{code::kDivisionByZero, "modulo by zero"});
      // a - b*floor(a/b), exact for ints and rationals alike.
      i128 n = static_cast<i128>(a.num()) * b.den(), d = static_cast<i128>(a.den()) * b.num();
      i128 q = floor_div(n, d);
      if (!a.is_float() && !b.is_float()) return make_int(a.num() - q * b.num());
      return make_rational(static_cast<i128>(a.num()) * b.den() - q * b.num() * a.den(),
                           static_cast<i128>(a.den()) * b.den());
    }
    case BinaryOp::Pow:
      return power(a, b);
    default:
      break;
  }
  return tl::unexpected(type_error(binary_op_symbol(op), a, b));
}

ValueResult<Value> negate(const Value& a) {
  if (a.is_string()) {
    return tl::unexpected(ValueError{code::kType, "bad operand type for unary -: string"});
  }
  if (a.is_float()) return make_rational(-static_cast<i128>(a.num()), a.den());
  return make_int(-static_cast<i128>(a.num()));
}

ValueResult<Value> round_half_even(const Value& a) {
  if (a.is_string()) return tl::unexpected(ValueError{code::kType, "round() of a string"});
  if (!a.is_float()) return Value::integer(a.num());
  i128 n = a.num(), d = a.den();
  i128 fl = floor_div(n, d);
  i128 rem2 = 2 * (n - fl * d);  // twice the fractional part, times d
  if (rem2 > d || (rem2 == d && (fl % 2 != 0))) ++fl;
  return make_int(fl);
}

namespace {

// The text Python's int() and float() read in a string: the whitespace around it stripped
// and underscores between two digits dropped ("1_000"). Nothing when an underscore stands
// anywhere else, which Python refuses too.
std::optional<std::string> python_number_text(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  std::size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return std::string();
  s = s.substr(b, s.find_last_not_of(kSpace) - b + 1);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '_') {
      out += s[i];
    } else if (i == 0 || i + 1 == s.size() || !digit(s[i - 1]) || !digit(s[i + 1])) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

ValueResult<Value> to_int(const Value& a) {
  if (a.is_string()) {
    auto text = python_number_text(a.str());
    std::string_view s = text ? std::string_view(*text) : std::string_view();
    std::string_view digits = s;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return tl::unexpected(
          ValueError{code::kInput, fmt::format("invalid literal for int(): '{}'", a.str())});
    }
    i128 x = 0;
    for (char c : digits) {
      x = x * 10 + (c - '0');
      if (!fits(x)) return tl::unexpected(overflow());
    }
    return make_int(s.front() == '-' ? -x : x);
  }
  if (a.is_float()) {
    // Python's int() truncates towards zero.
    return make_int(static_cast<i128>(a.num()) / a.den());
  }
  return Value::integer(a.num());
}

ValueResult<Value> to_float(const Value& a) {
  if (a.is_string()) {
    // A number past what raspkit holds exactly says so; anything else is not a number.
    if (auto text = python_number_text(a.str())) {
      auto v = Value::python_float(*text);
      if (v || v.error().code == std::string_view(code::kOverflow)) return v;
    }
    return tl::unexpected(
        ValueError{code::kInput, fmt::format("could not convert string to float: '{}'", a.str())});
  }
  return Value::rational(a.num(), a.den());
}

Value to_bool(const Value& a) { return Value::boolean(a.truthy()); }

Value to_str(const Value& a) { return a.is_string() ? a : Value::string(a.to_string()); }

}  // namespace rasp::ir

// lib/ir/value.h - RASP atoms (bool, int, exact rational "float", string) with Python's rules.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace rasp::ir {

/// The type of an atom. `Float` is the reference's float, held as an exact rational so that
/// the interpreter and the SMT encoding agree to the bit.
enum class Kind : std::uint8_t { Bool, Int, Float, String };

[[nodiscard]] std::string_view kind_name(Kind kind);

/// Why an operation on atoms failed; `code` is a diagnostic code from diagnostic.h.
struct ValueError {
  const char* code;
  std::string message;
};

template <typename T>
using ValueResult = tl::expected<T, ValueError>;

/// An atom. Integers are 64-bit (an operation that leaves that range is an error, where
/// Python would grow); rationals are normalised num/den with den > 0.
class Value {
 public:
  Value() = default;
  static Value boolean(bool b) { return Value(Kind::Bool, b ? 1 : 0, 1); }
  static Value integer(std::int64_t i) { return Value(Kind::Int, i, 1); }
  /// A Float; fails on a zero denominator or overflow while normalising.
  static ValueResult<Value> rational(std::int64_t num, std::int64_t den);
  static Value string(std::string s) {
    Value v(Kind::String, 0, 1);
    v.d_str = std::move(s);
    return v;
  }
  /// Parses a decimal literal such as "2.5", "-0.125" or "2.5e-10" exactly.
  static ValueResult<Value> decimal(std::string_view text);
  /// What Python's float literal or float(text) holds: the decimal exactly when it is a
  /// fraction of 64-bit integers, else the double Python rounds it to (from_double), so
  /// "3.14159265358979323846" is 3.141592653589793. Arithmetic on it stays exact.
  static ValueResult<Value> python_float(std::string_view text);
  /// `d` as the shortest decimal that reads back as it (Python's repr), exactly; E0208 when
  /// that is no fraction of 64-bit integers (JSON input numbers).
  static ValueResult<Value> from_double(double d);

  [[nodiscard]] Kind kind() const { return d_kind; }
  [[nodiscard]] bool is_bool() const { return d_kind == Kind::Bool; }
  [[nodiscard]] bool is_int() const { return d_kind == Kind::Int; }
  [[nodiscard]] bool is_float() const { return d_kind == Kind::Float; }
  [[nodiscard]] bool is_string() const { return d_kind == Kind::String; }
  /// Bool, Int and Float are numbers, as in Python where bool is a subclass of int.
  [[nodiscard]] bool is_number() const { return d_kind != Kind::String; }

  [[nodiscard]] bool as_bool() const { return d_num != 0; }
  [[nodiscard]] std::int64_t num() const { return d_num; }
  [[nodiscard]] std::int64_t den() const { return d_den; }
  [[nodiscard]] const std::string& str() const { return d_str; }
  [[nodiscard]] double to_double() const {
    return static_cast<double>(d_num) / static_cast<double>(d_den);
  }
  /// Python's truthiness: non-zero numbers and non-empty strings are true.
  [[nodiscard]] bool truthy() const { return d_kind == Kind::String ? !d_str.empty() : d_num != 0; }

  /// Python's `==`: numbers compare by value across bool/int/float; a string equals only
  /// an equal string.
  friend bool operator==(const Value& a, const Value& b) {
    if (a.d_kind == Kind::String || b.d_kind == Kind::String) {
      return a.d_kind == b.d_kind && a.d_str == b.d_str;
    }
    return a.d_num == b.d_num && a.d_den == b.d_den;
  }
  /// Identical kind and value (2 and 2.0 differ): for hashing and hash-consing.
  [[nodiscard]] bool identical(const Value& other) const {
    return d_kind == other.d_kind && *this == other;
  }
  /// A total order for containers: by kind, then by value.
  [[nodiscard]] bool total_less(const Value& other) const;
  [[nodiscard]] std::size_t hash() const;

  /// Python's str(): True, 3, 2.5, 0.3333333333333333, abc.
  [[nodiscard]] std::string to_string() const;
  /// A literal that reads back as the same value: True, 3, 7/3 as "7/3", "abc" quoted.
  [[nodiscard]] std::string repr() const;

 private:
  Value(Kind kind, std::int64_t num, std::int64_t den) : d_kind(kind), d_num(num), d_den(den) {}
  Kind d_kind = Kind::Int;
  std::int64_t d_num = 0;
  std::int64_t d_den = 1;
  std::string d_str;
};

struct ValueHash {
  std::size_t operator()(const Value& v) const { return v.hash(); }
};
struct ValueIdentical {
  bool operator()(const Value& a, const Value& b) const { return a.identical(b); }
};

/// Binary operators with Python's typing: int op int stays int except `/`; `%` takes the
/// divisor's sign; `^` is pow; `+` concatenates strings and `*` repeats them.
enum class BinaryOp : std::uint8_t { Add, Sub, Mul, Div, Mod, Pow, Eq, Ne, Lt, Le, Gt, Ge, Min, Max };

[[nodiscard]] std::string_view binary_op_symbol(BinaryOp op);
[[nodiscard]] ValueResult<Value> apply(BinaryOp op, const Value& a, const Value& b);
/// Whether comparison `op` holds of two operands that order as `c` (< 0, 0, > 0).
[[nodiscard]] inline bool comparison_holds(BinaryOp op, int c) {
  switch (op) {
    case BinaryOp::Eq:
      return c == 0;
    case BinaryOp::Ne:
      return c != 0;
    case BinaryOp::Lt:
      return c < 0;
    case BinaryOp::Le:
      return c <= 0;
    case BinaryOp::Gt:
      return c > 0;
    default:  // Ge
      return c >= 0;
  }
}

/// Python's ordering comparison; strings compare with strings only.
[[nodiscard]] ValueResult<bool> compare(BinaryOp op, const Value& a, const Value& b);
[[nodiscard]] ValueResult<Value> negate(const Value& a);
/// Python's round(): ties go to the even integer; the result is an int.
[[nodiscard]] ValueResult<Value> round_half_even(const Value& a);
/// The conversions behind tokens_int, tokens_float, tokens_bool and tokens_str.
[[nodiscard]] ValueResult<Value> to_int(const Value& a);
[[nodiscard]] ValueResult<Value> to_float(const Value& a);
[[nodiscard]] Value to_bool(const Value& a);
[[nodiscard]] Value to_str(const Value& a);

}  // namespace rasp::ir

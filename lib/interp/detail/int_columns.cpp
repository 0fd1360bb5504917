// lib/interp/detail/int_columns.cpp - Python's int and bool rules as loops over int64 columns.
#include "lib/interp/detail/int_columns.h"

#include <algorithm>

namespace rasp::interp::detail {
namespace {

using ir::BinaryOp;
using ir::ExprOp;
using ir::Kind;
using ir::Value;

std::optional<IntKind> kind_of(const Value& v) {
  if (v.is_int()) return IntKind::Int;
  if (v.is_bool()) return IntKind::Bool;
  return std::nullopt;
}

// Python's == between a table entry and an int: numbers compare by value, strings never equal.
bool equals_int(const Value& m, std::int64_t x) { return !m.is_string() && m.den() == 1 && m.num() == x; }

// A constant table whose entries are all of one int kind, as int64s.
std::optional<IntColumn> int_table(const std::vector<Value>& values) {
  IntColumn t;
  if (values.empty()) return t;
  auto k = kind_of(values.front());
  if (!k) return std::nullopt;
  t.kind = *k;
  for (const Value& v : values) {
    if (kind_of(v) != k) return std::nullopt;
    t.values.push_back(v.num());
  }
  return t;
}

// A column during evaluation: an operand read in place, a constant, or owned values that
// the next operation overwrites. Only operations allocate, and only when neither operand
// owns a buffer they can write into.
struct Col {
  IntKind kind = IntKind::Int;
  const std::int64_t* data = nullptr;  ///< the values, unless `scalar`
  bool scalar = false;
  std::int64_t value = 0;  ///< the value at every position when `scalar`
  std::vector<std::int64_t> owned;

  Col() = default;
  // Move-only: moving keeps `owned`'s buffer, so `data` stays valid; a copy's would not.
  Col(Col&&) = default;
  Col& operator=(Col&&) = default;
  Col(const Col&) = delete;
  Col& operator=(const Col&) = delete;

  [[nodiscard]] std::int64_t at(std::size_t i) const { return scalar ? value : data[i]; }
};

using MaybeCol = std::optional<Col>;

class ColumnEvaluator {
 public:
  ColumnEvaluator(std::span<const IntOperand> vars, std::size_t n) : d_vars(vars), d_n(n) {}

  MaybeCol eval(const ir::ExprNode& e) {
    switch (e.op) {
      case ExprOp::Const: {
        auto k = kind_of(e.value);
        if (!k) return std::nullopt;
        Col c;
        c.kind = *k;
        c.scalar = true;
        c.value = e.value.num();
        return c;
      }
      case ExprOp::Var: {
        const IntOperand& v = d_vars[static_cast<std::size_t>(e.var)];
        Col c;
        c.kind = v.kind;
        c.data = v.values;
        return c;
      }
      case ExprOp::Binary:
        return binary(e);
      case ExprOp::Ite:
        return ite(e);
      case ExprOp::And:
      case ExprOp::Or: {
        auto a = eval(*e.args[0]);
        if (!a) return a;
        auto b = eval(*e.args[1]);
        if (!b) return b;
        bool both = e.op == ExprOp::And;
        return combine(*a, *b, IntKind::Bool, [both](std::int64_t x, std::int64_t y) -> std::int64_t {
          return both ? (x != 0 && y != 0) : (x != 0 || y != 0);
        });
      }
      default:
        break;
    }
    auto a = eval(*e.args[0]);
    if (!a) return a;
    switch (e.op) {
      case ExprOp::Neg: {
        bool overflow = false;
        auto r = map(*a, IntKind::Int, [&](std::int64_t x) {
          overflow |= x == INT64_MIN;
          return x == INT64_MIN ? x : -x;
        });
        if (overflow) return std::nullopt;
        return r;
      }
      case ExprOp::Not:
        return map(*a, IntKind::Bool, [](std::int64_t x) -> std::int64_t { return x == 0; });
      case ExprOp::ToBool:
        return map(*a, IntKind::Bool, [](std::int64_t x) -> std::int64_t { return x != 0; });
      case ExprOp::Indicator:
        return map(*a, IntKind::Int, [](std::int64_t x) -> std::int64_t { return x != 0; });
      case ExprOp::Round:
      case ExprOp::ToInt:
        a->kind = IntKind::Int;
        return a;
      case ExprOp::In:
        return map(*a, IntKind::Bool, [&](std::int64_t y) -> std::int64_t {
          return std::any_of(e.table_values.begin(), e.table_values.end(),
                             [&](const Value& m) { return equals_int(m, y); });
        });
      case ExprOp::Lookup:
        return lookup(e, std::move(*a));
      default:
        return std::nullopt;  // floats and strings
    }
  }

  // The finished column, as owned values.
  IntColumn finish(Col c) const {
    if (c.scalar) return IntColumn{c.kind, std::vector<std::int64_t>(d_n, c.value)};
    if (c.owned.empty() && d_n > 0) return IntColumn{c.kind, std::vector<std::int64_t>(c.data, c.data + d_n)};
    return IntColumn{c.kind, std::move(c.owned)};
  }

 private:
  // A buffer for a result: an operand's own buffer when one has it, else a new one.
  std::vector<std::int64_t> take(Col& a, Col* b = nullptr) const {
    if (!a.owned.empty()) return std::move(a.owned);
    if (b && !b->owned.empty()) return std::move(b->owned);
    return std::vector<std::int64_t>(d_n);
  }

  static Col owned(IntKind kind, std::vector<std::int64_t> values) {
    Col c;
    c.kind = kind;
    c.owned = std::move(values);
    c.data = c.owned.data();
    return c;
  }

  // f applied at every position; a constant stays a constant.
  template <typename F>
  Col map(Col& a, IntKind kind, F f) const {
    if (a.scalar) {
      a.value = f(a.value);
      a.kind = kind;
      return std::move(a);
    }
    const std::int64_t* x = a.data;
    std::vector<std::int64_t> out = take(a);
    for (std::size_t i = 0; i < d_n; ++i) out[i] = f(x[i]);
    return owned(kind, std::move(out));
  }

  // f applied to the two operands at every position (reading both before writing).
  template <typename F>
  Col combine(Col& a, Col& b, IntKind kind, F f) const {
    if (a.scalar && b.scalar) {
      a.value = f(a.value, b.value);
      a.kind = kind;
      return std::move(a);
    }
    Col x = std::move(a), y = std::move(b);
    // Pointers into x and y stay valid: moving a vector keeps its buffer.
    std::vector<std::int64_t> out = take(x, &y);
    for (std::size_t i = 0; i < d_n; ++i) out[i] = f(x.at(i), y.at(i));
    return owned(kind, std::move(out));
  }

  MaybeCol lookup(const ir::ExprNode& e, Col index) {
    auto table = int_table(e.table_values);
    if (!table || e.table_values.empty()) return std::nullopt;
    auto size = static_cast<std::int64_t>(table->values.size());
    bool missing = false;
    auto r = map(index, table->kind, [&](std::int64_t x) -> std::int64_t {
      if (e.table_kind == ir::TableKind::Dict) {
        auto it = std::find_if(e.table_keys.begin(), e.table_keys.end(),
                               [&](const Value& k) { return equals_int(k, x); });
        if (it == e.table_keys.end()) {
          missing = true;
          return 0;
        }
        return table->values[static_cast<std::size_t>(it - e.table_keys.begin())];
      }
      if (x >= size || x < -size) {
        missing = true;
        return 0;
      }
      return table->values[static_cast<std::size_t>(x < 0 ? x + size : x)];
    });
    if (missing) return std::nullopt;
    return r;
  }

  MaybeCol ite(const ir::ExprNode& e) {
    auto c = eval(*e.args[0]);
    if (!c) return c;
    auto t = eval(*e.args[1]);
    if (!t) return t;
    auto f = eval(*e.args[2]);
    if (!f) return f;
    if (t->kind != f->kind) return std::nullopt;
    // Returned by name, so moved: a copy's `data` would point into the original's buffer.
    if (c->scalar && c->value != 0) return t;
    if (c->scalar) return f;
    IntKind kind = t->kind;
    Col cond = std::move(*c), yes = std::move(*t), no = std::move(*f);
    std::vector<std::int64_t> out = yes.owned.empty() && no.owned.empty() ? take(cond) : take(yes, &no);
    for (std::size_t i = 0; i < d_n; ++i) out[i] = cond.at(i) != 0 ? yes.at(i) : no.at(i);
    return owned(kind, std::move(out));
  }

  MaybeCol binary(const ir::ExprNode& e) {
    auto a = eval(*e.args[0]);
    if (!a) return a;
    auto b = eval(*e.args[1]);
    if (!b) return b;
    bool fault = false;
    auto checked = [&](auto op) {
      return combine(*a, *b, IntKind::Int, [&](std::int64_t x, std::int64_t y) {
        std::int64_t r = 0;
        fault |= op(x, y, &r);
        return r;
      });
    };
    auto compare = [&](auto cmp) {
      return combine(*a, *b, IntKind::Bool, [&](std::int64_t x, std::int64_t y) -> std::int64_t { return cmp(x, y); });
    };
    Col r;
    switch (e.bop) {
      case BinaryOp::Add:
        r = checked([](std::int64_t x, std::int64_t y, std::int64_t* o) { return __builtin_add_overflow(x, y, o); });
        break;
      case BinaryOp::Sub:
        r = checked([](std::int64_t x, std::int64_t y, std::int64_t* o) { return __builtin_sub_overflow(x, y, o); });
        break;
      case BinaryOp::Mul:
        r = checked([](std::int64_t x, std::int64_t y, std::int64_t* o) { return __builtin_mul_overflow(x, y, o); });
        break;
      case BinaryOp::Mod:
        r = checked([](std::int64_t x, std::int64_t y, std::int64_t* o) {
          if (y == 0) return true;
          if (y == -1) {
            *o = 0;  // also INT64_MIN % -1, which C++ leaves undefined
            return false;
          }
          std::int64_t m = x % y;
          if (m != 0 && ((m < 0) != (y < 0))) m += y;
          *o = m;
          return false;
        });
        break;
      case BinaryOp::Eq:
        return compare([](std::int64_t p, std::int64_t q) { return p == q; });
      case BinaryOp::Ne:
        return compare([](std::int64_t p, std::int64_t q) { return p != q; });
      case BinaryOp::Lt:
        return compare([](std::int64_t p, std::int64_t q) { return p < q; });
      case BinaryOp::Le:
        return compare([](std::int64_t p, std::int64_t q) { return p <= q; });
      case BinaryOp::Gt:
        return compare([](std::int64_t p, std::int64_t q) { return p > q; });
      case BinaryOp::Ge:
        return compare([](std::int64_t p, std::int64_t q) { return p >= q; });
      case BinaryOp::Min:
      case BinaryOp::Max: {
        // The reference returns one operand itself, so its kind would vary by position.
        if (a->kind != b->kind) return std::nullopt;
        bool min = e.bop == BinaryOp::Min;
        return combine(*a, *b, a->kind, [min](std::int64_t x, std::int64_t y) {
          bool take_x = min ? x < y : x > y;
          return take_x ? x : y;
        });
      }
      default:
        return std::nullopt;  // `/` makes floats; `^` is left to the exact path
    }
    if (fault) return std::nullopt;
    return r;
  }

  std::span<const IntOperand> d_vars;
  std::size_t d_n;
};

}  // namespace

std::optional<IntColumn> eval_int_columns(const ir::ExprNode& e, std::span<const IntOperand> vars,
                                          std::size_t n) {
  ColumnEvaluator evaluator(vars, n);
  auto c = evaluator.eval(e);
  if (!c) return std::nullopt;
  return evaluator.finish(std::move(*c));
}

}  // namespace rasp::interp::detail

// lib/interp/detail/int_columns.cpp - Python's int and bool rules as loops over int64 columns.

// GCC 12 at -O3 sees moving a boost small_vector whose values are inline as a memmove that
// may read past the inline buffer (it cannot: the size is at most the inline capacity
// there); a false positive, silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif

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
// the next operation overwrites in place. Owned values are inline up to 16 positions (no
// allocation for short inputs), so they are reached through values(), never a stored pointer.
struct Col {
  IntKind kind = IntKind::Int;
  const std::int64_t* data = nullptr;  ///< an operand's values, unless `scalar` or `owns`
  bool scalar = false;
  std::int64_t value = 0;  ///< the value at every position when `scalar`
  bool owns = false;
  PerPosition<std::int64_t> owned;

  [[nodiscard]] const std::int64_t* values() const { return owns ? owned.data() : data; }
  [[nodiscard]] std::int64_t at(std::size_t i) const { return scalar ? value : values()[i]; }
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
    if (c.scalar) return IntColumn{c.kind, PerPosition<std::int64_t>(d_n, c.value)};
    if (!c.owns) return IntColumn{c.kind, PerPosition<std::int64_t>(c.data, c.data + d_n)};
    return IntColumn{c.kind, std::move(c.owned)};
  }

 private:
  // Where a result goes: into `a`'s own values when it has them, else `b`'s, else a new
  // column. Each position is read before it is written, so writing in place is safe.
  Col& target(Col& a, Col& b, Col& fresh) const {
    if (a.owns) return a;
    if (b.owns) return b;
    fresh.owns = true;
    fresh.owned.resize(d_n);
    return fresh;
  }

  // f applied at every position; a constant stays a constant.
  template <typename F>
  Col map(Col& a, IntKind kind, F f) const {
    if (a.scalar) {
      a.value = f(a.value);
      a.kind = kind;
      return std::move(a);
    }
    Col fresh;
    Col& out = target(a, a, fresh);
    const std::int64_t* x = a.values();
    for (std::size_t i = 0; i < d_n; ++i) out.owned[i] = f(x[i]);
    out.kind = kind;
    return std::move(out);
  }

  // f applied to the two operands at every position (reading both before writing).
  template <typename F>
  Col combine(Col& a, Col& b, IntKind kind, F f) const {
    if (a.scalar && b.scalar) {
      a.value = f(a.value, b.value);
      a.kind = kind;
      return std::move(a);
    }
    Col fresh;
    Col& out = target(a, b, fresh);
    for (std::size_t i = 0; i < d_n; ++i) out.owned[i] = f(a.at(i), b.at(i));
    out.kind = kind;
    return std::move(out);
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
    Col fresh;
    Col& out = t->owns || f->owns ? target(*t, *f, fresh) : target(*c, *c, fresh);
    for (std::size_t i = 0; i < d_n; ++i) out.owned[i] = c->at(i) != 0 ? t->at(i) : f->at(i);
    out.kind = kind;
    return std::move(out);
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

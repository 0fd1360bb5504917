// lib/interp/detail/int_columns.cpp - Python's int and bool rules as loops over int64 columns.
#include "lib/interp/detail/int_columns.h"

#include <algorithm>

namespace rasp::interp::detail {
namespace {

using ir::BinaryOp;
using ir::ExprOp;
using ir::Kind;
using ir::Value;

using Maybe = std::optional<IntColumn>;

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

class ColumnEvaluator {
 public:
  ColumnEvaluator(std::span<const IntOperand> vars, std::size_t n) : d_vars(vars), d_n(n) {}

  Maybe eval(const ir::ExprNode& e) {
    switch (e.op) {
      case ExprOp::Const: {
        auto k = kind_of(e.value);
        if (!k) return std::nullopt;
        return IntColumn{*k, std::vector<std::int64_t>(d_n, e.value.num())};
      }
      case ExprOp::Var: {
        const IntOperand& v = d_vars[static_cast<std::size_t>(e.var)];
        return IntColumn{v.kind, std::vector<std::int64_t>(v.values, v.values + d_n)};
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
        for (std::size_t i = 0; i < d_n; ++i) {
          a->values[i] = both ? (a->values[i] != 0 && b->values[i] != 0)
                              : (a->values[i] != 0 || b->values[i] != 0);
        }
        a->kind = IntKind::Bool;
        return a;
      }
      default:
        break;
    }
    auto a = eval(*e.args[0]);
    if (!a) return a;
    auto& v = a->values;
    switch (e.op) {
      case ExprOp::Neg:
        for (auto& x : v) {
          if (x == INT64_MIN) return std::nullopt;
          x = -x;
        }
        a->kind = IntKind::Int;
        return a;
      case ExprOp::Not:
        for (auto& x : v) x = x == 0;
        a->kind = IntKind::Bool;
        return a;
      case ExprOp::ToBool:
        for (auto& x : v) x = x != 0;
        a->kind = IntKind::Bool;
        return a;
      case ExprOp::Indicator:
        for (auto& x : v) x = x != 0;
        a->kind = IntKind::Int;
        return a;
      case ExprOp::Round:
      case ExprOp::ToInt:
        a->kind = IntKind::Int;
        return a;
      case ExprOp::In:
        for (auto& x : v) {
          std::int64_t y = x;
          x = std::any_of(e.table_values.begin(), e.table_values.end(),
                          [&](const Value& m) { return equals_int(m, y); });
        }
        a->kind = IntKind::Bool;
        return a;
      case ExprOp::Lookup:
        return lookup(e, std::move(*a));
      default:
        return std::nullopt;  // floats and strings
    }
  }

 private:
  Maybe lookup(const ir::ExprNode& e, IntColumn index) {
    auto table = int_table(e.table_values);
    if (!table || e.table_values.empty()) return std::nullopt;
    auto size = static_cast<std::int64_t>(table->values.size());
    for (auto& x : index.values) {
      if (e.table_kind == ir::TableKind::Dict) {
        auto it = std::find_if(e.table_keys.begin(), e.table_keys.end(),
                               [&](const Value& k) { return equals_int(k, x); });
        if (it == e.table_keys.end()) return std::nullopt;
        x = table->values[static_cast<std::size_t>(it - e.table_keys.begin())];
      } else {
        if (x >= size || x < -size) return std::nullopt;
        x = table->values[static_cast<std::size_t>(x < 0 ? x + size : x)];
      }
    }
    index.kind = table->kind;
    return index;
  }

  Maybe ite(const ir::ExprNode& e) {
    auto c = eval(*e.args[0]);
    if (!c) return c;
    auto t = eval(*e.args[1]);
    if (!t) return t;
    auto f = eval(*e.args[2]);
    if (!f) return f;
    if (t->kind != f->kind) return std::nullopt;
    for (std::size_t i = 0; i < d_n; ++i) {
      if (c->values[i] == 0) t->values[i] = f->values[i];
    }
    return t;
  }

  Maybe binary(const ir::ExprNode& e) {
    auto a = eval(*e.args[0]);
    if (!a) return a;
    auto b = eval(*e.args[1]);
    if (!b) return b;
    auto& x = a->values;
    const auto& y = b->values;
    bool overflow = false;
    auto compare = [&](auto cmp) {
      for (std::size_t i = 0; i < d_n; ++i) x[i] = cmp(x[i], y[i]);
      a->kind = IntKind::Bool;
      return std::move(a);
    };
    switch (e.bop) {
      case BinaryOp::Add:
        for (std::size_t i = 0; i < d_n; ++i) overflow |= __builtin_add_overflow(x[i], y[i], &x[i]);
        break;
      case BinaryOp::Sub:
        for (std::size_t i = 0; i < d_n; ++i) overflow |= __builtin_sub_overflow(x[i], y[i], &x[i]);
        break;
      case BinaryOp::Mul:
        for (std::size_t i = 0; i < d_n; ++i) overflow |= __builtin_mul_overflow(x[i], y[i], &x[i]);
        break;
      case BinaryOp::Mod:
        for (std::size_t i = 0; i < d_n; ++i) {
          if (y[i] == 0) return std::nullopt;
          if (y[i] == -1) {
            x[i] = 0;  // also INT64_MIN % -1, which C++ leaves undefined
            continue;
          }
          std::int64_t r = x[i] % y[i];
          if (r != 0 && ((r < 0) != (y[i] < 0))) r += y[i];
          x[i] = r;
        }
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
      case BinaryOp::Max:
        // The reference returns one operand itself, so its kind would vary by position.
        if (a->kind != b->kind) return std::nullopt;
        for (std::size_t i = 0; i < d_n; ++i) {
          bool take_a = e.bop == BinaryOp::Min ? x[i] < y[i] : x[i] > y[i];
          if (!take_a) x[i] = y[i];
        }
        return a;
      default:
        return std::nullopt;  // `/` makes floats; `^` is left to the exact path
    }
    if (overflow) return std::nullopt;
    a->kind = IntKind::Int;
    return a;
  }

  std::span<const IntOperand> d_vars;
  std::size_t d_n;
};

}  // namespace

std::optional<IntColumn> eval_int_columns(const ir::ExprNode& e, std::span<const IntOperand> vars,
                                          std::size_t n) {
  return ColumnEvaluator(vars, n).eval(e);
}

}  // namespace rasp::interp::detail

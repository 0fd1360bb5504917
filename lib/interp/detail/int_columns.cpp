// lib/interp/detail/int_columns.cpp - Python's int and bool rules as loops over int64 columns.

// GCC 12 at -O3 sees moving a boost small_vector whose values are inline as a memmove that
// may read past the inline buffer (it cannot: the size is at most the inline capacity
// there); a false positive, silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif

#include "lib/interp/detail/int_columns.h"

#include <algorithm>
#include <array>

#include "lib/interp/detail/compare.h"

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

// Calls f with +, - or * (`op`) on int64s as a function object (x, y, &result) that is
// true when the result overflows.
template <typename F>
decltype(auto) with_arithmetic(BinaryOp op, F f) {
  switch (op) {
    case BinaryOp::Add:
      return f([](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_add_overflow(x, y, r); });
    case BinaryOp::Sub:
      return f([](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_sub_overflow(x, y, r); });
    default:
      return f([](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_mul_overflow(x, y, r); });
  }
}

// A constant table whose entries are all of one int kind, as int64s.
struct IntTable {
  IntKind kind = IntKind::Int;
  PerPosition<std::int64_t> values;
};
std::optional<IntTable> int_table(const std::vector<Value>& values) {
  IntTable t;
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

// A column during evaluation: an operand read in place, a constant, or values in one of
// the evaluator's buffers that the next operation overwrites in place. A few words, so
// passing one around copies no values.
struct Col {
  IntKind kind = IntKind::Int;
  const std::int64_t* data = nullptr;  ///< an operand's values, unless `scalar` or `owned`
  bool scalar = false;
  std::int64_t value = 0;  ///< the value at every position when `scalar`
  std::int64_t* owned = nullptr;  ///< the evaluator's buffer holding the values

  [[nodiscard]] const std::int64_t* values() const { return owned ? owned : data; }
  [[nodiscard]] std::int64_t at(std::size_t i) const { return scalar ? value : values()[i]; }
};

using MaybeCol = std::optional<Col>;

class ColumnEvaluator {
 public:
  ColumnEvaluator(std::span<const IntOperand> vars, std::size_t n) : d_vars(vars), d_n(n) {}
  ColumnEvaluator(const ColumnEvaluator&) = delete;
  ColumnEvaluator& operator=(const ColumnEvaluator&) = delete;
  // A long input's buffers are given back rather than kept for the thread's lifetime.
  ~ColumnEvaluator() {
    for (std::size_t b = 0; b < d_used; ++b) {
      if (d_buffers[b].capacity() > 4096) d_buffers[b] = {};
    }
  }

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

  // The finished column's values, into `out`.
  void finish(const Col& c, PerPosition<std::int64_t>& out) const {
    if (c.scalar) {
      out.assign(d_n, c.value);
    } else {
      out.assign(c.values(), c.values() + d_n);
    }
  }

 private:
  // Where a result goes: into `a`'s buffer when it has one, else `b`'s, else a new buffer
  // (null when all are taken: the caller gives up). Each position is read before it is
  // written, so writing in place is safe.
  Col* target(Col& a, Col& b, Col& fresh) {
    if (a.owned) return &a;
    if (b.owned) return &b;
    if (d_used == d_buffers.size()) return nullptr;
    PerPosition<std::int64_t>& buffer = d_buffers[d_used++];
    buffer.resize(d_n);
    fresh.owned = buffer.data();
    return &fresh;
  }

  // f applied at every position; a constant stays a constant.
  template <typename F>
  MaybeCol map(Col& a, IntKind kind, F f) {
    if (a.scalar) {
      a.value = f(a.value);
      a.kind = kind;
      return a;
    }
    Col fresh;
    Col* out = target(a, a, fresh);
    if (!out) return std::nullopt;
    const std::int64_t* x = a.values();
    for (std::size_t i = 0; i < d_n; ++i) out->owned[i] = f(x[i]);
    out->kind = kind;
    return *out;
  }

  // f applied to the two operands at every position (reading both before writing).
  template <typename F>
  MaybeCol combine(Col& a, Col& b, IntKind kind, F f) {
    if (a.scalar && b.scalar) {
      a.value = f(a.value, b.value);
      a.kind = kind;
      return a;
    }
    Col fresh;
    Col* out = target(a, b, fresh);
    if (!out) return std::nullopt;
    for (std::size_t i = 0; i < d_n; ++i) out->owned[i] = f(a.at(i), b.at(i));
    out->kind = kind;
    return *out;
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
    if (c->scalar && c->value != 0) return t;
    if (c->scalar) return f;
    IntKind kind = t->kind;
    Col fresh;
    Col* out = t->owned || f->owned ? target(*t, *f, fresh) : target(*c, *c, fresh);
    if (!out) return std::nullopt;
    for (std::size_t i = 0; i < d_n; ++i) out->owned[i] = c->at(i) != 0 ? t->at(i) : f->at(i);
    out->kind = kind;
    return *out;
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
    MaybeCol r;
    switch (e.bop) {
      case BinaryOp::Add:
      case BinaryOp::Sub:
      case BinaryOp::Mul:
        r = with_arithmetic(e.bop, checked);
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
      case BinaryOp::Ne:
      case BinaryOp::Lt:
      case BinaryOp::Le:
      case BinaryOp::Gt:
      case BinaryOp::Ge:
        return with_compare(e.bop, compare);
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
  /// Buffers for results, taken in turn (an expression needs one per operation whose
  /// operands have none); more than these and the caller takes the generic path. The
  /// thread's, reused by every evaluation on it.
  std::array<PerPosition<std::int64_t>, 12>& d_buffers = thread_buffers();
  std::size_t d_used = 0;

  static std::array<PerPosition<std::int64_t>, 12>& thread_buffers() {
    thread_local std::array<PerPosition<std::int64_t>, 12> buffers;
    return buffers;
  }
};

// An operand of a one-operation expression: a column read in place, or a constant.
struct Leaf {
  IntKind kind = IntKind::Int;
  const std::int64_t* data = nullptr;
  std::int64_t value = 0;  ///< when `data` is null
};

std::optional<Leaf> leaf(const ir::ExprNode& e, std::span<const IntOperand> vars) {
  if (e.op == ExprOp::Var) {
    const IntOperand& v = vars[static_cast<std::size_t>(e.var)];
    return Leaf{v.kind, v.values, 0};
  }
  if (e.op != ExprOp::Const) return std::nullopt;
  auto k = kind_of(e.value);
  if (!k) return std::nullopt;
  return Leaf{*k, nullptr, e.value.num()};
}

// out[i] = f(a[i], b[i]) with each constant read once, so the loop is over columns alone.
template <typename F>
void apply(const Leaf& a, const Leaf& b, std::size_t n, std::int64_t* out, F f) {
  if (a.data && b.data) {
    for (std::size_t i = 0; i < n; ++i) out[i] = f(a.data[i], b.data[i]);
  } else if (a.data) {
    for (std::size_t i = 0; i < n; ++i) out[i] = f(a.data[i], b.value);
  } else if (b.data) {
    for (std::size_t i = 0; i < n; ++i) out[i] = f(a.value, b.data[i]);
  } else {
    std::fill(out, out + n, f(a.value, b.value));
  }
}

enum class Flat : std::uint8_t { No, Declined, Done };

// One operation on operands and constants (`x == 1`, `not x`, `x and y`, `x - 1`, a
// conditional of three), the shape most maps of a lowered program have: computed straight
// into `out`, with the evaluator's rules and its declines. Flat::No for other shapes.
Flat eval_flat(const ir::ExprNode& e, std::span<const IntOperand> vars, std::size_t n, PerPosition<std::int64_t>& out,
               IntKind& kind) {
  Leaf l[3];
  std::size_t arity = e.args.size();
  if (arity == 0 || arity > 3) return Flat::No;
  for (std::size_t a = 0; a < arity; ++a) {
    auto x = leaf(*e.args[a], vars);
    if (!x) return Flat::No;
    l[a] = *x;
  }
  out.resize(n);
  std::int64_t* o = out.data();
  Leaf none;
  auto unary = [&](IntKind k, auto f) {
    kind = k;
    apply(l[0], none, n, o, [&](std::int64_t x, std::int64_t) { return f(x); });
    return Flat::Done;
  };
  auto checked = [&](auto op) {
    bool fault = false;
    apply(l[0], l[1], n, o, [&](std::int64_t x, std::int64_t y) {
      std::int64_t r = 0;
      fault |= op(x, y, &r);
      return r;
    });
    kind = IntKind::Int;
    return fault ? Flat::Declined : Flat::Done;
  };
  auto compare = [&](auto cmp) {
    kind = IntKind::Bool;
    apply(l[0], l[1], n, o, [&](std::int64_t x, std::int64_t y) -> std::int64_t { return cmp(x, y); });
    return Flat::Done;
  };
  switch (arity == 1 ? e.op : ExprOp::Const) {
    case ExprOp::Not:
      return unary(IntKind::Bool, [](std::int64_t x) -> std::int64_t { return x == 0; });
    case ExprOp::ToBool:
      return unary(IntKind::Bool, [](std::int64_t x) -> std::int64_t { return x != 0; });
    case ExprOp::Indicator:
      return unary(IntKind::Int, [](std::int64_t x) -> std::int64_t { return x != 0; });
    case ExprOp::Round:
    case ExprOp::ToInt:
      return unary(IntKind::Int, [](std::int64_t x) { return x; });
    default:
      break;
  }
  if (arity == 3) {
    if (e.op != ExprOp::Ite) return Flat::No;
    if (l[1].kind != l[2].kind) return Flat::Declined;  // the kind would vary by position
    kind = l[1].kind;
    for (std::size_t i = 0; i < n; ++i) {
      std::int64_t c = l[0].data ? l[0].data[i] : l[0].value;
      const Leaf& pick = c != 0 ? l[1] : l[2];
      o[i] = pick.data ? pick.data[i] : pick.value;
    }
    return Flat::Done;
  }
  if (arity != 2) return Flat::No;
  if (e.op == ExprOp::And) return compare([](std::int64_t x, std::int64_t y) { return x != 0 && y != 0; });
  if (e.op == ExprOp::Or) return compare([](std::int64_t x, std::int64_t y) { return x != 0 || y != 0; });
  if (e.op != ExprOp::Binary) return Flat::No;
  switch (e.bop) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Mul:
      return with_arithmetic(e.bop, checked);
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      return with_compare(e.bop, compare);
    default:
      return Flat::No;  // %, min and max by the evaluator; `/` and `^` leave the int path
  }
}

}  // namespace

std::optional<IntKind> eval_int_columns(const ir::ExprNode& e, std::span<const IntOperand> vars, std::size_t n,
                                        PerPosition<std::int64_t>& out) {
  IntKind kind = IntKind::Int;
  switch (eval_flat(e, vars, n, out, kind)) {
    case Flat::Done:
      return kind;
    case Flat::Declined:
      return std::nullopt;
    case Flat::No:
      break;
  }
  ColumnEvaluator evaluator(vars, n);
  auto c = evaluator.eval(e);
  if (!c) return std::nullopt;
  evaluator.finish(*c, out);
  return c->kind;
}

}  // namespace rasp::interp::detail

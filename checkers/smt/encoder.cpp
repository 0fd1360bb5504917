// checkers/smt/encoder.cpp - Translation of RASP nodes and expressions into Z3 terms.
#include "checkers/smt/encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <span>
#include <unordered_map>
#include <unordered_set>

namespace rasp::check {
namespace {

using ir::BinaryOp;
using ir::ExprNode;
using ir::ExprOp;
using ir::Kind;
using ir::NodeId;
using ir::NodeKind;
using ir::Value;

/// Value sets larger than this are treated as unbounded.
constexpr std::size_t kMaxValueSet = 512;
/// Operand combinations a finite table may enumerate.
constexpr std::size_t kMaxProduct = 4096;

enum KindBits : std::uint8_t { kBool = 1, kInt = 2, kFloat = 4, kStr = 8, kNumber = 7 };

std::uint8_t kind_bit(Kind k) {
  switch (k) {
    case Kind::Bool:
      return kBool;
    case Kind::Int:
      return kInt;
    case Kind::Float:
      return kFloat;
    case Kind::String:
      return kStr;
  }
  return 0;
}

/// What is known statically of the atoms a node or expression produces at one position:
/// the kinds they may have and, when there are few, all of them (an over-approximation).
struct Shape {
  std::uint8_t kinds = 0;
  std::optional<std::vector<Value>> values;
};

Shape finite(const std::vector<Value>& values) {
  std::unordered_set<Value, ir::ValueHash, ir::ValueIdentical> seen;
  std::vector<Value> out;
  Shape s;
  for (const Value& v : values) {
    if (seen.insert(v).second) {
      out.push_back(v);
      s.kinds |= kind_bit(v.kind());
    }
  }
  if (out.size() <= kMaxValueSet) s.values = std::move(out);
  return s;
}

Shape unite(const Shape& a, const Shape& b) {
  if (a.values && b.values) {
    std::vector<Value> all = *a.values;
    all.insert(all.end(), b.values->begin(), b.values->end());
    return finite(all);
  }
  return Shape{static_cast<std::uint8_t>(a.kinds | b.kinds), std::nullopt};
}

Shape booleans() { return finite({Value::boolean(false), Value::boolean(true)}); }

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq && op <= BinaryOp::Ge; }

/// Calls `f` with every combination of one value from each set.
template <typename F>
void for_each_combination(const std::vector<const std::vector<Value>*>& sets, F f) {
  std::vector<std::size_t> at(sets.size(), 0);
  std::vector<Value> current(sets.size());
  for (const auto* s : sets) {
    if (s->empty()) return;
  }
  while (true) {
    for (std::size_t i = 0; i < sets.size(); ++i) current[i] = (*sets[i])[at[i]];
    f(current);
    std::size_t i = 0;
    while (i < sets.size() && ++at[i] == sets[i]->size()) at[i++] = 0;
    if (i == sets.size()) return;
  }
}

/// `e` applied to constant operands, with the interpreter's own arithmetic.
ir::ValueResult<Value> apply_concrete(const ExprNode& e, const std::vector<Value>& operands) {
  ExprNode copy = e;
  for (std::size_t i = 0; i < operands.size(); ++i) copy.args[i] = ir::make_const(operands[i]);
  return ir::evaluate(copy, {});
}

std::size_t product_size(const std::vector<Shape>& shapes) {
  std::size_t total = 1;
  for (const auto& s : shapes) {
    if (!s.values) return kMaxProduct + 1;
    total *= std::max<std::size_t>(s.values->size(), 1);
    if (total > kMaxProduct) return total;
  }
  return total;
}

Shape expr_shape(const ExprNode& e, std::span<const Shape> vars) {
  if (e.op == ExprOp::Const) return finite({e.value});
  if (e.op == ExprOp::Var) return vars[static_cast<std::size_t>(e.var)];
  std::vector<Shape> args;
  for (const auto& a : e.args) args.push_back(expr_shape(*a, vars));
  switch (e.op) {
    case ExprOp::Not:
    case ExprOp::And:
    case ExprOp::Or:
    case ExprOp::ToBool:
    case ExprOp::In:
      return booleans();
    case ExprOp::Indicator:
      return finite({Value::integer(0), Value::integer(1)});
    case ExprOp::Ite:
      return unite(args[1], args[2]);
    case ExprOp::Binary:
      if (is_comparison(e.bop)) return booleans();
      if (e.bop == BinaryOp::Min || e.bop == BinaryOp::Max) return unite(args[0], args[1]);
      break;
    case ExprOp::Lookup:
      if (!args[0].values) return finite(e.table_values);
      break;
    default:
      break;
  }
  if (product_size(args) <= kMaxProduct) {
    std::vector<const std::vector<Value>*> sets;
    for (const auto& a : args) sets.push_back(&*a.values);
    std::vector<Value> results;
    for_each_combination(sets, [&](const std::vector<Value>& operands) {
      if (auto r = apply_concrete(e, operands)) results.push_back(*r);
    });
    return finite(results);
  }
  // Unbounded operands: only the kinds, by Python's typing rules.
  auto numeric = [](std::uint8_t a, std::uint8_t b) {
    std::uint8_t r = 0;
    if ((a | b) & kFloat) r |= kFloat;
    if ((a & (kBool | kInt)) && (b & (kBool | kInt))) r |= kInt;
    return r;
  };
  Shape s;
  switch (e.op) {
    case ExprOp::Binary: {
      std::uint8_t a = args[0].kinds, b = args[1].kinds;
      switch (e.bop) {
        case BinaryOp::Div:
          s.kinds = kFloat;
          break;
        case BinaryOp::Pow:
          s.kinds = kInt | kFloat;
          break;
        default:
          s.kinds = numeric(a, b);
          if ((e.bop == BinaryOp::Add && (a & b & kStr)) ||
              (e.bop == BinaryOp::Mul && ((a & kStr) || (b & kStr)))) {
            s.kinds |= kStr;
          }
      }
      break;
    }
    case ExprOp::Neg:
      s.kinds = static_cast<std::uint8_t>(((args[0].kinds & (kBool | kInt)) ? kInt : 0) |
                                          (args[0].kinds & kFloat));
      break;
    case ExprOp::Round:
    case ExprOp::ToInt:
      s.kinds = kInt;
      break;
    case ExprOp::ToFloat:
      s.kinds = kFloat;
      break;
    case ExprOp::ToStr:
      s.kinds = kStr;
      break;
    case ExprOp::Lookup:
      return finite(e.table_values);
    default:
      s.kinds = kNumber | kStr;
  }
  return s;
}

tl::unexpected<Diagnostics> unsupported(const std::string& what) {
  return fail(code::kUnsupported, "the SMT encoder cannot translate " + what + " exactly");
}

void collect_strings(const ExprNode& e, std::span<const Shape> vars,
                     std::unordered_set<std::string>& out) {
  auto add = [&](const Value& v) {
    if (v.is_string()) out.insert(v.str());
  };
  if (e.op == ExprOp::Const) add(e.value);
  for (const auto& v : e.table_keys) add(v);
  for (const auto& v : e.table_values) add(v);
  Shape s = expr_shape(e, vars);
  if (s.values) {
    for (const auto& v : *s.values) add(v);
  }
  for (const auto& a : e.args) collect_strings(*a, vars, out);
}

using Cells = std::vector<std::vector<z3::expr>>;

}  // namespace

class Encoder::Impl {
 public:
  Impl(z3::context& ctx, std::size_t length, const EncodeOptions& options,
       const std::vector<ProgramRef>& programs)
      : d_ctx(ctx),
        d_length(length),
        d_first(options.semantics.bos ? 1 : 0),
        d_npos(length + (options.semantics.bos ? 1 : 0)),
        d_options(options),
        d_programs(programs),
        d_faults(ctx) {
    for (std::size_t i = 0; i < length; ++i) {
      d_tokens.push_back(ctx.int_const(fmt::format("tok{}", i).c_str()));
    }
  }

  /// Value sets of every node, and from them the string table.
  Result<void> analyse() {
    std::unordered_set<std::string> strings;
    d_shapes.resize(d_programs.size());
    for (std::size_t w = 0; w < d_programs.size(); ++w) {
      const ir::Program& program = *d_programs[w].program;
      auto& shapes = d_shapes[w];
      shapes.assign(program.size(), Shape{});
      for (NodeId id : program.ancestors(d_programs[w].root)) {
        auto s = node_shape(program, id, shapes);
        if (!s) return tl::unexpected(s.error());
        shapes[id] = *s;
        const ir::Node& node = program.node(id);
        if (s->values) {
          for (const auto& v : *s->values) {
            if (v.is_string()) strings.insert(v.str());
          }
        }
        if (node.value.is_string()) strings.insert(node.value.str());
        // The tokens' strings even where the shape gave up listing values (a vocabulary of
        // hundreds of symbols): every input symbol must have its place in the table.
        if (node.kind == NodeKind::Tokens) {
          for (const Value& raw : d_options.vocabulary) {
            auto v = ir::convert_token(node.token_type, raw);
            if (v && v->is_string()) strings.insert(v->str());
          }
          if (d_options.semantics.bos) {
            if (Value b = ir::bos_token(node.token_type); b.is_string()) strings.insert(b.str());
          }
        }
        if (node.expr) {
          std::vector<Shape> vars;
          for (NodeId in : node.inputs) vars.push_back(shapes[in]);
          if (node.kind == NodeKind::Select) vars = {shapes[node.inputs[0]], shapes[node.inputs[1]]};
          collect_strings(*node.expr, vars, strings);
        }
      }
    }
    d_strings.assign(strings.begin(), strings.end());
    std::sort(d_strings.begin(), d_strings.end());
    for (std::size_t i = 0; i < d_strings.size(); ++i) d_string_index[d_strings[i]] = static_cast<int>(i);
    return {};
  }

  Result<EncodedRoot> encode(std::size_t which) {
    const ir::Program& program = *d_programs[which].program;
    d_faults = z3::expr_vector(d_ctx);
    d_columns.assign(program.size(), std::nullopt);
    d_matrices.assign(program.size(), std::nullopt);
    d_own_faults.assign(program.size(), std::nullopt);
    d_upstream_faults.assign(program.size(), std::nullopt);
    const auto& shapes = d_shapes[which];
    for (NodeId id : program.ancestors(d_programs[which].root)) {
      unsigned before = d_faults.size();
      auto ok = encode_node(program, id, shapes);
      if (!ok) {
        Diagnostics diags = ok.error();
        for (auto& d : diags) {
          if (!d.range.known()) d.range = program.node(id).range;
        }
        return tl::unexpected(diags);
      }
      z3::expr_vector own(d_ctx);
      for (unsigned i = before; i < d_faults.size(); ++i) own.push_back(d_faults[static_cast<int>(i)]);
      d_own_faults[id] = z3::mk_or(own).simplify();
      z3::expr_vector upstream(d_ctx);
      upstream.push_back(*d_own_faults[id]);
      for (NodeId in : program.node(id).inputs) upstream.push_back(*d_upstream_faults[in]);
      d_upstream_faults[id] = z3::mk_or(upstream).simplify();
    }
    return encoded_node(d_programs[which].root, z3::mk_or(d_faults).simplify());
  }

  /// A node of the program last encoded, at the positions the user sees.
  EncodedRoot encoded_node(NodeId root, const z3::expr& fault) const {
    EncodedRoot out{false, {}, {}, fault};
    if (d_matrices[root]) {
      out.is_selector = true;
      for (std::size_t q = d_first; q < d_npos; ++q) {
        std::vector<z3::expr> row;
        for (std::size_t k = d_first; k < d_npos; ++k) row.push_back((*d_matrices[root])[q][k]);
        out.matrix.push_back(std::move(row));
      }
    } else {
      const auto& col = *d_columns[root];
      out.values.assign(col.begin() + static_cast<std::ptrdiff_t>(d_first), col.end());
    }
    return out;
  }

  z3::expr domain() const {
    z3::expr_vector parts(d_ctx);
    auto size = static_cast<int>(d_options.vocabulary.size());
    for (const auto& t : d_tokens) {
      parts.push_back(t >= 0);
      parts.push_back(t < size);
    }
    return z3::mk_and(parts);
  }

  std::vector<Value> decode(const z3::model& model) const {
    std::vector<Value> input;
    for (const auto& t : d_tokens) {
      std::int64_t i = model.eval(t, true).get_numeral_int64();
      input.push_back(d_options.vocabulary[static_cast<std::size_t>(i)]);
    }
    return input;
  }

  Value value_in(const z3::model& model, const SymValue& s) const {
    if (s.str && (!s.num || model.eval(*s.is_str, true).is_true())) {
      return Value::string(d_strings[static_cast<std::size_t>(model.eval(*s.str, true).get_numeral_int64())]);
    }
    z3::expr v = model.eval(*s.num, true);
    switch (s.num_rep) {
      case NumRep::Bool:
        return Value::boolean(v.is_true());
      case NumRep::Int:
        return Value::integer(v.get_numeral_int64());
      case NumRep::Real:
        break;
    }
    std::int64_t num = 0, den = 1;
    bool ok = v.numerator().is_numeral_i64(num) && v.denominator().is_numeral_i64(den);
    assert(ok && "model values of small programs fit 64 bits");
    (void)ok;
    return *Value::rational(num, den);
  }

  // ---- Symbolic atoms -------------------------------------------------------------------

  SymValue num(const z3::expr& e, NumRep rep) const {
    SymValue s;
    s.num = e;
    s.num_rep = rep;
    return s;
  }
  /// The interpreter computes with 64-bit integers and fractions of them (E0208 past
  /// that): a result whose value is outside [INT64_MIN, INT64_MAX] is a fault there, so a
  /// fault here. (A fraction whose numerator or denominator alone outgrows 64 bits while
  /// its value does not is not modelled; README says so.)
  z3::expr out_of_range(const z3::expr& x, NumRep rep) const {
    if (rep == NumRep::Bool) return d_ctx.bool_val(false);
    constexpr auto lo = std::numeric_limits<std::int64_t>::min();
    constexpr auto hi = std::numeric_limits<std::int64_t>::max();
    if (rep == NumRep::Int) return x < d_ctx.int_val(lo) || x > d_ctx.int_val(hi);
    return x < d_ctx.real_val(lo) || x > d_ctx.real_val(hi);
  }
  /// `num(x, rep)`, faulting under `guard` where x leaves the 64-bit range.
  SymValue checked(const z3::expr& x, NumRep rep, const z3::expr& guard) {
    fault(guard && out_of_range(x, rep));
    return num(x, rep);
  }
  SymValue str(const z3::expr& e) const {
    SymValue s;
    s.str = e;
    return s;
  }
  static bool mixed(const SymValue& s) { return s.str && s.num; }
  z3::expr is_str(const SymValue& s) const {
    if (mixed(s)) return *s.is_str;
    return d_ctx.bool_val(s.str.has_value());
  }
  static SymValue str_view(const SymValue& s) {
    SymValue r;
    r.str = s.str;
    return r;
  }
  static SymValue num_view(const SymValue& s) {
    SymValue r;
    r.num = s.num;
    r.num_rep = s.num_rep;
    return r;
  }

  Result<SymValue> constant(const Value& v) const {
    switch (v.kind()) {
      case Kind::String: {
        auto it = d_string_index.find(v.str());
        if (it == d_string_index.end()) {
          return unsupported(fmt::format("the string {} (missing from the string table)", v.repr()));
        }
        return str(d_ctx.int_val(it->second));
      }
      case Kind::Bool:
        return num(d_ctx.bool_val(v.as_bool()), NumRep::Bool);
      case Kind::Int:
        return num(d_ctx.int_val(v.num()), NumRep::Int);
      case Kind::Float:
        return num(d_ctx.real_val(fmt::format("{}/{}", v.num(), v.den()).c_str()), NumRep::Real);
    }
    return unsupported("an unknown atom");
  }

  z3::expr as_rep(const z3::expr& e, NumRep from, NumRep to) const {
    if (from == to) return e;
    if (from == NumRep::Bool) {
      return to == NumRep::Int ? z3::ite(e, d_ctx.int_val(1), d_ctx.int_val(0))
                               : z3::ite(e, d_ctx.real_val(1), d_ctx.real_val(0));
    }
    assert(from == NumRep::Int && to == NumRep::Real && "numbers only widen");
    return z3::to_real(e);
  }
  z3::expr as_int(const SymValue& s) const {
    return as_rep(*s.num, s.num_rep, std::max(s.num_rep, NumRep::Int));
  }
  z3::expr as_real(const SymValue& s) const { return as_rep(*s.num, s.num_rep, NumRep::Real); }
  z3::expr floor_of(const z3::expr& real) const {
    return z3::expr(d_ctx, Z3_mk_real2int(d_ctx, real));
  }

  /// `c ? a : b`, keeping both classes when they differ.
  SymValue merge(const z3::expr& c, const SymValue& a, const SymValue& b) const {
    if (c.is_true()) return a;
    if (c.is_false()) return b;
    SymValue r;
    if (a.num && b.num) {
      NumRep rep = std::max(a.num_rep, b.num_rep);
      r.num = z3::ite(c, as_rep(*a.num, a.num_rep, rep), as_rep(*b.num, b.num_rep, rep));
      r.num_rep = rep;
    } else if (a.num || b.num) {
      r.num = a.num ? a.num : b.num;
      r.num_rep = a.num ? a.num_rep : b.num_rep;
    }
    if (a.str && b.str) {
      r.str = z3::ite(c, *a.str, *b.str);
    } else if (a.str || b.str) {
      r.str = a.str ? a.str : b.str;
    }
    if (r.num && r.str) r.is_str = z3::ite(c, is_str(a), is_str(b));
    return r;
  }

  z3::expr truthy(const SymValue& s) const {
    if (mixed(s)) return z3::ite(*s.is_str, truthy(str_view(s)), truthy(num_view(s)));
    if (s.str) {
      auto it = d_string_index.find("");
      if (it == d_string_index.end()) return d_ctx.bool_val(true);
      return *s.str != d_ctx.int_val(it->second);
    }
    if (s.num_rep == NumRep::Bool) return *s.num;
    if (s.num_rep == NumRep::Int) return *s.num != 0;
    return *s.num != d_ctx.real_val(0);
  }

  z3::expr py_equal(const SymValue& a, const SymValue& b) const {
    if (mixed(a)) return z3::ite(*a.is_str, py_equal(str_view(a), b), py_equal(num_view(a), b));
    if (mixed(b)) return z3::ite(*b.is_str, py_equal(a, str_view(b)), py_equal(a, num_view(b)));
    if (a.str && b.str) return *a.str == *b.str;
    if (a.num && b.num) {
      NumRep rep = std::max(a.num_rep, b.num_rep);
      return as_rep(*a.num, a.num_rep, rep) == as_rep(*b.num, b.num_rep, rep);
    }
    return d_ctx.bool_val(false);
  }

  /// An ordering comparison; comparing a string with a number is Python's TypeError.
  z3::expr ordered(BinaryOp op, const SymValue& a, const SymValue& b, const z3::expr& guard) {
    z3::expr l(d_ctx), r(d_ctx);
    if (a.str && b.str) {
      l = *a.str;
      r = *b.str;
    } else if (a.num && b.num) {
      NumRep rep = std::max({a.num_rep, b.num_rep, NumRep::Int});
      l = as_rep(*a.num, a.num_rep, rep);
      r = as_rep(*b.num, b.num_rep, rep);
    } else {
      fault(guard);
      return d_ctx.bool_val(false);
    }
    switch (op) {
      case BinaryOp::Lt:
        return l < r;
      case BinaryOp::Le:
        return l <= r;
      case BinaryOp::Gt:
        return l > r;
      default:
        return l >= r;
    }
  }

  void fault(const z3::expr& cond) {
    if (!cond.is_false()) d_faults.push_back(cond);
  }

  // ---- Expressions ----------------------------------------------------------------------

  Result<SymValue> encode_expr(const ExprNode& e, std::span<const SymValue> vars,
                               std::span<const Shape> shapes, const z3::expr& guard) {
    switch (e.op) {
      case ExprOp::Const:
        return constant(e.value);
      case ExprOp::Var:
        return vars[static_cast<std::size_t>(e.var)];
      case ExprOp::Ite: {
        // Only the branch taken is evaluated, so only its faults count.
        auto c = encode_expr(*e.args[0], vars, shapes, guard);
        if (!c) return c;
        z3::expr cond = truthy(*c).simplify();
        auto t = encode_expr(*e.args[1], vars, shapes, guard && cond);
        if (!t) return t;
        auto f = encode_expr(*e.args[2], vars, shapes, guard && !cond);
        if (!f) return f;
        return merge(cond, *t, *f);
      }
      default:
        break;
    }
    std::vector<SymValue> args;
    for (const auto& a : e.args) {
      auto s = encode_expr(*a, vars, shapes, guard);
      if (!s) return s;
      args.push_back(*s);
    }
    return apply_split(e, args, shapes, vars, guard);
  }

  /// Splits operands that may be a string or a number into the two cases.
  Result<SymValue> apply_split(const ExprNode& e, std::vector<SymValue> args,
                               std::span<const Shape> shapes, std::span<const SymValue> vars,
                               const z3::expr& guard) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (!mixed(args[i])) continue;
      z3::expr c = *args[i].is_str;
      SymValue whole = args[i];
      args[i] = str_view(whole);
      auto s = apply_split(e, args, shapes, vars, guard && c);
      if (!s) return s;
      args[i] = num_view(whole);
      auto n = apply_split(e, args, shapes, vars, guard && !c);
      if (!n) return n;
      return merge(c, *s, *n);
    }
    return apply_op(e, args, shapes, guard);
  }

  SymValue zero() const { return num(d_ctx.int_val(0), NumRep::Int); }

  Result<SymValue> apply_op(const ExprNode& e, const std::vector<SymValue>& args,
                            std::span<const Shape> shapes, const z3::expr& guard) {
    const SymValue& a = args[0];
    switch (e.op) {
      case ExprOp::Neg:
        if (!a.num) {
          fault(guard);
          return zero();
        }
        return checked(-*(a.num_rep == NumRep::Real ? a.num : std::optional(as_int(a))),
                       std::max(a.num_rep, NumRep::Int), guard);
      case ExprOp::Not:
        return num(!truthy(a), NumRep::Bool);
      case ExprOp::And:
        return num(truthy(a) && truthy(args[1]), NumRep::Bool);
      case ExprOp::Or:
        return num(truthy(a) || truthy(args[1]), NumRep::Bool);
      case ExprOp::ToBool:
        return num(truthy(a), NumRep::Bool);
      case ExprOp::Indicator:
        return num(z3::ite(truthy(a), d_ctx.int_val(1), d_ctx.int_val(0)), NumRep::Int);
      case ExprOp::Round: {
        if (!a.num) {
          fault(guard);
          return zero();
        }
        if (a.num_rep != NumRep::Real) return num(as_int(a), NumRep::Int);
        // Ties go to the even neighbour (Python's round).
        z3::expr fl = floor_of(*a.num);
        z3::expr frac = *a.num - z3::to_real(fl);
        z3::expr half = d_ctx.real_val(1, 2);
        z3::expr up = frac > half || (frac == half && z3::mod(fl, 2) == 1);
        return num(z3::ite(up, fl + 1, fl), NumRep::Int);
      }
      case ExprOp::ToInt:
        if (!a.num) break;
        if (a.num_rep != NumRep::Real) return num(as_int(a), NumRep::Int);
        // int() truncates towards zero.
        return num(z3::ite(*a.num >= 0, floor_of(*a.num), -floor_of(-*a.num)), NumRep::Int);
      case ExprOp::ToFloat:
        if (!a.num) break;
        return num(as_real(a), NumRep::Real);
      case ExprOp::In: {
        z3::expr_vector any(d_ctx);
        for (const auto& m : e.table_values) {
          auto c = constant(m);
          if (!c) return c;
          any.push_back(py_equal(a, *c));
        }
        return num(z3::mk_or(any), NumRep::Bool);
      }
      case ExprOp::Lookup:
        return lookup(e, a, shapes, guard);
      case ExprOp::Binary:
        return binary(e, a, args[1], shapes, guard);
      default:
        break;
    }
    return tabulate(e, args, shapes, guard);
  }

  Result<SymValue> lookup(const ExprNode& e, const SymValue& a, std::span<const Shape> shapes,
                          const z3::expr& guard) {
    const auto& values = e.table_values;
    if (values.empty()) {
      fault(guard);
      return zero();
    }
    std::vector<std::pair<z3::expr, Value>> cases;
    if (e.table_kind == ir::TableKind::Dict) {
      for (std::size_t i = 0; i < e.table_keys.size(); ++i) {
        auto k = constant(e.table_keys[i]);
        if (!k) return tl::unexpected(k.error());
        cases.emplace_back(py_equal(a, *k), values[i]);
      }
    } else {
      if (!a.num) {
        fault(guard);  // list indices must be integers
        return constant(values[0]);
      }
      if (a.num_rep == NumRep::Real) {
        Shape s = expr_shape(*e.args[0], shapes);
        if (s.kinds & (kBool | kInt)) {
          return unsupported("a list index that may be an int or a float");
        }
        fault(guard);
        return constant(values[0]);
      }
      z3::expr i = as_int(a);
      auto size = static_cast<std::int64_t>(values.size());
      for (std::int64_t k = -size; k < size; ++k) {
        cases.emplace_back(i == d_ctx.int_val(k), values[static_cast<std::size_t>(k < 0 ? k + size : k)]);
      }
    }
    z3::expr_vector hit(d_ctx);
    for (const auto& c : cases) hit.push_back(c.first);
    fault(guard && !z3::mk_or(hit));
    auto result = constant(cases.back().second);
    if (!result) return result;
    for (std::size_t i = cases.size() - 1; i-- > 0;) {
      auto v = constant(cases[i].second);
      if (!v) return v;
      result = merge(cases[i].first, *v, *result);
    }
    return result;
  }

  Result<SymValue> binary(const ExprNode& e, const SymValue& a, const SymValue& b,
                          std::span<const Shape> shapes, const z3::expr& guard) {
    switch (e.bop) {
      case BinaryOp::Eq:
        return num(py_equal(a, b), NumRep::Bool);
      case BinaryOp::Ne:
        return num(!py_equal(a, b), NumRep::Bool);
      case BinaryOp::Lt:
      case BinaryOp::Le:
      case BinaryOp::Gt:
      case BinaryOp::Ge:
        return num(ordered(e.bop, a, b, guard), NumRep::Bool);
      case BinaryOp::Min:
      case BinaryOp::Max: {
        // The reference's `a if a < b else b` (and `>` for max).
        z3::expr c = ordered(e.bop == BinaryOp::Min ? BinaryOp::Lt : BinaryOp::Gt, a, b, guard);
        return merge(c, a, b);
      }
      default:
        break;
    }
    if (a.str || b.str) {
      bool concat = e.bop == BinaryOp::Add && a.str && b.str;
      bool repeat = e.bop == BinaryOp::Mul && (a.str.has_value() != b.str.has_value());
      if (concat || repeat) return tabulate(e, {a, b}, shapes, guard);
      fault(guard);
      return zero();
    }
    NumRep rep = std::max({a.num_rep, b.num_rep, NumRep::Int});
    z3::expr x = as_rep(*a.num, a.num_rep, rep), y = as_rep(*b.num, b.num_rep, rep);
    switch (e.bop) {
      case BinaryOp::Add:
        return checked(x + y, rep, guard);
      case BinaryOp::Sub:
        return checked(x - y, rep, guard);
      case BinaryOp::Mul:
        return checked(x * y, rep, guard);
      case BinaryOp::Div: {
        fault(guard && as_real(b) == d_ctx.real_val(0));
        return checked(as_real(a) / as_real(b), NumRep::Real, guard && as_real(b) != d_ctx.real_val(0));
      }
      case BinaryOp::Mod: {
        fault(guard && as_real(b) == d_ctx.real_val(0));
        if (rep == NumRep::Int) {
          // Z3's mod is Euclidean (never negative); Python's takes the divisor's sign.
          z3::expr m = z3::mod(x, y);
          return num(z3::ite(y > 0 || m == 0, m, m + y), NumRep::Int);
        }
        return num(x - y * z3::to_real(floor_of(x / y)), NumRep::Real);
      }
      case BinaryOp::Pow: {
        const ExprNode& exponent = *e.args[1];
        if (exponent.op == ExprOp::Const && !exponent.value.is_float() &&
            !exponent.value.is_string() && exponent.value.num() >= -16 &&
            exponent.value.num() <= 16) {
          std::int64_t k = exponent.value.num();
          NumRep base_rep = std::max(a.num_rep, NumRep::Int);
          z3::expr base = as_rep(*a.num, a.num_rep, base_rep);
          z3::expr p = base_rep == NumRep::Int ? d_ctx.int_val(1) : d_ctx.real_val(1);
          for (std::int64_t i = 0; i < (k < 0 ? -k : k); ++i) p = p * base;
          if (k >= 0) return checked(p, base_rep, guard);
          fault(guard && as_real(a) == d_ctx.real_val(0));
          return checked(d_ctx.real_val(1) / as_rep(p, base_rep, NumRep::Real), NumRep::Real,
                         guard && as_real(a) != d_ctx.real_val(0));
        }
        return tabulate(e, {a, b}, shapes, guard);
      }
      default:
        break;
    }
    return unsupported(fmt::format("the operator {}", ir::binary_op_symbol(e.bop)));
  }

  /// An operation on operands with few values, as a table computed by the interpreter's
  /// arithmetic: covers str(), string concatenation and repetition, parsing strings.
  Result<SymValue> tabulate(const ExprNode& e, const std::vector<SymValue>& args,
                            std::span<const Shape> shapes, const z3::expr& guard) {
    std::vector<Shape> arg_shapes;
    for (const auto& a : e.args) arg_shapes.push_back(expr_shape(*a, shapes));
    if (product_size(arg_shapes) > kMaxProduct) {
      return unsupported(fmt::format("`{}` over operands with unbounded values", ir::to_string(
                                                                                   std::make_shared<const ExprNode>(e))));
    }
    std::vector<std::vector<Value>> sets;
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::vector<Value> vs;
      for (const Value& v : *arg_shapes[i].values) {
        // Only values of the class this case of the operand holds.
        if (v.is_string() == args[i].str.has_value()) vs.push_back(v);
      }
      // 1 == 1.0 == True in Z3, but not for str(): refuse what the encoding cannot tell apart.
      for (std::size_t x = 0; x < vs.size(); ++x) {
        for (std::size_t y = x + 1; y < vs.size(); ++y) {
          if (vs[x] == vs[y]) {
            return unsupported(fmt::format("an operation whose operand may be {} or {}",
                                           vs[x].repr(), vs[y].repr()));
          }
        }
      }
      sets.push_back(std::move(vs));
    }
    std::vector<const std::vector<Value>*> set_ptrs;
    for (const auto& s : sets) set_ptrs.push_back(&s);
    std::vector<std::pair<z3::expr, Value>> cases;
    std::optional<Diagnostics> error;
    z3::expr_vector covered(d_ctx);
    for_each_combination(set_ptrs, [&](const std::vector<Value>& operands) {
      if (error) return;
      z3::expr_vector conj(d_ctx);
      for (std::size_t i = 0; i < operands.size(); ++i) {
        auto c = constant(operands[i]);
        if (!c) {
          error = c.error();
          return;
        }
        conj.push_back(py_equal(args[i], *c));
      }
      z3::expr cond = z3::mk_and(conj);
      auto r = apply_concrete(e, operands);
      if (!r) {
        fault(guard && cond);
      } else {
        cases.emplace_back(cond, *r);
      }
    });
    if (error) return tl::unexpected(*error);
    if (cases.empty()) return zero();
    auto result = constant(cases.back().second);
    if (!result) return result;
    for (std::size_t i = cases.size() - 1; i-- > 0;) {
      auto v = constant(cases[i].second);
      if (!v) return v;
      result = merge(cases[i].first, *v, *result);
    }
    return result;
  }

  // ---- Nodes ----------------------------------------------------------------------------

  Result<Shape> node_shape(const ir::Program& program, NodeId id, const std::vector<Shape>& shapes) {
    const ir::Node& node = program.node(id);
    switch (node.kind) {
      case NodeKind::Tokens: {
        std::vector<Value> values;
        if (d_options.semantics.bos) values.push_back(ir::bos_token(node.token_type));
        for (const Value& raw : d_options.vocabulary) {
          auto v = ir::convert_token(node.token_type, raw);
          if (!v) {
            return fail(code::kInput, fmt::format("vocabulary symbol {} is not a {} token: {}",
                                                  raw.repr(), ir::token_type_name(node.token_type),
                                                  v.error().message));
          }
          values.push_back(*v);
        }
        return finite(values);
      }
      case NodeKind::Indices: {
        std::vector<Value> values;
        for (std::size_t i = 0; i < d_npos; ++i) values.push_back(Value::integer(static_cast<std::int64_t>(i)));
        return finite(values);
      }
      case NodeKind::Constant:
        return finite({node.value});
      case NodeKind::Map: {
        std::vector<Shape> vars;
        for (NodeId in : node.inputs) vars.push_back(shapes[in]);
        return expr_shape(*node.expr, vars);
      }
      case NodeKind::Aggregate: {
        const Shape& values = shapes[node.inputs[1]];
        Shape s = unite(values, finite({node.value}));
        std::uint8_t numbers = values.kinds & kNumber;
        if (numbers != 0 && numbers != kBool) {
          // Two or more selected: a Float mean, or a sum of the values' type.
          s.values = std::nullopt;
          s.kinds |= d_options.semantics.aggregation == interp::Aggregation::Mean
                         ? static_cast<std::uint8_t>(kFloat)
                         : static_cast<std::uint8_t>(((values.kinds & kFloat) ? kFloat : 0) |
                                                     ((values.kinds & (kInt | kBool)) ? kInt : 0));
        }
        return s;
      }
      case NodeKind::SelectorWidth: {
        std::vector<Value> values;
        for (std::size_t i = 0; i <= d_npos; ++i) values.push_back(Value::integer(static_cast<std::int64_t>(i)));
        return finite(values);
      }
      default:
        return Shape{};
    }
  }

  /// The interpreter's check that a sequence never mixes strings with numbers.
  void uniform(const std::vector<SymValue>& column) {
    bool strs = false, nums = false;
    for (const auto& s : column) {
      strs = strs || s.str.has_value();
      nums = nums || s.num.has_value();
    }
    if (!(strs && nums)) return;
    z3::expr_vector some_str(d_ctx), some_num(d_ctx);
    for (const auto& s : column) {
      some_str.push_back(is_str(s));
      some_num.push_back(!is_str(s));
    }
    fault(z3::mk_or(some_str) && z3::mk_or(some_num));
  }

  Result<void> encode_node(const ir::Program& program, NodeId id, const std::vector<Shape>& shapes) {
    const ir::Node& node = program.node(id);
    z3::expr yes = d_ctx.bool_val(true);
    switch (node.kind) {
      case NodeKind::Tokens: {
        std::vector<SymValue> col;
        std::vector<SymValue> converted;
        for (const Value& raw : d_options.vocabulary) {
          auto c = constant(*ir::convert_token(node.token_type, raw));
          if (!c) return tl::unexpected(c.error());
          converted.push_back(*c);
        }
        for (std::size_t p = 0; p < d_npos; ++p) {
          if (p < d_first) {
            auto c = constant(ir::bos_token(node.token_type));
            if (!c) return tl::unexpected(c.error());
            col.push_back(*c);
            continue;
          }
          const z3::expr& t = d_tokens[p - d_first];
          SymValue v = converted.back();
          for (std::size_t j = converted.size() - 1; j-- > 0;) {
            v = merge(t == static_cast<int>(j), converted[j], v);
          }
          col.push_back(v);
        }
        uniform(col);
        d_columns[id] = std::move(col);
        return {};
      }
      case NodeKind::Indices: {
        std::vector<SymValue> col;
        for (std::size_t p = 0; p < d_npos; ++p) {
          col.push_back(num(d_ctx.int_val(static_cast<std::int64_t>(p)), NumRep::Int));
        }
        d_columns[id] = std::move(col);
        return {};
      }
      case NodeKind::Constant: {
        auto c = constant(node.value);
        if (!c) return tl::unexpected(c.error());
        d_columns[id] = std::vector<SymValue>(d_npos, *c);
        return {};
      }
      case NodeKind::Map: {
        std::vector<Shape> var_shapes;
        for (NodeId in : node.inputs) var_shapes.push_back(shapes[in]);
        std::vector<SymValue> col;
        for (std::size_t p = 0; p < d_npos; ++p) {
          std::vector<SymValue> vars;
          for (NodeId in : node.inputs) vars.push_back((*d_columns[in])[p]);
          auto v = encode_expr(*node.expr, vars, var_shapes, yes);
          if (!v) return tl::unexpected(v.error());
          col.push_back(*v);
        }
        uniform(col);
        d_columns[id] = std::move(col);
        return {};
      }
      case NodeKind::Select: {
        const auto& keys = *d_columns[node.inputs[0]];
        const auto& queries = *d_columns[node.inputs[1]];
        std::vector<Shape> var_shapes{shapes[node.inputs[0]], shapes[node.inputs[1]]};
        Cells m;
        for (std::size_t q = 0; q < d_npos; ++q) {
          std::vector<z3::expr> row;
          for (std::size_t k = 0; k < d_npos; ++k) {
            std::vector<SymValue> vars{keys[k], queries[q]};
            auto v = encode_expr(*node.expr, vars, var_shapes, yes);
            if (!v) return tl::unexpected(v.error());
            bool masked = d_options.semantics.causal && k > q;
            row.push_back(masked ? d_ctx.bool_val(false) : truthy(*v).simplify());
          }
          m.push_back(std::move(row));
        }
        d_matrices[id] = std::move(m);
        return {};
      }
      case NodeKind::SelectorAnd:
      case NodeKind::SelectorOr:
      case NodeKind::SelectorNot: {
        const Cells& a = *d_matrices[node.inputs[0]];
        Cells m;
        for (std::size_t q = 0; q < d_npos; ++q) {
          std::vector<z3::expr> row;
          for (std::size_t k = 0; k < d_npos; ++k) {
            if (node.kind == NodeKind::SelectorNot) {
              bool masked = d_options.semantics.causal && k > q;
              row.push_back(masked ? d_ctx.bool_val(false) : !a[q][k]);
            } else {
              const Cells& b = *d_matrices[node.inputs[1]];
              row.push_back(node.kind == NodeKind::SelectorAnd ? a[q][k] && b[q][k]
                                                               : a[q][k] || b[q][k]);
            }
          }
          m.push_back(std::move(row));
        }
        d_matrices[id] = std::move(m);
        return {};
      }
      case NodeKind::Aggregate:
        return encode_aggregate(node, id, shapes);
      case NodeKind::SelectorWidth: {
        const Cells& m = *d_matrices[node.inputs[0]];
        std::vector<SymValue> col;
        for (std::size_t q = 0; q < d_npos; ++q) col.push_back(num(count(m[q]), NumRep::Int));
        d_columns[id] = std::move(col);
        return {};
      }
    }
    return {};
  }

  z3::expr count(const std::vector<z3::expr>& row) const {
    z3::expr_vector terms(d_ctx);
    for (const auto& c : row) terms.push_back(z3::ite(c, d_ctx.int_val(1), d_ctx.int_val(0)));
    return z3::sum(terms);
  }

  Result<void> encode_aggregate(const ir::Node& node, NodeId id, const std::vector<Shape>& shapes) {
    const Cells& m = *d_matrices[node.inputs[0]];
    const auto& values = *d_columns[node.inputs[1]];
    const Shape& shape = shapes[node.inputs[1]];
    bool strings = (shape.kinds & kStr) != 0;
    std::uint8_t numbers = shape.kinds & kNumber;
    // The interpreter refuses to average a column of strings, or of booleans only.
    if (numbers != 0 && numbers != kBool && (numbers & kBool)) {
      return unsupported("an aggregate of a sequence that may mix booleans and numbers");
    }
    auto dflt = constant(node.value);
    if (!dflt) return tl::unexpected(dflt.error());
    // No value at all (every position faults upstream, as `1 / indices` does at length 1):
    // nothing reaches this aggregate without a fault, so any column stands for it.
    if (!strings && numbers == 0) {
      d_columns[id] = std::vector<SymValue>(d_npos, *dflt);
      return {};
    }
    // A column that may be strings or numbers is uniform on every input that does not
    // fault upstream, so its first position says which; each case is encoded on its own.
    std::vector<SymValue> str_values, num_values;
    for (const auto& v : values) {
      str_values.push_back(v.str ? str_view(v) : str(d_ctx.int_val(0)));
      num_values.push_back(v.num ? num_view(v) : zero());
    }
    std::vector<SymValue> col;
    for (std::size_t q = 0; q < d_npos; ++q) {
      z3::expr c = count(m[q]).simplify();
      std::optional<SymValue> as_str, as_num;
      if (strings) as_str = pick_one(m[q], c, str_values, *dflt, values[0].num ? !is_str(values[0]) : d_ctx.bool_val(false));
      if (numbers == kBool) {
        as_num = pick_one(m[q], c, num_values, *dflt, values[0].str ? is_str(values[0]) : d_ctx.bool_val(false));
      } else if (numbers) {
        as_num = average(m[q], c, num_values, *dflt);
      }
      if (as_str && as_num) {
        col.push_back(merge(is_str(values[0]), *as_str, *as_num));
      } else {
        col.push_back(as_str ? *as_str : *as_num);
      }
    }
    uniform(col);
    d_columns[id] = std::move(col);
    return {};
  }

  /// A non-numeric aggregate: the default, the one selected value, or (two or more) a
  /// fault unless `other_case` (the column is of the other class) holds.
  SymValue pick_one(const std::vector<z3::expr>& row, const z3::expr& c,
                    const std::vector<SymValue>& values, const SymValue& dflt,
                    const z3::expr& other_case) {
    fault(c >= 2 && !other_case);
    SymValue pick = values.back();
    for (std::size_t k = d_npos - 1; k-- > 0;) pick = merge(row[k], values[k], pick);
    return merge(c == 0, dflt, pick);
  }

  /// A numeric aggregate: the default, the one selected value, or the mean (or sum).
  SymValue average(const std::vector<z3::expr>& row, const z3::expr& c,
                   const std::vector<SymValue>& values, const SymValue& dflt) {
    NumRep rep = NumRep::Int;
    for (const auto& v : values) rep = std::max(rep, v.num_rep);
    z3::expr_vector terms(d_ctx);
    z3::expr zero_term = rep == NumRep::Int ? d_ctx.int_val(0) : d_ctx.real_val(0);
    for (std::size_t k = 0; k < d_npos; ++k) {
      terms.push_back(z3::ite(row[k], as_rep(*values[k].num, values[k].num_rep, rep), zero_term));
    }
    z3::expr total = z3::sum(terms);
    // The interpreter adds the selected values before dividing: the total must fit.
    fault(c >= 2 && out_of_range(total, rep));
    SymValue many = num(total, rep);
    if (d_options.semantics.aggregation == interp::Aggregation::Mean) {
      // Division by a symbolic count is non-linear; the count is one of a few constants.
      z3::expr real_total = as_rep(total, rep, NumRep::Real);
      z3::expr avg = real_total / d_ctx.real_val(static_cast<int>(std::max<std::size_t>(d_npos, 2)));
      for (std::size_t n = d_npos; n-- > 2;) {
        avg = z3::ite(c == static_cast<int>(n), real_total / d_ctx.real_val(static_cast<int>(n)), avg);
      }
      many = num(avg, NumRep::Real);
    }
    return merge(c == 0, dflt, merge(c == 1, num(total, rep), many));
  }

  z3::context& d_ctx;
  std::size_t d_length;
  std::size_t d_first;
  std::size_t d_npos;
  EncodeOptions d_options;
  std::vector<ProgramRef> d_programs;
  std::vector<z3::expr> d_tokens;
  std::vector<std::string> d_strings;
  std::unordered_map<std::string, int> d_string_index;
  std::vector<std::vector<Shape>> d_shapes;
  z3::expr_vector d_faults;
  std::vector<std::optional<z3::expr>> d_own_faults;
  std::vector<std::optional<z3::expr>> d_upstream_faults;
  std::vector<std::optional<std::vector<SymValue>>> d_columns;
  std::vector<std::optional<Cells>> d_matrices;
};

Result<Encoder> Encoder::make(z3::context& ctx, std::size_t length, const EncodeOptions& options,
                              const std::vector<ProgramRef>& programs) {
  assert(length >= 1 && "inputs have at least one token");
  if (options.vocabulary.empty()) return fail(code::kInput, "the vocabulary is empty");
  auto impl = std::make_unique<Impl>(ctx, length, options, programs);
  if (auto ok = impl->analyse(); !ok) return tl::unexpected(ok.error());
  return Encoder(std::move(impl));
}

Encoder::Encoder(std::unique_ptr<Impl> impl) : d_impl(std::move(impl)) {}
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;
Encoder::~Encoder() = default;

Result<EncodedRoot> Encoder::encode(std::size_t which) { return d_impl->encode(which); }
std::optional<EncodedNode> Encoder::node(ir::NodeId id) const {
  const Impl& impl = *d_impl;
  if (id >= impl.d_upstream_faults.size() || !impl.d_upstream_faults[id]) return std::nullopt;
  return EncodedNode{impl.encoded_node(id, *impl.d_upstream_faults[id]), *impl.d_own_faults[id]};
}
std::size_t Encoder::length() const { return d_impl->d_length; }
const z3::expr& Encoder::token(std::size_t i) const { return d_impl->d_tokens[i]; }
z3::expr Encoder::domain() const { return d_impl->domain(); }
z3::expr Encoder::truthy(const SymValue& value) const { return d_impl->truthy(value); }
z3::expr Encoder::equal(const SymValue& a, const SymValue& b) const { return d_impl->py_equal(a, b); }
Value Encoder::value_in(const z3::model& model, const SymValue& value) const {
  return d_impl->value_in(model, value);
}
std::vector<Value> Encoder::decode(const z3::model& model) const { return d_impl->decode(model); }
const std::vector<std::string>& Encoder::string_table() const { return d_impl->d_strings; }

z3::expr Encoder::differ(const EncodedRoot& a, const EncodedRoot& b) const {
  assert(a.is_selector == b.is_selector && "compare s-ops with s-ops, selectors with selectors");
  z3::context& ctx = a.fault.ctx();
  z3::expr_vector diffs(ctx);
  if (a.is_selector) {
    for (std::size_t q = 0; q < a.matrix.size(); ++q) {
      for (std::size_t k = 0; k < a.matrix[q].size(); ++k) diffs.push_back(a.matrix[q][k] != b.matrix[q][k]);
    }
  } else {
    for (std::size_t p = 0; p < a.values.size(); ++p) diffs.push_back(!equal(a.values[p], b.values[p]));
  }
  return (a.fault != b.fault) || (!a.fault && !b.fault && z3::mk_or(diffs));
}

}  // namespace rasp::check

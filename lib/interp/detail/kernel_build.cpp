// lib/interp/detail/kernel_build.cpp - A program's nodes typed once and turned into column instructions.
//
// Every s-op gets a register of strings or of numbers, every selector one of rows; a number
// register whose kind is the same at every position (comparisons are bools, indices ints)
// has its kinds and denominators filled here once, and its instructions take the int64
// forms (Builder::specialise). A node the kernel does not cover makes no kernel.
#include <algorithm>
#include <cassert>
#include <unordered_map>

#include "lib/interp/detail/kernel_code.h"

namespace rasp::interp::detail {

using ir::ExprOp;
using ir::NodeId;
using ir::NodeKind;
using ir::Value;

namespace {

// The comparison with its operands exchanged: a < b is b > a.
BinaryOp mirror(BinaryOp op) {
  switch (op) {
    case BinaryOp::Lt:
      return BinaryOp::Gt;
    case BinaryOp::Le:
      return BinaryOp::Ge;
    case BinaryOp::Gt:
      return BinaryOp::Lt;
    case BinaryOp::Ge:
      return BinaryOp::Le;
    default:
      return op;
  }
}

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq && op <= BinaryOp::Ge; }

// Turns nodes into instructions; nothing when a node is outside what a kernel covers.
class Builder {
 public:
  explicit Builder(Kernel& k) : d_k(k) {}

  /// `independent`: the node does not read tokens, so its instructions may be skipped for
  /// an input as long as the last one.
  std::optional<Reg> node(const ir::Program& program, NodeId id, std::span<const Reg> regs, bool independent) {
    const ir::Node& node = program.node(id);
    d_independent = independent;
    auto in = [&](std::size_t i) { return regs[node.inputs[i]]; };
    switch (node.kind) {
      case NodeKind::Tokens: {
        // Each tokens node its own BOS token: a program may read tokens_str and tokens_int.
        Value bos = ir::bos_token(node.token_type);
        if (node.token_type == ir::TokenType::Str) {
          Instr i = instr(Op::TokensStr);
          i.ids.push_back(d_k.intern(bos.str()));
          return emit_to(std::move(i), RegType::Str);
        }
        if (node.token_type == ir::TokenType::Int) {
          Instr i = instr(Op::TokensInt);
          i.members.push_back(bos);
          return emit_to(std::move(i), RegType::Num);
        }
        return std::nullopt;
      }
      case NodeKind::Indices: {
        // 0, 1, 2, ... at every position an input can have: filled here, no instruction.
        d_indices = new_num(static_cast<std::int8_t>(Kind::Int));
        NumColumn& c = d_k.nums[d_indices->index];
        for (std::size_t i = 0; i < kN; ++i) c.num[i] = static_cast<std::int64_t>(i);
        return d_indices;
      }
      case NodeKind::Constant:
        return constant(node.value);
      case NodeKind::Map: {
        std::vector<Reg> vars;
        for (std::size_t i = 0; i < node.inputs.size(); ++i) {
          if (in(i).type == RegType::Sel) return std::nullopt;
          vars.push_back(in(i));
        }
        return expr(*node.expr, vars);
      }
      case NodeKind::Select:
        ++d_k.selectors;
        return select(*node.expr, in(0), in(1));
      case NodeKind::SelectorAnd:
      case NodeKind::SelectorOr: {
        ++d_k.selectors;
        Instr i = instr(node.kind == NodeKind::SelectorAnd ? Op::SelAnd : Op::SelOr);
        i.a = in(0).index;
        i.b = in(1).index;
        return emit_to(std::move(i), RegType::Sel);
      }
      case NodeKind::SelectorNot: {
        ++d_k.selectors;
        Instr i = instr(Op::SelNot);
        i.a = in(0).index;
        return emit_to(std::move(i), RegType::Sel);
      }
      case NodeKind::SelectorWidth: {
        Instr i = instr(Op::Width);
        i.a = in(0).index;
        return emit_to(std::move(i), RegType::Num);
      }
      case NodeKind::Aggregate: {
        Reg values = in(1);
        if (in(0).type != RegType::Sel || values.type == RegType::Sel) return std::nullopt;
        Instr i = instr(values.type == RegType::Str ? Op::AggStr : Op::AggNum);
        i.a = in(0).index;
        i.b = values.index;
        // A default of the other type (the usual 0 of a string aggregate) mixes types where
        // it is used: the instruction declines there, for the evaluator to report or to
        // make a column of defaults alone.
        if (node.value.is_string() == (values.type == RegType::Str)) {
          if (values.type == RegType::Str) {
            i.ids.push_back(d_k.intern(node.value.str()));
          } else {
            i.members.push_back(node.value);
          }
        }
        return emit_to(std::move(i), values.type);
      }
    }
    return std::nullopt;
  }

 private:
  std::int8_t fixed(std::uint32_t num_reg) const {
    assert(num_reg < d_k.fixed.size() && "a number register");
    return d_k.fixed[num_reg];
  }

  // The one kind an instruction's number output has at every position, or -1; picks the
  // fixed-kind form of an instruction whose operands have fixed kinds.
  std::int8_t specialise(Instr& i) const {
    constexpr auto kBool = static_cast<std::int8_t>(Kind::Bool), kInt = static_cast<std::int8_t>(Kind::Int);
    switch (i.op) {
      case Op::TokensInt:
      case Op::Indicator:
      case Op::Round:
      case Op::Width:
        return kInt;
      case Op::CompareNum:
        if (fixed(i.a) >= 0 && fixed(i.b) >= 0) i.op = Op::CompareInt;
        return kBool;
      case Op::CompareStr:
      case Op::ToBool:
      case Op::StrTruthy:
      case Op::CompareZero:
      case Op::InNum:
      case Op::InStr:
        return kBool;
      case Op::And:
      case Op::Or:
        if (fixed(i.a) == kBool && fixed(i.b) == kBool) i.op = i.op == Op::And ? Op::AndBits : Op::OrBits;
        return kBool;
      case Op::Not:
        if (fixed(i.a) == kBool) i.op = Op::NotBit;
        return kBool;
      case Op::Neg:
        return fixed(i.a) >= 0 ? kInt : -1;
      case Op::Arith:
        if (fixed(i.a) < 0 || fixed(i.b) < 0 || i.bop == BinaryOp::Div) return -1;
        if (i.bop == BinaryOp::Min || i.bop == BinaryOp::Max) {
          if (fixed(i.a) != fixed(i.b)) return -1;
          i.op = Op::ArithInt;
          return fixed(i.a);
        }
        i.op = Op::ArithInt;
        return kInt;
      case Op::IteNum:
        if (fixed(i.b) < 0 || fixed(i.b) != fixed(i.c)) return -1;
        i.op = Op::IteFixed;
        return fixed(i.b);
      case Op::AggNum:
        i.values_fixed = fixed(i.b);
        return -1;
      default:
        return -1;
    }
  }

  Reg new_num(std::int8_t fixed) {
    NumColumn& c = d_k.nums.emplace_back();
    d_k.fixed.push_back(fixed);
    if (fixed >= 0) {
      c.kind.fill(static_cast<Kind>(fixed));
      c.den.fill(1);
    }
    return {RegType::Num, static_cast<std::uint32_t>(d_k.nums.size() - 1)};
  }

  Reg new_reg(RegType type) {
    switch (type) {
      case RegType::Num:
        return new_num(-1);
      case RegType::Str:
        d_k.strs.emplace_back();
        return {type, static_cast<std::uint32_t>(d_k.strs.size() - 1)};
      case RegType::Sel:
        break;
    }
    d_k.sels.emplace_back();
    return {type, static_cast<std::uint32_t>(d_k.sels.size() - 1)};
  }

  Reg emit_to(Instr i, RegType type) {
    Reg out = type == RegType::Num ? new_num(specialise(i)) : new_reg(type);
    i.out = out.index;
    i.independent = d_independent;
    d_k.code.push_back(std::move(i));
    return out;
  }
  Reg emit_to(Op op, RegType type, std::initializer_list<std::uint32_t> operands) {
    Instr i = instr(op);
    auto it = operands.begin();
    if (it != operands.end()) i.a = *it++;
    if (it != operands.end()) i.b = *it++;
    if (it != operands.end()) i.c = *it++;
    return emit_to(std::move(i), type);
  }

  // A constant fills its register at every position once, here.
  Reg constant(const Value& v) {
    if (v.is_string()) {
      std::uint32_t id = d_k.intern(v.str());
      Reg r = new_reg(RegType::Str);
      d_k.strs[r.index].id.fill(id);
      d_str_constants.emplace(r.index, v);
      return r;
    }
    d_num_constants.emplace(static_cast<std::uint32_t>(d_k.nums.size()), v);
    Reg r = new_num(v.is_float() ? -1 : static_cast<std::int8_t>(v.kind()));
    NumColumn& c = d_k.nums[r.index];
    c.kind.fill(v.kind());
    c.num.fill(v.num());
    c.den.fill(v.den());
    return r;
  }

  // Whether an instruction's output register is a number register (not strings or rows).
  static bool writes_numbers(Op op) {
    switch (op) {
      case Op::TokensStr:
      case Op::IteStr:
      case Op::LookupStr:
      case Op::AggStr:
      case Op::SelectNum:
      case Op::SelectStr:
      case Op::SelectAll:
      case Op::SelAnd:
      case Op::SelOr:
      case Op::SelNot:
        return false;
      default:
        return true;
    }
  }

  bool is_zero(std::uint32_t num_reg) const {
    auto c = d_num_constants.find(num_reg);
    return c != d_num_constants.end() && c->second.num() == 0;
  }

  // bool(x) as a number column.
  Reg truthy(Reg x) {
    if (x.type == RegType::Num) return x;  // readers of truthiness look at num != 0
    return emit_to(Op::StrTruthy, RegType::Num, {x.index});
  }

  std::optional<Reg> expr(const ir::ExprNode& e, std::span<const Reg> vars) {
    switch (e.op) {
      case ExprOp::Const:
        return constant(e.value);
      case ExprOp::Var:
        return vars[static_cast<std::size_t>(e.var)];
      case ExprOp::Binary: {
        auto a = expr(*e.args[0], vars);
        auto b = a ? expr(*e.args[1], vars) : std::nullopt;
        if (!b) return std::nullopt;
        if (is_comparison(e.bop)) {
          if (a->type != b->type) {
            // A string never equals a number; ordering them is a fault left to the evaluator.
            if (e.bop != BinaryOp::Eq && e.bop != BinaryOp::Ne) return std::nullopt;
            return constant(Value::boolean(e.bop == BinaryOp::Ne));
          }
          Instr i = instr(a->type == RegType::Str ? Op::CompareStr : Op::CompareNum, e.bop);
          i.a = a->index;
          i.b = b->index;
          if (a->type == RegType::Num && is_zero(b->index)) {
            i.op = Op::CompareZero;
          } else if (a->type == RegType::Num && is_zero(a->index)) {
            i.op = Op::CompareZero;
            i.bop = mirror(e.bop);
            i.a = b->index;
          }
          return emit_to(std::move(i), RegType::Num);
        }
        bool arithmetic = e.bop == BinaryOp::Add || e.bop == BinaryOp::Sub || e.bop == BinaryOp::Mul ||
                          e.bop == BinaryOp::Div || e.bop == BinaryOp::Mod || e.bop == BinaryOp::Min ||
                          e.bop == BinaryOp::Max;
        if (!arithmetic || a->type != RegType::Num || b->type != RegType::Num) return std::nullopt;
        Instr i = instr(Op::Arith, e.bop);
        i.a = a->index;
        i.b = b->index;
        return emit_to(std::move(i), RegType::Num);
      }
      case ExprOp::And:
      case ExprOp::Or: {
        auto a = expr(*e.args[0], vars);
        auto b = a ? expr(*e.args[1], vars) : std::nullopt;
        if (!b) return std::nullopt;
        Reg ta = truthy(*a), tb = truthy(*b);
        return emit_to(e.op == ExprOp::And ? Op::And : Op::Or, RegType::Num, {ta.index, tb.index});
      }
      case ExprOp::Ite: {
        auto c = expr(*e.args[0], vars);
        auto a = c ? expr(*e.args[1], vars) : std::nullopt;
        auto b = a ? expr(*e.args[2], vars) : std::nullopt;
        if (!b || a->type != b->type) return std::nullopt;
        Reg tc = truthy(*c);
        return emit_to(a->type == RegType::Str ? Op::IteStr : Op::IteNum, a->type, {tc.index, a->index, b->index});
      }
      default:
        break;
    }
    if (e.args.empty()) return std::nullopt;
    auto a = expr(*e.args[0], vars);
    if (!a) return std::nullopt;
    switch (e.op) {
      case ExprOp::Neg:
        if (a->type != RegType::Num) return std::nullopt;
        return emit_to(Op::Neg, RegType::Num, {a->index});
      case ExprOp::Round:
        if (a->type != RegType::Num) return std::nullopt;
        return emit_to(Op::Round, RegType::Num, {a->index});
      case ExprOp::Not:
        return emit_to(Op::Not, RegType::Num, {truthy(*a).index});
      case ExprOp::ToBool:
        return emit_to(Op::ToBool, RegType::Num, {truthy(*a).index});
      case ExprOp::Indicator: {
        Reg t = truthy(*a);
        // The 0/1 of a bool the instruction just emitted makes for this indicator alone (a
        // comparison written inside it) are the indicator's ints: its register is retagged.
        bool fresh = e.args[0]->op != ExprOp::Var && e.args[0]->op != ExprOp::Const && !d_k.code.empty() &&
                     d_k.code.back().out == t.index && writes_numbers(d_k.code.back().op) &&
                     !d_num_constants.contains(t.index);
        if (fresh && fixed(t.index) == static_cast<std::int8_t>(Kind::Bool)) {
          d_k.fixed[t.index] = static_cast<std::int8_t>(Kind::Int);
          d_k.nums[t.index].kind.fill(Kind::Int);
          return t;
        }
        return emit_to(Op::Indicator, RegType::Num, {t.index});
      }
      case ExprOp::In: {
        Instr i = instr(a->type == RegType::Str ? Op::InStr : Op::InNum);
        i.a = a->index;
        for (const Value& m : e.table_values) {
          // A member of the other type never equals an element.
          if (m.is_string() != (a->type == RegType::Str)) continue;
          if (m.is_string()) {
            i.ids.push_back(d_k.intern(m.str()));
          } else {
            i.members.push_back(m);
          }
        }
        return emit_to(std::move(i), RegType::Num);
      }
      case ExprOp::Lookup:
        return lookup(e, *a);
      default:
        return std::nullopt;
    }
  }

  // A table of strings alone or of numbers alone; indexing a list or string by a string is
  // a type error, left to the evaluator.
  std::optional<Reg> lookup(const ir::ExprNode& e, Reg index) {
    auto is_string = [](const Value& v) { return v.is_string(); };
    bool strings = std::all_of(e.table_values.begin(), e.table_values.end(), is_string);
    bool numbers = std::none_of(e.table_values.begin(), e.table_values.end(), is_string);
    if (e.table_values.empty() || (!strings && !numbers)) return std::nullopt;
    if (e.table_kind != ir::TableKind::Dict && index.type == RegType::Str) return std::nullopt;
    Instr i = instr(strings ? Op::LookupStr : Op::LookupNum);
    i.a = index.index;
    i.table = e.table_kind;
    i.string_index = index.type == RegType::Str;
    for (const Value& v : e.table_values) {
      if (strings) {
        i.ids.push_back(d_k.intern(v.str()));
      } else {
        i.members.push_back(v);
      }
    }
    i.keys = e.table_keys;
    for (const Value& key : e.table_keys) i.key_ids.push_back(key.is_string() ? d_k.intern(key.str()) : kNoId);
    return emit_to(std::move(i), strings ? RegType::Str : RegType::Num);
  }

  // x0 is the key, x1 the query; a comparison of the two, either way round, or a constant.
  std::optional<Reg> select(const ir::ExprNode& p, Reg keys, Reg queries) {
    if (p.op == ExprOp::Const) {
      Instr i = instr(Op::SelectAll);
      i.truth = p.value.truthy();
      return emit_to(std::move(i), RegType::Sel);
    }
    if (p.op != ExprOp::Binary || !is_comparison(p.bop) || p.args[0]->op != ExprOp::Var ||
        p.args[1]->op != ExprOp::Var || p.args[0]->var == p.args[1]->var) {
      return std::nullopt;
    }
    if (keys.type == RegType::Sel || queries.type == RegType::Sel) return std::nullopt;
    BinaryOp op = p.args[0]->var == 0 ? p.bop : mirror(p.bop);
    // Constant keys and queries (`full_s` is select(1, 1, ==)): every cell the same.
    const auto& key_constants = keys.type == RegType::Str ? d_str_constants : d_num_constants;
    const auto& query_constants = queries.type == RegType::Str ? d_str_constants : d_num_constants;
    auto key = key_constants.find(keys.index);
    auto query = query_constants.find(queries.index);
    if (key != key_constants.end() && query != query_constants.end()) {
      auto truth = ir::compare(op, key->second, query->second);
      if (!truth) return std::nullopt;
      Instr i = instr(Op::SelectAll);
      i.truth = *truth;
      return emit_to(std::move(i), RegType::Sel);
    }
    if (keys.type != queries.type) {
      if (op != BinaryOp::Eq && op != BinaryOp::Ne) return std::nullopt;
      Instr i = instr(Op::SelectAll);
      i.truth = op == BinaryOp::Ne;
      return emit_to(std::move(i), RegType::Sel);
    }
    Instr i = instr(keys.type == RegType::Str ? Op::SelectStr : Op::SelectNum, op);
    i.ints = keys.type == RegType::Num && fixed(keys.index) >= 0 && fixed(queries.index) >= 0;
    i.index_keys = i.ints && d_indices && d_indices->index == keys.index;
    i.a = keys.index;
    i.b = queries.index;
    return emit_to(std::move(i), RegType::Sel);
  }

  Kernel& d_k;
  bool d_independent = false;
  /// The register of `indices`, once made (one node: programs are hash-consed).
  std::optional<Reg> d_indices;
  /// Registers holding a constant, by register index.
  std::unordered_map<std::uint32_t, Value> d_num_constants, d_str_constants;
};

/// Past this many registers (a kilobyte each; a thread keeps 16 kernels) a program is left
/// to the evaluator.
constexpr std::size_t kMostRegisters = 4096;

/// Past this many nodes a kernel's registers (a kilobyte each) are not worth building.
constexpr std::size_t kMostNodes = 2000;

}  // namespace

void KernelDelete::operator()(Kernel* kernel) const { delete kernel; }

KernelPtr build_kernel(const ir::Program& program, NodeId root, const Options& options) {
  std::vector<NodeId> order = program.ancestors(root);
  if (order.size() > kMostNodes) return nullptr;
  KernelPtr k(new Kernel);
  k->bos = options.bos;
  k->causal = options.causal;
  k->aggregation = options.aggregation;
  k->max_matrix_cells = options.max_matrix_cells;
  std::vector<Reg> regs(program.size());
  std::vector<char> independent(program.size(), 0);
  Builder builder(*k);
  for (NodeId id : order) {
    const ir::Node& node = program.node(id);
    independent[id] = node.kind != NodeKind::Tokens && std::all_of(node.inputs.begin(), node.inputs.end(),
                                                                   [&](NodeId in) { return independent[in] != 0; });
    auto reg = builder.node(program, id, regs, independent[id] != 0);
    if (!reg) return nullptr;
    regs[id] = *reg;
  }
  if (k->nums.size() + k->strs.size() + k->sels.size() > kMostRegisters) return nullptr;
  for (const Instr& in : k->code) {
    if (!in.independent) k->dependent.push_back(in);
  }
  k->root = regs[root];
  k->constants = k->pool.size();
  return k;
}

}  // namespace rasp::interp::detail

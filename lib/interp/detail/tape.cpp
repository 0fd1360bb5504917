// lib/interp/detail/tape.cpp - Steps over typed columns: numbers, strings by address, selector rows as bits.
#include "lib/interp/detail/tape.h"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <deque>
#include <unordered_map>
#include <vector>

#include "lib/interp/detail/int_columns.h"
#include "lib/interp/detail/number_columns.h"
#include "lib/interp/detail/positions.h"
#include "lib/ir/expr.h"

namespace rasp::interp::detail {

using ir::BinaryOp;
using ir::ExprOp;
using ir::Kind;
using ir::NodeId;
using ir::NodeKind;
using ir::Value;

TapeCounts& tape_counts() {
  thread_local TapeCounts counts;
  return counts;
}

namespace {

template <typename T>
using Small = boost::container::small_vector<T, 4>;

enum class Op : std::uint8_t {
  Tokens,
  Indices,
  Constant,
  TokenMap,  ///< a map over tokens alone: a table by distinct token
  Map,
  Compare,   ///< select(keys, queries, OP) with a comparison OP
  Always,    ///< a constant predicate
  Select,    ///< any other predicate, cell by cell
  And,
  Or,
  Not,
  Aggregate,
  Width,
};

struct Step {
  Op op = Op::Constant;
  std::vector<std::uint32_t> in;  ///< the operands' steps
  ir::Expr expr;                  ///< Map, TokenMap, Select: the node's own
  bool numbers = false;           ///< Map: in eval_number_columns's fragment
  BinaryOp compare = BinaryOp::Eq;
  bool always = false;  ///< Always: every cell selected (else none)
  Value value;          ///< Constant: the value; Aggregate: the default
  bool reads_tokens = false;
  bool selector = false;
  /// TokenMap: some step other than a token map reads it, or it is the root; else its
  /// results are read from its table alone and it needs no column.
  bool column = false;
};

// A map over tokens alone: its result for one distinct token.
struct Entry {
  enum class State : std::uint8_t { Unknown, Known, Faults };
  State state = State::Unknown;
  Value value;
};

Num num_of(const Value& v) {
  return v.is_string() ? string_num(v) : Num{v.kind(), v.num(), v.den()};
}

Value value_of(const Num& x) {
  switch (x.kind) {
    case Kind::String:
      return string_value(x);
    case Kind::Bool:
      return Value::boolean(x.num != 0);
    case Kind::Int:
      return Value::integer(x.num);
    case Kind::Float:
      break;
  }
  return *Value::rational(x.num, x.den);  // normalised already: cannot fail
}

// What a step's column holds, found in one pass as it is made.
struct Facts {
  bool strings = false;  ///< every value a string
  bool whole = false;    ///< every value a number with denominator 1 (bool, int, whole float)
  bool bools = false;    ///< every value a bool
  /// Every value an int, or every one a bool: the column is also held as int64s.
  std::optional<IntKind> int_kind;
};

template <BinaryOp Op>
bool compare_ints(std::int64_t k, std::int64_t q) {
  if constexpr (Op == BinaryOp::Eq) return k == q;
  if constexpr (Op == BinaryOp::Ne) return k != q;
  if constexpr (Op == BinaryOp::Lt) return k < q;
  if constexpr (Op == BinaryOp::Le) return k <= q;
  if constexpr (Op == BinaryOp::Gt) return k > q;
  return k >= q;
}

// Rows of `key OP query` over whole numbers: bit k of row q.
template <BinaryOp Op>
void compare_rows(const Num* keys, const Num* queries, std::size_t n, std::uint64_t* rows) {
  for (std::size_t q = 0; q < n; ++q) {
    std::int64_t y = queries[q].num;
    std::uint64_t row = 0;
    for (std::size_t k = 0; k < n; ++k) row |= static_cast<std::uint64_t>(compare_ints<Op>(keys[k].num, y)) << k;
    rows[q] = row;
  }
}

void compare_whole(BinaryOp op, const Num* keys, const Num* queries, std::size_t n, std::uint64_t* rows) {
  switch (op) {
    case BinaryOp::Eq:
      return compare_rows<BinaryOp::Eq>(keys, queries, n, rows);
    case BinaryOp::Ne:
      return compare_rows<BinaryOp::Ne>(keys, queries, n, rows);
    case BinaryOp::Lt:
      return compare_rows<BinaryOp::Lt>(keys, queries, n, rows);
    case BinaryOp::Le:
      return compare_rows<BinaryOp::Le>(keys, queries, n, rows);
    case BinaryOp::Gt:
      return compare_rows<BinaryOp::Gt>(keys, queries, n, rows);
    default:
      return compare_rows<BinaryOp::Ge>(keys, queries, n, rows);
  }
}

bool is_comparison(const ir::ExprNode& p) {
  return p.op == ExprOp::Binary && p.args[0]->op == ExprOp::Var && p.args[0]->var == 0 &&
         p.args[1]->op == ExprOp::Var && p.args[1]->var == 1 && p.bop >= BinaryOp::Eq && p.bop <= BinaryOp::Ge;
}

std::uint64_t all_of(std::size_t n) { return n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }

}  // namespace

struct Tape::State {
  Options options;
  std::vector<Step> steps;
  std::size_t selectors = 0;
  std::uint32_t tokens = UINT32_MAX;  ///< the Tokens step, if any
  ir::TokenType token_type = ir::TokenType::Str;
  std::vector<std::uint32_t> token_maps;

  // Each step's column or rows, and a Map's results as values where it took the generic path.
  std::vector<PerPosition<Num>> cols;
  std::vector<Facts> facts;
  std::vector<PerPosition<std::int64_t>> ints;
  std::vector<PerPosition<std::uint64_t>> rows;
  std::vector<std::vector<Value>> values;
  std::vector<Value> vars;

  // The distinct token values met (numbered in order), and each token map's results by number.
  std::deque<Value> distinct;
  std::unordered_map<Value, std::uint32_t, ir::ValueHash, ir::ValueIdentical> numbers;
  std::array<std::uint32_t, 256> by_char{};
  std::vector<std::vector<Entry>> tables;
  PerPosition<std::uint32_t> token_numbers;
  std::vector<Value> converted;
  static constexpr std::size_t kMostDistinct = 4096;

  /// The length of the last run that ended with values (0: none), whose steps that do not
  /// read tokens a run of that length keeps.
  std::size_t last_n = 0;

  void forget_tokens() {
    distinct.clear();
    numbers.clear();
    by_char.fill(UINT32_MAX);
    for (auto& t : tables) t.clear();
  }

  std::uint32_t number(const Value& v) {
    const std::string* s = v.is_string() ? &v.str() : nullptr;
    if (s && s->size() == 1) {
      std::uint32_t& slot = by_char[static_cast<unsigned char>((*s)[0])];
      if (slot == UINT32_MAX) {
        slot = static_cast<std::uint32_t>(distinct.size());
        distinct.push_back(v);
      }
      return slot;
    }
    auto [it, added] = numbers.try_emplace(v, static_cast<std::uint32_t>(distinct.size()));
    if (added) distinct.push_back(v);
    return it->second;
  }

  static constexpr unsigned kWhole = 1u << 8;

  // Step t's facts from its column, and its int64s where it has an int kind; false when
  // the column mixes strings with numbers (the Evaluator's E0203 fault).
  bool describe(std::uint32_t t) {
    const PerPosition<Num>& col = cols[t];
    std::size_t n = col.size();
    // One bit per kind, and one for a denominator of 1: or-ed, any value has it; and-ed, all.
    unsigned any = 0, all = ~0u;
    for (const Num& x : col) {
      unsigned m = (1u << static_cast<unsigned>(x.kind)) | (x.den == 1 ? kWhole : 0u);
      any |= m;
      all &= m;
    }
    constexpr unsigned kString = 1u << static_cast<unsigned>(Kind::String);
    constexpr unsigned kBool = 1u << static_cast<unsigned>(Kind::Bool);
    constexpr unsigned kInt = 1u << static_cast<unsigned>(Kind::Int);
    if ((any & kString) != 0 && (all & kString) == 0) return false;
    Facts& f = facts[t];
    f.strings = (all & kString) != 0;
    f.whole = (all & kWhole) != 0 && !f.strings;
    f.bools = (all & kBool) != 0;
    f.int_kind.reset();
    if ((all & (kBool | kInt)) != 0) {
      f.int_kind = f.bools ? IntKind::Bool : IntKind::Int;
      PerPosition<std::int64_t>& out = ints[t];
      out.resize(n);
      for (std::size_t i = 0; i < n; ++i) out[i] = col[i].num;
    }
    return true;
  }

  // Step t's column from its int64s, all of one kind.
  void from_ints(std::uint32_t t, IntKind kind) {
    const PerPosition<std::int64_t>& in = ints[t];
    PerPosition<Num>& col = cols[t];
    col.resize(in.size());
    Kind k = kind == IntKind::Bool ? Kind::Bool : Kind::Int;
    for (std::size_t i = 0; i < in.size(); ++i) col[i] = {k, in[i], 1};
    facts[t] = Facts{false, true, kind == IntKind::Bool, kind};
  }

  // Token map `t`'s result for distinct token `d`, from its operands' results for it.
  void tabulate(std::uint32_t t, std::uint32_t d) {
    const Step& s = steps[t];
    Entry& e = tables[t][d];
    vars.resize(s.in.size());
    for (std::size_t a = 0; a < s.in.size(); ++a) {
      std::uint32_t in = s.in[a];
      if (in == tokens) {
        vars[a] = distinct[d];
        continue;
      }
      const Entry& operand = tables[in][d];
      if (operand.state != Entry::State::Known) {
        e.state = Entry::State::Faults;
        return;
      }
      vars[a] = operand.value;
    }
    auto r = ir::evaluate(*s.expr, vars);
    if (!r) {
      e.state = Entry::State::Faults;
      return;
    }
    e.state = Entry::State::Known;
    e.value = std::move(*r);
  }

  // The tokens column, numbered, with every token map's result for each of its values.
  bool read_tokens(std::span<const Value> input) {
    std::size_t n = input.size();
    if (!options.reuse || distinct.size() + n > kMostDistinct) forget_tokens();
    std::size_t known = distinct.size();
    token_numbers.resize(n);
    converted.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Value* v = &input[i];
      if (!(v->is_string() && (token_type == ir::TokenType::Str || token_type == ir::TokenType::AsIs))) {
        auto c = ir::convert_token(token_type, *v);
        if (!c) return false;
        converted[i] = std::move(*c);
        v = &converted[i];
      }
      token_numbers[i] = number(*v);
    }
    PerPosition<Num>& col = cols[tokens];
    col.resize(n);
    for (std::size_t i = 0; i < n; ++i) col[i] = num_of(distinct[token_numbers[i]]);
    if (!describe(tokens)) return false;
    for (std::uint32_t t : token_maps) {
      tables[t].resize(distinct.size());
      for (std::size_t d = known; d < distinct.size(); ++d) tabulate(t, static_cast<std::uint32_t>(d));
    }
    return true;
  }

  bool token_map(std::uint32_t t, std::size_t n) {
    PerPosition<Num>& col = cols[t];
    col.resize(n);
    const std::vector<Entry>& table = tables[t];
    for (std::size_t i = 0; i < n; ++i) {
      const Entry& e = table[token_numbers[i]];
      if (e.state != Entry::State::Known) return false;
      col[i] = num_of(e.value);
    }
    return describe(t);
  }

  // Whether token map t has a result for every token of the input, all strings or none.
  bool uniform_token_map(std::uint32_t t, std::size_t n) const {
    const std::vector<Entry>& table = tables[t];
    std::size_t strings = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Entry& e = table[token_numbers[i]];
      if (e.state != Entry::State::Known) return false;
      strings += e.value.is_string();
    }
    return strings == 0 || strings == n;
  }

  bool map(std::uint32_t t, std::size_t n) {
    const Step& s = steps[t];
    PerPosition<Num>& col = cols[t];
    // Every operand an int column, or a bool one: each operation a loop over int64s.
    Small<IntOperand> int_operands;
    for (std::uint32_t in : s.in) {
      if (!facts[in].int_kind) break;
      int_operands.push_back({*facts[in].int_kind, ints[in].data()});
    }
    if (int_operands.size() == s.in.size()) {
      if (auto kind = eval_int_columns(*s.expr, {int_operands.data(), int_operands.size()}, n, ints[t])) {
        from_ints(t, *kind);
        return true;
      }
    }
    Small<const Num*> operands;
    for (std::uint32_t in : s.in) operands.push_back(cols[in].data());
    if (!(s.numbers && eval_number_columns(*s.expr, {operands.data(), operands.size()}, n, col, true))) {
      // Each position on values, as the Evaluator's generic path: strings operated on, an
      // operation outside the fragment, or a position the fragment declined.
      std::vector<Value>& out = values[t];
      out.resize(n);
      col.resize(n);
      vars.resize(s.in.size());
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t a = 0; a < s.in.size(); ++a) vars[a] = value_of(operands[a][i]);
        auto r = ir::evaluate(*s.expr, vars);
        if (!r) return false;
        out[i] = std::move(*r);
        col[i] = num_of(out[i]);
      }
    }
    return describe(t);
  }

  bool compare(std::uint32_t t, std::size_t n) {
    const Step& s = steps[t];
    const PerPosition<Num>& keys = cols[s.in[0]];
    const PerPosition<Num>& queries = cols[s.in[1]];
    PerPosition<std::uint64_t>& out = rows[t];
    out.resize(n);
    const Facts& kf = facts[s.in[0]];
    const Facts& qf = facts[s.in[1]];
    if (kf.whole && qf.whole) {
      compare_whole(s.compare, keys.data(), queries.data(), n, out.data());
      return true;
    }
    bool equality = s.compare == BinaryOp::Eq || s.compare == BinaryOp::Ne;
    if (equality && kf.strings && qf.strings) {
      bool eq = s.compare == BinaryOp::Eq;
      for (std::size_t q = 0; q < n; ++q) {
        const Value& y = string_value(queries[q]);
        std::uint64_t row = 0;
        for (std::size_t k = 0; k < n; ++k) {
          const Value& x = string_value(keys[k]);
          bool same = &x == &y || x.str() == y.str();
          row |= static_cast<std::uint64_t>(same == eq) << k;
        }
        out[q] = row;
      }
      return true;
    }
    if (!kf.strings && !qf.strings) {  // uniform columns: no string in either
      for (std::size_t q = 0; q < n; ++q) {
        std::uint64_t row = 0;
        for (std::size_t k = 0; k < n; ++k) {
          Num r;
          if (!apply_number(s.compare, keys[k], queries[q], r)) return false;
          row |= static_cast<std::uint64_t>(r.num != 0) << k;
        }
        out[q] = row;
      }
      return true;
    }
    return select(t, n);
  }

  bool select(std::uint32_t t, std::size_t n) {
    const Step& s = steps[t];
    const PerPosition<Num>& keys = cols[s.in[0]];
    const PerPosition<Num>& queries = cols[s.in[1]];
    PerPosition<std::uint64_t>& out = rows[t];
    out.resize(n);
    vars.resize(2);
    for (std::size_t q = 0; q < n; ++q) {
      vars[1] = value_of(queries[q]);
      std::uint64_t row = 0;
      for (std::size_t k = 0; k < n; ++k) {
        vars[0] = value_of(keys[k]);
        auto r = ir::evaluate(*s.expr, vars);
        if (!r) return false;
        row |= static_cast<std::uint64_t>(r->truthy()) << k;
      }
      out[q] = row;
    }
    return true;
  }

  bool aggregate(std::uint32_t t, std::size_t n) {
    const Step& s = steps[t];
    const PerPosition<std::uint64_t>& sel = rows[s.in[0]];
    const PerPosition<Num>& vals = cols[s.in[1]];
    PerPosition<Num>& out = cols[t];
    out.resize(n);
    bool sum = options.aggregation == Aggregation::Sum;
    // The Evaluator's rules: a column of strings, or of booleans only, is not averaged (nor
    // summed), even where the selected values agree; a column of whole numbers is summed
    // in 128 bits.
    const Facts& vf = facts[s.in[1]];
    bool numeric = !vf.strings && !vf.bools;
    bool integral = vf.whole;
    Num fallback = num_of(s.value);
    for (std::size_t q = 0; q < n; ++q) {
      std::uint64_t row = sel[q];
      int count = std::popcount(row);
      if (count == 0) {
        out[q] = fallback;
        continue;
      }
      if (count == 1) {
        out[q] = vals[static_cast<std::size_t>(std::countr_zero(row))];
        continue;
      }
      if (!numeric) return false;
      if (integral) {
        __int128 total = 0;
        for (std::uint64_t r = row; r != 0; r &= r - 1) total += vals[static_cast<std::size_t>(std::countr_zero(r))].num;
        if (total > INT64_MAX || total < INT64_MIN) return false;
        auto whole = static_cast<std::int64_t>(total);
        if (sum) {
          out[q] = {Kind::Int, whole, 1};
        } else {
          auto mean = rational_num(whole, count);
          if (!mean) return false;
          out[q] = *mean;
        }
        continue;
      }
      Num total{Kind::Int, 0, 1};
      for (std::uint64_t r = row; r != 0; r &= r - 1) {
        if (!apply_number(BinaryOp::Add, total, vals[static_cast<std::size_t>(std::countr_zero(r))], total)) return false;
      }
      if (sum) {
        out[q] = total;
      } else if (!apply_number(BinaryOp::Div, total, Num{Kind::Int, count, 1}, out[q])) {
        return false;
      }
    }
    return describe(t);
  }

  void mask_causal(std::uint32_t t, std::size_t n) {
    if (!options.causal) return;
    for (std::size_t q = 0; q < n; ++q) rows[t][q] &= all_of(q + 1);
  }

  bool step(std::uint32_t t, std::size_t n) {
    const Step& s = steps[t];
    switch (s.op) {
      case Op::Tokens:
        return true;  // read_tokens made it
      case Op::Indices: {
        PerPosition<Num>& col = cols[t];
        col.resize(n);
        for (std::size_t i = 0; i < n; ++i) col[i] = {Kind::Int, static_cast<std::int64_t>(i), 1};
        return describe(t);
      }
      case Op::Constant:
        cols[t].assign(n, num_of(s.value));
        return describe(t);
      case Op::TokenMap:
        return token_map(t, n);
      case Op::Map:
        return map(t, n);
      case Op::Compare:
        if (!compare(t, n)) return false;
        mask_causal(t, n);
        return true;
      case Op::Always:
        rows[t].assign(n, s.always ? all_of(n) : 0);
        mask_causal(t, n);
        return true;
      case Op::Select:
        if (!select(t, n)) return false;
        mask_causal(t, n);
        return true;
      case Op::And:
      case Op::Or: {
        const auto& a = rows[s.in[0]];
        const auto& b = rows[s.in[1]];
        auto& out = rows[t];
        out.resize(n);
        for (std::size_t q = 0; q < n; ++q) out[q] = s.op == Op::And ? a[q] & b[q] : a[q] | b[q];
        return true;
      }
      case Op::Not: {
        const auto& a = rows[s.in[0]];
        auto& out = rows[t];
        out.resize(n);
        for (std::size_t q = 0; q < n; ++q) out[q] = ~a[q] & all_of(n);
        mask_causal(t, n);
        return true;
      }
      case Op::Aggregate:
        return aggregate(t, n);
      case Op::Width: {
        const auto& a = rows[s.in[0]];
        PerPosition<Num>& col = cols[t];
        col.resize(n);
        for (std::size_t q = 0; q < n; ++q) col[q] = {Kind::Int, std::popcount(a[q]), 1};
        return describe(t);
      }
    }
    return false;
  }
};

Tape::Tape(std::unique_ptr<State> state) : d(std::move(state)) {}
Tape::~Tape() = default;

std::unique_ptr<Tape> Tape::build(const ir::Program& program, NodeId root, const Options& options) {
  if (!options.fast_paths || options.bos) return nullptr;
  auto state = std::make_unique<State>();
  state->options = options;
  std::vector<NodeId> order = program.ancestors(root);
  std::sort(order.begin(), order.end());  // ids are a topological order: the root comes last
  std::unordered_map<NodeId, std::uint32_t> step_of;
  for (NodeId id : order) {
    const ir::Node& node = program.node(id);
    Step s;
    for (NodeId in : node.inputs) {
      std::uint32_t t = step_of.at(in);
      s.in.push_back(t);
      s.reads_tokens = s.reads_tokens || state->steps[t].reads_tokens;
    }
    auto t = static_cast<std::uint32_t>(state->steps.size());
    switch (node.kind) {
      case NodeKind::Tokens:
        // Two kinds of tokens in one program (tokens_str beside tokens_int): the Evaluator's.
        if (state->tokens != UINT32_MAX) return nullptr;
        s.op = Op::Tokens;
        s.reads_tokens = true;
        state->tokens = t;
        state->token_type = node.token_type;
        break;
      case NodeKind::Indices:
        s.op = Op::Indices;
        break;
      case NodeKind::Constant:
        s.op = Op::Constant;
        s.value = node.value;
        break;
      case NodeKind::Map: {
        s.expr = node.expr;
        bool over_tokens = !s.in.empty() && std::all_of(s.in.begin(), s.in.end(), [&](std::uint32_t in) {
          return state->steps[in].op == Op::Tokens || state->steps[in].op == Op::TokenMap;
        });
        if (over_tokens) {
          s.op = Op::TokenMap;
          state->token_maps.push_back(t);
        } else {
          s.op = Op::Map;
          s.numbers = in_number_fragment(*node.expr);
        }
        break;
      }
      case NodeKind::Select: {
        s.selector = true;
        s.expr = node.expr;
        const ir::ExprNode& p = *node.expr;
        if (is_comparison(p)) {
          s.op = Op::Compare;
          s.compare = p.bop;
        } else if (p.op == ExprOp::Const) {
          s.op = Op::Always;
          s.always = p.value.truthy();
        } else {
          s.op = Op::Select;
        }
        break;
      }
      case NodeKind::SelectorAnd:
      case NodeKind::SelectorOr:
      case NodeKind::SelectorNot:
        s.selector = true;
        s.op = node.kind == NodeKind::SelectorAnd ? Op::And : node.kind == NodeKind::SelectorOr ? Op::Or : Op::Not;
        break;
      case NodeKind::Aggregate:
        s.op = Op::Aggregate;
        s.value = node.value;
        break;
      case NodeKind::SelectorWidth:
        s.op = Op::Width;
        break;
      default:
        return nullptr;
    }
    if (s.selector) ++state->selectors;
    state->steps.push_back(std::move(s));
    step_of.emplace(id, t);
  }
  std::size_t size = state->steps.size();
  state->steps.back().column = true;
  for (const Step& s : state->steps) {
    if (s.op == Op::TokenMap) continue;
    for (std::uint32_t in : s.in) state->steps[in].column = true;
  }
  state->cols.resize(size);
  state->facts.resize(size);
  state->ints.resize(size);
  state->rows.resize(size);
  state->values.resize(size);
  state->tables.resize(size);
  state->by_char.fill(UINT32_MAX);
  return std::unique_ptr<Tape>(new Tape(std::move(state)));
}

std::optional<Output> Tape::run(std::span<const Value> input) {
  State& st = *d;
  std::size_t n = input.size();
  if (n == 0 || n > kTapeMostPositions) return std::nullopt;
  // Every selector's matrix counts against the limit, as in the Evaluator's trace.
  if (st.selectors * n * n > st.options.max_matrix_cells) return std::nullopt;
  bool keep = st.options.reuse && st.last_n == n;
  st.last_n = 0;
  if (st.tokens != UINT32_MAX && !st.read_tokens(input)) return std::nullopt;
  auto size = static_cast<std::uint32_t>(st.steps.size());
  for (std::uint32_t t = 0; t < size; ++t) {
    const Step& s = st.steps[t];
    if (keep && !s.reads_tokens) continue;
    if (s.op == Op::TokenMap && !s.column) {
      // No column to make, but the Evaluator's would have to be uniform all the same.
      if (!st.uniform_token_map(t, n)) return std::nullopt;
      continue;
    }
    if (!st.step(t, n)) return std::nullopt;
  }
  st.last_n = n;
  Output out;
  std::uint32_t root = size - 1;
  if (st.steps[root].selector) {
    out.is_selector = true;
    out.matrix.assign(n, std::vector<bool>(n));
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t k = 0; k < n; ++k) out.matrix[q][k] = ((st.rows[root][q] >> k) & 1) != 0;
    }
    return out;
  }
  out.values.reserve(n);
  for (const Num& x : st.cols[root]) out.values.push_back(value_of(x));
  return out;
}

}  // namespace rasp::interp::detail

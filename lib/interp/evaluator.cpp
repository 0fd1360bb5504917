// lib/interp/evaluator.cpp - One memoised topological pass with tight per-position loops.
#include "lib/interp/evaluator.h"

#include <boost/container/small_vector.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <unordered_map>

#include "lib/interp/detail/column_facts.h"
#include "lib/interp/detail/map_plan.h"
#include "lib/interp/detail/int_columns.h"
#include "lib/interp/detail/kernel.h"
#include "lib/interp/detail/number_columns.h"
#include "lib/interp/detail/selector_plan.h"
#include "lib/interp/detail/token_memo.h"
#include "lib/ir/text.h"

namespace rasp::interp {

using ir::BinaryOp;
using ir::ExprOp;
using ir::Kind;
using ir::NodeId;
using ir::NodeKind;
using ir::Value;

std::string describe_input(std::span<const Value> input) {
  bool all_chars = !input.empty() && std::all_of(input.begin(), input.end(), [](const Value& v) {
    return v.is_string() && ir::one_character(v.str()) && v.str() != "\"" && v.str() != "\\";
  });
  if (all_chars) {
    std::string s = "\"";
    for (const auto& v : input) s += v.str();
    return s + "\"";
  }
  std::string s = "[";
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (i) s += ", ";
    s += input[i].is_float() ? input[i].to_string() : input[i].repr();
  }
  return s + "]";
}

namespace {

// Selected keys in a row of 0/1 bytes: the bytes of each 8-byte word summed by one
// multiplication (the sum lands in the top byte; it is at most 8).
std::size_t row_count(const std::uint8_t* row, std::size_t n) {
  std::size_t count = 0, k = 0;
  for (; k + 8 <= n; k += 8) {
    std::uint64_t word;
    std::memcpy(&word, row + k, 8);
    count += static_cast<std::size_t>((word * 0x0101010101010101ULL) >> 56);
  }
  for (; k < n; ++k) count += row[k];
  return count;
}

}  // namespace

// Operands of one map, distinct results of a small table: few, so kept inline.
template <typename T>
using Small = boost::container::small_vector<T, 4>;

namespace {

// A selector's plan, when it has one. The storage stays from one evaluation to the next
// (reset() only marks it absent): a short input's plans cost no construction.
class PlanSlot {
 public:
  explicit operator bool() const { return d_engaged; }
  const detail::SelectorPlan& operator*() const { return d_plan; }
  const detail::SelectorPlan* operator->() const { return &d_plan; }
  /// The plan's storage, for detail::make_plan, which sets every field.
  detail::SelectorPlan& emplace() {
    d_engaged = true;
    return d_plan;
  }
  void reset() { d_engaged = false; }
  [[nodiscard]] std::size_t capacity() const { return d_plan.keys.capacity() + d_plan.queries.capacity(); }

 private:
  detail::SelectorPlan d_plan;
  bool d_engaged = false;
};

// What an evaluation keeps per node besides the trace: one per thread, reused by every
// evaluation on it, so evaluating a short input does not pay for allocating and freeing
// per-node state (a third of the time at n=10 before). Each evaluation resets what it uses,
// except the nodes it keeps from the evaluation before (Options::reuse).
struct Scratch {
  /// The ancestors of the roots, as flags and in topological order, and what they are of.
  std::vector<char> needed;
  std::vector<NodeId> order;
  std::uint64_t order_program = 0;
  std::vector<NodeId> order_roots;
  /// Whether `inner` and `groups` fuse maps that do not read tokens (nothing is kept).
  bool order_fuses_independent = false;
  /// Of each map over one tokens node alone (through other such maps), that node; else
  /// kNoSource. Computed with `order`.
  std::vector<NodeId> token_source;
  static constexpr NodeId kNoSource = detail::kNoTokenSource;
  /// Such maps' results per token value, across evaluations of one program.
  detail::TokenMemo memo;
  /// Such maps read only by such maps (detail::find_read_by_token_maps_only). Computed with
  /// `order`.
  std::vector<char> token_maps_only;
  /// Fusion, for evaluate() on short inputs (detail::plan_fusion): inner maps are computed
  /// only inside their group's last map. Computed with `order`.
  std::vector<char> inner;
  std::vector<std::vector<NodeId>> groups;
  /// Each inner map's place in its group.
  std::vector<std::uint32_t> slots_in_group;
  /// A group's members' numbers, and its operands made numbers, while it is evaluated.
  std::vector<detail::PerPosition<detail::Num>> fused, fused_operands;
  std::vector<detail::PerPosition<std::int64_t>> fused_ints;
  std::vector<detail::ColumnFacts> facts;
  std::vector<char> pending;
  std::vector<detail::PerPosition<detail::Num>> numbers;
  std::vector<PlanSlot> plans;
  std::vector<detail::PerPosition<std::uint8_t>> rows;
  /// A short input's selectors, whole (Evaluator::whole), and which of them are computed.
  std::vector<std::vector<std::uint8_t>> cells;
  std::vector<char> whole;
  std::vector<std::int32_t> table, slots;
  /// The trace of evaluate(): only the root's entry leaves it.
  Trace trace;

  /// What the kept nodes were computed for; a different one drops them all.
  struct Key {
    std::uint64_t program = 0;
    std::size_t n = 0;
    bool bos = false, causal = false;
    Aggregation aggregation = Aggregation::Mean;
    std::size_t max_matrix_cells = 0;
    bool operator==(const Key&) const = default;
  };
  std::optional<Key> key;
  /// Nodes whose state above, and entries in `trace`, are still those of the evaluation
  /// that computed them.
  std::vector<char> kept;
  /// Whether every node of `order` that can be kept is (keep_independent found them all):
  /// till the key or the order changes.
  bool kept_all = false;
  /// A kept selector's counts and selected keys (summaries without sums), once read.
  std::vector<std::optional<detail::PerPosition<detail::RowSummary>>> kept_summaries;

  // Sized for `size` nodes with nothing needed, for an input of `n` positions. Without `key`
  // (or with a new one) nothing is kept; clear(id) readies a node that is not.
  void reset(std::size_t size, const std::optional<Key>& next, std::size_t n) {
    if (!next || key != next) {
      kept.assign(size, 0);
      kept_summaries.assign(size, std::nullopt);
      kept_all = false;
    }
    key = next;
    // All sized together: one size says whether any needs resizing.
    if (pending.size() != size) {
      for (auto* v : {&pending, &whole, &kept}) v->resize(size);
      kept_summaries.resize(size);
      facts.resize(size);
      numbers.resize(size);
      plans.resize(size);
      rows.resize(size);
      cells.resize(size);
    }
    if (table.capacity() > kKeep) table = {};
    if (slots.capacity() > kKeep) slots = {};
    // Buffers a long input grew past a few thousand entries are given back rather than kept
    // for the thread's lifetime: every node's, once after such an input.
    if (grown) {
      for (std::size_t id = 0; id < size; ++id) {
        if (!kept[id]) trim(id);
      }
    }
    grown = n >= kGrowsFrom;
  }

  // Node `id` as new.
  void clear(std::size_t id) {
    pending[id] = 0;
    whole[id] = 0;
    kept[id] = 0;
    kept_summaries[id].reset();
    facts[id].clear();
    numbers[id].clear();
    plans[id].reset();
  }

  void trim(std::size_t id) {
    if (facts[id].nums.capacity() > kKeep || facts[id].ids.capacity() > kKeep) facts[id] = detail::ColumnFacts{};
    if (numbers[id].capacity() > kKeep) numbers[id] = {};
    if (rows[id].capacity() > kKeep) rows[id] = {};
    if (cells[id].capacity() > kKeep) cells[id] = {};
    if (plans[id].capacity() > 2 * kKeep) plans[id] = {};
  }

  static constexpr std::size_t kKeep = 4096;
  /// Below this many positions no per-node buffer outgrows kKeep entries: n of them, or
  /// n x n cells for a short input's whole matrices (kWholeBelow is less).
  static constexpr std::size_t kGrowsFrom = 64;
  /// Whether the last evaluation's input was that long.
  bool grown = false;
};

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

class Evaluator {
 public:
  /// `lazy`: comparison selectors that nothing reads cell by cell are never filled, except
  /// the roots; a trace for the user's eyes (reports, hazards) is built with every matrix.
  /// `fuse` (lazy only): inner maps are computed inside their groups (Scratch::inner).
  Evaluator(const ir::Program& program, std::span<const Value> input, const Options& options, bool lazy,
            Scratch& scratch, bool fuse)
      : d_program(program),
        d_input(input),
        d_options(options),
        d_lazy(lazy),
        d_trace(lazy ? scratch.trace : d_own_trace),
        d_facts(scratch.facts),
        d_pending(scratch.pending),
        d_numbers(scratch.numbers),
        d_table(scratch.table),
        d_slots(scratch.slots),
        d_plans(scratch.plans),
        d_rows(scratch.rows),
        d_scratch(scratch) {
    std::size_t n = input.size() + (options.bos ? 1 : 0);
    std::optional<Scratch::Key> key;
    if (lazy && options.fast_paths && options.reuse && n < kWholeBelow) {
      key = Scratch::Key{program.serial(), n, options.bos, options.causal, options.aggregation,
                         options.max_matrix_cells};
    }
    scratch.reset(program.size(), key, n);
    d_memo = options.fast_paths && options.reuse;
    if (d_memo) scratch.memo.start(program.serial(), program.size());
    d_fuse = fuse && lazy && options.fast_paths && n < kWholeBelow;
  }

  /// Evaluates the roots' ancestors.
  Result<void> run(std::span<const NodeId> roots) {
    auto ok = run_nodes(roots);
    // Kept nodes' entries may be half-way (a column being made): keep nothing.
    if (!ok) d_scratch.key.reset();
    return ok;
  }

  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;
  ~Evaluator() { release(); }

  /// Whether some inner map was left to its group: a fault may then have come before the
  /// one a node-by-node evaluation meets first.
  [[nodiscard]] bool fused_any() const { return d_fused_any; }

  /// The trace of a run (every entry, for trace()).
  Trace take_trace() { return std::move(d_trace); }

  /// A root's value: moved out of the trace unless the node is kept.
  Output take_output(NodeId id) {
    if (d_trace.is_matrix(id)) return output_of(d_trace, id);
    Output out;
    auto first = static_cast<std::ptrdiff_t>(d_trace.first_position());
    Column& c = *d_trace.d_columns[id];
    if (d_scratch.kept[id]) {
      out.values.assign(c.begin() + first, c.end());
    } else {
      out.values = std::move(c);
      out.values.erase(out.values.begin(), out.values.begin() + first);
    }
    return out;
  }

 private:
  // Once the root's value is taken, the thread's trace frees the entries of nodes not kept:
  // a long input's columns and matrices are not held until the next evaluation. A short
  // one's few hundred bytes are left for the next evaluation to clear.
  void release() {
    if (&d_trace != &d_scratch.trace || d_n < kWholeBelow) return;
    for (NodeId id : d_scratch.order) {
      if (d_scratch.kept[id]) continue;
      d_trace.d_columns[id].reset();
      d_trace.d_matrices[id].reset();
    }
  }

  Result<void> run_nodes(std::span<const NodeId> roots) {
    std::size_t n = d_input.size() + (d_options.bos ? 1 : 0);
    d_n = n;
    d_matrix_over = n > 0 && n > d_options.max_matrix_cells / n;
    if (d_input.empty()) {
      return fail(code::kInput, kEmptyInput);
    }
    const std::vector<NodeId>& order = needed_order(roots);
    d_trace.d_columns.resize(d_program.size());
    d_trace.d_matrices.resize(d_program.size());
    d_trace.d_first = d_options.bos ? 1 : 0;
    // Only needed nodes are read, so only they are cleared of an earlier evaluation's state,
    // unless kept from it.
    for (NodeId id : order) {
      if (d_scratch.kept[id]) {
        // Its matrix counts against the limit as if computed (which may refuse it, as then).
        if (is_selector(d_program.node(id).kind)) {
          if (auto ok = reserve_matrix(id); !ok) return ok;
        }
        continue;
      }
      d_scratch.clear(id);
      d_trace.d_columns[id].reset();
      d_trace.d_matrices[id].reset();
      if (d_fuse && d_scratch.inner[id]) {
        d_fused_any = true;
        continue;
      }
      // Its readers have every token's result or read its remembered ones: no column, and
      // no fault (only results computed without one are remembered).
      if (d_lazy && d_scratch.token_maps_only[id] && all_remembered(id)) {
        d_pending[id] = kRemembered;
        continue;
      }
      if (auto ok = eval_node(id); !ok) return ok;
    }
    for (NodeId r : roots) {
      if (is_selector(d_program.node(r).kind)) mat(r);
      if (d_pending[r]) col(r);
    }
    // A trace for the user's eyes holds every column as values.
    if (!d_lazy) {
      for (NodeId id : order) {
        if (d_pending[id]) col(id);
      }
    }
    if (d_scratch.key && !d_scratch.kept_all) keep_independent();
    return {};
  }

  // The roots' ancestors in topological order, marked in the scratch's `needed`: of the last evaluation
  // on this thread when it had the same program (with as many nodes) and roots.
  const std::vector<NodeId>& needed_order(std::span<const NodeId> roots) {
    std::vector<NodeId>& order = d_scratch.order;
    std::vector<char>& needed = d_scratch.needed;
    // Maps that do not read tokens are kept across inputs when reuse is on, so then fused
    // only when they read tokens.
    bool independent_too = !d_options.reuse;
    if (d_scratch.order_program == d_program.serial() && needed.size() == d_program.size() &&
        d_scratch.order_fuses_independent == independent_too &&
        std::equal(roots.begin(), roots.end(), d_scratch.order_roots.begin(), d_scratch.order_roots.end())) {
      return order;
    }
    // Node ids are a topological order (Program::add requires operands first), so one
    // sweep from the last id marks every ancestor of the roots.
    needed.assign(d_program.size(), 0);
    if (needed.capacity() > 4 * Scratch::kKeep) needed.shrink_to_fit();
    for (NodeId r : roots) needed[r] = 1;
    for (NodeId id = static_cast<NodeId>(d_program.size()); id-- > 0;) {
      if (!needed[id]) continue;
      for (NodeId in : d_program.node(id).inputs) needed[in] = 1;
    }
    order.clear();
    for (NodeId id = 0; id < d_program.size(); ++id) {
      if (needed[id]) order.push_back(id);
    }
    detail::find_token_sources(d_program, order, d_scratch.token_source);
    detail::find_read_by_token_maps_only(d_program, order, roots, d_scratch.token_source, d_scratch.token_maps_only);
    detail::plan_fusion(d_program, order, roots, d_scratch.token_source, independent_too, d_scratch.inner,
                        d_scratch.groups, d_scratch.slots_in_group);
    d_scratch.order_program = d_program.serial();
    d_scratch.order_fuses_independent = independent_too;
    d_scratch.order_roots.assign(roots.begin(), roots.end());
    d_scratch.kept_all = false;
    return order;
  }

  // After a whole evaluation: every needed node that does not read `tokens` is a function
  // of the length and the options alone, so it is kept for the next evaluation with the
  // same key, with its entries in the thread's trace.
  void keep_independent() {
    std::vector<char>& kept = d_scratch.kept;
    for (NodeId id : d_scratch.order) {
      // Operands come first, so theirs are already marked; a node not kept was cleared.
      if (!kept[id]) {
        const ir::Node& node = d_program.node(id);
        if (node.kind == NodeKind::Tokens ||
            !std::all_of(node.inputs.begin(), node.inputs.end(), [&](NodeId in) { return kept[in] != 0; })) {
          continue;
        }
        kept[id] = 1;
      }
    }
    d_scratch.kept_all = true;
  }

  using Status = Result<void>;

  // The first node of this evaluation, in order, that is the user's (not the library's) and
  // reads `id`, directly or through library nodes.
  std::optional<NodeId> first_user_reader(NodeId id) const {
    std::vector<char> reads(d_program.size(), 0);
    reads[id] = 1;
    return d_program.first_user_reader(d_scratch.order, std::move(reads));
  }

  static bool contains(const SourceRange& outer, const SourceRange& inner) {
    auto before = [](int l1, int c1, int l2, int c2) { return l1 < l2 || (l1 == l2 && c1 <= c2); };
    return outer.known() && inner.known() && outer.file_name() == inner.file_name() &&
           before(outer.line, outer.col, inner.line, inner.col) &&
           before(inner.end_line, inner.end_col, outer.end_line, outer.end_col);
  }

  // Of node `id`'s places (its range and `also`), one inside the range of a node of this
  // evaluation that reads it, with that reader's name; the first such reader in order.
  std::optional<std::pair<SourceRange, std::string>> place_read_from(NodeId id) const {
    const ir::Node& node = d_program.node(id);
    for (NodeId k : d_scratch.order) {
      if (k <= id) continue;
      const ir::Node& reader = d_program.node(k);
      if (std::find(reader.inputs.begin(), reader.inputs.end(), id) == reader.inputs.end()) continue;
      if (contains(reader.range, node.range)) return std::nullopt;  // the first place is read from
      for (const SourceRange& r : node.also) {
        if (contains(reader.range, r)) {
          return std::pair{r, reader.name.empty() ? std::string(ir::node_kind_name(reader.kind)) : reader.name};
        }
      }
    }
    return std::nullopt;
  }

  tl::unexpected<Diagnostics> fault(NodeId id, const char* code, const std::string& message) {
    const ir::Node& node = d_program.node(id);
    Diagnostic d{Severity::Error, code, message, node.range, {}};
    std::string what = node.name.empty() ? std::string(ir::node_kind_name(node.kind)) : node.name;
    // The same computation written in several places is one node: locate the fault at the
    // place inside an expression this evaluation reads it from, not at the first place.
    if (!node.also.empty()) {
      if (auto place = place_read_from(id)) {
        d.range = place->first;
        what = place->second;
      }
    }
    // A long input is shown by its first tokens: a note is read, not parsed.
    constexpr std::size_t kShown = 40;
    std::string shown = d_input.size() <= kShown
                            ? describe_input(d_input)
                            : fmt::format("{} and {} more tokens ({} in all)", describe_input(d_input.first(kShown)),
                                          d_input.size() - kShown, d_input.size());
    d.notes.push_back(fmt::format("in {} on input {}", what, shown));
    if (node.range.in_library()) {
      // Located where the user's program first reads the library's node (`length` on a
      // huge input, say), not in the library's source.
      if (auto reader = first_user_reader(id)) {
        const ir::Node& r = d_program.node(*reader);
        d.range = r.range;
        d.notes.front() = fmt::format("in the library's {}, which this reads, on input {}", what, shown);
      }
    }
    if (std::string_view(code) == code::kOverflow && node.kind == NodeKind::Aggregate) {
      d.notes.push_back(
          "raspkit computes exactly, with fractions of 64-bit integers; a mean of means over n positions has "
          "denominators up to lcm(1..n), past 64 bits from about n = 40 (the reference's floats round instead)");
    }
    return tl::unexpected(Diagnostics{std::move(d)});
  }

  // Every matrix stays in the trace, one byte a cell: refuse the selector that would take
  // the total over the limit before allocating it (issue 7, memory for selector matrices).
  Status reserve_matrix(NodeId id) {
    std::size_t cells = d_n * d_n;
    if (d_n > 0 && (d_matrix_over || cells > d_options.max_matrix_cells - d_matrix_cells)) {
      return fault(id, code::kLimit,
                   fmt::format("input of length {} needs {} selector cells for this selector and "
                               "{} for earlier ones, over the limit of {}",
                               d_input.size(), cells, d_matrix_cells, d_options.max_matrix_cells));
    }
    d_matrix_cells += cells;
    return {};
  }

  // A column's values; an int column kept only as int64s (set_ints) is turned into values
  // on first use, which many never need: an int map read only by int maps and selects.
  const Column& col(NodeId id) {
    if (d_pending[id]) {
      Column c;
      c.reserve(d_n);
      for (std::size_t i = 0; i < d_n; ++i) c.push_back(value_at(id, i));
      d_trace.d_columns[id] = std::move(c);
      d_pending[id] = kValues;
      d_numbers[id].clear();
    }
    return *d_trace.d_columns[id];
  }

  // A column's values in place: the input itself for a tokens column read as it is (kInput),
  // else col().
  std::span<const Value> values_of(NodeId id) {
    if (d_pending[id] == kInput) return d_input;
    return col(id);
  }

  // A column's values if it has them (the input, or a column made), else null.
  const Value* values_made(NodeId id) const {
    if (d_pending[id] == kInput) return d_input.data();
    if (d_pending[id] == kValues) return d_trace.d_columns[id]->data();
    return nullptr;
  }

  // One value of a column, without turning a pending column into values.
  Value value_at(NodeId id, std::size_t i) {
    if (d_pending[id] == kInput) return d_input[i];
    if (d_pending[id] == kRemembered) return remembered_at(id, i);
    if (d_pending[id] == kInts) {
      std::int64_t x = d_facts[id].nums[i];
      return d_facts[id].int_kind == detail::IntKind::Bool ? Value::boolean(x != 0) : Value::integer(x);
    }
    if (d_pending[id] == kNumbers) return to_value(d_numbers[id][i]);
    return (*d_trace.d_columns[id])[i];
  }

  // One number of a number column (pending or values).
  detail::Num num_at(NodeId id, std::size_t i) const {
    if (d_pending[id] == kInts) {
      return {d_facts[id].int_kind == detail::IntKind::Bool ? Kind::Bool : Kind::Int, d_facts[id].nums[i], 1};
    }
    if (d_pending[id] == kNumbers) return d_numbers[id][i];
    const Value& v = d_pending[id] == kInput ? d_input[i] : (*d_trace.d_columns[id])[i];
    return {v.kind(), v.num(), v.den()};
  }

  static Value to_value(const detail::Num& x) {
    if (x.kind == Kind::Bool) return Value::boolean(x.num != 0);
    if (x.kind == Kind::Int) return Value::integer(x.num);
    return *Value::rational(x.num, x.den);  // normalised already: cannot fail
  }

  // Stores an int (or bool) column as its facts alone; col() makes values when asked.
  void set_ints(NodeId id, detail::IntKind kind, detail::PerPosition<std::int64_t>&& nums) {
    int_facts(id, kind) = std::move(nums);
  }
  // Marks `id` an int column of `kind` and gives the buffer for its values.
  detail::PerPosition<std::int64_t>& int_facts(NodeId id, detail::IntKind kind) {
    d_facts[id].clear();
    mark_ints(id, kind);
    return d_facts[id].nums;
  }
  // Marks `id` an int column of `kind` whose values are in its facts' `nums` already.
  void mark_ints(NodeId id, detail::IntKind kind) {
    detail::ColumnFacts& f = d_facts[id];
    f.numbers_known = true;
    f.integral = true;
    f.int_kind = kind;
    d_pending[id] = kInts;
  }

  // Keeps the number column (bools, ints and floats mixed) written to d_numbers[id] as
  // (kind, num, den) triples; an all-int or all-bool one becomes an int column.
  void set_numbers(NodeId id) {
    const detail::PerPosition<detail::Num>& column = d_numbers[id];
    for (Kind kind : {Kind::Int, Kind::Bool}) {
      if (std::all_of(column.begin(), column.end(), [&](const detail::Num& x) { return x.kind == kind; })) {
        detail::PerPosition<std::int64_t> nums(column.size());
        for (std::size_t i = 0; i < column.size(); ++i) nums[i] = column[i].num;
        d_numbers[id].clear();
        set_ints(id, kind == Kind::Int ? detail::IntKind::Int : detail::IntKind::Bool, std::move(nums));
        return;
      }
    }
    detail::ColumnFacts& f = d_facts[id];
    f.clear();
    f.numbers_known = true;
    f.integral = std::all_of(column.begin(), column.end(), [](const detail::Num& x) { return x.den == 1; });
    if (f.integral) {
      f.nums.resize(column.size());
      for (std::size_t i = 0; i < column.size(); ++i) f.nums[i] = column[i].num;
    }
    d_pending[id] = kNumbers;
  }
  static bool is_selector(NodeKind kind) {
    return kind == NodeKind::Select || kind == NodeKind::SelectorAnd || kind == NodeKind::SelectorOr ||
           kind == NodeKind::SelectorNot;
  }

  // Up to this length, a composite read row by row is filled whole first: one loop over
  // its operands' matrices instead of a call chain per query, for n x n bytes that fit in
  // a few cache lines.
  static constexpr std::size_t kWholeBelow = 33;
  static_assert(kWholeBelow <= Scratch::kGrowsFrom &&
                (Scratch::kGrowsFrom - 1) * (Scratch::kGrowsFrom - 1) <= Scratch::kKeep);

  // A short input's selector, all n x n cells: its matrix when filled, else computed once
  // into the thread's scratch from its plan or its operands' cells (one loop each instead
  // of a call chain per query, in buffers reused by the next evaluation).
  const std::uint8_t* whole(NodeId id) {
    if (const auto& m = d_trace.d_matrices[id]) return m->cells.data();
    std::vector<std::uint8_t>& buffer = d_scratch.cells[id];
    if (d_scratch.whole[id]) return buffer.data();
    std::size_t cells = d_n * d_n;
    buffer.resize(cells);
    std::uint8_t* __restrict__ out = buffer.data();
    if (const auto& plan = d_plans[id]) {
      detail::fill_matrix(*plan, out);
    } else {
      const ir::Node& node = d_program.node(id);
      const std::uint8_t* __restrict__ a = whole(node.inputs[0]);
      if (node.kind == NodeKind::SelectorNot) {
        for (std::size_t i = 0; i < cells; ++i) out[i] = a[i] ^ 1;
        if (d_options.causal) {
          for (std::size_t q = 0; q < d_n; ++q) std::fill(out + q * d_n + q + 1, out + (q + 1) * d_n, std::uint8_t{0});
        }
      } else {
        const std::uint8_t* __restrict__ b = whole(node.inputs[1]);
        if (node.kind == NodeKind::SelectorAnd) {
          for (std::size_t i = 0; i < cells; ++i) out[i] = a[i] & b[i];
        } else {
          for (std::size_t i = 0; i < cells; ++i) out[i] = a[i] | b[i];
        }
      }
    }
    d_scratch.whole[id] = 1;
    return out;
  }

  // A selector's cells, filled on first use from its plan, from its operands' matrices
  // (short inputs) or from its operands' rows.
  const Matrix& mat(NodeId id) {
    std::optional<Matrix>& m = d_trace.d_matrices[id];
    if (!m && d_n < kWholeBelow) {
      const std::uint8_t* cells = whole(id);
      m = Matrix{d_n, std::vector<std::uint8_t>(cells, cells + d_n * d_n)};
    }
    if (!m) {
      Matrix filled;
      filled.n = d_n;
      filled.cells.resize(d_n * d_n);
      for (std::size_t q = 0; q < d_n; ++q) {
        std::uint8_t* cells = &filled.cells[q * d_n];
        if (d_plans[id]) {
          detail::fill_row(*d_plans[id], q, cells);
        } else {
          std::memcpy(cells, row(id, q), d_n);
        }
      }
      m = std::move(filled);
    }
    return *m;
  }

  // Query q's row of a selector: its filled cells, or computed into the node's own row
  // buffer from its plan or (a composite nothing filled) from its operands' rows. Readers
  // that go row by row never hold n x n bytes for a selector only they read.
  const std::uint8_t* row(NodeId id, std::size_t q) {
    if (const auto& m = d_trace.d_matrices[id]) return &m->cells[q * d_n];
    if (d_n < kWholeBelow) return whole(id) + q * d_n;
    detail::PerPosition<std::uint8_t>& buffer = d_rows[id];
    buffer.resize(d_n);
    std::uint8_t* out = buffer.data();
    if (const auto& plan = d_plans[id]) {
      detail::fill_row(*plan, q, out);
      return out;
    }
    const ir::Node& node = d_program.node(id);
    const std::uint8_t* a = row(node.inputs[0], q);
    if (node.kind == NodeKind::SelectorNot) {
      for (std::size_t k = 0; k < d_n; ++k) out[k] = a[k] ^ 1;
      if (d_options.causal) std::fill(out + std::min(q + 1, d_n), out + d_n, std::uint8_t{0});
      return out;
    }
    const std::uint8_t* b = row(node.inputs[1], q);
    if (node.kind == NodeKind::SelectorAnd) {
      for (std::size_t k = 0; k < d_n; ++k) out[k] = a[k] & b[k];
    } else {
      for (std::size_t k = 0; k < d_n; ++k) out[k] = a[k] | b[k];
    }
    return out;
  }

  // A column's integer view, computed on first use.
  const detail::ColumnFacts& numbers(NodeId id) {
    detail::ColumnFacts& f = d_facts[id];
    if (!f.numbers_known) detail::compute_numbers(f, values_of(id));
    return f;
  }
  // A column's distinct-value numbering, computed on first use.
  const detail::ColumnFacts& distinct(NodeId id) {
    detail::ColumnFacts& f = d_facts[id];
    if (!f.ids_known) {
      // An int column is numbered from its int64s alone.
      if (f.numbers_known && f.int_kind) {
        detail::compute_ids(f, {});
      } else {
        detail::compute_ids(f, values_of(id));
      }
    }
    return f;
  }

  // The reference's Sequence type check: strings never mix with numbers.
  Status check_uniform(NodeId id, const Column& c) {
    if (c.empty()) return {};
    bool strings = c.front().is_string();
    for (std::size_t i = 1; i < c.size(); ++i) {
      if (c[i].is_string() != strings) {
        return fault(id, code::kMixedTypes,
                     fmt::format("sequence mixes value types: {} at position {} and {} at position {}",
                                 c.front().repr(), 0, c[i].repr(), i));
      }
    }
    return {};
  }

  Status eval_node(NodeId id) {
    const ir::Node& node = d_program.node(id);
    switch (node.kind) {
      case NodeKind::Tokens:
        return eval_tokens(id, node);
      case NodeKind::Indices: {
        detail::PerPosition<std::int64_t> c(d_n);
        for (std::size_t i = 0; i < d_n; ++i) c[i] = static_cast<std::int64_t>(i);
        set_ints(id, detail::IntKind::Int, std::move(c));
        return {};
      }
      case NodeKind::Constant:
        if (node.value.is_int() || node.value.is_bool()) {
          set_ints(id, node.value.is_int() ? detail::IntKind::Int : detail::IntKind::Bool,
                   detail::PerPosition<std::int64_t>(d_n, node.value.num()));
        } else {
          d_trace.d_columns[id] = Column(d_n, node.value);
        }
        return {};
      case NodeKind::Map:
        return eval_map(id, node);
      case NodeKind::Select:
        if (auto ok = reserve_matrix(id); !ok) return ok;
        return eval_select(id, node);
      case NodeKind::SelectorAnd:
      case NodeKind::SelectorOr:
      case NodeKind::SelectorNot:
        if (auto ok = reserve_matrix(id); !ok) return ok;
        // Lazily, a composite is computed row by row where it is read.
        if (!d_lazy) mat(id);
        return {};
      case NodeKind::Aggregate:
        return eval_aggregate(id, node);
      case NodeKind::SelectorWidth: {
        detail::PerPosition<std::int64_t> c(d_n);
        if (SummaryPlans plans = summary_of(node.inputs[0]); plans.equal_or_only) {
          const auto* kept = kept_summaries(node.inputs[0], plans, nullptr);
          auto local = kept ? detail::PerPosition<detail::RowSummary>{} : summaries(plans, nullptr);
          const auto& rows = kept ? *kept : local;
          for (std::size_t q = 0; q < d_n; ++q) c[q] = static_cast<std::int64_t>(rows[q].count);
        } else {
          for (std::size_t q = 0; q < d_n; ++q) {
            c[q] = static_cast<std::int64_t>(row_count(row(node.inputs[0], q), d_n));
          }
        }
        set_ints(id, detail::IntKind::Int, std::move(c));
        return {};
      }
    }
    return {};
  }

  Status eval_tokens(NodeId id, const ir::Node& node) {
    // Strings read as strings, no BOS (the usual input): the input is the column, read in
    // place until something needs it as values.
    if (!d_options.bos && (node.token_type == ir::TokenType::Str || node.token_type == ir::TokenType::AsIs) &&
        std::all_of(d_input.begin(), d_input.end(), [](const Value& v) { return v.is_string(); })) {
      d_pending[id] = kInput;
      return {};
    }
    Column c;
    c.reserve(d_n);
    if (d_options.bos) c.push_back(ir::bos_token(node.token_type));
    for (const Value& raw : d_input) {
      // Strings read as strings (the usual input): copied as they are.
      if (raw.is_string() && (node.token_type == ir::TokenType::Str || node.token_type == ir::TokenType::AsIs)) {
        c.push_back(raw);
        continue;
      }
      auto v = ir::convert_token(node.token_type, raw);
      if (!v) return fault(id, v.error().code, v.error().message);
      c.push_back(std::move(*v));
    }
    if (auto ok = check_uniform(id, c); !ok) return ok;
    d_trace.d_columns[id] = std::move(c);
    return {};
  }

  Status eval_map(NodeId id, const ir::Node& node) {
    if (d_options.fast_paths) {
      if (d_fuse && !d_scratch.groups[id].empty()) {
        if (fused_map(id)) return {};
        // Some member declined: each is computed on its own, in order, then this map.
        const std::vector<NodeId>& group = d_scratch.groups[id];
        for (std::size_t k = 0; k + 1 < group.size(); ++k) {
          if (auto ok = eval_node(group[k]); !ok) return ok;
        }
      }
      if (auto done = memo_map(id, node)) return *done;
      if (compare_map(id, node)) return {};
      if (int_map(id, node)) return {};
      if (number_map(id, node)) return {};
      if (auto done = tabulated_map(id, node)) return *done;
    }
    return generic_map(id, node);
  }

  // A map over one tokens node alone (through other such maps): each distinct token's result
  // from the thread's memo, computed on first sight in position order (the first fault is the
  // one the per-position walk meets first).
  std::optional<Status> memo_map(NodeId id, const ir::Node& node) {
    NodeId source = d_scratch.token_source[id];
    if (!d_memo || source == Scratch::kNoSource || !number_tokens(source)) return std::nullopt;
    const detail::ColumnFacts& tf = distinct(source);
    std::size_t count = tf.reps.size();
    std::vector<std::optional<Value>>& memo = d_scratch.memo.results(id);
    for (std::size_t d = 0; d < count; ++d) {
      std::optional<Value>& known = memo[d_token_numbers[d]];
      if (known) continue;
      Small<Value> vars(node.inputs.size());
      for (std::size_t a = 0; a < node.inputs.size(); ++a) vars[a] = value_at(node.inputs[a], tf.reps[d]);
      auto v = ir::evaluate(*node.expr, {vars.data(), vars.size()});
      if (!v) return Status(fault(id, v.error().code, v.error().message));
      known = std::move(*v);
    }
    // `memo` is not resized while this node is stored, so its entries stay put.
    return store_distinct(id, [&](std::size_t d) -> const Value& { return *memo[d_token_numbers[d]]; }, count,
                          [&](std::size_t i) { return tf.ids[i]; });
  }

  // The memo's numbers of the distinct tokens of `source` (d_token_numbers); false when the
  // memo cannot number them.
  bool number_tokens(NodeId source) {
    if (d_numbered == source) return true;
    const detail::ColumnFacts& tf = distinct(source);
    if (!d_scratch.memo.number(values_of(source), {tf.reps.data(), tf.reps.size()}, d_token_numbers)) return false;
    d_numbered = source;
    return true;
  }

  // Map `id`'s remembered result at position i.
  [[gnu::noinline]] Value remembered_at(NodeId id, std::size_t i) {
    NodeId source = d_scratch.token_source[id];
    number_tokens(source);  // numbered already when it was found remembered
    return *d_scratch.memo.results(id)[d_token_numbers[distinct(source).ids[i]]];
  }

  // Whether the memo has map `id`'s result for every token of this input, and they would
  // make a column (strings not mixed with numbers, which is a fault): then nothing about
  // the column is left to find out by making it.
  bool all_remembered(NodeId id) {
    NodeId source = d_scratch.token_source[id];
    if (!d_memo || !number_tokens(source)) return false;
    const std::vector<std::optional<Value>>& memo = d_scratch.memo.results(id);
    std::size_t count = distinct(source).reps.size();
    for (std::size_t d = 0; d < count; ++d) {
      const std::optional<Value>& known = memo[d_token_numbers[d]];
      if (!known || known->is_string() != memo[d_token_numbers[0]]->is_string()) return false;
    }
    return true;
  }

  // Node `id`'s column from its `count` distinct results (`result(d)`) and each position's
  // (`which(i)`): an int column when they are all ints or all bools, else values, checked
  // for mixed types.
  template <typename Result, typename Which>
  Status store_distinct(NodeId id, Result result, std::size_t count, Which which) {
    for (Kind kind : {Kind::Int, Kind::Bool}) {
      bool all = true;
      for (std::size_t d = 0; d < count && all; ++d) all = result(d).kind() == kind;
      if (all) {
        detail::PerPosition<std::int64_t>& nums =
            int_facts(id, kind == Kind::Int ? detail::IntKind::Int : detail::IntKind::Bool);
        nums.resize(d_n);
        for (std::size_t i = 0; i < d_n; ++i) nums[i] = result(which(i)).num();
        return Status{};
      }
    }
    Column out(d_n);
    for (std::size_t i = 0; i < d_n; ++i) out[i] = result(which(i));
    if (auto ok = check_uniform(id, out); !ok) return ok;
    d_trace.d_columns[id] = std::move(out);
    return Status{};
  }

  // A map and its inner maps (Scratch::groups), each member a column at a time into the
  // scratch without a node's bookkeeping: on int64s when its operands are int columns and
  // the int path takes it, else on numbers. False when some operand is not a number column,
  // or some member faults or leaves the number fragment at some position: then each is
  // computed on its own, which reports the fault.
  bool fused_map(NodeId id) {
    const std::vector<NodeId>& group = d_scratch.groups[id];
    auto& nums = d_scratch.fused;
    auto& ints = d_scratch.fused_ints;
    auto& converted = d_scratch.fused_operands;
    std::size_t operand_count = 0;
    for (NodeId m : group) operand_count += d_program.node(m).inputs.size();
    if (nums.size() < group.size()) {
      nums.resize(group.size());
      ints.resize(group.size());
    }
    if (converted.size() < operand_count) converted.resize(operand_count);
    // Each member's int kind when its values are in `ints`, and whether they are in `nums`.
    detail::PerPosition<std::optional<detail::IntKind>> kinds(group.size());
    detail::PerPosition<char> as_nums(group.size(), 0);
    // An inner map is read only by its group, so it is an earlier member.
    auto member = [&](NodeId in) { return static_cast<std::size_t>(d_scratch.slots_in_group[in]); };
    Small<detail::IntOperand> int_operands;
    Small<const detail::Num*> operands;
    std::size_t next = 0;
    for (std::size_t k = 0; k < group.size(); ++k) {
      const ir::Node& node = d_program.node(group[k]);
      int_operands.clear();
      for (NodeId in : node.inputs) {
        std::optional<detail::IntKind> kind;
        const std::int64_t* values = nullptr;
        if (d_scratch.inner[in]) {
          std::size_t j = member(in);
          kind = kinds[j];
          values = ints[j].data();
        } else if (d_pending[in] == kInts) {
          kind = d_facts[in].int_kind;
          values = d_facts[in].nums.data();
        }
        if (!kind) break;
        int_operands.push_back({*kind, values});
      }
      if (int_operands.size() == node.inputs.size()) {
        if (auto kind = detail::eval_int_columns(*node.expr, {int_operands.data(), int_operands.size()}, d_n, ints[k])) {
          kinds[k] = kind;
          continue;
        }
      }
      operands.clear();
      for (NodeId in : node.inputs) {
        if (!d_scratch.inner[in]) {
          const detail::Num* column = num_column(in, converted[next++], true);
          if (!column) return false;
          operands.push_back(column);
          continue;
        }
        std::size_t j = member(in);
        if (!as_nums[j]) {
          ints_as_nums(*kinds[j], ints[j].data(), nums[j]);
          as_nums[j] = 1;
        }
        operands.push_back(nums[j].data());
      }
      if (!detail::eval_number_columns(*node.expr, {operands.data(), operands.size()}, d_n, nums[k], true)) {
        return false;
      }
      as_nums[k] = 1;
      std::size_t of_kind[4] = {0, 0, 0, 0};  // by ir::Kind: Bool, Int, Float, String
      for (const detail::Num& x : nums[k]) ++of_kind[static_cast<std::size_t>(x.kind)];
      // A column mixing strings with numbers is a fault, which the node-by-node path reports.
      std::size_t strings = of_kind[static_cast<std::size_t>(Kind::String)];
      if (strings > 0 && strings < d_n) return false;
      // All ints or all bools: kept as int64s too, for the int path of the members after.
      for (Kind kind : {Kind::Int, Kind::Bool}) {
        if (of_kind[static_cast<std::size_t>(kind)] == d_n) {
          kinds[k] = kind == Kind::Int ? detail::IntKind::Int : detail::IntKind::Bool;
          ints[k].resize(d_n);
          for (std::size_t i = 0; i < d_n; ++i) ints[k][i] = nums[k][i].num;
        }
      }
    }
    std::size_t last = group.size() - 1;
    if (kinds[last]) {
      int_facts(id, *kinds[last]).assign(ints[last].begin(), ints[last].end());
    } else if (nums[last].front().kind == Kind::String) {
      Column out;
      out.reserve(d_n);
      for (const detail::Num& x : nums[last]) out.push_back(detail::string_value(x));
      d_trace.d_columns[id] = std::move(out);
    } else {
      d_numbers[id].assign(nums[last].begin(), nums[last].end());
      set_numbers(id);
    }
    return true;
  }

  // An int column's values as numbers, into `out`.
  void ints_as_nums(detail::IntKind kind, const std::int64_t* values, detail::PerPosition<detail::Num>& out) const {
    Kind as = kind == detail::IntKind::Bool ? Kind::Bool : Kind::Int;
    out.resize(d_n);
    for (std::size_t i = 0; i < d_n; ++i) out[i] = {as, values[i], 1};
  }

  // Column `in` as numbers: in place when held so, else made into `buffer`; null when it
  // holds strings, unless `strings` lets them stand for themselves (detail::string_num).
  const detail::Num* num_column(NodeId in, detail::PerPosition<detail::Num>& buffer, bool strings = false) {
    if (d_pending[in] == kNumbers) return d_numbers[in].data();
    buffer.resize(d_n);
    if (d_pending[in] == kInts) {
      ints_as_nums(*d_facts[in].int_kind, d_facts[in].nums.data(), buffer);
      return buffer.data();
    }
    const Column& c = col(in);
    // Columns are uniform (check_uniform): a string column starts with a string.
    if (c.empty()) return nullptr;
    if (c.front().is_string()) {
      if (!strings) return nullptr;
      for (std::size_t i = 0; i < d_n; ++i) buffer[i] = detail::string_num(c[i]);
      return buffer.data();
    }
    for (std::size_t i = 0; i < d_n; ++i) buffer[i] = {c[i].kind(), c[i].num(), c[i].den()};
    return buffer.data();
  }

  // Every operand an int (or every one a bool) column: evaluate column-wise on int64s.
  bool int_map(NodeId id, const ir::Node& node) {
    Small<detail::IntOperand> operands;
    for (NodeId in : node.inputs) {
      const detail::ColumnFacts& f = numbers(in);
      if (!f.int_kind) return false;
      operands.push_back({*f.int_kind, f.nums.data()});
    }
    detail::PerPosition<std::int64_t>& out = d_facts[id].nums;
    auto kind = detail::eval_int_columns(*node.expr, {operands.data(), operands.size()}, d_n, out);
    if (!kind) {
      out.clear();
      return false;
    }
    mark_ints(id, *kind);
    return true;
  }

  // Every operand a number column, some not all ints (means, ratios): evaluate on
  // (kind, num, den) triples rather than `Value`s.
  bool number_map(NodeId id, const ir::Node& node) {
    Small<const detail::Num*> operands;
    Small<detail::PerPosition<detail::Num>> converted;
    // Reserved: `operands` points into the elements, which a reallocation would move.
    converted.reserve(node.inputs.size());
    for (NodeId in : node.inputs) {
      const detail::Num* column = num_column(in, converted.emplace_back());
      if (!column) return false;
      operands.push_back(column);
    }
    // Operands the same at every position (`length` and what is computed from it): one
    // evaluation serves every position, faults included.
    auto same = [](const detail::Num& a, const detail::Num& b) {
      return a.kind == b.kind && a.num == b.num && a.den == b.den;
    };
    bool uniform = std::all_of(operands.begin(), operands.end(), [&](const detail::Num* x) {
      return std::all_of(x, x + d_n, [&](const detail::Num& v) { return same(v, x[0]); });
    });
    detail::PerPosition<detail::Num>& out = d_numbers[id];
    if (!detail::eval_number_columns(*node.expr, {operands.data(), operands.size()}, uniform ? 1 : d_n, out)) {
      out.clear();
      return false;
    }
    if (uniform) {
      detail::Num first = out.front();  // a copy: resizing may move the elements
      out.resize(d_n, first);
    }
    set_numbers(id);
    return true;
  }

  // `x == c` or `x != c` (either way round) over a column whose values are made, as string
  // tokens are: Python's ==, which never raises, position by position into a bool column.
  bool compare_map(NodeId id, const ir::Node& node) {
    const ir::ExprNode& e = *node.expr;
    if (node.inputs.size() != 1 || e.op != ExprOp::Binary || (e.bop != BinaryOp::Eq && e.bop != BinaryOp::Ne)) {
      return false;
    }
    const ir::ExprNode* var = e.args[0].get();
    const ir::ExprNode* constant = e.args[1].get();
    if (var->op == ExprOp::Const) std::swap(var, constant);
    if (var->op != ExprOp::Var || constant->op != ExprOp::Const) return false;
    const Value* values = values_made(node.inputs[0]);
    if (!values) return false;
    bool equal = e.bop == BinaryOp::Eq;
    detail::PerPosition<std::int64_t> out(d_n);
    for (std::size_t i = 0; i < d_n; ++i) out[i] = (values[i] == constant->value) == equal ? 1 : 0;
    set_ints(id, detail::IntKind::Bool, std::move(out));
    return true;
  }

  // Few distinct operand tuples (tokens, small counts): evaluate each tuple once, in
  // position order, so the first fault is the one the per-position walk meets first.
  std::optional<Status> tabulated_map(NodeId id, const ir::Node& node) {
    std::size_t arity = node.inputs.size();
    std::size_t cells = 1, limit = 4 * d_n + 64;
    Small<const std::uint32_t*> ids(arity);
    Small<std::size_t> stride(arity);
    for (std::size_t a = 0; a < arity; ++a) {
      const detail::ColumnFacts& f = distinct(node.inputs[a]);
      ids[a] = f.ids.data();
      stride[a] = cells;
      cells *= std::max<std::size_t>(f.reps.size(), 1);
      if (cells > limit) return std::nullopt;
    }
    std::vector<std::int32_t>& table = d_table;
    table.assign(cells, -1);
    Small<Value> results;
    Small<Value> vars(arity);
    std::vector<std::int32_t>& slot = d_slots;
    slot.resize(d_n);
    for (std::size_t i = 0; i < d_n; ++i) {
      std::size_t key = 0;
      for (std::size_t a = 0; a < arity; ++a) key += ids[a][i] * stride[a];
      if (table[key] < 0) {
        for (std::size_t a = 0; a < arity; ++a) vars[a] = value_at(node.inputs[a], i);
        auto v = ir::evaluate(*node.expr, {vars.data(), vars.size()});
        if (!v) return Status(fault(id, v.error().code, v.error().message));
        table[key] = static_cast<std::int32_t>(results.size());
        results.push_back(std::move(*v));
      }
      slot[i] = table[key];
    }
    return store_distinct(id, [&](std::size_t r) -> const Value& { return results[r]; }, results.size(),
                          [&](std::size_t i) { return static_cast<std::size_t>(slot[i]); });
  }

  Status generic_map(NodeId id, const ir::Node& node) {
    std::size_t arity = node.inputs.size();
    Column out(d_n);
    std::vector<Value> vars(arity);
    // Elementwise maps over one operand see few distinct values: memoise per value.
    std::unordered_map<Value, Value, ir::ValueHash, ir::ValueIdentical> memo;
    for (std::size_t i = 0; i < d_n; ++i) {
      if (arity == 1) {
        const Value& x = col(node.inputs[0])[i];
        if (auto it = memo.find(x); it != memo.end()) {
          out[i] = it->second;
          continue;
        }
      }
      for (std::size_t a = 0; a < arity; ++a) vars[a] = col(node.inputs[a])[i];
      auto v = ir::evaluate(*node.expr, vars);
      if (!v) return fault(id, v.error().code, v.error().message);
      if (arity == 1 && memo.size() < 4096) memo.emplace(vars[0], *v);
      out[i] = std::move(*v);
    }
    if (auto ok = check_uniform(id, out); !ok) return ok;
    d_trace.d_columns[id] = std::move(out);
    return {};
  }

  static bool all_integral(const Column& c) {
    return std::all_of(c.begin(), c.end(), [](const Value& v) { return !v.is_string() && v.den() == 1; });
  }

  static bool all_strings(std::span<const Value> c) {
    return std::all_of(c.begin(), c.end(), [](const Value& v) { return v.is_string(); });
  }
  static bool no_strings(std::span<const Value> c) {
    return std::none_of(c.begin(), c.end(), [](const Value& v) { return v.is_string(); });
  }

  // `key OP query` compared as int64s: the values themselves when integral, else their
  // ranks in one shared order, made into `plan`. Ordering a string against a number
  // raises in Python, so that case (false) is left to the per-cell walk, which reports it
  // at the first cell.
  bool compare_select(NodeId key_id, NodeId query_id, BinaryOp op, PlanSlot& plan) {
    const detail::ColumnFacts& kf = numbers(key_id);
    const detail::ColumnFacts& qf = numbers(query_id);
    if (kf.integral && qf.integral) {
      detail::make_plan(op, {kf.nums.data(), kf.nums.size()}, {qf.nums.data(), qf.nums.size()}, plan.emplace());
      return true;
    }
    // Read in place: numbering and ranking them keeps no reference past this call.
    std::span<const Value> keys = values_of(key_id);
    std::span<const Value> queries = values_of(query_id);
    bool ordering = op != BinaryOp::Eq && op != BinaryOp::Ne;
    // A string column against itself (`select(tokens, tokens, ==)`): equal strings share
    // a distinct-value id, so ids serve as ranks without sorting. (Numbers would not do:
    // 1 and 1.0 have two ids but are equal.)
    if (!ordering && key_id == query_id && all_strings(keys)) {
      const detail::ColumnFacts& f = distinct(key_id);
      detail::PerPosition<std::int64_t> ids(f.ids.begin(), f.ids.end());
      detail::make_plan(op, {ids.data(), ids.size()}, {ids.data(), ids.size()}, plan.emplace());
      return true;
    }
    if (ordering && !((all_strings(keys) && all_strings(queries)) ||
                      (no_strings(keys) && no_strings(queries)))) {
      return false;
    }
    detail::PerPosition<std::int64_t> kv, qv;
    detail::shared_ranks(distinct(key_id), keys, distinct(query_id), queries, kv, qv);
    detail::make_plan(op, {kv.data(), kv.size()}, {qv.data(), qv.size()}, plan.emplace());
    return true;
  }

  // Any predicate: its value depends only on the (key, query) values, so evaluate each
  // distinct pair once, in the per-cell walk's order (same first fault), and copy the row
  // of a query value already seen.
  Status tabulated_select(NodeId id, const ir::Node& node, Matrix& m) {
    const detail::ColumnFacts& kf = distinct(node.inputs[0]);
    const detail::ColumnFacts& qf = distinct(node.inputs[1]);
    const Column& keys = col(node.inputs[0]);
    const Column& queries = col(node.inputs[1]);
    std::size_t dk = kf.reps.size();
    std::vector<std::int8_t> table(dk * qf.reps.size(), -1);
    std::vector<std::int64_t> row_of(qf.reps.size(), -1);
    Value vars[2];
    for (std::size_t q = 0; q < d_n; ++q) {
      std::uint8_t* row = &m.cells[q * d_n];
      std::uint32_t qid = qf.ids[q];
      if (row_of[qid] >= 0) {
        std::memcpy(row, &m.cells[static_cast<std::size_t>(row_of[qid]) * d_n], d_n);
        continue;
      }
      std::int8_t* cells = &table[qid * dk];
      for (std::size_t k = 0; k < d_n; ++k) {
        std::int8_t& cell = cells[kf.ids[k]];
        if (cell < 0) {
          vars[0] = keys[k];
          vars[1] = queries[q];
          auto v = ir::evaluate(*node.expr, vars);
          if (!v) return fault(id, v.error().code, v.error().message);
          cell = v->truthy() ? 1 : 0;
        }
        row[k] = static_cast<std::uint8_t>(cell);
      }
      row_of[qid] = static_cast<std::int64_t>(q);
    }
    return {};
  }

  Status eval_select(NodeId id, const ir::Node& node) {
    const ir::ExprNode& p = *node.expr;
    bool simple = p.op == ExprOp::Binary && p.args[0]->op == ExprOp::Var && p.args[0]->var == 0 &&
                  p.args[1]->op == ExprOp::Var && p.args[1]->var == 1 && p.bop >= BinaryOp::Eq &&
                  p.bop <= BinaryOp::Ge;
    if (d_options.fast_paths && simple) {
      if (compare_select(node.inputs[0], node.inputs[1], p.bop, d_plans[id])) {
        // A causal mask is not a comparison of the two columns: fill and mask now.
        if (d_options.causal) {
          mat(id);
          d_plans[id].reset();
          mask_causal(*d_trace.d_matrices[id]);
        } else if (!d_lazy) {
          mat(id);
        }
        return {};
      }
    }
    Matrix m;
    m.n = d_n;
    m.cells.assign(d_n * d_n, 0);
    if (!d_options.fast_paths) {
      if (auto ok = generic_select(id, node, m); !ok) return ok;
    } else {
      if (auto ok = tabulated_select(id, node, m); !ok) return ok;
    }
    mask_causal(m);
    d_trace.d_matrices[id] = std::move(m);
    return {};
  }

  void mask_causal(Matrix& m) const {
    if (!d_options.causal) return;
    for (std::size_t q = 0; q < d_n; ++q) {
      for (std::size_t k = q + 1; k < d_n; ++k) m.cells[q * d_n + k] = 0;
    }
  }

  Status generic_select(NodeId id, const ir::Node& node, Matrix& m) {
    const Column& keys = col(node.inputs[0]);
    const Column& queries = col(node.inputs[1]);
    Value vars[2];
    for (std::size_t q = 0; q < d_n; ++q) {
      vars[1] = queries[q];
      for (std::size_t k = 0; k < d_n; ++k) {
        vars[0] = keys[k];
        auto v = ir::evaluate(*node.expr, vars);
        if (!v) return fault(id, v.error().code, v.error().message);
        m.cells[q * d_n + k] = v->truthy() ? 1 : 0;
      }
    }
    return {};
  }

  struct SummaryPlans {
    const detail::SelectorPlan* equal_or_only = nullptr;  ///< null: not summarisable
    const detail::SelectorPlan* other = nullptr;
    const detail::SelectorPlan* before = nullptr;
  };

  // A comparison selector, `==` and another comparison, or the sorting idiom `<` (or `>`)
  // or (`==` and another), the `<` comparing what the `==` does: what each query selects
  // can be read off sorted keys (selector_plan.h), without a cell. Its plans when so.
  SummaryPlans summary_of(NodeId sel) const { return d_options.fast_paths ? summary_plans(sel) : SummaryPlans{}; }

  SummaryPlans summary_plans(NodeId sel) const {
    if (const auto& plan = d_plans[sel]) return {&*plan, nullptr, nullptr};
    const ir::Node& node = d_program.node(sel);
    if (node.kind == NodeKind::SelectorAnd) {
      const auto& a = d_plans[node.inputs[0]];
      const auto& b = d_plans[node.inputs[1]];
      if (!a || !b) return {};
      if (a->op == BinaryOp::Eq) return {&*a, &*b, nullptr};
      if (b->op == BinaryOp::Eq) return {&*b, &*a, nullptr};
      return {};
    }
    if (node.kind != NodeKind::SelectorOr) return {};
    for (std::size_t side = 0; side < 2; ++side) {
      NodeId before = node.inputs[side];
      const auto& plan = d_plans[before];
      if (!plan || (plan->op != BinaryOp::Lt && plan->op != BinaryOp::Gt)) continue;
      const ir::Node& tied = d_program.node(node.inputs[1 - side]);
      if (tied.kind != NodeKind::SelectorAnd) continue;
      for (std::size_t part = 0; part < 2; ++part) {
        NodeId equal = tied.inputs[part];
        const auto& a = d_plans[equal];
        const auto& b = d_plans[tied.inputs[1 - part]];
        if (a && b && a->op == BinaryOp::Eq && same_columns(before, equal)) return {&*a, &*b, &*plan};
      }
    }
    return {};
  }

  // Whether `equal`'s plan (an Eq) selects exactly the keys whose values in `before`'s plan
  // equal the query's: a select over the same two nodes does (plans hold the values, or
  // ranks in which equal values share a rank), as does one with the same columns.
  bool same_columns(NodeId before, NodeId equal) const {
    if (d_program.node(before).inputs == d_program.node(equal).inputs) return true;
    return d_plans[before]->keys == d_plans[equal]->keys && d_plans[before]->queries == d_plans[equal]->queries;
  }

  static detail::PerPosition<detail::RowSummary> summaries(const SummaryPlans& p, const std::int64_t* nums) {
    if (p.before) return detail::summarise_lex(*p.before, *p.other, nums);
    return p.other ? detail::summarise_and(*p.equal_or_only, *p.other, nums) : detail::summarise(*p.equal_or_only, nums);
  }

  // A kept selector's summaries without sums, computed once while it is kept; else null,
  // and the caller computes them (into its own variable: a copy of inline rows is not free).
  const detail::PerPosition<detail::RowSummary>* kept_summaries(NodeId sel, const SummaryPlans& plans,
                                                                 const std::int64_t* nums) {
    if (nums || !d_scratch.kept[sel]) return nullptr;
    auto& kept = d_scratch.kept_summaries[sel];
    if (!kept) keep_summaries(kept, plans);
    return &*kept;
  }

  // GCC 12 warns of an overread in moving inline rows here: it does not see that a small
  // vector's elements are in its inline buffer only while they fit in it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
  static void keep_summaries(std::optional<detail::PerPosition<detail::RowSummary>>& kept, const SummaryPlans& plans) {
    kept = summaries(plans, nullptr);
  }
#pragma GCC diagnostic pop

  // The mean (or the sum) of `count` selected integers totalling `total`, exact.
  ir::ValueResult<Value> combine(__int128 total, std::size_t count) const {
    if (total > INT64_MAX || total < INT64_MIN) {
      return tl::unexpected(ir::ValueError{code::kOverflow, "integer overflow in aggregate"});
    }
    auto t = static_cast<std::int64_t>(total);
    if (d_options.aggregation == Aggregation::Sum) return Value::integer(t);
    return Value::rational(t, static_cast<std::int64_t>(count));
  }

  tl::unexpected<Diagnostics> non_numeric(NodeId id, ir::Kind kind, std::size_t count, std::size_t q) {
    bool sum = d_options.aggregation == Aggregation::Sum;
    return fault(id, code::kAverageNonNumbers,
                 fmt::format("cannot {} non-numeric values ({} of type {}) at query position {}",
                             sum ? "sum" : "average", count, ir::kind_name(kind),
                             q - d_trace.d_first));
  }

  // A comparison selector over integral (or non-numeric) values: each query's count, one
  // selected key and sum come from the plan's sorted keys, no cell is read. The queries
  // are visited in order, so faults are the ones the matrix walk meets first.
  std::optional<Status> planned_aggregate(NodeId id, const ir::Node& node, bool numeric) {
    SummaryPlans plans = summary_of(node.inputs[0]);
    if (!plans.equal_or_only) return std::nullopt;
    NodeId in = node.inputs[1];
    const detail::ColumnFacts& f = numbers(in);
    if (numeric && !f.integral) return std::nullopt;
    const std::int64_t* nums = numeric ? f.nums.data() : nullptr;
    const auto* kept = kept_summaries(node.inputs[0], plans, nums);
    auto local = kept ? detail::PerPosition<detail::RowSummary>{} : summaries(plans, nums);
    const auto& rows = kept ? *kept : local;
    // Every query picks at most one value of an int column whose kind the default shares:
    // the result is an int column too.
    if (auto kind = f.int_kind; kind && (*kind == detail::IntKind::Bool ? node.value.is_bool() : node.value.is_int()) &&
                                std::all_of(rows.begin(), rows.end(), [](const detail::RowSummary& r) { return r.count <= 1; })) {
      detail::PerPosition<std::int64_t> out(d_n);
      for (std::size_t q = 0; q < d_n; ++q) out[q] = rows[q].count == 0 ? node.value.num() : f.nums[rows[q].one];
      set_ints(id, *kind, std::move(out));
      return Status{};
    }
    // Means (or sums) of numbers with a number default: a number column, unless some
    // query faults, which the value walk below then reports.
    if (numeric && !node.value.is_string()) {
      detail::PerPosition<detail::Num>& out = d_numbers[id];
      out.resize(d_n);
      bool exact = true;
      // The last mean computed, reused while queries select the same count and sum (every
      // query of `full_s`, and runs of equal queries).
      std::size_t last_count = 0;
      __int128 last_sum = 0;
      detail::Num last_mean;
      for (std::size_t q = 0; q < d_n && exact; ++q) {
        const detail::RowSummary& r = rows[q];
        if (r.count > 1 && r.count == last_count && r.sum == last_sum &&
            d_options.aggregation == Aggregation::Mean) {
          out[q] = last_mean;
          continue;
        }
        if (r.count == 0) {
          out[q] = {node.value.kind(), node.value.num(), node.value.den()};
        } else if (r.count == 1) {
          out[q] = num_at(in, r.one);
        } else if (r.sum > INT64_MAX || r.sum < INT64_MIN) {
          exact = false;
        } else if (d_options.aggregation == Aggregation::Sum) {
          out[q] = {Kind::Int, static_cast<std::int64_t>(r.sum), 1};
        } else if (auto mean = detail::rational_num(static_cast<std::int64_t>(r.sum),
                                                    static_cast<std::int64_t>(r.count))) {
          out[q] = last_mean = *mean;
          last_count = r.count;
          last_sum = r.sum;
        } else {
          exact = false;
        }
      }
      if (exact) {
        set_numbers(id);
        return Status{};
      }
      out.clear();
    }
    Column out;
    out.reserve(d_n);
    bool defaulted = false;
    // Values already made are copied once, not through value_at's temporary.
    const Value* made = values_made(in);
    for (std::size_t q = 0; q < d_n; ++q) {
      const detail::RowSummary& r = rows[q];
      if (r.count == 0) {
        out.push_back(node.value);
        defaulted = true;
      } else if (r.count == 1) {
        if (made) {
          out.push_back(made[r.one]);
        } else {
          out.push_back(value_at(in, r.one));
        }
      } else if (!numeric) {
        return Status(non_numeric(id, value_at(in, 0).kind(), r.count, q));
      } else {
        auto v = combine(r.sum, r.count);
        if (!v) return Status(fault(id, v.error().code, v.error().message));
        out.push_back(std::move(*v));
      }
    }
    // Values picked from one column (uniform, as every column is) and means of numbers
    // cannot mix strings with numbers; only the default can.
    if (defaulted) {
      if (auto ok = check_uniform(id, out); !ok) return ok;
    }
    d_trace.d_columns[id] = std::move(out);
    return Status{};
  }

  // The reference checks the type of the whole column, not only the selected values:
  // averaging a column of strings or of booleans fails even when the values agree.
  bool numeric_column(NodeId id) {
    if (d_pending[id] == kInput) return false;  // strings
    if (d_pending[id] == kInts) return d_facts[id].int_kind == detail::IntKind::Int;
    if (d_pending[id] == kNumbers) return true;  // not all bools: those are int columns
    const Column& values = col(id);
    return !values.empty() && !values.front().is_string() &&
           !std::all_of(values.begin(), values.end(), [](const Value& v) { return v.is_bool(); });
  }

  Status eval_aggregate(NodeId id, const ir::Node& node) {
    bool sum = d_options.aggregation == Aggregation::Sum;
    bool numeric = numeric_column(node.inputs[1]);
    if (auto done = planned_aggregate(id, node, numeric)) return *done;
    const Column& values = col(node.inputs[1]);
    bool integral = all_integral(values);
    // Fast path: int64 sums that cannot overflow (|value| * n fits), one division a query.
    const std::int64_t* nums = nullptr;
    if (d_options.fast_paths && integral) {
      const detail::ColumnFacts& f = numbers(node.inputs[1]);
      if (detail::largest_magnitude({f.nums.data(), f.nums.size()}) <= INT64_MAX / static_cast<std::int64_t>(std::max<std::size_t>(d_n, 1))) {
        nums = f.nums.data();
      }
    }
    Column out(d_n);
    for (std::size_t q = 0; q < d_n; ++q) {
      const std::uint8_t* row = this->row(node.inputs[0], q);
      std::size_t count = row_count(row, d_n);
      if (count == 0) {
        out[q] = node.value;
        continue;
      }
      if (count == 1) {
        auto last = static_cast<std::size_t>(std::find(row, row + d_n, 1) - row);
        out[q] = values[last];
        continue;
      }
      if (!numeric) return non_numeric(id, values.front().kind(), count, q);
      if (integral) {
        __int128 total = 0;
        if (nums) {
          std::int64_t t = 0;
          for (std::size_t k = 0; k < d_n; ++k) t += nums[k] & -static_cast<std::int64_t>(row[k]);
          total = t;
        } else {
          for (std::size_t k = 0; k < d_n; ++k) {
            if (row[k]) total += values[k].num();
          }
        }
        auto v = combine(total, count);
        if (!v) return fault(id, v.error().code, v.error().message);
        out[q] = *v;
        continue;
      }
      Value total = Value::integer(0);
      for (std::size_t k = 0; k < d_n; ++k) {
        if (!row[k]) continue;
        auto t = ir::apply(BinaryOp::Add, total, values[k]);
        if (!t) return fault(id, t.error().code, t.error().message);
        total = *t;
      }
      if (sum) {
        out[q] = total;
        continue;
      }
      auto mean = ir::apply(BinaryOp::Div, total, Value::integer(static_cast<std::int64_t>(count)));
      if (!mean) return fault(id, mean.error().code, mean.error().message);
      out[q] = *mean;
    }
    if (auto ok = check_uniform(id, out); !ok) return ok;
    d_trace.d_columns[id] = std::move(out);
    return {};
  }

  const ir::Program& d_program;
  std::span<const Value> d_input;
  const Options& d_options;
  std::size_t d_n = 0;
  std::size_t d_matrix_cells = 0;
  /// Whether one n x n matrix alone is over Options::max_matrix_cells (its cells may not fit
  /// a size_t): decided once, not at every selector.
  bool d_matrix_over = false;
  bool d_lazy = false;
  Trace d_own_trace;
  /// d_own_trace (for trace()) or the thread's (for evaluate()).
  Trace& d_trace;
  // The rest lives in the thread's Scratch.
  std::vector<detail::ColumnFacts>& d_facts;
  /// Columns not (yet) made into values: int columns held only in d_facts (set_ints),
  /// number columns held in d_numbers (set_numbers), a tokens column that is the input and
  /// a map over tokens whose every result is in the memo (read by value_at and col alone).
  static constexpr char kValues = 0, kInts = 1, kNumbers = 2, kInput = 3, kRemembered = 4;
  std::vector<char>& d_pending;
  std::vector<detail::PerPosition<detail::Num>>& d_numbers;
  /// tabulated_map's table of operand tuples and each position's slot, reused by every map.
  std::vector<std::int32_t>& d_table;
  std::vector<std::int32_t>& d_slots;
  /// Comparison selectors not (yet) filled.
  std::vector<PlanSlot>& d_plans;
  /// One row of each selector read row by row without being filled.
  std::vector<detail::PerPosition<std::uint8_t>>& d_rows;
  Scratch& d_scratch;
  bool d_memo = false;
  bool d_fuse = false;
  bool d_fused_any = false;
  /// The tokens node whose distinct values d_token_numbers numbers in the memo, if any.
  NodeId d_numbered = Scratch::kNoSource;
  detail::PerPosition<std::uint32_t> d_token_numbers;
};

Result<Trace> trace(const ir::Program& program, std::span<const NodeId> roots,
                    std::span<const Value> input, const Options& options) {
  Evaluator evaluator(program, input, options, false, thread_scratch(), false);
  if (auto ok = evaluator.run(roots); !ok) return tl::unexpected(ok.error());
  return evaluator.take_trace();
}

Output output_of(const Trace& t, NodeId id) {
  Output out;
  std::size_t first = t.first_position();
  if (t.is_matrix(id)) {
    const Matrix& m = t.matrix(id);
    out.is_selector = true;
    for (std::size_t q = first; q < m.n; ++q) {
      std::vector<bool> row;
      for (std::size_t k = first; k < m.n; ++k) row.push_back(m.at(q, k));
      out.matrix.push_back(std::move(row));
    }
  } else {
    const Column& c = t.column(id);
    out.values.assign(c.begin() + static_cast<std::ptrdiff_t>(first), c.end());
  }
  return out;
}

namespace {

// The thread's kernels of the programs it evaluated last (a null one: the program has a node
// no kernel covers), each for one root and the options that change what it computes.
struct KernelCache {
  struct Entry {
    std::uint64_t program = 0;
    NodeId root = 0;
    bool bos = false, causal = false;
    Aggregation aggregation = Aggregation::Mean;
    std::size_t max_matrix_cells = 0;
    detail::KernelPtr kernel;
  };
  static constexpr std::size_t kEntries = 16;
  std::vector<Entry> entries;
  std::size_t next = 0;
  std::size_t last = 0;

  detail::Kernel* find(const ir::Program& program, NodeId root, const Options& options) {
    auto same = [&](const Entry& e) {
      return e.program == program.serial() && e.root == root && e.bos == options.bos && e.causal == options.causal &&
             e.aggregation == options.aggregation && e.max_matrix_cells == options.max_matrix_cells;
    };
    // A batch asks for the same kernel again and again.
    if (last < entries.size() && same(entries[last])) return entries[last].kernel.get();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (same(entries[i])) {
        last = i;
        return entries[i].kernel.get();
      }
    }
    Entry e{program.serial(), root, options.bos, options.causal, options.aggregation, options.max_matrix_cells,
            detail::build_kernel(program, root, options)};
    detail::Kernel* kernel = e.kernel.get();
    if (entries.size() < kEntries) {
      last = entries.size();
      entries.push_back(std::move(e));
    } else {
      last = next;
      entries[next] = std::move(e);
      next = (next + 1) % kEntries;
    }
    return kernel;
  }
};

KernelCache& thread_kernels() {
  thread_local KernelCache kernels;
  return kernels;
}

}  // namespace

bool kernel_covers(const ir::Program& program, NodeId root, const Options& options) {
  return options.fast_paths && options.kernels && thread_kernels().find(program, root, options) != nullptr;
}

Result<Output> evaluate(const ir::Program& program, NodeId root, std::span<const Value> input,
                        const Options& options) {
  if (options.fast_paths && options.kernels && !input.empty() &&
      input.size() + (options.bos ? 1 : 0) <= detail::kKernelPositions) {
    if (detail::Kernel* kernel = thread_kernels().find(program, root, options)) {
      if (auto out = detail::run_kernel(*kernel, input, options.reuse)) return std::move(*out);
    }
  }
  NodeId roots[] = {root};
  {
    Evaluator evaluator(program, input, options, true, thread_scratch(), true);
    auto ok = evaluator.run(roots);
    if (ok) return evaluator.take_output(root);
    if (!evaluator.fused_any()) return tl::unexpected(ok.error());
  }
  // A fault after inner maps were left to their groups: the fault a node-by-node evaluation
  // meets first may be in one of those, so it is evaluated node by node.
  Evaluator evaluator(program, input, options, true, thread_scratch(), false);
  if (auto ok = evaluator.run(roots); !ok) return tl::unexpected(ok.error());
  return evaluator.take_output(root);
}

}  // namespace rasp::interp

// lib/front/detail/stager.cpp - Evaluating RASP statements at load time into IR nodes.
#include "lib/front/detail/stager.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/front/detail/parser.h"
#include "lib/ir/read_file.h"
#include "lib/ir/text.h"

namespace rasp::front::detail {

namespace fs = std::filesystem;
using ir::BinaryOp;
using ir::Expr;
using ir::ExprOp;
using ir::Node;
using ir::NodeId;
using ir::NodeKind;
using ir::Value;

namespace {

struct StageError {
  Diagnostic diagnostic;
};

constexpr std::size_t kMaxListSize = 1'000'000;
constexpr int kMaxCallDepth = 500;
// Each nested `load` recurses through the parser and stager: a chain of 4,500 files
// overflowed the stack. No program is split over more files than this.
constexpr std::size_t kMaxLoadDepth = 200;
// Load-time work (statements run, comprehension items, dict and membership scans) before
// E0212: nested loops over long ranges would otherwise run for hours.
constexpr std::size_t kMaxSteps = 2'000'000;

const std::set<std::string>& reserved_words() {
  static const std::set<std::string> words = {
      "if",         "else",       "not",       "and",        "or",           "out",
      "def",        "return",     "range",     "for",        "in",           "zip",
      "len",        "get",        "tokens_asis", "tokens_str", "tokens_int", "tokens_bool",
      "tokens_float", "indices", "True",      "False"};
  return words;
}

bool is_atom(const StageValue& v) { return std::holds_alternative<Value>(v); }
bool is_sop(const StageValue& v) { return std::holds_alternative<SOp>(v); }
bool is_sel(const StageValue& v) { return std::holds_alternative<Sel>(v); }
const Value& atom(const StageValue& v) { return std::get<Value>(v); }
// An int as Python takes one where it wants an int (an index, range(), a repeat count):
// a bool is one too (True is 1).
bool is_int_like(const StageValue& v) { return is_atom(v) && (atom(v).is_int() || atom(v).is_bool()); }

// Python's truth of a value known while staging (atoms, lists, dicts, None, functions);
// nothing for an s-op or a selector, whose truth is per position.
std::optional<bool> constant_truth(const StageValue& v) {
  if (is_atom(v)) return std::get<Value>(v).truthy();
  if (auto l = std::get_if<std::shared_ptr<const ListValue>>(&v)) return !(*l)->items.empty();
  if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&v)) return !(*d)->items.empty();
  if (std::holds_alternative<None>(v)) return false;
  if (std::holds_alternative<std::shared_ptr<const Function>>(v)) return true;
  return std::nullopt;
}

// Python's == on values known while staging: atoms by value (1 == 1.0 == True), lists item
// by item, dicts as key sets with equal values, None only to None, a function only to
// itself, and values of different kinds unequal. Nothing where an s-op or a selector is
// inside (their == is per position), or an atom comparison fails.
std::optional<bool> constant_equal(const StageValue& a, const StageValue& b) {
  if (is_sop(a) || is_sel(a) || is_sop(b) || is_sel(b)) return std::nullopt;
  if (is_atom(a) && is_atom(b)) {
    auto v = ir::apply(BinaryOp::Eq, std::get<Value>(a), std::get<Value>(b));
    if (!v) return std::nullopt;
    return v->truthy();
  }
  if (a.index() != b.index()) return false;
  if (std::holds_alternative<None>(a)) return true;
  if (auto f = std::get_if<std::shared_ptr<const Function>>(&a)) {
    return *f == std::get<std::shared_ptr<const Function>>(b);
  }
  if (auto l = std::get_if<std::shared_ptr<const ListValue>>(&a)) {
    const auto& x = (*l)->items;
    const auto& y = std::get<std::shared_ptr<const ListValue>>(b)->items;
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      auto e = constant_equal(x[i], y[i]);
      if (!e || !*e) return e;
    }
    return true;
  }
  const auto& x = std::get<std::shared_ptr<const DictValue>>(a)->items;
  const auto& y = std::get<std::shared_ptr<const DictValue>>(b)->items;
  if (x.size() != y.size()) return false;
  for (const auto& [key, value] : x) {
    auto match = std::find_if(y.begin(), y.end(), [&](const auto& kv) {
      auto k = ir::apply(BinaryOp::Eq, key, kv.first);
      return k && k->truthy();
    });
    if (match == y.end()) return false;
    auto e = constant_equal(value, match->second);
    if (!e || !*e) return e;
  }
  return true;
}

// Python's ordering of two lists: the first unequal items decide, else the shorter list
// is less. Nothing where items cannot be ordered (Python's TypeError) or are not known.
std::optional<bool> constant_list_order(BinaryOp op, const ListValue& a, const ListValue& b) {
  std::size_t n = std::min(a.items.size(), b.items.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto e = constant_equal(a.items[i], b.items[i]);
    if (!e) return std::nullopt;
    if (*e) continue;
    const StageValue& x = a.items[i];
    const StageValue& y = b.items[i];
    if (is_atom(x) && is_atom(y)) {
      auto v = ir::apply(op, std::get<Value>(x), std::get<Value>(y));
      if (!v) return std::nullopt;
      return v->truthy();
    }
    auto xl = std::get_if<std::shared_ptr<const ListValue>>(&x);
    auto yl = std::get_if<std::shared_ptr<const ListValue>>(&y);
    if (xl && yl) return constant_list_order(op, **xl, **yl);
    return std::nullopt;
  }
  std::size_t la = a.items.size(), lb = b.items.size();
  switch (op) {
    case BinaryOp::Lt:
      return la < lb;
    case BinaryOp::Le:
      return la <= lb;
    case BinaryOp::Gt:
      return la > lb;
    default:
      return la >= lb;
  }
}

std::string describe_value(const StageValue& v) {
  if (is_atom(v)) return atom(v).repr();
  return type_name(v);
}

}  // namespace

std::string a_type_name(const StageValue& v) {
  std::string name = type_name(v);
  if (std::holds_alternative<None>(v)) return name;
  bool vowel = name == "int" || name == "s-op";  // said "an int", "an ess-op"
  return (vowel ? "an " : "a ") + name;
}

std::string type_name(const StageValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, None>) return "nothing";
        if constexpr (std::is_same_v<T, Value>) return std::string(ir::kind_name(x.kind()));
        if constexpr (std::is_same_v<T, SOp>) return "s-op";
        if constexpr (std::is_same_v<T, Sel>) return "selector";
        if constexpr (std::is_same_v<T, std::shared_ptr<const ListValue>>) return "list";
        if constexpr (std::is_same_v<T, std::shared_ptr<const DictValue>>) return "dict";
        if constexpr (std::is_same_v<T, std::shared_ptr<const Function>>) return "function";
        return "?";
      },
      v);
}

const StageValue* Environment::find(const std::string& name) const {
  for (const Environment* e = this; e; e = e->d_parent.get()) {
    if (auto it = e->d_vars.find(name); it != e->d_vars.end()) return &it->second;
  }
  return nullptr;
}

void Stager::error(const char* code, std::string message, const SourceRange& range) {
  throw StageError{Diagnostic{Severity::Error, code, std::move(message), range, {}}};
}

SourceRange Stager::node_range(const SourceRange& range) const {
  // Nodes built inside the prelude point at the user's call, not at prelude text.
  return d_user_calls > 0 && d_user_site.known() ? d_user_site : range;
}

std::uint32_t Stager::shared_full_instance() {
  if (d_full_instance == 0) d_full_instance = program().new_instance();
  return d_full_instance;
}

NodeId Stager::to_sop(const StageValue& v, const SourceRange& range, const char* what) {
  if (is_sop(v)) return std::get<SOp>(v).id;
  if (is_atom(v)) {
    Node n;
    n.kind = NodeKind::Constant;
    n.value = atom(v);
    n.range = node_range(range);
    return program().add(std::move(n));
  }
  error(is_sel(v) ? code::kSelectorOperand : code::kType,
        fmt::format("{} must be an s-op or an atom, got {}", what, a_type_name(v)), range);
}

StageValue Stager::map(const std::function<Expr(const std::vector<Expr>&)>& build,
                       const std::vector<StageValue>& operands, const SourceRange& range) {
  std::vector<Expr> args;
  std::vector<NodeId> inputs;
  for (const auto& v : operands) {
    if (is_atom(v)) {
      args.push_back(ir::make_const(atom(v)));
      continue;
    }
    NodeId id = to_sop(v, range, "an operand");
    const Node& node = program().node(id);
    if (node.kind == NodeKind::Constant) {
      args.push_back(ir::make_const(node.value));
      continue;
    }
    auto it = std::find(inputs.begin(), inputs.end(), id);
    int var = static_cast<int>(it - inputs.begin());
    if (it == inputs.end()) inputs.push_back(id);
    args.push_back(ir::make_var(var));
  }
  Expr e = build(args);
  Node n;
  n.range = node_range(range);
  if (inputs.empty()) {
    // Every operand was constant: the result is a constant s-op.
    auto v = ir::evaluate(*e, {});
    if (!v) error(v.error().code, v.error().message, range);
    n.kind = NodeKind::Constant;
    n.value = *v;
    return SOp{program().add(std::move(n))};
  }
  n.kind = NodeKind::Map;
  n.inputs = std::move(inputs);
  n.expr = std::move(e);
  return SOp{program().add(std::move(n))};
}

Sel Stager::new_selector(Node node) {
  std::uint32_t instance = program().new_instance();
  return Sel{program().add(std::move(node)), instance};
}

// ----- built-ins and scopes -----

namespace {

struct ScopeOwner {
  std::shared_ptr<Environment> scope;
  ~ScopeOwner() {
    // Hold every scope alive while clearing, then let them all go together.
    std::vector<std::shared_ptr<Environment>> doomed;
    for (auto e = scope; e; e = e->parent()) doomed.push_back(e);
    if (doomed.empty()) return;
    for (const auto& weak : doomed.back()->closure_scopes) {
      for (auto e = weak.lock(); e; e = e->parent()) doomed.push_back(e);
    }
    for (const auto& e : doomed) e->clear();
  }
};

}  // namespace

std::shared_ptr<Environment> owning_scope_handle(std::shared_ptr<Environment> file_scope) {
  Environment* raw = file_scope.get();
  auto owner = std::shared_ptr<ScopeOwner>(new ScopeOwner{std::move(file_scope)});
  return std::shared_ptr<Environment>(std::move(owner), raw);
}

Result<std::shared_ptr<Environment>> Stager::make_file_scope() {
  try {
    if (!d_root) {
      d_root = std::make_shared<Environment>();
      auto& root = *d_root;
      root.reserved = reserved_words();
      auto tokens_node = [&](ir::TokenType t) {
        Node n;
        n.kind = NodeKind::Tokens;
        n.token_type = t;
        n.name = t == ir::TokenType::AsIs ? "tokens_asis"
                                          : fmt::format("tokens_{}", ir::token_type_name(t));
        return SOp{program().add(std::move(n))};
      };
      for (auto t : {ir::TokenType::Str, ir::TokenType::Int, ir::TokenType::Float,
                     ir::TokenType::Bool, ir::TokenType::AsIs}) {
        root.set(t == ir::TokenType::AsIs ? "tokens_asis"
                                          : fmt::format("tokens_{}", ir::token_type_name(t)),
                 tokens_node(t));
      }
      Node idx;
      idx.kind = NodeKind::Indices;
      idx.name = "indices";
      root.set("indices", SOp{program().add(std::move(idx))});
      root.set("True", Value::boolean(true));
      root.set("False", Value::boolean(false));
      auto width = std::make_shared<Function>();
      width->name = "selector_width";
      width->params = {"sel"};
      width->from_prelude = true;
      width->builtin = [](Stager& s, const std::vector<StageValue>& args,
                          const SourceRange& range) -> StageValue {
        if (!is_sel(args[0])) {
          s.error(code::kType,
                  fmt::format("selector_width expects a selector, got {}", a_type_name(args[0])), range);
        }
        Node n;
        n.kind = NodeKind::SelectorWidth;
        n.inputs = {std::get<Sel>(args[0]).id};
        // Each call is its own pair of heads in the reference (fresh selectors inside).
        n.instance = s.program().new_instance();
        n.range = s.node_range(range);
        return SOp{s.program().add(std::move(n))};
      };
      root.set("selector_width", width);
      root.reserved.insert("selector_width");
      // The prelude runs in the root scope; everything it defines is reserved.
      auto file = std::make_shared<const std::string>(SourceRange::kLibraryFile);
      auto stmts = parse_program(prelude_source(d_module.options.sum_aggregation), file, 200);
      assert(stmts && "the prelude parses");
      for (const auto& s : *stmts) exec(s, d_root, /*top_level=*/false);
      for (const auto& [name, v] : root.vars()) root.reserved.insert(name);
      for (const auto& [name, v] : root.vars()) {
        if (std::holds_alternative<std::shared_ptr<const Function>>(v)) {
          std::const_pointer_cast<Function>(std::get<std::shared_ptr<const Function>>(v))->from_prelude = true;
        }
        if (is_sop(v)) program().set_name(std::get<SOp>(v).id, name);
      }
    }
    auto scope = std::make_shared<Environment>(d_root);
    scope->set("tokens", base_tokens());
    return scope;
  } catch (const StageError& e) {
    return tl::unexpected(Diagnostics{e.diagnostic});
  }
}

Result<void> Stager::run_file(const std::vector<StmtPtr>& statements,
                              const std::shared_ptr<Environment>& scope, bool main_file) {
  try {
    for (const auto& s : statements) {
      exec(s, scope, /*top_level=*/true);
      if (main_file && s->kind == StmtKind::Assign && s->names.size() == 1) {
        const StageValue* v = scope->find(s->names[0]);
        if (v && (is_sop(*v) || is_sel(*v))) {
          d_module.last_assigned = is_sop(*v) ? std::get<SOp>(*v).id : std::get<Sel>(*v).id;
          d_module.last_assigned_name = s->names[0];
        }
      }
    }
    return {};
  } catch (const StageError& e) {
    return tl::unexpected(Diagnostics{e.diagnostic});
  }
}

Result<StageValue> Stager::evaluate(const AstPtr& ast, const std::shared_ptr<Environment>& scope) {
  try {
    return eval(ast, scope);
  } catch (const StageError& e) {
    return tl::unexpected(Diagnostics{e.diagnostic});
  }
}

// ----- statements -----

void Stager::assign(const std::shared_ptr<Environment>& scope, const std::string& name, StageValue v,
                    const SourceRange& range) {
  // The reference reserves its keywords and inputs everywhere, and the library's names in
  // file scopes (a function body may shadow them).
  bool file_scope = scope != d_root && scope->parent() == d_root;
  if (reserved_words().count(name) ||
      (file_scope && (d_root->reserved.count(name) || d_root->vars().count(name)))) {
    error(code::kReserved, fmt::format("cannot assign to reserved name '{}'", name), range);
  }
  if (is_sop(v)) program().set_name(std::get<SOp>(v).id, name);
  if (is_sel(v)) program().set_name(std::get<Sel>(v).id, name);
  scope->set(name, std::move(v));
}

void Stager::spend(std::size_t steps, const SourceRange& range) {
  d_steps += steps;
  if (d_steps > kMaxSteps) {
    error(code::kLimit, fmt::format("load-time evaluation takes more than {} steps", kMaxSteps),
          range);
  }
}

void Stager::exec(const StmtPtr& s, const std::shared_ptr<Environment>& scope, bool top_level) {
  spend(1, s->range);
  switch (s->kind) {
    case StmtKind::Expr:
      set_out(scope, eval(s->exprs[0], scope));
      return;
    case StmtKind::Assign: {
      std::vector<StageValue> values;
      for (const auto& e : s->exprs) values.push_back(eval(e, scope));
      set_out(scope, values.back());
      StageValue v = values.size() == 1 ? values[0] : StageValue(std::make_shared<const ListValue>(ListValue{values}));
      if (s->names.size() == 1) {
        assign(scope, s->names[0], std::move(v), s->range);
        return;
      }
      auto items = unpack(v);
      if (!items) {
        error(code::kUnpack,
              fmt::format("cannot unpack {} into {} names", a_type_name(v), s->names.size()), s->range);
      }
      if (items->size() != s->names.size()) {
        error(code::kUnpack, fmt::format("expected {} values to unpack, got {}", s->names.size(), items->size()),
              s->range);
      }
      for (std::size_t i = 0; i < s->names.size(); ++i) assign(scope, s->names[i], (*items)[i], s->range);
      return;
    }
    case StmtKind::Def: {
      for (const auto& p : s->names) {
        if (reserved_words().count(p)) {
          error(code::kReserved, fmt::format("parameter '{}' uses a reserved name", p), s->range);
        }
      }
      auto f = std::make_shared<Function>();
      f->name = s->name;
      f->params = s->names;
      f->body = s->body;
      f->returns = s->exprs;
      f->closure = scope;
      if (scope != d_root) d_root->closure_scopes.push_back(scope);
      assign(scope, s->name, std::shared_ptr<const Function>(f), s->range);
      return;
    }
    case StmtKind::For: {
      StageValue iterable = eval(s->exprs[0], scope);
      set_out(scope, iterable);
      for (const auto& item : iterate(iterable, s->exprs[0]->range, "a for loop")) {
        bind_iterators(scope, s->names, item, s->range);
        for (const auto& b : s->body) exec(b, scope, false);
      }
      return;
    }
    case StmtKind::Load:
      load(s->name, s->range, scope);
      return;
    case StmtKind::Draw:
      for (const auto& e : s->exprs) set_out(scope, eval(e, scope));
      return;
    case StmtKind::SetExample:
    case StmtKind::Ignored:
      (void)top_level;
      return;
  }
}

void Stager::set_out(const std::shared_ptr<Environment>& scope, StageValue v) {
  if (scope != d_root) scope->set("out", std::move(v));
}

StageValue Stager::base_tokens() const {
  const StageValue* tokens = d_root->find(
      d_module.options.tokens == ir::TokenType::AsIs
          ? std::string("tokens_asis")
          : fmt::format("tokens_{}", ir::token_type_name(d_module.options.tokens)));
  return *tokens;
}

void Stager::load(const std::string& name, const SourceRange& range,
                  const std::shared_ptr<Environment>& scope) {
  std::vector<fs::path> candidates;
  fs::path here = range.file ? fs::path(*range.file).parent_path() : fs::path();
  std::vector<fs::path> dirs{here, fs::current_path()};
  for (const auto& p : d_module.options.search_paths) dirs.emplace_back(p);
  for (const auto& d : dirs) {
    candidates.push_back(d / (name + ".rasp"));
    candidates.push_back(d / name);
  }
  fs::path found;
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) {
      found = c;
      break;
    }
  }
  if (found.empty()) {
    error(code::kLoad, fmt::format("cannot find '{}.rasp' to load", name), range);
  }
  std::string key = fs::weakly_canonical(found).string();
  if (d_load_stack.size() >= kMaxLoadDepth) {
    error(code::kLimit, fmt::format("loads nested deeper than {} files", kMaxLoadDepth), range);
  }
  if (std::find(d_load_stack.begin(), d_load_stack.end(), key) != d_load_stack.end()) {
    error(code::kLoad, fmt::format("'{}' loads itself (a load cycle)", name), range);
  }
  auto read = ir::read_file(found.string());
  if (!read) error(code::kLoad, fmt::format("cannot load '{}': {}", name, read.error()), range);
  std::string text(ir::without_bom(*read));
  std::string shown = found.lexically_normal().string();
  std::istringstream lines(text);
  std::vector<std::string>& src = d_module.sources[shown];
  src.clear();
  for (std::string line; std::getline(lines, line);) src.push_back(line);
  auto file = std::make_shared<const std::string>(shown);
  auto stmts = parse_program(text, file, d_module.options.max_depth);
  if (!stmts) throw StageError{stmts.error().front()};
  // As in the reference, a loaded file starts from the library alone, with `tokens` as
  // every file starts (the --tokens choice), whatever the loading file made it; its own
  // names, kept in `file_scope`, are apart from that start.
  auto start = std::make_shared<Environment>(d_root);
  start->set("tokens", base_tokens());
  auto file_scope = std::make_shared<Environment>(start);
  d_load_stack.push_back(key);
  for (const auto& s : *stmts) exec(s, file_scope, true);
  d_load_stack.pop_back();
  // Like the reference, every name the loaded file sets (but those starting with '_')
  // becomes visible to the loading scope: `tokens` too, when the file sets it.
  for (const auto& [n, v] : file_scope->vars()) {
    if (n.empty() || n[0] == '_' || n == "out") continue;
    assign(scope, n, v, range);
  }
}

std::vector<StageValue> Stager::iterate(const StageValue& v, const SourceRange& range, const char* what) {
  if (auto l = std::get_if<std::shared_ptr<const ListValue>>(&v)) return (*l)->items;
  if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&v)) {
    std::vector<StageValue> keys;
    for (const auto& [k, val] : (*d)->items) keys.push_back(k);
    return keys;
  }
  error(code::kType, fmt::format("{} needs a list or dict to iterate over, got {}", what, a_type_name(v)),
        range);
}

void Stager::bind_iterators(const std::shared_ptr<Environment>& scope, const std::vector<std::string>& ids,
                            const StageValue& v, const SourceRange& range) {
  if (ids.size() == 1) {
    assign(scope, ids[0], v, range);
    return;
  }
  auto items = unpack(v);
  if (!items || items->size() != ids.size()) {
    error(code::kUnpack,
          fmt::format("cannot unpack {} into {} loop variables", describe_value(v), ids.size()), range);
  }
  for (std::size_t i = 0; i < ids.size(); ++i) assign(scope, ids[i], (*items)[i], range);
}

std::optional<std::vector<StageValue>> Stager::unpack(const StageValue& v) {
  if (auto l = std::get_if<std::shared_ptr<const ListValue>>(&v)) return (*l)->items;
  if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&v)) {
    std::vector<StageValue> keys;
    for (const auto& [k, val] : (*d)->items) keys.push_back(k);
    return keys;
  }
  if (is_atom(v) && atom(v).is_string()) {
    std::vector<StageValue> chars;
    for (std::string& c : ir::characters(atom(v).str())) chars.push_back(Value::string(std::move(c)));
    return chars;
  }
  return std::nullopt;
}

// ----- expressions -----

StageValue Stager::call(const std::shared_ptr<const Function>& f, const std::vector<StageValue>& args,
                        const SourceRange& range) {
  if (args.size() != f->params.size()) {
    error(code::kArgCount,
          fmt::format("'{}' takes {} argument{}, got {}", f->name, f->params.size(),
                      f->params.size() == 1 ? "" : "s", args.size()),
          range);
  }
  if (++d_call_depth > kMaxCallDepth) {
    error(code::kLimit, fmt::format("calls nested deeper than {} (endless recursion?)", kMaxCallDepth),
          range);
  }
  bool entering_prelude = f->from_prelude && d_user_calls == 0;
  if (entering_prelude) d_user_site = range;
  if (f->from_prelude) ++d_user_calls;
  struct Restore {
    Stager& s;
    bool prelude;
    ~Restore() {
      --s.d_call_depth;
      if (prelude) --s.d_user_calls;
    }
  } restore{*this, f->from_prelude};
  if (f->builtin) return f->builtin(*this, args, range);
  auto scope = std::make_shared<Environment>(f->closure);
  for (std::size_t i = 0; i < args.size(); ++i) scope->set(f->params[i], args[i]);
  for (const auto& s : f->body) exec(s, scope, false);
  std::vector<StageValue> results;
  for (const auto& r : f->returns) results.push_back(eval(r, scope));
  if (results.size() == 1) return results[0];
  return std::make_shared<const ListValue>(ListValue{results});
}

StageValue Stager::eval(const AstPtr& a, const std::shared_ptr<Environment>& scope) {
  switch (a->kind) {
    case ExprKind::Name: {
      const StageValue* v = scope->find(a->text);
      if (!v) {
        // `select (...)`: the name and its bracket must touch, `select(` being one token.
        std::string hint = opens_call(a->text) ? fmt::format(" ('{}(' is one token: no space before the bracket)", a->text) : "";
        error(code::kUndefined, fmt::format("undefined name '{}'{}", a->text, hint), a->range);
      }
      return *v;
    }
    case ExprKind::Int: {
      std::int64_t x = 0;
      auto [p, ec] = std::from_chars(a->text.data(), a->text.data() + a->text.size(), x);
      if (ec != std::errc()) error(code::kOverflow, "integer literal does not fit in 64 bits", a->range);
      return Value::integer(x);
    }
    case ExprKind::Float: {
      auto v = Value::python_float(a->text);
      if (!v) error(v.error().code, v.error().message, a->range);
      return *v;
    }
    case ExprKind::String:
      return Value::string(a->text);
    case ExprKind::List: {
      ListValue l;
      for (const auto& e : a->args) l.items.push_back(eval(e, scope));
      return std::make_shared<const ListValue>(std::move(l));
    }
    case ExprKind::Dict: {
      DictValue d;
      for (std::size_t i = 0; i + 1 < a->args.size(); i += 2) {
        StageValue k = eval(a->args[i], scope);
        if (!is_atom(k)) {
          error(code::kType, fmt::format("dict keys must be atoms, got {}", a_type_name(k)), a->args[i]->range);
        }
        StageValue v = eval(a->args[i + 1], scope);
        spend(1 + d.items.size(), a->range);
        auto it = std::find_if(d.items.begin(), d.items.end(),
                               [&](const auto& kv) { return kv.first == atom(k); });
        if (it != d.items.end()) {
          it->second = v;
        } else {
          d.items.emplace_back(atom(k), v);
        }
      }
      return std::make_shared<const DictValue>(std::move(d));
    }
    case ExprKind::ListComp:
    case ExprKind::DictComp: {
      bool dict = a->kind == ExprKind::DictComp;
      StageValue iterable = eval(a->args[dict ? 2 : 1], scope);
      ListValue l;
      DictValue d;
      for (const auto& item : iterate(iterable, a->args[dict ? 2 : 1]->range,
                                      dict ? "a dict comprehension" : "a list comprehension")) {
        spend(1 + d.items.size(), a->range);
        auto inner = std::make_shared<Environment>(scope);
        bind_iterators(inner, a->ids, item, a->range);
        if (!dict) {
          l.items.push_back(eval(a->args[0], inner));
          continue;
        }
        StageValue k = eval(a->args[0], inner);
        if (!is_atom(k)) {
          error(code::kType, fmt::format("dict keys must be atoms, got {}", a_type_name(k)), a->args[0]->range);
        }
        StageValue v = eval(a->args[1], inner);
        auto it = std::find_if(d.items.begin(), d.items.end(),
                               [&](const auto& kv) { return kv.first == atom(k); });
        if (it != d.items.end()) {
          it->second = v;
        } else {
          d.items.emplace_back(atom(k), v);
        }
      }
      if (dict) return std::make_shared<const DictValue>(std::move(d));
      return std::make_shared<const ListValue>(std::move(l));
    }
    case ExprKind::Index:
      return index(a, eval(a->args[0], scope), eval(a->args[1], scope), *scope);
    case ExprKind::Call: {
      StageValue callee = eval(a->args[0], scope);
      std::vector<StageValue> args;
      for (std::size_t i = 1; i < a->args.size(); ++i) args.push_back(eval(a->args[i], scope));
      if (auto f = std::get_if<std::shared_ptr<const Function>>(&callee)) return call(*f, args, a->range);
      if (is_sop(callee) || is_sel(callee)) {
        // `f("hello")` shows a value in the reference's REPL; here it changes nothing.
        if (args.size() != 1) {
          error(code::kArgCount, fmt::format("applying {} takes one input, got {}", a_type_name(callee),
                                             args.size()),
                a->range);
        }
        return None{};
      }
      error(code::kNotCallable, fmt::format("{} is not a function", describe_value(callee)), a->range);
    }
    case ExprKind::Unary:
      return unary(a, eval(a->args[0], scope));
    case ExprKind::Binary:
      return binary(a, eval(a->args[0], scope), eval(a->args[1], scope));
    case ExprKind::Select:
      return make_select(a, eval(a->args[0], scope), eval(a->args[1], scope));
    case ExprKind::Aggregate: {
      std::vector<StageValue> args;
      for (const auto& e : a->args) args.push_back(eval(e, scope));
      return make_aggregate(a, args);
    }
    case ExprKind::Ternary:
      return ternary(a, scope);
    case ExprKind::In:
      return contains(a, eval(a->args[0], scope), eval(a->args[1], scope));
    case ExprKind::Range: {
      std::vector<std::int64_t> xs;
      for (const auto& e : a->args) {
        StageValue v = eval(e, scope);
        if (!is_int_like(v)) {
          error(code::kType, fmt::format("range expects integers, got {}", describe_value(v)), e->range);
        }
        xs.push_back(atom(v).num());
      }
      if (xs.empty() || xs.size() > 3) {
        error(code::kArgCount, fmt::format("range takes 1 to 3 arguments, got {}", xs.size()), a->range);
      }
      std::int64_t start = xs.size() == 1 ? 0 : xs[0], stop = xs.size() == 1 ? xs[0] : xs[1];
      std::int64_t step = xs.size() == 3 ? xs[2] : 1;
      if (step == 0) error(code::kType, "range step must not be zero", a->range);
      ListValue l;
      for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (l.items.size() >= kMaxListSize) {
          error(code::kLimit, fmt::format("range longer than {} elements", kMaxListSize), a->range);
        }
        l.items.push_back(Value::integer(i));
      }
      return std::make_shared<const ListValue>(std::move(l));
    }
    case ExprKind::Zip: {
      if (a->args.empty()) error(code::kArgCount, "zip needs at least one list", a->range);
      std::vector<std::shared_ptr<const ListValue>> lists;
      for (const auto& e : a->args) {
        StageValue v = eval(e, scope);
        auto l = std::get_if<std::shared_ptr<const ListValue>>(&v);
        if (!l) error(code::kType, fmt::format("zip expects lists, got {}", a_type_name(v)), e->range);
        if (!lists.empty() && (*l)->items.size() != lists[0]->items.size()) {
          error(code::kType,
                fmt::format("zip of lists of different lengths ({} and {})", lists[0]->items.size(),
                            (*l)->items.size()),
                e->range);
        }
        lists.push_back(*l);
      }
      ListValue out;
      for (std::size_t i = 0; i < lists[0]->items.size(); ++i) {
        ListValue row;
        for (const auto& l : lists) row.items.push_back(l->items[i]);
        out.items.push_back(std::make_shared<const ListValue>(std::move(row)));
      }
      return std::make_shared<const ListValue>(std::move(out));
    }
    case ExprKind::Len: {
      StageValue v = eval(a->args[0], scope);
      auto l = std::get_if<std::shared_ptr<const ListValue>>(&v);
      if (!l) error(code::kType, fmt::format("len expects a list, got {}", a_type_name(v)), a->range);
      return Value::integer(static_cast<std::int64_t>((*l)->items.size()));
    }
  }
  error(code::kSyntax, "unsupported expression", a->range);
}

StageValue Stager::unary(const AstPtr& a, StageValue v) {
  const SourceRange& range = a->range;
  switch (a->op) {
    case Tok::Not:
      if (is_sel(v)) {
        Node n;
        n.kind = NodeKind::SelectorNot;
        n.inputs = {std::get<Sel>(v).id};
        n.range = node_range(range);
        return new_selector(std::move(n));
      }
      if (is_sop(v)) return map([](const auto& x) { return ir::make_unary(ExprOp::Not, x[0]); }, {v}, range);
      if (auto truth = constant_truth(v)) return Value::boolean(!*truth);
      error(code::kType, fmt::format("'not' of {}", a_type_name(v)), range);
    case Tok::Minus:
    case Tok::Plus: {
      bool neg = a->op == Tok::Minus;
      if (is_sop(v)) {
        if (!neg) {
          // Python's +x: a bool becomes an int, a number stays, a string is a fault. x + 0
          // does exactly that, and every analysis already knows it.
          return map([](const auto& x) { return ir::make_binary(BinaryOp::Add, x[0], ir::make_const(Value::integer(0))); },
                     {v}, range);
        }
        return map([](const auto& x) { return ir::make_unary(ExprOp::Neg, x[0]); }, {v}, range);
      }
      if (is_atom(v)) {
        if (!neg) {
          if (atom(v).is_string()) error(code::kType, "bad operand type for unary +: string", range);
          return atom(v).is_bool() ? Value::integer(atom(v).num()) : atom(v);
        }
        auto r = ir::negate(atom(v));
        if (!r) error(r.error().code, r.error().message, range);
        return *r;
      }
      error(is_sel(v) ? code::kSelectorOperand : code::kType,
            fmt::format("unary {} of {}", neg ? '-' : '+', a_type_name(v)), range);
    }
    case Tok::Round: {
      if (is_sop(v)) return map([](const auto& x) { return ir::make_unary(ExprOp::Round, x[0]); }, {v}, range);
      if (is_atom(v)) {
        auto r = ir::round_half_even(atom(v));
        if (!r) error(r.error().code, r.error().message, range);
        return *r;
      }
      error(is_sel(v) ? code::kSelectorOperand : code::kType, fmt::format("round of {}", a_type_name(v)), range);
    }
    case Tok::Indicator:
      if (is_sop(v)) {
        return map([](const auto& x) { return ir::make_unary(ExprOp::Indicator, x[0]); }, {v}, range);
      }
      error(is_sel(v) ? code::kSelectorOperand : code::kType,
            fmt::format("indicator expects an s-op, got {}", a_type_name(v)), range);
    default:
      break;
  }
  error(code::kSyntax, "unknown unary operator", range);
}

namespace {

std::optional<BinaryOp> arithmetic_op(Tok t) {
  switch (t) {
    case Tok::Plus:
      return BinaryOp::Add;
    case Tok::Minus:
      return BinaryOp::Sub;
    case Tok::Star:
      return BinaryOp::Mul;
    case Tok::Slash:
      return BinaryOp::Div;
    case Tok::Percent:
      return BinaryOp::Mod;
    case Tok::Caret:
      return BinaryOp::Pow;
    case Tok::EqEq:
      return BinaryOp::Eq;
    case Tok::NotEq:
      return BinaryOp::Ne;
    case Tok::Lt:
      return BinaryOp::Lt;
    case Tok::Le:
      return BinaryOp::Le;
    case Tok::Gt:
      return BinaryOp::Gt;
    case Tok::Ge:
      return BinaryOp::Ge;
    default:
      return std::nullopt;
  }
}

}  // namespace

StageValue Stager::binary(const AstPtr& a, StageValue l, StageValue r) {
  const SourceRange& range = a->range;
  if (a->op == Tok::And || a->op == Tok::Or) {
    ExprOp op = a->op == Tok::And ? ExprOp::And : ExprOp::Or;
    if (is_sel(l) || is_sel(r)) {
      if (!(is_sel(l) && is_sel(r))) {
        error(code::kAndOrMix,
              fmt::format("'{}' between a selector and {}", a->text, a_type_name(is_sel(l) ? r : l)),
              range);
      }
      Node n;
      n.kind = op == ExprOp::And ? NodeKind::SelectorAnd : NodeKind::SelectorOr;
      n.inputs = {std::get<Sel>(l).id, std::get<Sel>(r).id};
      n.range = node_range(range);
      return new_selector(std::move(n));
    }
    if (is_sop(l) || is_sop(r)) {
      return map([op](const auto& x) { return ir::make_logical(op, x[0], x[1]); }, {l, r}, range);
    }
    // Python's and/or return an operand, whatever its kind.
    if (auto lt = constant_truth(l)) return op == ExprOp::And ? (*lt ? r : l) : (*lt ? l : r);
    error(code::kType, fmt::format("'{}' of {} and {}", a->text, a_type_name(l), a_type_name(r)), range);
  }
  auto op = arithmetic_op(a->op);
  if (!op) error(code::kSyntax, "unknown operator", range);
  if (is_sel(l) || is_sel(r)) {
    error(code::kSelectorOperand, fmt::format("cannot apply '{}' to a selector", a->text), a->op_range);
  }
  if (is_sop(l) || is_sop(r)) {
    if (!(is_sop(l) || is_atom(l)) || !(is_sop(r) || is_atom(r))) {
      error(code::kType,
            fmt::format("cannot apply '{}' to {} and {}", a->text, a_type_name(l), a_type_name(r)), range);
    }
    BinaryOp bop = *op;
    return map([bop](const auto& x) { return ir::make_binary(bop, x[0], x[1]); }, {l, r}, range);
  }
  if (is_atom(l) && is_atom(r)) {
    auto v = ir::apply(*op, atom(l), atom(r));
    if (!v) error(v.error().code, v.error().message, range);
    return *v;
  }
  // Lists, dicts and None compare as in Python: == and != on any two, ordering on lists.
  if (*op == BinaryOp::Eq || *op == BinaryOp::Ne) {
    if (auto e = constant_equal(l, r)) return Value::boolean(*e == (*op == BinaryOp::Eq));
  }
  if (*op >= BinaryOp::Lt && *op <= BinaryOp::Ge) {
    auto ll = std::get_if<std::shared_ptr<const ListValue>>(&l);
    auto rl = std::get_if<std::shared_ptr<const ListValue>>(&r);
    if (ll && rl) {
      if (auto o = constant_list_order(*op, **ll, **rl)) return Value::boolean(*o);
    }
  }
  // Lists: + concatenates, * repeats.
  auto ll = std::get_if<std::shared_ptr<const ListValue>>(&l);
  auto rl = std::get_if<std::shared_ptr<const ListValue>>(&r);
  if (*op == BinaryOp::Add && ll && rl) {
    // As for repetition: doubling a list forty times must stop at the limit, not at 23 GB.
    if ((*ll)->items.size() + (*rl)->items.size() > kMaxListSize) {
      error(code::kLimit, fmt::format("list longer than {} elements", kMaxListSize), range);
    }
    ListValue out{(*ll)->items};
    for (const auto& x : (*rl)->items) out.items.push_back(x);
    return std::make_shared<const ListValue>(std::move(out));
  }
  if (*op == BinaryOp::Mul && (ll || rl) && (is_atom(ll ? r : l))) {
    const Value& n = atom(ll ? r : l);
    const auto& items = (ll ? *ll : *rl)->items;
    if (!is_int_like(ll ? r : l)) error(code::kType, "a list can only be repeated an integer number of times", range);
    // Divide rather than multiply: items.size() * n can wrap around; an empty list repeated
    // 2^62 times is empty, not a 2^62-step loop.
    if (n.num() > 0 && !items.empty() &&
        static_cast<std::size_t>(n.num()) > kMaxListSize / items.size()) {
      error(code::kLimit, fmt::format("list longer than {} elements", kMaxListSize), range);
    }
    ListValue out;
    if (items.empty()) return std::make_shared<const ListValue>(std::move(out));
    for (std::int64_t i = 0; i < n.num(); ++i) out.items.insert(out.items.end(), items.begin(), items.end());
    return std::make_shared<const ListValue>(std::move(out));
  }
  error(code::kType, fmt::format("cannot apply '{}' to {} and {}", a->text, a_type_name(l), a_type_name(r)),
        a->op_range);
}

StageValue Stager::index(const AstPtr& a, StageValue container, StageValue key, const Environment& scope) {
  const SourceRange& range = a->range;
  auto check_atom_index = [&](std::int64_t i, std::size_t size, const char* what) {
    auto n = static_cast<std::int64_t>(size);
    if (i >= n || -i > n) {
      error(code::kIndex, fmt::format("index {} out of range for {} of length {}", i, what, size), range);
    }
    return static_cast<std::size_t>(i < 0 ? i + n : i);
  };
  auto table_of = [&](const std::vector<StageValue>& items, const char* what) {
    std::vector<Value> values;
    for (const auto& v : items) {
      if (!is_atom(v)) {
        error(code::kType,
              fmt::format("indexing a {} by an s-op needs atoms in it, found {}", what, a_type_name(v)), range);
      }
      values.push_back(atom(v));
    }
    return values;
  };
  if (auto l = std::get_if<std::shared_ptr<const ListValue>>(&container)) {
    if (is_sop(key)) {
      spend(1 + (*l)->items.size(), range);
      auto values = table_of((*l)->items, "list");
      return map([&](const auto& x) { return ir::make_lookup(x[0], ir::TableKind::List, {}, values); }, {key},
                 range);
    }
    if (!is_int_like(key)) {
      error(code::kType, fmt::format("list index must be an integer or s-op, got {}", describe_value(key)), range);
    }
    return (*l)->items[check_atom_index(atom(key).num(), (*l)->items.size(), "list")];
  }
  if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&container)) {
    spend(1 + (*d)->items.size(), range);
    if (is_sop(key)) {
      std::vector<Value> keys;
      std::vector<StageValue> vals;
      for (const auto& [k, v] : (*d)->items) {
        keys.push_back(k);
        vals.push_back(v);
      }
      auto values = table_of(vals, "dict");
      return map([&](const auto& x) { return ir::make_lookup(x[0], ir::TableKind::Dict, keys, values); },
                 {key}, range);
    }
    if (!is_atom(key)) {
      error(code::kType, fmt::format("dict index must be an atom or s-op, got {}", a_type_name(key)), range);
    }
    for (const auto& [k, v] : (*d)->items) {
      if (k == atom(key)) return v;
    }
    error(code::kIndex, fmt::format("key {} not in dict", atom(key).repr()), range);
  }
  if (is_atom(container) && atom(container).is_string()) {
    const std::string& s = atom(container).str();
    std::vector<Value> chars;
    for (std::string& c : ir::characters(s)) chars.push_back(Value::string(std::move(c)));
    if (is_sop(key)) {
      return map([&](const auto& x) { return ir::make_lookup(x[0], ir::TableKind::String, {}, chars); }, {key},
                 range);
    }
    if (!is_int_like(key)) {
      error(code::kType, fmt::format("string index must be an integer or s-op, got {}", describe_value(key)),
            range);
    }
    return chars[check_atom_index(atom(key).num(), chars.size(), "string")];
  }
  if (is_sop(container)) {
    // s[i] reads position i (from the end when negative) through a select-aggregate.
    if (!is_int_like(key)) {
      error(code::kType, fmt::format("index into an s-op must be an integer, got {}", describe_value(key)),
            range);
    }
    std::int64_t i = atom(key).num();
    StageValue query = Value::integer(i);
    if (i < 0) {
      // The `length` in scope, as the reference reads it: a def may bind its own.
      const StageValue* length = scope.find("length");
      if (!length || !is_sop(*length)) {
        error(code::kType,
              fmt::format("s[{}] counts from `length`, which here is {}, not an s-op", i,
                          length ? a_type_name(*length) : std::string("unbound")),
              range);
      }
      query = map([i](const auto& x) { return ir::make_binary(BinaryOp::Add, x[0], ir::make_const(Value::integer(i))); },
                  {*length}, range);
    }
    Node sel;
    sel.kind = NodeKind::Select;
    sel.inputs = {d_root->find("indices") ? std::get<SOp>(*d_root->find("indices")).id : 0,
                  to_sop(query, range, "an index")};
    sel.expr = ir::make_binary(BinaryOp::Eq, ir::make_var(0), ir::make_var(1));
    sel.range = node_range(range);
    Sel s = new_selector(std::move(sel));
    Node agg;
    agg.kind = NodeKind::Aggregate;
    agg.inputs = {s.id, std::get<SOp>(container).id};
    agg.value = Value::integer(0);
    agg.instance = s.instance;
    agg.range = node_range(range);
    return SOp{program().add(std::move(agg))};
  }
  error(code::kType, fmt::format("cannot index into {}", a_type_name(container)), range);
}

StageValue Stager::contains(const AstPtr& a, StageValue item, StageValue container) {
  const SourceRange& range = a->range;
  auto l = std::get_if<std::shared_ptr<const ListValue>>(&container);
  if (l) spend(1 + (*l)->items.size(), range);
  if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&container)) {
    spend(1 + (*d)->items.size(), range);
  }
  if (is_sop(item)) {
    if (!l) {
      error(code::kType, fmt::format("'s-op in X' needs X to be a list of atoms, got {}", a_type_name(container)),
            range);
    }
    std::vector<Value> members;
    for (const auto& v : (*l)->items) {
      if (!is_atom(v)) error(code::kType, "'s-op in X' needs X to be a list of atoms", range);
      members.push_back(atom(v));
    }
    return map([&](const auto& x) { return ir::make_in(x[0], members); }, {item}, range);
  }
  if (is_atom(item)) {
    if (l) {
      for (const auto& v : (*l)->items) {
        if (is_atom(v) && atom(v) == atom(item)) return Value::boolean(true);
      }
      return Value::boolean(false);
    }
    if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&container)) {
      for (const auto& [k, v] : (*d)->items) {
        if (k == atom(item)) return Value::boolean(true);
      }
      return Value::boolean(false);
    }
    if (is_sop(container)) {
      // "atom in s-op": does any position hold it? One averaging head over everything.
      Value x = atom(item);
      StageValue hits = map(
          [x](const auto& v) {
            return ir::make_unary(ExprOp::Indicator, ir::make_binary(BinaryOp::Eq, v[0], ir::make_const(x)));
          },
          {container}, range);
      Node everything;
      everything.kind = NodeKind::Select;
      NodeId one = to_sop(Value::integer(1), range, "a constant");
      everything.inputs = {one, one};
      everything.expr = ir::make_const(Value::boolean(true));
      everything.range = node_range(range);
      NodeId sel = program().add(std::move(everything));
      Node agg;
      agg.kind = NodeKind::Aggregate;
      agg.inputs = {sel, std::get<SOp>(hits).id};
      agg.value = Value::integer(0);
      agg.instance = shared_full_instance();
      agg.range = node_range(range);
      StageValue mean = SOp{program().add(std::move(agg))};
      return map([](const auto& v) { return ir::make_binary(BinaryOp::Gt, v[0], ir::make_const(Value::integer(0))); },
                 {mean}, range);
    }
    error(code::kType, fmt::format("'atom in X' needs X to be a list or s-op, got {}", a_type_name(container)),
          range);
  }
  error(code::kType, fmt::format("'A in X' needs A to be an s-op or atom, got {}", a_type_name(item)), range);
}

StageValue Stager::make_select(const AstPtr& a, StageValue keys, StageValue queries) {
  auto op = arithmetic_op(a->op);
  Node n;
  n.kind = NodeKind::Select;
  n.inputs = {to_sop(keys, a->args[0]->range, "select's keys"),
              to_sop(queries, a->args[1]->range, "select's queries")};
  n.expr = ir::make_binary(*op, ir::make_var(0), ir::make_var(1));
  n.range = node_range(a->range);
  return new_selector(std::move(n));
}

StageValue Stager::make_aggregate(const AstPtr& a, const std::vector<StageValue>& args) {
  if (!is_sel(args[0])) {
    error(code::kAggregateOperand, fmt::format("aggregate expects a selector first, got {}", a_type_name(args[0])),
          a->args[0]->range);
  }
  if (!is_sop(args[1]) && !is_atom(args[1])) {
    error(code::kAggregateOperand,
          fmt::format("aggregate expects an s-op to aggregate, got {}", a_type_name(args[1])), a->args[1]->range);
  }
  Value fallback = Value::integer(0);
  if (args.size() == 3) {
    if (!is_atom(args[2])) {
      error(code::kAggregateOperand,
            fmt::format("aggregate's default must be an atom, got {}", a_type_name(args[2])), a->args[2]->range);
    }
    fallback = atom(args[2]);
  }
  const Sel& sel = std::get<Sel>(args[0]);
  Node n;
  n.kind = NodeKind::Aggregate;
  n.inputs = {sel.id, to_sop(args[1], a->args[1]->range, "aggregate's values")};
  n.value = fallback;
  n.instance = sel.instance;
  n.range = node_range(a->range);
  return SOp{program().add(std::move(n))};
}

StageValue Stager::ternary(const AstPtr& a, const std::shared_ptr<Environment>& scope) {
  StageValue cond = eval(a->args[1], scope);
  if (is_sop(cond)) {
    StageValue yes = eval(a->args[0], scope), no = eval(a->args[2], scope);
    for (const auto* v : {&yes, &no}) {
      if (!is_sop(*v) && !is_atom(*v)) {
        error(is_sel(*v) ? code::kSelectorOperand : code::kType,
              fmt::format("a conditional over an s-op needs s-ops or atoms in its branches, got {}",
                          a_type_name(*v)),
              a->range);
      }
    }
    return map([](const auto& x) { return ir::make_ite(x[0], x[1], x[2]); }, {cond, yes, no}, a->range);
  }
  if (is_sel(cond)) {
    error(code::kSelectorOperand, "a selector cannot be the condition of 'if'", a->args[1]->range);
  }
  bool truth = false;
  if (is_atom(cond)) {
    truth = atom(cond).truthy();
  } else if (auto l = std::get_if<std::shared_ptr<const ListValue>>(&cond)) {
    truth = !(*l)->items.empty();
  } else if (auto d = std::get_if<std::shared_ptr<const DictValue>>(&cond)) {
    truth = !(*d)->items.empty();
  } else {
    truth = !std::holds_alternative<None>(cond);
  }
  // Lazy, as in the reference: only the chosen branch runs.
  return eval(a->args[truth ? 0 : 2], scope);
}

}  // namespace rasp::front::detail

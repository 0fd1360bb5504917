// lib/front/detail/stager.h - Load-time evaluation: defs, loops and lists run now, s-ops become nodes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "lib/front/detail/ast.h"
#include "lib/front/front.h"
#include "lib/ir/program.h"

namespace rasp::front::detail {

struct SOp {
  ir::NodeId id;
};
/// A selector value: the (shared) node and which selector object of the source it is.
struct Sel {
  ir::NodeId id;
  std::uint32_t instance;
};
struct ListValue;
struct DictValue;
struct Function;
struct None {};

/// A value during staging: an atom, an s-op, a selector, a list, a dict or a function.
using StageValue = std::variant<None, ir::Value, SOp, Sel, std::shared_ptr<const ListValue>,
                                std::shared_ptr<const DictValue>, std::shared_ptr<const Function>>;

struct ListValue {
  std::vector<StageValue> items;
};
struct DictValue {
  std::vector<std::pair<ir::Value, StageValue>> items;  ///< insertion order, unique keys
};

class Stager;
class Environment;

/// A user function (closure over its defining scope) or a built-in one.
struct Function {
  std::string name;
  std::vector<std::string> params;
  std::vector<StmtPtr> body;
  std::vector<AstPtr> returns;
  std::shared_ptr<Environment> closure;
  /// Built-ins get the evaluated arguments and the call's range.
  std::function<StageValue(Stager&, const std::vector<StageValue>&, const SourceRange&)> builtin;
  bool from_prelude = false;
};

/// A scope. The root scope holds the built-ins and the prelude: its names are reserved.
class Environment {
 public:
  explicit Environment(std::shared_ptr<Environment> parent = nullptr) : d_parent(std::move(parent)) {}
  [[nodiscard]] const StageValue* find(const std::string& name) const;
  void set(const std::string& name, StageValue value) { d_vars[name] = std::move(value); }
  [[nodiscard]] const std::unordered_map<std::string, StageValue>& vars() const { return d_vars; }
  [[nodiscard]] const std::shared_ptr<Environment>& parent() const { return d_parent; }
  /// Drops every binding; see owning_scope_handle.
  void clear() { d_vars.clear(); }
  /// Names that assignments may not rebind (the reference's reserved words and library).
  std::set<std::string> reserved;
  /// On the root scope: every other scope a `def` ran in. A function bound in its own
  /// closure (or an ancestor of it) is a reference cycle; owning_scope_handle breaks them.
  std::vector<std::weak_ptr<Environment>> closure_scopes;

 private:
  std::shared_ptr<Environment> d_parent;
  std::unordered_map<std::string, StageValue> d_vars;
};

[[nodiscard]] std::string type_name(const StageValue& v);
/// type_name with its article, for messages: "an int", "a selector", "nothing".
[[nodiscard]] std::string a_type_name(const StageValue& v);

/// The handle a Module keeps on its file scope. When its last copy goes, the file scope,
/// every scope a closure captured and all their ancestors are cleared, so the
/// function <-> closure cycles do not outlive the module (found by the front fuzzer as a
/// leak of every loaded prelude).
[[nodiscard]] std::shared_ptr<Environment> owning_scope_handle(std::shared_ptr<Environment> file_scope);

/// Runs statements against a module: builds its program's nodes and binds names.
class Stager {
 public:
  explicit Stager(Module& module) : d_module(module) {
    // Expressions evaluated after loading reuse the module's root scope.
    for (auto e = module.env; e; e = e->parent()) d_root = e;
  }

  /// Creates the root scope (built-ins, prelude) and the file scope for a new module.
  [[nodiscard]] Result<std::shared_ptr<Environment>> make_file_scope();
  [[nodiscard]] Result<void> run_file(const std::vector<StmtPtr>& statements,
                                      const std::shared_ptr<Environment>& scope, bool main_file);
  [[nodiscard]] Result<StageValue> evaluate(const AstPtr& ast, const std::shared_ptr<Environment>& scope);

  // For built-ins.
  [[noreturn]] void error(const char* code, std::string message, const SourceRange& range);
  ir::NodeId to_sop(const StageValue& v, const SourceRange& range, const char* what);
  ir::Program& program() { return d_module.program; }
  SourceRange node_range(const SourceRange& range) const;

 private:
  struct Frame;
  /// Counts load-time work; E0212 past the limit.
  void spend(std::size_t steps, const SourceRange& range);
  void exec(const StmtPtr& s, const std::shared_ptr<Environment>& scope, bool top_level);
  StageValue eval(const AstPtr& a, const std::shared_ptr<Environment>& scope);
  StageValue call(const std::shared_ptr<const Function>& f, const std::vector<StageValue>& args,
                  const SourceRange& range);
  void assign(const std::shared_ptr<Environment>& scope, const std::string& name, StageValue v,
              const SourceRange& range);
  // As in the reference, `out` names the value of the last expression a statement evaluated
  // (an expression statement's, an assignment's right side, a loop's list), in that scope;
  // it is reserved, so only this sets it. Not in the library's scope.
  void set_out(const std::shared_ptr<Environment>& scope, StageValue v);
  // What `tokens` is where every file starts: tokens_str, or the --tokens choice.
  [[nodiscard]] StageValue base_tokens() const;
  void load(const std::string& name, const SourceRange& range, const std::shared_ptr<Environment>& scope);

  StageValue unary(const AstPtr& a, StageValue v);
  StageValue binary(const AstPtr& a, StageValue l, StageValue r);
  /// container[key]; `scope` gives the `length` that a negative index into an s-op counts
  /// from, as in the reference (a def may bind its own).
  StageValue index(const AstPtr& a, StageValue container, StageValue key, const Environment& scope);
  StageValue contains(const AstPtr& a, StageValue item, StageValue container);
  StageValue make_select(const AstPtr& a, StageValue keys, StageValue queries);
  StageValue make_aggregate(const AstPtr& a, const std::vector<StageValue>& args);
  StageValue ternary(const AstPtr& a, const std::shared_ptr<Environment>& scope);
  std::vector<StageValue> iterate(const StageValue& v, const SourceRange& range, const char* what);
  /// What unpacking `v` into several names gives, as Python zips them: a list's items, a
  /// dict's keys, a string's characters; nothing for anything else.
  static std::optional<std::vector<StageValue>> unpack(const StageValue& v);
  void bind_iterators(const std::shared_ptr<Environment>& scope, const std::vector<std::string>& ids,
                      const StageValue& v, const SourceRange& range);

 public:
  /// A Map node computing `expr` over `operands` (atoms are inlined as constants).
  StageValue map(const std::function<ir::Expr(const std::vector<ir::Expr>&)>& build,
                 const std::vector<StageValue>& operands, const SourceRange& range);
  Sel new_selector(ir::Node node);
  std::uint32_t shared_full_instance();

 private:
  Module& d_module;
  std::shared_ptr<Environment> d_root;
  std::vector<std::string> d_load_stack;
  int d_call_depth = 0;
  std::size_t d_steps = 0;
  int d_user_calls = 0;  ///< >0 while inside a call made from user code to the prelude
  SourceRange d_user_site;
  std::uint32_t d_full_instance = 0;
};

/// The text of raspkit's prelude (the reference library's names, written for raspkit).
/// The library's source; `sums` for aggregates that sum (LoadOptions::sum_aggregation).
[[nodiscard]] const std::string& prelude_source(bool sums);

}  // namespace rasp::front::detail

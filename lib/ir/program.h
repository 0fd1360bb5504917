// lib/ir/program.h - RASP programs as hash-consed DAGs of s-ops and selectors on Boost.Graph.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/ir/diagnostic.h"
#include "lib/ir/expr.h"
#include "lib/ir/value.h"

namespace rasp::ir {

/// The operations of RASP. S-ops produce one value per position; selectors produce a
/// [query][key] boolean matrix.
enum class NodeKind : std::uint8_t {
  Tokens,         ///< the input, converted per `token_type`
  Indices,        ///< 0, 1, ..., n-1
  Constant,       ///< `value` at every position
  Map,            ///< `expr` over inputs x0..xk, elementwise (a feed-forward layer)
  Select,         ///< inputs {keys, queries}; `expr` over x0 = key, x1 = query
  SelectorAnd,    ///< inputs {a, b}
  SelectorOr,     ///< inputs {a, b}
  SelectorNot,    ///< inputs {a}
  Aggregate,      ///< inputs {selector, values}; `value` is the default
  SelectorWidth,  ///< inputs {selector}: how many keys each query selects
};

/// How the name `tokens` converts each raw input element (the reference's tokens_*).
enum class TokenType : std::uint8_t { Str, Int, Float, Bool, AsIs };

/// How a compiled model represents an s-op (tracr's annotations).
enum class Encoding : std::uint8_t { Unspecified, Categorical, Numerical };

using NodeId = std::uint32_t;

[[nodiscard]] std::string_view node_kind_name(NodeKind kind);
[[nodiscard]] std::string_view token_type_name(TokenType type);
[[nodiscard]] std::optional<TokenType> parse_token_type(std::string_view name);
[[nodiscard]] bool is_selector_kind(NodeKind kind);
/// What a Tokens node of this type makes of one raw input element (str(), int(), ...).
[[nodiscard]] ValueResult<Value> convert_token(TokenType type, const Value& raw);
/// The token a BOS position holds for this type: "BOS", 0, 0.0 or False.
[[nodiscard]] Value bos_token(TokenType type);
/// Aggregate and SelectorWidth: the nodes that need an attention head.
[[nodiscard]] inline bool is_attention_kind(NodeKind kind) {
  return kind == NodeKind::Aggregate || kind == NodeKind::SelectorWidth;
}

struct Node {
  NodeKind kind = NodeKind::Constant;
  std::vector<NodeId> inputs;
  Expr expr;      ///< Map: the function; Select: the predicate
  Value value;    ///< Constant: the value; Aggregate: the default
  TokenType token_type = TokenType::Str;
  Encoding encoding = Encoding::Unspecified;
  /// For Aggregate and SelectorWidth: which selector object of the source program they
  /// read. The reference counts two textually equal `select(...)` as two heads, so the
  /// `rasp` cost model needs object identity; it is part of the hash-consing key of these
  /// two kinds only (selectors themselves are shared). 0 means "no particular object".
  std::uint32_t instance = 0;
  std::string name;
  SourceRange range;
  /// Where else in the source the same computation was written (hash-consing made it this
  /// node): a run-time fault is located at the occurrence inside the expression evaluated.
  std::vector<SourceRange> also;
};

struct NodeHash {
  std::size_t operator()(const Node& n) const;
};
struct NodeStructurallyEqual {
  bool operator()(const Node& a, const Node& b) const;
};

/// A RASP program: a DAG whose vertices are nodes and whose edges run from an operand to
/// the node that uses it. Structurally equal nodes are one vertex (hash-consing), so a
/// NodeId names a computation. Vertices are added operands-first, so ids are already a
/// topological order; `topological_order` asks Boost.Graph all the same.
class Program {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

  /// Adds `node` or returns the id of an existing structurally equal node. The first
  /// name and range given win; later ranges are kept in `also`, for diagnostics only.
  NodeId add(Node node);
  [[nodiscard]] const Node& node(NodeId id) const { return d_nodes[id]; }
  [[nodiscard]] std::size_t size() const { return d_nodes.size(); }
  [[nodiscard]] const Graph& graph() const { return d_graph; }
  [[nodiscard]] bool is_selector(NodeId id) const { return is_selector_kind(d_nodes[id].kind); }

  /// Gives a node a user-facing name if it has none (assignment `x = ...` names a node).
  void set_name(NodeId id, const std::string& name);
  void set_encoding(NodeId id, Encoding encoding) { d_nodes[id].encoding = encoding; }

  /// Named results (`outputs["reverse"]`): what `--expr NAME` finds in a JSON IR program.
  std::unordered_map<std::string, NodeId> outputs;

  /// Every node in an order where operands come before their users.
  [[nodiscard]] std::vector<NodeId> topological_order() const;
  /// The nodes `root` depends on, itself included, in topological order.
  [[nodiscard]] std::vector<NodeId> ancestors(NodeId root) const;
  /// The users of `id`.
  [[nodiscard]] std::vector<NodeId> users(NodeId id) const;
  /// The first node of `order` (a topological order) that is the user's, not the library's
  /// (SourceRange::in_library), and reads a node marked in `reads` (indexed by id), directly
  /// or through library nodes: where a fault or refusal inside the library is shown.
  [[nodiscard]] std::optional<NodeId> first_user_reader(std::span<const NodeId> order, std::vector<char> reads) const;
  /// A fresh selector-object identity for the `rasp` cost model.
  std::uint32_t new_instance() { return ++d_instances; }
  /// A number no other program of this process has had: a copy gets a new one, a move
  /// takes it along (the moved-from program gets a new one). Nodes are only ever
  /// appended, never changed in meaning, so what was computed for a node of a program
  /// with this serial stays true (the interpreter's reuse across inputs keys on it).
  [[nodiscard]] std::uint64_t serial() const { return d_serial.value; }

 private:
  struct Serial {
    static std::uint64_t next();
    std::uint64_t value = next();
    Serial() = default;
    Serial(const Serial&) : value(next()) {}
    Serial(Serial&& other) noexcept : value(other.value) { other.value = next(); }
    Serial& operator=(const Serial& other) {
      if (this != &other) value = next();
      return *this;
    }
    Serial& operator=(Serial&& other) noexcept {
      if (this != &other) {
        value = other.value;
        other.value = next();
      }
      return *this;
    }
    ~Serial() = default;
  };

  std::vector<Node> d_nodes;
  Graph d_graph;
  std::unordered_map<Node, NodeId, NodeHash, NodeStructurallyEqual> d_index;
  std::uint32_t d_instances = 0;
  Serial d_serial;
};

/// Where each node runs in a transformer: layer (from 1) and head within it; elementwise
/// nodes carry head -1 and run in the MLP of their layer. Produced by analyzers/ and
/// consumed by lib/compile.
struct Placement {
  int layer = 0;
  int head = -1;
};
struct Schedule {
  std::unordered_map<NodeId, Placement> placement;
  int layers = 0;
  std::vector<int> heads_per_layer;  ///< index 0 is layer 1
};

}  // namespace rasp::ir

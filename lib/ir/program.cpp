// lib/ir/program.cpp - Hash-consing, names and graph queries of RASP programs.
#include "lib/ir/program.h"

#include <algorithm>
#include <atomic>
#include <boost/graph/topological_sort.hpp>
#include <cassert>
#include <iterator>

namespace rasp::ir {
namespace {

bool instance_matters(NodeKind kind) {
  return kind == NodeKind::Aggregate || kind == NodeKind::SelectorWidth;
}

}  // namespace

std::string_view node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::Tokens:
      return "tokens";
    case NodeKind::Indices:
      return "indices";
    case NodeKind::Constant:
      return "constant";
    case NodeKind::Map:
      return "map";
    case NodeKind::Select:
      return "select";
    case NodeKind::SelectorAnd:
      return "selector_and";
    case NodeKind::SelectorOr:
      return "selector_or";
    case NodeKind::SelectorNot:
      return "selector_not";
    case NodeKind::Aggregate:
      return "aggregate";
    case NodeKind::SelectorWidth:
      return "selector_width";
  }
  return "?";
}

std::string_view token_type_name(TokenType type) {
  switch (type) {
    case TokenType::Str:
      return "str";
    case TokenType::Int:
      return "int";
    case TokenType::Float:
      return "float";
    case TokenType::Bool:
      return "bool";
    case TokenType::AsIs:
      return "asis";
  }
  return "?";
}

std::optional<TokenType> parse_token_type(std::string_view name) {
  for (TokenType t : {TokenType::Str, TokenType::Int, TokenType::Float, TokenType::Bool,
                      TokenType::AsIs}) {
    if (token_type_name(t) == name) return t;
  }
  return std::nullopt;
}

ValueResult<Value> convert_token(TokenType type, const Value& raw) {
  switch (type) {
    case TokenType::Str:
      return to_str(raw);
    case TokenType::Int:
      return to_int(raw);
    case TokenType::Float:
      return to_float(raw);
    case TokenType::Bool:
      return to_bool(raw);
    case TokenType::AsIs:
      break;
  }
  return raw;
}

Value bos_token(TokenType type) {
  switch (type) {
    case TokenType::Int:
      return Value::integer(0);
    case TokenType::Float:
      return *Value::rational(0, 1);
    case TokenType::Bool:
      return Value::boolean(false);
    default:
      return Value::string("BOS");
  }
}

bool is_selector_kind(NodeKind kind) {
  return kind == NodeKind::Select || kind == NodeKind::SelectorAnd ||
         kind == NodeKind::SelectorOr || kind == NodeKind::SelectorNot;
}

std::size_t NodeHash::operator()(const Node& n) const {
  std::size_t h = static_cast<std::size_t>(n.kind) * 0x9e3779b97f4a7c15ULL;
  for (NodeId i : n.inputs) h = (h * 1000003u) ^ i;
  if (n.expr) h ^= n.expr->hash * 7;
  h ^= n.value.hash() * 13;
  h ^= static_cast<std::size_t>(n.token_type) << 3;
  if (instance_matters(n.kind)) h ^= static_cast<std::size_t>(n.instance) * 0x85ebca6bu;
  return h;
}

bool NodeStructurallyEqual::operator()(const Node& a, const Node& b) const {
  if (a.kind != b.kind || a.inputs != b.inputs || a.token_type != b.token_type ||
      !a.value.identical(b.value)) {
    return false;
  }
  if (instance_matters(a.kind) && a.instance != b.instance) return false;
  if (static_cast<bool>(a.expr) != static_cast<bool>(b.expr)) return false;
  return !a.expr || equal(a.expr, b.expr);
}

std::uint64_t Program::Serial::next() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

NodeId Program::add(Node node) {
  assert(std::all_of(node.inputs.begin(), node.inputs.end(),
                     [&](NodeId i) { return i < d_nodes.size(); }) &&
         "operands are added before their users");
  if (!instance_matters(node.kind)) node.instance = 0;
  auto it = d_index.find(node);
  if (it != d_index.end()) {
    Node& existing = d_nodes[it->second];
    if (existing.name.empty()) existing.name = node.name;
    if (existing.encoding == Encoding::Unspecified) existing.encoding = node.encoding;
    auto same_place = [&](const SourceRange& r) {
      return r.line == node.range.line && r.col == node.range.col && r.end_line == node.range.end_line &&
             r.end_col == node.range.end_col && r.file_name() == node.range.file_name();
    };
    // A few places are enough to find the one a fault is met through.
    constexpr std::size_t kMostPlaces = 16;
    if (node.range.known() && !same_place(existing.range) && existing.also.size() < kMostPlaces &&
        std::none_of(existing.also.begin(), existing.also.end(), same_place)) {
      existing.also.push_back(node.range);
    }
    return it->second;
  }
  auto id = static_cast<NodeId>(d_nodes.size());
  auto v = boost::add_vertex(d_graph);
  assert(v == id && "vertex ids follow node ids");
  (void)v;
  for (NodeId i : node.inputs) boost::add_edge(i, id, d_graph);
  d_index.emplace(node, id);
  d_nodes.push_back(std::move(node));
  return id;
}

void Program::set_name(NodeId id, const std::string& name) {
  if (d_nodes[id].name.empty()) d_nodes[id].name = name;
}

std::vector<NodeId> Program::topological_order() const {
  std::vector<Graph::vertex_descriptor> reversed;
  reversed.reserve(d_nodes.size());
  boost::topological_sort(d_graph, std::back_inserter(reversed));
  return {reversed.rbegin(), reversed.rend()};
}

std::optional<NodeId> Program::first_user_reader(std::span<const NodeId> order, std::vector<char> reads) const {
  reads.resize(size(), 0);
  for (NodeId k : order) {
    const Node& n = node(k);
    if (reads[k] || std::none_of(n.inputs.begin(), n.inputs.end(), [&](NodeId in) { return reads[in] != 0; })) continue;
    if (n.range.known() && !n.range.in_library()) return k;
    reads[k] = 1;
  }
  return std::nullopt;
}

std::vector<NodeId> Program::ancestors(NodeId root) const {
  std::vector<char> seen(d_nodes.size(), 0);
  std::vector<NodeId> stack{root};
  seen[root] = 1;
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    for (NodeId i : d_nodes[n].inputs) {
      if (!seen[i]) {
        seen[i] = 1;
        stack.push_back(i);
      }
    }
  }
  // Node ids are a topological order (operands are added first).
  std::vector<NodeId> out;
  for (NodeId i = 0; i < d_nodes.size(); ++i) {
    if (seen[i]) out.push_back(i);
  }
  return out;
}

std::vector<NodeId> Program::users(NodeId id) const {
  std::vector<NodeId> out;
  for (auto [it, end] = boost::out_edges(id, d_graph); it != end; ++it) {
    out.push_back(static_cast<NodeId>(boost::target(*it, d_graph)));
  }
  return out;
}

}  // namespace rasp::ir

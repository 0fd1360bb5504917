// lib/ir/json.cpp - Serialising programs, expressions and values with nlohmann/json.
#include "lib/ir/json.h"

#include <fmt/format.h>

#include <map>
#include <string>
#include <type_traits>

namespace rasp::ir {
namespace {

using nlohmann::json;

const std::map<std::string, ExprOp>& expr_op_names() {
  static const std::map<std::string, ExprOp> names = {
      {"const", ExprOp::Const},         {"var", ExprOp::Var},       {"binary", ExprOp::Binary},
      {"neg", ExprOp::Neg},             {"not", ExprOp::Not},       {"and", ExprOp::And},
      {"or", ExprOp::Or},               {"ite", ExprOp::Ite},       {"round", ExprOp::Round},
      {"indicator", ExprOp::Indicator}, {"bool", ExprOp::ToBool},   {"int", ExprOp::ToInt},
      {"float", ExprOp::ToFloat},       {"str", ExprOp::ToStr},     {"in", ExprOp::In},
      {"lookup", ExprOp::Lookup}};
  return names;
}

std::string expr_op_name(ExprOp op) {
  for (const auto& [name, o] : expr_op_names()) {
    if (o == op) return name;
  }
  return "?";
}

const std::vector<BinaryOp>& all_binary_ops() {
  static const std::vector<BinaryOp> ops = {
      BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div, BinaryOp::Mod,
      BinaryOp::Pow, BinaryOp::Eq,  BinaryOp::Ne,  BinaryOp::Lt,  BinaryOp::Le,
      BinaryOp::Gt,  BinaryOp::Ge,  BinaryOp::Min, BinaryOp::Max};
  return ops;
}

json values_to_json(const std::vector<Value>& values) {
  json a = json::array();
  for (const auto& v : values) a.push_back(value_to_tagged_json(v));
  return a;
}

json expr_to_json(const Expr& e) {
  json j;
  j["op"] = expr_op_name(e->op);
  switch (e->op) {
    case ExprOp::Const:
      j["value"] = value_to_tagged_json(e->value);
      break;
    case ExprOp::Var:
      j["var"] = e->var;
      break;
    case ExprOp::Binary:
      j["bop"] = std::string(binary_op_symbol(e->bop));
      break;
    case ExprOp::Lookup:
      j["table"] = e->table_kind == TableKind::Dict ? "dict"
                   : e->table_kind == TableKind::String ? "string"
                                                        : "list";
      if (e->table_kind == TableKind::Dict) j["keys"] = values_to_json(e->table_keys);
      j["values"] = values_to_json(e->table_values);
      break;
    case ExprOp::In:
      j["values"] = values_to_json(e->table_values);
      break;
    default:
      break;
  }
  if (!e->args.empty()) {
    json args = json::array();
    for (const auto& a : e->args) args.push_back(expr_to_json(a));
    j["args"] = std::move(args);
  }
  return j;
}

// Reading: every failure is a message naming the JSON path.
struct Reader {
  std::string file;
  Diagnostics errors;

  void error(const std::string& path, const std::string& message) {
    errors.push_back(Diagnostic{Severity::Error, code::kJson,
                                fmt::format("{}: {}", path, message), SourceRange{}, {}});
  }

  /// The field `key` of `j` when it has type T (a string or an integer), `fallback` when it
  /// is absent; another type is an E0301 error here, where nlohmann's value() would throw
  /// a type_error out of lib/.
  template <typename T>
  T field(const json& j, const char* key, T fallback, const std::string& path) {
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    bool ok = false;
    if constexpr (std::is_same_v<T, std::string>) {
      ok = it->is_string();
    } else {
      ok = it->is_number_integer();
    }
    if (!ok) {
      error(fmt::format("{}.{}", path, key),
            std::is_same_v<T, std::string> ? "expected a string" : "expected an integer");
      return fallback;
    }
    return it->template get<T>();
  }

  std::optional<std::vector<Value>> values(const json& j, const std::string& path) {
    if (!j.is_array()) {
      error(path, "expected an array of values");
      return std::nullopt;
    }
    std::vector<Value> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
      auto v = value_from_tagged_json(j[i]);
      if (!v) {
        error(fmt::format("{}[{}]", path, i), v.error().message);
        return std::nullopt;
      }
      out.push_back(*v);
    }
    return out;
  }

  Expr expr(const json& j, const std::string& path, int operands, int depth) {
    if (depth > 10000) {
      error(path, "expression nested too deeply");
      return nullptr;
    }
    if (!j.is_object() || !j.contains("op") || !j["op"].is_string()) {
      error(path, "expected an expression object with an \"op\"");
      return nullptr;
    }
    auto it = expr_op_names().find(j["op"].get<std::string>());
    if (it == expr_op_names().end()) {
      error(path + ".op", fmt::format("unknown expression op \"{}\"", j["op"].get<std::string>()));
      return nullptr;
    }
    ExprOp op = it->second;
    std::vector<Expr> args;
    if (j.contains("args")) {
      if (!j["args"].is_array()) {
        error(path + ".args", "expected an array");
        return nullptr;
      }
      for (std::size_t i = 0; i < j["args"].size(); ++i) {
        Expr a = expr(j["args"][i], fmt::format("{}.args[{}]", path, i), operands, depth + 1);
        if (!a) return nullptr;
        args.push_back(a);
      }
    }
    auto want_args = [&](std::size_t n) {
      if (args.size() != n) {
        error(path, fmt::format("\"{}\" takes {} operand(s), got {}", j["op"].get<std::string>(), n,
                                args.size()));
        return false;
      }
      return true;
    };
    switch (op) {
      case ExprOp::Const: {
        if (!want_args(0) || !j.contains("value")) {
          if (!j.contains("value")) error(path, "a const needs a \"value\"");
          return nullptr;
        }
        auto v = value_from_tagged_json(j["value"]);
        if (!v) {
          error(path + ".value", v.error().message);
          return nullptr;
        }
        return make_const(*v);
      }
      case ExprOp::Var: {
        if (!want_args(0)) return nullptr;
        if (!j.contains("var") || !j["var"].is_number_integer() || j["var"].get<int>() < 0 ||
            j["var"].get<int>() >= operands) {
          error(path + ".var", fmt::format("operand index must be 0..{}", operands - 1));
          return nullptr;
        }
        return make_var(j["var"].get<int>());
      }
      case ExprOp::Binary: {
        if (!want_args(2)) return nullptr;
        std::string sym = field(j, "bop", std::string(), path);
        for (BinaryOp b : all_binary_ops()) {
          if (binary_op_symbol(b) == sym) return make_binary(b, args[0], args[1]);
        }
        error(path + ".bop", fmt::format("unknown binary operator \"{}\"", sym));
        return nullptr;
      }
      case ExprOp::And:
      case ExprOp::Or: {
        if (!want_args(2)) return nullptr;
        return make_logical(op, args[0], args[1]);
      }
      case ExprOp::Ite:
        if (!want_args(3)) return nullptr;
        return make_ite(args[0], args[1], args[2]);
      case ExprOp::In: {
        if (!want_args(1)) return nullptr;
        auto vs = values(j.value("values", json::array()), path + ".values");
        if (!vs) return nullptr;
        return make_in(args[0], *vs);
      }
      case ExprOp::Lookup: {
        if (!want_args(1)) return nullptr;
        std::string table = field(j, "table", std::string("list"), path);
        TableKind kind = table == "dict" ? TableKind::Dict
                         : table == "string" ? TableKind::String
                                             : TableKind::List;
        if (table != "dict" && table != "string" && table != "list") {
          error(path + ".table", "expected \"list\", \"string\" or \"dict\"");
          return nullptr;
        }
        auto vs = values(j.value("values", json::array()), path + ".values");
        if (!vs) return nullptr;
        std::vector<Value> ks;
        if (kind == TableKind::Dict) {
          auto k = values(j.value("keys", json::array()), path + ".keys");
          if (!k) return nullptr;
          if (k->size() != vs->size()) {
            error(path, "a dict lookup needs as many keys as values");
            return nullptr;
          }
          ks = *k;
        }
        return make_lookup(args[0], kind, std::move(ks), std::move(*vs));
      }
      default:
        if (!want_args(1)) return nullptr;
        return make_unary(op, args[0]);
    }
  }
};

}  // namespace

json value_to_tagged_json(const Value& v) {
  switch (v.kind()) {
    case Kind::Bool:
      return json{{"bool", v.as_bool()}};
    case Kind::Int:
      return json{{"int", v.num()}};
    case Kind::Float:
      return json{{"float", json::array({v.num(), v.den()})}};
    case Kind::String:
      return json{{"str", v.str()}};
  }
  return nullptr;
}

bool is_int64(const json& j) {
  return j.is_number_integer() &&
         !(j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX));
}

ValueResult<Value> value_from_tagged_json(const json& j) {
  if (j.is_object() && j.size() == 1) {
    if (j.contains("bool") && j["bool"].is_boolean()) return Value::boolean(j["bool"].get<bool>());
    if (j.contains("int") && is_int64(j["int"])) {
      return Value::integer(j["int"].get<std::int64_t>());
    }
    if (j.contains("str") && j["str"].is_string()) return Value::string(j["str"].get<std::string>());
    if (j.contains("float") && j["float"].is_array() && j["float"].size() == 2 && is_int64(j["float"][0]) &&
        is_int64(j["float"][1])) {
      return Value::rational(j["float"][0].get<std::int64_t>(), j["float"][1].get<std::int64_t>());
    }
  }
  return tl::unexpected(ValueError{code::kJson, fmt::format("not a tagged value: {}", j.dump())});
}

json value_to_plain_json(const Value& v) {
  switch (v.kind()) {
    case Kind::Bool:
      return v.as_bool();
    case Kind::Int:
      return v.num();
    case Kind::Float:
      return v.to_double();
    case Kind::String:
      return v.str();
  }
  return nullptr;
}

ValueResult<Value> value_from_plain_json(const json& j) {
  if (j.is_boolean()) return Value::boolean(j.get<bool>());
  // A JSON integer past INT64_MAX is held unsigned: not a 64-bit integer, so refused (read
  // as int64 it would wrap to a negative number).
  if (j.is_number_integer() && !is_int64(j)) {
    return tl::unexpected(ValueError{
        code::kOverflow, fmt::format("the integer {} does not fit 64 bits, which raspkit computes with", j.dump())});
  }
  if (j.is_number_integer()) return Value::integer(j.get<std::int64_t>());
  if (j.is_number_float()) return Value::from_double(j.get<double>());
  if (j.is_string()) return Value::string(j.get<std::string>());
  return tl::unexpected(ValueError{
      code::kInput, fmt::format("an input element must be a string, number or bool, not {}", j.dump())});
}

json program_to_json(const Program& program) {
  json nodes = json::array();
  for (NodeId id = 0; id < program.size(); ++id) {
    const Node& n = program.node(id);
    json j;
    j["id"] = id;
    j["kind"] = std::string(node_kind_name(n.kind));
    if (!n.inputs.empty()) j["inputs"] = n.inputs;
    if (n.expr) j["expr"] = expr_to_json(n.expr);
    if (n.kind == NodeKind::Constant || n.kind == NodeKind::Aggregate) {
      j["value"] = value_to_tagged_json(n.value);
    }
    if (n.kind == NodeKind::Tokens) j["token_type"] = std::string(token_type_name(n.token_type));
    if (n.encoding != Encoding::Unspecified) {
      j["encoding"] = n.encoding == Encoding::Categorical ? "categorical" : "numerical";
    }
    if (n.instance != 0) j["instance"] = n.instance;
    if (!n.name.empty()) j["name"] = n.name;
    if (n.range.known()) {
      j["range"] = {{"file", n.range.file_name()}, {"line", n.range.line}, {"col", n.range.col},
                    {"end_line", n.range.end_line}, {"end_col", n.range.end_col}};
    }
    nodes.push_back(std::move(j));
  }
  json outputs = json::object();
  for (const auto& [name, id] : program.outputs) outputs[name] = id;
  return json{{"schema", kJsonSchema}, {"nodes", std::move(nodes)}, {"outputs", std::move(outputs)}};
}

Result<Program> program_from_json(const json& doc, const std::string& file_name) {
  Reader r{file_name, {}};
  auto file = std::make_shared<const std::string>(file_name);
  if (!doc.is_object() || !doc.contains("schema") || doc["schema"] != kJsonSchema) {
    return fail(code::kJson, fmt::format("{}: expected a raspkit program with \"schema\": {}",
                                         file_name, kJsonSchema));
  }
  if (!doc.contains("nodes") || !doc["nodes"].is_array()) {
    return fail(code::kJson, fmt::format("{}: expected \"nodes\": [...]", file_name));
  }
  Program program;
  std::vector<NodeId> id_map;  // JSON id -> program id (hash-consing may merge duplicates)
  const json& nodes = doc["nodes"];
  std::map<std::string, NodeKind> kinds;
  for (NodeKind k : {NodeKind::Tokens, NodeKind::Indices, NodeKind::Constant, NodeKind::Map,
                     NodeKind::Select, NodeKind::SelectorAnd, NodeKind::SelectorOr,
                     NodeKind::SelectorNot, NodeKind::Aggregate, NodeKind::SelectorWidth}) {
    kinds[std::string(node_kind_name(k))] = k;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::string path = fmt::format("nodes[{}]", i);
    const json& j = nodes[i];
    if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() ||
        !kinds.count(j["kind"].get<std::string>())) {
      r.error(path + ".kind", "missing or unknown node kind");
      break;
    }
    if (j.contains("id") && j["id"] != i) {
      r.error(path + ".id", "node ids must be 0, 1, 2, ... in order");
      break;
    }
    Node n;
    n.kind = kinds[j["kind"].get<std::string>()];
    if (j.contains("inputs")) {
      if (!j["inputs"].is_array()) {
        r.error(path + ".inputs", "expected an array of node ids");
        break;
      }
      bool ok = true;
      for (const auto& in : j["inputs"]) {
        if (!in.is_number_unsigned() || in.get<std::size_t>() >= i) {
          r.error(path + ".inputs", "an input must be the id of an earlier node");
          ok = false;
          break;
        }
        n.inputs.push_back(id_map[in.get<std::size_t>()]);
      }
      if (!ok) break;
    }
    std::size_t want = 0;
    bool want_selector_first = false, want_all_selectors = false;
    switch (n.kind) {
      case NodeKind::Tokens:
      case NodeKind::Indices:
      case NodeKind::Constant:
        want = 0;
        break;
      case NodeKind::Map:
        want = n.inputs.empty() ? 1 : n.inputs.size();
        break;
      case NodeKind::Select:
        want = 2;
        break;
      case NodeKind::SelectorAnd:
      case NodeKind::SelectorOr:
        want = 2;
        want_all_selectors = true;
        break;
      case NodeKind::SelectorNot:
        want = 1;
        want_all_selectors = true;
        break;
      case NodeKind::Aggregate:
        want = 2;
        want_selector_first = true;
        break;
      case NodeKind::SelectorWidth:
        want = 1;
        want_selector_first = true;
        break;
    }
    if (n.inputs.size() != want) {
      r.error(path + ".inputs", fmt::format("a {} takes {} input(s)", j["kind"].get<std::string>(), want));
      break;
    }
    bool types_ok = true;
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      bool sel = program.is_selector(n.inputs[k]);
      bool should = want_all_selectors || (want_selector_first && k == 0);
      if (sel != should) {
        r.error(fmt::format("{}.inputs[{}]", path, k),
                should ? "expected a selector" : "expected an s-op, not a selector");
        types_ok = false;
        break;
      }
    }
    if (!types_ok) break;
    if (n.kind == NodeKind::Map || n.kind == NodeKind::Select) {
      if (!j.contains("expr")) {
        r.error(path, "a map or select needs an \"expr\"");
        break;
      }
      n.expr = r.expr(j["expr"], path + ".expr", static_cast<int>(n.inputs.size()), 0);
      if (!n.expr) break;
    }
    if (n.kind == NodeKind::Constant || n.kind == NodeKind::Aggregate) {
      if (j.contains("value")) {
        auto v = value_from_tagged_json(j["value"]);
        if (!v) {
          r.error(path + ".value", v.error().message);
          break;
        }
        n.value = *v;
      } else {
        n.value = Value::integer(0);
      }
    }
    if (n.kind == NodeKind::Tokens) {
      auto t = parse_token_type(r.field(j, "token_type", std::string("str"), path));
      if (!t) {
        r.error(path + ".token_type", "expected str, int, float, bool or asis");
        break;
      }
      n.token_type = *t;
    }
    std::string enc = r.field(j, "encoding", std::string(), path);
    n.encoding = enc == "categorical" ? Encoding::Categorical
                 : enc == "numerical" ? Encoding::Numerical
                                      : Encoding::Unspecified;
    n.instance = r.field(j, "instance", 0u, path);
    n.name = r.field(j, "name", std::string(), path);
    if (j.contains("range") && j["range"].is_object()) {
      const json& rg = j["range"];
      n.range.file = file;
      if (rg.contains("file") && rg["file"].is_string()) {
        n.range.file = std::make_shared<const std::string>(rg["file"].get<std::string>());
      }
      n.range.line = r.field(rg, "line", 0, path + ".range");
      n.range.col = r.field(rg, "col", 0, path + ".range");
      n.range.end_line = r.field(rg, "end_line", n.range.line, path + ".range");
      n.range.end_col = r.field(rg, "end_col", n.range.col, path + ".range");
    }
    id_map.push_back(program.add(std::move(n)));
  }
  if (!r.errors.empty()) {
    for (auto& d : r.errors) d.message = fmt::format("{}: {}", file_name, d.message);
    return tl::unexpected(r.errors);
  }
  if (doc.contains("outputs")) {
    if (!doc["outputs"].is_object()) return fail(code::kJson, file_name + ": outputs: expected an object");
    for (const auto& [name, id] : doc["outputs"].items()) {
      if (!id.is_number_unsigned() || id.get<std::size_t>() >= id_map.size()) {
        return fail(code::kJson, fmt::format("{}: outputs.{}: not a node id", file_name, name));
      }
      program.outputs[name] = id_map[id.get<std::size_t>()];
    }
  }
  return program;
}

nlohmann::json parse_json(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if ((c == '[' || c == '{') && ++depth > kMaxJsonDepth) return nlohmann::json(nlohmann::json::value_t::discarded);
    if (c == ']' || c == '}') --depth;
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace rasp::ir

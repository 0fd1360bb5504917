// tools/raspkit/report/html.cpp - The HTML report: graph by layer, attention heatmaps, values.
#include "tools/raspkit/report/html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "analyzers/cost_model_rasp.h"
#include "lib/interp/io.h"
#include "lib/ir/json.h"

namespace rasp::cli::html {
namespace {

/// One colour per head (cycling), strong enough for white text and heatmap cells.
constexpr const char* kHeadColours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                        "#66a61e", "#c49a00", "#a6761d", "#1f78b4"};
constexpr int kHeadColourCount = 8;
/// Selectors and cells that no attention head reads.
constexpr const char* kNoHeadColour = "#57606a";

// Graph geometry, in SVG user units (pixels at scale 1).
constexpr int kBoxWidth = 156;
constexpr int kBoxHeight = 42;
constexpr int kColumnPitch = 204;
constexpr int kRowPitch = 66;
constexpr int kMarginLeft = 24;
constexpr int kMarginTop = 58;
constexpr int kMarginBottom = 20;
constexpr std::size_t kMaxLabelChars = 21;

const char* head_colour(int head) {
  return head < 0 ? kNoHeadColour : kHeadColours[head % kHeadColourCount];
}

/// At most `max_chars` code points of `text`, with an ellipsis when cut.
std::string truncate(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // UTF-8 continuation
    if (chars == max_chars - 1) return text.substr(0, i) + "\u2026";
    ++chars;
  }
  return text;
}

/// A value as a cell shows it: Python's str(), long floats shortened (the title keeps all).
std::string short_value(const ir::Value& v) {
  if (v.is_string() && v.str().empty()) return "''";
  std::string text = v.to_string();
  if (v.is_float() && text.size() > 6) return fmt::format("{:.4g}", v.to_double());
  return text;
}

/// The facts about the program that every section of the page uses.
class ReportModel {
 public:
  explicit ReportModel(const ReportContent& c) : d_c(c), d_p(*c.program) {
    d_nodes = d_p.ancestors(c.root);
    for (ir::NodeId id : d_nodes) d_in_report.insert(id);
    assign_heads();
  }

  [[nodiscard]] const ReportContent& content() const { return d_c; }
  [[nodiscard]] const ir::Program& program() const { return d_p; }
  /// The ancestors of the root, operands first.
  [[nodiscard]] const std::vector<ir::NodeId>& nodes() const { return d_nodes; }
  [[nodiscard]] bool in_report(ir::NodeId id) const { return d_in_report.count(id) != 0; }

  [[nodiscard]] std::string label(ir::NodeId id) const { return analyze::node_label(d_p, id); }
  [[nodiscard]] std::string kind(ir::NodeId id) const {
    return std::string(ir::node_kind_name(d_p.node(id).kind));
  }
  /// "line 4" in the report's file, "prelude.rasp:12" elsewhere, "" when unknown.
  [[nodiscard]] std::string where(ir::NodeId id) const {
    const SourceRange& r = d_p.node(id).range;
    if (!r.known()) return "";
    namespace fs = std::filesystem;
    std::string file = r.file_name();
    if (fs::path(file).filename() == fs::path(d_c.file).filename()) {
      return fmt::format("line {}", r.line);
    }
    return fmt::format("{}:{}", fs::path(file).filename().string(), r.line);
  }
  /// The predicate or function of a node in RASP-like text ("" when it has none).
  [[nodiscard]] std::string formula(ir::NodeId id) const {
    const ir::Node& n = d_p.node(id);
    switch (n.kind) {
      case ir::NodeKind::Select:
        return ir::to_string(n.expr, {"key", "query"});
      case ir::NodeKind::Map: {
        std::vector<std::string> names;
        for (ir::NodeId in : n.inputs) names.push_back(label(in));
        return ir::to_string(n.expr, names);
      }
      case ir::NodeKind::SelectorAnd:
        return label(n.inputs[0]) + " and " + label(n.inputs[1]);
      case ir::NodeKind::SelectorOr:
        return label(n.inputs[0]) + " or " + label(n.inputs[1]);
      case ir::NodeKind::SelectorNot:
        return "not " + label(n.inputs[0]);
      case ir::NodeKind::Constant:
        return n.value.repr();
      default:
        return "";
    }
  }

  /// The schedule's placement of an s-op; selectors and unplaced nodes have none.
  [[nodiscard]] const ir::Placement* placement(ir::NodeId id) const {
    const auto& all = d_c.bounds->schedule.placement;
    auto it = all.find(id);
    return it == all.end() ? nullptr : &it->second;
  }
  /// The head of an attention node, or of the attention node that reads a selector; -1 if none.
  [[nodiscard]] int head(ir::NodeId id) const {
    auto it = d_head.find(id);
    return it == d_head.end() ? -1 : it->second;
  }
  /// The attention nodes in the report that read `selector` directly.
  [[nodiscard]] std::vector<ir::NodeId> attention_readers(ir::NodeId selector) const {
    std::vector<ir::NodeId> out;
    for (ir::NodeId u : d_p.users(selector)) {
      if (in_report(u) && ir::is_attention_kind(d_p.node(u).kind)) out.push_back(u);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  /// Positions of the trace (BOS included when on).
  [[nodiscard]] std::size_t positions() const {
    const interp::Trace& t = *d_c.trace;
    if (d_nodes.empty()) return 0;
    ir::NodeId first = d_nodes.front();
    return t.is_matrix(first) ? t.matrix(first).n : t.column(first).size();
  }
  [[nodiscard]] bool is_bos(std::size_t position) const {
    return position < d_c.trace->first_position();
  }

 private:
  /// Attention nodes take their scheduled head; a selector takes the head of a reader, so
  /// that the leaves of a composite selector share its colour.
  void assign_heads() {
    for (auto it = d_nodes.rbegin(); it != d_nodes.rend(); ++it) {
      const ir::Node& n = d_p.node(*it);
      if (ir::is_attention_kind(n.kind)) {
        const ir::Placement* pl = placement(*it);
        int h = pl ? pl->head : -1;
        d_head[*it] = h;
        if (h >= 0) d_head.emplace(n.inputs[0], h);
      } else if (d_p.is_selector(*it) && d_head.count(*it)) {
        for (ir::NodeId in : n.inputs) {
          if (d_p.is_selector(in)) d_head.emplace(in, d_head[*it]);
        }
      }
    }
  }

  const ReportContent& d_c;
  const ir::Program& d_p;
  std::vector<ir::NodeId> d_nodes;
  std::set<ir::NodeId> d_in_report;
  std::unordered_map<ir::NodeId, int> d_head;
};

// ---------------------------------------------------------------------------------------
// Section 1: the computation graph, one band of columns per layer.

struct GraphLayout {
  struct Band {
    int layer = 0;
    int first_column = 0;
    int last_column = 0;
  };
  std::unordered_map<ir::NodeId, int> layer;
  std::unordered_map<ir::NodeId, int> column;
  std::unordered_map<ir::NodeId, double> y;  ///< top of the node's box
  std::vector<Band> bands;
  int columns = 0;
  double height = 0;
};

/// Layers from the schedule (selectors join their earliest reader, as a head computes them);
/// inside a layer, a node sits one column right of its deepest operand in the same layer, so
/// every edge runs left to right. Rows follow the mean height of each node's operands.
GraphLayout layout_graph(const ReportModel& m) {
  const ir::Program& p = m.program();
  const std::vector<ir::NodeId>& nodes = m.nodes();
  GraphLayout g;
  for (ir::NodeId id : nodes) {
    if (p.is_selector(id)) continue;
    const ir::Placement* pl = m.placement(id);
    g.layer[id] = pl ? pl->layer : analyze::rasp_depth(p, id);
  }
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    if (!p.is_selector(*it)) continue;
    int best = -1;
    for (ir::NodeId u : p.users(*it)) {
      if (m.in_report(u) && g.layer.count(u)) {
        best = best < 0 ? g.layer[u] : std::min(best, g.layer[u]);
      }
    }
    g.layer[*it] = best >= 0 ? best : analyze::rasp_depth(p, *it);
  }
  // A node never sits left of an operand, whatever the schedule says.
  for (ir::NodeId id : nodes) {
    for (ir::NodeId in : p.node(id).inputs) g.layer[id] = std::max(g.layer[id], g.layer[in]);
  }

  std::map<int, std::vector<ir::NodeId>> by_layer;
  for (ir::NodeId id : nodes) by_layer[g.layer[id]].push_back(id);  // stays topological
  int start = 0;
  for (const auto& [layer, members] : by_layer) {
    int last = start;
    for (ir::NodeId id : members) {
      int col = start;
      for (ir::NodeId in : p.node(id).inputs) {
        if (g.layer[in] == layer) col = std::max(col, g.column[in] + 1);
      }
      g.column[id] = col;
      last = std::max(last, col);
    }
    g.bands.push_back({layer, start, last});
    start = last + 1;
  }
  g.columns = start;

  std::vector<std::vector<ir::NodeId>> by_column(g.columns);
  for (ir::NodeId id : nodes) by_column[g.column[id]].push_back(id);
  std::size_t rows = 1;
  for (const auto& c : by_column) rows = std::max(rows, c.size());
  for (auto& members : by_column) {
    std::unordered_map<ir::NodeId, double> key;
    for (std::size_t i = 0; i < members.size(); ++i) {
      ir::NodeId id = members[i];
      double sum = 0;
      int count = 0;
      for (ir::NodeId in : p.node(id).inputs) {
        if (g.y.count(in)) {
          sum += g.y[in];
          ++count;
        }
      }
      key[id] = count ? sum / count : static_cast<double>(i) * kRowPitch;
    }
    std::stable_sort(members.begin(), members.end(),
                     [&](ir::NodeId a, ir::NodeId b) { return key[a] < key[b]; });
    double offset = static_cast<double>(rows - members.size()) * kRowPitch / 2.0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      g.y[members[i]] = kMarginTop + offset + static_cast<double>(i) * kRowPitch;
    }
  }
  g.height = kMarginTop + static_cast<double>(rows) * kRowPitch + kMarginBottom;
  return g;
}

double column_x(int column) { return kMarginLeft + column * kColumnPitch; }

std::string render_graph(const ReportModel& m) {
  const ir::Program& p = m.program();
  GraphLayout g = layout_graph(m);
  double width = column_x(g.columns) - (kColumnPitch - kBoxWidth) + kMarginLeft;
  std::string out = fmt::format(
      "<svg class=\"graph\" role=\"img\" viewBox=\"0 0 {0:.0f} {1:.0f}\" width=\"{0:.0f}\" "
      "height=\"{1:.0f}\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      "<title>computation graph of {2} by layer</title>\n"
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
      "fill=\"#6e7781\"/></marker></defs>\n",
      width, g.height, escape_html(m.label(m.content().root)));

  for (std::size_t i = 0; i < g.bands.size(); ++i) {
    const GraphLayout::Band& b = g.bands[i];
    double x = column_x(b.first_column) - 12;
    double w = column_x(b.last_column) + kBoxWidth + 12 - x;
    out += fmt::format(
        "<rect x=\"{:.0f}\" y=\"8\" width=\"{:.0f}\" height=\"{:.0f}\" rx=\"8\" fill=\"{}\" "
        "stroke=\"#d0d7de\"/>\n",
        x, w, g.height - 16, i % 2 == 0 ? "#f6f8fa" : "#eef3fb");
    std::string title = b.layer == 0 ? std::string("layer 0 (inputs)")
                                     : fmt::format("layer {}", b.layer);
    const auto& heads = m.content().bounds->heads_per_layer;
    if (b.layer >= 1 && static_cast<std::size_t>(b.layer) <= heads.size()) {
      int h = heads[b.layer - 1];
      title += fmt::format(" \u00b7 {} head{}", h, h == 1 ? "" : "s");
    }
    out += fmt::format(
        "<text x=\"{:.0f}\" y=\"30\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" "
        "fill=\"#24292f\">{}</text>\n",
        x + w / 2, escape_html(title));
  }

  // Edges first, so that boxes cover their ends.
  for (ir::NodeId id : m.nodes()) {
    std::set<ir::NodeId> seen;
    for (ir::NodeId in : p.node(id).inputs) {
      if (!seen.insert(in).second) continue;
      double x1 = column_x(g.column[in]) + kBoxWidth, y1 = g.y[in] + kBoxHeight / 2.0;
      double x2 = column_x(g.column[id]), y2 = g.y[id] + kBoxHeight / 2.0;
      double bend = std::max(30.0, (x2 - x1) / 2);
      bool selector_edge = p.is_selector(in);
      out += fmt::format(
          "<path d=\"M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"none\" "
          "stroke=\"{}\" stroke-width=\"1.4\"{} marker-end=\"url(#arrow)\"/>\n",
          x1, y1, x1 + bend, y1, x2 - bend, y2, x2, y2,
          selector_edge ? head_colour(m.head(in)) : "#8c959f",
          selector_edge ? " stroke-dasharray=\"5,3\"" : "");
    }
  }

  for (ir::NodeId id : m.nodes()) {
    const ir::Node& n = p.node(id);
    double x = column_x(g.column[id]), y = g.y[id];
    std::string fill = "#ffffff", stroke = "#57606a", dash, opacity = "1";
    int rx = 6;
    if (n.kind == ir::NodeKind::Tokens || n.kind == ir::NodeKind::Indices ||
        n.kind == ir::NodeKind::Constant) {
      fill = "#d8dee4";
      rx = 20;
    } else if (p.is_selector(id)) {
      fill = head_colour(m.head(id));
      opacity = "0.14";
      stroke = head_colour(m.head(id));
      dash = " stroke-dasharray=\"5,3\"";
    } else if (ir::is_attention_kind(n.kind)) {
      fill = head_colour(m.head(id));
      opacity = "0.32";
      stroke = head_colour(m.head(id));
    }
    std::string tooltip = fmt::format("{} ({}{}{})", m.label(id), m.kind(id),
                                      m.where(id).empty() ? "" : ", ", m.where(id));
    if (!m.formula(id).empty()) tooltip += ": " + m.formula(id);
    out += fmt::format("<g class=\"node\" data-node=\"{}\"><title>{}</title>\n", escape_html(m.label(id)),
                       escape_html(tooltip));
    out += fmt::format(
        "<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"#ffffff\"/>"
        "<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{}\" "
        "fill-opacity=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
        x, y, kBoxWidth, kBoxHeight, rx, x, y, kBoxWidth, kBoxHeight, rx, fill, opacity, stroke,
        id == m.content().root ? 3 : 1.5, dash);
    std::string second = m.kind(id);
    if (!m.where(id).empty()) second += " \u00b7 " + m.where(id);
    out += fmt::format(
        "<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" font-size=\"13\" "
        "font-weight=\"bold\" fill=\"#1f2328\">{}</text>\n"
        "<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"middle\" font-size=\"11\" "
        "fill=\"#57606a\">{}</text>\n",
        x + kBoxWidth / 2.0, y + 18, escape_html(truncate(m.label(id), kMaxLabelChars)),
        x + kBoxWidth / 2.0, y + 34, escape_html(truncate(second, kMaxLabelChars + 6)));
    if (ir::is_attention_kind(n.kind) && m.head(id) >= 0) {
      out += fmt::format(
          "<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"end\" font-size=\"10\" "
          "font-weight=\"bold\" fill=\"{}\">head {}</text>\n",
          x + kBoxWidth - 4, y - 4, head_colour(m.head(id)), m.head(id));
    }
    out += "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

std::string render_legend(const ReportModel& m) {
  std::set<int> heads;
  for (ir::NodeId id : m.nodes()) {
    if (ir::is_attention_kind(m.program().node(id).kind)) heads.insert(m.head(id));
  }
  std::string out =
      "<p class=\"legend\"><span class=\"swatch input\"></span>input "
      "<span class=\"swatch map\"></span>elementwise (MLP) "
      "<span class=\"swatch selector\"></span>selector (dashed; edges to the head that reads it)";
  for (int h : heads) {
    out += fmt::format(" <span class=\"swatch\" style=\"background:{}\"></span>{}", head_colour(h),
                       h < 0 ? std::string("attention, no head") : fmt::format("head {}", h));
  }
  out += " \u00b7 thick border: the expression asked for</p>\n";
  return out;
}

// ---------------------------------------------------------------------------------------
// Section 2: one heatmap per selector, laid out like the RASPy blog's diagrams.

/// The distinct s-ops in position `slot` (0 keys, 1 queries) of the selector's leaf selects.
std::vector<ir::NodeId> leaf_operands(const ir::Program& p, ir::NodeId selector, int slot) {
  std::vector<ir::NodeId> out;
  for (ir::NodeId leaf : analyze::selector_leaves(p, selector)) {
    ir::NodeId s = p.node(leaf).inputs[static_cast<std::size_t>(slot)];
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

std::string value_cell(const char* cls, const ir::Value& v, bool bos) {
  return fmt::format("<td class=\"{}{}\" title=\"{}\">{}</td>", cls, bos ? " bos" : "",
                     escape_html(v.repr()), escape_html(short_value(v)));
}

std::string render_attention(const ReportModel& m, ir::NodeId sel) {
  const ir::Program& p = m.program();
  const interp::Trace& t = *m.content().trace;
  const interp::Matrix& mat = t.matrix(sel);
  std::size_t n = mat.n;
  std::vector<ir::NodeId> keys = leaf_operands(p, sel, 0);
  std::vector<ir::NodeId> queries = leaf_operands(p, sel, 1);
  std::vector<ir::NodeId> readers = m.attention_readers(sel);
  std::vector<ir::NodeId> aggregates;
  for (ir::NodeId r : readers) {
    if (p.node(r).kind == ir::NodeKind::Aggregate) aggregates.push_back(r);
  }
  int head = m.head(sel);

  std::string out = fmt::format("<div class=\"panel\" style=\"border-top:4px solid {}\">\n",
                                head_colour(head));
  out += fmt::format("<h3>{} <small>{}{}{}</small></h3>\n", escape_html(m.label(sel)),
                     escape_html(m.kind(sel)), m.where(sel).empty() ? "" : " \u00b7 ",
                     escape_html(m.where(sel)));
  if (!m.formula(sel).empty()) {
    out += fmt::format("<p class=\"formula\"><code>{}</code></p>\n", escape_html(m.formula(sel)));
  }
  if (readers.empty()) {
    out += "<p class=\"note\">read by no head directly (part of a composite selector)</p>\n";
  } else {
    std::string names;
    for (ir::NodeId r : readers) {
      if (!names.empty()) names += ", ";
      names += m.label(r);
      if (m.head(r) >= 0) {
        const ir::Placement* pl = m.placement(r);
        names += fmt::format(" (layer {}, head {})", pl ? pl->layer : 0, m.head(r));
      }
    }
    out += fmt::format("<p class=\"note\">read by {}</p>\n", escape_html(names));
  }

  std::size_t label_columns = std::max<std::size_t>(queries.size(), 1);
  out += fmt::format("<table class=\"attn h{}\" data-selector=\"{}\">\n",
                     head < 0 ? std::string("x") : std::to_string(head % kHeadColourCount),
                     escape_html(m.label(sel)));
  // Keys across the top: one row per keys s-op; the last row also names the outputs.
  for (std::size_t r = 0; r < keys.size(); ++r) {
    out += "<tr class=\"keys\">";
    for (std::size_t c = 0; c + 1 < label_columns; ++c) out += "<th></th>";
    out += fmt::format("<th class=\"rowname\">{} \u2192</th>", escape_html(m.label(keys[r])));
    const interp::Column& col = t.column(keys[r]);
    for (std::size_t k = 0; k < n; ++k) out += value_cell("key", col[k], m.is_bos(k));
    bool last = r + 1 == keys.size();
    for (ir::NodeId reader : readers) {
      out += last ? fmt::format("<th class=\"outname\">{}</th>", escape_html(m.label(reader)))
                  : std::string("<th></th>");
    }
    out += "</tr>\n";
  }
  // Queries down the left, the matrix, the outputs on the right.
  for (std::size_t q = 0; q < n; ++q) {
    out += "<tr class=\"row\">";
    for (ir::NodeId query : queries) out += value_cell("query", t.column(query)[q], m.is_bos(q));
    for (std::size_t k = 0; k < n; ++k) {
      bool on = mat.at(q, k);
      out += fmt::format("<td class=\"{}\" title=\"query {} {} key {}\"></td>", on ? "on" : "off",
                         q, on ? "selects" : "ignores", k);
    }
    for (ir::NodeId reader : readers) out += value_cell("out", t.column(reader)[q], m.is_bos(q));
    out += "</tr>\n";
  }
  // The values each aggregate averages, below the keys.
  for (ir::NodeId agg : aggregates) {
    ir::NodeId values = p.node(agg).inputs[1];
    out += "<tr class=\"values\">";
    for (std::size_t c = 0; c + 1 < label_columns; ++c) out += "<th></th>";
    out += fmt::format("<th class=\"rowname\">{} \u2192</th>", escape_html(m.label(values)));
    const interp::Column& col = t.column(values);
    for (std::size_t k = 0; k < n; ++k) out += value_cell("val", col[k], m.is_bos(k));
    out += "</tr>\n";
  }
  // Names of the query s-ops under their columns.
  out += "<tr class=\"names\">";
  for (ir::NodeId query : queries) {
    out += fmt::format("<th class=\"qname\">\u2191 {}</th>", escape_html(m.label(query)));
  }
  out += fmt::format("<th colspan=\"{}\"></th>", n + readers.size());
  out += "</tr>\n</table>\n</div>\n";
  return out;
}

// ---------------------------------------------------------------------------------------
// Section 3: every s-op at every position.

std::string render_values(const ReportModel& m) {
  const ir::Program& p = m.program();
  const interp::Trace& t = *m.content().trace;
  std::size_t n = m.positions();
  std::string out = "<table class=\"values\">\n<thead>\n<tr><th>position</th><th>kind</th>"
                    "<th>source</th><th>layer</th>";
  for (std::size_t i = 0; i < n; ++i) {
    out += m.is_bos(i) ? std::string("<th class=\"bos\">BOS</th>") : fmt::format("<th>{}</th>", i - t.first_position());
  }
  out += "</tr>\n<tr class=\"input\"><th>input</th><th></th><th></th><th></th>";
  const std::vector<ir::Value>& input = m.content().input;
  for (std::size_t i = 0; i < n; ++i) {
    if (m.is_bos(i)) {
      out += "<th class=\"bos\"></th>";
    } else {
      std::size_t j = i - t.first_position();
      out += j < input.size() ? fmt::format("<th title=\"{}\">{}</th>", escape_html(input[j].repr()),
                                            escape_html(short_value(input[j])))
                              : std::string("<th></th>");
    }
  }
  out += "</tr>\n</thead>\n<tbody>\n";
  for (ir::NodeId id : m.nodes()) {
    if (p.is_selector(id)) continue;
    const ir::Placement* pl = m.placement(id);
    std::string formula = m.formula(id);
    out += fmt::format("<tr data-sop=\"{}\"{}><th class=\"rowname\"{}>{}</th><td class=\"kind\">{}</td>"
                       "<td class=\"src\">{}</td><td class=\"layer\">{}</td>",
                       escape_html(m.label(id)), id == m.content().root ? " class=\"root\"" : "",
                       formula.empty() ? "" : fmt::format(" title=\"{}\"", escape_html(formula)),
                       escape_html(m.label(id)), escape_html(m.kind(id)), escape_html(m.where(id)),
                       pl ? std::to_string(pl->layer) : std::string());
    const interp::Column& col = t.column(id);
    for (std::size_t i = 0; i < n; ++i) out += value_cell("v", col[i], m.is_bos(i));
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  return out;
}

// ---------------------------------------------------------------------------------------
// The page.

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:20px 28px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 10px}
h2{font-size:17px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin:26px 0 10px}
h3{font-size:14px;margin:0 0 4px}
h3 small{font-weight:normal;color:#57606a}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12px}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0;font-size:13px}
dl.summary dt{color:#57606a}
dl.summary dd{margin:0;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace}
.graph-box{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;background:#fff;padding:4px}
svg.graph{display:block;max-width:100%;height:auto}
.legend{font-size:12px;color:#57606a}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-2px;margin:0 4px 0 10px;border:1px solid #57606a}
.swatch.input{background:#d8dee4;border-radius:6px}
.swatch.map{background:#fff}
.swatch.selector{background:#fff;border-style:dashed}
.panels{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.panel{border:1px solid #d0d7de;border-radius:6px;padding:8px 10px}
.formula{margin:0 0 2px}
.note{margin:0 0 6px;font-size:12px;color:#57606a}
table.attn{border-collapse:separate;border-spacing:2px;font-size:12px}
table.attn td,table.attn th{min-width:22px;height:22px;text-align:center;padding:0 3px;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace}
table.attn th{font-weight:normal;color:#57606a;white-space:nowrap}
table.attn th.rowname{text-align:right;font-family:inherit}
table.attn th.qname,table.attn th.outname{font-family:inherit;font-size:11px}
table.attn td.key,table.attn td.query{background:#eaeef2;font-weight:bold}
table.attn td.val{background:#fff8c5}
table.attn td.out{background:#dafbe1;font-weight:bold}
table.attn td.off{background:#f0f2f4}
table.attn td.on{background:#57606a}
table.attn.h0 td.on{background:#1b9e77}table.attn.h1 td.on{background:#d95f02}
table.attn.h2 td.on{background:#7570b3}table.attn.h3 td.on{background:#e7298a}
table.attn.h4 td.on{background:#66a61e}table.attn.h5 td.on{background:#c49a00}
table.attn.h6 td.on{background:#a6761d}table.attn.h7 td.on{background:#1f78b4}
td.bos,th.bos{font-style:italic;opacity:.6}
table.values{border-collapse:collapse;font-size:12px}
table.values th,table.values td{border:1px solid #d0d7de;padding:3px 8px;text-align:center}
table.values thead th{background:#f6f8fa}
table.values tr.input th{background:#eaeef2;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-weight:bold}
table.values th.rowname{text-align:left;white-space:nowrap}
table.values td.v{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace}
table.values td.kind,table.values td.src,table.values td.layer{color:#57606a}
table.values tr.root{background:#dafbe1;font-weight:bold}
)css";

std::string describe_semantics(const interp::Options& o) {
  std::string s = o.aggregation == interp::Aggregation::Mean ? "mean aggregation" : "sum aggregation";
  if (o.bos) s += ", BOS position";
  if (o.causal) s += ", causal";
  return s;
}

std::string join_ints(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : ", ") + std::to_string(x);
  return out.empty() ? "none" : out;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 (JUnit reports) forbids most control characters; HTML does not need them.
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') ? ' ' : c;
    }
  }
  return out;
}

std::string render_html(const ReportContent& content) {
  assert(content.program && content.trace && content.bounds && "a report needs all its parts");
  ReportModel m(content);
  const ir::Program& p = m.program();
  const analyze::Bounds& b = *content.bounds;
  std::string root = m.label(content.root);

  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n";
  out += fmt::format("<title>raspkit report: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     escape_html(root), kStyle);
  out += fmt::format("<h1>raspkit report: {}</h1>\n", escape_html(root));

  interp::Output result = interp::output_of(*content.trace, content.root);
  out += "<dl class=\"summary\">\n";
  out += fmt::format("<dt>program</dt><dd>{}</dd>\n", escape_html(content.file));
  out += fmt::format("<dt>expression</dt><dd>{}</dd>\n", escape_html(content.expression));
  out += fmt::format("<dt>input</dt><dd>{}</dd>\n",
                     escape_html(ir::json_text(interp::input_to_json(content.input))));
  out += fmt::format("<dt>output</dt><dd>{}</dd>\n",
                     escape_html(ir::json_text(interp::output_to_json(result))));
  out += fmt::format("<dt>semantics</dt><dd>{}</dd>\n", escape_html(describe_semantics(content.semantics)));
  out += fmt::format("<dt>schedule</dt><dd>{} model: {} layer{}, heads per layer {}</dd>\n",
                     escape_html(std::string(analyze::cost_model_name(b.model))), b.layers,
                     b.layers == 1 ? "" : "s", join_ints(b.heads_per_layer));
  out += "</dl>\n";

  out += "<h2>1. Computation graph by layer</h2>\n";
  out += render_legend(m);
  out += "<div class=\"graph-box\">\n" + render_graph(m) + "</div>\n";

  out += "<h2>2. Attention on the input</h2>\n";
  out += "<p class=\"note\">Each selector as a matrix: queries down the left, keys across the top, "
         "a filled cell where the query selects the key; below, the values an aggregate "
         "combines; on the right, its output at each query.</p>\n";
  out += "<div class=\"panels\">\n";
  bool any = false;
  for (ir::NodeId id : m.nodes()) {
    if (!p.is_selector(id)) continue;
    out += render_attention(m, id);
    any = true;
  }
  if (!any) out += "<p class=\"note\">This expression uses no selector.</p>\n";
  out += "</div>\n";

  out += "<h2>3. Values at every position</h2>\n";
  out += render_values(m);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace rasp::cli::html

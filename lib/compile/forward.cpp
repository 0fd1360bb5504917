// lib/compile/forward.cpp - Embedding with BOS, softmax attention, ReLU MLPs, residual decoding.
#include "lib/compile/forward.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rasp::compile {

namespace {

// Records the residual after the embedding and after each attention and MLP sublayer in
// `stages` when given.
template <typename Scalar>
Eigen::MatrixXd run_layers(const Model& model, const std::vector<int>& rows,
                           std::vector<Eigen::MatrixXd>* stages = nullptr) {
  using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  auto n = static_cast<Eigen::Index>(rows.size());
  Mat x(n, model.d_model());
  for (Eigen::Index p = 0; p < n; ++p) {
    x.row(p) = (model.token_embedding.row(rows[static_cast<std::size_t>(p)]) +
                model.position_embedding.row(p))
                   .template cast<Scalar>();
  }
  auto record = [&] {
    if (stages) stages->push_back(x.template cast<double>());
  };
  record();
  for (const Layer& layer : model.layers) {
    Mat delta = Mat::Zero(n, model.d_model());
    for (const AttentionHead& h : layer.heads) {
      Mat logits = (x * h.w_q.cast<Scalar>()) * (x * h.w_k.cast<Scalar>()).transpose();
      // Row softmax, shifted by the row maximum.
      for (Eigen::Index q = 0; q < n; ++q) {
        Scalar top = logits.row(q).maxCoeff();
        logits.row(q) = (logits.row(q).array() - top).exp().matrix();
        logits.row(q) /= logits.row(q).sum();
      }
      delta += logits * (x * h.w_v.cast<Scalar>()) * h.w_o.cast<Scalar>();
    }
    x += delta;
    record();
    if (layer.mlp.w_in.cols() > 0) {
      x += (x * layer.mlp.w_in.cast<Scalar>()).cwiseMax(Scalar(0)) * layer.mlp.w_out.cast<Scalar>();
    }
    record();
  }
  return x.template cast<double>();
}

double apply(const Readout& r, const Eigen::MatrixXd& residual, Eigen::Index p) {
  double s = 0;
  for (auto [d, c] : r) s += c * residual(p, d);
  return s;
}

}  // namespace

namespace {

Result<std::vector<int>> token_rows(const Model& model, std::span<const ir::Value> input) {
  if (input.empty()) return fail(code::kInput, interp::kEmptyInput);
  if (static_cast<int>(input.size()) > model.max_len) {
    return fail(code::kInput, fmt::format("the input has {} tokens, more than the model's "
                                          "maximum length {}",
                                          input.size(), model.max_len));
  }
  std::vector<int> rows{0};
  for (const ir::Value& t : input) {
    auto it = std::find_if(model.vocab.begin(), model.vocab.end(),
                           [&](const ir::Value& v) { return v.identical(t); });
    if (it == model.vocab.end()) {
      it = std::find_if(model.vocab.begin(), model.vocab.end(),
                        [&](const ir::Value& v) { return v == t; });
    }
    if (it == model.vocab.end()) {
      // The same token once `tokens` converts both: "1" and 1 under tokens_str, say, as
      // `--vocab 1,2` reads numbers while a string input gives strings.
      auto converted = ir::convert_token(model.token_type, t);
      if (converted) {
        it = std::find_if(model.vocab.begin(), model.vocab.end(), [&](const ir::Value& v) {
          auto c = ir::convert_token(model.token_type, v);
          return c && c->identical(*converted);
        });
      }
    }
    if (it == model.vocab.end()) {
      return fail(code::kInput, fmt::format("token {} is not in the model's vocabulary", t.repr()));
    }
    rows.push_back(1 + static_cast<int>(it - model.vocab.begin()));
  }
  return rows;
}

}  // namespace

Result<Eigen::MatrixXd> forward(const Model& model, std::span<const ir::Value> input,
                                Precision precision) {
  auto rows = token_rows(model, input);
  if (!rows) return tl::unexpected(rows.error());
  return precision == Precision::Float64 ? run_layers<double>(model, *rows)
                                         : run_layers<float>(model, *rows);
}

Result<std::vector<Eigen::MatrixXd>> forward_stages(const Model& model,
                                                    std::span<const ir::Value> input,
                                                    Precision precision) {
  auto rows = token_rows(model, input);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<Eigen::MatrixXd> stages;
  if (precision == Precision::Float64) {
    (void)run_layers<double>(model, *rows, &stages);
  } else {
    (void)run_layers<float>(model, *rows, &stages);
  }
  return stages;
}

interp::Output decode(const Model& model, const Eigen::MatrixXd& residual) {
  interp::Output out;
  const Decoder& dec = model.output;
  for (Eigen::Index p = 1; p < residual.rows(); ++p) {
    if (dec.categorical) {
      std::size_t best = 0;
      double best_score = -1e300;
      for (std::size_t v = 0; v < dec.values.size(); ++v) {
        double s = apply(dec.readouts[v], residual, p);
        if (s > best_score) {
          best_score = s;
          best = v;
        }
      }
      out.values.push_back(dec.values.empty() ? ir::Value() : dec.values[best]);
    } else {
      double x = apply(dec.numeric, residual, p);
      auto it = std::lower_bound(dec.values.begin(), dec.values.end(), x,
                                 [](const ir::Value& v, double t) { return v.to_double() < t; });
      if (it == dec.values.end() ||
          (it != dec.values.begin() && x - std::prev(it)->to_double() < it->to_double() - x)) {
        --it;
      }
      out.values.push_back(dec.values.empty() ? ir::Value() : *it);
    }
  }
  return out;
}

double decode_error(const Model& model, const Eigen::MatrixXd& residual) {
  const Decoder& dec = model.output;
  double worst = 0;
  for (Eigen::Index p = 1; p < residual.rows(); ++p) {
    if (dec.categorical) {
      std::vector<double> scores;
      for (const Readout& r : dec.readouts) scores.push_back(apply(r, residual, p));
      auto top = std::max_element(scores.begin(), scores.end()) - scores.begin();
      for (std::size_t v = 0; v < scores.size(); ++v) {
        double ideal = static_cast<std::ptrdiff_t>(v) == top ? 1.0 : 0.0;
        worst = std::max(worst, std::abs(scores[v] - ideal));
      }
    } else {
      double x = apply(dec.numeric, residual, p);
      double best = 1e300;
      for (const ir::Value& v : dec.values) best = std::min(best, std::abs(v.to_double() - x));
      worst = std::max(worst, best);
    }
  }
  return worst;
}

Result<interp::Output> run_compiled(const Model& model, std::span<const ir::Value> input,
                                    Precision precision) {
  auto residual = forward(model, input, precision);
  if (!residual) return tl::unexpected(residual.error());
  return decode(model, *residual);
}

}  // namespace rasp::compile

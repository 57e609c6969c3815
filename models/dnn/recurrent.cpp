#include "models/dnn/recurrent.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/dnn/activation.hpp"
#include "models/dnn/module_common.hpp"

namespace spikeflow::dnn {

namespace {

void matvec_add(const std::vector<double>& w, const std::vector<double>& b,
                std::span<const double> v, std::vector<double>& out) {
  const std::size_t cols = v.size();
  for (std::size_t r = 0; r < out.size(); ++r) {
    const double* row = w.data() + r * cols;
    double sum = 0.0;
    for (std::size_t j = 0; j < cols; ++j) sum += row[j] * v[j];
    out[r] = sum + b[r];
  }
}

}  // namespace

RecurrentCell::RecurrentCell(std::string_view kind, std::size_t gates, std::size_t input,
                             std::size_t hidden, RecurrentTensors tensors)
    : gates_(gates), input_(input), hidden_(hidden), tensors_(std::move(tensors)) {
  if (input < 1 || hidden < 1)
    throw ConfigError(
        concat(kind, ": input and hidden sizes must be >= 1, got ", input, " and ", hidden));
  const std::size_t rows = gates * hidden;
  const std::string g = gates == 1 ? "" : concat(gates, " ");
  detail::check_tensor(kind, concat("weight_ih [", g, "hidden, input]"), rows * input,
                       tensors_.weight_ih.size());
  detail::check_tensor(kind, concat("weight_hh [", g, "hidden, hidden]"), rows * hidden,
                       tensors_.weight_hh.size());
  detail::check_tensor(kind, concat("bias_ih [", g, "hidden]"), rows, tensors_.bias_ih.size());
  detail::check_tensor(kind, concat("bias_hh [", g, "hidden]"), rows, tensors_.bias_hh.size());
  h_.assign(hidden, 0.0);
  pre_x_.resize(rows);
  pre_h_.resize(rows);
}

void RecurrentCell::reset() {
  std::fill(h_.begin(), h_.end(), 0.0);
}

void RecurrentCell::affine(std::span<const double> x) {
  matvec_add(tensors_.weight_ih, tensors_.bias_ih, x, pre_x_);
  matvec_add(tensors_.weight_hh, tensors_.bias_hh, h_, pre_h_);
}

Rnn::Rnn(std::size_t input, std::size_t hidden, RecurrentTensors tensors)
    : RecurrentCell("rnn", 1, input, hidden, std::move(tensors)) {}

void Rnn::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), input_, x.size(), hidden_, y.size());
  affine(x);
  for (std::size_t k = 0; k < hidden_; ++k) y[k] = h_[k] = std::tanh(pre_x_[k] + pre_h_[k]);
}

Lstm::Lstm(std::size_t input, std::size_t hidden, RecurrentTensors tensors)
    : RecurrentCell("lstm", 4, input, hidden, std::move(tensors)), c_(hidden, 0.0) {}

void Lstm::reset() {
  RecurrentCell::reset();
  std::fill(c_.begin(), c_.end(), 0.0);
}

void Lstm::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), input_, x.size(), hidden_, y.size());
  affine(x);
  const std::size_t H = hidden_;
  for (std::size_t k = 0; k < H; ++k) {
    const double i = sigmoid(pre_x_[k] + pre_h_[k]);
    const double f = sigmoid(pre_x_[H + k] + pre_h_[H + k]);
    const double g = std::tanh(pre_x_[2 * H + k] + pre_h_[2 * H + k]);
    const double o = sigmoid(pre_x_[3 * H + k] + pre_h_[3 * H + k]);
    c_[k] = f * c_[k] + i * g;
    y[k] = h_[k] = o * std::tanh(c_[k]);
  }
}

Gru::Gru(std::size_t input, std::size_t hidden, RecurrentTensors tensors)
    : RecurrentCell("gru", 3, input, hidden, std::move(tensors)) {}

void Gru::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), input_, x.size(), hidden_, y.size());
  affine(x);
  const std::size_t H = hidden_;
  for (std::size_t k = 0; k < H; ++k) {
    const double r = sigmoid(pre_x_[k] + pre_h_[k]);
    const double z = sigmoid(pre_x_[H + k] + pre_h_[H + k]);
    const double n = std::tanh(pre_x_[2 * H + k] + r * pre_h_[2 * H + k]);
    y[k] = h_[k] = (1.0 - z) * n + z * h_[k];
  }
}

}  // namespace spikeflow::dnn

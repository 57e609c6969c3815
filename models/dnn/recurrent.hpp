// Recurrent cells: rnn (tanh), lstm, gru. One forward call is one time step: it reads the
// input x_t, updates the hidden state from h_{t-1} to h_t and writes h_t (hidden values).
// reset() sets h (and the lstm cell state c) to zero, which is also the initial state.
//
// Conventions follow PyTorch's nn.RNNCell, nn.LSTMCell and nn.GRUCell exactly (gate order,
// two bias vectors, the placement of r in the gru candidate), so their state_dict tensors
// load unchanged (an nn.RNN/LSTM/GRU layer's weight_ih_l0 etc. are the same tensors).
// sigma is the logistic sigmoid, * the elementwise product, I the input size, H the hidden
// size, G the number of gates (rnn 1, lstm 4, gru 3).
//
// rnn:   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
//
// lstm:  gate order in the stacked tensors: i (input), f (forget), g (cell candidate),
//        o (output); rows [0, H) of weight_ih are W_ii, [H, 2H) W_if, [2H, 3H) W_ig,
//        [3H, 4H) W_io, likewise weight_hh, bias_ih, bias_hh.
//   i_t = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
//   f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
//   g_t = tanh (W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
//   o_t = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
//   c_t = f_t * c_{t-1} + i_t * g_t
//   h_t = o_t * tanh(c_t)
//
// gru:   gate order: r (reset), z (update), n (candidate).
//   r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
//   z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
//   n_t = tanh (W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))
//   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
//
// Tensors (RecurrentTensors; HDF5 names in io/tensor_file.hpp and docs/dnn.md):
//   weight_ih [G H, I], weight_hh [G H, H], bias_ih [G H], bias_hh [G H], row-major.
// Numerical method: double throughout; sigmoid in the overflow-free form of activation.hpp.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/dnn/module.hpp"

namespace spikeflow::dnn {

struct RecurrentTensors {
  std::vector<double> weight_ih, weight_hh, bias_ih, bias_hh;
};

// What the three cells share: the tensors, the hidden state and the two affine maps.
class RecurrentCell : public Module {
 public:
  std::size_t input_size() const override { return input_; }
  std::size_t output_size() const override { return hidden_; }
  void reset() override;
  // Checkpoints: h (and c for the LSTM).
  void save_state(const StateSection& out) const override { out.write("h", h_); }
  void load_state(const StateSource& in) override { in.read("h", h_); }

  std::size_t hidden_size() const { return hidden_; }
  std::size_t gates() const { return gates_; }
  // h_t after the last forward (zeros after reset).
  std::span<const double> hidden() const { return h_; }
  const RecurrentTensors& tensors() const { return tensors_; }

 protected:
  RecurrentCell(std::string_view kind, std::size_t gates, std::size_t input, std::size_t hidden,
                RecurrentTensors tensors);

  // pre_x_ = W_ih x + b_ih and pre_h_ = W_hh h + b_hh, each G H values.
  void affine(std::span<const double> x);

  std::size_t gates_, input_, hidden_;
  RecurrentTensors tensors_;
  std::vector<double> h_, pre_x_, pre_h_;
};

class Rnn final : public RecurrentCell {
 public:
  Rnn(std::size_t input, std::size_t hidden, RecurrentTensors tensors);
  std::string_view kind() const override { return "rnn"; }
  void forward(std::span<const double> x, std::span<double> y) override;
};

class Lstm final : public RecurrentCell {
 public:
  Lstm(std::size_t input, std::size_t hidden, RecurrentTensors tensors);
  std::string_view kind() const override { return "lstm"; }
  void forward(std::span<const double> x, std::span<double> y) override;
  void reset() override;
  void save_state(const StateSection& out) const override {
    RecurrentCell::save_state(out);
    out.write("c", c_);
  }
  void load_state(const StateSource& in) override {
    RecurrentCell::load_state(in);
    in.read("c", c_);
  }
  // c_t after the last forward.
  std::span<const double> cell() const { return c_; }

 private:
  std::vector<double> c_;
};

class Gru final : public RecurrentCell {
 public:
  Gru(std::size_t input, std::size_t hidden, RecurrentTensors tensors);
  std::string_view kind() const override { return "gru"; }
  void forward(std::span<const double> x, std::span<double> y) override;
};

}  // namespace spikeflow::dnn

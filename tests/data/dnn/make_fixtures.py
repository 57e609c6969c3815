#!/usr/bin/python3
"""Reference outputs of the DNN-equivalent modules (models/dnn/), computed with numpy.

An implementation independent of the C++ code: each module is written here from its
equations (PyTorch's documented conventions for conv2d, batch norm and the recurrent
cells), in float64, with explicit loops where that makes the definition plain. Writes
modules.h5 next to this script; tests/models/dnn/test_modules.cpp reads it.

Layout: one group per case, holding the module's tensors under the names documented in
docs/dnn.md, plus `inputs` [B, in] and `outputs` [B, out] (for the recurrent cells one
sequence: row t is step t, starting from a zero state), and the module's other settings as
attributes.

Run: /usr/bin/python3 tests/data/dnn/make_fixtures.py
"""
import os

import h5py
import numpy as np

rng = np.random.default_rng(20261204)


def phi(name, u):
    if name == "identity":
        return u
    if name == "relu":
        return np.maximum(u, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-u))
    if name == "tanh":
        return np.tanh(u)
    raise ValueError(name)


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def dense_cases(f):
    n_in, n_out, batch = 7, 5, 4
    for act in ("identity", "relu", "sigmoid", "tanh"):
        g = f.create_group(f"dense_{act}")
        w = rng.normal(0.0, 1.0, (n_out, n_in))
        b = rng.normal(0.0, 0.5, n_out)
        x = rng.normal(0.0, 1.0, (batch, n_in))
        y = np.array([phi(act, w @ xi + b) for xi in x])
        g["weight"], g["bias"], g["inputs"], g["outputs"] = w, b, x, y
        g.attrs["activation"] = act
    # float32 tensors, as PyTorch stores them, are converted to double on reading.
    g = f.create_group("dense_float32")
    w = rng.normal(0.0, 1.0, (n_out, n_in)).astype(np.float32)
    b = rng.normal(0.0, 0.5, n_out).astype(np.float32)
    x = rng.normal(0.0, 1.0, (batch, n_in))
    y = np.array([np.tanh(w.astype(np.float64) @ xi + b.astype(np.float64)) for xi in x])
    g["weight"], g["bias"], g["inputs"], g["outputs"] = w, b, x, y
    g.attrs["activation"] = "tanh"


def conv2d(x, w, b, stride, pad):
    """Cross-correlation as nn.Conv2d: x [C, H, W], w [O, C, kh, kw]."""
    c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    xp = np.zeros((c_in, h + 2 * pad[0], wd + 2 * pad[1]))
    xp[:, pad[0]:pad[0] + h, pad[1]:pad[1] + wd] = x
    ho = (h + 2 * pad[0] - kh) // stride[0] + 1
    wo = (wd + 2 * pad[1] - kw) // stride[1] + 1
    y = np.zeros((c_out, ho, wo))
    for o in range(c_out):
        for r in range(ho):
            for c in range(wo):
                patch = xp[:, r * stride[0]:r * stride[0] + kh, c * stride[1]:c * stride[1] + kw]
                y[o, r, c] = np.sum(patch * w[o]) + b[o]
    return y


def conv2d_cases(f):
    cases = {
        # name: (in_ch, height, width, out_ch, kh, kw, stride, pad, activation)
        "conv2d_pad1": (2, 7, 6, 3, 3, 3, (1, 1), (1, 1), "identity"),
        "conv2d_stride2": (3, 9, 8, 2, 3, 2, (2, 2), (0, 0), "relu"),
        "conv2d_mixed": (1, 8, 7, 4, 4, 3, (2, 1), (1, 2), "tanh"),
    }
    for name, (ci, h, wd, co, kh, kw, stride, pad, act) in cases.items():
        g = f.create_group(name)
        w = rng.normal(0.0, 0.5, (co, ci, kh, kw))
        b = rng.normal(0.0, 0.5, co)
        x = rng.normal(0.0, 1.0, (2, ci, h, wd))
        y = np.array([phi(act, conv2d(xi, w, b, stride, pad)) for xi in x])
        g["weight"], g["bias"] = w, b
        g["inputs"], g["outputs"] = x.reshape(2, -1), y.reshape(2, -1)
        for key, value in (("height", h), ("width", wd), ("stride_h", stride[0]),
                           ("stride_w", stride[1]), ("pad_h", pad[0]), ("pad_w", pad[1])):
            g.attrs[key] = value
        g.attrs["activation"] = act


def batch_norm_case(f):
    channels, features, eps = 4, 6, 1e-3
    g = f.create_group("batch_normalization")
    gamma = rng.normal(1.0, 0.3, channels)
    beta = rng.normal(0.0, 0.5, channels)
    mean = rng.normal(0.0, 1.0, channels)
    var = rng.uniform(0.2, 2.0, channels)
    x = rng.normal(0.0, 2.0, (3, channels, features))
    y = (gamma[None, :, None] * (x - mean[None, :, None]) / np.sqrt(var[None, :, None] + eps)
         + beta[None, :, None])
    g["weight"], g["bias"], g["running_mean"], g["running_var"] = gamma, beta, mean, var
    g["inputs"], g["outputs"] = x.reshape(3, -1), y.reshape(3, -1)
    g.attrs["features"] = features
    g.attrs["eps"] = eps


def divisive_norm_cases(f):
    size = 6
    for name, n, sigma in (("divisive_normalization_n2", 2.0, 0.7),
                           ("divisive_normalization_n1_5", 1.5, 0.3)):
        g = f.create_group(name)
        w = rng.uniform(0.0, 1.0, (size, size))
        x = rng.uniform(0.0, 3.0, (4, size))
        x[0, 2] = -0.5  # rectified to 0
        d = np.maximum(x, 0.0) ** n
        y = np.array([di / (sigma ** n + w @ di) for di in d])
        g["weight"], g["inputs"], g["outputs"] = w, x, y
        g.attrs["n"] = n
        g.attrs["sigma"] = sigma


def recurrent_cases(f):
    n_in, hidden, steps = 4, 5, 6
    for kind, gates in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        g = f.create_group(kind)
        k = 1.0 / np.sqrt(hidden)  # PyTorch's initialisation range
        w_ih = rng.uniform(-k, k, (gates * hidden, n_in)) * 2.0
        w_hh = rng.uniform(-k, k, (gates * hidden, hidden)) * 2.0
        b_ih = rng.uniform(-k, k, gates * hidden)
        b_hh = rng.uniform(-k, k, gates * hidden)
        x = rng.normal(0.0, 1.0, (steps, n_in))
        h = np.zeros(hidden)
        c = np.zeros(hidden)
        ys = []
        for xt in x:
            a = w_ih @ xt + b_ih
            r = w_hh @ h + b_hh
            if kind == "rnn":
                h = np.tanh(a + r)
            elif kind == "lstm":
                i_g, f_g, g_g, o_g = (a + r).reshape(4, hidden)
                i_g, f_g, g_g, o_g = sigmoid(i_g), sigmoid(f_g), np.tanh(g_g), sigmoid(o_g)
                c = f_g * c + i_g * g_g
                h = o_g * np.tanh(c)
            else:
                a_r, a_z, a_n = a.reshape(3, hidden)
                h_r, h_z, h_n = r.reshape(3, hidden)
                rg = sigmoid(a_r + h_r)
                zg = sigmoid(a_z + h_z)
                ng = np.tanh(a_n + rg * h_n)
                h = (1.0 - zg) * ng + zg * h
            ys.append(h.copy())
        g["weight_ih"], g["weight_hh"], g["bias_ih"], g["bias_hh"] = w_ih, w_hh, b_ih, b_hh
        g["inputs"], g["outputs"] = x, np.array(ys)


def mlp_case(f):
    """A sequential dense(relu) -> dense(sigmoid) network, 6 -> 8 -> 3."""
    g = f.create_group("mlp")
    w1, b1 = rng.normal(0.0, 0.7, (8, 6)), rng.normal(0.0, 0.3, 8)
    w2, b2 = rng.normal(0.0, 0.7, (3, 8)), rng.normal(0.0, 0.3, 3)
    x = rng.normal(0.0, 1.0, (5, 6))
    y = np.array([sigmoid(w2 @ np.maximum(w1 @ xi + b1, 0.0) + b2) for xi in x])
    g["fc1/weight"], g["fc1/bias"], g["fc2/weight"], g["fc2/bias"] = w1, b1, w2, b2
    g["inputs"], g["outputs"] = x, y


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "modules.h5")
    with h5py.File(path, "w") as f:
        f.attrs["generator"] = "tests/data/dnn/make_fixtures.py"
        dense_cases(f)
        conv2d_cases(f)
        batch_norm_case(f)
        divisive_norm_cases(f)
        recurrent_cases(f)
        mlp_case(f)
        bad = f.create_group("bad")  # for the error tests: a dense layer with a short bias
        bad["weight"] = np.zeros((3, 2))
        bad["bias"] = np.zeros(2)
        bad["text"] = "not a tensor"
        # Declared 2^40 values, none stored (chunked, never written): a few hundred bytes.
        bad.create_dataset("huge", shape=(1 << 20, 1 << 20), dtype="f8", chunks=(1, 1))
        f.create_group("bad/no_bias")["weight"] = np.zeros((3, 2))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()

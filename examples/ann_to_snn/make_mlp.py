#!/usr/bin/python3
"""Writes examples/ann_to_snn/mlp.h5: a small ReLU classifier trained with numpy, its data and
the reference decisions, the fixture of the ANN-to-SNN conversion (docs/ann_to_snn.md).

    /usr/bin/python3 examples/ann_to_snn/make_mlp.py            # rewrites mlp.h5 next to it

Data: three classes in 4-D. In the plane of the first two coordinates two interleaved half
moons (radius 1, centres (0, 0) and (1, 0.5), Gaussian noise 0.15) and a Gaussian blob at
(0.5, -1.1) (sd 0.25); the last two coordinates are Gaussian noise (sd 0.5); the 4-D points
are then turned by a random rotation, so every coordinate mixes the informative plane and the
noise. Draws from numpy's PCG64 with seed 20240517, so the file is the same on every run.

Network: 4 -> 32 -> 32 -> 3, ReLU after the two hidden layers, linear output (the class is the
argmax), trained by plain full-batch gradient descent on the softmax cross-entropy (learning
rate 0.2, 4000 epochs, He-normal initial weights, zero biases) on 1500 training points.

The file (PyTorch state_dict names, row-major float64, docs/dnn.md):
    fc1/weight [32, 4], fc1/bias [32], fc2/weight [32, 32], fc2/bias [32],
    fc3/weight [3, 32], fc3/bias [3]
    data/x_calibration [500, 4]   the first 500 training points (for weight normalisation)
    data/x_test [1000, 4], data/y_test [1000] (int64 labels)
    reference/logits [1000, 3]    the network's outputs on x_test, computed here
    reference/decision [1000]     argmax of the logits (int64): the rate network's class
    reference/scale_p99.9 [3]     per layer, the 99.9th percentile of the positive
                                  activations on x_calibration (numpy's linear interpolation)
    reference/scale_max [3]       per layer, the largest activation on x_calibration
Attributes: train_accuracy, test_accuracy (against the labels).
"""

import os

import h5py
import numpy as np

SEED = 20240517
HIDDEN = 32
EPOCHS = 4000
LEARNING_RATE = 0.2


def make_points(rng, n):
    """n points with labels 0 (upper moon), 1 (lower moon), 2 (blob), in 4-D."""
    labels = rng.integers(0, 3, size=n)
    plane = np.empty((n, 2))
    angle = rng.uniform(0.0, np.pi, size=n)
    upper, lower, blob = labels == 0, labels == 1, labels == 2
    plane[upper] = np.column_stack([np.cos(angle[upper]), np.sin(angle[upper])])
    plane[lower] = np.column_stack([1.0 - np.cos(angle[lower]), 0.5 - np.sin(angle[lower])])
    plane[blob] = np.array([0.5, -1.1]) + 0.25 * rng.standard_normal((blob.sum(), 2))
    plane[~blob] += 0.15 * rng.standard_normal(((~blob).sum(), 2))
    noise = 0.5 * rng.standard_normal((n, 2))
    return np.column_stack([plane, noise]), labels


def forward(params, x):
    """Activations of every layer: [h1, h2, logits]."""
    h1 = np.maximum(0.0, x @ params["fc1/weight"].T + params["fc1/bias"])
    h2 = np.maximum(0.0, h1 @ params["fc2/weight"].T + params["fc2/bias"])
    return [h1, h2, h2 @ params["fc3/weight"].T + params["fc3/bias"]]


def train(rng, x, labels):
    sizes = [(HIDDEN, 4), (HIDDEN, HIDDEN), (3, HIDDEN)]
    params = {}
    for k, (out, inp) in enumerate(sizes, start=1):
        params[f"fc{k}/weight"] = rng.standard_normal((out, inp)) * np.sqrt(2.0 / inp)
        params[f"fc{k}/bias"] = np.zeros(out)
    onehot = np.eye(3)[labels]
    n = len(x)
    for _ in range(EPOCHS):
        h1, h2, logits = forward(params, x)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        d3 = (p - onehot) / n
        d2 = (d3 @ params["fc3/weight"]) * (h2 > 0)
        d1 = (d2 @ params["fc2/weight"]) * (h1 > 0)
        grads = {"fc3/weight": d3.T @ h2, "fc3/bias": d3.sum(axis=0),
                 "fc2/weight": d2.T @ h1, "fc2/bias": d2.sum(axis=0),
                 "fc1/weight": d1.T @ x, "fc1/bias": d1.sum(axis=0)}
        for name in params:
            params[name] -= LEARNING_RATE * grads[name]
    return params


def main():
    rng = np.random.default_rng(SEED)
    rotation, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    x_train, y_train = make_points(rng, 1500)
    x_test, y_test = make_points(rng, 1000)
    x_train, x_test = x_train @ rotation.T, x_test @ rotation.T

    params = train(rng, x_train, y_train)
    train_accuracy = np.mean(forward(params, x_train)[2].argmax(axis=1) == y_train)
    logits = forward(params, x_test)[2]
    decision = logits.argmax(axis=1)
    test_accuracy = np.mean(decision == y_test)

    calibration = x_train[:500]
    activations = forward(params, calibration)
    p999 = [np.percentile(a[a > 0], 99.9) for a in activations]
    largest = [a.max() for a in activations]

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp.h5")
    with h5py.File(path, "w") as f:
        for name, value in params.items():
            f[name] = value
        f["data/x_calibration"] = calibration
        f["data/x_test"] = x_test
        f["data/y_test"] = y_test.astype(np.int64)
        f["reference/logits"] = logits
        f["reference/decision"] = decision.astype(np.int64)
        f["reference/scale_p99.9"] = np.array(p999)
        f["reference/scale_max"] = np.array(largest)
        f.attrs["train_accuracy"] = train_accuracy
        f.attrs["test_accuracy"] = test_accuracy
    margin = np.sort(logits, axis=1)
    margin = margin[:, -1] - margin[:, -2]
    print(f"{path}: train accuracy {train_accuracy:.4f}, test accuracy {test_accuracy:.4f}")
    print(f"99.9th percentile per layer {np.round(p999, 4)}, max {np.round(largest, 4)}")
    print(f"test points with a logit margin below 0.01: {(margin < 0.01).sum()}, "
          f"below 0.1: {(margin < 0.1).sum()}")


if __name__ == "__main__":
    main()

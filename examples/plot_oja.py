#!/usr/bin/python3
"""Plots the Oja convergence written by examples/oja_convergence (a CSV) to a PNG.

    build/examples/oja_convergence oja.csv
    /usr/bin/python3 examples/plot_oja.py oja.csv oja.png

Left: |cos(w, e1)| against samples for Oja's and Hebb's rules; right: |w| (log scale), Oja's
settling at 1 and Hebb's growing without bound.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot_oja.py IN.csv OUT.png")
    d = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(d["sample"], d["cosine"], label="Oja")
    left.plot(d["sample"], d["hebb_cosine"], label="Hebb", linestyle="--")
    left.axhline(0.999, color="grey", linewidth=0.5)
    left.set_xlabel("samples")
    left.set_ylabel("|cos(w, e1)|")
    left.legend()
    right.semilogy(d["sample"], d["norm"], label="Oja")
    right.semilogy(d["sample"], d["hebb_norm"], label="Hebb", linestyle="--")
    right.axhline(1.0, color="grey", linewidth=0.5)
    right.set_xlabel("samples")
    right.set_ylabel("|w|")
    right.legend()
    fig.suptitle("linear neuron, 2-D Gaussian input, C = [[3, 1], [1, 2]]")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=100)
    last = d[-1]
    print(f"after {int(last['sample'])} samples: Oja |cos| {last['cosine']:.6f}, "
          f"|w| {last['norm']:.6f}; Hebb |w| {last['hebb_norm']:.3g}")


if __name__ == "__main__":
    main()

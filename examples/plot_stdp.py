#!/usr/bin/python3
"""Weight evolution of a plastic projection in a spikeflow recording.

    /usr/bin/python3 examples/plot_stdp.py stdp.h5 -o stdp.png
    /usr/bin/python3 examples/plot_stdp.py stdp.h5 --projection "input->output" --bins 40

Reads the weight snapshots (/weights/<projection>: weight, times, offsets; see
docs/output.md) with h5py and draws two panels: the distribution of the weights at each
snapshot over time (median, 10-90 % and 25-75 % bands, mean), and histograms of the weights
at the first and the last snapshot. Needs only h5py, numpy and matplotlib (Agg backend).
"""

import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def snapshots(group):
    """(times in ms, list of weight arrays), one per snapshot."""
    offsets = group["offsets"][:]
    times = group["times"][:]
    weights = group["weight"][:]
    return times, [weights[offsets[k]:offsets[k + 1]] for k in range(len(times))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="spikeflow recording (.h5)")
    parser.add_argument("-o", "--output", default="stdp.png", help="PNG to write")
    parser.add_argument("--projection", help="weight recording to plot (default: the first)")
    parser.add_argument("--bins", type=int, default=30, help="histogram bins")
    args = parser.parse_args()

    with h5py.File(args.file, "r") as f:
        if "weights" not in f or len(f["weights"]) == 0:
            sys.exit(f"{args.file}: no weight recordings (add [[recordings.weights]])")
        names = list(f["weights"])
        name = args.projection or names[0]
        if name not in f["weights"]:
            sys.exit(f"{args.file}: no weight recording '{name}' (there are: {', '.join(names)})")
        times, weights = snapshots(f["weights"][name])
    if len(times) == 0:
        sys.exit(f"{args.file}: weight recording '{name}' has no snapshots")

    seconds = times / 1000.0
    q = np.array([np.percentile(w, [10, 25, 50, 75, 90]) for w in weights])
    mean = np.array([w.mean() for w in weights])

    fig, (evo, hist) = plt.subplots(1, 2, figsize=(11, 4.2))
    evo.fill_between(seconds, q[:, 0], q[:, 4], color="tab:blue", alpha=0.2, label="10-90 %")
    evo.fill_between(seconds, q[:, 1], q[:, 3], color="tab:blue", alpha=0.4, label="25-75 %")
    evo.plot(seconds, q[:, 2], color="tab:blue", label="median")
    evo.plot(seconds, mean, color="black", linestyle="--", label="mean")
    evo.set_xlabel("time (s)")
    evo.set_ylabel("weight")
    evo.set_title(f"{name}: {len(weights[0])} synapses")
    evo.legend(loc="best", fontsize="small")

    low = min(w.min() for w in weights)
    high = max(w.max() for w in weights)
    bins = np.linspace(low, high, args.bins + 1)
    hist.hist(weights[0], bins=bins, alpha=0.6, label=f"t = {seconds[0]:g} s")
    hist.hist(weights[-1], bins=bins, alpha=0.6, label=f"t = {seconds[-1]:g} s")
    hist.set_xlabel("weight")
    hist.set_ylabel("synapses")
    hist.set_title("weight distribution")
    hist.legend(loc="best", fontsize="small")

    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}: {len(times)} snapshots of {name}")


if __name__ == "__main__":
    main()

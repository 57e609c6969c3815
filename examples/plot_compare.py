#!/usr/bin/python3
"""Plot a spiking run against a rate model from the JSON of `spikeflow compare`.

    spikeflow compare spiking.h5 rate.h5 --window 20 --json compare.json
    /usr/bin/python3 examples/plot_compare.py compare.json -o compare.png

One row per compared population: left, the population-mean rate per bin of the spiking run
and of the rate model over time (Hz); right, each neuron's mean rate in the spiking run
against the rate model's, with the identity line. The titles give the figures compare
printed (correlation, RMSE, relative error). Needs numpy and matplotlib (Agg backend).
"""

import argparse
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", help="the --json output of spikeflow compare")
    parser.add_argument("-o", "--output", default="compare.png", help="PNG to write")
    parser.add_argument("--title", default=None, help="a title over the figure")
    args = parser.parse_args(argv)

    with open(args.json) as f:
        result = json.load(f)
    pops = result["populations"]
    if not pops:
        sys.exit("plot_compare.py: no populations in " + args.json)
    fig, axes = plt.subplots(len(pops), 2, figsize=(11, 3.2 * len(pops)), squeeze=False,
                             gridspec_kw={"width_ratios": [2.2, 1]})
    for row, p in zip(axes, pops):
        name = p["spiking"] if p["spiking"] == p["rate"] else f"{p['spiking']} vs {p['rate']}"
        t = np.asarray(p["bin_end_ms"]) - 0.5 * result["window_ms"]
        ax = row[0]
        ax.plot(t, p["spiking_hz"], label="spiking (binned)", color="tab:blue")
        ax.plot(t, p["rate_hz"], label=f"rate model ({p['variable']})", color="tab:orange")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("rate (Hz)")
        ax.set_title(f"{name}: corr {fmt(p['correlation_time'], '.3f')}, "
                     f"RMSE {fmt(p['rmse_time_hz'], '.3g')} Hz, "
                     f"rel. error {fmt(p['relative_error'], '.3f')}", fontsize=9)
        ax.legend(fontsize=8)
        ax = row[1]
        s, r = np.asarray(p["neuron_spiking_hz"]), np.asarray(p["neuron_rate_hz"])
        ax.scatter(r, s, s=6, alpha=0.6)
        hi = max(float(np.max(s, initial=0)), float(np.max(r, initial=0)), 1e-9) * 1.05
        ax.plot([0, hi], [0, hi], color="grey", linewidth=0.8)
        ax.set_xlabel("rate model (Hz)")
        ax.set_ylabel("spiking (Hz)")
        ax.set_title(f"per neuron: corr {fmt(p['correlation_neurons'], '.3f')}, "
                     f"RMSE {fmt(p['rmse_neurons_hz'], '.3g')} Hz", fontsize=9)
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print("wrote", args.output)


if __name__ == "__main__":
    main()

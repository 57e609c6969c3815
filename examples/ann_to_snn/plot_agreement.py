#!/usr/bin/python3
"""Plots the agreement of converted spiking networks with their rate network against the
simulation time per input, from the JSON files of `spikeflow convert --json`.

    spikeflow convert examples/ann_to_snn/mlp.h5 --calibration data/x_calibration \\
        --evaluate data/x_test --labels data/y_test --time 5,10,20,50,100,200,500,1000 \\
        --json p999.json
    /usr/bin/python3 examples/ann_to_snn/plot_agreement.py p999.json:"99.9th percentile" \\
        -o docs/ann_to_snn_agreement.png

Each argument is FILE.json or FILE.json:LABEL. Left: agreement with the rate network's class
(and accuracy against the labels, dashed) against steps per input; right: spikes per input.
"""
import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="FILE.json or FILE.json:LABEL")
    parser.add_argument("-o", "--output", default="ann_to_snn_agreement.png")
    args = parser.parse_args()

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for k, run in enumerate(args.runs):
        path, _, label = run.partition(":")
        got = json.load(open(path))
        times = got["times"]
        steps = [t["steps"] for t in times]
        colour = f"C{k}"
        left.semilogx(steps, [t["agreement"] for t in times], "o-", color=colour, ms=3,
                      label=label or path)
        if times[0]["accuracy"] is not None:
            left.semilogx(steps, [t["accuracy"] for t in times], "--", color=colour, lw=0.8)
        right.loglog(steps, [t["spikes_per_input"] for t in times], "o-", color=colour, ms=3,
                     label=label or path)
    left.axhline(0.99, color="0.5", lw=0.5)
    left.set_ylim(0.9, 1.002)
    left.set_xlabel(f"steps per input (dt = {got['dt_ms']:g} ms)")
    left.set_ylabel("spiking class = rate class (solid)\naccuracy vs labels (dashed)")
    left.legend(fontsize=8, loc="lower right")
    right.set_xlabel(f"steps per input (dt = {got['dt_ms']:g} ms)")
    right.set_ylabel("spikes per input (all layers)")
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"plot: {args.output}")


if __name__ == "__main__":
    main()

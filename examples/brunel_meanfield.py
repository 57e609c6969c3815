#!/usr/bin/python3
"""Simulated rate of a LIF network against its mean-field prediction.

    /usr/bin/python3 examples/brunel_meanfield.py examples/brunel_ai.toml -o brunel_ai_mf.png
    /usr/bin/python3 examples/brunel_meanfield.py examples/brunel.toml --spikeflow build/spikeflow

Works from any directory: without --spikeflow it runs build/spikeflow of the repository the
script is in (else `spikeflow` on PATH); model and output paths are taken as given.

Runs `spikeflow meanfield MODEL.toml` (the predicted stationary rate, mu and sigma of each
population) and `spikeflow run MODEL.toml` (the simulation), reads the recorded spikes with
h5py, and prints per population the simulated rate (spikes / neurons / time after the
transient, `--skip` ms) next to the prediction. The PNG shows each population's rate over
time (histogram bins of `--bin` ms) with the prediction as a dashed line.

Extra `--set KEY=VALUE` options go to both commands. Needs h5py, numpy, matplotlib.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROW = re.compile(r"^\s+(\S+)\s+(\S+)\s+([-+0-9.eE]+)\s+([-+0-9.eE]+)\s+([-+0-9.eE]+)\s+\S+\s*$")


def predict(spikeflow, model, sets):
    """{population: (rate Hz, mu mV, sigma mV)} from `spikeflow meanfield`."""
    result = subprocess.run([spikeflow, "meanfield", model] + sets, capture_output=True,
                            text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.exit(f"spikeflow meanfield failed ({result.returncode}): {result.stderr.strip()}")
    rows = {}
    for line in result.stdout.splitlines()[3:]:
        m = ROW.match(line)
        if m:
            rows[m.group(1)] = tuple(float(m.group(k)) for k in (3, 4, 5))
    return rows


def simulate(spikeflow, model, sets, output):
    """{population: spike times (ms)} from `spikeflow run`."""
    subprocess.run([spikeflow, "run", model, "-o", output, "-q"] + sets, check=True)
    with h5py.File(output, "r") as f:
        return {name: np.asarray(g["timestamps"][:]) for name, g in f["spikes"].items()}


def sizes_from_model(model, sets):
    """Population sizes and the duration (ms) from the model file and the --set options."""
    import tomllib

    with open(model, "rb") as f:
        text = tomllib.load(f)
    sizes = {p["name"]: p["size"] for p in text["populations"]}
    for kv in sets[1::2]:
        key, _, value = kv.partition("=")
        m = re.fullmatch(r"populations\.(\w+)\.size", key)
        if m:
            sizes[m.group(1)] = int(value)
    duration = text.get("simulation", {}).get("duration", "1000 ms")
    for kv in sets[1::2]:
        key, _, value = kv.partition("=")
        if key == "simulation.duration":
            duration = value.strip('"')
    duration = float(str(duration).split()[0])
    return sizes, duration


def find_spikeflow(given):
    """The binary to run: the one given, else the repository's build, else PATH's; works from
    any working directory."""
    if given:
        return given
    built = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "build",
                         "spikeflow")
    if os.access(built, os.X_OK):
        return os.path.normpath(built)
    on_path = shutil.which("spikeflow")
    if on_path:
        return on_path
    sys.exit(f"no spikeflow binary: build the repository ({os.path.normpath(built)}) "
             "or pass --spikeflow PATH")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("-o", "--output", default="meanfield.png", help="PNG to write")
    parser.add_argument("--spikeflow", default=None,
                        help="the spikeflow binary (default: build/spikeflow of the repository "
                             "this script is in, else spikeflow on PATH)")
    parser.add_argument("--skip", type=float, default=200.0, help="transient left out, ms")
    parser.add_argument("--bin", type=float, default=5.0, help="rate histogram bin, ms")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    sets = [x for kv in args.set for x in ("--set", kv)]
    args.spikeflow = find_spikeflow(args.spikeflow)

    predicted = predict(args.spikeflow, args.model, sets)
    sizes, duration = sizes_from_model(args.model, sets)
    with tempfile.TemporaryDirectory() as tmp:
        spikes = simulate(args.spikeflow, args.model, sets, os.path.join(tmp, "run.h5"))
    if duration <= args.skip:
        sys.exit(f"--skip {args.skip} ms leaves nothing of the {duration} ms run")

    fig, ax = plt.subplots(figsize=(8, 4))
    edges = np.arange(0.0, duration + args.bin, args.bin)
    print(f"\n  {'population':<12} {'simulated (Hz)':>15} {'predicted (Hz)':>15} {'diff':>8}")
    for k, (name, times) in enumerate(sorted(spikes.items())):
        late = times[times > args.skip]
        simulated = len(late) / sizes[name] / ((duration - args.skip) * 1e-3)
        rate = predicted.get(name, (float("nan"),))[0]
        print(f"  {name:<12} {simulated:15.3f} {rate:15.3f} {100 * (simulated - rate) / rate:7.1f}%")
        counts, _ = np.histogram(times, edges)
        colour = f"C{k}"
        ax.plot(edges[:-1], counts / sizes[name] / (args.bin * 1e-3), colour, lw=0.8,
                label=f"{name}: simulated {simulated:.1f} Hz")
        ax.axhline(rate, color=colour, ls="--", label=f"{name}: mean field {rate:.1f} Hz")
    ax.axvline(args.skip, color="0.6", lw=0.5)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"rate (Hz per neuron, {args.bin:g} ms bins)")
    ax.set_title(os.path.basename(args.model) + ": simulation against mean field")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"\n  plot: {args.output}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Raster plot and population rates of a spikeflow recording.

    /usr/bin/python3 examples/plot_raster.py cuba.h5 -o cuba_raster.png
    /usr/bin/python3 examples/plot_raster.py cuba.h5 --t-min 200 --t-max 500 --max-neurons 400
    /usr/bin/python3 examples/plot_raster.py cuba.h5 -o docs/cuba_raster.png \
        --title "CUBA (N1), 1 s, seed 1: spikes of the first 500 neurons per population"

Reads the SONATA spike report of any spikeflow output file (/spikes/<population>/timestamps
and node_ids) with h5py and draws, for every population, its spikes (neurons stacked, one
colour per population) and below them each population's mean rate per neuron over time, in
Hz, from a histogram of its spikes. Needs only h5py, numpy and matplotlib (the Agg backend:
no display needed).

Population sizes come from a `size` attribute of the population group if the file has one,
otherwise from the model text stored in the file; failing both, from the largest node id
(a lower bound, said so in the legend).
"""

import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text_attr(f, name):
    value = f.attrs.get(name)
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def sizes_from_model_text(f):
    """Population sizes from the model file text stored in the recording (TOML)."""
    text = text_attr(f, "model_text")
    if not text:
        return {}
    try:
        import tomllib
        model = tomllib.loads(text)
    except Exception:  # older Python or a text that refers to included files
        return {}
    sizes = {}
    for pop in model.get("populations", []):
        if isinstance(pop, dict) and "name" in pop and isinstance(pop.get("size"), int):
            sizes[pop["name"]] = pop["size"]
    return sizes


def read_spikes(path):
    """{population: (timestamps ms, node_ids, size, size_is_exact)}, and the duration (ms)."""
    with h5py.File(path, "r", swmr=True) as f:
        model_sizes = None
        populations = {}
        for name, group in f.get("spikes", {}).items():
            t = group["timestamps"][()]
            ids = group["node_ids"][()]
            n = min(len(t), len(ids))  # equal in a recovered or complete file
            t, ids = t[:n], ids[:n]
            size, exact = group.attrs.get("size"), True
            if size is None:
                if model_sizes is None:
                    model_sizes = sizes_from_model_text(f)
                size = model_sizes.get(name)
            if size is None:
                size, exact = (int(ids.max()) + 1 if n else 1), False
            populations[name] = (t, ids, int(size), exact)
        duration = None
        if "provenance/simulated_until_ms" in f:
            duration = float(f["provenance/simulated_until_ms"][()])
        if not duration:
            duration = max((p[0].max() for p in populations.values() if len(p[0])), default=1.0)
    return populations, duration


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="spikeflow output file (HDF5)")
    parser.add_argument("-o", "--output", help="image to write (default: FILE with .png)")
    parser.add_argument("--t-min", type=float, default=0.0, help="start of the window, ms")
    parser.add_argument("--t-max", type=float, help="end of the window, ms (default: all)")
    parser.add_argument("--bin", type=float, default=5.0, help="rate histogram bin, ms")
    parser.add_argument("--max-neurons", type=int, default=500,
                        help="neurons shown per population in the raster (the first ones)")
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--title", help="title above the raster (default: the file name)")
    args = parser.parse_args(argv)

    populations, duration = read_spikes(args.file)
    if not populations:
        print(f"plot_raster: {args.file} holds no spike populations", file=sys.stderr)
        return 1
    t_max = args.t_max if args.t_max is not None else duration
    output = args.output or (args.file.rsplit(".", 1)[0] + ".png")

    fig, (raster, rates) = plt.subplots(
        2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    offset = 0
    edges = np.arange(args.t_min, t_max + args.bin, args.bin)
    for k, (name, (t, ids, size, exact)) in enumerate(populations.items()):
        colour = colours[k % len(colours)]
        shown = min(size, args.max_neurons)
        in_window = (t >= args.t_min) & (t <= t_max)
        keep = in_window & (ids < shown)
        raster.scatter(t[keep], ids[keep] + offset, s=1.0, marker=".", lw=0, color=colour,
                       rasterized=True)
        raster.text(t_max, offset + shown / 2, f" {name}", va="center", color=colour)
        offset += shown

        counts, _ = np.histogram(t[in_window], bins=edges)
        rate = counts / (size * args.bin * 1e-3)
        mean = np.count_nonzero(in_window) / (size * max(t_max - args.t_min, 1e-9) * 1e-3)
        label = f"{name}: {mean:.2f} Hz" + ("" if exact else " (size from node ids)")
        rates.step(edges[:-1], rate, where="post", color=colour, lw=0.8, label=label)

    raster.set_ylabel("neuron")
    raster.set_ylim(0, offset)
    raster.set_title(args.title or
                     f"{args.file}: spikes (first {args.max_neurons} neurons per population)")
    rates.set_xlabel("time (ms)")
    rates.set_ylabel(f"rate (Hz, {args.bin:g} ms bins)")
    rates.set_xlim(args.t_min, t_max)
    rates.legend(loc="upper right", fontsize="small", frameon=False)
    fig.tight_layout()
    fig.savefig(output, dpi=args.dpi)
    print(f"plot_raster: wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

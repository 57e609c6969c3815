"""Distributed runs (issue 8): build time per rank and exchange time per window for a
network with 1, 2 and 4 ranks, from the summary `spikeflow run` prints under mpirun.

    /usr/bin/python3 bench/mpi_scaling.py build-mpi/spikeflow N2 --duration 200 --ranks 1 2 4

N2 is examples/brunel.toml, N4 examples/microcircuit.toml, or give a model file. Each run
has one thread per rank (so R ranks use R cores; with more ranks than cores, mpirun
--oversubscribe). Prints one JSON line per run and a table: slowest and fastest rank's build
time, simulation time, windows, exchange time per window (agreement = header allgather,
which includes waiting for the slowest rank; payload = allgatherv of the spikes), bytes
received per window, spikes per window.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile

NETWORKS = {"N2": "examples/brunel.toml", "N4": "examples/microcircuit.toml",
            "N4_10pct": "examples/microcircuit_10pct.toml"}


def seconds(text):
    """'1.23 s', '45.6 ms', '2 min 3 s' -> seconds."""
    total = 0.0
    for value, unit in re.findall(r"([\d.]+)\s*(min|ms|us|s|h)\b", text):
        total += float(value) * {"h": 3600, "min": 60, "s": 1, "ms": 1e-3, "us": 1e-6}[unit]
    return total


def run(spikeflow, model, ranks, duration, out_dir, mpirun_args):
    out = os.path.join(out_dir, f"r{ranks}.h5")
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", *mpirun_args, "-np", str(ranks),
           spikeflow,
           "run", model, "-o", out, "--threads", "1", "--force",
           "--set", f"simulation.duration={duration}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
    s = proc.stdout
    result = {"ranks": ranks, "duration_ms": duration}
    # CPU seconds of every process mpirun waited for (the ranks and mpirun itself): under
    # load, wall times measure the machine's other users as much as the run.
    result["cpu_s_all_ranks"] = round((after.ru_utime - before.ru_utime) +
                                      (after.ru_stime - before.ru_stime), 2)
    m = re.search(r"^  build time +(.+?)(?: \(slowest rank; fastest (.+)\))?$", s, re.M)
    result["build_s_slowest"] = seconds(m[1])
    result["build_s_fastest"] = seconds(m[2]) if m[2] else result["build_s_slowest"]
    result["sim_s"] = seconds(re.search(r"^  simulation time +(.+)$", s, re.M)[1])
    result["synapses"] = int(re.search(r"^  synapses +([\d,]+)", s, re.M)[1].replace(",", ""))
    spikes = re.search(r"^  all\s+([\d,]+)\s+([\d,]+)\s+[\d.]+$", s, re.M)
    result["spikes"] = int(spikes[2].replace(",", ""))
    m = re.search(r"^  exchange +([\d.]+) us per window \(agreement ([\d.]+) us \+ payload "
                  r"([\d.]+) us, slowest rank\), (\d+) bytes per window, (\d+) windows", s, re.M)
    if m:
        result.update(exchange_us=float(m[1]), agreement_us=float(m[2]), payload_us=float(m[3]),
                      bytes_per_window=int(m[4]), windows=int(m[5]))
        result["spikes_per_window"] = result["spikes"] / result["windows"]
    os.remove(out)
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("spikeflow")
    p.add_argument("network")
    p.add_argument("--duration", type=float, default=200.0, help="ms (default 200)")
    p.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--mpirun-args", default="",
                   help="more mpirun options, e.g. '--mca mpi_yield_when_idle 1'")
    a = p.parse_args()
    model = NETWORKS.get(a.network, a.network)
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for ranks in a.ranks:
            r = run(os.path.abspath(a.spikeflow), model, ranks, a.duration, out_dir,
                    a.mpirun_args.split())
            r["network"] = a.network
            print(json.dumps(r), flush=True)
            rows.append(r)
    print(f"\n| network | ranks | build s (slowest / fastest rank) | sim s | windows | exchange "
          f"us/window (agreement + payload) | bytes/window | spikes/window |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ex = (f"{r['exchange_us']:.1f} ({r['agreement_us']:.1f} + {r['payload_us']:.1f})"
              if "exchange_us" in r else "-")
        print(f"| {r['network']} | {r['ranks']} | {r['build_s_slowest']:.1f} / "
              f"{r['build_s_fastest']:.1f} | {r['sim_s']:.1f} | {r.get('windows', '-')} | {ex} | "
              f"{r.get('bytes_per_window', '-')} | "
              f"{r['spikes_per_window']:.1f} |" if "spikes_per_window" in r else
              f"| {r['network']} | {r['ranks']} | {r['build_s_slowest']:.1f} | {r['sim_s']:.1f} "
              f"| - | - | - | - |")


main()

#!/usr/bin/python3
"""Before/after comparison of spikeflow builds on one network, interleaved (A B A B ...).

    /usr/bin/python3 bench/ab_compare.py PAIRS NETWORK THREADS BIN_A BIN_B [BIN_C ...]

Each BIN is a spikeflow_networks binary (e.g. a copy of build/bench/spikeflow_networks from
before a change). Runs them alternately PAIRS times from the source folder and prints, per
binary, the median simulation CPU seconds (sim_cpu_s: less sensitive to other load on a
shared machine than wall time), the ratio to the first binary, the median wall seconds and
the spike count, which must be the same for all binaries.
"""
import json
import os
import statistics
import subprocess
import sys


def main():
    if len(sys.argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    pairs, network, threads = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    binaries = sys.argv[4:]
    source_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cpu = {b: [] for b in binaries}
    wall = {b: [] for b in binaries}
    spikes = {}
    for _ in range(pairs):
        for b in binaries:
            out = subprocess.run([b, network, "--threads", threads], cwd=source_dir, check=True,
                                 capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            cpu[b].append(result["sim_cpu_s"])
            wall[b].append(result["sim_s"])
            spikes[b] = result["spikes"]
    first = statistics.median(cpu[binaries[0]])
    for b in binaries:
        median = statistics.median(cpu[b])
        print(json.dumps({"network": network, "threads": int(threads), "binary": b,
                          "cpu_median_s": round(median, 3),
                          "speedup_vs_first": round(first / median, 3), "cpu_runs": cpu[b],
                          "wall_median_s": round(statistics.median(wall[b]), 3),
                          "spikes": spikes[b]}))
    return 0 if len(set(spikes.values())) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())

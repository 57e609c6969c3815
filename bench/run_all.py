#!/usr/bin/python3
"""The whole benchmark suite in one command: Google Benchmark kernels, the reference networks
of shared/reference/networks.md, and the Brian2 comparison. Prints one JSON line per result
(and writes them to --out), each with a "suite" key: kernels, networks, stdp_cost, brian2.

    /usr/bin/python3 bench/run_all.py --quick            # a few minutes: short runs
    /usr/bin/python3 bench/run_all.py --full --out results.jsonl

--quick: kernels with short minimum times; every network once on one thread with a short
duration (N4 as N4_10pct); Brian2 on N1 with one pair. --full: kernels with 5 repetitions
(medians); every network at its networks.md duration on 1 and 2 threads (--threads to
change), N4 at full scale; Brian2 on N1 and N2 with 3 pairs. --skip NAME[,NAME] leaves out
kernels, networks or brian2.

The stdp_cost line compares N3 with N3_static (E->E synapses static) run on the same thread
count: static_ns = N3_static's simulation CPU time per synaptic event (everything included);
plastic_ns = the CPU time of N3 less static_ns for each of its non-plastic events, per
plastic event; ratio = plastic_ns / static_ns (issue 6's target: at most 2). Plastic events
are the driver's estimate (source spikes x mean out-degree).

Run from anywhere: the binaries of --build (relative to the source folder, default build/)
run in the source folder. Exit status 1 if any step failed (its line carries "error").
"""
import argparse
import json
import os
import subprocess
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, --set overrides for --quick (None: not run in quick mode)
NETWORKS = [
    ("N1", ["simulation.duration=1000"]),
    ("N1x10", ["simulation.duration=1000"]),
    ("N2", ["simulation.duration=200"]),
    ("N2x5", ["simulation.duration=100"]),
    ("N3", ["simulation.duration=100"]),  # 50 ms settling + 50 ms timed
    ("N3_static", ["simulation.duration=100"]),
    ("N4", None),
    ("N4_10pct", ["simulation.duration=200"]),
]


class Output:
    def __init__(self, path):
        self.file = open(path, "w") if path else None
        self.failed = False

    def emit(self, record):
        line = json.dumps(record)
        print(line, flush=True)
        if self.file:
            self.file.write(line + "\n")
            self.file.flush()
        if "error" in record:
            self.failed = True


def run(args, **kwargs):
    return subprocess.run(args, cwd=SOURCE, check=True, capture_output=True, text=True, **kwargs)


def kernels(build, quick, out):
    binary = os.path.join(build, "bench", "spikeflow_kernels")
    args = [binary, "--benchmark_format=json"]
    if quick:
        args.append("--benchmark_min_time=0.05")
    else:
        args += ["--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true"]
    try:
        report = json.loads(run(args).stdout)
    except (subprocess.CalledProcessError, OSError, json.JSONDecodeError) as e:
        out.emit({"suite": "kernels", "error": str(e)})
        return
    for b in report["benchmarks"]:
        if not quick and b.get("aggregate_name") != "median":
            continue
        record = {"suite": "kernels", "name": b["run_name"], "cpu_time": b["cpu_time"],
                  "real_time": b["real_time"], "time_unit": b["time_unit"]}
        skip = {"name", "run_name", "run_type", "family_index", "per_family_instance_index",
                "repetitions", "repetition_index", "threads", "iterations", "real_time",
                "cpu_time", "time_unit", "aggregate_name", "aggregate_unit"}
        for key, value in b.items():  # the counters; ns_per_* ones come in seconds
            if key not in skip:
                record[key] = value * 1e9 if key.startswith("ns_per") else value
        out.emit(record)


def networks(build, quick, threads, out):
    binary = os.path.join(build, "bench", "spikeflow_networks")
    results = {}
    for name, quick_sets in NETWORKS:
        if quick and quick_sets is None:
            continue
        for t in threads:
            args = [binary, name, "--threads", str(t)]
            for s in (quick_sets if quick else []):
                args += ["--set", s]
            try:
                record = json.loads(run(args).stdout.strip().splitlines()[-1])
            except (subprocess.CalledProcessError, OSError, json.JSONDecodeError) as e:
                detail = getattr(e, "stderr", "") or ""
                out.emit({"suite": "networks", "network": name, "threads": t,
                          "error": f"{e} {detail.strip()}"})
                continue
            out.emit({"suite": "networks", **record})
            results[(name, t)] = record
    for t in threads:
        if ("N3", t) in results and ("N3_static", t) in results:
            out.emit(stdp_cost(results[("N3", t)], results[("N3_static", t)], t))


def stdp_cost(plastic, fixed, threads):
    static_ns = 1e9 * fixed["sim_cpu_s"] / fixed["events"]
    plastic_events = plastic["plastic_events"]
    other_events = plastic["events"] - plastic_events
    plastic_ns = (1e9 * plastic["sim_cpu_s"] - static_ns * other_events) / plastic_events
    return {"suite": "stdp_cost", "network": "N3", "threads": threads,
            "static_ns_per_event": round(static_ns, 3),
            "plastic_ns_per_plastic_event": round(plastic_ns, 3),
            "ratio": round(plastic_ns / static_ns, 2),
            "N3_sim_cpu_s": plastic["sim_cpu_s"], "N3_static_sim_cpu_s": fixed["sim_cpu_s"],
            "N3_events": plastic["events"], "N3_plastic_events": plastic_events,
            "N3_static_events": fixed["events"]}


def brian2(build, quick, out):
    args = [sys.executable, os.path.join(SOURCE, "bench", "compare_brian2.py"), "--build", build,
            "--pairs", "1" if quick else "3", "--networks", "N1" if quick else "N1,N2"]
    try:
        lines = run(args).stdout.strip().splitlines()
    except (subprocess.CalledProcessError, OSError) as e:
        detail = getattr(e, "stderr", "") or ""
        out.emit({"suite": "brian2", "error": f"{e} {detail.strip()[-500:]}"})
        return
    for line in lines:
        if line.startswith("{"):
            out.emit({"suite": "brian2", **json.loads(line)})


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_true")
    mode.add_argument("--full", action="store_true")
    parser.add_argument("--build", default="build",
                        help="build folder, relative to the source folder (default: build)")
    parser.add_argument("--threads", help="thread counts for the networks, e.g. 1,2 "
                        "(default: 1 with --quick, 1,2 with --full)")
    parser.add_argument("--skip", default="", help="kernels, networks and/or brian2")
    parser.add_argument("--out", help="also write the JSON lines to this file")
    args = parser.parse_args()

    skip = {s for s in args.skip.split(",") if s}
    unknown = skip - {"kernels", "networks", "brian2"}
    if unknown:
        parser.error(f"--skip: unknown step(s) {sorted(unknown)}; "
                     "the steps are kernels, networks, brian2")
    threads = [int(t) for t in (args.threads or ("1" if args.quick else "1,2")).split(",")]
    if any(t < 1 for t in threads):
        parser.error(f"--threads: each count must be >= 1, got {args.threads}")
    build = os.path.join(SOURCE, args.build)  # relative to the source folder

    out = Output(args.out)
    if "kernels" not in skip:
        kernels(build, args.quick, out)
    if "networks" not in skip:
        networks(build, args.quick, threads, out)
    if "brian2" not in skip:
        brian2(build, args.quick, out)
    return 1 if out.failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Runs N1 (CUBA) and N2 (Brunel) of shared/reference/networks.md in Brian2's C++
standalone mode and in spikeflow, alternately (A B A B ...), and prints per network the
median simulation time of each side, their ratio, and each side's spike count and mean rate
so a reader can see both simulated the same model.

    /usr/bin/python3 bench/compare_brian2.py [--pairs 3] [--networks N1,N2] [--build build]

Brian2's compile time is reported separately and excluded; its simulation time is the
`run_time` Brian2 itself records around network.run() (synapse creation excluded), and
spikeflow's is the `sim_s` of bench/spikeflow_networks (build excluded). Both run on one
thread. Needs Debian's python3-brian (scripts/install-deps --bench).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def brian2_cuba(duration_ms):
    import brian2 as b
    taum, taue, taui = 20 * b.ms, 5 * b.ms, 10 * b.ms
    Vt, Vr, El = -50 * b.mV, -60 * b.mV, -49 * b.mV
    eqs = """dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : volt
             dgi/dt = -gi / taui : volt"""
    P = b.NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * b.ms,
                      method="exact")
    P.v = "Vr + rand() * (Vt - Vr)"
    Ce = b.Synapses(P, P, on_pre="ge += 1.62*mV", delay=0.1 * b.ms)
    Ci = b.Synapses(P, P, on_pre="gi += -9*mV", delay=0.1 * b.ms)
    Ce.connect("i < 3200", p=0.02)
    Ci.connect("i >= 3200", p=0.02)
    monitor = b.SpikeMonitor(P)
    b.run(duration_ms * b.ms)
    return monitor, 4000


def brian2_brunel(duration_ms):
    import brian2 as b
    NE, NI, CE, CI = 10000, 2500, 1000, 250
    N = NE + NI
    J, g, D = 0.1 * b.mV, 5.0, 1.5 * b.ms
    tau, theta, Vr, tau_rp = 20 * b.ms, 20 * b.mV, 10 * b.mV, 2 * b.ms
    nu_thr = theta / (J * CE * tau)
    group = b.NeuronGroup(N, "dv/dt = -v / tau : volt (unless refractory)",
                          threshold="v > theta", reset="v = Vr", refractory=tau_rp,
                          method="exact")
    group.v = "rand() * theta"
    rng = np.random.default_rng(1)

    def fixed_indegree(first, count, k):
        # k sources per target drawn with repetition from [first, first + count), no autapses.
        targets = np.repeat(np.arange(N), k)
        sources = rng.integers(first, first + count - 1, size=N * k, endpoint=False)
        own = (targets >= first) & (targets < first + count)
        sources[own & (sources >= targets)] += 1
        return sources, targets

    exc = b.Synapses(group, group, on_pre="v += J", delay=D)
    i, j = fixed_indegree(0, NE, CE)
    exc.connect(i=i, j=j)
    inh = b.Synapses(group, group, on_pre="v += -g * J", delay=D)
    i, j = fixed_indegree(NE, NI, CI)
    inh.connect(i=i, j=j)
    # CE external inputs per neuron at eta * nu_thr each: Brian2 draws a binomial per step.
    # (assigned: Brian2's run() only collects objects held by a variable)
    drive = b.PoissonInput(group, "v", N=CE, rate=2.0 * nu_thr, weight=J)  # noqa: F841
    monitor = b.SpikeMonitor(group)
    b.run(duration_ms * b.ms)
    return monitor, N


NETWORKS = {
    "N1": (brian2_cuba, 10000.0),
    "N2": (brian2_brunel, 1000.0),
}


def brian2_worker(name, directory):
    """In a fresh process: generates, compiles and runs the Brian2 project once, then prints
    {"compile_s", "spikes", "neurons", "model_ms"} as JSON. Brian2's standalone device holds
    global state, so each network gets its own process."""
    import brian2 as b
    b.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b.prefs.devices.cpp_standalone.openmp_threads = 0  # one thread
    builder, duration = NETWORKS[name]
    monitor, neurons = builder(duration)
    start = time.perf_counter()
    b.device.build(directory=directory, compile=True, run=False, with_output=False)
    compile_s = time.perf_counter() - start
    b.device.run(directory=directory, with_output=False, run_args=[])
    print(json.dumps({"compile_s": compile_s, "spikes": int(monitor.num_spikes),
                      "neurons": neurons, "model_ms": duration}))


def run_brian2(directory):
    """Runs the compiled project again and returns the run_time Brian2 records."""
    subprocess.run(["./main"], cwd=directory, check=True, capture_output=True)
    with open(os.path.join(directory, "results", "last_run_info.txt")) as f:
        return float(f.read().split()[0])


def run_spikeflow(binary, name, source_dir):
    out = subprocess.run([binary, name, "--threads", "1"], cwd=source_dir, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--networks", default="N1,N2")
    parser.add_argument("--build", default="build", help="spikeflow build folder")
    parser.add_argument("--brian2-worker", nargs=2, metavar=("NAME", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.brian2_worker:
        brian2_worker(*args.brian2_worker)
        return 0
    source_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.path.join(source_dir, args.build, "bench", "spikeflow_networks")

    for name in args.networks.split(","):
        with tempfile.TemporaryDirectory(prefix=f"brian2_{name}_") as directory:
            worker = subprocess.run([sys.executable, os.path.abspath(__file__), "--brian2-worker",
                                     name, directory], check=True, capture_output=True, text=True)
            info = json.loads(worker.stdout.strip().splitlines()[-1])
            brian_times, spikeflow_times, sf_spikes = [], [], []
            for _ in range(args.pairs):
                brian_times.append(run_brian2(directory))
                result = run_spikeflow(binary, name, source_dir)
                spikeflow_times.append(result["sim_s"])
                sf_spikes.append(result["spikes"])
            neurons, duration = info["neurons"], info["model_ms"]
            b_med = statistics.median(brian_times)
            s_med = statistics.median(spikeflow_times)
            print(json.dumps({
                "network": name, "model_ms": duration, "pairs": args.pairs,
                "brian2_compile_s": round(info["compile_s"], 2),
                "brian2_sim_s": [round(t, 3) for t in brian_times],
                "spikeflow_sim_s": [round(t, 3) for t in spikeflow_times],
                "brian2_median_s": round(b_med, 3), "spikeflow_median_s": round(s_med, 3),
                "speedup": round(b_med / s_med, 2),
                "brian2_spikes": info["spikes"],
                "brian2_rate_hz": round(info["spikes"] / neurons / (duration / 1000.0), 2),
                "spikeflow_spikes": sf_spikes[-1],
                "spikeflow_rate_hz": round(sf_spikes[-1] / neurons / (duration / 1000.0), 2),
            }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# `spikeflow compare SPIKING.h5 RATE.h5` on synthetic files written here with known spike
# counts per bin and known rate traces: every figure of --json equals the numpy computation
# of the documented definitions (cli/compare_command.cpp) to 1e-9 relative; --map pairs
# populations of different names (and a report with several variables); stationary and
# homogeneous rate twins give null correlations, a note saying why, and the bias and spreads
# that compare instead; errors exit nonzero.
#
#   bash tests/e2e/test_compare.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_compare.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_compare.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_compare): $*" >&2; exit 1; }

"$PY" - <<'PY' || fail "could not write the synthetic files"
import h5py
import numpy as np

rng = np.random.default_rng(7)
T, n = 1000.0, 4
with h5py.File("spiking.h5", "w") as f:
    for pop, scale in [("E", 1.0), ("A", 3.0), ("S", 2.0)]:
        times, ids = [], []
        # Counts per 10 ms slice, spikes strictly inside each slice, so any window that is
        # a multiple of 10 ms sees known counts.
        counts = rng.integers(0, 4, size=(int(T / 10), n)) * scale
        for s in range(counts.shape[0]):
            for j in range(n):
                c = int(counts[s, j])
                for k in range(c):
                    times.append(10.0 * s + 10.0 * (k + 1) / (c + 1))
                    ids.append(j)
        order = np.lexsort((ids, times))
        g = f.create_group(f"spikes/{pop}")
        g["timestamps"] = np.asarray(times)[order]
        g["node_ids"] = np.asarray(ids, dtype=np.uint64)[order]
        np.save(f"counts_{pop}.npy", counts)
    f["provenance/simulated_until_ms"] = T
with h5py.File("rate.h5", "w") as f:
    for pop, group in [("E", "report/E"), ("B", "report/B/r")]:
        data = (rng.random((int(T), n)) * 40.0).astype(np.float32)
        g = f.create_group(group)
        g["data"] = data
        g["data"].attrs["variable_name"] = "r"
        g["mapping/node_ids"] = np.arange(n, dtype=np.uint64)
        g["mapping/time"] = np.array([1.0, T + 1.0, 1.0])
        np.save(f"rate_{pop}.npy", data.astype(np.float64))
    f.create_group("report/B/I")["data"] = np.zeros((int(T), n), dtype=np.float32)
    # Stationary twins: S the same constant in every unit and frame, H a constant per unit.
    for pop, data in [("S", np.full((int(T), n), 20.0)),
                      ("H", np.tile([10.0, 20.0, 30.0, 40.0], (int(T), 1)))]:
        g = f.create_group(f"report/{pop}")
        g["data"] = data.astype(np.float32)
        g["data"].attrs["variable_name"] = "r"
        g["mapping/node_ids"] = np.arange(n, dtype=np.uint64)
        g["mapping/time"] = np.array([1.0, T + 1.0, 1.0])
        np.save(f"rate_{pop}.npy", data)
PY

"$SPIKEFLOW" compare spiking.h5 rate.h5 --window 50 --from 100 --json out.json > table.txt ||
  fail "compare exited $?"
"$SPIKEFLOW" compare spiking.h5 rate.h5 --window 50 --map S=S --map S=H --json twin.json \
  > twin.txt || fail "compare of stationary twins exited $?"
grep -q "^S  .* -  " twin.txt || fail "an undefined corr(t) is not shown as '-': $(cat twin.txt)"
grep -q "S: corr(t) is undefined: the rate model is stationary" twin.txt ||
  fail "no note on the stationary twin: $(cat twin.txt)"
grep -q "S: corr(n) is undefined: every rate unit has the same mean rate" twin.txt ||
  fail "no note on the homogeneous twin: $(cat twin.txt)"
grep -q "S -> H: corr(n)" twin.txt && fail "a heterogeneous twin got a corr(n) note: $(cat twin.txt)"
grep -q "^E " table.txt || fail "no table row for E: $(cat table.txt)"
"$SPIKEFLOW" compare spiking.h5 rate.h5 --window 20 --map E=E --map A=B --json map.json -q \
  2>/dev/null && fail "an unknown option (-q) was accepted"
"$SPIKEFLOW" compare spiking.h5 rate.h5 --window 20 --map E=E --map A=B --json map.json \
  > /dev/null || fail "compare --map exited $?"

"$PY" - <<'PY' || fail "figures differ from numpy"
import json
import numpy as np

np.seterr(invalid="ignore", divide="ignore")  # numpy's corrcoef of a constant series is nan

def expected(spk, rate, window, start):
    counts = np.load(f"counts_{spk}.npy")          # (100 slices of 10 ms, n)
    data = np.load(f"rate_{rate}.npy")              # frame f at time 1 + f ms
    bins = int((1000.0 - start) // window)
    per = int(window // 10)
    first = int(start // 10)
    s = np.array([counts[first + b * per: first + (b + 1) * per].sum(axis=0)
                  for b in range(bins)]) * 1000.0 / window
    times = 1.0 + np.arange(data.shape[0])
    r = np.array([data[(times > start + b * window) & (times <= start + (b + 1) * window)]
                  .mean(axis=0) for b in range(bins)])
    S, R = s.mean(axis=1), r.mean(axis=1)
    sn, rn = s.mean(axis=0), r.mean(axis=0)
    return {"bins": bins, "mean_spiking_hz": S.mean(), "mean_rate_hz": R.mean(),
            "correlation_time": np.corrcoef(S, R)[0, 1],
            "rmse_time_hz": np.sqrt(np.mean((S - R) ** 2)),
            "correlation_neurons": np.corrcoef(sn, rn)[0, 1],
            "rmse_neurons_hz": np.sqrt(np.mean((sn - rn) ** 2)),
            "relative_error": abs(S.mean() - R.mean()) / R.mean(),
            "spiking_hz": S, "rate_hz": R, "neuron_spiking_hz": sn, "neuron_rate_hz": rn}

def check(path, pairs, window, start, checked=None):
    got = json.load(open(path))
    assert [(p["spiking"], p["rate"]) for p in got["populations"]] == pairs, got["populations"]
    for p, (spk, rate) in zip(got["populations"], pairs):
        if checked and spk not in checked:
            continue
        want = expected(spk, rate, window, start)
        for key, value in want.items():
            assert np.allclose(p[key], value, rtol=1e-9, atol=0), (path, spk, key, p[key], value)
        print(path, spk, "->", rate, "corr(t) %.4f RMSE(t) %.3f Hz" %
              (p["correlation_time"], p["rmse_time_hz"]))

check("out.json", [("E", "E"), ("S", "S")], 50.0, 100.0, checked=["E"])  # matched by name
check("map.json", [("E", "E"), ("A", "B")], 20.0, 0.0)

# Stationary twins: correlations undefined (null) where a side is constant, and the measures
# that remain: bias, the spiking run's sd over bins and across neurons.
got = json.load(open("twin.json"))["populations"]
for p, rate in zip(got, ["S", "H"]):
    want = expected("S", rate, 50.0, 0.0)
    S, sn, R, rn = want["spiking_hz"], want["neuron_spiking_hz"], want["rate_hz"], want["neuron_rate_hz"]
    assert p["correlation_time"] is None and p["rate_constant_in_time"], p
    assert not p["spiking_constant_in_time"], p
    for key, value in [("bias_hz", S.mean() - R.mean()), ("sd_time_spiking_hz", S.std()),
                       ("sd_time_rate_hz", R.std()), ("sd_neurons_spiking_hz", sn.std()),
                       ("sd_neurons_rate_hz", rn.std()), ("relative_error", want["relative_error"]),
                       ("rmse_time_hz", want["rmse_time_hz"])]:
        assert np.isclose(p[key], value, rtol=1e-9, atol=1e-9), (rate, key, p[key], value)
    # RMSE(t)^2 = bias^2 + sd(t)^2 against a constant series.
    assert np.isclose(p["rmse_time_hz"] ** 2, p["bias_hz"] ** 2 + p["sd_time_spiking_hz"] ** 2)
    assert any("corr(t) is undefined" in n for n in p["notes"]), p["notes"]
s_twin, h_twin = got
assert s_twin["correlation_neurons"] is None and s_twin["rate_constant_across_neurons"]
assert h_twin["correlation_neurons"] is not None and not h_twin["rate_constant_across_neurons"]
want = expected("S", "H", 50.0, 0.0)
assert np.isclose(h_twin["correlation_neurons"], want["correlation_neurons"], rtol=1e-9)
print("stationary twins: S corr(t) null, corr(n) null; H corr(n) %.4f" % h_twin["correlation_neurons"])
PY

status=0
"$SPIKEFLOW" compare spiking.h5 rate.h5 --map E 2> err.txt || status=$?
[ "$status" -eq 2 ] || fail "--map without '=' exited $status, expected 2"
grep -q "expected SPIKING=RATE" err.txt || fail "unexpected message: $(cat err.txt)"
status=0
"$SPIKEFLOW" compare spiking.h5 rate.h5 --map X=E 2> err.txt || status=$?
[ "$status" -eq 3 ] || fail "an unknown spiking population exited $status, expected 3"
grep -q "no spikes of population 'X'" err.txt || fail "unexpected message: $(cat err.txt)"
status=0
"$SPIKEFLOW" compare spiking.h5 rate.h5 --window 0.5 2> err.txt || status=$?
[ "$status" -eq 2 ] || fail "a window below the trace interval exited $status, expected 2"
"$PY" "$SRC/examples/plot_compare.py" map.json -o map.png > /dev/null ||
  fail "plot_compare.py failed"
[ -s map.png ] || fail "plot_compare.py wrote no PNG"
# Only rates are compared: a run's V_m trace is no rate (found by a breaker: it was read as
# Hz), and adapters' empty spike groups make no pair.
"$SPIKEFLOW" run "$SRC/examples/mixed.toml" -o mixed.h5 --quiet --set simulation.duration=50
status=0
"$SPIKEFLOW" compare mixed.h5 mixed.h5 2> err.txt || status=$?
[ "$status" -eq 2 ] || fail "mixed.h5 against itself exited $status, expected 2 (no rate pairs)"
status=0
"$SPIKEFLOW" compare mixed.h5 mixed.h5 --map DRIVEN=DRIVEN 2> err.txt || status=$?
[ "$status" -eq 3 ] || fail "a V_m trace as the rate exited $status, expected 3"
grep -q "records 'V_m', not a rate" err.txt || fail "unexpected message: $(cat err.txt)"
echo ok

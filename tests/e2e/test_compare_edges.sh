#!/usr/bin/env bash
# `spikeflow compare` where the two sides do not line up (issue 5): a rate model with more
# units than the spiking population is compared on the neurons both have (numpy's figures over
# units 0..4 only, and a note); the relative error divides by |mean R| (tanh-like units with a
# negative mean); units that differ by 1e-4 Hz count as a homogeneous twin (sd <= 1e-4 |mean|:
# corr(n) undefined); both sides constant and a silent rate model give notes and null, never
# nan or inf; an adapter (graded outputs) is refused as the spiking side; a report without
# variable_name is refused for that reason; --json onto an input is refused before reading.
#
#   bash tests/e2e/test_compare_edges.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_compare_edges.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_compare_edges.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_compare_edges): $*" >&2; exit 1; }
run() {  # run CMD...: sets $status and $err
  status=0
  "$@" >out.txt 2>err.txt || status=$?
  err=$(cat err.txt)
}

"$PY" - <<'PY' || fail "could not write the synthetic files"
import h5py
import numpy as np

rng = np.random.default_rng(11)
T = 1000.0
frames = int(T)

def spikes(f, pop, size, counts):
    """counts[slice of 10 ms, neuron]: spikes strictly inside each slice."""
    times, ids = [], []
    for s in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            c = int(counts[s, j])
            times += [10.0 * s + 10.0 * (k + 1) / (c + 1) for k in range(c)]
            ids += [j] * c
    order = np.lexsort((ids, times))
    g = f.create_group(f"spikes/{pop}")
    g.attrs["size"] = np.uint64(size)
    g["timestamps"] = np.asarray(times, dtype=np.float64)[order]
    g["node_ids"] = np.asarray(ids, dtype=np.uint64)[order]
    np.save(f"counts_{pop}.npy", counts)

def report(f, pop, data, variable="r"):
    g = f.create_group(f"report/{pop}")
    g["data"] = data.astype(np.float32)
    if variable is not None:
        g["data"].attrs["variable_name"] = variable
    g["mapping/node_ids"] = np.arange(data.shape[1], dtype=np.uint64)
    g["mapping/time"] = np.array([1.0, T + 1.0, 1.0])
    np.save(f"rate_{pop}.npy", data.astype(np.float32).astype(np.float64))

with h5py.File("spiking.h5", "w") as f:
    spikes(f, "S", 5, rng.integers(0, 4, size=(100, 5)))
    spikes(f, "C", 4, np.full((100, 4), 2))          # constant: 200 Hz in every bin and neuron
    f["provenance/simulated_until_ms"] = T
with h5py.File("rate.h5", "w") as f:
    report(f, "R", rng.random((frames, 40)) * 40.0)  # 40 units for 5 spiking neurons
    report(f, "T", rng.random((frames, 5)) * 0.4 - 0.5)  # tanh-like: mean -0.3
    # A twin whose units differ by 1e-4 Hz at 50 Hz, and a silent one.
    report(f, "N", np.tile(50.0 + 1e-4 * np.arange(5), (frames, 1)))
    report(f, "Z", np.zeros((frames, 4)))
    report(f, "K", np.full((frames, 4), 150.0))
    report(f, "U", rng.random((frames, 5)), variable=None)
PY

"$SPIKEFLOW" compare spiking.h5 rate.h5 --window 50 --map S=R --map S=T --map S=N --json a.json \
  > a.txt || fail "compare S=R, S=T, S=N exited $?"
grep -q "the rate model records 40 units with ids beyond the 5 neurons" a.txt ||
  fail "no note on the units left out: $(cat a.txt)"
"$SPIKEFLOW" compare spiking.h5 rate.h5 --window 50 --map C=Z --map C=K --json c.json > c.txt ||
  fail "compare C=Z, C=K exited $?"
grep -Eq "nan|inf" c.txt && fail "nan or inf in the table: $(cat c.txt)"
grep -q "C -> K: corr(t) is undefined: both the spiking run and the rate model" c.txt ||
  fail "no note on both sides constant: $(cat c.txt)"
grep -q "rel err undefined (the rate model's mean is 0 Hz)" c.txt ||
  fail "no note on the silent rate model: $(cat c.txt)"

"$PY" - <<'PY' || fail "figures differ from numpy"
import json
import numpy as np

def expected(spk, rate, window, n):
    counts = np.load(f"counts_{spk}.npy")[:, :n]
    data = np.load(f"rate_{rate}.npy")[:, :n]
    bins = int(1000.0 // window)
    per = int(window // 10)
    s = np.array([counts[b * per:(b + 1) * per].sum(axis=0) for b in range(bins)]) * 1000.0 / window
    times = 1.0 + np.arange(data.shape[0])
    r = np.array([data[(times > b * window) & (times <= (b + 1) * window)].mean(axis=0)
                  for b in range(bins)])
    S, R = s.mean(axis=1), r.mean(axis=1)
    return {"neurons": n, "mean_spiking_hz": S.mean(), "mean_rate_hz": R.mean(),
            "correlation_time": np.corrcoef(S, R)[0, 1],
            "rmse_time_hz": np.sqrt(np.mean((S - R) ** 2)),
            "relative_error": abs(S.mean() - R.mean()) / abs(R.mean()),
            "neuron_rate_hz": r.mean(axis=0)}

a = {p["rate"]: p for p in json.load(open("a.json"))["populations"]}
for rate in ["R", "T"]:
    want = expected("S", rate, 50.0, 5)
    for key, value in want.items():
        assert np.allclose(a[rate][key], value, rtol=1e-9, atol=0), (rate, key, a[rate][key], value)
assert a["R"]["rate_units_left_out"] == 35 and a["T"]["rate_units_left_out"] == 0
assert a["T"]["mean_rate_hz"] < 0 and a["T"]["relative_error"] > 0, a["T"]
# Units 50, 50.0001, ... Hz: sd / mean = 2.8e-6 <= 1e-4, a homogeneous twin.
assert a["N"]["rate_constant_across_neurons"] and a["N"]["correlation_neurons"] is None, a["N"]
c = {p["rate"]: p for p in json.load(open("c.json"))["populations"]}
assert c["Z"]["relative_error"] is None and c["Z"]["bias_hz"] == 200.0, c["Z"]
assert c["K"]["relative_error"] == 50.0 / 150.0, c["K"]
for p in c.values():
    assert p["spiking_constant_in_time"] and p["rate_constant_in_time"], p
    assert p["correlation_time"] is None and p["correlation_neurons"] is None, p
print("S -> R on 5 of 40 units, S -> T rel err %.4f (mean R %.4f)" %
      (a["T"]["relative_error"], a["T"]["mean_rate_hz"]))
PY

# A report without variable_name: refused for that reason.
run "$SPIKEFLOW" compare spiking.h5 rate.h5 --map S=U
[ "$status" -eq 3 ] || fail "a report without variable_name: exit $status, expected 3"
grep -q "has no variable_name attribute, so it is not known to be a rate" err.txt ||
  fail "a report without variable_name: $err"
# --json onto an input, or into a missing directory: refused before any figure.
run "$SPIKEFLOW" compare spiking.h5 rate.h5 --map S=R --json rate.h5
[ "$status" -eq 3 ] && grep -q "it is an input of this command" err.txt ||
  fail "--json onto the rate file: exit $status: $err"
run "$SPIKEFLOW" compare spiking.h5 rate.h5 --map S=R --json nodir/x.json
[ "$status" -eq 3 ] && grep -q "does not exist" err.txt || fail "--json nodir: exit $status: $err"
run "$SPIKEFLOW" compare spiking.h5 rate.h5 --from -100
[ "$status" -eq 2 ] && grep -qF "option --from: expected a number >= 0, got '-100'" err.txt ||
  fail "--from -100: exit $status: $err"
run "$SPIKEFLOW" compare spiking.h5 rate.h5 --map S=R --window 0.5
grep -qF "option --window: 0.5 ms is shorter than the rate trace's interval of 1 ms" err.txt ||
  fail "--window 0.5: $err"

# An adapter as the spiking side: it has graded outputs, no spikes.
"$SPIKEFLOW" run "$SRC/examples/mixed.toml" -o mixed.h5 --quiet --set simulation.duration=50
run "$SPIKEFLOW" compare mixed.h5 mixed.h5 --map R=R
[ "$status" -eq 2 ] || fail "a rate adapter as the spiking side: exit $status, expected 2 ($err)"
grep -q "population 'R' (rate) has graded outputs and no spikes" err.txt ||
  fail "a rate adapter as the spiking side: $err"
"$PY" -c "
import h5py, sys
f = h5py.File('mixed.h5', 'r')
assert f['spikes/R'].attrs['graded'] and f['spikes/R'].attrs['model'] == 'rate', dict(f['spikes/R'].attrs)
assert not f['spikes/E'].attrs['graded'] and f['spikes/E'].attrs['model'] == 'lif_delta'
" || fail "the graded and model attributes of the spike groups"
echo ok

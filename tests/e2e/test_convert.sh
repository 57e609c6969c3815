#!/usr/bin/env bash
# `spikeflow convert` on examples/ann_to_snn/mlp.h5 (a ReLU network trained in numpy,
# examples/ann_to_snn/make_mlp.py): the scales equal numpy's 99.9th percentiles, the rate
# network's accuracy the one numpy stored, the spiking network agrees with the rate network on
# >= 99% of the 1000 test inputs after 200 steps; the model file it writes runs, gives the
# output counts the command reports for that input, and its first layer fires as numpy's
# normalised drive predicts; errors exit with the documented codes.
#
#   bash tests/e2e/test_convert.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_convert.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_convert.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_convert): $*" >&2; exit 1; }
ANN="$SRC/examples/ann_to_snn/mlp.h5"

"$SPIKEFLOW" convert "$ANN" --calibration data/x_calibration --evaluate data/x_test \
  --labels data/y_test --time 50,200 --json convert.json -o snn.toml --input 7 > table.txt ||
  fail "convert exited $?"
grep -q "agreement" table.txt || fail "no table: $(cat table.txt)"
"$SPIKEFLOW" run snn.toml -o run.h5 -q || fail "the written model file does not run"
"$SPIKEFLOW" run snn.toml -o snn1.h5 -q --threads 1 || fail "the model file does not run"

"$PY" - "$ANN" <<'PY' || fail "figures differ from numpy"
import json
import sys

import h5py
import numpy as np

ann = h5py.File(sys.argv[1], "r")
got = json.load(open("convert.json"))
want = ann["reference/scale_p99.9"][:]
scales = np.array([layer["scale"] for layer in got["layers"]])
assert np.allclose(scales, want, rtol=1e-9), (scales, want)
assert abs(got["rate_accuracy"] - ann.attrs["test_accuracy"]) < 1e-12, got["rate_accuracy"]
times = {t["steps"]: t for t in got["times"]}
print("agreement after 50 / 200 steps:", times[50]["agreement"], times[200]["agreement"])
assert times[200]["agreement"] >= 0.99, times[200]

# The model file's run: output counts as the command reported for row 7 after 200 steps.
run = h5py.File("run.h5", "r")
def counts(pop, n):
    return np.bincount(run[f"spikes/{pop}/node_ids"][:].astype(int), minlength=n)
exported = {e["steps"]: e for e in got["exported"]}
assert list(counts("L3", 3)) == exported[200]["counts"], (counts("L3", 3), exported[200])
assert np.argmax(ann["reference/logits"][7]) == exported[200]["decision"]
with h5py.File("snn1.h5", "r") as one:
    for pop in ("L1", "L2", "L3"):
        assert np.array_equal(one[f"spikes/{pop}/timestamps"][:], run[f"spikes/{pop}/timestamps"][:])

# Layer 1 from numpy: drive z = (W1 x + b1) / lambda_1 per step (V_th units) from step 2 on
# (the bias unit's first output, one step of delay), V_m from V_th / 2: floor(0.5 + n z)
# spikes in the n = 198 steps, at most one per step; the excess stays in V_m.
x = ann["data/x_test"][7]
z = (ann["fc1/weight"][:] @ x + ann["fc1/bias"][:]) / want[0]
n = 200 - 2
expected = np.where(z <= 0, 0, np.minimum(n, np.floor(0.5 + n * z)))
diff = np.abs(counts("L1", 32) - expected)
print("layer 1: largest difference from numpy", diff.max(), "spikes;", int(expected.sum()), "in all")
assert diff.max() <= 1, (counts("L1", 32), expected)
PY

status=0
"$SPIKEFLOW" convert "$ANN" --evaluate data/x_test 2> err.txt || status=$?
[ "$status" -eq 2 ] || fail "no --calibration exited $status, expected 2"
status=0
"$SPIKEFLOW" convert "$ANN" --calibration data/nothing 2> err.txt || status=$?
[ "$status" -eq 1 ] || fail "a missing dataset exited $status, expected 1"
grep -q "dataset '/data/nothing' is missing" err.txt || fail "unexpected message: $(cat err.txt)"
status=0
"$SPIKEFLOW" convert "$ANN" --calibration data/y_test 2> err.txt || status=$?
[ "$status" -eq 1 ] || fail "labels as calibration inputs exited $status, expected 1"
grep -q "must be \[rows, 4\]" err.txt || fail "unexpected message: $(cat err.txt)"
status=0
"$SPIKEFLOW" convert "$ANN" --calibration data/x_calibration --percentile 120 2> err.txt ||
  status=$?
[ "$status" -eq 2 ] || fail "percentile 120 exited $status, expected 2"
grep -qF "option --percentile: expected a number in (0, 100], got '120'" err.txt ||
  fail "unexpected: $(cat err.txt)"
echo ok

#!/usr/bin/env bash
# examples/rate_learning.toml (Oja's and Hebb's rules on projections between rate
# populations, from a model file) against numpy: the eigenvectors of <x x^T> are computed
# here from the recorded input X; Oja's weights must end at the principal one (unit norm),
# Hebb's must point along it and grow at the rate eta lambda_max.
#
#   bash tests/e2e/test_rate_learning.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_rate_learning.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_rate_learning.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_rate_learning): $*" >&2; exit 1; }

"$SPIKEFLOW" run "$SRC/examples/rate_learning.toml" -o learn.h5 -q || fail "run exited $?"
"$SPIKEFLOW" validate "$SRC/examples/rate_learning.toml" > validate.txt || fail "validate failed"
grep -q "plastic: oja, eta 0.002" validate.txt || fail "validate does not show the rule"

"$PY" - <<'PY' || fail "the learned weights disagree with numpy's eigenvectors"
import h5py
import numpy as np

f = h5py.File("learn.h5", "r")
x = f["report/X/data"][:].astype(np.float64)   # the input vector, every step
C = x.T @ x / len(x)
lam, vec = np.linalg.eigh(C)
e1 = vec[:, -1] * np.sign(vec[:, -1].sum())
mean = x.mean(axis=0) / np.linalg.norm(x.mean(axis=0))

def snapshots(name):
    g = f["weights"][name]
    off, w, src = g["offsets"][:], g["weight"][:].astype(np.float64), g["source"][:]
    rows = [w[off[k]:off[k + 1]][np.argsort(src[off[k]:off[k + 1]])] for k in range(len(off) - 1)]
    return g["times"][:], np.array(rows)

def angle(a, b):
    return np.degrees(np.arccos(min(1.0, abs(a @ b) / np.linalg.norm(a) / np.linalg.norm(b))))

t, oja = snapshots("X->Y_oja")
w = oja[-1]
print(f"lambda {lam}, e1 {e1}; mean direction {angle(mean, e1):.2f} deg from e1")
print(f"oja: w {w}, |w| {np.linalg.norm(w):.6f}, {angle(w, e1):.3f} deg from e1")
assert abs(w @ e1) / np.linalg.norm(w) > 0.999, "oja: not at the principal eigenvector"
assert abs(np.linalg.norm(w) - 1.0) < 0.01, "oja: |w| is not 1"
# The fixed point is e1, not the mean input direction (4 degrees away for this input).
assert angle(w, e1) < angle(w, mean) - 2.0, "oja: closer to the mean input than to e1"
late = oja[len(oja) // 2:]
assert (np.abs(late @ e1) / np.linalg.norm(late, axis=1)).min() > 0.999, "oja: left e1 again"

t, hebb = snapshots("X->Y_hebb")
w = hebb[-1]
norms = np.log(np.linalg.norm(hebb, axis=1))
half = len(t) // 2
slope = (norms[-1] - norms[half]) / (t[-1] - t[half])   # per ms = per update (dt 1 ms)
print(f"hebb: {angle(w, e1):.3f} deg from e1, log|w| grows {slope:.5g} per update, "
      f"eta lambda_max = {1e-4 * lam[-1]:.5g}")
assert abs(w @ e1) / np.linalg.norm(w) > 0.999, "hebb: not along the principal eigenvector"
assert abs(slope / (1e-4 * lam[-1]) - 1.0) < 0.02, "hebb: growth rate is not eta lambda_max"
assert np.all(np.diff(np.linalg.norm(hebb, axis=1)) > 0), "hebb: |w| decreased"
PY
echo ok

#!/usr/bin/env bash
# examples/stdp.toml through the command: the plastic weights are recorded every second,
# lie within [w_min, w_max] = [0, 0.1] mV, change from snapshot to snapshot, and the
# snapshot at 0 holds the initial uniform(0, 0.1) weights; plot_stdp.py draws them.
#
#   bash tests/e2e/test_stdp_example.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_stdp_example.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_stdp_example.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_stdp_example): $*" >&2; exit 1; }

"$SPIKEFLOW" run "$SRC/examples/stdp.toml" -o stdp.h5 --quiet --threads 2 \
  --set simulation.duration=2000 || fail "run failed"

"$PY" - stdp.h5 <<'PY'
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r") as f:
    g = f["weights/input->output"]
    times, offsets, w = g["times"][:], g["offsets"][:], g["weight"][:]
    if list(times) != [0.0, 1000.0, 2000.0]:
        sys.exit(f"FAIL (test_stdp_example): snapshot times {list(times)}, expected 0, 1000, 2000")
    snaps = [w[offsets[k]:offsets[k + 1]] for k in range(3)]
    if any(len(s) != 20000 for s in snaps):
        sys.exit("FAIL (test_stdp_example): a snapshot does not hold all 20000 synapses")
    if w.min() < 0.0 or w.max() > np.float32(0.1):
        sys.exit(f"FAIL (test_stdp_example): weights outside [0, 0.1]: {w.min()} .. {w.max()}")
    # Initial weights uniform(0, 0.1): mean 0.05 within 4 standard errors (0.1/sqrt(12 n)).
    if abs(snaps[0].mean() - 0.05) > 4 * 0.1 / np.sqrt(12 * 20000):
        sys.exit(f"FAIL (test_stdp_example): initial mean weight {snaps[0].mean()}")
    for k in (1, 2):
        changed = np.count_nonzero(snaps[k] != snaps[k - 1])
        if changed < 10000:
            sys.exit(f"FAIL (test_stdp_example): only {changed} weights changed before {times[k]} ms")
print("ok")
PY
# A subset of the synapses (recordings.weights sources / targets, added to the example's
# recording, its last table): the same run records exactly the rows of the full
# recording whose source and target are listed, with the same weights.
tail -n 1 "$SRC/examples/stdp.toml" | grep -q '^interval = "1000 ms"$' \
  || fail "examples/stdp.toml no longer ends with its weight recording"
{ cat "$SRC/examples/stdp.toml"; echo 'sources = [999, 0, 17, 17, 500]'; echo 'targets = [3, 19]'; } \
  > subset.toml
out=$("$SPIKEFLOW" validate subset.toml) || fail "validate subset.toml failed"
grep -q 'input->output *11 times, 4 source neurons, 2 target neurons' <<<"$out" \
  || fail "validate does not show the subset: $out"
grep -Eq 'plastic: stdp \(all_to_all, additive, tau_plus 20 ms, tau_minus 20 ms, A_plus 0.01, A_minus 0.0105, w in \[0, 0.1\]\)' <<<"$out" \
  || fail "validate does not show the plasticity: $out"
"$SPIKEFLOW" run subset.toml -o subset.h5 --quiet --threads 1 \
  --set simulation.duration=2000 || fail "subset run failed"
"$PY" - stdp.h5 subset.h5 <<'PY'
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r") as full, h5py.File(sys.argv[2], "r") as sub:
    f, s = full["weights/input->output"], sub["weights/input->output"]
    if list(s["times"][:]) != list(f["times"][:]):
        sys.exit("FAIL (test_stdp_example): subset snapshot times differ")
    fo, so = f["offsets"][:], s["offsets"][:]
    for k in range(len(fo) - 1):
        a = slice(fo[k], fo[k + 1])
        keep = np.isin(f["source"][a], [0, 17, 500, 999]) & np.isin(f["target"][a], [3, 19])
        b = slice(so[k], so[k + 1])
        for name in ("source", "target", "weight", "delay"):
            want, got = f[name][a][keep], s[name][b]
            if len(want) != 8 or not np.array_equal(want, got):
                sys.exit(f"FAIL (test_stdp_example): snapshot {k} {name}: {got} != {want}")
print("ok")
PY
"$PY" "$SRC/examples/plot_stdp.py" stdp.h5 -o stdp.png >/dev/null || fail "plot_stdp.py failed"
[ -s stdp.png ] || fail "plot_stdp.py wrote no PNG"
echo "test_stdp_example: ok"

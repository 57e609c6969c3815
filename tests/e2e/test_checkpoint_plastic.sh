#!/usr/bin/env bash
# Checkpoints of plastic and adapter networks through the command (docs/checkpoints.md):
# examples/stdp.toml shortened to 2.5 s (beyond the rule's 1000 ms horizon, so sources are
# flushed before and after the checkpoint) and examples/mixed.toml, each killed by SIGKILL
# right after a checkpoint (test hook SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT), resumed in
# place with 2 threads and into a new file with 1; every recording equals the uninterrupted
# run's: spike datasets byte for byte, weight snapshots and traces value for value.
#
#   bash tests/e2e/test_checkpoint_plastic.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_checkpoint_plastic.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_checkpoint_plastic.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_checkpoint_plastic): $*" >&2; exit 1; }

# same_recording A B: spike datasets byte-identical, every report and weight dataset equal,
# both complete; the weights must have moved between the first and last snapshot.
same_recording() {
  "$PY" - "$1" "$2" <<'PY' || fail "$1 differs from $2"
import sys
import h5py, numpy as np
a_name, b_name = sys.argv[1], sys.argv[2]
with h5py.File(a_name, "r") as a, h5py.File(b_name, "r") as b:
    assert bool(a.attrs["completed"]) and bool(b.attrs["completed"]), "not both completed"
    assert sorted(a["spikes"]) == sorted(b["spikes"]), "spike populations differ"
    total = 0
    for pop in a["spikes"]:
        for ds in ("timestamps", "node_ids"):
            x, y = a["spikes"][pop][ds][()], b["spikes"][pop][ds][()]
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), \
                f"spikes/{pop}/{ds}: {len(x)} vs {len(y)} values, or they differ"
        total += len(a["spikes"][pop]["timestamps"])
    compared = 0
    for path in ("report", "weights"):
        assert (path in a) == (path in b), f"{path} in one file only"
        if path not in a:
            continue
        def visit(name, obj):
            global compared
            if isinstance(obj, h5py.Dataset):
                x, y = obj[()], b[path][name][()]
                assert x.shape == y.shape and np.array_equal(x, y), f"{path}/{name} differs"
                compared += 1
        a[path].visititems(visit)
    if "weights" in a:
        for proj in a["weights"]:
            g = a["weights"][proj]
            off, w = g["offsets"][()], g["weight"][()]
            first, last = w[off[0]:off[1]], w[off[-2]:off[-1]]
            moved = float(np.max(np.abs(last - first)))
            assert moved > 1e-3, f"weights/{proj}: no learning to lose (moved {moved})"
    print(f"{a_name} == {b_name}: {total} spikes, {compared} datasets equal")
PY
}

check_time() {  # check_time CKPT MS
  "$PY" -c 'import h5py, sys
t = h5py.File(sys.argv[1], "r")["run"].attrs["time_ms"]
sys.exit(0 if t == float(sys.argv[2]) else "checkpoint at %r ms, expected %s" % (t, sys.argv[2]))' \
    "$1" "$2" || fail "checkpoint time of $1"
}

# killed_and_resumed NAME MODEL EVERY_MS KILL_AFTER CKPT_MS [--set ...]
killed_and_resumed() {
  local name=$1 model=$2 every=$3 kill_after=$4 at=$5
  shift 5
  "$SPIKEFLOW" run "$model" -o "$name.ref.h5" --threads 1 --quiet "$@" \
    || fail "$name: uninterrupted run failed"
  local status=0
  SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT=$kill_after "$SPIKEFLOW" run "$model" -o "$name.h5" \
    --threads 1 --checkpoint-every "$every" --quiet "$@" 2>"$name.err" || status=$?
  [ "$status" -eq 137 ] || fail "$name: the hooked run should die of SIGKILL (137), got $status"
  check_time "$name.ckpt.h5" "$at"
  cp "$name.ckpt.h5" "$name.saved.ckpt.h5"
  "$SPIKEFLOW" resume "$name.ckpt.h5" --threads 2 --quiet || fail "$name: resume in place failed"
  same_recording "$name.h5" "$name.ref.h5"
  "$SPIKEFLOW" resume "$name.saved.ckpt.h5" -o "$name.b.h5" --threads 1 \
    --checkpoint "$name.b.ckpt.h5" --quiet || fail "$name: resume -o failed"
  same_recording "$name.b.h5" "$name.ref.h5"
}

# STDP: checkpoints every 700 ms, killed after the second (1400 ms, no snapshot time).
killed_and_resumed stdp "$SRC/examples/stdp.toml" 700 2 1400 \
  --set simulation.duration=2500 --set 'recordings.weights.0.interval="500 ms"'
# Adapters: checkpoints every 150.3 ms (inside the 1 ms update intervals), killed after 2.
killed_and_resumed mixed "$SRC/examples/mixed.toml" 150.3 2 300.6 --set simulation.duration=450
echo "test_checkpoint_plastic: OK"

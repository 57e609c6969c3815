#!/usr/bin/env bash
# Checkpoint and resume through the command (docs/checkpoints.md). An interrupted run
# resumed from its checkpoint gives a recording whose spike datasets are byte-identical to
# those of the uninterrupted run (and its traces and weight snapshots equal), for 1 and 2
# threads at resume, after a kill at a known point (the test hook
# SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT), after SIGKILL and SIGTERM sent to a running run,
# and with -o (a new file). A kill during a checkpoint (SPIKEFLOW_CHECKPOINT_ABORT_AFTER)
# leaves the previous checkpoint intact.
#
#   bash tests/e2e/test_checkpoint.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_checkpoint.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_checkpoint.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
MIXED=$SRC/tests/e2e/checkpoint_mixed.toml
CUBA=$SRC/examples/cuba.toml
WORK=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_checkpoint): $*" >&2; exit 1; }

# same_recording A B: every spike dataset byte-identical, traces and weight snapshots equal,
# both complete.
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
        n = len(a["spikes"][pop]["timestamps"])
        assert n > 0, f"spikes/{pop}: no spikes"
        total += n
    for path in ("report", "weights"):
        if path not in b:
            continue
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                assert np.array_equal(obj[()], a[path][name][()]), f"{path}/{name} differs"
        b[path].visititems(visit)
    assert a["provenance/simulated_until_ms"][()] == b["provenance/simulated_until_ms"][()]
    assert list(a["provenance/spike_counts"][()]) == list(b["provenance/spike_counts"][()])
    print(f"{a_name} == {b_name}: {total} spikes, byte-identical")
PY
}

# wait_for FILE: until FILE exists (the run in $pid still going), at most 60 s.
wait_for() {
  for _ in $(seq 600); do
    [ -e "$1" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "the run ended before $1 appeared"
    sleep 0.1
  done
  fail "$1 did not appear within 60 s"
}

# --- the mixed network, killed at a known point -----------------------------------------
"$SPIKEFLOW" run "$MIXED" -o ref.h5 --threads 1 --quiet || fail "uninterrupted run failed"

status=0
# Every 500 ms: the second checkpoint (1000 ms) falls on a weight snapshot time.
SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT=2 "$SPIKEFLOW" run "$MIXED" -o a.h5 --threads 2 \
  --checkpoint-every 500 --quiet 2>a.err || status=$?
[ "$status" -eq 137 ] || fail "the hooked run should die of SIGKILL (137), got $status"
[ -e a.ckpt.h5 ] || fail "no checkpoint a.ckpt.h5 next to a.h5"
"$PY" -c 'import h5py, sys
f = h5py.File("a.ckpt.h5", "r")
t = f["run"].attrs["time_ms"]
sys.exit(0 if t == 1000.0 else "checkpoint at %r ms, expected 1000" % t)' || fail "checkpoint time"
cp a.ckpt.h5 saved.ckpt.h5

# Resume in place with 1 thread: a.h5 (left open for write by the kill) is made whole, cut
# back to the checkpoint and continued.
"$SPIKEFLOW" resume a.ckpt.h5 --threads 1 --quiet || fail "resume of a.ckpt.h5 failed"
same_recording a.h5 ref.h5

# Resume the same checkpoint into a new file with 2 threads; a.h5 is left as it is.
before=$(md5sum <a.h5)
"$SPIKEFLOW" resume saved.ckpt.h5 -o b.h5 --threads 2 --checkpoint b.ckpt.h5 --quiet \
  || fail "resume -o b.h5 failed"
same_recording b.h5 ref.h5
[ "$(md5sum <a.h5)" = "$before" ] || fail "resume -o b.h5 changed a.h5"

# --- atomicity: a kill while a checkpoint is written keeps the previous one -------------
cp saved.ckpt.h5 x.ckpt.h5
before=$(md5sum <x.ckpt.h5)
status=0
SPIKEFLOW_CHECKPOINT_ABORT_AFTER=5 "$SPIKEFLOW" resume x.ckpt.h5 -o c.h5 --checkpoint x.ckpt.h5 \
  --quiet 2>c.err || status=$?
[ "$status" -eq 134 ] || fail "the hooked checkpoint should abort (134), got $status"
[ -e x.ckpt.h5.tmp ] || fail "no half-written x.ckpt.h5.tmp after the abort"
[ "$(md5sum <x.ckpt.h5)" = "$before" ] || fail "the previous checkpoint was changed"
# (c.h5 is left open for write by the abort, so -o refuses it: a new name.)
"$SPIKEFLOW" resume x.ckpt.h5 -o c2.h5 --checkpoint x.ckpt.h5 --quiet \
  || fail "resume from the kept checkpoint failed"
same_recording c2.h5 ref.h5

# --- real signals to a running run (CUBA, 3 s) ------------------------------------------
"$SPIKEFLOW" run "$CUBA" -o cuba_ref.h5 --set simulation.duration=3000 --quiet \
  || fail "uninterrupted CUBA run failed"

# SIGKILL some time after the first checkpoint (the interval as a model-file key).
"$SPIKEFLOW" run "$CUBA" -o k.h5 --set simulation.duration=3000 \
  --set simulation.checkpoint_every=100 --quiet 2>k.err &
pid=$!
wait_for k.ckpt.h5
sleep 0.3
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=
"$SPIKEFLOW" resume k.ckpt.h5 --threads 2 --quiet || fail "resume after SIGKILL failed"
same_recording k.h5 cuba_ref.h5

# SIGTERM: the run stops at a window, writes a last checkpoint there and exits 143.
"$SPIKEFLOW" run "$CUBA" -o t.h5 --set simulation.duration=3000 --checkpoint-every 100 \
  2>t.err >t.out &
pid=$!
wait_for t.ckpt.h5
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
if [ "$status" -eq 0 ]; then
  echo "note: the CUBA run ended before SIGTERM arrived; resume then has nothing to do"
else
  [ "$status" -eq 143 ] || fail "SIGTERM: exit $status, expected 143: $(cat t.err)"
  grep -q "checkpoint at t = " t.err || fail "SIGTERM: no line naming the last checkpoint"
fi
"$SPIKEFLOW" resume t.ckpt.h5 -o t2.h5 --threads 1 --quiet || fail "resume after SIGTERM failed"
same_recording t2.h5 cuba_ref.h5

# --- errors ------------------------------------------------------------------------------
status=0
"$SPIKEFLOW" resume missing.ckpt.h5 2>err.txt || status=$?
[ "$status" -eq 3 ] || fail "a missing checkpoint: exit $status, expected 3"
status=0
"$SPIKEFLOW" resume ref.h5 2>err.txt || status=$?
[ "$status" -eq 3 ] && grep -q "not a spikeflow checkpoint" err.txt \
  || fail "a recording given as checkpoint: exit $status, $(cat err.txt)"
status=0
"$SPIKEFLOW" run "$MIXED" -o e.h5 --checkpoint e.ckpt.h5 2>err.txt || status=$?
[ "$status" -eq 2 ] || fail "--checkpoint without --checkpoint-every: exit $status"
echo "test_checkpoint: all checks passed"

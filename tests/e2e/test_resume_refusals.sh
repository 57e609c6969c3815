#!/usr/bin/env bash
# What `spikeflow resume` refuses, found by a breaker: a second writer of the same recording
# (a resume while the run, or another resume, is still writing it), a recording swapped in
# from another run, a checkpoint whose clock is beyond its run's duration; `resume -o`
# leaves the original run's checkpoint alone, so that run can still be resumed in place; and
# resuming a finished run in place does nothing (exit 0).
#
#   bash tests/e2e/test_resume_refusals.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_resume_refusals.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_resume_refusals.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
CUBA=$SRC/examples/cuba.toml
WORK=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_resume_refusals): $*" >&2; exit 1; }

# 1. A resume while the run still writes its recording is refused, and the run is unharmed.
"$SPIKEFLOW" run "$CUBA" -o live.h5 --set simulation.duration=600000 --checkpoint-every 100 \
  --quiet 2> live.err &
pid=$!
for _ in $(seq 600); do [ -e live.ckpt.h5 ] && break; sleep 0.1; done
[ -e live.ckpt.h5 ] || fail "no checkpoint appeared"
set +e
"$SPIKEFLOW" resume live.ckpt.h5 --quiet 2> second.err
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "resume beside a live run: exit $rc, expected 3 ($(cat second.err))"
grep -q "open for writing by another run or resume" second.err ||
  fail "resume beside a live run: $(cat second.err)"
kill -0 "$pid" 2>/dev/null || fail "the live run died"
kill -TERM "$pid"
wait "$pid" || true
pid=

# 2. -o leaves the original checkpoint alone; the original can still be resumed in place.
SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT=2 "$SPIKEFLOW" run "$CUBA" -o run.h5 \
  --set simulation.duration=1000 --checkpoint-every 300 --quiet 2> /dev/null || true
cp run.ckpt.h5 saved.ckpt.h5
"$SPIKEFLOW" resume run.ckpt.h5 -o copy.h5 --quiet
cmp -s run.ckpt.h5 saved.ckpt.h5 || fail "resume -o rewrote the original run's checkpoint"
[ -e copy.ckpt.h5 ] || fail "resume -o did not checkpoint next to the copy"
"$SPIKEFLOW" resume run.ckpt.h5 --quiet
"$PY" - <<'PY' || fail "the original run did not complete in place"
import h5py
with h5py.File("run.h5", "r") as f, h5py.File("copy.h5", "r") as g:
    assert bool(f.attrs["completed"]) and f["provenance/simulated_until_ms"][()] == 1000
    for pop in f["spikes"]:
        assert f["spikes"][pop]["timestamps"][()].tobytes() == \
            g["spikes"][pop]["timestamps"][()].tobytes()
PY

# 3. A recording of another run (another seed) in the checkpoint's place is refused.
SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT=1 "$SPIKEFLOW" run "$CUBA" -o swap.h5 \
  --set simulation.duration=1000 --checkpoint-every 300 --quiet 2> /dev/null || true
"$SPIKEFLOW" run "$CUBA" -o other.h5 --set simulation.duration=1000 --set simulation.seed=2 \
  --quiet
cp other.h5 swap.h5
set +e
"$SPIKEFLOW" resume swap.ckpt.h5 --quiet 2> swap.err
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "swapped recording: exit $rc, expected 3 ($(cat swap.err))"
grep -q "is not the recording this checkpoint was taken from" swap.err ||
  fail "swapped recording: $(cat swap.err)"

# 4. A checkpoint whose clock is beyond the run's duration is inconsistent.
"$PY" - <<'PY'
import h5py
with h5py.File("saved.ckpt.h5", "r+") as f:
    f["run/duration_ms"][()] = 100.0
PY
cp run.h5 saved_out.h5
set +e
"$SPIKEFLOW" resume saved.ckpt.h5 -o beyond.h5 --quiet 2> beyond.err
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a checkpoint beyond its duration was accepted"
grep -q "beyond the run's duration" beyond.err || fail "beyond: $(cat beyond.err)"
# 5. Resuming a finished run in place does nothing, says so and exits 0 (found by a breaker:
#    it re-simulated the last interval silently). run.h5 was completed in place in 2.; its
#    checkpoint, at t = 900 ms, is still there. (-o from such a checkpoint makes the new
#    file, as asked: tests/e2e/test_checkpoint.sh.)
sums=$(md5sum run.h5 run.ckpt.h5)
set +e
"$SPIKEFLOW" resume run.ckpt.h5 > done.out 2> done.err
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "resume of a finished run: exit $rc ($(cat done.err))"
grep -q "nothing to do: the run is complete, '.*run.h5' holds all 1000.0 ms" done.err ||
  fail "resume of a finished run: $(cat done.err)"
[ "$(md5sum run.h5 run.ckpt.h5)" = "$sums" ] || fail "resume of a finished run changed the files"
echo "ok (test_resume_refusals)"

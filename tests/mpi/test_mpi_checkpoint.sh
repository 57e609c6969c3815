#!/usr/bin/env bash
# Checkpoints of distributed runs resume with any rank count (issue 8): a run with 2 ranks,
# killed right after its first checkpoint (test hook SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT),
# resumed with 3 ranks in place, with 1 process into a new file and with 2 ranks into
# another, gives spike datasets byte-identical (traces and weight snapshots equal) to an
# uninterrupted single-process run; so does a single-process checkpoint resumed with 2 ranks.
# The network is the checkpoint tests' mixed network (every model with hidden state, every
# input kind, delays of 3-40 steps) and the plastic examples/stdp.toml.
#
#   bash tests/mpi/test_mpi_checkpoint.sh build-mpi/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_mpi_checkpoint.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_mpi_checkpoint.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
COMPARE=("$PY" "$SRC/tests/mpi/compare_recordings.py")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_mpi_checkpoint): $*" >&2; exit 1; }

# checkpoint_at FILE MS: the checkpoint FILE was taken at MS.
checkpoint_at() {
  "$PY" -c 'import h5py, sys
t = h5py.File(sys.argv[1], "r")["run"].attrs["time_ms"]
sys.exit(0 if t == float(sys.argv[2]) else "checkpoint at %r ms, expected %s" % (t, sys.argv[2]))' "$1" "$2"
}

for case in "mixed $SRC/tests/e2e/checkpoint_mixed.toml 1000 300" \
            "stdp $SRC/examples/stdp.toml 1000 400"; do
  read -r name model duration every <<<"$case"
  dur=(--set "simulation.duration=$duration")
  "$SPIKEFLOW" run "$model" -o "$name.ref.h5" "${dur[@]}" --threads 1 --quiet \
    || fail "$name: uninterrupted run failed"

  # 2 ranks, killed after the first checkpoint.
  status=0
  SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT=1 "${MPIRUN[@]}" -np 2 "$SPIKEFLOW" run "$model" \
    -o "$name.a.h5" "${dur[@]}" --threads 1 --checkpoint-every "$every" --quiet \
    >"$name.a.log" 2>&1 || status=$?
  [ "$status" -ne 0 ] || fail "$name: the hooked run should have been killed"
  checkpoint_at "$name.a.ckpt.h5" "$every" || fail "$name: checkpoint time"
  cp "$name.a.ckpt.h5" "$name.saved.ckpt.h5"

  # N -> M: 2 ranks -> 3 ranks (in place), 1 process (new file), 2 ranks (new file).
  "${MPIRUN[@]}" -np 3 "$SPIKEFLOW" resume "$name.a.ckpt.h5" --threads 2 --quiet \
    || fail "$name: resume with 3 ranks failed"
  "$SPIKEFLOW" resume "$name.saved.ckpt.h5" -o "$name.b.h5" --checkpoint "$name.b.ckpt.h5" \
    --threads 2 --quiet || fail "$name: resume in one process failed"
  "${MPIRUN[@]}" -np 2 "$SPIKEFLOW" resume "$name.saved.ckpt.h5" -o "$name.c.h5" \
    --checkpoint "$name.c.ckpt.h5" --threads 1 --quiet || fail "$name: resume with 2 ranks failed"
  "${COMPARE[@]}" --weights "$name.ref.h5" "$name.a.h5" "$name.b.h5" "$name.c.h5" \
    || fail "$name: a resumed run differs from the uninterrupted one"

  # 1 -> 2: a single-process checkpoint resumed with 2 ranks.
  status=0
  SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT=1 "$SPIKEFLOW" run "$model" -o "$name.d.h5" "${dur[@]}" \
    --checkpoint-every "$every" --quiet 2>/dev/null || status=$?
  [ "$status" -eq 137 ] || fail "$name: the hooked single-process run should die of SIGKILL"
  "${MPIRUN[@]}" -np 2 "$SPIKEFLOW" resume "$name.d.ckpt.h5" --threads 2 --quiet \
    || fail "$name: resume of a single-process checkpoint with 2 ranks failed"
  "${COMPARE[@]}" --weights "$name.ref.h5" "$name.d.h5" || fail "$name: 1 -> 2 ranks differs"
done
echo "test_mpi_checkpoint: checkpoints resume with 1, 2 and 3 ranks"

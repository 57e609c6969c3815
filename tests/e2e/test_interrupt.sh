#!/usr/bin/env bash
# Interrupting a run. SIGINT and SIGTERM stop it at a window boundary: exit 130 / 143, a
# file that opens normally (no SWMR flag), marked completed = false, holding exactly the
# spikes an uninterrupted run of the reached duration produces. SIGKILL: the file opens as
# a SWMR reader, `spikeflow recover` makes it open normally, and it then holds exactly the
# spikes of an uninterrupted run up to its last flush.
#
#   bash tests/e2e/test_interrupt.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_interrupt.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_interrupt.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
MODEL=$SRC/examples/cuba.toml
LONG=600000  # ms: ten minutes of model time, far more than the test lets run
WORK=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_interrupt): $*" >&2; exit 1; }

# start_long_run NAME: starts a long run writing NAME.h5 in the background, sets $pid, and
# returns once it has simulated for about two seconds.
start_long_run() {
  "$SPIKEFLOW" run "$MODEL" -o "$1.h5" --set simulation.duration=$LONG \
    --progress-interval 0.5 >"$1.out" 2>"$1.err" &
  pid=$!
  for _ in $(seq 100); do
    grep -q '^t = ' "$1.err" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || fail "$1: the run ended early: $(cat "$1.err")"
    sleep 0.1
  done
  grep -q '^t = ' "$1.err" || fail "$1: no progress within 10 s: $(cat "$1.err")"
  sleep 2
}

# finish_run: waits for $pid and sets $status.
finish_run() {
  status=0
  wait "$pid" || status=$?
  pid=
}

# compare_with_reference FILE: runs the model uninterrupted for the duration FILE covers
# (its /provenance/simulated_until_ms) and checks that both hold exactly the same spikes.
compare_with_reference() {
  local file=$1 until
  until=$("$PY" -c 'import h5py, sys
f = h5py.File(sys.argv[1], "r")
print("%.1f" % f["provenance/simulated_until_ms"][()])' "$file")
  "$PY" -c 'import sys; sys.exit(float(sys.argv[1]) <= 0)' "$until" \
    || fail "$file: covers no simulated time (simulated_until_ms = $until)"
  "$SPIKEFLOW" run "$MODEL" -o "ref_$file" --quiet --set simulation.duration="$until" \
    || fail "reference run of $until ms failed"
  "$PY" - "$file" "ref_$file" "$until" <<'PY'
import sys
import h5py, numpy as np
name, ref, until = sys.argv[1], sys.argv[2], float(sys.argv[3])
with h5py.File(name, "r") as a, h5py.File(ref, "r") as b:
    for pop in ("E", "I"):
        ta, ia = a["spikes"][pop]["timestamps"][()], a["spikes"][pop]["node_ids"][()]
        tb, ib = b["spikes"][pop]["timestamps"][()], b["spikes"][pop]["node_ids"][()]
        if len(ta) == 0:
            sys.exit(f"FAIL (test_interrupt): {name}: no spikes of {pop}")
        if len(ta) != len(ia):
            sys.exit(f"FAIL (test_interrupt): {name}: {pop} timestamps/node_ids lengths differ")
        if not (np.array_equal(ta, tb) and np.array_equal(ia, ib)):
            sys.exit(f"FAIL (test_interrupt): {name}: {pop} holds {len(ta)} spikes, an "
                     f"uninterrupted run of {until} ms {len(tb)}, or they differ")
        print(f"{name}: {pop} {len(ta)} spikes up to {until} ms, identical to an uninterrupted run")
PY
}

# check_closed FILE: plain (non-SWMR) open, spikes present, completed false.
check_closed() {
  "$PY" - "$1" <<'PY'
import sys
import h5py
name = sys.argv[1]
with h5py.File(name, "r") as f:  # a plain open: the file was closed cleanly
    if bool(f.attrs["completed"]):
        sys.exit(f"FAIL (test_interrupt): {name}: completed is true after an interrupt")
    n = sum(len(f["spikes"][p]["timestamps"]) for p in ("E", "I"))
    if n == 0:
        sys.exit(f"FAIL (test_interrupt): {name}: no spikes")
    until = float(f["provenance/simulated_until_ms"][()])
    if not 0 < until < 600000:
        sys.exit(f"FAIL (test_interrupt): {name}: simulated_until_ms {until}")
    if "wall_time" not in f.attrs:
        sys.exit(f"FAIL (test_interrupt): {name}: no wall_time attribute")
PY
}

# 1. SIGINT.
start_long_run sigint
kill -INT "$pid"
finish_run
[ "$status" -eq 130 ] || fail "SIGINT: exit $status, expected 130: $(cat sigint.err)"
grep -q 'SIGINT: stopped at t = ' sigint.err \
  || fail "SIGINT: no 'stopped at' line: $(cat sigint.err)"
grep -q 'interrupted' sigint.out || fail "SIGINT: the summary does not say interrupted"
check_closed sigint.h5
compare_with_reference sigint.h5

# 2. SIGTERM.
start_long_run sigterm
kill -TERM "$pid"
finish_run
[ "$status" -eq 143 ] || fail "SIGTERM: exit $status, expected 143: $(cat sigterm.err)"
grep -q 'SIGTERM: stopped at t = ' sigterm.err || fail "SIGTERM: no 'stopped at' line"
check_closed sigterm.h5

# 3. SIGKILL: nothing runs after the signal; the file keeps what its last flush made valid.
start_long_run sigkill
kill -KILL "$pid"
finish_run
[ "$status" -eq 137 ] || fail "SIGKILL: exit $status, expected 137"
"$PY" - sigkill.h5 <<'PY'
import sys
import h5py
with h5py.File(sys.argv[1], "r", swmr=True) as f:
    n = sum(len(f["spikes"][p]["timestamps"]) for p in ("E", "I"))
    if n == 0:
        sys.exit("FAIL (test_interrupt): killed file read with swmr=True holds no spikes")
    print(f"sigkill.h5 as a SWMR reader: {n} spikes")
PY
"$SPIKEFLOW" inspect sigkill.h5 > inspect_killed.txt \
  || fail "inspect of the killed file failed"
grep -q 'SWMR' inspect_killed.txt || fail "inspect does not say it read the killed file as SWMR"
"$SPIKEFLOW" recover sigkill.h5 > recover.txt || fail "recover failed: $(cat recover.txt)"
"$PY" -c 'import h5py,sys; h5py.File(sys.argv[1], "r").close()' sigkill.h5 \
  || fail "the recovered file does not open without SWMR"
"$SPIKEFLOW" recover sigkill.h5 > recover_again.txt || fail "a second recover failed"
compare_with_reference sigkill.h5
echo "test_interrupt: ok"

#!/usr/bin/env bash
# Stops and errors of distributed runs end every rank, with one message and the exit code a
# single process gives (issue 8):
# - a numerical fault (tests/e2e/test_numerical_fault.sh's network) with 2 ranks: exit 5,
#   the fault named once, the file closed (completed = false) at the faulty window;
# - an invalid model and an unwritable output with 2 ranks: exit 1 and 3, one message, no
#   rank left waiting (the test would time out);
# - SIGTERM to mpirun during a CUBA run with 2 ranks: every rank stops at the same window,
#   the file is closed and valid (completed = false), a checkpoint is written where it
#   stopped, and resuming it with 3 ranks gives the uninterrupted run's spikes.
#
#   bash tests/mpi/test_mpi_stops.sh build-mpi/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_mpi_stops.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_mpi_stops.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
WORK=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_mpi_stops): $*" >&2; exit 1; }

# --- numerical fault ---------------------------------------------------------------------
cat > faulty.toml <<'TOML'
[simulation]
dt = "0.1 ms"
duration = "200 ms"
[[populations]]
name = "drive"
model = "lif_delta"
size = 3
params = { I_e = "400 pA" }
[[populations]]
name = "blow"
model = "lif_exp"
size = 4
[[inputs]]
type = "poisson"
target = "blow"
rate = "1000000 Hz"
weight = "1e308 pA"
start = "50 ms"
[recordings]
spikes = "all"
TOML
status=0
"${MPIRUN[@]}" -np 2 "$SPIKEFLOW" run faulty.toml -o faulty.h5 --quiet >out.txt 2>err.txt \
  || status=$?
[ "$status" -eq 5 ] || fail "numerical fault: exit $status, expected 5: $(cat err.txt)"
[ "$(grep -c 'numerical fault at t = 52 ms' err.txt)" -eq 1 ] \
  || fail "numerical fault: expected one message naming t = 52 ms: $(cat err.txt)"
grep -qF "population 'blow' (lif_exp), neuron 0, variable I_syn_ex = inf" err.txt \
  || fail "numerical fault: message lacks the neuron: $(cat err.txt)"
"$PY" -c 'import h5py, sys
f = h5py.File("faulty.h5", "r")
sys.exit(0 if not bool(f.attrs["completed"]) and float(f["provenance/simulated_until_ms"][()]) == 52.0
         else "completed or simulated_until_ms wrong")' || fail "numerical fault: the file"

# --- errors before the build ---------------------------------------------------------------
printf '[simulation]\ndt = "0.1 ms"\n[[populations]]\nname = "E"\nmodel = "lif_nope"\nsize = 2\n' \
  > bad.toml
status=0
timeout 120 "${MPIRUN[@]}" -np 2 "$SPIKEFLOW" run bad.toml -o bad.h5 2>err.txt >/dev/null \
  || status=$?
[ "$status" -eq 1 ] || fail "invalid model: exit $status, expected 1: $(cat err.txt)"
[ "$(grep -c 'spikeflow: error' err.txt)" -eq 1 ] || fail "invalid model: not one message: $(cat err.txt)"

status=0
timeout 120 "${MPIRUN[@]}" -np 2 "$SPIKEFLOW" run "$SRC/examples/cuba.toml" -o nodir/x.h5 \
  2>err.txt >/dev/null || status=$?
[ "$status" -eq 3 ] || fail "unwritable output: exit $status, expected 3: $(cat err.txt)"
[ "$(grep -c 'spikeflow: error' err.txt)" -eq 1 ] || fail "unwritable output: not one message"
grep -q "does not exist" err.txt || fail "unwritable output: message: $(cat err.txt)"

# --- SIGTERM -------------------------------------------------------------------------------
# Long enough that the run is still going when SIGTERM arrives on an idle machine (3 s of
# CUBA ran in 0.3 s with 2 ranks and had ended before the signal).
cuba=(--set simulation.duration=40000)
"$SPIKEFLOW" run "$SRC/examples/cuba.toml" -o ref.h5 "${cuba[@]}" --quiet || fail "CUBA reference"
"${MPIRUN[@]}" -np 2 "$SPIKEFLOW" run "$SRC/examples/cuba.toml" -o t.h5 "${cuba[@]}" \
  --checkpoint-every 1000 >t.out 2>t.err &
pid=$!
for _ in $(seq 600); do [ -e t.ckpt.h5 ] && break; sleep 0.1; done
[ -e t.ckpt.h5 ] || fail "SIGTERM: no checkpoint within 60 s"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
cat t.err
if [ "$status" -eq 0 ]; then
  echo "note: the run ended before SIGTERM arrived"
else
  grep -q "SIGTERM: stopped at t = " t.err || fail "SIGTERM: exit $status, no stop message"
  "$PY" -c 'import h5py, sys
f = h5py.File("t.h5", "r")
sys.exit(0 if not bool(f.attrs["completed"]) else "completed is true")' || fail "SIGTERM: file"
fi
"${MPIRUN[@]}" -np 3 "$SPIKEFLOW" resume t.ckpt.h5 -o t2.h5 --quiet || fail "resume after SIGTERM"
"$PY" "$SRC/tests/mpi/compare_recordings.py" ref.h5 t2.h5 || fail "SIGTERM: resumed run differs"
echo "test_mpi_stops: faults, errors and signals end every rank"

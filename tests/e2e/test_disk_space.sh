#!/usr/bin/env bash
# Disk space (issue 7), through the test hook SPIKEFLOW_TEST_FREE_SPACE="BYTES[@MS]"
# (cli/disk_space.hpp), so no disk is filled:
# 1. a recording estimated larger than the free space draws a warning before the run, which
#    then completes (the space never runs out);
# 2. free space falling below the 64 MiB margin during the run stops it cleanly: exit 6, a
#    message, the file closed (completed = false) with exactly the spikes of an uninterrupted
#    run of the simulated part;
# 3. less than the margin free before the run: run and resume are refused before the build
#    (exit 6, both figures in the message), nothing is written.
#
#   bash tests/e2e/test_disk_space.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_disk_space.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_disk_space.sh SPIKEFLOW SOURCE_DIR}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
PY=/usr/bin/python3
fail() { echo "FAIL (test_disk_space): $*" >&2; exit 1; }

# 1. 2000 recorded neurons for 10 s at the assumed 10 Hz: 16 B x 200 000 = 3.2 MB, more than
#    the 70 MB "free" leave above the 64 MiB (67.1 MB) margin. The neurons get no input and
#    never fire, so the file stays small.
cat > quiet.toml <<'TOML'
[simulation]
duration = "10000 ms"
[[populations]]
name = "a"
model = "lif_delta"
size = 2000
[recordings]
spikes = "all"
TOML
status=0
SPIKEFLOW_TEST_FREE_SPACE=70e6 "$SPIKEFLOW" run quiet.toml -o quiet.h5 --quiet 2>err1.txt \
  || status=$?
[ "$status" -eq 0 ] || fail "warning case: exit $status: $(cat err1.txt)"
grep -q 'warning: the recording may need about 3.* MiB (spikes at an assumed 10 Hz' err1.txt \
  || fail "warning case: no warning: $(cat err1.txt)"
grep -q 'only 66.* MiB is free' err1.txt || fail "warning case: free space: $(cat err1.txt)"
# No warning when the space suffices.
SPIKEFLOW_TEST_FREE_SPACE=80e6 "$SPIKEFLOW" run quiet.toml -o quiet2.h5 --quiet 2>err2.txt \
  || fail "no-warning case failed: $(cat err2.txt)"
[ ! -s err2.txt ] || fail "no-warning case printed: $(cat err2.txt)"

# 2. CUBA; 1000 bytes "free" from t = 100 ms on.
cp "$SRC/examples/cuba.toml" cuba.toml
status=0
SPIKEFLOW_TEST_FREE_SPACE=1000@100 "$SPIKEFLOW" run cuba.toml -o full.h5 >out.txt 2>err.txt \
  || status=$?
[ "$status" -eq 6 ] || fail "disk full: exit $status, expected 6: $(cat err.txt)"
grep -q "error: only 1000 B free on the filesystem of 'full.h5' (the run stops below 64.0 MiB): stopped at t = " err.txt \
  || fail "disk full: message: $(cat err.txt)"
grep -q 'interrupted' out.txt || fail "disk full: the summary does not say interrupted"
until=$("$PY" - full.h5 <<'PY'
import sys
import h5py
with h5py.File(sys.argv[1], "r") as f:  # a plain open: the file was closed cleanly
    if bool(f.attrs["completed"]):
        sys.exit("FAIL (test_disk_space): completed is true after the stop")
    until = float(f["provenance/simulated_until_ms"][()])
    if not 100 <= until < 1000:
        sys.exit(f"FAIL (test_disk_space): simulated_until_ms {until}, expected in [100, 1000)")
    print("%.1f" % until)
PY
) || fail "disk full: file check"
"$SPIKEFLOW" run cuba.toml -o ref.h5 --quiet --set simulation.duration="$until" \
  || fail "reference run failed"
"$PY" - full.h5 ref.h5 <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    for pop in ("E", "I"):
        ta, ia = a["spikes"][pop]["timestamps"][()], a["spikes"][pop]["node_ids"][()]
        tb, ib = b["spikes"][pop]["timestamps"][()], b["spikes"][pop]["node_ids"][()]
        if len(ta) == 0 or not (np.array_equal(ta, tb) and np.array_equal(ia, ib)):
            sys.exit(f"FAIL (test_disk_space): {pop}: {len(ta)} spikes, reference {len(tb)}")
    print("full.h5: closed, spikes identical to an uninterrupted run of the simulated part")
PY
# 3. 1000 bytes free from the start: refused before the build, no file.
status=0
SPIKEFLOW_TEST_FREE_SPACE=1000 "$SPIKEFLOW" run cuba.toml -o pre.h5 >out3.txt 2>err3.txt \
  || status=$?
[ "$status" -eq 6 ] || fail "full before the run: exit $status, expected 6: $(cat err3.txt)"
grep -q "error: only 1000 B free on the filesystem of 'pre.h5', less than the 64.0 MiB a run keeps free" err3.txt \
  || fail "full before the run: message: $(cat err3.txt)"
[ "$(grep -c 'error:' err3.txt)" -eq 1 ] || fail "full before the run: not one error line: $(cat err3.txt)"
! grep -q '^building' err3.txt || fail "full before the run: the network was built: $(cat err3.txt)"
[ ! -e pre.h5 ] || fail "full before the run: pre.h5 was written"
# The same for a resume: the killed run's recording and checkpoint stay as they were.
SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT=1 "$SPIKEFLOW" run cuba.toml -o killed.h5 \
  --set simulation.duration=300 --checkpoint-every 100 --quiet 2>/dev/null || true
[ -e killed.ckpt.h5 ] || fail "no checkpoint for the resume case"
sums=$(md5sum killed.h5 killed.ckpt.h5)
status=0
SPIKEFLOW_TEST_FREE_SPACE=1000 "$SPIKEFLOW" resume killed.ckpt.h5 2>err4.txt || status=$?
[ "$status" -eq 6 ] || fail "full before the resume: exit $status, expected 6: $(cat err4.txt)"
grep -q "only 1000 B free on the filesystem of '.*killed.h5'" err4.txt \
  || fail "full before the resume: message: $(cat err4.txt)"
[ "$(grep -c 'error:' err4.txt)" -eq 1 ] || fail "full before the resume: not one error line: $(cat err4.txt)"
[ "$(md5sum killed.h5 killed.ckpt.h5)" = "$sums" ] || fail "full before the resume: files changed"
echo "PASS test_disk_space"

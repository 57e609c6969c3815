#!/usr/bin/env bash
# `spikeflow inspect` of a finished CUBA run: populations with the spike counts and rates
# the file holds (counted here with h5py), and the provenance (seed, version, commit,
# threads, dt, wall time, completed). Unreadable input: exit 3.
#
#   bash tests/e2e/test_inspect.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_inspect.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_inspect.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_inspect): $*" >&2; exit 1; }

"$SPIKEFLOW" run "$SRC/examples/cuba.toml" -o cuba.h5 --quiet --seed 7 --threads 2 \
  --set simulation.duration=300 || fail "run failed"
status=0
"$SPIKEFLOW" inspect cuba.h5 >inspect.txt 2>err.txt || status=$?
[ "$status" -eq 0 ] || fail "inspect exited $status: $(cat err.txt)"

# Counts and rates as h5py sees them, against inspect's table rows:
#   E   3,200   5,123   5.34   by_time   0.1 .. 299.9
"$PY" - cuba.h5 inspect.txt <<'PY'
import re, sys
import h5py
path, text = sys.argv[1], open(sys.argv[2]).read()
sizes = {"E": 3200, "I": 800}
with h5py.File(path, "r") as f:
    for pop, size in sizes.items():
        n = len(f["spikes"][pop]["timestamps"])
        m = re.search(rf"^  {pop} +([\d,]+) +([\d,]+) +([\d.]+) +by_time", text, re.M)
        if not m:
            sys.exit(f"FAIL (test_inspect): no row for population {pop} in:\n{text}")
        neurons, spikes, rate = int(m[1].replace(",", "")), int(m[2].replace(",", "")), float(m[3])
        if neurons != size or spikes != n:
            sys.exit(f"FAIL (test_inspect): {pop}: inspect says {neurons} neurons, {spikes} "
                     f"spikes; the file has {size}, {n}")
        expected = n / (size * 0.3)
        if abs(rate - expected) > 0.006:
            sys.exit(f"FAIL (test_inspect): {pop}: rate {rate}, expected {expected:.3f} Hz")
PY

expect() {  # expect REGEX WHAT
  grep -Eq "$1" inspect.txt || { cat inspect.txt >&2; fail "inspect shows no $2 (/$1/)"; }
}
expect 'magic 0x0A7A' "SONATA magic"
expect '^ +seed +7$' "seed 7"
expect '^ +threads +2$' "thread count 2"
expect '^ +dt +0\.1 ms$' "dt"
expect '^ +engine_version +[0-9]+\.[0-9]+' "engine version"
expect '^ +git_commit +[0-9a-f]+|unknown' "git commit"
expect '^ +wall_time +[0-9.e-]+ s$' "wall time"
expect '^ +completed +true$' "completed flag"
expect 'command_line .*--seed 7' "command line"
expect 'simulated_until_ms +300 ms' "simulated time"
version=$("$SPIKEFLOW" --version | awk '{print $2}')
expect "engine_version +$version\$" "the binary's version ($version)"

# Not an HDF5 file, and a missing file: I/O errors.
echo "plain text" > not_hdf5.h5
status=0
"$SPIKEFLOW" inspect not_hdf5.h5 >/dev/null 2>err.txt || status=$?
[ "$status" -eq 3 ] || fail "inspect of a text file exited $status, expected 3"
grep -q 'not an HDF5 file' err.txt || fail "message for a text file: $(cat err.txt)"
status=0
"$SPIKEFLOW" inspect missing.h5 >/dev/null 2>err.txt || status=$?
[ "$status" -eq 3 ] || fail "inspect of a missing file exited $status, expected 3"
echo "test_inspect: ok"

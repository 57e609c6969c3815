#!/usr/bin/env bash
# `spikeflow run examples/mixed.toml` (spiking + rate network, issue 5): exit code 0, every
# stage active (E, R2S, OUT and DRIVEN spike; the S2R and R rate reports are recorded and
# nonzero), and the spikes and rate reports are identical for 1 and 2 threads.
#
#   bash tests/e2e/test_run_mixed.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_run_mixed.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_run_mixed.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_run_mixed): $*" >&2; exit 1; }

for t in 1 2; do
  status=0
  "$SPIKEFLOW" run "$SRC/examples/mixed.toml" -o "mixed$t.h5" --threads "$t" -q || status=$?
  [ "$status" -eq 0 ] || fail "run with $t threads exited $status, expected 0"
done

"$PY" - mixed1.h5 mixed2.h5 <<'PY' || fail "recording check failed"
import sys
import h5py
import numpy as np

a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
for pop in ["E", "R2S", "OUT", "DRIVEN"]:
    n = len(a["spikes"][pop]["timestamps"])
    assert n > 0, f"{pop}: no spikes"
    for key in ["timestamps", "node_ids"]:
        assert np.array_equal(a["spikes"][pop][key][:], b["spikes"][pop][key][:]), \
            f"{pop}/{key} differs between 1 and 2 threads"
for pop in ["S2R", "R"]:
    d1, d2 = a["report"][pop]["data"][:], b["report"][pop]["data"][:]
    assert d1.shape == (500, {"S2R": 200, "R": 50}[pop]), f"{pop}: report shape {d1.shape}"
    assert d1.max() > 1.0, f"{pop}: rates stay at {d1.max()}"
    assert np.array_equal(d1, d2), f"{pop}: report differs between 1 and 2 threads"
print("ok")
PY

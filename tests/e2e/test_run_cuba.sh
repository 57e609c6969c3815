#!/usr/bin/env bash
# `spikeflow run` on the CUBA network (N1 of shared/reference/networks.md), 1 s of model time:
# exit code 0, a summary naming E and I, and a SONATA spike file that h5py (and bmtk, when
# installed) reads, whose counts match the summary and whose rates are those of the
# published network's self-sustained state (Brian2: 5.5-5.6 Hz; accepted 2-15 Hz).
# Also renders the raster with examples/plot_raster.py.
#
#   bash tests/e2e/test_run_cuba.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_run_cuba.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_run_cuba.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_run_cuba): $*" >&2; exit 1; }

status=0
"$SPIKEFLOW" run "$SRC/examples/cuba.toml" -o cuba.h5 --threads 2 >summary.txt 2>progress.txt \
  || status=$?
[ "$status" -eq 0 ] || { cat progress.txt >&2; fail "run exited $status, expected 0"; }
[ -s cuba.h5 ] || fail "no output file cuba.h5"
grep -Eq '^  E +lif_exp' summary.txt || { cat summary.txt >&2; fail "summary lists no E row"; }
grep -Eq '^  I +lif_exp' summary.txt || { cat summary.txt >&2; fail "summary lists no I row"; }
grep -q 'synapses' summary.txt || fail "summary has no synapse count"
grep -q 'output *cuba.h5' summary.txt || fail "summary does not name the output"
grep -q 'built in' progress.txt || fail "no build time on stderr"

# The file against the SONATA layout, and its counts against the summary's.
"$PY" - cuba.h5 summary.txt <<'PY'
import re, sys
import h5py, numpy as np

path, summary = sys.argv[1], open(sys.argv[2]).read()
sizes = {"E": 3200, "I": 800}
duration_s = 1.0
def fail(msg):
    sys.exit("FAIL (test_run_cuba): " + msg)

with h5py.File(path, "r") as f:
    if int(f.attrs["magic"]) != 0x0A7A:
        fail(f"magic is {f.attrs['magic']!r}, expected 0x0A7A")
    if set(f["spikes"].keys()) != {"E", "I"}:
        fail(f"spike populations {sorted(f['spikes'].keys())}, expected E and I")
    total = 0
    for pop, size in sizes.items():
        g = f["spikes"][pop]
        t, ids = g["timestamps"][()], g["node_ids"][()]
        if len(t) != len(ids):
            fail(f"{pop}: {len(t)} timestamps but {len(ids)} node_ids")
        if g["timestamps"].attrs["units"] not in ("ms", b"ms"):
            fail(f"{pop}: timestamps units {g['timestamps'].attrs['units']!r}, expected ms")
        if int(g.attrs["sorting"]) != 2:
            fail(f"{pop}: sorting {g.attrs['sorting']!r}, expected by_time (2)")
        if np.any(np.diff(t) < 0):
            fail(f"{pop}: timestamps are not sorted by time")
        same = np.diff(t) == 0
        if np.any(np.diff(ids.astype(np.int64))[same] <= 0):
            fail(f"{pop}: spikes of one step are not ordered by node id")
        if len(t) and (t.min() <= 0 or t.max() > 1000.0 + 1e-9):
            fail(f"{pop}: timestamps outside (0, 1000] ms: {t.min()} .. {t.max()}")
        if len(ids) and ids.max() >= size:
            fail(f"{pop}: node id {ids.max()} >= population size {size}")
        # Every timestamp lies on the 0.1 ms grid (a spike of step s is stamped (s+1) dt).
        steps = t / 0.1
        if np.max(np.abs(steps - np.round(steps))) > 1e-6:
            fail(f"{pop}: timestamps off the dt grid")
        rate = len(t) / (size * duration_s)
        if not 2.0 <= rate <= 15.0:
            fail(f"{pop}: mean rate {rate:.2f} Hz outside the plausible 2-15 Hz")
        m = re.search(rf"^  {pop} +lif_exp +([\d,]+) +([\d,]+) +([\d.]+)\s*$", summary, re.M)
        if not m:
            fail(f"no summary row for {pop}")
        n_sum, spikes_sum = int(m[1].replace(",", "")), int(m[2].replace(",", ""))
        rate_sum = float(m[3])
        if n_sum != size or spikes_sum != len(t):
            fail(f"{pop}: summary says {n_sum} neurons / {spikes_sum} spikes, file holds "
                 f"{size} / {len(t)}")
        if abs(rate_sum - rate) > 0.006:
            fail(f"{pop}: summary rate {rate_sum} Hz, file gives {rate:.3f} Hz")
        total += len(t)
        print(f"{pop}: {len(t)} spikes, {rate:.2f} Hz")
    if not bool(f.attrs["completed"]):
        fail("completed attribute is false after a full run")
    if int(f.attrs["seed"]) != 1:
        fail(f"seed attribute {f.attrs['seed']}, expected 1 (cuba.toml)")
PY

# bmtk reads the file as a SONATA spike report with the same populations and counts.
if "$PY" -c 'from bmtk.utils.reports.spike_trains import SpikeTrains' 2>/dev/null; then
  "$PY" - cuba.h5 <<'PY'
import sys
import h5py, numpy as np
from bmtk.utils.reports.spike_trains import SpikeTrains
path = sys.argv[1]
def fail(msg):
    sys.exit("FAIL (test_run_cuba, bmtk): " + msg)
st = SpikeTrains.from_sonata(path)
if sorted(st.populations) != ["E", "I"]:
    fail(f"bmtk sees populations {st.populations}")
with h5py.File(path, "r") as f:
    for pop in ("E", "I"):
        t = f["spikes"][pop]["timestamps"][()]
        ids = f["spikes"][pop]["node_ids"][()]
        df = st.to_dataframe(populations=pop)
        if len(df) != len(t) or st.n_spikes(population=pop) != len(t):
            fail(f"{pop}: bmtk counts {len(df)} / {st.n_spikes(population=pop)}, h5py {len(t)}")
        a = np.lexsort((df["node_ids"].to_numpy(), df["timestamps"].to_numpy()))
        b = np.lexsort((ids, t))
        if not (np.array_equal(df["timestamps"].to_numpy()[a], t[b]) and
                np.array_equal(df["node_ids"].to_numpy()[a], ids[b])):
            fail(f"{pop}: bmtk's spikes differ from h5py's")
print("bmtk: E and I match h5py")
PY
else
  echo "note: bmtk not installed; SONATA check with bmtk skipped"
fi

# The raster script renders a PNG from the output.
"$PY" "$SRC/examples/plot_raster.py" cuba.h5 -o raster.png >/dev/null
"$PY" -c 'import sys; d = open(sys.argv[1], "rb").read(8); sys.exit(d != b"\x89PNG\r\n\x1a\n")' \
  raster.png || fail "plot_raster.py wrote no PNG"
[ "$(stat -c %s raster.png)" -gt 10000 ] || fail "raster.png is suspiciously small"
echo "test_run_cuba: ok"

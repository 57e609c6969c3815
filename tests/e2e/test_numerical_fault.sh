#!/usr/bin/env bash
# A run whose state overflows stops with an error naming population, neuron, variable and
# time, exit code 5, and a closed file (completed = false) holding every spike up to the
# faulty window, the same spikes as a run of the healthy part alone.
#
# "blow" (lif_exp) gets Poisson input of weight 1e308 pA at 10^6 Hz from t = 50 ms: about 100
# events in its first step (500), whose sum overflows to +inf in the excitatory ring, so
# I_syn_ex of every neuron is +inf at the end of step 500. Without projections the window is
# 1 ms (10 steps); the state is checked at window ends at least 20 steps apart (steps 20, 40,
# ..., 500, 520), so the check at step 520 sees it: t = 52 ms, neuron 0 (the smallest
# index), variable I_syn_ex (V_m is reset by the spike the infinite drive causes), finite
# at t = 50 ms. "drive" (lif_delta under I_e) fires regularly and deterministically meanwhile.
#
#   bash tests/e2e/test_numerical_fault.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_numerical_fault.sh SPIKEFLOW SOURCE_DIR}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
PY=/usr/bin/python3
fail() { echo "FAIL (test_numerical_fault): $*" >&2; exit 1; }

cat > healthy.toml <<'TOML'
[simulation]
dt = "0.1 ms"
duration = "200 ms"
[[populations]]
name = "drive"
model = "lif_delta"
size = 3
params = { I_e = "400 pA" }
[recordings]
spikes = "all"
TOML
cp healthy.toml faulty.toml
cat >> faulty.toml <<'TOML'
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
TOML

status=0
"$SPIKEFLOW" run faulty.toml -o faulty.h5 --quiet >out.txt 2>err.txt || status=$?
[ "$status" -eq 5 ] || fail "exit $status, expected 5: $(cat err.txt)"
for part in "numerical fault at t = 52 ms" "population 'blow' (lif_exp)" "neuron 0" \
            "variable I_syn_ex = inf" "it was finite at t = 50 ms" "'faulty.h5' is closed"; do
  grep -qF "$part" err.txt || fail "message lacks '$part': $(cat err.txt)"
done

"$SPIKEFLOW" run healthy.toml -o ref.h5 --quiet --set simulation.duration=52 \
  || fail "reference run failed"
"$PY" - faulty.h5 ref.h5 <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f, h5py.File(sys.argv[2], "r") as r:  # plain open: closed
    if bool(f.attrs["completed"]):
        sys.exit("FAIL (test_numerical_fault): completed is true")
    until = float(f["provenance/simulated_until_ms"][()])
    if until != 52.0:
        sys.exit(f"FAIL (test_numerical_fault): simulated_until_ms {until}, expected 52")
    t, i = f["spikes/drive/timestamps"][()], f["spikes/drive/node_ids"][()]
    tr, ir = r["spikes/drive/timestamps"][()], r["spikes/drive/node_ids"][()]
    if len(t) == 0 or not (t < 50).any():
        sys.exit("FAIL (test_numerical_fault): no spikes before the fault in the file")
    if not (np.array_equal(t, tr) and np.array_equal(i, ir)):
        sys.exit(f"FAIL (test_numerical_fault): {len(t)} spikes of drive, a healthy run of "
                 f"52 ms has {len(tr)}, or they differ")
    print(f"faulty.h5: closed, {len(t)} spikes of drive up to 52 ms, as a healthy run")
PY
# A finite value beyond float32's range is no fault (the run goes on), but the file can only
# hold it as inf: the run says so once per trace, with the first value, time and neuron.
cat > huge.toml <<'TOML'
[simulation]
dt = 0.1
duration = 2.0

[[populations]]
name = "big"
model = "rate"
size = 2
params = { tau = "0 ms", b = 1e39 }

[recordings]
state = [{ population = "big", variable = "r" }]
TOML
status=0
"$SPIKEFLOW" run huge.toml -o huge.h5 --quiet 2>err.txt || status=$?
[ "$status" -eq 0 ] || fail "a finite 1e39 stopped the run with $status: $(cat err.txt)"
for part in "warning: 'big' r: 40 recorded value(s) beyond the float32 range" \
            "stored as inf" "the first: 1e+39 at t = 0.1 ms, neuron 0"; do
  grep -qF "$part" err.txt || fail "warning lacks '$part': $(cat err.txt)"
done
"$PY" -c "import h5py, numpy as np, sys; d = h5py.File('huge.h5')['report/big/data'][()]; \
sys.exit(0 if np.isinf(d).all() and d.shape == (20, 2) else 'FAIL: ' + repr(d))" ||
  fail "the overflowing trace is not inf in the file"
"$SPIKEFLOW" run healthy.toml -o quiet.h5 --quiet 2>err.txt || fail "healthy run failed"
[ ! -s err.txt ] || fail "a healthy run warned: $(cat err.txt)"
echo "PASS test_numerical_fault"

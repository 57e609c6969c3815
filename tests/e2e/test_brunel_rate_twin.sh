#!/usr/bin/env bash
# examples/brunel_ai_rate.toml, the Siegert rate twin of examples/brunel_ai.toml: its rate
# units settle at the stationary rate `spikeflow meanfield examples/brunel_ai.toml` predicts
# from the spiking model file (an independent derivation of mu and sigma: in-degrees and
# weights in the mean-field solver, projected rates and J_exc/J_inh in the rate units),
# to the 6 digits meanfield prints.
#
#   bash tests/e2e/test_brunel_rate_twin.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_brunel_rate_twin.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_brunel_rate_twin.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_brunel_rate_twin): $*" >&2; exit 1; }

"$SPIKEFLOW" meanfield "$SRC/examples/brunel_ai.toml" > mf.txt || fail "meanfield exited $?"
"$SPIKEFLOW" run "$SRC/examples/brunel_ai_rate.toml" -o twin.h5 -q \
  --set 'simulation.duration="300 ms"' || fail "run exited $?"

"$PY" - <<'PY' || fail "the twin's rates differ from the mean-field prediction"
import re
import h5py

predicted = {}
for line in open("mf.txt"):
    m = re.match(r"^\s+(E|I)\s+lif_delta\s+([0-9.eE+-]+)\s", line)
    if m:
        predicted[m.group(1)] = float(m.group(2))
assert set(predicted) == {"E", "I"}, open("mf.txt").read()
f = h5py.File("twin.h5", "r")
for pop, nu in predicted.items():
    r = f[f"report/{pop}/data"][-1, :].astype(float)
    print(pop, "twin", r.min(), "..", r.max(), "Hz, mean field", nu, "Hz")
    assert abs(r.min() - nu) <= 2e-6 * nu and abs(r.max() - nu) <= 2e-6 * nu
PY
echo ok

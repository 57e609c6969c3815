#!/usr/bin/env bash
# A DNN module as a model-file population (issue 5): Poisson -> E (lif_delta, 7) ->
# S2R (spikes_to_rates) -> D (dense, weights from an HDF5 file beside the model file,
# relative path) runs; D's recorded output y equals relu(W x + b) of the recorded S2R rates
# two updates earlier (numpy, the fixture's W and b; float32 recording), identically for 1
# and 2 threads; a missing dataset is a model error (exit 1) naming file and dataset.
#
#   bash tests/e2e/test_run_module.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_run_module.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_run_module.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/model/weights"
cp "$SRC/tests/data/dnn/modules.h5" "$WORK/model/weights/net.h5"
cd "$WORK"
fail() { echo "FAIL (test_run_module): $*" >&2; exit 1; }

cat > model/module.toml <<'TOML'
[simulation]
dt = "0.1 ms"
duration = "200 ms"
seed = 3

[[populations]]
name = "E"
model = "lif_delta"
size = 7
params = { tau_m = "20 ms", E_L = "0 mV", V_th = "20 mV", V_reset = "10 mV", t_ref = "2 ms" }

[[populations]]
name = "S2R"
model = "spikes_to_rates"
size = 7
params = { filter = "exponential", tau = "20 ms", update_interval = "1 ms" }

[[populations]]
name = "D"
model = "dense"
params = { weights = "weights/net.h5", group = "dense_relu", activation = "relu", update_interval = "1 ms" }

[[inputs]]
type = "poisson"
target = "E"
rate = "1500 Hz"
weight = "1 mV"

[[projections]]
source = "E"
target = "S2R"
rule = "one_to_one"
weight = 1.0
delay = "1 ms"

[[projections]]
source = "S2R"
target = "D"
rule = "one_to_one"
weight = 1.0
delay = "1 ms"

[[recordings.state]]
population = "S2R"
variable = "rate"
interval = "1 ms"

[[recordings.state]]
population = "D"
variable = "y"
interval = "1 ms"
TOML

for t in 1 2; do
  "$SPIKEFLOW" run model/module.toml -o "out$t.h5" --threads "$t" -q ||
    fail "run with $t threads exited $?"
done

"$PY" - "$SRC/tests/data/dnn/modules.h5" <<'PY' || fail "recording check failed"
import sys
import h5py
import numpy as np

fx = h5py.File(sys.argv[1], "r")
W, b = fx["dense_relu/weight"][:], fx["dense_relu/bias"][:]
a, c = h5py.File("out1.h5", "r"), h5py.File("out2.h5", "r")
x = a["report/S2R/data"][:].astype(np.float64)
y = a["report/D/data"][:].astype(np.float64)
assert y.shape == (200, 5), y.shape
assert np.array_equal(a["report/D/data"][:], c["report/D/data"][:]), "threads differ"
assert x[50:].max() > 1.0, "S2R rates stay near 0"
want = np.maximum(0.0, x[:-2] @ W.T + b)
assert np.allclose(y[2:], want, rtol=1e-5, atol=1e-4), np.abs(y[2:] - want).max()
print("max |y - numpy| =", np.abs(y[2:] - want).max())
PY

sed -i 's/group = "dense_relu"/group = "bad\/no_bias"/' model/module.toml
status=0
"$SPIKEFLOW" validate model/module.toml 2> err.txt > /dev/null || status=$?
[ "$status" -eq 1 ] || fail "a missing dataset exited $status, expected 1"
grep -q "populations.D.params.weights: tensor file 'model/weights/net.h5': dataset '/bad/no_bias/bias'" err.txt ||
  fail "unexpected message: $(cat err.txt)"
echo ok

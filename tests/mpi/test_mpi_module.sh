#!/usr/bin/env bash
# A whole adapter across ranks (issue 8): the DNN module network of tests/e2e/test_run_module.sh
# (Poisson -> E -> spikes_to_rates -> dense), with the dense layer's outputs injected as
# current into a LIF population. The dense layer lives whole in partition 0 (rank 0); its
# graded outputs reach the LIF neurons of the other ranks through the exchange. With 2 and 3
# ranks x 1 and 2 threads, the spikes and every trace (S2R rates, the dense outputs, the LIF
# V_m) must equal the single-process run's byte for byte.
#
#   bash tests/mpi/test_mpi_module.sh build-mpi/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_mpi_module.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_mpi_module.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/model/weights"
cp "$SRC/tests/data/dnn/modules.h5" "$WORK/model/weights/net.h5"
cd "$WORK"
fail() { echo "FAIL (test_mpi_module): $*" >&2; exit 1; }

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

[[populations]]
name = "OUT"
model = "lif_exp"
size = 5

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

[[projections]]
source = "D"
target = "OUT"
rule = "all_to_all"
synapse = "current"
weight = "5 pA"
offset = "360 pA"
delay = "1 ms"

[recordings]
spikes = "all"

[[recordings.state]]
population = "S2R"
variable = "rate"
interval = "1 ms"

[[recordings.state]]
population = "D"
variable = "y"
interval = "1 ms"

[[recordings.state]]
population = "OUT"
variable = "V_m"
interval = "1 ms"
TOML

"$SPIKEFLOW" run model/module.toml -o ref.h5 --threads 1 -q || fail "single-process run failed"
# The graded path must matter: OUT's V_m must differ from a run without the dense input.
sed 's/^weight = "5 pA"/weight = "0 pA"/' model/module.toml > model/no_dense.toml
"$SPIKEFLOW" run model/no_dense.toml -o no_dense.h5 --threads 1 -q || fail "control run failed"
"$PY" -c 'import h5py, sys, numpy as np
a = h5py.File("ref.h5")["report/OUT/data"][()]
b = h5py.File("no_dense.h5")["report/OUT/data"][()]
sys.exit(0 if not np.array_equal(a, b) else "the dense outputs do not reach OUT")' \
  || fail "the dense layer's current has no effect; the test would mean nothing"

outputs=()
for np in 2 3; do
  for threads in 1 2; do
    "${MPIRUN[@]}" -np "$np" "$SPIKEFLOW" run model/module.toml -o "np$np.t$threads.h5" \
      --threads "$threads" -q || fail "$np ranks x $threads threads exited $?"
    outputs+=("np$np.t$threads.h5")
  done
done
"$PY" "$SRC/tests/mpi/compare_recordings.py" ref.h5 "${outputs[@]}" \
  || fail "a distributed run differs from the single-process run"
echo "test_mpi_module: the whole adapter's outputs cross ranks unchanged"

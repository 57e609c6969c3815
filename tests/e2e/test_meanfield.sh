#!/usr/bin/env bash
# `spikeflow meanfield`: the predicted rates of examples/brunel_ai.toml equal the independent
# mpmath solution of tests/models/meanfield_reference.py (55.8412623762 Hz, E and I), with mu
# and sigma of Brunel's eq. 19-20 (mu = 0.02 x 0.1 x (40000 - 500 nu) mV, sigma^2 =
# 0.02 x 0.01 x (40000 + 10000 nu) mV^2); models it cannot treat are refused (exit 1, the
# population and model named); a run that does not converge exits 4 and says so.
#
#   bash tests/e2e/test_meanfield.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_meanfield.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_meanfield.sh SPIKEFLOW SOURCE_DIR}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_meanfield): $*" >&2; exit 1; }
run() {  # run CMD...: sets $status, $out, $err
  status=0
  "$@" >out.txt 2>err.txt || status=$?
  out=$(cat out.txt)
  err=$(cat err.txt)
}

run "$SPIKEFLOW" meanfield "$SRC/examples/brunel_ai.toml"
[ "$status" -eq 0 ] || fail "brunel_ai.toml: exit $status: $err"
grep -q 'converged' <<<"$out" || fail "no 'converged': $out"
# nu = 55.8413 Hz: mu = 0.002 (40000 - 500 x 55.8413) = 24.1587 mV,
# sigma = sqrt(0.0002 (40000 + 10000 x 55.8413)) = 10.9400 mV.
for pop in E I; do
  grep -Eq "^ +$pop +lif_delta +55\.841[2-4] +24\.158[6-8] +10\.940[0-1] +0$" <<<"$out" \
    || fail "population $pop: rate 55.8413 Hz, mu 24.1587 mV, sigma 10.9400 mV expected: $out"
done

# N2 as specified (eta = 2, g = 5): 37.9497 Hz.
run "$SPIKEFLOW" meanfield "$SRC/examples/brunel.toml" --set simulation.duration=10
[ "$status" -eq 0 ] || fail "brunel.toml: exit $status: $err"
grep -Eq "^ +E +lif_delta +37\.949[6-8] " <<<"$out" || fail "N2 rate 37.9497 Hz expected: $out"

# A tolerance no iteration can meet: exit 4, the residual and the advice on stderr.
run "$SPIKEFLOW" meanfield "$SRC/examples/brunel.toml" --tolerance 1e-300
[ "$status" -eq 4 ] || fail "--tolerance 1e-300: exit $status, expected 4"
grep -q 'did not converge' <<<"$err" || fail "--tolerance 1e-300: message: $err"
grep -q 'NOT CONVERGED' <<<"$out" || fail "--tolerance 1e-300: stdout: $out"

# Models without a treatment.
cat > alpha.toml <<'TOML'
[[populations]]
name = "A"
model = "lif_alpha"
size = 10
TOML
run "$SPIKEFLOW" meanfield alpha.toml
[ "$status" -eq 1 ] || fail "lif_alpha: exit $status, expected 1"
grep -q "population 'A': model lif_alpha is not supported" <<<"$err" \
  || fail "lif_alpha: message: $err"

cat > step.toml <<'TOML'
[[populations]]
name = "E"
model = "lif_delta"
size = 10
[[inputs]]
type = "poisson"
target = "E"
rate = "1000 Hz"
weight = "0.1 mV"
stop = "50 ms"
TOML
run "$SPIKEFLOW" meanfield step.toml
[ "$status" -eq 1 ] || fail "stopping input: exit $status, expected 1"
grep -q "stops at 50 ms" <<<"$err" || fail "stopping input: message: $err"

run "$SPIKEFLOW" meanfield
[ "$status" -eq 2 ] || fail "no model file: exit $status, expected 2"
run "$SPIKEFLOW" meanfield missing.toml
[ "$status" -eq 1 ] || fail "missing model file: exit $status, expected 1"
run "$SPIKEFLOW" meanfield --help
[ "$status" -eq 0 ] || fail "--help: exit $status"
grep -q 'Siegert' <<<"$out" || fail "--help: $out"
echo "test_meanfield: ok"

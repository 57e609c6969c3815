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

# Without refractoriness in E (issue 5: an internal 'mu must be finite' error, exit 1): the
# mpmath fixed point of tests/models/meanfield_reference.py, E 95.1166 Hz, I 79.9142 Hz,
# mu 30.4904 mV, sigma 13.0717 mV, reached by a restart from 30 Hz.
run "$SPIKEFLOW" meanfield "$SRC/examples/brunel_ai.toml" --set populations.E.params.t_ref=0
[ "$status" -eq 0 ] || fail "t_ref = 0: exit $status: $err"
grep -Eq "^ +E +lif_delta +95\.116[5-7] +30\.490[3-5] +13\.071[6-8] " <<<"$out" ||
  fail "t_ref = 0: E 95.1166 Hz expected: $out"
grep -Eq "^ +I +lif_delta +79\.914[1-3] " <<<"$out" || fail "t_ref = 0: I 79.9142 Hz expected: $out"
grep -q "from 30 Hz in every population (the start 10 Hz did not converge" <<<"$out" ||
  fail "t_ref = 0: no word on the restart: $out"
# A start the user gives is kept: from 10 Hz the same case does not converge (exit 4).
run "$SPIKEFLOW" meanfield "$SRC/examples/brunel_ai.toml" --set populations.E.params.t_ref=0 \
  --initial 10
[ "$status" -eq 4 ] || fail "t_ref = 0 --initial 10: exit $status, expected 4"
grep -q "did not converge from 10 Hz" <<<"$err" || fail "t_ref = 0 --initial 10: $err"
# Weights so large that sigma overflows at every start: no stationary state; exit 4, the
# population and its afferent named.
run "$SPIKEFLOW" meanfield "$SRC/examples/brunel_ai.toml" --set 'projections.E->E.weight=1e300'
[ "$status" -eq 4 ] || fail "weight 1e300: exit $status, expected 4 ($err)"
grep -q "no stationary state found from 10 Hz, 30 Hz, .* or 0 Hz: the input of population 'E' is not finite" \
  <<<"$err" || fail "weight 1e300: $err"
grep -q "its largest afferent is population 'E' (K = 1000 inputs of J = 1e+300 mV)" <<<"$err" ||
  fail "weight 1e300: the afferent is not named: $err"
grep -q "siegert_rate" <<<"$err" && fail "weight 1e300: an internal message: $err"
run "$SPIKEFLOW" meanfield "$SRC/examples/brunel_ai.toml" --initial -5
[ "$status" -eq 2 ] || fail "--initial -5: exit $status, expected 2"
grep -qF "option --initial: expected a number in [0, 10000], got '-5'" <<<"$err" ||
  fail "--initial -5: $err"
# A plastic projection enters with its initial weights, and the output says so.
run "$SPIKEFLOW" meanfield "$SRC/examples/brunel_ai.toml" \
  --set 'projections.E->E.plasticity={rule="stdp", w_max="1 mV"}'
[ "$status" -eq 0 ] || fail "plastic E->E: exit $status: $err"
grep -q "note: projection 'E->E' is plastic (stdp); the mean field takes its initial weights" \
  <<<"$err" || fail "plastic E->E: no note: $err"

run "$SPIKEFLOW" meanfield
[ "$status" -eq 2 ] || fail "no model file: exit $status, expected 2"
run "$SPIKEFLOW" meanfield missing.toml
[ "$status" -eq 1 ] || fail "missing model file: exit $status, expected 1"
run "$SPIKEFLOW" meanfield --help
[ "$status" -eq 0 ] || fail "--help: exit $status"
grep -q 'Siegert' <<<"$out" || fail "--help: $out"
echo "test_meanfield: ok"

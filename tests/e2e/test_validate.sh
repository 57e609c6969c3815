#!/usr/bin/env bash
# `spikeflow validate`: a valid model prints what would be built (neurons, synapses, memory)
# and exits 0 without writing anything; an invalid one exits 1 with `file:line:col` in the
# message, and `spikeflow run` of it leaves no output file.
#
#   bash tests/e2e/test_validate.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_validate.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_validate.sh SPIKEFLOW SOURCE_DIR}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_validate): $*" >&2; exit 1; }
run() {  # run CMD...: sets $status, $out, $err
  status=0
  "$@" >out.txt 2>err.txt || status=$?
  out=$(cat out.txt)
  err=$(cat err.txt)
}

# A valid model: CUBA has 3200 + 800 neurons and 0.02 x 4000 x 4000 = 320,000 expected
# synapses (every ordered pair with probability 0.02).
run "$SPIKEFLOW" validate "$SRC/examples/cuba.toml"
[ "$status" -eq 0 ] || fail "validate cuba.toml exited $status: $err"
grep -q 'valid' <<<"$out" || fail "no 'valid' in: $out"
grep -q '4,000 neurons' <<<"$out" || fail "neuron total 4,000 missing: $out"
grep -q '320,000 synapses' <<<"$out" || fail "expected synapses 320,000 missing: $out"
grep -Eq '^ +E +lif_exp +3,200 neurons' <<<"$out" || fail "population E missing: $out"
grep -Eq '^ +I +lif_exp +800 neurons' <<<"$out" || fail "population I missing: $out"
grep -Eq 'E->E +pairwise_bernoulli\(p = 0.02\) +~ +204,800' <<<"$out" \
  || fail "projection E->E with 0.02 x 3200 x 3200 = 204,800 expected synapses missing: $out"
grep -Eq 'memory +about [0-9.]+ (KiB|MiB|GiB)' <<<"$out" || fail "no memory estimate: $out"
[ -z "$(ls -A)" ] || [ "$(ls -A | sort | tr '\n' ' ')" = "err.txt out.txt " ] \
  || fail "validate wrote files: $(ls -A)"

# --set changes what would be built: E at 1600 neurons gives 2,400 neurons in all.
run "$SPIKEFLOW" validate "$SRC/examples/cuba.toml" --set populations.E.size=1600 \
  --set simulation.duration=2000
[ "$status" -eq 0 ] || fail "validate with --set exited $status: $err"
grep -q '2,400 neurons' <<<"$out" || fail "--set populations.E.size=1600 not applied: $out"
grep -q '2000 ms' <<<"$out" || fail "--set simulation.duration=2000 not applied: $out"

# Invalid value: a negative membrane time constant (line 9 of bad.toml), reported with
# file, line and column.
cat > bad.toml <<'TOML'
[simulation]
dt = "0.1 ms"
duration = "100 ms"

[[populations]]
name = "E"
model = "lif_exp"
size = 10
params = { tau_m = "-20 ms" }
TOML
run "$SPIKEFLOW" validate bad.toml
[ "$status" -eq 1 ] || fail "validate bad.toml exited $status, expected 1"
grep -Eq '^spikeflow: error: bad\.toml:[0-9]+:[0-9]+: .*tau_m' <<<"$err" \
  || fail "error without file:line:col or key: $err"
grep -q "bad.toml:9:" <<<"$err" || fail "error names the wrong line (tau_m is on 9): $err"
grep -q -- '-20' <<<"$err" || fail "error does not show the value -20: $err"

# A TOML syntax error is a model error too.
printf '[simulation\ndt = "0.1 ms"\n' > syntax.toml
run "$SPIKEFLOW" validate syntax.toml
[ "$status" -eq 1 ] || fail "validate syntax.toml exited $status, expected 1"
grep -Eq 'syntax\.toml:[0-9]+:[0-9]+:' <<<"$err" || fail "syntax error without location: $err"

# A --set of an unknown key is a model error.
run "$SPIKEFLOW" validate "$SRC/examples/cuba.toml" --set simulation.no_such_key=1
[ "$status" -eq 1 ] || fail "--set of an unknown key exited $status, expected 1: $err"

# Running the bad model fails the same way and creates no output file.
run "$SPIKEFLOW" run bad.toml -o bad_out.h5
[ "$status" -eq 1 ] || fail "run bad.toml exited $status, expected 1"
[ ! -e bad_out.h5 ] || fail "run of an invalid model left bad_out.h5"
[ ! -e bad.h5 ] || fail "run of an invalid model left bad.h5"
run "$SPIKEFLOW" run bad.toml
[ "$status" -eq 1 ] || fail "run bad.toml (default output) exited $status, expected 1"
[ ! -e bad.h5 ] || fail "run of an invalid model left bad.h5"
echo "test_validate: ok"

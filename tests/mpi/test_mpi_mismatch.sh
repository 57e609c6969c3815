#!/usr/bin/env bash
# Ranks that loaded different models or options are refused before the build (issue 8):
# an MPMD launch `mpirun -np 1 spikeflow run a.toml : -np 1 spikeflow run b.toml` with a and b
# differing in a population's size (crashed with a double free), the seed (exited 0 with wrong
# spikes), the duration or --checkpoint-every (hung), and a resume whose ranks ask for
# different checkpoint intervals, must end every rank with exit 1, the one message printed
# once, no output written and no rank left waiting (`timeout` would end the test with 124).
# Control: the same MPMD launch with identical halves runs to the end.
#
#   bash tests/mpi/test_mpi_mismatch.sh build-mpi/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_mpi_mismatch.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_mpi_mismatch.sh SPIKEFLOW SOURCE_DIR}")
MPIRUN=(timeout 300 mpirun --allow-run-as-root --oversubscribe)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_mpi_mismatch): $*" >&2; exit 1; }
MESSAGE="spikeflow: error: the ranks loaded different models or options (rank 1 differs from rank 0): every rank must read the same model file and options"

sed 's/^duration = .*/duration = "50 ms"/' "$SRC/examples/cuba.toml" > a.toml
grep -q '^size = 3200$' a.toml && grep -q '^seed = 1$' a.toml || fail "examples/cuba.toml changed"
sed 's/^size = 3200$/size = 3100/' a.toml > size.toml
sed 's/^seed = 1$/seed = 2/' a.toml > seed.toml
sed 's/^duration = .*/duration = "60 ms"/' a.toml > duration.toml

# expect_refused NAME ARGS_OF_RANK_0 -- ARGS_OF_RANK_1 (the output is NAME.h5)
expect_refused() {
  local name=$1
  shift
  local first=()
  while [ "$1" != "--" ]; do first+=("$1"); shift; done
  shift
  local status=0
  "${MPIRUN[@]}" -np 1 "$SPIKEFLOW" "${first[@]}" : -np 1 "$SPIKEFLOW" "$@" \
    >"$name.out" 2>"$name.err" || status=$?
  [ "$status" -ne 124 ] || fail "$name: the ranks hung (timeout)"
  [ "$status" -eq 1 ] || { cat "$name.err" >&2; fail "$name: exit $status, expected 1"; }
  [ "$(grep -cF -- "$MESSAGE" "$name.err")" -eq 1 ] \
    || { cat "$name.err" >&2; fail "$name: the mismatch message is not printed exactly once"; }
  [ "$(grep -c 'error' "$name.err")" -eq 1 ] || { cat "$name.err" >&2; fail "$name: other errors"; }
  grep -q 'building' "$name.err" && fail "$name: the network was built"
  return 0
}

expect_refused size run a.toml -o size.h5 -q -- run size.toml -o size.h5 -q
[ ! -e size.h5 ] || fail "size: an output was written"
expect_refused seed run a.toml -o seed.h5 -- run seed.toml -o seed.h5
[ ! -e seed.h5 ] || fail "seed: an output was written"
expect_refused seed_option run a.toml -o seedopt.h5 -- run a.toml -o seedopt.h5 --seed 7
expect_refused duration run a.toml -o duration.h5 -- run duration.toml -o duration.h5
expect_refused checkpoint run a.toml -o ck.h5 --checkpoint-every 20 \
  -- run a.toml -o ck.h5 --checkpoint-every 30

# Control: identical halves of an MPMD launch run (and checkpoint, for the resume below).
status=0
"${MPIRUN[@]}" -np 1 "$SPIKEFLOW" run a.toml -o same.h5 -q --checkpoint-every 20 \
  : -np 1 "$SPIKEFLOW" run a.toml -o same.h5 -q --checkpoint-every 20 2>same.err || status=$?
[ "$status" -eq 0 ] || { cat same.err >&2; fail "identical halves: exit $status"; }
[ -e same.ckpt.h5 ] || fail "identical halves: no checkpoint"

expect_refused resume resume same.ckpt.h5 -o resumed.h5 -q --checkpoint-every 10 \
  -- resume same.ckpt.h5 -o resumed.h5 -q --checkpoint-every 5
[ ! -e resumed.h5 ] || fail "resume: an output was written"
echo "test_mpi_mismatch: every mismatch ends both ranks with exit 1 and one message"

#!/usr/bin/env bash
# Distributed runs give the spikes of one process (issue 8): the CUBA and Brunel examples, a
# plastic network (examples/stdp.toml) and the adapter network with state traces
# (examples/mixed.toml) run with 1, 2 and 3 ranks (oversubscribed on 2 cores) crossed with 1
# and 2 threads per rank; every spike dataset (and every trace of mixed.toml) must equal the
# single-process run's byte for byte, and the file must record the rank count. The summary
# must name ranks and threads.
#
#   bash tests/mpi/test_mpi_runs.sh build-mpi/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_mpi_runs.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_mpi_runs.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_mpi_runs): $*" >&2; exit 1; }

# name model duration_ms
cases=(
  "cuba examples/cuba.toml 200"
  "brunel examples/brunel.toml 200"
  "stdp examples/stdp.toml 1000"
  "mixed examples/mixed.toml 200"
)
for c in "${cases[@]}"; do
  read -r name model duration <<<"$c"
  set_duration=(--set "simulation.duration=$duration")
  "$SPIKEFLOW" run "$SRC/$model" -o "$name.ref.h5" --threads 1 -q "${set_duration[@]}" \
    || fail "$name: single-process run exited $?"
  outputs=()
  for np in 1 2 3; do
    for threads in 1 2; do
      out="$name.np$np.t$threads.h5"
      status=0
      "${MPIRUN[@]}" -np "$np" "$SPIKEFLOW" run "$SRC/$model" -o "$out" --threads "$threads" \
        "${set_duration[@]}" >"$out.summary" 2>"$out.log" || status=$?
      [ "$status" -eq 0 ] || { cat "$out.log" >&2; fail "$name: $np ranks x $threads threads exited $status"; }
      grep -Eq "^  ranks +$np\$" "$out.summary" || { cat "$out.summary" >&2; fail "$name: summary names no $np ranks"; }
      grep -Eq "^  threads +$threads" "$out.summary" || fail "$name: summary names no $threads threads"
      # One summary: the other ranks print nothing.
      [ "$(grep -c '^  ranks' "$out.summary")" -eq 1 ] || fail "$name: more than one summary"
      "$PY" -c "import h5py, sys; r = int(h5py.File(sys.argv[1]).attrs['ranks']); sys.exit(0 if r == $np else f'ranks attribute {r}, expected $np')" "$out" \
        || fail "$name: the file does not record $np ranks"
      outputs+=("$out")
    done
  done
  "$PY" "$SRC/tests/mpi/compare_recordings.py" --weights "$name.ref.h5" "${outputs[@]}" \
    || fail "$name: a distributed run differs from the single-process run"
done
echo "test_mpi_runs: all distributed runs equal the single-process runs"

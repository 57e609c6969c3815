#!/usr/bin/env bash
# The memory guard of distributed runs counts what every rank holds whole (issue 8): neuron
# state and ring buffers are not split over the ranks, only the synapses are, and the ranks
# of one node share its memory.
# - Under ulimit -v 3 GiB, a 4500-neuron network with delays up to 6553.5 ms (ring buffers
#   of 65 536 slots: about 4.4 GiB, nearly all of it rings) is refused before the build with
#   exit 4 in one process, and with 2 ranks as well (the guard used to divide the whole
#   estimate by the rank count and let each rank start a build it could not finish).
# - Without a limit, a 14 000-neuron network of the same kind (about 13.7 GiB per rank) with
#   2 ranks on this node needs about 27 GiB, more than the node has: refused with exit 4, the
#   message naming the per-rank and the per-node figure. Skipped if the node has that much.
#
#   bash tests/mpi/test_mpi_memory.sh build-mpi/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_mpi_memory.sh SPIKEFLOW SOURCE_DIR}")
MPIRUN=(timeout 300 mpirun --allow-run-as-root --oversubscribe)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_mpi_memory): $*" >&2; exit 1; }

# model SIZE: one population with input from itself through delays of up to 6553.5 ms.
model() {
  cat <<TOML
[simulation]
dt = "0.1 ms"
duration = "10 ms"
[[populations]]
name = "E"
model = "lif_exp"
size = $1
[[projections]]
source = "E"
target = "E"
rule = "fixed_indegree"
k = 1
weight = "1 pA"
delay = { uniform = { low = "0.1 ms", high = "6553.5 ms" } }
TOML
}
model 4500 > rings.toml
model 14000 > node.toml

# expect_refused NAME PATTERN COMMAND...: exit 4 before the build, the message once.
expect_refused() {
  local name=$1 pattern=$2
  shift 2
  local status=0
  "$@" >"$name.out" 2>"$name.err" || status=$?
  [ "$status" -ne 124 ] || fail "$name: timed out"
  [ "$status" -eq 4 ] || { cat "$name.err" >&2; fail "$name: exit $status, expected 4"; }
  [ "$(grep -cE -- "$pattern" "$name.err")" -eq 1 ] \
    || { cat "$name.err" >&2; fail "$name: the refusal is not printed exactly once"; }
  if grep -q '^building' "$name.err"; then cat "$name.err" >&2; fail "$name: built"; fi
  [ ! -e "$name.h5" ] || fail "$name: an output was written"
}

limit=3145728  # KiB: 3 GiB of address space per process
expect_refused one "error: the network needs about 4\.[0-9] GiB of memory but only" \
  bash -c "ulimit -v $limit && exec \"\$@\"" _ "$SPIKEFLOW" run rings.toml -o one.h5
expect_refused two "error: the network needs about 4\.[0-9] GiB per rank of memory but only" \
  bash -c "ulimit -v $limit && exec \"\$@\"" _ "${MPIRUN[@]}" -np 2 "$SPIKEFLOW" run rings.toml -o two.h5

total_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
if [ "$total_kib" -lt $((26 * 1024 * 1024)) ]; then
  expect_refused node "needs about 13\.[0-9] GiB per rank, 2[67]\.[0-9] GiB for the 2 ranks on this node, but only" \
    "${MPIRUN[@]}" -np 2 "$SPIKEFLOW" run node.toml -o node.h5
else
  echo "test_mpi_memory: the per-node case skipped (the node has more than 26 GiB)"
fi
echo "test_mpi_memory: both ranks' needs are counted whole, per process and per node"

#!/usr/bin/env bash
# What `spikeflow run` refuses before building, leaving no output file:
# - populations whose state arrays alone exceed the available memory (exit 4, refused while
#   loading, before they are allocated; run and validate);
# - a network whose memory estimate exceeds the available memory (exit 4, both figures in
#   the message; --force would build it, which this test does not do); validate describes it
#   and exits 4 too;
# - an output path that is the model file itself, or an existing file that is not HDF5
#   (exit 3, the file untouched).
#
#   bash tests/e2e/test_refusals.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_refusals.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_refusals.sh SPIKEFLOW SOURCE_DIR}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_refusals): $*" >&2; exit 1; }

# 10^10 all-to-all synapses: about 80 GB of weights alone, more than this machine has.
cat > huge.toml <<'TOML'
[simulation]
duration = 10
[[populations]]
name = "a"
model = "lif_delta"
size = 100000
[[projections]]
source = "a"
target = "a"
rule = "all_to_all"
weight = 0.1
delay = 1.0
TOML
status=0
"$SPIKEFLOW" run huge.toml -o huge.h5 >out.txt 2>err.txt || status=$?
[ "$status" -eq 4 ] || fail "huge network: exit $status, expected 4 ($(cat err.txt))"
grep -q 'needs about .* GiB of memory but only .* is available' err.txt \
  || fail "huge network: message: $(cat err.txt)"
[ ! -e huge.h5 ] || fail "huge network: an output file was left"
# validate describes it, then says what run would do, with the same exit code (found by a
# breaker: validate exited 0 without a word).
status=0
"$SPIKEFLOW" validate huge.toml >out.txt 2>err.txt || status=$?
[ "$status" -eq 4 ] || fail "huge network, validate: exit $status, expected 4 ($(cat err.txt))"
grep -q '100,000 neurons' out.txt || fail "huge network, validate: no description: $(cat out.txt)"
grep -Eq 'memory +about [0-9.]+ GiB .*, [0-9.]+ [KMG]iB available here' out.txt \
  || fail "huge network, validate: estimate or available memory missing: $(cat out.txt)"
grep -q "needs about .* GiB of memory but only .* is available here: 'spikeflow run' would refuse it" \
  err.txt || fail "huge network, validate: message: $(cat err.txt)"

# 4294967295 lif_alpha neurons: 192 GiB of state arrays, refused while loading, before
# they are allocated (the process stays small), by run and by validate.
cat > wide.toml <<'TOML'
[[populations]]
name = "b"
model = "lif_alpha"
size = 4294967295
TOML
for command in run validate; do
  status=0
  "$SPIKEFLOW" $command wide.toml >out.txt 2>err.txt || status=$?
  [ "$status" -eq 4 ] || fail "wide population, $command: exit $status, expected 4 ($(cat err.txt))"
  grep -q 'wide.toml:4:8: populations.b.size: 4294967295 neurons of lif_alpha need 192 GiB of state' err.txt \
    || fail "wide population, $command: message: $(cat err.txt)"
done
[ ! -e wide.h5 ] || fail "wide population: an output file was left"

cp "$SRC/examples/cuba.toml" model.toml
cp model.toml model.orig
status=0
"$SPIKEFLOW" run model.toml -o model.toml --quiet >out.txt 2>err.txt || status=$?
[ "$status" -eq 3 ] || fail "-o model file: exit $status, expected 3"
grep -q "it is the model file" err.txt || fail "-o model file: message: $(cat err.txt)"
cmp -s model.toml model.orig || fail "-o model file: the model file was changed"

echo "notes" > notes.txt
status=0
"$SPIKEFLOW" run model.toml -o notes.txt --quiet >out.txt 2>err.txt || status=$?
[ "$status" -eq 3 ] || fail "-o text file: exit $status, expected 3"
grep -q "is not an HDF5 recording" err.txt || fail "-o text file: message: $(cat err.txt)"
[ "$(cat notes.txt)" = "notes" ] || fail "-o text file: the file was changed"

# An HDF5 file that is not a spikeflow recording (e.g. a SONATA nodes file) is refused.
/usr/bin/python3 -c "import h5py; h5py.File('nodes.h5', 'w').create_dataset('nodes/x', data=[1, 2])"
before=$(md5sum nodes.h5)
status=0
"$SPIKEFLOW" run model.toml -o nodes.h5 --quiet >out.txt 2>err.txt || status=$?
[ "$status" -eq 3 ] || fail "-o foreign HDF5: exit $status, expected 3"
grep -q "not a spikeflow recording" err.txt || fail "-o foreign HDF5: message: $(cat err.txt)"
[ "$(md5sum nodes.h5)" = "$before" ] || fail "-o foreign HDF5: the file was changed"

# A recording another run is still writing is refused; that run finishes undisturbed.
"$SPIKEFLOW" run model.toml -o live.h5 --quiet --set simulation.duration=600000 &
writer=$!
for _ in $(seq 50); do
  [ -s live.h5 ] && break
  sleep 0.1
done
status=0
"$SPIKEFLOW" run model.toml -o live.h5 --quiet >out.txt 2>err.txt || status=$?
kill -INT "$writer"
writer_status=0
wait "$writer" || writer_status=$?
[ "$status" -eq 3 ] || fail "-o live file: exit $status, expected 3"
grep -q "open for writing by another run" err.txt || fail "-o live file: message: $(cat err.txt)"
[ "$writer_status" -eq 130 ] || fail "-o live file: the writing run exited $writer_status, expected 130"
/usr/bin/python3 -c "import h5py; f = h5py.File('live.h5'); assert len(f['spikes/E/timestamps']) > 0" \
  || fail "-o live file: the first run's file is not intact"

# A previous recording is overwritten (documented).
"$SPIKEFLOW" run model.toml -o again.h5 --quiet --set simulation.duration=20
"$SPIKEFLOW" run model.toml -o again.h5 --quiet --set simulation.duration=20 \
  || fail "overwriting a previous recording failed"
echo "test_refusals: ok"

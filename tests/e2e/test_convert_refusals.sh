#!/usr/bin/env bash
# `spikeflow convert` refuses what would lose data or give wrong numbers, before it writes
# anything: -o never overwrites an input (the ANN file as the weights file or as the model
# file) nor a file convert did not write, and leaves nothing behind when it refuses; empty
# layer names, a gap in fc1, fc2, ..., non-finite values in weights, biases and inputs (named
# by file, dataset and index), labels that are no class, and malformed option values.
#
#   bash tests/e2e/test_convert_refusals.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_convert_refusals.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_convert_refusals.sh SPIKEFLOW SOURCE_DIR}")
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_convert_refusals): $*" >&2; exit 1; }
run() {  # run CMD...: sets $status and $err
  status=0
  "$@" >out.txt 2>err.txt || status=$?
  err=$(cat err.txt)
}
expect() {  # expect CODE TEXT WHAT
  [ "$status" -eq "$1" ] || fail "$3: exit $status, expected $1 ($err)"
  grep -qF -- "$2" err.txt || fail "$3: expected '$2' in: $err"
}
ANN="$SRC/examples/ann_to_snn/mlp.h5"
CAL=(--calibration data/x_calibration --time 5)
sum() { sha256sum "$1" | cut -d' ' -f1; }

# --- 1. -o never destroys an input or a file convert did not write ------------------------
cp "$ANN" evil_weights.h5
before=$(sum evil_weights.h5)
run "$SPIKEFLOW" convert evil_weights.h5 "${CAL[@]}" -o evil.toml
expect 3 "it is an input of this command" "the ANN file as the weights file of -o"
[ "$(sum evil_weights.h5)" = "$before" ] || fail "the ANN file was changed"
[ ! -e evil.toml ] || fail "evil.toml written although convert refused"

cp "$ANN" self.h5
before=$(sum self.h5)
run "$SPIKEFLOW" convert self.h5 "${CAL[@]}" -o self.h5
expect 3 "it is an input of this command" "the ANN file as -o"
[ "$(sum self.h5)" = "$before" ] || fail "the ANN file was replaced"
[ ! -e self_weights.h5 ] || fail "self_weights.h5 written although convert refused"

cp "$ANN" net.h5
ln -s net.h5 link_weights.h5
run "$SPIKEFLOW" convert net.h5 "${CAL[@]}" -o link.toml
expect 3 "it is an input of this command" "a link to the ANN file as the weights file"
[ "$(sum net.h5)" = "$before" ] || fail "the ANN file was changed through a link"

echo "keep me" > notes.toml
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" -o notes.toml
expect 3 "was not written by spikeflow convert" "a foreign file as -o"
[ "$(cat notes.toml)" = "keep me" ] || fail "a foreign notes.toml was overwritten"
[ ! -e notes_weights.h5 ] || fail "notes_weights.h5 written although convert refused"

echo "keep me" > other_weights.h5
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" -o other.toml
expect 3 "was not written by spikeflow convert" "a foreign weights file"
[ ! -e other.toml ] || fail "other.toml written although convert refused"

mkdir adir
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" -o adir
expect 3 "it is a directory" "-o DIR"
[ ! -e adir_weights.h5 ] || fail "-o DIR left adir_weights.h5"
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" -o nodir/x.toml
expect 3 "does not exist" "-o into a missing directory"

# --json onto the ANN file, or into a missing directory: refused before the evaluation.
run "$SPIKEFLOW" convert net.h5 "${CAL[@]}" --json net.h5
expect 3 "it is an input of this command" "--json onto the ANN file"
[ "$(sum net.h5)" = "$before" ] || fail "--json replaced the ANN file"
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" --evaluate data/x_test --json nodir/x.json
expect 3 "does not exist" "--json into a missing directory"
grep -q agreement out.txt && fail "the evaluation ran before the --json check"

# convert's own output is overwritten; a second run gives the same files.
"$SPIKEFLOW" convert "$ANN" "${CAL[@]}" -o mine.toml > /dev/null || fail "first -o mine.toml"
first=$(sum mine.toml)
"$SPIKEFLOW" convert "$ANN" "${CAL[@]}" -o mine.toml > /dev/null ||
  fail "convert refused to overwrite its own output"
[ "$(sum mine.toml)" = "$first" ] || fail "the rewritten mine.toml differs"

# --- 2. layer lists ------------------------------------------------------------------------
for layers in "" "," "fc1," ",fc2" "fc1,,fc3"; do
  run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" --layers "$layers"
  expect 2 "option --layers: entry" "--layers '$layers'"
done
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" --layers fc1,fc2,fc3
[ "$status" -eq 0 ] || fail "--layers fc1,fc2,fc3: exit $status: $err"

# --- 6, 7. a gap in the layers, non-finite values, values beyond float range ---------------
"$PY" - "$ANN" <<'PY'
import shutil
import sys

import h5py
import numpy as np

def copy(name, edit):
    shutil.copy(sys.argv[1], name)
    with h5py.File(name, "r+") as f:
        edit(f)

def gap(f):
    f.copy("fc3", "fc4")
    del f["fc3"]

def data(f, name, index, value):
    x = f[name][:].astype(np.float64)
    x[index] = value
    del f[name]
    f[name] = x

copy("gap.h5", gap)
copy("nan_x.h5", lambda f: data(f, "data/x_test", (500, 2), np.nan))
copy("inf_bias.h5", lambda f: data(f, "fc1/bias", 0, -np.inf))
copy("nan_w2.h5", lambda f: data(f, "fc2/weight", (3, 5), np.nan))
copy("huge_w2.h5", lambda f: data(f, "fc2/weight", (3, 5), -1e300))
copy("huge_b2.h5", lambda f: data(f, "fc2/bias", 7, -1e300))
copy("half_label.h5", lambda f: data(f, "data/y_test", 17, 1.5))
copy("big_label.h5", lambda f: data(f, "data/y_test", 4, 3))
PY
run "$SPIKEFLOW" convert gap.h5 "${CAL[@]}"
expect 1 "followed by fc4 after a gap (no fc3/weight)" "layers fc1, fc2, fc4"
run "$SPIKEFLOW" convert nan_x.h5 "${CAL[@]}" --evaluate data/x_test
expect 1 "tensor file 'nan_x.h5': dataset '/data/x_test' has nan at [500, 2]" "NaN in x_test"
run "$SPIKEFLOW" convert inf_bias.h5 "${CAL[@]}"
expect 1 "tensor file 'inf_bias.h5': dataset '/fc1/bias' (dense bias [out]) has -inf at [0]" \
  "inf in fc1/bias"
run "$SPIKEFLOW" convert nan_w2.h5 "${CAL[@]}"
expect 1 "tensor file 'nan_w2.h5': dataset '/fc2/weight' (dense weight [out, in]) has nan at [3, 5]" \
  "NaN in fc2/weight"
run "$SPIKEFLOW" convert huge_w2.h5 "${CAL[@]}"
expect 1 "tensor file 'huge_w2.h5': dataset '/fc2/weight' entry [3, 5] becomes" \
  "-1e300 in fc2/weight"
grep -qF "beyond the float range" err.txt || fail "-1e300 in fc2/weight: $err"
run "$SPIKEFLOW" convert huge_b2.h5 "${CAL[@]}"
expect 1 "tensor file 'huge_b2.h5': dataset '/fc2/bias' entry [7] becomes" "-1e300 in fc2/bias"

# --- 10. labels ------------------------------------------------------------------------------
run "$SPIKEFLOW" convert half_label.h5 "${CAL[@]}" --evaluate data/x_test --labels data/y_test
expect 1 "has 1.5 at row 17; a label must be an integer in [0, 3)" "label 1.5"
run "$SPIKEFLOW" convert big_label.h5 "${CAL[@]}" --evaluate data/x_test --labels data/y_test
expect 1 "has 3 at row 4; a label must be an integer in [0, 3)" "label 3 of 3 classes"

# --- 11. option values -----------------------------------------------------------------------
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" --percentile 101
expect 2 "option --percentile: expected a number in (0, 100], got '101'" "--percentile 101"
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" --initial-v -3
expect 2 "option --initial-v: expected a number in [0, 1), got '-3'" "--initial-v -3"
run "$SPIKEFLOW" convert "$ANN" --calibration data/x_calibration --time ""
expect 2 "option --time: entry 1 of '' is empty" "--time ''"
run "$SPIKEFLOW" convert "$ANN" --calibration data/x_calibration --time 10,20,
expect 2 "option --time: entry 3 of '10,20,' is empty" "--time 10,20,"
run "$SPIKEFLOW" convert adir "${CAL[@]}"
expect 1 "tensor file 'adir': is a directory" "a directory as the ANN file"
run "$SPIKEFLOW" convert "$ANN" "${CAL[@]}" --evaluate data/x_test --threads 3
[ "$status" -eq 0 ] || fail "--threads 3: exit $status: $err"
grep -q "TBB" err.txt && fail "--threads 3 printed TBB's warning: $err"
echo ok

#!/usr/bin/env bash
# `spikeflow run -o PATH` where PATH cannot be written: exit code 3, an error naming the
# path, and nothing left behind (no output file, no directory, no probe file), checked
# before the network is built.
#
#   bash tests/e2e/test_bad_output.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_bad_output.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_bad_output.sh SPIKEFLOW SOURCE_DIR}")
WORK=$(mktemp -d)
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_bad_output): $*" >&2; exit 1; }

expect_io_error() {  # expect_io_error OUTPUT [what it is]
  local output=$1 what=$2 status=0
  "$SPIKEFLOW" run "$SRC/examples/cuba.toml" -o "$output" --quiet >out.txt 2>err.txt || status=$?
  [ "$status" -eq 3 ] || fail "$what: exit $status, expected 3 ($(cat err.txt))"
  grep -q '^spikeflow: error: .*cannot write output' err.txt \
    || fail "$what: message: $(cat err.txt)"
  grep -qF "$output" err.txt || fail "$what: the message does not name '$output': $(cat err.txt)"
  grep -q 'built in' err.txt && fail "$what: the network was built before the check"
  [ ! -s out.txt ] || fail "$what: printed a summary: $(cat out.txt)"
  if [ "$what" != "output is a directory" ]; then
    [ ! -e "$output" ] || fail "$what: '$output' exists after the failed run"
  fi
  rm -f out.txt err.txt
}

expect_io_error "$WORK/no/such/dir/out.h5" "missing directory"
[ ! -e "$WORK/no" ] || fail "missing directory: the run created '$WORK/no'"

echo "not a directory" > plain_file
expect_io_error "$WORK/plain_file/out.h5" "parent is a regular file"

mkdir a_directory
expect_io_error "$WORK/a_directory" "output is a directory"
[ -z "$(ls -A a_directory)" ] || fail "output is a directory: files appeared in it"

# A directory nobody may write to. Root ignores permission bits, so then use /proc,
# where no one can create files.
if [ "$(id -u)" -ne 0 ]; then
  mkdir locked && chmod 555 locked
  expect_io_error "$WORK/locked/out.h5" "read-only directory"
  [ -z "$(ls -A locked)" ] || fail "read-only directory: files appeared in it"
elif [ -d /proc/self ]; then
  expect_io_error "/proc/spikeflow-e2e-$$.h5" "directory that refuses new files (/proc)"
fi

# Nothing else was left in the working folder (probe files are removed).
left=$(ls -A | grep -v -x -e plain_file -e a_directory -e locked || true)
[ -z "$left" ] || fail "files left behind: $left"
echo "test_bad_output: ok"

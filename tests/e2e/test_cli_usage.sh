#!/usr/bin/env bash
# The command line itself: --help at the top and per command (exit 0, on stdout), --version,
# and usage errors (unknown command, unknown option, missing or malformed values) exiting 2
# with a `spikeflow: error:` line naming what was wrong.
#
#   bash tests/e2e/test_cli_usage.sh build/spikeflow .
set -euo pipefail
SPIKEFLOW=$(realpath "${1:?usage: test_cli_usage.sh SPIKEFLOW SOURCE_DIR}")
SRC=$(realpath "${2:?usage: test_cli_usage.sh SPIKEFLOW SOURCE_DIR}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL (test_cli_usage): $*" >&2; exit 1; }
run() {  # run ARGS...: sets $status, $out, $err
  status=0
  "$SPIKEFLOW" "$@" >out.txt 2>err.txt || status=$?
  out=$(cat out.txt)
  err=$(cat err.txt)
}

# Help: every command listed, every exit code documented.
run --help
[ "$status" -eq 0 ] || fail "--help exited $status"
for word in run validate inspect recover; do
  grep -Eq "^  $word " <<<"$out" || fail "--help does not list '$word'"
done
for code in 0 1 2 3 4 130 143; do
  grep -Eq "^  $code +" <<<"$out" || fail "--help does not document exit code $code"
done
run -h
[ "$status" -eq 0 ] && [ -n "$out" ] || fail "-h exited $status"

for cmd in run validate inspect recover; do
  run "$cmd" --help
  [ "$status" -eq 0 ] || fail "$cmd --help exited $status: $err"
  grep -q "^usage: spikeflow $cmd" <<<"$out" || fail "$cmd --help has no usage line: $out"
done
run run --help
for opt in --output --threads --seed --set --quiet --progress-interval; do
  grep -q -- "$opt" <<<"$out" || fail "run --help does not describe $opt"
done

# Version: "spikeflow X.Y.Z (commit ...)".
run --version
[ "$status" -eq 0 ] || fail "--version exited $status"
grep -Eq '^spikeflow [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-z]+\)$' <<<"$out" \
  || fail "--version printed '$out'"
run -V
[ "$status" -eq 0 ] || fail "-V exited $status"

# Usage errors: exit 2, one error line naming the offending word.
expect_usage_error() {  # expect_usage_error NEEDLE ARGS...
  local needle=$1
  shift
  run "$@"
  [ "$status" -eq 2 ] || fail "'$*' exited $status, expected 2 ($err)"
  grep -q '^spikeflow: error: ' <<<"$err" || fail "'$*': no 'spikeflow: error:' line: $err"
  grep -qF -- "$needle" <<<"$err" || fail "'$*': the error does not name '$needle': $err"
  [ ! -e cuba.h5 ] || fail "'$*' wrote cuba.h5"
}
expect_usage_error "frobnicate" frobnicate
expect_usage_error "--frobnicate" --frobnicate
expect_usage_error "--thread" run "$SRC/examples/cuba.toml" --thread 2
expect_usage_error "-x" run "$SRC/examples/cuba.toml" -x
expect_usage_error "--threads" run "$SRC/examples/cuba.toml" --threads two
expect_usage_error "--threads" run "$SRC/examples/cuba.toml" --threads -1
expect_usage_error "--seed" run "$SRC/examples/cuba.toml" --seed 1.5
expect_usage_error "[0, 9223372036854775806]" run "$SRC/examples/cuba.toml" --seed abc
expect_usage_error "[0, 9223372036854775806]" run "$SRC/examples/cuba.toml" --seed 9223372036854775807
expect_usage_error "--output" run "$SRC/examples/cuba.toml" -o
expect_usage_error "--set" run "$SRC/examples/cuba.toml" --set duration
expect_usage_error "--progress-interval" run "$SRC/examples/cuba.toml" --progress-interval 0
expect_usage_error "--quiet" run "$SRC/examples/cuba.toml" --quiet=yes
expect_usage_error "missing the model file" run
expect_usage_error "expected one model file" run a.toml b.toml
expect_usage_error "--bogus" validate "$SRC/examples/cuba.toml" --bogus
expect_usage_error "missing the file" inspect
expect_usage_error "--all" inspect x.h5 --all
expect_usage_error "missing the file" recover

# No arguments at all: the help text on stderr, exit 2.
run
[ "$status" -eq 2 ] || fail "no arguments exited $status, expected 2"
grep -q 'usage: spikeflow' <<<"$err" || fail "no arguments: no usage text on stderr"

# A missing model file is a model error (1), not a usage error.
run validate no_such_model.toml
[ "$status" -eq 1 ] || fail "validate of a missing file exited $status, expected 1 ($err)"
grep -q 'no_such_model.toml' <<<"$err" || fail "missing model: message does not name it: $err"

# --quiet: no progress, no summary, still a file.
run run "$SRC/examples/cuba.toml" --quiet --set simulation.duration=50
[ "$status" -eq 0 ] || fail "--quiet run exited $status: $err"
[ -z "$out" ] && [ -z "$err" ] || fail "--quiet printed: '$out' '$err'"
[ -s cuba.h5 ] || fail "--quiet run wrote no cuba.h5 (default output: model stem + .h5 here)"
echo "test_cli_usage: ok"

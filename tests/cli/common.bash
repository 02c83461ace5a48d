# Shared helpers for the CLI tests (sourced, not run).
set -u
BUILD=${STANCE_BUILD_DIR:?}
SRC=${STANCE_SOURCE_DIR:?}
TRAIN="$BUILD/stance-train"
PREDICT="$BUILD/stance-predict"
T=$(mktemp -d "${STANCE_TEST_TMP:-/tmp}/cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
check() { # check "description" command...
    local what=$1
    shift
    if "$@"; then ok; else fail "$what"; fi
}
expect_exit() { # expect_exit CODE "description" command...
    local want=$1 what=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" = "$want" ]; then ok; else
        fail "$what: exit $got, expected $want"
        sed 's/^/    /' "$T/err" | head -5 >&2
    fi
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
}

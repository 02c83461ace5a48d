#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c as a libFuzzer target (clang -fsanitize=fuzzer,address,
# undefined) against the library sources and runs each for FUZZ_SECONDS (default 60), as CI
# does. Usage:
#   tests/fuzz/run.sh                  build and run every target
#   tests/fuzz/run.sh extract bundle   only these (fuzz_NAME.c, or the corpus name)
# Environment:
#   FUZZ_SECONDS   time per target (default 60)
#   FUZZ_JOBS      targets run at once (default: the number of processors, at most 4)
#   FUZZ_DIR       build and work directory (default build-fuzz/ in the repository)
#   FUZZ_ARGS      extra libFuzzer flags, e.g. "-max_len=65536"
#   CC             the compiler (default clang; Debian's clang ships libFuzzer)
# The committed seeds in tests/fuzz/corpus/NAME/ are copied to FUZZ_DIR/corpus/NAME first, so
# what the fuzzer finds stays out of the repository; a crash leaves its input in
# FUZZ_DIR/artifacts/ and the script exits 1 after printing how to replay it.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-60}
DIR=${FUZZ_DIR:-$ROOT/build-fuzz}
CC=${CC:-clang}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -gt 4 ] && JOBS=4

if ! command -v "$CC" >/dev/null; then
    echo "run.sh: $CC not found (apt-get install clang)" >&2
    exit 2
fi
mkdir -p "$DIR/obj" "$DIR/bin" "$DIR/corpus" "$DIR/artifacts" "$DIR/logs" || exit 2

# The same flags for the library and the targets: coverage for the fuzzer, ASan + UBSan with
# UB fatal (a report that does not stop the run would be lost among millions of inputs).
# shellcheck disable=SC2054 # the commas belong to -fsanitize
SAN=(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
CFLAGS=(-std=c11 -g -O1 -fno-omit-frame-pointer -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
        '-DSTANCE_VERSION="fuzz"' -Wall -Wextra -Wno-unused-parameter)
for d in common datasets features models train predict; do CFLAGS+=("-I$ROOT/$d"); done
PKG_CFLAGS=$(pkg-config --cflags icu-uc icu-i18n libcjson) || exit 2
PKG_LIBS=$(pkg-config --libs icu-uc icu-i18n libcjson) || exit 2
LIBS="$PKG_LIBS -llinear -lstemmer -lpthread -lm"

# 1. the library: every source the CMake build globs, less the programs' main files
objs=()
for src in "$ROOT"/{common,datasets,features,models,train,predict}/*.c; do
    case $src in *_main.c) continue ;; esac
    obj="$DIR/obj/$(basename "$(dirname "$src")")_$(basename "$src" .c).o"
    if [ ! "$obj" -nt "$src" ] || [ -n "$(find "$ROOT"/{common,datasets,features,models,train,predict} \
        -name '*.h' -newer "$obj" 2>/dev/null | head -1)" ]; then
        # shellcheck disable=SC2086
        $CC "${CFLAGS[@]}" "${SAN[@]}" $PKG_CFLAGS -c "$src" -o "$obj" || exit 2
    fi
    objs+=("$obj")
done

# 2. the targets (all, or those named on the command line)
targets=()
for src in "$ROOT"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    short=${name#fuzz_}
    corpus=${short##*_} # fuzz_reader_csv -> csv, fuzz_extract -> extract
    if [ $# -gt 0 ]; then
        want=0
        for a in "$@"; do
            [ "$a" = "$name" ] || [ "$a" = "$short" ] || [ "$a" = "$corpus" ] && want=1
        done
        [ $want = 1 ] || continue
    fi
    # shellcheck disable=SC2086
    $CC "${CFLAGS[@]}" "${SAN[@]/fuzzer-no-link/fuzzer}" $PKG_CFLAGS "$src" "${objs[@]}" $LIBS \
        -o "$DIR/bin/$name" || exit 2
    targets+=("$name:$corpus")
done
[ ${#targets[@]} -gt 0 ] || { echo "run.sh: no fuzz target matches $*" >&2; exit 2; }

# 3. run them, JOBS at a time; a target fails when libFuzzer exits non-zero (a crash, a leak,
# a sanitizer report, a timeout of one input, or running out of memory)
run_one() {
    local name=${1%%:*} corpus=${1##*:}
    local work="$DIR/corpus/$corpus" log="$DIR/logs/$name.log"
    mkdir -p "$work"
    [ -d "$ROOT/tests/fuzz/corpus/$corpus" ] && cp -n "$ROOT/tests/fuzz/corpus/$corpus"/* "$work"/ 2>/dev/null
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$DIR/bin/$name" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2560 \
        -print_final_stats=1 -artifact_prefix="$DIR/artifacts/$name-" ${FUZZ_ARGS:-} "$work" \
        >"$log" 2>&1
    local rc=$?
    local execs
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    if [ $rc = 0 ]; then
        echo "$name: ok, ${execs:-?} executions in ${SECONDS_EACH}s, corpus $(find "$work" -type f | wc -l) inputs"
    else
        echo "$name: FAILED (exit $rc); log $log"
        grep -m3 -E 'ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/    /'
        local art
        art=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
        [ -n "$art" ] && echo "    replay: $DIR/bin/$name $art"
    fi
    return $rc
}

status=0
pids=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$JOBS" ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do
    wait "$p" || status=1
done
exit $status

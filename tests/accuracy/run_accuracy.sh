#!/usr/bin/env bash
# run_accuracy.sh - the `make accuracy` driver: on every public benchmark set present, trains
# stance with the flags tests/accuracy/sets.conf records (chosen inside train by search.py),
# scores it once on the test split, runs both peers (tests/accuracy/peers.py: scikit-learn and
# fastText, each tuned inside train), then writes docs/ACCURACY.md and docs/accuracy/SET.html.
#
# Environment: BUILD (default build), BENCH (default ../shared/benchmarks), RESULTS (default
# $BUILD/accuracy), JOBS (sets run in parallel, default 2), SETS (space-separated subset),
# PEERS (default sklearn,fasttext; empty = stance only), PYTHON (for the peers; default
# /usr/bin/python3, Debian's python3-sklearn), DOCS (where ACCURACY.md and accuracy/*.html go;
# default docs). Exits 0 when every set present ran (or none is present).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=tests/accuracy
BUILD=${BUILD:-build}
BENCH=${BENCH:-../shared/benchmarks}
RESULTS=${RESULTS:-$BUILD/accuracy}
JOBS=${JOBS:-2}
PEERS=${PEERS-sklearn,fasttext}
PYTHON=${PYTHON:-/usr/bin/python3}
DOCS=${DOCS:-docs}

if [ ! -d "$BENCH" ]; then
    echo "run_accuracy.sh: $BENCH not found; nothing to measure" >&2
    exit 0
fi
for tool in "$BUILD/stance-train" "$BUILD/stance-predict"; do
    [ -x "$tool" ] || { echo "run_accuracy.sh: $tool missing (make build)" >&2; exit 2; }
done
if [ -n "$PEERS" ]; then
    "$PYTHON" -c 'import sklearn' 2>/dev/null ||
        { echo "run_accuracy.sh: $PYTHON lacks scikit-learn (apt-get install python3-sklearn)" >&2; exit 2; }
    command -v fasttext >/dev/null ||
        { echo "run_accuracy.sh: fasttext missing (apt-get install fasttext)" >&2; exit 2; }
fi

# one line per set, fields split by the unit separator (0x1f; a tab would merge empty
# fields): name train test task target group stance-flags members (the set's --member flags,
# one member per line in sets.conf, joined by ';' here)
conf_lines() {
    python3 - "$HERE/sets.conf" <<'EOF'
import configparser, sys
cp = configparser.ConfigParser(interpolation=None)
cp.read(sys.argv[1])
for n in cp.sections():
    s = cp[n]
    members = ";".join(m.strip() for m in s.get("members", "").splitlines() if m.strip())
    print("\x1f".join([n, s["train"], s["test"], s["task"], s.get("target", ""),
                     s.get("group", ""), s["stance"], members]))
EOF
}

run_set() { # one set, all systems; output under $RESULTS/NAME
    local -
    set -f # the flags are split into words below; "--stemming *=none" must not glob
    local name=$1 train=$BENCH/$2 test=$BENCH/$3 task=$4 target=$5 group=$6 flags=$7
    local members=$8
    local d=$RESULTS/$name
    rm -rf "$d"
    mkdir -p "$d"
    local gflag=()
    [ -n "$group" ] && gflag=(--group-column "$group")
    local margs=() m ms
    IFS=';' read -ra ms <<<"$members"
    for m in "${ms[@]}"; do margs+=(--member "$m"); done
    local t0 t1
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086  # task and flags are word lists from sets.conf
    "$BUILD/stance-train" -q --json --data "$train" $task "${gflag[@]}" $flags "${margs[@]}" \
        --aggregation document --out "$d/stance.model" >"$d/stance-train.out" 2>"$d/stance-train.err"
    t1=$(date +%s.%N)
    # the report's JSON starts at its first "{" line, after the text table
    sed -n '/^{/,$p' "$d/stance-train.out" >"$d/stance-train.json"
    "$BUILD/stance-predict" -q --model "$d/stance.model" --eval "$test" --json >"$d/stance.json"
    # the label of every test row, for report.py's paired bootstrap against the peers (exit 3:
    # some rows unreadable, each with an error object in its place; report.py leaves the
    # intervals out when the scores it recomputes from these rows differ from --eval's)
    local tflag=() prc=0
    [ -n "$target" ] && tflag=(--target-column "$target")
    "$BUILD/stance-predict" -q --model "$d/stance.model" "${tflag[@]}" --evidence 0 \
        --output "$d/stance-pred.jsonl" "$test" || prc=$?
    [ "$prc" = 0 ] || [ "$prc" = 3 ] || return "$prc"
    if [ -n "$target" ]; then
        # per-target scores where a set has only a few targets (ruw_stance: russia, ukraine)
        local targets
        targets=$(python3 -c '
import csv, sys
csv.field_size_limit(1 << 30)
t = sorted({r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))})
print("\n".join(t) if len(t) <= 10 else "")' "$test" "$target")
        while IFS= read -r t; do
            [ -n "$t" ] || continue
            "$BUILD/stance-predict" -q --model "$d/stance.model" --eval "$test" --json \
                --where "$target=$t" >"$d/stance-target-${t// /_}.json"
        done <<<"$targets"
    fi
    printf '{"flags": "%s", "members": "%s", "train_seconds": %.1f, "date": "%s"}\n' "$flags" \
        "$members" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(date -u +%Y-%m-%d)" >"$d/meta.json"
    echo "$name: stance done ($(python3 -c '
import json, sys
t = next(iter(json.load(open(sys.argv[1]))["tasks"].values()))
print("macro-F1 %.2f, ECE %.3f" % (100 * t["macro_f1"], t["ece"]))' "$d/stance.json"))"
    if [ -n "$PEERS" ]; then
        local pargs=(--name "$name" --train "$train" --test "$test" --peers "$PEERS"
            --out "$d/peers.json")
        [ -n "$target" ] && pargs+=(--target-column "$target")
        [ -n "$group" ] && pargs+=(--group-column "$group")
        "$PYTHON" "$HERE/peers.py" "${pargs[@]}" 2>"$d/peers.log"
        echo "$name: peers done"
    fi
}

mkdir -p "$RESULTS"
pids=()
ran=0
while IFS=$'\x1f' read -r name train test task target group flags members; do
    if [ -n "${SETS:-}" ] && [[ " $SETS " != *" $name "* ]]; then continue; fi
    if [ ! -f "$BENCH/$train" ] || [ ! -f "$BENCH/$test" ]; then
        echo "$name: not present under $BENCH, skipped"
        continue
    fi
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
    run_set "$name" "$train" "$test" "$task" "$target" "$group" "$flags" "$members" &
    pids+=($!)
    ran=$((ran + 1))
done < <(conf_lines)
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ "$status" = 0 ] || { echo "run_accuracy.sh: a set failed (see $RESULTS/*/)" >&2; exit 1; }
[ "$ran" -gt 0 ] || { echo "run_accuracy.sh: no set present" >&2; exit 0; }
python3 "$HERE/report.py" "$RESULTS" --docs "$DOCS"
# a screenshot of every page, to look at (headless Chromium, Debian package chromium); the
# pages load nothing from the network, so this also shows they are self-contained
if command -v chromium >/dev/null; then
    for page in "$DOCS"/accuracy/*.html; do
        png=$RESULTS/$(basename "$page" .html).png
        timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --window-size=1100,1800 --screenshot="$png" "file://$(realpath "$page")" >/dev/null 2>&1 &&
            echo "screenshot: $png" || echo "screenshot of $page failed" >&2
    done
fi

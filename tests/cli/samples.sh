#!/usr/bin/env bash
# `make run` scores datasets/samples/: every sample article must give one result, and the
# default model's outlook must agree with the writers' own reading (expected_outlook).
. "$(dirname "$0")/common.bash"
MODEL="$SRC/models/negotiations.model"
if [ ! -f "$MODEL/manifest.json" ]; then
    echo "skipped: $MODEL not trained (make model)"
    exit 77
fi
expect_exit 0 "score the samples" "$PREDICT" --model "$MODEL" "$SRC/datasets/samples/"
n=$(cat "$SRC"/datasets/samples/*.jsonl | grep -c .)
check "one result per sample article ($n)" test "$(wc -l <"$T/out")" = "$n"
check "at least 8 samples in 4 languages" test "$n" -ge 8
if python3 - "$T/out" <<'PY'; then ok; else fail "a sample's outlook disagrees with its expected_outlook"; fi
import json, sys
bad = 0
langs = set()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    langs.add(r["lang"])
    got, want = r["outlook"]["label"], r["expected_outlook"]
    print("  %-6s expected %-11s got %-11s (%.2f)" % (r["id"], want, got, r["outlook"]["confidence"]))
    bad += got != want
sys.exit(1 if bad or len(langs) < 4 else 0)
PY
finish

#!/usr/bin/env bash
# Accuracy gates of the default model (models/negotiations.model, trained by `make model` on
# the train split of datasets/negotiations/): its test split, per language, sentence level
# (outlook and party stance), and the 20 held-out whole articles (outlook, through the
# sentence -> article aggregation). Bars are the README's measured numbers minus 0.05.
. "$(dirname "$0")/common.bash"
MODEL="$SRC/models/negotiations.model"
if [ ! -f "$MODEL/manifest.json" ]; then
    echo "skipped: $MODEL not trained (make model)"
    exit 77
fi
C="$SRC/datasets/negotiations"
gate() { # gate FILE TASK=MIN... (extra args to --eval)
    local file=$1
    shift
    expect_exit 0 "$(basename "$file") $*" "$PREDICT" --model "$MODEL" --eval "$file" "$@"
    grep -E "^(outlook|stance)$|^n = " "$T/out" | paste - - | sed "s|^|  $(basename "$file"): |"
}
gate "$C/ru.csv" --where split=test --min-macro-f1 outlook=0.63 --min-macro-f1 stance=0.59
gate "$C/uk.csv" --where split=test --min-macro-f1 outlook=0.68 --min-macro-f1 stance=0.63
gate "$C/bg.csv" --where split=test --min-macro-f1 outlook=0.68 --min-macro-f1 stance=0.60
gate "$C/en.csv" --where split=test --min-macro-f1 outlook=0.70 --min-macro-f1 stance=0.66
python3 "$SRC/tests/tools/corpus_articles.py" "$C" "$T/articles.jsonl" --split test 2>/dev/null
check "20 held-out articles" test "$(wc -l <"$T/articles.jsonl")" = 20
gate "$T/articles.jsonl" --min-macro-f1 outlook=0.69
finish

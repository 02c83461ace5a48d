#!/usr/bin/env bash
# Accuracy on real data nobody here wrote: SemEval-2016 task 6 (stance in English tweets).
# Trains on its train split, evaluates on its test split, checks the official F_avg.
# Skips (77) when ../shared/benchmarks is absent.
. "$(dirname "$0")/common.bash"
S="$SRC/../shared/benchmarks/semeval2016_task6"
if [ ! -f "$S/train.csv" ] || [ ! -f "$S/test.csv" ]; then
    echo "skipped: $S not present"
    exit 77
fi
# settings chosen by cross-validation inside train (README, "Accuracy"): Porter2 stemming
# (CV macro-F1 0.6729) over Porter (0.6713)
expect_exit 0 "train on semeval train" "$TRAIN" -q --data "$S/train.csv" --task stance \
    --label-column label --target-column target --target-conjoin --char-ngrams 2-5 \
    --solver L2R_L2LOSS_SVC_DUAL --stemming 'en=snowball:english,*=none' --aggregation document \
    --out "$T/semeval.model"
expect_exit 0 "evaluate on semeval test" "$PREDICT" --model "$T/semeval.model" \
    --eval "$S/test.csv" --json
read -r favg ece < <(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"]["stance"]
print(round(100 * t["f_avg"], 2), round(t["ece"], 4))' "$T/out")
echo "semeval2016_task6 test: F_avg $favg (published SVM-ngrams 68.98), ECE $ece"
check "F_avg >= 68.0 (measured 69.01)" python3 -c "import sys; sys.exit(0 if $favg >= 68.0 else 1)"
check "ECE <= 0.05" python3 -c "import sys; sys.exit(0 if $ece <= 0.05 else 1)"
finish

#!/usr/bin/env bash
# stance-train --tune-offsets: one offset per label on the calibrated scores, tuned on the
# held-out decision values for the --cv-metric, stored as the bundle's class_bias; off by
# default (bundles as before), needs cross-validation, reports none / in sample / cross-fitted.
. "$(dirname "$0")/common.bash"

# 600 rows, three quarters "none", favor and against with a weak signal; without class weights
# the model rarely says favor or against, which an F_avg-tuned offset must correct
write_stance_csv "$T/data.csv" 600 6 0.45 7

common=(-q --data "$T/data.csv" --task stance --label-column label --target-column target
    --ngrams 1 --negation 0 --min-df 1 --stemming '*=none' --aggregation document --c 1
    --no-class-weights --cv-metric f_avg)

expect_exit 2 "--tune-offsets without cross-validation" "$TRAIN" "${common[@]}" --cv 0 \
    --tune-offsets --out "$T/x.model"
check "the error says why" grep -q "need cross-validation" "$T/err"
expect_exit 0 "train without offsets" "$TRAIN" "${common[@]}" --json --out "$T/plain.model"
sed -n '/^{/,$p' "$T/out" >"$T/plain.json"
check "no offsets by default" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"][0]
sys.exit(0 if "class_bias" not in t and "tuned_offsets" not in t["cross_validation"] else 1)' \
    "$T/plain.model/manifest.json"
expect_exit 0 "train with --tune-offsets" "$TRAIN" "${common[@]}" --tune-offsets --json \
    --out "$T/off.model"
sed -n '/^{/,$p' "$T/out" >"$T/off.json"
check "offsets favour the minority labels and raise F_avg, in sample and cross-fitted" python3 - \
    "$T/off.model/manifest.json" "$T/off.json" "$T/plain.json" <<'EOF'
import json, sys
task = json.load(open(sys.argv[1]))["tasks"][0]
cv = json.load(open(sys.argv[2]))["tasks"]["stance"]
plain = json.load(open(sys.argv[3]))["tasks"]["stance"]
labels, b, to = task["labels"], task["class_bias"], cv["tuned_offsets"]
off = dict(zip(labels, to["offsets"]))
ok = b == to["offsets"] and off["none"] == 0  # no other calibration; the majority label stays
ok = ok and off["favor"] > off["none"] and off["against"] > off["none"]
ok = ok and abs(to["none"]["score"] - plain["score"]) < 1e-12  # same folds, same C
ok = ok and to["in_sample"]["score"] > to["none"]["score"] + 0.05
ok = ok and to["cross_fitted"]["score"] > to["none"]["score"] + 0.03
# the report's own figures are the cross-fitted ones
ok = ok and all(abs(to["cross_fitted"][m] - cv[m]) < 1e-12 for m in ("score", "ece", "macro_f1"))
ok = ok and cv["temperature"] == task["temperature"] and to["cross_fitted"]["ece"] < 0.1
if not ok:
    print(json.dumps({k: v for k, v in cv.items() if k not in ("metrics", "grid")}, indent=1))
sys.exit(0 if ok else 1)
EOF
predict_data "predict with the offsets bundle" "$T/off.model" "$T/off.jsonl"
predict_data "predict with the plain bundle" "$T/plain.model" "$T/plain.jsonl"
check "stance-predict applies the offsets: more favor and against, labels the argmax" python3 - \
    "$T/off.jsonl" "$T/plain.jsonl" <<'EOF'
import json, sys
a, b = ([r["stance"][0] for r in map(json.loads, open(p))] for p in sys.argv[1:])
polar = lambda rows: sum(s["label"] != "none" for s in rows)
ok = len(a) == len(b) == 600 and polar(a) > polar(b)
ok = ok and all(s["scores"][s["label"]] == max(s["scores"].values()) for s in a)
sys.exit(0 if ok else 1)
EOF
finish

#!/usr/bin/env bash
# stance-train --calibration: temperature (the default; bundles byte-identical to training
# without the option), bias (softmax(values / T + b), a bias per label in the manifest as
# "class_bias", the CV report of the calibrated predictions) or ece (the temperature of least
# held-out ECE: same labels, other probabilities); strict loading of class_bias.
. "$(dirname "$0")/common.bash"

# 300 rows, two targets, two thirds "none": with class weights the model over-predicts favor
# and against, a skew that one temperature cannot undo and a bias per label can
write_stance_csv "$T/data.csv" 300 4 0.6 5

common=(-q --data "$T/data.csv" --task stance --label-column label --target-column target
    --ngrams 1 --negation 0 --min-df 1 --stemming '*=none' --aggregation document --c 1
    --cv-metric f_avg)

expect_exit 2 "an unknown --calibration" "$TRAIN" "${common[@]}" --calibration platt --out "$T/x.model"
check "the error names the choices" grep -q "temperature, bias or ece" "$T/err"
expect_exit 2 "--calibration bias without cross-validation" "$TRAIN" "${common[@]}" --cv 0 \
    --calibration bias --out "$T/x.model"
check "the error says why" grep -q "needs cross-validation" "$T/err"
expect_exit 2 "--calibration ece without cross-validation" "$TRAIN" "${common[@]}" --cv 0 \
    --calibration ece --out "$T/x.model"
check "the error names ece" grep -q "calibration ece is fitted" "$T/err"
expect_exit 0 "train with the default calibration" "$TRAIN" "${common[@]}" --json --out "$T/plain.model"
sed -n '/^{/,$p' "$T/out" >"$T/plain.json"
mkdir "$T/t"
expect_exit 0 "train with --calibration temperature" "$TRAIN" "${common[@]}" \
    --calibration temperature --out "$T/t/plain.model"
check "--calibration temperature is the default, byte for byte" diff -r "$T/plain.model" \
    "$T/t/plain.model"
check "a temperature bundle has no class_bias" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"][0]
sys.exit(0 if "class_bias" not in t and "calibration" not in t["cross_validation"] else 1)' \
    "$T/plain.model/manifest.json"

expect_exit 0 "train with --calibration bias" "$TRAIN" "${common[@]}" --calibration bias --json \
    --out "$T/bias.model"
sed -n '/^{/,$p' "$T/out" >"$T/bias.json"
check "class_bias in the manifest; the CV report is of the calibrated predictions" python3 - \
    "$T/bias.model/manifest.json" "$T/bias.json" "$T/plain.json" <<'EOF'
import json, math, sys
task = json.load(open(sys.argv[1]))["tasks"][0]
cv = json.load(open(sys.argv[2]))["tasks"]["stance"]
plain = json.load(open(sys.argv[3]))["tasks"]["stance"]
b = task["class_bias"]
ok = (len(b) == 3 and all(math.isfinite(x) for x in b) and abs(sum(b)) < 1e-9
      and max(abs(x) for x in b) > 0.05 and cv["calibration"] == "bias" and cv["class_bias"] == b
      and cv["temperature"] == task["temperature"])
ins, cross = cv["calibrations"]["in_sample"], cv["calibrations"]["cross_fitted"]
# in sample, "temperature" is exactly what the default calibration reports, and "bias" is
# this report's own figures
ok = ok and abs(ins["temperature"]["ece"] - plain["ece"]) < 1e-12
ok = ok and abs(ins["temperature"]["score"] - plain["score"]) < 1e-12
ok = ok and all(abs(ins["bias"][m] - cv[m]) < 1e-12 for m in ("ece", "accuracy", "macro_f1", "score"))
# the joint fit never has a higher NLL than the temperature alone on the rows it was fitted to
ok = ok and ins["bias"]["nll"] <= ins["temperature"]["nll"] + 1e-12
ok = ok and all(0 <= cross[c]["ece"] <= 1 for c in ("temperature", "bias"))
# score, f_avg and the per-class figures all come from the same calibrated labels
cls = cv["metrics"]["classes"]
f_avg = (cls["favor"]["f1"] + cls["against"]["f1"]) / 2
ok = ok and abs(cv["score"] - f_avg) < 1e-9 and abs(cv["f_avg"] - f_avg) < 1e-9
if not ok:
    print(json.dumps({k: v for k, v in cv.items() if k not in ("metrics", "grid")}, indent=1))
sys.exit(0 if ok else 1)
EOF
mkdir "$T/again"
expect_exit 0 "retrain with --calibration bias" "$TRAIN" "${common[@]}" --calibration bias \
    --out "$T/again/bias.model"
check "the bias fit is deterministic (byte-identical bundle)" diff -r "$T/bias.model" \
    "$T/again/bias.model"

predict_data "predict with a bias bundle" "$T/bias.model" "$T/bias.jsonl"
predict_data "predict with the temperature bundle" "$T/plain.model" "$T/plain.jsonl"
check "labels are the argmax of the reported scores, and the bias moves some" python3 - \
    "$T/bias.jsonl" "$T/plain.jsonl" <<'EOF'
import json, sys
a, b = ([r["stance"][0] for r in map(json.loads, open(p))] for p in sys.argv[1:])
ok = len(a) == len(b) == 300
ok = ok and all(s["scores"][s["label"]] == max(s["scores"].values()) for s in a)
ok = ok and any(x["label"] != y["label"] for x, y in zip(a, b))
sys.exit(0 if ok else 1)
EOF

# --calibration ece: only the temperature differs from the default; the labels, C and the CV
# score stay; the report compares it with the NLL temperature, in sample and cross-fitted
expect_exit 0 "train with --calibration ece" "$TRAIN" "${common[@]}" --calibration ece --json \
    --out "$T/ece.model"
sed -n '/^{/,$p' "$T/out" >"$T/ece.json"
check "ece: same C and score, its own temperature, ECE not above the default's" python3 - \
    "$T/ece.model/manifest.json" "$T/ece.json" "$T/plain.json" \
    "$T/plain.model/manifest.json" <<'EOF'
import json, sys
task = json.load(open(sys.argv[1]))["tasks"][0]
cv = json.load(open(sys.argv[2]))["tasks"]["stance"]
plain = json.load(open(sys.argv[3]))["tasks"]["stance"]
ptask = json.load(open(sys.argv[4]))["tasks"][0]
ok = (cv["calibration"] == "ece" and "class_bias" not in task and "class_bias" not in cv
      and cv["temperature"] == task["temperature"] != ptask["temperature"]
      and cv["C"] == plain["C"] and abs(cv["score"] - plain["score"]) < 1e-12
      and abs(cv["macro_f1"] - plain["macro_f1"]) < 1e-12 and cv["ece"] <= plain["ece"] + 1e-12)
ins, cross = cv["calibrations"]["in_sample"], cv["calibrations"]["cross_fitted"]
ok = ok and abs(ins["ece"]["ece"] - cv["ece"]) < 1e-12
ok = ok and abs(ins["temperature"]["ece"] - plain["ece"]) < 1e-12
ok = ok and all(abs(cross[c]["score"] - plain["score"]) < 1e-12 for c in ("temperature", "ece"))
if not ok:
    print(json.dumps({k: v for k, v in cv.items() if k not in ("metrics", "grid")}, indent=1))
sys.exit(0 if ok else 1)
EOF
predict_data "predict with the ece bundle" "$T/ece.model" "$T/ece.jsonl"
check "ece: every label as with the default temperature" python3 - "$T/ece.jsonl" \
    "$T/plain.jsonl" <<'EOF'
import json, sys
a, b = ([r["stance"][0] for r in map(json.loads, open(p))] for p in sys.argv[1:])
sys.exit(0 if len(a) == len(b) == 300 and all(x["label"] == y["label"] for x, y in zip(a, b))
         else 1)
EOF

# per-target models get their own bias
expect_exit 0 "--target-models with --calibration bias" "$TRAIN" "${common[@]}" --target-models \
    --calibration bias --out "$T/tm.model"
check "each per-target model has its own class_bias" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"][0]
e = t["target_models"]
sys.exit(0 if len(e) == 2 and all(len(m["class_bias"]) == 3 for m in e)
         and e[0]["class_bias"] != e[1]["class_bias"] else 1)' "$T/tm.model/manifest.json"

# strict loading: class_bias of the wrong length, with a non-finite or non-numeric member, in
# the task or in a per-target model: exit 4 (model), naming the member
bad() { # bad "description" sed-script model
    rm -rf "$T/bad.model" && cp -r "$T/$3.model" "$T/bad.model"
    sed -i "$2" "$T/bad.model/manifest.json"
    expect_exit 4 "$1 is refused" "$PREDICT" -q --model "$T/bad.model" --target-column target \
        "$T/data.csv"
    check "$1: the error names class_bias" grep -q "class_bias" "$T/err"
}
bad "a class_bias one short" 's/"class_bias":\t\[[^,]*, /"class_bias":\t[/' bias
bad "a class_bias one long" 's/"class_bias":\t\[/"class_bias":\t[0, /' bias
bad "a non-finite class_bias" 's/"class_bias":\t\[[^,]*,/"class_bias":\t[1e999,/' bias
bad "a class_bias string" 's/"class_bias":\t\[[^,]*,/"class_bias":\t["x",/' bias
bad "a class_bias that is no array" 's/"class_bias":\t\[[^]]*\]/"class_bias":\t0/' bias
bad "a per-target class_bias one short" \
    '/"target_models"/,$ s/"class_bias":\t\[[^,]*, /"class_bias":\t[/' tm
finish

#!/usr/bin/env bash
# stance-train --member: further models of each task, each from the defaults and its own flags,
# trained on the same examples and folds; the bundle averages their calibrated probabilities.
# The ensemble's probabilities must be the mean of the same models trained alone, its manifest
# must list the members with their files, a corrupt member must be refused, and bad --member
# flags must be usage errors.
. "$(dirname "$0")/common.bash"

write_stance_csv "$T/data.csv" 400 2 0.5 11

common=(-q --data "$T/data.csv" --task stance --label-column label --target-column target
    --aggregation document --cv 3)
own=(--ngrams 1 --negation 0 --min-df 1 --stemming '*=none' --c 1)
member='--ngrams 2 --char-ngrams 2-4 --min-df 1 --stemming *=none --solver L2R_L2LOSS_SVC_DUAL --c 0.3'

expect_exit 0 "train the first model alone" "$TRAIN" "${common[@]}" "${own[@]}" --out "$T/a.model"
# shellcheck disable=SC2086 # the member's flags are words
expect_exit 0 "train the member's model alone" "$TRAIN" "${common[@]}" $member --out "$T/b.model"
expect_exit 0 "train the ensemble" "$TRAIN" "${common[@]}" "${own[@]}" --member "$member" --json \
    --out "$T/e.model"
sed -n '/^{/,$p' "$T/out" >"$T/e.json"
check "the manifest lists the member, its files exist, the report has the ensemble" python3 - \
    "$T/e.model" "$T/e.json" "$T/b.model/manifest.json" <<'EOF'
import json, os, sys
task = json.load(open(os.path.join(sys.argv[1], "manifest.json")))["tasks"][0]
cv = json.load(open(sys.argv[2]))["tasks"]["stance"]
alone = json.load(open(sys.argv[3]))["tasks"][0]
m = task["members"]
ok = len(m) == 1 and m[0]["solver"] == "L2R_L2LOSS_SVC_DUAL" and m[0]["C"] == 0.3
ok = ok and m[0]["features"]["char_ngram_min"] == 2 and m[0]["features"]["word_ngram_max"] == 2
ok = ok and all(os.path.isfile(os.path.join(sys.argv[1], m[0][f]["file"])) for f in ("vocabulary", "model"))
ok = ok and m[0]["temperature"] == alone["temperature"]  # same folds, same held-out values
e = cv["ensemble"]
ok = ok and e["models"] == 2 and 0 < e["score"] <= 1 and 0 <= e["ece"] <= 1
sys.exit(0 if ok else 1)
EOF
predict_data "predict with the first model" "$T/a.model" "$T/a.jsonl"
predict_data "predict with the member alone" "$T/b.model" "$T/b.jsonl"
predict_data "predict with the ensemble" "$T/e.model" "$T/e.jsonl"
check "the ensemble's probabilities are the mean of the two models'" python3 - \
    "$T/a.jsonl" "$T/b.jsonl" "$T/e.jsonl" <<'EOF'
import json, sys
a, b, e = ([r["stance"][0] for r in map(json.loads, open(p))] for p in sys.argv[1:])
ok = len(a) == len(b) == len(e) == 400
worst = max(abs((x["scores"][l] + y["scores"][l]) / 2 - z["scores"][l])
            for x, y, z in zip(a, b, e) for l in z["scores"])
ok = ok and worst <= 1.01e-4  # each printed to 4 decimals
ok = ok and any(x["label"] != y["label"] for x, y in zip(a, b))  # two different models
ok = ok and all(z["scores"][z["label"]] == max(z["scores"].values()) for z in e)
if not ok:
    print("worst difference", worst)
sys.exit(0 if ok else 1)
EOF
# a member file edited after training: refused, naming the file
cp -r "$T/e.model" "$T/bad.model"
printf '0 0\n' >>"$T/bad.model/stance.member-0.liblinear"
expect_exit 4 "a corrupt member file is refused" "$PREDICT" -q --model "$T/bad.model" \
    --target-column target "$T/data.csv"
check "the error names the member's file" grep -q "stance.member-0.liblinear" "$T/err"
expect_exit 2 "--member with a data option" "$TRAIN" "${common[@]}" --member "--cv 5" \
    --out "$T/x.model"
check "the error says what --member takes" grep -q "feature and model options only" "$T/err"
expect_exit 2 "--member with a bad value" "$TRAIN" "${common[@]}" --member "--ngrams 9" \
    --out "$T/x.model"
expect_exit 2 "--member with --target-models" "$TRAIN" "${common[@]}" --target-models \
    --member "--ngrams 1" --out "$T/x.model"
finish

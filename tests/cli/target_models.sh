#!/usr/bin/env bash
# stance-train --target-models: one LIBLINEAR model per target inside the bundle, chosen by the
# scorer from the record's target; the shared model for a target without one; old bundles
# (no "target_models") load and score as before; strict loading of the new entries.
. "$(dirname "$0")/common.bash"

# 320 rows, two targets whose label skew differs: the cue words mean opposite stances for the
# two targets, alpha is mostly favor and beta mostly against. One shared model cannot fit both;
# a model per target can.
python3 - "$T/data.csv" <<'EOF'
import csv, random, sys
rnd = random.Random(11)
noise = ["the", "talks", "today", "plan", "leaders", "week", "news", "city", "river", "market"]
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "text", "target", "label", "lang"])
    for i in range(320):
        target = "alpha" if i % 2 else "beta"
        skew = ["favor"] * 3 + ["against"] if target == "alpha" else ["against"] * 3 + ["favor"]
        label = rnd.choice(skew + ["none"] * 2)
        cue = {"favor": "bright", "against": "grim", "none": "said"}[label]
        if label != "none" and target == "beta":
            cue = "grim" if label == "favor" else "bright"
        w.writerow([f"r{i}", " ".join([cue] + rnd.sample(noise, 4)), target, label, "en"])
EOF
printf 'id,text,target\n1,bright the city,alpha\n2,bright the city,beta\n3,grim news today,alpha\n4,grim news today,beta\n5,bright the city,gamma\n' \
    >"$T/query.csv"

common=(-q --data "$T/data.csv" --task stance --label-column label --target-column target
    --ngrams 1 --negation 0 --min-df 1 --stemming '*=none' --aggregation document
    --cv-metric f_avg_targets)

expect_exit 0 "train with --target-models" "$TRAIN" "${common[@]}" --target-models --json \
    --out "$T/tm.model"
sed -n '/^{/,$p' "$T/out" >"$T/tm.json"
expect_exit 0 "train the same without (the old layout)" "$TRAIN" "${common[@]}" --out "$T/plain.model"
expect_exit 2 "--target-models with --search is refused" "$TRAIN" "${common[@]}" --target-models \
    --search --out "$T/x.model"

check "the manifest lists two per-target models with sha256, C and temperature" python3 - \
    "$T/tm.model" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
t = json.load(open(os.path.join(d, "manifest.json")))["tasks"][0]
tm = t["target_models"]
ok = sorted(e["target"] for e in tm) == ["alpha", "beta"]
for e in tm:
    for part in ("vocabulary", "model"):
        p = os.path.join(d, e[part]["file"])
        ok = ok and hashlib.sha256(open(p, "rb").read()).hexdigest() == e[part]["sha256"]
    ok = ok and e["C"] > 0 and e["temperature"] > 0 and e["cross_validation"]["examples"] == 160
files = sorted(os.listdir(d))
ok = ok and len([f for f in files if f.endswith(".liblinear")]) == 3
sys.exit(0 if ok else 1)
EOF
check "the training report gives each target's CV score and their mean" python3 - "$T/tm.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["tasks"]["stance"]["target_models"]
per = t["targets"]
ok = (t["models"] == 2 and t["metric"] == "f_avg_targets" and sorted(per) == ["alpha", "beta"]
      and all(v["model"] == "own" for v in per.values())
      and abs(t["score"] - (per["alpha"]["score"] + per["beta"]["score"]) / 2) < 1e-12
      and t["score"] > 0.95)
sys.exit(0 if ok else 1)
EOF
# --shared-folds: the per-target models are cross-validated on the shared model's folds and
# their out-of-fold predictions pooled over all rows. With f_avg_targets the pooled score is the
# mean of the per-target scores (the same predictions, scored target by target).
expect_exit 0 "train with --target-models --shared-folds" "$TRAIN" "${common[@]}" --target-models \
    --shared-folds --json --out "$T/sf.model"
sed -n '/^{/,$p' "$T/out" >"$T/sf.json"
check "--shared-folds reports the pooled score; the default run does not" python3 - "$T/sf.json" \
    "$T/tm.json" <<'EOF'
import json, sys
sf, tm = (json.load(open(p))["tasks"]["stance"]["target_models"] for p in sys.argv[1:])
per = sf["targets"]
p = sf["pooled"]
ok = (sf["shared_folds"] is True and p["metric"] == "f_avg_targets"
      and abs(p["score"] - sf["score"]) < 1e-12
      and abs(p["score"] - p["f_avg_targets"]) < 1e-12
      and abs(sum(v["score"] for v in per.values()) / 2 - p["score"]) < 1e-12
      and 0 < p["macro_f1"] <= 1 and set(p["targets"]) == {"alpha", "beta"}
      and "pooled" not in tm and "shared_folds" not in tm)
sys.exit(0 if ok else 1)
EOF
check "--shared-folds leaves the shared model as it was" bash -c \
    "cmp -s '$T/sf.model/stance.liblinear' '$T/tm.model/stance.liblinear'"

check "the shared model is the one trained without --target-models" bash -c \
    "cmp -s '$T/tm.model/stance.liblinear' '$T/plain.model/stance.liblinear' &&
     cmp -s '$T/tm.model/stance.vocab.tsv' '$T/plain.model/stance.vocab.tsv'"
check "the old layout has no target_models" python3 -c '
import json, os, sys
t = json.load(open(sys.argv[1] + "/manifest.json"))["tasks"][0]
sys.exit(0 if "target_models" not in t and not any("target-" in f for f in os.listdir(sys.argv[1])) else 1)' \
    "$T/plain.model"

# prediction uses the record's target's model: the same text gets opposite stances
expect_exit 0 "predict with per-target models" "$PREDICT" -q --model "$T/tm.model" \
    --target-column target "$T/query.csv"
cp "$T/out" "$T/tm.jsonl"
check "each target's own model decides (alpha: bright=favor; beta: bright=against)" python3 - \
    "$T/tm.jsonl" <<'EOF'
import json, sys
got = {r["id"]: r["stance"][0]["label"] for r in map(json.loads, open(sys.argv[1]))}
sys.exit(0 if [got[i] for i in "1234"] == ["favor", "against", "against", "favor"] else 1)
EOF
expect_exit 0 "the old-layout bundle loads and predicts" "$PREDICT" -q --model "$T/plain.model" \
    --target-column target "$T/query.csv"
cp "$T/out" "$T/plain.jsonl"
check "an unseen target (gamma) gets the shared model's answer" python3 - "$T/tm.jsonl" \
    "$T/plain.jsonl" <<'EOF'
import json, sys
a, b = ([r for r in map(json.loads, open(p)) if r["id"] == "5"][0]["stance"][0] for p in sys.argv[1:])
sys.exit(0 if a == b and a["target"] == "gamma" else 1)
EOF
check "one shared model cannot fit both targets (so the check above can fail)" python3 - \
    "$T/plain.jsonl" <<'EOF'
import json, sys
got = {r["id"]: r["stance"][0]["label"] for r in map(json.loads, open(sys.argv[1]))}
sys.exit(0 if [got[i] for i in "1234"] != ["favor", "against", "against", "favor"] else 1)
EOF
for m in tm plain; do
    expect_exit 0 "--eval $m" "$PREDICT" -q --model "$T/$m.model" --eval "$T/data.csv" --json
    cp "$T/out" "$T/eval-$m.json"
done
check "--eval scores with the per-target models (far above the shared model)" python3 -c '
import json, sys
a, b = (json.load(open(p))["tasks"]["stance"]["macro_f1"] for p in sys.argv[1:])
sys.exit(0 if a > 0.95 and a > b + 0.1 else 1)' "$T/eval-tm.json" "$T/eval-plain.json"

# byte-identical retraining
mkdir "$T/again"
expect_exit 0 "retrain with --target-models" "$TRAIN" "${common[@]}" --target-models \
    --out "$T/again/tm.model"
check "retraining gives a byte-identical bundle" diff -r "$T/tm.model" "$T/again/tm.model"

# a target lacking one of the task's labels gets no model of its own
python3 - "$T/data.csv" "$T/skew.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerows([r for r in rows if not (r[2] == "beta" and r[3] == "favor")])
EOF
expect_exit 0 "train where beta has no favor rows" "$TRAIN" "${common[@]/$T\/data.csv/$T/skew.csv}" \
    --target-models --json --out "$T/skew.model"
check "beta falls back to the shared model, and the report says why" python3 -c '
import json, sys
text = open(sys.argv[1]).read()
t = json.loads(text[text.index("\n{") + 1:] if not text.startswith("{") else text)
per = t["tasks"]["stance"]["target_models"]["targets"]
m = json.load(open(sys.argv[2] + "/manifest.json"))["tasks"][0]["target_models"]
sys.exit(0 if per["beta"]["model"] == "shared" and "favor" in per["beta"]["why"]
         and [e["target"] for e in m] == ["alpha"] else 1)' "$T/out" "$T/skew.model"

# strict loading: a per-target file edited or missing, an unknown key in an entry: exit 4,
# naming the file
cp -r "$T/tm.model" "$T/bad.model"
echo >>"$T/bad.model/stance.target-1.vocab.tsv"
expect_exit 4 "an edited per-target vocabulary is refused" "$PREDICT" -q --model "$T/bad.model" \
    --target-column target "$T/query.csv"
check "the error names the file" grep -q "stance.target-1.vocab.tsv" "$T/err"
rm -rf "$T/bad.model" && cp -r "$T/tm.model" "$T/bad.model"
rm "$T/bad.model/stance.target-0.liblinear"
expect_exit 4 "a missing per-target model is refused" "$PREDICT" -q --model "$T/bad.model" \
    --target-column target "$T/query.csv"
check "the error names the file" grep -q "stance.target-0.liblinear" "$T/err"
rm -rf "$T/bad.model" && cp -r "$T/tm.model" "$T/bad.model"
sed -i 's/"target":/"weight": 1, "target":/' "$T/bad.model/manifest.json"
expect_exit 4 "an unknown key in a target model is refused" "$PREDICT" -q --model "$T/bad.model" \
    --target-column target "$T/query.csv"
check "the error names the manifest and the key" grep -q 'manifest.json.*unknown key "weight"' "$T/err"

# tests/accuracy/search.py's "models" dimension: a --target-models run is scored by its
# per-target models, keeps a C per target, and the line for sets.conf then has no --c
mkdir -p "$T/bench"
cp "$T/data.csv" "$T/bench/tiny.csv"
cat >"$T/sets.conf" <<'EOF'
[tiny]
train = tiny.csv
test = tiny.csv
task = --task stance --label-column label --target-column target
target = target
group =
stance =
metric = f_avg_targets
EOF
expect_exit 0 "search.py over the models dimension" python3 "$SRC/tests/accuracy/search.py" tiny \
    --conf "$T/sets.conf" --bench "$T/bench" --build "$BUILD" --out-dir "$T/search" --dims models \
    --start "--char-ngrams 2-5 --ngrams 1 --negation 0 --min-df 1 --stemming *=none"
check "search.py: --target-models wins with its per-target score and a C per target" python3 - \
    "$T/out" "$T/search/tiny.tsv" "$T/tm.json" <<'EOF'
import csv, json, sys
res = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rows = {r["flags"]: r for r in csv.DictReader(open(sys.argv[2]), delimiter="\t")}
tm = [r for f, r in rows.items() if f.endswith("--target-models")]
plain = [r for f, r in rows.items() if not f.endswith("--target-models")]
ok = len(rows) == 2 and len(tm) == 1 and len(plain) == 1
ok = ok and res["flags"].endswith("--target-models") and " --c " not in res["sets_conf"]
ok = ok and res["sets_conf"].endswith("--cv-metric f_avg_targets")
ok = ok and res["C"].startswith("alpha=") and ",beta=" in res["C"]
ok = ok and float(tm[0]["score"]) > float(plain[0]["score"]) and "=" not in plain[0]["C"]
if not ok:
    print(res, rows)
sys.exit(0 if ok else 1)
EOF
finish

#!/usr/bin/env bash
# stance-train --cv-metric (C chosen by an official metric on the out-of-fold predictions, the
# per-target report) and --nb-weighting (naive-Bayes log-count ratios folded into vocab.tsv),
# on a small generated data set whose terms are plain lower-case words.
. "$(dirname "$0")/common.bash"

# 240 rows, two targets; each label has its own words, plus noise words shared by all, so the
# folds disagree and the grid's scores differ
python3 - "$T/data.csv" <<'EOF'
import csv, random, sys
rnd = random.Random(7)
words = {"favor": ["support", "welcome", "praise", "back"],
         "against": ["reject", "condemn", "oppose", "blame"],
         "none": ["report", "visit", "meeting", "said"]}
noise = ["the", "talks", "today", "plan", "leaders", "week", "news", "city"]
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "text", "target", "label", "lang"])
    for i in range(240):
        target = "alpha" if i % 2 else "beta"
        # beta is rarely favor, alpha rarely against: per-target scores differ from pooled
        pool = ["favor", "against", "none"] if i % 3 else (["none", "against"] if target == "beta" else ["none", "favor"])
        label = rnd.choice(pool)
        own = rnd.choice(words[label]) if rnd.random() < 0.8 else rnd.choice(words[rnd.choice(list(words))])
        text = " ".join([own] + rnd.sample(noise, 4))
        w.writerow([f"r{i}", text, target, label, "en"])
EOF

common=(-q --data "$T/data.csv" --task stance --label-column label --target-column target
    --ngrams 1 --negation 0 --min-df 1 --stemming '*=none' --aggregation document)

expect_exit 2 "unknown --cv-metric" "$TRAIN" "${common[@]}" --cv-metric accuracy --out "$T/x.model"
expect_exit 2 "--cv-metric f1_pn without positive/negative labels" "$TRAIN" "${common[@]}" \
    --cv-metric f1_pn --out "$T/x.model"
check "the error names the missing labels" grep -q "no labels positive and negative" "$T/err"

for metric in macro_f1 f_avg f_avg_targets; do
    expect_exit 0 "train with --cv-metric $metric" "$TRAIN" "${common[@]}" --json \
        --cv-metric "$metric" --out "$T/$metric.model"
    sed -n '/^{/,$p' "$T/out" >"$T/$metric.json"
    check "$metric: score, C and per-target figures agree with the report" python3 - \
        "$T/$metric.json" "$metric" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["tasks"]["stance"]
metric = sys.argv[2]
cls = t["metrics"]["classes"]
f_avg = (cls["favor"]["f1"] + cls["against"]["f1"]) / 2
targets = t["targets"]
per = sum(v["f_avg"] for v in targets.values()) / len(targets)
want = {"macro_f1": t["macro_f1"], "f_avg": f_avg, "f_avg_targets": per}[metric]
ok = (t["metric"] == metric and abs(t["score"] - want) < 1e-9
      and abs(t["f_avg"] - f_avg) < 1e-9 and abs(t["f_avg_targets"] - per) < 1e-9
      and sorted(targets) == ["alpha", "beta"]
      and sum(v["examples"] for v in targets.values()) == t["examples"])
# the chosen C is the first grid point with the best score, and each point's score is its
# metric (macro_f1 points agree with their macro_f1)
best = max(g["score"] for g in t["grid"])
first = next(g for g in t["grid"] if g["score"] == best)
ok = ok and t["C"] == first["C"] and abs(first["score"] - t["score"]) < 1e-9
if metric == "macro_f1":
    ok = ok and all(abs(g["score"] - g["macro_f1"]) < 1e-12 for g in t["grid"])
if not ok:
    print(json.dumps({k: v for k, v in t.items() if k != "metrics"}, indent=1))
sys.exit(0 if ok else 1)
EOF
done
check "the text report names the metric" bash -c \
    "'$TRAIN' ${common[*]@Q} --cv-metric f_avg_targets --out '$T/y.model' | grep -q 'C chosen by cross-validated f_avg_targets'"

# --nb-weighting: vocab.tsv holds idf times max over labels of |ln((p_c/|p_c|) / (q_c/|q_c|))|
# (add-one counts of texts with the term, label c against the rest), floored at 0.01
expect_exit 0 "train without NB weighting" "$TRAIN" "${common[@]}" --cv 0 --c 1 --out "$T/plain.model"
expect_exit 0 "train with --nb-weighting" "$TRAIN" "${common[@]}" --cv 0 --c 1 --nb-weighting \
    --out "$T/nb.model"
check "manifest records nb_weighting" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
f = m["tasks"][0]["features"] if isinstance(m["tasks"], list) else m["tasks"]["stance"]["features"]
g = p["tasks"][0]["features"] if isinstance(p["tasks"], list) else p["tasks"]["stance"]["features"]
sys.exit(0 if f.get("nb_weighting") is True and "nb_weighting" not in g else 1)' \
    "$T/nb.model/manifest.json" "$T/plain.model/manifest.json"
check "NB factors in vocab.tsv are the log-count ratios of the training texts" python3 - \
    "$T/data.csv" "$T/plain.model" "$T/nb.model" <<'EOF'
import csv, glob, math, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
def vocab(d):
    (path,) = glob.glob(d + "/*vocab*.tsv")
    return dict(l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8"))
plain, nb = vocab(sys.argv[2]), vocab(sys.argv[3])
labels = sorted({r["label"] for r in rows})
docs = {}
for r in rows:
    for w in set(r["text"].split()):
        docs.setdefault(w, {l: 0 for l in labels})[r["label"]] += 1
terms = [t for t in plain if not t.startswith("<")]
ok = sorted(plain) == sorted(nb) and set(terms) <= set(docs) and len(terms) >= 16
V = len(plain)
cnt = {t: docs.get(t, {l: 0 for l in labels}) for t in plain}
tot = {l: sum(c[l] for c in cnt.values()) for l in labels}
allc = sum(tot.values())
worst = 0
for t in plain:
    row = sum(cnt[t].values())
    r = max(abs(math.log(((cnt[t][c] + 1) / (tot[c] + V)) /
                         ((row - cnt[t][c] + 1) / (allc - tot[c] + V)))) for c in labels)
    want = float(plain[t]) * max(r, 0.01)
    worst = max(worst, abs(float(nb[t]) - want) / want)
ok = ok and worst < 1e-9
if not ok:
    print("largest relative difference", worst, "terms", len(terms))
sys.exit(0 if ok else 1)
EOF
expect_exit 0 "an NB bundle scores the training data" "$PREDICT" -q --model "$T/nb.model" \
    --eval "$T/data.csv" --json
check "and its labels beat chance by far (model and vocabulary agree)" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"]["stance"]
sys.exit(0 if t["accuracy"] > 0.7 else 1)' "$T/out"
expect_exit 0 "--nb-weighting with cross-validation" "$TRAIN" "${common[@]}" --nb-weighting \
    --cv-metric f_avg --out "$T/nbcv.model"
finish

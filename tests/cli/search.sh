#!/usr/bin/env bash
# stance-train --search: a greedy walk over the feature and model options, one dimension at a
# time, each candidate cross-validated with its own C; the manifest's cross_validation.search
# lists every row tried and marks the winner, and the bundle is trained with the winner.
. "$(dirname "$0")/common.bash"

# Stance rows for two targets whose label words hide in hashtags ("#WelcomeDeal") half the
# time, among URLs and @mentions, so that every dimension of the search applies.
python3 - "$T/data.csv" <<'EOF'
import csv, random, sys
rnd = random.Random(11)
words = {"favor": ["welcome", "support", "praise"], "against": ["reject", "condemn", "oppose"],
         "none": ["report", "visit", "said"]}
noise = ["the", "talks", "today", "plan", "leaders", "week", "news", "city", "deal", "vote"]
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "text", "target", "label", "lang"])
    for i in range(240):
        label = rnd.choice(["none", "none", "favor", "against"])
        own = rnd.choice(words[label]) if rnd.random() < 0.6 else rnd.choice(words[rnd.choice(list(words))])
        if rnd.random() < 0.5:
            own = "#" + own.capitalize() + rnd.choice(["Deal", "Now", "Talks"])
        extra = rnd.choice(["", "https://news.example/a/%d" % i, "@desk%d" % (i % 7)])
        w.writerow([f"r{i}", " ".join([own] + rnd.sample(noise, 4) + [extra]).strip(),
                    "alpha" if i % 2 else "beta", label, "en"])
EOF
# the same rows without "#", "@" or URLs, for the dimensions that apply only to such texts
python3 - "$T/data.csv" "$T/plain.csv" <<'EOF'
import csv, re, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as g:
    w = csv.writer(g)
    for row in csv.reader(f):
        row[1] = re.sub(r"https://\S+|@\S+", "", row[1]).replace("#", "")
        w.writerow(row)
EOF

common=(-q --task stance --label-column label --target-column target --cv 3
    --stemming '*=none' --aggregation document --cv-metric f_avg)

expect_exit 2 "--search without cross-validation is refused" "$TRAIN" "${common[@]}" \
    --data "$T/data.csv" --cv 0 --search --out "$T/x.model"
expect_exit 2 "--search with --member is refused" "$TRAIN" "${common[@]}" \
    --data "$T/data.csv" --search --member "--ngrams 1" --out "$T/x.model"
expect_exit 0 "train with --search" "$TRAIN" "${common[@]}" --data "$T/data.csv" --search \
    --ngrams 1 --no-class-weights --json --out "$T/s.model"
sed -n '/^{/,$p' "$T/out" >"$T/s.json"

# Replays the greedy walk from the table: every row after "start" differs from the best so
# far in its own dimension's settings only; a candidate wins its dimension when it beats the
# dimension's best by more than 0.002; the last winner is the only row marked "chosen", and
# the bundle's features and solver are its settings.
cat >"$T/replay.py" <<'EOF'
import json, sys
manifest, report, expect_dims = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
task = json.load(open(manifest))["tasks"][0]
rows = task["cross_validation"]["search"]
json_rows = json.load(open(report))["tasks"]["stance"]["search"]
keys = {"word_ngrams": ["word_ngram_max"], "char_ngrams": ["char_ngrams"],
        "target": ["target_mask", "target_conjoin", "target_only"],
        "nb_weighting": ["nb_weighting"], "negation": ["negation"], "solver": ["solver"],
        "class_weights": ["class_weights"], "punct_tokens": ["punct_tokens"],
        "block_norm": ["block_norm"], "hashtag_split": ["hashtag_split"],
        "link_classes": ["link_classes"], "min_df": ["min_df"],
        "target_window": ["target_window"]}
settings = lambda r: {k: v for k, v in r.items() if k not in ("dimension", "setting", "score", "chosen")}
errors = []
if rows != json_rows:
    errors.append("the --json report's table differs from the manifest's")
if rows[0]["dimension"] != "start":
    errors.append("the first row is not the start")
# block_norm is tried only when character n-grams are on at its turn
best, i = rows[0], 1
for dim in [d for d in keys if d in expect_dims]:
    at = i
    winner = best
    while i < len(rows) and rows[i]["dimension"] == dim:
        changed = {k for k in settings(rows[i]) if rows[i][k] != best[k]}
        if not changed or not changed <= set(keys[dim]):
            errors.append("row %d (%s) changes %s" % (i, dim, sorted(changed)))
        if rows[i]["score"] > winner["score"] + 0.002:
            winner = rows[i]
        i += 1
    if i == at and not (dim == "block_norm" and best["char_ngrams"] == "off"):
        errors.append("dimension %s not tried" % dim)
    best = winner
if i != len(rows):
    errors.append("rows from %d on (%s) out of place" % (i, rows[i]["dimension"]))
chosen = [r for r in rows if r.get("chosen")]
if chosen != [best]:
    errors.append("chosen rows %s, expected the replayed winner %s" % (chosen, best))
f = task["features"]
bundle = {"word_ngram_max": f["word_ngram_max"],
          "char_ngrams": "%d-%d" % (f["char_ngram_min"], f["char_ngram_max"])
          if f["char_ngram_min"] else "off",
          "negation": f["negation"], "min_df": f["min_df"], "target_window": f["target_window"],
          "target_mask": f["target_mask"], "target_conjoin": f["target_conjoin"],
          "target_only": f.get("target_only", False), "solver": task["solver"]}
for k in ("nb_weighting", "punct_tokens", "block_norm", "hashtag_split", "link_classes"):
    bundle[k] = f.get(k, False)
for k, v in bundle.items():
    if best[k] != v:
        errors.append("bundle %s = %s, winner %s" % (k, v, best[k]))
for e in errors:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
all_dims=word_ngrams,char_ngrams,target,nb_weighting,negation,solver,class_weights
all_dims+=,punct_tokens,block_norm,hashtag_split,link_classes,min_df,target_window
check "the table replays as a greedy walk over every dimension, the bundle is its winner" \
    python3 "$T/replay.py" "$T/s.model/manifest.json" "$T/s.json" "$all_dims"
check "the start row is the options given" python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["tasks"][0]["cross_validation"]["search"][0]
sys.exit(0 if (r["word_ngram_max"], r["char_ngrams"], r["class_weights"], r["solver"],
               r["min_df"], r["negation"]) == (1, "off", False, "L2R_LR", 2, 3) else 1)' \
    "$T/s.model/manifest.json"
# Every row is a full cross-validation: re-training the winner's flags without --search gives
# the winner's score.
winner_flags=$(python3 -c 'import json, sys
r = [r for r in json.load(open(sys.argv[1]))["tasks"][0]["cross_validation"]["search"]
     if r.get("chosen")][0]
f = ["--ngrams", str(r["word_ngram_max"]), "--negation", str(r["negation"]),
     "--min-df", str(r["min_df"]), "--target-window", str(r["target_window"]),
     "--solver", r["solver"]]
if r["char_ngrams"] != "off": f += ["--char-ngrams", r["char_ngrams"]]
if not r["class_weights"]: f.append("--no-class-weights")
if not r["target_mask"]: f.append("--no-target-mask")
if r["target_conjoin"]: f.append("--target-conjoin")
if r["target_only"]: f.append("--per-target")
for k, flag in (("nb_weighting", "--nb-weighting"), ("punct_tokens", "--punct-tokens"),
                ("block_norm", "--block-norm"), ("hashtag_split", "--split-hashtags"),
                ("link_classes", "--link-classes")):
    if r[k]: f.append(flag)
print(" ".join(f), r["score"])' "$T/s.model/manifest.json")
winner_score=${winner_flags##* }
# shellcheck disable=SC2086 # the flags are words
expect_exit 0 "train with the winner's flags" "$TRAIN" "${common[@]}" --data "$T/data.csv" \
    ${winner_flags% *} --json --out "$T/w.model"
sed -n '/^{/,$p' "$T/out" >"$T/w.json"
check "the winner's flags alone score the winner's row ($winner_score)" python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["tasks"]["stance"]["score"]
sys.exit(0 if abs(s - float(sys.argv[2])) < 1e-9 else 1)' "$T/w.json" "$winner_score"
check "and give the same model" cmp -s "$T/s.model/stance.liblinear" "$T/w.model/stance.liblinear"

# Without hashtags, URLs or mentions, those two dimensions are not tried; without a target
# column, neither are the target handling and the window.
expect_exit 0 "search texts without hashtags or links" "$TRAIN" "${common[@]}" \
    --data "$T/plain.csv" --search --json --out "$T/p.model"
sed -n '/^{/,$p' "$T/out" >"$T/p.json"
no_links=${all_dims/,hashtag_split,link_classes/}
check "hashtag and link dimensions skipped" \
    python3 "$T/replay.py" "$T/p.model/manifest.json" "$T/p.json" "$no_links"
expect_exit 0 "search a task without targets" "$TRAIN" -q --data "$T/plain.csv" --task stance \
    --label-column label --cv 3 --stemming '*=none' --search --json --out "$T/n.model"
sed -n '/^{/,$p' "$T/out" >"$T/n.json"
check "target dimensions skipped" python3 "$T/replay.py" "$T/n.model/manifest.json" \
    "$T/n.json" word_ngrams,char_ngrams,nb_weighting,negation,solver,class_weights,punct_tokens,block_norm,min_df

finish

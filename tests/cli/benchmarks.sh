#!/usr/bin/env bash
# Accuracy gate on the public benchmarks (../shared/benchmarks, real data nobody here wrote).
# For every set tests/accuracy/sets.conf lists and that is present: train stance on the train
# split with the recorded flags (C fixed to the CV-chosen value, so no grid search here;
# --cv 3 only for the confidence calibration), score the test split once, and fail when the
# set's official metric is more than one point under the `stance` column of docs/ACCURACY.md,
# or when the test ECE exceeds max(0.05, the documented ECE) + 0.015 (slack for the 3-fold
# calibration used here).
# Skips (77) when ../shared/benchmarks is absent, and under the sanitizer build
# (STANCE_SANITIZE_BUILD=1), where training is too slow. Sets run two at a time.
. "$(dirname "$0")/common.bash"
BENCH=${STANCE_BENCHMARKS:-$SRC/../shared/benchmarks}
if [ "${STANCE_SANITIZE_BUILD:-0}" = 1 ]; then
    echo "skipped: sanitizer build (training on the benchmarks is too slow there)"
    exit 77
fi
if [ ! -d "$BENCH" ]; then
    echo "skipped: $BENCH not present"
    exit 77
fi
DOC="$SRC/docs/ACCURACY.md"
CONF="$SRC/tests/accuracy/sets.conf"
check "docs/ACCURACY.md exists" test -f "$DOC"
check "sets.conf exists" test -f "$CONF"
[ "$failed" = 0 ] || { finish; exit 1; }

# one line per set, fields split by 0x1f (a tab would merge empty fields):
# name train test task target group flags metric documented-score documented-ECE members
# (the set's --member flags, one per line in sets.conf, joined by ';')
python3 - "$CONF" "$DOC" >"$T/sets.tsv" <<'EOF'
import configparser, sys
cp = configparser.ConfigParser(interpolation=None)
cp.read(sys.argv[1])
doc = {}
head = None
for line in open(sys.argv[2], encoding="utf-8"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if head is None and cells[:3] == ["set", "metric", "stance"]:
        head = cells
    elif head and len(cells) == len(head) and cells[0] in cp:
        doc[cells[0]] = (cells[2], cells[head.index("stance ECE")])
    elif head and not line.startswith("|"):
        break  # end of the main table
for n in cp.sections():
    s = cp[n]
    members = ";".join(m.strip() for m in s.get("members", "").splitlines() if m.strip())
    print("\x1f".join([n, s["train"], s["test"], s["task"], s.get("target", ""),
                     s.get("group", ""), s["stance"], s["metric"], *doc.get(n, ("", "")),
                     members]))
EOF

gate_set() { # one set; writes $T/NAME.result: "ok|FAIL message"
    local -
    set -f # the flags are split into words below; "--stemming *=none" must not glob
    local name=$1 train=$BENCH/$2 test=$BENCH/$3 task=$4 target=$5 group=$6 flags=$7
    local metric=$8 documented=$9 doc_ece=${10} members=${11}
    local gflag=()
    [ -n "$group" ] && gflag=(--group-column "$group")
    local margs=() m ms
    IFS=';' read -ra ms <<<"$members"
    for m in "${ms[@]}"; do margs+=(--member "$m"); done
    local rc=0
    # shellcheck disable=SC2086  # task and flags are word lists from sets.conf
    "$TRAIN" -q $task "${gflag[@]}" $flags "${margs[@]}" --cv 3 --aggregation document \
        --data "$train" --out "$T/$name.model" >"$T/$name.train" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
        echo "FAIL $name: stance-train exited $rc" >"$T/$name.result"
        return
    fi
    if ! "$PREDICT" -q --model "$T/$name.model" --eval "$test" --json >"$T/$name.json"; then
        echo "FAIL $name: stance-predict --eval failed" >"$T/$name.result"
        return
    fi
    local extra=()
    if [ "$metric" = f_avg_targets ]; then
        local t i=0
        while IFS= read -r t; do
            i=$((i + 1))
            "$PREDICT" -q --model "$T/$name.model" --eval "$test" --json \
                --where "$target=$t" >"$T/$name.target$i.json" || true
            extra+=("$T/$name.target$i.json")
        done < <(python3 -c '
import csv, sys
csv.field_size_limit(1 << 30)
print("\n".join(sorted({r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))})))' \
            "$test" "$target")
    fi
    python3 - "$name" "$metric" "$documented" "$doc_ece" "$T/$name.json" "${extra[@]}" \
        >"$T/$name.result" <<'EOF'
import json, sys
name, metric, documented, doc_ece, main = sys.argv[1:6]
task = next(iter(json.load(open(main))["tasks"].values()))
if metric == "f_avg_targets":
    vals = [next(iter(json.load(open(f))["tasks"].values())).get("f_avg") for f in sys.argv[6:]]
    vals = [v for v in vals if v is not None]
    score = sum(vals) / len(vals) if vals else None
else:
    score = task.get(metric)
if score is None:
    print(f"FAIL {name}: no {metric} in the evaluation")
    sys.exit()
score *= 100
ece = task.get("ece", 1.0)
msg = f"{name}: {metric} {score:.2f} (documented {documented or 'none'}), ECE {ece:.3f}"
bad = []
if documented and score < float(documented) - 1.0:
    bad.append(f"more than one point under {documented}")
if not documented:
    bad.append("no documented score in docs/ACCURACY.md")
# ECE: the goal is 0.05; the gate allows what docs/ACCURACY.md records (if above) plus
# 0.015, since the 3-fold calibration here differs a little from the documented 5-fold one
ece_max = max(0.05, float(doc_ece) if doc_ece else 0.05) + 0.015
if ece > ece_max:
    bad.append(f"ECE above {ece_max:.3f}")
print(("FAIL " + msg + ": " + "; ".join(bad)) if bad else ("ok " + msg))
EOF
}

n=0
while IFS=$'\x1f' read -r name train test task target group flags metric documented doc_ece \
    members; do
    if [ ! -f "$BENCH/$train" ] || [ ! -f "$BENCH/$test" ]; then
        echo "$name: not present, skipped"
        continue
    fi
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
    gate_set "$name" "$train" "$test" "$task" "$target" "$group" "$flags" "$metric" \
        "$documented" "$doc_ece" "$members" &
    n=$((n + 1))
done <"$T/sets.tsv"
wait
if [ "$n" = 0 ]; then
    echo "skipped: no benchmark set present under $BENCH"
    exit 77
fi
for r in "$T"/*.result; do
    line=$(cat "$r")
    echo "$line"
    check "$line" test "${line%% *}" = ok
done
finish

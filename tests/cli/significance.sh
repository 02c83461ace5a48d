#!/usr/bin/env bash
# tests/accuracy/significance.py, the paired bootstrap behind the intervals of
# docs/ACCURACY.md: its metrics against counts worked out by hand, and its intervals on
# systems whose difference is known by construction.
. "$(dirname "$0")/common.bash"

PY=python3
command -v $PY >/dev/null || PY=/usr/bin/python3
cat >"$T/t.py" <<'EOF'
import random, sys
sys.path.insert(0, sys.argv[1])
import significance as S

fails = []
def check(what, cond):
    if not cond:
        fails.append(what)
        print("FAIL:", what, file=sys.stderr)

# metrics by hand: gold/pred below give favor P 2/3 R 2/2, against P 1/1 R 1/2, none P 1/2 R 1/2
gold = ["favor", "favor", "against", "against", "none", "none"]
pred = ["favor", "favor", "against", "none", "favor", "none"]
labels = ["against", "favor", "none"]
f_fav, f_ag, f_none = 2 * 2 / (2 * 2 + 1 + 0), 2 * 1 / (2 * 1 + 0 + 1), 2 * 1 / (2 * 1 + 1 + 1)
check("f_avg", abs(S.score("f_avg", gold, pred, labels) - (f_fav + f_ag) / 2) < 1e-12)
check("macro_f1", abs(S.score("macro_f1", gold, pred, labels) - (f_fav + f_ag + f_none) / 3) < 1e-12)
# a label nobody predicts and nobody has still counts in macro-F1, as 0
check("macro_f1 over an absent label",
      abs(S.score("macro_f1", gold, pred, labels + ["x"]) - (f_fav + f_ag + f_none) / 4) < 1e-12)
sgold, spred = ["positive", "negative", "neutral"], ["positive", "neutral", "neutral"]
check("f1_pn", abs(S.score("f1_pn", sgold, spred, ["negative", "neutral", "positive"]) - 0.5) < 1e-12)
# per target: target a is perfect (1.0), target b gets favor wrong everywhere (0.5 from against)
tg = ["a", "a", "b", "b"]
check("f_avg_targets", abs(S.score("f_avg_targets", ["favor", "against", "favor", "against"],
                                   ["favor", "against", "none", "against"], labels, tg) - 0.75) < 1e-12)
try:
    S.score("accuracy", gold, pred, labels)
    check("an unknown metric is refused", False)
except ValueError:
    pass

# systems with a known difference
rnd = random.Random(7)
n = 600
gold = [rnd.choice(labels) for _ in range(n)]
good = [g if rnd.random() < 0.8 else rnd.choice(labels) for g in gold]
bad = [g if rnd.random() < 0.4 else rnd.choice(labels) for g in gold]
r = S.paired_bootstrap("macro_f1", gold, {"stance": good, "same": list(good), "worse": bad},
                       labels, reps=400, seed=3)
check("full-sample score", abs(r["systems"]["stance"]["score"] - S.score("macro_f1", gold, good, labels)) < 1e-12)
lo, hi = r["systems"]["stance"]["ci"]
check("the score lies inside its interval", lo < r["systems"]["stance"]["score"] < hi)
check("the interval has a width", hi - lo > 0.01)
same = r["versus"]["same"]
check("identical systems: difference 0, interval [0, 0], always level",
      same["diff"] == 0 and same["ci"] == [0, 0] and same["share_at_or_above"] == 1.0)
worse = r["versus"]["worse"]
check("a much worse peer: interval above 0", worse["ci"][0] > 0.1 and worse["share_at_or_above"] == 1.0)
rev = S.paired_bootstrap("macro_f1", gold, {"stance": bad, "better": good}, labels, reps=400, seed=3)
check("against a much better peer: interval under 0, never ahead",
      rev["versus"]["better"]["ci"][1] < -0.1 and rev["versus"]["better"]["share_at_or_above"] == 0.0)
check("the same seed gives the same result",
      S.paired_bootstrap("macro_f1", gold, {"stance": good, "worse": bad}, labels, reps=400, seed=3)["versus"]
      == {"worse": worse})

# cluster resampling: rows of a group travel together. With every row in one of two groups
# that are both resampled whole, a resample is group 1 twice, group 2 twice, or both: three
# possible scores, and the row-wise bootstrap gives many more.
clusters = ["g1" if i < n // 2 else "g2" for i in range(n)]
rc = S.paired_bootstrap("macro_f1", gold, {"stance": good, "worse": bad}, labels, clusters=clusters,
                        reps=300, seed=5)
check("unit and cluster count", rc["unit"] == "group" and rc["clusters"] == 2)
one = S.paired_bootstrap("macro_f1", gold, {"stance": good, "worse": bad}, labels,
                         clusters=["all"] * n, reps=50, seed=5)
check("a single group: no spread at all",
      one["systems"]["stance"]["ci"][0] == one["systems"]["stance"]["ci"][1] == one["systems"]["stance"]["score"])
# against a plain re-implementation: the same draws (for each resample, one
# rng.randrange(number of groups) per group, groups in order of first appearance), rows
# copied out and scored from scratch
def naive(metric, gold, preds, clusters, reps, seed, targets=None):
    keys = clusters or list(range(len(gold)))
    order = {}
    for i, k in enumerate(keys):
        order.setdefault(k, []).append(i)
    groups = list(order.values())
    rng = random.Random(seed)
    diffs, own = [], []
    for _ in range(reps):
        rows = [i for _ in range(len(groups)) for i in groups[rng.randrange(len(groups))]]
        sc = {s: S.score(metric, [gold[i] for i in rows], [p[i] for i in rows], labels,
                         [targets[i] for i in rows] if targets else None) for s, p in preds.items()}
        own.append(sc["stance"])
        diffs.append(sc["stance"] - sc["peer"])
    return sorted(own), sorted(diffs)
uneven = [rnd.choice("abcdefgh") for _ in range(n)]
tgts = [rnd.choice(["t1", "t2"]) for _ in range(n)]
for metric, cl, tg in (("macro_f1", None, None), ("f_avg", uneven, None), ("f_avg_targets", uneven, tgts)):
    got = S.paired_bootstrap(metric, gold, {"stance": good, "peer": bad}, labels, clusters=cl,
                             targets=tg, reps=60, seed=11)
    own, diffs = naive(metric, gold, {"stance": good, "peer": bad}, cl, 60, 11, tg)
    want_ci = [S._percentile(own, 0.025), S._percentile(own, 0.975)]
    want_d = [S._percentile(diffs, 0.025), S._percentile(diffs, 0.975)]
    check(f"{metric} (clusters {cl is not None}): intervals as the plain re-implementation's",
          all(abs(a - b) < 1e-12 for a, b in zip(got["systems"]["stance"]["ci"] + got["versus"]["peer"]["ci"],
                                                 want_ci + want_d)))
    check(f"{metric}: share at or above", abs(got["versus"]["peer"]["share_at_or_above"]
                                              - sum(d >= 0 for d in diffs) / len(diffs)) < 1e-12)
check("percentile interpolates", S._percentile([0.0, 1.0], 0.25) == 0.25 and S._percentile([2.0], 0.9) == 2.0)
try:
    S.paired_bootstrap("macro_f1", gold, {"stance": good[:-1]}, labels)
    check("predictions of the wrong length are refused", False)
except ValueError:
    pass
try:
    S.paired_bootstrap("macro_f1", gold, {"other": good}, labels)
    check("a missing reference system is refused", False)
except ValueError:
    pass
print(f"{len(fails)} failed")
sys.exit(1 if fails else 0)
EOF
expect_exit 0 "significance.py checks" $PY "$T/t.py" "$SRC/tests/accuracy"
[ "$failed" = 0 ] || cat "$T/err" >&2
finish

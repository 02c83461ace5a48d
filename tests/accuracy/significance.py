#!/usr/bin/env python3
"""significance.py - how sure the test-split comparisons of `make accuracy` are.

A test split of a few hundred or thousand rows moves a set's score by a point or more when
a handful of rows flip, so "stance 71.91, scikit-learn 72.31" alone does not say who is
better. This module resamples the test split (paired bootstrap: every system is scored on
the same resampled rows) and gives, for each system, its official score with a 95 %
percentile interval, and for stance against each peer the difference, its 95 % interval
and the share of resamples in which stance is at or above the peer.

Rows that are not independent are resampled together: with a group column (the same
film in cinexio_bg, the same tweet in ruw_stance, the same sentence in rusentne2023) whole
groups are drawn, which widens the intervals honestly instead of pretending that 811 reviews
of 25 films are 811 independent draws.

The official metrics are the ones report.py and stance-predict use: macro_f1 (mean F1 over
the labels), f_avg (mean F1 of favor and against), f1_pn (mean F1 of positive and negative),
f_avg_targets (f_avg within each target, averaged over the targets). F1 of a label that is
neither in gold nor predicted is 0, as in peers.py.

Stdlib only; deterministic for a given seed: each resample draws, with random.Random(seed),
one randrange(number of groups) per group, the groups numbered in order of first appearance
(tests/cli/significance.sh re-implements exactly this and compares). report.py imports it; tests/cli/significance.sh
tests it.
"""
import random

METRICS = ("macro_f1", "f_avg", "f1_pn", "f_avg_targets")


def _f1(cells, label):
    """F1 of label from a {(gold, pred): count} confusion."""
    tp = cells.get((label, label), 0)
    fp = sum(c for (g, p), c in cells.items() if p == label and g != label)
    fn = sum(c for (g, p), c in cells.items() if g == label and p != label)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score_confusion(metric, conf, labels):
    """The official metric from {target: {(gold, pred): count}} (target None when the set has
    none). labels: every label of the task (macro_f1 averages over all of them)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric}")
    if metric == "f_avg_targets":
        per = [(_f1(c, "favor") + _f1(c, "against")) / 2 for c in conf.values()]
        return sum(per) / len(per) if per else 0.0
    pooled = {}
    for c in conf.values():
        for k, v in c.items():
            pooled[k] = pooled.get(k, 0) + v
    if metric == "f_avg":
        return (_f1(pooled, "favor") + _f1(pooled, "against")) / 2
    if metric == "f1_pn":
        return (_f1(pooled, "positive") + _f1(pooled, "negative")) / 2
    return sum(_f1(pooled, label) for label in labels) / len(labels)


def score(metric, gold, pred, labels, targets=None):
    """The official metric of one system over all rows (pred None = a row it gave no label)."""
    conf = {}
    for i, (g, p) in enumerate(zip(gold, pred)):
        t = targets[i] if targets else None
        c = conf.setdefault(t, {})
        c[(g, p)] = c.get((g, p), 0) + 1
    return score_confusion(metric, conf, labels)


def _percentile(sorted_vals, q):
    """Linear interpolation between the closest ranks (numpy's default)."""
    if not sorted_vals:
        return None
    pos = (len(sorted_vals) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def paired_bootstrap(metric, gold, preds, labels, reference="stance", targets=None,
                     clusters=None, reps=2000, seed=1):
    """Paired (cluster) bootstrap of the official metric.

    gold: gold labels per row; preds: {system: predictions per row}, reference one of them;
    targets: per-row target (for f_avg_targets and per-target confusions) or None;
    clusters: per-row group key (rows of one key are drawn together) or None (each row its
    own). Returns {"reps", "unit", "clusters", "systems": {name: {"score", "ci"}},
    "versus": {peer: {"diff", "ci", "share_at_or_above"}}}, scores as fractions."""
    n = len(gold)
    if any(len(p) != n for p in preds.values()) or (targets and len(targets) != n) or (
            clusters and len(clusters) != n):
        raise ValueError("gold, predictions, targets and clusters must have one entry per row")
    if reference not in preds:
        raise ValueError(f"reference system {reference} has no predictions")
    keys = clusters if clusters else list(range(n))
    order = {}
    for i, k in enumerate(keys):
        order.setdefault(k, []).append(i)
    groups = list(order.values())
    names = list(preds)
    # per group and system, its confusion cells: the resamples only add these up
    cells = []
    for rows in groups:
        per = {}
        for s in names:
            c = {}
            for i in rows:
                key = (targets[i] if targets else None, gold[i], preds[s][i])
                c[key] = c.get(key, 0) + 1
            per[s] = c
        cells.append(per)

    def scores_of(counts):
        out = {}
        for s in names:
            conf = {}
            for g, m in counts:
                for (t, gl, pr), v in cells[g][s].items():
                    d = conf.setdefault(t, {})
                    d[(gl, pr)] = d.get((gl, pr), 0) + v * m
            out[s] = score_confusion(metric, conf, labels)
        return out

    full = scores_of([(g, 1) for g in range(len(groups))])
    rng = random.Random(seed)
    samples = {s: [] for s in names}
    for _ in range(reps):
        drawn = {}
        for _ in range(len(groups)):
            g = rng.randrange(len(groups))
            drawn[g] = drawn.get(g, 0) + 1
        sc = scores_of(list(drawn.items()))
        for s in names:
            samples[s].append(sc[s])
    result = {"reps": reps, "unit": "group" if clusters else "row", "clusters": len(groups),
              "systems": {}, "versus": {}}
    for s in names:
        v = sorted(samples[s])
        result["systems"][s] = {"score": full[s],
                                "ci": [_percentile(v, 0.025), _percentile(v, 0.975)]}
    for s in names:
        if s == reference:
            continue
        d = [a - b for a, b in zip(samples[reference], samples[s])]
        at_or_above = sum(1 for x in d if x >= 0) / len(d) if d else None
        d.sort()
        result["versus"][s] = {"diff": full[reference] - full[s],
                               "ci": [_percentile(d, 0.025), _percentile(d, 0.975)],
                               "share_at_or_above": at_or_above}
    return result

#!/usr/bin/python3
"""peers.py - the two peers stance is compared with on the public benchmarks.

Both peers see exactly what stance sees: the train split only for fitting and
for choosing their settings, the test split only once for the final score.

  scikit-learn  tf-idf word 1-2 or 1-3 grams + char_wb 2-5 grams (sublinear tf),
                LinearSVC or LogisticRegression; C, class weighting, the word
                n-gram range and the classifier are chosen by k-fold
                cross-validated macro-F1 inside train (folds keep groups
                together when the set has a group column, like stance does).
  fastText      the Debian `fasttext supervised` command; a small grid (lr,
                epoch, wordNgrams, char n-grams) is tuned on a held-out 20 % of
                train (group-aware), then retrained on all of train.

Target-dependent sets: the target is given to both peers as a prefix token
("__t_hillary_clinton ..."), which lets a linear model learn a per-target bias.
On sets with only a few targets (semeval, ruw) the scikit-learn peer may also
train one model per target (the organisers' SVM-ngrams set-up on SemEval), again
only when cross-validation inside train prefers it.

Run with /usr/bin/python3 (Debian python3-sklearn). Writes one JSON file:
{"set":..., "peers": {"sklearn": {...}, "fasttext": {...}}} where each peer has
"chosen" (its settings), "cv_macro_f1", "test" (metrics, see metrics()) and "pred" (its
label for each test row, in the file's order).
"""
import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.svm import LinearSVC

csv.field_size_limit(sys.maxsize)


# ---- data -------------------------------------------------------------------------------------

def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def target_token(target):
    return "__t_" + re.sub(r"\W+", "_", target.strip().lower()).strip("_")


def peer_text(row, text_col, target_col):
    text = row[text_col]
    if target_col:
        return target_token(row[target_col]) + " " + text
    return text


# ---- metrics (the same definitions stance-predict uses) ---------------------------------------

def metrics(gold, pred, labels, conf=None, bins=10):
    """Accuracy, macro-F1, per-class P/R/F1, confusion, F_avg and F1(P,N), and the
    expected calibration error (10 equal-width bins) when confidences are given."""
    idx = {l: i for i, l in enumerate(labels)}
    k = len(labels)
    cm = [[0] * k for _ in range(k)]
    for g, p in zip(gold, pred):
        cm[idx[g]][idx[p]] += 1
    n = len(gold)
    classes = {}
    f1s = []
    for i, l in enumerate(labels):
        tp = cm[i][i]
        sup = sum(cm[i])
        npred = sum(cm[j][i] for j in range(k))
        p = tp / npred if npred else 0.0
        r = tp / sup if sup else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        classes[l] = {"precision": p, "recall": r, "f1": f, "support": sup}
        f1s.append(f)
    out = {
        "n": n,
        "accuracy": sum(cm[i][i] for i in range(k)) / n if n else 0.0,
        "macro_f1": sum(f1s) / k if k else 0.0,
        "classes": classes,
        "confusion": {"labels": list(labels), "matrix": cm},
    }
    if "favor" in classes and "against" in classes:
        out["f_avg"] = (classes["favor"]["f1"] + classes["against"]["f1"]) / 2
    if "positive" in classes and "negative" in classes:
        out["f1_pn"] = (classes["positive"]["f1"] + classes["negative"]["f1"]) / 2
    if conf is not None:
        rel = []
        ece = 0.0
        for b in range(bins):
            lo, hi = b / bins, (b + 1) / bins
            sel = [i for i, c in enumerate(conf) if (lo <= c < hi) or (b == bins - 1 and c == 1.0)]
            cnt = len(sel)
            mc = sum(conf[i] for i in sel) / cnt if cnt else 0.0
            acc = sum(1 for i in sel if gold[i] == pred[i]) / cnt if cnt else 0.0
            ece += cnt / n * abs(mc - acc) if n else 0.0
            rel.append({"bin": b, "lower": lo, "upper": hi, "count": cnt,
                        "mean_confidence": mc, "accuracy": acc})
        out["ece"] = ece
        out["reliability"] = rel
    return out


def test_metrics(rows_te, pred, conf, args, labels):
    """metrics() over the whole test split, plus per target on target-dependent sets with
    few targets (ruw_stance reports F_avg per target and their mean, f_avg_targets)."""
    gold = [r[args.label_column] for r in rows_te]
    m = metrics(gold, pred, labels, conf)
    if args.target_column:
        targets = sorted({r[args.target_column] for r in rows_te})
        if len(targets) <= 10:
            m["by_target"] = {}
            for t in targets:
                ix = [i for i, r in enumerate(rows_te) if r[args.target_column] == t]
                m["by_target"][t] = metrics([gold[i] for i in ix], [pred[i] for i in ix], labels,
                                            [conf[i] for i in ix] if conf is not None else None)
            fa = [v["f_avg"] for v in m["by_target"].values() if "f_avg" in v]
            if fa:
                m["f_avg_targets"] = sum(fa) / len(fa)
    return m


def macro_f1(gold, pred, labels):
    return metrics(gold, pred, labels)["macro_f1"]


def folds(y, groups, k, seed):
    """Stratified (and group-aware when groups are given) k folds over indices."""
    idx = np.arange(len(y))
    if groups is not None:
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(splitter.split(idx, y, groups))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(idx, y))


# ---- scikit-learn peer ------------------------------------------------------------------------

def vectorizers(word_max):
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, word_max), lowercase=True,
                           sublinear_tf=True, min_df=2, token_pattern=r"(?u)\b\w+\b|[!?]")
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True,
                           sublinear_tf=True, min_df=2)
    return word, char


def featurize(train_texts, other_texts, word_max):
    word, char = vectorizers(word_max)
    xtr = sparse.hstack([word.fit_transform(train_texts), char.fit_transform(train_texts)]).tocsr()
    xo = [sparse.hstack([word.transform(t), char.transform(t)]).tocsr() for t in other_texts]
    return xtr, xo


def classifier(kind, c, weight):
    if kind == "svc":
        return LinearSVC(C=c, class_weight=weight, max_iter=5000, random_state=1)
    return LogisticRegression(C=c, class_weight=weight, max_iter=2000, solver="liblinear",
                              random_state=1)


# C grids around where each classifier peaked on these sets (LinearSVC 0.1-0.3, LR 3-30);
# the ends (0.03, 3 / 1, 100) never won on SemEval and RuSentiTweet and cost the most time
SVC_C = [0.1, 0.3, 1.0]
LR_C = [3.0, 10.0, 30.0]


def sk_grid(has_target, per_target_allowed):
    grid = []
    if not has_target:
        modes = ["single"]
    else:
        modes = ["prefix", "per_target"] if per_target_allowed else ["prefix"]
    for mode in modes:
        for wmax in (2, 3):
            for kind, cs in (("svc", SVC_C), ("lr", LR_C)):
                for c in cs:
                    for weight in (None, "balanced"):
                        grid.append({"mode": mode, "word_ngrams": wmax, "classifier": kind,
                                     "C": c, "class_weight": weight})
    return grid


def fit_predict_block(texts_tr, y_tr, texts_te, settings_list):
    """Fits every setting sharing one (mode, word_ngrams) on one block of rows and
    returns the predictions (and confidences of LR) for texts_te per setting."""
    wmax = settings_list[0]["word_ngrams"]
    xtr, (xte,) = featurize(texts_tr, [texts_te], wmax)
    out = []
    labels_present = sorted(set(y_tr))
    for s in settings_list:
        if len(labels_present) == 1:
            out.append(([labels_present[0]] * len(texts_te), [1.0] * len(texts_te)))
            continue
        clf = classifier(s["classifier"], s["C"], s["class_weight"])
        clf.fit(xtr, y_tr)
        pred = list(clf.predict(xte))
        conf = None
        if s["classifier"] == "lr":
            conf = list(clf.predict_proba(xte).max(axis=1))
        out.append((pred, conf))
    return out


def run_settings(rows_tr, rows_te, settings_list, text_col, target_col, label_col):
    """Predictions for rows_te for each setting of one (mode, word_ngrams) group."""
    mode = settings_list[0]["mode"]
    y_tr = [r[label_col] for r in rows_tr]
    if mode != "per_target":
        tr = [peer_text(r, text_col, target_col if mode == "prefix" else None) for r in rows_tr]
        te = [peer_text(r, text_col, target_col if mode == "prefix" else None) for r in rows_te]
        return fit_predict_block(tr, y_tr, te, settings_list)
    preds = [([None] * len(rows_te), [None] * len(rows_te)) for _ in settings_list]
    for t in sorted({r[target_col] for r in rows_te}):
        itr = [i for i, r in enumerate(rows_tr) if r[target_col] == t]
        ite = [i for i, r in enumerate(rows_te) if r[target_col] == t]
        block = fit_predict_block([rows_tr[i][text_col] for i in itr], [y_tr[i] for i in itr],
                                  [rows_te[i][text_col] for i in ite], settings_list)
        for si, (p, c) in enumerate(block):
            for j, i in enumerate(ite):
                preds[si][0][i] = p[j]
                if c is not None:
                    preds[si][1][i] = c[j]
    return [(p, c if all(x is not None for x in c) else None) for p, c in preds]


def sklearn_peer(rows_tr, rows_te, args, labels, log):
    y = [r[args.label_column] for r in rows_tr]
    groups = [r[args.group_column] for r in rows_tr] if args.group_column else None
    per_target = bool(args.target_column) and len({r[args.target_column] for r in rows_tr}) <= 10
    grid = sk_grid(bool(args.target_column), per_target)
    oof = [[None] * len(rows_tr) for _ in grid]
    keys = sorted({(s["mode"], s["word_ngrams"]) for s in grid})
    for fi, (tr, va) in enumerate(folds(y, groups, args.folds, args.seed)):
        rtr = [rows_tr[i] for i in tr]
        rva = [rows_tr[i] for i in va]
        for key in keys:
            gi = [i for i, s in enumerate(grid) if (s["mode"], s["word_ngrams"]) == key]
            res = run_settings(rtr, rva, [grid[i] for i in gi], args.text_column,
                               args.target_column, args.label_column)
            for g, (pred, _) in zip(gi, res):
                for j, i in enumerate(va):
                    oof[g][i] = pred[j]
        log(f"sklearn: fold {fi + 1}/{args.folds} done")
    scores = [macro_f1(y, oof[g], labels) for g in range(len(grid))]
    table = [dict(s, cv_macro_f1=sc) for s, sc in zip(grid, scores)]
    best = max(range(len(grid)), key=lambda g: (scores[g], -g))
    chosen = grid[best]
    # the best LinearSVC and the best LogisticRegression, each also scored on test for the record
    result = {"chosen": chosen, "cv_macro_f1": scores[best], "grid": table, "by_classifier": {}}
    for kind in ("svc", "lr"):
        kb = max((g for g in range(len(grid)) if grid[g]["classifier"] == kind),
                 key=lambda g: (scores[g], -g))
        (pred, conf), = run_settings(rows_tr, rows_te, [grid[kb]], args.text_column,
                                     args.target_column, args.label_column)
        m = test_metrics(rows_te, pred, conf, args, labels)
        result["by_classifier"][kind] = {"chosen": grid[kb], "cv_macro_f1": scores[kb], "test": m}
        if kb == best:
            result["test"] = m
            result["pred"] = pred  # per test row, for report.py's paired bootstrap
    return result


# ---- fastText peer ----------------------------------------------------------------------------

TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def ft_line(text):
    return " ".join(TOKEN_RE.findall(text.lower()))


def ft_write(path, rows, args, with_labels=True):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            t = ft_line(peer_text(r, args.text_column, args.target_column))
            if with_labels:
                f.write(f"__label__{r[args.label_column]} {t}\n")
            else:
                f.write(t + "\n")


def ft_train_predict(tmp, rows_tr, rows_te, s, args):
    trf = os.path.join(tmp, "train.txt")
    tef = os.path.join(tmp, "test.txt")
    model = os.path.join(tmp, "model")
    ft_write(trf, rows_tr, args)
    ft_write(tef, rows_te, args, with_labels=False)
    cmd = [args.fasttext, "supervised", "-input", trf, "-output", model, "-lr", str(s["lr"]),
           "-epoch", str(s["epoch"]), "-wordNgrams", str(s["wordNgrams"]), "-minn",
           str(s["minn"]), "-maxn", str(s["maxn"]), "-dim", "50", "-bucket", "200000",
           "-minCount", "1", "-thread", "1", "-seed", str(args.seed), "-verbose", "0"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run([args.fasttext, "predict-prob", model + ".bin", tef, "1"], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    pred, conf = [], []
    for line in out:
        parts = line.split()
        if not parts:  # fastText prints an empty line for a text with no known token
            pred.append(None)
            conf.append(0.0)
            continue
        pred.append(parts[0][len("__label__"):])
        conf.append(min(1.0, float(parts[1])))
    if len(pred) != len(rows_te):
        raise RuntimeError(f"fasttext predicted {len(pred)} lines for {len(rows_te)} rows")
    return pred, conf


def fasttext_peer(rows_tr, rows_te, args, labels, log):
    y = [r[args.label_column] for r in rows_tr]
    groups = [r[args.group_column] for r in rows_tr] if args.group_column else None
    tr, va = folds(y, groups, 5, args.seed)[0]  # one 80/20 split
    rtr = [rows_tr[i] for i in tr]
    rva = [rows_tr[i] for i in va]
    gva = [y[i] for i in va]
    majority = max(labels, key=y.count)
    grid = [{"lr": lr, "epoch": ep, "wordNgrams": wn, "minn": mn, "maxn": mx}
            for lr in (0.1, 0.3, 1.0) for ep in (5, 25) for wn in (1, 2)
            for mn, mx in ((0, 0), (2, 5))]
    table = []
    with tempfile.TemporaryDirectory(prefix="peers-ft-") as tmp:
        for s in grid:
            pred, _ = ft_train_predict(tmp, rtr, rva, s, args)
            pred = [p if p is not None else majority for p in pred]
            table.append(dict(s, heldout_macro_f1=macro_f1(gva, pred, labels)))
        best = max(range(len(grid)), key=lambda g: (table[g]["heldout_macro_f1"], -g))
        log(f"fasttext: chose {grid[best]}")
        pred, conf = ft_train_predict(tmp, rows_tr, rows_te, grid[best], args)
    pred = [p if p is not None else majority for p in pred]
    return {"chosen": grid[best], "cv_macro_f1": table[best]["heldout_macro_f1"], "grid": table,
            "test": test_metrics(rows_te, pred, conf, args, labels), "pred": pred}


# ---- main -------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--label-column", default="label")
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--target-column")
    ap.add_argument("--group-column")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peers", default="sklearn,fasttext")
    ap.add_argument("--fasttext", default="fasttext")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    random.seed(args.seed)

    def log(msg):
        print(f"peers[{args.name}]: {msg}", file=sys.stderr, flush=True)

    rows_tr = read_rows(args.train)
    rows_te = read_rows(args.test)
    labels = sorted({r[args.label_column] for r in rows_tr})
    result = {"set": args.name, "labels": labels, "train_rows": len(rows_tr),
              "test_rows": len(rows_te), "peers": {}}
    for peer in args.peers.split(","):
        t0 = time.time()
        if peer == "sklearn":
            r = sklearn_peer(rows_tr, rows_te, args, labels, log)
        elif peer == "fasttext":
            r = fasttext_peer(rows_tr, rows_te, args, labels, log)
        else:
            sys.exit(f"peers.py: unknown peer {peer}")
        r["seconds"] = round(time.time() - t0, 1)
        result["peers"][peer] = r
        log(f"{peer}: test macro-F1 {100 * r['test']['macro_f1']:.2f} ({r['seconds']} s)")
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""report.py - turns the files of one `make accuracy` run into docs/ACCURACY.md and one
HTML page per set (docs/accuracy/SET.html, see html_report.py).

Reads: tests/accuracy/sets.conf (what each set is and which flags stance used),
RESULTS/SET/{stance.json, stance-train.json, stance-target-*.json, stance-pred.jsonl,
peers.json, meta.json} as run_accuracy.sh writes them, the sets' test splits under BENCH
(default ../shared/benchmarks; environment BENCH) for the paired bootstrap
(significance.py), tests/accuracy/search/SET.tsv (the flag search inside train) and
tests/accuracy/notes.md (hand-written remarks, copied in as they are).

The main table's "stance" column is what the CI gate (tests/cli/benchmarks.sh) compares
against, one point of tolerance; keep its header names.

Usage: report.py RESULTS_DIR [--docs DIR]   (stdlib only)
"""
import argparse
import configparser
import csv
import datetime
import glob
import json
import os
import platform
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import html_report  # noqa: E402
import significance  # noqa: E402

BOOTSTRAP_REPS = 2000

METRIC_LABEL = {"f_avg": "F_avg", "f1_pn": "F1(P,N)", "macro_f1": "macro-F1",
                "f_avg_targets": "F_avg (mean of targets)"}
PEER_LABEL = {"fasttext": "fastText", "sklearn": "scikit-learn"}


def load_conf():
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(os.path.join(HERE, "sets.conf"))
    return cp


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def score_of(metric, m, by_target=None):
    if metric == "f_avg_targets":
        if by_target:
            vals = [v["f_avg"] for v in by_target.values() if v.get("f_avg") is not None]
            return sum(vals) / len(vals) if vals else None
        return m.get("f_avg_targets")
    return m.get(metric)


def peer_settings(peer, p):
    c = p["chosen"]
    if peer == "sklearn":
        clf = "LinearSVC" if c["classifier"] == "svc" else "LogisticRegression"
        w = ", balanced" if c.get("class_weight") else ""
        mode = {"prefix": "target token, ", "per_target": "one model per target, ",
                "single": ""}[c["mode"]]
        return f"{mode}word 1-{c['word_ngrams']} + char_wb 2-5, {clf} C={c['C']:g}{w}"
    return (f"lr {c['lr']:g}, epoch {c['epoch']}, wordNgrams {c['wordNgrams']}"
            + (f", char {c['minn']}-{c['maxn']}" if c["maxn"] else ""))


def load_set_info(results, name, conf=None):
    conf = conf or load_conf()
    s = conf[name]
    d = os.path.join(results, name)
    stance_eval = read_json(os.path.join(d, "stance.json"))
    task = next(iter(stance_eval["tasks"]))
    st = stance_eval["tasks"][task]
    train = read_json(os.path.join(d, "stance-train.json"))["tasks"][task]
    meta = read_json(os.path.join(d, "meta.json"))
    by_target = {}
    for f in sorted(glob.glob(os.path.join(d, "stance-target-*.json"))):
        t = os.path.basename(f)[len("stance-target-"):-len(".json")]
        by_target[t] = read_json(f)["tasks"][task]
    peers = {}
    pj = os.path.join(d, "peers.json")
    if os.path.exists(pj):
        for peer, p in read_json(pj)["peers"].items():
            p = dict(p)
            p["settings"] = peer_settings(peer, p)
            peers[peer] = p
    metric = s["metric"]
    score = {"stance": score_of(metric, st, by_target)}
    for peer, p in peers.items():
        score[peer] = score_of(metric, p["test"])
        p.pop("pred", None)  # the bootstrap below reads it from the file; keep infos small
    return {"name": name, "task": task, "metric": metric, "metric_label": METRIC_LABEL[metric],
            "published": s.get("published", ""), "published_by": s.get("published_by", ""),
            "flags": s["stance"] + "".join(f" --member '{m.strip()}'" for m in
                                           s.get("members", "").splitlines() if m.strip()),
            "stance": st, "stance_train": train,
            "stance_by_target": by_target, "peers": peers, "score": score, "meta": meta,
            "rows": {"train": train.get("examples", "?"), "test": st["n"]},
            "date": meta.get("date", ""),
            "bootstrap": bootstrap_set(results, name, s, task, score) if peers else None}


def column_flag(task, flag, default):
    """The value of flag (e.g. --label-column) in a sets.conf task string."""
    words = task.split()
    return words[words.index(flag) + 1] if flag in words[:-1] else default


def bootstrap_set(results, name, s, task, score):
    """significance.paired_bootstrap of stance against the peers on the set's test split,
    from RESULTS/NAME/stance-pred.jsonl, the peers' "pred" and the test CSV. Returns None
    (and says why on stderr) when a piece is missing or the recomputed scores differ from
    the reported ones: the report then has no intervals rather than wrong ones."""
    d = os.path.join(results, name)
    bench = os.environ.get("BENCH", os.path.join(ROOT, "..", "shared", "benchmarks"))
    test_csv = os.path.join(bench, s["test"])
    pred_path = os.path.join(d, "stance-pred.jsonl")
    pj = os.path.join(d, "peers.json")

    def skip(why):
        print(f"report.py: {name}: no bootstrap ({why})", file=sys.stderr)
        return None

    if not (os.path.exists(test_csv) and os.path.exists(pred_path) and os.path.exists(pj)):
        return skip("test split, stance-pred.jsonl or peers.json missing")
    csv.field_size_limit(1 << 30)
    with open(test_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    label_col = column_flag(s["task"], "--label-column", task)
    target_col = s.get("target", "")
    group_col = s.get("group", "")
    with open(pred_path, encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    if len(recs) != len(rows):
        return skip(f"{len(recs)} predictions for {len(rows)} test rows")
    stance_pred = []
    for row, rec in zip(rows, recs):
        if "id" in row and str(rec.get("id")) != row["id"]:
            return skip(f"prediction for id {rec.get('id')} where the test row is {row['id']}")
        r = rec.get(task)
        if isinstance(r, list):  # a target task: the verdict for this row's target
            r = next((x for x in r if x.get("target") == row.get(target_col)), None)
        stance_pred.append(r.get("label") if isinstance(r, dict) else None)
    preds = {"stance": stance_pred}
    peers_doc = read_json(pj)
    for peer, p in peers_doc["peers"].items():
        if "pred" not in p or len(p["pred"]) != len(rows):
            return skip(f"{peer} has no prediction per test row")
        preds[peer] = p["pred"]
    gold = [r[label_col] for r in rows]
    # macro-F1 averages over the train split's labels, as stance-predict and peers.py do
    labels = peers_doc.get("labels") or sorted(set(gold))
    metric = s["metric"]
    targets = [r[target_col] for r in rows] if target_col else None
    for system, pred in preds.items():
        own = significance.score(metric, gold, pred, labels, targets)
        if score.get(system) is None or abs(own - score[system]) > 5e-5:
            return skip(f"{system}'s recomputed score {own:.4f} differs from its report "
                        f"{score.get(system)}")
    res = significance.paired_bootstrap(
        metric, gold, preds, labels, targets=targets,
        clusters=[r[group_col] for r in rows] if group_col else None, reps=BOOTSTRAP_REPS)
    res["group_column"] = group_col
    return res


def ci_text(ci, signed=False):
    fmt = "{:+.2f}" if signed else "{:.2f}"
    return "[" + ", ".join(fmt.format(100 * x) for x in ci) + "]"


def search_rows(name, metric):
    """The runs of the set's search that were scored by metric, in the order tried, as
    [flags, C, score, macro_f1, accuracy, ece, seconds] (search.py's TSV; a table of the first
    format, without a metric column, holds macro-F1 runs only)."""
    path = os.path.join(HERE, "search", name + ".tsv")
    if not os.path.exists(path):
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        head = next(f, "").rstrip("\n").split("\t")
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) != len(head):
                continue
            r = dict(zip(head, v))
            r.setdefault("metric", "macro_f1")
            r.setdefault("score", r["macro_f1"])
            if r["metric"] == metric:
                out.append([r[c] for c in ("flags", "C", "score", "macro_f1", "accuracy", "ece",
                                           "seconds")])
    return out


def f2(x):
    return "–" if x is None else f"{100 * x:.2f}"


def markdown(infos, conf, missing):
    date = datetime.date.today().isoformat()
    L = ["# Accuracy on public benchmarks",
         "",
         "Generated by `make accuracy` (tests/accuracy/run_accuracy.sh) — do not edit by hand; "
         "hand-written remarks live in tests/accuracy/notes.md and are copied in below.",
         f"Run: {date}, {platform.machine()}, {os.cpu_count()} CPUs.",
         "",
         "Protocol: every system is trained on each set's `train.csv` only and scored once on "
         "`test.csv`. stance's flags (and C) were chosen by the cross-validated score of the "
         "set's official metric, computed by `stance-train --cv-metric` on out-of-fold "
         "predictions (k-fold inside train, folds grouped by the set's group column; "
         "search tables below); the peers tune their own settings inside train "
         "(scikit-learn: 5-fold CV macro-F1; fastText: held-out 20 % of train). The sets, their "
         "sources and published scores are described in ../shared/benchmarks/*/README.md.",
         "",
         "| set | metric | stance | fastText | scikit-learn | published | stance ECE | "
         "stance macro-F1 | stance − best peer |",
         "|---|---|---|---|---|---|---|---|---|"]
    for i in infos:
        sc = i["score"]
        peers = [sc.get(p) for p in ("fasttext", "sklearn") if sc.get(p) is not None]
        gap = f"{100 * (sc['stance'] - max(peers)):+.2f}" if peers else "–"
        bs = i.get("bootstrap")
        if bs and peers:
            best = max((p for p in ("fasttext", "sklearn") if sc.get(p) is not None),
                       key=lambda p: sc[p])
            gap += " " + ci_text(bs["versus"][best]["ci"], signed=True)
        L.append(f"| {i['name']} | {i['metric_label']} | {f2(sc['stance'])} | "
                 f"{f2(sc.get('fasttext'))} | {f2(sc.get('sklearn'))} | "
                 f"{i['published'] or '–'} | {i['stance'].get('ece', 0):.3f} | "
                 f"{f2(i['stance']['macro_f1'])} | {gap} |")
    if missing:
        L.append("")
        L.append("Not run (set not present): " + ", ".join(missing) + ".")
    L += ["", "Scores are percentages on the test split; ECE is the expected calibration "
          "error of stance's top-label confidence (10 equal-width bins). In brackets: the "
          "95 % interval of stance − best peer from a paired bootstrap of the test split "
          f"({BOOTSTRAP_REPS} resamples; sets with a group column resample whole groups; "
          "tests/accuracy/significance.py): an interval that holds 0 means the test split "
          "cannot tell the two apart. The CI gate "
          "(tests/cli/benchmarks.sh) retrains stance with the settings below and fails when a "
          "set's score falls more than one point under the `stance` column.", ""]
    notes = os.path.join(HERE, "notes.md")
    if os.path.exists(notes):
        with open(notes, encoding="utf-8") as f:
            L += [f.read().rstrip(), ""]
    for i in infos:
        st, tr = i["stance"], i["stance_train"]
        L += [f"## {i['name']}", "",
              f"Official metric {i['metric_label']}; published: {i['published'] or '–'} "
              f"({i['published_by']}). Report with confusion matrix and reliability diagram: "
              f"[accuracy/{i['name']}.html](accuracy/{i['name']}.html).", "",
              f"stance's CV {i['metric_label']} (the score its flags were chosen by): "
              # --target-models: the per-target models' CV (they score every seen target)
              + (f"{f2(tr['target_models']['score'])} (per-target models; shared model "
                 f"{f2(tr.get('score'))})."
                 if tr.get("target_models", {}).get("score") is not None
                 else f"{f2(tr['ensemble']['score'])} (ensemble of {tr['ensemble']['models']} "
                 f"models; the first alone {f2(tr.get('score'))})."
                 if "ensemble" in tr
                 else f"{f2(tr.get('score'))}."), "",
              "| system | settings (chosen inside train) | CV macro-F1 | test "
              f"{i['metric_label']} | test macro-F1 | test accuracy | test ECE | train s |",
              "|---|---|---|---|---|---|---|---|",
              f"| stance | `{i['flags']}` | {f2(tr.get('ensemble', tr).get('macro_f1'))} | {f2(i['score']['stance'])} "
              f"| {f2(st['macro_f1'])} | {f2(st['accuracy'])} | {st.get('ece', 0):.3f} | "
              f"{i['meta'].get('train_seconds', '–')} |"]
        for peer in ("fasttext", "sklearn"):
            p = i["peers"].get(peer)
            if not p:
                continue
            t = p["test"]
            ece = f"{t['ece']:.3f}" if t.get("ece") is not None else "–"
            L.append(f"| {PEER_LABEL[peer]} | {p['settings']} | {f2(p.get('cv_macro_f1'))} | "
                     f"{f2(i['score'].get(peer))} | {f2(t['macro_f1'])} | {f2(t['accuracy'])} | "
                     f"{ece} | {p.get('seconds', '–')} |")
        sk = i["peers"].get("sklearn")
        if sk and sk.get("by_classifier"):
            for kind, label in (("svc", "LinearSVC"), ("lr", "LogisticRegression")):
                b = sk["by_classifier"].get(kind)
                if not b:
                    continue
                bp = dict(sk, chosen=b["chosen"])
                t = b["test"]
                ece = f"{t['ece']:.3f}" if t.get("ece") is not None else "–"
                L.append(f"| (scikit-learn, best {label}) | {peer_settings('sklearn', bp)} | "
                         f"{f2(b['cv_macro_f1'])} | {f2(score_of(i['metric'], t))} | "
                         f"{f2(t['macro_f1'])} | {f2(t['accuracy'])} | {ece} | |")
        L.append("")
        bs = i.get("bootstrap")
        if bs:
            unit = (f"its {bs['clusters']} groups by `{bs['group_column']}`" if bs["unit"] == "group"
                    else f"its {bs['clusters']} rows")
            own = bs["systems"]["stance"]
            parts = [f"stance {f2(own['score'])} {ci_text(own['ci'])}"]
            for peer in ("fasttext", "sklearn"):
                v = bs["versus"].get(peer)
                if v:
                    parts.append(f"stance − {PEER_LABEL[peer]} {100 * v['diff']:+.2f} "
                                 f"{ci_text(v['ci'], signed=True)}, stance at or above it in "
                                 f"{100 * v['share_at_or_above']:.0f} % of the resamples")
            line = (f"Paired bootstrap of the test split ({bs['reps']} resamples of {unit}; "
                    f"95 % intervals): " + "; ".join(parts) + ".")
            try:
                pub = float(i["published"]) / 100
            except ValueError:
                pub = None
            if pub is not None:
                lo, hi = own["ci"]
                where = ("inside" if lo <= pub <= hi else "above" if pub > hi else "below")
                line += f" The published {i['published']} is {where} stance's interval."
            L += [line, ""]
        if i["stance_by_target"]:
            L += ["stance per target: " + ", ".join(
                f"{t} F_avg {f2(m.get('f_avg'))} (macro-F1 {f2(m['macro_f1'])})"
                for t, m in i["stance_by_target"].items()) +
                  (f"; pooled over all test rows: F_avg {f2(st['f_avg'])}" if "f_avg" in st else "")
                  + ".", ""]
        L += ["stance per class (test): " + ", ".join(
            f"{c} P {f2(m['precision'])} R {f2(m['recall'])} F1 {f2(m['f1'])}"
            for c, m in st["classes"].items()) + ".", ""]
        rel = [b for b in st.get("reliability", []) if b["count"]]
        L += ["Reliability (test; confidence bin: predictions, mean confidence → accuracy): " +
              "; ".join(f"{b['lower']:.1f}–{b['upper']:.1f}: {b['count']}, "
                        f"{b['mean_confidence']:.2f} → {b['accuracy']:.2f}" for b in rel) + ".",
              ""]
        rows = search_rows(i["name"], i["metric"])
        if rows:
            best = max(rows, key=lambda v: float(v[2]))
            L += [f"Flag search inside train ({len(rows)} runs scored by CV {i['metric_label']}, "
                  "in the order tried; coordinate search over one dimension at a time; best in "
                  "bold):", "",
                  f"| stance-train flags | C | CV {i['metric_label']} | CV macro-F1 | CV accuracy "
                  "| CV ECE | s |",
                  "|---|---|---|---|---|---|---|"]
            for v in rows:
                b = "**" if v is best else ""
                L.append(f"| {b}`{v[0] or '(defaults)'}`{b} | {v[1]} | {b}{100 * float(v[2]):.2f}"
                         f"{b} | {100 * float(v[3]):.2f} | {100 * float(v[4]):.2f} | "
                         f"{float(v[5]):.3f} | {v[6]} |")
            L.append("")
            if i["metric"] != "macro_f1" and search_rows(i["name"], "macro_f1"):
                L += [f"(An earlier search scored by CV macro-F1, "
                      f"{len(search_rows(i['name'], 'macro_f1'))} runs, is kept in "
                      f"tests/accuracy/search/{i['name']}.tsv.)", ""]
    L += stemming_section(infos)
    return "\n".join(L) + "\n"


def stemming_section(infos):
    """The stemming choice per language, as measured in each set's search."""
    L = ["## Stemming choice per set (CV score of the set's metric inside train)", "",
         "Each row changes only the stemming of the best flag set found before it in the "
         "search (`*` = every language the detector returns, so short Bulgarian texts "
         "detected as Russian are stemmed the same way; English keeps its Snowball stemmer).",
         "", "| set | stemming | CV score | chosen |", "|---|---|---|---|"]
    for i in infos:
        rows = search_rows(i["name"], i["metric"])
        if not rows:
            continue
        stem_rows = {}
        for v in rows:
            parts = v[0].split("--stemming ")
            if len(parts) != 2:
                continue
            spec = parts[1].split()[0]
            rest = parts[0] + " ".join(parts[1].split()[1:])
            stem_rows.setdefault(rest, {})[spec] = float(v[2])
        # the group of runs that differ only by stemming and has the most variants
        if not stem_rows:
            continue
        rest, specs = max(stem_rows.items(), key=lambda kv: (len(kv[1]), max(kv[1].values())))
        chosen = i["flags"].split("--stemming ")[1].split()[0] if "--stemming " in i["flags"] else ""
        for spec, sc in specs.items():
            L.append(f"| {i['name']} | `{spec}` | {100 * sc:.2f} | {'yes' if spec == chosen else ''} |")
    return L + [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--docs", default=os.path.join(ROOT, "docs"))
    args = ap.parse_args()
    conf = load_conf()
    infos, missing = [], []
    for name in conf.sections():
        if not os.path.exists(os.path.join(args.results, name, "stance.json")):
            missing.append(name)
            continue
        infos.append(load_set_info(args.results, name, conf))
    os.makedirs(os.path.join(args.docs, "accuracy"), exist_ok=True)
    for i in infos:
        with open(os.path.join(args.docs, "accuracy", i["name"] + ".html"), "w",
                  encoding="utf-8") as f:
            f.write(html_report.render(i))
    with open(os.path.join(args.docs, "ACCURACY.md"), "w", encoding="utf-8") as f:
        f.write(markdown(infos, conf, missing))
    print(f"report.py: {len(infos)} sets -> {args.docs}/ACCURACY.md, {args.docs}/accuracy/*.html")


if __name__ == "__main__":
    main()

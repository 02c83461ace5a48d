#!/usr/bin/env python3
"""search.py - choose stance-train's flags for one benchmark set by cross-validation
inside its train split (never by the test split).

Coordinate search: start from a base flag set, then for each dimension in turn
(target handling, char n-grams, word n-grams, stemming, solver, class weights, min-df,
negation) try every option with the others fixed at the best so far, and keep the one
with the highest cross-validated macro-F1 that stance-train reports (its own grid of C,
k-fold, grouped by the set's group column). Every run is appended to
tests/accuracy/search/SET.tsv (flags, chosen C, CV macro-F1, accuracy, ECE, seconds);
rows already there are reused, so an interrupted search resumes. The last line printed
is the chosen flag set with --c fixed to the chosen C (what sets.conf records).

Usage: search.py SET [--build DIR] [--bench DIR] [--jobs N]   (stdlib only)
"""
import argparse
import configparser
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import threading
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# "en=snowball:english" keeps English words stemmed as usual; "*" covers every other
# language the detector returns, so the choice applies to all rows of a one-language set
# even where a short text is detected as a neighbouring language (bg vs ru).
STEM_RU = ["en=snowball:english,*=snowball:russian", "en=snowball:english,*=none",
           "en=snowball:english,*=prefix:5", "en=snowball:english,*=prefix:6"]
STEM_BG = ["en=snowball:english,*=none", "en=snowball:english,*=prefix:4",
           "en=snowball:english,*=prefix:5", "en=snowball:english,*=prefix:6",
           "en=snowball:english,*=snowball:russian"]
STEM_EN = ["en=snowball:english,*=none", "*=none"]
LANG_STEMS = {"ru": STEM_RU, "bg": STEM_BG, "en": STEM_EN}
SET_LANG = {"semeval2016_task6": "en", "ruw_stance": "en", "rusentne2023": "ru",
            "rusentitweet": "ru", "cinexio_bg": "bg"}


def dimensions(name, target_dependent):
    dims = []
    if target_dependent:
        dims.append(("target", ["", "--target-conjoin", "--no-target-mask",
                                "--target-conjoin --no-target-mask"]))
    dims += [
        # (no char n-grams, and 2-4, lost clearly to 2-5 / 3-6 on SemEval: not retried)
        ("char", ["--char-ngrams 2-5", "--char-ngrams 3-6"]),
        ("words", ["--ngrams 1", "", "--ngrams 3"]),
        ("stemming", ["--stemming " + s for s in LANG_STEMS[SET_LANG.get(name, "en")]]),
        ("solver", ["", "--solver L2R_L2LOSS_SVC_DUAL", "--solver MCSVM_CS"]),
        ("weights", ["", "--no-class-weights"]),
        ("min_df", ["", "--min-df 1"]),
        ("negation", ["", "--negation 0"]),
    ]
    return dims


def load_set(name, conf_path):
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(conf_path)
    if name not in cp:
        sys.exit(f"search.py: no set {name} in {conf_path}")
    return cp[name]


def flags_key(parts):
    return " ".join(p for p in parts if p)


def run_one(args, s, flags, tsv_rows):
    if flags in tsv_rows:
        return tsv_rows[flags]
    with tempfile.TemporaryDirectory(prefix="search-") as tmp:
        cmd = [os.path.join(args.build, "stance-train"), "-q", "--json",
               "--data", os.path.join(args.bench, s["train"])]
        cmd += shlex.split(s["task"])
        if s.get("group"):
            cmd += ["--group-column", s["group"]]
        cmd += shlex.split(flags) + ["--aggregation", "document", "--out",
                                      os.path.join(tmp, "m.model")]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        secs = time.time() - t0
    if p.returncode != 0:
        print(f"search.py: failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}", file=sys.stderr)
        row = {"flags": flags, "C": "", "macro_f1": -1.0, "accuracy": -1.0, "ece": -1.0,
               "seconds": round(secs, 1)}
    else:
        # stdout holds the text report, then the JSON document (from its first "{" line)
        at = p.stdout.find("\n{")
        doc = p.stdout[at + 1:] if at >= 0 else p.stdout
        task = next(iter(json.loads(doc)["tasks"].values()))
        row = {"flags": flags, "C": task["C"], "macro_f1": task["macro_f1"],
               "accuracy": task["accuracy"], "ece": task["ece"], "seconds": round(secs, 1)}
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "benchmarks"))
    ap.add_argument("--conf", default=os.path.join(HERE, "sets.conf"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(HERE, "search"))
    args = ap.parse_args()
    s = load_set(args.set, args.conf)
    os.makedirs(args.out_dir, exist_ok=True)
    tsv = os.path.join(args.out_dir, args.set + ".tsv")
    cols = ["flags", "C", "macro_f1", "accuracy", "ece", "seconds"]
    rows = {}
    if os.path.exists(tsv):
        with open(tsv, encoding="utf-8") as f:
            next(f, None)
            for line in f:
                v = line.rstrip("\n").split("\t")
                if len(v) == len(cols):
                    rows[v[0]] = {"flags": v[0], "C": v[1], "macro_f1": float(v[2]),
                                  "accuracy": float(v[3]), "ece": float(v[4]),
                                  "seconds": float(v[5])}
    else:
        with open(tsv, "w", encoding="utf-8") as f:
            f.write("\t".join(cols) + "\n")

    lock = threading.Lock()

    def record(row):
        with lock:
            record_locked(row)

    def record_locked(row):
        if row["flags"] in rows and row is rows[row["flags"]]:
            return
        rows[row["flags"]] = row
        with open(tsv, "a", encoding="utf-8") as f:
            f.write("\t".join(str(row[c]) for c in cols) + "\n")
        print(f"{args.set}: {row['macro_f1']:.4f} C={row['C']} ece={row['ece']:.4f} "
              f"({row['seconds']} s)  {row['flags']}", file=sys.stderr, flush=True)

    dims = dimensions(args.set, bool(s.get("target")))
    best = {d: opts[0] if d not in ("char", "words", "stemming") else None for d, opts in dims}
    # base: char 2-5, word 1-2, the language's first stemming option
    for d, opts in dims:
        if d == "char":
            best[d] = "--char-ngrams 2-5"
        elif d == "words":
            best[d] = ""
        elif d == "stemming":
            best[d] = opts[0]
    order = [d for d, _ in dims]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for d, opts in dims:
            cands = []
            for o in opts:
                cur = dict(best, **{d: o})
                cands.append((o, flags_key(cur[x] for x in order)))
            def one(c):
                r = run_one(args, s, c[1], rows)
                record(r)  # as soon as it is known, so an interrupted search keeps it
                return r

            results = list(pool.map(one, cands))
            o_best = max(zip(cands, results), key=lambda cr: cr[1]["macro_f1"])[0][0]
            best[d] = o_best
    final = flags_key(best[x] for x in order)
    r = rows[final]
    print(json.dumps({"set": args.set, "flags": final, "C": r["C"], "cv_macro_f1": r["macro_f1"],
                      "cv_ece": r["ece"]}))


if __name__ == "__main__":
    main()

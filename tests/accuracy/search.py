#!/usr/bin/env python3
"""search.py - choose stance-train's flags for one benchmark set by cross-validation
inside its train split (never by the test split).

Coordinate search: start from a base flag set, then for each dimension in turn
(target handling, char n-grams, word n-grams, NB weighting, stemming, solver, class
weights, min-df, negation, punctuation tokens, block normalization, target window, one model
per target beside the shared one) try every option with the others fixed at the
best so far, and keep the one with the highest cross-validated score of the set's official
metric (sets.conf `metric`: macro_f1, f_avg, f1_pn or f_avg_targets), which stance-train
computes on the out-of-fold predictions and also uses to choose C (--cv-metric). Every run is
appended to tests/accuracy/search/SET.tsv (flags, metric, chosen C, CV score, CV macro-F1,
accuracy, ECE, seconds); rows already there for the same metric are reused, so an
interrupted search resumes. The last line printed is the chosen flag set with --c fixed to
the chosen C and the --cv-metric it was chosen by (what sets.conf records). A run with
--target-models is scored by its per-target models (target_models.score), its C column
lists each target's C, and its sets.conf line has no --c (each target keeps its own).

--start FLAGS begins from that flag set instead of the base, and --dims a,b limits the
search to those dimensions (a shorter search where runs are slow; the TSV shows what ran).

Usage: search.py SET [--build DIR] [--bench DIR] [--jobs N] [--metric M] [--start FLAGS]
                 [--dims D,...]   (stdlib only)
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
                                "--target-conjoin --no-target-mask", "--per-target"]))
    dims += [
        # (no char n-grams, and 2-4, lost clearly to 2-5 / 3-6 on SemEval: not retried)
        ("char", ["--char-ngrams 2-5", "--char-ngrams 3-6"]),
        ("words", ["--ngrams 1", "", "--ngrams 3"]),
        ("nb", ["", "--nb-weighting"]),
        ("stemming", ["--stemming " + s for s in LANG_STEMS[SET_LANG.get(name, "en")]]),
        ("solver", ["", "--solver L2R_L2LOSS_SVC_DUAL", "--solver MCSVM_CS"]),
        ("weights", ["", "--no-class-weights"]),
        ("min_df", ["", "--min-df 1"]),
        ("negation", ["", "--negation 0"]),
        # punctuation runs as tokens, and the word and char blocks normalized apart (last,
        # so the rows searched before them keep their flag strings)
        ("punct", ["", "--punct-tokens"]),
        ("blocknorm", ["", "--block-norm"]),
        # hashtag words and URL / mention classes (last again)
        ("hashtags", ["", "--split-hashtags"]),
        ("links", ["", "--link-classes"]),
    ]
    if target_dependent:
        dims.append(("window", ["", "--target-window 3", "--target-window 6"]))
        # one model per target beside the shared one (last, as above); such a run is scored
        # by its per-target models (target_models.score) and has a C per target
        dims.append(("models", ["", "--target-models"]))
    return dims


def split_start(flags, dims):
    """Assigns the words of a flag string to the dimensions' options (the longest option
    that matches first); unknown words are an error, so a typo cannot vanish silently."""
    words = shlex.split(flags)
    best = {}
    i = 0
    while i < len(words):
        hit = None
        for d, opts in dims:
            for o in opts:
                ow = shlex.split(o)
                if ow and words[i:i + len(ow)] == ow and (hit is None or len(ow) > len(hit[1])):
                    hit = (d, ow, o)
        if hit is None:
            sys.exit(f"search.py: --start: {words[i]!r} is no option of any dimension")
        best[hit[0]] = hit[2]
        i += len(hit[1])
    return best


def load_set(name, conf_path):
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(conf_path)
    if name not in cp:
        sys.exit(f"search.py: no set {name} in {conf_path}")
    return cp[name]


def flags_key(parts):
    return " ".join(p for p in parts if p)


def run_one(args, s, flags, tsv_rows):
    if (flags, args.metric) in tsv_rows:
        return tsv_rows[(flags, args.metric)]
    with tempfile.TemporaryDirectory(prefix="search-") as tmp:
        cmd = [os.path.join(args.build, "stance-train"), "-q", "--json",
               "--data", os.path.join(args.bench, s["train"])]
        cmd += shlex.split(s["task"])
        if s.get("group"):
            cmd += ["--group-column", s["group"]]
        cmd += shlex.split(flags) + ["--cv-metric", args.metric, "--aggregation", "document",
                                      "--out",
                                      os.path.join(tmp, "m.model")]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        secs = time.time() - t0
    if p.returncode != 0:
        print(f"search.py: failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}", file=sys.stderr)
        row = {"flags": flags, "metric": args.metric, "C": "", "score": -1.0, "macro_f1": -1.0,
               "accuracy": -1.0, "ece": -1.0, "seconds": round(secs, 1)}
    else:
        # stdout holds the text report, then the JSON document (from its first "{" line)
        at = p.stdout.find("\n{")
        doc = p.stdout[at + 1:] if at >= 0 else p.stdout
        task = next(iter(json.loads(doc)["tasks"].values()))
        if task.get("metric") != args.metric:
            sys.exit(f"search.py: stance-train scored by {task.get('metric')}, not {args.metric}")
        row = {"flags": flags, "metric": args.metric, "C": task["C"], "score": task["score"],
               "macro_f1": task["macro_f1"], "accuracy": task["accuracy"], "ece": task["ece"],
               "seconds": round(secs, 1)}
        if "--target-models" in shlex.split(flags):
            row.update(target_models_row(task))
    return row


def target_models_row(task):
    """The figures of a --target-models run: its per-target models' CV score (the mean over
    targets, which is f_avg_targets exactly with that metric), each target's C ("t=C,...",
    since one --c cannot give every target its own), and macro-F1, accuracy and ECE of their
    pooled out-of-fold predictions when stance-train reports them (NaN otherwise)."""
    tm = task.get("target_models") or {}
    if "score" not in tm:
        sys.exit("search.py: a --target-models run without target_models.score")
    pooled = tm.get("pooled") or {}
    cs = ",".join(f"{t}={v['C']}" for t, v in sorted(tm.get("targets", {}).items()) if "C" in v)
    return {"C": cs, "score": tm["score"],
            "macro_f1": pooled.get("macro_f1", float("nan")),
            "accuracy": pooled.get("accuracy", float("nan")),
            "ece": pooled.get("ece", float("nan"))}


COLS = ["flags", "metric", "C", "score", "macro_f1", "accuracy", "ece", "seconds"]
OLD_COLS = ["flags", "C", "macro_f1", "accuracy", "ece", "seconds"]


def read_tsv(path):
    """{(flags, metric): row}. A table of the first format (no metric column: every run was
    scored by macro-F1) is read as metric macro_f1 and marked for rewriting."""
    rows = {}
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        head = next(f, "").rstrip("\n").split("\t")
        old = head == OLD_COLS
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) != len(head):
                continue
            r = dict(zip(head, v))
            if old:
                r["metric"], r["score"] = "macro_f1", r["macro_f1"]
            for c in ("score", "macro_f1", "accuracy", "ece", "seconds"):
                r[c] = float(r[c])
            rows[(r["flags"], r["metric"])] = r
    if old:
        rows["_old_format"] = True
    return rows


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(COLS) + "\n")
        for r in rows:
            f.write("\t".join(str(r[c]) for c in COLS) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "benchmarks"))
    ap.add_argument("--conf", default=os.path.join(HERE, "sets.conf"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(HERE, "search"))
    ap.add_argument("--metric", help="CV metric to maximize (default: the set's metric)")
    ap.add_argument("--start", help="flag set to start from (default: the base)")
    ap.add_argument("--dims", help="comma-separated dimensions to search (default: all)")
    args = ap.parse_args()
    s = load_set(args.set, args.conf)
    args.metric = args.metric or s.get("metric") or "macro_f1"
    os.makedirs(args.out_dir, exist_ok=True)
    tsv = os.path.join(args.out_dir, args.set + ".tsv")
    rows = read_tsv(tsv)
    if not os.path.exists(tsv) or rows.pop("_old_format", False):
        write_tsv(tsv, rows.values())

    lock = threading.Lock()

    def record(row):
        with lock:
            record_locked(row)

    def record_locked(row):
        key = (row["flags"], row["metric"])
        if key in rows and row is rows[key]:
            return
        rows[key] = row
        with open(tsv, "a", encoding="utf-8") as f:
            f.write("\t".join(str(row[c]) for c in COLS) + "\n")
        print(f"{args.set}: {row['metric']} {row['score']:.4f} (macro-F1 {row['macro_f1']:.4f}) "
              f"C={row['C']} ece={row['ece']:.4f} ({row['seconds']} s)  {row['flags']}",
              file=sys.stderr, flush=True)

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
    if args.start is not None:
        best = {d: "" for d, _ in dims}
        best.update(split_start(args.start, dims))
    order = [d for d, _ in dims]
    searched = dims
    if args.dims:
        want = args.dims.split(",")
        unknown = [w for w in want if w not in order]
        if unknown:
            sys.exit(f"search.py: no dimension {', '.join(unknown)} (have {', '.join(order)})")
        searched = [(d, opts) for d, opts in dims if d in want]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for d, opts in searched:
            cands = []
            for o in opts:
                cur = dict(best, **{d: o})
                cands.append((o, flags_key(cur[x] for x in order)))
            def one(c):
                r = run_one(args, s, c[1], rows)
                record(r)  # as soon as it is known, so an interrupted search keeps it
                return r

            results = list(pool.map(one, cands))
            # the first (earlier-listed) option wins a tie
            o_best = max(zip(cands, results), key=lambda cr: cr[1]["score"])[0][0]
            best[d] = o_best
    final = flags_key(best[x] for x in order)
    r = rows[(final, args.metric)]
    # with --target-models each target keeps the C its own CV chose: no single --c to record
    fixed_c = "" if best.get("models") else f" --c {r['C']}"
    print(json.dumps({"set": args.set, "flags": final, "metric": args.metric, "C": r["C"],
                      "cv_score": r["score"], "cv_macro_f1": r["macro_f1"], "cv_ece": r["ece"],
                      "sets_conf": f"{final} --cv-metric {args.metric}{fixed_c}"}))


if __name__ == "__main__":
    main()

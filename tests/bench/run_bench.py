#!/usr/bin/env python3
"""run_bench.py - `make bench`: where stance's time goes, and how it compares with its peers.

Standard library only. One run builds the data, times everything on this machine and prints a
table and a JSON document (also written to WORK/bench.json):

  data      the train.csv files of ../shared/benchmarks/* (ru: rusentitweet, rusentne2023;
            bg: cinexio_bg; en: ruw_stance, semeval2016_task6) pooled as one plain task over
            their union label set (8 labels); shuffled with a fixed seed; repeated to reach the
            training sizes and the throughput inputs. The test.csv files, pooled the same way,
            are the accuracy split. Target columns are ignored by every tool alike (a speed
            benchmark; the accuracy figures compare the tools on equal terms, not the tasks).
  features  bench_features extract: extraction alone, one thread, per language.
  train     stance-train (--cv 0, the C the CV run chose) at each size; stance-train with
            cross-validation at the smaller sizes, its CV time = difference; fasttext
            supervised; liblinear-train on stance's own vectors of the same rows (svmlight
            written by bench_features, untimed), with stance's solver, C, bias and class
            weights; and LIBLINEAR's train() on those vectors in memory (no parsing): the floor.
  predict   stance-predict on 1 and 2 threads over 10 MB and 200 MB of JSONL; fasttext
            predict-prob, one process and two processes on halves (it has no thread option);
            liblinear-predict on stance's vectors of the 10 MB input.
  accuracy  macro-F1 and accuracy on the pooled test split (and per language) for the model
            each tool trains on the pooled train split (1x, ~37k rows).

Wall time and peak RSS come from /usr/bin/time -v. Throughput runs write to /dev/null.
Environment knobs (for a quick look; the defaults are the documented run):
  BENCH_SIZES=10000,100000,300000   training sizes (1000000 fits in memory: 1.1 GB, and takes
                                    the run to ~13 minutes on 2 cores)
  BENCH_CV_SIZES=10000              sizes also trained with cross-validation (the pooled
                                    train split, 36,819 rows, always is: it chooses C)
  BENCH_MB=200                      the large predict input (MB of text)
  BENCH_SMALL_MB=10                 the small predict input
  BENCH_FEATURES_MB=20              text per language for bench_features
  BENCH_TRAIN_FLAGS="..."           extra stance-train options (e.g. --stemming SPEC)
"""

import argparse
import csv
import glob
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "benchmarks"))

# benchmark folder -> language
SETS = {
    "rusentitweet": "ru",
    "rusentne2023": "ru",
    "cinexio_bg": "bg",
    "ruw_stance": "en",
    "semeval2016_task6": "en",
}
TASK = "polarity"
# fastText settings: those of its supervised tutorial for small classification sets (lr 1.0,
# word bigrams, 50 dimensions, hierarchical softmax) with its default 5 epochs, so that the
# scaling runs stay inside the time budget; the accuracy table adds the tutorial's 25 epochs
# (slower, ~+0.01 macro-F1 here) as its own row so the trade is visible.
FASTTEXT_TRAIN = ["-lr", "1.0", "-epoch", "5", "-wordNgrams", "2", "-dim", "50",
                  "-bucket", "200000", "-loss", "hs", "-minCount", "1", "-thread", "2",
                  "-seed", "1", "-verbose", "0"]
FASTTEXT_EPOCHS_BEST = "25"

csv.field_size_limit(1 << 30)


T0 = time.monotonic()


def log(msg):
    print("bench [%4.0f s]: %s" % (time.monotonic() - T0, msg), file=sys.stderr, flush=True)


def env_list(name, default):
    return [int(x) for x in os.environ.get(name, default).split(",") if x.strip()]


def env_float(name, default):
    return float(os.environ.get(name, default))


# ---- data ---------------------------------------------------------------------------------


def read_split(split):
    rows = []
    for name, lang in SETS.items():
        path = os.path.join(SHARED, name, split + ".csv")
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                text = r["text"]
                if not text.strip() or not r["label"].strip():
                    continue
                rows.append({"id": "%s-%s" % (name, r["id"]), "text": text,
                             "label": r["label"].strip().lower(), "lang": lang, "set": name})
    return rows


def one_line(text):
    """fastText reads one example per line and splits on whitespace."""
    return re.sub(r"\s+", " ", text).strip()


def write_csv(path, rows, n=None, lang_col=False):
    """Writes the first n rows of the endless repetition of rows (ids made unique)."""
    n = len(rows) if n is None else n
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "text", "label"] + (["lang"] if lang_col else []))
        for i in range(n):
            r = rows[i % len(rows)]
            rid = r["id"] if i < len(rows) else "%s~%d" % (r["id"], i // len(rows))
            w.writerow([rid, r["text"], r["label"]] + ([r["lang"]] if lang_col else []))


def write_fasttext_train(path, rows, n=None):
    n = len(rows) if n is None else n
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            r = rows[i % len(rows)]
            f.write("__label__%s %s\n" % (r["label"], one_line(r["text"])))


def write_predict_inputs(base, rows, mb):
    """JSONL for stance and one text per line for fastText (plus two halves), the same
    records, repeated until the text reaches mb MB. Returns (records, text bytes)."""
    target = int(mb * 1e6)
    total = n = 0
    with open(base + ".jsonl", "w", encoding="utf-8") as fj, \
            open(base + ".txt", "w", encoding="utf-8") as ft:
        while total < target:
            r = rows[n % len(rows)]
            fj.write(json.dumps({"id": "p%d" % n, "text": r["text"]}, ensure_ascii=False) + "\n")
            ft.write(one_line(r["text"]) + "\n")
            total += len(r["text"].encode("utf-8"))
            n += 1
    # halves for two fastText processes
    with open(base + ".txt", encoding="utf-8") as f:
        lines = f.readlines()
    half = len(lines) // 2
    for k, part in enumerate((lines[:half], lines[half:])):
        with open("%s.part%d.txt" % (base, k), "w", encoding="utf-8") as f:
            f.writelines(part)
    # the records in CSV too, for the svmlight dump of liblinear-predict's input
    return n, total


def build_data(work, sizes, mbs):
    os.makedirs(work, exist_ok=True)
    train = read_split("train")
    test = read_split("test")
    rnd = random.Random(1)
    rnd.shuffle(train)
    meta = {"train_rows": len(train), "test_rows": len(test),
            "train_bytes": sum(len(r["text"].encode()) for r in train),
            "labels": sorted({r["label"] for r in train}), "sizes": {}, "predict": {}}
    write_csv(os.path.join(work, "train_base.csv"), train)
    write_fasttext_train(os.path.join(work, "train_base.ft"), train)
    write_csv(os.path.join(work, "test.csv"), test)
    with open(os.path.join(work, "test.jsonl"), "w", encoding="utf-8") as f:
        for r in test:
            f.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
    with open(os.path.join(work, "test.ft"), "w", encoding="utf-8") as f:
        for r in test:
            f.write(one_line(r["text"]) + "\n")
    for n in sizes:
        write_csv(os.path.join(work, "train_%d.csv" % n), train, n)
        write_fasttext_train(os.path.join(work, "train_%d.ft" % n), train, n)
        meta["sizes"][n] = sum(len(train[i % len(train)]["text"].encode()) for i in range(n))
    for mb in mbs:
        base = os.path.join(work, "predict_%gmb" % mb)
        recs, nbytes = write_predict_inputs(base, train, mb)
        meta["predict"][mb] = {"records": recs, "bytes": nbytes}
        write_csv(base + ".csv", train, recs)
    # per-language texts for bench_features (the train split, each language on its own)
    langs = {"ru": ["rusentitweet", "rusentne2023"], "ru-news": ["rusentne2023"],
             "bg": ["cinexio_bg"], "en": ["ruw_stance", "semeval2016_task6"]}
    for lang, sets in langs.items():
        write_csv(os.path.join(work, "lang_%s.csv" % lang), [r for r in train if r["set"] in sets])
    return meta, test


# ---- timing --------------------------------------------------------------------------------


def timed(cmd, stdout=None, stdin=None, env=None, check=True):
    """Runs cmd under /usr/bin/time -v; returns {wall_s, cpu_s, user_s, sys_s, rss_mb, rc}.
    A failing command ends the run (check), since every later figure would be wrong."""
    tf = os.path.join(WORK, ".time.txt")
    out = open(stdout, "w") if stdout else subprocess.DEVNULL
    fin = open(stdin) if stdin else subprocess.DEVNULL
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", tf] + cmd, stdout=out, stdin=fin,
                       stderr=subprocess.PIPE, env=env)
    wall = time.monotonic() - t0
    if stdout:
        out.close()
    if stdin:
        fin.close()
    res = parse_time(tf)
    res["rc"] = p.returncode
    res["wall_s"] = res.get("wall_s", wall)
    res["cpu_s"] = res.get("user_s", 0) + res.get("sys_s", 0)
    if p.returncode != 0:
        log("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                              p.stderr.decode(errors="replace")[-2000:]))
        if check:
            sys.exit(1)
    res["stderr"] = p.stderr.decode(errors="replace")[-400:]
    return res


def parse_time(path):
    res = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                v = line.rsplit(": ", 1)[1]
                parts = [float(x) for x in v.split(":")]
                s = 0.0
                for p in parts:
                    s = s * 60 + p
                res["wall_s"] = s
            elif line.startswith("Maximum resident set size"):
                res["rss_mb"] = int(line.rsplit(": ", 1)[1]) / 1024.0
            elif line.startswith("User time"):
                res["user_s"] = float(line.rsplit(": ", 1)[1])
            elif line.startswith("System time"):
                res["sys_s"] = float(line.rsplit(": ", 1)[1])
    return res


def timed_parallel(cmds_outs):
    """Runs several commands at once, each under /usr/bin/time -v; returns the wall of all
    and the sum of their peak RSS (the memory the machine needs for the job)."""
    procs = []
    t0 = time.monotonic()
    for k, (cmd, out) in enumerate(cmds_outs):
        tf = os.path.join(WORK, ".time%d.txt" % k)
        fo = open(out, "w") if out else subprocess.DEVNULL
        procs.append((subprocess.Popen(["/usr/bin/time", "-v", "-o", tf] + cmd, stdout=fo,
                                       stderr=subprocess.DEVNULL), tf, fo))
    rc = 0
    for p, tf, fo in procs:
        rc |= p.wait()
        if fo is not subprocess.DEVNULL:
            fo.close()
    wall = time.monotonic() - t0
    parts = [parse_time(tf) for _, tf, _ in procs]
    return {"wall_s": wall, "rss_mb": sum(p.get("rss_mb", 0) for p in parts),
            "user_s": sum(p.get("user_s", 0) for p in parts),
            "cpu_s": sum(p.get("user_s", 0) + p.get("sys_s", 0) for p in parts), "rc": rc}


# ---- accuracy ------------------------------------------------------------------------------


def scores(gold, pred, langs=None):
    labels = sorted(set(gold))
    def f1s(g, p):
        out = {}
        for lab in sorted(set(g)):
            tp = sum(1 for a, b in zip(g, p) if a == lab and b == lab)
            fp = sum(1 for a, b in zip(g, p) if a != lab and b == lab)
            fn = sum(1 for a, b in zip(g, p) if a == lab and b != lab)
            pr = tp / (tp + fp) if tp + fp else 0.0
            rc = tp / (tp + fn) if tp + fn else 0.0
            out[lab] = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        return out
    f = f1s(gold, pred)
    res = {"n": len(gold), "accuracy": sum(a == b for a, b in zip(gold, pred)) / len(gold),
           "macro_f1": sum(f.values()) / len(f), "f1": f, "labels": labels}
    if langs:
        res["per_lang"] = {}
        for lang in sorted(set(langs)):
            idx = [i for i, l in enumerate(langs) if l == lang]
            g = [gold[i] for i in idx]
            p = [pred[i] for i in idx]
            ff = f1s(g, p)
            res["per_lang"][lang] = {"n": len(g), "macro_f1": sum(ff.values()) / len(ff),
                                     "accuracy": sum(a == b for a, b in zip(g, p)) / len(g)}
    return res


def stance_labels(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            t = o.get(TASK)
            out.append(t["label"] if isinstance(t, dict) else None)
    return out


def fasttext_labels(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            out.append(parts[0][len("__label__"):] if parts else None)
    return out


def liblinear_labels(path, names):
    with open(path) as f:
        return [names[int(float(x))] for x in f.read().split()]


# ---- the run ---------------------------------------------------------------------------------


def manifest_task(model):
    with open(os.path.join(model, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    tasks = m["tasks"]
    if isinstance(tasks, dict):
        return tasks[TASK]
    return next(t for t in tasks if t.get("name") == TASK)


def class_weights(svm_path, nlabels):
    counts = [0] * nlabels
    with open(svm_path) as f:
        for line in f:
            k = int(line.split(" ", 1)[0])
            if k >= 0:
                counts[k] += 1
    n = sum(counts)
    args = []
    for k, c in enumerate(counts):
        args += ["-w%d" % k, "%.10g" % (n / (nlabels * c) if c else 1.0)]
    return args


def machine():
    info = {"python": platform.python_version(), "kernel": platform.release(),
            "cores": os.cpu_count(), "loadavg_start": os.getloadavg()[0]}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_gb"] = round(int(f.readline().split()[1]) / 1048576, 1)
    except OSError:
        pass
    for pkg in ("fasttext", "liblinear-tools", "libicu72", "liblinear4"):
        try:
            v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                               text=True).stdout
            if v:
                info[pkg] = v
        except OSError:
            pass
    return info


def ensure_bench_features(build):
    for exe in (os.path.join(build, "bench_features"),
                os.path.join(build, "tests", "bench_features")):
        if os.access(exe, os.X_OK) and os.path.getmtime(exe) >= os.path.getmtime(
                os.path.join(build, "libstance_core.a")):
            return exe
    # Not (yet) a CMake target: build it by hand against the build's library.
    exe = os.path.join(WORK, "bench_features")
    lib = os.path.join(build, "libstance_core.a")
    incs = []
    for d in ("common", "datasets", "features", "models", "train", "predict"):
        incs += ["-I", os.path.join(ROOT, d)]
    pc = subprocess.run(["pkg-config", "--cflags", "--libs", "icu-uc", "icu-i18n", "libcjson"],
                        capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-std=c11", "-O2", "-g", "-D_POSIX_C_SOURCE=200809L", "-D_DEFAULT_SOURCE"]
                   + incs + [os.path.join(HERE, "bench_features.c"), lib] + pc
                   + ["-llinear", "-lstemmer", "-lpthread", "-lm", "-o", exe], check=True)
    return exe


def main():
    global WORK
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default=None, help="scratch directory (default BUILD/bench)")
    ap.add_argument("--no-peers", action="store_true", help="stance only")
    ap.add_argument("--reuse-data", action="store_true", help="keep WORK's data if present")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    WORK = os.path.abspath(args.work or os.path.join(build, "bench"))
    os.makedirs(WORK, exist_ok=True)
    sizes = env_list("BENCH_SIZES", "10000,100000,300000")
    cv_sizes = env_list("BENCH_CV_SIZES", "10000")
    big_mb = env_float("BENCH_MB", "200")
    small_mb = env_float("BENCH_SMALL_MB", "10")
    feat_mb = env_float("BENCH_FEATURES_MB", "20")
    extra = os.environ.get("BENCH_TRAIN_FLAGS", "").split()
    train_exe = os.path.join(build, "stance-train")
    predict_exe = os.path.join(build, "stance-predict")
    for exe in (train_exe, predict_exe):
        if not os.access(exe, os.X_OK):
            sys.exit("bench: %s is missing: run make build first" % exe)
    peers = not args.no_peers
    for tool in ("fasttext", "liblinear-train", "liblinear-predict"):
        if peers and not shutil.which(tool):
            sys.exit("bench: %s is missing: apt-get install fasttext liblinear-tools" % tool)
    bf = ensure_bench_features(build)
    # liblinear-predict's output and the fastText predictions are written next to the data
    t_start = time.monotonic()
    R = {"machine": machine(), "settings": {"sizes": sizes, "cv_sizes": cv_sizes,
                                           "predict_mb": [small_mb, big_mb],
                                           "features_mb": feat_mb,
                                           "fasttext_train": " ".join(FASTTEXT_TRAIN)}}

    meta_path = os.path.join(WORK, "data.json")
    if args.reuse_data and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        meta["sizes"] = {int(k): v for k, v in meta["sizes"].items()}
        meta["predict"] = {float(k): v for k, v in meta["predict"].items()}
        test = read_split("test")
    else:
        log("building data under %s" % WORK)
        meta, test = build_data(WORK, sizes, [small_mb, big_mb])
        with open(meta_path, "w") as f:
            json.dump(meta, f)
    R["data"] = {k: v for k, v in meta.items() if k != "labels"}
    R["data"]["labels"] = meta["labels"]
    gold = [r["label"] for r in test]
    langs = [r["lang"] for r in test]
    W = lambda *p: os.path.join(WORK, *p)

    # 1. feature extraction alone
    log("feature extraction, %g MB per language" % feat_mb)
    fe = subprocess.run([bf, "extract", "--mb", "%g" % feat_mb]
                        + ["%s=%s" % (l, W("lang_%s.csv" % l)) for l in ("ru", "ru-news", "bg", "en")],
                        capture_output=True, text=True)
    if fe.returncode != 0:
        sys.exit("bench: bench_features failed: " + fe.stderr)
    R["features"] = [json.loads(l) for l in fe.stdout.splitlines() if l.strip()]

    # 2. the accuracy models: pooled train split, stance with its cross-validation
    log("accuracy models (pooled train split, %d rows)" % meta["train_rows"])
    base_model = W("base.model")
    tr = timed([train_exe, "--quiet", "--data", W("train_base.csv"), "--task", TASK,
                "--label-column", "label", "--aggregation", "document", "--out", base_model] + extra)
    task = manifest_task(base_model)
    C = float(task["C"])
    R["chosen_c"] = C
    R["train_base_cv"] = tr
    R["train_base_nocv"] = timed([train_exe, "--quiet", "--data", W("train_base.csv"), "--task",
                                  TASK, "--label-column", "label", "--aggregation", "document",
                                  "--cv", "0", "--c", "%g" % C, "--out", W("base_nocv.model")]
                                 + extra)
    shutil.rmtree(W("base_nocv.model"), ignore_errors=True)
    acc = {}
    timed([predict_exe, "--quiet", "--model", base_model, "--threads", "2", W("test.jsonl")],
          stdout=W("test.stance.jsonl"))
    acc["stance"] = scores(gold, stance_labels(W("test.stance.jsonl")), langs)
    acc["stance"]["cv_macro_f1"] = (task.get("cross_validation") or {}).get("macro_f1")
    if peers:
        log("fasttext and liblinear accuracy models")
        R["train_base_fasttext"] = timed(["fasttext", "supervised", "-input", W("train_base.ft"),
                                          "-output", W("base.ft")] + FASTTEXT_TRAIN)
        timed(["fasttext", "predict", W("base.ft.bin"), W("test.ft")], stdout=W("test.ft.out"))
        acc["fasttext"] = scores(gold, fasttext_labels(W("test.ft.out")), langs)
        best = list(FASTTEXT_TRAIN)
        best[best.index("-epoch") + 1] = FASTTEXT_EPOCHS_BEST
        R["train_base_fasttext_best"] = timed(["fasttext", "supervised", "-input",
                                               W("train_base.ft"), "-output", W("best.ft")] + best)
        timed(["fasttext", "predict", W("best.ft.bin"), W("test.ft")], stdout=W("test.ft25.out"))
        acc["fasttext_%s_epochs" % FASTTEXT_EPOCHS_BEST] = scores(
            gold, fasttext_labels(W("test.ft25.out")), langs)
        subprocess.run([bf, "svmlight", "--model", base_model, W("train_base.csv"),
                        W("train_base.svm")], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([bf, "svmlight", "--model", base_model, W("test.csv"), W("test.svm")],
                       check=True, stdout=subprocess.DEVNULL)
        names = open(W("test.svm.labels"), encoding="utf-8").read().split("\n")[:-1]
        R["train_base_liblinear"] = timed(["liblinear-train", "-q", "-s", "0", "-c", "%g" % C,
                                           "-B", "1"]
                                          + class_weights(W("train_base.svm"), len(names))
                                          + [W("train_base.svm"), W("base.liblinear")])
        timed(["liblinear-predict", W("test.svm"), W("base.liblinear"), W("test.ll.out")])
        acc["liblinear"] = scores(gold, liblinear_labels(W("test.ll.out"), names), langs)
    R["accuracy"] = acc

    # 3. training cost by size
    R["train"] = {}
    for n in sizes:
        log("training on %d records" % n)
        row = {"records": n, "mb": meta["sizes"][n] / 1e6}
        m = W("train_%d.model" % n)
        row["stance"] = timed([train_exe, "--quiet", "--data", W("train_%d.csv" % n), "--task",
                               TASK, "--label-column", "label", "--aggregation", "document",
                               "--cv", "0", "--c", "%g" % C, "--out", m] + extra)
        if n in cv_sizes:
            row["stance_cv"] = timed([train_exe, "--quiet", "--data", W("train_%d.csv" % n),
                                      "--task", TASK, "--label-column", "label", "--aggregation",
                                      "document", "--out", W("train_%d_cv.model" % n)] + extra)
            row["cv_s"] = row["stance_cv"]["wall_s"] - row["stance"]["wall_s"]
            shutil.rmtree(W("train_%d_cv.model" % n), ignore_errors=True)
        if peers:
            svm = W("train_%d.svm" % n)
            dump = subprocess.run([bf, "svmlight", "--model", m, "--time-train", "%g" % C,
                                   W("train_%d.csv" % n), svm], check=True, capture_output=True,
                                  text=True)
            row["solver_in_memory"] = json.loads(dump.stdout)
            names = open(svm + ".labels", encoding="utf-8").read().split("\n")[:-1]
            row["svm_mb"] = os.path.getsize(svm) / 1e6
            row["liblinear"] = timed(["liblinear-train", "-q", "-s", "0", "-c", "%g" % C,
                                      "-B", "1"] + class_weights(svm, len(names))
                                     + [svm, W("train_%d.liblinear" % n)])
            row["fasttext"] = timed(["fasttext", "supervised", "-input", W("train_%d.ft" % n),
                                     "-output", W("train_%d.ft" % n)] + FASTTEXT_TRAIN)
            for p in (svm, W("train_%d.ft.bin" % n), W("train_%d.ft.vec" % n)):
                if os.path.exists(p):
                    os.remove(p)
        shutil.rmtree(m, ignore_errors=True)
        R["train"][str(n)] = row

    # 4. prediction throughput and memory
    R["predict"] = {}
    for mb in (small_mb, big_mb):
        base = W("predict_%gmb" % mb)
        info = meta["predict"][mb]
        row = {"records": info["records"], "mb": info["bytes"] / 1e6}
        for th in (1, 2):
            log("stance-predict, %g MB, %d thread(s)" % (mb, th))
            row["stance_t%d" % th] = timed([predict_exe, "--quiet", "--model", base_model,
                                            "--threads", str(th), base + ".jsonl"])
        if peers:
            log("fasttext predict-prob, %g MB" % mb)
            row["fasttext_p1"] = timed(["fasttext", "predict-prob", W("base.ft.bin"),
                                        base + ".txt", "1"])
            row["fasttext_p2"] = timed_parallel(
                [(["fasttext", "predict-prob", W("base.ft.bin"), "%s.part%d.txt" % (base, k),
                   "1"], None) for k in (0, 1)])
            if mb == small_mb:
                subprocess.run([bf, "svmlight", "--model", base_model, base + ".csv",
                                base + ".svm"], check=True, stdout=subprocess.DEVNULL)
                row["liblinear"] = timed(["liblinear-predict", base + ".svm", W("base.liblinear"),
                                          W("predict.ll.out")])
                os.remove(base + ".svm")
        for k, v in row.items():
            if isinstance(v, dict) and "wall_s" in v:
                v["records_per_s"] = info["records"] / v["wall_s"]
                v["mb_per_s"] = info["bytes"] / 1e6 / v["wall_s"]
        R["predict"][str(mb)] = row
    R["total_s"] = time.monotonic() - t_start
    R["machine"]["loadavg_end"] = os.getloadavg()[0]
    R["targets"] = targets(R, sizes, small_mb, big_mb, peers)
    for d in [R.get("train_base_cv")] + [r.get(k) for r in R["train"].values() for k in r] + \
            [r.get(k) for r in R["predict"].values() for k in r]:
        if isinstance(d, dict):
            d.pop("stderr", None)
    with open(W("bench.json"), "w") as f:
        json.dump(R, f, indent=1, ensure_ascii=False)
    print_table(R, sizes, small_mb, big_mb, peers)
    print(json.dumps(R, ensure_ascii=False))


def ratio(a, b):
    return a / b if a and b else None


def targets(R, sizes, small_mb, big_mb, peers):
    t = {}
    ru = next((f for f in R["features"] if f["name"] == "ru-news"), None)
    if ru:
        t["features_ru_news_mb_per_s"] = {"value": ru["mb_per_s"], "target": ">= 20",
                                          "met": ru["mb_per_s"] >= 20}
    s, b = R["predict"][str(small_mb)], R["predict"][str(big_mb)]
    for th in (1, 2):
        r = ratio(b["stance_t%d" % th]["rss_mb"], s["stance_t%d" % th]["rss_mb"])
        t["predict_rss_%dt_200_over_10" % th] = {"value": r, "target": "<= 1.10",
                                                 "met": r is not None and r <= 1.10}
    if peers:
        r = ratio(b["stance_t2"]["records_per_s"], b["fasttext_p2"]["records_per_s"])
        a = R["accuracy"]
        t["predict_2t_vs_fasttext"] = {
            "value": r, "target": ">= 1 at macro-F1 >= fastText's",
            "macro_f1": [a["stance"]["macro_f1"], a["fasttext"]["macro_f1"]],
            "met": r is not None and r >= 1 and a["stance"]["macro_f1"] >= a["fasttext"]["macro_f1"]}
        for n in sizes:
            row = R["train"][str(n)]
            r = ratio(row["stance"]["wall_s"], row["liblinear"]["wall_s"])
            t["train_%d_vs_liblinear" % n] = {"value": r, "target": "<= 2", "met": r is not None
                                              and r <= 2}
    return t


def fmt(v, spec="%.2f"):
    return "-" if v is None else spec % v


def print_table(R, sizes, small_mb, big_mb, peers):
    m = R["machine"]
    print("\n# stance benchmark - %s, %s cores, %s GB, total %.0f s, load average %.1f at start,"
          " %.1f at end" % (m.get("cpu", "?"), m.get("cores"), m.get("mem_gb"), R["total_s"],
                            m["loadavg_start"], m["loadavg_end"]))
    if max(m["loadavg_start"], m["loadavg_end"]) > 1.5:
        print("\nWARNING: the machine was busy with other work (load average above 1.5 on %s "
              "cores): wall times are inflated; CPU seconds are the steadier figure."
              % m.get("cores"))
    print("\n## Feature extraction alone (1 thread, language identified per text)")
    print("| text | corpus | MB timed | MB/s | tokens/s | texts/s | terms/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for f in R["features"]:
        print("| %s | %d texts, %.1f MB | %.0f | %.2f | %.0f | %.0f | %.0f |"
              % (f["name"], f["corpus_texts"], f["corpus_bytes"] / 1e6, f["bytes"] / 1e6,
                 f["mb_per_s"], f["tokens_per_s"], f["texts_per_s"], f["terms_per_s"]))
    print("\n## Training (wall s / CPU s / peak RSS MB); C = %g chosen by stance's CV on the pooled "
          "train split" % R["chosen_c"])
    hdr = "| records | MB | stance-train wall s / CPU s / RSS MB | stance CV (extra wall s) |"
    if peers:
        hdr += " liblinear-train wall / CPU / RSS | LIBLINEAR train() in memory s |" \
               " fasttext supervised wall / CPU / RSS | stance / liblinear-train (wall) |"
    print(hdr)
    print("|" + "---:|" * (hdr.count("|") - 1))
    wcr = lambda d: "%s / %s / %.0f" % (fmt(d["wall_s"]), fmt(d.get("cpu_s")), d.get("rss_mb", 0))
    rows = [("%d (pooled split, CV run)" % R["data"]["train_rows"], R["data"]["train_bytes"] / 1e6,
             R["train_base_nocv"], R["train_base_cv"]["wall_s"] - R["train_base_nocv"]["wall_s"],
             R.get("train_base_liblinear"), None, R.get("train_base_fasttext"))]
    for n in sizes:
        r = R["train"][str(n)]
        rows.append((str(n), r["mb"], r["stance"], r.get("cv_s"), r.get("liblinear"),
                     r.get("solver_in_memory", {}).get("solver_seconds"), r.get("fasttext")))
    for name, mb, st, cv, ll, mem, ft in rows:
        line = "| %s | %.1f | %s | %s |" % (name, mb, wcr(st), fmt(cv))
        if peers:
            line += " %s | %s | %s | %s |" % (wcr(ll), fmt(mem), wcr(ft),
                                             fmt(ratio(st["wall_s"], ll["wall_s"])))
        print(line)
    print("\n## Prediction (articles/s, MB/s, peak RSS MB)")
    print("| input | tool | articles/s | MB/s | wall s | CPU s | peak RSS MB | stance 2 threads"
          " / this |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for mb in (small_mb, big_mb):
        p = R["predict"][str(mb)]
        label = "%g MB (%d articles)" % (mb, p["records"])
        ref = p["stance_t2"]["records_per_s"]
        for key, name in (("stance_t1", "stance-predict 1 thread"),
                          ("stance_t2", "stance-predict 2 threads"),
                          ("fasttext_p1", "fasttext predict-prob, 1 process"),
                          ("fasttext_p2", "fasttext predict-prob, 2 processes"),
                          ("liblinear", "liblinear-predict (vectors given)")):
            if key not in p:
                continue
            v = p[key]
            print("| %s | %s | %.0f | %.2f | %.2f | %.2f | %.0f | %s |"
                  % (label, name, v["records_per_s"], v["mb_per_s"], v["wall_s"],
                     v.get("cpu_s", 0), v.get("rss_mb", 0),
                     fmt(ratio(ref, v["records_per_s"])) if key != "stance_t2" else ""))
    print("\n## Accuracy on the pooled test split (%d rows)" % R["data"]["test_rows"])
    print("| tool | macro-F1 | accuracy | ru | bg | en |")
    print("|---|---:|---:|---:|---:|---:|")
    for tool, a in R["accuracy"].items():
        pl = a.get("per_lang", {})
        print("| %s | %.4f | %.4f | %s | %s | %s |"
              % (tool, a["macro_f1"], a["accuracy"],
                 *(fmt(pl.get(l, {}).get("macro_f1"), "%.4f") for l in ("ru", "bg", "en"))))
    print("\n## Targets")
    for k, v in R["targets"].items():
        print("- %s: %s (target %s) %s" % (k, fmt(v["value"], "%.3f"), v["target"],
                                          "MET" if v["met"] else "NOT MET"))
    print()


if __name__ == "__main__":
    main()

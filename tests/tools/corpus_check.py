#!/usr/bin/env python3
"""Checks the default corpus against its datasheet's rules (datasets/negotiations/README.md).

- every LANG.csv has the header, known labels, unique ids, one split per group;
- at least 600 sentences per language with an outlook, no outlook class under 20%;
- at least 1,500 (sentence, party) stance labels over the four parties;
- 20 whole articles per language with 5..25 sentences and an article-level outlook;
- no near-duplicate crosses the train/test split: the share of a test sentence's word
  5-shingles that also occur in a train sentence is below 0.5 for every test sentence.
Prints the counts; exits 1 on a violation.

usage: corpus_check.py CORPUS_DIR
"""
import csv
import glob
import os
import re
import sys

HEADER = ["id", "group", "split", "lang", "text", "outlook", "russia", "ukraine", "usa", "europe"]
OUTLOOK = {"optimistic", "pessimistic", "neutral"}
STANCE = {"favor", "against", "none", ""}
PARTIES = ["russia", "ukraine", "usa", "europe"]


def shingles(text, n=5):
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


def main(argv):
    corpus = argv[1]
    problems = []
    total_stance = 0
    train_sh, test_rows = set(), []
    for path in sorted(glob.glob(os.path.join(corpus, "??.csv"))):
        lang = os.path.basename(path)[:2]
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            if header != HEADER:
                problems.append("%s: header %s" % (path, header))
                continue
            rows = [dict(zip(HEADER, r)) for r in reader]
        ids, split_of, outl, groups = set(), {}, {}, {}
        for r in rows:
            where = "%s: %s" % (path, r["id"])
            if r["id"] in ids:
                problems.append(where + ": duplicate id")
            ids.add(r["id"])
            if r["outlook"] not in OUTLOOK:
                problems.append(where + ": outlook %r" % r["outlook"])
            for p in PARTIES:
                if r[p] not in STANCE:
                    problems.append(where + ": %s %r" % (p, r[p]))
                elif r[p]:
                    total_stance += 1
            if split_of.setdefault(r["group"], r["split"]) != r["split"]:
                problems.append(where + ": group %s in two splits" % r["group"])
            outl[r["outlook"]] = outl.get(r["outlook"], 0) + 1
            groups[r["group"]] = groups.get(r["group"], 0) + 1
            if r["split"] == "train":
                train_sh |= shingles(r["text"])
            else:
                test_rows.append(r)
        n = len(rows)
        shares = {k: v / n for k, v in outl.items()}
        print("%s: %d sentences, outlook %s" % (lang, n, {k: round(v, 3) for k, v in sorted(shares.items())}))
        if n < 600:
            problems.append("%s: %d sentences, fewer than 600" % (lang, n))
        for k in OUTLOOK:
            if shares.get(k, 0) < 0.20:
                problems.append("%s: outlook %s is %.1f%% (< 20%%)" % (lang, k, 100 * shares.get(k, 0)))
        articles = {g: c for g, c in groups.items() if re.match(r"^%s-a\d+$" % lang, g)}
        if len(articles) < 20:
            problems.append("%s: %d articles, fewer than 20" % (lang, len(articles)))
        for g, c in articles.items():
            if not 5 <= c <= 25:
                problems.append("%s: article %s has %d sentences" % (lang, g, c))
        meta = os.path.join(corpus, lang + "_articles.csv")
        with open(meta, encoding="utf-8", newline="") as f:
            labelled = {a["id"]: a for a in csv.DictReader(f)}
        for g in articles:
            if g not in labelled or labelled[g]["outlook"] not in OUTLOOK:
                problems.append("%s: article %s has no article-level outlook" % (lang, g))
            elif labelled[g]["split"] != split_of[g]:
                problems.append("%s: article %s split differs from its sentences" % (lang, g))
    print("stance labels (sentence, party): %d" % total_stance)
    if total_stance < 1500:
        problems.append("only %d stance labels (< 1500)" % total_stance)
    worst = 0.0
    for r in test_rows:
        sh = shingles(r["text"])
        if not sh:
            continue
        share = len(sh & train_sh) / len(sh)
        worst = max(worst, share)
        if share >= 0.5:
            problems.append("%s: %.0f%% of its 5-shingles occur in train" % (r["id"], 100 * share))
    print("largest share of a test sentence's 5-shingles found in train: %.2f" % worst)
    for p in problems:
        print("PROBLEM: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

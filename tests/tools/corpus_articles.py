#!/usr/bin/env python3
"""Assemble the corpus's whole articles for article-level evaluation.

datasets/negotiations/LANG.csv holds one sentence per row; the rows of group LANG-aNN, in
order, are one article, and LANG_articles.csv gives that article's own outlook label.
This writes one JSONL record per article: id, lang, split, date, source, title, outlook
(the gold label) and text (headline, blank line, then the sentences), so that
`stance-predict --eval` scores the sentence -> article aggregation the way users run it.

usage: corpus_articles.py CORPUS_DIR OUT.jsonl [--split test]
"""
import csv
import glob
import json
import os
import sys


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    corpus, out = argv[1], argv[2]
    split = argv[4] if len(argv) > 4 and argv[3] == "--split" else None
    n = 0
    with open(out, "w", encoding="utf-8") as w:
        for meta_path in sorted(glob.glob(os.path.join(corpus, "*_articles.csv"))):
            lang = os.path.basename(meta_path)[: -len("_articles.csv")]
            rows = {}
            with open(os.path.join(corpus, lang + ".csv"), encoding="utf-8", newline="") as f:
                for r in csv.DictReader(f):
                    rows.setdefault(r["group"], []).append(r["text"])
            with open(meta_path, encoding="utf-8", newline="") as f:
                for a in csv.DictReader(f):
                    if split and a["split"] != split:
                        continue
                    sents = rows.get(a["id"], [])
                    if not sents:
                        sys.stderr.write("%s: article %s has no sentences\n" % (meta_path, a["id"]))
                        return 3
                    text = sents[0] + "\n\n" + " ".join(sents[1:])
                    rec = {k: a[k] for k in ("id", "lang", "split", "date", "source", "title", "outlook")}
                    rec["text"] = text
                    w.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
    sys.stderr.write("wrote %d articles to %s\n" % (n, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

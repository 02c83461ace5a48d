#!/usr/bin/env python3
"""Writes synthetic stance-predict result lines (JSONL) for stance-report tests and timing.

    make_results.py --n 200000 --out /tmp/results.jsonl          # the scale test
    make_results.py --n 60 --seed 3 --start 2025-12-01 --days 50 \\
        --gap 2025-12-15:2025-12-28 --out tests/fixtures/report/results.jsonl

The records look like stance-predict's output (outlook with scores, per-party stance for the
parties mentioned, evidence sentences) with a drift: pessimism rises over the date range, so
a report has something to show. Whatever --n, the output also holds the edge cases a report
must survive: error records, undated records (missing and non-ISO dates, an impossible day),
a source with a single article, a title with markup, a javascript: url, ISO date-times with
offsets. Deterministic for a given seed. Standard library only.
"""
import argparse
import datetime as dt
import json
import random
import sys

LANGS = [("ru", 0.38), ("uk", 0.30), ("en", 0.20), ("bg", 0.12)]
PARTIES = ["russia", "ukraine", "usa", "europe"]
OUTLOOK = ["optimistic", "neutral", "pessimistic"]
SENTENCES = {
    "optimistic": ["The delegations agreed on a framework and will meet again next week.",
                   "Both sides called the talks constructive and reported real progress."],
    "neutral": ["The talks are scheduled to continue on Tuesday in Geneva.",
                "Officials gave no details about the agenda."],
    "pessimistic": ["Moscow rejected the proposal and the talks ended without agreement.",
                    "Kyiv said the negotiations had reached a dead end."],
}


def pick(rng, weighted):
    x = rng.random() * sum(w for _, w in weighted)
    for v, w in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][0]


def sources_for(rng, count):
    """count outlets per language with Zipf-like volumes (a few big, a long tail)."""
    out = {}
    for lang, _ in LANGS:
        names = [f"{lang}-outlet{i:03d}.example" for i in range(count)]
        out[lang] = [(n, 1.0 / (i + 1) ** 1.1) for i, n in enumerate(names)]
    return out


def record(rng, i, day, lang, source, drift, with_time):
    p_pes = 0.2 + 0.4 * drift
    p_opt = 0.35 - 0.2 * drift
    label = pick(rng, [("optimistic", p_opt), ("neutral", 1 - p_opt - p_pes),
                       ("pessimistic", p_pes)])
    conf = round(rng.uniform(0.4, 0.97), 4)
    rest = 1 - conf
    a = round(rest * rng.random(), 4)
    scores = {l: (conf if l == label else 0.0) for l in OUTLOOK}
    others = [l for l in OUTLOOK if l != label]
    scores[others[0]] = a
    scores[others[1]] = round(rest - a, 4)
    date = day.isoformat()
    if with_time:
        date += "T%02d:%02d:00%s" % (rng.randrange(24), rng.randrange(60),
                                     rng.choice(["Z", "+02:00", "+03:00", "-05:00"]))
    rec = {"id": f"a{i}", "date": date, "source": source,
           "title": f"Talks update {i}", "url": f"https://{source}/news/{i}", "lang": lang,
           "outlook": {"label": label, "confidence": conf, "scores": scores}}
    stance, evidence = [], []
    if label != "neutral":
        evidence.append({"sentence": 1, "task": "outlook", "label": label,
                         "confidence": round(min(0.99, conf + 0.05), 4),
                         "text": rng.choice(SENTENCES[label])})
    for party in PARTIES:
        if rng.random() < 0.55:
            s = pick(rng, [("favor", 0.25 - 0.1 * drift), ("against", 0.2 + 0.2 * drift),
                           ("none", 0.55)])
            stance.append({"target": party, "label": s, "confidence": round(rng.uniform(0.4, 0.9), 4),
                           "mentions": rng.randrange(1, 9)})
    rec["stance"] = stance
    rec["evidence"] = evidence
    return rec


def edge_cases(rng, start, n0):
    day = start.isoformat()
    yield {"id": "err-1", "date": day, "source": "broken.example", "lang": "en",
           "error": {"code": "data", "message": "empty text", "file": "in.jsonl", "line": 3}}
    yield {"id": "err-2", "error": {"code": "data", "message": "invalid UTF-8", "line": 9}}
    for k, bad in enumerate(["25.11.2025", "", "2025-02-30", None, "last Tuesday"]):
        r = {"id": f"undated-{k}", "source": "undated.example", "lang": "ru",
             "outlook": {"label": OUTLOOK[k % 3], "confidence": 0.5}, "stance": [],
             "evidence": []}
        if bad is not None:
            r["date"] = bad
        yield r
    yield {"id": "lonely-1", "date": day, "source": "single-article.example", "lang": "bg",
           "title": "<b>Markup</b> & \"quotes\" in a title", "url": "javascript:alert(1)",
           "outlook": {"label": "pessimistic", "confidence": 0.55},
           "stance": [{"target": "europe", "label": "against", "confidence": 0.6}],
           "evidence": [{"task": "outlook", "label": "pessimistic", "confidence": 0.7,
                         "text": "A sentence with <script>alert(1)</script> in it."}]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200000, help="dated, scored records")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2025-01-01")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--sources", type=int, default=75, help="outlets per language")
    ap.add_argument("--gap", default="", help="FROM:TO, a date range with no articles")
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start = dt.date.fromisoformat(a.start)
    gap = [dt.date.fromisoformat(x) for x in a.gap.split(":")] if a.gap else None
    srcs = sources_for(rng, a.sources)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    for rec in edge_cases(rng, start, a.n):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    i = 0
    while i < a.n:
        off = rng.randrange(a.days)
        day = start + dt.timedelta(days=off)
        if gap and gap[0] <= day <= gap[1]:
            continue
        lang = pick(rng, LANGS)
        source = pick(rng, srcs[lang])
        rec = record(rng, i, day, lang, source, off / max(1, a.days - 1), rng.random() < 0.3)
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        i += 1
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()

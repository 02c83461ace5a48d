#!/usr/bin/env bash
# stance-report end to end: the CLI's exit codes and JSON, then a fixture of results -> HTML
# -> headless Chromium (page loaded from a file, no network), a screenshot, and the DOM it
# dumps checked against counts computed here from the fixture, independently of the C code.
# Without /usr/bin/chromium the browser half is skipped (exit 77) after the CLI half ran.
. "$(dirname "$0")/common.bash"

REPORT="$BUILD/stance-report"
FIX="$SRC/tests/fixtures/report/results.jsonl"
PY=python3
command -v $PY >/dev/null || PY=/usr/bin/python3
MODEL="$T/m.model"
mkdir -p "$MODEL"
cat >"$MODEL/manifest.json" <<'J'
{"format":"stance-bundle","name":"fixture-model","trained_at":"2025-12-01","created_by":"stance 0.1.0",
 "tasks":[{"name":"outlook","cross_validation":{"folds":5,"examples":1592,"accuracy":0.667,"macro_f1":0.656,"ece":0.025}}]}
J

# ---- the CLI --------------------------------------------------------------------------
expect_exit 2 "no --out is a usage error" "$REPORT" "$FIX"
expect_exit 2 "no input is a usage error" "$REPORT" --out "$T/x.html"
expect_exit 2 "bad --by" "$REPORT" "$FIX" --out "$T/x.html" --by year
expect_exit 2 "bad --from" "$REPORT" "$FIX" --out "$T/x.html" --from 25.11.2025
expect_exit 2 "--from after --to" "$REPORT" "$FIX" --out "$T/x.html" --from 2026-01-02 --to 2025-01-01
expect_exit 5 "missing input is an I/O error" "$REPORT" "$T/none.jsonl" --out "$T/x.html"
expect_exit 4 "missing model is a model error" "$REPORT" "$FIX" --out "$T/x.html" --model "$T/none.model"
printf 'not json\nnor this\n' >"$T/junk.jsonl"
expect_exit 3 "input with no result at all" "$REPORT" "$T/junk.jsonl" --out "$T/x.html"
check "a failed run leaves no file" test ! -e "$T/x.html"
: >"$T/empty.jsonl"
expect_exit 0 "empty input gives an empty report" "$REPORT" "$T/empty.jsonl" --out "$T/empty.html"
check "empty report is a page" grep -q '</html>' "$T/empty.html"
check "empty report says model unknown" grep -q 'model unknown' "$T/empty.html"

expect_exit 0 "json from stdin" "$REPORT" - --out "$T/r.json" --json <"$FIX"
expect_exit 0 "report" "$REPORT" "$FIX" --out "$T/report.html" --model "$MODEL"
check "summary line on stderr" grep -q 'stance-report: 68 records (66 scored, 2 errors, 5 undated), 6 weeks' "$T/err"
expect_exit 0 "by day, only sources, a date range" "$REPORT" "$FIX" --out "$T/day.json" --json \
    --by day --group source --from 2026-01-01 --to 2026-01-31

# Expected numbers, computed from the fixture with Python's own ISO calendar.
$PY - "$FIX" "$T/r.json" "$T/day.json" >"$T/py.out" 2>&1 <<'PY'
import collections, datetime, json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
def day(s):
    if not isinstance(s, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d([Tt ].*)?", s):
        return None
    try:
        return datetime.date.fromisoformat(s[:10])
    except ValueError:
        return None
ok = [r for r in recs if "error" not in r]
weeks = collections.Counter()
for r in ok:
    d = day(r.get("date"))
    if d:
        y, w, _ = d.isocalendar()
        weeks["%04d-W%02d" % (y, w)] += 1
j = json.load(open(sys.argv[2]))
t = j["totals"]
want = {"records": len(recs), "errors": len(recs) - len(ok),
        "undated": sum(1 for r in ok if day(r.get("date")) is None),
        "languages": len({r.get("lang") for r in ok})}
bad = [k for k, v in want.items() if t[k] != v]
got_weeks = {p["period"]: p["n"] for p in j["periods"]}
if got_weeks != dict(weeks):
    bad.append("weeks %s != %s" % (got_weeks, dict(weeks)))
d = json.load(open(sys.argv[3]))
in_jan = [r for r in ok if day(r.get("date")) and day(r["date"]).strftime("%Y-%m") == "2026-01"]
if d["totals"]["scored"] != len(in_jan) or "languages" in d:
    bad.append("date range / --group source")
if sum(p["n"] for p in d["periods"]) != len(in_jan):
    bad.append("days sum")
print("\n".join(bad) or "ok")
PY
check "JSON aggregates equal the fixture's counts" grep -qx ok "$T/py.out"
grep -vx ok "$T/py.out" | sed 's/^/    /' >&2

# ---- the browser -----------------------------------------------------------------------
CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
    echo "SKIP: $CHROMIUM not installed (apt-get install chromium); browser checks not run"
    finish >/dev/null || { finish; exit 1; }
    exit 77
fi
browse() { # browse OUTFLAG... : headless, no network, a throwaway profile
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --no-first-run --hide-scrollbars --user-data-dir="$T/profile" --window-size=1040,2400 \
        "$@" "file://$T/report.html" 2>>"$T/chromium.log"
}
browse --dump-dom >"$T/dom.html"
check "chromium dumps the DOM" grep -q '</html>' "$T/dom.html"
(cd "$T" && browse --screenshot="$T/report.png" >/dev/null)
check "chromium takes a screenshot" test -s "$T/report.png"
check "the screenshot is a PNG" test "$(head -c 8 "$T/report.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n'
[ -s "$T/report.png" ] && cp "$T/report.png" "${STANCE_TEST_TMP:-/tmp}/report-e2e.png"

$PY - "$FIX" "$T/dom.html" >"$T/dom.out" 2>&1 <<'PY'
import collections, datetime, html.parser, json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
def day(s):
    if not isinstance(s, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d([Tt ].*)?", s):
        return None
    try:
        return datetime.date.fromisoformat(s[:10])
    except ValueError:
        return None
ok = [r for r in recs if "error" not in r]
weeks = collections.defaultdict(collections.Counter)
for r in ok:
    d = day(r.get("date"))
    if d:
        y, w, _ = d.isocalendar()
        k = "%04d-W%02d" % (y, w)
        weeks[k]["n"] += 1
        weeks[k][r["outlook"]["label"]] += 1

class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs, self.bars, self.totals, self.fetches, self.scripts = 0, {}, {}, [], 0
        self.total_key, self.legend_key, self.legend = None, None, {}
        self.model = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and "chart" in (a.get("class") or ""):
            self.svgs += 1
        if tag == "g" and a.get("class") == "bar":
            self.bars[a["data-period"]] = {k: int(a["data-" + k]) for k in
                                           ("n", "optimistic", "neutral", "pessimistic")}
        if tag == "script":
            self.scripts += 1
        if "src" in a or tag == "link" or (tag == "object"):
            self.fetches.append(tag)
        if a.get("style") and "url(" in a["style"]:
            self.fetches.append("style url")
        self.total_key = a.get("data-total")
        self.legend_key = a.get("data-legend")
        if "data-model" in a:
            self.model = a["data-model"]
    def handle_data(self, data):
        if self.total_key:
            self.totals[self.total_key] = int(data)
            self.total_key = None
        if self.legend_key:
            self.legend[self.legend_key] = int(data)
            self.legend_key = None
text = open(sys.argv[2], encoding="utf-8").read()
p = Dom()
p.feed(text)
bad = []
if p.svgs < 3:
    bad.append("only %d SVG charts" % p.svgs)
if p.scripts or p.fetches or "@import" in text or "url(" in text:
    bad.append("the page loads something: %s" % p.fetches)
want = {"records": len(recs), "errors": len(recs) - len(ok),
        "undated": sum(1 for r in ok if day(r.get("date")) is None),
        "scored": len(ok), "languages": len({r.get("lang") for r in ok}),
        "sources": len({r.get("source") for r in ok})}
for k, v in want.items():
    if p.totals.get(k) != v:
        bad.append("total %s shown %s, fixture %s" % (k, p.totals.get(k), v))
want_bars = {k: {x: c[x] for x in ("n", "optimistic", "neutral", "pessimistic")}
             for k, c in weeks.items()}
if p.bars != want_bars:
    bad.append("bars %s != fixture %s" % (p.bars, want_bars))
legend = collections.Counter(r["outlook"]["label"] for r in ok)
for k in ("optimistic", "neutral", "pessimistic"):
    if p.legend.get(k) != legend[k]:
        bad.append("legend %s shown %s, fixture %s" % (k, p.legend.get(k), legend[k]))
if p.model != "fixture-model":
    bad.append("model name not shown")
for s in ("2025-W51", "2025-W52"):  # the gap in the fixture: labelled, no bar
    if s in p.bars or s not in text:
        bad.append("gap week %s" % s)
if re.search(r'href="javascript', text):
    bad.append("javascript: link")
print("\n".join(bad) or "ok")
PY
check "DOM: charts, totals, bars and legend equal the fixture; nothing fetched" grep -qx ok "$T/dom.out"
grep -vx ok "$T/dom.out" | sed 's/^/    /' >&2
finish

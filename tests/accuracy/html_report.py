#!/usr/bin/env python3
"""html_report.py - one self-contained HTML page per benchmark set: the scores of stance
and its peers, stance's per-class P/R/F1, its confusion matrix and its reliability
diagram, both drawn as inline SVG (no script, no font or style sheet from the network).

Library use: render(info) -> str, where info is the dict report.py assembles for one set
(keys: name, metric, metric_label, published, published_by, flags, stance, stance_train,
stance_by_target, peers, rows, and optionally bootstrap: report.bootstrap_set's result).
CLI: html_report.py RESULTS_DIR SET OUT.html
(reads the files run_accuracy.sh leaves in RESULTS_DIR/SET). Stdlib only.
"""
import html
import sys

# colour-blind-safe blues for the confusion matrix; text switches to white on dark cells
BLUE = [(247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107)]


def esc(s):
    return html.escape(str(s), quote=True)


def pct(x):
    return "–" if x is None else f"{100 * x:.2f}"


def lerp_colour(t):
    t = max(0.0, min(1.0, t))
    pos = t * (len(BLUE) - 1)
    i = min(int(pos), len(BLUE) - 2)
    f = pos - i
    c = [round(BLUE[i][k] + (BLUE[i + 1][k] - BLUE[i][k]) * f) for k in range(3)]
    return "#%02x%02x%02x" % tuple(c), t > 0.55


def confusion_svg(conf, title):
    """Rows = gold, columns = predicted; cells shaded by the share of their gold row."""
    labels = conf["labels"]
    m = conf["matrix"]
    k = len(labels)
    cell = 64 if k <= 3 else 52
    left, top = 100, 70
    w = left + k * cell + 20
    h = top + k * cell + 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{esc(title)}">',
           f'<text x="{left + k * cell / 2}" y="18" text-anchor="middle" class="t">'
           f'{esc(title)}</text>',
           f'<text x="{left + k * cell / 2}" y="40" text-anchor="middle" class="a">predicted</text>',
           f'<text x="16" y="{top + k * cell / 2}" text-anchor="middle" class="a" '
           f'transform="rotate(-90 16 {top + k * cell / 2})">gold</text>']
    for j, lab in enumerate(labels):
        out.append(f'<text x="{left + j * cell + cell / 2}" y="{top - 8}" text-anchor="middle" '
                   f'class="l">{esc(lab)}</text>')
    for i, lab in enumerate(labels):
        row_total = sum(m[i]) or 1
        out.append(f'<text x="{left - 8}" y="{top + i * cell + cell / 2 + 4}" text-anchor="end" '
                   f'class="l">{esc(lab)}</text>')
        for j in range(k):
            share = m[i][j] / row_total
            fill, dark = lerp_colour(share)
            x, y = left + j * cell, top + i * cell
            out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" '
                       f'stroke="#888" stroke-width="0.5"><title>gold {esc(lab)}, predicted '
                       f'{esc(labels[j])}: {m[i][j]} ({100 * share:.1f} % of the row)</title></rect>')
            out.append(f'<text x="{x + cell / 2}" y="{y + cell / 2 + 5}" text-anchor="middle" '
                       f'class="n" fill="{"#fff" if dark else "#000"}">{m[i][j]}</text>')
    out.append(f'<text x="{left}" y="{h - 12}" class="a">shade: share of the gold row</text>')
    out.append("</svg>")
    return "\n".join(out)


def reliability_svg(bins, ece, title):
    """Accuracy against mean confidence per equal-width bin; the diagonal is perfect
    calibration, the grey bars underneath show how many predictions each bin holds."""
    w, h = 420, 400
    left, top, size = 60, 40, 260
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{esc(title)}">',
           f'<text x="{left + size / 2}" y="20" text-anchor="middle" class="t">{esc(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="#fafafa" '
           f'stroke="#444" stroke-width="1"/>']
    for t in range(0, 11, 2):
        v = t / 10
        x = left + v * size
        y = top + size - v * size
        out.append(f'<line x1="{x}" y1="{top + size}" x2="{x}" y2="{top + size + 4}" stroke="#444"/>')
        out.append(f'<text x="{x}" y="{top + size + 16}" text-anchor="middle" class="l">{v:.1f}</text>')
        out.append(f'<line x1="{left - 4}" y1="{y}" x2="{left}" y2="{y}" stroke="#444"/>')
        out.append(f'<text x="{left - 7}" y="{y + 4}" text-anchor="end" class="l">{v:.1f}</text>')
        if 0 < t < 10:
            out.append(f'<line x1="{left}" y1="{y}" x2="{left + size}" y2="{y}" stroke="#e4e4e4"/>')
    out.append(f'<text x="{left + size / 2}" y="{top + size + 34}" text-anchor="middle" '
               f'class="a">confidence</text>')
    out.append(f'<text x="16" y="{top + size / 2}" text-anchor="middle" class="a" '
               f'transform="rotate(-90 16 {top + size / 2})">accuracy</text>')
    total = sum(b["count"] for b in bins) or 1
    maxc = max((b["count"] for b in bins), default=1) or 1
    band = top + size + 46  # a strip under the axis: how many predictions each bin holds
    out.append(f'<text x="{left - 7}" y="{band + 24}" text-anchor="end" class="l">n</text>')
    for b in bins:
        x0 = left + b["lower"] * size
        bw = (b["upper"] - b["lower"]) * size
        ch = b["count"] / maxc * 30
        out.append(f'<rect x="{x0 + 1}" y="{band + 30 - ch}" width="{bw - 2}" height="{ch}" '
                   f'fill="#999"><title>{b["count"]} predictions '
                   f'({100 * b["count"] / total:.1f} %)</title></rect>')
        if b["count"]:
            out.append(f'<text x="{x0 + bw / 2}" y="{band + 42}" text-anchor="middle" '
                       f'class="s">{b["count"]}</text>')
    for b in bins:
        x0 = left + b["lower"] * size
        bw = (b["upper"] - b["lower"]) * size
        if b["count"] == 0:
            continue
        ah = b["accuracy"] * size
        out.append(f'<rect x="{x0 + 3}" y="{top + size - ah}" width="{bw - 6}" height="{ah}" '
                   f'fill="#2171b5" fill-opacity="0.75"><title>confidence '
                   f'{b["lower"]:.1f}–{b["upper"]:.1f}: accuracy {b["accuracy"]:.3f}, mean '
                   f'confidence {b["mean_confidence"]:.3f}, {b["count"]} predictions</title></rect>')
        cx = left + b["mean_confidence"] * size
        cy = top + size - b["accuracy"] * size
        out.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="#d94801"/>')
    out.append(f'<line x1="{left}" y1="{top + size}" x2="{left + size}" y2="{top}" '
               f'stroke="#d94801" stroke-dasharray="5 4" stroke-width="1.5"/>')
    lx = left + size + 12
    out.append(f'<rect x="{lx}" y="{top + 10}" width="12" height="12" fill="#2171b5" '
               f'fill-opacity="0.75"/><text x="{lx + 16}" y="{top + 20}" class="l">accuracy</text>')
    out.append(f'<circle cx="{lx + 6}" cy="{top + 38}" r="3" fill="#d94801"/>'
               f'<text x="{lx + 16}" y="{top + 42}" class="l">(conf, acc)</text>')
    out.append(f'<rect x="{lx}" y="{top + 52}" width="12" height="12" fill="#999"/>'
               f'<text x="{lx + 16}" y="{top + 62}" class="l">predictions</text>')
    out.append(f'<text x="{lx}" y="{top + 90}" class="l">ECE</text>'
               f'<text x="{lx}" y="{top + 106}" class="n">{ece:.3f}</text>')
    out.append("</svg>")
    return "\n".join(out)


CSS = """
body{font-family:DejaVu Sans,Liberation Sans,Arial,sans-serif;margin:24px auto;max-width:1000px;
color:#111;line-height:1.4}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0} th,td{border:1px solid #ccc;padding:3px 9px;
text-align:right} th{background:#f0f0f0} td.k,th.k{text-align:left}
tr.best td{font-weight:bold} .fig{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
code{background:#f4f4f4;padding:1px 4px} .muted{color:#555;font-size:.9em}
svg text.t{font-size:14px;font-weight:bold} svg text.a{font-size:12px;fill:#333}
svg text.l{font-size:11px;fill:#222} svg text.s{font-size:9px;fill:#444} svg text.n{font-size:13px;font-weight:bold}
"""


BS_HEAD = "<th>95 % interval</th><th>stance − system</th><th>stance ahead or level</th>"


def bootstrap_cells(bs, key):
    """The three bootstrap cells of one system's row (report.bootstrap_set's result)."""
    lo, hi = bs["systems"][key]["ci"]
    cells = f"<td>{100 * lo:.2f}–{100 * hi:.2f}</td>"
    v = bs["versus"].get(key)
    if not v:
        return cells + "<td>–</td><td>–</td>"
    return (cells + f"<td>{100 * v['diff']:+.2f} [{100 * v['ci'][0]:+.2f}, {100 * v['ci'][1]:+.2f}]"
            f"</td><td>{100 * v['share_at_or_above']:.0f} %</td>")


def render(info):
    st = info["stance"]
    name = info["name"]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>stance accuracy: {esc(name)}</title>", f"<style>{CSS}</style></head><body>",
             f"<h1>{esc(name)}</h1>",
             f'<p class="muted">Trained on train ({info["rows"]["train"]} rows), scored once on '
             f'test ({info["rows"]["test"]} rows). Official metric: <b>{esc(info["metric_label"])}'
             f'</b>. Published on this split: {esc(info["published"] or "–")} '
             f'({esc(info["published_by"])}).</p>',
             "<h2>Scores on the test split</h2>",
             '<table><tr><th class="k">system</th><th class="k">settings (chosen inside train)</th>'
             f'<th>{esc(info["metric_label"])}</th><th>macro-F1</th><th>accuracy</th><th>ECE</th>'
             '<th>CV macro-F1</th>' + (BS_HEAD if info.get("bootstrap") else "") + '</tr>']
    rows = [("stance", info["flags"], info["score"]["stance"], st["macro_f1"], st["accuracy"],
             st.get("ece"), info["stance_train"].get("ensemble", info["stance_train"]).get("macro_f1"),
             "stance")]
    for peer, label in (("fasttext", "fastText"), ("sklearn", "scikit-learn")):
        p = info["peers"].get(peer)
        if not p:
            continue
        t = p["test"]
        rows.append((label, p["settings"], info["score"][peer], t["macro_f1"], t["accuracy"],
                     t.get("ece"), p.get("cv_macro_f1"), peer))
    top = max(r[2] for r in rows if r[2] is not None)
    bs = info.get("bootstrap")
    for r in rows:
        cls = ' class="best"' if r[2] == top else ""
        parts.append(f'<tr{cls}><td class="k">{esc(r[0])}</td><td class="k"><code>{esc(r[1])}'
                     f'</code></td><td>{pct(r[2])}</td><td>{pct(r[3])}</td><td>{pct(r[4])}</td>'
                     f'<td>{"–" if r[5] is None else f"{r[5]:.3f}"}</td><td>{pct(r[6])}</td>'
                     + (bootstrap_cells(bs, r[7]) if bs else "") + '</tr>')
    parts.append("</table>")
    if bs:
        unit = (f"its {bs['clusters']} groups ({esc(bs['group_column'])})" if bs["unit"] == "group"
                else f"its {bs['clusters']} rows")
        parts.append(f'<p class="muted">Intervals: 95 % of a paired bootstrap of the test split '
                     f'({bs["reps"]} resamples of {unit}; every system scored on the same '
                     'resamples). An interval of stance − peer that holds 0 means the test split '
                     'cannot tell the two apart.</p>')
    parts.append('<p class="muted">ECE: expected calibration error of the top label\'s '
                 'confidence, 10 equal-width bins (LinearSVC has no probabilities: –). CV macro-F1: '
                 'stance and scikit-learn by k-fold cross-validation inside train, fastText on a '
                 'held-out 20 % of train.</p>')
    if info.get("stance_by_target"):
        parts.append("<h2>stance per target</h2><table><tr><th class='k'>target</th><th>F_avg</th>"
                     "<th>macro-F1</th><th>accuracy</th><th>ECE</th><th>n</th></tr>")
        for t, m in info["stance_by_target"].items():
            parts.append(f"<tr><td class='k'>{esc(t)}</td><td>{pct(m.get('f_avg'))}</td>"
                         f"<td>{pct(m['macro_f1'])}</td><td>{pct(m['accuracy'])}</td>"
                         f"<td>{m.get('ece', 0):.3f}</td><td>{m['n']}</td></tr>")
        parts.append("</table>")
    parts.append("<h2>stance per class</h2><table><tr><th class='k'>class</th><th>precision</th>"
                 "<th>recall</th><th>F1</th><th>support</th></tr>")
    for c, m in st["classes"].items():
        parts.append(f"<tr><td class='k'>{esc(c)}</td><td>{pct(m['precision'])}</td>"
                     f"<td>{pct(m['recall'])}</td><td>{pct(m['f1'])}</td><td>{m['support']}</td></tr>")
    parts.append("</table>")
    parts.append('<h2>stance: confusion matrix and reliability</h2><div class="fig">')
    parts.append(confusion_svg(st["confusion"], "confusion (test)"))
    parts.append(reliability_svg(st["reliability"], st.get("ece", 0.0), "reliability (test)"))
    parts.append("</div>")
    peer_figs = []
    for peer, label in (("fasttext", "fastText"), ("sklearn", "scikit-learn")):
        p = info["peers"].get(peer)
        if p:
            peer_figs.append(confusion_svg(p["test"]["confusion"], f"{label} confusion"))
    if peer_figs:
        parts.append('<h2>peers: confusion matrices</h2><div class="fig">')
        parts += peer_figs
        parts.append("</div>")
    parts.append(f'<p class="muted">Generated by tests/accuracy/run_accuracy.sh (make accuracy) '
                 f'on {esc(info.get("date", ""))}.</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: html_report.py RESULTS_DIR SET OUT.html")
    import report  # noqa: E402  (same folder)

    info = report.load_set_info(sys.argv[1], sys.argv[2])
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        f.write(render(info))

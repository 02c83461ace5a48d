/*
 * html.c - the stance-report page: inline CSS, inline SVG, nothing fetched.
 *
 * Charts share one time axis: slot i is the i-th period after the first period with articles,
 * so a period without articles is an empty slot (a gap), and a language's small multiple lines
 * up with the main chart. Colours are the Okabe-Ito blue / vermillion pair (optimistic and
 * favor blue, pessimistic and against vermillion) with neutral grey, which stay apart for
 * the common colour-vision deficiencies and in greyscale print. The legend is drawn from the
 * same class names and in the same order (top to bottom) as the stacked bars.
 *
 * Size: the main chart carries per-bar titles and data attributes (one chart); the small
 * multiples draw each label as one <path> of bar rectangles, so a chart costs ~25 bytes per
 * bar. Sources beyond the top N are summed into one row.
 */
#include "html.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const outlook_class[REPORT_NOUTLOOK] = {"k-opt", "k-neu", "k-pes", "k-oth"};

/* ---- text ------------------------------------------------------------------------------ */

/* HTML-escapes s (text or attribute value); with max > 0, cuts at a UTF-8 character
 * boundary at most max bytes in and adds an ellipsis. */
static void put_esc(FILE *f, const char *s, size_t max)
{
    if (!s)
        return;
    size_t n = strlen(s);
    int cut = 0;
    if (max && n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        cut = 1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            /* Control characters other than tab/newline have no business in a page. */
            if (c < 0x20 && c != '\t' && c != '\n')
                fputc(' ', f);
            else
                fputc(c, f);
        }
    }
    if (cut)
        fputs("\xe2\x80\xa6", f);
}

/* Only http(s) links become href: a result file is data, and "javascript:" in a url field
 * must not turn the report into a script carrier. */
static int safe_url(const char *u)
{
    return u && (strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0);
}

static double share(long a, long b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

static long sum(const long *c, int n)
{
    long s = 0;
    for (int i = 0; i < n; i++)
        s += c[i];
    return s;
}

/* "12 (34%)" */
static void put_count_share(FILE *f, long a, long total)
{
    fprintf(f, "%ld (%.0f%%)", a, 100.0 * share(a, total));
}

/* ---- the time axis --------------------------------------------------------------------- */

typedef struct axis {
    const report *r;
    long k0;     /* key of the first period with articles */
    long nslots; /* periods from the first to the last, empty ones included */
} axis;

static long slot_of(const axis *ax, size_t period)
{
    return report_period_distance(ax->r->opt.by, ax->k0, ax->r->periods[period].key);
}

typedef struct geom {
    double w, h, left, right, top, bottom;
} geom;

static double slot_width(const axis *ax, const geom *g)
{
    return (g->w - g->left - g->right) / (double)(ax->nslots ? ax->nslots : 1);
}

static void put_x_label(FILE *f, const axis *ax, const geom *g, long i, double y)
{
    char label[16];
    long key = report_period_add(ax->r->opt.by, ax->k0, i);
    report_period_label(ax->r->opt.by, key, label, sizeof label);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
            g->left + (i + 0.5) * slot_width(ax, g), y, label);
}

/* The x labels: every k-th slot, k chosen so labels never overlap (main charts), or only the
 * first and the last slot (small multiples). */
static void x_labels(FILE *f, const axis *ax, const geom *g, int thin)
{
    if (ax->nslots <= 0)
        return;
    char label[16];
    double sw = slot_width(ax, g);
    double y = g->h - g->bottom + 14;
    if (!thin) {
        report_period_label(ax->r->opt.by, ax->k0, label, sizeof label);
        double est = 6.5 * (double)strlen(label) + 12; /* 11px text, with a gap */
        long step = (long)ceil(est / sw);
        if (step < 1)
            step = 1;
        /* every step-th slot, and always the last one: the reader wants to see where the
         * series ends; a label that would collide with the last is dropped instead */
        long last = ax->nslots - 1;
        for (long i = 0; i <= last; i += step)
            if (i == 0 || i == last || last - i >= step)
                put_x_label(f, ax, g, i, y);
        if (last % step != 0 && last >= step)
            put_x_label(f, ax, g, last, y);
        return;
    }
    report_period_label(ax->r->opt.by, ax->k0, label, sizeof label);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\">%s</text>", g->left, y, label);
    if (ax->nslots > 1) {
        long key = report_period_add(ax->r->opt.by, ax->k0, ax->nslots - 1);
        report_period_label(ax->r->opt.by, key, label, sizeof label);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", g->w - g->right, y,
                label);
    }
}

/* ---- charts ---------------------------------------------------------------------------- */

/* Stacked 100% outlook bars, one per cell. detail (the main chart): per-bar <g> with title
 * and data attributes, and above the shares a strip of volume bars (a 100% bar hides how many
 * articles it stands for) with each count printed when all counts fit; returns whether they
 * did. Otherwise (small multiples) one path per label. */
static int stacked_chart(FILE *f, const axis *ax, const report_cell *cells, size_t n, const geom *g,
                         int detail, const char *aria)
{
    double pw = g->w - g->left - g->right, ph = g->h - g->top - g->bottom;
    double sw = slot_width(ax, g);
    double bw = sw >= 3 ? sw * 0.78 : sw;
    int show_n = 0;
    fprintf(f,
            "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
            "role=\"img\" aria-label=\"",
            g->w, g->h, g->w, g->h);
    put_esc(f, aria, 0);
    fputs("\">", f);
    /* frame and y axis */
    fprintf(f, "<rect class=\"plot\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
            g->left, g->top, pw, ph);
    if (g->left >= 30)
        for (int t = 0; t <= 2; t++)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>", g->left - 4,
                    g->top + ph * t / 2.0 + 4, 100 - 50 * t);

    if (detail) {
        /* counts above the bars only when every count fits in its slot */
        long maxn = 0;
        for (size_t i = 0; i < n; i++)
            if (cells[i].n > maxn)
                maxn = cells[i].n;
        int digits = maxn > 0 ? (int)floor(log10((double)maxn)) + 1 : 1;
        show_n = sw >= 6.0 * digits + 3;
        /* the volume strip sits between y = 12 (room for the counts) and g->top - 8 */
        double vtop = show_n ? 14 : 6, vh = g->top - 8 - vtop;
        /* only the top of the volume scale: a "0" there would crowd the "100%" below it */
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%ld</text>", g->left - 4,
                vtop + 8, maxn);
        for (size_t i = 0; i < n; i++) {
            const report_cell *c = &cells[i];
            const char *label = ax->r->periods[c->period].label;
            long tot = sum(c->counts, REPORT_NOUTLOOK);
            double x = g->left + slot_of(ax, c->period) * sw + (sw - bw) / 2;
            fprintf(f, "<g class=\"bar\" data-period=\"%s\" data-n=\"%ld\"", label, c->n);
            for (int k = 0; k < REPORT_NOUTLOOK; k++)
                fprintf(f, " data-%s=\"%ld\"", report_outlook_names[k], c->counts[k]);
            fprintf(f, "><title>%s: %ld articles", label, c->n);
            for (int k = 0; k < REPORT_NOUTLOOK; k++)
                if (k != REPORT_OUTLOOK_OTHER || c->counts[k]) {
                    fprintf(f, ", %s ", report_outlook_names[k]);
                    put_count_share(f, c->counts[k], tot);
                }
            fputs("</title>", f);
            double y = g->top;
            for (int k = 0; k < REPORT_NOUTLOOK && tot > 0; k++) {
                if (!c->counts[k])
                    continue;
                double hh = ph * share(c->counts[k], tot);
                fprintf(f,
                        "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                        "height=\"%.2f\"/>",
                        outlook_class[k], x, y, bw, hh);
                y += hh;
            }
            double hv = maxn > 0 ? vh * (double)c->n / (double)maxn : 0;
            fprintf(f,
                    "<rect class=\"vol\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                    "height=\"%.2f\"/>",
                    x, vtop + vh - hv, bw, hv);
            if (show_n)
                fprintf(f,
                        "<text class=\"n\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%ld</text>",
                        x + bw / 2, vtop + vh - hv - 3, c->n);
            fputs("</g>", f);
        }
    } else {
        for (int k = 0; k < REPORT_NOUTLOOK; k++) {
            int open = 0;
            for (size_t i = 0; i < n; i++) {
                const report_cell *c = &cells[i];
                long tot = sum(c->counts, REPORT_NOUTLOOK);
                if (!c->counts[k])
                    continue;
                double y = g->top;
                for (int j = 0; j < k; j++)
                    y += ph * share(c->counts[j], tot);
                double x = g->left + slot_of(ax, c->period) * sw + (sw - bw) / 2;
                if (!open) {
                    fprintf(f, "<path class=\"%s\" d=\"", outlook_class[k]);
                    open = 1;
                }
                fprintf(f, "M%.1f %.1fh%.2fv%.2fh%.2fz", x, y, bw, ph * share(c->counts[k], tot),
                        -bw);
            }
            if (open)
                fputs("\"/>", f);
        }
    }
    x_labels(f, ax, g, !detail);
    fputs("</svg>", f);
    return show_n;
}

/* Favor share up from the middle line, against share down, of the articles that mention a
 * party in each period. The scale is fixed at 100% either way so parties compare. */
static void party_chart(FILE *f, const axis *ax, const report_party *p, const geom *g, int titles)
{
    double pw = g->w - g->left - g->right, ph = g->h - g->top - g->bottom;
    double sw = slot_width(ax, g), bw = sw >= 3 ? sw * 0.78 : sw, half = ph / 2;
    double mid = g->top + half;
    fprintf(f,
            "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
            "role=\"img\" aria-label=\"",
            g->w, g->h, g->w, g->h);
    put_esc(f, p->name, 0);
    fputs(": favor and against share per period\">", f);
    fprintf(f, "<rect class=\"plot\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
            g->left, g->top, pw, ph);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">100%%</text>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">0</text>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">100%%</text>",
            g->left - 4, g->top + 8, g->left - 4, mid + 4, g->left - 4, g->top + ph);
    for (size_t i = 0; i < p->ncells; i++) {
        const report_cell *c = &p->cells[i];
        double x = g->left + slot_of(ax, c->period) * sw + (sw - bw) / 2;
        double fav = half * share(c->counts[REPORT_FAVOR], c->n);
        double aga = half * share(c->counts[REPORT_AGAINST], c->n);
        fputs("<g>", f);
        if (titles) {
            fprintf(f, "<title>%s: %ld articles mention ", ax->r->periods[c->period].label, c->n);
            put_esc(f, p->name, 0);
            fputs(", favor ", f);
            put_count_share(f, c->counts[REPORT_FAVOR], c->n);
            fputs(", against ", f);
            put_count_share(f, c->counts[REPORT_AGAINST], c->n);
            fputs("</title>", f);
        }
        if (fav > 0)
            fprintf(f,
                    "<rect class=\"k-fav\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>",
                    x, mid - fav, bw, fav);
        if (aga > 0)
            fprintf(f,
                    "<rect class=\"k-aga\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>",
                    x, mid, bw, aga);
        /* a period where the party is mentioned but neither favored nor opposed still shows
         * it was covered: a short grey tick on the middle line */
        if (fav == 0 && aga == 0)
            fprintf(f, "<rect class=\"k-non\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"6\"/>",
                    x, mid - 3, bw);
        fputs("</g>", f);
    }
    fprintf(f, "<line class=\"mid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", g->left,
            g->left + pw, mid, mid);
    x_labels(f, ax, g, 1);
    fputs("</svg>", f);
}

/* Pessimistic share per period as a line broken at periods without articles. */
static void sparkline(FILE *f, const axis *ax, const report_group *grp)
{
    const geom g = {150, 26, 3, 3, 3, 3};
    double ph = g.h - g.top - g.bottom, sw = slot_width(ax, &g);
    fprintf(f, "<svg class=\"spark\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\">",
            g.w, g.h, g.w, g.h);
    fprintf(f, "<line class=\"base\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", g.left,
            g.w - g.right, g.h - g.bottom, g.h - g.bottom);
    /* runs of adjacent periods become lines; a period with no neighbour on either side
     * (a gap before and after) becomes a dot, so a lone article still shows */
    fputs("<path class=\"line\" d=\"", f);
    for (int pass = 0; pass < 2; pass++) {
        long prev = -2;
        for (size_t i = 0; i < grp->ncells; i++) {
            const report_cell *c = &grp->cells[i];
            long tot = sum(c->counts, REPORT_NOUTLOOK);
            if (tot == 0)
                continue;
            long s = slot_of(ax, c->period);
            double x = g.left + (s + 0.5) * sw;
            double y = g.top + ph * (1 - share(c->counts[REPORT_PESSIMISTIC], tot));
            int next_adjacent =
                i + 1 < grp->ncells && slot_of(ax, grp->cells[i + 1].period) == s + 1;
            int lone = s != prev + 1 && !next_adjacent;
            if (pass == 0 && !lone)
                fprintf(f, "%c%.1f %.1f", s == prev + 1 ? 'L' : 'M', x, y);
            else if (pass == 1 && lone)
                fprintf(f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\"/>", x, y);
            prev = s;
        }
        if (pass == 0)
            fputs("\"/>", f);
    }
    if (grp->ncells == 0)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">undated only</text>", g.left, g.h - 8);
    fputs("</svg>", f);
}

/* A horizontal 100% bar of outlook counts (tables, the overall line). */
static void share_bar(FILE *f, const long *counts, double w, double h)
{
    long tot = sum(counts, REPORT_NOUTLOOK);
    fprintf(f, "<svg class=\"sbar\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\">", w,
            h, w, h);
    double x = 0;
    for (int k = 0; k < REPORT_NOUTLOOK && tot > 0; k++) {
        if (!counts[k])
            continue;
        double ww = w * share(counts[k], tot);
        fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%.0f\"/>",
                outlook_class[k], x, ww, h);
        x += ww;
    }
    if (tot == 0)
        fprintf(f, "<rect class=\"plot\" x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\"/>", w, h);
    fputs("</svg>", f);
}

static void outlook_legend(FILE *f, const long *counts)
{
    long tot = sum(counts, REPORT_NOUTLOOK);
    fputs("<div class=\"legend\">", f);
    for (int k = 0; k < REPORT_NOUTLOOK; k++) {
        if (k == REPORT_OUTLOOK_OTHER && !counts[k])
            continue;
        fprintf(f,
                "<span><svg class=\"sw\" width=\"12\" height=\"12\"><rect class=\"%s\" "
                "width=\"12\" height=\"12\"/></svg>%s: ",
                outlook_class[k], report_outlook_names[k]);
        fprintf(f, "<b data-legend=\"%s\">%ld</b> (%.0f%%)</span>", report_outlook_names[k],
                counts[k], 100.0 * share(counts[k], tot));
    }
    fputs("</div>", f);
}

/* ---- sections -------------------------------------------------------------------------- */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;"
    "color:#1b1b1b;background:#fff;max-width:1000px;margin:0 auto;padding:16px 24px;"
    "line-height:1.45;font-size:14px}"
    "h1{font-size:24px;margin:0 0 4px}"
    "h2{font-size:18px;margin:30px 0 8px;border-bottom:2px solid #e3e3e3;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 6px}"
    "p{margin:4px 0 8px}.muted{color:#555}.small{font-size:12px}"
    "a{color:#0b5394}"
    ".totals{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:8px;"
    "margin:8px 0}"
    ".totals div{border:1px solid #ddd;border-radius:4px;padding:6px 10px}"
    ".totals dt{font-size:12px;color:#555}.totals dd{margin:0;font-size:20px;font-weight:600}"
    ".legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0;font-size:13px}"
    ".legend svg{vertical-align:-1px;margin-right:5px}"
    "svg.chart{display:block;max-width:100%;height:auto}"
    "svg text{font-size:11px;fill:#333}svg text.n{font-size:10px;fill:#222}"
    ".plot{fill:#f7f7f7;stroke:#d0d0d0;stroke-width:.5}"
    ".k-opt{fill:#0072b2}.k-neu{fill:#c4c4c4}.k-pes{fill:#d55e00}.k-oth{fill:#9467bd}"
    ".k-fav{fill:#0072b2}.k-aga{fill:#d55e00}.k-non{fill:#a8a8a8}"
    ".mid{stroke:#555;stroke-width:1}.vol{fill:#7a7a7a}"
    ".spark .line{fill:none;stroke:#d55e00;stroke-width:1.6;stroke-linecap:round;"
    "stroke-linejoin:round}.spark .base{stroke:#ccc;stroke-width:1}.spark .dot{fill:#d55e00}"
    "svg.sbar,svg.spark{vertical-align:middle}"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}"
    "th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}"
    "th{background:#f3f3f3;font-weight:600}td.l,th.l{text-align:left}"
    "td.name{max-width:260px;overflow:hidden;text-overflow:ellipsis}"
    ".multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));"
    "gap:14px 20px}"
    "figure{margin:0;break-inside:avoid}figcaption{font-size:13px;margin-bottom:2px}"
    "figcaption b{font-size:14px}"
    "figcaption .name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
    ".examples{display:grid;grid-template-columns:1fr 1fr;gap:10px 16px;align-items:start}"
    ".ex{border-left:4px solid #ccc;padding:4px 10px;background:#fafafa;break-inside:avoid}"
    ".ex.opt{border-color:#0072b2}.ex.pes{border-color:#d55e00}"
    ".ex .tag{font-size:12px;font-weight:600}.ex.opt .tag{color:#005a8c}"
    ".ex.pes .tag{color:#a84400}"
    "blockquote{margin:4px 0 2px;font-style:italic;color:#333}"
    ".model{background:#f5f8fb;border:1px solid #dbe4ee;border-radius:4px;padding:8px 12px}"
    ".warn{background:#fff6e5;border:1px solid #f0d7a8;border-radius:4px;padding:6px 10px}"
    "summary{cursor:pointer;color:#0b5394}"
    "@media print{body{max-width:none;padding:0;font-size:11px}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "figure,table,.ex,.totals{break-inside:avoid}h2{break-after:avoid}}";

static void model_section(FILE *f, const report_model *m)
{
    fputs("<div class=\"model\">", f);
    if (!m || !m->known) {
        fputs("<b>Model:</b> <span data-model=\"unknown\">model unknown</span> "
              "<span class=\"muted\">(run stance-report with --model NAME.model to show which "
              "bundle produced these results and how well it cross-validated)</span></div>",
              f);
        return;
    }
    fputs("<b>Model:</b> <span data-model=\"", f);
    put_esc(f, m->name, 0);
    fputs("\">", f);
    put_esc(f, m->name, 0);
    fputs("</span>", f);
    if (m->trained_at[0]) {
        fputs(", trained ", f);
        put_esc(f, m->trained_at, 0);
    }
    if (m->created_by[0]) {
        fputs(" by ", f);
        put_esc(f, m->created_by, 0);
    }
    if (m->ntasks) {
        fputs(". Cross-validated: ", f);
        for (size_t i = 0; i < m->ntasks; i++) {
            const report_task_metrics *t = &m->tasks[i];
            fputs(i ? "; " : "", f);
            fputs("<b>", f);
            put_esc(f, t->name, 0);
            fputs("</b>", f);
            if (t->accuracy >= 0)
                fprintf(f, " accuracy %.3f", t->accuracy);
            if (t->macro_f1 >= 0)
                fprintf(f, ", macro-F1 %.3f", t->macro_f1);
            if (t->ece >= 0)
                fprintf(f, ", ECE %.3f", t->ece);
            if (t->examples >= 0)
                fprintf(f, " (%ld examples", t->examples);
            if (t->folds >= 0)
                fprintf(f, ", %ld folds", t->folds);
            if (t->examples >= 0)
                fputs(")", f);
        }
    }
    fputs(".</div>", f);
}

static void total(FILE *f, const char *key, const char *name, long v)
{
    fprintf(f, "<div><dt>%s</dt><dd data-total=\"%s\">%ld</dd></div>", name, key, v);
}

static void totals_section(FILE *f, const report *r)
{
    const report_totals *t = &r->totals;
    fputs("<h2 id=\"totals\">Totals</h2><dl class=\"totals\">", f);
    total(f, "records", "Records", t->records);
    total(f, "scored", "Scored", t->scored);
    total(f, "errors", "Errors", t->errors);
    total(f, "undated", "Undated", t->undated);
    if (t->unreadable)
        total(f, "unreadable", "Unreadable lines", t->unreadable);
    if (r->opt.has_from || r->opt.has_to)
        total(f, "out_of_range", "Outside dates", t->out_of_range);
    if (r->opt.groups & REPORT_GROUP_LANG)
        total(f, "languages", "Languages", (long)r->nlangs);
    if (r->opt.groups & REPORT_GROUP_SOURCE)
        total(f, "sources", "Sources", (long)r->nsources);
    total(f, "periods", "Periods with articles", (long)r->nperiods);
    fputs("</dl>", f);
    fputs("<p class=\"small muted\">Error records (articles stance-predict could not read) are "
          "counted here and left out of every chart. Undated records (no ISO 8601 date) count "
          "in the overall and per-language/source totals but in no period.",
          f);
    if (r->opt.has_from || r->opt.has_to)
        fputs(" With a date range, undated records are left out of the charts.", f);
    fputs("</p>", f);
    if ((r->opt.groups & REPORT_GROUP_LANG) && r->nlangs) {
        fputs("<p class=\"small\">Languages: ", f);
        for (size_t i = 0; i < r->nlangs; i++) {
            fputs(i ? " · " : "", f);
            fputs("<b>", f);
            put_esc(f, r->langs[i].name, 0);
            fprintf(f, "</b> %ld", r->langs[i].n);
        }
        fputs("</p>", f);
    }
}

static void period_table(FILE *f, const report *r)
{
    fprintf(f, "<details%s><summary>Counts per period (%zu rows)</summary>",
            r->nperiods <= 20 ? " open" : "", r->nperiods);
    fputs("<table class=\"periods\"><thead><tr><th class=\"l\">Period</th><th>Articles</th>", f);
    for (int k = 0; k < REPORT_NOUTLOOK; k++)
        if (k != REPORT_OUTLOOK_OTHER || r->outlook[k])
            fprintf(f, "<th>%s</th>", report_outlook_names[k]);
    fputs("</tr></thead><tbody>", f);
    for (size_t i = 0; i < r->nperiods; i++) {
        const report_period *p = &r->periods[i];
        long tot = sum(p->outlook, REPORT_NOUTLOOK);
        fprintf(f, "<tr data-period=\"%s\"><td class=\"l\">%s</td><td>%ld</td>", p->label, p->label,
                p->n);
        for (int k = 0; k < REPORT_NOUTLOOK; k++)
            if (k != REPORT_OUTLOOK_OTHER || r->outlook[k]) {
                fputs("<td>", f);
                put_count_share(f, p->outlook[k], tot);
                fputs("</td>", f);
            }
        fputs("</tr>", f);
    }
    fputs("</tbody></table></details>", f);
}

static void outlook_section(FILE *f, const report *r, const axis *ax)
{
    fputs("<h2 id=\"outlook\">Outlook per period</h2>", f);
    fputs("<p>Share of articles by predicted outlook in each ", f);
    fputs(report_by_name(r->opt.by), f);
    fputs(", stacked to 100%. All scored articles, dated or not:</p>", f);
    outlook_legend(f, r->outlook);
    share_bar(f, r->outlook, 300, 12);
    if (r->nperiods == 0) {
        fprintf(f,
                "<p class=\"warn\">No dated articles: %ld of %ld scored records have no ISO 8601 "
                "date, so nothing can be placed on a time axis.</p>",
                r->totals.undated, r->totals.scored);
        return;
    }
    if (ax->nslots > 400)
        fprintf(f,
                "<p class=\"warn\">The dates span %ld %ss; bars are thin. Use --by week or "
                "month, or --from/--to, for a readable chart.</p>",
                ax->nslots, report_by_name(r->opt.by));
    report_cell *cells = calloc(r->nperiods, sizeof *cells);
    if (!cells) {
        fputs("<p class=\"small muted\">", f); /* no memory for the chart; the table follows */
    } else {
        for (size_t i = 0; i < r->nperiods; i++) {
            cells[i].period = i;
            cells[i].n = r->periods[i].n;
            memcpy(cells[i].counts, r->periods[i].outlook, sizeof cells[i].counts);
        }
        const geom g = {940, 300, 44, 30, 76, 24};
        int counts_shown =
            stacked_chart(f, ax, cells, r->nperiods, &g, 1, "Outlook share per period");
        free(cells);
        fprintf(f, "<p class=\"small muted\">Dark grey bars on top: articles per %s%s. ",
                report_by_name(r->opt.by),
                counts_shown ? " (the number above each)"
                             : " (too many to label: hover a bar, or see the table below)");
    }
    long empty = ax->nslots - (long)r->nperiods;
    fprintf(f, "%zu %ss with articles from %s to %s", r->nperiods, report_by_name(r->opt.by),
            r->periods[0].label, r->periods[r->nperiods - 1].label);
    if (empty > 0)
        fprintf(f, "; %ld %s without articles %s blank (gaps, not interpolated)", empty,
                empty == 1 ? "period" : "periods", empty == 1 ? "is" : "are");
    fputs(".</p>", f);
    period_table(f, r);
}

static void group_caption(FILE *f, const report_group *grp)
{
    long tot = sum(grp->outlook, REPORT_NOUTLOOK);
    fputs("<div class=\"name\"><b>", f);
    put_esc(f, grp->name, 120);
    fprintf(f, "</b> · <span data-n=\"%ld\">%ld</span> article%s</div><div class=\"small muted\">",
            grp->n, grp->n, grp->n == 1 ? "" : "s");
    for (int k = 0; k < REPORT_NOUTLOOK; k++) {
        if (k == REPORT_OUTLOOK_OTHER && !grp->outlook[k])
            continue;
        fprintf(f, "%s%s %.0f%%", k ? " · " : "", report_outlook_names[k],
                100.0 * share(grp->outlook[k], tot));
    }
    fputs("</div>", f);
}

static void groups_section(FILE *f, const report *r, const axis *ax, const report_group *groups,
                           size_t n, const char *what, const char *id, size_t max_rows)
{
    fprintf(f, "<h2 id=\"%s\">Outlook per %s</h2>", id, what);
    if (n == 0) {
        fputs("<p class=\"muted\">No scored articles.</p>", f);
        return;
    }
    if (n <= 8 && r->nperiods > 0) {
        fprintf(f,
                "<p>One chart per %s, on the same time axis and in the same colours as "
                "above, largest first.</p>",
                what);
        outlook_legend(f, r->outlook);
        fputs("<div class=\"multiples\">", f);
        const geom g = {440, 120, 6, 6, 6, 18};
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "<figure data-group=\"%s\"><figcaption>", id);
            group_caption(f, &groups[i]);
            fputs("</figcaption>", f);
            stacked_chart(f, ax, groups[i].cells, groups[i].ncells, &g, 0, groups[i].name);
            fputs("</figure>", f);
        }
        fputs("</div>", f);
        return;
    }
    size_t shown = n < max_rows ? n : max_rows;
    fprintf(f,
            "<p>The %zu %s by number of articles%s: overall outlook share, and the "
            "pessimistic share per period (line; breaks where the %s had no articles).</p>",
            shown, shown == 1 ? what : (strcmp(what, "source") == 0 ? "sources" : "languages"),
            shown < n ? " (the rest summed in the last row)" : "", what);
    outlook_legend(f, r->outlook);
    fputs("<table class=\"groups\"><thead><tr><th>#</th><th class=\"l\">", f);
    fputs(strcmp(what, "source") == 0 ? "Source" : "Language", f);
    fputs("</th><th>Articles</th><th class=\"l\">Outlook share</th>", f);
    for (int k = 0; k < REPORT_OUTLOOK_OTHER; k++)
        fprintf(f, "<th>%s</th>", report_outlook_names[k]);
    fputs("<th class=\"l\">Pessimistic per period</th></tr></thead><tbody>", f);
    for (size_t i = 0; i < shown; i++) {
        const report_group *grp = &groups[i];
        long tot = sum(grp->outlook, REPORT_NOUTLOOK);
        fprintf(f, "<tr data-group=\"%s\"><td>%zu</td><td class=\"l name\">", id, i + 1);
        put_esc(f, grp->name, 80);
        fprintf(f, "</td><td data-n=\"%ld\">%ld</td><td class=\"l\">", grp->n, grp->n);
        share_bar(f, grp->outlook, 120, 10);
        fputs("</td>", f);
        for (int k = 0; k < REPORT_OUTLOOK_OTHER; k++) {
            fputs("<td>", f);
            put_count_share(f, grp->outlook[k], tot);
            fputs("</td>", f);
        }
        fputs("<td class=\"l\">", f);
        if (r->nperiods)
            sparkline(f, ax, grp);
        fputs("</td></tr>", f);
    }
    if (shown < n) {
        long rest[REPORT_NOUTLOOK] = {0}, rest_n = 0;
        for (size_t i = shown; i < n; i++) {
            rest_n += groups[i].n;
            for (int k = 0; k < REPORT_NOUTLOOK; k++)
                rest[k] += groups[i].outlook[k];
        }
        long tot = sum(rest, REPORT_NOUTLOOK);
        fprintf(f,
                "<tr class=\"rest\"><td></td><td class=\"l\">%zu more %ss</td><td>%ld</td>"
                "<td class=\"l\">",
                n - shown, what, rest_n);
        share_bar(f, rest, 120, 10);
        fputs("</td>", f);
        for (int k = 0; k < REPORT_OUTLOOK_OTHER; k++) {
            fputs("<td>", f);
            put_count_share(f, rest[k], tot);
            fputs("</td>", f);
        }
        fputs("<td></td></tr>", f);
    }
    fputs("</tbody></table>", f);
}

static void parties_section(FILE *f, const report *r, const axis *ax)
{
    fputs("<h2 id=\"parties\">Parties</h2>", f);
    if (r->nparties == 0) {
        fputs("<p class=\"muted\">No article mentions a party the model knows.</p>", f);
        return;
    }
    fputs("<p>Of the articles that mention a party, the share that are <b>favor</b>able to it "
          "and the share <b>against</b> it (the rest are neutral toward it). \"Now\" is the "
          "latest period in which the party was mentioned.</p>",
          f);
    fputs("<table class=\"parties\"><thead><tr><th class=\"l\">Party</th><th>Articles</th>"
          "<th>favor</th><th>against</th><th>none</th><th class=\"l\">Now</th><th>favor</th>"
          "<th>against</th></tr></thead><tbody>",
          f);
    for (size_t i = 0; i < r->nparties; i++) {
        const report_party *p = &r->parties[i];
        fputs("<tr><td class=\"l\"><b>", f);
        put_esc(f, p->name, 80);
        fprintf(f, "</b></td><td data-n=\"%ld\">%ld</td>", p->n, p->n);
        for (int k = 0; k < REPORT_NSTANCE; k++) {
            fputs("<td>", f);
            put_count_share(f, p->stance[k], p->n);
            fputs("</td>", f);
        }
        if (p->ncells) {
            const report_cell *c = &p->cells[p->ncells - 1];
            fprintf(f, "<td class=\"l\">%s (%ld)</td><td>%.0f%%</td><td>%.0f%%</td>",
                    r->periods[c->period].label, c->n, 100 * share(c->counts[REPORT_FAVOR], c->n),
                    100 * share(c->counts[REPORT_AGAINST], c->n));
        } else {
            fputs("<td class=\"l\">undated only</td><td></td><td></td>", f);
        }
        fputs("</tr>", f);
    }
    fputs("</tbody></table>", f);
    if (r->nperiods == 0)
        return;
    fputs("<div class=\"legend\"><span><svg width=\"12\" height=\"12\"><rect class=\"k-fav\" "
          "width=\"12\" height=\"12\"/></svg>favor (up)</span><span><svg width=\"12\" "
          "height=\"12\"><rect class=\"k-aga\" width=\"12\" height=\"12\"/></svg>against "
          "(down)</span><span><svg width=\"12\" height=\"12\"><rect class=\"k-non\" "
          "width=\"12\" height=\"6\" y=\"3\"/></svg>mentioned, neither</span></div>",
          f);
    fputs("<div class=\"multiples\">", f);
    const geom g = {440, 130, 38, 6, 6, 18};
    for (size_t i = 0; i < r->nparties; i++) {
        const report_party *p = &r->parties[i];
        fputs("<figure><figcaption><b>", f);
        put_esc(f, p->name, 80);
        fprintf(f, "</b> · mentioned in %ld article%s · favor %.0f%%, against %.0f%%", p->n,
                p->n == 1 ? "" : "s", 100 * share(p->stance[REPORT_FAVOR], p->n),
                100 * share(p->stance[REPORT_AGAINST], p->n));
        fputs("</figcaption>", f);
        party_chart(f, ax, p, &g, ax->nslots <= 120);
        fputs("</figure>", f);
    }
    fputs("</div>", f);
}

static void example_card(FILE *f, const report_example *e, int which)
{
    static const char *const cls[2] = {"opt", "pes"};
    fprintf(f, "<div class=\"ex %s\">", cls[which]);
    if (!e->id) {
        fprintf(
            f,
            "<div class=\"tag\">%s</div><div class=\"small muted\">none in this period</div></div>",
            which ? "pessimistic" : "optimistic");
        return;
    }
    fprintf(f, "<div class=\"tag\">%s · confidence %.2f</div>",
            which ? "pessimistic" : "optimistic", e->confidence);
    const char *title = e->title && *e->title ? e->title : e->id;
    if (safe_url(e->url)) {
        fputs("<a href=\"", f);
        put_esc(f, e->url, 0);
        fputs("\">", f);
        put_esc(f, title, 200);
        fputs("</a>", f);
    } else {
        fputs("<b>", f);
        put_esc(f, title, 200);
        fputs("</b>", f);
    }
    fputs("<div class=\"small muted\">", f);
    const char *parts[4] = {e->source, e->date, e->lang, e->id};
    int first = 1;
    for (int i = 0; i < 4; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        fputs(first ? "" : " · ", f);
        put_esc(f, parts[i], 100);
        first = 0;
    }
    fputs("</div>", f);
    if (e->evidence) {
        fputs("<blockquote>", f);
        put_esc(f, e->evidence, 400);
        fputs("</blockquote>", f);
    }
    fputs("</div>", f);
}

static void examples_section(FILE *f, const report *r, size_t max_periods)
{
    fputs("<h2 id=\"examples\">Most confident articles per period</h2>", f);
    size_t with = 0;
    for (size_t i = 0; i < r->nperiods; i++)
        with += r->periods[i].best[0].id || r->periods[i].best[1].id;
    if (with == 0) {
        fputs("<p class=\"muted\">No dated optimistic or pessimistic articles.</p>", f);
        return;
    }
    fprintf(f,
            "<p>In each period, the optimistic and the pessimistic article the model was most "
            "sure of, with the sentence that carried the decision.%s</p>",
            with > max_periods ? " Latest periods first; the JSON output (--json) has all." : "");
    size_t shown = 0;
    for (size_t i = r->nperiods; i-- > 0 && shown < max_periods;) {
        const report_period *p = &r->periods[i];
        if (!p->best[0].id && !p->best[1].id)
            continue;
        shown++;
        fprintf(f, "<h3>%s <span class=\"small muted\">(%ld article%s)</span></h3>", p->label, p->n,
                p->n == 1 ? "" : "s");
        fputs("<div class=\"examples\">", f);
        example_card(f, &p->best[0], 0);
        example_card(f, &p->best[1], 1);
        fputs("</div>", f);
    }
    if (shown < with)
        fprintf(f, "<p class=\"small muted\">%zu earlier periods not shown.</p>", with - shown);
}

int report_write_html(FILE *f, const report *r, const report_model *model,
                      const report_html_options *opt, stance_error *err)
{
    const char *title = opt && opt->title ? opt->title : "Stance report";
    size_t max_sources = opt && opt->max_sources ? opt->max_sources : 25;
    size_t max_examples = opt && opt->max_example_periods ? opt->max_example_periods : 26;
    axis ax = {r, 0, 0};
    if (r->nperiods) {
        ax.k0 = r->periods[0].key;
        ax.nslots = report_period_distance(r->opt.by, ax.k0, r->periods[r->nperiods - 1].key) + 1;
    }

    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
          "<meta name=\"generator\" content=\"stance-report\"><title>",
          f);
    put_esc(f, title, 200);
    fprintf(f, "</title><style>%s</style></head>\n<body>\n<h1>", css);
    put_esc(f, title, 200);
    fputs("</h1>", f);
    if (opt && opt->ninputs) {
        fputs("<p class=\"small muted\">From ", f);
        for (size_t i = 0; i < opt->ninputs && i < 6; i++) {
            fputs(i ? ", " : "", f);
            put_esc(f, strcmp(opt->inputs[i], "-") ? opt->inputs[i] : "standard input", 160);
        }
        if (opt->ninputs > 6)
            fprintf(f, " and %zu more files", opt->ninputs - 6);
        fprintf(f, " · by %s", report_by_name(r->opt.by));
        char buf[16];
        if (r->opt.has_from) {
            report_period_label(REPORT_BY_DAY, r->opt.from_day, buf, sizeof buf);
            fprintf(f, " · from %s", buf);
        }
        if (r->opt.has_to) {
            report_period_label(REPORT_BY_DAY, r->opt.to_day, buf, sizeof buf);
            fprintf(f, " · to %s", buf);
        }
        fputs("</p>", f);
    }
    model_section(f, model);
    fputs("\n", f);
    totals_section(f, r);
    fputs("\n", f);
    outlook_section(f, r, &ax);
    fputs("\n", f);
    if (r->opt.groups & REPORT_GROUP_LANG)
        groups_section(f, r, &ax, r->langs, r->nlangs, "language", "languages", max_sources);
    fputs("\n", f);
    if (r->opt.groups & REPORT_GROUP_SOURCE)
        groups_section(f, r, &ax, r->sources, r->nsources, "source", "sources", max_sources);
    fputs("\n", f);
    parties_section(f, r, &ax);
    fputs("\n", f);
    examples_section(f, r, max_examples);
    fputs("\n<p class=\"small muted\" style=\"margin-top:24px\">Made by stance-report. "
          "Predictions are a model's, not a reader's: read the evidence before quoting a "
          "number.</p>\n</body></html>\n",
          f);
    if (fflush(f) || ferror(f))
        return stance_error_set(err, STANCE_ERR_IO, "writing the report failed");
    return 0;
}

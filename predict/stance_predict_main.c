/*
 * stance-predict - score articles with a stance bundle, or evaluate it on labelled data.
 * See `stance-predict --help` and README.md. Exit codes (common/error.h): 0 every record
 * scored, 1 an evaluation fell below --min-macro-f1, 2 usage, 3 some input records could
 * not be read (each has an error object in the output), 4 model, 5 I/O, 6 out of memory.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "bundle.h"
#include "json_write.h"
#include "metrics.h"
#include "reader.h"
#include "scorer.h"

/* A batch is scored by all threads at once, then written in order, while the main thread
 * reads the next one. Large enough that thread start-up between batches is small next to
 * scoring short texts (tweets, headlines); bounded in bytes so long articles keep memory flat
 * (two batches are held at a time). */
#define BATCH 2048
#define BATCH_BYTES ((size_t)8 << 20)
#define OUT_KEEP_BYTES ((size_t)64 << 10) /* an output line's buffer kept for the next batch */
#define MAX_INPUTS 4096
#define MAX_THREADS 64
#define MAX_GATES 32

static const char usage_text[] =
    "usage: stance-predict --model NAME.model [options] [INPUT ...]\n"
    "       stance-predict --model NAME.model --eval FILE [--json] [--min-macro-f1 [TASK=]X]\n"
    "\n"
    "Scores every record of the inputs (files, folders of .txt/.jsonl/.csv, or standard input\n"
    "when none or '-') and writes one result per record, in input order.\n"
    "\n"
    "Input:\n"
    "  --input-format FMT     auto (by extension; stdin: jsonl), jsonl, csv or txt\n"
    "  --text-column COL      text field/column (default text)\n"
    "  --id-column COL        id field/column (default id; else file name or record number)\n"
    "  --target-column COL    take the target of target tasks from COL instead of finding\n"
    "                         the parties the text mentions\n"
    "Output:\n"
    "  --output-format FMT    jsonl (default) or csv\n"
    "  -o, --output FILE      write results to FILE instead of standard output\n"
    "  --sentences            add every sentence's results\n"
    "  --explain K            add the K features that pushed each decision most\n"
    "  --evidence K           quote up to K sentences per decision (default 2; 0 = none)\n"
    "  --aggregate AGG        sentence -> article: balance, mean, polar or document\n"
    "                         (default: the model's choice per task; see README)\n"
    "  --threads N            scoring threads (default: the number of processors, at most 8);\n"
    "                         with N > 1 the main thread reads ahead meanwhile; output\n"
    "                         order and content do not depend on N\n"
    "Evaluation:\n"
    "  --eval FILE            score a labelled CSV/JSONL (gold labels in each task's column)\n"
    "                         and print accuracy, macro-F1, per-class P/R/F1, the confusion\n"
    "                         matrix and the expected calibration error\n"
    "  --where COL=VALUE      evaluate only rows whose COL is VALUE (e.g. split=test)\n"
    "  --json                 print the evaluation as JSON\n"
    "  --min-macro-f1 [TASK=]X  exit 1 when a task's (or every task's) macro-F1 is below X\n"
    "  -q, --quiet            no summary line on standard error\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 ok, 1 evaluation below threshold, 2 usage, 3 some records unreadable (each\n"
    "has an error object in its place), 4 model error, 5 I/O error, 6 out of memory.\n";

typedef struct options {
    const char *model, *eval, *output;
    const char *text_column, *id_column, *target_column;
    const char *where_column, *where_value;
    reader_format input_format;
    int csv_out, json, quiet, threads;
    scorer_options so;
    struct {
        const char *task;
        double min;
    } gates[MAX_GATES];
    int ngates;
} options;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "stance-predict: %s%s%s\nTry 'stance-predict --help'.\n", msg, arg ? " " : "",
            arg ? arg : "");
    return STANCE_ERR_USAGE;
}

/* ---- result records ---------------------------------------------------------------------- */

static int reserved_key(const bundle *b, const char *name)
{
    static const char *const keys[] = {"id",    "lang", "evidence", "sentences",
                                       "error", "line", "file"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(name, keys[i]) == 0)
            return strcmp(name, "lang") == 0 ? 2 : 1;
    return bundle_find_task(b, name) >= 0;
}

static const char *error_code_name(int code)
{
    switch (code) {
    case STANCE_ERR_DATA:
        return "data";
    case STANCE_ERR_IO:
        return "io";
    case STANCE_ERR_NOMEM:
        return "memory";
    case STANCE_ERR_MODEL:
        return "model";
    default:
        return "error";
    }
}

/* The key a metadata field of the input has in the result: its own name, or "input_NAME"
 * (written into buf) when a result member has that name; NULL for the id field and for the
 * language (then *is_lang is set: the record's language, not a member of its own). */
static const char *metadata_key(const bundle *b, const options *o, const char *name, char buf[300],
                                int *is_lang)
{
    *is_lang = 0;
    if (strcmp(name, o->id_column ? o->id_column : "id") == 0)
        return NULL;
    int rk = reserved_key(b, name);
    if (rk == 2) {
        *is_lang = 1;
        return NULL;
    }
    if (!rk)
        return name;
    snprintf(buf, 300, "input_%s", name);
    return buf;
}

/* The result object of one record: id, the metadata it carries, and the scores (or an
 * error object). Metadata named like a result member is kept under "input_NAME". For the CSV
 * rows and the per-sentence results; record_line writes the same object as JSON text. */
static cJSON *score_record(scorer *sc, const bundle *b, const options *o, const record *r,
                           int *failed)
{
    cJSON *res = cJSON_CreateObject();
    if (!res)
        return NULL;
    cJSON_AddStringToObject(res, "id", r->id ? r->id : "");
    const char *lang = NULL;
    char buf[300];
    for (size_t i = 0; i < r->nfields; i++) {
        int is_lang;
        const char *key = metadata_key(b, o, r->names[i], buf, &is_lang);
        if (is_lang)
            lang = r->values[i];
        else if (key)
            cJSON_AddStringToObject(res, key, r->values[i]);
    }
    stance_error err = {0};
    int rc;
    if (r->error_code) {
        rc = stance_error_set(&err, r->error_code, "%s", r->error);
    } else {
        const char *target = o->target_column ? record_get(r, o->target_column) : NULL;
        rc = scorer_score(sc, r->text, r->text_len, lang && *lang ? lang : NULL,
                          target && *target ? target : NULL, res, &err);
    }
    if (rc) {
        /* drop partial scores: an error record carries the id, metadata and the error */
        cJSON *keep = cJSON_CreateObject();
        cJSON *it = res->child;
        while (it) {
            cJSON *next = it->next;
            if ((it->type & 0xFF) == cJSON_String && strcmp(it->string, "lang") != 0)
                cJSON_AddItemToObject(keep, it->string, cJSON_DetachItemViaPointer(res, it));
            it = next;
        }
        cJSON_Delete(res);
        res = keep;
        cJSON *e = cJSON_AddObjectToObject(res, "error");
        cJSON_AddStringToObject(e, "code", error_code_name(rc));
        cJSON_AddStringToObject(e, "message", err.message);
        if (r->path)
            cJSON_AddStringToObject(e, "file", r->path);
        if (r->line > 0)
            cJSON_AddNumberToObject(e, "line", (double)r->line);
        *failed = 1;
    }
    return res;
}

static void put_member(strbuf *sb, const char *key, const char *value)
{
    strbuf_putc(sb, ',');
    json_write_string(sb, key);
    strbuf_putc(sb, ':');
    json_write_string(sb, value);
}

/* The JSON line of one record, newline included, into line (emptied first; line->failed when
 * out of memory): the bytes json_write_compact prints for score_record's object, written
 * directly (scorer_score_text), which halves the cost of a result. */
static void record_line(scorer *sc, const bundle *b, const options *o, const record *r,
                        strbuf *line, int *failed)
{
    strbuf sb = *line; /* the caller's buffer, kept from record to record */
    sb.len = 0;
    strbuf_put(&sb, "{\"id\":", 6);
    json_write_string(&sb, r->id ? r->id : "");
    const char *lang = NULL;
    char buf[300];
    for (size_t i = 0; i < r->nfields; i++) {
        int is_lang;
        const char *key = metadata_key(b, o, r->names[i], buf, &is_lang);
        if (is_lang)
            lang = r->values[i];
        else if (key)
            put_member(&sb, key, r->values[i]);
    }
    size_t kept = sb.len; /* an error record keeps the id and the metadata */
    stance_error err = {0};
    int rc;
    if (r->error_code) {
        rc = stance_error_set(&err, r->error_code, "%s", r->error);
    } else {
        const char *target = o->target_column ? record_get(r, o->target_column) : NULL;
        rc = scorer_score_text(sc, r->text, r->text_len, lang && *lang ? lang : NULL,
                               target && *target ? target : NULL, &sb, &err);
    }
    if (rc && !sb.failed) {
        sb.len = kept;
        strbuf_put(&sb, ",\"error\":{\"code\":", 17);
        json_write_string(&sb, error_code_name(rc));
        put_member(&sb, "message", err.message);
        if (r->path)
            put_member(&sb, "file", r->path);
        if (r->line > 0) {
            strbuf_put(&sb, ",\"line\":", 8);
            json_write_number(&sb, (double)r->line);
        }
        strbuf_putc(&sb, '}');
        *failed = 1;
    }
    strbuf_put(&sb, "}\n", 2);
    *line = sb;
}

/* ---- CSV output ----------------------------------------------------------------------------- */

static const char *const csv_meta[] = {"date", "source", "url", "title"};
#define NMETA (sizeof csv_meta / sizeof *csv_meta)

static int csv_header(FILE *out, const bundle *b)
{
    fputs("id,error", out);
    for (size_t i = 0; i < NMETA; i++)
        fprintf(out, ",%s", csv_meta[i]);
    fputs(",lang", out);
    for (size_t t = 0; t < b->ntasks; t++) {
        const bundle_task *bt = &b->tasks[t];
        if (!bt->target_dependent) {
            fprintf(out, ",%s,%s_confidence", bt->name, bt->name);
            for (size_t l = 0; l < bt->nlabels; l++)
                fprintf(out, ",%s_p_%s", bt->name, bt->labels[l]);
        } else if (parties_count(b->parties) > 0) {
            for (size_t p = 0; p < parties_count(b->parties); p++)
                fprintf(out, ",%s_%s,%s_%s_confidence", bt->name, parties_name(b->parties, p),
                        bt->name, parties_name(b->parties, p));
        } else {
            fprintf(out, ",%s_target,%s,%s_confidence", bt->name, bt->name, bt->name);
        }
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

/* csv_num and csv_str write an empty field when o is NULL or lacks the member. */
static void csv_num(FILE *out, const cJSON *o, const char *key)
{
    fputc(',', out);
    if (!o)
        return;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v))
        fprintf(out, "%.4f", v->valuedouble);
}

static void csv_str(FILE *out, const cJSON *o, const char *key)
{
    fputc(',', out);
    if (!o)
        return;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v))
        csv_write_field(out, v->valuestring);
}

static void csv_row(FILE *out, const bundle *b, const cJSON *res)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(res, "id");
    csv_write_field(out, cJSON_IsString(id) ? id->valuestring : "");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(res, "error");
    csv_str(out, e, "message");
    for (size_t i = 0; i < NMETA; i++)
        csv_str(out, res, csv_meta[i]);
    csv_str(out, res, "lang");
    for (size_t t = 0; t < b->ntasks; t++) {
        const bundle_task *bt = &b->tasks[t];
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(res, bt->name);
        if (!bt->target_dependent) {
            csv_str(out, d, "label");
            csv_num(out, d, "confidence");
            const cJSON *sc = d ? cJSON_GetObjectItemCaseSensitive(d, "scores") : NULL;
            for (size_t l = 0; l < bt->nlabels; l++)
                csv_num(out, sc, bt->labels[l]);
        } else if (parties_count(b->parties) > 0) {
            for (size_t p = 0; p < parties_count(b->parties); p++) {
                const cJSON *hit = NULL, *it;
                cJSON_ArrayForEach(it, d)
                {
                    const cJSON *tg = cJSON_GetObjectItemCaseSensitive(it, "target");
                    if (cJSON_IsString(tg) &&
                        strcmp(tg->valuestring, parties_name(b->parties, p)) == 0)
                        hit = it;
                }
                csv_str(out, hit, "label");
                csv_num(out, hit, "confidence");
            }
        } else {
            const cJSON *first = d ? cJSON_GetArrayItem(d, 0) : NULL;
            csv_str(out, first, "target");
            csv_str(out, first, "label");
            csv_num(out, first, "confidence");
        }
    }
    fputc('\n', out);
}

/* ---- batches over threads --------------------------------------------------------------- */

typedef struct batch {
    record recs[BATCH];
    strbuf out[BATCH]; /* the output lines; their memory stays for the next batch */
    int failed[BATCH];
    size_t n;
    const bundle *b;
    const options *o;
    scorer **scorers;
    int nthreads;
    int oom;
    atomic_size_t next; /* the first record no worker has taken yet */
    /* the workers of a batch being scored in the background (batch_start .. batch_finish) */
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS];
    struct worker_arg {
        struct batch *bt;
        int index;
    } args[MAX_THREADS];
    int nworkers;
} batch;

typedef struct worker_arg worker_arg;

/* The output line of one result: JSON text or a CSV row. Caller frees with free(). */
static char *format_result(const batch *bt, const cJSON *res)
{
    if (!bt->o->csv_out)
        return json_write_compact(res, NULL);
    char *line = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&line, &size);
    if (!mem)
        return NULL;
    csv_row(mem, bt->b, res);
    if (fclose(mem) != 0) {
        free(line);
        return NULL;
    }
    return line;
}

/* Records are handed out in small chunks from a shared counter, so a thread that drew long
 * articles does not leave the others idle at the end of the batch. Each record's slots are
 * written by the one thread that took it: the output is the same whatever the scheduling. */
#define WORKER_CHUNK 8

static void *worker(void *p)
{
    worker_arg *wa = p;
    batch *bt = wa->bt;
    for (;;) {
        size_t first = atomic_fetch_add(&bt->next, WORKER_CHUNK);
        if (first >= bt->n)
            break;
        size_t end = first + WORKER_CHUNK < bt->n ? first + WORKER_CHUNK : bt->n;
        for (size_t i = first; i < end; i++) {
            bt->failed[i] = 0;
            scorer *sc = bt->scorers[wa->index];
            strbuf *line = &bt->out[i];
            if (!bt->o->csv_out && !bt->o->so.sentences) {
                record_line(sc, bt->b, bt->o, &bt->recs[i], line, &bt->failed[i]);
            } else {
                cJSON *res = score_record(sc, bt->b, bt->o, &bt->recs[i], &bt->failed[i]);
                char *text = res ? format_result(bt, res) : NULL;
                cJSON_Delete(res);
                line->len = 0;
                if (text) {
                    strbuf_put(line, text, strlen(text));
                    if (!bt->o->csv_out)
                        strbuf_putc(line, '\n'); /* a CSV row ends with its newline */
                } else {
                    line->failed = 1;
                }
                free(text);
            }
            if (line->failed)
                bt->oom = 1;
        }
    }
    return NULL;
}

/* Starts scoring bt on its threads and returns at once, so the caller can read the next
 * batch meanwhile (reading was the serial part that kept two threads at 1.6x one). With
 * --threads 1 nothing starts: batch_finish scores on the calling thread, and the program
 * stays on one thread. */
static void batch_start(batch *bt)
{
    int n = bt->nthreads;
    if ((size_t)n > bt->n)
        n = (int)bt->n;
    bt->nworkers = n;
    atomic_store(&bt->next, 0);
    for (int i = 0; i < n; i++) {
        bt->args[i] = (worker_arg){bt, i};
        bt->started[i] = n > 1 && pthread_create(&bt->th[i], NULL, worker, &bt->args[i]) == 0;
    }
}

/* Waits for bt's threads; a share whose thread could not start is scored here (the records
 * are handed out by the counter, so it only picks up what is left). */
static void batch_finish(batch *bt)
{
    for (int i = 0; i < bt->nworkers; i++)
        if (!bt->started[i])
            worker(&bt->args[i]);
    for (int i = 0; i < bt->nworkers; i++)
        if (bt->started[i])
            pthread_join(bt->th[i], NULL);
    bt->nworkers = 0;
}

typedef struct counts {
    size_t read, scored, failed;
} counts;

static int write_batch(FILE *out, batch *bt, counts *c)
{
    for (size_t i = 0; i < bt->n; i++) {
        c->read++;
        if (bt->failed[i])
            c->failed++;
        else
            c->scored++;
        strbuf *line = &bt->out[i];
        if (!line->failed)
            fwrite(line->buf, 1, line->len, out);
        line->len = 0;
        line->failed = 0;
        if (line->cap > OUT_KEEP_BYTES) { /* a huge line's memory is not kept */
            free(line->buf);
            *line = (strbuf){0};
        }
    }
    bt->n = 0;
    return ferror(out) ? -1 : 0;
}

/* Reads records into the empty batch bt until it holds BATCH records or BATCH_BYTES of text,
 * or the input ends. Returns 1 if more may follow, 0 at the end, -1 on a read error (err). */
static int fill_batch(reader *rd, batch *bt, stance_error *err)
{
    size_t bytes = 0;
    int got = 1;
    while (bt->n < BATCH && bytes < BATCH_BYTES &&
           (got = reader_next(rd, &bt->recs[bt->n], err)) == 1)
        bytes += bt->recs[bt->n++].text_len;
    return got;
}

static int open_error_record(record *rec, const char *path, const stance_error *err)
{
    record_clear(rec);
    rec->id = strdup(path);
    rec->path = NULL;
    rec->error_code = err->code == STANCE_ERR_IO ? STANCE_ERR_IO : STANCE_ERR_DATA;
    snprintf(rec->error, sizeof rec->error, "%.200s", err->message);
    return rec->id ? 0 : -1;
}

static int predict_all(const options *o, const bundle *b, char **inputs, int ninputs)
{
    stance_error err = {0};
    FILE *out = stdout;
    if (o->output && !(out = fopen(o->output, "w"))) {
        fprintf(stderr, "stance-predict: %s: cannot create: %s\n", o->output, strerror(errno));
        return STANCE_ERR_IO;
    }
    /* two batches: the threads score one while this thread reads the next into the other */
    batch *bts = calloc(2, sizeof *bts);
    batch *bt = bts, *spare = bts ? bts + 1 : NULL;
    scorer *scorers[MAX_THREADS] = {0};
    int rc = 0, io_error = 0;
    counts c = {0};
    if (!bts) {
        fprintf(stderr, "stance-predict: out of memory\n");
        rc = STANCE_ERR_NOMEM;
        goto done;
    }
    for (int k = 0; k < 2; k++) {
        bts[k].b = b;
        bts[k].o = o;
        bts[k].nthreads = o->threads;
        bts[k].scorers = scorers;
    }
    for (int i = 0; i < o->threads; i++) {
        if (!(scorers[i] = scorer_new(b, &o->so, &err))) {
            fprintf(stderr, "stance-predict: %s\n", err.message);
            rc = err.code;
            goto done;
        }
    }
    if (o->csv_out && csv_header(out, b) != 0)
        io_error = 1;
    static char *stdin_only[] = {"-"};
    if (ninputs == 0) {
        inputs = stdin_only;
        ninputs = 1;
    }
    reader_options ro = {0};
    ro.text_field = o->text_column;
    ro.id_field = o->id_column;
    /* a CSV without the text column would give every row an empty text: refuse the file */
    ro.require_text = 1;
    for (int f = 0; f < ninputs && !rc && !io_error; f++) {
        reader *rd = reader_open(inputs[f], o->input_format, &ro, &err);
        int got = 1;
        if (!rd) {
            /* the file stands for at least one record: report it in place and go on */
            fprintf(stderr, "stance-predict: %s\n", err.message);
            if (open_error_record(&bt->recs[bt->n], inputs[f], &err) != 0) {
                rc = STANCE_ERR_NOMEM;
                break;
            }
            bt->n++;
            got = 0;
        } else {
            got = fill_batch(rd, bt, &err);
        }
        /* score what this file gives before its reader (and the paths records borrow) goes */
        while (bt->n && !io_error) {
            batch_start(bt);
            if (got == 1)
                got = fill_batch(rd, spare, &err);
            batch_finish(bt);
            if (write_batch(out, bt, &c) != 0)
                io_error = 1;
            batch *t = bt;
            bt = spare;
            spare = t;
        }
        if (got < 0) {
            fprintf(stderr, "stance-predict: %s\n", err.message);
            rc = err.code ? err.code : STANCE_ERR_IO;
        }
        for (int k = 0; k < 2; k++) {
            for (size_t i = 0; i < BATCH; i++)
                record_clear(&bts[k].recs[i]);
            bts[k].n = 0;
        }
        reader_close(rd);
    }
    if (!io_error && fflush(out) != 0)
        io_error = 1;
    if (bts && (bts[0].oom || bts[1].oom) && !rc)
        rc = STANCE_ERR_NOMEM;
done:
    if (io_error) {
        fprintf(stderr, "stance-predict: error writing %s: %s\n", o->output ? o->output : "output",
                strerror(errno));
        rc = STANCE_ERR_IO;
    }
    if (out != stdout && fclose(out) != 0 && !rc) {
        fprintf(stderr, "stance-predict: error closing %s: %s\n", o->output, strerror(errno));
        rc = STANCE_ERR_IO;
    }
    if (!o->quiet)
        fprintf(stderr, "stance-predict: %zu records read, %zu scored, %zu failed\n", c.read,
                c.scored, c.failed);
    for (int i = 0; i < MAX_THREADS; i++)
        scorer_free(scorers[i]);
    if (bts)
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < BATCH; i++) {
                record_clear(&bts[k].recs[i]);
                free(bts[k].out[i].buf);
            }
    free(bts);
    if (!rc && c.failed)
        rc = STANCE_ERR_DATA;
    return rc;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

typedef struct eval_task {
    metrics *m;
    size_t unknown_gold; /* gold labels the model does not have */
    size_t failed;       /* rows that could not be scored */
} eval_task;

static int eval_one(scorer *sc, const bundle *b, size_t t, const record *r, const char *target,
                    const char *gold, eval_task *et, stance_error *err)
{
    const bundle_task *bt = &b->tasks[t];
    int g = bundle_task_label(bt, gold);
    if (g < 0) {
        et->unknown_gold++;
        return 0;
    }
    double probs[1000];
    int label = 0;
    const char *lang = record_get(r, "lang");
    int rc = scorer_classify(sc, t, r->text, r->text_len, lang && *lang ? lang : NULL, target,
                             &label, probs, err);
    if (rc) {
        et->failed++;
        return rc == STANCE_ERR_NOMEM ? rc : 0;
    }
    metrics_add(et->m, g, label, probs);
    return 0;
}

static const char *get_trimmed(const record *r, const char *col, char *buf, size_t cap)
{
    const char *v = col ? record_get(r, col) : NULL;
    if (!v)
        return NULL;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
        n--;
    if (n == 0 || n >= cap)
        return NULL;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return buf;
}

static void add_subset(cJSON *j, const metrics *m, const bundle_task *bt, const char *key,
                       const char *a, const char *b2, FILE *text_out)
{
    int ia = bundle_task_label(bt, a), ib = bundle_task_label(bt, b2);
    if (ia < 0 || ib < 0)
        return;
    int both[2] = {ia, ib};
    double v = metrics_macro_f1_subset(m, 2, both);
    if (j)
        cJSON_AddNumberToObject(j, key, v);
    if (text_out)
        fprintf(text_out, "%s (mean F1 of %s and %s): %.4f\n", key, a, b2, v);
}

static int evaluate(const options *o, const bundle *b)
{
    stance_error err = {0};
    scorer *sc = scorer_new(b, &o->so, &err);
    if (!sc) {
        fprintf(stderr, "stance-predict: %s\n", err.message);
        return err.code;
    }
    eval_task *et = calloc(b->ntasks, sizeof *et);
    int rc = et ? 0 : STANCE_ERR_NOMEM;
    for (size_t t = 0; t < b->ntasks && !rc; t++) {
        et[t].m =
            metrics_new(b->tasks[t].nlabels, (const char *const *)b->tasks[t].labels, 10, &err);
        if (!et[t].m)
            rc = STANCE_ERR_NOMEM;
    }
    reader_options ro = {0};
    ro.text_field = o->text_column;
    ro.id_field = o->id_column;
    ro.require_text = 1;
    reader *rd = rc ? NULL : reader_open(o->eval, o->input_format, &ro, &err);
    size_t rows = 0, bad_rows = 0;
    if (!rc && !rd) {
        fprintf(stderr, "stance-predict: %s\n", err.message);
        rc = err.code;
    }
    record rec = {0};
    int got = 0;
    while (!rc && (got = reader_next(rd, &rec, &err)) == 1) {
        if (o->where_column && !rec.error_code) {
            const char *v = record_get(&rec, o->where_column);
            if (!v || strcmp(v, o->where_value) != 0)
                continue;
        }
        rows++;
        if (rec.error_code) {
            bad_rows++;
            if (!o->quiet)
                fprintf(stderr, "stance-predict: %s:%ld: %s (skipped)\n", rec.path, rec.line,
                        rec.error);
            continue;
        }
        for (size_t t = 0; t < b->ntasks && !rc; t++) {
            const bundle_task *bt = &b->tasks[t];
            char gold[256], target[256];
            if (bt->ntarget_columns) {
                for (size_t i = 0; i < bt->ntarget_columns && !rc; i++) {
                    const char *g = get_trimmed(&rec, bt->target_columns[i], gold, sizeof gold);
                    if (g)
                        rc = eval_one(sc, b, t, &rec, bt->target_columns[i], g, &et[t], &err);
                }
                continue;
            }
            const char *g = get_trimmed(&rec, bt->label_column, gold, sizeof gold);
            const char *tg =
                bt->target_column
                    ? get_trimmed(&rec, o->target_column ? o->target_column : bt->target_column,
                                  target, sizeof target)
                    : NULL;
            if (!g || (bt->target_column && !tg))
                continue;
            rc = eval_one(sc, b, t, &rec, tg, g, &et[t], &err);
        }
    }
    if (!rc && got < 0) {
        fprintf(stderr, "stance-predict: %s\n", err.message);
        rc = err.code;
    }
    record_clear(&rec);
    reader_close(rd);
    int below = 0;
    if (!rc) {
        cJSON *j = o->json ? cJSON_CreateObject() : NULL;
        cJSON *jt = j ? cJSON_AddObjectToObject(j, "tasks") : NULL;
        if (j) {
            cJSON_AddStringToObject(j, "model", b->name ? b->name : "");
            cJSON_AddStringToObject(j, "data", o->eval);
            cJSON_AddNumberToObject(j, "rows", (double)rows);
            cJSON_AddNumberToObject(j, "unreadable_rows", (double)bad_rows);
        }
        FILE *text_out = o->json ? NULL : stdout;
        if (text_out)
            printf("evaluation of %s on %s: %zu rows (%zu unreadable)\n\n",
                   b->name ? b->name : o->model, o->eval, rows, bad_rows);
        for (size_t t = 0; t < b->ntasks; t++) {
            const bundle_task *bt = &b->tasks[t];
            double f1 = metrics_macro_f1(et[t].m);
            cJSON *tj = NULL;
            if (j) {
                tj = metrics_to_json(et[t].m);
                cJSON_AddNumberToObject(tj, "unknown_gold_labels", (double)et[t].unknown_gold);
                cJSON_AddNumberToObject(tj, "failed", (double)et[t].failed);
            }
            if (text_out) {
                char *table = metrics_format_table(et[t].m, bt->name);
                if (table)
                    fputs(table, stdout);
                free(table);
            }
            add_subset(tj, et[t].m, bt, "f_avg", "favor", "against", text_out);
            add_subset(tj, et[t].m, bt, "f1_pn", "positive", "negative", text_out);
            if (text_out && et[t].unknown_gold)
                printf("note: %zu gold labels are not labels of this model (not counted)\n",
                       et[t].unknown_gold);
            if (text_out && et[t].failed)
                printf("note: %zu rows could not be scored (not counted)\n", et[t].failed);
            if (text_out)
                putchar('\n');
            for (int g = 0; g < o->ngates; g++) {
                if (o->gates[g].task && strcmp(o->gates[g].task, bt->name) != 0)
                    continue;
                int fail = metrics_count(et[t].m) == 0 || f1 < o->gates[g].min;
                if (fail) {
                    fprintf(stderr, "stance-predict: %s macro-F1 %.4f is below %.4f\n", bt->name,
                            f1, o->gates[g].min);
                    below = 1;
                }
            }
            if (tj)
                cJSON_AddItemToObject(jt, bt->name, tj);
        }
        for (int g = 0; g < o->ngates; g++)
            if (o->gates[g].task && bundle_find_task(b, o->gates[g].task) < 0) {
                fprintf(stderr, "stance-predict: --min-macro-f1: the model has no task \"%s\"\n",
                        o->gates[g].task);
                rc = STANCE_ERR_USAGE;
            }
        if (j) {
            char *s = cJSON_Print(j);
            if (s)
                puts(s);
            cJSON_free(s);
            cJSON_Delete(j);
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "stance-predict: error writing output: %s\n", strerror(errno));
            rc = STANCE_ERR_IO;
        }
    }
    for (size_t t = 0; et && t < b->ntasks; t++)
        metrics_free(et[t].m);
    free(et);
    scorer_free(sc);
    if (!rc && below)
        rc = STANCE_EVAL_BELOW;
    return rc;
}

/* ---- main ---------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    enum {
        O_MODEL = 256,
        O_IN_FMT,
        O_OUT_FMT,
        O_TEXT_COL,
        O_ID_COL,
        O_TARGET_COL,
        O_SENTENCES,
        O_EXPLAIN,
        O_EVIDENCE,
        O_AGG,
        O_THREADS,
        O_EVAL,
        O_JSON,
        O_MIN_F1,
        O_WHERE
    };
    static const struct option longopts[] = {{"model", required_argument, 0, O_MODEL},
                                             {"input-format", required_argument, 0, O_IN_FMT},
                                             {"output-format", required_argument, 0, O_OUT_FMT},
                                             {"output", required_argument, 0, 'o'},
                                             {"text-column", required_argument, 0, O_TEXT_COL},
                                             {"id-column", required_argument, 0, O_ID_COL},
                                             {"target-column", required_argument, 0, O_TARGET_COL},
                                             {"sentences", no_argument, 0, O_SENTENCES},
                                             {"explain", required_argument, 0, O_EXPLAIN},
                                             {"evidence", required_argument, 0, O_EVIDENCE},
                                             {"aggregate", required_argument, 0, O_AGG},
                                             {"threads", required_argument, 0, O_THREADS},
                                             {"eval", required_argument, 0, O_EVAL},
                                             {"json", no_argument, 0, O_JSON},
                                             {"where", required_argument, 0, O_WHERE},
                                             {"min-macro-f1", required_argument, 0, O_MIN_F1},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    options o;
    memset(&o, 0, sizeof o);
    o.so.evidence = 2;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    int c, rc = 0;
    while (!rc && (c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_MODEL:
            o.model = optarg;
            break;
        case O_IN_FMT:
            if (strcmp(optarg, "auto") == 0)
                o.input_format = READER_AUTO;
            else if (strcmp(optarg, "jsonl") == 0)
                o.input_format = READER_JSONL;
            else if (strcmp(optarg, "csv") == 0)
                o.input_format = READER_CSV;
            else if (strcmp(optarg, "txt") == 0 || strcmp(optarg, "text") == 0)
                o.input_format = READER_TEXT;
            else
                rc = usage_error("--input-format must be auto, jsonl, csv or txt, not", optarg);
            break;
        case O_OUT_FMT:
            if (strcmp(optarg, "csv") == 0)
                o.csv_out = 1;
            else if (strcmp(optarg, "jsonl") != 0)
                rc = usage_error("--output-format must be jsonl or csv, not", optarg);
            break;
        case 'o':
            o.output = optarg;
            break;
        case O_TEXT_COL:
            o.text_column = optarg;
            break;
        case O_ID_COL:
            o.id_column = optarg;
            break;
        case O_TARGET_COL:
            o.target_column = optarg;
            break;
        case O_SENTENCES:
            o.so.sentences = 1;
            break;
        case O_EXPLAIN:
            if (args_parse_int(optarg, 0, 100, &o.so.explain))
                rc = usage_error("--explain must be 0..100, not", optarg);
            break;
        case O_EVIDENCE:
            if (args_parse_int(optarg, 0, 100, &o.so.evidence))
                rc = usage_error("--evidence must be 0..100, not", optarg);
            break;
        case O_AGG:
            if (!scorer_aggregation_valid(optarg))
                rc = usage_error("--aggregate must be balance, mean, polar or document, not",
                                 optarg);
            o.so.aggregation = optarg;
            break;
        case O_THREADS:
            if (args_parse_int(optarg, 1, MAX_THREADS, &o.threads))
                rc = usage_error("--threads must be 1..64, not", optarg);
            break;
        case O_EVAL:
            o.eval = optarg;
            break;
        case O_JSON:
            o.json = 1;
            break;
        case O_WHERE:
            if (args_split_assignment(optarg, &o.where_column, &o.where_value) != 0)
                rc = usage_error("--where takes COL=VALUE, not", optarg);
            break;
        case O_MIN_F1: {
            if (o.ngates == MAX_GATES) {
                rc = usage_error("too many --min-macro-f1", NULL);
                break;
            }
            char *eq = strchr(optarg, '=');
            char *num = eq ? eq + 1 : optarg, *end = NULL;
            double v = strtod(num, &end);
            if (!end || end == num || *end || v < 0 || v > 1 || (eq && eq == optarg)) {
                rc = usage_error("--min-macro-f1 takes X or TASK=X with X in 0..1, not", optarg);
                break;
            }
            if (eq)
                *eq = '\0';
            o.gates[o.ngates].task = eq ? optarg : NULL;
            o.gates[o.ngates].min = v;
            o.ngates++;
            break;
        }
        case 'q':
            o.quiet = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            fputs("Try 'stance-predict --help'.\n", stderr);
            rc = STANCE_ERR_USAGE;
        }
    }
    if (rc)
        return rc;
    if (!o.model)
        return usage_error("no --model given", NULL);
    if (o.eval && optind < argc)
        return usage_error("--eval takes no further inputs:", argv[optind]);
    if ((o.ngates || o.where_column || o.json) && !o.eval)
        return usage_error("--min-macro-f1, --where and --json need --eval", NULL);
    if (argc - optind > MAX_INPUTS)
        return usage_error("too many inputs", NULL);
    /* a closed pipe is an I/O error we report, not a signal that kills us mid-record */
    signal(SIGPIPE, SIG_IGN);
    stance_error err = {0};
    /* The bundle is loaded before any worker thread starts. */
    bundle *b = bundle_load(o.model, &err);
    if (!b) {
        fprintf(stderr, "stance-predict: %s\n", err.message);
        return err.code ? err.code : STANCE_ERR_MODEL;
    }
    rc = o.eval ? evaluate(&o, b) : predict_all(&o, b, argv + optind, argc - optind);
    bundle_free(b);
    return rc;
}

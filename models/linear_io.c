#include "linear_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const solver_names[] = {"L2R_LR",
                                           "L2R_L2LOSS_SVC_DUAL",
                                           "L2R_L2LOSS_SVC",
                                           "L2R_L1LOSS_SVC_DUAL",
                                           "MCSVM_CS",
                                           "L1R_L2LOSS_SVC",
                                           "L1R_LR",
                                           "L2R_LR_DUAL",
                                           NULL,
                                           NULL,
                                           NULL,
                                           "L2R_L2LOSS_SVR",
                                           "L2R_L2LOSS_SVR_DUAL",
                                           "L2R_L1LOSS_SVR_DUAL"};
#define NSOLVERS ((int)(sizeof solver_names / sizeof *solver_names))

const char *linear_io_solver_name(int solver_type)
{
    return solver_type >= 0 && solver_type < NSOLVERS ? solver_names[solver_type] : NULL;
}

int linear_io_solver_type(const char *name)
{
    for (int i = 0; i < NSOLVERS; i++)
        if (solver_names[i] && strcmp(solver_names[i], name) == 0)
            return i;
    return -1;
}

static int weight_columns(const struct model *m)
{
    return m->nr_class == 2 && m->param.solver_type != MCSVM_CS ? 1 : m->nr_class;
}

int linear_io_save(const struct model *m, const char *path, stance_error *err)
{
    const char *solver = linear_io_solver_name(m->param.solver_type);
    if (!solver)
        return stance_error_set(err, STANCE_ERR_USAGE, "unknown solver %d", m->param.solver_type);
    FILE *f = fopen(path, "w");
    if (!f)
        return stance_error_set(err, STANCE_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    int n = m->nr_feature + (m->bias >= 0 ? 1 : 0);
    int nr_w = weight_columns(m);
    fprintf(f, "solver_type %s\nnr_class %d\nlabel", solver, m->nr_class);
    for (int i = 0; i < m->nr_class; i++)
        fprintf(f, " %d", m->label[i]);
    fprintf(f, "\nnr_feature %d\nbias %.17g\nw\n", m->nr_feature, m->bias);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < nr_w; j++)
            fprintf(f, "%.17g ", m->w[(size_t)i * (size_t)nr_w + (size_t)j]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return stance_error_set(err, STANCE_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    return 0;
}

/* Reads "key value..." header lines; returns the rest of the line after key or NULL. */
static char *expect_key(FILE *f, char *line, size_t cap, const char *key)
{
    if (!fgets(line, (int)cap, f))
        return NULL;
    size_t n = strlen(line);
    if (n == 0 || line[n - 1] != '\n')
        return NULL;
    line[n - 1] = '\0';
    size_t kl = strlen(key);
    if (strncmp(line, key, kl) != 0)
        return NULL;
    if (line[kl] == '\0')
        return line + kl;
    if (line[kl] != ' ')
        return NULL;
    return line + kl + 1;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

struct model *linear_io_load(const char *path, int nr_class, int nr_feature, double bias,
                             stance_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        stance_error_set(err, STANCE_ERR_MODEL, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct model *m = calloc(1, sizeof *m);
    char line[4096];
    const char *what = NULL;
    char *v;
    long num;
    if (!m) {
        what = "out of memory";
        goto fail;
    }
    if (!(v = expect_key(f, line, sizeof line, "solver_type")) ||
        (m->param.solver_type = linear_io_solver_type(v)) < 0) {
        what = "not a LIBLINEAR model (bad solver_type line)";
        goto fail;
    }
    if (!(v = expect_key(f, line, sizeof line, "nr_class")) || parse_int(v, 2, 1000, &num) ||
        num != nr_class) {
        what = "nr_class disagrees with the manifest";
        goto fail;
    }
    m->nr_class = (int)num;
    m->label = calloc((size_t)nr_class, sizeof *m->label);
    if (!m->label) {
        what = "out of memory";
        goto fail;
    }
    if (!(v = expect_key(f, line, sizeof line, "label"))) {
        what = "missing label line";
        goto fail;
    }
    {
        unsigned char seen[1000] = {0};
        char *tok = strtok(v, " ");
        for (int i = 0; i < nr_class; i++, tok = strtok(NULL, " ")) {
            if (!tok || parse_int(tok, 0, nr_class - 1, &num) || seen[num]) {
                what = "labels are not 0..nr_class-1";
                goto fail;
            }
            seen[num] = 1;
            m->label[i] = (int)num;
        }
        if (tok) {
            what = "more labels than nr_class";
            goto fail;
        }
    }
    if (!(v = expect_key(f, line, sizeof line, "nr_feature")) || parse_int(v, 1, 1L << 30, &num) ||
        num != nr_feature) {
        what = "nr_feature disagrees with the vocabulary size in the manifest";
        goto fail;
    }
    m->nr_feature = (int)num;
    {
        char *end = NULL;
        if (!(v = expect_key(f, line, sizeof line, "bias")) || (m->bias = strtod(v, &end), !end) ||
            *end || m->bias != bias) {
            what = "bias disagrees with the manifest";
            goto fail;
        }
    }
    if (!(v = expect_key(f, line, sizeof line, "w")) || *v) {
        what = "missing w line";
        goto fail;
    }
    {
        size_t n = (size_t)nr_feature + (bias >= 0 ? 1 : 0);
        size_t nr_w = (size_t)weight_columns(m);
        m->w = malloc(n * nr_w * sizeof *m->w);
        if (!m->w) {
            what = "out of memory for weights";
            goto fail;
        }
        /* The weights are read in one block and parsed with strtod: fscanf per number was
         * most of the load time of a bundle with character n-grams. No weight line is
         * longer than 1000 columns of 30 bytes, so the block size is bounded up front. */
        long here = ftell(f);
        struct stat st;
        if (here < 0 || fstat(fileno(f), &st) != 0 ||
            (unsigned long long)(st.st_size - here) > (unsigned long long)(n * nr_w) * 32 + 4096) {
            what = "the weights take more bytes than the manifest's sizes allow";
            goto fail;
        }
        size_t bytes = (size_t)(st.st_size - here);
        char *block = malloc(bytes + 1);
        if (!block || fread(block, 1, bytes, f) != bytes) {
            free(block);
            what = block ? "read error in the weights" : "out of memory for weights";
            goto fail;
        }
        block[bytes] = '\0';
        char *p = block, *end = NULL;
        for (size_t i = 0; i < n * nr_w; i++) {
            m->w[i] = strtod(p, &end);
            if (end == p || !isfinite(m->w[i]) || (*end != ' ' && *end != '\n')) {
                snprintf(line, sizeof line,
                         "weight %zu of %zu is missing or not a number "
                         "(truncated file?)",
                         i + 1, n * nr_w);
                what = line;
                free(block);
                goto fail;
            }
            p = end;
        }
        while (*p == ' ' || *p == '\n')
            p++;
        int trailing = *p != '\0';
        free(block);
        if (trailing) {
            what = "trailing data after the weights";
            goto fail;
        }
    }
    fclose(f);
    return m;
fail:
    stance_error_set(err, STANCE_ERR_MODEL, "%s: %s", path, what);
    fclose(f);
    if (m)
        free_and_destroy_model(&m);
    return NULL;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_info.c: `apoflow info FILE... [--json] [--dataset N] [--stats]`: describe FCS files
 * (version, data sets, events, parameters, data type, byte order, spillover, keywords,
 * warnings). --stats decodes every event (in blocks, so memory stays bounded) and adds
 * per-channel min, max, mean and the count of NaN/Inf values: the quickest integrity check.
 */
#include "cli/cli.h"
#include "cli/options.h"
#include "fcs/export.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct info_options {
    bool json;
    bool stats;
    bool text_only;
    size_t dataset; /* 1-based; 0 = all */
    fcs_read_options read;
} info_options;

enum { OPT_JSON = CLI_KEY_LONG, OPT_STATS, OPT_DATASET, OPT_TEXT_ONLY };

static const cli_option info_options_table[] = {
    {"json", OPT_JSON, NULL, "output",
     "one JSON object per file and line (keys: file, version, datasets)", NULL},
    {"stats", OPT_STATS, NULL, "output",
     "decode every event; add per-channel min, max, mean of the raw values and the count of "
     "NaN/Inf (an integrity check)", NULL},
    {"dataset", OPT_DATASET, "N", "input", "only data set N (1-based)", "all"},
    {"text-only", OPT_TEXT_ONLY, NULL, "input", "read HEADER and TEXT only", NULL},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const info_tables[] = {info_options_table, cli_read_options, NULL};

static const cli_spec info_spec = {
    "info",
    "usage: apoflow info [OPTIONS] FILE...\n\n"
    "Describe FCS files: version, data sets, events, parameters, data type, byte order,\n"
    "spillover matrix, keywords and the reader's warnings.\n",
    info_tables,
    "exit codes: 0 ok, 64 usage, 65 bad input data, 66 cannot open input, 71 out of memory\n"};

static double stats_mean(const fcs_channel_stats *s)
{
    return s->n_finite ? s->sum / (double)s->n_finite : NAN;
}

static void json_spillover(FILE *out, const fcs_spillover *sp)
{
    if (sp == NULL) {
        fputs("null", out);
        return;
    }
    fputs("{\"keyword\":", out);
    apo_json_string(out, sp->keyword ? sp->keyword : "");
    fputs(",\"names\":[", out);
    for (size_t i = 0; i < sp->n; i++) {
        fputs(i ? "," : "", out);
        apo_json_string(out, sp->names[i]);
    }
    fputs("],\"matrix\":[", out);
    for (size_t i = 0; i < sp->n; i++) {
        fputs(i ? ",[" : "[", out);
        for (size_t j = 0; j < sp->n; j++) {
            fputs(j ? "," : "", out);
            apo_json_number(out, sp->values[i * sp->n + j]);
        }
        fputs("]", out);
    }
    fputs("]}", out);
}

static void json_dataset(FILE *out, const fcs_dataset *ds, size_t index,
                         const fcs_channel_stats *st)
{
    size_t n_params = fcs_dataset_n_params(ds);
    fprintf(out, "{\"index\":%zu,\"version\":", index + 1);
    apo_json_string(out, fcs_dataset_version(ds));
    fprintf(out, ",\"offset\":%llu,\"events\":%llu,\"parameters\":[",
            (unsigned long long)fcs_dataset_offset(ds),
            (unsigned long long)fcs_dataset_n_events(ds));
    for (size_t p = 0; p < n_params; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        fputs(p ? ",{\"name\":" : "{\"name\":", out);
        apo_json_string(out, pr->name);
        fputs(",\"label\":", out);
        apo_json_string(out, pr->label);
        fprintf(out, ",\"bits\":%u,\"range\":", pr->bits);
        apo_json_number(out, pr->range);
        fputs(",\"amplification\":[", out);
        apo_json_number(out, pr->log_decades);
        fputc(',', out);
        apo_json_number(out, pr->log_offset);
        fputs("],\"gain\":", out);
        apo_json_number(out, pr->gain);
        if (st != NULL) {
            fputs(",\"stats\":{\"min\":", out);
            apo_json_number(out, st[p].n_finite ? st[p].min : NAN);
            fputs(",\"max\":", out);
            apo_json_number(out, st[p].n_finite ? st[p].max : NAN);
            fputs(",\"mean\":", out);
            apo_json_number(out, stats_mean(&st[p]));
            fprintf(out, ",\"nan\":%llu,\"inf\":%llu}", (unsigned long long)st[p].n_nan,
                    (unsigned long long)st[p].n_inf);
        }
        fputc('}', out);
    }
    char dt[2] = {(char)fcs_dataset_datatype(ds), '\0'};
    fputs("],\"datatype\":", out);
    apo_json_string(out, dt);
    fputs(",\"byteord\":", out);
    apo_json_string(out, fcs_dataset_byteord(ds));
    fputs(",\"keywords\":{", out);
    size_t n_kw = fcs_dataset_n_keywords(ds);
    bool first = true;
    for (size_t k = 0; k < n_kw; k++) {
        const fcs_keyword *kw = fcs_dataset_keyword_at(ds, k);
        /* Duplicates: the first wins, as in the reader's lookups. */
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++) {
            seen = strcmp(fcs_dataset_keyword_at(ds, j)->name, kw->name) == 0;
        }
        if (seen) {
            continue;
        }
        fputs(first ? "" : ",", out);
        first = false;
        apo_json_string(out, kw->name);
        fputc(':', out);
        apo_json_string_n(out, kw->value, kw->value_len);
    }
    fputs("},\"spillover\":", out);
    json_spillover(out, fcs_dataset_spillover(ds));
    fputs(",\"warnings\":[", out);
    for (size_t w = 0; w < fcs_dataset_n_warnings(ds); w++) {
        fputs(w ? "," : "", out);
        apo_json_string(out, fcs_dataset_warning(ds, w)->msg);
    }
    fputs("]}", out);
}

static const char *amplification(const fcs_param *p, char *buf, size_t cap)
{
    if (p->log_decades > 0) {
        snprintf(buf, cap, "log %g dec", p->log_decades);
    } else {
        snprintf(buf, cap, "linear");
    }
    return buf;
}

/* When a channel has a gain, say which commands divide by it: a threshold copied from the
 * instrument's software is in undivided units (docs/algorithms.md, "Values"). */
static void print_gain_rule(FILE *out, const fcs_dataset *ds)
{
    size_t n = 0;
    for (size_t p = 0; p < fcs_dataset_n_params(ds); p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        n += fcs_param_gain_divides(pr);
    }
    if (n > 0) {
        fprintf(out, "    gain: %zu channel%s with $PnG != 1: run, gate and plot divide their "
                     "linear values by it (so do export with --apply-gain); comp and export do "
                     "not\n",
                n, n == 1 ? "" : "s");
    }
}

static void human_dataset(FILE *out, const fcs_dataset *ds, size_t index, size_t n_sets,
                          const fcs_channel_stats *st)
{
    size_t n_params = fcs_dataset_n_params(ds);
    fprintf(out, "  data set %zu of %zu: %s, %llu events, %zu parameters, $DATATYPE %c, "
                 "$BYTEORD %s\n",
            index + 1, n_sets, fcs_dataset_version(ds),
            (unsigned long long)fcs_dataset_n_events(ds), n_params,
            (char)fcs_dataset_datatype(ds), fcs_dataset_byteord(ds));
    const char *keys[] = {"$CYT", "$DATE", "$FIL", "$SRC"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const char *v = fcs_dataset_keyword(ds, keys[k]);
        if (v != NULL && v[0] != '\0') {
            fprintf(out, "    %-6s %s\n", keys[k], v);
        }
    }
    int wname = 4, wlabel = 5;
    for (size_t p = 0; p < n_params; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        int a = (int)strlen(pr->name), b = (int)strlen(pr->label);
        wname = a > wname ? (a > 40 ? 40 : a) : wname;
        wlabel = b > wlabel ? (b > 40 ? 40 : b) : wlabel;
    }
    fprintf(out, "    %3s  %-*s  %-*s  %4s  %12s  %-12s  %8s", "#", wname, "name", wlabel,
            "label", "bits", "range", "amplification", "gain");
    if (st != NULL) {
        fprintf(out, "  %14s  %14s  %14s  %s", "min", "max", "mean", "nan/inf");
    }
    fputc('\n', out);
    for (size_t p = 0; p < n_params; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        char amp[32];
        fprintf(out, "    %3zu  %-*.40s  %-*.40s  %4u  %12g  %-12s  %8g", p + 1, wname, pr->name,
                wlabel, pr->label, pr->bits, pr->range, amplification(pr, amp, sizeof(amp)),
                pr->gain);
        if (st != NULL) {
            fprintf(out, "  %14.6g  %14.6g  %14.6g  %llu/%llu",
                    st[p].n_finite ? st[p].min : NAN, st[p].n_finite ? st[p].max : NAN,
                    stats_mean(&st[p]), (unsigned long long)st[p].n_nan,
                    (unsigned long long)st[p].n_inf);
        }
        fputc('\n', out);
    }
    print_gain_rule(out, ds);
    const fcs_spillover *sp = fcs_dataset_spillover(ds);
    if (sp != NULL) {
        fprintf(out, "    spillover (%s, %zu x %zu):", sp->keyword ? sp->keyword : "", sp->n, sp->n);
        for (size_t i = 0; i < sp->n; i++) {
            fprintf(out, " %s", sp->names[i]);
        }
        fputc('\n', out);
    } else {
        fprintf(out, "    spillover: none\n");
    }
    for (size_t w = 0; w < fcs_dataset_n_warnings(ds); w++) {
        fprintf(out, "    warning: %s\n", fcs_dataset_warning(ds, w)->msg);
    }
}

/* Describe one file (FILE#N: only its data set N); returns its exit code. */
static int info_file(const char *arg, const info_options *opts)
{
    cli_file_ref ref;
    if (!cli_file_ref_parse(arg, &ref)) {
        cli_errorf("out of memory");
        return CLI_EXIT_OSERR;
    }
    const char *path = ref.path;
    info_options one = *opts;
    const info_options *o = &one;
    if (ref.has_dataset) {
        one.dataset = ref.dataset;
    }
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    apo_status rc = fcs_file_open(&f, path, &o->read, &err);
    if (rc != APO_OK) {
        cli_print_error(&err);
        cli_file_ref_free(&ref);
        return apo_status_exit_code(rc);
    }
    size_t n_sets = fcs_file_n_datasets(f);
    if ((ref.has_dataset || o->dataset > 0) &&
        cli_dataset_in_range(path, o->dataset, n_sets) != CLI_EXIT_OK) {
        fcs_file_free(f);
        cli_file_ref_free(&ref);
        return CLI_EXIT_DATAERR;
    }
    size_t lo = o->dataset ? o->dataset - 1 : 0;
    size_t hi = o->dataset ? o->dataset : n_sets;
    int code = CLI_EXIT_OK;
    if (o->json) {
        fputs("{\"file\":", stdout);
        apo_json_string(stdout, path);
        fputs(",\"version\":", stdout);
        apo_json_string(stdout, n_sets ? fcs_dataset_version(fcs_file_dataset(f, 0)) : "");
        fputs(",\"datasets\":[", stdout);
    } else {
        printf("%s\n  %llu bytes, %zu data set%s\n", path, (unsigned long long)fcs_file_size(f),
               n_sets, n_sets == 1 ? "" : "s");
    }
    for (size_t d = lo; d < hi; d++) {
        const fcs_dataset *ds = fcs_file_dataset(f, d);
        fcs_channel_stats *st = NULL;
        if (o->stats && fcs_dataset_has_data(ds)) {
            st = calloc(fcs_dataset_n_params(ds) + 1, sizeof(*st));
            rc = st ? fcs_dataset_channel_stats(ds, apo_pool_cores(), st, &err)
                    : apo_error_set(&err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
            if (rc != APO_OK) {
                free(st);
                st = NULL;
                cli_print_error(&err);
                code = cli_worse_exit(code, apo_status_exit_code(rc));
            }
        }
        if (o->json) {
            fputs(d > lo ? "," : "", stdout);
            json_dataset(stdout, ds, d, st);
        } else {
            human_dataset(stdout, ds, d, n_sets, st);
        }
        free(st);
    }
    if (o->json) {
        fputs("],\"warnings\":[", stdout);
        for (size_t w = 0; w < fcs_file_n_warnings(f); w++) {
            fputs(w ? "," : "", stdout);
            apo_json_string(stdout, fcs_file_warning(f, w)->msg);
        }
        fputs("]}\n", stdout);
    } else {
        for (size_t w = 0; w < fcs_file_n_warnings(f); w++) {
            printf("  warning: %s\n", fcs_file_warning(f, w)->msg);
        }
    }
    fcs_file_free(f);
    cli_file_ref_free(&ref);
    return code;
}

/* Apply option @p key; false after printing an error. */
static bool info_option(info_options *o, int key, const char *arg)
{
    uint64_t n = 0;
    switch (key) {
    case OPT_JSON:
        o->json = true;
        return true;
    case OPT_STATS:
        o->stats = true;
        return true;
    case OPT_TEXT_ONLY:
        o->read.text_only = true;
        return true;
    case OPT_DATASET:
        if (!cli_parse_count("--dataset", arg, 1, &n)) {
            return false;
        }
        o->dataset = (size_t)n;
        return true;
    default:
        return cli_read_option(key, arg, &o->read);
    }
}

int cmd_info(int argc, char **argv)
{
    info_options o = {false, false, false, 0, FCS_READ_OPTIONS_INIT};
    cli_parser p;
    cli_parser_init(&p, &info_spec, argc, argv);
    const char *arg;
    int key;
    while ((key = cli_parser_next(&p, &arg)) != CLI_OPTS_DONE) {
        if (key == CLI_OPTS_EXIT) {
            return p.exit_code;
        }
        if (!info_option(&o, key, arg)) {
            return CLI_EXIT_USAGE;
        }
    }
    int first = cli_parser_operands(&p);
    if (first >= argc) {
        cli_errorf("info: expected at least one FCS file");
        cli_print_help(&info_spec, stderr);
        return CLI_EXIT_USAGE;
    }
    int code = CLI_EXIT_OK;
    for (int i = first; i < argc; i++) {
        code = cli_worse_exit(code, info_file(argv[i], &o));
        fflush(stdout);
    }
    return code;
}

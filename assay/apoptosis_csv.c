// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * apoptosis_csv.c: the CSV outputs of the apoptosis analysis (docs/outputs.md): samples.csv
 * (one row per sample), comparisons.csv (one row per comparison) and stats.csv (tidy long:
 * sample,population,statistic,channel,value). Full precision, NaN as an empty field, RFC 4180
 * quoting, each written atomically.
 */
#include "assay/assay.h"
#include "util/csv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void put_str(FILE *f, const char *s)
{
    apo_csv_write_field(f, s);
}

static void put_num(FILE *f, double v)
{
    if (isfinite(v)) {
        char buf[40];
        apo_format_double(buf, sizeof buf, v);
        fputs(buf, f);
    }
}

static void put_u64(FILE *f, uint64_t v)
{
    fprintf(f, "%llu", (unsigned long long)v);
}

static apo_status finish(apo_atomic_file *af, apo_error *err)
{
    if (ferror(af->fp)) {
        const char *p = af->final_path;
        apo_status st = apo_error_set(err, APO_E_WRITE, p, APO_NO_OFFSET, NULL, "write error");
        apo_atomic_abort(af);
        return st;
    }
    return apo_atomic_commit(af, err);
}

static const assay_sheet_row *row_of(const assay_sheet *sheet, const char *sample)
{
    for (size_t i = 0; sheet != NULL && i < sheet->n_rows; i++) {
        if (strcmp(sheet->rows[i].sample, sample) == 0) {
            return &sheet->rows[i];
        }
    }
    return NULL;
}

apo_status assay_write_samples_csv(const assay_result *r, const assay_input *in,
                                      const assay_sheet *sheet, const char *path, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    fputs("sample,file,role,treatment,dose,dose_unit,replicate,events,singlets,viable_pct,"
          "early_apoptotic_pct,late_apoptotic_pct,necrotic_pct,apoptotic_pct,annexin_threshold,"
          "pi_threshold,qc_flags,cells,viable_count,early_apoptotic_count,late_apoptotic_count,"
          "necrotic_count,annexin_channel,pi_channel",
          f);
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        fprintf(f, ",annexin_median_%s,pi_median_%s", assay_quadrant_name(q), assay_quadrant_name(q));
    }
    fputs(",annexin_valley,flow_max_deviation,qc_detail,error", f);
    for (size_t k = 0; sheet != NULL && k < sheet->n_extra; k++) {
        fputc(',', f);
        put_str(f, sheet->extra_names[k]);
    }
    fputs(",annexin_valley_depth,pi_valley_depth", f);
    fputc('\n', f);
    for (size_t i = 0; i < r->n_samples; i++) {
        const assay_sample *s = &r->samples[i];
        const assay_input *x = &in[i];
        bool failed = (s->qc & ASSAY_QC_FAILED) != 0;
        char flags[160];
        assay_qc_flags_format(s->qc, flags, sizeof flags);
        put_str(f, x->sample);
        fputc(',', f);
        put_str(f, x->file);
        fputc(',', f);
        put_str(f, assay_role_name(x->role));
        fputc(',', f);
        put_str(f, x->treatment);
        fputc(',', f);
        put_str(f, x->dose_text);
        fputc(',', f);
        put_str(f, x->dose_unit);
        fputc(',', f);
        if (x->replicate) {
            fprintf(f, "%u", x->replicate);
        }
        fputc(',', f);
        if (!failed) {
            put_u64(f, s->events);
            fputc(',', f);
            put_u64(f, s->singlets);
            for (int q = 0; q < ASSAY_Q_COUNT; q++) {
                fputc(',', f);
                put_num(f, s->pct[q]);
            }
            fputc(',', f);
            put_num(f, s->apoptotic_pct);
        } else {
            fputs(",,,,,,", f);
        }
        fputc(',', f);
        put_num(f, r->annexin.value);
        fputc(',', f);
        put_num(f, r->pi.value);
        fputc(',', f);
        put_str(f, flags);
        fputc(',', f);
        if (!failed) {
            put_u64(f, s->cells);
            for (int q = 0; q < ASSAY_Q_COUNT; q++) {
                fputc(',', f);
                put_u64(f, s->count[q]);
            }
        } else {
            fputs(",,,", f);
            fputc(',', f);
        }
        fputc(',', f);
        put_str(f, s->annexin_name);
        fputc(',', f);
        put_str(f, s->pi_name);
        for (int q = 0; q < ASSAY_Q_COUNT; q++) {
            fputc(',', f);
            if (!failed) {
                put_num(f, s->median_annexin[q]);
            }
            fputc(',', f);
            if (!failed) {
                put_num(f, s->median_pi[q]);
            }
        }
        fputc(',', f);
        if (!failed) {
            put_num(f, s->annexin_valley);
        }
        fputc(',', f);
        if (!failed) {
            put_num(f, s->flow_max_dev);
        }
        fputc(',', f);
        put_str(f, s->qc_detail);
        fputc(',', f);
        put_str(f, s->error);
        const assay_sheet_row *row = row_of(sheet, x->sample);
        for (size_t k = 0; sheet != NULL && k < sheet->n_extra; k++) {
            fputc(',', f);
            put_str(f, row ? row->extra[k] : "");
        }
        const double depth[2] = {failed ? NAN : s->annexin_depth, failed ? NAN : s->pi_depth};
        for (int k = 0; k < 2; k++) {
            fputc(',', f);
            if (isfinite(depth[k])) {
                put_num(f, depth[k]);
            }
        }
        fputc('\n', f);
    }
    return finish(&af, err);
}

/* The columns added after `note` (docs/outputs.md). */
static void put_comparison_tail(FILE *f, const assay_comparison *c)
{
    put_str(f, assay_comparison_kind_name(c->comparison));
    fputs(c->replicates ? ",true," : ",false,", f);
    put_num(f, c->p_adjusted);
    fputc(',', f);
    put_str(f, assay_adjust_name(c->adjust_method));
    const double v[] = {c->t_adjusted,
                        c->df_adjusted,
                        c->anova_f,
                        c->anova_df1,
                        c->anova_df2,
                        c->anova_p};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        fputc(',', f);
        put_num(f, v[i]);
    }
    fputc(',', f);
    put_str(f, assay_ci_method_name(c->ci_method));
    const double w[] = {c->ci_low,
                        c->ci_high,
                        c->difference_ci_low,
                        c->difference_ci_high,
                        c->reduction_relative_ci_low,
                        c->reduction_relative_ci_high};
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
        fputc(',', f);
        put_num(f, w[i]);
    }
    fprintf(f, ",%llu,%llu,%llu,%llu", (unsigned long long)c->events_apoptotic,
            (unsigned long long)c->events_singlets, (unsigned long long)c->ref_events_apoptotic,
            (unsigned long long)c->ref_events_singlets);
}

apo_status assay_write_comparisons_csv(const assay_result *r, const char *path,
                                          apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    fputs("treatment,dose,dose_unit,n,apoptotic_pct_mean,apoptotic_pct_sd,"
          "stimulus_apoptotic_pct_mean,difference_pp,reduction_relative_pct,"
          "reduction_normalized_pct,p_value,test,stimulus_n,stimulus_apoptotic_pct_sd,"
          "untreated_n,untreated_apoptotic_pct_mean,statistic,df,p_value_vs_untreated,"
          "test_vs_untreated,note,comparison,replicates,p_adjusted,adjust_method,"
          "statistic_adjusted,df_adjusted,anova_f,anova_df1,anova_df2,anova_p,ci_method,"
          "apoptotic_pct_ci_low,apoptotic_pct_ci_high,difference_pp_ci_low,"
          "difference_pp_ci_high,reduction_relative_ci_low,reduction_relative_ci_high,"
          "apoptotic_events,singlet_events,reference_apoptotic_events,"
          "reference_singlet_events\n",
          f);
    for (size_t i = 0; i < r->n_comparisons; i++) {
        const assay_comparison *c = &r->comparisons[i];
        put_str(f, c->treatment);
        fputc(',', f);
        put_str(f, c->dose_text);
        fputc(',', f);
        put_str(f, c->dose_unit);
        fprintf(f, ",%zu,", c->n);
        put_num(f, c->mean);
        fputc(',', f);
        put_num(f, c->sd);
        fputc(',', f);
        put_num(f, c->stim_mean);
        fputc(',', f);
        put_num(f, c->difference_pp);
        fputc(',', f);
        put_num(f, c->reduction_relative_pct);
        fputc(',', f);
        put_num(f, c->reduction_normalized_pct);
        fputc(',', f);
        put_num(f, c->p_value);
        fputc(',', f);
        put_str(f, assay_test_name(c->test));
        fprintf(f, ",%zu,", c->stim_n);
        put_num(f, c->stim_sd);
        fprintf(f, ",%zu,", c->untreated_n);
        put_num(f, c->untreated_mean);
        fputc(',', f);
        put_num(f, c->t);
        fputc(',', f);
        put_num(f, c->df);
        fputc(',', f);
        put_num(f, c->p_value_vs_untreated);
        fputc(',', f);
        put_str(f, assay_test_name(c->test_vs_untreated));
        fputc(',', f);
        put_str(f, c->note);
        fputc(',', f);
        put_comparison_tail(f, c);
        fputc('\n', f);
    }
    return finish(&af, err);
}

static void stat_row(FILE *f, const char *sample, const char *pop, const char *stat,
                     const char *channel, double v)
{
    put_str(f, sample);
    fputc(',', f);
    put_str(f, pop);
    fputc(',', f);
    put_str(f, stat);
    fputc(',', f);
    put_str(f, channel);
    fputc(',', f);
    if (strcmp(stat, "count") == 0 && v >= 0 && v < 1e18) {
        put_u64(f, (uint64_t)v);
    } else {
        put_num(f, v);
    }
    fputc('\n', f);
}

apo_status assay_write_stats_csv(const assay_result *r, const assay_input *in,
                                    const char *path, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    fputs("sample,population,statistic,channel,value\n", f);
    for (size_t i = 0; i < r->n_samples; i++) {
        const assay_sample *s = &r->samples[i];
        if (s->qc & ASSAY_QC_FAILED) {
            continue;
        }
        const char *nm = in[i].sample;
        stat_row(f, nm, "all_events", "count", "", (double)s->events);
        stat_row(f, nm, "cells", "count", "", (double)s->cells);
        stat_row(f, nm, "cells", "pct_parent", "",
                 s->events ? 100.0 * (double)s->cells / (double)s->events : NAN);
        stat_row(f, nm, "singlets", "count", "", (double)s->singlets);
        stat_row(f, nm, "singlets", "pct_parent", "",
                 s->cells ? 100.0 * (double)s->singlets / (double)s->cells : NAN);
        for (int q = 0; q < ASSAY_Q_COUNT; q++) {
            const char *p = assay_quadrant_name(q);
            stat_row(f, nm, p, "count", "", (double)s->count[q]);
            stat_row(f, nm, p, "pct_parent", "", s->pct[q]);
            stat_row(f, nm, p, "median", s->annexin_name, s->median_annexin[q]);
            stat_row(f, nm, p, "median", s->pi_name, s->median_pi[q]);
        }
        stat_row(f, nm, "apoptotic", "count", "",
                 (double)(s->count[ASSAY_Q_EARLY] + s->count[ASSAY_Q_LATE]));
        stat_row(f, nm, "apoptotic", "pct_parent", "", s->apoptotic_pct);
    }
    return finish(&af, err);
}

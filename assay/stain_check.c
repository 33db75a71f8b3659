// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * stain_check.c: a stain's channel taken from its detector name alone, checked against the
 * experiment's own single-stain control (docs/algorithms.md, "Channels").
 *
 * Without a $PnS label naming the stain (and without --annexin / --pi) the channels are
 * guessed from detector names: FITC for Annexin V, PE-Texas Red, PE, FL3 ... for the dead-cell
 * dye. That guess is wrong when the kit is another (Annexin V-APC with DAPI read on an
 * instrument whose FITC detector is unused), and every number would then be confidently wrong.
 * The single-stain control tells where its stain is: per fluorescence channel, the share of
 * its singlets above the unstained control's 99.5th percentile (0.5 % where the stain is not,
 * the stained cells' share plus that where it is, and no more than that in the detectors it
 * spills into, which see the same cells dimmer). When the guessed channel shows almost none
 * of them (under 2 %) while another shows many (at least 10 %, and five times as many), the run
 * says so, naming the control, both shares and the channel to give.
 */
#include "assay/apoptosis_internal.h"
#include "assay/statistics.h"

#include <math.h>
#include <stdlib.h>

#define CHECK_Q 0.995     /* the unstained control's quantile a stained event must pass */
#define CHECK_NONE 0.02   /* at most this share above it: the channel shows no stain */
#define CHECK_MANY 0.10   /* at least this share: a channel that shows the stain */
#define CHECK_RATIO 5.0   /* and this many times the guessed channel's share */

/* The loaded singlets of sample @p i (l->parent set); false when it cannot be loaded. */
static bool load_singlets(const assay_input *in, const assay_sample_state *c, int i,
                          const gate_strategy *s, size_t parent_idx, uint64_t max_events,
                          assay_loaded *l)
{
    apo_error err;
    if (assay_load(&in[i], &c[i], max_events, l, &err) != APO_OK) {
        return false;
    }
    gate_result res = {0};
    const apo_status st = assay_parent_mask(s, l, parent_idx, &res, &err);
    gate_result_free(&res);
    if (st != APO_OK) {
        assay_loaded_free(l);
        return false;
    }
    return true;
}

/* The unstained singlets' CHECK_Q quantile in each fluorescence column of @p ds (NaN in the
 * scatter and time columns and where no value is finite), malloc'd; NULL when the loaded
 * events are not of @p ds's panel or memory runs out. Computed once for both stains. */
static double *unstained_lines(const fcs_dataset *ds, const assay_loaded *u)
{
    const size_t np = fcs_dataset_n_params(ds), nu = (size_t)u->ev.n_events;
    double *t = u->ev.n_params == np ? malloc((np ? np : 1) * sizeof *t) : NULL;
    double *scratch = malloc((nu ? nu : 1) * sizeof *scratch);
    for (size_t j = 0; t != NULL && scratch != NULL && j < np; j++) {
        t[j] = NAN;
        if (!assay_channel_is_scatter_or_time(fcs_dataset_param(ds, j))) {
            const size_t m = assay_masked(fcs_events_column(&u->ev, j), u->parent, nu, scratch);
            t[j] = m > 0 ? assay_quantile(scratch, m, CHECK_Q) : NAN;
        }
    }
    if (scratch == NULL) {
        free(t);
        t = NULL;
    }
    free(scratch);
    return t;
}

/* The share of the control's singlets above @p line in column @p col; NaN when the line is
 * not finite or the control has no finite value there. */
static double share_above(const assay_loaded *k, size_t col, double line)
{
    if (!isfinite(line)) {
        return NAN;
    }
    const double *x = fcs_events_column(&k->ev, col);
    size_t above = 0, m = 0;
    for (size_t e = 0; e < (size_t)k->ev.n_events; e++) {
        if (k->parent[e] && isfinite(x[e])) {
            above += x[e] > line;
            m++;
        }
    }
    return m > 0 ? (double)above / (double)m : NAN;
}

/* Check one stain's guessed channel @p chosen (a column of the reference sample's data set
 * @p ds) with the control @p k against the unstained control's lines @p t; warns into
 * @p out. */
static void check_one(const fcs_dataset *ds, size_t chosen, const char *stain,
                      const char *control, const char *option, const double *t,
                      const assay_loaded *k, assay_result *out)
{
    const size_t np = fcs_dataset_n_params(ds);
    if (k->ev.n_params != np || chosen >= np) {
        return; /* another panel: the analysis says so itself */
    }
    const double own = share_above(k, chosen, t[chosen]);
    double best = -1;
    size_t at = SIZE_MAX;
    for (size_t j = 0; j < np && isfinite(own) && own < CHECK_NONE; j++) {
        const double f = j == chosen ? NAN : share_above(k, j, t[j]);
        if (isfinite(f) && f > best) {
            best = f;
            at = j;
        }
    }
    if (at == SIZE_MAX || best < CHECK_MANY || best < CHECK_RATIO * own) {
        return;
    }
    const char *guess = fcs_dataset_param(ds, chosen)->name;
    const char *other = fcs_dataset_param(ds, at)->name;
    apo_result_warn(out,
                    "%s channel %s was taken from its detector name, but the %s-only control "
                    "%s has %.1f %% of its singlets above the unstained control's 99.5th "
                    "percentile there and %.1f %% in %s: the %s stain is likely read in %s "
                    "(give %s %s, or name the stain in the channel's $PnS); every percentage "
                    "of this run rests on %s",
                    stain, guess, stain, control, 100.0 * own, 100.0 * best, other, stain, other,
                    option, other, guess);
}

void assay_check_stain_channels(const assay_input *in, const assay_sample_state *c, size_t n,
                                size_t ref, const gate_strategy *s, size_t parent_idx,
                                uint64_t max_events, assay_result *out)
{
    const assay_channels *ch = &c[ref].ch;
    const bool ann = ch->annexin_by_detector, pi = ch->pi_by_detector;
    const int iu = assay_first_ok(in, c, n, ASSAY_ROLE_UNSTAINED);
    if ((!ann && !pi) || iu < 0) {
        return;
    }
    assay_loaded u;
    if (!load_singlets(in, c, iu, s, parent_idx, max_events, &u)) {
        return;
    }
    double *t = unstained_lines(in[ref].ds, &u);
    assay_loaded_free(&u);
    if (t == NULL) {
        return;
    }
    const struct {
        bool guessed;
        assay_role role;
        size_t chosen;
        const char *stain, *option;
    } dyes[2] = {{ann, ASSAY_ROLE_ANNEXIN_SINGLE, ch->annexin, "Annexin V", "--annexin"},
                 {pi, ASSAY_ROLE_PI_SINGLE, ch->pi, "dead-cell dye", "--pi"}};
    for (int d = 0; d < 2; d++) {
        const int ik = dyes[d].guessed ? assay_first_ok(in, c, n, dyes[d].role) : -1;
        assay_loaded k;
        if (ik < 0 || !load_singlets(in, c, ik, s, parent_idx, max_events, &k)) {
            continue;
        }
        check_one(in[ref].ds, dyes[d].chosen, dyes[d].stain, in[ik].sample, dyes[d].option, t,
                  &k, out);
        assay_loaded_free(&k);
    }
    free(t);
}

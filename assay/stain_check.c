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

/* The share of the control's singlets above the unstained singlets' CHECK_Q quantile in
 * column @p col of both; NaN when either has no finite value there. */
static double share_above(const assay_loaded *u, const assay_loaded *k, size_t col,
                          double *scratch)
{
    const size_t nu = (size_t)u->ev.n_events, nk = (size_t)k->ev.n_events;
    const size_t mu = assay_masked(fcs_events_column(&u->ev, col), u->parent, nu, scratch);
    const double t = mu > 0 ? assay_quantile(scratch, mu, CHECK_Q) : NAN;
    if (!isfinite(t)) {
        return NAN;
    }
    const double *x = fcs_events_column(&k->ev, col);
    size_t above = 0, m = 0;
    for (size_t e = 0; e < nk; e++) {
        if (k->parent[e] && isfinite(x[e])) {
            above += x[e] > t;
            m++;
        }
    }
    return m > 0 ? (double)above / (double)m : NAN;
}

/* Check one stain's guessed channel @p chosen (a column of the reference sample's data set
 * @p ds) with the control @p k against the unstained @p u; warns into @p out. */
static void check_one(const fcs_dataset *ds, size_t chosen, const char *stain,
                      const char *control, const char *option, const assay_loaded *u,
                      const assay_loaded *k, assay_result *out)
{
    const size_t np = fcs_dataset_n_params(ds), nu = (size_t)u->ev.n_events;
    if (u->ev.n_params != np || k->ev.n_params != np || chosen >= np) {
        return; /* another panel: the analysis says so itself */
    }
    double *scratch = malloc((nu ? nu : 1) * sizeof *scratch);
    if (scratch == NULL) {
        return;
    }
    const double own = share_above(u, k, chosen, scratch);
    double best = -1;
    size_t at = SIZE_MAX;
    for (size_t j = 0; j < np && isfinite(own) && own < CHECK_NONE; j++) {
        if (j == chosen || assay_channel_is_scatter_or_time(fcs_dataset_param(ds, j))) {
            continue;
        }
        const double f = share_above(u, k, j, scratch);
        if (isfinite(f) && f > best) {
            best = f;
            at = j;
        }
    }
    free(scratch);
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
        check_one(in[ref].ds, dyes[d].chosen, dyes[d].stain, in[ik].sample, dyes[d].option, &u,
                  &k, out);
        assay_loaded_free(&k);
    }
    assay_loaded_free(&u);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strategy_links.c: resolving the references between gates (parents, boolean operands) and
 * to transforms, ratios and spillover matrices; cycle detection; population paths.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include <stdlib.h>
#include <string.h>

void gs_links_free(const gate_strategy *s, gs_links *l)
{
    if (l == NULL) {
        return;
    }
    if (l->operand != NULL) {
        for (size_t i = 0; i < s->n_gates; i++) {
            free(l->operand[i]);
        }
    }
    free(l->operand);
    free(l->parent);
    l->operand = NULL;
    l->parent = NULL;
}

static apo_status check_dim_refs(const gate_strategy *s, const char *gate_id, const gate_dim *d,
                                 apo_error *err)
{
    if (d->transform_ref != NULL && gs_find_transform(s, d->transform_ref) == NULL) {
        return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, gate_id,
                             "expected a defined transformation-ref, found \"%s\"",
                             d->transform_ref);
    }
    if (d->ratio_ref != NULL && gs_find_ratio(s, d->ratio_ref) == NULL) {
        return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, gate_id,
                             "expected a defined fratio transformation, found \"%s\"",
                             d->ratio_ref);
    }
    if (!gs_comp_is_none(d->comp_ref) && strcmp(d->comp_ref, GATE_COMP_FCS) != 0 &&
        gs_find_spill(s, d->comp_ref) == NULL) {
        return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, gate_id,
                             "expected compensation-ref \"FCS\", \"uncompensated\" or a defined "
                             "spectrumMatrix, found \"%s\"",
                             d->comp_ref);
    }
    return APO_OK;
}

/* Depth-first visit for cycle detection over parent and operand edges. */
static apo_status visit(const gate_strategy *s, const gs_links *l, size_t g, unsigned char *state,
                        apo_error *err)
{
    if (state[g] == 2) {
        return APO_OK;
    }
    if (state[g] == 1) {
        return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, s->gates[g].id,
                             "expected gates without circular references, found a cycle "
                             "through \"%s\"",
                             s->gates[g].id);
    }
    state[g] = 1;
    if (l->parent[g] != SIZE_MAX) {
        apo_status st = visit(s, l, l->parent[g], state, err);
        if (st != APO_OK) {
            return st;
        }
    }
    for (size_t k = 0; l->operand[g] != NULL && k < s->gates[g].n_operands; k++) {
        apo_status st = visit(s, l, l->operand[g][k], state, err);
        if (st != APO_OK) {
            return st;
        }
    }
    state[g] = 2;
    return APO_OK;
}

apo_status gs_links_build(const gate_strategy *s, gs_links *out, apo_error *err)
{
    size_t n = s->n_gates;
    out->parent = calloc(n ? n : 1, sizeof(size_t));
    out->operand = calloc(n ? n : 1, sizeof(size_t *));
    unsigned char *state = calloc(n ? n : 1, 1);
    apo_status st = APO_OK;
    if (out->parent == NULL || out->operand == NULL || state == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for gate links, found none");
        goto done;
    }
    for (size_t g = 0; g < n && st == APO_OK; g++) {
        const gs_gate *gt = &s->gates[g];
        const char *pid = gs_parent_id(s, g);
        out->parent[g] = SIZE_MAX;
        if (pid != NULL) {
            size_t p = gate_strategy_find(s, pid);
            if (p == SIZE_MAX || s->gates[p].kind == GATE_QUADRANT_GATE) {
                st = apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, gt->id,
                                   "expected parent_id to name a gate or quadrant, found \"%s\"",
                                   pid);
                break;
            }
            out->parent[g] = p;
        }
        for (size_t d = 0; d < gt->n_dims && st == APO_OK; d++) {
            st = check_dim_refs(s, gt->id, &gt->dims[d], err);
        }
        for (size_t d = 0; d < gt->n_dividers && st == APO_OK; d++) {
            st = check_dim_refs(s, gt->id, &gt->dividers[d].dim, err);
        }
        if (gt->kind == GATE_BOOLEAN && st == APO_OK) {
            out->operand[g] = calloc(gt->n_operands, sizeof(size_t));
            if (out->operand[g] == NULL) {
                st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                   "expected memory for gate links, found none");
                break;
            }
            for (size_t k = 0; k < gt->n_operands; k++) {
                size_t o = gate_strategy_find(s, gt->operands[k]);
                if (o == SIZE_MAX || s->gates[o].kind == GATE_QUADRANT_GATE) {
                    st = apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, gt->id,
                                       "expected gateReference to name a gate or quadrant, "
                                       "found \"%s\"",
                                       gt->operands[k]);
                    break;
                }
                out->operand[g][k] = o;
            }
        }
    }
    for (size_t g = 0; g < n && st == APO_OK; g++) {
        st = visit(s, out, g, state, err);
    }
done:
    free(state);
    if (st != APO_OK) {
        gs_links_free(s, out);
    }
    return st;
}

/*
 * Refuse hierarchies deeper than GATE_MAX_DEPTH levels: real strategies have a handful, and
 * every population path is as long as its depth, so an untrusted document with a chain of
 * thousands of gates would make reports quadratic in size. Depths are memoised, so this is
 * O(n_gates) once the links (and so the absence of cycles) are checked.
 */
static apo_status check_depth(const gate_strategy *s, apo_error *err)
{
    size_t n = s->n_gates;
    size_t *depth = calloc(n ? n : 1, sizeof *depth);  /* 0 = not known yet */
    size_t *chain = malloc((n ? n : 1) * sizeof *chain);
    apo_status st = APO_OK;
    if (depth == NULL || chain == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t i = 0; st == APO_OK && i < n; i++) {
        size_t len = 0, g = i;
        while (g != SIZE_MAX && depth[g] == 0 && len < n) {
            chain[len++] = g;
            g = gate_strategy_parent(s, g);
        }
        size_t d = (g == SIZE_MAX || len == n) ? 0 : depth[g];
        while (len > 0) {
            depth[chain[--len]] = ++d;
        }
        if (depth[i] > GATE_MAX_DEPTH) {
            st = apo_error_set(err, APO_E_UNSUPPORTED, NULL, APO_NO_OFFSET, s->gates[i].id,
                               "expected a gate hierarchy at most %d levels deep, found %zu",
                               GATE_MAX_DEPTH, depth[i]);
        }
    }
    free(depth);
    free(chain);
    return st;
}

apo_status gate_strategy_validate(const gate_strategy *s, apo_error *err)
{
    gs_links l = {0};
    apo_status st = gs_links_build(s, &l, err);
    gs_links_free(s, &l);
    if (st == APO_OK) {
        st = check_depth(s, err);
    }
    return st;
}

char *gate_strategy_path(const gate_strategy *s, size_t i)
{
    if (i >= s->n_gates) {
        return NULL;
    }
    /* Walk up by id, at most n_gates steps (a longer walk means a cycle). */
    size_t len = 0, depth = 0;
    size_t g = i;
    while (g != SIZE_MAX) {
        if (++depth > s->n_gates) {
            return NULL;
        }
        len += strlen(s->gates[g].id) + 1;
        g = gate_strategy_parent(s, g);
    }
    char *p = malloc(len);
    if (p == NULL) {
        return NULL;
    }
    size_t end = len - 1;
    p[end] = '\0';
    g = i;
    while (g != SIZE_MAX) {
        size_t n = strlen(s->gates[g].id);
        end -= n;
        memcpy(p + end, s->gates[g].id, n);
        g = gate_strategy_parent(s, g);
        if (g != SIZE_MAX) {
            p[--end] = '/';
        }
    }
    return p;
}

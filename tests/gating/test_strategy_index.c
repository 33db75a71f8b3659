/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_strategy_index.c: gate lookups by id through the sorted index (any insertion order,
 * duplicates refused), and the depth limit that keeps untrusted deep hierarchies from making
 * population reports quadratic (bug B3 of docs/hardening.md).
 */
#include "gating/gate.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *chain_document(size_t n)
{
    size_t cap = 512 + n * 256, len = 0;
    char *doc = malloc(cap);
    len += (size_t)snprintf(doc + len, cap - len,
                            "<gating:Gating-ML xmlns:gating=\"http://www.isac-net.org/std/"
                            "Gating-ML/v2.0/gating\" xmlns:data-type=\"http://www.isac-net.org/"
                            "std/Gating-ML/v2.0/datatypes\">\n");
    for (size_t i = 0; i < n; i++) {
        char parent[64] = "";
        if (i > 0) {
            snprintf(parent, sizeof parent, " gating:parent_id=\"G%zu\"", i - 1);
        }
        len += (size_t)snprintf(doc + len, cap - len,
                                "<gating:RectangleGate gating:id=\"G%zu\"%s><gating:dimension "
                                "gating:min=\"1\"><data-type:fcs-dimension data-type:name="
                                "\"FL1-A\"/></gating:dimension></gating:RectangleGate>\n",
                                i, parent);
    }
    snprintf(doc + len, cap - len, "</gating:Gating-ML>\n");
    return doc;
}

Test(gating_strategy_index, deep_chain_within_limit_reads_and_finds_every_gate)
{
    char *doc = chain_document(200);
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_read_gml_buffer(&s, doc, strlen(doc), "chain.xml", &err), APO_OK,
                 "%s", err.msg);
    cr_assert_eq(gate_strategy_n_gates(s), 200);
    for (size_t i = 0; i < 200; i++) {
        char id[32];
        snprintf(id, sizeof id, "G%zu", i);
        size_t g = gate_strategy_find(s, id);
        cr_assert_neq(g, SIZE_MAX, "%s not found", id);
        gate_info info;
        gate_strategy_gate(s, g, &info);
        cr_assert_str_eq(info.id, id);
        cr_assert_eq(gate_strategy_parent(s, g), i == 0 ? SIZE_MAX : gate_strategy_find(s, info.parent_id));
    }
    cr_assert_eq(gate_strategy_find(s, "G200"), SIZE_MAX);
    cr_assert_eq(gate_strategy_find(s, "G"), SIZE_MAX);
    gate_strategy_free(s);
    free(doc);
}

Test(gating_strategy_index, too_deep_a_hierarchy_is_refused)
{
    char *doc = chain_document(2000);
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_read_gml_buffer(&s, doc, strlen(doc), "deep.xml", &err),
                 APO_E_UNSUPPORTED);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "deep.xml") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "at most 256 levels deep, found 257") != NULL, "%s", err.msg);
    free(doc);
}

Test(gating_strategy_index, ids_added_in_any_order_are_found_and_unique)
{
    gate_strategy *s = NULL;
    cr_assert_eq(gate_strategy_new(&s, NULL), APO_OK);
    const char *ids[] = {"m", "b", "z", "a", "q", "c", "zz", "A"};
    gate_dim dim = {.name = "FL1-A"};
    double lo = 0, hi = 1;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        cr_assert_eq(gate_strategy_add_rectangle(s, ids[i], NULL, 1, &dim, &lo, &hi, NULL), APO_OK);
    }
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        cr_assert_eq(gate_strategy_find(s, ids[i]), i, "%s", ids[i]);
    }
    apo_error err;
    cr_assert_eq(gate_strategy_add_rectangle(s, "q", NULL, 1, &dim, &lo, &hi, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "\"q\" twice") != NULL, "%s", err.msg);
    cr_assert_eq(gate_strategy_find(s, "q"), 4);
    gate_strategy_free(s);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_shrink.c: a file truncated by another process after it was opened fails the decoding
 * with an error naming the file and offset, never with SIGBUS; a file replaced by a rename is
 * still read as the file that was opened (fcs/rows.c).
 */
#include "fcs/fcs.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_EV 50000u
#define N_PAR 3u

static void write_float_file(const char *path)
{
    double *v = malloc(sizeof(double) * N_EV * N_PAR);
    cr_assert_not_null(v);
    for (size_t i = 0; i < N_EV * N_PAR; i++) {
        v[i] = (double)(i % 1000);
    }
    fcs_write_param params[N_PAR] = {{"A", NULL, 1024}, {"B", NULL, 1024}, {"C", NULL, 1024}};
    fcs_write_spec spec = {N_PAR, params, N_EV, v, 0, NULL};
    apo_error err;
    cr_assert_eq(fcs_write_file(path, &spec, &err), APO_OK, "%s", err.msg);
    free(v);
}

Test(fcs_shrink, truncated_after_open_is_an_error_not_sigbus)
{
    char *dir = test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/shrinks.fcs", dir);
    write_float_file(path);
    fcs_file *f = NULL;
    apo_error err;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open(&f, path, &ro, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_eq(truncate(path, (off_t)(fcs_file_size(f) / 2)), 0);

    fcs_events ev;
    fcs_decode_options d = FCS_DECODE_OPTIONS_INIT;
    apo_status st = fcs_dataset_read_events(ds, &d, &ev, &err);
    cr_assert_eq(st, APO_E_IO, "status %d: %s", (int)st, err.msg);
    cr_assert(strstr(err.msg, "shrank while being read") != NULL, "%s", err.msg);
    cr_assert(strstr(err.file, "shrinks.fcs") != NULL, "%s", err.file);
    cr_assert_neq(err.offset, APO_NO_OFFSET);
    fcs_file_free(f);
    unlink(path);
    free(dir);
}

/* Replaced by a rename after open: the data read are those of the file that was opened. */
Test(fcs_shrink, replaced_after_open_reads_the_opened_file)
{
    char *dir = test_tmpdir();
    char path[4096], other[4096];
    snprintf(path, sizeof path, "%s/replaced.fcs", dir);
    snprintf(other, sizeof other, "%s/other.fcs", dir);
    write_float_file(path);
    FILE *o = fopen(other, "wb");
    cr_assert_not_null(o);
    cr_assert_eq(fputs("not an FCS file", o) >= 0, true);
    cr_assert_eq(fclose(o), 0);
    fcs_file *f = NULL;
    apo_error err;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open(&f, path, &ro, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(rename(other, path), 0);
    fcs_events ev;
    fcs_decode_options d = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(fcs_file_dataset(f, 0), &d, &ev, &err), APO_OK, "%s",
                 err.msg);
    cr_assert_eq(ev.n_events, N_EV);
    cr_assert_float_eq(ev.values[N_EV + 7], (double)((N_EV + 7) % 1000), 0); /* column-major */
    fcs_events_free(&ev);
    fcs_file_free(f);
    unlink(path);
    free(dir);
}

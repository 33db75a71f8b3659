/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_hostile_names.c: sample names are untrusted: a sheet naming a sample
 * "../../../<tmp>/pwned" makes apoflow run write nothing outside its output folder; the plot
 * gets a safe file name while samples.csv and the report keep the original name.
 */
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(cli_hostile_names, sample_names_cannot_place_files, .timeout = 300)
{
    char *dir = test_tmpdir();
    char victim[4096], sheet[4096], out[4096], hostile[4096];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    cr_assert_eq(mkdir(victim, 0755), 0);
    snprintf(out, sizeof out, "%s/deep/er/out", dir);
    /* from out/plots/, "../../../victim/pwned" would land in the victim folder */
    snprintf(hostile, sizeof hostile, "../../../../victim/pwned");
    char *text = test_slurp(APOFLOW_SOURCE_DIR "/samples/sheet.csv", NULL);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", dir);
    FILE *f = fopen(sheet, "w");
    cr_assert_not_null(f);
    for (char *line = text; *line; line = strchr(line, '\n') + 1) {
        size_t len = strcspn(line, "\n");
        if (strncmp(line, "h2o2_r1.fcs,h2o2_r1,", 20) == 0) {
            fprintf(f, "%s/samples/h2o2_r1.fcs,\"%s\"%.*s\n", APOFLOW_SOURCE_DIR, hostile,
                    (int)(len - 19), line + 19);
        } else if (strncmp(line, "file,", 5) == 0) {
            fprintf(f, "%.*s\n", (int)len, line);
        } else {
            fprintf(f, "%s/samples/%.*s\n", APOFLOW_SOURCE_DIR, (int)len, line);
        }
        if (line[len] == '\0') {
            break;
        }
    }
    fclose(f);
    free(text);
    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-o", out, "-q", NULL};
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    /* nothing in the victim folder */
    DIR *d = opendir(victim);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        cr_assert(e->d_name[0] == '.', "a file was written outside the output: %s", e->d_name);
    }
    closedir(d);
    /* the plot has a safe name inside plots/, the table keeps the original name */
    char plots[4200];
    snprintf(plots, sizeof plots, "%s/plots", out);
    d = opendir(plots);
    cr_assert_not_null(d);
    size_t safe = 0, safe_time = 0;
    while ((e = readdir(d)) != NULL) {
        bool named = strstr(e->d_name, "pwned~") != NULL;
        safe_time += named && strstr(e->d_name, ".time.png") != NULL;
        safe += named && strstr(e->d_name, ".png") != NULL && strstr(e->d_name, ".time.") == NULL;
        cr_assert_null(strchr(e->d_name, '/'));
    }
    closedir(d);
    cr_assert_eq(safe, 1, "expected one plot named after the sanitised name");
    cr_assert_eq(safe_time, 1, "expected one Time plot named after the sanitised name");
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/samples.csv", out);
    char *s = test_slurp(csv, NULL);
    cr_assert_not_null(strstr(s, hostile), "samples.csv keeps the original name");
    free(s);
    free(dir);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_write.c: the FCS 3.1 writer's bytes: HEADER fields, TEXT keywords, delimiter choice,
 * omitted empty values, $PnR defaults, float32 little-endian DATA, CRC placeholder, usage
 * errors, and the atomic file variant (target replaced only on success).
 */
#include "fcs/fcs.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t header_field(const uint8_t *buf, int i)
{
    uint64_t v = 0;
    cr_assert(apo_parse_u64((const char *)buf + 10 + 8 * i, 8, &v), "field %d", i);
    return v;
}

static bool has(const uint8_t *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

static const fcs_write_param params2[2] = {{"FSC-A", "Forward", 262144}, {"Annexin V", NULL, NAN}};
static const double values2[6] = {1, 2.5, -3, /* column 2: */ 10, 1022.25, 7};
static const fcs_write_keyword kws2[3] = {
    {"$CYT", "Simulated"}, {"EMPTY", ""}, {"$LAST_MODIFIED", "01-JAN-2026 00:00:00"}};

static fcs_write_spec spec2(void)
{
    fcs_write_spec s = {2, params2, 3, values2, 3, kws2};
    return s;
}

Test(fcs_write, header_text_and_data_layout)
{
    fcs_write_spec s = spec2();
    uint8_t *buf = NULL;
    size_t len = 0;
    apo_error err;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &s, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(memcmp(buf, "FCS3.1    ", 10), 0);
    cr_assert_eq(header_field(buf, 0), 58);
    uint64_t text_end = header_field(buf, 1);
    uint64_t data_begin = header_field(buf, 2);
    uint64_t data_end = header_field(buf, 3);
    cr_assert_eq(header_field(buf, 4), 0);
    cr_assert_eq(header_field(buf, 5), 0);
    cr_assert_eq(data_begin, text_end + 1);
    cr_assert_eq(data_end - data_begin + 1, 2 * 3 * 4);
    cr_assert_eq(len, data_end + 1 + 8);
    cr_assert_eq(memcmp(buf + len - 8, "00000000", 8), 0);
    cr_assert_eq(buf[58], '/');
    cr_assert_eq(buf[text_end], '/');

    size_t tl = (size_t)text_end + 1;
    char want[128];
    snprintf(want, sizeof(want), "/$BEGINDATA/%020llu/", (unsigned long long)data_begin);
    cr_assert(has(buf, tl, want), "%s", want);
    snprintf(want, sizeof(want), "/$ENDDATA/%020llu/", (unsigned long long)data_end);
    cr_assert(has(buf, tl, want), "%s", want);
    const char *must[] = {"/$BEGINANALYSIS/00000000000000000000/", "/$BEGINSTEXT/0000",
                          "/$DATATYPE/F/", "/$BYTEORD/1,2,3,4/", "/$MODE/L/", "/$NEXTDATA/0/",
                          "/$PAR/2/", "/$TOT/3/", "/$P1N/FSC-A/", "/$P1S/Forward/",
                          "/$P1B/32/", "/$P1E/0,0/", "/$P1R/262144/", "/$P2N/Annexin V/",
                          "/$P2R/1024/", "/$P2E/0,0/", "/$ORIGINALITY/DataModified/",
                          "/$LAST_MODIFIER/apoflow/", "/$LAST_MODIFIED/01-JAN-2026 00:00:00/",
                          "/$CYT/Simulated/"};
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
        cr_assert(has(buf, tl, must[i]), "missing %s", must[i]);
    }
    cr_assert(!has(buf, tl, "$P2S"), "no label keyword without a label");
    cr_assert(!has(buf, tl, "EMPTY"), "empty values are left out");
    cr_assert(!has(buf, tl, "//"), "no empty values or escapes");

    /* DATA: row-major float32 little-endian. */
    const uint8_t *d = buf + data_begin;
    for (size_t e = 0; e < 3; e++) {
        for (size_t p = 0; p < 2; p++) {
            float f = (float)values2[p * 3 + e];
            uint32_t u;
            memcpy(&u, &f, 4);
            const uint8_t *b = d + (e * 2 + p) * 4;
            uint32_t got = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                           (uint32_t)b[3] << 24;
            cr_assert_eq(got, u, "event %zu param %zu", e, p);
        }
    }
    free(buf);
}

Test(fcs_write, delimiter_avoids_used_characters)
{
    const fcs_write_keyword kws[2] = {{"$FIL", "a/b.fcs"}, {"NOTE", "x|y\\z"}};
    fcs_write_spec s = spec2();
    s.keywords = kws;
    s.n_keywords = 2;
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &s, NULL), APO_OK);
    cr_assert_eq(buf[58], '!');
    cr_assert(has(buf, len, "!$FIL!a/b.fcs!NOTE!x|y\\z!"));
    free(buf);
}

Test(fcs_write, doubles_delimiters_when_none_is_free)
{
    const fcs_write_keyword kws[1] = {{"ALL", "x/|\\!^~`"}};
    fcs_write_spec s = spec2();
    s.keywords = kws;
    s.n_keywords = 1;
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &s, NULL), APO_OK);
    cr_assert_eq(buf[58], '/');
    cr_assert(has(buf, len, "/ALL/x//|\\!^~`/"));
    uint64_t text_end = header_field(buf, 1);
    cr_assert_eq(header_field(buf, 2), text_end + 1, "offsets count the doubled bytes");
    free(buf);
}

Test(fcs_write, default_range_is_ceil_max_plus_one)
{
    const fcs_write_param ps[3] = {{"A", NULL, NAN}, {"B", NULL, -1}, {"C", NULL, 0}};
    const double v[6] = {-5, -7, 99.0, 100.5, NAN, INFINITY};
    fcs_write_spec s = {3, ps, 2, v, 0, NULL};
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &s, NULL), APO_OK);
    cr_assert(has(buf, len, "/$P1R/1/"), "negative max -> at least 1");
    cr_assert(has(buf, len, "/$P2R/102/"));
    cr_assert(has(buf, len, "/$P3R/1/"), "no finite value -> 1");
    free(buf);
}

Test(fcs_write, zero_events)
{
    const fcs_write_param ps[1] = {{"A", NULL, 1024}};
    fcs_write_spec s = {1, ps, 0, NULL, 0, NULL};
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &s, NULL), APO_OK);
    cr_assert(has(buf, len, "/$TOT/0/"));
    cr_assert_eq(len, header_field(buf, 1) + 1 + 8);
    free(buf);
}

static apo_status try_spec(const fcs_write_spec *s, apo_error *err)
{
    uint8_t *buf = (uint8_t *)"sentinel";
    size_t len = 5;
    apo_status st = fcs_write_buffer(&buf, &len, s, err);
    if (st != APO_OK) {
        cr_assert_null(buf);
        cr_assert_eq(len, 0);
    }
    free(st == APO_OK ? buf : NULL);
    return st;
}

Test(fcs_write, usage_errors)
{
    apo_error err;
    fcs_write_spec s = spec2();
    s.n_params = 0;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);

    const fcs_write_param dup[2] = {{"FSC-A", NULL, 1}, {"fsc-a", NULL, 1}};
    s = spec2();
    s.params = dup;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "unique") != NULL, "%s", err.msg);

    const fcs_write_param comma[2] = {{"FSC,A", NULL, 1}, {"B", NULL, 1}};
    s.params = comma;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);

    const fcs_write_param empty[2] = {{"", NULL, 1}, {"B", NULL, 1}};
    s.params = empty;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);

    s = spec2();
    s.values = NULL;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);

    const char *bad_names[] = {"$TOT", "$BEGINDATA", "$P1N", "$p2r", "$FOO", "$P3G", "$P0G",
                               "$DATATYPE", " NOTE", "NOTE\t", " "};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        const fcs_write_keyword kw[1] = {{bad_names[i], "1"}};
        s = spec2();
        s.keywords = kw;
        s.n_keywords = 1;
        cr_assert_eq(try_spec(&s, &err), APO_E_USAGE, "%s accepted", bad_names[i]);
    }
    const fcs_write_keyword ok_kw[3] = {{"$P2G", "2"}, {"$SPILLOVER", "1,A,1"}, {"$timestep", "0.01"}};
    s = spec2();
    s.keywords = ok_kw;
    s.n_keywords = 3;
    cr_assert_eq(try_spec(&s, &err), APO_OK, "%s", err.msg);

    const fcs_write_keyword twice[2] = {{"NOTE", "a"}, {"note", "b"}};
    s.keywords = twice;
    s.n_keywords = 2;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);

    const fcs_write_keyword all[1] = {{"/|\\!^~`", "a"}};
    s.keywords = all;
    s.n_keywords = 1;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);

    /* Every candidate occurs, and each one starts some value. */
    const fcs_write_keyword starts[7] = {{"A", "/|\\!^~`"}, {"B", "|"}, {"C", "\\"},
                                         {"D", "!"},        {"E", "^"}, {"F", "~"},
                                         {"G", "`"}};
    s.keywords = starts;
    s.n_keywords = 7;
    cr_assert_eq(try_spec(&s, &err), APO_E_USAGE);
    s.n_keywords = 6; /* '`' is free to delimit again (doubled inside A) */
    cr_assert_eq(try_spec(&s, &err), APO_OK, "%s", err.msg);
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/apoflow-write-XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d);
    char *copy = malloc(strlen(d) + 1);
    strcpy(copy, d);
    return copy;
}

static size_t count_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    cr_assert_not_null(dp);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(dp);
    return n;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    uint8_t *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, fp);
    fclose(fp);
    return buf;
}

Test(fcs_write, file_is_atomic_and_matches_buffer)
{
    char *dir = make_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/out.fcs", dir);
    FILE *fp = fopen(path, "wb");
    fputs("old", fp);
    fclose(fp);

    /* A bad spec leaves the old file alone and no temporary behind. */
    fcs_write_spec bad = spec2();
    bad.n_params = 0;
    apo_error err;
    cr_assert_eq(fcs_write_file(path, &bad, &err), APO_E_USAGE);
    size_t len = 0;
    uint8_t *got = slurp(path, &len);
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(got, "old", 3), 0);
    free(got);
    cr_assert_eq(count_entries(dir), 1);

    fcs_write_spec s = spec2();
    cr_assert_eq(fcs_write_file(path, &s, &err), APO_OK, "%s", err.msg);
    uint8_t *want = NULL;
    size_t want_len = 0;
    cr_assert_eq(fcs_write_buffer(&want, &want_len, &s, NULL), APO_OK);
    got = slurp(path, &len);
    cr_assert_eq(len, want_len);
    cr_assert_eq(memcmp(got, want, len), 0);
    cr_assert_eq(count_entries(dir), 1, "no temporary file left");
    free(got);
    free(want);

    /* A folder that does not exist: APO_E_WRITE. */
    char missing[600];
    snprintf(missing, sizeof(missing), "%s/no/such/dir/x.fcs", dir);
    cr_assert_eq(fcs_write_file(missing, &s, &err), APO_E_WRITE);

    unlink(path);
    rmdir(dir);
    free(dir);
}

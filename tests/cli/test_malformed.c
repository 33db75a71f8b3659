/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_malformed.c: `apoflow info --stats FILE` on damaged FCS files built in memory with
 * tests/support/fcs_builder.h and written to a temporary folder: truncations at every segment
 * boundary, offsets past the end, overlapping segments, absurd counts (one under a small
 * RLIMIT_AS), zero events, negative and non-numeric numbers, unterminated TEXT, duplicate
 * keywords, NaN/Inf data and a 2 GiB sparse file. Each must exit 65 with a message naming the
 * file and the offset/keyword, or 0 with the documented repair warning: never a signal, hang
 * or leak (run under ASan and valgrind too). docs/hardening.md lists the cases.
 */
#include "support/fcs_builder.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* A process that runs longer than this is a hang (generous: valgrind is slow). */
#define HANG_SECONDS 120

typedef struct outcome {
    int code;        /* exit status, 128 + signal, or -1 */
    bool timed_out;  /* killed after HANG_SECONDS */
    char *out;
    char *err;
} outcome;

/*
 * Run APOFLOW_BINARY with @p args (NULL-terminated, without argv[0]); with @p as_limit > 0 the
 * child runs under that RLIMIT_AS. A child still running after HANG_SECONDS is killed and
 * reported as timed out. (@p dir is where the test keeps its files.)
 */
static void run_apoflow(const char *dir, const char *const *args, rlim_t as_limit, outcome *o)
{
    (void)dir;
    const char *argv[16] = {APOFLOW_BINARY};
    size_t n = 1;
    for (; args[n - 1] != NULL && n < 15; n++) {
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    run_cli_options opts = {.as_limit = (unsigned long)as_limit, .timeout_s = HANG_SECONDS};
    run_result r;
    run_cli_with(argv, &opts, &r);
    o->code = r.exit_code;
    o->timed_out = r.timed_out;
    o->out = r.out;
    o->err = r.err;
}

/* Remove a test folder made by test_tmpdir. */
static void cleanup_dir(char *dir)
{
    cr_assert_eq(rmdir(dir), 0, "folder %s not empty", dir);
    free(dir);
}

static void outcome_free(outcome *o)
{
    free(o->out);
    free(o->err);
}

/* Write @p bytes as @p dir/@p name; returns the malloc'd path. */
static char *write_file(const char *dir, const char *name, const uint8_t *bytes, size_t len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp, "cannot create %s", path);
    cr_assert_eq(fwrite(bytes, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
    return path;
}

/* The base data set: FCS 3.1, three 16-bit integer channels, four events. */
static fcs_builder *base(void)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "FSC-A", 16, 1024);
    fcs_builder_param(b, "SSC-A", 16, 1024);
    fcs_builder_param(b, "FL1-A", 16, 1024);
    const double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    fcs_builder_set_events(b, 4, v);
    return b;
}

static uint8_t *build_free(fcs_builder *b, size_t *len)
{
    uint8_t *bytes = fcs_builder_build(b, len);
    fcs_builder_free(b);
    return bytes;
}

/* No signal, no hang, and (for the sanitizer/valgrind runs) no report turned into exit 1/23. */
static void assert_clean_exit(const outcome *o, const char *what)
{
    cr_assert(!o->timed_out, "%s: apoflow hung (killed after %d s)", what, HANG_SECONDS);
    cr_assert(o->code >= 0 && o->code < 128, "%s: apoflow died with %d; stderr: %s", what,
              o->code, o->err);
}

/*
 * @p name must be rejected: exit 65, one error line naming the file, a byte offset and
 * @p fragment (keyword or message part); nothing about memory.
 */
static void expect_rejected(const char *name, const uint8_t *bytes, size_t len,
                            const char *fragment)
{
    char *dir = test_tmpdir();
    char *path = write_file(dir, name, bytes, len);
    const char *args[] = {"info", "--stats", path, NULL};
    outcome o;
    run_apoflow(dir, args, 0, &o);
    assert_clean_exit(&o, name);
    cr_assert_eq(o.code, 65, "%s: expected exit 65, found %d; stderr: %s", name, o.code, o.err);
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "apoflow: error: %s: byte ", path);
    cr_assert(strstr(o.err, prefix) != NULL, "%s: expected \"%s...\" in stderr, found: %s", name,
              prefix, o.err);
    cr_assert(strstr(o.err, fragment) != NULL, "%s: expected \"%s\" in stderr, found: %s", name,
              fragment, o.err);
    cr_assert(strstr(o.err, "out of memory") == NULL, "%s: %s", name, o.err);
    outcome_free(&o);
    unlink(path);
    free(path);
    cleanup_dir(dir);
}

/*
 * @p name must be read (exit 0) with the repair warning @p warning on stdout, shaped
 * "warning: <file>: byte <offset>: ...". Returns the outcome for further checks (caller frees).
 */
static outcome expect_repaired(const char *name, const uint8_t *bytes, size_t len,
                               const char *warning)
{
    char *dir = test_tmpdir();
    char *path = write_file(dir, name, bytes, len);
    const char *args[] = {"info", "--stats", path, NULL};
    outcome o;
    run_apoflow(dir, args, 0, &o);
    assert_clean_exit(&o, name);
    cr_assert_eq(o.code, 0, "%s: expected exit 0, found %d; stderr: %s", name, o.code, o.err);
    if (warning != NULL) {
        char prefix[4200];
        snprintf(prefix, sizeof prefix, "warning: %s: byte ", path);
        cr_assert(strstr(o.out, prefix) != NULL, "%s: expected a warning in: %s", name, o.out);
        cr_assert(strstr(o.out, warning) != NULL, "%s: expected warning \"%s\" in: %s", name,
                  warning, o.out);
    }
    unlink(path);
    free(path);
    cleanup_dir(dir);
    return o;
}

/* A HEADER offset field (0 TEXT begin ... 3 DATA end) of built bytes. */
static size_t header_field(const uint8_t *bytes, int field)
{
    char buf[9];
    memcpy(buf, bytes + 10 + 8 * field, 8);
    buf[8] = '\0';
    return (size_t)strtoul(buf, NULL, 10); /* our own builder's output, not untrusted input */
}

Test(cli_malformed, truncated_at_every_segment_boundary)
{
    size_t len;
    uint8_t *good = build_free(base(), &len);
    size_t text_end = header_field(good, 1), data_begin = header_field(good, 2),
           data_end = header_field(good, 3);
    cr_assert(text_end > 100 && data_begin == text_end + 1 && data_end + 1 == len);
    static const struct {
        const char *where;
        const char *fragment;
    } header_cuts[] = {{"0", "found only 0 bytes"},
                       {"6", "found only 6 bytes"},
                       {"57", "found only 57 bytes"}};
    for (size_t i = 0; i < sizeof header_cuts / sizeof header_cuts[0]; i++) {
        size_t cut = (size_t)strtoul(header_cuts[i].where, NULL, 10);
        char name[64];
        snprintf(name, sizeof name, "cut%zu.fcs", cut);
        expect_rejected(name, good, cut, header_cuts[i].fragment);
    }
    /* Inside TEXT: right after the HEADER, in the middle, before the final delimiter. */
    const size_t text_cuts[] = {58, 59, (58 + text_end) / 2, text_end};
    for (size_t i = 0; i < sizeof text_cuts / sizeof text_cuts[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "cut%zu.fcs", text_cuts[i]);
        expect_rejected(name, good, text_cuts[i], "HEADER TEXT offsets");
    }
    /* TEXT complete, DATA missing / cut after one byte / halfway / one byte short. */
    const size_t data_cuts[] = {data_begin, data_begin + 1, (data_begin + data_end) / 2,
                                data_end};
    for (size_t i = 0; i < sizeof data_cuts / sizeof data_cuts[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "cut%zu.fcs", data_cuts[i]);
        expect_rejected(name, good, data_cuts[i], "$ENDDATA: expected DATA");
    }
    outcome o = expect_repaired("whole.fcs", good, len, NULL);
    cr_assert(strstr(o.out, "4 events, 3 parameters") != NULL, "%s", o.out);
    cr_assert(strstr(o.out, "warning") == NULL, "the intact file warns: %s", o.out);
    outcome_free(&o);
    free(good);
}

Test(cli_malformed, offsets_past_the_end)
{
    size_t len;
    fcs_builder *b = base();
    fcs_builder_keyword(b, "$BEGINDATA", "5000");
    fcs_builder_keyword(b, "$ENDDATA", "5023");
    fcs_builder_header_field(b, 2, "       0");
    fcs_builder_header_field(b, 3, "       0");
    uint8_t *bytes = build_free(b, &len);
    expect_rejected("text_data_offsets.fcs", bytes, len, "$BEGINDATA: expected DATA to begin");
    free(bytes);

    b = base();
    fcs_builder_header_field(b, 2, "99999990");
    fcs_builder_header_field(b, 3, "99999999");
    fcs_builder_omit(b, "$BEGINDATA");
    fcs_builder_omit(b, "$ENDDATA");
    bytes = build_free(b, &len);
    expect_rejected("header_data_offsets.fcs", bytes, len, "cannot locate DATA");
    free(bytes);

    b = base();
    fcs_builder_header_field(b, 1, "00009999");
    bytes = build_free(b, &len);
    expect_rejected("text_end.fcs", bytes, len, "found 58..9999");
    free(bytes);

    b = base();
    fcs_builder_header_field(b, 1, "99999999");
    bytes = build_free(b, &len);
    expect_rejected("text_placeholder.fcs", bytes, len, "99999999 placeholder");
    free(bytes);
}

Test(cli_malformed, overlapping_segments)
{
    size_t len;
    /* TEXT starting inside the HEADER. */
    fcs_builder *b = base();
    fcs_builder_header_field(b, 0, "      20");
    uint8_t *bytes = build_free(b, &len);
    expect_rejected("text_in_header.fcs", bytes, len, "found 20..");
    free(bytes);

    /* DATA offsets pointing into TEXT: read (the bytes are inside the file) with a warning. */
    b = base();
    fcs_builder_header_field(b, 2, "      58");
    fcs_builder_header_field(b, 3, "      81");
    fcs_builder_omit(b, "$BEGINDATA");
    fcs_builder_omit(b, "$ENDDATA");
    bytes = build_free(b, &len);
    outcome o = expect_repaired("data_in_text.fcs", bytes, len,
                                "$BEGINDATA: expected DATA outside the HEADER and TEXT");
    outcome_free(&o);
    free(bytes);

    /* HEADER and TEXT disagree; TEXT's pair is inside TEXT, the HEADER's fits. */
    b = base();
    fcs_builder_keyword(b, "$BEGINDATA", "60");
    fcs_builder_keyword(b, "$ENDDATA", "83");
    bytes = build_free(b, &len);
    o = expect_repaired("text_offsets_in_text.fcs", bytes, len, "expected HEADER and TEXT DATA");
    cr_assert(strstr(o.out, "      1              10             5.5") != NULL,
              "the HEADER's DATA was not used: %s", o.out);
    outcome_free(&o);
    free(bytes);
}

Test(cli_malformed, absurd_counts)
{
    static const struct {
        const char *name, *keyword, *value, *fragment;
    } cases[] = {
        {"tot_huge.fcs", "$TOT", "999999999999", "$TOT: expected 999999999999 events"},
        {"tot_2e64.fcs", "$TOT", "18446744073709551615",
         "$TOT: expected an event count that fits the file, found 18446744073709551615 events "
         "of 6 bytes (overflow)"},
        {"par_huge.fcs", "$PAR", "100000000", "$PAR: expected at most"},
        {"par_overflow.fcs", "$PAR", "99999999999999999999999", "$PAR"},
        {"pnb_huge.fcs", "$P3B", "99999999999", "$P3B: expected a bit width"},
        {"pnb_4096.fcs", "$P2B", "4096", "$P2B: expected a bit width"},
        {"pnr_huge.fcs", "$P1R", "1e308", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fcs_builder *b = base();
        fcs_builder_keyword(b, cases[i].keyword, cases[i].value);
        size_t len;
        uint8_t *bytes = build_free(b, &len);
        if (cases[i].fragment != NULL) {
            expect_rejected(cases[i].name, bytes, len, cases[i].fragment);
        } else {
            outcome o = expect_repaired(cases[i].name, bytes, len, NULL);
            outcome_free(&o);
        }
        free(bytes);
    }
}

/* A count that would need ~1.2 GB if trusted: a child limited to 256 MiB of address space
 * still gets the $TOT error (not "out of memory"), and --allow-truncated reads the 4 events. */
Test(cli_malformed, absurd_tot_under_rlimit_as)
{
    if (UNDER_ASAN) {
        cr_skip_test("RLIMIT_AS cannot be combined with ASan's shadow memory");
    }
    size_t len;
    fcs_builder *b = base();
    fcs_builder_keyword(b, "$TOT", "50000000");
    uint8_t *bytes = build_free(b, &len);
    char *dir = test_tmpdir();
    char *path = write_file(dir, "tot_50M.fcs", bytes, len);
    const rlim_t limit = (rlim_t)256 << 20;

    const char *args[] = {"info", "--stats", path, NULL};
    outcome o;
    run_apoflow(dir, args, limit, &o);
    assert_clean_exit(&o, "tot_50M");
    cr_assert_eq(o.code, 65, "exit %d; stderr: %s", o.code, o.err);
    cr_assert(strstr(o.err, "$TOT: expected 50000000 events of 6 bytes (300000000 bytes) in "
                            "DATA, found 24 bytes (4 complete events)") != NULL,
              "%s", o.err);
    outcome_free(&o);

    const char *args2[] = {"info", "--stats", "--allow-truncated", path, NULL};
    run_apoflow(dir, args2, limit, &o);
    assert_clean_exit(&o, "tot_50M --allow-truncated");
    cr_assert_eq(o.code, 0, "exit %d; stderr: %s", o.code, o.err);
    cr_assert(strstr(o.out, "4 events") != NULL, "%s", o.out);
    cr_assert(strstr(o.out, "found 4 complete events; reading those") != NULL, "%s", o.out);
    cr_assert(strstr(o.out, "      1              10             5.5") != NULL, "%s", o.out);
    outcome_free(&o);
    unlink(path);
    free(path);
    cleanup_dir(dir);
    free(bytes);
}

Test(cli_malformed, zero_events)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "FSC-A", 32, 1024);
    fcs_builder_set_datatype(b, 'F');
    fcs_builder_keyword(b, "$TOT", "0");
    size_t len;
    uint8_t *bytes = build_free(b, &len);
    outcome o = expect_repaired("zero.fcs", bytes, len, NULL);
    cr_assert(strstr(o.out, "0 events, 1 parameters") != NULL, "%s", o.out);
    cr_assert(strstr(o.out, "nan             nan             nan  0/0") != NULL, "%s", o.out);
    outcome_free(&o);
    free(bytes);
}

Test(cli_malformed, negative_and_non_numeric_numbers)
{
    static const struct {
        const char *name, *keyword, *value, *fragment;
    } cases[] = {
        {"tot_neg.fcs", "$TOT", "-5", "$TOT: expected a non-negative event count, found \"-5\""},
        {"tot_exp.fcs", "$TOT", "1e3", "$TOT: expected a non-negative event count"},
        {"tot_text.fcs", "$TOT", "four", "$TOT"},
        {"par_neg.fcs", "$PAR", "-3", "$PAR: expected a positive number of parameters"},
        {"par_zero.fcs", "$PAR", "0", "$PAR"},
        {"par_text.fcs", "$PAR", "abc", "found \"abc\""},
        {"pnb_neg.fcs", "$P3B", "-16", "$P3B"},
        {"pnb_text.fcs", "$P1B", "sixteen", "$P1B"},
        {"pnb_zero.fcs", "$P2B", "0", "$P2B"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fcs_builder *b = base();
        fcs_builder_keyword(b, cases[i].keyword, cases[i].value);
        size_t len;
        uint8_t *bytes = build_free(b, &len);
        expect_rejected(cases[i].name, bytes, len, cases[i].fragment);
        free(bytes);
    }
    size_t len;
    fcs_builder *b = base();
    fcs_builder_header_field(b, 1, "12a4");
    uint8_t *bytes = build_free(b, &len);
    expect_rejected("hdr_text.fcs", bytes, len, "HEADER TEXT end (bytes 18-25)");
    free(bytes);

    /* Repaired: a negative HEADER DATA offset means "absent" (TEXT has the offsets). */
    b = base();
    fcs_builder_header_field(b, 2, "-0000099");
    bytes = build_free(b, &len);
    outcome o = expect_repaired("hdr_neg.fcs", bytes, len, "negative means absent");
    outcome_free(&o);
    free(bytes);

    /* Repaired: unusable $BEGINDATA when the HEADER offsets are good. */
    b = base();
    fcs_builder_keyword(b, "$BEGINDATA", "xyz");
    bytes = build_free(b, &len);
    o = expect_repaired("begindata_text.fcs", bytes, len,
                        "$BEGINDATA: expected byte offsets, found $BEGINDATA \"xyz\"");
    outcome_free(&o);
    free(bytes);
}

Test(cli_malformed, unterminated_text)
{
    size_t len;
    /* No final delimiter: the last value runs to the end of the segment. */
    fcs_builder *b = base();
    fcs_builder_no_final_delim(b);
    uint8_t *bytes = build_free(b, &len);
    outcome o = expect_repaired("no_final.fcs", bytes, len,
                                "TEXT segment: expected it to end with the delimiter 0x2F");
    cr_assert(strstr(o.out, "4 events, 3 parameters") != NULL, "%s", o.out);
    outcome_free(&o);
    free(bytes);

    /* A keyword without a value at the end of TEXT: dropped with a warning. */
    b = base();
    fcs_builder_text_raw(b, "$CYT");
    fcs_builder_no_final_delim(b);
    bytes = build_free(b, &len);
    o = expect_repaired("dangling_keyword.fcs", bytes, len,
                        "expected a value after keyword \"$CYT\", found the end of the segment");
    outcome_free(&o);
    free(bytes);

    /* TEXT that is nothing but delimiters. */
    bytes = build_free(base(), &len);
    size_t text_end = header_field(bytes, 1);
    for (size_t i = 58; i <= text_end; i++) {
        bytes[i] = '/';
    }
    expect_rejected("all_delims.fcs", bytes, len, "expected the required keyword");
    free(bytes);
}

Test(cli_malformed, delimiter_at_the_end)
{
    /* ".../$CYT/a//": an escaped delimiter closing the segment, or an empty last token. */
    fcs_builder *b = base();
    fcs_builder_keyword(b, "$CYT", "ab");
    size_t len;
    uint8_t *bytes = build_free(b, &len);
    size_t at = fcs_bytes_find(bytes, len, "/$CYT/ab/");
    cr_assert_neq(at, SIZE_MAX);
    fcs_bytes_overwrite(bytes, len, at, "/$CYT/a//");
    char *dir = test_tmpdir();
    char *path = write_file(dir, "delim_end.fcs", bytes, len);
    const char *args[] = {"info", "--stats", path, NULL};
    outcome o;
    run_apoflow(dir, args, 0, &o);
    assert_clean_exit(&o, "delim_end");
    cr_assert_eq(o.code, 0, "exit %d: %s", o.code, o.err);
    cr_assert(strstr(o.out, "4 events, 3 parameters") != NULL, "%s", o.out);
    outcome_free(&o);

    /* The same with the final delimiter overwritten by the value's escaped delimiter. */
    const char *args2[] = {"info", "--stats", "--text-mode", "escape", path, NULL};
    run_apoflow(dir, args2, 0, &o);
    assert_clean_exit(&o, "delim_end escape");
    cr_assert(o.code == 0 || o.code == 65, "exit %d: %s", o.code, o.err);
    outcome_free(&o);
    unlink(path);
    free(path);
    cleanup_dir(dir);
    free(bytes);
}

Test(cli_malformed, duplicate_keywords)
{
    static const struct {
        const char *name, *keyword, *first, *second;
    } cases[] = {{"dup_cyt.fcs", "$CYT", "A", "B"},
                 {"dup_p1n.fcs", "$P1N", "FSC-A", "FSC-H"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fcs_builder *b = base();
        fcs_builder_keyword(b, cases[i].keyword, cases[i].first);
        fcs_builder_keyword(b, cases[i].keyword, cases[i].second);
        size_t len;
        uint8_t *bytes = build_free(b, &len);
        char want[200];
        snprintf(want, sizeof want,
                 "%s: expected each keyword once, found it again (value \"%s\"); the first "
                 "value \"%s\" is used",
                 cases[i].keyword, cases[i].second, cases[i].first);
        outcome o = expect_repaired(cases[i].name, bytes, len, want);
        cr_assert(strstr(o.out, "4 events, 3 parameters") != NULL, "%s", o.out);
        outcome_free(&o);
        free(bytes);
    }
}

/* A second, different value of a keyword that decides where or how DATA lies is never
 * resolved by a guess: exit 65 naming the keyword and both values. */
Test(cli_malformed, conflicting_layout_keywords_rejected)
{
    static const struct {
        const char *name, *keyword, *first, *second;
    } cases[] = {{"dup_par.fcs", "$PAR", "3", "2"},
                 {"dup_tot.fcs", "$TOT", "4", "3"},
                 {"dup_p2b.fcs", "$P2B", "32", "16"},
                 {"dup_byteord.fcs", "$BYTEORD", "1,2,3,4", "4,3,2,1"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fcs_builder *b = base();
        fcs_builder_keyword(b, cases[i].keyword, cases[i].first);
        fcs_builder_keyword(b, cases[i].keyword, cases[i].second);
        size_t len;
        uint8_t *bytes = build_free(b, &len);
        char want[200];
        snprintf(want, sizeof want,
                 "%s: expected each keyword once, found it twice with different values",
                 cases[i].keyword);
        expect_rejected(cases[i].name, bytes, len, want);
        free(bytes);
    }
}

Test(cli_malformed, nan_and_inf_in_float_data)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", 32, 1024);
    fcs_builder_param(b, "B", 32, 1024);
    fcs_builder_set_datatype(b, 'F');
    const double v[] = {1, NAN, INFINITY, 2, -INFINITY, 3, 4, 5};
    fcs_builder_set_events(b, 4, v);
    size_t len;
    uint8_t *bytes = build_free(b, &len);
    outcome o = expect_repaired("nan_inf.fcs", bytes, len, NULL);
    /* A: 1, +Inf, -Inf, 4 -> finite min 1, max 4, mean 2.5, 0 NaN / 2 Inf.
     * B: NaN, 2, 3, 5   -> min 2, max 5, 1 NaN / 0 Inf. */
    cr_assert(strstr(o.out, "1               4             2.5  0/2") != NULL, "%s", o.out);
    cr_assert(strstr(o.out, "2               5         3.33333  1/0") != NULL, "%s", o.out);
    outcome_free(&o);
    free(bytes);
}

/* A 2 GiB sparse file whose TEXT claims DATA up to byte 3e9: rejected at once, nothing read. */
Test(cli_malformed, sparse_2gib_file_claiming_more)
{
    fcs_builder *b = base();
    fcs_builder_keyword(b, "$TOT", "500000000");
    fcs_builder_keyword(b, "$ENDDATA", "3000000000");
    fcs_builder_header_field(b, 2, "       0");
    fcs_builder_header_field(b, 3, "       0");
    size_t len;
    uint8_t *bytes = build_free(b, &len);
    char *dir = test_tmpdir();
    char *path = write_file(dir, "sparse.fcs", bytes, len);
    int fd = open(path, O_WRONLY);
    cr_assert(fd >= 0);
    if (ftruncate(fd, (off_t)2147483648LL) != 0) {
        close(fd);
        unlink(path);
        cr_skip_test("cannot make a 2 GiB sparse file here");
    }
    close(fd);
    const char *args[] = {"info", "--stats", path, NULL};
    outcome o;
    run_apoflow(dir, args, 0, &o);
    unlink(path);
    assert_clean_exit(&o, "sparse");
    cr_assert_eq(o.code, 65, "exit %d: %s", o.code, o.err);
    cr_assert(strstr(o.err, "$ENDDATA: expected DATA") != NULL, "%s", o.err);
    cr_assert(strstr(o.err, "found the file ends at byte 2147483648") != NULL, "%s", o.err);
    outcome_free(&o);
    free(path);
    cleanup_dir(dir);
    free(bytes);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_output_safety.c: `apoflow run` on the bundled samples/ experiment is killed with
 * SIGKILL at pseudo-random moments (fixed seed); whatever it left in the output folder must be
 * complete and valid (CSV: header and the same number of fields on every row; PNG: decodes
 * with libpng; JSON parses; Gating-ML reads back; HTML is closed), only hidden ".*.tmp-*"
 * files may be partial. A read-only output folder is refused with exit 73 and a message naming
 * it, and the inputs are never modified (checksums before/after). docs/hardening.md.
 */
#include "gating/gate.h"
#include "support/json_mini.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SAMPLES APOFLOW_SOURCE_DIR "/samples"
#define SHEET SAMPLES "/sheet.csv"
#define N_KILLS 10

/* FNV-1a 64 of a whole file (0 when unreadable). */
static uint64_t file_checksum(const char *path)
{
    size_t len = 0;
    char *buf = test_read_file(path, &len);
    if (buf == NULL) {
        return 0;
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)buf[i]) * 1099511628211ull;
    }
    free(buf);
    return h ^ len;
}

/* Sum of the checksums of every *.fcs and *.csv in samples/ (the run's inputs). */
static uint64_t inputs_checksum(const char *dir, size_t *n_files)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot list %s", dir);
    uint64_t sum = 0;
    struct dirent *e;
    *n_files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 4 && (strcmp(e->d_name + n - 4, ".fcs") == 0 ||
                      strcmp(e->d_name + n - 4, ".csv") == 0)) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            sum += file_checksum(path) * (uint64_t)(*n_files + 1);
            (*n_files)++;
        }
    }
    closedir(d);
    return sum;
}

/* RFC 4180: every record has as many fields as the header; the file ends with a newline. */
static bool csv_valid(const char *text, size_t len, char *why, size_t why_len)
{
    if (len == 0 || text[len - 1] != '\n') {
        snprintf(why, why_len, "empty or no final newline");
        return false;
    }
    size_t fields = 1, header = 0, records = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < len && text[i + 1] == '"') {
                i++;
            } else if (c == '"') {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields++;
        } else if (c == '\n') {
            if (records == 0) {
                header = fields;
            } else if (fields != header) {
                snprintf(why, why_len, "record %zu has %zu fields, the header %zu", records,
                         fields, header);
                return false;
            }
            records++;
            fields = 1;
        }
    }
    if (quoted) {
        snprintf(why, why_len, "unterminated quote");
        return false;
    }
    return records >= 1 && header >= 1;
}

static bool png_valid(const char *path, char *why, size_t why_len)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        snprintf(why, why_len, "libpng: %s", img.message);
        return false;
    }
    img.format = PNG_FORMAT_RGBA;
    size_t size = PNG_IMAGE_SIZE(img);
    void *pixels = malloc(size);
    int ok = pixels != NULL && png_image_finish_read(&img, NULL, pixels, 0, NULL);
    if (!ok) {
        snprintf(why, why_len, "libpng: %s", img.message);
    }
    bool sane = ok && img.width >= 16 && img.height >= 16;
    free(pixels);
    png_image_free(&img);
    return sane;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Check one output file; temporary files of the atomic writer are counted, not checked. */
static void check_output(const char *path, const char *name, size_t *n_checked, size_t *n_temp)
{
    if (name[0] == '.' && strstr(name, ".tmp-") != NULL) {
        (*n_temp)++;
        return;
    }
    char why[512] = "";
    size_t len = 0;
    if (ends_with(name, ".png")) {
        cr_assert(png_valid(path, why, sizeof why), "%s: not a complete PNG (%s)", path, why);
    } else {
        char *text = test_read_file(path, &len);
        cr_assert_not_null(text, "cannot read %s", path);
        if (ends_with(name, ".csv")) {
            cr_assert(csv_valid(text, len, why, sizeof why), "%s: bad CSV: %s", path, why);
        } else if (ends_with(name, ".json")) {
            json_value *v = json_parse(text, len, NULL);
            cr_assert_not_null(v, "%s: not complete JSON", path);
            json_free(v);
        } else if (ends_with(name, ".xml")) {
            gate_strategy *s = NULL;
            apo_error err;
            cr_assert_eq(gate_strategy_read_gml_buffer(&s, text, len, path, &err), APO_OK,
                         "%s: %s", path, err.msg);
            gate_strategy_free(s);
        } else if (ends_with(name, ".html")) {
            cr_assert(strstr(text, "</html>") != NULL, "%s: HTML not closed", path);
        } else {
            cr_assert_gt(len, 0u, "%s: empty output", path);
        }
        free(text);
    }
    (*n_checked)++;
}

static void check_tree(const char *dir, size_t *n_checked, size_t *n_temp)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return; /* killed before the folder was made */
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        cr_assert_eq(lstat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            check_tree(path, n_checked, n_temp);
        } else {
            cr_assert(S_ISREG(st.st_mode), "%s: not a regular file", path);
            check_output(path, e->d_name, n_checked, n_temp);
        }
    }
    closedir(d);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            remove_tree(path);
        } else {
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

/* Start `apoflow run --sheet SHEET -o OUTDIR` with output discarded; returns its pid. */
static pid_t start_run(const char *outdir)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) {
            _exit(126);
        }
        execl(APOFLOW_BINARY, APOFLOW_BINARY, "run", "--sheet", SHEET, "-o", outdir,
              (char *)NULL);
        _exit(127);
    }
    return pid;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

Test(cli_output_safety, sigkill_at_random_moments_leaves_only_complete_outputs, .timeout = 900)
{
    size_t n_inputs = 0;
    uint64_t before = inputs_checksum(SAMPLES, &n_inputs);
    cr_assert_gt(n_inputs, 10u);
    char *base = test_tmpdir();

    /* One complete run: its outputs must all be valid, and it times the kill window. */
    char full[4200];
    snprintf(full, sizeof full, "%s/full", base);
    double t0 = now_seconds();
    pid_t pid = start_run(full);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    double duration = now_seconds() - t0;
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the full run failed: %d", status);
    size_t full_files = 0, temp = 0;
    check_tree(full, &full_files, &temp);
    cr_assert_geq(full_files, 6u, "the full run wrote %zu files", full_files);
    cr_assert_eq(temp, 0u, "a completed run left %zu temporary files", temp);

    /* Kill at moments spread over the run (fixed seed: the same points every time). */
    uint64_t rng = 20261125;
    size_t partial_runs = 0, checked_total = 0;
    for (int k = 0; k < N_KILLS; k++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        double frac = 0.05 + 0.95 * (double)(rng >> 11) / 9007199254740992.0;
        char out[4200];
        snprintf(out, sizeof out, "%s/kill%d", base, k);
        pid = start_run(out);
        sleep_seconds(frac * duration);
        kill(pid, SIGKILL);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        size_t checked = 0;
        temp = 0;
        check_tree(out, &checked, &temp);
        checked_total += checked;
        partial_runs += checked < full_files;
        cr_log_info("kill %d at %.0f%% of %.2f s: %zu complete outputs, %zu temporary files",
                    k, 100 * frac, duration, checked, temp);
        remove_tree(out);
    }
    remove_tree(full);
    cr_assert_eq(rmdir(base), 0);
    free(base);
    cr_assert_gt(checked_total + partial_runs, 0u);
    size_t n_after = 0;
    cr_assert_eq(inputs_checksum(SAMPLES, &n_after), before, "an input file changed");
    cr_assert_eq(n_after, n_inputs);
}

/* Copy samples/ (the .fcs files and the sheet) to @p dir, world-readable. */
static void copy_inputs(const char *dir)
{
    DIR *d = opendir(SAMPLES);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 4 && (strcmp(e->d_name + n - 4, ".fcs") == 0 ||
                      strcmp(e->d_name, "sheet.csv") == 0)) {
            char src[4096], dst[4096];
            snprintf(src, sizeof src, "%s/%s", SAMPLES, e->d_name);
            snprintf(dst, sizeof dst, "%s/%s", dir, e->d_name);
            size_t len = 0;
            char *buf = test_read_file(src, &len);
            cr_assert_not_null(buf);
            FILE *fp = fopen(dst, "wb");
            cr_assert_not_null(fp);
            cr_assert_eq(fwrite(buf, 1, len, fp), len);
            fclose(fp);
            free(buf);
            cr_assert_eq(chmod(dst, 0644), 0);
        }
    }
    closedir(d);
}

/* Run apoflow with stdout/stderr captured, as user nobody when we are root (root ignores
 * directory permissions). Returns the exit status; *err gets stderr (malloc'd). */
static int run_unprivileged(const char *dir, const char *sheet, const char *outdir, char **err)
{
    (void)dir;
    const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-o", outdir, NULL};
    run_cli_options opts = {.as_nobody = true};
    run_result r;
    int code = run_cli_with(argv, &opts, &r);
    *err = r.err;
    r.err = NULL;
    run_result_free(&r);
    cr_assert(code >= 0 && code < 125, "apoflow did not run or died: %d", code);
    return code;
}

Test(cli_output_safety, read_only_output_folder_is_refused, .timeout = 600)
{
    char *base = test_tmpdir();
    cr_assert_eq(chmod(base, 0777), 0); /* the stderr capture file, written as nobody */
    char in[4200], ro[4200], sheet[4300], sub[4300];
    snprintf(in, sizeof in, "%s/in", base);
    snprintf(ro, sizeof ro, "%s/ro", base);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", in);
    snprintf(sub, sizeof sub, "%s/new", ro);
    cr_assert_eq(mkdir(in, 0755), 0);
    cr_assert_eq(mkdir(ro, 0555), 0);
    cr_assert_eq(chmod(ro, 0555), 0);
    copy_inputs(in);
    size_t n_inputs = 0;
    uint64_t before = inputs_checksum(in, &n_inputs);
    cr_assert_gt(n_inputs, 10u);

    /* An output folder to be created inside a read-only one. */
    char *err = NULL;
    int code = run_unprivileged(base, sheet, sub, &err);
    cr_assert_eq(code, 73, "exit %d; stderr: %s", code, err);
    char want[4400];
    snprintf(want, sizeof want, "apoflow: error: %s: ", sub);
    cr_assert(strstr(err, want) != NULL, "expected \"%s\" in: %s", want, err);
    cr_assert(strstr(err, "Permission denied") != NULL, "%s", err);
    free(err);

    /* The read-only folder itself as the output folder. */
    code = run_unprivileged(base, sheet, ro, &err);
    cr_assert_eq(code, 73, "exit %d; stderr: %s", code, err);
    snprintf(want, sizeof want, "apoflow: error: %s: cannot create a file in the output folder: "
             "Permission denied", ro);
    cr_assert(strstr(err, want) != NULL, "expected \"%s\" in: %s", want, err);
    cr_assert(strstr(err, "run-start") == NULL, "an internal file named: %s", err);
    free(err);

    DIR *d = opendir(ro);
    cr_assert_not_null(d);
    size_t entries = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(d);
    cr_assert_eq(entries, 0u, "the read-only folder got %zu entries", entries);
    size_t n_after = 0;
    cr_assert_eq(inputs_checksum(in, &n_after), before, "an input file changed");
    cr_assert_eq(n_after, n_inputs);
    chmod(ro, 0755);
    remove_tree(base);
    free(base);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gen_fcs.c: writes the synthetic FCS 3.1 files the benchmarks read: N events x 12
 * parameters (default 10 million) as float32, int16 and int32, each little- and big-endian.
 * Files go to <dir>/synth_{f32,i16,i32}_{le,be}.fcs (default dir bench/data/<N>/, git-ignored);
 * existing files are kept unless -f is given. DATA offsets past 99,999,999 are written as
 * 0 in the HEADER, as the standard requires, so large files also exercise that rule.
 *
 * usage: gen_fcs [-n events] [-o dir] [-f]
 */
#include "fcs/fcs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define N_PARAMS 12
#define CHUNK_EVENTS 8192

typedef struct format {
    const char *name; /* file name part */
    char type;        /* 'F' or 'I' */
    unsigned bytes;   /* per value */
    bool big;
    const char *range; /* $PnR */
} format;

static const format formats[] = {
    {"f32_le", 'F', 4, false, "262144"},  {"f32_be", 'F', 4, true, "262144"},
    {"i16_le", 'I', 2, false, "65536"},   {"i16_be", 'I', 2, true, "65536"},
    {"i32_le", 'I', 4, false, "1048576"}, {"i32_be", 'I', 4, true, "1048576"},
};

static const char *const names[N_PARAMS] = {"FSC-A",  "FSC-H",  "SSC-A",  "SSC-H",
                                            "FL1-A",  "FL2-A",  "FL3-A",  "FL4-A",
                                            "FL5-A",  "FL6-A",  "FL7-A",  "Time"};

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static void put(uint8_t *d, uint64_t v, unsigned n, bool big)
{
    for (unsigned k = 0; k < n; k++) {
        d[big ? n - 1 - k : k] = (uint8_t)(v >> (8 * k));
    }
}

/* Append "name<delim>value<delim>" to text. */
static size_t kw(char *text, size_t cap, size_t at, const char *name, const char *value)
{
    int n = snprintf(text + at, cap - at, "%s/%s/", name, value);
    return (n > 0 && (size_t)n < cap - at) ? at + (size_t)n : cap;
}

static int write_file(const char *path, const format *f, uint64_t n_events)
{
    uint64_t row = (uint64_t)N_PARAMS * f->bytes;
    uint64_t data_len = n_events * row;
    char text[8192];
    char num[64];
    size_t at = 0;
    text[at++] = '/';
    /* Offsets are 20-digit zero-padded placeholders, filled in once the TEXT size is known. */
    const char *zero20 = "00000000000000000000";
    at = kw(text, sizeof(text), at, "$BEGINANALYSIS", zero20);
    at = kw(text, sizeof(text), at, "$ENDANALYSIS", zero20);
    at = kw(text, sizeof(text), at, "$BEGINSTEXT", zero20);
    at = kw(text, sizeof(text), at, "$ENDSTEXT", zero20);
    size_t begin_at = at + strlen("$BEGINDATA/");
    at = kw(text, sizeof(text), at, "$BEGINDATA", zero20);
    size_t end_at = at + strlen("$ENDDATA/");
    at = kw(text, sizeof(text), at, "$ENDDATA", zero20);
    at = kw(text, sizeof(text), at, "$BYTEORD", f->big ? "4,3,2,1" : "1,2,3,4");
    at = kw(text, sizeof(text), at, "$DATATYPE", f->type == 'F' ? "F" : "I");
    at = kw(text, sizeof(text), at, "$MODE", "L");
    at = kw(text, sizeof(text), at, "$NEXTDATA", "0");
    snprintf(num, sizeof(num), "%d", N_PARAMS);
    at = kw(text, sizeof(text), at, "$PAR", num);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)n_events);
    at = kw(text, sizeof(text), at, "$TOT", num);
    at = kw(text, sizeof(text), at, "$CYT", "apoflow gen_fcs");
    at = kw(text, sizeof(text), at, "$TIMESTEP", "0.01");
    for (int p = 0; p < N_PARAMS; p++) {
        char key[32];
        snprintf(key, sizeof(key), "$P%dN", p + 1);
        at = kw(text, sizeof(text), at, key, names[p]);
        snprintf(key, sizeof(key), "$P%dB", p + 1);
        snprintf(num, sizeof(num), "%u", f->bytes * 8);
        at = kw(text, sizeof(text), at, key, num);
        snprintf(key, sizeof(key), "$P%dE", p + 1);
        at = kw(text, sizeof(text), at, key, "0,0");
        snprintf(key, sizeof(key), "$P%dR", p + 1);
        at = kw(text, sizeof(text), at, key, f->range);
    }
    if (at >= sizeof(text)) {
        fprintf(stderr, "gen_fcs: TEXT too long\n");
        return 1;
    }
    uint64_t text_end = 58 + at - 1;
    uint64_t data_begin = text_end + 1;
    uint64_t data_end = data_len ? data_begin + data_len - 1 : 0;
    if (data_len == 0) {
        data_begin = 0;
    }
    snprintf(num, sizeof(num), "%020llu", (unsigned long long)data_begin);
    memcpy(text + begin_at, num, 20);
    snprintf(num, sizeof(num), "%020llu", (unsigned long long)data_end);
    memcpy(text + end_at, num, 20);
    bool small = data_end <= 99999999u;
    char header[128];
    snprintf(header, sizeof(header), "FCS3.1    %8d%8llu%8llu%8llu%8d%8d", 58,
             (unsigned long long)text_end, (unsigned long long)(small ? data_begin : 0),
             (unsigned long long)(small ? data_end : 0), 0, 0);

    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.part", path);
    FILE *fp = fopen(tmp, "wb");
    if (fp == NULL) {
        fprintf(stderr, "gen_fcs: %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    bool ok = fwrite(header, 1, 58, fp) == 58 && fwrite(text, 1, at, fp) == at;
    uint8_t *chunk = malloc(CHUNK_EVENTS * row);
    ok = ok && chunk != NULL;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (uint64_t e = 0; ok && e < n_events; e += CHUNK_EVENTS) {
        uint64_t n = n_events - e < CHUNK_EVENTS ? n_events - e : CHUNK_EVENTS;
        uint8_t *d = chunk;
        for (uint64_t i = 0; i < n; i++) {
            for (int p = 0; p < N_PARAMS; p++) {
                uint64_t r = xorshift(&seed);
                uint64_t v;
                if (p == N_PARAMS - 1) {
                    v = (e + i) / 100; /* time ticks */
                } else {
                    v = r >> 46; /* 18 random bits */
                }
                if (f->type == 'F') {
                    float x = (float)v + (float)(r & 0xFFFF) / 65536.0f;
                    uint32_t u;
                    memcpy(&u, &x, 4);
                    put(d, u, 4, f->big);
                } else if (f->bytes == 2) {
                    put(d, v & 0xFFFF, 2, f->big);
                } else {
                    put(d, (r >> 32) & 0xFFFFFFFFu, 4, f->big); /* high bits get masked */
                }
                d += f->bytes;
            }
        }
        ok = fwrite(chunk, row, n, fp) == n;
    }
    free(chunk);
    ok = ok && fwrite("00000000", 1, 8, fp) == 8;
    ok = (fclose(fp) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "gen_fcs: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return 1;
    }
    return 0;
}

static int make_dirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", dir);
    for (char *s = buf + 1; *s != '\0'; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(buf, 0777);
            *s = '/';
        }
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_fcs: cannot create %s: %s\n", buf, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n_events = 10000000;
    const char *dir = NULL;
    bool force = false;
    int opt;
    while ((opt = getopt(argc, argv, "n:o:f")) != -1) {
        switch (opt) {
        case 'n': {
            uint64_t v = 0;
            if (!apo_parse_u64(optarg, strlen(optarg), &v) || v == 0 || v > (1ull << 40)) {
                fprintf(stderr, "gen_fcs: bad event count '%s'\n", optarg);
                return 64;
            }
            n_events = v;
            break;
        }
        case 'o':
            dir = optarg;
            break;
        case 'f':
            force = true;
            break;
        default:
            fprintf(stderr, "usage: gen_fcs [-n events] [-o dir] [-f]\n");
            return 64;
        }
    }
    char default_dir[256];
    if (dir == NULL) {
        snprintf(default_dir, sizeof(default_dir), "bench/data/%llu",
                 (unsigned long long)n_events);
        dir = default_dir;
    }
    if (make_dirs(dir) != 0) {
        return 73;
    }
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/synth_%s.fcs", dir, formats[i].name);
        struct stat st;
        if (!force && stat(path, &st) == 0) {
            printf("kept      %s\n", path);
            continue;
        }
        if (write_file(path, &formats[i], n_events) != 0) {
            return 74;
        }
        printf("generated %s\n", path);
    }
    return 0;
}

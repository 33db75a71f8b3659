/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * need.c: skip, or under CI fail, a test whose external input is missing (need.h).
 */
#include "support/need.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void test_need_path(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        return;
    }
    const char *ci = getenv("CI");
    if (ci != NULL && strcmp(ci, "true") == 0) {
        cr_assert_fail("%s is missing at %s (required under CI=true)", what, path);
    }
    cr_skip_test("%s is not at %s", what, path);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_output_name.c: the file names of outputs named after untrusted names never leave their
 * folder, plain names stay as they are, and different names never share a file.
 */
#include "util/paths.h"

#include <criterion/criterion.h>
#include <string.h>

static void check_safe(const char *name)
{
    char out[160];
    apo_output_name(name, out, sizeof out);
    cr_assert(out[0] != '\0' && out[0] != '.', "\"%s\" -> \"%s\"", name, out);
    cr_assert_null(strchr(out, '/'), "\"%s\" -> \"%s\"", name, out);
    cr_assert_null(strchr(out, '\\'), "\"%s\" -> \"%s\"", name, out);
    cr_assert_null(strstr(out, ".."), "\"%s\" -> \"%s\"", name, out);
    for (const char *p = out; *p; p++) {
        cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "\"%s\"", out);
    }
    cr_assert_leq(strlen(out), 130);
}

Test(apo_output_name, plain_names_unchanged)
{
    const char *plain[] = {"h2o2_asiv50_r1", "ctrl unstained", "Muse#2", "AS-IV+H2O2", "a.b"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char out[160];
        apo_output_name(plain[i], out, sizeof out);
        cr_assert_str_eq(out, plain[i]);
    }
}

Test(apo_output_name, hostile_names_stay_inside)
{
    const char *bad[] = {"../../../tmp/pwned", "/etc/passwd", "..", ".", "", ".hidden",
                         "a\nb", "C:\\x", "CON", "nul.txt", "com1", "x\x01y", "caf\xc3\xa9",
                         "trailing.", "trailing ", "a/../b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        check_safe(bad[i]);
    }
    char longname[1000];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    check_safe(longname);
}

Test(apo_output_name, changed_names_do_not_collide)
{
    const char *names[] = {"a/b", "a_b", "a\\b", "a:b", "a?b"};
    char out[5][160];
    for (size_t i = 0; i < 5; i++) {
        apo_output_name(names[i], out[i], sizeof out[i]);
    }
    for (size_t i = 0; i < 5; i++) {
        for (size_t j = i + 1; j < 5; j++) {
            cr_assert_str_neq(out[i], out[j], "\"%s\" and \"%s\"", names[i], names[j]);
        }
    }
}

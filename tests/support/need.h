/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * need.h: a test that needs an external file (the shared corpus, a browser): skip it when the
 * file is absent, but fail under CI=true, where everything a test needs must be there.
 */
#ifndef APOFLOW_TESTS_SUPPORT_NEED_H
#define APOFLOW_TESTS_SUPPORT_NEED_H

/* Return when @p path exists; otherwise end the calling Criterion test: a failure naming
 * @p path and @p what when getenv("CI") is "true", else a skip. */
void test_need_path(const char *path, const char *what);

#endif /* APOFLOW_TESTS_SUPPORT_NEED_H */

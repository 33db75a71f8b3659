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

typedef struct fcs_file fcs_file;
/* The corpus's FCS file fcs/@p rel (APOFLOW_CORPUS_DIR), HEADER and TEXT only; a missing
 * file as test_need_path says; one that does not open fails the test. */
fcs_file *test_open_corpus_text(const char *rel);

#endif /* APOFLOW_TESTS_SUPPORT_NEED_H */

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * options.c: the option-table parser and help generator (options.h), and the FCS reader's
 * options every reading command shares.
 */
#include "cli/options.h"

#include "cli/cli.h"

#include <string.h>

#define HELP_INDENT 24
#define HELP_WIDTH 80

const cli_option cli_read_options[] = {
    {"offsets", CLI_KEY_OFFSETS, "MODE", "reading FCS files",
     "auto|header|text: which segment offsets win when HEADER and TEXT disagree", "auto"},
    {"text-mode", CLI_KEY_TEXT_MODE, "MODE", "reading FCS files",
     "auto|escape|empty: how a doubled delimiter in TEXT is read", "auto"},
    {"allow-truncated", CLI_KEY_TRUNCATED, NULL, "reading FCS files",
     "use the complete events of a DATA segment shorter than $TOT (warned)", NULL},
    {"rename-duplicates", CLI_KEY_RENAME, NULL, "reading FCS files",
     "read duplicate $PnN names as NAME-1, NAME-2 (warned)", NULL},
    {NULL, 0, NULL, NULL, NULL, NULL}};

bool cli_is_read_option(int key)
{
    return key == CLI_KEY_OFFSETS || key == CLI_KEY_TEXT_MODE || key == CLI_KEY_TRUNCATED ||
           key == CLI_KEY_RENAME;
}

bool cli_read_option(int key, const char *arg, fcs_read_options *read)
{
    switch (key) {
    case CLI_KEY_OFFSETS:
        if (strcmp(arg, "auto") == 0) {
            read->offsets = FCS_OFFSETS_AUTO;
        } else if (strcmp(arg, "header") == 0) {
            read->offsets = FCS_OFFSETS_HEADER;
        } else if (strcmp(arg, "text") == 0) {
            read->offsets = FCS_OFFSETS_TEXT;
        } else {
            cli_errorf("--offsets: expected auto, header or text, found \"%s\"", arg);
            return false;
        }
        return true;
    case CLI_KEY_TEXT_MODE:
        if (strcmp(arg, "auto") == 0) {
            read->text_mode = FCS_TEXT_AUTO;
        } else if (strcmp(arg, "escape") == 0) {
            read->text_mode = FCS_TEXT_ESCAPE;
        } else if (strcmp(arg, "empty") == 0) {
            read->text_mode = FCS_TEXT_EMPTY;
        } else {
            cli_errorf("--text-mode: expected auto, escape or empty, found \"%s\"", arg);
            return false;
        }
        return true;
    case CLI_KEY_TRUNCATED:
        read->allow_truncated = true;
        return true;
    case CLI_KEY_RENAME:
        read->rename_duplicates = true;
        return true;
    default:
        return false;
    }
}

bool cli_parse_count(const char *opt, const char *arg, uint64_t min, uint64_t *out)
{
    uint64_t v = 0;
    if (!apo_parse_u64(arg, strlen(arg), &v) || v < min) {
        cli_errorf("%s: expected a whole number >= %llu, found \"%s\"", opt,
                   (unsigned long long)min, arg);
        return false;
    }
    *out = v;
    return true;
}



static const cli_option help_option = {"help", 'h', NULL, NULL, "this help", NULL};

static void add_option(cli_parser *p, size_t *n, size_t *ns, const cli_option *o)
{
    if (*n >= CLI_MAX_OPTIONS) {
        return;
    }
    p->longopts[(*n)++] = (struct option){o->name, o->arg ? required_argument : no_argument,
                                          NULL, o->key};
    if (o->key < CLI_KEY_LONG && strchr(p->shorts, o->key) == NULL) {
        p->shorts[(*ns)++] = (char)o->key;
        if (o->arg != NULL) {
            p->shorts[(*ns)++] = ':';
        }
        p->shorts[*ns] = '\0';
    }
}

void cli_parser_init(cli_parser *p, const cli_spec *spec, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->spec = spec;
    p->argc = argc;
    p->argv = argv;
    size_t n = 0, ns = 1;
    p->shorts[0] = ':'; /* report a missing value as ':' */
    for (const cli_option *const *t = spec->tables; *t != NULL; t++) {
        for (const cli_option *o = *t; o->name != NULL; o++) {
            add_option(p, &n, &ns, o);
        }
    }
    add_option(p, &n, &ns, &help_option);
    optind = 1;
    opterr = 0;
}

int cli_parser_next(cli_parser *p, const char **arg)
{
    int opt = getopt_long(p->argc, p->argv, p->shorts, p->longopts, NULL);
    *arg = optarg;
    switch (opt) {
    case -1:
        return CLI_OPTS_DONE;
    case 'h':
        cli_print_help(p->spec, stdout);
        p->exit_code = CLI_EXIT_OK;
        return CLI_OPTS_EXIT;
    case ':':
        cli_errorf("option %s needs a value (see 'apoflow %s --help')", p->argv[optind - 1],
                   p->spec->name);
        p->exit_code = CLI_EXIT_USAGE;
        return CLI_OPTS_EXIT;
    case '?':
        cli_errorf("unknown option %s (see 'apoflow %s --help')", p->argv[optind - 1],
                   p->spec->name);
        p->exit_code = CLI_EXIT_USAGE;
        return CLI_OPTS_EXIT;
    default:
        return opt;
    }
}

int cli_parse_options(const cli_spec *spec, int argc, char **argv,
                      bool (*apply)(void *ctx, int key, const char *arg), void *ctx, int *first)
{
    cli_parser p;
    cli_parser_init(&p, spec, argc, argv);
    const char *arg;
    int key;
    while ((key = cli_parser_next(&p, &arg)) != CLI_OPTS_DONE) {
        if (key == CLI_OPTS_EXIT) {
            return p.exit_code;
        }
        if (!apply(ctx, key, arg)) {
            return CLI_EXIT_USAGE;
        }
    }
    *first = cli_parser_operands(&p);
    return -1;
}

int cli_parser_operands(const cli_parser *p)
{
    (void)p;
    return optind;
}

/* Print @p text wrapped at HELP_WIDTH, continuation lines at HELP_INDENT; @p col is the
 * column the text starts at. */
static void wrap(FILE *to, const char *text, size_t col)
{
    const char *p = text;
    while (*p != '\0') {
        size_t word = strcspn(p, " ");
        if (col > HELP_INDENT && col + 1 + word > HELP_WIDTH) {
            fprintf(to, "\n%*s", HELP_INDENT, "");
            col = HELP_INDENT;
        } else if (col > HELP_INDENT) {
            fputc(' ', to);
            col++;
        }
        fwrite(p, 1, word, to);
        col += word;
        p += word;
        while (*p == ' ') {
            p++;
        }
    }
    fputc('\n', to);
}

static void print_option(FILE *to, const cli_option *o)
{
    char head[96], text[1024];
    const char *sp = o->arg ? " " : "", *arg = o->arg ? o->arg : "";
    if (o->key < CLI_KEY_LONG) {
        snprintf(head, sizeof head, "  -%c, --%s%s%s", o->key, o->name, sp, arg);
    } else {
        snprintf(head, sizeof head, "  --%s%s%s", o->name, sp, arg);
    }
    snprintf(text, sizeof text, "%s%s%s%s", o->help, o->def ? " (default " : "",
             o->def ? o->def : "", o->def ? ")" : "");
    size_t len = strlen(head);
    if (len + 1 >= HELP_INDENT) {
        fprintf(to, "%s\n%*s", head, HELP_INDENT, "");
    } else {
        fprintf(to, "%s%*s", head, (int)(HELP_INDENT - len), "");
    }
    wrap(to, text, HELP_INDENT);
}

/* Whether heading @p g was printed already (a group seen in an earlier table or row). */
static bool group_seen(const cli_spec *spec, const cli_option *upto, const char *g)
{
    for (const cli_option *const *t = spec->tables; *t != NULL; t++) {
        for (const cli_option *o = *t; o->name != NULL; o++) {
            if (o == upto) {
                return false;
            }
            if (strcmp(o->group, g) == 0) {
                return true;
            }
        }
    }
    return false;
}

void cli_print_help(const cli_spec *spec, FILE *to)
{
    fputs(spec->usage, to);
    for (const cli_option *const *t = spec->tables; *t != NULL; t++) {
        for (const cli_option *g = *t; g->name != NULL; g++) {
            if (group_seen(spec, g, g->group)) {
                continue;
            }
            fprintf(to, "\n%s:\n", g->group);
            for (const cli_option *const *u = t; *u != NULL; u++) {
                for (const cli_option *o = u == t ? g : *u; o->name != NULL; o++) {
                    if (strcmp(o->group, g->group) == 0) {
                        print_option(to, o);
                    }
                }
            }
        }
    }
    print_option(to, &help_option);
    if (spec->footer != NULL) {
        fprintf(to, "\n%s", spec->footer);
    }
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_plot.c: `apoflow plot FILE -x CHANNEL [-y CHANNEL] -o OUT.png [OPTIONS]`: one QC plot
 * (pseudocolor, dot, contour or histogram) of a data set as PNG, or the gating path of a
 * population (--path). render/qc_plot.h draws it (compensation, gating population and
 * overlays, quadrant counted on every event); this file parses the options and calls it.
 */
#include "cli/cli.h"
#include "cli/options.h"
#include "gating/gate.h"
#include "render/qc_plot.h"

#include <stdlib.h>
#include <string.h>


enum {
    OPT_KIND = CLI_KEY_LONG, OPT_XSCALE, OPT_YSCALE, OPT_COMP, OPT_QUADRANT, OPT_GATING,
    OPT_POPULATION, OPT_SIZE, OPT_SCALE, OPT_COLORMAP, OPT_EVENTS, OPT_SAMPLE_EVENTS,
    OPT_OVERLAY, OPT_TITLE, OPT_COLUMNS, OPT_DATASET, OPT_PATH
};

static const cli_option plot_options_table[] = {
    {"x", 'x', "CHANNEL", "plot", "x channel (required)", NULL},
    {"y", 'y', "CHANNEL", "plot", "y channel (required except for --kind hist)", NULL},
    {"kind", OPT_KIND, "KIND", "plot", "pseudocolor|dot|contour|hist", "pseudocolor"},
    {"xscale", OPT_XSCALE, "S", "plot",
     "linear|log|logicle|asinh for x; logicle T = $PnR, W estimated from the data (0.5 when "
     "it has no negatives), M = 4.5, A = 0; asinh cofactor 150",
     "linear for FSC/SSC/Time, log for $PnE log-amplified channels, logicle for everything "
     "else"},
    {"yscale", OPT_YSCALE, "S", "plot", "the same for y", "as for --xscale"},
    {"comp", OPT_COMP, "MODE", "plot", "auto (the file's $SPILLOVER, if any) | none | MATRIX.csv",
     "auto"},
    {"quadrant", OPT_QUADRANT, "X,Y", "plot",
     "quadrant lines at X and Y (data units) with the four percentages of the plotted events "
     "(x >= X is '+')", NULL},
    {"gating", OPT_GATING, "STRATEGY.xml", "plot",
     "a Gating-ML 2.0 strategy; with --population PATH only that population is plotted and "
     "its child gates on these channels are drawn as applied (clipped to the plot; a 1-D "
     "range as a band, also on histograms) with their % of parent", NULL},
    {"population", OPT_POPULATION, "PATH", "plot",
     "population path or gate id (see 'apoflow gate')", NULL},
    {"path", OPT_PATH, NULL, "plot",
     "with --gating and --population: draw the gating path instead: one plot per gate from "
     "the top down to the population, each over its parent's events on the gate's own "
     "channels, drawn as applied (one file; -x/-y not needed)", NULL},
    {"events", OPT_EVENTS, "N", "plot",
     "draw at most N events (fixed-seed random subsample); percentages always use every event",
     NULL},
    {"sample-events", OPT_SAMPLE_EVENTS, "N", "plot",
     "read at most N events of a file for display (every step-th event above N; 0 = all); "
     "counts and percentages always use every event", "1000000"},
    {"overlay", OPT_OVERLAY, NULL, "plot",
     "with --kind hist: one plot, every file a series (the first is the grey reference, e.g. "
     "stimulus only)", NULL},
    {"output", 'o', "OUT.png", "image", "output file (required)", NULL},
    {"size", OPT_SIZE, "PX", "image", "edge of the plot at scale 1", "600"},
    {"scale", OPT_SCALE, "N", "image",
     "multiply every length by N, 1..4 (2 gives 1200 px at 300 dpi)", "1"},
    {"colormap", OPT_COLORMAP, "MAP", "image", "jet|viridis|grey", "jet"},
    {"title", OPT_TITLE, "TEXT", "image", "main title above the grid (several files)", NULL},
    {"columns", OPT_COLUMNS, "N", "image", "plots per row", "a square-ish grid"},
    {"dataset", OPT_DATASET, "N", "reading FCS files", "data set N of the file (1-based)",
     "1"},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const plot_tables[] = {plot_options_table, cli_read_options, NULL};

static const cli_spec plot_spec = {
    "plot",
    "usage: apoflow plot FILE... -x CHANNEL [-y CHANNEL] -o OUT.png [OPTIONS]\n\n"
    "Draw a QC plot of an FCS data set as a PNG (written atomically); with several\n"
    "files, one plot per file in a grid with shared axes (same transforms), e.g. all\n"
    "samples of a plate. Channels are matched by $PnN or $PnS, ignoring case.\n"
    "The PNG's tEXt chunks record the source files and the settings (Comment: channels,\n"
    "transforms, compensation, population, quadrant and its percentages).\n",
    plot_tables,
    "examples:\n"
    "  apoflow plot A05.fcs -x FSC-A -y SSC-A -o A05_scatter.png\n"
    "  apoflow plot A05.fcs -x 'Annexin V' -y PI --quadrant 1000,800 --scale 2 -o q.png\n"
    "  apoflow plot A05.fcs -x FL1-A --kind hist -o a.png\n"
    "  apoflow plot plate1/*.fcs -x 'Annexin V' -y PI --quadrant 1000,800 --size 300 \\\n"
    "      --title 'Plate 1' -o plate1.png\n"
    "  apoflow plot stim.fcs drug.fcs -x 'Annexin V' --kind hist --overlay -o ov.png\n\n"
    "exit codes: 0 ok, 64 usage (unknown channel or population), 65 bad input data,\n"
    "            66 cannot open input, 71 out of memory, 73 cannot create output\n"};

/* ---- option parsing ---------------------------------------------------------------------- */

static bool parse_kind(const char *s, render_kind *out)
{
    static const struct {
        const char *name;
        render_kind kind;
    } kinds[] = {{"pseudocolor", RENDER_PSEUDOCOLOR}, {"dot", RENDER_DOT},
                 {"contour", RENDER_CONTOUR},         {"hist", RENDER_HISTOGRAM},
                 {"histogram", RENDER_HISTOGRAM}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(s, kinds[i].name) == 0) {
            *out = kinds[i].kind;
            return true;
        }
    }
    cli_errorf("--kind: expected pseudocolor, dot, contour or hist, found \"%s\"", s);
    return false;
}

static bool check_scale_name(const char *opt, const char *s)
{
    if (strcmp(s, "linear") == 0 || strcmp(s, "log") == 0 || strcmp(s, "logicle") == 0 ||
        strcmp(s, "asinh") == 0) {
        return true;
    }
    cli_errorf("%s: expected linear, log, logicle or asinh, found \"%s\"", opt, s);
    return false;
}

static bool parse_colormap(const char *s, render_colormap *out)
{
    if (strcmp(s, "jet") == 0) {
        *out = RENDER_CMAP_JET;
    } else if (strcmp(s, "viridis") == 0) {
        *out = RENDER_CMAP_VIRIDIS;
    } else if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0) {
        *out = RENDER_CMAP_GREY;
    } else {
        cli_errorf("--colormap: expected jet, viridis or grey, found \"%s\"", s);
        return false;
    }
    return true;
}

static bool parse_pair(const char *s, double *a, double *b)
{
    const char *comma = strchr(s, ',');
    if (!comma || !apo_parse_double(s, (size_t)(comma - s), false, a) ||
        !apo_parse_double(comma + 1, strlen(comma + 1), false, b)) {
        cli_errorf("--quadrant: expected X,Y (two numbers in data units), found \"%s\"", s);
        return false;
    }
    return true;
}

/* Draw the plot of @p files (FILE#N: data set N of FILE, else --dataset). */
static int draw(render_qc_options *o, int n_files, char **files)
{
    cli_file_refs in;
    int rc = cli_file_refs_resolve(&in, n_files, files, o->dataset, &o->read);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    o->files = (const char *const *)in.paths;
    o->n_files = in.n;
    o->datasets = in.datasets;
    cli_observer obs;
    cli_observer_init(&obs, CLI_NORMAL);
    rc = cli_exit_code(render_qc_plot(o, &obs.obs));
    if (rc == CLI_EXIT_OK) {
        rc = cli_sync_output(o->out);
    }
    cli_file_refs_free(&in);
    return rc;
}

static int check_path_args(render_qc_options *o, int n_files, char **files)
{
    if (!o->gating || !o->population) {
        cli_errorf("--path: expected --gating STRATEGY.xml and --population PATH as well");
        return CLI_EXIT_USAGE;
    }
    if (n_files != 1 || !o->out) {
        cli_errorf("--path: expected one FCS file and -o OUT.png, found %d file(s)%s", n_files,
                   o->out ? "" : " and no -o");
        return CLI_EXIT_USAGE;
    }
    return draw(o, n_files, files);
}

/* A whole number in [lo, hi] for option @p name; false after printing an error. */
static bool parse_range(const char *name, const char *arg, uint64_t lo, uint64_t hi,
                        uint64_t *v)
{
    if (!cli_parse_count(name, arg, lo, v)) {
        return false;
    }
    if (*v > hi) {
        cli_errorf("%s: expected %llu..%llu, found %s", name, (unsigned long long)lo,
                   (unsigned long long)hi, arg);
        return false;
    }
    return true;
}

/* Apply an option of the image or the reader; false after printing an error. */
static bool image_option(render_qc_options *o, int key, const char *arg)
{
    uint64_t v = 0;
    switch (key) {
    case 'o':
        o->out = arg;
        return true;
    case OPT_SIZE:
        if (!parse_range("--size", arg, 200, 4000, &v)) {
            return false;
        }
        o->ro.size = (unsigned)v;
        return true;
    case OPT_SCALE:
        if (!parse_range("--scale", arg, 1, 4, &v)) {
            return false;
        }
        o->ro.scale = (unsigned)v;
        return true;
    case OPT_COLORMAP:
        return parse_colormap(arg, &o->ro.colormap);
    case OPT_TITLE:
        o->title = arg;
        return true;
    case OPT_COLUMNS:
        if (!cli_parse_count("--columns", arg, 1, &v)) {
            return false;
        }
        o->columns = v > 256 ? 256 : (size_t)v;
        return true;
    case OPT_DATASET:
        if (!cli_parse_count("--dataset", arg, 1, &v)) {
            return false;
        }
        o->dataset = (size_t)v;
        return true;
    default:
        return cli_read_option(key, arg, &o->read);
    }
}

/* Apply option @p key; false after printing an error. */
static bool plot_option(void *ctx, int key, const char *arg)
{
    render_qc_options *o = ctx;
    uint64_t v = 0;
    switch (key) {
    case 'x':
        o->xname = arg;
        return true;
    case 'y':
        o->yname = arg;
        return true;
    case OPT_KIND:
        return parse_kind(arg, &o->kind);
    case OPT_XSCALE:
        o->xscale = arg;
        return check_scale_name("--xscale", arg);
    case OPT_YSCALE:
        o->yscale = arg;
        return check_scale_name("--yscale", arg);
    case OPT_COMP:
        if (arg[0] == '\0') {
            cli_errorf("--comp: expected auto, none or a CSV file, found \"\"");
            return false;
        }
        o->comp = arg;
        return true;
    case OPT_QUADRANT:
        o->quadrant = true;
        return parse_pair(arg, &o->qx, &o->qy);
    case OPT_GATING:
        o->gating = arg;
        return true;
    case OPT_POPULATION:
        o->population = arg;
        return true;
    case OPT_EVENTS:
        if (!cli_parse_count("--events", arg, 1, &v)) {
            return false;
        }
        o->ro.max_events = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
        return true;
    case OPT_SAMPLE_EVENTS:
        return cli_parse_count("--sample-events", arg, 0, &o->sample_events);
    case OPT_OVERLAY:
        o->overlay = true;
        return true;
    case OPT_PATH:
        o->path = true;
        return true;
    default:
        return image_option(o, key, arg);
    }
}

/* The checks between options and operands; false after printing an error. */
static bool plot_args_fit(const render_qc_options *o, int n_files)
{
    const char *why = NULL;
    if (n_files == 0 || !o->xname || !o->out) {
        cli_errorf("plot: expected an FCS file, -x CHANNEL and -o OUT.png");
        cli_print_help(&plot_spec, stderr);
        return false;
    }
    if (o->population && !o->gating) {
        why = "--population: expected --gating STRATEGY.xml as well";
    } else if (!o->yname && o->kind != RENDER_HISTOGRAM) {
        why = "plot: expected -y CHANNEL for a 2-D plot (or --kind hist)";
    } else if (o->overlay && o->kind != RENDER_HISTOGRAM) {
        why = "--overlay: expected --kind hist as well";
    }
    if (why != NULL) {
        cli_errorf("%s", why);
        return false;
    }
    if (n_files > 256) {
        cli_errorf("plot: expected at most 256 FCS files in one panel, found %d", n_files);
        return false;
    }
    return true;
}

int cmd_plot(int argc, char **argv)
{
    render_qc_options o;
    memset(&o, 0, sizeof o);
    o.kind = RENDER_PSEUDOCOLOR;
    o.comp = "auto";
    o.dataset = 1;
    o.sample_events = GATE_SAMPLE_EVENTS_DEFAULT;
    o.ro = (render_options)RENDER_OPTIONS_INIT;
    o.read = (fcs_read_options)FCS_READ_OPTIONS_INIT;
    int first;
    int rc = cli_parse_options(&plot_spec, argc, argv, plot_option, &o, &first);
    if (rc >= 0) {
        return rc;
    }
    if (o.path) {
        return check_path_args(&o, argc - first, argv + first);
    }
    if (!plot_args_fit(&o, argc - first)) {
        return CLI_EXIT_USAGE;
    }
    return draw(&o, argc - first, argv + first);
}

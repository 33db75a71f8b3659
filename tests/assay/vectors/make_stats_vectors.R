# SPDX-License-Identifier: GPL-3.0-or-later
#
# make_stats_vectors.R: writes the reference values that tests/assay/test_group_stats.c checks
# the comparison statistics against (one-way ANOVA, Dunnett's many-to-one adjusted p-values,
# Welch's t-test, the Wilson score interval, the two-proportion interval, and Dunnett critical
# values). R is needed only to regenerate these files, never to build or test:
#
#     cd tests/assay/vectors && Rscript make_stats_vectors.R
#
# Made with R 4.2.2, multcomp 1.4-22, mvtnorm 1.1-3 (Debian bookworm r-base-core,
# r-cran-multcomp). Writes stats_data.csv, stats_expected.csv, stats_proportions.csv and
# dunnett_critical.csv next to this script. Numbers are written with 17 significant digits.
#
# Dunnett p-values come from mvtnorm's randomised quasi-Monte Carlo integration (Genz & Bretz):
# the seed is fixed and the absolute error target is 1e-6 (the estimated error of each value is
# written in the `error` column), so the tests allow 1e-5 on them.

suppressMessages(library(multcomp))

fmt <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))

# Dunnett's two-sided exceedance P(max |T_i| >= cc) for up to 3 comparisons, without Monte
# Carlo: inclusion-exclusion over the events |T_i| >= cc, each intersection a sum of orthant
# probabilities of the bivariate or trivariate t, which mvtnorm's TVPACK (Genz 2004) computes
# deterministically for integer df. Unlike 1 - pmvt(...), small p-values keep their relative
# accuracy (multcomp's randomised values are only good to about 1e-6 absolute).
dunnett_exact <- function(cc, n, df) {
  lam <- sqrt(n[-1] / (n[-1] + n[1]))
  R <- outer(lam, lam)
  diag(R) <- 1
  m <- length(lam)
  stopifnot(m <= 3, df == round(df))
  orth <- function(idx, s) {
    if (length(idx) == 1) return(pt(-cc, df))
    as.numeric(pmvt(lower = rep(-Inf, length(idx)), upper = rep(-cc, length(idx)), df = df,
                    corr = R[idx, idx, drop = FALSE] * outer(s, s),
                    algorithm = TVPACK(abseps = 1e-16)))
  }
  total <- 0
  for (k in 1:m) for (idx in combn(m, k, simplify = FALSE)) {
    signs <- as.matrix(expand.grid(rep(list(c(-1, 1)), k)))
    for (r in seq_len(nrow(signs))) total <- total + (-1)^(k + 1) * orth(idx, signs[r, ])
  }
  total
}

# ---- data sets: group 0 is the control (in the apoptosis analysis: the stimulus-only group) ----
datasets <- list()

# The triplicate example of samples/ (apoptotic % of singlets per sample as `apoflow run`
# measured it): the H2O2 group is the control, AS-IV 50, 100, 200 mg/L the treatments; the
# untreated group is group 9 (not part of the Dunnett family: it is compared with the control
# by Welch's t only).
datasets$triplicate_example <- list(
  groups = list(
    c(38.57423001499596, 41.47987191216835, 38.972531892885875),
    c(35.790807510655455, 33.234013293605315, 34.95322838238649),
    c(27.198528566501896, 27.754115344768046, 27.14138286893705),
    c(19.857667584940312, 15.913533402322642, 18.201678739795334)),
  untreated = c(5.946809724917246, 6.662844036697248, 5.964670796054142))

# Hsu (1996) blanket recovery times, multcomp's `recovery`: b0 (control, n = 20), b1 (3),
# b2 (3), b3 (15). A classic unequal-size Dunnett example.
data(recovery, package = "multcomp")
datasets$recovery <- list(groups = lapply(levels(recovery$blanket),
                                          function(l) recovery$minutes[recovery$blanket == l]))

# Unequal sizes, mixed effects (some large, some null), 5 treatments.
set.seed(20261207)
datasets$unbalanced <- list(groups = list(
  rnorm(4, 40, 2), rnorm(2, 38, 2), rnorm(5, 30, 3), rnorm(3, 41, 1.5), rnorm(6, 25, 2.5),
  rnorm(2, 43, 2)))

# One treatment: Dunnett reduces to the pooled two-sample t-test.
datasets$one_treatment <- list(groups = list(c(12.1, 15.3, 13.8), c(30.2, 27.9, 33.5, 29.0)))

# Equal sizes, 8 treatments (every correlation 0.5), mostly small effects.
datasets$equal_eight <- list(groups = lapply(c(20, 21, 19.5, 22, 24, 20.5, 18, 23, 26),
                                             function(m) round(rnorm(5, m, 2), 3)))

# ---- stats_data.csv --------------------------------------------------------------------------
data_lines <- "dataset,group,value"
for (name in names(datasets)) {
  d <- datasets[[name]]
  for (g in seq_along(d$groups)) {
    for (v in d$groups[[g]]) {
      data_lines <- c(data_lines, sprintf("%s,%d,%s", name, g - 1, fmt(v)))
    }
  }
  if (!is.null(d$untreated)) {
    for (v in d$untreated) {
      data_lines <- c(data_lines, sprintf("%s,%d,%s", name, 9, fmt(v)))
    }
  }
}
writeLines(data_lines, "stats_data.csv")

# ---- stats_expected.csv ------------------------------------------------------------------------
# kind = anova:   statistic = F, df1, df2, p (oneway.test(var.equal = TRUE), checked against aov)
# kind = dunnett: group i vs 0: statistic = t (pooled SD), df1 = N - k, p = single-step adjusted p
#                 (summary(glht(aov, mcp(group = "Dunnett")))), error = mvtnorm's error estimate
# kind = mean_ci: ci_low/ci_high = 95 % t interval of the mean of group 0 (t.test(y0))
# kind = dunnett_exact: the same p by dunnett_exact() (data sets with <= 3 treatments)
# kind = welch:   group i vs 0: statistic = t, df1 = Welch df, p, ci_low/ci_high = 95 % CI of
#                 mean_i - mean_0 (t.test(var.equal = FALSE))
exp_lines <- "dataset,kind,group,statistic,df1,df2,p,error,ci_low,ci_high"
row <- function(...) paste(..., sep = ",")
for (name in names(datasets)) {
  d <- datasets[[name]]
  y <- unlist(d$groups)
  g <- factor(rep(seq_along(d$groups) - 1, lengths(d$groups)))
  ow <- oneway.test(y ~ g, var.equal = TRUE)
  a <- summary(aov(y ~ g))[[1]]
  stopifnot(abs(a[["F value"]][1] - ow$statistic) < 1e-9 * ow$statistic)
  exp_lines <- c(exp_lines, row(name, "anova", "", fmt(ow$statistic), fmt(ow$parameter[1]),
                                fmt(ow$parameter[2]), fmt(ow$p.value), "", "", ""))
  fit <- aov(y ~ g)
  set.seed(1)
  s <- summary(glht(fit, linfct = mcp(g = "Dunnett")),
               test = adjusted("single-step",
                                  algorithm = GenzBretz(maxpts = 2e6, abseps = 1e-6, releps = 0)))
  err <- attr(s$test$pvalues, "error")
  for (i in seq_along(s$test$tstat)) {
    exp_lines <- c(exp_lines, row(name, "dunnett", i, fmt(s$test$tstat[i]), fmt(fit$df.residual),
                                  "", fmt(s$test$pvalues[i]), fmt(err), "", ""))
  }
  if (length(s$test$tstat) <= 3) {
    for (i in seq_along(s$test$tstat)) {
      pe <- dunnett_exact(abs(s$test$tstat[i]), lengths(d$groups), fit$df.residual)
      exp_lines <- c(exp_lines, row(name, "dunnett_exact", i, fmt(s$test$tstat[i]),
                                    fmt(fit$df.residual), "", fmt(pe), "", "", ""))
    }
  }
  ci <- t.test(d$groups[[1]])$conf.int
  exp_lines <- c(exp_lines, row(name, "mean_ci", 0, "", "", "", "", "", fmt(ci[1]), fmt(ci[2])))
  for (i in seq_along(d$groups)[-1]) {
    a1 <- d$groups[[i]]
    if (length(a1) < 2) next
    w <- t.test(a1, d$groups[[1]], var.equal = FALSE)
    exp_lines <- c(exp_lines, row(name, "welch", i - 1, fmt(w$statistic), fmt(w$parameter), "",
                                  fmt(w$p.value), "", fmt(w$conf.int[1]), fmt(w$conf.int[2])))
  }
  if (!is.null(d$untreated)) {
    w <- t.test(d$groups[[1]], d$untreated, var.equal = FALSE)
    exp_lines <- c(exp_lines, row(name, "welch_control_vs_untreated", 9, fmt(w$statistic),
                                  fmt(w$parameter), "", fmt(w$p.value), "", fmt(w$conf.int[1]),
                                  fmt(w$conf.int[2])))
  }
}
writeLines(exp_lines, "stats_expected.csv")

# ---- stats_proportions.csv ---------------------------------------------------------------------
# x1/n1 alone: Wilson score 95 % interval (prop.test(correct = FALSE)); x1/n1 vs x2/n2: the 95 %
# interval of p1 - p2 (prop.test(correct = FALSE), Wald with unpooled SE) and the uncorrected
# chi-square p; and the 95 % interval of the ratio p1/p2 by the log method (Katz et al. 1978):
# exp(log(p1/p2) +- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)), written out here as a formula.
prop_lines <- "x1,n1,x2,n2,wilson_low,wilson_high,diff_low,diff_high,chisq_p,ratio_low,ratio_high"
cases <- rbind(c(1779, 10000, 4060, 10000), c(3000, 10000, 2000, 10000), c(30, 100, 18, 100),
               c(0, 50, 5, 50), c(50, 50, 45, 50), c(1, 9390, 578, 9390), c(3721, 9433, 3830, 9435),
               c(7, 12, 3, 15))
z <- qnorm(0.975)
for (k in seq_len(nrow(cases))) {
  x1 <- cases[k, 1]; n1 <- cases[k, 2]; x2 <- cases[k, 3]; n2 <- cases[k, 4]
  w <- prop.test(x1, n1, correct = FALSE)$conf.int
  t2 <- suppressWarnings(prop.test(c(x1, x2), c(n1, n2), correct = FALSE))
  if (x1 > 0 && x2 > 0) {
    se <- sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    r <- exp(log((x1 / n1) / (x2 / n2)) + c(-1, 1) * z * se)
  } else {
    r <- c(NA, NA)
  }
  prop_lines <- c(prop_lines, paste(x1, n1, x2, n2, fmt(w[1]), fmt(w[2]), fmt(t2$conf.int[1]),
                                    fmt(t2$conf.int[2]), fmt(t2$p.value), fmt(r[1]), fmt(r[2]),
                                    sep = ","))
}
writeLines(prop_lines, "stats_proportions.csv")

# ---- dunnett_critical.csv ----------------------------------------------------------------------
# Equal group sizes (every correlation 0.5), alpha = 0.05. `published` is the table value,
# 2 decimals: one-sided from Dunnett (1955, JASA 50:1096, Table 1a), two-sided from Dunnett
# (1964, Biometrics 20:482, Table II, which replaced the approximate two-sided table of 1955).
# `mvtnorm` is qmvt's value for the same case (seeded, abseps 1e-4: about 3 decimals).
tab <- read.csv(text = "
sides,k,df,published
1,2,5,2.44
1,4,5,2.85
1,9,5,3.30
1,2,10,2.15
1,3,10,2.34
1,5,10,2.56
1,9,10,2.81
1,4,20,2.30
1,2,60,1.95
1,6,120,2.32
2,1,10,2.23
2,2,10,2.57
2,3,10,2.76
2,4,10,2.89
2,5,10,2.99
2,2,5,3.03
2,3,5,3.29
2,3,20,2.54
2,4,20,2.65
2,9,20,2.95
")
crit_lines <- "sides,k,df,published,mvtnorm"
for (i in seq_len(nrow(tab))) {
  k <- tab$k[i]
  corr <- matrix(0.5, k, k)
  diag(corr) <- 1
  set.seed(2)
  q <- qmvt(0.95, tail = if (tab$sides[i] == 2) "both.tails" else "lower.tail", df = tab$df[i],
            corr = corr, abseps = 1e-4, maxpts = 2e5)$quantile
  crit_lines <- c(crit_lines, paste(tab$sides[i], k, tab$df[i], sprintf("%.2f", tab$published[i]),
                                    sprintf("%.6f", q), sep = ","))
}
writeLines(crit_lines, "dunnett_critical.csv")

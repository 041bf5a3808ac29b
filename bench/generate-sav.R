#!/usr/bin/env Rscript
# Writes a WVS-wave-7-shaped survey (97,000 respondents x 600 labelled numeric columns plus the
# country string) for the SPSS / Stata reader benchmark, in every format the readers take and as
# the CSV the project's CSV reader takes: the same values in each. Seeded; not committed (the
# files are ~0.1-0.5 GB each).
#
#   Rscript bench/generate-sav.R [rows=97000] [dir=bench/data]
#
# -> wvs7-shaped-sav.csv, wvs7-shaped.sav (bytecode, haven's default and SPSS's), wvs7-shaped-none.sav,
#    wvs7-shaped.zsav, wvs7-shaped-118.dta. R 4.2.2, haven 2.5.1, readr 2.1.4.
#
# Columns: B_COUNTRY_ALPHA (60 ISO codes), W_WEIGHT (positive reals), Q1..Q290 on 2/3/4/5/10-point
# scales (Q240 1..10, Q260 sex, Q261 birth year, Q262 age), then X1..X309 derived items; every
# item has value labels, ~6% negative codes -1..-5 labelled and declared user-missing (SPSS).
suppressPackageStartupMessages({ library(haven); library(readr) })
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.integer(args[1]) else 97000L
dir <- if (length(args) >= 2) args[2] else "bench/data"
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
set.seed(20240607)

countries <- strsplit("AND ARG ARM AUS BGD BOL BRA CAN CHL CHN COL CYP CZE DEU ECU EGY ETH GBR GRC GTM HKG IDN IRN IRQ JOR JPN KAZ KEN KGZ KOR LBN LBY MAC MAR MDV MEX MMR MNG MYS NGA NIC NLD NZL PAK PER PHL PRI ROU RUS SGP SRB SVK THA TJK TUN TUR TWN UKR URY USA", " ")[[1]]
miss <- c("Don't know" = -1, "No answer" = -2, "Not applicable" = -3, "Not asked" = -4, "Missing" = -5)
item <- function(lo, hi) {
  x <- sample(lo:hi, n, replace = TRUE)
  m <- runif(n) < 0.06
  x[m] <- -sample.int(5, sum(m), replace = TRUE)
  as.numeric(x)
}
scales <- c(4, 5, 2, 10, 4, 5, 4, 3)
plain <- list(B_COUNTRY_ALPHA = sample(countries, n, replace = TRUE), W_WEIGHT = round(runif(n, 0.2, 2.8), 6))
ranges <- list()
for (q in 1:290) {
  name <- paste0("Q", q)
  r <- switch(as.character(q), "240" = c(1, 10), "260" = c(1, 2), "261" = c(1930, 2004), "262" = c(16, 90), c(1, scales[q %% 8 + 1]))
  ranges[[name]] <- r
}
for (j in 1:309) ranges[[paste0("X", j)]] <- c(1, scales[j %% 8 + 1])
for (name in names(ranges)) plain[[name]] <- item(ranges[[name]][1], ranges[[name]][2])
plain <- as.data.frame(plain, stringsAsFactors = FALSE)
stopifnot(ncol(plain) == 601)
write_csv(plain, file.path(dir, "wvs7-shaped-sav.csv"), na = "")

labels_of <- function(r) {
  codes <- if (r[2] - r[1] <= 10) r[1]:r[2] else r
  c(setNames(as.numeric(codes), paste("Option", codes)), miss)
}
spss <- plain
stata <- plain
attr(spss$W_WEIGHT, "label") <- attr(stata$W_WEIGHT, "label") <- "Weight"
for (name in names(ranges)) {
  wording <- paste("Question", name, "- how important is this in your life? (generated wording)")
  spss[[name]] <- labelled_spss(plain[[name]], labels_of(ranges[[name]]), na_range = c(-5, -1), label = wording)
  stata[[name]] <- labelled(plain[[name]], labels_of(ranges[[name]]), label = wording)
}
write_sav(spss, file.path(dir, "wvs7-shaped.sav"), compress = "byte")
write_sav(spss, file.path(dir, "wvs7-shaped-none.sav"), compress = "none")
write_sav(spss, file.path(dir, "wvs7-shaped.zsav"), compress = "zsav")
write_dta(stata, file.path(dir, "wvs7-shaped-118.dta"), version = 14)

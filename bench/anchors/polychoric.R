# Anchor for bench/polychoric.ts: psych::polychoric on the full spi item set (4,000 respondents x
# 135 six-point items, 9,045 pairs), single-threaded (options(mc.cores = 1); psych's mcmapply
# would otherwise fork 2 workers), psych defaults otherwise (smooth = TRUE). Writes the matrix
# with 17 significant digits and the elapsed time to out/bench/polychoric-psych.json.
#
#   Rscript bench/anchors/polychoric.R            (from the repository root; ~1.5 min)
suppressPackageStartupMessages(library(psych))
options(mc.cores = 1)
spi <- read.csv("test/fixtures/data/spi.csv")
q <- as.matrix(spi[, grep("^q_", names(spi))])
t0 <- proc.time()
pc <- polychoric(q)
elapsed <- (proc.time() - t0)[["elapsed"]]
raw_min_eigen <- min(eigen(pc$rho)$values)
cat(sprintf("psych::polychoric spi %d x %d: %.2f s (R %s, psych %s)\n", nrow(q), ncol(q), elapsed,
            getRversion(), packageVersion("psych")))
dir.create("out/bench", recursive = TRUE, showWarnings = FALSE)
num <- function(x) sprintf("%.17g", x)
rows <- apply(pc$rho, 1, function(r) paste0("[", paste(num(r), collapse = ","), "]"))
writeLines(paste0(
  "{\n  \"seconds\": ", num(elapsed),
  ",\n  \"psych\": \"", packageVersion("psych"), "\"",
  ",\n  \"minEigenvalue\": ", num(raw_min_eigen),
  ",\n  \"items\": [", paste0("\"", colnames(q), "\"", collapse = ","), "]",
  ",\n  \"rho\": [", paste(rows, collapse = ",\n"), "]\n}\n"
), "out/bench/polychoric-psych.json")

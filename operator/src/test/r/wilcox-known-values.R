# The known values of MannWhitneyJudgeTest, computed with R 4.2.2 (Debian's r-base-core):
#   Rscript operator/src/test/r/wilcox-known-values.R
# wilcox.test's defaults: exact below 50 points a side without ties, else the normal
# approximation with the tie and continuity corrections; conf.level 0.98 as the judge's default.
options(digits = 15)
show <- function(label, x, y, correct = TRUE, conf = 0.98) {
  r <- suppressWarnings(wilcox.test(x, y, correct = correct, conf.int = TRUE, conf.level = conf))
  cat(label, "\n  W =", r$statistic, " p =", r$p.value, "\n  estimate =", r$estimate, " CI =", r$conf.int,
      "\n  median(outer) =", median(outer(x, y, "-")), " median(x) =", median(x), " median(y) =", median(y), "\n")
}
show("exact, no ties, canary higher",
     c(212, 198, 240, 187, 225, 231, 205, 219, 244, 201, 236, 210),
     c(161, 172, 158, 190, 166, 149, 181, 175, 169, 155, 184))
show("exact, alike",
     c(10.2, 11.5, 9.8, 10.9, 12.1, 10.4, 11.0, 9.5, 10.7, 11.8),
     c(10.5, 11.1, 9.9, 10.1, 11.6, 10.8, 9.7, 11.3, 10.0, 11.9))
show("exact, canary lower",
     c(0.91, 0.85, 0.88, 0.79, 0.93, 0.82, 0.86, 0.90, 0.84, 0.81),
     c(0.97, 0.99, 0.95, 1.02, 0.96, 1.01, 0.94, 0.98, 1.00, 1.03))
show("ties, normal with tie and continuity corrections",
     c(3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 8, 9), c(2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7))
i <- 0:59
show("60 against 60, normal, 98%", 103 + ((i * 37) %% 61) * 0.5, 100.25 + ((i * 23) %% 59) * 0.5)
show("60 against 60, normal, 95%", 103 + ((i * 37) %% 61) * 0.5, 100.25 + ((i * 23) %% 59) * 0.5, conf = 0.95)
r <- suppressWarnings(wilcox.test(rep(7, 10), rep(5, 12)))
cat("different constants: W =", r$statistic, " p =", r$p.value, "\n")
r <- suppressWarnings(wilcox.test(rep(5, 10), rep(5, 12)))
cat("equal constants: W =", r$statistic, " p =", r$p.value, "\n")

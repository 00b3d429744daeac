"""Exact (Garwood) 90% Poisson intervals for small counts, written as the dbt seed
`seeds/poisson_interval_bounds.csv` that `mart_sales_reps_monthly` reads.

For an observed count k the interval of the Poisson mean is [chi2(0.05; 2k) / 2,
chi2(0.95; 2k + 2) / 2] (the lower bound is 0 when k = 0). The seed holds k = 0..100 from
SciPy's chi-square quantiles; above 100 the models use the Wilson-Hilferty cube, whose
relative error there is below 1e-5 (`tests/python/test_poisson_intervals.py` checks both).

    python -m fullfunnel.intervals [--out seeds/poisson_interval_bounds.csv]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

MAX_COUNT = 100
CONFIDENCE = 0.90
SEED = Path("seeds/poisson_interval_bounds.csv")


def garwood_bounds(count: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact two-sided Poisson interval of the mean for an observed `count`."""
    from scipy.stats import chi2

    tail = (1 - confidence) / 2
    lower = 0.0 if count == 0 else float(chi2.ppf(tail, 2 * count) / 2)
    upper = float(chi2.ppf(1 - tail, 2 * count + 2) / 2)
    return lower, upper


def write_seed(path: Path = SEED) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["observed", "lower_90", "upper_90"])
        for count in range(MAX_COUNT + 1):
            lower, upper = garwood_bounds(count)
            writer.writerow([count, repr(lower), repr(upper)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(SEED))
    write_seed(Path(parser.parse_args().out))

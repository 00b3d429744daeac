"""The performance index's 90% interval (docs block performance_index_interval): the seed of
exact Garwood bounds is what SciPy gives, and the Wilson-Hilferty branch the models use above
the seed is within 1e-5 of the exact quantiles."""

from __future__ import annotations

import csv
import json
import os
import subprocess

import duckdb
from fullfunnel.intervals import MAX_COUNT, SEED, garwood_bounds
from scipy.stats import chi2

from .conftest import DBT, PROJECT_ROOT


def test_seed_holds_the_exact_bounds() -> None:
    with (PROJECT_ROOT / SEED).open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["observed"]) for r in rows] == list(range(MAX_COUNT + 1))
    for r in rows:
        lower, upper = garwood_bounds(int(r["observed"]))
        # the file is exactly what `python -m fullfunnel.intervals` writes
        assert (float(r["lower_90"]), float(r["upper_90"])) == (lower, upper)
    # the textbook values: k = 0 -> [0, -ln 0.05], k = 1 -> lower -ln 0.95
    assert float(rows[0]["upper_90"]) == float(chi2.ppf(0.95, 2) / 2)
    assert abs(float(rows[1]["lower_90"]) - 0.051293294387550) < 1e-12


def test_the_models_bound_above_the_seed_is_within_1e_5(tmp_path) -> None:
    sql = (
        "select k, {{ poisson_bound_90('k', 'lower') }} as lower_90, "
        "{{ poisson_bound_90('k', 'upper') }} as upper_90 "
        f"from range({MAX_COUNT + 1}, 20001) as t(k) "
        "left join (select 1 as observed, 1.0 as lower_90, 1.0 as upper_90 where false) "
        "as bounds on false"
    )
    proc = subprocess.run(
        [
            str(DBT),
            "compile",
            "--quiet",
            "--output",
            "json",
            "--inline",
            sql,
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_ROOT),
            "FULLFUNNEL_DUCKDB_PATH": str(tmp_path / "w.duckdb"),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    compiled = json.loads(proc.stdout)["compiled"]
    rows = duckdb.sql(compiled).fetchall()
    assert len(rows) == 20000 - MAX_COUNT
    worst = 0.0
    for k, lower, upper in rows:
        worst = max(
            worst,
            abs(lower / (chi2.ppf(0.05, 2 * k) / 2) - 1),
            abs(upper / (chi2.ppf(0.95, 2 * k + 2) / 2) - 1),
        )
    print(f"largest relative error of the Wilson-Hilferty bounds above {MAX_COUNT}: {worst:.2e}")
    assert worst < 1e-5

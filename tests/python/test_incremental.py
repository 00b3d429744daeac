"""Incremental facts: data arriving in three batches, the last one restating old ad days, built
as one full build then two incremental runs, gives the same marts as one full refresh over
the final data (issue: serving BI tools and the scheduled refresh)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from fullfunnel.contract import load_contract

from .conftest import DbtResult, run_dbt

# the dating column of each landing file (contract/landing.yml): batches cut every file at a day
DATED_BY = {f"{t.file}.csv": t.dated_by for t in load_contract().tables if t.dated_by}
RESTATED_SPEND = {
    "ads/google_ads__campaign_stats.csv": ("date", "cost_micros"),
    "ads/meta_ads__ads_insights.csv": ("date_start", "spend"),
    "ads/yandex_direct__campaign_report.csv": ("Date", "Cost"),
}


def _write_batch(full: Path, out: Path, cutoff: str, restate: tuple[str, str] | None) -> None:
    """Every landing file cut at `cutoff` (rows dated before it, and rows whose date is not a
    date, which a loader would deliver at once); with `restate`, ad rows of the days in
    [start, end) are delivered again at the end of the file with 10% more spend."""
    con = duckdb.connect()
    for path in sorted(full.rglob("*.csv")):
        rel = path.relative_to(full).as_posix()
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        scan = f"read_csv('{path}', all_varchar = true, header = true)"
        column = DATED_BY.get(rel)
        keep = (
            f"not regexp_matches(coalesce(\"{column}\", ''), '^\\s*20') "
            f"or \"{column}\" < '{cutoff}'"
        )
        query = f"select * from {scan}" + (f" where {keep}" if column else "")
        if restate and rel in RESTATED_SPEND:
            day, spend = RESTATED_SPEND[rel]
            cols = [d[0] for d in con.execute(f"select * from {scan} limit 0").description]
            restated = ", ".join(
                f'cast(round(try_cast("{c}" as double) * 1.1) as varchar) as "{c}"'
                if c == spend
                else f'"{c}"'
                for c in cols
            )
            query += (
                f" union all select {restated} from {scan} "
                f"where \"{day}\" >= '{restate[0]}' and \"{day}\" < '{restate[1]}'"
            )
        con.execute(f"copy ({query}) to '{target}' (header, delimiter ',')")
    con.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, DbtResult]:
    from fullfunnel.generate import generate

    full = tmp_path_factory.mktemp("raw_full")
    generate(full, seed=11, scale=0.1, progress=lambda _msg: None)
    batches = []
    for n, (cutoff, restate) in enumerate(
        [
            ("2026-03-01", None),
            ("2026-07-01", None),
            ("2100-01-01", ("2026-06-05", "2026-07-01")),  # restates days loaded by batch 2
        ],
        start=1,
    ):
        batch = tmp_path_factory.mktemp(f"batch{n}")
        _write_batch(full, batch, cutoff, restate)
        batches.append(batch)

    incremental_dir = tmp_path_factory.mktemp("incremental")
    no_tests = ["--exclude", "resource_type:test", "resource_type:unit_test"]
    first = run_dbt(["build", "--full-refresh", *no_tests], batches[0], incremental_dir)
    assert first.returncode == 0, first.output[-3000:]
    for batch in batches[1:]:
        step = run_dbt(["run"], batch, incremental_dir)
        assert step.returncode == 0, step.output[-3000:]
        assert "incremental model" in step.output
    full_build = run_dbt(
        ["build", "--full-refresh", *no_tests], batches[-1], tmp_path_factory.mktemp("full")
    )
    assert full_build.returncode == 0, full_build.output[-3000:]
    return step, full_build


def _relations(result: DbtResult, schema: str) -> list[str]:
    return [
        r[0]
        for r in result.query(
            "select table_name from information_schema.tables "
            f"where table_schema = '{schema}' and table_type = 'BASE TABLE' order by 1"
        )
    ]


def _rows(result: DbtResult, relation: str, exclude: tuple[str, ...] = ()) -> list[tuple]:
    columns = [
        r[0]
        for r in result.query(
            "select column_name from information_schema.columns "
            f"where table_schema || '.' || table_name = '{relation}' order by ordinal_position"
        )
        if r[0] not in exclude
    ]
    select = ", ".join(f'"{c}"' for c in columns)
    return result.query(f"select {select} from {relation} order by all")


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _incremental_downstream(result: DbtResult) -> list[str]:
    """The incremental tables after staging: those replaced by landing day."""
    return [
        f"intermediate.{r[0]}"
        for r in result.query(
            "select table_name from information_schema.columns "
            "where table_schema = 'intermediate' and column_name = 'landing_partition' order by 1"
        )
    ]


def test_incremental_runs_equal_a_full_refresh(builds) -> None:
    """Every mart, and every incremental table downstream of staging, holds the same rows."""
    incremental, full = builds
    marts = _relations(full, "marts")
    assert len(marts) >= 10
    assert _relations(incremental, "marts") == marts
    downstream = _incremental_downstream(full)
    assert "intermediate.int_sessions_classified" in downstream
    assert _incremental_downstream(incremental) == downstream
    for relation in [f"marts.{m}" for m in marts] + downstream:
        got, expected = _rows(incremental, relation), _rows(full, relation)
        assert len(got) == len(expected), relation
        for row_got, row_expected in zip(got, expected, strict=True):
            assert all(_same(a, b) for a, b in zip(row_got, row_expected, strict=True)), (
                relation,
                row_got,
                row_expected,
            )


def test_restated_days_replace_the_earlier_delivery(builds) -> None:
    incremental, full = builds
    for result in (incremental, full):
        superseded = result.query(
            "select count(*) from quality.quarantine where rule = 'superseded' "
            "and source_system = 'ads'"
        )[0][0]
        assert superseded > 0
    quarantine = "quality.quarantine"
    assert _rows(incremental, quarantine, ("landing_row_number", "loaded_at")) == _rows(
        full, quarantine, ("landing_row_number", "loaded_at")
    )

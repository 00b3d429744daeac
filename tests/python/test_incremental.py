"""Incremental facts: data arriving in three batches, the last one restating old ad days, built
as one full build then two incremental runs, gives the same marts as one full refresh over
the final data (issue: serving BI tools and the scheduled refresh)."""

from __future__ import annotations

import datetime as dt
import math
import re
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


def _write_batch(
    full: Path, out: Path, cutoffs: list[str], restate: tuple[str, str] | None
) -> None:
    """Every landing file as delivered up to the last of `cutoffs`: rows dated before it, and
    rows whose date is not a date (which a loader delivers at once, with the first batch).
    Files grow by appending, as append-only sources do: the rows of each earlier cutoff come
    first, in the same order as in that batch's file, then the rows new in this one. With
    `restate`, ad rows of the days in [start, end) are delivered again at the end of the
    file with 10% more spend."""
    con = duckdb.connect()
    for path in sorted(full.rglob("*.csv")):
        rel = path.relative_to(full).as_posix()
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        scan = f"read_csv('{path}', all_varchar = true, header = true)"
        column = DATED_BY.get(rel)
        batch = "0"  # a file without a dating column is delivered whole
        if column:
            undated = f"not regexp_matches(coalesce(\"{column}\", ''), '^\\s*20')"
            delivered = " ".join(
                f"when \"{column}\" < '{cutoff}' then {number}"
                for number, cutoff in enumerate(cutoffs)
            )
            batch = f"case when {undated} then 0 {delivered} end"
        rows = f"select *, {batch} as _batch, row_number() over () as _row from {scan}"
        if restate and rel in RESTATED_SPEND:
            day, spend = RESTATED_SPEND[rel]
            cols = [d[0] for d in con.execute(f"select * from {scan} limit 0").description]
            restated = ", ".join(
                f'cast(round(try_cast("{c}" as double) * 1.1) as varchar) as "{c}"'
                if c == spend
                else f'"{c}"'
                for c in cols
            )
            rows += (
                f" union all select {restated}, {len(cutoffs)}, row_number() over () "
                f"from {scan} where \"{day}\" >= '{restate[0]}' and \"{day}\" < '{restate[1]}'"
            )
        query = (
            f"select * exclude (_batch, _row) from ({rows}) "
            "where _batch is not null order by _batch, _row"
        )
        con.execute(f"copy ({query}) to '{target}' (header, delimiter ',')")
    con.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, DbtResult]:
    from fullfunnel.generate import generate

    full = tmp_path_factory.mktemp("raw_full")
    generate(full, seed=11, scale=0.1, progress=lambda _msg: None)
    batches = []
    cutoffs = ["2026-03-01", "2026-07-01", "2100-01-01"]
    restated = [None, None, ("2026-06-05", "2026-07-01")]  # batch 3 restates days of batch 2
    for n, restate in enumerate(restated, start=1):
        batch = tmp_path_factory.mktemp(f"batch{n}")
        _write_batch(full, batch, cutoffs[:n], restate)
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


def test_unparseable_days_keep_the_day_they_are_written_with(builds) -> None:
    """A started_at that does not parse stays in the partition of the day it is written with
    (`2025-13-45T99:00:00Z`: a day before every replaced one, which the incremental runs skip
    before parsing) or, with no day in front, in `unknown` (re-read by every run); either
    way it is still quarantined after two incremental runs, as in the full refresh."""
    incremental, full = builds
    query = (
        "select landing_partition, count(*) from staging.base_web__sessions "
        "where quarantine_rule = 'unparseable:started_at' group by 1 order by 1"
    )
    partitions = dict(incremental.query(query))
    assert partitions == dict(full.query(query))
    assert partitions.get("2025-13-45", 0) > 0
    assert partitions.get("unknown", 0) > 0
    assert set(partitions) == {"2025-13-45", "unknown"}


def test_the_window_is_applied_to_the_text_before_parsing(builds) -> None:
    """The last incremental run drops, before trimming or parsing, the sessions written with a
    day before the day before the first one it replaces (restatement_window_days, 35, before
    the latest day held): a prefilter on the text as read, with the day as a constant."""
    incremental, _full = builds
    compiled = incremental.target_dir / "compiled/fullfunnel/models/staging/web/base"
    sql = (compiled / "base_web__sessions.sql").read_text("utf-8")
    (first,) = re.findall(r"landing_partition >= '(\d{4}-\d{2}-\d{2})'", sql)
    first_day = dt.date.fromisoformat(first)
    # the second batch holds the days before 2026-07-01 (as written: UTC may be a day later)
    assert first_day + dt.timedelta(days=35) in (dt.date(2026, 6, 30), dt.date(2026, 7, 1))
    day_before = (first_day - dt.timedelta(days=1)).isoformat()
    assert f"""where not coalesce(\n        left("started_at", 10) < '{day_before}'""" in sql

"""Incremental facts: data arriving in three batches, the last one restating old ad days, built
as one full build then two incremental runs, gives the same marts as one full refresh over
the final data (issue: serving BI tools and the scheduled refresh)."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from fullfunnel.contract import load_contract

from .conftest import DbtResult, run_dbt, run_dbt_on, spark_table, spark_tests_only


def _shifted(column: str, days: int) -> str:
    """`column` (an ISO timestamp as text, its offset dropped) `days` later, as ISO text."""
    return (
        f'strftime(cast(left("{column}", 19) as timestamp) + interval {days} day, '
        "'%Y-%m-%dT%H:%M:%SZ')"
    )


REMOVAL_EFFECTS = (
    "select channel, removal_effect from intermediate.int_markov_removal_effects order by 1"
)

# the dating column of each landing file (contract/landing.yml): batches cut every file at a day
DATED_BY = {f"{t.file}.csv": t.dated_by for t in load_contract().tables if t.dated_by}
# Late deliveries of the last batch, appended to the end of a file as an append-only export
# delivers them: file -> [(which rows of the full file, {column: new value as SQL})]. A row
# that keeps its key supersedes the earlier one (LANDING.md, "Repeated keys").
LATE_ROWS = {
    # ad days of the second batch restated with 10% more spend
    **{
        rel: [
            (
                f"\"{day}\" >= '2026-06-05' and \"{day}\" < '2026-07-01'",
                {spend: f'cast(round(try_cast("{spend}" as double) * 1.1) as varchar)'},
            )
        ]
        for rel, (day, spend) in {
            "ads/google_ads__campaign_stats.csv": ("date", "cost_micros"),
            "ads/meta_ads__ads_insights.csv": ("date_start", "spend"),
            "ads/yandex_direct__campaign_report.csv": ("Date", "Cost"),
        }.items()
    },
    # sessions of a day of the second batch move to another visitor_id (a visitor stitching
    # corrected by the web export): their old visitors' Markov paths lose them, and the new
    # visitor_ids are new non-converting paths
    "web/sessions.csv": [
        (
            "started_at >= '2026-06-25' and started_at < '2026-06-26' and visitor_id is not null",
            {"visitor_id": "visitor_id || '-moved'"},
        )
    ],
    # paid invoices of early June turn void (a late status change of a month long built)
    "billing/invoices.csv": [
        (
            "issued_at >= '2026-06-01' and issued_at < '2026-06-10' and status = 'paid'",
            {"status": "'void'", "paid_at": "null"},
        )
    ],
    "crm/leads.csv": [
        # three leads of the first batch lose their visitor_id in the CRM: their old lead
        # days are recomputed, far before the days the sessions replace
        (
            "lead_id in (select lead_id from scan where created_at < '2026-02-01' "
            "and visitor_id is not null order by lead_id limit 3)",
            {"visitor_id": "null"},
        ),
        # copies of leads of late June arriving 10 days later (inside lead_dedup_days, 30)
        # and of early May arriving 70 days later (outside it), both in the last batch
        (
            "created_at >= '2026-06-20' and created_at < '2026-06-21' "
            "and try_cast(left(created_at, 19) as timestamp) is not null",
            {
                "lead_id": "lead_id || '-dup-in'",
                "created_at": _shifted("created_at", 10),
            },
        ),
        (
            "created_at >= '2026-05-01' and created_at < '2026-05-02' "
            "and try_cast(left(created_at, 19) as timestamp) is not null",
            {
                "lead_id": "lead_id || '-dup-out'",
                "created_at": _shifted("created_at", 70),
            },
        ),
    ],
}


def _write_batch(full: Path, out: Path, cutoffs: list[str], late: bool) -> None:
    """Every landing file as delivered up to the last of `cutoffs`: rows dated before it, and
    rows whose date is not a date (which a loader delivers at once, with the first batch).
    Files grow by appending, as append-only sources do: the rows of each earlier cutoff come
    first, in the same order as in that batch's file, then the rows new in this one. With
    `late`, the rows of LATE_ROWS follow at the end of their file."""
    con = duckdb.connect()
    for path in sorted(full.rglob("*.csv")):
        rel = path.relative_to(full).as_posix()
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"create or replace temp view scan as "
            f"select * from read_csv('{path}', all_varchar = true, header = true)"
        )
        column = DATED_BY.get(rel)
        batch = "0"  # a file without a dating column is delivered whole
        if column:
            undated = f"not regexp_matches(coalesce(\"{column}\", ''), '^\\s*20')"
            delivered = " ".join(
                f"when \"{column}\" < '{cutoff}' then {number}"
                for number, cutoff in enumerate(cutoffs)
            )
            batch = f"case when {undated} then 0 {delivered} end"
        rows = f"select *, {batch} as _batch, row_number() over () as _row from scan"
        columns = [d[0] for d in con.execute("select * from scan limit 0").description]
        for n, (where, changed) in enumerate(LATE_ROWS.get(rel, []) if late else []):
            values = ", ".join(
                f'cast({changed[c]} as varchar) as "{c}"' if c in changed else f'"{c}"'
                for c in columns
            )
            rows += (
                f" union all select {values}, {len(cutoffs) + n}, row_number() over () "
                f"from scan where {where}"
            )
        query = (
            f"select * exclude (_batch, _row) from ({rows}) "
            "where _batch is not null order by _batch, _row"
        )
        con.execute(f"copy ({query}) to '{target}' (header, delimiter ',')")
    con.close()


@dataclass(frozen=True)
class Builds:
    """The warehouse after the incremental runs, the full refresh over the last batch, the
    Markov removal effects before the last incremental run, and the last batch."""

    incremental: DbtResult
    full: DbtResult
    removal_effects_before_last_batch: list[tuple]
    raw_dir: Path


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The landing folders of the three deliveries (seed 11, scale 0.1): up to March, up to
    July, then everything with the late rows."""
    from fullfunnel.generate import generate

    full = tmp_path_factory.mktemp("raw_full")
    generate(full, seed=11, scale=0.1, progress=lambda _msg: None)
    folders = []
    cutoffs = ["2026-03-01", "2026-07-01", "2100-01-01"]
    for n in range(1, len(cutoffs) + 1):  # the last batch brings the late rows
        batch = tmp_path_factory.mktemp(f"batch{n}")
        _write_batch(full, batch, cutoffs[:n], late=n == len(cutoffs))
        folders.append(batch)
    return folders


@pytest.fixture(scope="module")
def builds(batches: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Builds:
    incremental_dir = tmp_path_factory.mktemp("incremental")
    no_tests = ["--exclude", "resource_type:test", "resource_type:unit_test"]
    first = run_dbt(["build", "--full-refresh", *no_tests], batches[0], incremental_dir)
    assert first.returncode == 0, first.output[-3000:]
    for batch in batches[1:]:
        removal_effects = first.query(REMOVAL_EFFECTS)
        step = run_dbt(["run"], batch, incremental_dir)
        assert step.returncode == 0, step.output[-3000:]
        assert "incremental model" in step.output
        assert "rebuilt in full" not in step.output
    full_build = run_dbt(
        ["build", "--full-refresh", *no_tests], batches[-1], tmp_path_factory.mktemp("full")
    )
    assert full_build.returncode == 0, full_build.output[-3000:]
    return Builds(step, full_build, removal_effects, batches[-1])


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


# when the run that wrote a row started, and what it had read: they differ between the runs
RUN_COLUMNS = ("written_at", "upstream_written_through")


def _incremental_downstream(result: DbtResult) -> list[str]:
    """The incremental tables after staging: those replaced by landing day or by lead day
    (every row carries the settings it was computed with)."""
    return [
        f"intermediate.{r[0]}"
        for r in result.query(
            "select table_name from information_schema.columns where table_schema = "
            "'intermediate' and column_name = 'landing_settings_fingerprint' order by 1"
        )
    ]


def test_incremental_runs_equal_a_full_refresh(builds) -> None:
    """Every mart, and every incremental table downstream of staging, holds the same rows."""
    incremental, full = builds.incremental, builds.full
    marts = _relations(full, "marts")
    assert len(marts) >= 10
    assert _relations(incremental, "marts") == marts
    downstream = _incremental_downstream(full)
    assert {
        "intermediate.int_sessions_classified",
        "intermediate.int_touchpoints_collected",
        "intermediate.int_touchpoints_credited",
    } <= set(downstream)
    assert _incremental_downstream(incremental) == downstream
    for relation in [f"marts.{m}" for m in marts] + downstream:
        got = _rows(incremental, relation, RUN_COLUMNS)
        expected = _rows(full, relation, RUN_COLUMNS)
        assert len(got) == len(expected), relation
        for row_got, row_expected in zip(got, expected, strict=True):
            assert all(_same(a, b) for a, b in zip(row_got, row_expected, strict=True)), (
                relation,
                row_got,
                row_expected,
            )


def test_the_last_run_rewrote_only_the_session_days_that_changed(builds) -> None:
    """The last incremental run re-read the sessions of the restatement window (the 35 days
    before the latest day held, June 30) and rewrote, of those days, only the one whose
    sessions moved to new visitor_ids (June 25), besides the new days: the other re-read
    days keep their rows as the run before wrote them."""
    days = builds.incremental.query(
        "select landing_partition_date, count(distinct written_at), "
        "bool_or(written_at = latest) "
        "from intermediate.int_sessions_classified, "
        "(select max(written_at) as latest from intermediate.int_sessions_classified) "
        "where landing_partition_date >= date '2026-05-26' group by 1 order by 1"
    )
    assert all(runs == 1 for _day, runs, _latest in days)  # a day is written whole
    window = {day: latest for day, _runs, latest in days if day < dt.date(2026, 7, 1)}
    assert len(window) >= 30
    assert [day for day, latest in window.items() if latest] == [dt.date(2026, 6, 25)]
    assert all(latest for day, _runs, latest in days if day >= dt.date(2026, 7, 1))


def test_the_last_run_replaced_only_the_lead_days_that_changed(builds) -> None:
    """The last incremental run rewrote the touchpoints of the lead days its sessions reach
    and of the leads edited in the CRM, and kept the other days as the earlier runs wrote
    them; it rewrote every markov credit (its removal effects changed with the new paths),
    in the credits and in fct_attribution."""
    incremental = builds.incremental
    days = incremental.query(
        "select distinct lead_created_day from intermediate.int_touchpoints_collected "
        "where written_at = (select max(written_at) from intermediate.int_touchpoints_collected) "
        "order by 1"
    )
    # the sessions rewrote June 25 (moved visitors) and the new days from July on: the days
    # before May were rewritten only for the three edited leads (January), at most 3 days
    old_days = [d for (d,) in days if d < dt.date(2026, 5, 1)]
    assert 1 <= len(old_days) <= 3 and max(old_days) < dt.date(2026, 2, 1), old_days
    assert len(days) - len(old_days) >= 30
    runs = incremental.query(
        "select count(distinct written_at) from intermediate.int_touchpoints_collected"
    )
    assert runs == [(3,)]
    for credits in ("intermediate.int_touchpoints_credited", "marts.fct_attribution"):
        last_run = incremental.query(
            "select attribution_model, count(*) filter (where written_at < latest) "
            f"from {credits}, (select max(written_at) as latest from {credits}) group by 1"
        )
        kept = dict(last_run)
        assert kept.pop("markov") == 0, credits
        assert len(kept) == 6 and all(older > 0 for older in kept.values()), (credits, kept)
    effects_after = incremental.query(REMOVAL_EFFECTS)
    assert effects_after != builds.removal_effects_before_last_batch


def test_the_last_run_recomputed_only_the_markov_paths_that_changed(builds) -> None:
    """The last incremental run recomputed the Markov paths of the lead days and visitors
    whose touchpoints or sessions changed and kept the others; the visitor_ids the sessions
    moved to have their non-converting paths."""
    incremental = builds.incremental
    ((kept, rewritten),) = incremental.query(
        "select count(*) filter (where written_at < latest), "
        "count(*) filter (where written_at = latest) "
        "from intermediate.int_markov_path_steps, "
        "(select max(written_at) as latest from intermediate.int_markov_path_steps)"
    )
    assert kept > rewritten > 0, (kept, rewritten)
    moved = incremental.query(
        "select count(distinct path_id), min(written_at) = max(written_at) "
        "from intermediate.int_markov_path_steps "
        "where not is_converting and path_id like '%-moved'"
    )
    assert moved[0][0] > 0 and moved[0][1], moved


def test_the_last_run_recomputed_only_the_mrr_customers_that_changed(builds) -> None:
    """The last incremental run recomputed every row of the customers whose paid June
    invoices turned void, kept the other customers' stored months and added their new ones."""
    incremental = builds.incremental
    # the invoices the last batch delivers again (LATE_ROWS): a key repeated in the file
    invoices_csv = builds.raw_dir / "billing" / "invoices.csv"
    voided = (
        f"select customer_id from read_csv('{invoices_csv}', all_varchar = true) "
        "group by invoice_id, customer_id having count(*) > 1"
    )
    for table in ("int_customer_mrr_monthly", "int_mrr_movements_classified"):
        ((kept, rewritten, voided_kept, voided_rewritten, extended),) = incremental.query(
            "with rows as (select *, written_at = max(written_at) over () as is_latest "
            f"from intermediate.{table}) "
            "select count(*) filter (where not is_latest), count(*) filter (where is_latest), "
            f"count(*) filter (where not is_latest and customer_id in ({voided})), "
            f"count(*) filter (where is_latest and customer_id in ({voided})), "
            "(select count(*) from (select customer_id from rows group by customer_id "
            "having bool_or(is_latest) and not bool_and(is_latest))) "
            "from rows"
        )
        assert kept > 0 and rewritten > 0, (table, kept, rewritten)
        assert voided_rewritten > 0 and voided_kept == 0, (table, voided_rewritten, voided_kept)
        assert extended > 0, table


def test_late_leads_are_deduplicated_within_the_window_only(builds) -> None:
    """Copies of leads arriving in the last batch 10 days after the original (inside
    lead_dedup_days) are duplicates of it; those arriving 70 days later (outside) are not."""
    incremental = builds.incremental
    copies = incremental.query(
        "select split_part(lead_id, '-dup-', 2), invalid_reason, duplicate_of_lead_id, "
        "replace(replace(lead_id, '-dup-in', ''), '-dup-out', '') as original "
        "from marts.fct_leads where lead_id like '%-dup-%'"
    )
    inside = [c for c in copies if c[0] == "in"]
    outside = [c for c in copies if c[0] == "out"]
    assert inside and outside
    assert any(c[1] == "duplicate" and c[2] == c[3] for c in inside), inside
    assert all(c[2] != c[3] for c in outside), outside


def test_restated_days_replace_the_earlier_delivery(builds) -> None:
    incremental, full = builds.incremental, builds.full
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
    incremental, full = builds.incremental, builds.full
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
    incremental = builds.incremental
    compiled = incremental.target_dir / "compiled/fullfunnel/models/staging/web/base"
    sql = (compiled / "base_web__sessions.sql").read_text("utf-8")
    (first,) = re.findall(r"landing_partition >= '(\d{4}-\d{2}-\d{2})'", sql)
    first_day = dt.date.fromisoformat(first)
    # the second batch holds the days before 2026-07-01 (as written: UTC may be a day later)
    assert first_day + dt.timedelta(days=35) in (dt.date(2026, 6, 30), dt.date(2026, 7, 1))
    day_before = (first_day - dt.timedelta(days=1)).isoformat()
    assert f"""where not coalesce(\n        left("started_at", 10) < '{day_before}'""" in sql


def test_tests_after_an_incremental_run_check_what_it_wrote(builds, tmp_path: Path) -> None:
    """After an incremental run, the per-pair attribution tests read the lead x model pairs
    that run wrote (macros/tests/latest_run_rows.sql): a broken credit the run wrote fails
    them, one it kept from an earlier run is out of their scope. The same broken credits in a
    table written by one run only (a full build) both fail."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(builds.incremental.db_path, work / "warehouse.duckdb")
    table = "marts.fct_attribution"
    broken = (
        f"update {table} set credit = credit + 0.5 where (lead_id, attribution_model) in "
        f"(select (lead_id, attribution_model) from {table} where attribution_model = '{{model}}' "
        "and written_at {cmp} (select max(written_at) from " + table + ") "
        "order by lead_id limit 1)"
    )
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        con.execute(broken.format(model="markov", cmp="="))  # written by the last run
        con.execute(broken.format(model="first_touch", cmp="<"))  # kept from an earlier one
    check = ["test", "--select", "assert_credits_sum_to_one_per_lead_and_model"]
    scoped = run_dbt(check, builds.raw_dir, work)
    assert scoped.returncode == 1 and "Got 1 result" in scoped.output, scoped.output[-2000:]
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        con.execute(f"update {table} set written_at = timestamp '2000-01-01'")  # one run
    whole = run_dbt(check, builds.raw_dir, work)
    assert whole.returncode == 1 and "Got 2 results" in whole.output, whole.output[-2000:]


@spark_tests_only
def test_incremental_runs_equal_a_full_refresh_on_spark(
    batches: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On Spark, the deliveries up to July then the last one (restated June ad days, voided
    June invoices, edited and late leads): every incremental table (the five append-only
    base_ tables and the sessions' classification, which overwrite the day partitions they
    re-read; the tables incremental by lead day are rebuilt there) holds after the
    incremental run the rows a full build of the last delivery holds, `written_at` aside.
    Two deliveries, not three: a Spark run costs about a minute of fixed start-up."""
    selection = [
        "--select",
        "+config.materialized:incremental",
        "--exclude",
        "resource_type:test",
        "resource_type:unit_test",
    ]
    incremental_dir = tmp_path_factory.mktemp("spark_incremental")
    for batch in batches[1:]:
        step = run_dbt_on("spark", ["build", *selection], batch, incremental_dir)
        assert step.returncode == 0, step.output[-6000:]
        assert "rebuilt in full" not in step.output, step.output[-6000:]
    full_dir = tmp_path_factory.mktemp("spark_full")
    full = run_dbt_on("spark", ["build", *selection], batches[-1], full_dir)
    assert full.returncode == 0, full.output[-6000:]

    manifest = json.loads((incremental_dir / "target" / "manifest.json").read_text())
    models = {
        node["alias"]: node["schema"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }
    assert len(models) == 6 and models["int_sessions_classified"] == "intermediate", models
    con = duckdb.connect()
    for model, schema in sorted(models.items()):
        compiled = next((incremental_dir / "target" / "run").rglob(f"{model}.sql")).read_text()
        assert "insert overwrite" in compiled.lower(), f"{model} did not run incrementally"
        got, expected = (
            spark_table(incremental_dir, schema, model),
            spark_table(full_dir, schema, model),
        )
        columns = [c[0] for c in con.execute(f"describe select * from {expected}").fetchall()]
        kept = "* exclude (written_at)" if "written_at" in columns else "*"
        rows, rows_expected, differing = con.execute(
            f"""
            select
                (select count(*) from {got}),
                (select count(*) from {expected}),
                (select count(*) from (
                    (select {kept} from {got} except all select {kept} from {expected})
                    union all
                    (select {kept} from {expected} except all select {kept} from {got})
                ))
            """
        ).fetchone()
        assert rows_expected > 0, model
        assert (rows, differing) == (rows_expected, 0), model

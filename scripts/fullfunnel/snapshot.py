"""`fullfunnel snapshot`: export the CMO's KPIs of one month and render the one-page report.

What it does (issue 7):

1. Opens the warehouse READ-ONLY (`--warehouse`, default `$FULLFUNNEL_DUCKDB_PATH` or
   `warehouse/fullfunnel.duckdb`), checks that the marts it reads exist, picks the month and
   reads everything it needs (all aggregation happens in DuckDB), then closes the connection
   before writing anything, so the warehouse is never held longer than the reads.
2. Writes the snapshot tables in every requested format (`--format json,csv,parquet,xlsx`,
   default all) into a run folder, with a `manifest.json`:

   - `kpis`: one row per KPI column of `marts.mart_cmo_kpis_monthly` (in column order):
     value, plan target, attainment, on-track flag (a young cr2 cohort judged by its projection,
     `is_mature`, `projected_actual`) and is_lower_better (whole-business rows of
     `marts.mart_plan_vs_actual`; NULL where the plan has no such metric), the previous
     month's value, change (absolute and relative to |previous|), the same month last year
     and the change against it (NULL where the marts do not reach back that far).
   - `channels`: the month's rows of `marts.mart_marketing_monthly` (all columns).
   - `reps`: the month's rows of `marts.mart_sales_reps_monthly` (all columns).
   - `plan`: every plan row of the month (whole business, channel NULL, and per channel),
     judged as METRICS.md says: a row that is not mature (a cr2 cohort younger than 90 days)
     by its projection (`judged_value`, `is_judged_on_track`), with the cohort's age in days
     (youngest and oldest lead), `relative_miss` (how far an off-track row misses its target,
     as a share of it) and `severity` (minor under 10%, moderate under 30%, else severe).

   Every number is rounded to 12 significant digits (`stable_floats`): parallel sums of
   doubles differ in their last bits between builds, and the same data must give the same
   bytes.

   JSON is one file `snapshot.json` (`{"month", "reporting_currency", "tables": {...}}`),
   CSV and Parquet one file per table (`<table>.csv`, `<table>.parquet`), XLSX one workbook
   `snapshot.xlsx` with a sheet per table (numbers and dates as typed cells).
3. Renders the report (`report.html`, plus `report.png` and `report.pdf` through headless
   Chromium; see `fullfunnel.report`) unless `--no-report`.
4. Appends the run to `<out>/history.duckdb` (tables `runs` and `snapshots`, view
   `kpi_revisions`) so that how a month's numbers changed between refreshes can be queried.

Layout of `--out` (default `data/snapshots`)::

    <out>/history.duckdb                      every run, appended
    <out>/<YYYY-MM>/<run_id>/manifest.json    run_id = UTC start time, 20261127T043211.123456Z
    <out>/<YYYY-MM>/<run_id>/snapshot.json, <table>.csv, <table>.parquet, snapshot.xlsx
    <out>/<YYYY-MM>/<run_id>/report.html, report.png, report.pdf
    <out>/<YYYY-MM>/LATEST                    the run_id of the newest run of that month

Nothing is half-written: a run is written into `<out>/.tmp-<run_id>-<pid>/`, then the
history rows are inserted in a transaction, the folder is moved into place with `os.replace`
and the transaction commits; on any failure the temporary folder is removed and no history
row is kept. The folder of a run that was killed (its process is gone) is removed, with a
message, by the next run. The data files are deterministic: running twice on the same
warehouse gives byte-identical data files and `report.html` (the XLSX has fixed zip and document
timestamps); only `manifest.json` (generated_at, run_id) differs, and the PNG/PDF renderings
(a PDF embeds its creation time).

The default month is the latest COMPLETE month of `marts.mart_cmo_kpis_monthly`: a month is
complete when the data's latest event falls on or after its last day. The latest event is
the largest `latest_event_at` of `quality.source_freshness` over every source but `finance`
(FX rates and cost months are dated by period, not by events, and rates may be published
ahead). `--month` may name any month the marts cover; the manifest says whether it is
complete.

Exit codes: 0 done; 1 error (one line on stderr, nothing written); 3 `--fail-on-alert` and
some plan metric of the month (whole business or a channel) is off track; 4
`--require-render` and the PNG/PDF could not be rendered. 3 and 4 are returned after
everything was written; 4 wins over 3.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from fullfunnel.contract import load_kpis
from fullfunnel.project import DEFAULT_WAREHOUSE, Project, default_warehouse
from fullfunnel.report_data import collect_report_data

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_ALERT = 3
EXIT_RENDER = 4

FORMATS: tuple[str, ...] = ("json", "csv", "parquet", "xlsx")
TABLES: tuple[str, ...] = ("kpis", "channels", "reps", "plan")
DEFAULT_OUT = "data/snapshots"
HISTORY_FILE = "history.duckdb"
# written so that DuckDB 1.x readers (BI drivers) can open the history file (DESIGN.md)
HISTORY_STORAGE_VERSION = "v1.5.0"
# sources whose dates are periods, not events: not used to decide whether a month is complete
PERIOD_DATED_SYSTEMS: tuple[str, ...] = ("finance",)
# METRICS.md: budgets and these metrics are on track when actual <= target
# an off-track plan row's severity by its relative miss: below MODERATE_MISS minor, below
# SEVERE_MISS moderate, else severe
MODERATE_MISS = 0.10
SEVERE_MISS = 0.30
LOWER_IS_BETTER_PLAN_METRICS: tuple[str, ...] = tuple(
    k.name for k in load_kpis().values() if k.plan and k.lower_is_better
)  # contract/metrics.yml
# relation -> columns the snapshot and the report read (MARTS.md; more columns may exist)
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "marts.mart_cmo_kpis_monthly": (
        "month",
        "ad_spend",
        "marketing_cost",
        "sessions",
        "leads",
        "cac",
        "new_customers",
        "mrr",
        "new_mrr",
        "expansion_mrr",
        "reactivation_mrr",
        "contraction_mrr",
        "churned_mrr",
    ),
    "marts.mart_plan_vs_actual": (
        "month",
        "channel",
        "metric",
        "target",
        "actual",
        "attainment",
        "is_on_track",
    ),
    "marts.mart_marketing_monthly": (
        "month",
        "channel",
        "channel_group",
        "leads",
        "qualified_leads",
        "deals",
        "won_leads",
        "ad_spend",
        "marketing_cost",
        "cpl",
        "new_customers",
        "cac",
        "romi_to_date",
    ),
    "marts.mart_sales_reps_monthly": (
        "month",
        "owner_id",
        "rep_name",
        "leads_assigned",
        "won_leads",
        "expected_won_leads",
        "performance_index",
    ),
    "marts.fct_mrr_monthly": ("month", "customer_id", "mrr"),
    "quality.build_metadata": ("invocation_id", "metrics_version"),
    "quality.source_freshness": (
        "source_system",
        "source_table",
        "staged_rows",
        "latest_event_at",
    ),
}
NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
    "DECIMAL",
)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class SnapshotError(Exception):
    """A problem the user must fix; its message is printed as one line on stderr."""


@dataclass
class Snapshot:
    """Everything read from the warehouse for one month (the write phase needs no connection)."""

    warehouse: Path
    month: date
    is_complete_month: bool
    latest_event_at: datetime | None
    months_covered: tuple[date, date]
    build: dict[str, Any]
    freshness: list[dict[str, Any]]
    tables: dict[str, pa.Table]
    alerts: list[dict[str, Any]]
    report: dict[str, Any] | None = None
    kpi_columns: list[str] = field(default_factory=list)
    # `dbt source freshness` results (`--source-freshness`), as recorded in the manifest
    freshness_check: dict[str, Any] | None = None

    @property
    def month_label(self) -> str:
        """The month as `YYYY-MM` (the folder name)."""
        return f"{self.month:%Y-%m}"

    @property
    def has_plan(self) -> bool:
        """Whether seeds/marketing_plan has rows for the month (else nothing is "on track")."""
        return self.tables["plan"].num_rows > 0

    @property
    def reporting_currency(self) -> str:
        """The reporting currency the warehouse was built in."""
        return str(self.build.get("reporting_currency") or "")


# --------------------------------------------------------------------------------------------
# command line


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `snapshot` subcommand to the `fullfunnel` parser."""
    parser = subparsers.add_parser(
        "snapshot",
        help="export the month's CMO KPIs (JSON, CSV, Parquet, XLSX) and the one-page report",
        description=(__doc__ or "").split("\n\n")[0],
    )
    parser.add_argument(
        "--month",
        help="YYYY-MM (default: the latest complete month of marts.mart_cmo_kpis_monthly "
        "with activity: leads, sessions, spend, new customers or revenue)",
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, help=f"snapshot root folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--format",
        default=",".join(FORMATS),
        help=f"comma-separated subset of {','.join(FORMATS)} (default: all)",
    )
    parser.add_argument(
        "--warehouse",
        default=None,
        help=f"DuckDB file (default: $FULLFUNNEL_DUCKDB_PATH or {DEFAULT_WAREHOUSE})",
    )
    parser.add_argument(
        "--fail-on-alert",
        action="store_true",
        help="exit 3 (after writing everything) when a plan metric of the month is off track",
    )
    parser.add_argument("--no-report", action="store_true", help="skip the HTML/PNG/PDF report")
    parser.add_argument(
        "--source-freshness",
        metavar="SOURCES_JSON",
        help="the results of `dbt source freshness` (its sources.json) to record in the "
        "manifest (fullfunnel refresh passes them)",
    )
    parser.add_argument(
        "--require-render",
        action="store_true",
        help="exit 4 (after writing everything) when Chromium cannot render the PNG/PDF",
    )
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Entry point of `fullfunnel snapshot`: one line on stderr and exit 1 on any error."""
    try:
        return _run(args)
    except SnapshotError as exc:
        print(f"fullfunnel snapshot: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except duckdb.Error as exc:  # a query the checks did not foresee: still one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"fullfunnel snapshot: error: reading the warehouse failed: {first}", file=sys.stderr)
        return EXIT_ERROR


def read_freshness_check(path: Path) -> dict[str, Any]:
    """The results of `dbt source freshness` (sources.json): when it ran, and per source its
    status (pass, warn, error), newest row and that row's age in hours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        results = data["results"]
    except (OSError, ValueError, KeyError) as exc:
        raise SnapshotError(f"--source-freshness {path}: not readable dbt results ({exc})") from exc
    sources = []
    for result in sorted(results, key=lambda r: r["unique_id"]):
        age = result.get("max_loaded_at_time_ago_in_s")
        sources.append(
            {
                "source": result["unique_id"].split(".", 2)[-1],
                "status": result.get("status"),
                "max_loaded_at": result.get("max_loaded_at"),
                "age_hours": round(age / 3600, 1) if age is not None else None,
                "warn_after_hours": (result.get("criteria", {}).get("warn_after") or {}).get(
                    "count"
                ),
                "error_after_hours": (result.get("criteria", {}).get("error_after") or {}).get(
                    "count"
                ),
            }
        )
    return {
        "checked_at": data.get("metadata", {}).get("generated_at"),
        "stale": [s["source"] for s in sources if s["status"] in ("warn", "error")],
        "sources": sources,
    }


def _run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    formats = parse_formats(args.format)
    month = parse_month(args.month) if args.month else None
    warehouse = Path(args.warehouse or default_warehouse())
    out_root = Path(args.out)
    if out_root.exists() and not out_root.is_dir():
        raise SnapshotError(f"--out {out_root} exists and is not a folder")

    snap = read_snapshot(warehouse, month, with_report=not args.no_report)
    if getattr(args, "source_freshness", None):
        snap.freshness_check = read_freshness_check(Path(args.source_freshness))
    read_seconds = time.monotonic() - started

    result = write_snapshot(snap, out_root, formats, render=not args.no_report)
    elapsed = time.monotonic() - started

    state = "complete" if snap.is_complete_month else "INCOMPLETE (data still arriving)"
    print(f"snapshot {snap.month_label} ({state} month) -> {result.folder}")
    print(f"  files: {', '.join(sorted(result.files))}")
    print(f"  history: {result.history_path} (run {result.run_id}, {result.month_runs} run(s))")
    print(f"  timings: read {read_seconds:.1f} s, total {elapsed:.1f} s")
    if snap.alerts:
        worst = snap.alerts[0]
        scope = worst["channel"] or "whole business"
        miss = worst["relative_miss"]
        print(
            f"  alerts: {len(snap.alerts)} off-track plan metric(s); worst: {worst['metric']} "
            f"({scope}) actual {worst['actual']:.6g} vs plan {worst['target']:.6g}"
            + (f", {miss:.1%} off" if miss is not None else "")
        )
    elif snap.has_plan:
        print("  alerts: none, every plan metric of the month is on track")
    else:
        print(
            "  alerts: none, no plan for this month (seeds/marketing_plan.csv has no rows for it)"
        )

    code = EXIT_OK
    if result.render_note:
        print(f"fullfunnel snapshot: {result.render_note}", file=sys.stderr)
        if args.require_render:
            code = EXIT_RENDER
    if code == EXIT_OK and args.fail_on_alert and snap.alerts:
        print(
            f"fullfunnel snapshot: {len(snap.alerts)} plan metric(s) off track "
            f"in {snap.month_label} (--fail-on-alert)",
            file=sys.stderr,
        )
        code = EXIT_ALERT
    return code


def parse_formats(value: str) -> list[str]:
    """`json,csv` -> ["json", "csv"] in FORMATS order; `all` = every format."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not names:
        raise SnapshotError(f"--format is empty (choose from {', '.join(FORMATS)})")
    if "all" in names:
        return list(FORMATS)
    unknown = [name for name in names if name not in FORMATS]
    if unknown:
        raise SnapshotError(
            f"unknown format {', '.join(repr(u) for u in unknown)} "
            f"(choose from {', '.join(FORMATS)})"
        )
    return [name for name in FORMATS if name in names]


def parse_month(value: str) -> date:
    """`2026-10` -> date(2026, 10, 1)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise SnapshotError(f"--month {value!r} is not a month (expected YYYY-MM, e.g. 2026-10)")
    return date(int(match.group(1)), int(match.group(2)), 1)


# --------------------------------------------------------------------------------------------
# reading (one read-only connection, closed before anything is written)


@contextmanager
def open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse read-only, turning DuckDB's errors into one-line SnapshotErrors."""
    if not path.exists():
        raise SnapshotError(
            f"warehouse {path} does not exist (build it with `dbt build`, or pass --warehouse "
            "or set FULLFUNNEL_DUCKDB_PATH)"
        )
    if not path.is_file():
        raise SnapshotError(f"warehouse {path} is not a file")
    if path.stat().st_size == 0:
        raise SnapshotError(f"warehouse {path} is an empty file: it is unbuilt (run `dbt build`)")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        message = str(exc)
        if "lock" in message.lower():
            pid = re.search(r"PID (\d+)", message)
            holder = f" (PID {pid.group(1)})" if pid else ""
            raise SnapshotError(
                f"warehouse {path} is locked by a writer{holder}, e.g. a running `dbt build`; "
                "retry when it has finished"
            ) from exc
        first_line = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
        raise SnapshotError(f"cannot open warehouse {path}: {first_line}") from exc
    try:
        yield con
    finally:
        con.close()


def check_relations(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Fail with one line when a relation or column the snapshot reads is missing."""
    present: dict[str, set[str]] = {}
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name from information_schema.columns"
    ).fetchall()
    for relation, column in rows:
        present.setdefault(relation, set()).add(column)
    missing_relations = [name for name in REQUIRED_COLUMNS if name not in present]
    if missing_relations:
        shown = ", ".join(missing_relations[:3])
        more = f" and {len(missing_relations) - 3} more" if len(missing_relations) > 3 else ""
        raise SnapshotError(
            f"warehouse {path} has no {shown}{more}: it is unbuilt or stale "
            "(run `dbt build` on it first)"
        )
    missing_columns = [
        f"{relation}.{column}"
        for relation, columns in REQUIRED_COLUMNS.items()
        for column in columns
        if column not in present[relation]
    ]
    if missing_columns:
        raise SnapshotError(
            f"warehouse {path} is stale: missing column(s) {', '.join(missing_columns[:4])} "
            "(rebuild it with `dbt build`)"
        )


def kpi_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The numeric KPI columns of mart_cmo_kpis_monthly, in table order."""
    rows = con.execute(
        """
        select column_name, data_type
        from information_schema.columns
        where table_schema = 'marts' and table_name = 'mart_cmo_kpis_monthly'
        order by ordinal_position
        """
    ).fetchall()
    return [
        name for name, dtype in rows if name != "month" and dtype.upper().startswith(NUMERIC_TYPES)
    ]


def quote_ident(name: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def kpi_long_sql(columns: Sequence[str]) -> str:
    """SQL of mart_cmo_kpis_monthly in long form: month, kpi, kpi_order, value (double)."""
    parts = [
        f"select month, '{name}' as kpi, {order} as kpi_order, "
        f"cast({quote_ident(name)} as double) as value from marts.mart_cmo_kpis_monthly"
        for order, name in enumerate(columns, start=1)
    ]
    return "\n    union all\n    ".join(parts)


def lower_is_better_sql(con: duckdb.DuckDBPyConnection) -> str:
    """The plan's is_lower_better column, or METRICS.md's rule when the mart lacks it."""
    has_column = con.execute(
        """
        select count(*) from information_schema.columns
        where table_schema = 'marts' and table_name = 'mart_plan_vs_actual'
            and column_name = 'is_lower_better'
        """
    ).fetchall()[0][0]
    if has_column:
        return "is_lower_better"
    metrics = ", ".join(f"'{m}'" for m in LOWER_IS_BETTER_PLAN_METRICS)
    return f"(metric in ({metrics}))"


def latest_event(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest event of the data (quality.source_freshness, event-dated sources only)."""
    systems = ", ".join(f"'{s}'" for s in PERIOD_DATED_SYSTEMS)
    latest = con.execute(
        "select max(latest_event_at) from quality.source_freshness "
        f"where source_system not in ({systems})"
    ).fetchall()[0][0]
    if isinstance(latest, date) and not isinstance(latest, datetime):
        latest = datetime(latest.year, latest.month, latest.day)
    return latest


def pick_month(
    con: duckdb.DuckDBPyConnection, requested: date | None, latest: datetime | None
) -> tuple[date, tuple[date, date]]:
    """The month to export and the (first, last) months the KPI mart covers."""
    first, last = con.execute(
        "select min(month), max(month) from marts.mart_cmo_kpis_monthly"
    ).fetchall()[0]
    if first is None:
        raise SnapshotError(
            "marts.mart_cmo_kpis_monthly is empty: the warehouse was built without data"
        )
    covered = (first, last)
    span = f"{first:%Y-%m} .. {last:%Y-%m}"
    if requested is not None:
        found = con.execute(
            "select count(*) from marts.mart_cmo_kpis_monthly where month = ?", [requested]
        ).fetchall()[0][0]
        if not found:
            raise SnapshotError(
                f"no data for {requested:%Y-%m}: marts.mart_cmo_kpis_monthly covers {span}"
            )
        return requested, covered
    if latest is None:
        raise SnapshotError(
            "cannot tell which month is complete (quality.source_freshness has no event "
            "dates); pass --month YYYY-MM"
        )
    # the latest complete month with activity: a month of zeros is never the headline
    month = con.execute(
        "select max(month) from marts.mart_cmo_kpis_monthly where last_day(month) <= ? "
        "and (leads > 0 or sessions > 0 or ad_spend > 0 or new_customers > 0 or revenue <> 0)",
        [latest.date()],
    ).fetchall()[0][0]
    if month is None:
        raise SnapshotError(
            f"no complete month with activity yet (latest event {latest:%Y-%m-%d %H:%M}, "
            f"marts cover {span}); pass --month YYYY-MM"
        )
    return month, covered


def _kpis_sql(long_sql: str, lower_better: str) -> str:
    return f"""
    with long as (
        {long_sql}
    ),

    plan as (
        select
            metric,
            target,
            attainment,
            -- a young cr2 cohort is judged by its projection (METRICS.md, "Plan vs actual")
            case when is_mature then is_on_track else is_projected_on_track end as is_on_track,
            is_mature,
            projected_actual,
            {lower_better} as is_lower_better
        from marts.mart_plan_vs_actual
        where month = $month and channel is null
    ),

    final as (
        select
            cur.month,
            cur.kpi,
            cur.value,
            plan.target,
            plan.attainment,
            plan.is_on_track,
            plan.is_mature,
            plan.projected_actual,
            plan.is_lower_better,
            prev.value as previous_value,
            cur.value - prev.value as change_abs,
            (cur.value - prev.value) / nullif(abs(prev.value), 0) as change_rel,
            last_year.value as last_year_value,
            cur.value - last_year.value as yoy_change_abs,
            (cur.value - last_year.value) / nullif(abs(last_year.value), 0) as yoy_change_rel,
            cur.kpi_order
        from long as cur
        left join long as prev
            on prev.kpi = cur.kpi
            and prev.month = cast($month - interval 1 month as date)
        left join long as last_year
            on last_year.kpi = cur.kpi
            and last_year.month = cast($month - interval 12 month as date)
        left join plan
            on plan.metric = cur.kpi
        where cur.month = $month
    )

    select * exclude (kpi_order) from final order by kpi_order
    """


def _plan_sql(lower_better: str) -> str:
    """Every plan row of $month, judged as METRICS.md says: a row that is not mature (a cr2
    cohort younger than 90 days) by its projection, every other row by its actual value;
    `relative_miss` and `severity` grade how far an off-track row misses. $as_of dates the
    cohort ages."""
    return f"""
    with plan as (
        select
            month,
            channel,
            metric,
            target,
            actual,
            attainment,
            is_on_track,
            is_mature,
            projected_actual,
            is_projected_on_track,
            {lower_better} as is_lower_better,
            case when is_mature then actual else projected_actual end as judged_value,
            case when is_mature then is_on_track else is_projected_on_track end
                as is_judged_on_track
        from marts.mart_plan_vs_actual
        where month = $month
    ),

    missed as (
        select
            *,
            case
                when is_judged_on_track = false and target <> 0 then
                    case
                        when is_lower_better then (judged_value - target) / abs(target)
                        else (target - judged_value) / abs(target)
                    end
            end as relative_miss,
            case
                when not is_mature then greatest(0, date_diff('day', last_day(month), $as_of))
            end as cohort_youngest_age_days,
            case when not is_mature then date_diff('day', month, $as_of) end
                as cohort_oldest_age_days
        from plan
    )

    select
        *,
        case
            when is_judged_on_track is distinct from false then null
            when relative_miss is null or relative_miss >= {SEVERE_MISS} then 'severe'
            when relative_miss >= {MODERATE_MISS} then 'moderate'
            else 'minor'
        end as severity
    from missed
    order by channel nulls first, metric
    """


def read_snapshot(warehouse: Path, month: date | None, with_report: bool = True) -> Snapshot:
    """Read the month's snapshot (and the report's data) from the warehouse, read-only."""
    with open_warehouse(warehouse) as con:
        check_relations(con, warehouse)
        latest = latest_event(con)
        chosen, covered = pick_month(con, month, latest)
        params = {"month": chosen}
        build_rel = con.sql("select * from quality.build_metadata limit 1")
        build_rows = build_rel.fetchall()
        build = dict(zip(build_rel.columns, build_rows[0], strict=True)) if build_rows else {}
        as_of = build.get("as_of_date") or (latest.date() if latest else _last_day(chosen))
        plan_params = {"month": chosen, "as_of": as_of}
        columns = kpi_columns(con)
        long_sql = kpi_long_sql(columns)
        lower_better = lower_is_better_sql(con)

        tables = {
            "kpis": con.sql(_kpis_sql(long_sql, lower_better), params=params).to_arrow_table(),
            "channels": con.sql(
                "select * from marts.mart_marketing_monthly where month = $month order by channel",
                params=params,
            ).to_arrow_table(),
            "reps": con.sql(
                "select * from marts.mart_sales_reps_monthly where month = $month "
                "order by owner_id",
                params=params,
            ).to_arrow_table(),
            "plan": con.sql(_plan_sql(lower_better), params=plan_params).to_arrow_table(),
        }
        tables = {name: stable_floats(table) for name, table in tables.items()}
        alerts = con.sql(
            f"""
            select
                channel, metric, target, actual, attainment, is_lower_better, relative_miss,
                severity, is_mature, projected_actual, cohort_youngest_age_days,
                cohort_oldest_age_days
            from ({_plan_sql(lower_better)})
            where is_judged_on_track = false
            order by relative_miss desc nulls first, channel nulls first, metric
            """,
            params=plan_params,
        ).to_arrow_table()
        alerts = stable_floats(alerts)
        fresh_rel = con.sql(
            "select source_system, source_table, staged_rows, latest_event_at "
            "from quality.source_freshness order by source_system, source_table"
        )
        freshness = [dict(zip(fresh_rel.columns, r, strict=True)) for r in fresh_rel.fetchall()]

        snap = Snapshot(
            warehouse=warehouse,
            month=chosen,
            is_complete_month=latest is not None and _last_day(chosen) <= latest.date(),
            latest_event_at=latest,
            months_covered=covered,
            build=build,
            freshness=freshness,
            tables=tables,
            alerts=alerts.to_pylist(),
            kpi_columns=columns,
        )
        if with_report:
            snap.report = collect_report_data(con, snap.month, snap.build, long_sql)
    return snap


def _last_day(month: date) -> date:
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(next_month.toordinal() - 1)


# --------------------------------------------------------------------------------------------
# writing


@dataclass
class WriteResult:
    """Where a run went."""

    run_id: str
    folder: Path
    files: list[str]
    history_path: Path
    month_runs: int
    render_note: str | None


# Sums of doubles that DuckDB adds up in parallel can differ in the last bits from run to run
# (the order of the additions varies). The snapshot's numbers are rounded to this many
# significant digits, so that the same data gives byte-identical files and the revision
# history shows only real revisions.
SIGNIFICANT_DIGITS = 12


def stable_floats(table: pa.Table) -> pa.Table:
    """`table` with every double rounded to SIGNIFICANT_DIGITS significant digits."""
    columns = []
    for column in table.columns:
        if pa.types.is_floating(column.type):
            values = [
                v if v is None or not math.isfinite(v) else float(f"{v:.{SIGNIFICANT_DIGITS}g}")
                for v in column.to_pylist()
            ]
            column = pa.chunked_array([pa.array(values, type=column.type)])
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: dates as ISO text, non-finite floats as null, decimals as floats."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]


def snapshot_json(snap: Snapshot) -> bytes:
    """The canonical JSON of the snapshot's data (also the basis of its content hash)."""
    document = {
        "month": snap.month_label,
        "reporting_currency": snap.reporting_currency,
        "tables": {name: _rows(snap.tables[name]) for name in TABLES},
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


# A text cell that a spreadsheet would read as a formula (OWASP, "CSV injection"): a rep
# name such as `=HYPERLINK(...)` in crm/users.csv must stay text in every export.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def neutralise_formulas(table: pa.Table) -> pa.Table:
    """Text cells that begin with =, +, -, @, tab or carriage return get a leading `'`."""
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, FORMULA_START.pattern)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def write_csv(table: pa.Table, path: Path) -> None:
    """CSV with a header, minimal quoting, shortest round-trip floats; text that would be
    read as a formula is neutralised (`neutralise_formulas`)."""
    pa_csv.write_csv(
        neutralise_formulas(table), str(path), pa_csv.WriteOptions(quoting_style="needed")
    )


def write_parquet(table: pa.Table, path: Path) -> None:
    """Parquet (zstd), deterministic for the same data."""
    pq.write_table(table, str(path), compression="zstd")


class _FixedTimeZipFile(zipfile.ZipFile):
    """A ZipFile whose entries all carry the same timestamp, so equal content = equal bytes."""

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_ZIP_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str],
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Add a file's bytes under the fixed timestamp (openpyxl writes sheets this way)."""
        name = arcname if arcname is not None else os.fspath(filename)
        self.writestr(name, Path(filename).read_bytes(), compress_type, compresslevel)


def write_xlsx(snap: Snapshot, path: Path) -> None:
    """One sheet per table; numbers, booleans and dates as typed cells; fixed timestamps."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    stamp = datetime(snap.month.year, snap.month.month, 1)
    workbook.properties.creator = "fullfunnel snapshot"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    bold = Font(bold=True)
    for name in TABLES:
        table = snap.tables[name]
        sheet = workbook.create_sheet(name)
        sheet.append(table.column_names)
        for cell in sheet[1]:
            cell.font = bold
        for row in table.to_pylist():  # a few dozen rows at most
            sheet.append([_xlsx_value(v) for v in row.values()])
            for cell in sheet[sheet.max_row]:
                # text is text: never a live formula (openpyxl reads "=..." as one)
                if isinstance(cell.value, str) and FORMULA_START.match(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
        for index, column in enumerate(table.column_names, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, min(40, len(column) + 4))
            if pa.types.is_date(table.schema.field(column).type):
                for cell in sheet[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    with _FixedTimeZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    path.write_bytes(buffer.getvalue())


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_commit() -> tuple[str | None, bool | None]:
    """(HEAD commit, has uncommitted changes to tracked files) of the project, if it is git."""
    root = Project.find().root
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0:
            return None, None
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None, None
    dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
    return head.stdout.strip() or None, dirty


def _manifest(
    snap: Snapshot,
    run_id: str,
    generated_at: datetime,
    content_hash: str,
    files: dict[str, str | None],
    render: dict[str, Any],
    git: tuple[str | None, bool | None],
) -> dict[str, Any]:
    build = {k: _plain(v) for k, v in snap.build.items()}
    return {
        "month": snap.month_label,
        "generated_at": generated_at.isoformat().replace("+00:00", "Z"),
        "run_id": run_id,
        "is_complete_month": snap.is_complete_month,
        "month_rule": (
            "complete when the latest event (max latest_event_at of quality.source_freshness, "
            "sources other than finance) is on or after the month's last day"
        ),
        "latest_event_at": _plain(snap.latest_event_at),
        "months_covered": [f"{m:%Y-%m}" for m in snap.months_covered],
        "git_commit": git[0],
        "git_dirty": git[1],
        "warehouse": str(snap.warehouse.resolve()),
        "dbt_invocation_id": build.get("invocation_id"),
        "metrics_version": build.get("metrics_version"),
        "build_metadata": build,
        "source_freshness": [{k: _plain(v) for k, v in row.items()} for row in snap.freshness],
        "source_freshness_check": snap.freshness_check,
        "reporting_currency": snap.reporting_currency,
        "content_hash": content_hash,
        "tables": {
            name: {"rows": snap.tables[name].num_rows, "columns": snap.tables[name].column_names}
            for name in TABLES
        },
        "alerts": len(snap.alerts),
        "files": files,
        "report": render,
    }


HISTORY_DDL = """
create table if not exists runs (
    run_id varchar primary key,
    generated_at timestamp,
    month date,
    is_complete_month boolean,
    folder varchar,
    content_hash varchar,
    dbt_invocation_id varchar,
    dbt_run_started_at timestamp,
    metrics_version varchar,
    git_commit varchar,
    alerts integer,
    formats varchar
);
create table if not exists snapshots (
    run_id varchar,
    generated_at timestamp,
    month date,
    kpi varchar,
    value double,
    target double,
    attainment double,
    is_on_track boolean,
    previous_value double,
    change_abs double,
    change_rel double,
    last_year_value double,
    content_hash varchar,
    dbt_invocation_id varchar,
    metrics_version varchar
);
create or replace view kpi_revisions as
select
    month,
    kpi,
    run_id,
    generated_at,
    value,
    lag(value) over refreshes as previous_run_value,
    value - lag(value) over refreshes as revision,
    lag(run_id) over refreshes is not null
        and value is distinct from lag(value) over refreshes as is_revised
from snapshots
window refreshes as (partition by month, kpi order by generated_at, run_id);
"""


def _open_history(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(
            str(path), config={"storage_compatibility_version": HISTORY_STORAGE_VERSION}
        )
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "lock" in message.lower():
            raise SnapshotError(
                f"history file {path} is locked by another process (another snapshot or a "
                "reader); nothing was written"
            ) from exc
        raise SnapshotError(f"cannot open history file {path}: {message}") from exc


def _process_is_gone(pid: int) -> bool:
    """True when no process `pid` runs (signal 0 probes it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as another user
        return False
    return False


def remove_killed_runs(out_root: Path) -> list[Path]:
    """Remove the `.tmp-<run_id>-<pid>` folders of runs whose process is gone (killed before
    they finished), saying so; a folder of a run still going is left alone."""
    removed = []
    for folder in sorted(out_root.glob(".tmp-*-*")):
        pid = folder.name.rsplit("-", 1)[-1]
        if folder.is_dir() and pid.isdigit() and _process_is_gone(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            print(f"removed {folder}, left by a snapshot run that was killed", file=sys.stderr)
            removed.append(folder)
    return removed


def write_snapshot(
    snap: Snapshot, out_root: Path, formats: Sequence[str], render: bool = True
) -> WriteResult:
    """Write the run folder, append the history and move the folder into place atomically."""
    generated_at = datetime.now(UTC)
    run_id = generated_at.strftime("%Y%m%dT%H%M%S.%fZ")
    month_dir = out_root / snap.month_label
    final_dir = month_dir / run_id
    tmp_dir = out_root / f".tmp-{run_id}-{os.getpid()}"
    history_path = out_root / HISTORY_FILE
    created_out = not out_root.exists()
    created_month = not month_dir.exists()

    try:
        out_root.mkdir(parents=True, exist_ok=True)
        remove_killed_runs(out_root)
        tmp_dir.mkdir()
        data_json = snapshot_json(snap)
        content_hash = hashlib.sha256(data_json).hexdigest()

        hashed: list[str] = []
        if "json" in formats:
            (tmp_dir / "snapshot.json").write_bytes(data_json)
            hashed.append("snapshot.json")
        for name in TABLES:
            if "csv" in formats:
                write_csv(snap.tables[name], tmp_dir / f"{name}.csv")
                hashed.append(f"{name}.csv")
            if "parquet" in formats:
                write_parquet(snap.tables[name], tmp_dir / f"{name}.parquet")
                hashed.append(f"{name}.parquet")
        if "xlsx" in formats:
            write_xlsx(snap, tmp_dir / "snapshot.xlsx")
            hashed.append("snapshot.xlsx")

        render_info: dict[str, Any] = {"html": None, "png": None, "pdf": None, "status": "off"}
        render_note: str | None = None
        unhashed: list[str] = []
        if render and snap.report is not None:
            from fullfunnel.report import render_report

            outcome = render_report(snap, tmp_dir)
            hashed.append(outcome.html.name)
            render_info = {
                "html": outcome.html.name,
                "png": outcome.png.name if outcome.png else None,
                "pdf": outcome.pdf.name if outcome.pdf else None,
                "page_height_px": outcome.page_height,
                "status": outcome.status,
            }
            unhashed += [p.name for p in (outcome.png, outcome.pdf) if p is not None]
            render_note = outcome.note

        files: dict[str, str | None] = {name: _sha256(tmp_dir / name) for name in sorted(hashed)}
        files.update({name: None for name in sorted(unhashed)})  # renderings: not reproducible
        git = git_commit()
        manifest = _manifest(snap, run_id, generated_at, content_hash, files, render_info, git)
        (tmp_dir / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

        history = _open_history(history_path)
        try:
            history.execute(HISTORY_DDL)
            history.execute("begin transaction")
            history.execute(
                "insert into runs values "
                "($run_id, $at, $month, $complete, $folder, $hash, $inv, $inv_at, $mv, "
                "$git, $alerts, $formats)",
                {
                    "run_id": run_id,
                    "at": generated_at.replace(tzinfo=None),
                    "month": snap.month,
                    "complete": snap.is_complete_month,
                    "folder": f"{snap.month_label}/{run_id}",
                    "hash": content_hash,
                    "inv": manifest["dbt_invocation_id"],
                    "inv_at": snap.build.get("run_started_at"),
                    "mv": manifest["metrics_version"],
                    "git": git[0],
                    "alerts": len(snap.alerts),
                    "formats": ",".join(formats),
                },
            )
            history.register("snapshot_kpis", snap.tables["kpis"])
            history.execute(
                """
                insert into snapshots
                select
                    $run_id, $at, month, kpi, value, target, attainment, is_on_track,
                    previous_value, change_abs, change_rel, last_year_value, $hash, $inv, $mv
                from snapshot_kpis
                """,
                {
                    "run_id": run_id,
                    "at": generated_at.replace(tzinfo=None),
                    "hash": content_hash,
                    "inv": manifest["dbt_invocation_id"],
                    "mv": manifest["metrics_version"],
                },
            )
            month_runs = history.execute(
                "select count(*) from runs where month = ?", [snap.month]
            ).fetchall()[0][0]
            month_dir.mkdir(exist_ok=True)
            os.replace(tmp_dir, final_dir)
            try:
                history.execute("commit")
            except duckdb.Error:
                os.replace(final_dir, tmp_dir)
                raise
        finally:
            history.close()
    except BaseException as exc:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        for folder, created in ((month_dir, created_month), (out_root, created_out)):
            if created and folder.exists() and not any(folder.iterdir()):
                folder.rmdir()
        if isinstance(exc, SnapshotError | KeyboardInterrupt):
            raise
        if isinstance(exc, OSError | duckdb.Error):
            raise SnapshotError(f"writing the snapshot failed, nothing was kept: {exc}") from exc
        raise

    latest_tmp = month_dir / f".LATEST-{run_id}"
    try:  # the run is complete and recorded; the pointer is a convenience
        latest_tmp.write_text(run_id + "\n", encoding="utf-8")
        os.replace(latest_tmp, month_dir / "LATEST")
    except OSError as exc:
        latest_tmp.unlink(missing_ok=True)
        print(f"fullfunnel snapshot: warning: could not update LATEST: {exc}", file=sys.stderr)

    return WriteResult(
        run_id=run_id,
        folder=final_dir,
        files=[*files, "manifest.json"],
        history_path=history_path,
        month_runs=month_runs,
        render_note=render_note,
    )

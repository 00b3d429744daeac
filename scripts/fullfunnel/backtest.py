"""`fullfunnel backtest`: how well the projected 90-day CR2 of young cohorts (METRICS.md,
"Cohort maturity and projections") predicts the CR2 they actually reach.

    fullfunnel backtest [--raw-dir data/raw] [--warehouse warehouse/fullfunnel.duckdb]
                        [--days 90] [--work DIR] [--json PATH]

1. Reads the built warehouse's as_of_date (`intermediate.int_months_covered`).
2. Builds the cohort models again from the same raw files with var `as_of_date` moved back
   `--days` (default 90) into a scratch warehouse under `--work` (`dbt seed`, `dbt run`).
3. Every lead cohort (whole business, and per channel) that was young then (not mature for
   90 days at the earlier date) and is mature now: its projected_cr2_90d then against the
   cr2_90d it reached. Prints one row per whole-business cohort, the mean absolute error in
   percentage points for the whole business and, weighted by leads, for the channel cohorts,
   and exits 0 (1 when no cohort can be compared).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from fullfunnel.project import DEFAULT_WAREHOUSE, Project

DEFAULT_RAW_DIR = "data/raw"
MODELS = "+mart_cmo_kpis_monthly +mart_funnel_cohorts"


class BacktestError(Exception):
    """A backtest that cannot run; the message is meant for the user."""


@dataclass
class CohortError:
    """One cohort's projection then against its CR2 now."""

    month: date
    channel: str | None
    leads: float
    projected_cr2_90d: float
    cr2_90d: float

    @property
    def error_points(self) -> float:
        return 100.0 * abs(self.projected_cr2_90d - self.cr2_90d)


@dataclass
class BacktestResult:
    as_of_date: date
    backtest_as_of_date: date
    business: list[CohortError]
    channels: list[CohortError]

    @property
    def business_mae_points(self) -> float | None:
        if not self.business:
            return None
        return sum(c.error_points for c in self.business) / len(self.business)

    @property
    def channel_mae_points(self) -> float | None:
        """Mean absolute error of the channel cohorts, weighted by their leads."""
        weight = sum(c.leads for c in self.channels)
        if not weight:
            return None
        return sum(c.error_points * c.leads for c in self.channels) / weight

    def to_json(self) -> dict:
        return {
            "as_of_date": self.as_of_date.isoformat(),
            "backtest_as_of_date": self.backtest_as_of_date.isoformat(),
            "business_mae_points": self.business_mae_points,
            "channel_mae_points": self.channel_mae_points,
            "business": [
                {**asdict(c), "month": c.month.isoformat(), "error_points": c.error_points}
                for c in self.business
            ],
            "channel_cohorts": len(self.channels),
        }


def warehouse_as_of_date(warehouse: Path) -> date:
    if not warehouse.is_file():
        raise BacktestError(f"no warehouse at {warehouse}: run `dbt build` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (as_of,) = con.execute(
            "select max(as_of_date) from intermediate.int_months_covered"
        ).fetchone()
    if as_of is None:
        raise BacktestError(f"{warehouse} has no as_of_date: the warehouse was built without data")
    return as_of


def build_earlier(
    project: Path, raw_dir: Path, as_of: date, work: Path, dbt_vars: dict[str, object]
) -> Path:
    """The cohort models built with var as_of_date = `as_of`; returns the warehouse file."""
    work.mkdir(parents=True, exist_ok=True)
    database = work / "backtest.duckdb"
    database.unlink(missing_ok=True)
    dbt_args = ["--vars"]
    dbt_args += [json.dumps({**dbt_vars, "raw_dir": str(raw_dir), "as_of_date": as_of.isoformat()})]
    dbt_args += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    env = {**os.environ, "FULLFUNNEL_DUCKDB_PATH": str(database), "DBT_PROFILES_DIR": str(project)}
    for command in (["seed"], ["run", "--select", *MODELS.split()]):
        proc = subprocess.run(
            [Project.dbt_executable(), *command, *dbt_args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
            raise BacktestError(f"dbt {command[0]} with as_of_date {as_of} failed:\n{tail}")
    return database


COMPARE_SQL = """
select
    earlier.month,
    {channel} as channel,
    now.leads,
    earlier.projected_cr2_90d,
    now.cr2_90d
from earlier.marts.{relation} as earlier
inner join now.marts.{relation} as now
    on earlier.month = now.month {join_channel}
where not earlier.is_mature_90d
    and now.is_mature_90d
    and earlier.projected_cr2_90d is not null
    and now.cr2_90d is not null
order by earlier.month, channel
"""


def compare(now: Path, earlier: Path) -> tuple[list[CohortError], list[CohortError]]:
    with duckdb.connect() as con:
        con.execute(f"attach '{now}' as now (read_only)")
        con.execute(f"attach '{earlier}' as earlier (read_only)")
        business = con.execute(
            COMPARE_SQL.format(
                channel="cast(null as varchar)", relation="mart_cmo_kpis_monthly", join_channel=""
            )
        ).fetchall()
        channels = con.execute(
            COMPARE_SQL.format(
                channel="earlier.channel",
                relation="mart_funnel_cohorts",
                join_channel="and earlier.channel = now.channel",
            )
        ).fetchall()
    return [CohortError(*r) for r in business], [CohortError(*r) for r in channels if r[2]]


def backtest(
    warehouse: Path, raw_dir: Path, days: int, work: Path, dbt_vars: dict[str, object]
) -> BacktestResult:
    project = Project.find().root
    as_of = warehouse_as_of_date(warehouse)
    earlier_as_of = as_of - timedelta(days=days)
    earlier = build_earlier(project, raw_dir, earlier_as_of, work, dbt_vars)
    business, channels = compare(warehouse, earlier)
    return BacktestResult(as_of, earlier_as_of, business, channels)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backtest",
        help="compare young cohorts' projected 90-day CR2 with the CR2 they reached",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--raw-dir", default=DEFAULT_RAW_DIR, help="the warehouse's raw files")
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help="the built warehouse")
    parser.add_argument("--days", type=int, default=90, help="how far back (default: 90)")
    parser.add_argument("--work", help="scratch folder (default: a temporary one)")
    parser.add_argument("--json", help="also write the result as JSON to this file")
    parser.add_argument(
        "--vars", default="{}", help="dbt vars the warehouse was built with (JSON or YAML)"
    )
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    from fullfunnel.refresh import parse_dbt_vars

    try:
        dbt_vars = parse_dbt_vars(args.vars)
        with tempfile.TemporaryDirectory(prefix="fullfunnel-backtest-") as scratch:
            work = Path(args.work) if args.work else Path(scratch)
            result = backtest(
                Path(args.warehouse).resolve(),
                Path(args.raw_dir).resolve(),
                args.days,
                work,
                dbt_vars,
            )
    except BacktestError as exc:
        print(f"fullfunnel backtest: {exc}")
        return 1
    print(
        f"backtest: as_of_date {result.as_of_date} moved back {args.days} days to "
        f"{result.backtest_as_of_date}"
    )
    print("  cohort    leads  projected then  cr2_90d now  error (pp)")
    for c in result.business:
        print(
            f"  {c.month:%Y-%m}  {c.leads:6.0f}  {c.projected_cr2_90d:14.2%}  {c.cr2_90d:11.2%}"
            f"  {c.error_points:10.2f}"
        )
    if result.business_mae_points is None:
        print("  no cohort was young then and is mature now: nothing to compare")
        return 1
    print(f"mean absolute error, whole business: {result.business_mae_points:.2f} pp")
    if result.channel_mae_points is not None:
        print(
            f"mean absolute error, {len(result.channels)} channel cohorts (weighted by leads): "
            f"{result.channel_mae_points:.2f} pp"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(result.to_json(), indent=2) + "\n")
    return 0

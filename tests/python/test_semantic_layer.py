"""The semantic layer (models/semantic/): `mf validate-configs` passes, and every metric, asked
through `mf query` on the demo, returns the mart's number for every month (and channel,
where it has one) within 1e-9: the by-channel metrics against mart_marketing_monthly, the
whole-business ones against mart_cmo_kpis_monthly."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from .conftest import DBT, PROJECT_ROOT, DbtResult

MF = Path(sys.executable).parent / "mf"

# metric -> the mart_marketing_monthly column it must equal, by month and channel
CHANNEL_METRICS = {
    "sessions": "sessions",
    "leads": "leads",
    "won_leads": "won_leads",
    "contacted_leads_total": "contacted_leads",
    "qualified_leads_total": "qualified_leads",
    "deals_total": "deals",
    "ad_spend": "ad_spend",
    "channel_marketing_cost": "marketing_cost",
    "new_customers": "new_customers",
    "new_mrr": "new_mrr",
    "revenue_to_date": "revenue_to_date",
    "cpl": "cpl",
    "cr1": "cr1",
    "cr2": "cr2",
    "contact_rate": "contact_rate",
    "qualification_rate": "qualification_rate",
    "win_rate": "win_rate",
    "channel_cac": "cac",
    "channel_payback_months": "payback_months",
    "romi_to_date": "romi_to_date",
}
# metric -> the mart_funnel_cohorts column it must equal, by lead month and channel
COHORT_METRICS = {
    "cohort_leads": "leads",
    "cohort_won_leads_30d": "won_leads_30d",
    "cohort_won_leads_60d": "won_leads_60d",
    "cohort_won_leads_90d": "won_leads_90d",
    "cohort_projected_won_leads_90d": "projected_won_leads_90d",
    "cr2_30d": "cr2_30d",
    "cr2_60d": "cr2_60d",
    "cr2_90d": "cr2_90d",
    "projected_cr2_90d": "projected_cr2_90d",
}
# the same for the whole business: mart_cmo_kpis_monthly's cohort columns
BUSINESS_COHORT_METRICS = {
    "cohort_leads": "leads",
    "cr2_90d": "cr2_90d",
    "projected_cr2_90d": "projected_cr2_90d",
}
# metric -> the mart_cmo_kpis_monthly column it must equal, by month
BUSINESS_METRICS = {
    "sessions": "sessions",
    "leads": "leads",
    "ad_spend": "ad_spend",
    "new_customers": "new_customers",
    "new_mrr": "new_mrr",
    "marketing_cost": "marketing_cost",
    "revenue": "revenue",
    "mrr": "mrr",
    "active_customers": "active_customers",
    "expansion_mrr": "expansion_mrr",
    "reactivation_mrr": "reactivation_mrr",
    "contraction_mrr": "contraction_mrr",
    "churned_mrr": "churned_mrr",
    "previous_mrr_total": "previous_mrr",
    "cpl": "cpl",
    "cr1": "cr1",
    "cr2": "cr2",
    "cac": "cac",
    "arpa": "arpa",
    "gross_mrr_churn_rate": "gross_mrr_churn_rate",
    "nrr": "nrr",
    "payback_months": "payback_months",
    "churned_customers": "churned_customers",
    "customer_churn_rate": "customer_churn_rate",
    "lost_mrr_total": "churned_mrr + contraction_mrr",
    "retained_mrr_total": "previous_mrr + expansion_mrr - contraction_mrr - churned_mrr",
}


@pytest.fixture(scope="module")
def semantic(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo warehouse (a copy) and the project's semantic manifest, for `mf`."""
    work = tmp_path_factory.mktemp("semantic")
    shutil.copyfile(demo_build.db_path, work / "warehouse.duckdb")
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(PROJECT_ROOT),
        FULLFUNNEL_DUCKDB_PATH=str(work / "warehouse.duckdb"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    # mf reads target/semantic_manifest.json of the project root: parse there
    parsed = subprocess.run(
        [str(DBT), "parse", "--vars", json.dumps({"raw_dir": str(demo_build.raw_dir)})],  # type: ignore[attr-defined]
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    assert (PROJECT_ROOT / "target" / "semantic_manifest.json").is_file()
    return {"work": work, "env": env, "db": work / "warehouse.duckdb"}


def _mf(semantic: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MF), *args],
        cwd=PROJECT_ROOT,
        env=semantic["env"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _query(semantic: dict, metrics: list[str], group_by: list[str]) -> list[dict]:
    out = semantic["work"] / f"{'_'.join(group_by)}.csv"
    proc = _mf(
        semantic,
        *("query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by)),
        *("--csv", str(out)),
    )
    assert proc.returncode == 0 and out.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


def _same(asked: float | None, mart: float | None) -> bool:
    if asked is None or mart is None:
        return asked is None and mart is None
    return math.isclose(asked, mart, rel_tol=1e-9, abs_tol=1e-9)


def _differences(rows: list[dict], mart: dict, metrics: dict[str, str], key) -> list[str]:
    found = {key(row): row for row in rows}
    problems = [f"{k}: no row from mf" for k in mart if k not in found]
    # a month after the data that only an offset window reaches (customer_churn_rate's
    # previous month) comes back with no value at all: not a row of numbers
    problems += [
        f"{k}: row mf has, the mart has not"
        for k, row in found.items()
        if k not in mart and any(row[m] not in (None, "") for m in metrics)
    ]
    for k, values in mart.items():
        row = found.get(k)
        if row is None:
            continue
        for metric, column in metrics.items():
            asked, expected = _number(row[metric]), values[column]
            if not _same(asked, None if expected is None else float(expected)):
                problems.append(f"{k} {metric}: mf {asked} vs mart {column} {expected}")
    return problems


def _mart(db: Path, table: str, columns: list[str], keys: list[str]) -> dict:
    """The mart's rows by key; each of `columns` (a column or an expression) under its text."""
    selected = [*keys, *(f'{c} as "{c}"' for c in columns)]
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(f"select {', '.join(selected)} from marts.{table}")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {tuple(str(r[k]) for k in keys): r for r in rows}


def test_the_semantic_layer_validates_and_every_metric_is_compared(semantic: dict) -> None:
    proc = _mf(semantic, "validate-configs")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "ERRORS: 0" in proc.stdout and "FUTURE_ERRORS: 0, WARNINGS: 0" in proc.stdout
    manifest = json.loads((PROJECT_ROOT / "target" / "semantic_manifest.json").read_text())
    defined = {metric["name"] for metric in manifest["metrics"]}
    compared = {m for metrics, *_ in CASES.values() for m in metrics} | {"cumulative_revenue"}
    assert defined == compared


AD_METRICS = {
    "campaign_ad_spend": "spend",
    "impressions": "impressions",
    "clicks": "clicks",
    "cpc": "cpc",
    "ctr": "ctr",
}
REP_METRICS = {
    "leads_assigned": "leads_assigned",
    "rep_contacted_leads": "contacted_leads",
    "rep_won_leads": "won_leads",
    "expected_won_leads": "expected_won_leads",
    "rep_cr2": "cr2",
    "performance_index": "performance_index",
}
ONBOARDING_METRICS = {
    "onboarded_cohort_customers": "customers",
    "customers_measurable_90d": "customers_measurable_90d",
    "retained_90d": "retained_90d",
    "churned_90d": "customers_measurable_90d - retained_90d",
    "churn_90d_rate": "churn_90d_rate",
}
# (metrics, mf group-by, mart, the mart's key columns in the group-by's order)
CASES = {
    "by channel": (
        CHANNEL_METRICS,
        ["metric_time__month", "channel_month__channel"],
        "mart_marketing_monthly",
        ["month", "channel"],
    ),
    "business": (BUSINESS_METRICS, ["metric_time__month"], "mart_cmo_kpis_monthly", ["month"]),
    "cohorts by channel": (
        COHORT_METRICS,
        ["metric_time__month", "channel_cohort__channel"],
        "mart_funnel_cohorts",
        ["month", "channel"],
    ),
    "business cohorts": (
        BUSINESS_COHORT_METRICS,
        ["metric_time__month"],
        "mart_cmo_kpis_monthly",
        ["month"],
    ),
    "by campaign and day": (
        AD_METRICS,
        ["metric_time__day", "ad_day__ad_platform", "ad_day__campaign_id"],
        "fct_ad_spend_daily",
        ["date", "ad_platform", "campaign_id"],
    ),
    "by rep": (
        REP_METRICS,
        ["metric_time__month", "rep_month__owner_id"],
        "mart_sales_reps_monthly",
        ["month", "owner_id"],
    ),
    "by onboarding bucket": (
        ONBOARDING_METRICS,
        ["metric_time__month", "onboarding_cohort__onboarding_bucket"],
        "mart_onboarding_retention",
        ["acquisition_month", "onboarding_bucket"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_metric_equals_the_mart(semantic: dict, case: str) -> None:
    """Every row of the mart (a young cohort's CR2 at an age it has not reached is none on
    both sides)."""
    metrics, group_by, table, keys = CASES[case]
    rows = _query(semantic, list(metrics), group_by)
    mart = _mart(semantic["db"], table, sorted(set(metrics.values())), keys)
    assert len(mart) >= 12

    def key(row: dict) -> tuple:
        return (row[group_by[0]][:10], *(row[g] for g in group_by[1:]))

    assert _differences(rows, mart, metrics, key) == []


def test_cumulative_revenue_is_the_running_sum(semantic: dict) -> None:
    rows = {
        r["metric_time__month"][:10]: r
        for r in _query(semantic, ["cumulative_revenue"], ["metric_time__month"])
    }
    running = _mart(
        semantic["db"],
        "mart_cmo_kpis_monthly",
        ["sum(revenue) over (order by month)"],
        ["month"],
    )
    assert len(running) >= 12
    for (month,), values in running.items():
        asked = _number(rows[month]["cumulative_revenue"])
        assert _same(asked, values["sum(revenue) over (order by month)"]), month


def test_the_comparison_can_fail(semantic: dict) -> None:
    """A mart value off by one part in a million is reported (the check is not vacuous)."""
    rows = _query(semantic, ["cpl"], ["metric_time__month"])
    mart = _mart(semantic["db"], "mart_cmo_kpis_monthly", ["cpl"], ["month"])
    month = sorted(mart)[-1]
    mart[month] = {**mart[month], "cpl": mart[month]["cpl"] * (1 + 1e-6)}
    problems = _differences(rows, mart, {"cpl": "cpl"}, lambda r: (r["metric_time__month"][:10],))
    assert len(problems) == 1 and problems[0].startswith(f"{month} cpl: mf")

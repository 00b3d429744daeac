"""`dbt source freshness` checks every landing file that has a dating column against the vars
`source_freshness_warn_after_hours` / `_error_after_hours`; a row dated in the future (a
typo'd year) does not make a file look fresh; `fullfunnel refresh` goes on past stale
sources, naming them, but stops when a freshness query fails; the snapshot's manifest
records the results."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

from fullfunnel.refresh import judge_freshness
from fullfunnel.snapshot import read_freshness_check

from .conftest import DbtResult, run_dbt

DATED_SOURCES = {
    "ads.google_ads__campaign_stats",
    "ads.meta_ads__ads_insights",
    "ads.yandex_direct__campaign_report",
    "web.sessions",
    "crm.leads",
    "crm.deals",
    "crm.deal_stage_history",
    "crm.activities",
    "billing.customers",
    "billing.subscriptions",
    "billing.invoices",
    "billing.refunds",
    "finance.fx_rates",
    "finance.marketing_costs",
}


def _freshness(
    demo_build: DbtResult, raw: Path, work: Path, extra_vars: dict | None = None
) -> tuple[DbtResult, dict[str, dict]]:
    work.mkdir(parents=True)
    shutil.copyfile(demo_build.db_path, work / "warehouse.duckdb")
    result = run_dbt(["source", "freshness"], raw, work, extra_vars)
    results = json.loads((work / "target" / "sources.json").read_text())["results"]
    return result, {r["unique_id"].split(".", 2)[-1]: r for r in results}


def test_every_dated_source_is_checked_and_the_old_demo_is_stale(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    result, by_source = _freshness(demo_build, demo_build.raw_dir, tmp_path / "work")  # type: ignore[attr-defined]
    assert set(by_source) == DATED_SOURCES  # crm.users has no dating column
    # the demo ends on 2026-10-31: older than 72 hours on any later day
    assert result.returncode == 1, result.output[-2000:]
    assert {r["status"] for r in by_source.values()} == {"error"}
    assert {r["criteria"]["error_after"]["count"] for r in by_source.values()} == {72}
    staged = dict(
        demo_build.query(
            "select source_system || '.' || source_table, latest_event_at "
            "from quality.source_freshness where latest_event_at is not null"
        )
    )
    for source, row in by_source.items():
        newest = datetime.fromisoformat(row["max_loaded_at"]).replace(tzinfo=None)
        # the raw file's newest row; the staged one may be a little older (rows quarantined)
        assert abs((newest - staged[source]).total_seconds()) < 2 * 86400, source

    recorded = read_freshness_check(tmp_path / "work" / "target" / "sources.json")
    assert sorted(recorded["stale"]) == sorted(DATED_SOURCES)
    leads = next(s for s in recorded["sources"] if s["source"] == "crm.leads")
    assert leads["status"] == "error" and leads["error_after_hours"] == 72
    assert leads["age_hours"] > 72


def test_thresholds_are_vars_and_a_future_row_does_not_count(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(demo_build.raw_dir, raw)  # type: ignore[attr-defined]
    leads_csv = raw / "crm" / "leads.csv"
    with leads_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("created_at")
    rows[1][column] = "2062-10-31T10:00:00Z"  # a typo'd year
    with leads_csv.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)

    hours = {
        "source_freshness_warn_after_hours": 100000,
        "source_freshness_error_after_hours": 200000,
    }
    result, by_source = _freshness(demo_build, raw, tmp_path / "work", hours)
    assert result.returncode == 0, result.output[-2000:]
    assert {r["status"] for r in by_source.values()} == {"pass"}
    assert by_source["crm.leads"]["max_loaded_at"].startswith("2026-10-31")


def test_refresh_goes_on_past_stale_sources_but_not_past_a_failed_query(tmp_path: Path) -> None:
    results = tmp_path / "sources.json"
    judge = judge_freshness(results)
    assert judge(1) == (1, f"    no freshness results in {results}")

    stale = {
        "unique_id": "source.fullfunnel.crm.leads",
        "status": "error",
        "max_loaded_at_time_ago_in_s": 100 * 3600,
    }
    fresh = {"unique_id": "source.fullfunnel.web.sessions", "status": "pass"}
    results.write_text(json.dumps({"results": [stale, fresh]}))
    code, note = judge(1)
    assert code == 0
    assert note == "    WARNING: stale sources: crm.leads (error, newest row 100 h old)"

    broken = {"unique_id": "source.fullfunnel.crm.deals", "status": "runtime error"}
    results.write_text(json.dumps({"results": [stale, broken]}))
    code, note = judge(1)
    assert code == 1 and note is not None and "source.fullfunnel.crm.deals" in note

    results.write_text(json.dumps({"results": [fresh]}))
    assert judge(0) == (0, None)

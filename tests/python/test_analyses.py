"""Each analysis in analyses/ compiles and runs as is on the demo warehouse, and its result
has the shape its docs promise."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from .conftest import PROJECT_ROOT, DbtResult, run_dbt


@pytest.fixture(scope="module")
def analyses(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Compile every analysis against the demo warehouse and run it: name -> (columns, rows)."""
    work = demo_build.db_path.parent
    compiled = run_dbt(
        ["compile", "--select", "resource_type:analysis"],
        demo_build.raw_dir,  # type: ignore[attr-defined]
        work,
    )
    assert compiled.returncode == 0, compiled.output[-3000:]
    out = {}
    folder = work / "target" / "compiled" / "fullfunnel" / "analyses"
    for path in sorted(Path(folder).glob("*.sql")):
        with duckdb.connect(str(demo_build.db_path), read_only=True) as con:
            cursor = con.execute(path.read_text(encoding="utf-8"))
            columns = [d[0] for d in cursor.description]
            out[path.stem] = (
                columns,
                [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()],
            )
    return out


def test_every_analysis_ran(analyses: dict) -> None:
    expected = {p.stem for p in (PROJECT_ROOT / "analyses").glob("*.sql")}
    assert set(analyses) == expected


def test_decomposition_parts_sum_to_the_change(analyses: dict, demo_build: DbtResult) -> None:
    _columns, rows = analyses["cr2_change_decomposition"]
    assert rows
    for row in rows:
        assert math.isclose(
            row["mix_effect"] + row["rate_effect"], row["cr2_change"], abs_tol=1e-12
        )
    total = next(r for r in rows if r["channel"] == "total")
    assert math.isclose(
        sum(r["cr2_change"] for r in rows if r["channel"] != "total"),
        total["cr2_change"],
        abs_tol=1e-12,
    )
    # by default: the two latest cohorts mature for 90 days, compared at that age
    assert {(r["cohort_age_days"], r["is_mature"]) for r in rows} == {(90, True)}
    mature = demo_build.query(
        "select max(month) from marts.mart_cmo_kpis_monthly where is_mature_90d"
    )[0][0]
    assert total["to_month"] == mature
    kpis = dict(demo_build.query("select month, cr2_90d from marts.mart_cmo_kpis_monthly"))
    assert math.isclose(total["cr2_to"], kpis[total["to_month"]], abs_tol=1e-9)
    assert math.isclose(total["cr2_from"], kpis[total["from_month"]], abs_tol=1e-9)
    assert math.isclose(
        total["cr2_change"], kpis[total["to_month"]] - kpis[total["from_month"]], abs_tol=1e-9
    )


def test_cr2_needed_for_plan(analyses: dict) -> None:
    columns, rows = analyses["cr2_needed_for_plan"]
    assert {
        "plan_metric",
        "target",
        "customers_needed",
        "cr2_needed",
        "leads_needed",
        "ad_spend_needed",
    } <= set(columns)
    assert {r["plan_metric"] for r in rows} == {"new_customers", "revenue"}
    for row in rows:
        assert row["cr2_needed"] >= 0
        assert math.isclose(row["cr2_needed"] * row["current_leads"], row["customers_needed"])
        assert math.isclose(row["leads_needed"] * row["current_cr2"], row["customers_needed"])


def test_cohort_retention_matrix(analyses: dict) -> None:
    _columns, rows = analyses["cohort_retention_matrix"]
    assert rows
    for row in rows:
        assert 0 <= row["retention_rate"] <= 1
        if row["months_since_acquisition"] == 0:
            assert row["active_customers"] > 0
    cohorts = {r["acquisition_month"] for r in rows}
    assert len(cohorts) >= 12


def test_speed_to_lead_buckets(analyses: dict) -> None:
    _columns, rows = analyses["speed_to_lead_vs_cr2"]
    assert [r["speed_bucket"] for r in rows] == ["< 5 min", "< 1 h", "< 1 day", "later", "never"]
    by_bucket = {r["speed_bucket"]: r["cr2"] for r in rows}
    assert by_bucket["< 5 min"] > by_bucket["never"]

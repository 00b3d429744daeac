"""One system's export builds green and passes the quality gate (issue 14): a CRM-only export
and a billing-only export (`fullfunnel generate --profile`: every other landing file holds
only its header). The marts are filled, and their figures agree with values computed here
from the raw files, independently of the models."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fullfunnel.check import run_check
from fullfunnel.generate import generate

from .conftest import DbtResult, run_dbt

SCALE = 0.05


@pytest.fixture(scope="module", params=["crm-only", "billing-only"])
def profile_build(request, tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    raw = tmp_path_factory.mktemp(f"raw_{request.param}")
    generate(raw, seed=11, scale=SCALE, progress=lambda _msg: None, profile=request.param)
    result = run_dbt(["build"], raw, tmp_path_factory.mktemp(f"build_{request.param}"))
    result.raw_dir = raw  # type: ignore[attr-defined]
    result.profile = request.param  # type: ignore[attr-defined]
    return result


def _raw(result: DbtResult, relpath: str) -> pd.DataFrame:
    return pd.read_csv(result.raw_dir / relpath, dtype=str, keep_default_na=False)  # type: ignore[attr-defined]


def _month(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text, utc=True, format="ISO8601").dt.strftime("%Y-%m-01")


def _kpis(result: DbtResult, columns: str) -> pd.DataFrame:
    rows = result.query(
        f"select strftime(month, '%Y-%m-01') as month, {columns} "
        "from marts.mart_cmo_kpis_monthly order by month"
    )
    return pd.DataFrame(rows, columns=["month", *[c.strip() for c in columns.split(",")]])


def test_build_is_green_and_gate_passes(profile_build: DbtResult, tmp_path: Path) -> None:
    assert profile_build.returncode == 0, profile_build.output[-4000:]
    assert "ERROR=0" in profile_build.output
    outcome = run_check(
        profile_build.raw_dir,  # type: ignore[attr-defined]
        profile_build.db_path,
        tmp_path / "check",
        docs=False,
        dbt_target=profile_build.target_dir,
    )
    failures = [(r.suite, r.frame, r.kwargs, r.observed_value) for r in outcome.critical_failures]
    assert outcome.exit_code == 0, failures


def test_marts_hold_the_figures_of_the_raw_files(profile_build: DbtResult) -> None:
    """CRM-only: no spend, won leads per lead month and the months covered (deals closed
    after the last lead included); billing-only: no leads, revenue per month at the FX rate
    of each invoice's and refund's date."""
    if profile_build.profile == "crm-only":  # type: ignore[attr-defined]
        kpis = _kpis(profile_build, "ad_spend, leads")
        assert (kpis["ad_spend"] == 0).all()
        (valid_leads,) = profile_build.query("select count(*) from marts.fct_leads where is_valid")[
            0
        ]
        assert kpis["leads"].sum() == valid_leads > 0
        leads = _raw(profile_build, "crm/leads.csv")
        deals = _raw(profile_build, "crm/deals.csv")
        valid = {
            lead_id
            for (lead_id,) in profile_build.query(
                "select lead_id from marts.fct_leads where is_valid"
            )
        }
        won = deals[(deals["is_won"].str.lower() == "true") & deals["lead_id"].isin(valid)]
        won_leads = leads[leads["lead_id"].isin(set(won["lead_id"]))].drop_duplicates("lead_id")
        expected = _month(won_leads["created_at"]).value_counts()
        got = dict(
            profile_build.query(
                "select strftime(month, '%Y-%m-01'), sum(won_leads) "
                "from marts.mart_marketing_monthly group by month having sum(won_leads) > 0"
            )
        )
        assert {month: round(value, 9) for month, value in got.items()} == expected.to_dict()
        last_event = max(
            _month(leads["created_at"]).max(),
            _month(deals["created_at"]).max(),
            _month(deals.loc[deals["closed_at"] != "", "closed_at"]).max(),
        )
        assert kpis["month"].max() == last_event
        return

    kpis = _kpis(profile_build, "leads, revenue")
    assert (kpis["leads"] == 0).all()
    rates = _raw(profile_build, "finance/fx_rates.csv").assign(
        date=lambda d: pd.to_datetime(d["date"]), rate=lambda d: d["rate"].astype(float)
    )

    def converted(frame: pd.DataFrame, dated: str) -> pd.DataFrame:
        frame = frame.assign(
            day=pd.to_datetime(frame[dated], utc=True, format="ISO8601").dt.tz_localize(None),
            amount=frame["amount"].astype(float),
        ).sort_values("day")
        parts = [frame[frame["currency"] == "USD"].assign(rate=1.0)]
        for currency, group in frame[frame["currency"] != "USD"].groupby("currency"):
            table = rates[rates["currency"] == currency].sort_values("date")
            parts.append(
                pd.merge_asof(group, table[["date", "rate"]], left_on="day", right_on="date")
            )
        out = pd.concat(parts)
        return out.assign(value=out["amount"] * out["rate"])

    invoices = _raw(profile_build, "billing/invoices.csv")
    invoices = invoices[(invoices["status"].str.lower() == "paid") & (invoices["paid_at"] != "")]
    invoices = invoices[invoices["currency"].isin({"USD", *rates["currency"]})]  # XYZ: quarantined
    paid = converted(invoices, "issued_at")
    refunds = converted(_raw(profile_build, "billing/refunds.csv"), "refunded_at")
    expected = (
        paid.groupby(_month(paid["paid_at"]))["value"]
        .sum()
        .sub(refunds.groupby(_month(refunds["refunded_at"]))["value"].sum(), fill_value=0)
    )
    got = kpis.set_index("month")["revenue"]
    assert set(expected.index) <= set(got.index)
    for month, value in expected.items():
        assert got[month] == pytest.approx(value, rel=1e-9, abs=1e-6), month
    assert kpis["revenue"].sum() == pytest.approx(expected.sum(), rel=1e-9)

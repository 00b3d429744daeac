"""The CRM coverage warnings (issue 14): owners set only on won leads made every rep show
CR2 = 1 and index 1 without a word, and a deal won before its lead arrived was accepted
silently. Both now make the build warn (quality.crm_coverage) and the quality gate warn."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from fullfunnel.check import run_check

from .conftest import run_dbt


def test_owners_on_won_leads_only_and_early_deals_warn(small_raw_dir: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    leads = pd.read_csv(raw / "crm/leads.csv", dtype=str, keep_default_na=False)
    deals = pd.read_csv(raw / "crm/deals.csv", dtype=str, keep_default_na=False)
    won = set(deals.loc[deals["is_won"].str.lower() == "true", "lead_id"])
    leads.loc[~leads["lead_id"].isin(won), "owner_id"] = ""
    leads.to_csv(raw / "crm/leads.csv", index=False)
    closed = deals.index[(deals["closed_at"] != "") & deals["lead_id"].isin(set(leads["lead_id"]))][
        0
    ]
    created = leads.set_index("lead_id").loc[deals.loc[closed, "lead_id"], "created_at"]
    deals.loc[closed, "closed_at"] = (pd.Timestamp(created) - pd.Timedelta(days=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    deals.to_csv(raw / "crm/deals.csv", index=False)

    # the coverage model, what it reads, and the tests on those alone; build_metadata names
    # the build, whose test results the gate then reads
    selected = ["--select", "+crm_coverage", "build_metadata", "--indirect-selection", "cautious"]
    result = run_dbt(
        ["build", *selected],
        raw,
        tmp_path / "work",
        extra_vars={"quarantine_max_share": 1.0},
    )
    assert result.returncode == 0, result.output[-3000:]
    assert "WARN 1 crm_coverage_most_valid_leads_have_an_owner" in result.output
    assert "WARN 1 crm_coverage_no_deal_closes_before_its_lead" in result.output
    (coverage, early) = result.query(
        "select owner_coverage, deals_closed_before_lead from quality.crm_coverage"
    )[0]
    assert coverage < 0.8
    assert early >= 1

    outcome = run_check(
        raw,
        result.db_path,
        tmp_path / "check",
        suites=["quality.crm_coverage"],
        docs=False,
        dbt_target=result.target_dir,
    )
    assert outcome.exit_code == 0
    warned = {
        r.column
        for r in outcome.records
        if r.suite == "quality.crm_coverage" and not r.success and r.severity == "warning"
    }
    assert warned == {
        "crm_coverage_most_valid_leads_have_an_owner",
        "crm_coverage_no_deal_closes_before_its_lead",
    }

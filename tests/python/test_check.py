"""`fullfunnel check`, the Great Expectations quality gate (issue 6).

- The clean demo passes (exit 0) through the CLI, writes check_results.json and Data Docs,
  and never takes the warehouse's write lock: a read-only connection held by this process,
  and new ones opened while the check runs, keep working.
- Every landing suite catches a deliberately broken input (a copy of a small raw set with
  one landing table corrupted), naming the rule that must fail critically.
- A broken mart (a copy of the demo warehouse with one value corrupted) fails its dbt test,
  and that failure fails the gate critically; results of another build are refused.
- Missing inputs exit 2 with one line; landing.yml agrees with the build's contract macro.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from fullfunnel import cli
from fullfunnel.check import CheckOutcome, run_check
from fullfunnel.quality.gx_runner import ExpectationRecord
from fullfunnel.quality.landing import load_landing

from .conftest import run_dbt

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FULLFUNNEL = Path(sys.executable).parent / "fullfunnel"


# --------------------------------------------------------------------------- helpers


def _check(
    raw: Path,
    warehouse: Path,
    out: Path,
    suites: list[str] | None = None,
    dbt_target: Path | None = None,
) -> CheckOutcome:
    """Run the gate in-process (no Data Docs, to keep the broken cases fast)."""
    return run_check(raw, warehouse, out, suites=suites, docs=False, dbt_target=dbt_target)


def _critical_failures(outcome: CheckOutcome, suite: str) -> list[ExpectationRecord]:
    return [r for r in outcome.critical_failures if r.suite == suite]


def _read(raw: Path, rel: str) -> pd.DataFrame:
    """A landing CSV as text, empty fields kept empty."""
    return pd.read_csv(raw / rel, dtype=str, keep_default_na=False)


def _write(df: pd.DataFrame, raw: Path, rel: str) -> None:
    df.to_csv(raw / rel, index=False)


def _every_fifth(df: pd.DataFrame) -> pd.Series:
    """A fifth of the rows: well above quarantine_max_share (0.05)."""
    return pd.Series(range(len(df)), index=df.index) % 5 == 0


def _set(rel: str, column: str, value: str) -> Callable[[Path], None]:
    """Corruption: set `column` to `value` on every fifth row of a landing file."""

    def corrupt(raw: Path) -> None:
        df = _read(raw, rel)
        df.loc[_every_fifth(df), column] = value
        _write(df, raw, rel)

    return corrupt


def _duplicate_rows(rel: str) -> Callable[[Path], None]:
    """Corruption: deliver a fifth of the rows twice (repeated keys)."""

    def corrupt(raw: Path) -> None:
        df = _read(raw, rel)
        _write(pd.concat([df, df[_every_fifth(df)]], ignore_index=True), raw, rel)

    return corrupt


def _drop_column(rel: str, column: str) -> Callable[[Path], None]:
    def corrupt(raw: Path) -> None:
        _write(_read(raw, rel).drop(columns=[column]), raw, rel)

    return corrupt


def _also_parquet(rel: str) -> Callable[[Path], None]:
    """Corruption: the same table delivered as CSV and Parquet at once."""

    def corrupt(raw: Path) -> None:
        _read(raw, rel).to_parquet((raw / rel).with_suffix(".parquet"), index=False)

    return corrupt


# --------------------------------------------------------------------------- clean demo


def test_clean_demo_passes_read_only(demo_build, tmp_path: Path) -> None:
    """The CLI on the clean demo, with a relative --out: exit 0, results, Data Docs; the
    warehouse stays readable by other read-only connections during the run (no write lock)."""
    out = tmp_path / "quality"
    held = duckdb.connect(str(demo_build.db_path), read_only=True)  # a BI tool, say
    try:
        proc = subprocess.Popen(
            [
                str(FULLFUNNEL),
                "check",
                "--raw-dir",
                str(demo_build.raw_dir),
                "--warehouse",
                str(demo_build.db_path),
                "--dbt-target",
                str(demo_build.build_results),
                "--out",
                "quality",  # relative, as `make check` passes it
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        opened = 0
        while proc.poll() is None:
            with duckdb.connect(str(demo_build.db_path), read_only=True) as con:
                assert con.execute("select count(*) from marts.fct_leads").fetchall()[0][0] > 0
            opened += 1
            time.sleep(0.5)
        stdout, stderr = proc.communicate()
        assert held.execute("select count(*) from marts.fct_leads").fetchall()[0][0] > 0
    finally:
        held.close()
    assert proc.returncode == 0, stdout[-3000:] + stderr[-3000:]
    assert opened > 0
    assert "PASSED" in stdout and "landing.leads" in stdout and "marts.fct_mrr_monthly" in stdout
    # a progress line as each suite ends, numbered, before the summary
    progress = re.findall(
        r"^  \[(\d+)/(\d+)\] (\S+): (\d+) expectations, (\d+) failed", stdout, re.M
    )
    assert len(progress) == int(progress[0][1]) >= 16
    assert [int(p[0]) for p in progress] == list(range(1, len(progress) + 1))
    assert stdout.index("[1/") < stdout.index("PASSED")

    results = json.loads((out / "check_results.json").read_text("utf-8"))
    assert results["success"] is True
    names = {s["suite"] for s in results["suites"]}
    assert len([n for n in names if n.startswith("landing.")]) == 15
    assert {
        "marts.fct_ad_spend_daily",
        "marts.fct_leads",
        "marts.fct_attribution",
        "marts.fct_customer_journeys",
        "marts.fct_mrr_monthly",
        "marts.mart_marketing_monthly",
        "marts.mart_cmo_kpis_monthly",
        "marts.mart_plan_vs_actual",
        "marts.mart_sales_reps_monthly",
        "marts.mart_onboarding_retention",
        "quality.quarantine",
    } <= names
    records = [e for s in results["suites"] for e in s["expectations"]]
    assert {r["severity"] for r in records} == {"critical", "warning"}
    assert all(r["success"] for r in records if r["severity"] == "critical")
    for key in ("table", "column", "expectation", "severity", "success", "observed_value"):
        assert all(key in r for r in records)
    # the demo's deliberately dirty rows surface as warnings, with examples
    dirty = [r for r in records if not r["success"]]
    assert dirty and all(r["failing_examples"] for r in dirty)
    assert any("first run" in n for n in results["notes"])
    assert (out / "data_docs" / "index.html").is_file()
    assert list((out / "data_docs" / "validations").rglob("*.html"))
    _assert_data_docs_offline(
        out / "data_docs", warned=len({(r["suite"], r["frame"]) for r in dirty})
    )
    state = json.loads((out / "check_state.json").read_text("utf-8"))
    assert state["row_counts"][str(Path(demo_build.raw_dir).resolve())]["leads"] > 0


def _assert_data_docs_offline(site: Path, warned: int) -> None:
    """Nothing is fetched from the network, every local script, style and image exists, the
    frames whose failures are all warnings say so; opened as a file with the network off,
    the index table fills (Chromium, when present; required under make test)."""
    from fullfunnel.quality.offline_docs import EXTERNAL_RESOURCE

    pages = sorted(site.rglob("*.html"))
    local = re.compile(r'<(?:script|img)[^>]*\ssrc="([^"]+)"|<link[^>]*\shref="([^"]+)"')
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL_RESOURCE.search(text), page
        for match in local.finditer(text):
            ref = next(g for g in match.groups() if g).split("?")[0]
            assert (page.parent / ref).exists(), (page, ref)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("'_validation_success_text': 'Passed with warnings'") == warned > 0
    assert "'_validation_success_text': 'Failed'" not in index  # the gate passed
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        assert not os.environ.get("FULLFUNNEL_REQUIRE_CHROMIUM"), "Chromium is required"
        return
    dom = subprocess.run(
        [
            chromium,
            *("--headless=new", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000"),
            "--proxy-server=127.0.0.1:9",  # no network: a CDN asset would fail to load
            "--dump-dom",
            (site / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    # rendered rows (the serialised DOM writes `"></i>`; the data in the script `" ></i>`)
    rendered = dom.count('ge-success-icon"></i>') + dom.count('ge-warning-icon"></i>')
    # bootstrap-table shows the runs 10 to a page
    assert rendered == min(10, len(list((site / "validations").rglob("*.html")))), rendered


def test_missing_inputs_exit_2(demo_build, tmp_path: Path, capsys) -> None:
    """A missing raw folder or warehouse: one clear line on stderr, exit 2."""
    code = cli.main(
        ["check", "--raw-dir", str(tmp_path / "nope"), "--warehouse", str(demo_build.db_path)]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "raw folder not found" in err[0]
    code = cli.main(
        [
            "check",
            "--raw-dir",
            str(demo_build.raw_dir),
            "--warehouse",
            str(tmp_path / "none.duckdb"),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "warehouse not found" in err[0]


# --------------------------------------------------------------------------- landing suites

# table -> (corruption of a copy of the small raw set, the rule that must fail critically)
LANDING_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "google_ads__campaign_stats": (
        _set("ads/google_ads__campaign_stats.csv", "cost_micros", "-1500000"),
        "negative",
    ),
    "meta_ads__ads_insights": (
        _set("ads/meta_ads__ads_insights.csv", "account_currency", "JPY"),
        "no_fx_rate",
    ),
    "yandex_direct__campaign_report": (
        _drop_column("ads/yandex_direct__campaign_report.csv", "Cost"),
        "column",
    ),
    "sessions": (_set("web/sessions.csv", "click_id_type", "msclkid"), "unknown_value"),
    "leads": (_duplicate_rows("crm/leads.csv"), "unique_key"),
    "deals": (_set("crm/deals.csv", "created_at", "yesterday"), "unparseable"),
    "activities": (_set("crm/activities.csv", "duration_seconds", "-60"), "negative"),
    "users": (_set("crm/users.csv", "role", "intern"), "unknown_value"),
    "customers": (_set("billing/customers.csv", "created_at", "  "), "missing"),
    "subscriptions": (
        _set("billing/subscriptions.csv", "billing_interval", "week"),
        "unknown_value",
    ),
    "invoices": (_set("billing/invoices.csv", "currency", "JPY"), "unknown_currency"),
    "refunds": (_also_parquet("billing/refunds.csv"), "file"),
    "fx_rates": (_set("finance/fx_rates.csv", "currency", "eur"), "unknown_currency"),
    "marketing_costs": (_set("finance/marketing_costs.csv", "month", "2025-09-15"), "unparseable"),
}


@pytest.fixture(scope="module")
def clean_small_run(small_raw_dir: Path, demo_build, tmp_path_factory) -> CheckOutcome:
    """Every landing suite on the clean small raw set (the baseline of the broken cases)."""
    out = tmp_path_factory.mktemp("clean_small")
    return _check(small_raw_dir, demo_build.db_path, out, suites=["landing.*"])


def test_clean_small_raw_passes(clean_small_run: CheckOutcome) -> None:
    assert clean_small_run.exit_code == 0, [
        r.description for r in clean_small_run.critical_failures
    ]
    assert len(clean_small_run.suites) == 15


@pytest.mark.parametrize("table", sorted(LANDING_CASES))
def test_landing_suite_catches_broken_input(
    table: str, small_raw_dir: Path, demo_build, tmp_path: Path
) -> None:
    corrupt, rule = LANDING_CASES[table]
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    corrupt(raw)
    outcome = _check(raw, demo_build.db_path, tmp_path / "out", suites=[f"landing.{table}"])
    failures = _critical_failures(outcome, f"landing.{table}")
    assert outcome.exit_code == 1
    assert rule in {r.rule for r in failures}, [(r.rule, r.description) for r in failures]
    assert all(r.failing_examples or r.rule in ("column", "row_count_band") for r in failures)
    results = json.loads((tmp_path / "out" / "check_results.json").read_text("utf-8"))
    assert results["success"] is False


@pytest.mark.parametrize("table", ["deal_stage_history"])
def test_landing_row_count_collapse(
    table: str, small_raw_dir: Path, demo_build, tmp_path: Path
) -> None:
    """The first run stores row counts and passes with a note; a collapse below half of them
    fails the next run; a failing run does not move the baseline."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(small_raw_dir, raw)
    first = _check(raw, demo_build.db_path, out, suites=[f"landing.{table}"])
    assert first.exit_code == 0 and any("first run" in n for n in first.notes)
    rel = next(t.file for t in load_landing()[1] if t.name == table) + ".csv"
    df = _read(raw, rel)
    _write(df.head(len(df) // 10), raw, rel)
    for _ in range(2):
        again = _check(raw, demo_build.db_path, out, suites=[f"landing.{table}"])
        failed = _critical_failures(again, f"landing.{table}")
        assert again.exit_code == 1 and "row_count_band" in {r.rule for r in failed}


def test_landing_warning_does_not_fail(small_raw_dir: Path, demo_build, tmp_path: Path) -> None:
    """One bad row is quarantined by the build: a warning, not a failure."""
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    df = _read(raw, "crm/leads.csv")
    df.loc[df.index[0], "status"] = "maybe"
    _write(df, raw, "crm/leads.csv")
    outcome = _check(raw, demo_build.db_path, tmp_path / "out", suites=["landing.leads"])
    assert outcome.exit_code == 0
    warned = [r for r in outcome.warning_failures if r.rule == "unknown_value"]
    assert (
        warned
        and warned[0].column == "status"
        and "maybe" in json.dumps(warned[0].failing_examples)
    )


# --------------------------------------------------------------------------- dbt's tests

# A broken mart, and the dbt test that must fail (critical) in the gate for it: the gate
# shows dbt's test results, it does not recompute them.
BROKEN_MARTS: dict[str, tuple[str, str]] = {
    "quarantine_rule_misspelt": (
        "update quality.quarantine set rule = 'mising:session_id' "
        "where source_table = 'sessions' and rule like 'unparseable:%'",
        "assert_quarantine_rules_name_a_check_and_a_column",
    ),
    "spend_not_staged": (
        "update marts.fct_ad_spend_daily set spend = spend * 1.1, "
        "spend_original = spend_original * 1.1 where ad_platform = 'meta_ads'",
        "assert_ad_spend_reconciles_to_staging",
    ),
    "sessions_not_staged": (
        "update marts.mart_cmo_kpis_monthly set sessions = sessions + 1 "
        "where month = (select min(month) from marts.mart_cmo_kpis_monthly)",
        "assert_kpi_totals_reconcile_to_staging",
    ),
    "lead_flag_null": (
        "update marts.fct_leads set is_won = null where lead_id in "
        "(select lead_id from marts.fct_leads order by lead_id limit 3)",
        "not_null_columns_fct_leads_created_at__lead_month__is_valid__is_contacted__is_qualified__has_deal__is_won",
    ),
    "valid_lead_without_channel": (
        "update marts.fct_leads set channel = null where lead_id in "
        "(select lead_id from marts.fct_leads where is_valid order by lead_id limit 3)",
        "expression_is_true_fct_leads__channel_is_not_null_is_valid",
    ),
    "credits_not_1": (
        "update marts.fct_attribution set credit = credit / 2 where lead_id = "
        "(select min(lead_id) from marts.fct_attribution)",
        "assert_credits_sum_to_one_per_lead_and_model",
    ),
    "attribution_model_missing": (
        "delete from marts.fct_attribution where attribution_model = 'markov'",
        "assert_attribution_covers_valid_leads_only",
    ),
    "attribution_model_unknown": (
        "update marts.fct_attribution set attribution_model = 'w_shaped' where lead_id = "
        "(select min(lead_id) from marts.fct_attribution)",
        "accepted_values_fct_attribution_attribution_model__first_touch__last_touch__linear__position_based__time_decay__last_non_direct__markov",
    ),
    "plan_metric_unknown": (
        "update marts.mart_plan_vs_actual set metric = 'roas' where metric = 'leads'",
        "accepted_values_mart_plan_vs_actual_metric__ad_spend__marketing_cost__leads__cpl__cr2"
        "__new_customers__cac__new_mrr__revenue__mrr__customer_churn_rate",
    ),
    "kpi_null_metric": (
        "update marts.mart_cmo_kpis_monthly set revenue = null "
        "where month = (select min(month) from marts.mart_cmo_kpis_monthly)",
        "not_null_columns_mart_cmo_kpis_monthly_ad_spend__marketing_cost__sessions__leads"
        "__new_customers__revenue__mrr__new_mrr__expansion_mrr__reactivation_mrr"
        "__contraction_mrr__churned_mrr__active_customers__previous_mrr__churned_customers",
    ),
    "rep_rate_above_1": (
        "update marts.mart_sales_reps_monthly set cr2 = 2 where owner_id = "
        "(select min(owner_id) from marts.mart_sales_reps_monthly)",
        "mart_sales_reps_monthly_shares_within_0_1",
    ),
    "journey_duplicate": (
        "insert into marts.fct_customer_journeys "
        "select * from marts.fct_customer_journeys order by lead_id limit 2",
        "unique_fct_customer_journeys_lead_id",
    ),
    "mrr_row_bridge": (
        "update marts.fct_mrr_monthly set mrr = mrr + 50 where (customer_id, month) = "
        "(select (customer_id, month) from marts.fct_mrr_monthly where movement = 'unchanged' "
        "order by customer_id, month limit 1)",
        "assert_mrr_customer_months_chain",
    ),
    "kpi_bridge": (
        "update marts.mart_cmo_kpis_monthly set churned_mrr = churned_mrr + 1000 "
        "where month = (select max(month) from marts.mart_cmo_kpis_monthly)",
        "assert_mrr_bridge_holds",
    ),
    "channel_rate_above_1": (
        "update marts.mart_marketing_monthly set win_rate = 1.5 "
        "where channel = 'google_search' and month = "
        "(select min(month) from marts.mart_marketing_monthly)",
        "mart_marketing_monthly_shares_within_0_1",
    ),
    "plan_duplicate": (
        "insert into marts.mart_plan_vs_actual select * from marts.mart_plan_vs_actual limit 1",
        "unique_combination_of_columns_mart_plan_vs_actual_month__channel__metric",
    ),
    "retention_rate_above_1": (
        "update marts.mart_onboarding_retention set churn_90d_rate = 1.25 "
        "where onboarding_bucket = 'none'",
        "mart_onboarding_retention_shares_within_0_1",
    ),
    "quarantine_rows_lost": (
        "delete from quality.quarantine where source_table = 'sessions' "
        "and landing_row_number in (select landing_row_number from quality.quarantine "
        "where source_table = 'sessions' order by 1 limit 5)",
        "assert_raw_rows_equal_staged_plus_quarantined",
    ),
}


def _isolated_batches(manifest: dict) -> list[list[str]]:
    """The cases in batches whose breaks cannot reach each other's test: no case's test reads
    a relation another case of its batch breaks (from the manifest's dependencies)."""
    nodes = {n["name"]: n for n in manifest["nodes"].values()}
    broken, reads = {}, {}
    for case, (sql, test) in BROKEN_MARTS.items():
        table = re.search(r"(?:update|insert into|delete from)\s+\w+\.(\w+)", sql, re.I)
        assert table and test in nodes, case
        broken[case] = table.group(1)
        reads[case] = {dep.split(".")[-1] for dep in nodes[test]["depends_on"]["nodes"]}
    batches: list[list[str]] = []
    for case in sorted(BROKEN_MARTS):
        batch = next(
            (
                b
                for b in batches
                if all(broken[o] not in reads[case] and broken[case] not in reads[o] for o in b)
            ),
            None,
        )
        if batch is None:
            batches.append([case])
        else:
            batch.append(case)
    return batches


@pytest.fixture(scope="module")
def broken_marts(demo_build, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckOutcome]:
    """The broken marts, a batch at a time on a fresh copy of the demo warehouse, with the
    batch's dbt tests run there (`dbt test --select <tests>`), then the gate on that run's
    results. The clean demo passes every test, and no test of a batch reads a relation
    another case of the batch breaks, so each test that fails fails by its own break."""
    raw = Path(demo_build.raw_dir)
    work = tmp_path_factory.mktemp("broken_marts")
    manifest = json.loads((demo_build.build_results / "manifest.json").read_text("utf-8"))
    batches = _isolated_batches(manifest)
    assert len(batches) < len(BROKEN_MARTS) / 2, batches
    outcomes = {}
    for n, batch in enumerate(batches):
        shutil.copy(demo_build.db_path, work / "warehouse.duckdb")
        with duckdb.connect(str(work / "warehouse.duckdb")) as con:
            for case in batch:
                con.execute(BROKEN_MARTS[case][0])
        tests = [BROKEN_MARTS[case][1] for case in batch]
        result = run_dbt(["test", "--select", *tests], raw, work)
        assert result.returncode == 1, result.output[-3000:]
        outcome = run_check(
            raw,
            result.db_path,
            work / f"batch{n}",
            suites=["marts.*", "quality.*", "tests.*"],
            docs=False,
            dbt_target=result.target_dir,
        )
        outcomes.update(dict.fromkeys(batch, outcome))
    return outcomes


@pytest.mark.parametrize("case", sorted(BROKEN_MARTS))
def test_gate_fails_on_a_failed_dbt_test(case: str, broken_marts: dict[str, CheckOutcome]) -> None:
    outcome = broken_marts[case]
    test = BROKEN_MARTS[case][1]
    assert outcome.exit_code == 1
    failed = {r.column: r for r in outcome.critical_failures}
    batch_tests = {BROKEN_MARTS[c][1] for c, o in broken_marts.items() if o is outcome}
    assert set(failed) == batch_tests, [
        (r.suite, r.column, r.observed_value) for r in failed.values()
    ]
    assert failed[test].observed_value > 0
    assert failed[test].failing_examples  # dbt's message: "Got N results, configured to fail"


def test_gate_refuses_results_of_another_build(demo_build, tmp_path: Path) -> None:
    """Results of an earlier invocation (not the warehouse's build, not a later test run), a
    `dbt run`, or none at all: a critical failure that says what to run."""
    target = tmp_path / "target"
    shutil.copytree(demo_build.build_results, target)
    results = json.loads((target / "run_results.json").read_text("utf-8"))
    cases = {
        "another build": {
            "invocation_id": "an-earlier-build",
            "generated_at": "2020-01-01T00:00:00Z",
        },
        "a dbt run": {"invocation_id": "a-later-run", "which": "run"},
    }
    for label, change in cases.items():
        edited = json.loads(json.dumps(results))
        edited["metadata"].update({k: v for k, v in change.items() if k != "which"})
        if "which" in change:
            edited["args"]["which"] = change["which"]
        (target / "run_results.json").write_text(json.dumps(edited), "utf-8")
        outcome = _check(
            Path(demo_build.raw_dir), demo_build.db_path, tmp_path / "out", ["tests.*"], target
        )
        failures = outcome.critical_failures
        assert [r.suite for r in failures] == ["dbt.results"], label
        assert "run `dbt build`" in str(failures[0].observed_value), label
    (target / "run_results.json").unlink()
    outcome = _check(
        Path(demo_build.raw_dir), demo_build.db_path, tmp_path / "out", ["tests.*"], target
    )
    assert "run_results.json not found" in str(outcome.critical_failures[0].observed_value)


# --------------------------------------------------------------------------- the suites' source


def test_gate_reads_closed_lists_kept_in_dbt_vars() -> None:
    """The gate's landing suites read the contract itself (contract/landing.yml, as codegen
    does for the build); a closed list that names a dbt var is that var's keys."""
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text("utf-8"))
    settings, tables = load_landing()
    in_vars = [(t, c) for t in tables for c in t.columns if isinstance(c.closed_list, str)]
    assert in_vars, "no closed list kept in a dbt var any more: drop this test"
    for _table, column in in_vars:
        keys = sorted(k.lower() for k in project["vars"][column.closed_list])
        assert sorted(settings.closed_values(column) or []) == keys

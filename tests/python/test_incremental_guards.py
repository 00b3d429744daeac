"""Guards of the incremental tables: a row removed from a day older than the restatement
window stops the incremental run with the instruction to run a full refresh; a typo'd future
date quarantined as out_of_range does not move the window past the real days; a changed
setting, seed or FX rate rebuilds the tables whose rows it decides, by itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd

from .conftest import project_copy, run_dbt

SESSIONS = "web/sessions.csv"


def _sessions(raw: Path) -> pd.DataFrame:
    return pd.read_csv(raw / SESSIONS, dtype=str, keep_default_na=False)


def test_a_row_removed_from_an_old_day_asks_for_a_full_refresh(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    work = tmp_path / "work"
    select = ["run", "--select", "base_web__sessions"]
    assert run_dbt(select, raw, work).returncode == 0
    sessions = _sessions(raw)
    oldest = (
        sessions["started_at"].str[:10].where(sessions["started_at"].str.match(r"\d{4}-")).min()
    )
    first_old = sessions.index[sessions["started_at"].str.startswith(oldest)][0]
    sessions.drop(index=first_old).to_csv(raw / SESSIONS, index=False)
    result = run_dbt(select, raw, work)
    assert result.returncode != 0
    assert "base_web__sessions: " in result.output
    assert "landing row numbers appear twice after this incremental run" in result.output
    assert "Run a full refresh: dbt build --full-refresh" in result.output, result.output[-3000:]
    assert run_dbt([*select, "--full-refresh"], raw, work).returncode == 0


def test_an_out_of_range_day_does_not_move_the_window(small_raw_dir: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    work = tmp_path / "work"
    sessions = _sessions(raw)
    typo = sessions.iloc[[0]].assign(session_id="typo-2099", started_at="2099-12-15T10:00:00Z")
    pd.concat([sessions, typo]).to_csv(raw / SESSIONS, index=False)
    select = ["run", "--select", "base_web__sessions"]
    assert run_dbt(select, raw, work).returncode == 0
    # a new session on the latest real day arrives: the next incremental run stages it
    latest = sessions["started_at"].where(sessions["started_at"].str.match(r"\d{4}-")).max()
    late = sessions.iloc[[1]].assign(session_id="late-arrival", started_at=latest)
    pd.concat([sessions, typo, late]).to_csv(raw / SESSIONS, index=False)
    result = run_dbt(select, raw, work)
    assert result.returncode == 0, result.output[-3000:]
    rules = dict(
        result.query(
            "select session_id, coalesce(quarantine_rule, 'staged') "
            "from staging.base_web__sessions where session_id in ('typo-2099', 'late-arrival')"
        )
    )
    assert rules == {"typo-2099": "out_of_range:started_at", "late-arrival": "staged"}


def _base_rows(result, table: str) -> list[tuple]:
    """The table's rows without what differs from run to run: the settings fingerprint and,
    on the tables that have it, when the run that wrote a row started."""
    columns = [c[0] for c in result.query(f"describe {table}")]
    run_columns = [c for c in ("landing_settings_fingerprint", "written_at") if c in columns]
    return result.query(f"select * exclude ({', '.join(run_columns)}) from {table} order by all")


def test_a_changed_setting_rebuilds_the_base_tables_in_full(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """A var that decides which rows are staged (here the earliest event date) changes
    between two runs: the incremental tables notice it themselves and rebuild in full, and
    hold what a full refresh with the new setting holds. (That unchanged settings keep every
    table incremental, the batched test in test_incremental.py asserts on every run.)"""
    select = ["run", "--select", "base_web__sessions", "base_crm__activities"]
    work = tmp_path / "work"
    first = run_dbt(select, small_raw_dir, work)
    assert first.returncode == 0
    refused = (
        "select count(*) from staging.base_web__sessions "
        "where quarantine_rule = 'out_of_range:started_at'"
    )
    refused_before = first.query(refused)[0][0]
    later = {"earliest_event_date": "2026-03-01"}
    changed = run_dbt(select, small_raw_dir, work, extra_vars=later)
    assert changed.returncode == 0, changed.output[-3000:]
    for table in ("base_web__sessions", "base_crm__activities"):
        said = f"{table}: rebuilt in full, its SQL, a landing contract, a seed or a var"
        assert changed.output.count(said) == 1  # once, however often dbt asks
    fresh = run_dbt([*select, "--full-refresh"], small_raw_dir, tmp_path / "fresh", later)
    assert fresh.returncode == 0
    for table in ("staging.base_web__sessions", "staging.base_crm__activities"):
        rows = _base_rows(changed, table)
        assert rows == _base_rows(fresh, table)
    # the sessions before March 2026, staged before, are now refused
    assert changed.query(refused)[0][0] > refused_before + 100


def test_a_restated_fx_rate_rebuilds_the_ad_tables_in_full(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """An FX rate of a day long loaded is restated: the ad tables holding that day's rows
    rebuild in full and convert at the new rate; a table without money stays incremental."""
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    ads = "base_ads__meta_ads__ads_insights"  # its accounts are in EUR
    select = ["run", "--select", f"+{ads}", "base_web__sessions"]
    work = tmp_path / "work"
    first = run_dbt(select, raw, work)
    assert first.returncode == 0
    rates = pd.read_csv(raw / "finance/fx_rates.csv", dtype=str, keep_default_na=False)
    used = first.query(
        f"select account_currency, min(date_start) from staging.{ads} "
        "where account_currency <> 'USD' and quarantine_rule is null group by 1 order by 1 limit 1"
    )
    currency, first_day = used[0]
    rows = rates.index[(rates["currency"] == currency) & (rates["date"] <= str(first_day))]
    rates.loc[rows, "rate"] = "9.5"
    rates.to_csv(raw / "finance/fx_rates.csv", index=False)
    restated = run_dbt(select, raw, work)
    assert restated.returncode == 0, restated.output[-3000:]
    assert f"{ads}: rebuilt in full, an FX rate of a day it holds changed" in restated.output
    assert "base_web__sessions: rebuilt in full" not in restated.output
    converted = restated.query(
        f"select fx_rate_to_reporting from staging.{ads} "
        f"where account_currency = '{currency}' and date_start = '{first_day}' "
        "and quarantine_rule is null"
    )
    assert converted and all(rate == 9.5 for (rate,) in converted)


CLASSIFIED = "intermediate.int_sessions_classified"


def test_a_changed_channel_setting_rebuilds_the_classified_sessions(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """int_sessions_classified, incremental by landing day downstream of base_web__sessions,
    rebuilds in full by itself when a var that decides its channels (search_engine_domains)
    or the channel_mapping seed changes, and then holds what a full refresh holds; the base
    table, whose rows do not depend on them, stays incremental."""
    select = [
        "build",
        "-s",
        "+int_sessions_classified",
        "--exclude",
        "resource_type:test",
        "resource_type:unit_test",
    ]
    work = tmp_path / "work"
    first = run_dbt(select, small_raw_dir, work)
    assert first.returncode == 0
    organic = f"select count(*) from {CLASSIFIED} where channel = 'organic_search'"
    organic_before = first.query(organic)[0][0]

    narrower = {"search_engine_domains": ["bing"]}
    changed = run_dbt(select, small_raw_dir, work, extra_vars=narrower)
    assert changed.returncode == 0, changed.output[-3000:]
    assert "int_sessions_classified: rebuilt in full" in changed.output
    assert "base_web__sessions: rebuilt in full" not in changed.output
    fresh = run_dbt([*select, "--full-refresh"], small_raw_dir, tmp_path / "fresh", narrower)
    assert fresh.returncode == 0
    assert _base_rows(changed, CLASSIFIED) == _base_rows(fresh, CLASSIFIED)
    assert changed.query(organic)[0][0] < organic_before

    project = project_copy(tmp_path / "project")
    mapping = project / "seeds" / "channel_mapping.csv"
    mapping.write_text(mapping.read_text("utf-8").replace("google_search", "search_ads"), "utf-8")
    remapped = run_dbt(select, small_raw_dir, work, narrower, project_dir=project)
    assert remapped.returncode == 0, remapped.output[-3000:]
    assert "int_sessions_classified: rebuilt in full" in remapped.output
    assert remapped.query(f"select count(*) from {CLASSIFIED} where channel = 'search_ads'")[0][0]
    assert not remapped.query(f"select count(*) from {CLASSIFIED} where channel = 'google_search'")[
        0
    ][0]


def test_rows_written_after_the_run_started_rebuild_in_full(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """A table whose rows carry a written_at later than the run's start (a clock set back, a
    warehouse copied from another machine) cannot tell what changed since by time: it
    rebuilds in full by itself, and its rows then carry this run's written_at."""
    work = tmp_path / "work"
    first = ["build", "--select", "+int_sessions_classified", "--exclude", "resource_type:test"]
    assert run_dbt(first, small_raw_dir, work).returncode == 0
    table = "intermediate.int_sessions_classified"
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        con.execute(f"update {table} set written_at = timestamp '2999-01-01'")
    result = run_dbt(["run", "--select", "int_sessions_classified"], small_raw_dir, work)
    assert result.returncode == 0, result.output[-3000:]
    said = "int_sessions_classified: rebuilt in full, it holds rows written after this run started"
    assert said in result.output
    rewritten = result.query(f"select max(written_at) < timestamp '2999-01-01' from {table}")
    assert rewritten == [(True,)]


MRR_TABLES = ("int_customer_mrr_monthly", "int_mrr_movements_classified")


def test_an_earlier_first_month_rebuilds_the_mrr_tables_in_full(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """The MRR tables, incremental by customer, keep a customer's rows while its invoices do
    not change. A lead older than every event moves the first month covered, which can
    move any customer's first MRR month: they rebuild in full by themselves and then hold
    what a full refresh holds."""
    select = [
        "build",
        "-s",
        "+int_mrr_movements_classified",
        "--exclude",
        "resource_type:test",
        "resource_type:unit_test",
    ]
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    work = tmp_path / "work"
    assert run_dbt(select, raw, work).returncode == 0
    leads_csv = raw / "crm" / "leads.csv"
    leads = pd.read_csv(leads_csv, dtype=str, keep_default_na=False)
    oldest = leads["created_at"].where(leads["created_at"].str.match(r"\d{4}-")).min()
    early = leads.iloc[[0]].assign(
        lead_id="early-lead", created_at=f"{int(oldest[:4]) - 1}{oldest[4:]}"
    )
    pd.concat([leads, early]).to_csv(leads_csv, index=False)

    moved = run_dbt(select, raw, work)
    assert moved.returncode == 0, moved.output[-3000:]
    for table in MRR_TABLES:
        assert f"{table}: rebuilt in full, the first month covered moved" in moved.output
    fresh = run_dbt([*select, "--full-refresh"], raw, tmp_path / "fresh")
    assert fresh.returncode == 0
    for table in MRR_TABLES:
        relation = f"intermediate.{table}"
        assert _base_rows(moved, relation) == _base_rows(fresh, relation)
        assert moved.query(f"select count(*) from {relation}")[0][0] > 0

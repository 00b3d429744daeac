"""Guards of the incremental base tables (issue 14): a row removed from a day older than the
restatement window stops the incremental run with the instruction to run a full refresh; a
typo'd future date quarantined as out_of_range does not move the window past the real days."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from .conftest import run_dbt

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

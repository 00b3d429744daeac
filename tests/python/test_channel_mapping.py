"""CRM origins may be mapped to organic_search or referral (LANDING.md, "Project seeds"): with
the channel_group of their name the channels and the sessions build green (with every test on
them and on what they read) and each channel is listed once; with another group a seed test
fails and names the rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from .conftest import project_copy, run_dbt

EXTRA_ROWS = "seo,organic,organic_search,{organic},\npartner_site,*,referral,{referral},\n"


def _project_with_rows(tmp_path: Path, organic: str, referral: str) -> Path:
    project = project_copy(tmp_path / "project")
    seed = project / "seeds" / "channel_mapping.csv"
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text + EXTRA_ROWS.format(organic=organic, referral=referral), encoding="utf-8")
    return project


def test_organic_search_and_referral_can_be_mapped(small_raw_dir: Path, tmp_path: Path) -> None:
    project = _project_with_rows(tmp_path, "organic", "referral")
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    sessions_csv = raw / "web" / "sessions.csv"
    sessions = pd.read_csv(sessions_csv, dtype=str, keep_default_na=False)
    sessions.loc[0, ["utm_source", "utm_medium", "click_id", "click_id_type"]] = [
        "SEO",
        "Organic",
        "",
        "",
    ]
    sessions.loc[1, ["utm_source", "utm_medium", "click_id", "click_id_type"]] = [
        "partner_site",
        "banner",
        "",
        "",
    ]
    sessions.to_csv(sessions_csv, index=False)
    # what the seed decides, with every test on it: the channels and the sessions' channel
    selected = ["--select", "+int_channels", "+int_sessions_classified"]
    selected += ["--indirect-selection", "cautious"]  # no test that reads another model
    result = run_dbt(["build", *selected], raw, tmp_path / "work", project_dir=project)
    assert result.returncode == 0, result.output[-4000:]
    channels = result.query(
        "select channel, channel_group, count(*) over (partition by channel) "
        "from intermediate.int_channels where channel in ('organic_search', 'referral') "
        "order by channel"
    )
    assert channels == [("organic_search", "organic", 1), ("referral", "referral", 1)]
    classified = dict(
        result.query(
            "select session_id, channel from intermediate.int_sessions_classified "
            f"where session_id in ('{sessions.loc[0, 'session_id']}', "
            f"'{sessions.loc[1, 'session_id']}')"
        )
    )
    assert classified == {
        sessions.loc[0, "session_id"]: "organic_search",
        sessions.loc[1, "session_id"]: "referral",
    }


def test_organic_search_or_referral_with_another_group_fails(tmp_path: Path, small_raw_dir) -> None:
    project = _project_with_rows(tmp_path, "paid", "other")
    result = run_dbt(
        ["build", "--select", "channel_mapping"],
        small_raw_dir,
        tmp_path / "work",
        project_dir=project,
    )
    assert result.returncode == 1
    assert "FAIL 1 channel_mapping_organic_search_is_organic" in result.output, result.output[
        -3000:
    ]
    assert "FAIL 1 channel_mapping_referral_is_referral" in result.output

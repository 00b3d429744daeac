"""`fullfunnel refresh --vars` passes the user's settings to the build (issue 14): a CRM-only
user sets as_of_date, currency or time zone without editing dbt_project.yml; the check and
the snapshot read what the build used (quality.build_metadata)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fullfunnel.cli import build_parser
from fullfunnel.refresh import RefreshError, plan_steps

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _build_vars(tmp_path: Path, *extra: str) -> dict:
    args = build_parser().parse_args(
        [
            "refresh",
            "--raw-dir",
            str(tmp_path / "raw"),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            *extra,
        ]
    )
    steps, _env = plan_steps(args, PROJECT_ROOT)
    build = next(step for step in steps if step.name == "build")
    return json.loads(build.argv[build.argv.index("--vars") + 1])


def test_vars_reach_the_build(tmp_path: Path) -> None:
    got = _build_vars(
        tmp_path, "--vars", "{as_of_date: 2026-06-30, reporting_currency: EUR, lead_dedup_days: 14}"
    )
    assert got == {
        "as_of_date": "2026-06-30",
        "reporting_currency": "EUR",
        "lead_dedup_days": 14,
        "raw_dir": str(tmp_path / "raw"),
    }
    assert _build_vars(tmp_path) == {"raw_dir": str(tmp_path / "raw")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "--vars must be a mapping"),
        ("{as_of_date: [", "--vars is not a YAML mapping"),
        ("{raw_dir: /elsewhere}", "give the landing folder with --raw-dir"),
    ],
)
def test_bad_vars_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RefreshError, match=message):
        _build_vars(tmp_path, "--vars", text)

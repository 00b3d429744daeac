"""Every dbt var is validated when a run starts (DESIGN.md, "Runtime interface"): an invalid
setting stops the run before any model, with one error that names each var, the value it got
and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_dbt

BAD_VARS: dict[str, tuple[object, str]] = {
    "attribution_window_days": ("abc", 'got "abc" (text); allowed: a whole number of days >= 0'),
    "lead_dedup_days": (-1, "got -1 (number); allowed: a whole number of days >= 0"),
    "restatement_window_days": (2.5, "got 2.5 (number); allowed: a whole number of days >= 0"),
    "attribution_half_life_days": (0, "got 0 (number); allowed: a number of days > 0"),
    "quarantine_max_share": (2, "got 2 (number); allowed: a share from 0 to 1"),
    "gross_margin": (0, "got 0 (number); allowed: a share > 0 and <= 1"),
    "yandex_direct_vat_rate": ("20%", 'got "20%" (text); allowed: a rate >= 0'),
    "reporting_currency": ("usd", 'got "usd" (text); allowed: a currency code'),
    "attribution_model": ("w_shaped", 'got "w_shaped" (text); allowed: first_touch, last_touch'),
    "test_email_domains": ("example.com", 'got "example.com" (text); allowed: a list'),
    "click_id_sources": ({"gclid": "google"}, "(mapping); allowed: a mapping of click id type"),
    "as_of_date": ("2025-02-30", 'got "2025-02-30" (text); allowed: none, or a date YYYY-MM-DD'),
    "latest_event_date": ("1999-12-31", "allowed: none, or a date on or after earliest_event_date"),
    "source_freshness_error_after_hours": (
        24,
        "got 24 (number); allowed: at least source_freshness_warn_after_hours (48)",
    ),
}
# valid on their own, set beside BAD_VARS (source_freshness_error_after_hours is checked
# against it)
CONTEXT_VARS: dict[str, object] = {"source_freshness_warn_after_hours": 48}


def test_every_invalid_var_is_named_in_one_error(small_raw_dir: Path, tmp_path: Path) -> None:
    result = run_dbt(
        ["run", "--select", "+stg_crm__users"],
        small_raw_dir,
        tmp_path / "work",
        extra_vars={**CONTEXT_VARS, **{name: value for name, (value, _) in BAD_VARS.items()}},
    )
    assert result.returncode != 0
    assert f"{len(BAD_VARS)} invalid settings" in result.output, result.output[-3000:]
    for name, (_, message) in BAD_VARS.items():
        assert f"Invalid dbt var {name}: " in result.output, name
        assert message in result.output, (name, result.output[-3000:])
    assert not result.db_path.exists() or not result.query(
        "select * from information_schema.tables where table_name = 'stg_crm__users'"
    )


@pytest.mark.parametrize(
    "extra_vars",
    [
        {"as_of_date": "2026-06-30", "attribution_window_days": "14"},
        {
            "latest_event_date": "2030-01-01",
            "quarantine_max_share": 0,
            "gross_margin": 1,
            "source_freshness_warn_after_hours": 1,
            "source_freshness_error_after_hours": 1,
        },
    ],
)
def test_valid_edge_values_pass(small_raw_dir: Path, tmp_path: Path, extra_vars: dict) -> None:
    result = run_dbt(
        ["run", "--select", "+stg_crm__users"],
        small_raw_dir,
        tmp_path / "work",
        extra_vars=extra_vars,
    )
    assert result.returncode == 0, result.output[-3000:]


def test_a_malformed_earliest_event_date_is_named(small_raw_dir: Path, tmp_path: Path) -> None:
    result = run_dbt(
        ["run", "--select", "+stg_crm__users"],
        small_raw_dir,
        tmp_path / "work",
        extra_vars={"earliest_event_date": "01/01/2000"},
    )
    assert result.returncode != 0
    assert (
        'Invalid dbt var earliest_event_date: got "01/01/2000" (text); allowed: a date YYYY-MM-DD'
        in result.output
    ), result.output[-3000:]


def test_a_warehouse_file_named_like_a_schema_is_refused(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """DuckDB names the database after the file: `main.duckdb` made every `main.` reference
    ambiguous and the build failed with a catalog error. It is refused up front."""
    warehouse = tmp_path / "main.duckdb"
    result = run_dbt(
        ["run", "--select", "+stg_crm__users"],
        small_raw_dir,
        tmp_path / "work",
        extra_env={"FULLFUNNEL_DUCKDB_PATH": str(warehouse)},
    )
    assert result.returncode != 0
    assert f"The DuckDB warehouse file {warehouse} is named 'main'" in result.output, result.output[
        -3000:
    ]
    assert "Rename the file (env FULLFUNNEL_DUCKDB_PATH)" in result.output

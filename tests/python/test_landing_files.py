"""Missing, optional and Parquet landing files (LANDING.md, "Where the files are"), on DuckDB
and (with FULLFUNNEL_SPARK_PARITY=1, as under `make test`) on Spark: each engine registers the
landing files its own way (macros/landing/register_landing_files.sql) and must raise the same
errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import ENGINES, run_dbt, run_dbt_on, table_row_count


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_required_file_names_it(engine: str, small_raw_dir: Path, tmp_path: Path) -> None:
    raw = _copy(small_raw_dir, tmp_path / "raw")
    (raw / "crm" / "leads.csv").unlink()
    result = run_dbt_on(engine, ["run", "--select", "stg_crm__users"], raw, tmp_path / "work")
    assert result.returncode != 0
    assert "Required landing file is missing" in result.output
    assert f"{raw}/crm/leads.csv" in result.output


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_optional_file_is_an_empty_source(
    engine: str, small_raw_dir: Path, tmp_path: Path
) -> None:
    raw = _copy(small_raw_dir, tmp_path / "raw")
    (raw / "billing" / "refunds.csv").unlink()
    work = tmp_path / "work"
    result = run_dbt_on(
        engine,
        ["build", "--select", "+stg_billing__refunds", "--indirect-selection", "cautious"],
        raw,
        work,
    )
    assert result.returncode == 0, result.output[-3000:]
    assert "billing/refunds: optional file absent, empty source" in result.output
    assert table_row_count(engine, result, work, "staging", "base_billing__refunds") == 0


def test_parquet_stands_in_for_csv_and_both_is_an_error(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    raw = _copy(small_raw_dir, tmp_path / "raw")
    csv_path = raw / "crm" / "users.csv"
    parquet_path = raw / "crm" / "users.parquet"
    with duckdb.connect() as con:
        expected = con.execute(
            f"select count(*) from read_csv('{csv_path}', all_varchar = true)"
        ).fetchone()[0]
        con.execute(
            f"copy (select * from read_csv('{csv_path}', all_varchar = true)) "
            f"to '{parquet_path}' (format parquet)"
        )
    both = run_dbt(["run", "--select", "stg_crm__users"], raw, tmp_path / "both")
    assert both.returncode != 0
    assert "users.csv and" in both.output and "users.parquet" in both.output

    csv_path.unlink()
    result = run_dbt(
        ["build", "--select", "+stg_crm__users", "--indirect-selection", "cautious"],
        raw,
        tmp_path / "parquet",
    )
    assert result.returncode == 0, result.output[-3000:]
    assert result.query("select count(*) from staging.stg_crm__users") == [(expected,)]


@pytest.mark.parametrize("engine", ENGINES)
def test_file_without_a_contract_column_names_it(
    engine: str, small_raw_dir: Path, tmp_path: Path
) -> None:
    raw = _copy(small_raw_dir, tmp_path / "raw")
    path = raw / "crm" / "users.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("role", "Role")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_dbt_on(engine, ["run", "--select", "stg_crm__users"], raw, tmp_path / "work")
    assert result.returncode != 0
    assert "has no column 'role'" in result.output


def test_raw_dir_with_a_quote_works(small_raw_dir: Path, tmp_path: Path) -> None:
    """Paths reach SQL as quoted literals: a raw_dir such as `o'brien's exports` reads."""
    raw = _copy(small_raw_dir, tmp_path / "o'brien's exports")
    work = tmp_path / "work"
    result = run_dbt(["run", "--select", "+stg_crm__users", "build_metadata"], raw, work)
    assert result.returncode == 0, result.output[-3000:]
    assert result.query("select raw_dir from quality.build_metadata") == [(str(raw),)]
    assert result.query("select count(*) from staging.stg_crm__users")[0][0] > 0


def test_unreadable_lines_are_named_without_their_content(
    small_raw_dir: Path, tmp_path: Path
) -> None:
    """A line with too many fields, an unterminated quote and bytes that are not UTF-8 stop
    the build with one error naming each file and line, and never printing the line (a
    lead's email and phone would reach the log)."""
    raw = _copy(small_raw_dir, tmp_path / "raw")
    leads = raw / "crm" / "leads.csv"
    header = leads.read_text(encoding="utf-8").splitlines()[0].split(",")
    lines_before = len(leads.read_text(encoding="utf-8").splitlines())
    fields = ["bad-1", "2025-09-01T10:00:00Z", "", "leaky.person@example.org", "+15550001111"]
    fields += ["x"] * (len(header) - len(fields))
    with leads.open("ab") as f:
        f.write((",".join([*fields, "one too many"]) + "\n").encode())
        f.write(
            (",".join(["bad-2", *fields[1:]]).replace("+1555", "\xe9+1555") + "\n").encode(
                "latin-1"
            )
        )
    users = raw / "crm" / "users.csv"
    with users.open("a", encoding="utf-8") as f:
        f.write('u-bad,"Unclosed Name,sales,sales_rep,2025-01-01T00:00:00Z\n')
    result = run_dbt(["run", "--select", "+stg_crm__users"], raw, tmp_path / "work")
    assert result.returncode != 0
    assert "Landing files with lines that cannot be read as CSV" in result.output
    expected = (
        f"{leads}: line {lines_before + 1} (too many columns), "
        f"line {lines_before + 2} (invalid encoding)"
    )
    assert expected in result.output, result.output[-3000:]
    assert f"{users}: line " in result.output
    assert "leaky.person" not in result.output
    assert "0001111" not in result.output

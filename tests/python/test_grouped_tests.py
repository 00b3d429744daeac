"""The grouped not_null test (macros/tests/generic_tests.sql, not_null_columns) fails on a NULL
in any of its columns and names the column, in one scan of the model."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from .conftest import DbtResult, run_dbt


def test_not_null_columns_names_each_column_with_nulls(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    work = tmp_path / "nulls"
    work.mkdir()
    shutil.copyfile(demo_build.db_path, work / "warehouse.duckdb")
    select = ["--select", "fct_leads,test_name:not_null_columns"]
    clean = run_dbt(["test", *select], demo_build.raw_dir, work)
    assert clean.returncode == 0, clean.output[-3000:]
    assert "1 of 1 PASS not_null_columns_fct_leads" in clean.output, clean.output[-3000:]

    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        first_two = "(select lead_id from marts.fct_leads order by lead_id limit 2)"
        con.execute(f"update marts.fct_leads set created_at = null where lead_id in {first_two}")
        con.execute(f"update marts.fct_leads set is_won = null where lead_id in {first_two}")
    broken = run_dbt(["test", *select], demo_build.raw_dir, work)
    assert broken.returncode == 1, broken.output[-3000:]
    assert "Got 2 results" in broken.output, broken.output[-3000:]
    compiled = next((work / "target" / "compiled").rglob("not_null_columns_fct_leads_*.sql"))
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        found = sorted(con.execute(compiled.read_text(encoding="utf-8")).fetchall())
    assert found == [("created_at", 2), ("is_won", 2)]

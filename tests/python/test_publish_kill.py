"""`fullfunnel publish` killed at every step (FULLFUNNEL_PUBLISH_KILL_AT) while a reader polls
the serving file and the Parquet set: no read ever pairs two builds, the files after each kill
belong to one build, the next publish clears what the killed one left, and an older layout
(a plain serving file, a Parquet link into `parquet.versions/`) is adopted without a mixed
read. Published files are readable by everyone, the warehouse by its owner only."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from fullfunnel.publish import KILL_AT_ENV, PUBLISH_STEPS

from .conftest import DbtResult

# a BI reader polling both published paths: the build of the serving file, of the Parquet
# set, of the serving file again; the Parquet set differing while the serving file did not
# move is a mixed pair (one publish switches once, so it cannot move both away and back)
POLLING_READER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    serving, parquet, stop = sys.argv[1:4]
    def serving_build():
        with duckdb.connect(serving, read_only=True) as con:
            return con.execute("select invocation_id from quality.build_metadata").fetchone()[0]
    def parquet_build():
        with duckdb.connect() as con:
            path = os.path.join(parquet, "build_metadata.parquet")
            data = con.execute("select invocation_id from read_parquet(?)", [path]).fetchone()
        with open(os.path.join(parquet, "_manifest.json")) as handle:
            manifest = json.load(handle)["build"]["invocation_id"]
        return data[0] if data[0] == manifest else f"{data[0]}|{manifest}"
    reads, mixed, errors, seen = 0, [], [], set()
    while not os.path.exists(stop):
        try:
            first, pq, last = serving_build(), parquet_build(), serving_build()
        except Exception as exc:  # a missing or half-written file is a failure too
            errors.append(repr(exc)[:300])
            time.sleep(0.01)
            continue
        reads += 1
        seen.add(first)
        if first == last and pq != first:
            mixed.append([first, pq])
        time.sleep(0.01)
    print(json.dumps({"reads": reads, "mixed": mixed, "errors": errors, "seen": sorted(seen)}))
    """
)


def _warehouse(demo_build: DbtResult, dest: Path, invocation_id: str | None = None) -> Path:
    """A copy of the demo warehouse; with `invocation_id`, the build is renamed to it (as a
    finished, passing build, which its hooks would have recorded)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_build.db_path, dest)
    if invocation_id is not None:
        with duckdb.connect(str(dest)) as con:
            con.execute("update quality.build_metadata set invocation_id = ?", [invocation_id])
            con.execute("update quality.dbt_invocations set invocation_id = ?", [invocation_id])
    return dest


def _publish(
    warehouse: Path, out: Path, kill_at: str | None = None, umask: int | None = None
) -> subprocess.CompletedProcess:
    """`fullfunnel publish` of `warehouse` into `out` as a process of its own."""
    env = {k: v for k, v in os.environ.items() if k != KILL_AT_ENV}
    if kill_at is not None:
        env[KILL_AT_ENV] = kill_at
    argv = [
        *(sys.executable, "-m", "fullfunnel.cli", "publish"),
        *("--warehouse", str(warehouse)),
        *("--serving", str(out / "serving.duckdb")),
        *("--parquet-dir", str(out / "parquet")),
    ]
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run(
        argv,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        preexec_fn=preexec,  # a umask only
    )


def _published_build(out: Path) -> tuple[str, str]:
    """The build of the serving file and of the Parquet set, read through their paths."""
    with duckdb.connect(str(out / "serving.duckdb"), read_only=True) as con:
        (serving,) = con.execute("select invocation_id from quality.build_metadata").fetchone()
    manifest = json.loads((out / "parquet" / "_manifest.json").read_text())
    return serving, manifest["build"]["invocation_id"]


def _older_layout(source: Path, out: Path) -> None:
    """The files an older publish left in `out`: a plain serving file, and a `parquet` link
    into `parquet.versions/<version>`."""
    current = source / "serving.versions" / "current"
    out.mkdir(parents=True)
    shutil.copyfile(current / "serving.duckdb", out / "serving.duckdb")
    shutil.copytree(current / "parquet", out / "parquet.versions" / "20260101T000000000000Z")
    os.symlink("parquet.versions/20260101T000000000000Z", out / "parquet")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_publish_killed_at_every_step_never_mixes_builds(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    builds = {
        "build-a": _warehouse(demo_build, tmp_path / "a.duckdb", "build-a"),
        "build-b": _warehouse(demo_build, tmp_path / "b.duckdb", "build-b"),
    }
    other = {"build-a": "build-b", "build-b": "build-a"}
    scratch = tmp_path / "scratch"
    assert _publish(builds["build-a"], scratch).returncode == 0
    out = tmp_path / "warehouse"
    _older_layout(scratch, out)  # published by an older version of the project: build A
    assert _published_build(out) == ("build-a", "build-a")

    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            POLLING_READER,
            str(out / "serving.duckdb"),
            str(out / "parquet"),
            str(stop),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    published = "build-a"
    try:
        time.sleep(1.0)  # the reader is polling
        # "adopted" first: it is reached only while the older layout is still there
        for step in ["adopted", *(s for s in PUBLISH_STEPS if s != "adopted")]:
            target = other[published]
            killed = _publish(builds[target], out, kill_at=step)
            assert killed.returncode == -signal.SIGKILL, (step, killed.stdout, killed.stderr)
            after = _published_build(out)
            # killed before the switch: the old pair; at or after it: the new pair
            expected = target if step in ("switched", "pruned") else published
            assert after == (expected, expected), (step, after)
            if step == "adopted":  # the older layout became the links through `current`
                assert (out / "serving.duckdb").is_symlink()
                assert not (out / "parquet.versions").exists()
            published = expected

            # the next publish clears what the killed one left, and completes
            target = other[published]
            recovered = _publish(builds[target], out)
            assert recovered.returncode == 0, (step, recovered.stderr)
            assert "left by publish process" in recovered.stdout, (step, recovered.stdout)
            if step in ("serving_written", "parquet_written"):
                assert "left by a publish that was killed" in recovered.stdout
            assert _published_build(out) == (target, target)
            published = target
            time.sleep(0.2)  # let the reader see this state
    finally:
        stop.touch()
        try:
            result, errors = reader.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            reader.kill()
            raise
    polled = json.loads(result)
    assert reader.returncode == 0, errors
    assert polled["errors"] == []
    assert polled["mixed"] == []
    assert polled["reads"] >= 20, polled  # the reader did poll across the publishes
    assert polled["seen"] == ["build-a", "build-b"]

    root = out / "serving.versions"
    assert not list(root.glob(".tmp-*")) and not list(out.glob(".*.link-*"))
    versions = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(versions) <= 2  # --keep-versions, a killed publish's version included


def test_published_files_are_public_and_the_warehouse_private(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    """Under a private umask the published files still open for every reader (they hold no
    personal data), and publish makes the warehouse it reads owner-only (it holds some)."""
    warehouse = _warehouse(demo_build, tmp_path / "build" / "fullfunnel.duckdb")
    os.chmod(warehouse, 0o644)
    out = tmp_path / "warehouse"
    proc = _publish(warehouse, out, umask=0o077)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(warehouse.stat().st_mode) == 0o600
    assert "holds personal data: mode 644 -> 600" in proc.stdout
    version = (out / "serving.versions" / "current").resolve()
    modes = {
        path.relative_to(out).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in [out / "serving.versions", version, *version.rglob("*")]
    }
    assert modes, "nothing published"
    for name, mode in modes.items():
        expected = 0o755 if (out / name).is_dir() else 0o644
        assert mode == expected, (name, oct(mode))
    assert any(name.endswith("serving.duckdb") for name in modes)
    assert any(name.endswith("fct_leads.parquet") for name in modes)

"""`fullfunnel publish`: copy the public marts into the files BI tools read.

BI tools never read the build warehouse: DuckDB allows one read-write process or many
read-only ones per file, so a dashboard holding `warehouse/fullfunnel.duckdb` would block
`dbt build`, and dbt holds the file for a whole invocation. `publish` opens the warehouse
READ-ONLY and copies every relation of schema `marts` (views become tables; dbt's
`__dbt_tmp`/`__dbt_backup` leftovers are skipped; the relations of contract/MARTS.md
must be there) plus `quality.build_metadata` into the files below. Only a finished, passing
build is published: the build that wrote `quality.build_metadata` must have ended with every
node passing, and no later dbt run on the warehouse may be unfinished (killed or still
running), as `quality.dbt_invocations` records (dbt's on-run-start and on-run-end hooks);
otherwise publish exits 1 naming the invocation, and `--force` publishes anyway with a
warning.

1. a serving DuckDB file (`--serving`, default `warehouse/serving.duckdb`), schemas `marts`
   and `quality` as in the warehouse, table and column comments (the dbt docs) included,
   written with `STORAGE_VERSION 'v1.0.0'` (`--storage-version`), the oldest format DuckDB
   2.0 writes, so that every DuckDB from 1.0 on can open it (BI drivers embed older DuckDBs
   than the project's; DuckDB 2.0's own format cannot be read by 1.x), with the comments as
   plain text (no markdown, one line);
2. one Parquet file per relation (`--parquet-dir`, default `warehouse/parquet`):
   `<parquet-dir>/<relation>.parquet` (`fct_leads.parquet`, ..., `build_metadata.parquet`)
   and `_manifest.json` (build, publish time, rows and columns of every file).

Nothing is visible half-written, and the serving file and the Parquet set always belong to
the same build (one switch):

- Every publish writes a complete version folder, `<serving-stem>.versions/<version>/` beside
  the serving file (e.g. `warehouse/serving.versions/20261127T043211123456Z/`), holding the
  serving file (`serving.duckdb`) and the Parquet set (`parquet/`). It is written as
  `.tmp-<version>/`, checked (row counts against the warehouse, the storage version the file
  reports), fsynced and renamed to its final name.
- `<serving-stem>.versions/current` is a relative link to the version in use, and the only
  thing a publish switches: a new link is made aside and `os.replace`d over it (one
  `rename(2)`). The serving path and the Parquet path are fixed links through it
  (`serving.duckdb -> serving.versions/current/serving.duckdb`,
  `parquet -> serving.versions/current/parquet`), so one switch moves both: a reader sees
  the old pair or the new pair, never one of each, whenever the publish is killed. A reader
  that wants both from one build without racing a publish resolves the link once
  (`os.path.realpath`) and reads both from that folder; `quality.build_metadata` in the
  serving file and `_manifest.json` in the Parquet set name the build and the version.
- A connection opened before the switch keeps reading the previous version; the newest
  `--keep-versions` (default 2) version folders up to the current one are kept, older ones
  are removed, and so is a version a killed publish wrote but never switched to.
- Files an older publish made (a serving file that is a plain file, a Parquet link into
  `<parquet-dir>.versions/`, or a plain Parquet folder) are first adopted, unchanged, as a
  version of their own (hard links, no copy), so that the move to the links never shows a
  reader a mixed pair.
- What a killed publish leaves (`.tmp-*` folders, links made aside) is removed, with a
  message, by the next publish; the lock (`fcntl.flock` on `.<name>.publish.lock`) dies with
  its process, and a lock file naming a process that is gone is reported as cleared.
- File modes: the published files hold no personal data (the privacy test covers them) and
  are made readable by everyone (0644, folders 0755), whatever the umask; the warehouse they
  come from holds personal data (staging, `quality.quarantine.raw_row`) and is made readable
  by its owner only (0600) when publish opens it.
- One publish at a time per serving file; a second one fails at once instead of waiting.
- `FULLFUNNEL_PUBLISH_KILL_AT=<step>` (a name of `PUBLISH_STEPS`) makes publish kill itself
  with SIGKILL when it reaches that step: the hook the tests use to kill it at every step.

Exit codes: 0 published; 1 error (one line on stderr, published files untouched).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from fullfunnel.project import DEFAULT_WAREHOUSE, default_warehouse

DEFAULT_SERVING = "warehouse/serving.duckdb"
DEFAULT_PARQUET_DIR = "warehouse/parquet"
# the widest range of readers (DuckDB 1.0 and later): no published type needs a newer format
DEFAULT_STORAGE_VERSION = "v1.0.0"
DEFAULT_KEEP_VERSIONS = 2

# The public relations of contract/MARTS.md and the project's own public marts
# (mart_attribution_comparison, mart_onboarding_channels): a warehouse without one of them is
# not published (any further relation of schema `marts` is published too).
REQUIRED_MARTS: tuple[str, ...] = (
    "fct_ad_spend_daily",
    "fct_leads",
    "fct_attribution",
    "fct_customer_journeys",
    "fct_mrr_monthly",
    "mart_marketing_monthly",
    "mart_cmo_kpis_monthly",
    "mart_plan_vs_actual",
    "mart_sales_reps_monthly",
    "mart_onboarding_retention",
    "mart_pipeline",
    "mart_funnel_cohorts",
    "mart_attribution_markov",
    "mart_attribution_comparison",
    "mart_onboarding_channels",
)
# (schema, relation) published beside the marts
EXTRA_RELATIONS: tuple[tuple[str, str], ...] = (("quality", "build_metadata"),)
# relations dbt leaves behind while it swaps a table in; never public
_DBT_INTERNAL = re.compile(r"__dbt_(tmp|backup)$")
_DST = "__fullfunnel_serving"  # the alias of the new serving file while it is written


class PublishError(Exception):
    """A publish that cannot be done; the message is meant for the user."""


@dataclass
class Relation:
    """One published relation: where it comes from and what it holds."""

    schema: str
    name: str
    rows: int = 0
    columns: list[tuple[str, str]] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        """`schema.name`, quoted."""
        return _ident(self.schema) + "." + _ident(self.name)

    def in_catalog(self, catalog: str) -> str:
        """`catalog.schema.name`, quoted."""
        return _ident(catalog) + "." + self.qualified


@dataclass
class PublishResult:
    """What one publish wrote."""

    version: str
    serving: Path
    parquet_dir: Path | None
    parquet_version_dir: Path | None
    relations: list[Relation]
    build: dict[str, Any]
    storage_version: str
    seconds: float


def _sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _new_version() -> str:
    """A sortable, unique-enough version name: the UTC time to the microsecond."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _fsync_path(path: Path) -> None:
    """fsync a file or a directory (best effort where the platform cannot open directories)."""
    flags = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _publish_lock(serving: Path, log: Callable[[str], None] = print) -> Iterator[None]:
    """Hold `.<serving>.publish.lock` for the duration; fail at once if another publish has it.

    The lock is `fcntl.flock`, which dies with its process; the file keeps the holder's pid,
    so that a lock file left by a killed publish is reported as cleared."""
    lock_path = serving.parent / f".{serving.name}.publish.lock"
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (the refresh job runs one at a time anyway)
        yield
        return
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise PublishError(
                f"another publish to {serving} is running (lock {lock_path} is held)"
            ) from exc
        handle.seek(0)
        holder = handle.read().strip()
        if holder:
            log(f"  cleared the lock {lock_path} left by publish process {holder} (gone)")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _open_source(warehouse: Path) -> tuple[duckdb.DuckDBPyConnection, str]:
    """Open the warehouse READ-ONLY; return the connection and its catalog name.

    The warehouse is the connection's own database (not ATTACHed under another alias), so
    that views in it, which name their catalog, still resolve."""
    if not warehouse.is_file():
        raise PublishError(
            f"warehouse {warehouse} not found (run `dbt build` first, or pass --warehouse)"
        )
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise PublishError(
            f"cannot open the warehouse {warehouse} read-only (is a dbt build still running "
            f"on it?): {exc}"
        ) from exc
    row = con.execute("SELECT current_database()").fetchone()
    assert row is not None
    return con, str(row[0])


def _source_relations(con: duckdb.DuckDBPyConnection, catalog: str) -> list[Relation]:
    """Every relation of schema `marts` (required ones checked) plus the extra relations."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = ? AND table_schema = 'marts' ORDER BY table_name",
        [catalog],
    ).fetchall()
    marts = [Relation(s, n) for s, n in rows if not _DBT_INTERNAL.search(n)]
    found = {r.name for r in marts}
    missing = [name for name in REQUIRED_MARTS if name not in found]
    extras = []
    for schema, name in EXTRA_RELATIONS:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? "
            "AND table_schema = ? AND table_name = ?",
            [catalog, schema, name],
        ).fetchone()
        if exists and exists[0]:
            extras.append(Relation(schema, name))
        else:
            missing.append(f"{schema}.{name}")
    if missing:
        raise PublishError(
            "the warehouse lacks public relations (has `dbt build` run on it?): "
            + ", ".join(missing)
        )
    for rel in [*marts, *extras]:
        rel.columns = [
            (c, t)
            for c, t in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? "
                "ORDER BY ordinal_position",
                [catalog, rel.schema, rel.name],
            ).fetchall()
        ]
        count = con.execute(f"SELECT count(*) FROM {rel.in_catalog(catalog)}").fetchone()
        rel.rows = int(count[0]) if count else 0
    return [*marts, *extras]


def _build_metadata(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, Any]:
    """The one row of quality.build_metadata as a JSON-friendly dict."""
    cur = con.execute(f"SELECT * FROM {_ident(catalog)}.quality.build_metadata")
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    if row is None:
        return {}
    values = zip(names, row, strict=True)
    return {n: (v.isoformat() if hasattr(v, "isoformat") else v) for n, v in values}


def check_build_finished(con: duckdb.DuckDBPyConnection, catalog: str, build: dict) -> None:
    """Raise PublishError unless the warehouse holds a finished, passing build: the build
    that wrote quality.build_metadata ended with every node passing (quality.dbt_invocations,
    written by the on-run-start and on-run-end hooks), and no later dbt run on it is
    unfinished (killed, or still running)."""
    invocation = build.get("invocation_id")
    try:
        rows = con.execute(
            f"""
            select invocation_id, command, event, status, failed_nodes
            from {_ident(catalog)}.quality.dbt_invocations
            order by recorded_at, event desc
            """
        ).fetchall()
    except duckdb.CatalogException:
        raise PublishError(
            "the warehouse has no quality.dbt_invocations, so nothing says its build finished: "
            "run `dbt build` with this version of the project (or publish with --force)"
        ) from None
    finished = {r[0]: r for r in rows if r[2] == "finished"}
    unfinished = [r for r in rows if r[2] == "started" and r[0] not in finished]
    if unfinished:
        last = unfinished[-1]
        raise PublishError(
            f"dbt {last[1]} {last[0]} started on this warehouse and never finished (killed, "
            "or still running): the marts may be half rebuilt. Run `dbt build` to the end, "
            "then publish (or publish with --force)"
        )
    done = finished.get(invocation)
    if done is None:
        raise PublishError(
            f"build {invocation} (quality.build_metadata) has no record of finishing: run "
            "`dbt build` to the end, then publish (or publish with --force)"
        )
    if done[3] != "success":
        raise PublishError(
            f"build {invocation} finished with {done[4]} node(s) in error, failed or skipped: "
            "fix the build, then publish (or publish with --force)"
        )


def plain_text(comment: str) -> str:
    """A dbt description as BI tools show a comment: markdown emphasis, code marks and link
    syntax removed (`[text](url)` -> `text (url)`), hard line breaks joined, spaces
    collapsed."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", comment)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    return " ".join(text.split())


def _copy_comments(con: duckdb.DuckDBPyConnection, catalog: str, rel: Relation) -> None:
    """Copy the table and column comments (dbt's persisted docs) of one relation, as plain
    text."""
    table = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ? UNION ALL SELECT comment FROM duckdb_views() "
        "WHERE database_name = ? AND schema_name = ? AND view_name = ?",
        [catalog, rel.schema, rel.name] * 2,
    ).fetchone()
    target = f"{_DST}.{rel.qualified}"
    if table and table[0]:
        con.execute(f"COMMENT ON TABLE {target} IS {_sql_str(plain_text(table[0]))}")
    for column, comment in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [catalog, rel.schema, rel.name],
    ).fetchall():
        con.execute(
            f"COMMENT ON COLUMN {target}.{_ident(column)} IS {_sql_str(plain_text(comment))}"
        )


def _write_serving(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    tmp: Path,
    relations: list[Relation],
    storage_version: str,
) -> None:
    """Write every relation into a new DuckDB file `tmp` with the given storage version."""
    try:
        con.execute(
            f"ATTACH {_sql_str(str(tmp))} AS {_DST} "
            f"(STORAGE_VERSION {_sql_str(storage_version)}, READ_WRITE)"
        )
    except duckdb.Error as exc:
        raise PublishError(f"cannot create {tmp} with storage {storage_version}: {exc}") from exc
    try:
        tags = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = ?",
            [_DST],
        ).fetchone()
        written = tags[0] if tags else None
        if written not in (storage_version, f"{storage_version}+"):
            raise PublishError(
                f"{tmp} reports storage version {written!r}, not {storage_version!r}"
            )
        for schema in sorted({r.schema for r in relations}):
            con.execute(f"CREATE SCHEMA {_DST}.{_ident(schema)}")
        for rel in relations:
            con.execute(
                f"CREATE TABLE {_DST}.{rel.qualified} AS SELECT * FROM {rel.in_catalog(catalog)}"
            )
            _copy_comments(con, catalog, rel)
            count = con.execute(f"SELECT count(*) FROM {_DST}.{rel.qualified}").fetchone()
            if not count or count[0] != rel.rows:
                raise PublishError(f"{rel.schema}.{rel.name}: copied rows differ from source")
        con.execute(f"CHECKPOINT {_DST}")
    finally:
        con.execute(f"DETACH {_DST}")
    wal = tmp.with_name(tmp.name + ".wal")
    if wal.exists():
        raise PublishError(f"{tmp} left a WAL behind after it was closed")
    _fsync_path(tmp)


def _write_parquet(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    folder: Path,
    relations: list[Relation],
    manifest: dict[str, Any],
) -> None:
    """Write `<relation>.parquet` for every relation and `_manifest.json` into `folder`."""
    folder.mkdir()
    files = {}
    for rel in relations:
        path = folder / f"{rel.name}.parquet"
        con.execute(
            f"COPY (SELECT * FROM {rel.in_catalog(catalog)}) TO {_sql_str(str(path))} "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        _fsync_path(path)
        files[path.name] = {
            "relation": f"{rel.schema}.{rel.name}",
            "rows": rel.rows,
            "columns": [{"name": c, "type": t} for c, t in rel.columns],
        }
    (folder / "_manifest.json").write_text(
        json.dumps({**manifest, "files": files}, indent=2, default=str) + "\n"
    )
    _fsync_path(folder / "_manifest.json")
    _fsync_path(folder)


PUBLISH_STEPS: tuple[str, ...] = (
    "locked",  # the publish lock is held, leftovers of a killed publish removed
    "adopted",  # files of an older layout adopted as a version (only when there are some)
    "serving_written",  # the new serving file is complete in the .tmp- folder
    "parquet_written",  # the new Parquet set is complete in the .tmp- folder
    "version_ready",  # the .tmp- folder is renamed to its version
    "switched",  # `current` points at the new version
    "pruned",  # old versions removed
)
KILL_AT_ENV = "FULLFUNNEL_PUBLISH_KILL_AT"
PUBLISHED_FILE_MODE = 0o644
PUBLISHED_DIR_MODE = 0o755
PRIVATE_FILE_MODE = 0o600


def _reach(step: str) -> None:
    """Mark that publish reached `step`; die there (SIGKILL) when FULLFUNNEL_PUBLISH_KILL_AT
    names it (the tests' kill points)."""
    assert step in PUBLISH_STEPS, step
    if os.environ.get(KILL_AT_ENV) == step:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def versions_root(serving: Path) -> Path:
    """`<serving-stem>.versions`, beside the serving path: the version folders and `current`."""
    return serving.with_name(serving.stem + ".versions")


def _relative_link(link: Path, target: Path) -> str:
    """The relative path from `link`'s folder to `target` (links survive moving the folder)."""
    return os.path.relpath(target, link.parent)


def _replace_with_link(link: Path, target: Path) -> None:
    """Make `link` a symbolic link to `target` atomically: a new link made aside, then
    `os.replace`d over whatever `link` is (a file or a link; never a folder)."""
    tmp_link = link.with_name(f".{link.name}.link-{_new_version()}")
    os.symlink(_relative_link(link, target), tmp_link)
    os.replace(tmp_link, link)
    _fsync_path(link.parent)


def _points_at(link: Path, target: Path) -> bool:
    """True when `link` is a symbolic link whose text is the relative path to `target`."""
    return link.is_symlink() and os.readlink(link) == _relative_link(link, target)


def _chmod_tree(folder: Path) -> None:
    """Published files 0644, folders 0755, whatever the umask (they hold no personal data)."""
    os.chmod(folder, PUBLISHED_DIR_MODE)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, PUBLISHED_DIR_MODE if path.is_dir() else PUBLISHED_FILE_MODE)


def _make_private(warehouse: Path, log: Callable[[str], None]) -> None:
    """The build warehouse holds personal data: readable by its owner only."""
    try:
        mode = warehouse.stat().st_mode & 0o777
        if mode & 0o077 and warehouse.stat().st_uid == os.geteuid():
            os.chmod(warehouse, PRIVATE_FILE_MODE)
            log(f"  {warehouse} holds personal data: mode {mode:o} -> 600")
    except OSError:
        pass  # not ours to change: leave it (the docs say who should read it)


def _link_or_copy(source: Path, dest: Path) -> None:
    """A hard link (no copy) when both are on one file system, else a copy."""
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def _older_layout(serving: Path, parquet_dir: Path | None, root: Path) -> bool:
    """True when the serving or the Parquet path holds files an older publish made (a plain
    serving file, a Parquet link elsewhere, a plain Parquet folder)."""
    current = root / "current"
    serving_old = serving.exists() and not _points_at(serving, current / serving.name)
    parquet_old = (
        parquet_dir is not None
        and parquet_dir.exists()
        and not _points_at(parquet_dir, current / "parquet")
    )
    return serving_old or parquet_old


def _adopt_older_layout(
    serving: Path,
    parquet_dir: Path | None,
    root: Path,
    version: str,
    log: Callable[[str], None],
) -> None:
    """Adopt the files of an older layout, unchanged, as a version (hard links), point
    `current` at it, then turn the serving and Parquet paths into links through `current`:
    each step shows readers the same data, so the move never mixes two builds."""
    if serving.is_dir() and not serving.is_symlink():
        raise PublishError(f"{serving} is a folder, not a serving file")
    version = version[:-1] + "-adopted"  # sorts just before the version being published
    tmp = root / f".tmp-{version}"
    tmp.mkdir(parents=True)
    if serving.is_file():
        _link_or_copy(serving.resolve(), tmp / serving.name)
    if parquet_dir is not None and parquet_dir.is_dir():
        (tmp / "parquet").mkdir()
        for path in parquet_dir.resolve().iterdir():
            if path.is_file():
                _link_or_copy(path, tmp / "parquet" / path.name)
    adopted = root / version
    os.replace(tmp, adopted)
    _replace_with_link(root / "current", adopted)
    log(f"  adopted the files of an older publish as version {adopted.name}")
    old_parquet_versions = None
    if parquet_dir is not None and (parquet_dir.exists() or parquet_dir.is_symlink()):
        if parquet_dir.is_symlink():
            old_parquet_versions = parquet_dir.resolve().parent
        else:  # a plain folder cannot be replaced by a link in one step: move it aside first
            aside = root / f".tmp-{version}-folder"
            os.replace(parquet_dir, aside)
            old_parquet_versions = aside
        _replace_with_link(parquet_dir, root / "current" / "parquet")
    _replace_with_link(serving, root / "current" / serving.name)
    if old_parquet_versions is not None and old_parquet_versions.name.endswith(".versions"):
        shutil.rmtree(old_parquet_versions, ignore_errors=True)
        log(f"  removed {old_parquet_versions} (its files are in version {adopted.name})")
    elif old_parquet_versions is not None and old_parquet_versions.name.startswith(".tmp-"):
        shutil.rmtree(old_parquet_versions, ignore_errors=True)


def _prune_versions(root: Path, keep: int) -> list[Path]:
    """Keep the current version and the `keep - 1` before it; remove older ones, and any
    newer one (written by a publish killed before its switch: never in use)."""
    current = (root / "current").resolve()
    versions = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and p.name[0] != "."),
        key=lambda p: p.name,
    )
    never_used = [p for p in versions if p.name > current.name]
    in_use_before = [p for p in versions if p.name < current.name]
    removed = [*never_used, *in_use_before[: max(len(in_use_before) - (keep - 1), 0)]]
    for old in removed:
        shutil.rmtree(old, ignore_errors=True)
    return removed


def _remove_leftovers(
    serving: Path, parquet_dir: Path | None, root: Path, log: Callable[[str], None]
) -> None:
    """Remove what a killed publish left (called while holding the publish lock)."""
    stale = [*serving.parent.glob(f".{serving.name}.tmp-*")]
    stale += serving.parent.glob(f".{serving.name}.link-*")
    if parquet_dir is not None:
        stale += parquet_dir.parent.glob(f".{parquet_dir.name}.link-*")
    if root.is_dir():
        stale += root.glob(".tmp-*")
        stale += root.glob(".current.link-*")
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        log(f"  removed {path}, left by a publish that was killed")


def drop_dangling_link(path: Path, log: Callable[[str], None] = print) -> None:
    """Remove `path` when it is a link to nothing (a Parquet link after `--no-parquet`)."""
    if path.is_symlink() and not path.exists():
        path.unlink()
        log(f"  removed {path}: the current version has no Parquet set (--no-parquet)")


def publish(
    warehouse: Path,
    serving: Path,
    parquet_dir: Path | None = Path(DEFAULT_PARQUET_DIR),
    *,
    storage_version: str = DEFAULT_STORAGE_VERSION,
    keep_versions: int = DEFAULT_KEEP_VERSIONS,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> PublishResult:
    """Publish the public marts of `warehouse` to `serving` (and `parquet_dir`, unless None).

    Raises PublishError (and leaves the published files as they were) when it cannot, and
    when the warehouse does not hold a finished, passing build (`check_build_finished`)
    unless `force`.
    """
    started = time.perf_counter()
    warehouse, serving = Path(warehouse), Path(serving)
    parquet_dir = Path(parquet_dir) if parquet_dir is not None else None
    if serving.resolve() == warehouse.resolve():
        raise PublishError("--serving must not be the build warehouse itself")
    serving.parent.mkdir(parents=True, exist_ok=True)
    root = versions_root(serving)
    version = _new_version()
    tmp = root / f".tmp-{version}"

    if parquet_dir is not None and parquet_dir.exists() and not parquet_dir.is_dir():
        raise PublishError(f"{parquet_dir} exists and is neither a directory nor a link")

    with _publish_lock(serving, log):
        _remove_leftovers(serving, parquet_dir, root, log)
        _reach("locked")
        root.mkdir(exist_ok=True)
        os.chmod(root, PUBLISHED_DIR_MODE)
        if _older_layout(serving, parquet_dir, root):
            _adopt_older_layout(serving, parquet_dir, root, version, log)
            _reach("adopted")
        _make_private(warehouse, log)
        # the warehouse, read-only; the new serving file is attached to the same connection
        con, catalog = _open_source(warehouse)
        try:
            relations = _source_relations(con, catalog)
            build = _build_metadata(con, catalog)
            try:
                check_build_finished(con, catalog, build)
            except PublishError as exc:
                if not force:
                    raise
                log(f"  WARNING: --force: publishing anyway although {exc}")
            manifest = {
                "version": version,
                "published_at": datetime.now(UTC).isoformat(),
                "warehouse": str(warehouse),
                "build": build,
            }
            log(
                f"  publishing {len(relations)} relations of build "
                f"{build.get('invocation_id', '?')} from {warehouse}"
            )
            tmp.mkdir()
            _write_serving(con, catalog, tmp / serving.name, relations, storage_version)
            log(f"  wrote {serving.name} (storage {storage_version}) into {tmp}")
            _reach("serving_written")
            if parquet_dir is not None:
                _write_parquet(con, catalog, tmp / "parquet", relations, manifest)
                log(f"  wrote {len(relations)} Parquet files into {tmp / 'parquet'}")
            _reach("parquet_written")
            _chmod_tree(tmp)
            _fsync_path(tmp)
        except BaseException:
            con.close()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        con.close()

        version_dir = root / version
        os.replace(tmp, version_dir)
        _fsync_path(root)
        _reach("version_ready")
        # a WAL beside the serving path must never meet the new file (readers never write one)
        serving.with_name(serving.name + ".wal").unlink(missing_ok=True)
        # the one switch: serving file and Parquet set move together
        _replace_with_link(root / "current", version_dir)
        log(f"  switched {root / 'current'} -> {version}")
        _reach("switched")
        # the fixed links through `current` (made once; kept as they are after that)
        if not _points_at(serving, root / "current" / serving.name):
            _replace_with_link(serving, root / "current" / serving.name)
        if parquet_dir is not None and not _points_at(parquet_dir, root / "current" / "parquet"):
            _replace_with_link(parquet_dir, root / "current" / "parquet")
        for old in _prune_versions(root, keep_versions):
            log(f"  removed the old version {old.name}")
        _reach("pruned")

    return PublishResult(
        version=version,
        serving=serving,
        parquet_dir=parquet_dir,
        parquet_version_dir=(version_dir / "parquet") if parquet_dir is not None else None,
        relations=relations,
        build=build,
        storage_version=storage_version,
        seconds=time.perf_counter() - started,
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `publish` subcommand to the `fullfunnel` parser."""
    parser = subparsers.add_parser(
        "publish",
        help="copy the public marts into the serving DuckDB file and Parquet files for BI",
        description=(__doc__ or "").split("\n\n")[0],
    )
    parser.add_argument(
        "--warehouse",
        default=None,
        help=f"build warehouse, opened read-only (default: $FULLFUNNEL_DUCKDB_PATH or "
        f"{DEFAULT_WAREHOUSE})",
    )
    parser.add_argument(
        "--serving",
        default=DEFAULT_SERVING,
        help=f"serving DuckDB file BI tools read (default: {DEFAULT_SERVING})",
    )
    parser.add_argument(
        "--parquet-dir",
        default=DEFAULT_PARQUET_DIR,
        help=f"link to the current Parquet set (default: {DEFAULT_PARQUET_DIR})",
    )
    parser.add_argument("--no-parquet", action="store_true", help="write the serving file only")
    parser.add_argument(
        "--force",
        action="store_true",
        help="publish even when the warehouse's build did not finish or did not pass "
        "(with a warning)",
    )
    parser.add_argument(
        "--storage-version",
        default=DEFAULT_STORAGE_VERSION,
        help=f"oldest DuckDB that must read the serving file (default: {DEFAULT_STORAGE_VERSION})",
    )
    parser.add_argument(
        "--keep-versions",
        type=int,
        default=DEFAULT_KEEP_VERSIONS,
        help=f"version folders kept, the current one included (default: {DEFAULT_KEEP_VERSIONS})",
    )
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Entry point of `fullfunnel publish`: one line on stderr and exit 1 on any error."""
    warehouse = Path(args.warehouse or default_warehouse())
    try:
        result = publish(
            warehouse,
            Path(args.serving),
            None if args.no_parquet else Path(args.parquet_dir),
            storage_version=args.storage_version,
            keep_versions=args.keep_versions,
            force=args.force,
        )
        if args.no_parquet:
            drop_dangling_link(Path(args.parquet_dir))
    except (PublishError, OSError, duckdb.Error) as exc:
        print(f"fullfunnel publish: {exc}", file=sys.stderr)
        return 1
    rows = sum(r.rows for r in result.relations)
    print(
        f"published {len(result.relations)} relations ({rows} rows) of build "
        f"{result.build.get('invocation_id', '?')} to {result.serving}"
        + (f" and {result.parquet_dir}" if result.parquet_dir else "")
        + f" in {result.seconds:.1f}s"
    )
    return 0

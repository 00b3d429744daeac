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
   written with `STORAGE_VERSION 'v1.5.0'` (`--storage-version`) so that DuckDB 1.5+ readers,
   which most BI drivers embed, can open it (DuckDB 2.0's own format cannot be read by 1.x);
2. one Parquet file per relation (`--parquet-dir`, default `warehouse/parquet`):
   `<parquet-dir>/<relation>.parquet` (`fct_leads.parquet`, ..., `build_metadata.parquet`)
   and `_manifest.json` (build, publish time, rows and columns of every file).

Nothing is visible half-written (the swap):

- The serving file is written aside, as `.<name>.tmp-<version>` in the same folder, checked
  (row counts against the warehouse, the storage version the file reports), closed, fsynced
  and moved over the old one with `os.replace` (one `rename(2)`). A reader that has the old
  file open keeps reading the old inode, consistent, until it disconnects (POSIX); a new
  connection opens the new file. Readers never hold a lock that blocks the publish.
- `--parquet-dir` is a symbolic link to a version folder: `<parquet-dir>.versions/<version>/`
  (relative link, e.g. `parquet -> parquet.versions/20261127T043211123456Z`). A new version
  is written into `<parquet-dir>.versions/.tmp-<version>/`, renamed to its final name, and
  the link is replaced atomically (a new link is created aside and `os.replace`d over the
  old one). A reader that resolves the link once sees one complete set, old or new; the
  newest `--keep-versions` (default 2) folders are kept so that a reader still going through
  the previous set does not lose its files; older ones are removed. A plain directory found
  at `--parquet-dir` (not made by publish) is moved into the versions folder once.
- Both are written completely before either is swapped; on any error the temporary files
  are removed and the published files are left as they were.
- One publish at a time per serving file: a lock file `.<name>.publish.lock` beside it
  (`fcntl.flock`); a second publish fails at once instead of waiting.

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

DEFAULT_WAREHOUSE = "warehouse/fullfunnel.duckdb"
DEFAULT_SERVING = "warehouse/serving.duckdb"
DEFAULT_PARQUET_DIR = "warehouse/parquet"
DEFAULT_STORAGE_VERSION = "v1.5.0"
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
def _publish_lock(serving: Path) -> Iterator[None]:
    """Hold `.<serving>.publish.lock` for the duration; fail at once if another publish has it."""
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
        try:
            yield
        finally:
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


def _copy_comments(con: duckdb.DuckDBPyConnection, catalog: str, rel: Relation) -> None:
    """Copy the table and column comments (dbt's persisted docs) of one relation."""
    table = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ? UNION ALL SELECT comment FROM duckdb_views() "
        "WHERE database_name = ? AND schema_name = ? AND view_name = ?",
        [catalog, rel.schema, rel.name] * 2,
    ).fetchone()
    target = f"{_DST}.{rel.qualified}"
    if table and table[0]:
        con.execute(f"COMMENT ON TABLE {target} IS {_sql_str(table[0])}")
    for column, comment in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [catalog, rel.schema, rel.name],
    ).fetchall():
        con.execute(f"COMMENT ON COLUMN {target}.{_ident(column)} IS {_sql_str(comment)}")


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
    folder.mkdir(parents=True)
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


def _versions_dir(parquet_dir: Path) -> Path:
    """`<parquet-dir>.versions`, beside the link."""
    return parquet_dir.with_name(parquet_dir.name + ".versions")


def _adopt_plain_dir(parquet_dir: Path, log: Callable[[str], None]) -> None:
    """Move a plain directory found at the link's place into the versions folder (once)."""
    if parquet_dir.is_dir() and not parquet_dir.is_symlink():
        legacy = _versions_dir(parquet_dir) / f"{_new_version()[:-1]}-legacy"
        legacy.parent.mkdir(parents=True, exist_ok=True)
        log(f"  moving the plain directory {parquet_dir} to {legacy} (it becomes a link)")
        os.replace(parquet_dir, legacy)


def _swap_link(parquet_dir: Path, version_dir: Path) -> None:
    """Point the link `parquet_dir` at `version_dir` atomically (a new link, `os.replace`d)."""
    tmp_link = parquet_dir.with_name(f".{parquet_dir.name}.link-{version_dir.name}")
    target = os.path.relpath(version_dir, parquet_dir.parent)
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    os.symlink(target, tmp_link, target_is_directory=True)
    os.replace(tmp_link, parquet_dir)
    _fsync_path(parquet_dir.parent)


def _prune_versions(parquet_dir: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` version folders (never the one the link points to)."""
    versions_dir = _versions_dir(parquet_dir)
    current = parquet_dir.resolve() if parquet_dir.is_symlink() else None
    versions = sorted(
        (p for p in versions_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
        reverse=True,
    )
    removed = []
    for old in versions[max(keep, 1) :]:
        if current is not None and old.resolve() == current:
            continue
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    return removed


def _remove_stale_temporaries(serving: Path, parquet_dir: Path | None) -> None:
    """Remove what an interrupted publish left (called while holding the publish lock)."""
    for stale in serving.parent.glob(f".{serving.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    if parquet_dir is not None:
        for stale in parquet_dir.parent.glob(f".{parquet_dir.name}.link-*"):
            stale.unlink(missing_ok=True)
        versions_dir = _versions_dir(parquet_dir)
        if versions_dir.is_dir():
            for stale in versions_dir.glob(".tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)


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
    version = _new_version()
    tmp_serving = serving.parent / f".{serving.name}.tmp-{version}"
    tmp_parquet: Path | None = None
    version_dir: Path | None = None

    if parquet_dir is not None and parquet_dir.exists() and not parquet_dir.is_dir():
        raise PublishError(f"{parquet_dir} exists and is neither a directory nor a link")

    with _publish_lock(serving):
        _remove_stale_temporaries(serving, parquet_dir)
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
            _write_serving(con, catalog, tmp_serving, relations, storage_version)
            log(f"  wrote {tmp_serving.name} (storage {storage_version})")
            if parquet_dir is not None:
                versions_dir = _versions_dir(parquet_dir)
                versions_dir.mkdir(parents=True, exist_ok=True)
                tmp_parquet = versions_dir / f".tmp-{version}"
                _write_parquet(con, catalog, tmp_parquet, relations, manifest)
                log(f"  wrote {len(relations)} Parquet files into {tmp_parquet}")
        except BaseException:
            con.close()
            tmp_serving.unlink(missing_ok=True)
            tmp_serving.with_name(tmp_serving.name + ".wal").unlink(missing_ok=True)
            if tmp_parquet is not None:
                shutil.rmtree(tmp_parquet, ignore_errors=True)
            raise
        con.close()

        # everything is written: swap both in, back to back
        if parquet_dir is not None:
            _adopt_plain_dir(parquet_dir, log)
        stale_wal = serving.with_name(serving.name + ".wal")
        stale_wal.unlink(missing_ok=True)  # a WAL of the old file must never meet the new one
        os.replace(tmp_serving, serving)
        _fsync_path(serving.parent)
        log(f"  swapped in {serving}")
        if parquet_dir is not None and tmp_parquet is not None:
            version_dir = tmp_parquet.with_name(version)
            os.replace(tmp_parquet, version_dir)
            _swap_link(parquet_dir, version_dir)
            log(f"  swapped in {parquet_dir} -> {os.readlink(parquet_dir)}")
            for old in _prune_versions(parquet_dir, keep_versions):
                log(f"  removed old Parquet version {old.name}")

    return PublishResult(
        version=version,
        serving=serving,
        parquet_dir=parquet_dir,
        parquet_version_dir=version_dir,
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
        help=f"Parquet version folders kept, the current one included "
        f"(default: {DEFAULT_KEEP_VERSIONS})",
    )
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Entry point of `fullfunnel publish`: one line on stderr and exit 1 on any error."""
    warehouse = Path(
        args.warehouse or os.environ.get("FULLFUNNEL_DUCKDB_PATH") or DEFAULT_WAREHOUSE
    )
    try:
        result = publish(
            warehouse,
            Path(args.serving),
            None if args.no_parquet else Path(args.parquet_dir),
            storage_version=args.storage_version,
            keep_versions=args.keep_versions,
            force=args.force,
        )
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

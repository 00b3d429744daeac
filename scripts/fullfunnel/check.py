"""`fullfunnel check`: the Great Expectations quality gate on the landing files and the marts.

    fullfunnel check [--raw-dir DIR] [--warehouse PATH] [--out DIR] [--sample-rows N]
                     [--suite GLOB ...] [--no-docs]

Suites (readable YAML, shipped with the package):

- `scripts/fullfunnel/expectations/landing.yml`: one suite per landing table of
  contract/LANDING.md (`landing.<table>`): exactly one file, columns present, required
  values present, types parseable, non-negative amounts, closed lists, currencies known and
  covered by FX rates, keys unique, dates in range, row count within a band of the last
  passing run.
- `scripts/fullfunnel/expectations/marts.yml`: one suite per public mart of
  contract/MARTS.md (`marts.<mart>`, and `quality.quarantine`): keys unique and not NULL, no
  personal data columns, required metrics not NULL, rates in [0, 1], the MRR bridge, totals
  that match the raw files and the other marts.

Every expectation is `critical` (a failure fails the run: exit 1) or `warning` (reported,
exit 0), as GE's `severity`.

Bounded cost: nothing large is loaded into Python. Counts, uniqueness, min/max, bridges and
totals are computed by DuckDB over whole tables (streaming scans of the raw files; queries on
the warehouse) and GE validates the small aggregate frames. Row-level expectations run on a
deterministic sample: at most `--sample-rows` rows per table (default 100000), drawn with
`USING SAMPLE reservoir(N ROWS) REPEATABLE (42)`; the whole table when it is smaller, and
every row with `--sample-rows 0`. DuckDB runs with a memory limit and spills to a temporary
directory.

Read-only: the raw files are read by a separate in-memory DuckDB connection (every column as
text, `read_csv(..., all_varchar = true)`), and the warehouse is opened with
`duckdb.connect(path, read_only=True)`, twice and briefly (run metadata, then the mart
queries), so the check never takes the write lock and never blocks other readers.

Outputs under `--out` (default `data/quality`):

- `data_docs/index.html`: the Great Expectations Data Docs of this run (rebuilt each run).
- `check_results.json`: per suite and expectation: table, column, expectation, severity,
  success, observed value, a few failing examples.
- `check_state.json`: the landing row counts of the last passing run per raw_dir (the
  row-count band); the first run has none and passes with a note. It is updated only when no
  critical expectation failed; delete it to accept a deliberate change in volume.

Exit codes: 0 no critical failure; 1 a critical expectation failed; 2 a missing raw_dir or
warehouse (one line on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fnmatch
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from fullfunnel.project import default_warehouse
from fullfunnel.quality.gx_runner import ExpectationRecord, GxRunner, jsonable
from fullfunnel.quality.landing import (
    LandingContext,
    LandingTable,
    build_landing_suite,
    delivered_files,
    load_landing,
    prepare_fx,
)
from fullfunnel.quality.landing_sql import scan
from fullfunnel.quality.marts import (
    DEFAULT_VAT_RATE,
    RawFactsContext,
    compute_raw_facts,
    dbt_var,
    frame_sql,
    load_mart_suites,
    staged_counts_sql,
)
from fullfunnel.quality.spec import ExpectationSpec, FrameSpec, SuiteSpec

DEFAULT_SAMPLE_ROWS = 100_000
RESULTS_FILE = "check_results.json"
STATE_FILE = "check_state.json"
DUCKDB_MEMORY_LIMIT = "2GB"


class CheckInputError(Exception):
    """A missing input: the raw folder or the warehouse."""


@dataclass
class CheckOutcome:
    """The outcome of one run."""

    records: list[ExpectationRecord]
    suites: list[SuiteSpec]
    notes: list[str]
    results_path: Path
    docs_index: Path | None
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def critical_failures(self) -> list[ExpectationRecord]:
        """The failed critical expectations."""
        return [r for r in self.records if not r.success and r.severity == "critical"]

    @property
    def warning_failures(self) -> list[ExpectationRecord]:
        """The failed warnings."""
        return [r for r in self.records if not r.success and r.severity == "warning"]

    @property
    def exit_code(self) -> int:
        """1 when a critical expectation failed, else 0."""
        return 1 if self.critical_failures else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `check` subcommand."""
    parser = subparsers.add_parser(
        "check",
        help="run the Great Expectations quality gate on the landing files and the marts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--raw-dir", default="data/raw", help="landing folder (default: data/raw)")
    parser.add_argument(
        "--warehouse",
        default=None,
        help="DuckDB file, opened read-only (default: $FULLFUNNEL_DUCKDB_PATH or "
        "warehouse/fullfunnel.duckdb)",
    )
    parser.add_argument(
        "--out", default="data/quality", help="results folder (default: data/quality)"
    )
    parser.add_argument(
        "--sample-rows",
        type=int,
        default=DEFAULT_SAMPLE_ROWS,
        help=f"rows per table for row-level expectations, a deterministic reservoir sample "
        f"(default: {DEFAULT_SAMPLE_ROWS}; 0 = every row)",
    )
    parser.add_argument(
        "--suite",
        action="append",
        default=None,
        metavar="GLOB",
        help="run only the suites matching this pattern (e.g. 'landing.*', 'marts.fct_leads'); "
        "repeatable",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write Data Docs")
    parser.set_defaults(func=_cmd_check)


def _cmd_check(args: argparse.Namespace) -> int:
    """Run the gate from the command line."""
    try:
        outcome = run_check(
            raw_dir=Path(args.raw_dir),
            warehouse=Path(args.warehouse or default_warehouse()),
            out=Path(args.out).resolve(),
            sample_rows=args.sample_rows,
            suites=args.suite,
            docs=not args.no_docs,
            progress=lambda line: print(line, flush=True),
        )
    except CheckInputError as exc:
        print(f"fullfunnel check: {exc}", file=sys.stderr)
        return 2
    print(format_summary(outcome))
    return outcome.exit_code


def run_check(
    raw_dir: Path,
    warehouse: Path,
    out: Path,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    suites: list[str] | None = None,
    docs: bool = True,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> CheckOutcome:
    """Run every selected suite, write the results, Data Docs and state; return the outcome.
    `progress` gets a line as each suite ends (its expectations, how many failed, seconds).

    Raises CheckInputError when raw_dir or the warehouse is missing.
    """
    started = time.monotonic()
    if not raw_dir.is_dir():
        raise CheckInputError(f"raw folder not found: {raw_dir} (set --raw-dir)")
    if not warehouse.is_file():
        raise CheckInputError(
            f"warehouse not found: {warehouse} (build it with dbt build, or set --warehouse)"
        )
    now = now or datetime.now(UTC).replace(tzinfo=None)
    out.mkdir(parents=True, exist_ok=True)
    settings, tables = load_landing()
    build_settings = _read_build_settings(warehouse)
    if build_settings.get("quarantine_max_share") is not None:
        # the gate allows the share of breaking rows the build allowed (dbt var)
        settings = dataclasses.replace(
            settings, max_bad_share=float(build_settings["quarantine_max_share"])
        )
    mart_suites = load_mart_suites(settings.max_bad_share)

    def selected(name: str) -> bool:
        return not suites or any(fnmatch.fnmatchcase(name, p) for p in suites)

    landing_selected = [t for t in tables if selected(f"landing.{t.name}")]
    marts_selected = [s for s in mart_suites if selected(s.name)]
    notes: list[str] = []
    total = len(landing_selected) + len(marts_selected)
    suite_started = time.monotonic()

    def suite_done(suite: SuiteSpec, suite_records: list[ExpectationRecord]) -> None:
        nonlocal suite_started
        if progress is not None:
            failed = [r for r in suite_records if not r.success]
            critical = sum(1 for r in failed if r.severity == "critical")
            progress(
                f"  [{len(done_suites)}/{total}] {suite.name}: {len(suite_records)} "
                f"expectations, {len(failed)} failed ({critical} critical) in "
                f"{time.monotonic() - suite_started:.1f}s"
            )
        suite_started = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="fullfunnel-check-") as spill:
        meta, quarantined = _read_run_metadata(
            warehouse, spill, need_quarantine=bool(marts_selected)
        )
        notes += _raw_dir_note(meta.get("raw_dir"), raw_dir)
        state = _read_state(out / STATE_FILE)
        state_key = str(raw_dir.resolve())
        previous = state.get("row_counts", {}).get(state_key, {})
        if landing_selected and not previous:
            notes.append(
                f"first run for {raw_dir}: no previous row counts, the row-count band applies "
                "from the next passing run"
            )
        runner = GxRunner(out / "data_docs" if docs else None)
        records: list[ExpectationRecord] = []
        done_suites: list[SuiteSpec] = []
        row_counts: dict[str, int] = {}

        raw_con = _connect(":memory:", spill)
        try:
            ctx = LandingContext(
                raw_dir=raw_dir,
                con=raw_con,
                settings=settings,
                reporting_currency=meta["reporting_currency"],
                sample_rows=sample_rows,
                previous_counts=previous,
                now=now,
            )
            prepare_fx(ctx, tables)
            for table in tables:
                if table not in landing_selected and not marts_selected:
                    continue
                if table in landing_selected:
                    try:
                        suite, frames = build_landing_suite(ctx, table)
                    except duckdb.Error as exc:  # e.g. a CSV DuckDB cannot read at all
                        suite = SuiteSpec(
                            name=f"landing.{table.name}",
                            kind="landing",
                            table=table.file,
                            description=f"landing file {table.file} (contract/LANDING.md)",
                        )
                        errors = _frame_error(runner, suite, FrameSpec("table", "full"), exc)
                        records += errors
                        done_suites.append(suite)
                        suite_done(suite, errors)
                        continue
                    suite_records: list[ExpectationRecord] = []
                    for computed in frames:
                        suite_records += runner.validate(
                            suite, computed.spec, computed.df, computed.note
                        )
                        if "row_count" in computed.df.columns:
                            row_counts[table.name] = int(computed.df["row_count"].iloc[0])
                    records += suite_records
                    done_suites.append(suite)
                    suite_done(suite, suite_records)
                else:
                    with contextlib.suppress(duckdb.Error):
                        row_counts.update(_row_count_only(ctx, table))
            facts: dict[str, Any] = {}
            if marts_selected:
                vat = float(
                    build_settings.get("yandex_direct_vat_rate")
                    or dbt_var("yandex_direct_vat_rate", DEFAULT_VAT_RATE)
                )
                try:
                    facts, fact_notes = compute_raw_facts(
                        RawFactsContext(
                            con=raw_con,
                            raw_dir=raw_dir,
                            tables={t.name: t for t in tables},
                            reporting_currency=meta["reporting_currency"],
                            timezone=meta["reporting_timezone"],
                            vat_rate=vat,
                        ),
                        quarantined,
                        row_counts,
                    )
                except duckdb.Error as exc:
                    facts, fact_notes = {}, [f"raw totals could not be computed: {exc}"]
                notes += fact_notes
                notes.append(
                    f"raw totals recomputed with reporting currency {meta['reporting_currency']}, "
                    f"time zone {meta['reporting_timezone']}, Yandex VAT rate {vat:g} "
                    "(the build's settings, quality.build_metadata)"
                )
        finally:
            raw_con.close()

        if marts_selected:
            wh = _connect(str(warehouse), spill, read_only=True)
            try:
                for name, table in facts.items():
                    wh.register(name, table)
                staged = staged_counts_sql(tables)
                suite_started = time.monotonic()
                for suite in marts_selected:
                    suite_records = _run_mart_suite(
                        runner, wh, suite, sample_rows, meta["reporting_timezone"], staged
                    )
                    records += suite_records
                    done_suites.append(suite)
                    suite_done(suite, suite_records)
            finally:
                wh.close()

    docs_index = runner.build_docs() if docs else None
    outcome = CheckOutcome(
        records=records,
        suites=done_suites,
        notes=notes,
        results_path=out / RESULTS_FILE,
        docs_index=docs_index,
        seconds=time.monotonic() - started,
    )
    _write_results(outcome, raw_dir, warehouse, sample_rows, now)
    if not outcome.critical_failures and row_counts:
        counts = {t: n for t, n in row_counts.items() if any(t == x.name for x in landing_selected)}
        state.setdefault("row_counts", {}).setdefault(state_key, {}).update(counts)
        state["updated_at"] = now.isoformat(timespec="seconds")
        _write_json(out / STATE_FILE, state)
    return outcome


def _connect(path: str, spill: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a memory limit that spills to a temporary directory."""
    config = {"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": spill}
    if read_only:
        return duckdb.connect(path, read_only=True, config=config)
    return duckdb.connect(path, config=config)


def _read_build_settings(warehouse: Path) -> dict[str, Any]:
    """The settings the build used that the gate applies too (quality.build_metadata):
    quarantine_max_share and yandex_direct_vat_rate. Empty for a warehouse built before
    they were recorded, or one that cannot be read (the caller reports that)."""
    columns = ("quarantine_max_share", "yandex_direct_vat_rate")
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute(
                f"select {', '.join(columns)} from quality.build_metadata limit 1"
            ).fetchone()
    except duckdb.Error:
        return {}
    return dict(zip(columns, row, strict=True)) if row else {}


def _read_run_metadata(
    warehouse: Path, spill: str, need_quarantine: bool
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The build's settings (quality.build_metadata) and the quarantined row ids."""
    meta: dict[str, Any] = {"reporting_currency": "USD", "reporting_timezone": "UTC"}
    quarantined = pd.DataFrame({"source_table": [], "landing_row_number": []})
    try:
        con = _connect(str(warehouse), spill, read_only=True)
    except duckdb.Error as exc:
        raise CheckInputError(f"cannot open warehouse {warehouse} read-only: {exc}") from exc
    try:
        try:
            cur = con.execute(
                "select reporting_currency, reporting_timezone, raw_dir "
                "from quality.build_metadata limit 1"
            )
            rows = cur.fetchall()
            if rows:
                meta.update(
                    {
                        k: v
                        for k, v in zip(
                            ("reporting_currency", "reporting_timezone", "raw_dir"),
                            rows[0],
                            strict=True,
                        )
                        if v
                    }
                )
        except duckdb.Error:
            pass
        if need_quarantine:
            with contextlib.suppress(duckdb.Error):
                quarantined = con.execute(
                    "select source_table, landing_row_number from quality.quarantine"
                ).df()
    finally:
        con.close()
    return meta, quarantined


def _raw_dir_note(build_raw_dir: str | None, raw_dir: Path) -> list[str]:
    """A note when the warehouse was built from another raw folder than the one checked."""
    if not build_raw_dir:
        return []
    built = Path(build_raw_dir)
    if not built.is_absolute():
        built = Path.cwd() / built
    if built.resolve() != raw_dir.resolve():
        return [
            f"the warehouse was built from raw_dir {build_raw_dir}, the check reads {raw_dir}: "
            "totals compared with the raw files will differ"
        ]
    return []


def _row_count_only(ctx: LandingContext, table: LandingTable) -> dict[str, int]:
    """The raw row count of a table whose suite is not selected (for the mart totals)."""
    files = delivered_files(ctx.raw_dir, table)
    if len(files) != 1:
        return {table.name: 0} if not files and table.optional else {}
    return {
        table.name: int(ctx.con.execute(f"select count(*) from {scan(files)}").fetchall()[0][0])
    }


def _run_mart_suite(
    runner: GxRunner,
    con: duckdb.DuckDBPyConnection,
    suite: SuiteSpec,
    sample_rows: int,
    timezone: str,
    staged_counts: str,
) -> list[ExpectationRecord]:
    """Compute and validate every frame of one mart suite."""
    records: list[ExpectationRecord] = []
    total_rows: int | None = None
    for frame in suite.frames:
        sql = frame_sql(frame, suite.table, sample_rows, timezone, staged_counts)
        try:
            df = con.execute(sql).df()
        except duckdb.Error as exc:
            records += _frame_error(runner, suite, frame, exc)
            if frame.name == "table":
                break  # the relation itself is missing or broken: nothing else to compute
            continue
        if frame.name == "table" and "row_count" in df.columns:
            total_rows = int(df["row_count"].iloc[0])
        if frame.scope == "sample":
            note = (
                f"{len(df)} of {total_rows} rows (reservoir sample, seed 42)"
                if total_rows is not None and len(df) < total_rows
                else f"all {len(df)} rows"
            )
        else:
            note = "whole table" if frame.name == "table" else "aggregate over the whole table"
        records += runner.validate(suite, frame, df, note)
    return records


def _frame_error(
    runner: GxRunner, suite: SuiteSpec, frame: FrameSpec, exc: Exception
) -> list[ExpectationRecord]:
    """A frame that could not be computed: a failing critical expectation carrying the error."""
    message = str(exc).strip().splitlines()[0][:300]
    error_frame = FrameSpec(
        name=frame.name,
        scope=frame.scope,
        expectations=[
            ExpectationSpec(
                type="column_values_to_be_null",
                kwargs={"column": "query_error"},
                severity="critical",
                description=f"the {frame.name} frame of {suite.table} can be computed",
                rule="query",
            )
        ],
    )
    df = pd.DataFrame({"query_error": [message], "query_error__examples": [[message]]})
    return runner.validate(suite, error_frame, df, "query failed")


def _read_state(path: Path) -> dict[str, Any]:
    """The state file, or an empty state."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (a temporary file renamed into place)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(tmp, path)


def _write_results(
    outcome: CheckOutcome, raw_dir: Path, warehouse: Path, sample_rows: int, now: datetime
) -> None:
    """Write check_results.json: the run, then per suite its expectations."""
    suites = []
    for suite in outcome.suites:
        records = [r for r in outcome.records if r.suite == suite.name]
        suites.append(
            {
                "suite": suite.name,
                "kind": suite.kind,
                "table": suite.table,
                "description": suite.description,
                "success": not any(not r.success and r.severity == "critical" for r in records),
                "expectations": [r.as_dict() for r in records],
            }
        )
    statistics = {
        "suites": len(outcome.suites),
        "expectations": len(outcome.records),
        "passed": sum(r.success for r in outcome.records),
        "critical": sum(r.severity == "critical" for r in outcome.records),
        "warning": sum(r.severity == "warning" for r in outcome.records),
        "critical_failed": len(outcome.critical_failures),
        "warning_failed": len(outcome.warning_failures),
    }
    outcome.summary = statistics
    _write_json(
        outcome.results_path,
        {
            "success": outcome.exit_code == 0,
            "run_at": now.isoformat(timespec="seconds") + "Z",
            "seconds": round(outcome.seconds, 1),
            "raw_dir": str(raw_dir),
            "warehouse": str(warehouse),
            "sample_rows": sample_rows,
            "data_docs": str(outcome.docs_index) if outcome.docs_index else None,
            "statistics": statistics,
            "notes": outcome.notes,
            "suites": suites,
        },
    )


def _short(value: Any, width: int) -> str:
    """A value as text, cut to `width` characters."""
    text = value if isinstance(value, str) else json.dumps(jsonable(value), ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_summary(outcome: CheckOutcome) -> str:
    """The readable summary: failed expectations as a table, then one line per suite."""
    s = outcome.summary
    lines = [
        f"fullfunnel check: {s['suites']} suites, {s['expectations']} expectations "
        f"({s['critical']} critical, {s['warning']} warning): {s['passed']} passed, "
        f"{s['critical_failed']} critical failed, {s['warning_failed']} warnings "
        f"[{outcome.seconds:.1f}s]"
    ]
    lines += [f"note: {n}" for n in outcome.notes]
    failed = outcome.critical_failures + outcome.warning_failures
    if failed:
        header = ("severity", "table", "column", "expectation", "observed", "failing examples")
        widths = (8, 34, 24, 44, 30, 60)
        rows = [
            (
                r.severity.upper(),
                r.table,
                r.column or "",
                r.description or r.expectation,
                r.exception or r.observed_value,
                r.failing_examples[:3],
            )
            for r in failed
        ]
        lines.append("")
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        lines.append("  ".join("-" * w for w in widths))
        for row in rows:
            cells = [_short(v, w).ljust(w) for v, w in zip(row, widths, strict=True)]
            lines.append("  ".join(cells).rstrip())
    lines.append("")
    for suite in outcome.suites:
        recs = [r for r in outcome.records if r.suite == suite.name]
        crit = sum(not r.success and r.severity == "critical" for r in recs)
        warn = sum(not r.success and r.severity == "warning" for r in recs)
        status = "FAIL" if crit else ("warn" if warn else "ok")
        passed = sum(r.success for r in recs)
        lines.append(
            f"  {status:<4}  {suite.name:<42} {passed:>4}/{len(recs):<4} passed"
            + (f"  {crit} critical failed" if crit else "")
            + (f"  {warn} warnings" if warn else "")
        )
    lines.append("")
    lines.append(f"results: {outcome.results_path}")
    if outcome.docs_index:
        lines.append(f"Data Docs: {outcome.docs_index}")
    lines.append(
        "FAILED: a critical expectation failed"
        if outcome.exit_code
        else "PASSED (no critical failure)"
    )
    return "\n".join(lines)

"""`fullfunnel check`: the quality gate, Great Expectations on the landing files and dbt's
tests of the build, one critical/warning verdict and Data Docs.

    fullfunnel check [--raw-dir DIR] [--warehouse PATH] [--dbt-target DIR] [--out DIR]
                     [--suite GLOB ...] [--no-docs]

What it adds to `dbt build`:

- **Landing suites** (`landing.<table>`, from contract/landing.yml and
  `scripts/fullfunnel/expectations/landing.yml`): the files as delivered, before or without
  a build: exactly one file, columns present, required values present, types parseable,
  non-negative amounts, closed lists, currencies known and covered by FX rates, keys unique,
  dates in range, and the row count within a band of the last passing run (row-count drift).
- **dbt's tests as suites** (`<schema>.<model>`, `tests.<area>`; `fullfunnel.quality.
  dbt_results`): what the build's tests found, read from dbt's `run_results.json`, one
  expectation per test. The gate computes none of it again.
- **One verdict**: every expectation is `critical` (a failure fails the run: exit 1) or
  `warning` (reported, exit 0); a dbt test of severity `warn` is a warning.
- **Data Docs** of the whole run, readable without a network.

Bounded cost: every landing rule is counted by DuckDB in two streaming scans of each raw file
(every column as text), with a memory limit and spilling to a temporary directory; Great
Expectations validates the one-row results.

Read-only: the warehouse is opened once, read-only and briefly (quality.build_metadata: the
build's invocation, currency and quarantine share), so the check never takes the write lock.

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

from fullfunnel.project import Project, default_warehouse
from fullfunnel.quality.dbt_results import (
    BuildIdentity,
    DbtResultsError,
    dbt_suites,
    read_dbt_tests,
)
from fullfunnel.quality.gx_runner import ExpectationRecord, GxRunner, jsonable
from fullfunnel.quality.landing import (
    LandingContext,
    build_landing_suite,
    load_landing,
    prepare_fx,
)
from fullfunnel.quality.spec import ExpectationSpec, FrameSpec, SuiteSpec

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
        help="the quality gate: Great Expectations on the landing files and dbt's test results",
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
        "--dbt-target",
        default=None,
        help="dbt's target folder with the build's run_results.json and manifest.json "
        "(default: the project's, $DBT_TARGET_PATH or target)",
    )
    parser.add_argument(
        "--out", default="data/quality", help="results folder (default: data/quality)"
    )
    parser.add_argument(
        "--suite",
        action="append",
        default=None,
        metavar="GLOB",
        help="run only the suites matching this pattern (e.g. 'landing.*', 'marts.fct_leads', "
        "'tests.*'); "
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
            suites=args.suite,
            docs=not args.no_docs,
            progress=lambda line: print(line, flush=True),
            dbt_target=Path(args.dbt_target) if args.dbt_target else None,
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
    suites: list[str] | None = None,
    docs: bool = True,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    dbt_target: Path | None = None,
) -> CheckOutcome:
    """Run every selected suite, write the results, Data Docs and state; return the outcome.
    `progress` gets a line as each suite ends (its expectations, how many failed, seconds).
    `dbt_target` is dbt's target folder with the build's test results (default: the
    project's).

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
    meta = _read_build_metadata(warehouse)
    if meta.get("quarantine_max_share") is not None:
        # the gate allows the share of breaking rows the build allowed (dbt var)
        settings = dataclasses.replace(settings, max_bad_share=float(meta["quarantine_max_share"]))

    def selected(name: str) -> bool:
        return not suites or any(fnmatch.fnmatchcase(name, p) for p in suites)

    landing_selected = [t for t in tables if selected(f"landing.{t.name}")]
    notes = _raw_dir_note(meta.get("raw_dir"), raw_dir)
    dbt_selected: list[tuple[SuiteSpec, Any, Any]] = []
    if not suites or any(not p.startswith("landing.") for p in suites):
        target = dbt_target or Project.find().target_dir
        build = BuildIdentity(meta.get("invocation_id"), meta.get("run_started_at"))
        try:
            tests, dbt_notes = read_dbt_tests(target, build)
        except DbtResultsError as exc:
            dbt_selected = [
                (SuiteSpec("dbt.results", "dbt", str(target), "dbt's results"), None, exc)
            ]
        else:
            notes += dbt_notes
            dbt_selected = [s for s in dbt_suites(tests) if selected(s[0].name)]
    total = len(landing_selected) + len(dbt_selected)
    runner = GxRunner(out / "data_docs" if docs else None)
    records: list[ExpectationRecord] = []
    done_suites: list[SuiteSpec] = []
    suite_started = time.monotonic()

    def suite_done(suite: SuiteSpec, suite_records: list[ExpectationRecord]) -> None:
        nonlocal suite_started
        records.extend(suite_records)
        done_suites.append(suite)
        if progress is not None:
            failed = [r for r in suite_records if not r.success]
            critical = sum(1 for r in failed if r.severity == "critical")
            progress(
                f"  [{len(done_suites)}/{total}] {suite.name}: {len(suite_records)} "
                f"expectations, {len(failed)} failed "
                f"({critical} critical) in {time.monotonic() - suite_started:.1f}s"
            )
        suite_started = time.monotonic()

    state = _read_state(out / STATE_FILE)
    state_key = str(raw_dir.resolve())
    previous = state.get("row_counts", {}).get(state_key, {})
    if landing_selected and not previous:
        notes.append(
            f"first run for {raw_dir}: no previous row counts, the row-count band applies "
            "from the next passing run"
        )
    row_counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="fullfunnel-check-") as spill:
        raw_con = duckdb.connect(
            ":memory:", config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": spill}
        )
        try:
            ctx = LandingContext(
                raw_dir=raw_dir,
                con=raw_con,
                settings=settings,
                reporting_currency=meta.get("reporting_currency") or "USD",
                previous_counts=previous,
                now=now,
            )
            prepare_fx(ctx, tables)
            for table in landing_selected:
                suite = SuiteSpec(
                    name=f"landing.{table.name}",
                    kind="landing",
                    table=table.file,
                    description=f"landing file {table.file} (contract/landing.yml)",
                )
                try:
                    suite, computed = build_landing_suite(ctx, table)
                except duckdb.Error as exc:  # e.g. a CSV DuckDB cannot read at all
                    suite_done(suite, _error_records(runner, suite, exc))
                    continue
                if "row_count" in computed.df.columns:
                    row_counts[table.name] = int(computed.df["row_count"].iloc[0])
                suite_done(suite, runner.validate(suite, computed.spec, computed.df, computed.note))
        finally:
            raw_con.close()

    for suite, frame, df in dbt_selected:
        if frame is None:
            suite_done(suite, _error_records(runner, suite, df))
        else:
            suite_done(suite, runner.validate(suite, frame, df, "dbt test results"))

    docs_index = runner.build_docs() if docs else None
    outcome = CheckOutcome(
        records=records,
        suites=done_suites,
        notes=notes,
        results_path=out / RESULTS_FILE,
        docs_index=docs_index,
        seconds=time.monotonic() - started,
    )
    _write_results(outcome, raw_dir, warehouse, now)
    if not outcome.critical_failures and row_counts:
        state.setdefault("row_counts", {}).setdefault(state_key, {}).update(row_counts)
        state["updated_at"] = now.isoformat(timespec="seconds")
        _write_json(out / STATE_FILE, state)
    return outcome


def _read_build_metadata(warehouse: Path) -> dict[str, Any]:
    """The build's row of quality.build_metadata (its invocation, its settings), read-only;
    empty when the warehouse has none (the dbt suites then report the missing build)."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            cursor = con.execute("select * from quality.build_metadata limit 1")
            row = cursor.fetchone()
            names = [d[0] for d in cursor.description]
    except duckdb.Error as exc:
        if "does not exist" in str(exc):
            return {}
        raise CheckInputError(f"cannot open warehouse {warehouse} read-only: {exc}") from exc
    return dict(zip(names, row, strict=True)) if row else {}


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
            "the landing suites and dbt's tests describe different files"
        ]
    return []


def _error_records(runner: GxRunner, suite: SuiteSpec, exc: Exception) -> list[ExpectationRecord]:
    """A suite that could not be computed: a failing critical expectation carrying the error
    (`error`, the first line of the message)."""
    message = str(exc).strip().splitlines()[0][:400]
    frame = FrameSpec(
        name="table",
        scope="full",
        expectations=[
            ExpectationSpec(
                type="column_values_to_be_null",
                kwargs={"column": "error"},
                severity="critical",
                description=f"{suite.table} can be read",
                rule="read",
            )
        ],
    )
    df = pd.DataFrame({"error": [message], "error__examples": [[message]]})
    return runner.validate(suite, frame, df, "could not be read")


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


def _write_results(outcome: CheckOutcome, raw_dir: Path, warehouse: Path, now: datetime) -> None:
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

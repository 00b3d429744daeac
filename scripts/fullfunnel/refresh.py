"""`fullfunnel refresh`: the scheduled job, one command: build, check, snapshot, publish.

Steps, in order, each printed with its command and how long it took:

1. `build`    `dbt build` on `--raw-dir` into `--warehouse` (`--full-refresh` and `--vars`
              passed on);
   `freshness` `dbt source freshness` (how old each landing file's newest row is, against
              the vars `source_freshness_warn_after_hours` / `_error_after_hours`; a stale
              source is named in a warning and in the snapshot's manifest, and the refresh
              goes on; a freshness query that fails stops it);
2. `check`    `fullfunnel check` (the data quality checkpoint; `--skip-check` leaves it out);
3. `snapshot` `fullfunnel snapshot` (the month's KPI snapshot and the one-page report;
              `--skip-snapshot` leaves it out);
4. `publish`  `fullfunnel publish` (the serving DuckDB file and the Parquet files BI reads);
5. `docs`     `dbt docs generate --static`, only with `--docs`: `target/static_index.html`,
              the docs site in one file that opens without a server (and `target/index.html`
              for `dbt docs serve`).

The first step that fails stops the run: one line on stderr names it, with its exit code, and
`refresh` exits 1. A step dies with the refresh (on Linux, SIGTERM when its parent is gone,
even after `kill -9`): no `dbt build` keeps the warehouse locked and no `publish` swaps files
for a refresh that no longer exists. Since `publish` runs only after a successful build,
check and snapshot, a failed build publishes nothing: the serving file and the Parquet files
stay as they were and BI tools keep showing the last good build.

Every step runs as its own process (dbt, or `python -m fullfunnel.cli <command>`), from the
project root (the folder with `dbt_project.yml`: `--project-dir`, else the current folder or
one above it, else the folder this package was installed from), with `DBT_PROFILES_DIR` set to
the project root when unset and `FULLFUNNEL_DUCKDB_PATH` set to `--warehouse`, so that each
step sees the same files. Paths given on the command line are relative to the current folder;
the defaults are relative to the project root.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fullfunnel.project import DEFAULT_WAREHOUSE, Project, ProjectError, default_warehouse
from fullfunnel.publish import DEFAULT_PARQUET_DIR, DEFAULT_SERVING

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_SNAPSHOT_OUT = "data/snapshots"


class RefreshError(Exception):
    """A refresh that cannot start; the message is meant for the user."""


@dataclass
class Step:
    """One step of the refresh: a name and the command that runs it."""

    name: str
    argv: list[str]
    requires_command: str | None = None  # the `fullfunnel` subcommand it needs, if any
    # writes files that hold personal data (the build warehouse): created owner-only
    private: bool = False
    # reads the exit code: (the exit code that counts, a line to print or None)
    judge: Callable[[int], tuple[int, str | None]] | None = None


@dataclass
class StepResult:
    """How one step ended."""

    name: str
    returncode: int
    seconds: float


@dataclass
class RefreshResult:
    """How the refresh ended: the steps run, and the one that failed (if any)."""

    steps: list[StepResult] = field(default_factory=list)
    failed: StepResult | None = None

    @property
    def ok(self) -> bool:
        """True when every step succeeded."""
        return self.failed is None


def available_commands() -> set[str]:
    """The `fullfunnel` subcommands this installation has (each module registers its own)."""
    from fullfunnel import COMMAND_MODULES

    found = {n for n in COMMAND_MODULES if importlib.util.find_spec(f"fullfunnel.{n}")}
    return {"generate", *found}


def _resolve(arg: str | None, default: str, root: Path) -> Path:
    """A path given on the command line (relative to the cwd) or a default (relative to root),
    made absolute without following symbolic links: `--parquet-dir` is a link that publish
    swaps, and following it would make publish version the folder it points to."""
    return Path(os.path.abspath(arg if arg else root / default))


def plan_steps(args: argparse.Namespace, root: Path) -> tuple[list[Step], dict[str, str]]:
    """The steps `args` ask for, and the environment they run in."""
    raw_dir = _resolve(args.raw_dir, DEFAULT_RAW_DIR, root)
    warehouse = _resolve(args.warehouse, default_warehouse(), root)
    serving = _resolve(args.serving, DEFAULT_SERVING, root)
    parquet_dir = _resolve(args.parquet_dir, DEFAULT_PARQUET_DIR, root)
    snapshot_out = _resolve(args.snapshot_out, DEFAULT_SNAPSHOT_OUT, root)
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(root))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env["FULLFUNNEL_DUCKDB_PATH"] = str(warehouse)
    env["PYTHONUNBUFFERED"] = "1"

    dbt = Project.dbt_executable()
    dbt_vars = json.dumps({**parse_dbt_vars(getattr(args, "vars", "")), "raw_dir": str(raw_dir)})
    fullfunnel = [sys.executable, "-m", "fullfunnel.cli"]

    steps = [
        Step(
            "build",
            [dbt, "build", "--vars", dbt_vars, *(["--full-refresh"] if args.full_refresh else [])],
            private=True,
        )
    ]
    # dbt writes sources.json into its target path (a custom --output path is deprecated)
    freshness_json = root / env.get("DBT_TARGET_PATH", "target") / "sources.json"
    steps.append(
        Step(
            "freshness",
            [dbt, "source", "freshness", "--vars", dbt_vars],
            judge=judge_freshness(freshness_json),
        )
    )
    if not args.skip_check:
        check = [*fullfunnel, "check", "--raw-dir", str(raw_dir), "--warehouse", str(warehouse)]
        if args.check_out:
            check += ["--out", str(Path(args.check_out).resolve())]
        steps.append(Step("check", check, requires_command="check"))
    if not args.skip_snapshot:
        snapshot = [
            *fullfunnel,
            "snapshot",
            "--warehouse",
            str(warehouse),
            "--out",
            str(snapshot_out),
        ]
        if args.month:
            snapshot += ["--month", args.month]
        if args.no_report:
            snapshot.append("--no-report")
        snapshot += ["--source-freshness", str(freshness_json)]
        steps.append(Step("snapshot", snapshot, requires_command="snapshot"))
    steps.append(
        Step(
            "publish",
            [
                *fullfunnel,
                "publish",
                "--warehouse",
                str(warehouse),
                "--serving",
                str(serving),
                "--parquet-dir",
                str(parquet_dir),
            ],
            requires_command="publish",
        )
    )
    if args.docs:
        steps.append(Step("docs", [dbt, "docs", "generate", "--static", "--vars", dbt_vars]))
    return steps, env


def _step_setup(private: bool) -> Callable[[], None]:
    """A function for `preexec_fn`: a private step gets umask 077 (its new files are readable
    by the owner only); on Linux every step receives SIGTERM when the refresh process dies
    (even by `kill -9`), so that no step, a `dbt build` holding the warehouse or a `publish`
    about to swap files, outlives the refresh that started it."""
    import ctypes
    import signal

    parent = os.getpid()
    linux = sys.platform.startswith("linux")

    def setup() -> None:
        if private:
            os.umask(0o077)
        if linux:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the refresh died before the line above
                os._exit(143)

    return setup


def judge_freshness(path: Path) -> Callable[[int], tuple[int, str | None]]:
    """`dbt source freshness` exits 1 when a source is stale (status `error`), and also when a
    freshness query failed (`runtime error`). Stale data still builds right numbers, only
    old ones: the refresh goes on and names the stale sources (the snapshot's manifest
    records them); a failed query, or no results file, stops it."""

    def judge(returncode: int) -> tuple[int, str | None]:
        try:
            results = json.loads(path.read_text())["results"]
        except (OSError, ValueError, KeyError):
            return (returncode or 1), f"    no freshness results in {path}"
        failed = [r["unique_id"] for r in results if r.get("status") == "runtime error"]
        if failed:
            return (returncode or 1), "    freshness could not be measured: " + ", ".join(failed)
        stale = [
            f"{r['unique_id'].split('.', 2)[-1]} ({r['status']}, newest row "
            f"{r.get('max_loaded_at_time_ago_in_s', 0) / 3600:.0f} h old)"
            for r in results
            if r.get("status") in ("warn", "error")
        ]
        if not stale:
            return 0, None
        return 0, "    WARNING: stale sources: " + "; ".join(stale)

    return judge


def run_steps(
    steps: list[Step],
    env: dict[str, str],
    cwd: Path,
    *,
    log: Callable[[str], None] = print,
    commands: set[str] | None = None,
) -> RefreshResult:
    """Run `steps` in order, stopping at the first that fails (or whose command is missing)."""
    result = RefreshResult()
    commands = available_commands() if commands is None else commands
    for number, step in enumerate(steps, start=1):
        log(f"==> [{number}/{len(steps)}] {step.name}: {shlex.join(step.argv)}")
        started = time.perf_counter()
        if step.requires_command and step.requires_command not in commands:
            log(f"    `fullfunnel {step.requires_command}` is not installed in this package")
            returncode = 127
        else:
            sys.stdout.flush()
            returncode = subprocess.run(
                step.argv, cwd=cwd, env=env, check=False, preexec_fn=_step_setup(step.private)
            ).returncode
        if step.judge is not None:
            returncode, note = step.judge(returncode)
            if note:
                log(note)
        outcome = StepResult(step.name, returncode, time.perf_counter() - started)
        result.steps.append(outcome)
        status = "ok" if returncode == 0 else f"FAILED (exit {returncode})"
        log(f"<== {step.name} {status} in {outcome.seconds:.1f}s")
        if returncode != 0:
            result.failed = outcome
            break
    return result


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `refresh` subcommand to the `fullfunnel` parser."""
    parser = subparsers.add_parser(
        "refresh",
        help="dbt build, check, snapshot and publish in one go (the scheduled job)",
        description=(__doc__ or "").split("\n\n")[0],
    )
    parser.add_argument("--raw-dir", help=f"landing files (default: {DEFAULT_RAW_DIR})")
    parser.add_argument(
        "--warehouse",
        help=f"build warehouse (default: $FULLFUNNEL_DUCKDB_PATH or {DEFAULT_WAREHOUSE})",
    )
    parser.add_argument("--serving", help=f"serving DuckDB file (default: {DEFAULT_SERVING})")
    parser.add_argument(
        "--parquet-dir", help=f"link to the current Parquet set (default: {DEFAULT_PARQUET_DIR})"
    )
    parser.add_argument(
        "--snapshot-out", help=f"snapshot root folder (default: {DEFAULT_SNAPSHOT_OUT})"
    )
    parser.add_argument("--month", help="snapshot month YYYY-MM (default: latest complete)")
    parser.add_argument("--no-report", action="store_true", help="snapshot without the report")
    parser.add_argument("--check-out", help="folder for the check results (check's default)")
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models from scratch"
    )
    parser.add_argument("--skip-check", action="store_true", help="leave out `fullfunnel check`")
    parser.add_argument(
        "--skip-snapshot", action="store_true", help="leave out `fullfunnel snapshot`"
    )
    parser.add_argument(
        "--docs", action="store_true", help="run `dbt docs generate --static` after publishing"
    )
    parser.add_argument(
        "--vars",
        default="",
        help="dbt vars for the build, a YAML mapping as for `dbt --vars` "
        "(e.g. '{as_of_date: 2026-06-30, reporting_currency: EUR}'); `raw_dir` comes from "
        "--raw-dir. check and snapshot read what the build used from quality.build_metadata",
    )
    parser.add_argument("--project-dir", help="the dbt project root (default: found)")
    parser.set_defaults(func=run_command)


def parse_dbt_vars(text: str) -> dict[str, object]:
    """`--vars` as a mapping (YAML, as dbt reads it); dates stay text, as dbt passes them."""
    if not text.strip():
        return {}
    try:
        value = yaml.load(text, Loader=_TextDatesLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RefreshError(f"--vars is not a YAML mapping: {exc}") from exc
    if not isinstance(value, dict):
        raise RefreshError(
            f"--vars must be a mapping such as '{{as_of_date: 2026-06-30}}', got {text!r}"
        )
    if "raw_dir" in value:
        raise RefreshError("--vars: give the landing folder with --raw-dir, not raw_dir")
    return value


class _TextDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves `2026-06-30` as text (JSON has no dates)."""


_TextDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def run_command(args: argparse.Namespace) -> int:
    """Entry point of `fullfunnel refresh`: exit 0 when every step succeeded, else 1."""
    started = time.perf_counter()
    try:
        root = Project.find(Path(args.project_dir) if args.project_dir else None).root
        steps, env = plan_steps(args, root)
    except (RefreshError, ProjectError, OSError) as exc:
        print(f"fullfunnel refresh: {exc}", file=sys.stderr)
        return 1
    result = run_steps(steps, env, root)
    timings = ", ".join(f"{s.name} {s.seconds:.1f}s" for s in result.steps)
    total = time.perf_counter() - started
    if result.failed is None:
        print(f"refresh done in {total:.1f}s ({timings})")
        return 0
    names = [s.name for s in steps]
    published = "publish" in names and names.index(result.failed.name) > names.index("publish")
    consequence = (
        "the serving files were published before it"
        if published
        else "nothing was published: the serving files are as they were"
    )
    sys.stdout.flush()
    print(
        f"fullfunnel refresh: FAILED at step '{result.failed.name}' "
        f"(exit {result.failed.returncode}) after {total:.1f}s ({timings}); {consequence}",
        file=sys.stderr,
    )
    return 1

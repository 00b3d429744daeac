"""`fullfunnel bench`: how long the warehouse takes to build, and how much memory, per scale.

For every scale of `--scales` the demo data is generated once into `--cache-dir`
(`<cache-dir>/scale-<S>/raw`, reused while its marker file `bench-marker.json` records the
same seed, scale and generator version), then each step below runs `--repeats` times, each
time as a whole child process, and the median is reported:

1. `full`        `dbt build --full-refresh` (seeds, models, unit and data tests) into a fresh
                 warehouse file;
2. `floor`       the compiled-SQL floor: the same models' compiled SQL (from the first full
                 build's `manifest.json` + `run_results.json`), run in dependency order in ONE
                 DuckDB connection in one Python process, `create or replace table|view
                 <relation> as <compiled sql>` per materialization (incremental -> table,
                 ephemeral models are inlined by dbt already). Before timing, `dbt seed` on the
                 floor's warehouse file runs the `on-run-start` hook (the `landing` views,
                 exactly as the build registers them) and loads the seeds; each repeat starts
                 from a copy of that seeded file. The floor excludes: seeds, the landing views,
                 tests and unit tests, contract enforcement (`create table` + typed insert),
                 `persist_docs` comments, post-hooks (the quarantine log line), dbt's parse,
                 compile, adapter and artifact work;
3. `incremental` `dbt build` (no `--full-refresh`, tests included) on a copy of the warehouse
                 from (1), after one new day of data: the cached raw set is copied and, for
                 each append-only table (sessions, the three ad files, activities, leads,
                 invoices), the rows of that file's last day are appended again with every
                 occurrence of that day's date shifted by +1 day and, where the file has a
                 single id key, a new id (`<id>-n1`);
4. `check`       `fullfunnel check` on the warehouse from (1) (fresh `--out` each repeat);
5. `snapshot`    `fullfunnel snapshot --no-report` on it.

Time is wall-clock time of the child process. Peak memory is reported two ways:
`peak_rss_mb` is `ru_maxrss` from `os.wait4` on the child, the kernel's high-water mark of
resident memory of the child or of any single descendant it waited for (the max of any one
process, not the sum of the tree); `peak_tree_rss_mb` is the largest sum of the resident
memory of the child and all its descendants, polled from /proc every 0.1 s (it can miss
short peaks). The table shows `peak_rss_mb` (dbt and DuckDB run in one process, so the two
agree to within the polling error). Linux carries the high-water mark of the pre-exec memory
over `exec`, so `ru_maxrss` never reads below the launching process's own peak: this process
stays small (data generation and the new-day append run in child processes of their own).

Results: `<out>/bench.json` and `<out>/bench.md` (median time and peak memory per step,
the ratios full build / floor and incremental / full, and the scaling exponent of the full
build between consecutive scales, log(t_b / t_a) / log(b / a); from 10 to 100 when both ran).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from fullfunnel.project import Project

STEPS: tuple[str, ...] = ("full", "floor", "incremental", "check", "snapshot")
MARKER = "bench-marker.json"
# the append-only landing tables that get a new day: file -> (dating column, id column or None)
NEW_DAY_TABLES: dict[str, tuple[str, str | None]] = {
    "web/sessions": ("started_at", "session_id"),
    "ads/google_ads__campaign_stats": ("date", None),
    "ads/meta_ads__ads_insights": ("date_start", None),
    "ads/yandex_direct__campaign_report": ("Date", None),
    "crm/activities": ("started_at", "activity_id"),
    "crm/leads": ("created_at", "lead_id"),
    "billing/invoices": ("issued_at", "invoice_id"),
}
DBT_QUIET_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DBT_USE_COLORS": "false",
}


@dataclass
class Measurement:
    """One child process: how long it ran, how much memory it took, how it ended."""

    seconds: float
    peak_rss_mb: float
    peak_tree_rss_mb: float
    returncode: int
    # user + system CPU time of the process and its waited-for children: on a shared or noisy
    # machine it moves far less than wall time, so the ratios are also given on it
    cpu_seconds: float = math.nan
    # the 1-minute load average when the process started (other work on the machine)
    load_at_start: float = math.nan


@dataclass
class StepSummary:
    """The repeats of one step and their medians."""

    runs: list[Measurement] = field(default_factory=list)

    def median(self, attr: str) -> float:
        """Median of one attribute over the repeats (NaN when nothing ran)."""
        values = [getattr(r, attr) for r in self.runs]
        return float(statistics.median(values)) if values else math.nan

    def to_json(self) -> dict:
        """The step as JSON: medians first, then every repeat."""
        return {
            "median_seconds": self.median("seconds"),
            "median_cpu_seconds": self.median("cpu_seconds"),
            "median_peak_rss_mb": self.median("peak_rss_mb"),
            "median_peak_tree_rss_mb": self.median("peak_tree_rss_mb"),
            "all_ok": all(r.returncode == 0 for r in self.runs),
            "runs": [asdict(r) for r in self.runs],
        }


# --------------------------------------------------------------------------- measuring


def _tree_rss_bytes(root: int) -> int:
    """Sum of the resident memory of `root` and its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the ppid is the 2nd field after the parenthesised command name
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(pid, []))
    return total


def measure(argv: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path) -> Measurement:
    """Run `argv` as a child process (output to `log`) and measure time and peak memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak_tree = 0
    done = threading.Event()
    with open(log, "wb") as out:
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)

        def poll() -> None:
            nonlocal peak_tree
            while not done.is_set():
                with contextlib.suppress(OSError):
                    peak_tree = max(peak_tree, _tree_rss_bytes(proc.pid))
                done.wait(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux
    return Measurement(
        seconds=round(seconds, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        peak_tree_rss_mb=round(peak_tree / 2**20, 1),
        returncode=proc.returncode,
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        load_at_start=round(load, 2),
    )


# --------------------------------------------------------------------------- data


def generator_version() -> str:
    """The package version plus a hash of the generator's source: a new generator, new data."""
    from fullfunnel import __version__, generate

    sha = hashlib.sha256()
    for source in sorted(Path(generate.__file__).parent.glob("*.py")):
        sha.update(source.name.encode() + b"\0" + source.read_bytes())
    digest = sha.hexdigest()[:12]
    return f"{__version__}+{digest}"


def scale_label(scale: float) -> str:
    """`1`, `10`, `0.02`: the scale as written in folder names and tables."""
    return f"{scale:g}"


def cached_raw_dir(
    cache_dir: Path, seed: int, scale: float, progress: Callable[[str], None]
) -> Path:
    """The raw set of (seed, scale) under `cache_dir`, generated unless its marker matches."""
    base = cache_dir / f"scale-{scale_label(scale)}"
    raw, marker = base / "raw", base / MARKER
    wanted = {"seed": seed, "scale": scale, "generator": generator_version()}
    if marker.exists() and raw.is_dir():
        try:
            if json.loads(marker.read_text()) == wanted:
                progress(f"  data: reusing {raw}")
                return raw
        except ValueError:
            pass
    progress(f"  data: generating seed {seed} scale {scale_label(scale)} into {raw}")
    marker.unlink(missing_ok=True)
    if raw.exists():
        shutil.rmtree(raw)
    t0 = time.perf_counter()
    # in a child process, to keep this process small (see `measure`)
    argv = [sys.executable, "-m", "fullfunnel.cli", "generate", "--out", str(raw)]
    argv += ["--seed", str(seed), "--scale", repr(scale)]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    marker.write_text(json.dumps(wanted, indent=2) + "\n")
    progress(f"  data: generated in {time.perf_counter() - t0:.1f}s")
    return raw


def _landing_file(raw: Path, stem: str) -> Path | None:
    for ext in (".csv", ".parquet"):
        if (raw / f"{stem}{ext}").exists():
            return raw / f"{stem}{ext}"
    return None


def add_new_day(raw: Path, out: Path) -> dict[str, int]:
    """Copy `raw` to `out` and append one new day to each append-only table (see module doc).

    Returns the rows appended per file."""
    import duckdb

    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(raw, out)
    appended: dict[str, int] = {}
    con = duckdb.connect()
    for stem, (day_col, id_col) in NEW_DAY_TABLES.items():
        path = _landing_file(out, stem)
        if path is None or path.suffix != ".csv":
            continue
        scan = f"read_csv('{path}', header = true, all_varchar = true, sample_size = -1)"
        columns = [d[0] for d in con.execute(f"select * from {scan} limit 0").description]
        last = con.execute(
            f'select max(left(trim("{day_col}"), 10)) from {scan} '
            f"where regexp_matches(trim(\"{day_col}\"), '^\\d{{4}}-\\d{{2}}-\\d{{2}}')"
        ).fetchone()
        if not last or last[0] is None:
            continue
        old = last[0]
        new = (date.fromisoformat(old) + timedelta(days=1)).isoformat()
        exprs = []
        for c in columns:
            if c == id_col:
                exprs.append(f'"{c}" || \'-n1\' as "{c}"')
            else:
                exprs.append(f"replace(\"{c}\", '{old}', '{new}') as \"{c}\"")
        extra = path.with_suffix(".newday.csv")
        query = (
            f"select {', '.join(exprs)} from {scan} where left(trim(\"{day_col}\"), 10) = '{old}'"
        )
        con.execute(f"copy ({query}) to '{extra}' (header false, delimiter ',')")
        appended[stem] = con.execute(f"select count(*) from ({query})").fetchone()[0]
        data = path.read_bytes()
        with open(path, "ab") as fh:
            if data and not data.endswith(b"\n"):
                fh.write(b"\n")
            fh.write(extra.read_bytes())
        extra.unlink()
    con.close()
    return appended


# --------------------------------------------------------------------------- the floor


def floor_plan(target: Path) -> list[str]:
    """The floor's statements from a dbt target folder: schemas, then every model's compiled
    SQL as `create or replace table|view`, in dependency order."""
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    compiled = {r["unique_id"]: r.get("compiled_code") for r in results}
    executed = [r["unique_id"] for r in results]
    nodes = manifest["nodes"]
    models = {
        uid: nodes[uid]
        for uid in executed
        if uid in nodes
        and nodes[uid]["resource_type"] == "model"
        and nodes[uid]["config"]["materialized"] != "ephemeral"
    }
    # topological order, ties broken by the order dbt finished them in
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for dep in models[uid]["depends_on"]["nodes"]:
            if dep in models:
                visit(dep)
        order.append(uid)

    for uid in models:
        visit(uid)
    statements = [
        f'create schema if not exists "{s}"' for s in sorted({models[u]["schema"] for u in order})
    ]
    for uid in order:
        node = models[uid]
        sql = compiled.get(uid) or node.get("compiled_code")
        if not sql:
            raise RuntimeError(f"no compiled SQL for {uid} in {target}")
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        statements.append(f"create or replace {kind} {node['relation_name']} as (\n{sql}\n)")
    return statements


def profile_settings(project: Path) -> tuple[dict[str, object], dict[str, object]]:
    """The DuckDB options of the project's dbt profile (target dev), rendered as dbt renders
    them (`env_var` with its default): (`config_options`, set when the database is opened;
    `settings`, set on the connection), so that the floor runs with the build's settings."""
    import jinja2
    import yaml

    def env_var(name: str, default: str | None = None) -> str:
        value = os.environ.get(name, default)
        if value is None:
            raise KeyError(f"env var {name} is not set and has no default in profiles.yml")
        return value

    text = (project / "profiles.yml").read_text(encoding="utf-8")
    profile = yaml.safe_load(text)["fullfunnel"]["outputs"]["dev"]

    def rendered(section: str) -> dict[str, object]:
        return {
            key: jinja2.Template(value).render(env_var=env_var) if isinstance(value, str) else value
            for key, value in (profile.get(section) or {}).items()
        }

    return rendered("config_options"), rendered("settings")


def run_floor(plan: Path, database: Path) -> int:
    """Run a floor plan (a JSON list of statements) in one DuckDB connection with the
    profile's DuckDB settings."""
    import duckdb

    statements = json.loads(plan.read_text())
    config_options, settings = profile_settings(Project.find().root)
    with duckdb.connect(str(database), config=config_options) as con:
        for name, value in settings.items():  # as dbt-duckdb does, on the connection
            con.execute(f"set {name} = ?", [value])
        for sql in statements:
            con.execute(sql)
    return 0


# --------------------------------------------------------------------------- the bench


@dataclass
class Context:
    """Paths and commands shared by the steps of one scale."""

    project: Path
    work: Path
    raw: Path
    dbt: str

    def env(self, warehouse: Path) -> dict[str, str]:
        """The environment of a child: the project's profile on `warehouse`."""
        return dict(
            os.environ,
            DBT_PROFILES_DIR=os.environ.get("DBT_PROFILES_DIR", str(self.project)),
            FULLFUNNEL_DUCKDB_PATH=str(warehouse),
            **DBT_QUIET_ENV,
        )

    def dbt_argv(self, args: list[str], raw: Path, target: Path) -> list[str]:
        """`dbt <args>` on `raw`, with its own target and log folders."""
        return [
            self.dbt,
            *args,
            "--vars",
            json.dumps({"raw_dir": str(raw)}),
            "--target-path",
            str(target / "target"),
            "--log-path",
            str(target / "logs"),
        ]


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _report(progress: Callable[[str], None], step: str, i: int, m: Measurement, log: Path) -> None:
    flag = "" if m.returncode == 0 else f"  EXIT {m.returncode} (see {log})"
    progress(
        f"  {step:<11} #{i + 1}: {m.seconds:8.2f}s  peak {m.peak_rss_mb:8.1f} MB "
        f"(tree {m.peak_tree_rss_mb:.1f} MB){flag}"
    )


def node_time_share(target: Path, name_part: str) -> dict[str, float]:
    """The nodes (models and tests) whose name holds `name_part`: their summed execution time
    in a build's run_results.json, and its share of all nodes' summed time."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    total = sum(r["execution_time"] for r in results)
    part = sum(r["execution_time"] for r in results if name_part in r["unique_id"].split(".")[2])
    return {"seconds": round(part, 3), "share": round(part / total, 4) if total else math.nan}


def bench_scale(ctx: Context, repeats: int, progress: Callable[[str], None]) -> dict:
    """Measure the five steps on one scale; returns its JSON record."""
    steps = {name: StepSummary() for name in STEPS}
    py = sys.executable

    # (1) full builds, each into a fresh warehouse; the last one is kept for the others
    full_dir = ctx.work / "full"
    for i in range(repeats):
        run_dir = _fresh(full_dir / f"run{i}")
        warehouse = run_dir / "warehouse.duckdb"
        log = run_dir / "dbt.log"
        argv = ctx.dbt_argv(["build", "--full-refresh"], ctx.raw, run_dir)
        m = measure(argv, cwd=ctx.project, env=ctx.env(warehouse), log=log)
        steps["full"].runs.append(m)
        _report(progress, "full", i, m, log)
        if m.returncode != 0 and i == 0:
            raise RuntimeError(f"dbt build --full-refresh failed; see {log}")
        if i > 0:  # keep run0 (its target folder feeds the floor) and the warehouse
            shutil.rmtree(run_dir)
    built_dir = full_dir / "run0"
    built = built_dir / "warehouse.duckdb"
    markov = node_time_share(built_dir / "target", "markov")
    progress(f"  markov nodes: {markov['seconds']:.1f} s, {markov['share']:.1%} of node time")

    # (2) the floor: seeded warehouse (landing views + seeds) prepared untimed, then the plan
    floor_dir = _fresh(ctx.work / "floor")
    seeded = floor_dir / "seeded" / "warehouse.duckdb"  # same file stem as the build's
    seeded.parent.mkdir()
    seed_log = floor_dir / "dbt_seed.log"
    prep = measure(
        ctx.dbt_argv(["seed"], ctx.raw, floor_dir / "seeded"),
        cwd=ctx.project,
        env=ctx.env(seeded),
        log=seed_log,
    )
    if prep.returncode != 0:
        raise RuntimeError(f"dbt seed for the floor failed; see {seed_log}")
    plan = floor_dir / "plan.json"
    plan.write_text(json.dumps(floor_plan(built_dir / "target"), indent=1))
    for i in range(repeats):
        run_dir = _fresh(floor_dir / f"run{i}")
        database = run_dir / "warehouse.duckdb"
        shutil.copy2(seeded, database)
        argv = [py, "-m", "fullfunnel.bench", "--floor-plan", str(plan), str(database)]
        log = run_dir / "floor.log"
        m = measure(argv, cwd=ctx.project, env=ctx.env(database), log=log)
        steps["floor"].runs.append(m)
        _report(progress, "floor", i, m, log)
        shutil.rmtree(run_dir)

    # (3) incremental: one new day on a copy of the raw set, dbt build on a copy of (1)
    new_raw = ctx.work / "raw_plus_one_day"
    # in a child process, to keep this process small (see `measure`)
    appended = json.loads(
        subprocess.run(
            [py, "-m", "fullfunnel.bench", "--new-day", str(ctx.raw), str(new_raw)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    progress(f"  new day: {sum(appended.values()):,} rows appended to {len(appended)} files")
    for i in range(repeats):
        run_dir = _fresh(ctx.work / "incremental" / f"run{i}")
        warehouse = run_dir / "warehouse.duckdb"
        shutil.copy2(built, warehouse)
        log = run_dir / "dbt.log"
        argv = ctx.dbt_argv(["build"], new_raw, run_dir)
        m = measure(argv, cwd=ctx.project, env=ctx.env(warehouse), log=log)
        steps["incremental"].runs.append(m)
        _report(progress, "incremental", i, m, log)
        if m.returncode == 0:
            shutil.rmtree(run_dir)
    shutil.rmtree(new_raw)

    # (4) check and (5) snapshot on the warehouse from (1)
    for name, args in (
        (
            "check",
            [
                *("check", "--raw-dir", str(ctx.raw), "--warehouse", str(built)),
                *("--dbt-target", str(built_dir / "target")),
            ],
        ),
        ("snapshot", ["snapshot", "--warehouse", str(built), "--no-report"]),
    ):
        for i in range(repeats):
            run_dir = _fresh(ctx.work / name / f"run{i}")
            log = run_dir / f"{name}.log"
            argv = [py, "-m", "fullfunnel.cli", *args, "--out", str(run_dir / "out")]
            m = measure(argv, cwd=ctx.project, env=ctx.env(built), log=log)
            steps[name].runs.append(m)
            _report(progress, name, i, m, log)

    def ratio(numerator: str, denominator: str, attr: str) -> float:
        return round(steps[numerator].median(attr) / steps[denominator].median(attr), 3)

    return {
        "steps": {name: s.to_json() for name, s in steps.items()},
        "new_day_rows": appended,
        "markov_node_time": markov,
        "ratio_full_over_floor": ratio("full", "floor", "seconds"),
        "ratio_incremental_over_full": ratio("incremental", "full", "seconds"),
        "ratio_full_over_floor_cpu": ratio("full", "floor", "cpu_seconds"),
        "ratio_incremental_over_full_cpu": ratio("incremental", "full", "cpu_seconds"),
    }


def scaling_exponents(scales: dict[str, dict], measure: str = "seconds") -> dict[str, float]:
    """log(t_b / t_a) / log(b / a) of the full build's median time (`seconds`, wall, or
    `cpu_seconds`), for consecutive scales."""
    ordered = sorted(scales.items(), key=lambda kv: float(kv[0]))
    out: dict[str, float] = {}
    for (a, ra), (b, rb) in itertools.pairwise(ordered):
        ta = ra["steps"]["full"].get(f"median_{measure}", math.nan)
        tb = rb["steps"]["full"].get(f"median_{measure}", math.nan)
        out[f"{a}->{b}"] = round(math.log(tb / ta) / math.log(float(b) / float(a)), 3)
    return out


def markdown(result: dict) -> str:
    """The Markdown table of a bench result."""
    head = ["scale"] + [f"{s} s / MB" for s in STEPS] + ["full / floor", "incr / full"]
    lines = [
        "# fullfunnel bench",
        "",
        f"seed {result['seed']}, {result['repeats']} repeat(s), median wall time (s) / "
        f"peak RSS (MB, ru_maxrss: largest single process); host {result['host']['cpus']} "
        f"CPUs, Python {result['host']['python']}.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---:" for _ in head) + "|",
    ]
    for label, rec in result["scales"].items():
        cells = [label]
        for s in STEPS:
            st = rec["steps"][s]
            mark = "" if st["all_ok"] else " (!)"
            cells.append(f"{st['median_seconds']:.1f} / {st['median_peak_rss_mb']:.0f}{mark}")
        cells += [
            f"{rec['ratio_full_over_floor']:.2f}",
            f"{rec['ratio_incremental_over_full']:.2f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    cpu_head = ["scale"] + [f"{s} CPU s" for s in STEPS] + ["full / floor", "incr / full"]
    lines += [
        "",
        "CPU time (user + system of the process and its children, median), which a busy "
        "machine disturbs far less than wall time; the load average when each repeat started "
        "is in bench.json:",
        "",
        "| " + " | ".join(cpu_head) + " |",
        "|" + "|".join("---:" for _ in cpu_head) + "|",
    ]
    for label, rec in result["scales"].items():
        cells = [label]
        cells += [f"{rec['steps'][s].get('median_cpu_seconds', math.nan):.1f}" for s in STEPS]
        cells += [
            f"{rec.get('ratio_full_over_floor_cpu', math.nan):.2f}",
            f"{rec.get('ratio_incremental_over_full_cpu', math.nan):.2f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for label, rec in result["scales"].items():
        markov = rec.get("markov_node_time")
        if markov:
            lines.append(
                f"Scale {label}: the Markov attribution nodes (models and tests named *markov*) "
                f"take {markov['seconds']:.1f} s, {markov['share']:.1%} of the full build's "
                "summed node time."
            )
    lines.append("")
    for key, what in (("", "wall"), ("_cpu", "CPU")):
        exps = result.get(f"scaling_exponents{key}") or {}
        if exps:
            lines.append(
                f"Scaling exponent of the full build ({what} time), log(t_b/t_a)/log(b/a): "
                + ", ".join(f"{k}: {v:.2f}" for k, v in exps.items())
                + "."
            )
        if result.get(f"full_build_exponent_10_100{key}") is not None:
            lines.append(
                f"From scale 10 to 100 ({what}): {result[f'full_build_exponent_10_100{key}']:.2f}."
            )
    lines += [
        "",
        "(!) = at least one repeat exited non-zero (see bench.json and the logs).",
        "full: dbt build --full-refresh (seeds, models, tests); floor: the models' compiled "
        "SQL in one DuckDB connection (no tests, seeds, contracts, hooks); incremental: dbt "
        "build after one new day; check: fullfunnel check; snapshot: fullfunnel snapshot "
        "--no-report.",
        "",
    ]
    return "\n".join(lines)


def bench(
    scales: Sequence[float],
    repeats: int,
    cache_dir: Path,
    out: Path,
    seed: int,
    progress: Callable[[str], None] = print,
) -> dict:
    """Run the bench over `scales`; writes `<out>/bench.json` and `<out>/bench.md`."""
    project = Project.find().root
    cache_dir, out = cache_dir.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "seed": seed,
        "repeats": repeats,
        "generator": generator_version(),
        "host": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "memory_measure": "peak_rss_mb: os.wait4 ru_maxrss (largest single process of the "
        "tree); peak_tree_rss_mb: /proc tree sum polled every 0.1 s",
        "scales": {},
    }
    for scale in scales:
        label = scale_label(scale)
        progress(f"==> scale {label}")
        raw = cached_raw_dir(cache_dir, seed, scale, progress)
        ctx = Context(project, cache_dir / "work" / f"scale-{label}", raw, Project.dbt_executable())
        result["scales"][label] = bench_scale(ctx, repeats, progress)
        result["scaling_exponents"] = scaling_exponents(result["scales"])
        result["scaling_exponents_cpu"] = scaling_exponents(result["scales"], "cpu_seconds")
        s = result["scales"]
        for key, measure in (("", "seconds"), ("_cpu", "cpu_seconds")):
            exponent = None
            if "10" in s and "100" in s:
                t10 = s["10"]["steps"]["full"][f"median_{measure}"]
                t100 = s["100"]["steps"]["full"][f"median_{measure}"]
                exponent = round(math.log(t100 / t10) / math.log(10), 3)
            result[f"full_build_exponent_10_100{key}"] = exponent
        # written after every scale, so a long run leaves what it has measured
        (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "bench.md").write_text(markdown(result))
        shutil.rmtree(ctx.work, ignore_errors=True)
    progress(f"==> wrote {out / 'bench.json'} and {out / 'bench.md'}")
    return result


def run_command(args: argparse.Namespace) -> int:
    """Entry point of `fullfunnel bench`."""
    try:
        scales = [float(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        print(f"fullfunnel bench: bad --scales {args.scales!r}", file=sys.stderr)
        return 2
    if not scales or args.repeats < 1:
        print("fullfunnel bench: need at least one scale and one repeat", file=sys.stderr)
        return 2
    try:
        bench(scales, args.repeats, Path(args.cache_dir), Path(args.out), args.seed)
    except RuntimeError as exc:
        print(f"fullfunnel bench: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `bench` subcommand to the `fullfunnel` parser."""
    parser = subparsers.add_parser(
        "bench",
        help="time and measure the memory of build, floor, incremental, check and snapshot",
        description=(__doc__ or "").split("\n\n")[0],
    )
    parser.add_argument("--scales", default="1,10,100", help="comma-separated (default: 1,10,100)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per step (default: 3)")
    parser.add_argument(
        "--cache-dir", default="data/bench", help="generated data and work files (data/bench)"
    )
    parser.add_argument(
        "--out", default="data/bench/results", help="bench.json and bench.md (data/bench/results)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.set_defaults(func=run_command)


if __name__ == "__main__":
    # internal: `python -m fullfunnel.bench --floor-plan PLAN DATABASE` runs the floor
    if len(sys.argv) == 4 and sys.argv[1] == "--floor-plan":
        sys.exit(run_floor(Path(sys.argv[2]), Path(sys.argv[3])))
    # internal: `python -m fullfunnel.bench --new-day RAW OUT` (prints the rows appended)
    if len(sys.argv) == 4 and sys.argv[1] == "--new-day":
        print(json.dumps(add_new_day(Path(sys.argv[2]), Path(sys.argv[3]))))
        sys.exit(0)
    sys.exit("usage: python -m fullfunnel.bench --floor-plan PLAN DATABASE | --new-day RAW OUT")

"""`fullfunnel snapshot` on the demo warehouse: every format reads back with the marts' numbers,
the manifest and the history are right, a second run changes nothing but its time stamp, the
error cases give one line and leave nothing behind, and the report renders in Chromium."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from fullfunnel.report import CHROMIUM_FLAGS, _alerts, find_chromium, run_chromium
from fullfunnel.snapshot import _plan_sql, read_snapshot

from .conftest import PROJECT_ROOT, DbtResult

MONTH = "2026-10"  # the demo's calendar ends on 2026-10-31: its latest complete month
MONTH_START = date(2026, 10, 1)
TABLES = ("kpis", "channels", "reps", "plan")
DATA_FILES = (
    "snapshot.json",
    *(f"{t}.csv" for t in TABLES),
    *(f"{t}.parquet" for t in TABLES),
    "snapshot.xlsx",
    "report.html",
)
REPORT_HEADINGS = (
    "Headline KPIs",
    "Alerts",
    "Funnel",
    "Channel economics",
    "MRR bridge",
    "Bad leads or weak sales",
    "Does onboarding cut churn",
    "Attribution",
    "Open pipeline",
    "Cohort retention",
    "Sales reps",
)
CHROMIUM = find_chromium()  # what the command will use
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HAS_CHROMIUM = CHROMIUM is not None
# `make test` (and so CI) installs Chromium and sets this: there, a missing browser fails
REQUIRE_CHROMIUM = bool(os.environ.get("FULLFUNNEL_REQUIRE_CHROMIUM"))
needs_chromium = pytest.mark.skipif(
    not HAS_CHROMIUM and not REQUIRE_CHROMIUM,
    reason="no Chromium (run scripts/install_chromium.sh)",
)


@dataclass
class Run:
    """One `fullfunnel snapshot` process."""

    returncode: int
    stdout: str
    stderr: str


def snapshot(*args: str, env: dict[str, str] | None = None) -> Run:
    """Run `fullfunnel snapshot ARGS` in a fresh interpreter from the project root."""
    proc = subprocess.run(
        [sys.executable, "-m", "fullfunnel.cli", "snapshot", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def run_folders(out: Path, month: str = MONTH) -> list[Path]:
    """The run folders of a month, oldest first."""
    folder = out / month
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def png_scanlines(path: Path) -> tuple[int, int, set[bytes]]:
    """(width, height, distinct filtered scanlines) of a PNG, read with zlib only."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = depth = colour = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    stride = 1 + width * channels * depth // 8
    assert len(raw) == stride * height
    return width, height, {raw[i * stride : (i + 1) * stride] for i in range(height)}


@pytest.fixture(scope="module")
def runs(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two full runs (all formats and the report) on the same demo warehouse, one output root."""
    out = tmp_path_factory.mktemp("snapshots")
    results = []
    for _ in range(2):
        result = snapshot("--warehouse", str(demo_build.db_path), "--out", str(out))
        assert result.returncode == 0, result.stderr
        results.append(result)
    folders = run_folders(out)
    assert len(folders) == 2
    return {"out": out, "results": results, "first": folders[0], "second": folders[1]}


@pytest.fixture(scope="module")
def manifest(runs: dict) -> dict:
    """The first run's manifest."""
    return json.loads((runs["first"] / "manifest.json").read_text(encoding="utf-8"))


def test_every_file_is_written(runs: dict) -> None:
    names = {p.name for p in runs["first"].iterdir()}
    renderings = {"report.png", "report.pdf"} if HAS_CHROMIUM else set()
    assert names == {*DATA_FILES, "manifest.json", *renderings}
    assert not [p for p in runs["out"].iterdir() if p.name.startswith(".tmp-")]
    assert (runs["out"] / MONTH / "LATEST").read_text().strip() == runs["second"].name


def test_default_month_is_the_latest_complete_one(runs: dict, manifest: dict) -> None:
    assert manifest["month"] == MONTH
    assert manifest["is_complete_month"] is True
    assert manifest["latest_event_at"].startswith("2026-10-31")
    assert runs["results"][0].stdout.startswith(f"snapshot {MONTH} (complete month)")


def test_kpis_match_the_marts_in_every_format(runs: dict, demo_build: DbtResult) -> None:
    folder = runs["first"]
    leads, cac, mrr, prev_mrr = demo_build.query(
        f"""
        select cur.leads, cur.cac, cur.mrr, prev.mrr
        from marts.mart_cmo_kpis_monthly as cur
        join marts.mart_cmo_kpis_monthly as prev on prev.month = date '2026-09-01'
        where cur.month = date '{MONTH_START}'
        """
    )[0]
    (last_year_leads,) = demo_build.query(
        "select leads from marts.mart_cmo_kpis_monthly where month = date '2025-10-01'"
    )[0]
    (mrr_target,) = demo_build.query(
        f"""select target from marts.mart_plan_vs_actual
        where month = date '{MONTH_START}' and channel is null and metric = 'mrr'"""
    )[0]
    expected = {"leads": leads, "cac": cac, "mrr": mrr}

    document = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    assert document["month"] == MONTH and set(document["tables"]) == set(TABLES)
    by_format = {
        "json": document["tables"]["kpis"],
        "csv": pa_csv.read_csv(folder / "kpis.csv").to_pylist(),
        "parquet": pq.read_table(folder / "kpis.parquet").to_pylist(),
    }
    for fmt, rows in by_format.items():
        kpis = {r["kpi"]: r for r in rows}
        for kpi, value in expected.items():
            assert math.isclose(kpis[kpi]["value"], value, rel_tol=1e-12), (fmt, kpi)
        assert math.isclose(kpis["mrr"]["previous_value"], prev_mrr, rel_tol=1e-12), fmt
        assert math.isclose(kpis["mrr"]["target"], mrr_target, rel_tol=1e-12), fmt
        assert math.isclose(kpis["mrr"]["change_abs"], mrr - prev_mrr, rel_tol=1e-9), fmt
        assert math.isclose(kpis["leads"]["last_year_value"], last_year_leads), fmt
        assert kpis["sessions"]["target"] is None, fmt  # no plan for sessions
    with duckdb.connect() as con:
        value = con.execute(
            f"select value from read_parquet('{folder / 'kpis.parquet'}') where kpi = 'leads'"
        ).fetchall()[0][0]
    assert value == leads


def test_channel_and_rep_rows_match_the_marts(runs: dict, demo_build: DbtResult) -> None:
    folder = runs["first"]
    cpl, romi = demo_build.query(
        f"""select cpl, romi_to_date from marts.mart_marketing_monthly
        where month = date '{MONTH_START}' and channel = 'google_search'"""
    )[0]
    name, index, rep_count = demo_build.query(
        f"""select rep_name, performance_index,
            (select count(*) from marts.mart_sales_reps_monthly where month = date '{MONTH_START}')
        from marts.mart_sales_reps_monthly
        where month = date '{MONTH_START}' and owner_id = 'u03'"""
    )[0]
    (channel_count,) = demo_build.query(
        f"select count(*) from marts.mart_marketing_monthly where month = date '{MONTH_START}'"
    )[0]
    for rows in (
        pa_csv.read_csv(folder / "channels.csv").to_pylist(),
        pq.read_table(folder / "channels.parquet").to_pylist(),
    ):
        assert len(rows) == channel_count
        google = next(r for r in rows if r["channel"] == "google_search")
        assert math.isclose(google["cpl"], cpl, rel_tol=1e-12)
        assert math.isclose(google["romi_to_date"], romi, rel_tol=1e-12)
    reps = pq.read_table(folder / "reps.parquet").to_pylist()
    assert len(reps) == rep_count
    pavel = next(r for r in reps if r["owner_id"] == "u03")
    assert pavel["rep_name"] == name
    assert math.isclose(pavel["performance_index"], index, rel_tol=1e-12)


def test_xlsx_has_a_sheet_per_table_with_typed_cells(runs: dict, demo_build: DbtResult) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(runs["first"] / "snapshot.xlsx")
    assert workbook.sheetnames == list(TABLES)
    sheet = workbook["kpis"]
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("kpi")].value: r for r in sheet.iter_rows(min_row=2)}
    (leads,) = demo_build.query(
        f"select leads from marts.mart_cmo_kpis_monthly where month = date '{MONTH_START}'"
    )[0]
    value_cell = rows["leads"][header.index("value")]
    assert value_cell.data_type == "n" and value_cell.value == leads
    assert isinstance(rows["mrr"][header.index("value")].value, float)
    assert rows["mrr"][header.index("month")].is_date
    assert isinstance(rows["mrr"][header.index("is_on_track")].value, bool)
    reps = workbook["reps"]
    rep_header = [c.value for c in reps[1]]
    for row in reps.iter_rows(min_row=2):
        assert row[rep_header.index("performance_index")].data_type == "n"
        assert row[rep_header.index("leads_assigned")].data_type == "n"


def test_manifest_records_the_build_and_the_sources(
    runs: dict, manifest: dict, demo_build: DbtResult
) -> None:
    invocation_id, metrics_version = demo_build.query(
        "select invocation_id, metrics_version from quality.build_metadata"
    )[0]
    assert manifest["dbt_invocation_id"] == invocation_id
    assert manifest["metrics_version"] == metrics_version
    datetime.fromisoformat(manifest["generated_at"])
    assert manifest["run_id"] == runs["first"].name
    head = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert manifest["git_commit"] == (head.stdout.strip() if head.returncode == 0 else None)
    freshness = demo_build.query(
        "select source_system, source_table, staged_rows from quality.source_freshness"
    )
    recorded = {
        (f["source_system"], f["source_table"], f["staged_rows"])
        for f in manifest["source_freshness"]
    }
    assert recorded == set(freshness)
    assert all("latest_event_at" in f for f in manifest["source_freshness"])
    for name, digest in manifest["files"].items():
        if digest is not None:
            assert hashlib.sha256((runs["first"] / name).read_bytes()).hexdigest() == digest
    assert manifest["report"]["status"] == ("rendered" if HAS_CHROMIUM else "skipped")


def test_second_run_changes_nothing_but_its_time_stamp(runs: dict) -> None:
    first, second = runs["first"], runs["second"]
    for name in DATA_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    one = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    two = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert one["run_id"] != two["run_id"]
    for key in ("generated_at", "run_id"):
        one.pop(key), two.pop(key)
    assert one == two

    with duckdb.connect(str(runs["out"] / "history.duckdb"), read_only=True) as con:
        run_rows = con.execute(
            "select run_id, month, content_hash from runs order by generated_at"
        ).fetchall()
        assert [r[0] for r in run_rows] == [first.name, second.name]
        assert {r[1] for r in run_rows} == {MONTH_START}
        assert run_rows[0][2] == run_rows[1][2]
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_name = 'snapshots' order by ordinal_position"
            ).fetchall()
            if c not in ("run_id", "generated_at")
        ]
        select = ", ".join(columns)
        per_run = [
            con.execute(
                f"select {select} from snapshots where run_id = ? order by kpi", [run_id]
            ).fetchall()
            for run_id, _m, _h in run_rows
        ]
        assert per_run[0] and per_run[0] == per_run[1]
        (revised,) = con.execute("select count(*) from kpi_revisions where is_revised").fetchall()[
            0
        ]
        assert revised == 0


def test_fail_on_alert_exits_3_after_writing(
    demo_build: DbtResult, tmp_path: Path, runs: dict
) -> None:
    (off_track,) = demo_build.query(
        f"""select count(*) from marts.mart_plan_vs_actual
        where month = date '{MONTH_START}'
            and (case when is_mature then is_on_track else is_projected_on_track end) = false"""
    )[0]
    assert off_track > 0, "the demo plan should have off-track metrics"
    assert runs["results"][0].returncode == 0  # without the flag: 0
    result = snapshot(
        "--warehouse",
        str(demo_build.db_path),
        "--out",
        str(tmp_path),
        "--format",
        "json",
        "--no-report",
        "--fail-on-alert",
    )
    assert result.returncode == 3, result.stderr
    assert "off track" in result.stderr
    (folder,) = run_folders(tmp_path)
    assert {p.name for p in folder.iterdir()} == {"snapshot.json", "manifest.json"}
    assert json.loads((folder / "manifest.json").read_text())["alerts"] == off_track


def test_explicit_month_while_a_reader_holds_the_warehouse(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    with duckdb.connect(str(demo_build.db_path), read_only=True) as con:  # a BI tool, say
        result = snapshot(
            "--warehouse",
            str(demo_build.db_path),
            "--out",
            str(tmp_path),
            "--month",
            "2026-09",
            "--format",
            "csv",
            "--no-report",
        )
        (mrr,) = con.execute(
            "select mrr from marts.mart_cmo_kpis_monthly where month = date '2026-09-01'"
        ).fetchall()[0]
    assert result.returncode == 0, result.stderr
    (folder,) = run_folders(tmp_path, "2026-09")
    kpis = {r["kpi"]: r for r in pa_csv.read_csv(folder / "kpis.csv").to_pylist()}
    assert math.isclose(kpis["mrr"]["value"], mrr, rel_tol=1e-12)
    assert kpis["mrr"]["month"] == date(2026, 9, 1)


@pytest.fixture
def locked_warehouse(tmp_path: Path):
    """A DuckDB file held open read-write by another process (like a running dbt build)."""
    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(path)!r})\n"
            "print('ready', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield path
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    ("case", "pattern"),
    [
        ("missing warehouse", r"does not exist"),
        ("unknown format", r"unknown format 'xml'"),
        ("month with no data", r"no data for 2030-01"),
        ("bad month", r"is not a month"),
        ("unbuilt warehouse", r"unbuilt or stale"),
        ("locked warehouse", r"locked by a writer"),
    ],
)
def test_errors_are_one_line_and_leave_nothing(
    case: str, pattern: str, demo_build: DbtResult, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    out = tmp_path / "out"
    warehouse = demo_build.db_path
    extra: list[str] = []
    if case == "missing warehouse":
        warehouse = tmp_path / "nope.duckdb"
    elif case == "unknown format":
        extra = ["--format", "json,xml"]
    elif case == "month with no data":
        extra = ["--month", "2030-01"]
    elif case == "bad month":
        extra = ["--month", "2026-13"]
    elif case == "unbuilt warehouse":
        warehouse = tmp_path / "empty.duckdb"
        duckdb.connect(str(warehouse)).close()
    elif case == "locked warehouse":
        warehouse = request.getfixturevalue("locked_warehouse")
    result = snapshot("--warehouse", str(warehouse), "--out", str(out), *extra)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(pattern, lines[0]), lines[0]
    assert result.stdout == ""
    assert not out.exists() or not any(out.iterdir())


def test_render_skipped_without_chromium(demo_build: DbtResult, tmp_path: Path) -> None:
    args = ["--warehouse", str(demo_build.db_path), "--format", "json"]
    env = {"FULLFUNNEL_CHROMIUM": str(tmp_path / "no-chromium")}
    result = snapshot(*args, "--out", str(tmp_path / "a"), env=env)
    assert result.returncode == 0, result.stderr
    assert "PNG/PDF skipped" in result.stderr
    (folder,) = run_folders(tmp_path / "a")
    assert (folder / "report.html").exists() and not (folder / "report.png").exists()
    assert json.loads((folder / "manifest.json").read_text())["report"]["status"] == "skipped"
    required = snapshot(*args, "--out", str(tmp_path / "b"), "--require-render", env=env)
    assert required.returncode == 4
    assert len(run_folders(tmp_path / "b")) == 1  # still written


def test_report_is_self_contained(runs: dict) -> None:
    html = (runs["first"] / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#|data:)""", html)
    for heading in REPORT_HEADINGS:
        assert re.search(rf"<h2>{heading}", html), heading


@needs_chromium
def test_png_and_pdf_are_not_blank(runs: dict, manifest: dict) -> None:
    width, height, scanlines = png_scanlines(runs["first"] / "report.png")
    assert (width, height) == (1400, manifest["report"]["page_height_px"])
    assert len(scanlines) > height // 4  # a blank page repeats one scanline
    distinct_bytes = {b for line in list(scanlines)[:200] for b in line}
    assert len(distinct_bytes) > 64
    pdf = (runs["first"] / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    # printable: A4 portrait pages (595 x 842 pt), the report spread over a few of them
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 2 <= pages <= 6, pages
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]", pdf)
    assert boxes and all((round(float(w)), round(float(h))) == (595, 842) for w, h in boxes), boxes


@needs_chromium
@pytest.mark.skipif(
    not CHROMEDRIVER.exists() and not REQUIRE_CHROMIUM, reason="no /usr/bin/chromedriver"
)
def test_report_in_headless_chromium(runs: dict, manifest: dict, tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.get((runs["first"] / "report.html").as_uri())
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe
        headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
        for heading in REPORT_HEADINGS:
            assert any(h.startswith(heading) for h in headings), (heading, headings)
        assert driver.find_elements(By.CSS_SELECTOR, "svg")
        page_height = manifest["report"]["page_height_px"]
        content_height = driver.execute_script("return document.documentElement.scrollHeight")
        assert content_height <= page_height, "the screenshot would cut the page"
        clipped = driver.execute_script(
            "return [...document.querySelectorAll('.section .body')]"
            ".filter(b => b.scrollHeight > b.clientHeight + 1)"
            ".map(b => b.parentElement.id)"
        )
        assert clipped == [], f"sections whose content overflows: {clipped}"
        shown = driver.find_element(By.ID, "alerts").text
        assert "Whole business" in shown
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)


FLAKY_CHROMIUM = """#!/bin/sh
# A stand-in for Chromium: the first start hangs (with a helper process in its group), later
# starts write the requested screenshot.
state="$(dirname "$0")"
echo "$DBUS_SESSION_BUS_ADDRESS" > "$state/dbus"
if [ ! -e "$state/started" ]; then
    touch "$state/started"
    sleep 300 &
    echo $! > "$state/helper.pid"
    sleep 300
fi
for arg in "$@"; do
    case "$arg" in --screenshot=*) printf 'PNG' > "${arg#--screenshot=}" ;; esac
done
"""


def test_a_hanging_chromium_is_killed_and_retried(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text(FLAKY_CHROMIUM)
    fake.chmod(0o755)
    shot = tmp_path / "shot.png"
    code, failures = run_chromium(
        str(fake), [f"--screenshot={shot}"], "file:///dev/null", attempt_seconds=2, attempts=3
    )
    assert code == 0 and shot.read_bytes() == b"PNG"
    assert failures == "exit -1: no exit after 2 s, killed"
    helper = Path(f"/proc/{int((tmp_path / 'helper.pid').read_text())}/stat")
    # the hung start's helper went with it (gone, or a zombie left for init to reap)
    assert not helper.exists() or helper.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    assert (tmp_path / "dbus").read_text().strip() == "disabled:"


def test_a_chromium_that_always_fails_gives_up(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    code, failures = run_chromium(str(fake), [], "file:///dev/null", attempts=2)
    assert code == 3
    assert failures == "exit 3: cannot open display; exit 3: cannot open display"


def test_no_plan_and_no_activity_are_said(demo_build: DbtResult, tmp_path: Path) -> None:
    """A complete month without activity (zeros) is never the default headline; a month
    without plan rows says "no plan for this month", never "on track"."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_build.db_path, db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update marts.mart_cmo_kpis_monthly set leads = 0, sessions = 0, ad_spend = 0, "
            f"new_customers = 0, revenue = 0 where month = date '{MONTH_START}'"
        )
        con.execute("delete from marts.mart_plan_vs_actual where month = date '2026-09-01'")
    result = snapshot("--warehouse", str(db), "--out", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("snapshot 2026-09 (complete month)"), result.stdout
    assert "no plan for this month" in result.stdout
    assert "on track" not in result.stdout
    (folder,) = run_folders(tmp_path / "out", month="2026-09")
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "No plan for this month" in html
    assert "Every plan metric of the month is on track" not in html


PLAN_ROWS = """
create schema marts;
create table marts.mart_plan_vs_actual as
select * from (values
    -- a young cr2 cohort below plan to date but projected above it: on track
    (date '2026-10-01', null, 'cr2', 0.25, 0.09, 0.36, false, false, 0.27, true, false),
    -- a young cr2 cohort projected below plan: judged by the projection
    (date '2026-10-01', 'meta_social', 'cr2', 0.25, 0.05, 0.2, false, false, 0.20, false, false),
    (date '2026-10-01', 'meta_social', 'cpl', 34.0, 40.0, 1.18, false, true, 40.0, false, true),
    (date '2026-10-01', null, 'leads', 170.0, 160.0, 0.94, false, true, 160.0, false, false),
    (date '2026-10-01', null, 'ad_spend', 10000.0, 20000.0, 2.0, false, true, 20000.0, false, true),
    (date '2026-10-01', null, 'mrr', 1000.0, 1200.0, 1.2, true, true, 1200.0, true, false)
) as t(month, channel, metric, target, actual, attainment, is_on_track, is_mature,
    projected_actual, is_projected_on_track, is_lower_better)
"""


def test_plan_rows_are_judged_by_projection_and_graded() -> None:
    with duckdb.connect() as con:
        con.execute(PLAN_ROWS)
        rel = con.sql(
            _plan_sql("is_lower_better"),
            params={"month": MONTH_START, "as_of": date(2026, 11, 5)},
        )
        rows = {(r["channel"], r["metric"]): r for r in rel.to_arrow_table().to_pylist()}
    business_cr2 = rows[(None, "cr2")]
    assert business_cr2["is_on_track"] is False  # CR2 to date misses the plan...
    assert business_cr2["is_judged_on_track"] is True  # ...the projection does not
    assert business_cr2["severity"] is None
    channel_cr2 = rows[("meta_social", "cr2")]
    assert channel_cr2["is_judged_on_track"] is False
    assert channel_cr2["relative_miss"] == pytest.approx(0.2)  # (0.25 - 0.20) / 0.25
    assert channel_cr2["severity"] == "moderate"
    # October's leads are 5 (Nov 5 - Oct 31) to 35 (Nov 5 - Oct 1) days old
    assert (channel_cr2["cohort_youngest_age_days"], channel_cr2["cohort_oldest_age_days"]) == (
        5,
        35,
    )
    assert rows[("meta_social", "cpl")]["severity"] == "moderate"  # 17.6% over
    assert rows[(None, "leads")]["severity"] == "minor"  # 5.9% short
    assert rows[(None, "ad_spend")]["severity"] == "severe"  # 100% over
    assert rows[(None, "mrr")]["severity"] is None
    assert rows[(None, "leads")]["cohort_oldest_age_days"] is None  # mature rows: no age

    alert = dict(channel_cr2, is_lower_better=False)
    (shown,) = _alerts(type("Snap", (), {"alerts": [alert], "reporting_currency": "USD"})())
    assert shown["direction"] == "projected 20.0%: cohort 5-35 days old"
    assert shown["severity"] == "moderate"


def test_the_demo_raises_no_alert_by_cohort_age_alone(demo_build: DbtResult) -> None:
    (young_misses,) = demo_build.query(
        f"""select count(*) from marts.mart_plan_vs_actual
        where month = date '{MONTH_START}' and metric = 'cr2' and not is_mature
            and is_on_track = false"""
    )[0]
    # October's CR2 to date is far below plan only because its leads are young...
    assert young_misses > 0
    snap = read_snapshot(demo_build.db_path, MONTH_START, with_report=False)
    # ...and the projection, not the CR2 to date, decides
    assert [a for a in snap.alerts if a["metric"] == "cr2" and not a["is_mature"]] == []
    (cr2,) = [r for r in snap.tables["kpis"].to_pylist() if r["kpi"] == "cr2"]
    assert cr2["is_mature"] is False and cr2["is_on_track"] is True


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """OWASP CSV injection: a rep name in crm/users.csv such as `=HYPERLINK(...)`."""
    import csv
    from types import SimpleNamespace

    import pyarrow as pa
    from fullfunnel.snapshot import TABLES, write_csv, write_xlsx
    from openpyxl import load_workbook

    risky = ['=HYPERLINK("http://evil.example","x")', "=1+2", "+1", "-1", "@SUM(A1)", "\tx", "ok"]
    reps = pa.table({"rep_name": risky, "won_leads": list(range(len(risky)))})
    tables = {name: pa.table({"x": [1]}) for name in TABLES} | {"reps": reps}
    write_xlsx(SimpleNamespace(month=MONTH_START, tables=tables), tmp_path / "s.xlsx")
    sheet = load_workbook(tmp_path / "s.xlsx")["reps"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, len(risky) + 2)]
    assert [c.data_type for c in cells] == ["s"] * len(risky)  # no "f" (formula)
    assert [c.value for c in cells] == risky
    assert [sheet.cell(row=r, column=2).value for r in range(2, len(risky) + 2)] == list(
        range(len(risky))
    )

    write_csv(reps, tmp_path / "reps.csv")
    with (tmp_path / "reps.csv").open(newline="") as f:
        names = [row["rep_name"] for row in csv.DictReader(f)]
    assert names == [f"'{v}" for v in risky[:-1]] + ["ok"]


def test_the_report_warns_about_crm_coverage() -> None:
    from fullfunnel.report import coverage_notes

    assert (
        coverage_notes({"valid_leads": 100, "owner_coverage": 1.0, "deals_closed_before_lead": 0})
        == []
    )
    notes = coverage_notes(
        {"valid_leads": 100, "owner_coverage": 0.42, "deals_closed_before_lead": 3}
    )
    assert notes == [
        "Only 42% of valid leads have an owner: the reps' view may be biased.",
        "3 deal(s) closed before their lead was created: check the dates.",
    ]
    # no valid leads (a billing-only export): nothing to say about owners
    assert coverage_notes({"valid_leads": 0, "owner_coverage": None}) == []


def test_churn_intervals_match_the_published_methods() -> None:
    from fullfunnel.report import newcombe_difference, wilson_interval

    # Newcombe (1998), Statistics in Medicine 17:873-890, example (a): 56/70 - 48/80,
    # method 10 (hybrid score): 0.2000, 95% interval 0.0524 to 0.3339
    d, lower, upper = newcombe_difference(56, 70, 48, 80)
    assert (round(d, 4), round(lower, 4), round(upper, 4)) == (0.2, 0.0524, 0.3339)
    # Wilson interval of 0/10 starts at 0; 10/10 ends at 1
    assert wilson_interval(0, 10)[0] == 0.0
    assert abs(wilson_interval(10, 10)[1] - 1.0) < 1e-12
    assert wilson_interval(3, 0) is None


def test_onboarding_difference_within_channels() -> None:
    """Hand-worked: channel A: 10/100 churn with onboarding, 20/100 without (-0.10); channel
    B: 30/300 and 10/100 (0.00); weights = onboarded customers 100 and 300 of 400, so the
    difference is 0.25 x -0.10 = -0.025, variance 0.25^2 (0.09/100 + 0.16/100) + 0.75^2
    (0.09/300 + 0.09/100) = 0.00083125. Channel C has no customer without onboarding: out."""
    import math

    from fullfunnel.report import Z_95, stratified_difference

    strata = [
        {"channel": "A", "has_onboarding": True, "measurable": 100.0, "churned": 10.0},
        {"channel": "A", "has_onboarding": False, "measurable": 100.0, "churned": 20.0},
        {"channel": "B", "has_onboarding": True, "measurable": 300.0, "churned": 30.0},
        {"channel": "B", "has_onboarding": False, "measurable": 100.0, "churned": 10.0},
        {"channel": "C", "has_onboarding": True, "measurable": 50.0, "churned": 40.0},
    ]
    estimate, lower, upper = stratified_difference(strata)
    half = Z_95 * math.sqrt(0.00083125)
    assert math.isclose(estimate, -0.025, abs_tol=1e-12)
    assert math.isclose(lower, -0.025 - half, abs_tol=1e-12)
    assert math.isclose(upper, -0.025 + half, abs_tol=1e-12)
    assert stratified_difference(strata[-1:]) is None


def test_float_noise_gives_the_same_files(demo_build: DbtResult, tmp_path: Path) -> None:
    """Two builds of the same data differ in the last bits of parallel sums; the snapshot's
    files must not. Simulated: every double of the KPI and channel marts nudged by 1e-15
    relative in a copy of the warehouse."""
    noisy = tmp_path / "noisy.duckdb"
    shutil.copyfile(demo_build.db_path, noisy)
    with duckdb.connect(str(noisy)) as con:
        for table in ("mart_cmo_kpis_monthly", "mart_marketing_monthly", "mart_plan_vs_actual"):
            doubles = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    f"where table_schema = 'marts' and table_name = '{table}' "
                    "and data_type = 'DOUBLE'"
                ).fetchall()
            ]
            sets = ", ".join(f'"{c}" = "{c}" * (1 + 1e-15)' for c in doubles)
            con.execute(f"update marts.{table} set {sets}")
    for name, warehouse in (("clean", demo_build.db_path), ("noisy", noisy)):
        result = snapshot(
            "--warehouse",
            str(warehouse),
            "--out",
            str(tmp_path / name),
            "--month",
            MONTH,
            "--format",
            "json,csv",
            "--no-report",
        )
        assert result.returncode == 0, result.stderr
    (clean,) = run_folders(tmp_path / "clean")
    (noisy_run,) = run_folders(tmp_path / "noisy")
    for file in ("snapshot.json", "kpis.csv", "channels.csv", "plan.csv"):
        assert (clean / file).read_bytes() == (noisy_run / file).read_bytes(), file


def test_a_killed_runs_folder_is_removed_by_the_next_run(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    """A run killed before it finished leaves `.tmp-<run_id>-<pid>`; the next run removes it
    and says so, and leaves alone the folder of a run whose process still runs."""
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    out = tmp_path / "snapshots"
    killed = out / f".tmp-20261101T000000.000000Z-{gone.stdout.strip()}"
    running = out / f".tmp-20261101T000001.000000Z-{os.getpid()}"
    for folder in (killed, running):
        folder.mkdir(parents=True)
        (folder / "kpis.csv").write_text("half-written")
    result = snapshot(
        *("--warehouse", str(demo_build.db_path), "--out", str(out), "--month", MONTH),
        *("--format", "json", "--no-report"),
    )
    assert result.returncode == 0, result.stderr
    assert not killed.exists()
    assert f"removed {killed}, left by a snapshot run that was killed" in result.stderr
    assert running.is_dir()
    assert len(run_folders(out)) == 1

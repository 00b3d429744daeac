"""No personal data in anything published: every relation of the serving file, every Parquet
file of the published set, and every file of a KPI snapshot run (CSV, JSON, Parquet, XLSX,
the HTML report, the history file) are scanned for the demo's leads' and customers' emails,
phones and names, with the rules of the dbt privacy test
(tests/dbt/privacy/assert_no_personal_data_in_marts.sql): whole tokens, placeholder phones
and short names left out, the team's names allowed. The scanner is shown finding values
planted in the warehouse before publishing and in a snapshot file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from .conftest import PROJECT_ROOT, DbtResult

EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}")
DIGITS = re.compile(r"\d+")
PHONE_LIKE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d")
WORDS = re.compile(r"[^\W\d_]+")
TEXT_FILES = {".csv", ".json", ".html", ".md", ".txt"}
# renderings of report.html (scanned as HTML); they carry no text of their own
RENDERINGS = {".png", ".pdf"}


def _placeholder_phone(digits: str) -> bool:
    """Fewer than 7 digits, one repeated digit, or a plain ascending/descending run (the
    dbt privacy test's rule)."""
    return (
        len(digits) < 7
        or len(set(digits)) == 1
        or digits in "01234567890123456789"
        or digits in "98765432109876543210"
    )


@dataclass
class PersonalValues:
    """The staged personal values of a warehouse, as the dbt privacy test collects them."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    longest_name: int = 1
    seen: dict[str, list[str]] = field(default_factory=dict)  # text -> its leaks (a cache)

    @classmethod
    def of(cls, warehouse: Path) -> PersonalValues:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            team = {
                n
                for (n,) in con.execute(
                    "select lower(full_name) from staging.stg_crm__users"
                ).fetchall()
            }
            emails = con.execute(
                "select lower(email) from staging.stg_crm__leads where email is not null union "
                "select lower(email) from staging.stg_billing__customers where email is not null"
            ).fetchall()
            phones = con.execute(
                "select phone_normalized from staging.stg_crm__leads "
                "where phone_normalized is not null"
            ).fetchall()
            names = con.execute(
                "select lower(full_name) from staging.stg_crm__leads where full_name is not null"
            ).fetchall()
        values = cls(
            emails={e for (e,) in emails},
            phones={d for (p,) in phones if not _placeholder_phone(d := re.sub(r"\D", "", p))},
            names={
                " ".join(WORDS.findall(n))
                for (n,) in names
                if len(n) >= 5 and n not in team and WORDS.findall(n)
            },
        )
        values.names -= {" ".join(WORDS.findall(t)) for t in team}
        values.longest_name = max((n.count(" ") + 1 for n in values.names), default=1)
        return values

    def leaks(self, text: str) -> list[str]:
        """The personal values `text` holds as whole tokens."""
        if text not in self.seen:
            self.seen[text] = self._leaks(text)
        return self.seen[text]

    def _leaks(self, text: str) -> list[str]:
        text = text.lower()
        found = [e for e in EMAIL.findall(text) if e in self.emails]
        runs = set(DIGITS.findall(text))
        runs |= {re.sub(r"\D", "", span) for span in PHONE_LIKE.findall(text)}
        found += sorted(runs & self.phones)
        words = WORDS.findall(text)
        for size in range(1, self.longest_name + 1):
            for start in range(len(words) - size + 1):
                candidate = " ".join(words[start : start + size])
                if candidate in self.names:
                    found.append(candidate)
        return found


def _distinct_text(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> set:
    """The distinct non-NULL values of the text `columns` of `relation`, all together."""
    if not columns:
        return set()
    listed = ", ".join(f'"{c}"' for c in columns)
    return {
        v
        for (v,) in con.execute(
            f"select distinct v from (select unnest([{listed}]) as v from {relation}) "
            "where v is not null"
        ).fetchall()
    }


def _text_values_of_database(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, set]:
    """Distinct text values of every text column of every table in `catalog`, per table."""
    columns = con.execute(
        "select schema_name, table_name, list(column_name) filter (data_type = 'VARCHAR') "
        "from duckdb_columns() where database_name = ? group by all order by all",
        [catalog],
    ).fetchall()
    return {
        f"{schema}.{table}": _distinct_text(con, f'"{catalog}"."{schema}"."{table}"', names)
        for schema, table, names in columns
    }


def _parquet_text(path: Path) -> set:
    with duckdb.connect() as con:
        relation = f"read_parquet('{path.as_posix()}')"
        described = con.execute(f"select * from {relation} limit 0").description
        return _distinct_text(con, relation, [d[0] for d in described if str(d[1]) == "VARCHAR"])


def _files(paths: list[Path]) -> list[tuple[str, Path]]:
    """Each path, or the files under it (links followed), named from the path's own name."""
    files = []
    for root in paths:
        if root.is_file():
            files.append((root.name, root))
            continue
        for folder, _dirs, names in os.walk(root, followlinks=True):
            for file_name in names:
                path = Path(folder) / file_name
                files.append(((Path(root.name) / path.relative_to(root)).as_posix(), path))
    return sorted(files)


def scan_published(paths: list[Path], values: PersonalValues) -> dict[str, list[str]]:
    """Every file of `paths` (folders walked, links followed): `{file or relation: leaks}`; a
    file of a kind the scanner cannot read fails the test (nothing is skipped silently)."""
    leaks: dict[str, list[str]] = {}
    scanned = 0
    for name, path in _files(paths):
        if path.name.startswith(".") and path.name.endswith(".lock"):
            continue  # the publish lock: a pid at most
        suffix = path.suffix.lower()
        texts: dict[str, set | str] = {}
        if suffix == ".duckdb":
            with duckdb.connect(str(path), read_only=True) as con:
                (catalog,) = con.execute("select current_database()").fetchone()
                for relation, found in _text_values_of_database(con, catalog).items():
                    texts[f"{name}:{relation}"] = found
        elif suffix == ".parquet":
            texts[name] = _parquet_text(path)
        elif suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts[name] = " ".join(
                    book.read(member).decode("utf-8")
                    for member in book.namelist()
                    if member.endswith(".xml")
                )
        elif suffix in TEXT_FILES or path.name == "LATEST":
            texts[name] = path.read_text(encoding="utf-8")
        elif suffix in RENDERINGS:
            continue
        else:
            pytest.fail(f"the privacy scan cannot read {name}: add its kind to the scanner")
        scanned += 1
        for where, content in texts.items():
            found = (
                values.leaks(content)
                if isinstance(content, str)
                else [leak for value in content for leak in values.leaks(str(value))]
            )
            if found:
                leaks[where] = sorted(set(found))
    assert scanned, f"nothing to scan in {paths}"
    return leaks


def _publish(warehouse: Path, out: Path) -> None:
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "fullfunnel.cli", "publish"),
            *("--warehouse", str(warehouse)),
            *("--serving", str(out / "serving.duckdb")),
            *("--parquet-dir", str(out / "parquet")),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def personal(demo_build: DbtResult) -> PersonalValues:
    values = PersonalValues.of(demo_build.db_path)
    assert len(values.emails) > 1000 and len(values.phones) > 1000 and len(values.names) > 1000
    return values


def test_nothing_published_holds_personal_data(
    demo_build: DbtResult, personal: PersonalValues, tmp_path: Path
) -> None:
    warehouse = tmp_path / "build.duckdb"
    shutil.copyfile(demo_build.db_path, warehouse)
    _publish(warehouse, tmp_path / "serving")
    snapshots = tmp_path / "snapshots"
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "fullfunnel.cli", "snapshot"),
            *("--warehouse", str(warehouse), "--out", str(snapshots)),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    serving = tmp_path / "serving"
    # what BI reads: the serving file and the Parquet set, through their published paths
    assert scan_published([serving / "serving.duckdb", serving / "parquet"], personal) == {}
    assert scan_published([snapshots], personal) == {}
    kinds = {p.suffix for p in snapshots.rglob("*") if p.is_file()}
    assert {".csv", ".json", ".parquet", ".xlsx", ".html", ".duckdb"} <= kinds, kinds


def test_the_scan_finds_planted_personal_data(
    demo_build: DbtResult, personal: PersonalValues, tmp_path: Path
) -> None:
    """An email in a mart, published, is found in the serving file and in its Parquet file;
    a name and a phone written with separators in a snapshot's CSV and XLSX are found."""
    email, phone = sorted(personal.emails)[0], sorted(personal.phones)[0]
    name = next(n for n in sorted(personal.names) if " " in n)
    warehouse = tmp_path / "build.duckdb"
    shutil.copyfile(demo_build.db_path, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.fct_leads set channel = ? where lead_id = (select min(lead_id) "
            "from marts.fct_leads)",
            [f"ref:{email};"],
        )
    _publish(warehouse, tmp_path / "serving")
    serving = tmp_path / "serving"
    found = scan_published([serving / "serving.duckdb", serving / "parquet"], personal)
    assert found == {
        "serving.duckdb:marts.fct_leads": [email],
        "parquet/fct_leads.parquet": [email],
    }

    folder = tmp_path / "snapshot"
    folder.mkdir()
    spaced = f"+{phone[0]} ({phone[1:4]}) {phone[4:7]}-{phone[7:]}"
    (folder / "kpis.csv").write_text(f"metric,note\nleads,called {spaced}\n", encoding="utf-8")
    with zipfile.ZipFile(folder / "snapshot.xlsx", "w") as book:
        book.writestr("xl/sharedStrings.xml", f"<sst><si><t>{name.title()}</t></si></sst>")
    assert scan_published([folder], personal) == {
        "snapshot/kpis.csv": [phone],
        "snapshot/snapshot.xlsx": [name],
    }
    (folder / "notes.bin").write_bytes(b"\x00")
    with pytest.raises(pytest.fail.Exception, match=r"cannot read snapshot/notes\.bin"):
        scan_published([folder], personal)

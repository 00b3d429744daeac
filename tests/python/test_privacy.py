"""The privacy test (tests/dbt/privacy/assert_no_personal_data_in_marts.sql) finds personal
data planted in a copy of the built demo marts: an email and a short name inside other text,
a phone written with separators, and a column named like personal data; and it does not
report values that are not personal data: placeholder phones, a phone's digits inside a
longer id, a name inside a longer word."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from .conftest import DbtResult, run_dbt

PRIVACY_TEST = "assert_no_personal_data_in_marts"


def test_planted_personal_data_is_found(demo_build: DbtResult, tmp_path: Path) -> None:
    work = tmp_path / "leaky"
    work.mkdir()
    shutil.copyfile(demo_build.db_path, work / "warehouse.duckdb")
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        team = {
            name
            for (name,) in con.execute(
                "select lower(full_name) from staging.stg_crm__users"
            ).fetchall()
        }
        email, phone = con.execute(
            "select lower(email), phone_normalized from staging.stg_crm__leads "
            "where email is not null "
            "and phone_normalized like '1%' and length(phone_normalized) = 11 "
            "and lower(email) not in "
            "(select lower(email) from staging.stg_billing__customers where email is not null) "
            "order by lead_id limit 1"
        ).fetchone()
        short_names = [
            name
            for (name,) in con.execute(
                "select distinct lower(full_name) from staging.stg_crm__leads "
                "where length(full_name) between 5 and 9 order by 1"
            ).fetchall()
            if name not in team
        ]
        short_name = short_names[0]
        session_ids = [
            sid
            for (sid,) in con.execute(
                "select distinct session_id from marts.fct_attribution "
                "where session_id is not null order by session_id limit 3"
            ).fetchall()
        ]
        planted = {
            session_ids[0]: f"ref:{email};",
            session_ids[1]: f"from {short_name} (form)",
            session_ids[2]: f"+{phone[0]} ({phone[1:4]}) {phone[4:7]}-{phone[7:]}",
        }
        for old, new in planted.items():
            con.execute(
                "update marts.fct_attribution set session_id = ? where session_id = ?", [new, old]
            )
        con.execute("alter table marts.mart_onboarding_retention add column customer_email varchar")

    result = run_dbt(["test", "--select", PRIVACY_TEST], demo_build.raw_dir, work)
    assert result.returncode == 1, result.output[-3000:]
    assert "Got 4 results" in result.output or "Got 5 results" in result.output, result.output[
        -3000:
    ]
    compiled = next((work / "target" / "compiled").rglob(f"{PRIVACY_TEST}.sql"))
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        found = set(con.execute(compiled.read_text(encoding="utf-8")).fetchall())
    # an email such as daniel.parker@... also holds its owner's name, as words
    found.discard(
        (
            "fct_attribution",
            "session_id",
            f"ref:{email};",
            "lead full_name",
            "holds a personal value",
        )
    )
    assert found == {
        (
            "fct_attribution",
            "session_id",
            f"ref:{email};",
            "lead email",
            "holds a personal value",
        ),
        (
            "fct_attribution",
            "session_id",
            f"from {short_name} (form)",
            "lead full_name",
            "holds a personal value",
        ),
        (
            "fct_attribution",
            "session_id",
            planted[session_ids[2]],
            "lead phone",
            "holds a personal value",
        ),
        (
            "mart_onboarding_retention",
            "customer_email",
            None,
            "column name",
            "column named like personal data",
        ),
    }


def _privacy_findings(work: Path, raw_dir: Path) -> tuple[DbtResult, set[tuple]]:
    """Run the privacy test on the warehouse in `work`; return its result and its rows."""
    result = run_dbt(["test", "--select", PRIVACY_TEST], raw_dir, work)
    compiled = next((work / "target" / "compiled").rglob(f"{PRIVACY_TEST}.sql"))
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        found = set(con.execute(compiled.read_text(encoding="utf-8")).fetchall())
    return result, found


def test_values_that_are_not_personal_data_pass(demo_build: DbtResult, tmp_path: Path) -> None:
    """Placeholder phones (zeros, 1234567, one repeated digit) and Meta campaign ids such as
    120210000000001 made the containment test report leaks; a phone inside a longer digit run
    and a name inside a longer word are not leaks either. A real leak planted beside them is
    still the only finding."""
    work = tmp_path / "clean"
    work.mkdir()
    shutil.copyfile(demo_build.db_path, work / "warehouse.duckdb")
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        lead_ids = [
            lead_id
            for (lead_id,) in con.execute(
                "select lead_id from staging.stg_crm__leads order by lead_id limit 6"
            ).fetchall()
        ]
        placeholders = {
            lead_ids[0]: ("0000000", None),
            lead_ids[1]: ("1234567", None),
            lead_ids[2]: ("77777777777", None),
            lead_ids[3]: ("1202100000", None),  # inside the Meta id below
            lead_ids[4]: (None, "Ander Meander"),  # inside "meanderings"
        }
        for lead_id, (phone, name) in placeholders.items():
            con.execute(
                "update staging.stg_crm__leads set phone_normalized = coalesce(?, "
                "phone_normalized), full_name = coalesce(?, full_name) where lead_id = ?",
                [phone, name, lead_id],
            )
        session_ids = [
            sid
            for (sid,) in con.execute(
                "select distinct session_id from marts.fct_attribution "
                "where session_id is not null order by session_id limit 5"
            ).fetchall()
        ]
        planted = {
            session_ids[0]: "meta:120210000000001",
            session_ids[1]: "call 0000000 or 123-4567",
            session_ids[2]: "7777777-7777",
            session_ids[3]: "meanderings of ander-meanderer",
        }
        for old, new in planted.items():
            con.execute(
                "update marts.fct_attribution set session_id = ? where session_id = ?", [new, old]
            )
        (email,) = con.execute(
            "select lower(email) from staging.stg_crm__leads where email is not null "
            "and lower(email) not in "
            "(select lower(email) from staging.stg_billing__customers where email is not null) "
            "order by lead_id limit 1"
        ).fetchone()
    result, found = _privacy_findings(work, demo_build.raw_dir)
    assert found == set(), found
    assert result.returncode == 0, result.output[-3000:]

    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        con.execute(
            "update marts.fct_attribution set session_id = ? where session_id = ?",
            [f"mailto:{email}.", session_ids[4]],
        )
    result, found = _privacy_findings(work, demo_build.raw_dir)
    assert result.returncode == 1
    # the email may also hold its owner's name as words (dana.sadykova@...)
    kinds = {(mart, column, value, kind) for mart, column, value, kind, _ in found}
    assert kinds - {("fct_attribution", "session_id", f"mailto:{email}.", "lead full_name")} == {
        ("fct_attribution", "session_id", f"mailto:{email}.", "lead email")
    }, found

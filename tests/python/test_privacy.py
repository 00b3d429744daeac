"""The privacy test (tests/dbt/privacy/assert_no_personal_data_in_marts.sql) finds personal
data planted in a copy of the built demo marts: an email and a short name inside other text,
a phone written with separators, and a column named like personal data."""

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
    assert "Got 4 results" in result.output, result.output[-3000:]
    compiled = next((work / "target" / "compiled").rglob(f"{PRIVACY_TEST}.sql"))
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        found = set(con.execute(compiled.read_text(encoding="utf-8")).fetchall())
    assert found == {
        (
            "fct_attribution",
            "session_id",
            f"ref:{email};",
            "lead email",
            "contains a personal value",
        ),
        (
            "fct_attribution",
            "session_id",
            f"from {short_name} (form)",
            "lead full_name",
            "contains a personal value",
        ),
        (
            "fct_attribution",
            "session_id",
            planted[session_ids[2]],
            "lead phone",
            "is a phone number",
        ),
        (
            "mart_onboarding_retention",
            "customer_email",
            None,
            "column name",
            "column named like personal data",
        ),
    }

"""A deliberately broken landing set: every LANDING.md rule produces its quarantine row, the
build completes, and nothing is lost (raw rows = staged rows + quarantined rows)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from .conftest import run_dbt

# (landing file, rule expected, the field values that break it). Every other field is copied
# from the file's first data row, so only the named fields make the row bad.
BROKEN_ROWS: list[tuple[str, str, dict[str, str]]] = [
    ("web/sessions.csv", "missing:session_id", {"session_id": ""}),
    ("web/sessions.csv", "missing:started_at", {"session_id": "bad-s2", "started_at": " \t"}),
    (
        "web/sessions.csv",
        "unparseable:started_at",
        {"session_id": "bad-s3", "started_at": "2025-13-01T00:00:00Z"},
    ),
    (
        "web/sessions.csv",
        "unparseable:started_at",
        {"session_id": "bad-s4", "started_at": "2025-09-01T10:00:00+15:00"},
    ),
    (
        "web/sessions.csv",
        "unknown_value:click_id_type",
        {"session_id": "bad-s5", "click_id": "x1", "click_id_type": "msclkid"},
    ),
    (
        "ads/google_ads__campaign_stats.csv",
        "negative:clicks",
        {"campaign_id": "bad-g1", "clicks": "-3"},
    ),
    (
        "ads/google_ads__campaign_stats.csv",
        "missing:cost_micros",
        {"campaign_id": "bad-g2", "cost_micros": ""},
    ),
    (
        "ads/google_ads__campaign_stats.csv",
        "unparseable:impressions",
        {"campaign_id": "bad-g3", "impressions": "99999999999999999999"},
    ),
    (
        "ads/meta_ads__ads_insights.csv",
        "unknown_currency:account_currency",
        {"campaign_id": "bad-m1", "account_currency": "ABC"},
    ),
    (
        "ads/meta_ads__ads_insights.csv",
        "unparseable:date_start",
        {"campaign_id": "bad-m2", "date_start": "2025-02-30"},
    ),
    (
        "ads/yandex_direct__campaign_report.csv",
        "no_fx_rate:Currency",
        {"CampaignId": "bad-y1", "Date": "2001-01-01", "Currency": "KZT"},
    ),
    ("crm/leads.csv", "unknown_value:status", {"lead_id": "bad-l1", "status": "maybe"}),
    ("crm/leads.csv", "unparseable:created_at", {"lead_id": "bad-l2", "created_at": "yesterday"}),
    ("crm/deals.csv", "unparseable:is_won", {"deal_id": "bad-d1", "is_won": "yes"}),
    ("crm/activities.csv", "unknown_value:type", {"activity_id": "bad-a1", "type": "fax"}),
    (
        "crm/activities.csv",
        "negative:duration_seconds",
        {"activity_id": "bad-a2", "duration_seconds": "-1"},
    ),
    ("crm/users.csv", "unknown_value:role", {"user_id": "bad-u1", "role": "intern"}),
    ("billing/invoices.csv", "unparseable:amount", {"invoice_id": "bad-i1", "amount": "12,50"}),
    (
        "billing/invoices.csv",
        "no_fx_rate:currency",
        {"invoice_id": "bad-i2", "issued_at": "2001-01-01T00:00:00Z", "currency": "EUR"},
    ),
    (
        "billing/subscriptions.csv",
        "unknown_value:billing_interval",
        {"subscription_id": "bad-sub1", "billing_interval": "week"},
    ),
    ("billing/customers.csv", "missing:created_at", {"customer_id": "bad-c1", "created_at": ""}),
    (
        "finance/fx_rates.csv",
        "unknown_currency:currency",
        {"date": "2001-01-01", "currency": "eur", "rate": "1.1"},
    ),
    (
        "finance/marketing_costs.csv",
        "unparseable:month",
        {"month": "2025-09-15", "cost_type": "other", "channel": "bad-channel"},
    ),
    (
        "finance/marketing_costs.csv",
        "unknown_value:cost_type",
        {"month": "2025-09-01", "cost_type": "bribes", "channel": "bad-channel"},
    ),
    # rule 7: a typo'd year neither stretches nor escapes the months covered
    (
        "web/sessions.csv",
        "out_of_range:started_at",
        {"session_id": "bad-s9", "started_at": "2099-12-15T10:00:00Z"},
    ),
    (
        "ads/google_ads__campaign_stats.csv",
        "out_of_range:date",
        {"campaign_id": "bad-g9", "date": "1900-01-01", "currency_code": "USD"},
    ),
    (
        "crm/deals.csv",
        "out_of_range:closed_at",
        {"deal_id": "bad-d9", "closed_at": "2099-05-01T00:00:00Z"},
    ),
    (
        "billing/invoices.csv",
        "out_of_range:paid_at",
        {"invoice_id": "bad-i9", "paid_at": "2209-01-01T00:00:00Z"},
    ),
    # a 1999 EUR amount keeps the earlier rule
    (
        "billing/refunds.csv",
        "no_fx_rate:currency",
        {"refund_id": "bad-r9", "refunded_at": "1999-06-01T00:00:00Z", "currency": "EUR"},
    ),
    # rule 3: a zero rate would turn money into nothing
    (
        "finance/fx_rates.csv",
        "negative:rate",
        {"date": "2001-01-02", "currency": "EUR", "rate": "0"},
    ),
    # beyond a double's range: unparseable, never inf
    (
        "ads/meta_ads__ads_insights.csv",
        "unparseable:spend",
        {"campaign_id": "bad-m9", "spend": "9" * 401},
    ),
]


def _append_row(path: Path, overrides: dict[str, str]) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        template = next(reader)
    row = {**template, **overrides}
    with path.open("a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, fieldnames=header, lineterminator="\n").writerow(row)
    return row


@pytest.fixture(scope="module")
def broken_build(small_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    raw = tmp_path_factory.mktemp("raw_broken")
    shutil.copytree(small_raw_dir, raw, dirs_exist_ok=True)
    appended = []
    for relpath, rule, overrides in BROKEN_ROWS:
        appended.append((relpath, rule, _append_row(raw / relpath, overrides)))
    # a restated key: the same session delivered again later in the file supersedes the first
    first = _append_row(raw / "web/sessions.csv", {"session_id": "dup-s1", "landing_page": "/a"})
    last = _append_row(raw / "web/sessions.csv", {"session_id": "dup-s1", "landing_page": "/b"})
    result = run_dbt(
        ["build"],
        raw,
        tmp_path_factory.mktemp("broken_build"),
        # tiny files: a handful of bad rows is a large share, which is tested separately
        extra_vars={"quarantine_max_share": 1.0},
    )
    return result, raw, appended, (first, last)


def test_broken_build_completes(broken_build) -> None:
    result, *_ = broken_build
    assert result.returncode == 0, result.output[-4000:]
    # quarantined rows make the build warn and the log counts them per table
    assert "quarantine: web/sessions" in result.output
    assert "WARN" in result.output


@pytest.mark.parametrize(("relpath", "rule", "overrides"), BROKEN_ROWS)
def test_each_rule_lands_in_quarantine(broken_build, relpath, rule, overrides) -> None:
    result, _raw, appended, _ = broken_build
    row = next(r for p, ru, r in appended if p == relpath and ru == rule)
    system, table = relpath.removesuffix(".csv").split("/")
    rows = result.query(
        "select rule, raw_row from quality.quarantine "
        f"where source_system = '{system}' and source_table = '{table}' and rule <> 'superseded'"
    )
    matches = [json.loads(raw_row) for found_rule, raw_row in rows if found_rule == rule]
    # raw_row holds every column of the file, as read (a blank-only field keeps its text)
    expected = {k: (v if v != "" else None) for k, v in row.items()}
    assert expected in matches, f"{rule} not quarantined for {relpath}: {rows}"


def test_out_of_range_rows_neither_stretch_nor_escape_the_calendar(
    broken_build, small_raw_dir: Path
) -> None:
    """A session dated 2099 and an ad row dated 1900 (quarantined above) leave the months
    covered where the clean data puts them, and no staged event lies outside them."""
    result, *_ = broken_build
    clean_sessions = pd.read_csv(small_raw_dir / "web/sessions.csv", dtype=str)
    (first, last) = result.query(
        "select min(month), max(month) from intermediate.int_months_covered"
    )[0]
    assert str(last) < "2099"
    assert str(first) > "1900"
    months = clean_sessions["started_at"].dropna().str[:7]
    assert str(last)[:7] >= months[months.str.fullmatch(r"\d{4}-\d{2}")].max()
    (outside,) = result.query(
        "select count(*) from marts.fct_ad_spend_daily, "
        "(select min(month) as first_month, max(month_end_date) as last_day "
        "from intermediate.int_months_covered) as months "
        "where date < months.first_month or date > months.last_day"
    )[0]
    assert outside == 0


def test_superseded_row_is_the_earlier_delivery(broken_build) -> None:
    result, _raw, _appended, (first, last) = broken_build
    superseded = result.query(
        "select raw_row from quality.quarantine "
        "where source_table = 'sessions' and rule = 'superseded'"
    )
    assert [json.loads(r[0])["landing_page"] for r in superseded] == [first["landing_page"]]
    staged = result.query(
        "select landing_page from staging.stg_web__sessions where session_id = 'dup-s1'"
    )
    assert staged == [(last["landing_page"],)]


def test_nothing_is_lost(broken_build) -> None:
    result, raw, _appended, _ = broken_build
    rows = result.query(
        "select source_system || '/' || source_table, raw_rows, staged_rows + superseded_rows "
        "+ rejected_rows from quality.landing_reconciliation"
    )
    for landing_table, raw_rows, accounted in rows:
        path = raw / f"{landing_table}.csv"
        with duckdb.connect() as con:
            in_file = con.execute(
                f"select count(*) from read_csv('{path}', all_varchar = true, header = true)"
            ).fetchone()[0]
        assert raw_rows == in_file == accounted, landing_table


def test_too_many_rejected_rows_fail_the_build(broken_build, tmp_path: Path) -> None:
    _result, raw, _appended, _ = broken_build
    result = run_dbt(
        [
            "build",
            "--select",
            "+quarantine",
            "+landing_reconciliation",
            "--indirect-selection",
            "cautious",
        ],
        raw,
        tmp_path,
        {"quarantine_max_share": 0.0001},
    )
    assert result.returncode != 0
    assert "rejected_share_within_limit" in result.output

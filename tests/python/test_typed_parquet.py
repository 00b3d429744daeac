"""Typed Parquet landing files (LANDING.md, "Where the files are"): every Parquet type that
holds a contract type is read as that type. The same invoices delivered as a CSV and as a
typed Parquet file (zone-aware and nanosecond timestamps, doubles in scientific notation,
decimals, dates) stage the same rows, and a quarantined row shows the value as the parser
saw it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .conftest import run_dbt

STAGED = (
    "select invoice_id, customer_id, subscription_id, issued_at, period_start, period_end, "
    "amount, tax, currency, status, paid_at from staging.stg_billing__invoices order by invoice_id"
)


def _typed_invoices(csv_path: Path) -> pa.Table:
    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    issued = pd.to_datetime(df["issued_at"], utc=True, format="ISO8601", errors="coerce")
    paid = pd.to_datetime(
        df["paid_at"].replace("", None), utc=True, format="ISO8601", errors="coerce"
    )
    return pa.table(
        {
            "invoice_id": pa.array(df["invoice_id"]),
            "customer_id": pa.array(df["customer_id"]),
            "subscription_id": pa.array(df["subscription_id"].replace("", None)),
            # zone-aware, in another zone than UTC
            "issued_at": pa.array(
                issued.dt.tz_convert("Asia/Almaty"), pa.timestamp("us", "Asia/Almaty")
            ),
            "period_start": pa.array(
                pd.to_datetime(df["period_start"], errors="coerce").dt.date, pa.date32()
            ),
            "period_end": pa.array(
                pd.to_datetime(df["period_end"], errors="coerce").dt.date, pa.date32()
            ),
            # doubles: the writer keeps them binary; 2.38e-05 and 1e+16 print in scientific notation
            "amount": pa.array(pd.to_numeric(df["amount"], errors="coerce"), pa.float64()),
            "tax": pa.array(
                [None if t == "" else __import__("decimal").Decimal(t) for t in df["tax"]],
                pa.decimal128(18, 2),
            ),
            "currency": pa.array(df["currency"]),
            "status": pa.array(df["status"]),
            # nanosecond timestamps without a zone (UTC)
            "paid_at": pa.array(paid.dt.tz_localize(None), pa.timestamp("ns")),
        }
    )


TIMESTAMP = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?"
DECIMAL = r"-?\d+(\.\d+)?"
DATE = r"\d{4}-\d{2}-\d{2}"


def _clean_invoices(csv_path: Path) -> pd.DataFrame:
    """The generated invoices whose every field is valid (the demo plants bad ones), with two
    amounts that a double prints in scientific notation."""
    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    ok = (
        df["issued_at"].str.fullmatch(TIMESTAMP)
        & (df["paid_at"].str.fullmatch(TIMESTAMP) | (df["paid_at"] == ""))
        & df["amount"].str.fullmatch(DECIMAL)
        & df["tax"].str.fullmatch(DECIMAL)
        & df["period_start"].str.fullmatch(DATE)
        & df["period_end"].str.fullmatch(DATE)
    )
    df = df[ok].reset_index(drop=True)
    df.loc[0, "amount"] = "0.0000238"
    df.loc[1, "amount"] = "10000000000000000"
    return df


def test_typed_parquet_stages_what_the_csv_stages(small_raw_dir: Path, tmp_path: Path) -> None:
    as_csv = tmp_path / "csv"
    shutil.copytree(small_raw_dir, as_csv)
    invoices = _clean_invoices(as_csv / "billing" / "invoices.csv")
    invoices.to_csv(as_csv / "billing" / "invoices.csv", index=False)
    as_parquet = tmp_path / "parquet"
    shutil.copytree(as_csv, as_parquet)
    (as_parquet / "billing" / "invoices.csv").unlink()
    typed = _typed_invoices(as_csv / "billing" / "invoices.csv")
    assert typed.column("amount").to_pylist()[:2] == [2.38e-05, 1e16]
    pq.write_table(typed, as_parquet / "billing" / "invoices.parquet")

    select = ["run", "--select", "+stg_billing__invoices", "+quarantine"]
    from_csv = run_dbt(select, as_csv, tmp_path / "work_csv")
    from_parquet = run_dbt(select, as_parquet, tmp_path / "work_parquet")
    assert from_csv.returncode == 0, from_csv.output[-3000:]
    assert from_parquet.returncode == 0, from_parquet.output[-3000:]
    staged = from_parquet.query(STAGED)
    assert len(staged) > 10
    assert staged == from_csv.query(STAGED)
    rules = (
        "select rule, count(*) from quality.quarantine where source_table = 'invoices' "
        "group by rule order by rule"
    )
    assert from_parquet.query(rules) == from_csv.query(rules)

    # a quarantined row shows what the parser read: the zone-aware timestamp in UTC text
    quarantined = from_parquet.query(
        "select raw_row from quality.quarantine "
        "where source_table = 'invoices' and rule <> 'superseded'"
    )
    for (raw_row,) in quarantined:
        row = json.loads(raw_row)
        assert row["issued_at"].endswith("Z") and "T" in row["issued_at"], row

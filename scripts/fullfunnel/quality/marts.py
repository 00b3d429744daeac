"""Mart suites: one per public relation of contract/MARTS.md, computed on the warehouse.

The warehouse is opened READ-ONLY (`duckdb.connect(path, read_only=True)`), so the check
never takes DuckDB's write lock. Every frame is one SQL query (expectations/marts.yml):
aggregates over the whole table (keys, bridges, totals) return a few rows; the row-level
frame of a table that grows with the data reads a deterministic reservoir sample of at most
`--sample-rows` rows (`USING SAMPLE reservoir(N ROWS) REPEATABLE (42)`).

Totals are compared with numbers recomputed from the raw files (`compute_raw_facts`), read
by the gate's own in-memory DuckDB connection, never through the warehouse's landing views.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from fullfunnel.project import Project
from fullfunnel.quality.landing import LandingTable, delivered_files, file_columns
from fullfunnel.quality.landing_sql import literal, month_of_timestamp, parsed, quote, scan, trimmed
from fullfunnel.quality.spec import (
    ExpectationSpec,
    FrameSpec,
    SuiteSpec,
    expectations_from_yaml,
    load_yaml,
    render_sql,
)

PERSONAL_DATA_COLUMNS = ("email", "phone", "full_name")
DEFAULT_VAT_RATE = 0.20


def load_mart_suites(max_bad_share: float) -> list[SuiteSpec]:
    """Read `expectations/marts.yml`: one SuiteSpec per mart, with its `table` key frame."""
    data = load_yaml("marts.yml")
    suites = []
    for name, s in data["suites"].items():
        relation = str(s["relation"])
        key = [str(k) for k in s.get("key") or []]
        suite = SuiteSpec(
            name=relation,
            kind="mart",
            table=relation,
            description=f"{relation}: one row per {s.get('grain', name)} (contract/MARTS.md)",
            key=key,
            extra={"nullable_key": [str(k) for k in s.get("nullable_key") or []]},
        )
        if key:
            suite.frames.append(_key_frame(relation, key, suite.extra["nullable_key"]))
        for frame_name, f in s["frames"].items():
            expectations = expectations_from_yaml(f.get("expectations") or [])
            for e in expectations:
                e.kwargs = {
                    k: (max_bad_share if v == "{max_bad_share}" else v) for k, v in e.kwargs.items()
                }
            suite.frames.append(
                FrameSpec(
                    name=str(frame_name),
                    scope="sample" if f.get("sample") else "full",
                    sql=str(f["sql"]),
                    id_columns=[str(c) for c in f.get("id_columns") or []],
                    expectations=expectations,
                    sample=bool(f.get("sample", False)),
                )
            )
        suites.append(suite)
    return suites


def _key_frame(relation: str, key: list[str], nullable: list[str]) -> FrameSpec:
    """The `table` frame of a mart: rows, repeated and NULL keys, personal data columns."""
    schema, name = relation.split(".", 1)
    key_cols = ", ".join(quote(k) for k in key)
    key_text = (
        "concat_ws(' | ', "
        + ", ".join(f"coalesce(cast({quote(k)} as varchar), 'NULL')" for k in key)
        + ")"
    )
    null_condition = " or ".join(f"{quote(k)} is null" for k in key if k not in nullable)
    personal = ", ".join(literal(c) for c in PERSONAL_DATA_COLUMNS)
    columns_of = (
        "from information_schema.columns "
        f"where table_schema = {literal(schema)} and table_name = {literal(name)} "
        f"and lower(column_name) in ({personal})"
    )
    sql = f"""
        with keyed as (select {key_cols}, count(*) as n from {{relation}} group by all)
        select
            (select count(*) from {{relation}}) as row_count,
            coalesce(sum(n) - count(*), 0) as duplicate_key_rows,
            min({key_text} || ' (' || n || ' rows)', 5) filter (where n > 1)
                as duplicate_key_rows__examples,
            (select count(*) from {{relation}} where {null_condition or "false"}) as null_key_rows,
            (select count(*) {columns_of}) as personal_data_columns,
            (select list(column_name) {columns_of}) as personal_data_columns__examples
        from keyed
    """
    key_list = ", ".join(key)
    return FrameSpec(
        name="table",
        scope="full",
        sql=sql,
        expectations=[
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "duplicate_key_rows", "min_value": 0, "max_value": 0},
                severity="critical",
                description=f"key ({key_list}) unique",
                column=key_list,
                rule="unique_key",
            ),
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "null_key_rows", "min_value": 0, "max_value": 0},
                severity="critical",
                description=f"key ({key_list}) never NULL"
                + (f" ({', '.join(nullable)} may be NULL)" if nullable else ""),
                column=key_list,
                rule="not_null_key",
            ),
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "personal_data_columns", "min_value": 0, "max_value": 0},
                severity="critical",
                description="no lead's or customer's email, phone or name in clear text",
                rule="personal_data",
            ),
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "row_count", "min_value": 1},
                severity="warning",
                description="the relation has rows",
                rule="row_count",
            ),
        ],
    )


def staged_counts_sql(tables: list[LandingTable]) -> str:
    """Rows staged per landing table: the base models' rows without a quarantine rule."""
    parts = [
        f"select {literal(t.name)} as source_table, count(*) as staged_rows "
        f"from staging.{quote(f'base_{t.system}__{t.name}')} where quarantine_rule is null"
        for t in tables
    ]
    return "\n union all ".join(parts)


def frame_sql(
    frame: FrameSpec, relation: str, sample_rows: int, timezone: str, staged_counts: str
) -> str:
    """A mart frame's SQL with its placeholders filled in."""
    sample = (
        f"using sample reservoir({int(sample_rows)} rows) repeatable (42)"
        if frame.sample and sample_rows > 0
        else ""
    )
    return render_sql(
        frame.sql or "",
        {
            "relation": relation,
            "sample": sample,
            "tz": literal(timezone),
            "staged_counts": staged_counts,
        },
    )


def dbt_var(name: str, default: Any) -> Any:
    """A var's default from the project's dbt_project.yml, or `default`."""
    return Project.find().var(name, default)


@dataclass
class RawFactsContext:
    """What recomputing the marts' totals from the raw files needs."""

    con: duckdb.DuckDBPyConnection
    raw_dir: Path
    tables: dict[str, LandingTable]
    reporting_currency: str
    timezone: str
    vat_rate: float


def compute_raw_facts(
    ctx: RawFactsContext, quarantined: pd.DataFrame, row_counts: dict[str, int]
) -> tuple[dict[str, pa.Table], list[str]]:
    """Totals recomputed from the raw files, restricted to the rows the build staged.

    `quarantined` (source_table, landing_row_number) comes from quality.quarantine: a raw
    row is staged when it is not there (LANDING.md: raw rows = staged + quarantined). Returns
    the small frames the mart suites compare against, and notes on what could not be read.
    """
    con = ctx.con
    con.register("quarantined_input", quarantined)
    con.execute("create or replace temp table quarantined as select * from quarantined_input")
    con.unregister("quarantined_input")
    notes: list[str] = []
    facts: dict[str, pa.Table] = {
        "raw_table_rows": pa.table(
            {
                "source_system": pa.array([ctx.tables[t].system for t in row_counts], pa.string()),
                "source_table": pa.array(list(row_counts), pa.string()),
                "raw_rows": pa.array([int(n) for n in row_counts.values()], pa.int64()),
            }
        )
    }

    def staged_scan(table: str, columns: dict[str, str]) -> str | None:
        """SELECT of a table's staged rows: alias -> expression over the trimmed texts."""
        t = ctx.tables[table]
        files = delivered_files(ctx.raw_dir, t)
        if len(files) != 1:
            if not t.optional or files:
                notes.append(f"raw facts: {t.file} not readable, its totals count as 0")
            return None
        present = set(file_columns(con, files))
        needed = {c.name for c in t.columns if any(quote(c.name) in e for e in columns.values())}
        if not needed <= present:
            notes.append(f"raw facts: {t.file} lacks {sorted(needed - present)}, totals as 0")
            return None
        select = ", ".join(f"{expr} as {alias}" for alias, expr in columns.items())
        return (
            f"select {select} from {scan(files)} as src where not exists ("
            f"select 1 from quarantined as q where q.source_table = {literal(table)} "
            "and q.landing_row_number = src._row)"
        )

    def text(name: str) -> str:
        return trimmed(quote(name))

    def value(name: str, landing_type: str) -> str:
        return parsed(text(name), landing_type)

    fx = staged_scan(
        "fx_rates",
        {
            "currency": text("currency"),
            "rate_date": value("date", "date"),
            "rate": value("rate", "decimal"),
        },
    )
    con.execute(
        "create or replace temp table staged_fx as "
        + (
            f"select * from ({fx}) where currency <> {literal(ctx.reporting_currency)}"
            if fx
            else "select null::varchar as currency, null::date as rate_date, null::double as rate "
            "where false"
        )
    )
    reporting = literal(ctx.reporting_currency)

    def converted(sql: str, dated: str) -> str:
        """Rows of `sql` with `rate`: 1 in the reporting currency, else the staged rate on or
        before `dated` (a DATE column of `sql`)."""
        return (
            f"select r.*, case when r.currency = {reporting} then 1.0 else fx.rate end as rate "
            f"from ({sql}) as r asof left join staged_fx as fx "
            f"on r.currency = fx.currency and r.{dated} >= fx.rate_date"
        )

    ads = []
    for platform, table, cols in (
        (
            "google_ads",
            "google_ads__campaign_stats",
            {
                "day": value("date", "date"),
                "spend_original": f"{value('cost_micros', 'integer')} / 1000000.0",
                "currency": text("currency_code"),
                "impressions": value("impressions", "integer"),
                "clicks": value("clicks", "integer"),
            },
        ),
        (
            "meta_ads",
            "meta_ads__ads_insights",
            {
                "day": value("date_start", "date"),
                "spend_original": value("spend", "decimal"),
                "currency": text("account_currency"),
                "impressions": value("impressions", "integer"),
                "clicks": value("clicks", "integer"),
            },
        ),
        (
            "yandex_direct",
            "yandex_direct__campaign_report",
            {
                "day": value("Date", "date"),
                "spend_original": f"{value('Cost', 'decimal')} / (1 + {float(ctx.vat_rate)!r})",
                "currency": text("Currency"),
                "impressions": value("Impressions", "integer"),
                "clicks": value("Clicks", "integer"),
            },
        ),
    ):
        sql = staged_scan(table, cols)
        if sql:
            ads.append(f"select {literal(platform)} as ad_platform, * from ({sql})")
    facts["raw_ad_spend_monthly"] = _query(
        con,
        (
            "select ad_platform, cast(date_trunc('month', day) as date) as month, "
            "count(*) as rows, sum(spend_original * rate) as spend, "
            "sum(spend_original) as spend_original, sum(impressions) as impressions, "
            f"sum(clicks) as clicks from ({converted(' union all '.join(ads), 'day')}) "
            "group by all"
        )
        if ads
        else None,
        "ad_platform varchar, month date, rows bigint, spend double, spend_original double, "
        "impressions hugeint, clicks hugeint",
    )

    sessions = staged_scan("sessions", {"started_at": value("started_at", "timestamp")})
    facts["raw_sessions_monthly"] = _query(
        con,
        f"select {month_of_timestamp('started_at', ctx.timezone)} as month, count(*) as sessions "
        f"from ({sessions}) group by 1"
        if sessions
        else None,
        "month date, sessions bigint",
    )

    invoices = staged_scan(
        "invoices",
        {
            "issued_date": f"cast({value('issued_at', 'timestamp')} as date)",
            "paid_at": value("paid_at", "timestamp"),
            "amount": value("amount", "decimal"),
            "currency": text("currency"),
            "status": f"lower({text('status')})",
        },
    )
    refunds = staged_scan(
        "refunds",
        {
            "refunded_at": value("refunded_at", "timestamp"),
            "refund_date": f"cast({value('refunded_at', 'timestamp')} as date)",
            "amount": value("amount", "decimal"),
            "currency": text("currency"),
        },
    )
    events = []
    if invoices:
        paid = f"select * from ({invoices}) where status = 'paid' and paid_at is not null"
        paid_month = month_of_timestamp("paid_at", ctx.timezone)
        events.append(
            f"select {paid_month} as month, amount * rate as amount "
            f"from ({converted(paid, 'issued_date')})"
        )
    if refunds:
        events.append(
            f"select {month_of_timestamp('refunded_at', ctx.timezone)} as month, "
            f"-amount * rate as amount from ({converted(refunds, 'refund_date')})"
        )
    facts["raw_revenue_monthly"] = _query(
        con,
        f"select month, sum(amount) as revenue from ({' union all '.join(events)}) group by 1"
        if events
        else None,
        "month date, revenue double",
    )

    costs = staged_scan(
        "marketing_costs",
        {
            "month": value("month", "month"),
            "amount": value("amount", "decimal"),
            "currency": text("currency"),
        },
    )
    facts["raw_marketing_costs_monthly"] = _query(
        con,
        f"select month, sum(amount * rate) as amount from ({converted(costs, 'month')}) group by 1"
        if costs
        else None,
        "month date, amount double",
    )
    return facts, notes


def _query(con: duckdb.DuckDBPyConnection, sql: str | None, columns: str) -> pa.Table:
    """The result of `sql` as an Arrow table (types kept); empty with `columns` (a column
    list with types) when there is no SQL."""
    if sql is None:
        con.execute(f"create or replace temp table empty_fact ({columns})")
        sql = "select * from empty_fact"
    return con.sql(sql).to_arrow_table()

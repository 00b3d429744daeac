"""Landing suites: one per table of contract/LANDING.md, computed on the raw files.

The files are read by a separate in-memory DuckDB connection, every column as text
(`read_csv(..., all_varchar = true)`; Parquet columns cast to text), as the contract says.
Each table costs at most three streaming scans of its file, whatever its size:

1. `table` frame (scope `full`): one aggregate query over the whole file (row count,
   min/max of every date and timestamp column, rows whose amount has no FX rate on or
   before their date), plus one `GROUP BY key` query for repeated keys. DuckDB computes them
   with a memory limit and spills to disk; GE validates the one-row result.
2. `rows` frame (scope `sample`): a deterministic reservoir sample of at most
   `sample_rows` rows (`USING SAMPLE reservoir(N ROWS) REPEATABLE (42)`; the whole file when
   it is smaller), trimmed, lower-cased where a closed list applies, and parsed; GE checks
   it row by row (`missing`, `unparseable`, `negative`, `unknown_value`,
   `unknown_currency`). A rule's `critical` expectation allows `max_bad_share` of breaking
   rows (`mostly`), its `warning` twin none.

The expectations are generated from the landing contract (contract/landing.yml) and the
gate's settings, severities and extra checks in `expectations/landing.yml`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from fullfunnel.quality.landing_sql import literal, parsed, quote, scan, trimmed
from fullfunnel.quality.spec import (
    ExpectationSpec,
    FrameSpec,
    SuiteSpec,
    expectations_from_yaml,
    load_yaml,
)

TEMPORAL_TYPES = ("date", "month", "timestamp")


@dataclass
class LandingColumn:
    """One contract column of a landing table."""

    name: str
    type: str
    required: bool = False
    non_negative: bool = False
    positive: bool = False
    closed_list: list[str] | None = None
    currency: bool = False
    nullable_key: bool = False


@dataclass
class LandingTable:
    """One landing table of the contract, with the gate's severities and extra checks."""

    name: str
    file: str
    columns: list[LandingColumn]
    key: list[str]
    optional: bool = False
    repeated_keys: str = "critical"
    fx: dict[str, Any] | None = None
    currency_format_only: bool = False
    future_dates_allowed: bool = False
    extra: list[dict[str, Any]] = field(default_factory=list)
    dated_by: str | None = None  # the column that dates the row (contract `dated_by`)

    @property
    def system(self) -> str:
        """The source system: the folder under raw_dir."""
        return self.file.split("/")[0]

    def column(self, name: str) -> LandingColumn:
        """The contract column called `name`."""
        return next(c for c in self.columns if c.name == name)

    def is_required(self, column: LandingColumn) -> bool:
        """LANDING.md rule 1: a key column (unless nullable) or a required value."""
        return column.required or (column.name in self.key and not column.nullable_key)


@dataclass
class LandingSettings:
    """The gate's settings for landing data (`settings` of landing.yml)."""

    max_bad_share: float
    min_ratio: float
    max_ratio: float
    date_min: datetime
    date_max: datetime
    future_slack_days: float
    click_id_sources: list[str]


def load_landing() -> tuple[LandingSettings, list[LandingTable]]:
    """The settings of `expectations/landing.yml` and the 15 landing tables of the contract
    (contract/landing.yml), with the gate's own per-table severities and extra checks."""
    from fullfunnel.contract import load_contract
    from fullfunnel.project import Project

    project = Project.find()
    data = load_yaml("landing.yml")
    s = data["settings"]
    gate_tables = data.get("tables") or {}
    contract = load_contract(project.root)
    unknown = set(gate_tables) - {t.name for t in contract.tables}
    if unknown:
        raise ValueError(f"expectations/landing.yml: tables not in the contract: {sorted(unknown)}")
    settings = LandingSettings(
        max_bad_share=float(project.var("quarantine_max_share", 0.05)),
        min_ratio=float(s["row_count_band"]["min_ratio"]),
        max_ratio=float(s["row_count_band"]["max_ratio"]),
        date_min=datetime.fromisoformat(str(s["date_range"]["min"])),
        date_max=datetime.fromisoformat(str(s["date_range"]["max"])),
        future_slack_days=float(s["future_slack_days"]),
        click_id_sources=sorted(project.var("click_id_sources", {})),
    )
    tables = []
    for t in contract.tables:
        gate = gate_tables.get(t.name) or {}
        columns = []
        for c in t.columns:
            closed = c.closed_list
            if isinstance(closed, str):  # the name of a dbt var: its keys
                closed = sorted(project.var(closed, {}))
            columns.append(
                LandingColumn(
                    name=c.name,
                    type=c.type,
                    required=c.required,
                    non_negative=c.non_negative,
                    positive=c.positive,
                    closed_list=[str(v).lower() for v in closed] if closed else None,
                    currency=c.currency,
                    nullable_key=c.nullable_key,
                )
            )
        tables.append(
            LandingTable(
                name=t.name,
                file=t.file,
                columns=columns,
                key=list(t.key),
                optional=t.optional,
                repeated_keys=str(gate.get("repeated_keys", "critical")),
                fx=t.fx,
                currency_format_only=t.currency_format_only,
                future_dates_allowed=bool(gate.get("future_dates_allowed", False)),
                extra=list(gate.get("extra") or []),
                dated_by=t.dated_by,
            )
        )
    return settings, tables


@dataclass
class LandingContext:
    """What every landing suite of one run shares."""

    raw_dir: Path
    con: duckdb.DuckDBPyConnection
    settings: LandingSettings
    reporting_currency: str
    sample_rows: int
    previous_counts: dict[str, int]
    now: datetime
    known_currencies: list[str] = field(default_factory=list)


@dataclass
class ComputedFrame:
    """A frame's spec, its DataFrame and how it was computed (for the report)."""

    spec: FrameSpec
    df: pd.DataFrame
    note: str


def delivered_files(raw_dir: Path, table: LandingTable) -> list[Path]:
    """The table's files present under raw_dir (`.csv` and/or `.parquet`)."""
    stem = raw_dir / table.file
    return [p for p in (stem.with_suffix(".csv"), stem.with_suffix(".parquet")) if p.is_file()]


def file_columns(con: duckdb.DuckDBPyConnection, files: list[Path]) -> list[str]:
    """The column names of a landing file, as its header spells them."""
    rows = con.execute(f"describe select * from {scan(files)}").fetchall()
    return [r[0] for r in rows if r[0] != "_row"]


def prepare_fx(ctx: LandingContext, tables: list[LandingTable]) -> None:
    """Register `fx_first_rate` (currency, first_rate_date) from the valid fx_rates rows.

    A currency is known (LANDING.md rule 5) when it is the reporting currency or the
    currency of an fx_rates row that passes the contract's checks; an amount has a rate
    (rule 6) when its currency's first valid rate is dated on or before the row's date.
    """
    fx = next(t for t in tables if t.name == "fx_rates")
    files = delivered_files(ctx.raw_dir, fx)
    d, c, r = trimmed(quote("date")), trimmed(quote("currency")), trimmed(quote("rate"))
    try:
        if len(files) != 1 or not {"date", "currency", "rate"} <= set(file_columns(ctx.con, files)):
            raise LookupError("no single readable fx_rates file")
        ctx.con.execute(
            f"""
            create or replace temp table fx_first_rate as
            with parsed as (
                select {parsed(d, "date")} as rate_date, {c} as currency,
                    {parsed(r, "decimal")} as rate
                from {scan(files)}
            )
            select currency, min(rate_date) as first_rate_date
            from parsed
            where rate_date is not null and rate is not null and rate >= 0
                and regexp_full_match(currency, '[A-Z]{{3}}')
                and currency <> {literal(ctx.reporting_currency)}
            group by currency
            """
        )
    except (duckdb.Error, LookupError):  # the fx_rates suite reports the file's problem
        ctx.con.execute(
            "create or replace temp table fx_first_rate (currency varchar, first_rate_date date)"
        )
    known = {r[0] for r in ctx.con.execute("select currency from fx_first_rate").fetchall()}
    ctx.known_currencies = sorted(known | {ctx.reporting_currency})


def build_landing_suite(
    ctx: LandingContext, table: LandingTable
) -> tuple[SuiteSpec, list[ComputedFrame]]:
    """Compute the frames of one landing table and the expectations they must meet."""
    files = delivered_files(ctx.raw_dir, table)
    suite = SuiteSpec(
        name=f"landing.{table.name}",
        kind="landing",
        table=f"{table.file}.csv" if not files else str(files[0].relative_to(ctx.raw_dir)),
        description=f"landing file {table.file} (contract/LANDING.md)",
        key=list(table.key),
    )
    table_frame = FrameSpec(name="table", scope="full")
    expected_files = "at most one file" if table.optional else "exactly one file"
    table_frame.expectations.append(
        ExpectationSpec(
            type="column_values_to_be_between",
            kwargs={
                "column": "file_count",
                "min_value": 0 if table.optional else 1,
                "max_value": 1,
            },
            severity="critical",
            description=f"{expected_files}: {table.file}.csv or {table.file}.parquet",
            rule="file",
        )
    )
    values: dict[str, Any] = {
        "file_count": len(files),
        "file_count__examples": [str(p.relative_to(ctx.raw_dir)) for p in files]
        or [f"{table.file}.csv: missing"],
    }
    if len(files) != 1:
        note = "no file" if not files else "two files: nothing else checked"
        if not files and table.optional:
            note = "optional file absent: this source is not used"
        return suite, [ComputedFrame(table_frame, pd.DataFrame([values]), note)]

    present = file_columns(ctx.con, files)
    columns = [c for c in table.columns if c.name in present]
    values.update(_table_aggregates(ctx, table, files, columns))
    table_frame.expectations.extend(_table_expectations(ctx, table, columns, values))

    rows_frame = FrameSpec(name="rows", scope="sample", id_columns=["_row"])
    rows_frame.expectations.extend(_row_expectations(ctx, table, columns))
    for entry in table.extra:
        frame = rows_frame if entry.get("frame", "rows") == "rows" else table_frame
        frame.expectations.extend(
            expectations_from_yaml([{k: v for k, v in entry.items() if k != "frame"}])
        )
    sample_df = _sample(ctx, table, files, columns)
    total = int(values["row_count"])
    note = (
        f"{len(sample_df)} of {total} rows (reservoir sample, seed 42)"
        if len(sample_df) < total
        else f"all {total} rows"
    )
    suite.frames = [table_frame, rows_frame]
    return suite, [
        ComputedFrame(table_frame, pd.DataFrame([values]), f"whole file, {total} rows"),
        ComputedFrame(rows_frame, sample_df, note),
    ]


def _text(column: LandingColumn) -> str:
    """The trimmed text of a column, lower-cased when a closed list applies."""
    text = trimmed(quote(column.name))
    return f"lower({text})" if column.closed_list else text


def _table_aggregates(
    ctx: LandingContext, table: LandingTable, files: list[Path], columns: list[LandingColumn]
) -> dict[str, Any]:
    """Whole-file aggregates: rows, date ranges, FX coverage and repeated keys."""
    names = {c.name for c in columns}
    select = [f"{_text(c)} as {quote(c.name)}" for c in columns]
    select += [
        f"{parsed(_text(c), c.type)} as {quote(c.name + '__value')}"
        for c in columns
        if c.type != "string"
    ]
    aggregates = ["count(*) as row_count"]
    for c in columns:
        if c.type in TEMPORAL_TYPES:
            v = quote(c.name + "__value")
            aggregates.append(f"cast(min({v}) as timestamp) as {quote(c.name + '__min')}")
            aggregates.append(f"cast(max({v}) as timestamp) as {quote(c.name + '__max')}")
    joins = ""
    fx = table.fx
    if fx and {fx["currency"], fx["dated_by"], *fx["amounts"]} <= names:
        cur = f"src.{quote(fx['currency'])}"
        dated = f"cast(src.{quote(fx['dated_by'] + '__value')} as date)"
        has_amount = " or ".join(f"src.{quote(a)} is not null" for a in fx["amounts"])
        uncovered = (
            f"{cur} is not null and {cur} <> {literal(ctx.reporting_currency)} "
            f"and {dated} is not null and ({has_amount}) "
            f"and (fx.first_rate_date is null or {dated} < fx.first_rate_date)"
        )
        joins = f"left join fx_first_rate as fx on {cur} = fx.currency"
        aggregates.append(f"count(*) filter (where {uncovered}) as rows_without_fx_rate")
        aggregates.append(
            f"min({cur} || ' on ' || cast({dated} as varchar), 5) filter (where {uncovered}) "
            "as rows_without_fx_rate__examples"
        )
    sql = (
        f"with src as (select {', '.join(select)} from {scan(files)}) "
        f"select {', '.join(aggregates)} from src {joins}"
    )
    values = _one_row(ctx.con, sql)
    if "rows_without_fx_rate" in values:
        values["share_without_fx_rate"] = _share(
            values["rows_without_fx_rate"], values["row_count"]
        )
        values["share_without_fx_rate__examples"] = values["rows_without_fx_rate__examples"]

    key_columns = [table.column(k) for k in table.key if k in names]
    if len(key_columns) == len(table.key):
        parts = [f"{parsed(_text(c), c.type)} as {quote('k_' + c.name)}" for c in key_columns]
        required = [
            f"{quote('k_' + c.name)} is not null" for c in key_columns if not c.nullable_key
        ]
        key_text = (
            "concat_ws(' | ', "
            + ", ".join(
                f"coalesce(cast({quote('k_' + c.name)} as varchar), '')" for c in key_columns
            )
            + ")"
        )
        sql = (
            f"with keys as (select {', '.join(parts)} from {scan(files)}), "
            f"keyed as (select *, count(*) as n from keys "
            f"{'where ' + ' and '.join(required) if required else ''} group by all) "
            "select coalesce(sum(n) - count(*), 0) as duplicate_key_rows, "
            f"min({key_text} || ' (' || n || ' rows)', 5) filter (where n > 1) "
            "as duplicate_key_rows__examples from keyed"
        )
        values.update(_one_row(ctx.con, sql))
        values["duplicate_key_share"] = _share(values["duplicate_key_rows"], values["row_count"])
        values["duplicate_key_share__examples"] = values["duplicate_key_rows__examples"]
    return values


def _table_expectations(
    ctx: LandingContext,
    table: LandingTable,
    columns: list[LandingColumn],
    values: dict[str, Any],
) -> list[ExpectationSpec]:
    """Expectations on the whole-file aggregates of one table."""
    s = ctx.settings
    out: list[ExpectationSpec] = []
    previous = ctx.previous_counts.get(table.name)
    if previous is None:
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "row_count", "min_value": 0},
                severity="critical",
                description="row count within a band of the last passing run",
                notes="first run: no previous row count stored; the band applies from the next run",
                rule="row_count_band",
            )
        )
    else:
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "row_count", "min_value": math.floor(previous * s.min_ratio)},
                severity="critical",
                description=(
                    f"row count not below {s.min_ratio:g} x the last passing run ({previous} rows)"
                ),
                rule="row_count_band",
            )
        )
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "row_count", "max_value": math.ceil(previous * s.max_ratio)},
                severity="warning",
                description=(
                    f"row count not above {s.max_ratio:g} x the last passing run ({previous} rows)"
                ),
                rule="row_count_band",
            )
        )
    if not table.optional:
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "row_count", "min_value": 1},
                severity="warning",
                description="the file has rows",
                rule="row_count",
            )
        )
    if "duplicate_key_rows" in values:
        key = ", ".join(table.key)
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "duplicate_key_share", "max_value": s.max_bad_share},
                severity=table.repeated_keys,
                description=(
                    f"key ({key}) unique: repeated keys at most {s.max_bad_share:g} of the rows"
                ),
                column=key,
                rule="unique_key",
                notes=(
                    "ad platforms restate recent days; the last row of a key wins"
                    if table.repeated_keys == "warning"
                    else None
                ),
            )
        )
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "duplicate_key_rows", "max_value": 0},
                severity="warning",
                description=f"key ({key}) unique (earlier rows of a key: superseded)",
                column=key,
                rule="unique_key",
            )
        )
    for c in columns:
        if c.type not in TEMPORAL_TYPES:
            continue
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": f"{c.name}__min", "min_value": s.date_min},
                severity="critical",
                description=f"{c.name}: earliest value not before {s.date_min.date()}",
                column=c.name,
                rule="range",
            )
        )
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": f"{c.name}__max", "max_value": s.date_max},
                severity="critical",
                description=f"{c.name}: latest value before {s.date_max.date()}",
                column=c.name,
                rule="range",
            )
        )
        if c.name == table.dated_by and not table.future_dates_allowed:
            limit = (ctx.now + timedelta(days=s.future_slack_days)).replace(microsecond=0)
            out.append(
                ExpectationSpec(
                    type="column_values_to_be_between",
                    kwargs={"column": f"{c.name}__max", "max_value": limit},
                    severity="warning",
                    description=f"{c.name}: no event in the future (after {limit.isoformat()} UTC)",
                    column=c.name,
                    rule="range",
                )
            )
    if "rows_without_fx_rate" in values:
        assert table.fx is not None
        cur = table.fx["currency"]
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "share_without_fx_rate", "max_value": s.max_bad_share},
                severity="critical",
                description=(
                    f"{cur}: FX coverage, rows whose currency has no rate on or before "
                    f"{table.fx['dated_by']} at most {s.max_bad_share:g} of the rows"
                ),
                column=cur,
                rule="no_fx_rate",
            )
        )
        out.append(
            ExpectationSpec(
                type="column_values_to_be_between",
                kwargs={"column": "rows_without_fx_rate", "max_value": 0},
                severity="warning",
                description=(
                    f"{cur}: FX coverage, every amount has a rate on or before its date "
                    f"(else quarantined as unknown_currency / no_fx_rate:{cur})"
                ),
                column=cur,
                rule="no_fx_rate",
            )
        )
    return out


def _both_levels(
    ctx: LandingContext, type_: str, kwargs: dict[str, Any], column: str, rule: str, what: str
) -> list[ExpectationSpec]:
    """A row rule as a critical expectation (the build's tolerance) and a strict warning."""
    share = ctx.settings.max_bad_share
    return [
        ExpectationSpec(
            type=type_,
            kwargs={**kwargs, "mostly": round(1 - share, 6)},
            severity="critical",
            description=f"{what}: at least {1 - share:.0%} of the rows (quarantine_max_share)",
            column=column,
            rule=rule,
        ),
        ExpectationSpec(
            type=type_,
            kwargs=dict(kwargs),
            severity="warning",
            description=f"{what}: every row (else quarantined as {rule}:{column})",
            column=column,
            rule=rule,
        ),
    ]


def _row_expectations(
    ctx: LandingContext, table: LandingTable, columns: list[LandingColumn]
) -> list[ExpectationSpec]:
    """Row-level expectations of one table, checked on the sample."""
    out = [
        ExpectationSpec(
            type="column_to_exist",
            kwargs={"column": c.name},
            severity="critical",
            description=f"column {c.name} present (names are case-sensitive)",
            column=c.name,
            rule="column",
        )
        for c in table.columns
    ]
    for c in columns:
        if table.is_required(c):
            out += _both_levels(
                ctx,
                "column_values_to_not_be_null",
                {"column": c.name},
                c.name,
                "missing",
                f"{c.name} present (not empty)",
            )
    for c in columns:
        if c.type != "string":
            out += _both_levels(
                ctx,
                "column_values_to_be_null",
                {"column": f"{c.name}__unparseable"},
                c.name,
                "unparseable",
                f"{c.name} parses as {c.type}",
            )
    for c in columns:
        if c.non_negative or c.positive:
            out += _both_levels(
                ctx,
                "column_values_to_be_between",
                {"column": f"{c.name}__value", "min_value": 0, "strict_min": c.positive},
                c.name,
                "negative",
                f"{c.name} above 0" if c.positive else f"{c.name} not negative",
            )
    for c in columns:
        if c.closed_list:
            out += _both_levels(
                ctx,
                "column_values_to_be_in_set",
                {"column": c.name, "value_set": list(c.closed_list)},
                c.name,
                "unknown_value",
                f"{c.name} in its closed list (lower-cased)",
            )
    for c in columns:
        if not c.currency:
            continue
        if table.currency_format_only:
            out += _both_levels(
                ctx,
                "column_values_to_match_regex",
                {"column": c.name, "regex": "^[A-Z]{3}$"},
                c.name,
                "unknown_currency",
                f"{c.name} is three upper-case letters",
            )
        else:
            out += _both_levels(
                ctx,
                "column_values_to_be_in_set",
                {"column": c.name, "value_set": list(ctx.known_currencies)},
                c.name,
                "unknown_currency",
                f"{c.name} is the reporting currency or has fx_rates",
            )
    return out


def _sample(
    ctx: LandingContext, table: LandingTable, files: list[Path], columns: list[LandingColumn]
) -> pd.DataFrame:
    """The rows frame: a deterministic sample, trimmed and parsed."""
    select = ["_row"]
    for c in columns:
        text = _text(c)
        select.append(f"{text} as {quote(c.name)}")
        if c.type != "string":
            value = parsed(text, c.type)
            select.append(f"{value} as {quote(c.name + '__value')}")
            select.append(
                f"case when {value} is null then {text} end as {quote(c.name + '__unparseable')}"
            )
    sample = (
        f" using sample reservoir({int(ctx.sample_rows)} rows) repeatable (42)"
        if ctx.sample_rows > 0
        else ""
    )
    sql = f"select {', '.join(select)} from {scan(files)} as src{sample} order by _row"
    return ctx.con.execute(sql).df()


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """The single row of an aggregate query, as a dict."""
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    row = cur.fetchall()[0]
    return dict(zip(names, row, strict=True))


def _share(part: Any, whole: Any) -> float:
    """part / whole, 0 when whole is 0."""
    return float(part or 0) / float(whole) if whole else 0.0

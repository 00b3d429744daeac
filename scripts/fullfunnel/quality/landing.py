"""Landing suites: one per table of contract/LANDING.md, computed on the raw files.

The files are read by a separate in-memory DuckDB connection, every column as text
(`read_csv(..., all_varchar = true)`; Parquet columns cast to text), as the contract says.
Each table costs two streaming scans of its file, whatever its size: one aggregate query
over the whole file (row count; rows breaking each row rule, `missing`, `unparseable`,
`negative`, `unknown_value`, `unknown_currency`, with a few examples; min/max of every date
and timestamp column; rows whose amount has no FX rate on or before their date), and one
`GROUP BY key` query for repeated keys. DuckDB computes them with a memory limit and spills
to disk; GE validates the one-row result. A rule's `critical` expectation allows
`quarantine_max_share` of breaking rows, as the build does, its `warning` twin none.

The expectations are generated from the landing contract (contract/landing.yml) and the
gate's settings, severities and extra checks in `expectations/landing.yml`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from fullfunnel.contract import Column, Table, load_contract
from fullfunnel.project import Project
from fullfunnel.quality.gx_runner import MAX_EXAMPLES
from fullfunnel.quality.landing_sql import literal, parsed, quote, scan, trimmed
from fullfunnel.quality.spec import ExpectationSpec, FrameSpec, SuiteSpec, load_yaml

TEMPORAL_TYPES = ("date", "month", "timestamp")


@dataclass
class LandingSettings:
    """The gate's settings for landing data (`settings` of landing.yml), its per-table
    severities and extra checks (`tables`), and the closed lists kept in dbt vars."""

    max_bad_share: float
    min_ratio: float
    max_ratio: float
    date_min: datetime
    date_max: datetime
    future_slack_days: float
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    var_lists: dict[str, list[str]] = field(default_factory=dict)  # dbt var -> its keys

    def table(self, table: Table) -> dict[str, Any]:
        """The gate's settings of one table (repeated_keys, future_dates_allowed, extra)."""
        return self.tables.get(table.name) or {}

    def closed_values(self, column: Column) -> list[str] | None:
        """A column's closed list, lower-cased (a dbt var's list: its keys)."""
        if column.closed_list is None:
            return None
        if isinstance(column.closed_list, str):  # a dbt var's name
            return [v.lower() for v in self.var_lists[column.closed_list]]
        return [str(v).lower() for v in column.closed_list]


def load_landing() -> tuple[LandingSettings, list[Table]]:
    """The gate's settings (`expectations/landing.yml`, dbt vars) and the 15 landing tables
    of the contract (contract/landing.yml)."""
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
        tables=gate_tables,
        var_lists={
            c.closed_list: sorted(project.var(c.closed_list, {}))
            for table in contract.tables
            for c in table.columns
            if isinstance(c.closed_list, str)
        },
    )
    return settings, list(contract.tables)


def is_required(table: Table, column: Column) -> bool:
    """LANDING.md rule 1: a key column (unless nullable) or a required value."""
    return column.required or (column.name in table.key and not column.nullable_key)


@dataclass
class LandingContext:
    """What every landing suite of one run shares."""

    raw_dir: Path
    con: duckdb.DuckDBPyConnection
    settings: LandingSettings
    reporting_currency: str
    previous_counts: dict[str, int]
    now: datetime
    known_currencies: list[str] = field(default_factory=list)


@dataclass
class ComputedFrame:
    """A frame's spec, its DataFrame and how it was computed (for the report)."""

    spec: FrameSpec
    df: pd.DataFrame
    note: str


def delivered_files(raw_dir: Path, table: Table) -> list[Path]:
    """The table's files present under raw_dir (`.csv` and/or `.parquet`)."""
    stem = raw_dir / table.file
    return [p for p in (stem.with_suffix(".csv"), stem.with_suffix(".parquet")) if p.is_file()]


def file_columns(con: duckdb.DuckDBPyConnection, files: list[Path]) -> list[str]:
    """The column names of a landing file, as its header spells them."""
    rows = con.execute(f"describe select * from {scan(files)}").fetchall()
    return [r[0] for r in rows if r[0] != "_row"]


def prepare_fx(ctx: LandingContext, tables: list[Table]) -> None:
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


def build_landing_suite(ctx: LandingContext, table: Table) -> tuple[SuiteSpec, ComputedFrame]:
    """Compute the frame of one landing table and the expectations it must meet."""
    files = delivered_files(ctx.raw_dir, table)
    suite = SuiteSpec(
        name=f"landing.{table.name}",
        kind="landing",
        table=f"{table.file}.csv" if not files else str(files[0].relative_to(ctx.raw_dir)),
        description=f"landing file {table.file} (contract/landing.yml)",
    )
    frame = FrameSpec(name="table", scope="full")
    expected_files = "at most one file" if table.optional else "exactly one file"
    frame.expectations.append(
        _expect(
            "file_count",
            "critical",
            f"{expected_files}: {table.file}.csv or {table.file}.parquet",
            "file",
            min_value=0 if table.optional else 1,
            max_value=1,
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
        return suite, ComputedFrame(frame, pd.DataFrame([values]), note)

    present = file_columns(ctx.con, files)
    columns = [c for c in table.columns if c.name in present]
    for c in table.columns:
        values[f"{c.name}__present"] = int(c.name in present)
        frame.expectations.append(
            _expect(
                f"{c.name}__present",
                "critical",
                f"column {c.name} present (names are case-sensitive)",
                "column",
                column=c.name,
                min_value=1,
            )
        )
    rules = _row_rules(ctx, table, columns)
    values.update(_table_aggregates(ctx, table, files, columns, rules))
    frame.expectations.extend(_table_expectations(ctx, table, columns, values))
    for column, rule, _broken, what in rules:
        frame.expectations.extend(_both_levels(ctx, column, rule, what))
    suite.frames = [frame]
    note = f"whole file, {values['row_count']} rows"
    return suite, ComputedFrame(frame, pd.DataFrame([values]), note)


def _expect(
    value: str,
    severity: str,
    description: str,
    rule: str,
    column: str | None = None,
    notes: str | None = None,
    **bounds: Any,
) -> ExpectationSpec:
    """`value` (a column of the one-row frame) within `bounds` (min_value, max_value)."""
    return ExpectationSpec(
        type="column_values_to_be_between",
        kwargs={"column": value, **bounds},
        severity=severity,
        description=description,
        column=column,
        rule=rule,
        notes=notes,
    )


def _text(column: Column) -> str:
    """The trimmed text of a column, lower-cased when a closed list applies."""
    text = trimmed(quote(column.name))
    return f"lower({text})" if column.closed_list is not None else text


def _row_rules(
    ctx: LandingContext, table: Table, columns: list[Column]
) -> list[tuple[str, str, str, str]]:
    """Every row rule of the contract on the columns present, and the gate's own
    plausibility checks: (column, rule, SQL true on a breaking row, what the rule wants)."""
    rules = []
    for c in columns:
        text, value = quote(c.name), quote(c.name + "__value")
        if is_required(table, c):
            rules.append((c.name, "missing", f"{text} is null", f"{c.name} present (not empty)"))
        if c.type != "string":
            broken = f"{text} is not null and {value} is null"
            rules.append((c.name, "unparseable", broken, f"{c.name} parses as {c.type}"))
        if c.non_negative or c.positive:
            above = "above 0" if c.positive else "not negative"
            broken = f"{value} <= 0" if c.positive else f"{value} < 0"
            rules.append((c.name, "negative", broken, f"{c.name} {above}"))
        closed = ctx.settings.closed_values(c)
        if closed:
            broken = f"{text} not in ({', '.join(literal(v) for v in closed)})"
            what = f"{c.name} in its closed list (lower-cased)"
            rules.append((c.name, "unknown_value", broken, what))
        if c.currency and table.currency_format_only:
            broken = f"not regexp_full_match({text}, '[A-Z]{{3}}')"
            what = f"{c.name} is three upper-case letters"
            rules.append((c.name, "unknown_currency", broken, what))
        elif c.currency:
            broken = f"{text} not in ({', '.join(literal(v) for v in ctx.known_currencies)})"
            what = f"{c.name} is the reporting currency or has fx_rates"
            rules.append((c.name, "unknown_currency", broken, what))
    for extra in ctx.settings.table(table).get("extra") or []:
        rules.append((extra["column"], "plausible", extra["broken_when"], extra["description"]))
    return rules


def _table_aggregates(
    ctx: LandingContext,
    table: Table,
    files: list[Path],
    columns: list[Column],
    rules: list[tuple[str, str, str, str]],
) -> dict[str, Any]:
    """Whole-file aggregates: rows, rows breaking each rule (with examples), date ranges,
    FX coverage and repeated keys."""
    names = {c.name for c in columns}
    select = ["_row"] + [f"{_text(c)} as {quote(c.name)}" for c in columns]
    select += [
        f"{parsed(_text(c), c.type)} as {quote(c.name + '__value')}"
        for c in columns
        if c.type != "string"
    ]
    aggregates = ["count(*) as row_count"]
    for column, rule, broken, _what in rules:
        shown = f"coalesce(cast(src.{quote(column)} as varchar), '(empty)')"
        aggregates.append(f"count(*) filter (where {broken}) as {quote(f'{column}__{rule}')}")
        aggregates.append(
            f"min('row ' || src._row || ': ' || {shown}, {MAX_EXAMPLES}) filter (where {broken})"
            f" as {quote(f'{column}__{rule}__examples')}"
        )
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
            f"and (fx.fx_first_rate_date is null or {dated} < fx.fx_first_rate_date)"
        )
        # the rate's columns renamed: a rule's unqualified column must not be ambiguous
        joins = (
            "left join (select currency as fx_currency, first_rate_date as fx_first_rate_date "
            f"from fx_first_rate) as fx on {cur} = fx.fx_currency"
        )
        aggregates.append(f"count(*) filter (where {uncovered}) as rows_without_fx_rate")
        aggregates.append(
            f"min({cur} || ' on ' || cast({dated} as varchar), {MAX_EXAMPLES}) "
            f"filter (where {uncovered}) "
            "as rows_without_fx_rate__examples"
        )
    sql = (
        f"with src as (select {', '.join(select)} from {scan(files)}) "
        f"select {', '.join(aggregates)} from src {joins}"
    )
    values = _one_row(ctx.con, sql)
    for column, rule, _broken, _what in rules:
        name = f"{column}__{rule}"
        values[f"{name}_share"] = _share(values[name], values["row_count"])
        values[f"{name}_share__examples"] = values[f"{name}__examples"]
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
    table: Table,
    columns: list[Column],
    values: dict[str, Any],
) -> list[ExpectationSpec]:
    """Expectations on the whole-file aggregates of one table: the row-count band, keys,
    date ranges and FX coverage."""
    s, gate = ctx.settings, ctx.settings.table(table)
    previous = ctx.previous_counts.get(table.name)
    band = "row_count_band"
    if previous is None:
        first = "first run: no previous row count stored; the band applies from the next run"
        out = [
            _expect(
                "row_count",
                "critical",
                "row count within a band of the last passing run",
                band,
                notes=first,
                min_value=0,
            )
        ]
    else:
        out = [
            _expect(
                "row_count",
                "critical",
                f"row count not below {s.min_ratio:g} x the last passing run ({previous} rows)",
                band,
                min_value=math.floor(previous * s.min_ratio),
            ),
            _expect(
                "row_count",
                "warning",
                f"row count not above {s.max_ratio:g} x the last passing run ({previous} rows)",
                band,
                max_value=math.ceil(previous * s.max_ratio),
            ),
        ]
    if not table.optional:
        out.append(_expect("row_count", "warning", "the file has rows", "row_count", min_value=1))
    if "duplicate_key_rows" in values:
        key = ", ".join(table.key)
        repeated_keys = str(gate.get("repeated_keys", "critical"))
        restated = "ad platforms restate recent days; the last row of a key wins"
        out += [
            _expect(
                "duplicate_key_share",
                repeated_keys,
                f"key ({key}) unique: repeated keys at most {s.max_bad_share:g} of the rows",
                "unique_key",
                column=key,
                max_value=s.max_bad_share,
                notes=restated if repeated_keys == "warning" else None,
            ),
            _expect(
                "duplicate_key_rows",
                "warning",
                f"key ({key}) unique (earlier rows of a key: superseded)",
                "unique_key",
                column=key,
                max_value=0,
            ),
        ]
    for c in columns:
        if c.type not in TEMPORAL_TYPES:
            continue
        low, high = f"{c.name}__min", f"{c.name}__max"
        out += [
            _expect(
                low,
                "critical",
                f"{c.name}: earliest value not before {s.date_min.date()}",
                "range",
                column=c.name,
                min_value=s.date_min,
            ),
            _expect(
                high,
                "critical",
                f"{c.name}: latest value before {s.date_max.date()}",
                "range",
                column=c.name,
                max_value=s.date_max,
            ),
        ]
        if c.name == table.dated_by and not gate.get("future_dates_allowed", False):
            limit = (ctx.now + timedelta(days=s.future_slack_days)).replace(microsecond=0)
            out.append(
                _expect(
                    high,
                    "warning",
                    f"{c.name}: no event in the future (after {limit.isoformat()} UTC)",
                    "range",
                    column=c.name,
                    max_value=limit,
                )
            )
    if "rows_without_fx_rate" in values:
        assert table.fx is not None
        cur, dated = table.fx["currency"], table.fx["dated_by"]
        out += [
            _expect(
                "share_without_fx_rate",
                "critical",
                f"{cur}: FX coverage, rows whose currency has no rate on or before {dated} at "
                f"most {s.max_bad_share:g} of the rows",
                "no_fx_rate",
                column=cur,
                max_value=s.max_bad_share,
            ),
            _expect(
                "rows_without_fx_rate",
                "warning",
                f"{cur}: FX coverage, every amount has a rate on or before its date (else "
                f"quarantined as unknown_currency / no_fx_rate:{cur})",
                "no_fx_rate",
                column=cur,
                max_value=0,
            ),
        ]
    return out


def _both_levels(ctx: LandingContext, column: str, rule: str, what: str) -> list[ExpectationSpec]:
    """A row rule as a critical expectation (the build's tolerance: the share of breaking
    rows at most quarantine_max_share) and a strict warning (no breaking row). The gate's
    plausibility checks are warnings only."""
    share, count = f"{column}__{rule}_share", f"{column}__{rule}"
    warning = _expect(
        count,
        "warning",
        f"{what}: every row (else quarantined as {rule}:{column})",
        rule,
        column=column,
        max_value=0,
    )
    if rule == "plausible":
        return [dataclasses.replace(warning, description=f"{what}: every row")]
    s = ctx.settings.max_bad_share
    critical = _expect(
        share,
        "critical",
        f"{what}: at least {1 - s:.0%} of the rows (quarantine_max_share)",
        rule,
        column=column,
        max_value=s,
    )
    return [critical, warning]


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """The single row of an aggregate query, as a dict."""
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    row = cur.fetchall()[0]
    return dict(zip(names, row, strict=True))


def _share(part: Any, whole: Any) -> float:
    """part / whole, 0 when whole is 0."""
    return float(part or 0) / float(whole) if whole else 0.0

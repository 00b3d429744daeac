"""LANDING.md's value rules as DuckDB SQL fragments, for the raw-file side of the gate.

They restate the contract ("Valid values") independently of the build's macros: trim
spaces, tabs and line breaks (a value of only these is NULL), then parse as the column's
type or give NULL.
"""

from __future__ import annotations

from pathlib import Path

TIMESTAMP_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?"
    r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
)
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
INTEGER_PATTERN = r"-?[0-9]+"
DECIMAL_PATTERN = r"-?[0-9]+([.][0-9]+)?"


def quote(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def trimmed(expr: str) -> str:
    """The text with surrounding blanks removed; NULL when nothing is left."""
    return f"nullif(trim({expr}, ' ' || chr(9) || chr(10) || chr(13)), '')"


def parsed(text: str, landing_type: str) -> str:
    """The typed value of a trimmed text, NULL when it is not a valid value of the type.

    Types: string, date, month (a first day), timestamp (UTC, offsets converted), integer
    (signed 64-bit), decimal (as DOUBLE), boolean (true/false in any case).
    """
    if landing_type == "string":
        return text
    if landing_type in ("date", "month"):
        first_day = f" and right({text}, 2) = '01'" if landing_type == "month" else ""
        return (
            f"case when regexp_full_match({text}, '{DATE_PATTERN}'){first_day} "
            f"then try_cast({text} as date) end"
        )
    if landing_type == "timestamp":
        with_offset = (
            f"case when {text} like '%Z' then left({text}, length({text}) - 1) || '+00:00' "
            f"when regexp_full_match({text}, '.*[+-][0-9]{{2}}:[0-9]{{2}}') then {text} "
            f"else {text} || '+00:00' end"
        )
        return (
            f"case when regexp_full_match({text}, '{TIMESTAMP_PATTERN}') "
            f"then timezone('UTC', try_cast({with_offset} as timestamptz)) end"
        )
    if landing_type == "integer":
        return (
            f"case when regexp_full_match({text}, '{INTEGER_PATTERN}') "
            f"then try_cast({text} as bigint) end"
        )
    if landing_type == "decimal":
        return (
            f"case when regexp_full_match({text}, '{DECIMAL_PATTERN}') "
            f"then try_cast({text} as double) end"
        )
    if landing_type == "boolean":
        return f"case lower({text}) when 'true' then true when 'false' then false end"
    raise ValueError(f"unknown landing type {landing_type!r}")


def scan(files: list[Path]) -> str:
    """A FROM item that reads one landing file with every column as text, plus `_row`.

    `_row` is the row's 1-based position in the file (the build's `landing_row_number`).
    """
    path = files[0]
    if path.suffix == ".parquet":
        source = f"(select cast(columns(*) as varchar) from read_parquet({literal(str(path))}))"
    else:
        source = (
            f"read_csv({literal(str(path))}, header = true, delim = ',', quote = '\"', "
            "escape = '\"', all_varchar = true, null_padding = false)"
        )
    return f"(select row_number() over () as _row, * from {source})"

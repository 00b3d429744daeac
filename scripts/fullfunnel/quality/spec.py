"""Suite, frame and expectation specs, and the loader of the YAML files that hold them.

A *suite* is one landing table or one mart. It is validated as one or more *frames*: small
pandas DataFrames computed in DuckDB, each validated by Great Expectations against its own
list of expectations. A frame's `scope` says how it was computed:

- `full`: an aggregate over the whole table (counts, uniqueness, min/max, totals, bridges),
  computed in DuckDB; the DataFrame GE sees has one row, or one row per month / currency /
  table.
- `sample`: the table's rows, a deterministic reservoir sample of at most `--sample-rows`
  rows (`USING SAMPLE reservoir(N ROWS) REPEATABLE (42)`; the whole table when it is
  smaller), for row-level expectations.

Expectations are written in YAML as::

    - expect: column_values_to_be_between     # a GE expectation, `expect_` optional
      column: [cr2, win_rate]                 # a list expands to one expectation per column
      min_value: 0
      max_value: 1
      severity: critical                      # critical fails the run; warning does not
      description: "{column} is a rate"       # shown in Data Docs and the summary

`where: <column> <op> <value>` (op one of == != > >= < <= in; the value in YAML syntax,
e.g. `where: metric in [mrr, revenue]`) restricts an expectation to some rows (GE's
`row_condition`). Every other key is passed to the GE expectation as it is (`mostly`,
`value_set`, `regex`, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

SEVERITIES = ("critical", "warning")
# keys of a YAML expectation entry that are ours, not GE's
_OWN_KEYS = {"expect", "severity", "description", "notes", "column", "report_column", "rule"}


@dataclass
class ExpectationSpec:
    """One Great Expectations expectation with its severity and what it reports on."""

    type: str
    kwargs: dict[str, Any]
    severity: str
    description: str
    column: str | None = None
    rule: str | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.type}: severity must be one of {SEVERITIES}")
        if not self.type.startswith("expect_"):
            self.type = "expect_" + self.type


@dataclass
class FrameSpec:
    """A DataFrame to compute (SQL for mart frames) and the expectations it must meet."""

    name: str
    scope: str  # "full" | "sample"
    expectations: list[ExpectationSpec] = field(default_factory=list)
    sql: str | None = None
    id_columns: list[str] = field(default_factory=list)
    sample: bool = False


@dataclass
class SuiteSpec:
    """One suite: a landing table (kind `landing`) or a public mart (kind `mart`)."""

    name: str
    kind: str
    table: str
    description: str
    frames: list[FrameSpec] = field(default_factory=list)
    key: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def load_yaml(name: str) -> dict[str, Any]:
    """Read `fullfunnel/expectations/<name>` (package data)."""
    text = resources.files("fullfunnel").joinpath("expectations", name).read_text("utf-8")
    return yaml.safe_load(text)


#: lists an expectation may name instead of spelling them out (`value_set: contract:<name>`)
CONTRACT_LISTS = ("ad_platforms",)


def _contract_list(value: Any) -> Any:
    """`contract:ad_platforms` -> the ad platforms of contract/landing.yml; else `value`."""
    if isinstance(value, str) and value.startswith("contract:"):
        name = value.removeprefix("contract:")
        if name not in CONTRACT_LISTS:
            raise ValueError(f"unknown contract list {value!r} (one of {CONTRACT_LISTS})")
        from fullfunnel.contract import load_contract

        return list(getattr(load_contract(), name))
    return value


def expectations_from_yaml(entries: list[dict[str, Any]]) -> list[ExpectationSpec]:
    """Expand YAML expectation entries (a `column` list gives one expectation per column)."""
    out: list[ExpectationSpec] = []
    for entry in entries or []:
        if "expect" not in entry or "severity" not in entry:
            raise ValueError(f"expectation entry needs `expect` and `severity`: {entry}")
        columns = entry.get("column")
        column_list: list[str | None] = (
            list(columns) if isinstance(columns, list) else [columns]  # type: ignore[list-item]
        )
        kwargs_base = {k: _contract_list(v) for k, v in entry.items() if k not in _OWN_KEYS}
        for column in column_list:
            kwargs = dict(kwargs_base)
            if column is not None:
                kwargs["column"] = column
            description = str(entry.get("description") or "").replace("{column}", column or "")
            out.append(
                ExpectationSpec(
                    type=str(entry["expect"]),
                    kwargs=kwargs,
                    severity=str(entry["severity"]),
                    description=description.strip(),
                    column=entry.get("report_column", column),
                    rule=entry.get("rule"),
                    notes=entry.get("notes"),
                )
            )
    return out


_WHERE = re.compile(r"^\s*(\w+)\s*(==|!=|>=|<=|>|<|\bin\b)\s*(.+?)\s*$")


def row_condition(where: str) -> Any:
    """A GE row condition (`great_expectations.expectations.row_conditions.Column`) from
    `<column> <op> <value>`."""
    from great_expectations.expectations.row_conditions import Column

    match = _WHERE.match(where)
    if not match:
        raise ValueError(f"cannot read where: {where!r} (expected `<column> <op> <value>`)")
    name, op, raw = match.groups()
    value = yaml.safe_load(raw)
    column = Column(name)
    if op == "in":
        return column.is_in(list(value))
    return {
        "==": column.__eq__,
        "!=": column.__ne__,
        ">": column.__gt__,
        ">=": column.__ge__,
        "<": column.__lt__,
        "<=": column.__le__,
    }[op](value)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_sql(sql: str, values: dict[str, str]) -> str:
    """Replace `{name}` placeholders of known names (others are left as they are)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), sql)

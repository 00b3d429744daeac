"""Suite, frame and expectation specs, and the loader of the gate's YAML.

A *suite* is one landing table, or the dbt tests of one model. It is validated as a *frame*:
a one-row pandas DataFrame of aggregates (computed by DuckDB over a whole landing file, or
read from dbt's results), validated by Great Expectations against its expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

SEVERITIES = ("critical", "warning")


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
    """A DataFrame to compute and the expectations it must meet."""

    name: str
    scope: str  # how it was computed, e.g. "full" (over the whole file)
    expectations: list[ExpectationSpec] = field(default_factory=list)


@dataclass
class SuiteSpec:
    """One suite: a landing table (kind `landing`) or a model's dbt tests (kind `dbt`)."""

    name: str
    kind: str
    table: str
    description: str
    frames: list[FrameSpec] = field(default_factory=list)


def load_yaml(name: str) -> dict[str, Any]:
    """Read `fullfunnel/expectations/<name>` (package data)."""
    text = resources.files("fullfunnel").joinpath("expectations", name).read_text("utf-8")
    return yaml.safe_load(text)

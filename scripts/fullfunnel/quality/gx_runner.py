"""Great Expectations for the gate: an ephemeral context, one pandas datasource, one GE suite
per frame (`<suite>.<frame>`, e.g. `landing.leads.table`), validation of each DataFrame as it
is computed (`batch_parameters={"dataframe": df}`), Data Docs on the filesystem, and the
results as plain records for `check_results.json` and the summary.

GE 1.24's SQL datasource cannot compute metrics over DuckDB (DESIGN.md), so every frame is a
one-row pandas DataFrame of aggregates DuckDB computed (or of dbt's results), never a table.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from fullfunnel.quality.spec import ExpectationSpec, FrameSpec, SuiteSpec

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

MAX_EXAMPLES = 5


@dataclass
class ExpectationRecord:
    """The outcome of one expectation, as check_results.json and the summary show it."""

    suite: str
    table: str
    frame: str
    scope: str
    column: str | None
    rule: str | None
    expectation: str
    kwargs: dict[str, Any]
    description: str
    severity: str
    success: bool
    observed_value: Any
    unexpected_count: int | None
    element_count: int | None
    failing_examples: list[Any]
    exception: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {k: jsonable(v) for k, v in self.__dict__.items()}


class GxRunner:
    """One Great Expectations context for one `fullfunnel check` run."""

    def __init__(self, docs_dir: Path | None) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        for name in ("great_expectations", "great_expectations.core", "py.warnings"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.docs_dir = docs_dir
        if docs_dir is not None:
            self.context.add_data_docs_site(
                site_name="fullfunnel",
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(Path(docs_dir).resolve()),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        self.datasource = self.context.data_sources.add_pandas("fullfunnel")

    def validate(
        self, suite: SuiteSpec, frame: FrameSpec, df: pd.DataFrame, note: str
    ) -> list[ExpectationRecord]:
        """Validate one frame's DataFrame against its expectations; return the records."""
        from great_expectations.expectations.registry import get_expectation_impl

        gx = self._gx
        name = f"{suite.name}.{frame.name}"
        expectations = [
            get_expectation_impl(spec.type)(
                **spec.kwargs,
                severity=spec.severity,
                description=display_description(spec),
                notes=spec.notes,
                meta={
                    "ff_index": index,
                    "suite": suite.name,
                    "table": suite.table,
                    "column": spec.column,
                    "rule": spec.rule,
                    "severity": spec.severity,
                    "scope": note,
                },
            )
            for index, spec in enumerate(frame.expectations)
        ]
        # built whole, then stored once (adding one by one re-serialises the suite each time)
        gx_suite = self.context.suites.add(
            gx.ExpectationSuite(name=name, expectations=expectations)
        )
        batch = self.datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe(
            frame.scope
        )
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
        )
        result = definition.run(batch_parameters={"dataframe": df}, result_format="BASIC")
        indexed: list[tuple[int, ExpectationRecord]] = []
        for res in result.results:  # GE returns them in no particular order
            index = int(res.expectation_config.meta["ff_index"])
            spec = frame.expectations[index]
            indexed.append((index, _record(suite, frame, spec, res, df, note)))
        return [record for _, record in sorted(indexed, key=lambda pair: pair[0])]

    def build_docs(self) -> Path | None:
        """Write the Data Docs site (fresh: the previous run's pages are removed), made to
        open without a network and to show warnings as warnings (`offline_docs`)."""
        if self.docs_dir is None:
            return None
        if self.docs_dir.exists():
            shutil.rmtree(self.docs_dir)
        self.context.build_data_docs()
        from fullfunnel.quality.offline_docs import make_offline

        make_offline(self.docs_dir)
        return self.docs_dir / "index.html"


def display_description(spec: ExpectationSpec) -> str:
    """The text Data Docs show for an expectation: severity, meaning and the exact bound."""
    k = spec.kwargs
    parts = []
    if "min_value" in k or "max_value" in k:
        low, high = k.get("min_value"), k.get("max_value")
        if low is not None and high is not None:
            parts.append(f"between {low} and {high}" if low != high else f"= {low}")
        elif low is not None:
            parts.append(f">= {low}")
        elif high is not None:
            parts.append(f"<= {high}")
    condition = f" [{k.get('column', '')} {' '.join(parts)}]".replace("[ ", "[") if parts else ""
    return f"{spec.severity.upper()}: {spec.description or spec.type}{condition}"


def _record(
    suite: SuiteSpec, frame: FrameSpec, spec: ExpectationSpec, res: Any, df: pd.DataFrame, note: str
) -> ExpectationRecord:
    """Turn one GE ExpectationValidationResult into a record."""
    result: dict[str, Any] = dict(res.result or {})
    exception = None
    info = res.exception_info or {}
    if isinstance(info, dict):
        messages = [
            v.get("exception_message")
            for v in ([info] if "raised_exception" in info else info.values())
            if isinstance(v, dict) and v.get("raised_exception")
        ]
        exception = "; ".join(str(m) for m in messages if m) or None
    column = spec.kwargs.get("column")
    unexpected = result.get("unexpected_count")
    observed = df[column].iloc[0] if column in df.columns else result.get("observed_value")
    examples: list[Any] = []
    if not res.success or unexpected:
        examples = _examples(spec, df)
    return ExpectationRecord(
        suite=suite.name,
        table=suite.table,
        frame=frame.name,
        scope=note,
        column=spec.column if spec.column is not None else column,
        rule=spec.rule,
        expectation=spec.type,
        kwargs=jsonable(spec.kwargs),
        description=spec.description,
        severity=spec.severity,
        success=bool(res.success),
        observed_value=jsonable(observed),
        unexpected_count=None if unexpected is None else int(unexpected),
        element_count=None if result.get("element_count") is None else int(result["element_count"]),
        failing_examples=jsonable(examples),
        exception=exception,
    )


def _examples(spec: ExpectationSpec, df: pd.DataFrame) -> list[Any]:
    """A few failing examples: the `<column>__examples` the aggregate query collected."""
    column = spec.kwargs.get("column")
    value = df[f"{column}__examples"].iloc[0] if f"{column}__examples" in df.columns else None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [value] if isinstance(value, str) else list(value)[:MAX_EXAMPLES]


def jsonable(value: Any) -> Any:
    """A JSON-serialisable copy of a value (numpy, pandas, dates, NaN -> None)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays and scalars
        return jsonable(value.tolist())
    if isinstance(value, pd.Timestamp | datetime):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if value is None or isinstance(value, str | int | bool):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)

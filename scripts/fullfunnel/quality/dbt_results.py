"""The build's dbt tests as suites of the gate.

dbt proves the marts: keys, columns that are never NULL, closed lists, shares and amounts
that are never negative, the MRR bridge, and totals reconciled from the staged rows to the
KPIs (`tests/dbt/`, the models' YAML). The gate does not compute any of that again: it reads
what the tests found (`run_results.json` and `manifest.json` in dbt's target folder) and
shows each test as one expectation in the suite of what it tests (`<schema>.<model>`, e.g.
`marts.fct_leads`), or, for a singular test of `tests/dbt/<area>/`, in `tests.<area>`:

- the observed value is the number of rows the test returned (its failures), -1 when it
  did not run (an error, or skipped after an upstream failure);
- a test of severity `error` is critical, one of severity `warn` a warning.

The results must belong to the warehouse checked: the invocation that built it
(quality.build_metadata.invocation_id), or a later `dbt test` or `dbt build`. Anything else
(no results, a `dbt run`, results older than the build) raises DbtResultsError.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from fullfunnel.quality.spec import ExpectationSpec, FrameSpec, SuiteSpec

NOT_RUN = -1
TEST_RESOURCES = ("test", "unit_test")
RAN = ("pass", "fail", "warn")


class DbtResultsError(Exception):
    """dbt's results are missing, unreadable or belong to another build."""


@dataclass(frozen=True)
class DbtTest:
    """One dbt test (data or unit test) and what it found."""

    name: str
    suite: str
    relation: str
    severity: str  # critical | warning
    failures: int  # NOT_RUN when it did not run
    message: str | None
    description: str


@dataclass(frozen=True)
class BuildIdentity:
    """The build that wrote the warehouse (quality.build_metadata)."""

    invocation_id: str | None
    run_started_at: datetime | None


def read_dbt_tests(target: Path, build: BuildIdentity) -> tuple[list[DbtTest], list[str]]:
    """The tests of the latest dbt invocation in `target`, and notes about that run."""
    results_path = target / "run_results.json"
    run_results, manifest = _read_json(results_path), _read_json(target / "manifest.json")
    meta = run_results.get("metadata") or {}
    which = (run_results.get("args") or {}).get("which")
    invocation, generated_at = meta.get("invocation_id"), meta.get("generated_at")
    generated = _timestamp(generated_at)
    same_build = build.invocation_id is not None and invocation == build.invocation_id
    later_tests = (
        which in ("build", "test")
        and generated is not None
        and build.run_started_at is not None
        and generated >= build.run_started_at
    )
    if not (same_build or later_tests):
        raise DbtResultsError(
            f"{results_path} is from `dbt {which}` {invocation} at {generated_at}, not from "
            f"the build of this warehouse ({build.invocation_id} at {build.run_started_at}) "
            "or a later `dbt test`: run `dbt build` (or `dbt test`) on this warehouse"
        )
    nodes = {**(manifest.get("nodes") or {}), **(manifest.get("unit_tests") or {})}
    nodes.update(manifest.get("sources") or {})
    tests = [
        _test(result, nodes)
        for result in run_results.get("results") or []
        if result["unique_id"].split(".")[0] in TEST_RESOURCES
    ]
    if not tests:
        raise DbtResultsError(
            f"{results_path} (`dbt {which}` at {generated_at}) holds no test results: run "
            "`dbt build` or `dbt test` on this warehouse"
        )
    notes = [f"dbt tests: {len(tests)} of `dbt {which}` {invocation} at {generated_at}"]
    in_project = sum(1 for uid in nodes if uid.split(".")[0] in TEST_RESOURCES)
    if in_project > len(tests):
        notes.append(
            f"{in_project - len(tests)} of the project's {in_project} dbt tests were not in "
            "that run (a selection)"
        )
    return tests, notes


def dbt_suites(tests: list[DbtTest]) -> list[tuple[SuiteSpec, FrameSpec, pd.DataFrame]]:
    """One suite per tested model (or singular-test area): a one-row frame with each test's
    failures, and one expectation per test that they are 0."""
    grouped: dict[str, list[DbtTest]] = defaultdict(list)
    for test in tests:
        grouped[test.suite].append(test)
    out = []
    for name, members in sorted(grouped.items()):
        suite = SuiteSpec(
            name=name,
            kind="dbt",
            table=members[0].relation,
            description=f"the dbt tests of {members[0].relation}",
        )
        frame = FrameSpec(
            name="dbt_tests",
            scope="full",
            expectations=[
                ExpectationSpec(
                    type="column_values_to_be_between",
                    kwargs={"column": t.name, "min_value": 0, "max_value": 0},
                    severity=t.severity,
                    description=t.description,
                    rule="dbt_test",
                )
                for t in members
            ],
        )
        row: dict[str, Any] = {}
        for t in members:
            row[t.name] = t.failures
            row[f"{t.name}__examples"] = [t.message] if t.failures and t.message else None
        out.append((suite, frame, pd.DataFrame([row])))
    return out


def _test(result: dict[str, Any], nodes: dict[str, Any]) -> DbtTest:
    """One run result with what the manifest says about its test."""
    uid = result["unique_id"]
    node = nodes.get(uid) or {}
    tested = nodes.get(node.get("attached_node") or "") or nodes.get(
        f"model.{node.get('package_name')}.{node.get('model')}"  # a unit test's model
    )
    if tested:
        suite = f"{tested.get('schema')}.{tested.get('name')}"
        relation = tested.get("relation_name") or suite
    else:  # a singular test: tests/dbt/<area>/<name>.sql
        path = Path(node.get("original_file_path") or "tests/dbt/other/x.sql")
        suite = f"tests.{path.parent.name}"
        relation = path.parent.as_posix()
    severity = str((node.get("config") or {}).get("severity") or "error").lower()
    status = str(result.get("status") or "")
    failures = result.get("failures")
    if status not in RAN:
        count = NOT_RUN
    else:
        count = int(failures) if failures is not None else int(status != "pass")
    return DbtTest(
        name=node.get("name") or uid.split(".")[-1],
        suite=suite,
        relation=str(relation).replace('"', ""),
        severity="warning" if severity == "warn" else "critical",
        failures=count,
        message=result.get("message"),
        description=_describe(node),
    )


def _describe(node: dict[str, Any]) -> str:
    """What a test checks: its description, a generic test's name and arguments, or the
    opening comment of a singular test."""
    if node.get("description"):
        return str(node["description"])
    metadata = node.get("test_metadata")
    if metadata:
        kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k not in ("model",)}
        shown = "; ".join(f"{k}: {v}" for k, v in kwargs.items())
        return f"dbt {metadata.get('name')} ({shown})"[:300]
    comment = []
    for line in str(node.get("raw_code") or "").splitlines():
        if not line.startswith("--"):
            break
        comment.append(line.removeprefix("--").strip())
    return (" ".join(comment) or f"dbt test {node.get('name')}")[:300]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise DbtResultsError(
            f"{path} not found: run `dbt build` (or set --dbt-target to its target folder)"
        ) from exc
    except (OSError, ValueError) as exc:
        raise DbtResultsError(f"{path} cannot be read: {exc}") from exc


def _timestamp(value: Any) -> datetime | None:
    """dbt's ISO timestamp (UTC, `Z`) as a naive UTC datetime."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None

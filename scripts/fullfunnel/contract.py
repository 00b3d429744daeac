"""The project's lists as data, read here once by every Python consumer: the landing
contract (`contract/landing.yml`: the files, their columns, types, keys and row rules) and
the KPI list (`contract/metrics.yml`: labels, units, directions, plan metrics, shared
ratios). The dbt side reads the macros `fullfunnel codegen` writes from them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACT_FILE = Path("contract") / "landing.yml"
TYPES = ("string", "date", "month", "timestamp", "integer", "decimal", "boolean")
TEMPORAL_TYPES = ("date", "month", "timestamp")
#: the rule flags a column may carry (see the header of contract/landing.yml)
COLUMN_FLAGS = ("required", "non_negative", "positive", "currency", "nullable_key", "range_checked")


class ContractError(ValueError):
    """contract/landing.yml is malformed; the message names the table and column."""


@dataclass(frozen=True)
class Column:
    """One column of a landing file."""

    name: str
    type: str
    description: str
    required: bool = False
    non_negative: bool = False
    positive: bool = False
    currency: bool = False
    nullable_key: bool = False
    range_checked: bool = False
    closed_list: tuple[str, ...] | str | None = None  # values, or the name of a dbt var

    def spec(self) -> dict[str, Any]:
        """The column as the build's macro holds it (flags only when set)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        for flag in COLUMN_FLAGS:
            if getattr(self, flag):
                out[flag] = True
        if self.closed_list is not None:
            out["closed_list"] = (
                self.closed_list if isinstance(self.closed_list, str) else list(self.closed_list)
            )
        return out


@dataclass(frozen=True)
class Table:
    """One landing table: the file `<system>/<name>.csv` (or `.parquet`) under raw_dir."""

    name: str
    system: str
    description: str
    staged: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    dated_by: str | None = None
    optional: bool = False
    incremental_by: str | None = None
    fx: dict[str, Any] | None = None
    currency_format_only: bool = False
    ad_platform: str | None = None  # ads tables: the platform's name in the marts

    @property
    def file(self) -> str:
        """The file's path under raw_dir, without its extension."""
        return f"{self.system}/{self.name}"

    @property
    def base_model(self) -> str:
        """The base model that checks and casts every raw row."""
        return f"base_{self.system}__{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Contract:
    """The whole contract: the source systems (with their descriptions) and the tables."""

    systems: dict[str, dict[str, str]]
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def tables_of(self, system: str) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.system == system)

    @property
    def ad_platforms(self) -> tuple[str, ...]:
        """The ad platforms, in the contract's order."""
        return tuple(t.ad_platform for t in self.tables if t.ad_platform)


def _column(table: str, raw: dict[str, Any]) -> Column:
    where = f"{CONTRACT_FILE}: table {table}, column {raw.get('name')}"
    unknown = set(raw) - {"name", "type", "description", "closed_list", *COLUMN_FLAGS}
    if unknown:
        raise ContractError(f"{where}: unknown key(s) {sorted(unknown)}")
    if raw.get("type") not in TYPES:
        raise ContractError(f"{where}: type {raw.get('type')!r} is not one of {TYPES}")
    if not str(raw.get("description") or "").strip():
        raise ContractError(f"{where}: no description")
    closed = raw.get("closed_list")
    return Column(
        name=str(raw["name"]),
        type=str(raw["type"]),
        description=" ".join(str(raw["description"]).split()),
        closed_list=closed if isinstance(closed, str) or closed is None else tuple(closed),
        **{flag: bool(raw.get(flag, False)) for flag in COLUMN_FLAGS},
    )


def _table(name: str, raw: dict[str, Any], systems: dict[str, Any]) -> Table:
    where = f"{CONTRACT_FILE}: table {name}"
    columns = tuple(_column(name, c) for c in raw.get("columns") or [])
    names = [c.name for c in columns]
    if not columns or len(set(names)) != len(names):
        raise ContractError(f"{where}: no columns, or a column named twice")
    if (raw.get("system") == "ads") != bool(raw.get("ad_platform")):
        raise ContractError(f"{where}: an ads table, and only one, names its ad_platform")
    if raw.get("system") not in systems:
        raise ContractError(f"{where}: system {raw.get('system')!r} is not under `systems`")
    fx = raw.get("fx")
    named = [*raw.get("key", []), raw.get("dated_by"), raw.get("incremental_by")]
    if fx:
        named += [fx["currency"], fx["dated_by"], *fx["amounts"]]
    missing = [c for c in named if c is not None and c not in names]
    if missing:
        raise ContractError(f"{where}: names column(s) it does not have: {missing}")
    return Table(
        name=name,
        system=str(raw["system"]),
        description=" ".join(str(raw["description"]).split()),
        staged=str(raw["staged"]),
        key=tuple(raw["key"]),
        columns=columns,
        dated_by=raw.get("dated_by"),
        optional=bool(raw.get("optional", False)),
        incremental_by=raw.get("incremental_by"),
        fx=dict(fx) if fx else None,
        currency_format_only=bool(raw.get("currency_format_only", False)),
        ad_platform=raw.get("ad_platform"),
    )


def parse_contract(data: dict[str, Any]) -> Contract:
    """A Contract from the parsed YAML; ContractError names what is wrong."""
    systems = {str(k): dict(v) for k, v in (data.get("systems") or {}).items()}
    tables = tuple(_table(str(k), v, systems) for k, v in (data.get("tables") or {}).items())
    return Contract(systems=systems, tables=tables)


@cache
def _load(path: Path, mtime_ns: int) -> Contract:
    return parse_contract(yaml.safe_load(path.read_text("utf-8")) or {})


def load_contract(root: Path | None = None) -> Contract:
    """contract/landing.yml of the project at `root` (default: this package's checkout)."""
    from fullfunnel.project import Project

    path = (root or Project.find().root) / CONTRACT_FILE
    return _load(path, path.stat().st_mtime_ns)


# ----------------------------------------------------------------------------- the KPI list

KPIS_FILE = Path("contract") / "metrics.yml"
UNITS = ("money", "percent", "count", "ratio", "minutes", "months")
BETTER = ("higher", "lower", "budget")


@dataclass(frozen=True)
class Kpi:
    """One KPI of contract/metrics.yml (its header says what each field means)."""

    name: str
    label: str
    unit: str
    better: str
    mart: str
    ratio: tuple[str, str] | None = None
    plan: dict[str, bool] | None = None
    headline: int | None = None

    @property
    def lower_is_better(self) -> bool:
        """On track at or below target (lower, and budgets)."""
        return self.better != "higher"

    def spec(self) -> dict[str, Any]:
        """The KPI as the build's macro holds it."""
        out: dict[str, Any] = {"unit": self.unit, "better": self.better, "mart": self.mart}
        if self.ratio:
            out["ratio"] = list(self.ratio)
        if self.plan:
            out["plan"] = dict(self.plan)
        return out


def parse_kpis(data: dict[str, Any]) -> dict[str, Kpi]:
    """The KPIs by name; ContractError names the KPI and what is wrong."""
    kpis = {}
    for name, raw in (data.get("kpis") or {}).items():
        where = f"{KPIS_FILE}: kpi {name}"
        unknown = set(raw) - {"label", "unit", "better", "mart", "ratio", "plan", "headline"}
        if unknown:
            raise ContractError(f"{where}: unknown key(s) {sorted(unknown)}")
        if raw.get("unit") not in UNITS or raw.get("better") not in BETTER:
            raise ContractError(f"{where}: unit must be one of {UNITS}, better one of {BETTER}")
        ratio = raw.get("ratio")
        if ratio is not None and len(ratio) != 2:
            raise ContractError(f"{where}: ratio is [numerator, denominator]")
        plan = raw.get("plan")
        if plan is not None and set(plan) != {"additive", "per_channel"}:
            raise ContractError(f"{where}: plan is {{additive, per_channel}}")
        kpis[str(name)] = Kpi(
            name=str(name),
            label=str(raw["label"]),
            unit=str(raw["unit"]),
            better=str(raw["better"]),
            mart=str(raw["mart"]),
            ratio=(str(ratio[0]), str(ratio[1])) if ratio else None,
            plan={k: bool(v) for k, v in plan.items()} if plan else None,
            headline=int(raw["headline"]) if raw.get("headline") is not None else None,
        )
    headlines = sorted(k.headline for k in kpis.values() if k.headline is not None)
    if headlines != list(range(1, len(headlines) + 1)):
        raise ContractError(f"{KPIS_FILE}: headline positions must be 1..n, once each")
    return kpis


@cache
def _load_kpis(path: Path, mtime_ns: int) -> dict[str, Kpi]:
    return parse_kpis(yaml.safe_load(path.read_text("utf-8")) or {})


def load_kpis(root: Path | None = None) -> dict[str, Kpi]:
    """contract/metrics.yml of the project at `root` (default: this package's checkout)."""
    from fullfunnel.project import Project

    path = (root or Project.find().root) / KPIS_FILE
    return _load_kpis(path, path.stat().st_mtime_ns)

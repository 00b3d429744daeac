"""The project context every command shares: where the dbt project is, which dbt runs it,
its vars, and the warehouse. Built once per command (`Project.find()`), as sqlmesh's
`Context` and dbt-core's project config are; no command looks these up on its own."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

#: The warehouse file when neither --warehouse nor $FULLFUNNEL_DUCKDB_PATH names one
DEFAULT_WAREHOUSE = "warehouse/fullfunnel.duckdb"


def default_warehouse() -> str:
    """$FULLFUNNEL_DUCKDB_PATH (the dbt profile reads it), else warehouse/fullfunnel.duckdb."""
    return os.environ.get("FULLFUNNEL_DUCKDB_PATH") or DEFAULT_WAREHOUSE


class ProjectError(RuntimeError):
    """The project or its tools cannot be found."""


@dataclass(frozen=True)
class Project:
    """One dbt project folder (the one with dbt_project.yml)."""

    root: Path

    @classmethod
    def find(cls, explicit: Path | None = None) -> Project:
        """`explicit`, else the current folder or a parent, else this package's checkout."""
        if explicit is not None:
            if not (explicit / "dbt_project.yml").is_file():
                raise ProjectError(f"no dbt_project.yml in {explicit}")
            return cls(explicit.resolve())
        cwd = Path.cwd().resolve()
        for candidate in [cwd, *cwd.parents, *Path(__file__).resolve().parents]:
            if (candidate / "dbt_project.yml").is_file():
                return cls(candidate)
        raise ProjectError(
            "cannot find the dbt project (a folder with dbt_project.yml): run from the "
            "project or pass --project-dir"
        )

    @cached_property
    def config(self) -> dict[str, Any]:
        """dbt_project.yml, parsed."""
        return yaml.safe_load((self.root / "dbt_project.yml").read_text("utf-8")) or {}

    @property
    def vars(self) -> dict[str, Any]:
        """The vars' defaults of dbt_project.yml."""
        return dict(self.config.get("vars") or {})

    def var(self, name: str, default: Any = None) -> Any:
        """One var's default, or `default` when dbt_project.yml has none."""
        value = self.vars.get(name)
        return default if value is None else value

    @property
    def profiles_dir(self) -> Path:
        """$DBT_PROFILES_DIR, else the project folder (it ships profiles.yml)."""
        return Path(os.environ.get("DBT_PROFILES_DIR") or self.root)

    def path(self, value: str | os.PathLike[str]) -> Path:
        """A path relative to the project folder (absolute paths stay as they are)."""
        p = Path(value)
        return p if p.is_absolute() else self.root / p

    @property
    def warehouse(self) -> Path:
        """The build warehouse (default_warehouse()), relative to the project folder."""
        return self.path(default_warehouse())

    @property
    def target_dir(self) -> Path:
        """dbt's target folder (run_results.json, manifest.json): $DBT_TARGET_PATH, else the
        `target-path` of dbt_project.yml, else `target`, relative to the project folder."""
        configured = os.environ.get("DBT_TARGET_PATH") or self.config.get("target-path")
        return self.path(configured or "target")

    @property
    def raw_dir(self) -> Path:
        """The landing folder of var raw_dir."""
        return self.path(str(self.var("raw_dir", "data/raw")))

    @staticmethod
    def dbt_executable() -> str:
        """The `dbt` beside this Python (the project's .venv), else the one on PATH."""
        beside = Path(sys.executable).parent / ("dbt.exe" if os.name == "nt" else "dbt")
        if beside.is_file():
            return str(beside)
        found = shutil.which("dbt")
        if found is None:
            raise ProjectError("dbt not found (run `make setup`, or activate .venv)")
        return found

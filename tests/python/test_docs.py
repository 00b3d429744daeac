"""Every model and every column it builds is documented in YAML (DESIGN.md conventions; the
dbt docs site is where an analyst reads how a column is computed)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .conftest import DbtResult, run_dbt


def undocumented(manifest: dict, built_columns: dict[tuple[str, str], set[str]]) -> list[str]:
    """Each model without a description, each YAML column without one, and each column of the
    built relation that its YAML does not list (or lists but the relation lacks)."""
    problems: list[str] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        name = node["name"]
        if not node["description"].strip():
            problems.append(f"{name}: no model description")
        documented = {column.lower(): spec for column, spec in node["columns"].items()}
        problems += [
            f"{name}.{column}: empty description"
            for column, spec in documented.items()
            if not (spec.get("description") or "").strip()
        ]
        actual = built_columns.get((node["schema"], node["alias"]))
        if actual is None:
            problems.append(f"{name}: not built as {node['schema']}.{node['alias']}")
            continue
        problems += [
            f"{name}.{c}: built but not documented" for c in sorted(actual - documented.keys())
        ]
        problems += [
            f"{name}.{c}: documented but not built" for c in sorted(documented.keys() - actual)
        ]
    return problems


def _built_columns(demo_build: DbtResult) -> dict[tuple[str, str], set[str]]:
    columns: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in demo_build.query(
        "select table_schema, table_name, column_name from information_schema.columns"
    ):
        columns.setdefault((schema, table), set()).add(column.lower())
    return columns


def test_every_model_and_built_column_is_documented(demo_build: DbtResult, tmp_path: Path) -> None:
    shutil.copyfile(demo_build.db_path, tmp_path / "warehouse.duckdb")
    docs = run_dbt(["docs", "generate", "--static"], demo_build.raw_dir, tmp_path)  # type: ignore[attr-defined]
    assert docs.returncode == 0, docs.output[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())

    # the docs site in one file, opened without a server: manifest and catalog inside it
    static = (tmp_path / "target" / "static_index.html").read_text(encoding="utf-8")
    assert "MANIFEST.JSON INLINE DATA" in (tmp_path / "target" / "index.html").read_text()
    assert "MANIFEST.JSON INLINE DATA" not in static
    assert "CATALOG.JSON INLINE DATA" not in static
    assert manifest["nodes"]["model.fullfunnel.mart_cmo_kpis_monthly"]["description"][:60] in static
    assert '"model.fullfunnel.mart_cmo_kpis_monthly"' in static
    built = _built_columns(demo_build)

    assert undocumented(manifest, built) == []

    # the check can fail: a column dropped from a model's YAML, an emptied description
    leads = manifest["nodes"]["model.fullfunnel.fct_leads"]
    leads["columns"].pop("speed_to_lead_minutes")
    leads["columns"]["is_won"]["description"] = " "
    assert sorted(undocumented(manifest, built)) == [
        "fct_leads.is_won: empty description",
        "fct_leads.speed_to_lead_minutes: built but not documented",
    ]


# ----------------------------------------------------------------------------- the Markdown docs

MARKDOWN = [Path("README.md"), *sorted(Path("docs").glob("*.md"))]


def test_the_readme_is_short_and_every_link_resolves() -> None:
    """The README gets a newcomer running in under 200 lines; every relative link of the
    README and docs/ points at a file (and an anchor at a heading) that exists."""
    from .conftest import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) < 200
    broken = []
    for rel in MARKDOWN:
        path = PROJECT_ROOT / rel
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text("utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                broken.append(f"{rel}: {target}")
            elif anchor and linked.suffix == ".md":
                headings = {
                    re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
                    for h in re.findall(r"^#+ (.*)$", linked.read_text("utf-8"), re.M)
                }
                if anchor not in headings:
                    broken.append(f"{rel}: {target} (no such heading)")
    assert broken == []


def test_the_extending_recipes_name_files_that_exist() -> None:
    """Every concrete path docs/extending.md tells a reader to touch is in the repository
    (paths with a `<placeholder>` are patterns)."""
    from .conftest import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "extending.md").read_text("utf-8")
    paths = {
        p
        for p in re.findall(r"`([\w./-]+\.(?:yml|sql|py|csv|md))`", text)
        if "/" in p and not p.startswith("../")
    }
    assert len(paths) >= 12, paths
    assert sorted(p for p in paths if not (PROJECT_ROOT / p).exists()) == []

"""The landing contract is written once (contract/landing.yml): the dbt files generated from
it are fresh, and a column added to the contract reaches, or fails, every consumer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from fullfunnel import codegen, generate
from fullfunnel.cli import main
from fullfunnel.contract import (
    CONTRACT_FILE,
    KPIS_FILE,
    ContractError,
    load_contract,
    load_kpis,
    parse_contract,
    parse_kpis,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _contract_data() -> dict:
    return yaml.safe_load((PROJECT_ROOT / CONTRACT_FILE).read_text("utf-8"))


def _tree(tmp_path: Path) -> Path:
    """A copy of what codegen reads and writes: the contract, macros and models."""
    root = tmp_path / "project"
    for folder in ("contract", "macros", "models"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    shutil.copy(PROJECT_ROOT / "dbt_project.yml", root / "dbt_project.yml")
    return root


def test_generated_files_are_fresh() -> None:
    """`fullfunnel codegen --check` on the repository: nothing to regenerate."""
    assert codegen.stale_files(PROJECT_ROOT) == []
    assert main(["codegen", "--check", "--project-dir", str(PROJECT_ROOT)]) == 0


def test_a_new_contract_column_makes_every_dbt_consumer_stale(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    data = _contract_data()
    data["tables"]["deals"]["columns"].append(
        {"name": "probability", "type": "decimal", "description": "Win probability."}
    )
    (root / CONTRACT_FILE).write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    stale = codegen.stale_files(root, parse_contract(data))
    assert stale == [
        "macros/landing/landing_contract.sql (differs)",
        "models/staging/crm/_crm__sources.yml (differs)",
        "models/staging/crm/base/_base_crm__models.yml (differs)",
    ]
    assert main(["codegen", "--check", "--project-dir", str(root)]) == 1
    assert main(["codegen", "--project-dir", str(root)]) == 0
    assert codegen.stale_files(root) == []
    assert "'name': 'probability'" in (root / "macros/landing/landing_contract.sql").read_text()
    sources = yaml.safe_load((root / "models/staging/crm/_crm__sources.yml").read_text())
    deals = next(t for t in sources["sources"][0]["tables"] if t["name"] == "deals")
    assert deals["columns"][-1] == {"name": "probability", "description": "Win probability."}


def test_an_edited_or_orphaned_generated_file_is_stale(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    base = root / "models/staging/web/base/base_web__sessions.sql"
    base.write_text(base.read_text() + "-- hand edit\n")
    orphan = root / "models/staging/web/base/base_web__pageviews.sql"
    orphan.write_text(base.read_text())
    assert codegen.stale_files(root) == [
        "models/staging/web/base/base_web__sessions.sql (differs)",
        "models/staging/web/base/base_web__pageviews.sql (orphaned)",
    ]
    codegen.write_all(root)
    assert not orphan.exists()
    assert codegen.stale_files(root) == []


def test_the_generator_writes_exactly_the_contract_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo generator's headers are the contract's; a contract column it does not
    produce stops it with the file and the column named."""
    contract = load_contract(PROJECT_ROOT)
    assert {f"{t.file}.csv": t.column_names for t in contract.tables} == generate.COLUMNS
    # every step of the generator shares this one mapping
    deals = (*generate.COLUMNS["crm/deals.csv"], "probability")
    monkeypatch.setitem(generate.COLUMNS, "crm/deals.csv", deals)
    with pytest.raises(ValueError, match=r"deals\.csv: columns do not match: \['probability'\]"):
        generate.generate(tmp_path / "raw", seed=1, scale=0.02)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t["columns"][0].update(type="text"), "column deal_id: type 'text'"),
        (
            lambda t: t.update(key=["deal_key"]),
            r"names column\(s\) it does not have: \['deal_key'\]",
        ),
        (lambda t: t["columns"][1].pop("description"), "column lead_id: no description"),
        (lambda t: t["columns"][1].update(requird=True), r"unknown key\(s\) \['requird'\]"),
        (lambda t: t.update(system="erp"), "system 'erp' is not under `systems`"),
    ],
)
def test_a_malformed_contract_names_the_table_and_column(edit, message: str) -> None:
    data = _contract_data()
    edit(data["tables"]["deals"])
    with pytest.raises(ContractError, match=f"table deals.*{message}"):
        parse_contract(data)


# ----------------------------------------------------------------------------- the KPI list


def _kpi_data() -> dict:
    return yaml.safe_load((PROJECT_ROOT / KPIS_FILE).read_text("utf-8"))


def test_a_changed_kpi_makes_the_build_macro_stale(tmp_path: Path) -> None:
    """Making revenue a per-channel plan metric reaches the build through codegen."""
    root = _tree(tmp_path)
    data = _kpi_data()
    data["kpis"]["revenue"]["plan"]["per_channel"] = True
    (root / KPIS_FILE).write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    assert codegen.stale_files(root) == ["macros/metrics/kpi_definitions.sql (differs)"]
    codegen.write_all(root)
    text = (root / "macros/metrics/kpi_definitions.sql").read_text()
    assert "'revenue': {" in text
    assert "'plan': {'additive': true, 'per_channel': true}" in text.split("'revenue': ")[1]


def test_every_kpi_is_a_documented_column_of_its_mart() -> None:
    """The KPI list and the marts agree: each KPI names a column its mart documents, and
    each ratio's parts are columns or expressions over the mart's inputs."""
    documented: dict[str, set[str]] = {}
    for path in (PROJECT_ROOT / "models" / "marts").rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text("utf-8")).get("models", []):
            documented[model["name"]] = {c["name"] for c in model.get("columns", [])}
    for kpi in load_kpis(PROJECT_ROOT).values():
        assert kpi.name in documented.get(kpi.mart, set()), (kpi.name, kpi.mart)


def test_the_report_and_snapshot_read_the_kpi_list() -> None:
    from fullfunnel import report, snapshot

    kpis = load_kpis(PROJECT_ROOT)
    assert {k.name: k.label for k in kpis.values()} == report.KPI_LABELS
    assert report.HEADLINE_KPIS[0] == next(k.name for k in kpis.values() if k.headline == 1)
    assert set(snapshot.LOWER_IS_BETTER_PLAN_METRICS) == {
        k.name for k in kpis.values() if k.plan and k.better in ("lower", "budget")
    }
    # budgets: on plan when within budget, but a change is neither good nor bad
    assert (
        report.fmt_change("ad_spend", 10.0, 0.1)[1] == report.fmt_change("ad_spend", -10.0, -0.1)[1]
    )
    assert report.fmt_change("cac", 10.0, 0.1)[1] != report.fmt_change("cac", -10.0, -0.1)[1]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda k: k["cpl"].update(unit="euros"), "kpi cpl: unit must be one of"),
        (
            lambda k: k["cpl"].update(ratio=["ad_spend"]),
            r"kpi cpl: ratio is \[numerator, denominator\]",
        ),
        (lambda k: k["cpl"].update(headline=99), "headline positions must be 1..n"),
        (lambda k: k["cpl"]["plan"].pop("additive"), r"kpi cpl: plan is \{additive, per_channel\}"),
    ],
)
def test_a_malformed_kpi_list_names_the_kpi(edit, message: str) -> None:
    data = _kpi_data()
    edit(data["kpis"])
    with pytest.raises(ContractError, match=message):
        parse_kpis(data)


def test_the_semantic_layer_agrees_with_the_kpi_list() -> None:
    """A MetricFlow metric named after a KPI carries its label, and a ratio KPI over plain
    columns is the same ratio there (models/semantic/_semantic__metrics.yml)."""
    semantic = yaml.safe_load(
        (PROJECT_ROOT / "models" / "semantic" / "_semantic__metrics.yml").read_text("utf-8")
    )
    metrics = {m["name"]: m for m in semantic["metrics"]}
    kpis = load_kpis(PROJECT_ROOT)
    shared = [k for k in kpis.values() if k.name in metrics]
    assert len(shared) >= 20
    for kpi in shared:
        metric = metrics[kpi.name]
        assert metric["label"] == kpi.label, kpi.name
        plain = kpi.ratio and all(part.isidentifier() for part in kpi.ratio)
        if plain and metric["type"] == "ratio":
            params = metric["type_params"]
            parts = tuple(
                p if isinstance(p, str) else p["name"]
                for p in (params["numerator"], params["denominator"])
            )
            assert parts == kpi.ratio, kpi.name

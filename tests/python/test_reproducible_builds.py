"""The same data gives the same numbers to the last bit: three builds of the demo hold
bit-identical marts and write byte-identical snapshot files. DuckDB adds a column up in
parallel, and a plain sum of doubles then differs in its last bits from build to build
(before the marts summed doubles with `{{ fsum() }}`, two builds of the demo differed in 49
mart columns); every sum of doubles in the models is compensated (macros/cross_db/fsum.sql),
which a second test holds the SQL to."""

from __future__ import annotations

import re
from pathlib import Path

from fullfunnel.compare import compare_marts

from .conftest import PROJECT_ROOT, DbtResult, run_dbt
from .test_snapshot import MONTH, run_folders, snapshot

# `sum(` that add up integers (counts of 0/1 flags, counts of transitions, of won leads):
# exact in any order, so they keep `sum`
INTEGER_SUMS = (
    re.compile(r"sum\(case when .* then 1 else 0 end\)"),
    re.compile(r"sum\(transitions\)"),
    re.compile(r"sum\(won_leads\) over"),
    re.compile(r"sum\(' ~ won ~ '\)'"),  # won: a 0/1 flag (mart_sales_reps_monthly)
)


def test_three_builds_give_the_same_bits_and_the_same_snapshot_files(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    warehouses = [demo_build.db_path]
    for number in (2, 3):
        # the seeds and models only (their tests passed on the first build)
        build = run_dbt(
            ["build", "--resource-type", "seed", "--resource-type", "model"],
            demo_build.raw_dir,  # type: ignore[attr-defined]
            tmp_path / f"build{number}",
        )
        assert build.returncode == 0, build.output[-3000:]
        warehouses.append(build.db_path)

    for other in warehouses[1:]:
        marts, differences = compare_marts(warehouses[0], other)
        assert len(marts) >= 15
        assert differences == [], other

    files: list[dict[str, bytes]] = []
    for number, path in enumerate(warehouses, start=1):
        out = tmp_path / f"snapshots{number}"
        result = snapshot(
            *("--warehouse", str(path), "--out", str(out), "--month", MONTH),
            *("--format", "json,csv", "--no-report"),
        )
        assert result.returncode == 0, result.stderr
        (run,) = run_folders(out)
        written = {p.name: p.read_bytes() for p in run.iterdir() if p.name != "manifest.json"}
        assert {"snapshot.json", "kpis.csv", "channels.csv", "reps.csv", "plan.csv"} <= set(written)
        files.append(written)
    assert files[0] == files[1] == files[2]


def test_every_sum_of_doubles_is_compensated() -> None:
    """Each `sum(` in the models and macros adds up integers (listed in INTEGER_SUMS); sums
    of doubles use `{{ fsum() }}(...)`. Fails on a plain `sum(credit)`."""
    plain = []
    for path in sorted(
        [*PROJECT_ROOT.glob("models/**/*.sql"), *PROJECT_ROOT.glob("macros/**/*.sql")]
    ):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("--", 1)[0]
            for match in re.finditer(r"(?<![A-Za-z_])sum\(", code):
                rest = code[match.start() :]
                if not any(pattern.match(rest) for pattern in INTEGER_SUMS):
                    plain.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    # the generic tests and the landing reconciliation count rows (`sum(case ... 1 else 0)`
    # is matched above); anything left is a sum of doubles written plainly
    assert plain == []
    assert not any(p.match("sum(credit) as leads") for p in INTEGER_SUMS)

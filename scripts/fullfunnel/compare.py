"""`fullfunnel compare A B`: are two builds' marts identical? A and B are each a warehouse
(a DuckDB file: its `marts` schema) or a published Parquet folder (`warehouse/parquet`,
one `<mart>.parquet` each). Rows are compared as multisets (EXCEPT ALL both ways), doubles
bit for bit, after the same mart names and the same columns and types. The columns that say
when a build wrote a row (`written_at`, `upstream_written_through`, on the marts incremental
by lead day) differ between any two builds and are left out of the rows compared. Use it to
show that a change that should not move a number moves none."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

# when the build that wrote a row ran (fct_attribution): not a number a change can move
RUN_COLUMNS = ("written_at", "upstream_written_through")


@dataclass(frozen=True)
class MartDifference:
    """One way two builds differ: a mart only one has, other columns, or other rows."""

    mart: str
    what: str

    def __str__(self) -> str:
        return f"{self.mart}: {self.what}"


def _relations(con: duckdb.DuckDBPyConnection, source: Path, alias: str) -> dict[str, str]:
    """mart name -> SQL relation, for a warehouse file or a Parquet folder."""
    if source.is_dir():
        files = sorted(source.glob("*.parquet"))
        if not files:
            raise FileNotFoundError(f"{source}: no .parquet files")
        return {p.stem: f"read_parquet('{p.as_posix()}')" for p in files}
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such warehouse file or Parquet folder")
    con.execute(f"attach '{source.as_posix()}' as {alias} (read_only)")
    names = con.execute(
        "select table_name from duckdb_tables() where database_name = ? "
        "and schema_name = 'marts' order by 1",
        [alias],
    ).fetchall()
    return {name: f"{alias}.marts.{name}" for (name,) in names}


def compare_marts(a: Path, b: Path) -> tuple[list[str], list[MartDifference]]:
    """(the marts both hold, every difference); no differences = identical marts."""
    differences: list[MartDifference] = []
    with duckdb.connect() as con:
        left, right = _relations(con, a, "build_a"), _relations(con, b, "build_b")
        for mart in sorted(set(left) ^ set(right)):
            differences.append(MartDifference(mart, f"only in {a if mart in left else b}"))
        common = sorted(set(left) & set(right))
        for mart in common:
            la, rb = left[mart], right[mart]
            cols_a = con.execute(f"describe select * from {la}").fetchall()
            cols_b = con.execute(f"describe select * from {rb}").fetchall()
            if [c[:2] for c in cols_a] != [c[:2] for c in cols_b]:
                differences.append(MartDifference(mart, "other columns or types"))
                continue
            run_columns = [c[0] for c in cols_a if c[0] in RUN_COLUMNS]
            rows = f"* exclude ({', '.join(run_columns)})" if run_columns else "*"
            only_a, only_b = con.execute(
                f"select (select count(*) from (select {rows} from {la} "
                f"except all select {rows} from {rb})), "
                f"(select count(*) from (select {rows} from {rb} "
                f"except all select {rows} from {la}))"
            ).fetchone()  # type: ignore[misc]
            if only_a or only_b:
                differences.append(
                    MartDifference(mart, f"{only_a} row(s) only in A, {only_b} only in B")
                )
    return common, differences


def _cmd_compare(args: argparse.Namespace) -> int:
    try:
        common, differences = compare_marts(Path(args.a), Path(args.b))
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"fullfunnel compare: {exc}", file=sys.stderr)
        return 2
    for difference in differences:
        print(difference)
    if differences:
        print(f"{len(differences)} difference(s) over {len(common)} common mart(s)")
        return 1
    print(f"{len(common)} mart(s) identical")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="are two builds' marts identical? (warehouse files or Parquet folders)",
    )
    p.add_argument("a", help="a warehouse file, or a published Parquet folder")
    p.add_argument("b", help="the other build")
    p.set_defaults(func=_cmd_compare)

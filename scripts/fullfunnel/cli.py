"""The `fullfunnel` console command. Each subcommand lives in its own module, which exposes
`register(subparsers)` to add its parser (with `set_defaults(func=...)`)."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from fullfunnel import COMMAND_MODULES
from fullfunnel.generate import PROFILES


def _cmd_generate(args: argparse.Namespace) -> int:
    from fullfunnel.generate import generate

    summary = generate(
        Path(args.out), seed=args.seed, scale=args.scale, progress=print, profile=args.profile
    )
    for relpath, rows in sorted(summary.items()):
        print(f"  {relpath}: {rows} rows")
    return 0


USAGE = """\
fullfunnel: the marketing-to-revenue warehouse's everyday commands (dbt itself builds the
warehouse: `dbt build`). Typical use, from the project folder:

  fullfunnel generate               write the demo landing files into data/raw
  fullfunnel refresh                dbt build, check, snapshot and publish: the daily job
  fullfunnel check                  the data quality gate (landing files and marts)
  fullfunnel snapshot               the month's CMO KPIs and the one-page report
  fullfunnel publish                the marts for BI tools (serving file, Parquet)

`fullfunnel <command> --help` describes each command and its options."""


def build_parser() -> argparse.ArgumentParser:
    from fullfunnel import __version__

    parser = argparse.ArgumentParser(
        prog="fullfunnel",
        description=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fullfunnel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    gen = sub.add_parser("generate", help="write the demo landing files (LANDING.md)")
    gen.add_argument("--out", default="data/raw", help="raw_dir to write (default: data/raw)")
    gen.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    gen.add_argument("--scale", type=float, default=1.0, help="1 = about 10k leads (default: 1)")
    gen.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="full",
        help="full (default), or one system's export: crm-only, billing-only "
        "(every other file header-only)",
    )
    gen.set_defaults(func=_cmd_generate)

    for name in COMMAND_MODULES:
        importlib.import_module(f"fullfunnel.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

"""fullfunnel: the Python side of the marketing warehouse (demo data, checks, exports)."""

__version__ = "0.1.0"

#: the modules of this package that each register a `fullfunnel` subcommand of their name
#: (`register(subparsers)`); `generate` is the CLI's own
COMMAND_MODULES: tuple[str, ...] = (
    "snapshot",
    "check",
    "publish",
    "refresh",
    "bench",
    "backtest",
    "codegen",
    "compare",
)

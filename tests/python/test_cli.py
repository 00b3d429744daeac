"""The `fullfunnel` command's manners: `--version`, and a `--help` written for its users that
lists every command."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from fullfunnel import __version__
from fullfunnel.cli import COMMAND_MODULES

from .conftest import PROJECT_ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fullfunnel.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_version_is_the_package_version() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    proc = _cli("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"fullfunnel {__version__}" == f"fullfunnel {project['version']}"


def test_help_is_for_users_and_lists_every_command() -> None:
    proc = _cli("--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: fullfunnel [-h] [--version] <command> ...")
    for command in ("generate", *COMMAND_MODULES):
        assert f"\n    {command}" in proc.stdout, command
    for developer_note in ("register(", "subparsers", "set_defaults", "module"):
        assert developer_note not in proc.stdout
    assert "fullfunnel refresh" in proc.stdout and "dbt build" in proc.stdout


def test_make_help_lists_every_target() -> None:
    """Every target of the Makefile's .PHONY list has a line in `make help`."""
    import re
    import shutil

    makefile = (PROJECT_ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M)
    assert phony is not None
    targets = phony.group(1).split()
    assert {"help", "test", "test-fast", "demo"} <= set(targets)
    make = shutil.which("make")
    assert make is not None, "make is not installed"
    proc = subprocess.run(
        [make, "-s", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    listed = {line.split()[1] for line in proc.stdout.splitlines() if line.startswith("make ")}
    assert listed == set(targets) - {"help"}

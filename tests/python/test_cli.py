"""The `fullfunnel` command's manners: `--version`, and a `--help` written for its users that
lists every command."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml
from fullfunnel import COMMAND_MODULES, __version__

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


def test_the_git_hooks_check_what_make_lint_checks() -> None:
    """.pre-commit-config.yaml runs, from .venv, every check of `make lint` (so a commit that
    passes its hooks passes CI's lint step)."""
    config = yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    entries = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    assert all(e.startswith(".venv/bin/") for e in entries), entries
    makefile = (PROJECT_ROOT / "Makefile").read_text("utf-8")
    lint = re.search(r"^lint:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert lint, "no lint target"
    commands = [
        line.strip().replace("$(BIN)/", ".venv/bin/")
        for line in lint.group(1).splitlines()
        if "$(BIN)/" in line
    ]
    for command in commands:
        tool = " ".join(command.split()[:2]) if "fullfunnel" in command else command.split()[0]
        assert any(e.startswith(tool) for e in entries), (command, entries)
        if "--check" in command:
            assert any(e.startswith(tool) and "--check" in e for e in entries), command

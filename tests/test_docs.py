"""The documentation tells the truth about the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot import config as config_module
from handlers.cli import parser

ROOT = Path(__file__).resolve().parent.parent


def _keys(node: object, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return set()
    found = set()
    for key, value in node.items():
        name = f"{prefix}{key}"
        found.add(name)
        found |= _keys(value, f"{name}.")
    return found


def test_every_config_key_read_is_in_the_example() -> None:
    source = Path(config_module.__file__).read_text(encoding="utf-8")
    read = {f"{section}.{key}" if section else key
            for section, key in re.findall(r'reader\.get\(\w+, "([\w.]*)", "(\w+)"', source)}
    example = _keys(yaml.safe_load((ROOT / "config.example.yaml").read_text(encoding="utf-8")))
    assert read - example == set()


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"ticketsmith {name} --config" in readme


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = readme.split("## Run the tests", 1)[1].split("```sh", 1)[1].split("```", 1)[0].strip()
    assert block in ci.splitlines()

"""The README documents every command: a test fails when one is added without a word."""

from pathlib import Path

import typer

from crmcli.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text()


def command_paths(group, prefix="crm"):
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            yield from command_paths(command, path)
        else:
            yield path


def test_every_command_is_in_the_readme():
    missing = []
    for path in command_paths(typer.main.get_command(app)):
        group_and_name = path.split()
        # "crm trash restore" may be written "crm trash restore" or listed as "`restore ID`" after its group
        if path not in README and f"`{group_and_name[-1]}" not in README:
            missing.append(path)
    assert missing == []

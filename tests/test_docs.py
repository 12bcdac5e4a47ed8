"""The README documents every command, and `crm --help` lists every one of them."""

from pathlib import Path

from crmcli.cli import COMMANDS, load_command

README = (Path(__file__).parent.parent / "README.md").read_text()


def command_paths():
    for name in COMMANDS:
        command = load_command(name)
        if hasattr(command, "commands"):
            for sub in sorted(command.commands):
                yield f"crm {name} {sub}"
        else:
            yield f"crm {name}"


def test_every_command_is_in_the_readme():
    missing = []
    for path in command_paths():
        # "crm trash restore" may be written in full, or as "`restore ID`" after its group
        if path not in README and f"`{path.split()[-1]}" not in README:
            missing.append(path)
    assert missing == []


def test_root_help_lists_every_command(crm):
    out = crm("--help").stdout
    for name in COMMANDS:
        assert f"  {name} " in out


def test_every_command_builds_with_its_registry_name():
    for name in COMMANDS:
        assert load_command(name).name == name


def test_the_command_reference_in_the_readme_is_current():
    from crmcli.reference import END, START, reference

    current = README[README.index(START) : README.index(END) + len(END)]
    assert current == reference(), "run: python -m crmcli.reference README.md"

"""The README's command reference, generated from the commands themselves.

`python -m crmcli.reference` rewrites the block between the markers in README.md;
tests/test_docs.py fails when the README and the commands drift apart.
"""

import sys
from pathlib import Path

START = "<!-- reference:start (python -m crmcli.reference) -->"
END = "<!-- reference:end -->"


def _usage(path: str, command) -> str:
    import typer

    context = typer.Context(command, info_name=path)
    pieces = command.collect_usage_pieces(context)
    return " ".join([path, *pieces]).replace("{", "").replace("}", "")


def _options(command) -> str:
    names = []
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option" and "--help" not in param.opts:
            names.append(max(param.opts, key=len))
    return ", ".join(f"`{name}`" for name in names)


def reference() -> str:
    from .cli import COMMANDS, load_command

    lines = [START, "", "| command | what it does | options |", "| --- | --- | --- |"]
    for name in COMMANDS:
        command = load_command(name)
        subcommands = getattr(command, "commands", None)
        entries = (
            [(f"crm {name} {sub}", cmd) for sub, cmd in subcommands.items()]
            if subcommands
            else [(f"crm {name}", command)]
        )
        for path, cmd in entries:
            summary = (cmd.help or "").strip().splitlines()[0] if cmd.help else ""
            lines.append(f"| `{_usage(path, cmd)}` | {summary} | {_options(cmd)} |")
    lines += ["", END]
    return "\n".join(lines)


def rewrite(readme: Path) -> bool:
    """Put the current reference into the README; True if it changed."""
    text = readme.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    updated = before + reference() + after
    if updated != text:
        readme.write_text(updated)
    return updated != text


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print(f"{target}: {'updated' if rewrite(target) else 'already current'}")

"""The manual's generated parts: the command reference (docs/reference.md), from the commands
themselves, and the outputs of every console example — the README's tour and each page of
docs/ — from running its commands, page by page, on an empty database.

`python -m crmcli.reference README.md docs/*.md` (`make docs`) rewrites them; tests/test_docs.py
fails when a page and the commands (or what they print) drift apart.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

START = "<!-- reference:start (python -m crmcli.reference) -->"
END = "<!-- reference:end -->"
TOUR_START = "<!-- tour:start (outputs written by python -m crmcli.reference) -->"
TOUR_END = "<!-- tour:end -->"
TOUR_TODAY = "2026-11-24"  # a Tuesday
# What differs from run to run: uids and the time of day (CRM_TODAY fixes only the date).
VOLATILE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uid>"),
    (re.compile(r"(?<=\d{4}-\d{2}-\d{2})([T ])\d{2}:\d{2}(:\d{2})?"), r"\1<time>"),
    (re.compile(r"/\S*crm-tour-[A-Za-z0-9_]+"), "<folder>"),
]


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


# --------------------------------------------------------------------------- the tour


def examples(text: str) -> str:
    """The part of a page whose console blocks run: the tour, on a page that has one; else
    the whole page."""
    if TOUR_START not in text:
        return text
    return text.partition(TOUR_START)[2].partition(TOUR_END)[0]


def tour_steps(text: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it) for every `$ ` line of a page's examples."""
    tour = examples(text)
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", tour, re.S):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            if not lines[index].startswith("$ "):
                index += 1
                continue
            command = lines[index][2:]
            while command.endswith("\\"):  # a continued line: bash reads the backslash too
                index += 1
                command += "\n" + lines[index]
            index += 1
            shown = []
            while index < len(lines) and not lines[index].startswith("$ "):
                shown.append(lines[index])
                index += 1
            steps.append((command, shown))
    return steps


def run_tour(steps: list[tuple[str, list[str]]]) -> list[list[str]]:
    """Run the commands in order on an empty database; each one's stderr then stdout lines."""
    crm = shutil.which("crm", path=str(Path(sys.executable).parent)) or "crm"
    folder = Path(tempfile.mkdtemp(prefix="crm-tour-"))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "CRM_DEBUG")}
    env.update(
        CRM_DB="crm.db", CRM_TODAY=TOUR_TODAY, HOME=str(folder),
        PATH=f"{Path(crm).parent}{os.pathsep}{env.get('PATH', '')}",
    )  # fmt: skip
    outputs = []
    try:
        for command, _ in steps:
            if command.startswith("crm ") and not SHELL.search(command):
                printed = _in_process(shlex.split(command)[1:], folder, env)
            else:  # pipes, redirections, printf: the shell runs it, and crm as a process
                done = subprocess.run(
                    ["bash", "-c", command], cwd=folder, env=env, capture_output=True,
                    text=True, timeout=120,
                )  # fmt: skip
                printed = done.stderr + done.stdout
            outputs.append(printed.splitlines())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return outputs


SHELL = re.compile(r"[|<>;&$`*?~#{}\n\\]")  # a step the shell must read


def _in_process(args: list[str], folder: Path, env: dict[str, str]) -> str:
    """A plain `crm …` step run in this process: what the process would print, without the
    start-up that is most of a short command's time (a test runs every page's examples)."""
    from typer.testing import CliRunner

    from . import output
    from .cli import app

    here = os.getcwd()
    unset: dict[str, str | None] = {k: None for k in os.environ if k not in env}
    try:
        os.chdir(folder)
        output.WIDE = False  # as in a new process
        result = CliRunner().invoke(app, args, env={**unset, **env})
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash must not be written into a page as its output
    return result.stderr + result.stdout


def steady(lines: list[str]) -> list[str]:
    """Output lines with what differs between runs (uids, times of day) masked."""
    for pattern, mask in VOLATILE:
        lines = [pattern.sub(mask, line) for line in lines]
    return [line.rstrip() for line in lines]


def rewrite_tour(text: str) -> str:
    """The README with every tour command's shown output replaced by what it prints."""
    steps = tour_steps(text)
    outputs = iter(run_tour(steps))
    if TOUR_START in text:
        before, start, rest = text.partition(TOUR_START)
        tour, end, after = rest.partition(TOUR_END)
    else:
        before, start, tour, end, after = "", "", text, "", ""

    def block(match: re.Match) -> str:
        lines, out = match.group(1).splitlines(), []
        index = 0
        while index < len(lines):
            line = lines[index]
            if not line.startswith("$ "):
                index += 1
                continue
            out.append(line)
            while line.endswith("\\"):
                index += 1
                line = lines[index]
                out.append(line)
            index += 1
            shown = []
            while index < len(lines) and not lines[index].startswith("$ "):
                shown.append(lines[index])
                index += 1
            printed = next(outputs)
            out.extend(shown if steady(shown) == steady(printed) else printed)
        return "```console\n" + "\n".join(out) + "\n```"

    tour = re.sub(r"```console\n(.*?)```", block, tour, flags=re.S)
    return before + start + tour + end + after


def rewrite(page: Path) -> bool:
    """Put the current reference (where the page has it) and example outputs into a page;
    True if it changed."""
    text = page.read_text()
    updated = text
    if START in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        updated = before + reference() + after
    if tour_steps(updated):
        updated = rewrite_tour(updated)
    if updated != text:
        page.write_text(updated)
    return updated != text


if __name__ == "__main__":
    for name in sys.argv[1:] or ["README.md"]:
        target = Path(name)
        print(f"{target}: {'updated' if rewrite(target) else 'already current'}")

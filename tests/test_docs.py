"""The manual (README.md and docs/) documents every command and every module, its examples
print what crm prints, and `crm --help` lists every command."""

import re
from pathlib import Path

import pytest

from crmcli.cli import COMMANDS, load_command

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
DOCS = {path.name: path.read_text() for path in sorted((ROOT / "docs").glob("*.md"))}
REFERENCE = DOCS["reference.md"]
PAGES = {"README.md": README, **DOCS}


def command_paths():
    for name in COMMANDS:
        command = load_command(name)
        if hasattr(command, "commands"):
            for sub in sorted(command.commands):
                yield f"crm {name} {sub}"
        else:
            yield f"crm {name}"


def test_every_command_is_in_the_reference():
    missing = [path for path in command_paths() if f"`{path}" not in REFERENCE]
    assert missing == []


def test_the_readme_is_short_and_maps_every_page():
    assert len(README.encode()) <= 15_500
    for name in DOCS:
        assert f"(docs/{name})" in README, name


def test_the_module_map_names_every_module():
    """Each module of crmcli/ is in the map, under its folder (commands/ as one entry)."""
    block = DOCS["development.md"].split("```\ncrmcli/\n", 1)[1].split("```", 1)[0]
    folder, mapped = "", set()
    for line in block.splitlines():
        heading = re.search(r"── (\w+)/", line)
        if heading:
            folder = heading.group(1) + "/"
        elif "──" in line:
            folder = ""
        mapped.update(folder + name for name in re.findall(r"\b(\w+\.py)\b", line))
    package = ROOT / "crmcli"
    modules = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "__init__.py" and path.parent.name != "commands"
    }
    assert modules - mapped == set()
    assert "commands/" in block


def test_root_help_lists_every_command(crm):
    out = crm("--help").stdout
    for name in COMMANDS:
        assert f"  {name} " in out


def test_every_command_builds_with_its_registry_name():
    for name in COMMANDS:
        assert load_command(name).name == name


def test_the_command_reference_in_the_readme_is_current():
    from crmcli.reference import END, START, reference

    current = REFERENCE[REFERENCE.index(START) : REFERENCE.index(END) + len(END)]
    assert current == reference(), "run: make docs"


EXAMPLE_PAGES = [name for name, text in PAGES.items() if "```console" in text]


@pytest.mark.slow
@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_every_example_prints_what_it_shows(page):
    """A page's console examples run from an empty database, top to bottom; every output
    shown is what the commands print (uids and times of day aside)."""
    from crmcli.reference import run_tour, steady, tour_steps

    steps = tour_steps(PAGES[page])
    assert steps
    printed = run_tour(steps)
    for (command, shown), output in zip(steps, printed, strict=True):
        assert steady(shown) == steady(output), f"{page}: $ {command}\n" + "\n".join(output)


def test_the_tour_is_long_and_every_console_block_runs():
    from crmcli.reference import examples

    assert "README.md" in EXAMPLE_PAGES and len(re.findall(r"^\$ crm ", README, re.M)) > 30
    for name, text in PAGES.items():  # a console block outside what runs would go stale
        assert text.count("```console") == examples(text).count("```console"), name


def test_the_crontab_line_works_under_crons_path(tmp_path):
    """The README's crontab line, run as cron runs it: a bare environment, PATH=/usr/bin:/bin,
    crm installed in ~/.local/bin (as `pip install --user` puts it)."""
    import os
    import re
    import shutil
    import subprocess
    import sys

    block = README.split("```crontab\n", 1)[1].split("```", 1)[0]
    line = next(row for row in block.splitlines() if row and not row.startswith("#"))
    command = " ".join(line.split()[5:])  # after the five schedule fields
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    crm = shutil.which("crm", path=str(Path(sys.executable).parent))
    (home / ".local" / "bin" / "crm").symlink_to(crm)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "CRM_TODAY": "2026-11-24"}
    subprocess.run([crm, "db", "demo"], env={**env, "CRM_DB": str(home / ".local/share/crm/crm.db")},
                   check=True, capture_output=True)  # fmt: skip
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^# crm digest for 2026-11-24", done.stdout, re.M)
    assert "crm: not found" not in done.stderr and os.path.exists(home / ".local/share/crm/crm.db")


def test_the_mail_crontab_line_works_under_crons_path(tmp_path):
    """The capture page's cron loop, run as cron runs it: the Maildir mbsync keeps in ~/Mail is
    read, then the digest goes out."""
    import mailbox
    import shutil
    import subprocess
    import sys
    from email.message import EmailMessage

    block = DOCS["capture.md"].split("```crontab\n")[1].split("```", 1)[0]
    line = next(row for row in block.splitlines() if "crm" in row and "import mail" in row)
    command = " ".join(line.split()[5:])
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    crm = shutil.which("crm", path=str(Path(sys.executable).parent))
    (home / ".local" / "bin" / "crm").symlink_to(crm)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "CRM_TODAY": "2026-11-24"}
    db = {**env, "CRM_DB": str(home / ".local/share/crm/crm.db")}
    for args in (["contact", "add", "Ana", "--email", "ana@example.com", "--every", "7d"],
                 ["config", "set", "me", "me@work.example"]):  # fmt: skip
        subprocess.run([crm, *args], env=db, check=True, capture_output=True)
    (home / "Mail" / "work").mkdir(parents=True)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "ana@example.com", "me@work.example", "Contract"
    mail["Date"], mail["Message-ID"] = "Mon, 23 Nov 2026 09:00:00 +0000", "<c@example.com>"
    mailbox.Maildir(home / "Mail" / "work" / "INBOX", create=True).add(mail)
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "read 1 message: logged 1" in done.stderr
    shown = subprocess.run([crm, "contact", "show", "ana"], env=db, capture_output=True, text=True)
    assert "Contract" in shown.stdout

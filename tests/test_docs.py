"""The README documents every command, and `crm --help` lists every one of them."""

from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_the_readme_tour_prints_what_it_shows():
    """The tour runs from an empty database, top to bottom; every output shown is what the
    commands print (uids and times of day aside)."""
    from crmcli.reference import run_tour, steady, tour_steps

    steps = tour_steps(README)
    assert len(steps) > 30
    printed = run_tour(steps)
    for (command, shown), output in zip(steps, printed, strict=True):
        assert steady(shown) == steady(output), f"$ {command}\n" + "\n".join(output)


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
    """The README's capture loop, run as cron runs it: the Maildir mbsync keeps in ~/Mail is
    read, then the digest goes out."""
    import mailbox
    import shutil
    import subprocess
    import sys
    from email.message import EmailMessage

    block = README.split("```crontab\n")[2].split("```", 1)[0]
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

"""The installed `crm` as a real process: pipes, exit codes, ids on stdout, TTY detection."""

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import crm_env_for_process, in_process

CRM = shutil.which("crm", path=str(Path(sys.executable).parent)) or shutil.which("crm")


def run(db, *args, input=None, **env):
    return subprocess.run(
        [CRM, *args],
        capture_output=True,
        text=True,
        input=input,
        env=crm_env_for_process(db, **env),
        timeout=60,
    )


def on_terminal(db, *args, stream="stdout", **env) -> str:
    """Run with stdout (or stderr) on a pseudo-terminal, as a person at the keyboard would."""
    leader, follower = pty.openpty()
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: follower}
    process = subprocess.Popen(
        [CRM, *args], stdin=subprocess.DEVNULL, env=crm_env_for_process(db, COLUMNS="160", **env),
        stdout=streams["stdout"], stderr=streams["stderr"],
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pseudo-terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def run_on_terminal(db, *args, **env) -> str:
    return on_terminal(db, *args, **env)


@pytest.fixture
def db(tmp_path):
    """Ana, added in-process: the tests are about the processes they then run."""
    path = tmp_path / "crm.db"
    added = in_process(
        path, "contact", "add", "Ana Silva", "--email", "ana@example.com", "--every", "7d"
    )
    assert added.returncode == 0
    return path


def test_ids_alone_on_stdout_messages_on_stderr(db):
    added = run(db, "contact", "add", "Bruno Costa")
    assert added.returncode == 0 and added.stdout == "2\n"
    assert "Bruno Costa" in added.stderr
    logged = run(db, "log", "silva", "call", "--follow-up", "friday")
    assert logged.stdout == "1\n"
    assert run(db, "followup", "add", "bruno", "tomorrow").stdout == "2\n"
    assert run(db, "date", "add", "bruno", "birthday", "11-30").stdout == "1\n"
    assert run(db, "complaint", "add", "bruno", "late").stdout == "1\n"


def test_piped_output_is_plain_without_escape_codes(db):
    run(db, "followup", "add", "silva", "yesterday", "call back")
    for args in (["contact", "list"], ["overdue"], ["digest"], ["contact", "show", "silva"]):
        result = run(db, *args)
        assert result.returncode == 0, result.stderr
        assert "\x1b[" not in result.stdout and "━" not in result.stdout, args
    assert run(db, "digest").stdout.startswith("crm digest for 2026-11-24\n")


def test_terminal_output_is_a_table_and_no_color_is_honoured(db):
    on_terminal = run_on_terminal(db, "contact", "list")
    assert "━" in on_terminal and "Ana Silva" in on_terminal
    assert "\x1b[" in on_terminal
    assert "\x1b[" not in run_on_terminal(db, "contact", "list", NO_COLOR="1")


def test_exit_codes(db):
    assert run(db, "contact", "show", "nobody").returncode == 1
    assert run(db, "contact", "show").returncode == 2
    assert run(db, "--version").returncode == 0
    bad = run(db, "log", "silva", "call", "--rating", "9")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_digest_quiet_if_empty_prints_nothing_for_cron(tmp_path):
    path = tmp_path / "crm.db"
    in_process(path, "contact", "add", "Quiet Person")
    result = run(path, "digest", "--quiet-if-empty")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_broken_pipe_is_not_an_error(db, tmp_path):
    rows = "".join(f"Person {i},person{i}@example.com\n" for i in range(5000))
    assert in_process(db, "import", "contacts", "-", input="name,email\n" + rows).returncode == 0
    # jsonl of 5000 contacts is far more than a pipe buffer (64 KiB): the reader leaves early
    process = subprocess.Popen(
        [CRM, "export", "contacts", "--format", "jsonl"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=crm_env_for_process(db),
    )  # fmt: skip
    first = process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert first.startswith(b'{"id": 1') and process.stderr.read() == b""


def test_foreign_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database at all\n")
    result = run(path, "contact", "list")
    assert result.returncode == 1 and "not a SQLite database" in result.stderr
    assert path.read_bytes() == b"not a database at all\n"


def test_db_option_and_db_path(tmp_path):
    other = tmp_path / "elsewhere.db"
    assert run(tmp_path / "unused.db", "--db", str(other), "db", "path").stdout.strip() == str(
        other
    )
    assert run(tmp_path / "unused.db", "--db", str(other), "contact", "add", "X").returncode == 0
    assert other.exists() and not (tmp_path / "unused.db").exists()


def test_large_import_shows_a_progress_bar_on_a_terminal_only(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("w") as handle:
        handle.write("name,email,notes\n")
        for i in range(2_500):  # over 1 MB, the size that earns a bar, in few rows
            handle.write(f"Person {i},p{i}@example.com,{'x' * 400}\n")
    db = tmp_path / "crm.db"
    piped = run(db, "import", "contacts", str(big), "--dry-run")
    assert piped.returncode == 0 and "importing" not in piped.stderr
    seen = on_terminal(db, "import", "contacts", str(big), "--dry-run", stream="stderr")
    assert "importing" in seen and "would import contacts: 2500 added" in seen


def test_shell_completion_of_commands_and_choices(db):
    commands = run(db, _CRM_COMPLETE="complete_bash", COMP_WORDS="crm cont", COMP_CWORD="1")
    assert commands.stdout.split() == ["contact"]
    channels = run(
        db, _CRM_COMPLETE="complete_bash", COMP_WORDS="crm log ana x --channel m", COMP_CWORD="5"
    )
    assert channels.stdout.split() == ["meeting", "message"]


def test_delete_asks_on_a_terminal(db):
    """Without --yes, `contact delete` asks; answering n keeps the contact, y deletes it."""
    for answer, kept in ((b"n\n", True), (b"y\n", False)):
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [CRM, "contact", "delete", "silva"], stdin=follower, stdout=follower, stderr=follower,
            env=crm_env_for_process(db),
        )  # fmt: skip
        os.close(follower)
        prompt = b""
        while b"[y/N]" not in prompt:
            prompt += os.read(leader, 1024)
        os.write(leader, answer)
        try:
            while os.read(leader, 1024):
                pass
        except OSError:
            pass
        process.wait(timeout=60)
        os.close(leader)
        assert b"Delete Ana Silva" in prompt
        listed = in_process(db, "contact", "list", "-q").stdout.split()
        assert ("1" in listed) is kept
        assert process.returncode == (1 if kept else 0)


def test_reports_render_as_tables_on_a_terminal(db):
    in_process(db, "followup", "add", "silva", "yesterday", "call back")
    in_process(db, "complaint", "add", "silva", "late", "--when", "2026-11-20 09:00")
    in_process(db, "log", "silva", "a call")
    digest = run_on_terminal(db, "digest")
    assert "crm digest for 2026-11-24" in digest and "━" in digest and "call back" in digest
    for args in (["overdue"], ["complaints"], ["contact", "show", "silva"]):
        assert "Traceback" not in run_on_terminal(db, *args), args
    activity = run_on_terminal(db, "report", "activity")
    assert "█" in activity and "Traceback" not in activity

"""Safe with files, terminals and other writers: nothing destroyed, nothing injected.

Some tests need a read-only or a full file system; they make one in a private mount namespace
(`unshare`), which works for any user where user namespaces are allowed, as on these machines.
"""

import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import crm_env_for_process
from conftest import in_process as quick
from test_process import CRM, on_terminal, run


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def in_namespace(script: str, **env) -> subprocess.CompletedProcess:
    """Run a shell script as root of a private user and mount namespace (tmpfs, ro binds)."""
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        capture_output=True, text=True, timeout=60, env={**os.environ, **env},
    )  # fmt: skip


@pytest.fixture
def db(tmp_path):
    """A database with Ana and one call, made in-process (the tests then run crm as a process)."""
    from conftest import Crm

    path = tmp_path / "crm.db"
    made = Crm(path)
    made(["contact", "add", "Ana Silva", "--email", "ana@example.com"], env={"CRM_DB": str(path)})
    made(["log", "silva", "call"], env={"CRM_DB": str(path)})
    return path


# --------------------------------------------------------------------------- files crm writes


def test_outputs_never_replace_the_database_or_its_siblings(db, tmp_path):
    quick(db, "contact", "list")  # the -wal and -shm exist while nothing holds them
    before = digest(db)
    attempts = [
        ("export", "contacts", "-o", str(db)),
        ("calendar", "-o", str(db)),
        ("backup", f"{db}-wal"),
        ("backup", f"{db}-shm"),
        ("export", "all", "--format", "json", "-o", str(tmp_path / "crm.db.v3.bak")),
    ]
    for args in attempts:
        result = quick(db, *args)
        assert result.returncode == 1 and "crm: error:" in result.stderr, args
        assert result.stderr.count("\n") == 1, result.stderr
    assert digest(db) == before
    assert quick(db, "contact", "show", "silva").returncode == 0


def test_through_a_symlinked_database_its_real_siblings_are_protected(db, tmp_path):
    """SQLite names -wal and -shm after the link's target, so those are what is protected."""
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(db)
    quick(link, "contact", "list")
    before = digest(db)
    for args in (
        ("export", "contacts", "-o", f"{db}-wal"),
        ("backup", f"{db}-shm"),
        ("calendar", "-o", str(tmp_path / "crm.db.v3.bak")),
    ):
        result = quick(link, *args)
        assert result.returncode == 1 and "crm: error:" in result.stderr, args
    assert digest(db) == before


def test_a_descriptor_path_is_written_through_never_replaced(db, tmp_path):
    """`-o /dev/stdout >> log` appends to the log through the shell's descriptor: the log keeps
    its inode, its mode and what it held."""
    log = tmp_path / "log.txt"
    log.write_text("PRECIOUS\n")
    inode = os.stat(log).st_ino
    for target in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
        with open(log, "a") as append:
            result = subprocess.run(
                [CRM, "export", "contacts", "-o", target], env=crm_env_for_process(db),
                stdout=append, stderr=subprocess.PIPE, text=True, timeout=30,
            )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert os.stat(log).st_ino == inode and mode(log) == 0o644
    text = log.read_text()
    assert text.startswith("PRECIOUS\n") and text.count("Ana Silva") == 3
    assert quick(db, "backup", "-").returncode == 1
    assert quick(db, "backup", "/dev/stdout").returncode == 1


def test_symlinks_planted_where_crm_writes_are_replaced_not_followed(db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("VICTIM")
    uid = json.loads(quick(db, "contact", "show", "silva", "-f", "json").stdout)["uid"]
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / f"{uid}.vcf").symlink_to(victim)
    assert quick(db, "vcard", "export", str(cards)).returncode == 0
    assert victim.read_text() == "VICTIM" and mode(victim) != 0o600
    assert "FN:Ana Silva" in (cards / f"{uid}.vcf").read_text()
    # a card named like the database is never written over it
    alias = tmp_path / "vd" / f"{uid}.vcf"
    alias.parent.mkdir()
    os.link(db, alias)
    before = digest(db)
    result = quick(alias, "vcard", "export", str(alias.parent))
    assert result.returncode == 1 and "is the database" in result.stderr
    assert digest(db) == before


def test_the_migration_copy_never_follows_a_symlink(tmp_path, monkeypatch):
    from crmcli import migrations
    from crmcli.store import open_store

    path = tmp_path / "crm.db"
    monkeypatch.setattr("crmcli.store.opening.LATEST", 3)
    monkeypatch.setattr("crmcli.store.opening.MIGRATIONS", migrations.MIGRATIONS[:3])
    old = open_store(path)
    old.conn.execute(
        "INSERT INTO contacts (uid, name, created, updated) VALUES ('u', 'A', 'x', 'x')"
    )
    old.close()
    monkeypatch.undo()
    victim = tmp_path / "victim.txt"
    victim.write_text("VICTIM")
    (tmp_path / "crm.db.v3.bak").symlink_to(victim)
    open_store(path).close()
    assert victim.read_text() == "VICTIM"
    copy = sqlite3.connect(tmp_path / "crm.db.v3.bak")
    assert copy.execute("SELECT name FROM contacts").fetchall() == [("A",)]
    copy.close()


def test_a_backup_replaces_the_old_one_only_when_complete(db, tmp_path):
    target = tmp_path / "backup.db"
    assert quick(db, "backup", str(target)).returncode == 0
    old = digest(target)
    reader = sqlite3.connect(target)  # another program holds the old backup open
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM interactions").fetchone() == (1,)
    quick(db, "log", "silva", "second call")
    started = time.monotonic()
    result = quick(db, "backup", str(target))
    assert result.returncode == 0 and time.monotonic() - started < 10  # no hang
    assert reader.execute("SELECT count(*) FROM interactions").fetchone() == (1,)
    reader.close()
    assert digest(target) != old and mode(target) == 0o600
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM interactions").fetchone() == (2,)
    copy.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_backup_killed_half_way_leaves_the_old_backup_whole(db, tmp_path):
    rows = "".join(f"P {i},p{i}@example.com\n" for i in range(20_000))
    assert quick(db, "import", "contacts", "-", input="name,email\n" + rows).returncode == 0
    target = tmp_path / "backup.db"
    target.write_bytes(b"")
    quick(db, "backup", str(target))
    good = digest(target)
    for delay in (0.0, 0.02, 0.05, 0.1):
        process = subprocess.Popen(
            [CRM, "backup", str(target)], env=crm_env_for_process(db),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM contacts").fetchone() == (20_001,)
        conn.close()
        assert digest(target) == good  # the same database, page for page


def test_on_a_full_disk_the_old_backup_survives_and_the_error_says_so(db):
    script = f"""
        mount -t tmpfs -o size=2m tmpfs /mnt && cp '{db}' /mnt/crm.db &&
        '{CRM}' --db /mnt/crm.db backup /mnt/backup.db && sha256sum /mnt/backup.db &&
        '{CRM}' --db /mnt/crm.db log silva "$(head -c 2000 /dev/zero | tr '\\0' x)" &&
        dd if=/dev/zero of=/mnt/fill bs=1k 2>/dev/null;
        '{CRM}' --db /mnt/crm.db backup /mnt/backup.db; echo "rc=$?";
        sha256sum /mnt/backup.db; ls -a /mnt
    """
    result = in_namespace(script, CRM_TODAY="2026-11-24")
    before, after = [line.split()[0] for line in result.stdout.splitlines() if "backup.db" in line][
        :2
    ]
    assert before == after, result.stdout + result.stderr
    assert "rc=1" in result.stdout and "full" in result.stderr
    assert ".tmp" not in result.stdout.split("rc=1")[1]  # the half-made copy was removed


def test_fifos_and_devices_are_written_to_not_replaced(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert run(db, "export", "contacts", "-o", str(fifo)).returncode == 0
    reader.join(timeout=30)
    assert b"Ana Silva" in received[0] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    result = run(db, "export", "contacts", "--format", "jsonl", "-o", "/dev/stdout")
    assert result.returncode == 0 and '"Ana Silva"' in result.stdout
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert run(db, "calendar", "-o", "/dev/null").returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_temporary_files_are_unpredictable_and_never_follow_symlinks(db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for old_name in (".out.csv.tmp", ".out.csv.tmp.new", "out.csv.tmp"):
        (tmp_path / old_name).symlink_to(victim)
    assert run(db, "export", "contacts", "-o", str(tmp_path / "out.csv")).returncode == 0
    assert victim.read_text() == "precious"
    assert "Ana Silva" in (tmp_path / "out.csv").read_text()


def test_vcard_file_names_cannot_leave_the_folder(db, tmp_path):
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Slash Person\r\nUID:{uid}\r\nEND:VCARD\r\n"
    for uid in ("abc/def", "urn:uuid:1/../x", "a\\b"):
        source = tmp_path / "in.vcf"
        source.write_text(card.format(uid=uid))
        quick(db, "vcard", "import", str(source))
    vdir = tmp_path / "out" / "vdir"
    assert quick(db, "vcard", "export", str(vdir)).returncode == 0
    outside = {p for p in tmp_path.rglob("*.vcf") if vdir not in p.parents and p.name != "in.vcf"}
    assert outside == set()
    names = [p.name for p in vdir.iterdir()]
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert quick(db, "vcard", "import", str(vdir)).returncode == 0  # and they read back


def test_everything_crm_creates_is_owner_only_whatever_the_umask(tmp_path):
    db = tmp_path / "deep" / "er" / "crm.db"
    old = os.umask(0)
    try:
        assert quick(db, "contact", "add", "Ana Silva", "--birthday", "1985-03-14").returncode == 0
        outputs = {
            "export.csv": ("export", "contacts", "-o", str(tmp_path / "export.csv")),
            "all.json": ("export", "all", "-f", "json", "-o", str(tmp_path / "all.json")),
            "feed.ics": ("calendar", "-o", str(tmp_path / "feed.ics")),
            "backup.db": ("backup", str(tmp_path / "backup.db")),
            "vdir": ("vcard", "export", str(tmp_path / "vdir" / "inner")),
        }
        for args in outputs.values():
            assert quick(db, *args).returncode == 0, args
    finally:
        os.umask(old)
    for name in ("export.csv", "all.json", "feed.ics", "backup.db"):
        assert mode(tmp_path / name) == 0o600, name
    for folder in (
        tmp_path / "deep",
        tmp_path / "deep" / "er",
        tmp_path / "vdir",
        tmp_path / "vdir" / "inner",
    ):
        assert mode(folder) == 0o700, folder
    assert [mode(card) for card in (tmp_path / "vdir" / "inner").iterdir()] == [0o600]
    assert mode(db) == 0o600


# --------------------------------------------------------------------------- the database path


def test_what_is_not_a_database_file_is_refused_untouched(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    os.chmod(empty, 0o644)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("DROP TABLE t")  # another program's SQLite file, now empty
    conn.commit()
    conn.close()
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    link = tmp_path / "device.db"
    link.symlink_to("/dev/null")
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(tmp_path / "nowhere" / "x.db")
    null_mode = mode(Path("/dev/null"))
    for path, says in (
        (empty, "empty file"), (foreign, "another program"), (fifo, "FIFO"),
        (link, "symbolic link to a device"), (dangling, "symbolic link to nothing"),
        (tmp_path, "directory"),
    ):  # fmt: skip
        before = (digest(path), mode(path)) if path.is_file() else None
        result = quick(path, "contact", "add", "X")
        assert result.returncode == 1 and says in result.stderr, (path, result.stderr)
        assert result.stderr.count("\n") == 1
        if before:
            assert (digest(path), mode(path)) == before
    assert mode(Path("/dev/null")) == null_mode and not (tmp_path / "nowhere").exists()


def test_a_read_only_folder_and_a_read_only_file_system_say_so(db):
    script = f"""
        mount --bind '{db.parent}' '{db.parent}' && mount -o remount,bind,ro '{db.parent}' &&
        '{CRM}' --db '{db}' log silva 'a call'; echo "rc=$?"
    """
    result = in_namespace(script, CRM_TODAY="2026-11-24")
    assert "rc=1" in result.stdout
    assert "read-only" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_a_folder_that_cannot_be_reached_is_one_clear_line(tmp_path, monkeypatch):
    from crmcli import dbfile
    from crmcli.errors import CrmError

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(dbfile.os, "lstat", denied)
    with pytest.raises(CrmError, match="permission denied; check the permissions of"):
        dbfile.inspect(tmp_path / "locked" / "crm.db")


# --------------------------------------------------------------------------- terminals

EVIL = "Eve \x1b]0;owned\x07\x1b[2J\u202eevil\x9b31m"
UNSAFE_BYTES = (b"\x1b]0;", b"\x1b[2J", b"\x07", "\u202e".encode(), "\x9b".encode())


def test_names_from_files_cannot_drive_the_terminal(db, tmp_path):
    card = tmp_path / "evil.vcf"
    card.write_text(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{EVIL}\r\nNOTE:{EVIL}\r\nBDAY:1980-03-14\r\n"
        "END:VCARD\r\n"
    )
    imported = quick(db, "vcard", "import", str(card))
    assert imported.returncode == 0
    csv = tmp_path / "evil.csv"
    csv.write_text(f"name,email,{EVIL}\nAl,al@x.example,x\n")
    ignored = quick(db, "import", "contacts", str(csv))
    assert "ignored columns" in ignored.stderr
    screens = [
        on_terminal(db, "contact", "list").encode(),
        on_terminal(db, "contact", "show", "eve").encode(),
        on_terminal(db, "vcard", "export", "-").encode(),  # cards and calendars on a terminal
        on_terminal(db, "calendar", "--days", "366").encode(),
        quick(db, "contact", "list").stdout.encode(),
        quick(db, "contact", "list", "-f", "plain").stdout.encode(),
        quick(db, "contact", "show", "eve").stdout.encode(),
        quick(db, "search", "evil").stdout.encode(),
        quick(db, "contact", "add", EVIL).stderr.encode(),
        quick(db, "log", "eve", "hi").stderr.encode(),  # two Eves now: the error names both
        ignored.stderr.encode(),
    ]
    for screen in screens:
        for unsafe in UNSAFE_BYTES:
            assert unsafe not in screen, (unsafe, screen[:300])
        assert b"\\x1b" in screen or b"\\u202e" in screen or b"Al" in screen
    for fmt in ("csv", "tsv", "json", "jsonl"):  # data on a terminal is shown, not obeyed
        screen = on_terminal(db, "export", "contacts", "-f", fmt).encode()
        assert not any(unsafe in screen for unsafe in UNSAFE_BYTES), (fmt, screen[:300])
        assert b"\\x1b" in screen or b"\\u001b" in screen, fmt
    listed = on_terminal(db, "contact", "list", "-f", "json").encode()
    assert not any(unsafe in listed for unsafe in UNSAFE_BYTES)
    exported = quick(db, "export", "contacts", "-f", "csv").stdout
    assert EVIL in exported  # data formats keep the bytes exact
    assert EVIL in {
        c["name"] for c in json.loads(quick(db, "export", "contacts", "-f", "json").stdout)
    }


INVISIBLE = "Ana\u200bSilva\u00ad \ufeffCo\u2028sta"  # looks like "AnaSilva Costa"


def test_invisible_characters_are_shown_and_markdown_renders_data_as_text(db):
    assert quick(db, "contact", "add", INVISIBLE).returncode == 0
    plain = quick(db, "contact", "list", "-f", "plain").stdout
    assert "Ana\\u200bSilva\\xad \\ufeffCo\\u2028sta" in plain
    table = on_terminal(db, "contact", "list")
    for char in "\u200b\u00ad\ufeff\u2028":
        assert char not in plain and char not in table
    assert INVISIBLE in quick(db, "export", "contacts", "-f", "csv").stdout  # data stays exact
    hostile = "[click](https://evil.example) <img src=x onerror=alert(1)> `x` | y"
    assert quick(db, "complaint", "add", "1", hostile).returncode == 0
    digest = quick(db, "digest", "-f", "markdown").stdout  # as a cron mail renders it
    assert (
        "\\[click\\](https://evil.example) \\<img src=x onerror=alert(1)\\> \\`x\\` \\| y" in digest
    ), digest


def test_an_unknown_command_is_escaped_once(db):
    done = quick(db, "\x1b[31mfoo")
    assert done.returncode == 2
    assert "no such command '\\x1b[31mfoo'" in done.stderr and "\x1b" not in done.stderr


# --------------------------------------------------------------------------- other writers


@pytest.mark.slow
def test_sixteen_processes_importing_and_logging_at_once_all_succeed(tmp_path):
    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana Silva", "--email", "ana@example.com").returncode == 0
    jobs = []
    for n in range(6):
        rows = "".join(f"Person {n}-{i},p{n}-{i}@example.com\n" for i in range(300))
        jobs.append(("import", "contacts", "-", "name,email\n" + rows))
    for n in range(5):
        rows = "".join(
            f"2026-11-{1 + i % 20:02d},ana@example.com,import {n} touch {i}\n" for i in range(400)
        )
        jobs.append(("import", "interactions", "-", "happened_at,contact,summary\n" + rows))
    for n in range(5):
        jobs.append(("log", "ana@example.com", f"log {n}", None))

    def go(job):
        *args, data = job
        results = [run(db, *args, input=data)]
        if args[0] == "log":
            results += [run(db, *args[:-1], f"{args[-1]} again {i}") for i in range(4)]
        return results

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [r for batch in pool.map(go, jobs) for r in batch]
    assert [r.stderr for r in results if r.returncode != 0] == []
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM contacts").fetchone() == (1 + 6 * 300,)
    assert conn.execute("SELECT count(*) FROM interactions").fetchone() == (5 * 400 + 5 * 5,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_a_bad_setting_never_half_does_a_command(db):
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO config (key, value) VALUES ('load_limit', 'lots')")
    conn.commit()
    conn.close()
    result = quick(db, "log", "silva", "call after a bad setting")
    assert result.returncode == 0 and result.stdout.strip().isdigit()


def test_references_that_cannot_surprise(tmp_path):
    db = tmp_path / "crm.db"
    for args in (
        ("Ana Silva", "--email", "ana@example.com"), ("Route 66 Diner",),
        ("bob@b.com fan club",), ("Kenji Tanaka",), ("Maria Ana",),
    ):  # fmt: skip
        assert quick(db, "contact", "add", *args).returncode == 0
    refused = quick(db, "contact", "delete", "6", "--yes")
    assert refused.returncode == 1 and "no contact with id 6" in refused.stderr
    typo = quick(db, "contact", "delete", "bob@b.co", "--yes")
    assert typo.returncode == 1 and "no contact has the email bob@b.co" in typo.stderr
    listed = quick(db, "contact", "list", "-q").stdout.split()
    assert sorted(listed) == ["1", "2", "3", "4", "5"]  # nobody was deleted
    ana = quick(db, "contact", "show", "ana", "-f", "json")
    assert ana.returncode == 1 and "Ana Silva" in ana.stderr and "Maria Ana" in ana.stderr
    assert "Kenji" not in ana.stderr
    assert quick(db, "contact", "archive", "1").returncode == 0
    assert quick(db, "contact", "add", "Ana Silva").stdout == "6\n"
    shown = json.loads(quick(db, "contact", "show", "Ana Silva", "-f", "json").stdout)
    assert shown["id"] == 6  # the active one, not the archived namesake


@pytest.mark.parametrize("args", [["contact", "list"], ["export", "contacts", "-o", "/dev/full"]])
def test_a_full_device_is_said_plainly(tmp_path, args):
    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana").returncode == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run([CRM, *args], env=crm_env_for_process(db), stdout=full,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert done.returncode == 1
    assert (
        done.stderr.strip() == "crm: error: cannot write the output: the device is full "
        "(free some space and run it again)"
    )


def test_a_saved_change_whose_output_cannot_be_written_says_not_to_run_it_again(tmp_path):
    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana").returncode == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run([CRM, "log", "ana", "call"], env=crm_env_for_process(db),
                              stdout=full, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert done.returncode == 1
    assert "the change was saved" in done.stderr and "do not run the command again" in done.stderr
    assert "crm undo" in done.stderr
    assert quick(db, "undo").returncode == 0
    assert "call" not in quick(db, "contact", "show", "ana").stdout


def test_crms_own_descriptors_are_never_an_output(db):
    """/dev/fd/3 is the database inside crm's own process: refused like the database's path."""
    before = digest(db)
    for target in ("/dev/fd/3", "/proc/self/fd/3", "/proc/thread-self/fd/3"):
        result = run(db, "export", "contacts", "-o", target)
        assert result.returncode == 1 and "is the database" in result.stderr, target
    assert digest(db) == before


def test_what_is_said_when_only_the_notes_cannot_be_written(tmp_path):
    """stderr unwritable: the change stands and its id is printed (exit 0); a report whose
    output fails does not claim a change to undo (its own bookkeeping is none)."""
    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana").returncode == 0
    with open("/dev/full", "w") as full:
        logged = subprocess.run([CRM, "log", "ana", "call"], env=crm_env_for_process(db),
                                stdout=subprocess.PIPE, stderr=full, text=True)  # fmt: skip
        report = subprocess.run([CRM, "digest"], env=crm_env_for_process(db), stdout=full,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert logged.returncode == 0 and logged.stdout == "1\n"
    assert report.returncode == 1 and "change was saved" not in report.stderr


def test_a_uid_that_looks_like_a_hashed_file_name_keeps_its_own_file(tmp_path):
    from crmcli.files import safe_name

    hashed = safe_name("a b", ".vcf")
    assert safe_name(hashed.removesuffix(".vcf"), ".vcf") != hashed
    assert safe_name("plain-uid", ".vcf") == "plain-uid.vcf"


def test_a_closed_stdout_is_said_and_nothing_is_done(tmp_path):
    """`crm log … >&-` in a script: one line saying so, exit 1, nothing written."""
    import hashlib

    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana Silva").returncode == 0

    def state() -> str:
        wal = Path(f"{db}-wal")
        return hashlib.sha256(
            db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        ).hexdigest()

    before = state()
    env = crm_env_for_process(db)
    for args in (["log", "ana", "call"], ["export", "contacts"], ["contact", "list"]):
        done = subprocess.run(["sh", "-c", '"$0" "$@" >&-', CRM, *args], env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 1, (args, done.stderr)
        assert (
            done.stderr.startswith("crm: error: stdout is closed")
            and "Traceback" not in done.stderr
        )
    assert state() == before


def test_a_stale_wal_beside_a_backup_target_is_not_replayed_onto_the_new_copy(tmp_path):
    """An old backup left with its `-wal` (copied while in use, or by a crashed reader): the
    new backup replaces both, and is whole."""
    import shutil
    import sqlite3

    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana Silva").returncode == 0
    old = tmp_path / "old.db"
    writer = sqlite3.connect(old)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE other (x)")
    writer.executemany("INSERT INTO other VALUES (?)", [("x" * 500,)] * 200)
    writer.commit()
    target = tmp_path / "backup.db"
    shutil.copy(old, target)
    shutil.copy(f"{old}-wal", f"{target}-wal")  # frames of another file, waiting to be replayed
    writer.close()
    done = quick(db, "backup", str(target))
    assert done.returncode == 0, done.stderr
    assert not Path(f"{target}-wal").exists()
    check = sqlite3.connect(target)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("SELECT name FROM contacts").fetchall() == [("Ana Silva",)]
    check.close()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".backup.db.")]


@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_a_template_that_is_not_a_small_file_is_refused_at_once(tmp_path, kind):
    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana Silva").returncode == 0
    folder = tmp_path / "templates"
    folder.mkdir()
    bad = folder / "bad.txt"
    if kind == "fifo":
        os.mkfifo(bad)  # nobody writes to it: reading it would wait for ever
    elif kind == "device":
        bad.symlink_to("/dev/zero")  # endless
    else:
        bad.write_text("Hi $first_name " * 10_000)
    for args in (["template", "list"], ["template", "render", "bad", "ana"]):
        done = subprocess.run([CRM, *args], env=crm_env_for_process(db), capture_output=True,
                              text=True, timeout=10)  # fmt: skip
        assert done.returncode == 1 and "template" in done.stderr and "Traceback" not in done.stderr
        assert ("not a regular file" if kind != "huge" else "over 64 KB") in done.stderr


@pytest.mark.parametrize(
    "args",
    [["import", "contacts", "/dev/zero"], ["import", "interactions", "/dev/zero"],
     ["import", "all", "/dev/zero"], ["vcard", "import", "/dev/zero"],
     ["import", "dates", "/dev/zero"]],
)  # fmt: skip
def test_a_device_is_refused_before_it_is_read(tmp_path, args):
    db = tmp_path / "crm.db"
    assert quick(db, "contact", "add", "Ana Silva").returncode == 0
    done = subprocess.run([CRM, *args], env=crm_env_for_process(db), capture_output=True,
                          text=True, timeout=10)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "/dev/zero is a device, not a file" in done.stderr and "Traceback" not in done.stderr


def dry_run_waiting(tmp_path, db) -> subprocess.Popen:
    """A dry run with no database yet (so it works on a throwaway copy in $TMPDIR), waiting
    for its stdin."""
    importing = subprocess.Popen(
        [CRM, "import", "contacts", "-", "--dry-run"], stdin=subprocess.PIPE,
        stderr=subprocess.PIPE, env=crm_env_for_process(db, TMPDIR=str(tmp_path / "tmp")),
    )  # fmt: skip
    for _ in range(100):
        copies = [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith(".crm-dry-run.")]
        if copies and (copies[0] / "crm.db").exists():
            time.sleep(0.3)  # made its copy: now it waits on stdin, as a person would see it
            return importing
        time.sleep(0.05)
    raise AssertionError("the dry run made no copy")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP])
def test_a_dry_run_ended_by_a_signal_removes_its_copy(tmp_path, how):
    (tmp_path / "tmp").mkdir()
    importing = dry_run_waiting(tmp_path, tmp_path / "crm.db")
    importing.send_signal(how)
    _, err = importing.communicate(timeout=10)
    assert importing.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    assert list((tmp_path / "tmp").iterdir()) == []


def test_what_a_killed_crm_left_is_removed_by_the_next(tmp_path):
    (tmp_path / "tmp").mkdir()
    db = tmp_path / "crm.db"
    importing = dry_run_waiting(tmp_path, db)
    importing.kill()
    importing.communicate(timeout=10)
    (left,) = (tmp_path / "tmp").iterdir()  # a whole copy of the database, left by kill -9
    partial = tmp_path / f".backup.db.crm{importing.pid}.abcd_123.tmp"  # a backup half-written
    partial.write_bytes(b"SQLite format 3\x00")
    mine = tmp_path / ".notes.crm12.txt"  # not crm's shape of name: never touched
    mine.write_text("mine")
    assert quick(db, "contact", "add", "Ana Silva").returncode == 0
    done = subprocess.run([CRM, "import", "contacts", "-", "--dry-run"], input=b"name\nLia\n",
                          env=crm_env_for_process(tmp_path / "none.db", TMPDIR=str(tmp_path / "tmp")),
                          capture_output=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not left.exists() and list((tmp_path / "tmp").iterdir()) == []
    assert quick(db, "backup", str(tmp_path / "backup.db")).returncode == 0
    assert not partial.exists() and mine.read_text() == "mine"


@pytest.mark.parametrize(
    "args",
    [["export", "contacts", "-o"], ["calendar", "-o"], ["contact", "export", "ana", "-o"],
     ["backup"]],
)  # fmt: skip
def test_a_file_made_read_only_is_replaced_only_with_force(crm, tmp_path, args):
    crm("contact add 'Ana Silva' --email ana@example.com")
    target = tmp_path / "kept.out"
    target.write_text("keep me")
    target.chmod(0o444)
    crm.fails(
        [*args, str(target)], says=f"{target} is read-only (someone protected it): give --force"
    )
    assert target.read_bytes() == b"keep me"
    crm([*args, str(target), "--force"])
    assert target.read_bytes() != b"keep me"


def test_a_disk_filling_during_an_import_says_the_disk_is_full(db, tmp_path):
    rows = tmp_path / "many.csv"
    rows.write_text("name,notes\n" + "".join(f"Person {i},{'n' * 400}\n" for i in range(20_000)))
    script = f"""
        mount -t tmpfs -o size=3m tmpfs /mnt && cp '{db}' /mnt/crm.db &&
        '{CRM}' --db /mnt/crm.db import contacts '{rows}'; echo "rc=$?";
        '{CRM}' --db /mnt/crm.db contact list -f csv | wc -l
    """
    result = in_namespace(script, CRM_TODAY="2026-11-24")
    assert "rc=1" in result.stdout, result.stdout + result.stderr
    assert "full" in result.stderr and "trigger" not in result.stderr, result.stderr
    assert result.stdout.split()[-1] == "2"  # the header and Ana: nothing half-imported


def test_a_migration_stopped_part_way_says_what_is_done(tmp_path, monkeypatch):
    from crmcli import migrations
    from crmcli.store import open_store

    path = tmp_path / "crm.db"
    monkeypatch.setattr("crmcli.store.opening.LATEST", 3)
    monkeypatch.setattr("crmcli.store.opening.MIGRATIONS", migrations.MIGRATIONS[:3])
    old = open_store(path)
    old.conn.execute("INSERT INTO contacts (uid, name, created, updated) "
                     "VALUES ('u1', 'Old Friend', '2026-01-01', '2026-01-01')")  # fmt: skip
    old.close()
    monkeypatch.undo()

    def disk_full(conn):
        raise sqlite3.OperationalError("database or disk is full")

    steps = list(migrations.MIGRATIONS)
    steps[5] = (steps[5][0], disk_full)
    monkeypatch.setattr("crmcli.store.opening.MIGRATIONS", steps)
    done = quick(path, "contact", "list")
    assert done.returncode == 1
    said = done.stderr
    assert (
        f"the schema upgrade (version 3 to {migrations.LATEST}) stopped at step 6: the disk "
        "is full. Steps 4 to 5 are done and kept, each whole; the copy from before is " in said
    )
    assert "nothing was written" not in said and (tmp_path / "crm.db.v3.bak").exists()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (5,)
    monkeypatch.setattr("crmcli.store.opening.MIGRATIONS", migrations.MIGRATIONS)
    assert "Old Friend" in quick(path, "contact", "list", "-f", "csv").stdout  # run again: done

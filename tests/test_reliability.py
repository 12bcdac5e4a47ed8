"""Nothing lost, nobody surprised: concurrency, crashes, foreign files, backups, the trash."""

import os
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import crm_env_for_process, in_process
from hypothesis import given, settings
from hypothesis import strategies as st
from test_process import CRM, run

from crmcli import contacts
from crmcli.errors import CrmError
from crmcli.store import open_store

WRITERS = 8
WRITES_EACH = 3  # eight writers at once, 24 writes: what matters is that they overlap


@pytest.mark.slow
def test_concurrent_writers_lose_nothing_while_the_digest_reads(tmp_path):
    db = tmp_path / "crm.db"
    assert in_process(db, "contact", "add", "Ana Silva", "--every", "7d").returncode == 0

    def writer(number: int) -> list[str]:
        errors = []
        for i in range(WRITES_EACH):
            result = run(db, "log", "silva", f"writer {number} touch {i}")
            if result.returncode != 0 or not result.stdout.strip().isdigit():
                errors.append(result.stderr)
        return errors

    def reader() -> list[str]:
        errors = []
        for _ in range(3):
            result = run(db, "digest", "--format", "json")
            if result.returncode != 0:
                errors.append(result.stderr)
        return errors

    with ThreadPoolExecutor(max_workers=WRITERS + 1) as pool:
        futures = [pool.submit(writer, n) for n in range(WRITERS)] + [pool.submit(reader)]
        errors = [e for f in futures for e in f.result()]
    assert errors == []
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == WRITERS * WRITES_EACH
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.slow
def test_an_import_killed_half_way_leaves_none_or_all_of_it(tmp_path):
    rows = 2_000  # long enough to be killed at four points of its run
    source = tmp_path / "big.csv"
    with source.open("w") as handle:
        handle.write("name,email,tags,birthday\n")
        for i in range(rows):
            handle.write(
                f"Person {i},person{i}@example.com,bench;t{i % 7},1980-01-{i % 28 + 1:02d}\n"
            )
    env = crm_env_for_process(tmp_path / "unused.db")
    started = time.monotonic()
    full = subprocess.run(
        [CRM, "--db", str(tmp_path / "full.db"), "import", "contacts", str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    duration = time.monotonic() - started
    assert full.returncode == 0, full.stderr
    kill_points = [duration * f for f in (0.1, 0.4, 0.7, 0.95)]
    for number, delay in enumerate(kill_points):
        db = tmp_path / f"killed{number}.db"
        assert in_process(db, "contact", "add", "Already Here").returncode == 0
        process = subprocess.Popen(
            [CRM, "--db", str(db), "import", "contacts", str(source)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        dates = conn.execute("SELECT count(*) FROM special_dates").fetchone()[0]
        conn.close()
        assert (count, dates) in ((1, 0), (rows + 1, rows)), (delay, count, dates)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_random_references_resolve_or_raise_our_error(tmp_path_factory, text):
    path = tmp_path_factory.getbasetemp() / "refs.db"
    store = open_store(path)
    try:
        if not store.contacts.listing():
            import datetime as dt

            now = dt.datetime(2026, 11, 24, 9, 0)
            for name in (
                "Ana Silva",
                "Anabela Rocha",
                "João Gonçalves",
                "Robert'); DROP TABLE contacts;--",
            ):
                store.contacts.add({"name": name}, now)
        try:
            contacts.resolve(store, text)
            contacts.resolve_many(store, text)
        except CrmError:
            pass
    finally:
        store.close()


def test_foreign_and_newer_databases_are_refused_through_the_cli(crm, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE photos (path TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    result = crm(f"--db {other} contact list", ok=False)
    assert result.exit_code == 1 and "another program" in result.stderr
    assert other.read_bytes() == before
    newer = tmp_path / "newer.db"
    crm(f"--db {newer} contact add X")
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    snapshot = newer.read_bytes()
    result = crm(f"--db {newer} contact list", ok=False)
    assert result.exit_code == 1 and "newer crm" in result.stderr
    assert newer.read_bytes() == snapshot


def test_a_readonly_database_gives_a_clear_error(crm, people, tmp_path):
    if os.geteuid() == 0:
        # root ignores file modes; make the folder read-only for SQLite through a read-only URI
        crm.fails(f"--db {tmp_path} contact list", says="is a directory")
        return
    os.chmod(crm.db, 0o400)
    crm.fails('log silva "call"', says="cannot write")


def test_backup_is_a_working_copy(crm, people, tmp_path):
    target = tmp_path / "copy.db"
    crm(f"backup {target}")
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert "Ana Silva" in crm(f"--db {target} contact list").stdout
    crm.fails(f"backup {crm.db}", says="overwrite the database itself")
    crm.fails(f"backup {tmp_path}", says="is a directory")


def test_doctor_passes_on_a_healthy_database_and_fails_on_a_loose_one(crm, people):
    result = crm("doctor --format json")
    checks = {c["check"]: c["ok"] for c in __import__("json").loads(result.stdout)}
    assert all(checks.values()) and {"integrity", "schema", "orphans", "permissions file"} <= set(
        checks
    )
    os.chmod(crm.db, 0o644)
    bad = crm("doctor", ok=False)
    assert bad.exit_code == 1 and "permissions file" in bad.stderr and "chmod 0600" in bad.stdout


def test_doctor_finds_orphans(crm, people):
    crm('log silva "call"')
    conn = sqlite3.connect(crm.db)
    conn.execute("DELETE FROM interaction_contacts")
    conn.commit()
    conn.close()
    result = crm("doctor", ok=False)
    assert result.exit_code == 1 and "orphans" in result.stderr


def test_trash_keeps_deleted_contacts_for_30_days(crm, people):
    crm("contact delete bruno --yes")
    assert [t["name"] for t in crm.json("trash list -f json")] == ["Bruno Costa"]
    later = crm("trash list -f json", env={"CRM_TODAY": "2026-12-23"})
    assert [t["name"] for t in __import__("json").loads(later.stdout)] == ["Bruno Costa"]
    purged = crm("trash list -f json", env={"CRM_TODAY": "2026-12-26"})
    assert __import__("json").loads(purged.stdout) == []


def test_trash_empty(crm, people):
    crm("contact delete bruno --yes")
    crm.fails("trash empty", says="refusing to remove 1 trash entry for good (Bruno Costa)")
    crm("trash empty --yes")
    assert crm.json("trash list -f json") == []


def test_eight_processes_creating_the_same_new_database_at_once(tmp_path):
    db = tmp_path / "new" / "crm.db"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: run(db, "contact", "add", f"Person {n}"), range(8)))
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    assert sorted(int(r.stdout) for r in results) == list(range(1, 9))
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert not list(db.parent.glob("*.bak"))  # nothing to back up in a database being born

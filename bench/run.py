"""Time crm commands as whole processes beside their floors, in one run.

    python bench/generate.py            # once: bench/data/{crm.db,contacts.csv,interactions.csv}
    python bench/run.py [--runs 5] [--data bench/data] [--quick]

Every command runs as a fresh process (as a user or cron runs it) several times; the table gives
the median wall time, the spread (min–max) and the peak memory (max RSS) of each. The floors run
in the same session: `python3 -c pass`, a bare standard-library Python script doing the same
SQLite insert / queries, and the sqlite3 shell doing the same `.import` / `-csv` export.
Run by hand and reported in bench/README.md; never part of the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crmcli import store as crm_store  # noqa: E402  (the SQL text only, for the bare floors)

BIN = Path(sys.executable).parent
CRM = str(BIN / "crm")
PYTHON = sys.executable
TODAY = "2026-11-24"


def measure(argv: list[str], runs: int, env: dict, setup=None) -> tuple[list[float], int]:
    """Wall times of `runs` fresh processes and the largest max-RSS among them (KiB)."""
    times, peak = [], 0
    for _ in range(runs):
        if setup:
            setup()
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()[-500:]}")
        process.stderr.close()
        times.append(elapsed)
        peak = max(peak, usage.ru_maxrss)
    return times, peak


def row(name: str, times: list[float], peak: int) -> str:
    median = statistics.median(times) * 1000
    return (
        f"| {name} | {median:.0f} ms | {min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms | "
        f"{peak / 1024:.0f} MB |"
    )


def bare_script(path: Path, body: str) -> list[str]:
    path.write_text("import sqlite3, sys\n" + body)
    return [PYTHON, "-S", str(path)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the imports and the export")
    args = parser.parse_args()
    source = args.data / "crm.db"
    if not source.exists():
        raise SystemExit(f"no {source}: run python bench/generate.py first")
    work = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    db = work / "crm.db"
    shutil.copy(source, db)
    env = {**os.environ, "CRM_DB": str(db), "CRM_TODAY": TODAY}
    env.pop("NO_COLOR", None)
    # Bring the copy to the current schema first, so no timed run pays for a migration.
    subprocess.run([CRM, "db", "migrate"], env=env, check=True, capture_output=True)
    for stale in work.glob("crm.db.v*.bak"):
        stale.unlink()
    runs = args.runs
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, {platform.platform()}",
        f"Data: {args.data} ({os.path.getsize(source) / 1e6:.0f} MB database), {runs} runs each",
        "",
        "| command | median | spread | peak memory |",
        "| --- | --- | --- | --- |",
    ]

    def add(name, argv, count=runs, setup=None):
        times, peak = measure(argv, count, env, setup)
        lines.append(row(name, times, peak))
        print(lines[-1], flush=True)
        return statistics.median(times)

    print("\n".join(lines), flush=True)
    # ------------------------------------------------------------------ start-up and one write
    add("floor: python3 -c pass", [PYTHON, "-c", "pass"])
    insert = bare_script(
        work / "bare_insert.py",
        f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA busy_timeout = 30000'); c.execute('BEGIN IMMEDIATE')\n"
        'i = c.execute("INSERT INTO interactions (uid, happened_at, summary, created) VALUES '
        "(lower(hex(randomblob(16))), '2026-11-24T10:00:00', 'bare', '2026-11-24T10:00:00')\").lastrowid\n"
        "c.execute('INSERT INTO interaction_contacts VALUES (2, ?, ?)', ('2026-11-24T10:00:00', i))\n"
        "c.execute('COMMIT')\n",
    )
    add("floor: bare Python SQLite insert", insert)
    add("crm --help", [CRM, "--help"])
    add('crm log REF "..."', [CRM, "log", "2", "bench call"])
    add('crm contact add "..."', [CRM, "contact", "add", "Bench Person"])
    # ------------------------------------------------------------------ the daily reports
    reports = bare_script(
        work / "bare_reports.py",
        f"c = sqlite3.connect({str(db)!r})\n"
        f"rows = c.execute({crm_store.OVERDUE_SQL!r}, {{'today': {TODAY!r}}}).fetchall()\n"
        "keys = __import__('json').dumps(list(range(1124, 1209)))\n"
        f"rows += c.execute({crm_store.SPECIAL_DATE_SELECT + ' WHERE s.month * 100 + s.day IN (SELECT value FROM json_each(?)) AND c.archived = 0'!r}, (keys,)).fetchall()\n"
        f"rows += c.execute({crm_store.COMPLAINT_SELECT + ' WHERE k.resolved_at IS NULL AND c.archived = 0 ORDER BY k.opened'!r}, "
        f"{{'now': {TODAY + 'T12:00:00'!r}, 'today': {TODAY!r}}}).fetchall()\n"
        "for r in rows: sys.stdout.write('  '.join(map(str, r)) + '\\n')\n",
    )
    add("floor: bare Python, the three report queries", reports)
    add("crm overdue", [CRM, "overdue"])
    add("crm upcoming", [CRM, "upcoming"])
    add("crm complaints", [CRM, "complaints"])
    add("crm digest", [CRM, "digest"])
    add("crm contact show (10k interactions)", [CRM, "contact", "show", "1"])
    # ------------------------------------------------------------------ search, on 1k contacts
    small, first_1k = work / "small.db", work / "contacts-1k.csv"
    with (args.data / "contacts.csv").open() as source:
        first_1k.write_text("".join(itertools.islice(source, 1001)))
    subprocess.run([CRM, "--db", str(small), "import", "contacts", str(first_1k)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    add('crm log REF "..." (1k contacts)', [CRM, "--db", str(small), "log", "2", "bench call"])
    add("crm search TEXT (1k contacts)", [CRM, "--db", str(small), "search", "Silva"])
    if not args.quick:
        bulk(add, work, args.data, env)
        mail(add, work, args.data, env)
    lines.append("")
    lines.append("What `crm log` imports (python -X importtime, cumulative µs, top 8):")
    lines.extend(import_profile(env))
    print("\n".join(lines[-9:]))
    shutil.rmtree(work)


SAME_JOB_TABLES = {
    "contacts": ("contacts", "special_dates"),
    "interactions": ("interactions", "interaction_contacts"),
}


def same_job(work: Path, db: Path, entity: str, csv: Path) -> list[str]:
    """The sqlite3 shell doing crm's whole import job (bench/same_job_*.sql) on `db`, with the
    triggers crm sets aside during a bulk import read from the database itself."""
    import sqlite3

    names = [f"{entity}_ai", *(f"{t}_undo_insert" for t in SAME_JOB_TABLES[entity])]
    conn = sqlite3.connect(db)
    triggers = [
        conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (n,)).fetchone()[0]
        for n in names
    ]
    conn.close()
    script = (ROOT / "bench" / f"same_job_{entity}.sql").read_text()
    script = script.replace("{csv}", str(csv))
    script = script.replace("{drop_triggers}", "\n".join(f"DROP TRIGGER {n};" for n in names))
    script = script.replace("{create_triggers}", "\n".join(f"{sql};" for sql in triggers))
    path = work / f"same_job_{entity}.sql"
    path.write_text(script)
    return ["sh", "-c", f"sqlite3 {db} < {path}"]


def bulk(add, work: Path, data: Path, env: dict) -> None:
    contacts_csv, interactions_csv = data / "contacts.csv", data / "interactions.csv"
    fresh = work / "fresh.db"

    def clean(path: Path):
        def remove():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return remove

    sqlite_import = work / "sqlite.db"
    add(
        "floor: sqlite3 .import contacts.csv",
        ["sqlite3", str(sqlite_import), f".import --csv {contacts_csv} c"],
        3,
        clean(sqlite_import),
    )
    add(
        "floor: sqlite-utils insert --csv contacts.csv",
        [str(BIN / "sqlite-utils"), "insert", str(sqlite_import), "c", str(contacts_csv), "--csv"],
        3,
        clean(sqlite_import),
    )
    empty = work / "empty.db"
    subprocess.run(
        [CRM, "--db", str(empty), "db", "init"], env=env, check=True, capture_output=True
    )

    def empty_copy(path: Path):
        def restore():
            clean(path)()
            shutil.copy(empty, path)

        return restore

    shell_db = work / "shell.db"
    empty_copy(shell_db)()
    add(
        "floor: the sqlite3 shell doing crm's contacts import job",
        same_job(work, shell_db, "contacts", contacts_csv),
        3,
        empty_copy(shell_db),
    )
    add(
        "crm import contacts (100k rows)",
        [CRM, "--db", str(fresh), "import", "contacts", str(contacts_csv)],
        3,
        clean(fresh),
    )
    base = work / "contacts-only.db"
    shutil.copy(fresh, base)
    own = work / "own-export.csv"
    with own.open("w") as handle:
        subprocess.run([CRM, "--db", str(base), "export", "contacts"], env=env, check=True,
                       stdout=handle)  # fmt: skip
    again = work / "again.db"
    add(
        "crm import contacts of crm's own export (100k, uid and every column)",
        [CRM, "--db", str(again), "import", "contacts", str(own)],
        3,
        clean(again),
    )

    def contacts_only():
        clean(again)()
        shutil.copy(base, again)

    add(
        "crm import contacts --on-duplicate update (100k, all matched)",
        [
            CRM,
            "--db",
            str(again),
            "import",
            "contacts",
            str(contacts_csv),
            "--on-duplicate",
            "update",
        ],
        3,
        contacts_only,
    )

    def restore():
        clean(fresh)()
        shutil.copy(base, fresh)

    add(
        "floor: sqlite3 .import interactions.csv",
        ["sqlite3", str(sqlite_import), f".import --csv {interactions_csv} i"],
        3,
        clean(sqlite_import),
    )
    shell_base = work / "shell-base.db"
    shutil.copy(base, shell_base)

    def shell_copy():
        clean(shell_db)()
        shutil.copy(shell_base, shell_db)

    shell_copy()
    add(
        "floor: the sqlite3 shell doing crm's interactions import job",
        same_job(work, shell_db, "interactions", interactions_csv),
        3,
        shell_copy,
    )
    add(
        "crm import interactions (1M rows)",
        [CRM, "--db", str(fresh), "import", "interactions", str(interactions_csv)],
        3,
        restore,
    )
    source = data / "crm.db"
    add(
        "floor: sqlite3 -csv SELECT * FROM interactions",
        ["sqlite3", "-csv", str(source), "SELECT * FROM interactions"],
        3,
    )
    add(
        "crm export interactions --format csv (1M)",
        [CRM, "--db", str(source), "export", "interactions", "--format", "csv"],
        3,
    )


def mail(add, work: Path, data: Path, env: dict) -> None:
    """`crm import mail` over the generated Maildirs against the floor of a bare loop that
    only reads the header block of every file (and parses nothing)."""
    folder = data / "Mail"
    if not folder.exists():
        print("no bench/data/Mail: run python bench/generate.py for the mail rows")
        return
    floor = bare_script(
        work / "bare_headers.py",
        "import os\n"
        f"count = 0\nfor root, dirs, names in os.walk({str(folder)!r}):\n"
        "    if os.path.basename(root) not in ('cur', 'new'):\n        continue\n"
        "    for name in names:\n"
        "        with open(os.path.join(root, name), 'rb') as f:\n"
        "            head = b''\n"
        "            while b'\\n\\n' not in head:\n"
        "                chunk = f.read(8192)\n"
        "                if not chunk: break\n"
        "                head += chunk\n"
        "        count += 1\n"
        "print(count)\n",
    )
    add("floor: bare Python loop reading the headers of 100k mail files", floor, 3)
    db = work / "mail.db"

    def restore():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copy(work / "crm.db", db)
        subprocess.run([CRM, "--db", str(db), "config", "set", "me", "me@work.example"],
                       env=env, check=True, capture_output=True)  # fmt: skip

    add(
        "crm import mail (100k messages, 100k contacts)",
        [CRM, "--db", str(db), "import", "mail", str(folder)],
        3,
        restore,
    )


def import_profile(env: dict) -> list[str]:
    result = subprocess.run(
        [PYTHON, "-X", "importtime", CRM, "log", "2", "profiled call"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = [p.strip() for p in line[len("import time:") :].split("|")]
            if parts[1].isdigit():
                rows.append((int(parts[1]), parts[2]))
    rows.sort(reverse=True)
    return [f"    {cumulative:>8}  {name}" for cumulative, name in rows[:8]]


if __name__ == "__main__":
    main()

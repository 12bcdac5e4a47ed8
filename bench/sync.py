"""`crm vcard sync` at scale, run by hand (never in the suite):

    python bench/sync.py [--contacts 5000]

Builds a database of N contacts (an email, a phone, a birthday each) with `crm import contacts`,
then times the first sync into an empty vdir and a second, quiet one (peak memory of each),
while another writer takes SQLite's write lock over and over (`BEGIN IMMEDIATE; COMMIT`, as
every crm command that writes does): the longest it waited is how long the sync held the lock.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CRM = shutil.which("crm", path=str(Path(sys.executable).parent)) or "crm"


def build(folder: Path, count: int) -> Path:
    rows = folder / "contacts.csv"
    with rows.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "email", "phone", "company", "birthday"])
        for i in range(count):
            out.writerow([f"Person {i} Surname", f"p{i}@example.com", f"+351 91{i:07d}",
                          "Acme", f"19{50 + i % 50}-0{1 + i % 9}-1{i % 9}"])  # fmt: skip
    db = folder / "crm.db"
    subprocess.run([CRM, "import", "contacts", str(rows)], env={**os.environ, "CRM_DB": str(db)},
                   check=True, capture_output=True)  # fmt: skip
    return db


def waits_while(db: Path, argv: list[str]) -> tuple[float, float, int]:
    """(seconds the command took, the longest another writer waited, its peak RSS in MB)."""
    longest, stop = [0.0], threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(db, isolation_level=None, timeout=120)
        while not stop.is_set():
            began = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
            longest[0] = max(longest[0], time.perf_counter() - began)
            time.sleep(0.01)
        conn.close()

    other = threading.Thread(target=writer)
    other.start()
    began = time.perf_counter()
    subprocess.run(argv, env={**os.environ, "CRM_DB": str(db)}, check=True, capture_output=True)
    took = time.perf_counter() - began
    stop.set()
    other.join()
    return took, longest[0], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=5000)
    count = parser.parse_args().contacts
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        db = build(folder, count)
        vdir = folder / "vdir"
        print(f"| vcard sync, {count:,} contacts | wall | longest wait of another writer | peak |")
        print("| --- | --- | --- | --- |")
        for name in ("first (every card written)", "second (nothing changed)"):
            took, waited, peak = waits_while(db, [CRM, "vcard", "sync", str(vdir)])
            print(f"| {name} | {took:.2f} s | {waited * 1000:.0f} ms | {peak} MB |")


if __name__ == "__main__":
    main()

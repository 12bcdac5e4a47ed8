"""Build a realistic, reproducible benchmark data set.

    python bench/generate.py --contacts 100000 --interactions 1000000 [--seed 42] [--out bench/data]

Writes, under --out:
  crm.db            a crm database: contacts (tags, cadences, owners), birthdays with and without
                    a year (29 February included), anniversaries, interactions over five years,
                    open and done follow-ups, complaints; one contact ("Heavy Hitter") has 10 000
                    interactions for `crm contact show`
  contacts.csv      the same contacts as crm's own CSV export columns (no uids: a fresh import)
  interactions.csv  the same interactions, naming each contact by email
  Mail/             Maildirs (INBOX, Sent, Archive, lists) as mbsync keeps them: --mail messages
                    (default 100 000) between me@work.example and contacts or strangers, with
                    bodies, some attachments, mailing lists and auto-replies, for `crm import mail`
The database is filled with the standard library's executemany (not through crm) so generating
does not depend on the code being measured; the schema comes from crm's own migrations.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crmcli.store import open_store  # noqa: E402  (only to create the schema)

TODAY = dt.date(2026, 11, 24)
FIRST = ["Ana", "Bruno", "Carla", "David", "Eva", "Fatima", "Gil", "Hana", "Ivo", "Joana", "Kofi",
         "Lena", "Miguel", "Nadia", "Omar", "Paula", "Quentin", "Rita", "Sven", "Tomás", "Uma",
         "Vera", "Wen", "Xavier", "Yara", "Zé"]  # fmt: skip
LAST = ["Silva", "Costa", "Dias", "Okafor", "Novak", "Zahra", "Moreno", "Sato", "Ferreira", "Berg",
        "Mensah", "Kowalski", "Rossi", "Haddad", "Nguyen", "Santos", "Müller", "Oliveira"]  # fmt: skip
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", None]
TAGS = ["client", "prospect", "partner", "lisbon", "porto", "berlin", "vip", "referrer", "friend"]
CHANNELS = ["call", "email", "meeting", "message", "video", "social", "letter", "other"]
STAGES = ["exploration", "awareness", "expansion", "commitment", "dissolution", None]
SUMMARIES = ["check-in call", "sent proposal", "lunch", "quarterly review", "invoice question",
             "workshop", "thank-you note", "intro call", "follow-up email", "contract signed"]  # fmt: skip


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def contact_rows(rng: random.Random, count: int):
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last} {number}" if number > 1 else "Heavy Hitter"
        email = f"{first.lower()}.{last.lower()}.{number}@example.com".replace(" ", "")
        tags = rng.sample(TAGS, rng.randint(0, 3))
        cadence = rng.choice([14, 30, 60, 90]) if rng.random() < 0.1 else None
        created = TODAY - dt.timedelta(days=rng.randint(30, 2000))
        yield {
            "id": number, "uid": uid(rng), "name": name, "emails": json.dumps([email]),
            "phones": json.dumps([f"+351 9{rng.randint(10000000, 99999999)}"]),
            "company": rng.choice(COMPANIES), "title": None, "tags": json.dumps(tags),
            "relationship": None, "stage": rng.choice(STAGES), "channel": rng.choice(CHANNELS[:4]),
            "cadence_days": cadence, "owner": "me", "source": None, "acquisition_cost": None,
            "notes": None, "archived": int(rng.random() < 0.02),
            "created": f"{created}T09:00:00", "updated": f"{created}T09:00:00",
        }  # fmt: skip


def birthday(rng: random.Random) -> tuple[int, int, int | None]:
    if rng.random() < 0.002:
        return 2, 29, rng.choice([1980, 1984, 1992, 2000, None])
    day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    return day.month, day.day, rng.choice([None, rng.randint(1950, 2000)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--mail", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    db_path = args.out / "crm.db"
    for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    store = open_store(db_path)
    conn = store.conn
    conn.execute("BEGIN")
    contacts = list(contact_rows(rng, args.contacts))
    columns = list(contacts[0])
    conn.executemany(
        f"INSERT INTO contacts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        ([c[k] for k in columns] for c in contacts),
    )
    dates = []
    for contact in contacts:
        if rng.random() < 0.7:
            dates.append((uid(rng), contact["id"], "birthday", *birthday(rng), contact["created"]))
        if rng.random() < 0.1:
            dates.append(
                (uid(rng), contact["id"], "anniversary", *birthday(rng), contact["created"])
            )
    conn.executemany(
        "INSERT INTO special_dates (uid, contact_id, label, month, day, year, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        dates,
    )
    emails = {c["id"]: json.loads(c["emails"])[0] for c in contacts}
    interactions_csv = (args.out / "interactions.csv").open("w", newline="", encoding="utf-8")
    writer = csv.writer(interactions_csv)
    writer.writerow(["happened_at", "contact", "channel", "direction", "summary", "amount"])
    heavy = min(10_000, args.interactions // 10)
    batch, links = [], []
    for number in range(1, args.interactions + 1):
        contact_id = 1 if number <= heavy else rng.randint(1, args.contacts)
        day = TODAY - dt.timedelta(days=int(5 * 365 * rng.random() ** 3))  # recent ones are denser
        happened = f"{day}T{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00"
        channel, direction = rng.choice(CHANNELS), rng.choice(["out", "out", "in"])
        summary = rng.choice(SUMMARIES)
        amount = round(rng.uniform(100, 5000), 2) if rng.random() < 0.05 else None
        batch.append(
            (
                number,
                uid(rng),
                happened,
                channel,
                direction,
                summary,
                None,
                None,
                amount,
                None,
                happened,
            )
        )
        links.append((contact_id, happened, number))
        writer.writerow([happened, emails[contact_id], channel, direction, summary, amount or ""])
        if len(batch) >= 50_000:
            flush(conn, batch, links)
    flush(conn, batch, links)
    interactions_csv.close()
    followups, complaints = [], []
    for contact in rng.sample(contacts, min(len(contacts), args.contacts // 20)):
        due = TODAY + dt.timedelta(days=rng.randint(-30, 60))
        done = f"{TODAY}T08:00:00" if rng.random() < 0.5 else None
        followups.append(
            (uid(rng), contact["id"], due.isoformat(), "call back", f"{TODAY}T08:00:00", done)
        )
    for contact in rng.sample(contacts, min(len(contacts), args.contacts // 200)):
        opened = dt.datetime.combine(TODAY, dt.time(9)) - dt.timedelta(
            hours=rng.randint(1, 24 * 30)
        )
        resolved = opened.isoformat() if rng.random() < 0.7 else None
        complaints.append(
            (
                uid(rng),
                contact["id"],
                opened.isoformat(),
                "late delivery",
                (opened + dt.timedelta(hours=48)).isoformat(),
                resolved,
            )
        )
    conn.executemany(
        "INSERT INTO followups (uid, contact_id, due, note, created, done_at) VALUES (?, ?, ?, ?, ?, ?)",
        followups,
    )
    conn.executemany(
        "INSERT INTO complaints (uid, contact_id, opened, summary, due, resolved_at) VALUES (?, ?, ?, ?, ?, ?)",
        complaints,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    store.close()
    with (args.out / "contacts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["name", "emails", "phones", "company", "tags", "cadence_days", "birthday", "created"]
        )
        by_contact = {d[1]: d for d in dates if d[2] == "birthday"}
        for c in contacts:
            bday = by_contact.get(c["id"])
            text = (
                ""
                if bday is None
                else (
                    f"{bday[5]:04d}-{bday[3]:02d}-{bday[4]:02d}"
                    if bday[5]
                    else f"--{bday[3]:02d}-{bday[4]:02d}"
                )
            )
            writer.writerow([c["name"], ";".join(json.loads(c["emails"])), ";".join(json.loads(c["phones"])),
                             c["company"] or "", ";".join(json.loads(c["tags"])), c["cadence_days"] or "", text, c["created"]])  # fmt: skip
    write_maildirs(args.out / "Mail", rng, args.mail, list(emails.values()))
    print(
        f"{args.out}: {args.mail} mail messages, {args.contacts} contacts, {len(dates)} special dates, {args.interactions} interactions, "
        f"{len(followups)} follow-ups, {len(complaints)} complaints in {time.perf_counter() - started:.1f} s"
    )


def write_maildirs(root: Path, rng: random.Random, count: int, emails: list[str]) -> None:
    """Maildir files written directly (cur/ and new/, mbsync's names), as fast as possible:
    40 % from contacts, 25 % sent by me, 20 % strangers, 15 % lists and robots; bodies of a few
    kilobytes, 2 % with a 60 kB attachment."""
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    folders = {}
    for name in ("INBOX", "Sent", "Archive", "Lists"):
        for sub in ("cur", "new", "tmp"):
            (root / name / sub).mkdir(parents=True, exist_ok=True)
        folders[name] = root / name
    body = ("Thanks for the call today. " * 40 + "\n") * 4
    attachment = "\n".join(["QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=" * 2] * 800)
    start = dt.datetime(2024, 1, 1)
    for number in range(count):
        roll = rng.random()
        sent = start + dt.timedelta(minutes=rng.randint(0, 1_500_000))
        contact = rng.choice(emails)
        extra = ""
        if roll < 0.40:
            folder, sender, to = "INBOX", contact, "me@work.example"
        elif roll < 0.65:
            folder, sender, to = (
                "Sent",
                "me@work.example",
                f"{contact}, someone{number}@else.example",
            )
        elif roll < 0.85:
            folder, sender, to = "Archive", f"stranger{number}@else.example", "me@work.example"
        else:
            folder, sender, to = "Lists", "news@lists.example", "me@work.example"
            extra = (
                "List-Id: <news.lists.example>\n"
                if roll < 0.95
                else "Auto-Submitted: auto-generated\n"
            )
        text = (
            f"Return-Path: <{sender}>\nReceived: from mx.example (mx.example [192.0.2.1])\n"
            f"\tby mail.work.example with ESMTPS id {number:x}; {sent:%a, %d %b %Y %H:%M:%S} +0000\n"
            f"From: {sender}\nTo: {to}\nSubject: =?utf-8?q?Or=C3=A7amento?= {number}\n"
            f"Date: {sent:%a, %d %b %Y %H:%M:%S} +0000\nMessage-ID: <{number}.{uid(rng)}@mail.example>\n"
            f"{extra}MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}"
        )
        if rng.random() < 0.02:
            text += attachment
        sub = "cur" if number % 10 else "new"
        name = (
            f"{1700000000 + number}.M{number}P1.host,U={number}:2,S"
            if sub == "cur"
            else f"{1700000000 + number}.M{number}P1.host"
        )
        path = folders[folder] / sub / name
        path.write_text(text)
        delivered = (sent + dt.timedelta(minutes=2)).replace(tzinfo=dt.UTC).timestamp()
        os.utime(path, (delivered, delivered))  # as a long-lived Maildir: written on arrival


def flush(conn, batch: list, links: list) -> None:
    conn.executemany(
        "INSERT INTO interactions (id, uid, happened_at, channel, direction, summary, outcome, sentiment, amount, rating, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    conn.executemany(
        "INSERT INTO interaction_contacts (contact_id, happened_at, interaction_id) VALUES (?, ?, ?)",
        links,
    )
    batch.clear()
    links.clear()


if __name__ == "__main__":
    main()

"""A small, believable demo address book, dated relative to today so the digest has news.

It goes through the same doors as a user's own records (contacts.add, the store's checked
writes), so the demo keeps every rule and setting a real address book keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import contacts
from .errors import CrmError
from .store import Store

PEOPLE = [
    # name, email, company, tags, cadence days, stage, relationship, channel, birthday
    ("Ana Silva", "ana@acme.example", "Acme", ["client", "lisbon"], 30, "commitment", "dedicated", "email", "1985-03-14"),
    ("Bruno Costa", "bruno@costa.example", "Costa & Filhos", ["partner"], 14, "expansion", "co-creation", "call", None),
    ("Carla Dias", "carla@dias.example", "Dias Design", ["prospect"], None, "exploration", "personal", "meeting", None),
    ("David Okafor", "david@okafor.example", "Okafor Labs", ["client"], 60, "commitment", "long-term", "video", "07-02"),
    ("Eva Novak", "eva@novak.example", None, ["friend", "referrer"], 90, None, "community", "message", None),
]  # fmt: skip


def seed(store: Store, today: dt.date, now: dt.datetime) -> int:
    """Fill an empty database; returns how many contacts were added."""
    if store.contacts.any():
        raise CrmError(f"{store.path} already has contacts: seed an empty database")

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    def date(label: str, offset: int, year: int | None) -> dict[str, Any]:
        when = day(offset)
        return {"label": label, "month": when.month, "day": when.day, "year": year, "created": now}

    with store.transaction():
        ids = {}
        for name, email, company, tags, cadence, stage, relationship, channel, born in PEOPLE:
            fields: dict[str, Any] = {
                "name": name, "emails": [email], "company": company, "tags": tags,
                "cadence_days": cadence, "stage": stage, "relationship": relationship,
                "channel": channel,
            }  # fmt: skip
            ids[name.split()[0]] = contacts.add(store, fields, born, now - dt.timedelta(days=200))
        store.dates.add(ids["Bruno"], date("birthday", 3, 1980))
        store.dates.add(ids["Carla"], date("anniversary", 9, None))
        store.dates.add(ids["Eva"], date("birthday", -2, 1991))
        touches: list[tuple[list[str], dict[str, Any], int]] = [
            (["Ana"], {"summary": "Q3 proposal call", "channel": "call", "amount": 4800}, -12),
            (["Ana", "Bruno"], {"summary": "Lunch at the harbour", "channel": "meeting"}, -40),
            (["David"], {"summary": "Invoice query", "channel": "email", "direction": "in",
                         "sentiment": "negative"}, -3),
            (["Carla"], {"summary": "Intro via Eva", "channel": "email", "rating": 4}, -20),
        ]  # fmt: skip
        for who, fields, offset in touches:
            store.interactions.add(
                [ids[n] for n in who], {**fields, "happened_at": day(offset)}, now
            )
        store.followups.add(ids["Carla"], day(-2), "send the portfolio", now)
        store.followups.add(ids["Ana"], day(0), "thank-you call after the sale", now)
        store.followups.add(ids["Bruno"], day(5), "plan the joint workshop", now)
        opened = dt.datetime.combine(day(-3), dt.time(9, 0))
        store.complaints.add(
            ids["David"], "Invoice charged twice", opened, opened + dt.timedelta(hours=48)
        )
    return len(PEOPLE)

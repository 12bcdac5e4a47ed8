"""A small, believable demo address book, dated relative to today so the digest has news."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .errors import CrmError

PEOPLE = [
    # name, email, company, tags, cadence days, stage, relationship, channel, birthday
    ("Ana Silva", "ana@acme.example", "Acme", ["client", "lisbon"], 30, "commitment", "dedicated", "email", (3, 14, 1985)),
    ("Bruno Costa", "bruno@costa.example", "Costa & Filhos", ["partner"], 14, "expansion", "co-creation", "call", None),
    ("Carla Dias", "carla@dias.example", "Dias Design", ["prospect"], None, "exploration", "personal", "meeting", None),
    ("David Okafor", "david@okafor.example", "Okafor Labs", ["client"], 60, "commitment", "long-term", "video", (7, 2, None)),
    ("Eva Novak", "eva@novak.example", None, ["friend", "referrer"], 90, None, "community", "message", None),
]  # fmt: skip


def seed(store, today: dt.date, now: dt.datetime) -> int:
    """Fill an empty database; returns how many contacts were added."""
    if store.list_contacts() or store.list_contacts(archived=True):
        raise CrmError(f"{store.path} already has contacts: seed an empty database")

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    with store.transaction():
        ids = {}
        for name, email, company, tags, cadence, stage, relationship, channel, birthday in PEOPLE:
            fields: dict[str, Any] = {
                "name": name,
                "emails": [email],
                "company": company,
                "tags": tags,
            }
            fields.update(
                cadence_days=cadence, stage=stage, relationship=relationship, channel=channel
            )
            ids[name.split()[0]] = store.add_contact(fields, now - dt.timedelta(days=200), birthday)
        store.add_special_date(ids["Bruno"], "birthday", day(3).month, day(3).day, 1980, now)
        store.add_special_date(ids["Carla"], "anniversary", day(9).month, day(9).day, None, now)
        store.add_special_date(ids["Eva"], "birthday", day(-2).month, day(-2).day, 1991, now)
        touch = store.add_interaction
        touch(
            [ids["Ana"]],
            {"summary": "Q3 proposal call", "channel": "call", "amount": 4800},
            day(-12),
            now,
        )
        touch(
            [ids["Ana"], ids["Bruno"]],
            {"summary": "Lunch at the harbour", "channel": "meeting"},
            day(-40),
            now,
        )
        touch(
            [ids["David"]],
            {
                "summary": "Invoice query",
                "channel": "email",
                "direction": "in",
                "sentiment": "negative",
            },
            day(-3),
            now,
        )
        touch(
            [ids["Carla"]],
            {"summary": "Intro via Eva", "channel": "email", "rating": 4},
            day(-20),
            now,
        )
        store.add_followup(ids["Carla"], day(-2), "send the portfolio", now)
        store.add_followup(ids["Ana"], day(0), "thank-you call after the sale", now)
        store.add_followup(ids["Bruno"], day(5), "plan the joint workshop", now)
        opened = dt.datetime.combine(day(-3), dt.time(9, 0))
        store.add_complaint(
            ids["David"], "Invoice charged twice", opened, opened + dt.timedelta(hours=48)
        )
    return len(PEOPLE)

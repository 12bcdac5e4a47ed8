"""People: adding, changing, listing and archiving contacts — the rules above the store.

A new contact from any door gets the default cadence (`crm config set cadence 30d`) unless it
brings its own; `--email` and friends replace a list while `--add-email` / `--remove-email`
edit it item by item; a stage set by an edit is recorded as a dated stage change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import model, settings, when
from .store import Store, fold

Row = dict[str, Any]


def birthday(text: str | None) -> Row | None:
    """`--birthday YYYY-MM-DD|MM-DD` as a special date."""
    if text is None:
        return None
    month, day, year = when.parse_special_date(text)
    return {"label": "birthday", "month": month, "day": day, "year": year}


def add(store: Store, fields: Row, birthday_text: str | None, now: dt.datetime) -> int:
    if fields.get("cadence_days") is None:
        fields = {**fields, "cadence_days": settings.default_cadence(store)}
    date = birthday(birthday_text)
    return store.add_contact(fields, now, [date] if date else [])


def edit(
    store: Store,
    contact: Row,
    fields: Row,
    added: dict[str, list[str]],
    removed: dict[str, list[str]],
    birthday_text: str | None,
    now: dt.datetime,
) -> Row:
    """Change fields; `added` / `removed` edit the emails, phones or tags lists item by item."""
    changes = dict(fields)
    for column in model.LIST_COLUMNS:
        if added.get(column) or removed.get(column):
            check = model.CONTACT_ITEM_CHECKS[column]
            gone = {fold(check(item)) for item in removed.get(column) or []}
            base = changes[column] if column in changes else contact[column]
            kept = [v for v in model.FIELDS["contacts"][column](base) if fold(v) not in gone]
            changes[column] = kept + [check(item) for item in added.get(column) or []]
    date = birthday(birthday_text)
    with store.transaction():
        store.update_contact(contact["id"], changes, now)
        new_stage = model.choice(changes.get("stage") or None, model.STAGES, "stage")
        if new_stage and new_stage != contact["stage"]:
            store.record_stage(contact["id"], contact["stage"], new_stage, now, None)
        if date:
            store.set_birthday(contact["id"], date, now)
    return store.get_contact(contact["id"])


def listing(store: Store, **filters: Any) -> list[Row]:
    """Contacts with their first email and phone (what a person sees in a table)."""
    rows = store.list_contacts(**filters)
    for row in rows:
        row["email"] = row["emails"][0] if row["emails"] else None
        row["phone"] = row["phones"][0] if row["phones"] else None
    return rows


def set_archived(store: Store, contact: Row, archived: bool, now: dt.datetime) -> None:
    store.set_archived(contact["id"], archived, now)

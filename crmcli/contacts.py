"""People: adding, changing, listing and archiving contacts — the rules above the store.

A new contact from any door gets the default cadence (`crm config set cadence 30d`) unless it
brings its own; `--email` and friends replace a list while `--add-email` / `--remove-email`
edit it item by item; a stage set by an edit is recorded as a dated stage change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import model, settings, when
from .errors import CrmError, NotFound
from .store import Store, fold, words

Row = dict[str, Any]


MAX_LISTED = 8  # candidates an ambiguous reference names


def resolve(store: Store, ref: str) -> Row:
    """A contact reference (REF), in an order that cannot surprise:

    - all digits: an id, and nothing else;
    - an email: whoever holds it, and nothing else;
    - otherwise a name: the exact name, else the words the name starts with ("ana sil" is
      Ana Silva; "ana" is not Kenji Tanaka), accents and case ignored.
    Active contacts first: an archived one answers only when no active one does. Several
    answers are an error that lists them."""
    cleaned = model.as_text(ref if ref is not None else "", "contact reference").strip()
    if not cleaned:
        raise CrmError("empty contact reference: give an id, an email or part of a name")
    if cleaned.isascii() and cleaned.isdigit():
        return _by_id(store, cleaned)
    if "@" in cleaned and " " not in cleaned:
        found = _active_first(store.contacts_with_email(cleaned))
        if not found:
            raise NotFound(f"no contact has the email {cleaned}: see `crm contact list --search`")
        return _one(cleaned, found)
    found = _active_first(store.contacts_named(fold(cleaned)))
    if not found and words(cleaned):
        found = _active_first(store.contacts_with_words(words(cleaned)))
    if not found:
        raise NotFound(
            f"no contact matches {cleaned!r}: try `crm contact list --search` for its id"
        )
    return _one(cleaned, found)


def _by_id(store: Store, digits: str) -> Row:
    if len(digits) > 18:
        raise NotFound(
            f"no contact with id {digits}: ids are small numbers; see `crm contact list`"
        )
    return store.get_contact(int(digits))


def _active_first(rows: list[Row]) -> list[Row]:
    active = [row for row in rows if not row["archived"]]
    return active or rows


def _one(ref: str, candidates: list[Row]) -> Row:
    if len(candidates) == 1:
        return candidates[0]
    listed = "; ".join(
        f"{c['id']} {c['name']}"
        + (f" <{c['emails'][0]}>" if c["emails"] else "")
        + (" (archived)" if c["archived"] else "")
        for c in candidates[:MAX_LISTED]
    )
    more = f" and {len(candidates) - MAX_LISTED} more" if len(candidates) > MAX_LISTED else ""
    raise CrmError(f"{ref!r} matches {len(candidates)} contacts: {listed}{more} — use the id")


def resolve_many(store: Store, refs: str) -> list[Row]:
    """Several references separated by commas: "ana,bruno" (each once)."""
    parts = [part for part in refs.split(",") if part.strip()]
    if not parts:
        raise CrmError("empty contact reference: give an id, an email or part of a name")
    found: dict[int, Row] = {}
    for part in parts:
        contact = resolve(store, part)
        found[contact["id"]] = contact
    return list(found.values())


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

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
from .model import fold, name_key, phone_key, words
from .store import Store

Row = dict[str, Any]


MAX_LISTED = 8  # candidates an ambiguous reference names


def resolve(store: Store, ref: str, archived_first: bool = False) -> Row:
    """A contact reference (REF), in an order that cannot surprise:

    - all digits: an id, and nothing else;
    - an email: whoever holds it, and nothing else;
    - otherwise a name: the exact name, else names with a word starting with each word given,
      in any order ("ana sil" and "silva ana" are Ana Silva, and "Silva, Ana"; "ana" is not
      Kenji Tanaka; "obrien" is O'Brien), accents and case ignored.
    Active contacts first (archived ones first for `unarchive`): an exact name of one kind
    beside word matches of the other is ambiguous, never a silent pick. Several answers are an
    error that lists them."""
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
    exact = store.contacts_named(fold(cleaned))
    first, then = (1, 0) if archived_first else (0, 1)
    found = [row for row in exact if row["archived"] == first]
    if found:
        return _one(cleaned, found)
    by_words = store.contacts_with_words(words(cleaned).split()) if words(cleaned) else []
    for found in (
        # an exact name of the other kind next to words of this kind: neither wins silently
        [row for row in by_words if row["archived"] == first]
        + [row for row in exact if row["archived"] == then],
        [row for row in by_words if row["archived"] == then],
    ):
        if found:
            return _one(cleaned, list({row["id"]: row for row in found}.values()))
    raise NotFound(f"no contact matches {cleaned!r}: try `crm contact list --search` for its id")


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


def split_name(name: str) -> Row:
    """Given and family name from "Family, Given" (the one form that says which is which)."""
    family, comma, given = name.partition(",")
    if comma and family.strip() and given.strip() and "," not in given:
        return {"given_name": given.strip(), "family_name": family.strip()}
    return {}


def emails_free(store: Store, emails: list[str], contact_id: int | None, allow: bool) -> None:
    """An email belongs to one active contact (any case), unless sharing is asked for."""
    if allow:
        return
    for email in emails:
        for holder in store.contacts_with_email(email):
            if holder["id"] != contact_id and not holder["archived"]:
                raise CrmError(
                    f"{email} already belongs to {holder['name']} (id {holder['id']}): give "
                    "another email, or --allow-shared-email if they really share it"
                )


def _without_blanks(fields: Row) -> Row:
    """`--email ""` clears the list: blank items are no items."""
    for column in model.LIST_COLUMNS:
        if column in fields:
            fields[column] = [v for v in fields[column] if not isinstance(v, str) or v.strip()]
    return fields


def add(
    store: Store,
    fields: Row,
    birthday_text: str | None,
    now: dt.datetime,
    allow_shared_email: bool = False,
) -> int:
    fields = _without_blanks(dict(fields))
    if fields.get("cadence_days") is None:
        fields["cadence_days"] = settings.default_cadence(store)
    if "given_name" not in fields and "family_name" not in fields:
        fields.update(split_name(model.name(fields.get("name"))))
    checked = model.check("contacts", {"created": now, "updated": now, **fields})
    emails_free(store, checked.get("emails") or [], None, allow_shared_email)
    date = birthday(birthday_text) if birthday_text else None
    return store.add_contact(fields, now, [date] if date else [])


def edit(
    store: Store,
    contact: Row,
    fields: Row,
    added: dict[str, list[str]],
    removed: dict[str, list[str]],
    birthday_text: str | None,
    now: dt.datetime,
    allow_shared_email: bool = False,
) -> Row:
    """Change fields; `added` / `removed` edit the emails, phones or tags lists item by item;
    an empty value clears an optional field (`--birthday ""` removes the birthday)."""
    changes = _without_blanks(dict(fields))
    if "name" in changes and "given_name" not in changes and "family_name" not in changes:
        changes.update(split_name(model.name(changes["name"])))
    for column in model.LIST_COLUMNS:
        if added.get(column) or removed.get(column):
            check = model.CONTACT_ITEM_CHECKS[column]
            gone = {fold(check(item)) for item in removed.get(column) or []}
            base = changes[column] if column in changes else contact[column]
            kept = [v for v in model.FIELDS["contacts"][column](base) if fold(v) not in gone]
            changes[column] = kept + [check(item) for item in added.get(column) or []]
    date = birthday(birthday_text) if birthday_text else None
    if "emails" in changes:
        new = model.FIELDS["contacts"]["emails"](changes["emails"])
        emails_free(store, new, contact["id"], allow_shared_email)
    with store.transaction():
        store.update_contact(contact["id"], changes, now)
        if birthday_text is not None and not birthday_text.strip():
            store.remove_birthday(contact["id"])
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
        row.update(model.first_ways(row))
    return rows


def set_archived(store: Store, contact: Row, archived: bool, now: dt.datetime) -> None:
    store.set_archived(contact["id"], archived, now)


# --------------------------------------------------------------------------- duplicates


def duplicates(store: Store) -> list[Row]:
    """Pairs of active contacts that are probably the same person, and why."""
    seen: dict[tuple[str, str], list[Row]] = {}
    for contact in store.list_contacts():
        keys = [("email", e.casefold()) for e in contact["emails"]]
        keys += [("phone", phone_key(p)) for p in contact["phones"] if len(phone_key(p)) >= 6]
        keys.append(("name", name_key(contact["name"])))
        for key in dict.fromkeys(keys):
            seen.setdefault(key, []).append(contact)
    pairs: dict[tuple[int, int], Row] = {}
    for (kind, value), group in seen.items():
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                pair = pairs.setdefault(
                    (first["id"], second["id"]),
                    {"id": first["id"], "name": first["name"], "other_id": second["id"],
                     "other_name": second["name"], "reasons": []},
                )  # fmt: skip
                pair["reasons"].append(f"same {kind}" + (f" {value}" if kind != "name" else ""))
    rows = sorted(pairs.values(), key=lambda r: (r["id"], r["other_id"]))
    for row in rows:
        row["reason"] = "; ".join(row.pop("reasons"))
    return rows


def merge(store: Store, keep: Row, other: Row, now: dt.datetime) -> Row:
    """Move everything of `other` onto `keep` and remove `other`, whose uid becomes an alias.

    Lists are joined; a field `keep` lacks is taken from `other`; a special date whose label
    `keep` already has is dropped (one date per label)."""
    if keep["id"] == other["id"]:
        raise CrmError("cannot merge a contact into itself: give two different contacts")
    fields: Row = {}
    for key in model.FIELDS["contacts"]:
        if key in ("uid", "created", "updated", "archived", *model.LIST_COLUMNS):
            continue
        if keep.get(key) in (None, "") and other.get(key) not in (None, ""):
            fields[key] = other[key]
    for column in model.LIST_COLUMNS:
        fields[column] = model.unique(keep[column] + other[column])
    with store.transaction():
        store.update_contact(keep["id"], fields, now)
        store.move_records(other["id"], keep["id"])
        store.add_alias(other["uid"], keep["id"])
        store.delete_contact(other["id"])
    return store.get_contact(keep["id"])

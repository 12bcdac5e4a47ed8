"""People: adding, changing, listing and archiving contacts — the rules above the store.

A new contact from any door gets the default cadence (`crm config set cadence 30d`) unless it
brings its own; `--email` and friends replace a list while `--add-email` / `--remove-email`
edit it item by item; a stage set by an edit is recorded as a dated stage change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import model, rules, settings, when
from .errors import CrmError, NotFound
from .model import fold, name_key, words
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
        found = _active_first(store.contacts.with_email(cleaned))
        if not found:
            raise NotFound(f"no contact has the email {cleaned}: see `crm contact list --search`")
        return _one(cleaned, found)
    exact = store.contacts.named(fold(cleaned))
    first, then = (1, 0) if archived_first else (0, 1)
    found = [row for row in exact if row["archived"] == first]
    if found:
        return _one(cleaned, found)
    by_words = store.contacts.with_words(words(cleaned).split()) if words(cleaned) else []
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
    return store.contacts.get(int(digits))


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
    if len(parts) == 2:
        whole = _family_given(store, refs)
        if whole is not None:
            return [whole]
    found: dict[int, Row] = {}
    for part in parts:
        contact = resolve(store, part)
        found[contact["id"]] = contact
    return list(found.values())


def _family_given(store: Store, refs: str) -> Row | None:
    """ "Costa, Bruno" naming one contact exactly, as written or as "Family, Given": one
    reference, never Costa and Bruno."""
    family, _, given = (part.strip() for part in refs.partition(","))
    if not family or not given or "@" in refs or any(ch.isdigit() for ch in refs):
        return None
    for name in (refs.strip(), f"{given} {family}"):
        exact = _active_first(store.contacts.named(fold(name)))
        if len(exact) == 1:
            return exact[0]
    return None


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
        for holder in store.contacts.with_email(email):
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


def _each_once(store: Store, fields: Row) -> Row:
    """Emails and phones of one contact each once, by the rules' sameness (a number written
    two ways is one number), as first written."""
    if fields.get("phones"):
        phones = model.FIELDS["contacts"]["phones"](fields["phones"])
        fields["phones"] = rules.unique_phones(phones, settings.region(store))
    if fields.get("emails"):
        fields["emails"] = rules.unique_emails(model.FIELDS["contacts"]["emails"](fields["emails"]))
    return fields


def add(
    store: Store,
    fields: Row,
    birthday_text: str | None,
    now: dt.datetime,
    allow_shared_email: bool = False,
) -> int:
    fields = _each_once(store, _without_blanks(dict(fields)))
    if fields.get("cadence_days") is None:
        fields["cadence_days"] = settings.default_cadence(store)
    if "given_name" not in fields and "family_name" not in fields:
        fields.update(split_name(model.name(fields.get("name"))))
    checked = model.check("contacts", {"created": now, "updated": now, **fields})
    emails_free(store, checked.get("emails") or [], None, allow_shared_email)
    date = birthday(birthday_text) if birthday_text else None
    return store.contacts.add(fields, now, [date] if date else [])


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
    region = settings.region(store)
    for column in model.LIST_COLUMNS:
        if added.get(column) or removed.get(column):
            check = model.CONTACT_ITEM_CHECKS[column]
            gone = [check(item) for item in removed.get(column) or []]
            base = changes[column] if column in changes else contact[column]
            kept = rules.without_items(model.FIELDS["contacts"][column](base), gone, column, region)
            changes[column] = kept + [check(item) for item in added.get(column) or []]
    changes = _each_once(store, changes)
    date = birthday(birthday_text) if birthday_text else None
    if "emails" in changes:
        new = model.FIELDS["contacts"]["emails"](changes["emails"])
        emails_free(store, new, contact["id"], allow_shared_email)
    with store.transaction():
        store.contacts.update(contact["id"], changes, now)
        if birthday_text is not None and not birthday_text.strip():
            store.dates.remove_birthday(contact["id"])
        new_stage = model.choice(changes.get("stage") or None, model.STAGES, "stage")
        if new_stage and new_stage != contact["stage"]:
            store.stages.record(contact["id"], contact["stage"], new_stage, now, None)
        if date:
            store.dates.set_birthday(contact["id"], date, now)
    return store.contacts.get(contact["id"])


def listing(store: Store, **filters: Any) -> list[Row]:
    """Contacts with their first email and phone (what a person sees in a table)."""
    rows = store.contacts.listing(**filters)
    for row in rows:
        row.update(model.first_ways(row))
    return rows


def set_archived(store: Store, contact: Row, archived: bool, now: dt.datetime) -> None:
    store.contacts.set_archived(contact["id"], archived, now)


# --------------------------------------------------------------------------- duplicates


def duplicates(store: Store) -> list[Row]:
    """Pairs of active contacts that are probably the same person, and why: the same email
    (rules.email_key), the same phone number however written (rules.phone_keys), or the same
    name in any order."""
    seen: dict[tuple[str, str], list[tuple[Row, str]]] = {}
    region = settings.region(store)
    for contact in store.contacts.listing():
        keys = [(("email", rules.email_key(e)), e) for e in contact["emails"]]
        for phone in contact["phones"]:
            keys += [(("phone", key), phone) for key in rules.phone_keys(phone, region)]
        keys.append((("name", name_key(contact["name"])), ""))
        mine: dict[tuple[str, str], str] = {}
        for key, shown in keys:
            mine.setdefault(key, shown)  # a key once per contact, as first written
        for key, shown in mine.items():
            seen.setdefault(key, []).append((contact, shown))
    pairs: dict[tuple[int, int], Row] = {}
    for (kind, _), group in seen.items():
        for i, (first, shown) in enumerate(group):
            for second, _ in group[i + 1 :]:
                pair = pairs.setdefault(
                    (first["id"], second["id"]),
                    {"id": first["id"], "name": first["name"], "other_id": second["id"],
                     "other_name": second["name"], "reasons": {}},
                )  # fmt: skip
                pair["reasons"].setdefault(kind, f"same {kind}" + (f" {shown}" if shown else ""))
    rows = sorted(pairs.values(), key=lambda r: (r["id"], r["other_id"]))
    for row in rows:
        reasons = row.pop("reasons")
        row["reason"] = "; ".join(reasons[k] for k in ("email", "phone", "name") if k in reasons)
    return rows


def merge(store: Store, keep: Row, other: Row, now: dt.datetime) -> tuple[Row, list[str]]:
    """Move everything of `other` onto `keep` and remove `other`, whose uid becomes an alias.
    Returns the contact kept, and a line for each thing of `other` that was left out.

    Lists are joined, each item once (rules.merged_lists); a field `keep` lacks is taken from
    `other`; special dates keep one per label (rules.merge_dates)."""
    if keep["id"] == other["id"]:
        raise CrmError("cannot merge a contact into itself: give two different contacts")
    fields: Row = {}
    for key in model.FIELDS["contacts"]:
        if key in ("uid", "created", "updated", *model.FLAG_COLUMNS, *model.LIST_COLUMNS):
            continue
        if key in model.JSON_COLUMNS:  # addresses, kept card lines, their labels: both's
            joined = model.unique([*(keep.get(key) or []), *(other.get(key) or [])])
            if joined != (keep.get(key) or []):
                fields[key] = joined
        elif keep.get(key) in (None, "") and other.get(key) not in (None, ""):
            fields[key] = other[key]
    if other["do_not_contact"] and not keep["do_not_contact"]:
        fields["do_not_contact"] = True  # one of the two asked to be left alone: the person did
    fields.update(rules.merged_lists(keep, other, settings.region(store)))
    moved, filled, notes = rules.merge_dates(
        store.dates.listing(keep["id"]), store.dates.listing(other["id"])
    )
    with store.transaction():
        store.contacts.update(keep["id"], fields, now)
        for date in filled:
            store.dates.change(date["id"], {"year": date["year"]})
        store.contacts.move_records(other["id"], keep["id"], moved)
        store.contacts.add_alias(other["uid"], keep["id"])
        store.contacts.delete(other["id"])
    return store.contacts.get(keep["id"]), notes

"""The trash: a removed contact — or a removed interaction, follow-up, complaint, special date,
stage change or note — is kept for `TRASH_DAYS` as a backup document of its own (the format
`crm export all` writes), and restored by the same engine as `crm import all`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from .errors import CrmError, NotFound
from .exchange import backup
from .exchange.importer import ImportRefused, Summary
from .model import words
from .store import Store
from .when import stamp

TRASH_DAYS = 30
Row = dict[str, Any]

# kind of record → its section in a backup document
SECTION = {
    "contact": "contacts", "interaction": "interactions", "followup": "followups",
    "complaint": "complaints", "date": "dates", "stage change": "stage_changes", "note": "notes",
}  # fmt: skip


def purge_after(deleted_at: str) -> str | None:
    """The day after which an entry is removed for good (None for a date crm cannot read:
    `crm doctor` reports it)."""
    try:
        deleted = dt.date.fromisoformat(deleted_at[:10])
    except (TypeError, ValueError):
        return None
    return (deleted + dt.timedelta(days=TRASH_DAYS)).isoformat()


def purge_expired(store: Store, now: dt.datetime) -> int:
    return store.trash.remove(older_than=now - dt.timedelta(days=TRASH_DAYS))


def delete_contact(store: Store, contact: Row, now: dt.datetime) -> int:
    """Move a contact and everything attached to it to the trash; returns the trash id."""
    with store.transaction():
        purge_expired(store, now)
        document = backup.contact_document(store, contact["id"], now)
        trash_id = store.trash.add("contact", contact["uid"], contact["name"], now, document)
        store.contacts.delete(contact["id"])
    return trash_id


def delete_record(store: Store, kind: str, record: Row, label: str, now: dt.datetime) -> int:
    """Move one record to the trash (`label` says what it was); returns the trash id."""
    section = SECTION[kind]
    with store.transaction():
        purge_expired(store, now)
        document = backup.record_document(store, section, record["id"], now)
        trash_id = store.trash.add(kind, record["uid"], label, now, document)
        store.trash.delete_record(backup.TABLE.get(section, section), record["id"])
    return trash_id


def listing(store: Store, now: dt.datetime) -> list[Row]:
    """What can still be restored. Entries past their time are left out, not purged: a
    listing writes nothing (so it never becomes the change `crm undo` takes back); the next
    removal purges them."""
    return [
        {**entry, "purge_after": purge_after(entry["deleted_at"])}
        for entry in store.trash.entries()
        if not _expired(entry, now)
    ]


def deleted_contact(store: Store, uid: str, now: dt.datetime) -> Row | None:
    """The trash entry of a deleted contact of this uid that can still be restored."""
    found = [e for e in listing(store, now) if e["kind"] == "contact" and e["contact_uid"] == uid]
    return found[-1] if found else None


def _expired(entry: Row, now: dt.datetime) -> bool:
    """Past its time: not listed, not restored, purged by the next removal."""
    return bool(entry["deleted_at"]) and entry["deleted_at"] < stamp(
        now - dt.timedelta(days=TRASH_DAYS)
    )


def find(store: Store, ref: str) -> Row:
    """A trash entry by its id, or a deleted contact by its name, or its uid."""
    cleaned = ref.strip()
    if cleaned.isascii() and cleaned.isdigit():
        return store.trash.entry(int(cleaned))
    found = store.trash.named(words(cleaned) or cleaned)
    if not found:
        raise NotFound(f"no deleted contact matches {cleaned!r}: see `crm trash list`")
    if len(found) > 1:
        listed = "; ".join(f"{e['id']} {e['name']} ({e['deleted_at'][:10]})" for e in found[:8])
        raise CrmError(f"{cleaned!r} matches {len(found)} trash entries: {listed} — use the id")
    return store.trash.entry(found[0]["id"])


def restore(store: Store, ref: str, now: dt.datetime) -> tuple[Row, int]:
    """Put a removed record back with its uids (and a contact with everything it had); a
    stage change that is again the contact's latest move puts the contact at its stage.
    Returns the entry and the id of the contact or record restored."""
    entry = find(store, ref)
    if _expired(entry, now):  # as `trash list` shows it: gone
        raise NotFound(
            f"trash entry {entry['id']} ({entry['name']}) was kept until "
            f"{purge_after(entry['deleted_at'])}: it has expired and is removed for good at "
            "the next removal; see `crm trash list`"
        )
    section = SECTION[entry["kind"]]
    table = backup.TABLE.get(section, section)
    if store.id_by_uid(table, entry["contact_uid"]):
        raise CrmError(f"{entry['name']} is already back (uid {entry['contact_uid']})")
    document = backup.read(entry["payload"])
    try:
        with store.transaction():
            backup.restore(store, document, Summary(), lenient=True)
            store.trash.forget_removed_captures()
            store.trash.remove(trash_id=entry["id"])
            if section == "stage_changes":
                _stage_of_latest_move(store, entry["contact_uid"], now)
    except sqlite3.IntegrityError:
        raise CrmError(
            f"cannot restore {entry['name']}: the same mail or meeting was captured again "
            "since (see `crm contact show`); remove that one first, then restore"
        ) from None
    except ImportRefused as refused:
        gone = "; ".join(refused.problems[:3])
        raise CrmError(
            f"cannot restore {entry['name']}: {gone} (restore the contact it belonged to first)"
        ) from None
    return entry, store.id_by_uid(table, entry["contact_uid"]) or 0


def _stage_of_latest_move(store: Store, change_uid: str, now: dt.datetime) -> None:
    change = store.stages.get(store.id_by_uid("stage_changes", change_uid) or 0)
    history = store.stages.history(change["contact_id"])
    if history and history[-1]["id"] == change["id"]:
        store.contacts.update(change["contact_id"], {"stage": change["to_stage"]}, now)


def empty(store: Store, expired_only: bool, now: dt.datetime) -> int:
    if expired_only:
        return purge_expired(store, now)
    return store.trash.remove()

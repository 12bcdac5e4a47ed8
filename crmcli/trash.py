"""The trash: a deleted contact is kept for `TRASH_DAYS` as a backup document of its own (the
same format `crm export all` writes), and restored by the same engine as `crm import all`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .errors import CrmError
from .exchange import backup
from .exchange.importer import Summary
from .store import Store

TRASH_DAYS = 30
Row = dict[str, Any]


def purge_after(deleted_at: str) -> str:
    """The day after which an entry is removed for good."""
    return (dt.date.fromisoformat(deleted_at[:10]) + dt.timedelta(days=TRASH_DAYS)).isoformat()


def purge_expired(store: Store, now: dt.datetime) -> int:
    return store.remove_trash(older_than=now - dt.timedelta(days=TRASH_DAYS))


def delete_contact(store: Store, contact: Row, now: dt.datetime) -> int:
    """Move a contact and everything attached to it to the trash; returns the trash id."""
    with store.transaction():
        purge_expired(store, now)
        document = backup.contact_document(store, contact["id"], now)
        trash_id = store.add_trash_entry(contact, now, document)
        store.delete_contact(contact["id"])
    return trash_id


def listing(store: Store, now: dt.datetime) -> list[Row]:
    """Deleted contacts still restorable (those past their time are purged first)."""
    purge_expired(store, now)
    return [
        {**entry, "purge_after": purge_after(entry["deleted_at"])}
        for entry in store.trash_entries()
    ]


def restore(store: Store, trash_id: int) -> int:
    """Put a deleted contact back with its records and uids. Returns the contact's id."""
    entry = store.trash_entry(trash_id)
    if store.one("SELECT id FROM contacts WHERE uid = ?", (entry["contact_uid"],)):
        raise CrmError(f"{entry['name']} is already back (uid {entry['contact_uid']})")
    document = backup.read(entry["payload"])
    with store.transaction():
        ids = backup.restore(store, document, Summary())
        store.remove_trash(trash_id=trash_id)
    return ids[entry["contact_uid"]]


def empty(store: Store, expired_only: bool, now: dt.datetime) -> int:
    if expired_only:
        return purge_expired(store, now)
    return store.remove_trash()

"""The data layer: the connection, transactions and change log, and every query crm runs, in
rooms — one per entity (contacts, interactions, dates, follow-ups, complaints, notes, stages),
and one each for the reports' queries, search, bulk writes, capture and sync state, export
cursors, the trash, settings and health.

A library: it never imports typer or rich, never prints, and never imports the exchange or
command layers. Every value is a bound parameter. Every public write checks its record with
`model.check` (the field rules) and runs in one transaction. Functions that depend on the date
take ``today`` / ``now``: the clock is read once, above the store.

`Store` (facade.py) is the one object callers hold: `store.contacts.get(id)`,
`store.followups.add(…)`.
"""

from __future__ import annotations

from .contacts import CONTACT_SELECT, FIRST_WAYS
from .database import ChangedSince, new_uid, new_uids
from .facade import Store
from .interactions import INTERACTION_COLUMNS
from .opening import copy_database, migration_pending, open_store
from .search import SEARCH_LIMIT

__all__ = [
    "CONTACT_SELECT",
    "FIRST_WAYS",
    "INTERACTION_COLUMNS",
    "SEARCH_LIMIT",
    "ChangedSince",
    "Store",
    "copy_database",
    "migration_pending",
    "new_uid",
    "new_uids",
    "open_store",
]

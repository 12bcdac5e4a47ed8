"""`crm undo` and `crm history`: every write command is recorded as one change, with the
statements that take it back (logged by triggers, see undo_triggers.install_undo_triggers).

Undo takes back the newest change not yet undone and is itself recorded, so `crm undo` twice
takes back two changes. The last `CHANGES_KEPT` changes are kept. Changes made by other programs
(sqlite3, Datasette) are not recorded; if one touched the same rows since, the undo refuses
rather than guess.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .errors import CrmError
from .store import ChangedSince, Store

Row = dict[str, Any]

# A change with nothing logged is a forget, or one made before it: the log held the person.
FORGET_BARRIER = "a contact was forgotten for good there, and nothing from then back can be undone"


def undo(store: Store) -> Row:
    """Take back the newest change; returns it."""
    found: list[Row] = []
    try:
        with store.transaction():  # the target is read inside it: two undos never take one
            target = store.last_change()
            if target is None:
                raise CrmError("nothing to undo: `crm history` lists the changes crm remembers")
            found.append(target)
            if not store.has_log(target["id"]):
                raise CrmError(
                    f"cannot undo change {target['id']} ({target['command']}): "
                    f"{FORGET_BARRIER}; nothing was changed"
                )
            store.replay_inverse(target["id"])
    except (sqlite3.IntegrityError, ChangedSince) as error:
        target = found[0]
        raise CrmError(
            f"cannot undo change {target['id']} ({target['command']}): its records have changed "
            f"since, outside crm ({error}); nothing was changed"
        ) from None
    return found[0]


def listing(store: Store, limit: int) -> list[Row]:
    rows = store.changes(limit)
    for row in rows:
        row["changed"] = row["changed"] or ""
        forgets = row.pop("forgets")
        row["state"] = (
            f"undo of {row['undoes']}" if row["undoes"] else
            f"undone by {row['undone_by']}" if row["undone_by"] else
            "a forget: cannot be undone" if forgets else
            "before a forget: cannot be undone" if not row["changed"] else ""
        )  # fmt: skip
    return rows

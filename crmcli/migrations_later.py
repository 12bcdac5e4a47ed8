"""Schema migrations 12 on, in order after those of migrations.py (same rules: append-only,
never edited once shipped)."""

import sqlite3
from collections.abc import Callable

from .undo_triggers import install_undo_triggers

LATER: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def do_not_contact(conn: sqlite3.Connection) -> None:
    """A contact who asked not to be contacted: never a keep-in-touch reminder or a date to
    mark, in the views as in the reports (the views' own text, with the one condition added)."""
    conn.execute("ALTER TABLE contacts ADD COLUMN do_not_contact INTEGER NOT NULL DEFAULT 0")
    for view in ("cadence_overdue", "upcoming_dates"):
        sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (view,)
        ).fetchone()[0]
        conn.execute(f"DROP VIEW {view}")
        conn.execute(sql.replace("c.archived = 0", "c.archived = 0 AND c.do_not_contact = 0"))
    install_undo_triggers(conn)


LATER.append(("contacts who asked not to be contacted", do_not_contact))


def card_forms(conn: sqlite3.Connection) -> None:
    """How each card wrote the fields crm models (labels, types, Apple groups, its N as
    split): kept so a card written again says them the same way."""
    conn.execute("ALTER TABLE contacts ADD COLUMN card_forms TEXT NOT NULL DEFAULT '[]'")
    install_undo_triggers(conn)


LATER.append(("the way a card wrote each field, kept to write it back", card_forms))


def sync_fingerprints(conn: sqlite3.Connection) -> None:
    """What a sync saw of each side, cheaply compared: the card file's bytes and the contact's
    own fields, hashed, so an unchanged card is not parsed and an unchanged contact not
    rendered again."""
    conn.execute("ALTER TABLE vcard_sync ADD COLUMN file_hash TEXT")
    conn.execute("ALTER TABLE vcard_sync ADD COLUMN contact_hash TEXT")
    install_undo_triggers(conn)


LATER.append(("a sync's fingerprints of each card and contact", sync_fingerprints))

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


# The last touch that counts for a keep-in-touch cadence: the newest interaction, unless it is
# a message still waiting for my reply (then the newest one before the last answer, or any
# interaction that needs none). An answer: anything outbound, or a call or meeting.
LAST_ANSWER = """(SELECT max(CASE WHEN length(a.happened_at) = 10
                THEN a.happened_at || 'T23:59:59' ELSE a.happened_at END) FROM interaction_contacts a
    JOIN interactions o ON o.id = a.interaction_id
    WHERE a.contact_id = c.id AND (o.direction = 'out' OR o.channel IN ('call', 'meeting')))"""
LAST_TOUCH = f"""(SELECT max(l.happened_at) FROM interaction_contacts l
    JOIN interactions i ON i.id = l.interaction_id
    WHERE l.contact_id = c.id
      AND (i.awaits_reply = 0 OR l.happened_at <= coalesce({LAST_ANSWER}, '')))"""


# The same, read only for the few contacts with a message that waits (the others' last touch is
# their last interaction, found by its index): a view over a million interactions stays fast.
QUICK_LAST_TOUCH = f"""CASE WHEN c.id IN (SELECT l.contact_id FROM interactions i
    CROSS JOIN interaction_contacts l ON l.interaction_id = i.id WHERE i.awaits_reply = 1)
    THEN {LAST_TOUCH}
    ELSE (SELECT max(l.happened_at) FROM interaction_contacts l WHERE l.contact_id = c.id) END"""


def awaiting_reply(conn: sqlite3.Connection) -> None:
    """An inbound message that waits for my reply, and how long a contact may wait (days;
    NULL: the `reply_within` setting). A waiting message counts for the cadence only once
    answered: the view of overdue cadences says the same as `crm overdue`."""
    conn.execute("ALTER TABLE interactions ADD COLUMN awaits_reply INTEGER NOT NULL DEFAULT 0")
    conn.execute(  # few rows: the reports find who waits without reading every interaction
        "CREATE INDEX interactions_awaiting_reply ON interactions(id) WHERE awaits_reply = 1"
    )
    conn.execute("ALTER TABLE contacts ADD COLUMN reply_within INTEGER")
    _cadence_view(conn, "c.cadence_days", "c.cadence_days IS NOT NULL AND ")
    install_undo_triggers(conn)


LATER.append(("messages awaiting my reply, and how long each contact may wait", awaiting_reply))


# The tightest of a contact's tags' own cadences, as stored (`cadence.client` = `30d`).
TAGGED_CADENCE = """(SELECT min(CAST(rtrim(k.value, 'd') AS INTEGER)) FROM json_each(c.tags) g
                     JOIN config k ON k.key = 'cadence.' || lower(g.value) AND k.value <> '')"""


def tag_cadences(conn: sqlite3.Connection) -> None:
    """A tag's own cadence (`crm config set cadence.client 30d`, stored as days) in the view of
    overdue cadences, as in `crm overdue`: a contact's own wins, else its tags' tightest."""
    _cadence_view(conn, f"coalesce(c.cadence_days, {TAGGED_CADENCE})", "")


LATER.append(("a tag's own cadence in the view of overdue cadences", tag_cadences))


def at_most(conn: sqlite3.Connection) -> None:
    """An ideal interval and a maximum (`--every 30d --at-most 45d`): due at 30 (crm suggest),
    overdue at 45 (crm overdue, the digest, the view)."""
    conn.execute("ALTER TABLE contacts ADD COLUMN at_most INTEGER")
    install_undo_triggers(conn)
    every = f"coalesce(c.cadence_days, {TAGGED_CADENCE})"
    _cadence_view(conn, every, "", f"max({every}, coalesce(c.at_most, 0))")


LATER.append(("an ideal interval and a maximum", at_most))


def contact_time_zones(conn: sqlite3.Connection) -> None:
    """A contact's time zone (an IANA name): their local time beside meetings and waiting mail."""
    conn.execute("ALTER TABLE contacts ADD COLUMN tz TEXT")
    install_undo_triggers(conn)


LATER.append(("a contact's time zone", contact_time_zones))


def _cadence_view(conn: sqlite3.Connection, every: str, only: str, most: str = "") -> None:
    """The view of overdue cadences, made again with `every` as a contact's cadence (days),
    `only` narrowing the contacts read, and `most` the days after which one is overdue (the
    cadence itself unless given) — as each migration above made it."""
    conn.execute("DROP VIEW cadence_overdue")
    conn.execute(f"""
CREATE VIEW cadence_overdue AS
    WITH touched AS (
        SELECT c.id, c.name, {most or every} AS cadence_days,
               coalesce(substr({QUICK_LAST_TOUCH}, 1, 10), substr(c.created, 1, 10)) AS since
        FROM contacts c
        WHERE {only}c.archived = 0 AND c.do_not_contact = 0
    )
    SELECT id AS contact_id, name AS contact, cadence_days, since AS last_touch,
           date(since, '+' || cadence_days || ' days') AS due,
           CAST(julianday('now', 'localtime', 'start of day')
                - julianday(date(since, '+' || cadence_days || ' days')) AS INTEGER)
               AS days_overdue
    FROM touched
    WHERE cadence_days > 0
      AND date(since, '+' || cadence_days || ' days') < date('now', 'localtime')""")

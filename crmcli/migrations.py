"""Schema migrations: append-only, numbered by position, each run in its own transaction.

`PRAGMA user_version` holds how many have run. Never edit or reorder a migration that has
shipped; add a new one. A migration is plain SQL (so `sqlite3` users can read the schema's
history) or a function of the connection, for what a library does better (full-text search).
"""

import sqlite3
from collections.abc import Callable

from .legacy import trash_as_backup_documents
from .undo_triggers import UNDO_TABLES, install_undo_triggers, statements

# The columns full-text search indexes, per table (crm search; bulk imports refill them).
FTS_COLUMNS = {
    "contacts": (
        "name",
        "company",
        "title",
        "notes",
        "tags",
        "nickname",
        "department",
        "addresses",
        "urls",
    ),
    "interactions": ("summary", "outcome"),
    "followups": ("note", "done_note"),
    "complaints": ("summary", "response", "resolution"),
    "notes": ("text",),
}


def add_feedback_and_search(conn: sqlite3.Connection) -> None:
    """Feedback scores on interactions, and FTS5 indexes kept current by triggers."""
    import sqlite_utils

    conn.execute("ALTER TABLE interactions ADD COLUMN kind TEXT NOT NULL DEFAULT 'touch'")
    conn.execute("ALTER TABLE interactions ADD COLUMN score INTEGER")  # a satisfaction score
    conn.execute("ALTER TABLE interactions ADD COLUMN scale INTEGER")  # out of 5, or 10 for NPS
    conn.execute(
        "CREATE INDEX interactions_feedback ON interactions(happened_at) WHERE kind = 'feedback'"
    )
    db = sqlite_utils.Database(conn)
    # the columns as they were then (later migrations widen the contacts' index)
    first = {
        "contacts": ("name", "company", "title", "notes", "tags"),
        "interactions": ("summary", "outcome"),
    }
    for table, columns in first.items():
        db.table(table).enable_fts(list(columns), fts_version="FTS5", create_triggers=True)


MIGRATIONS: list[tuple[str, str | Callable[[sqlite3.Connection], None]]] = [
    (
        "initial schema: contacts, interactions, special dates, follow-ups, complaints",
        """
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            emails TEXT NOT NULL DEFAULT '[]',  -- JSON array
            phones TEXT NOT NULL DEFAULT '[]',  -- JSON array
            company TEXT,
            title TEXT,
            tags TEXT NOT NULL DEFAULT '[]',    -- JSON array
            relationship TEXT,
            stage TEXT,
            channel TEXT,                       -- preferred channel
            cadence_days INTEGER CHECK (cadence_days > 0),
            owner TEXT,
            source TEXT,
            acquisition_cost REAL,
            notes TEXT,
            archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            happened_at TEXT NOT NULL,          -- YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS
            channel TEXT NOT NULL DEFAULT 'other',
            direction TEXT NOT NULL DEFAULT 'out' CHECK (direction IN ('in', 'out')),
            summary TEXT NOT NULL,
            outcome TEXT,
            sentiment TEXT CHECK (sentiment IN ('positive', 'neutral', 'negative')),
            amount REAL,
            rating INTEGER CHECK (rating BETWEEN 1 AND 5),
            created TEXT NOT NULL
        );
        -- One interaction may involve several contacts (crm log "ana,bruno" "lunch").
        -- happened_at is copied here so "last interaction per contact" is one index range.
        CREATE TABLE interaction_contacts (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            happened_at TEXT NOT NULL,
            interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
            PRIMARY KEY (contact_id, happened_at, interaction_id)
        ) WITHOUT ROWID;
        CREATE INDEX interaction_contacts_by_interaction
            ON interaction_contacts(interaction_id);
        CREATE TABLE special_dates (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
            day INTEGER NOT NULL CHECK (day BETWEEN 1 AND 31),
            year INTEGER,                       -- NULL when unknown
            created TEXT NOT NULL
        );
        CREATE INDEX special_dates_by_month_day ON special_dates(month * 100 + day);
        CREATE INDEX special_dates_by_contact ON special_dates(contact_id);
        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            due TEXT NOT NULL,                  -- YYYY-MM-DD
            note TEXT,
            interaction_id INTEGER REFERENCES interactions(id) ON DELETE SET NULL,
            created TEXT NOT NULL,
            done_at TEXT,
            done_note TEXT,
            snoozed INTEGER NOT NULL DEFAULT 0  -- how many times it was put off
        );
        CREATE INDEX followups_open_by_due ON followups(due) WHERE done_at IS NULL;
        CREATE INDEX followups_by_contact ON followups(contact_id);
        CREATE TABLE complaints (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            opened TEXT NOT NULL,               -- YYYY-MM-DDTHH:MM:SS
            summary TEXT NOT NULL,
            due TEXT NOT NULL,                  -- SLA deadline for the first response
            interaction_id INTEGER REFERENCES interactions(id) ON DELETE SET NULL,
            responded_at TEXT,
            response TEXT,
            resolved_at TEXT,
            resolution TEXT
        );
        CREATE INDEX complaints_open ON complaints(opened) WHERE resolved_at IS NULL;
        CREATE INDEX complaints_by_contact ON complaints(contact_id);
        CREATE TABLE stage_changes (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            from_stage TEXT,
            to_stage TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            reason TEXT
        );
        CREATE INDEX stage_changes_by_contact ON stage_changes(contact_id, changed_at);
        CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- Deleted contacts, with everything attached to them, kept for 30 days as JSON.
        CREATE TABLE trash (
            id INTEGER PRIMARY KEY,
            contact_uid TEXT NOT NULL,
            name TEXT NOT NULL,
            deleted_at TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE VIEW last_interactions AS
            SELECT contact_id, max(happened_at) AS last_interaction, count(*) AS interactions
            FROM interaction_contacts GROUP BY contact_id;
        CREATE VIEW overdue_followups AS
            SELECT f.id, f.contact_id, c.name AS contact, f.due, f.note,
                   CAST(julianday('now', 'localtime', 'start of day') - julianday(f.due) AS INTEGER)
                       AS days_overdue
            FROM followups f JOIN contacts c ON c.id = f.contact_id
            WHERE f.done_at IS NULL AND c.archived = 0 AND f.due <= date('now', 'localtime');
        CREATE VIEW open_complaints AS
            SELECT k.id, k.contact_id, c.name AS contact, k.summary, k.opened, k.due,
                   k.responded_at,
                   coalesce(k.responded_at, strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
                       > k.due AS breached
            FROM complaints k JOIN contacts c ON c.id = k.contact_id
            WHERE k.resolved_at IS NULL AND c.archived = 0;
        """,
    ),
]

MIGRATIONS.append(("feedback scores and full-text search", add_feedback_and_search))
MIGRATIONS.append(
    (
        "an index of the contacts that have a cadence, for `crm overdue`",
        """
        CREATE INDEX contacts_with_cadence ON contacts(id)
            WHERE cadence_days IS NOT NULL AND archived = 0;
        """,
    )
)


MIGRATIONS.append(("trash entries as backup documents", trash_as_backup_documents))


def everyday_use(conn: sqlite3.Connection) -> None:
    """Dated notes, merge aliases, given and family names, a trash for any record, search over
    follow-ups, complaints and notes, and the change log that `crm undo` replays."""
    import sqlite_utils

    for statement in statements(EVERYDAY_SQL):
        conn.execute(statement)
    db = sqlite_utils.Database(conn)
    for table in ("followups", "complaints", "notes"):
        db.table(table).enable_fts(
            list(FTS_COLUMNS[table]), fts_version="FTS5", create_triggers=True
        )
    install_undo_triggers(conn)


EVERYDAY_SQL = """
ALTER TABLE contacts ADD COLUMN given_name TEXT;
ALTER TABLE contacts ADD COLUMN family_name TEXT;
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    written_at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX notes_by_contact ON notes(contact_id, written_at);
-- uids of contacts merged into another (`crm contact merge`): imports of them land on it
CREATE TABLE contact_aliases (
    uid TEXT PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE
) WITHOUT ROWID;
ALTER TABLE trash ADD COLUMN kind TEXT NOT NULL DEFAULT 'contact';
-- every change a crm command makes, as the statements that take it back (`crm undo`)
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    command TEXT NOT NULL,
    undoes INTEGER,
    undone_by INTEGER
);
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY,
    change_id INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    op TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 1,  -- a bulk write is one statement for many rows
    undo_sql TEXT NOT NULL
);
CREATE INDEX change_log_by_change ON change_log(change_id);
CREATE TABLE change_state (id INTEGER PRIMARY KEY CHECK (id = 1), current INTEGER);
INSERT INTO change_state (id, current) VALUES (1, NULL);
"""


MIGRATIONS.append(("dated notes, merges, names, undo, wider search", everyday_use))


def address_books(conn: sqlite3.Connection) -> None:
    """The fields address books have (nickname, name prefix and suffix, department, postal
    addresses, URLs, and vCard lines kept verbatim), vdir sync state, and a view per report."""
    import sqlite_utils

    for statement in statements(ADDRESS_BOOK_SQL):
        conn.execute(statement)
    db = sqlite_utils.Database(conn)
    db.table("contacts").disable_fts()
    db.table("contacts").enable_fts(
        list(FTS_COLUMNS["contacts"]), fts_version="FTS5", create_triggers=True, replace=True
    )
    install_undo_triggers(conn)


ADDRESS_BOOK_SQL = """
ALTER TABLE contacts ADD COLUMN nickname TEXT;
ALTER TABLE contacts ADD COLUMN prefix TEXT;
ALTER TABLE contacts ADD COLUMN suffix TEXT;
ALTER TABLE contacts ADD COLUMN department TEXT;
ALTER TABLE contacts ADD COLUMN addresses TEXT NOT NULL DEFAULT '[]';  -- JSON: [{type, street…}]
ALTER TABLE contacts ADD COLUMN urls TEXT NOT NULL DEFAULT '[]';       -- JSON array
ALTER TABLE contacts ADD COLUMN extra TEXT NOT NULL DEFAULT '[]';      -- vCard lines kept as read
-- `crm vcard sync`: per folder and card, the contact as it was when both sides last agreed
CREATE TABLE vcard_sync (
    folder TEXT NOT NULL,
    uid TEXT NOT NULL,
    file TEXT NOT NULL,
    state TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (folder, uid)
) WITHOUT ROWID;
DROP VIEW last_interactions;
CREATE VIEW last_interactions AS
    SELECT l.contact_id, c.name AS contact, max(l.happened_at) AS last_interaction,
           count(*) AS interactions
    FROM interaction_contacts l JOIN contacts c ON c.id = l.contact_id
    WHERE c.archived = 0 GROUP BY l.contact_id;
DROP VIEW overdue_followups;
CREATE VIEW overdue_followups AS
    SELECT f.id, f.contact_id, c.name AS contact, f.due, f.note,
           CAST(julianday('now', 'localtime', 'start of day') - julianday(substr(f.due, 1, 10))
                AS INTEGER) AS days_overdue
    FROM followups f JOIN contacts c ON c.id = f.contact_id
    WHERE f.done_at IS NULL AND c.archived = 0
      AND f.due < date('now', 'localtime', '+1 day');
CREATE VIEW cadence_overdue AS
    WITH touched AS (
        SELECT c.id, c.name, c.cadence_days,
               coalesce((SELECT substr(max(l.happened_at), 1, 10) FROM interaction_contacts l
                         WHERE l.contact_id = c.id), substr(c.created, 1, 10)) AS since
        FROM contacts c WHERE c.cadence_days IS NOT NULL AND c.archived = 0
    )
    SELECT id AS contact_id, name AS contact, cadence_days, since AS last_touch,
           date(since, '+' || cadence_days || ' days') AS due,
           CAST(julianday('now', 'localtime', 'start of day')
                - julianday(date(since, '+' || cadence_days || ' days')) AS INTEGER)
               AS days_overdue
    FROM touched
    WHERE date(since, '+' || cadence_days || ' days') < date('now', 'localtime');
CREATE VIEW upcoming_dates AS
    WITH base AS (
        SELECT s.id, s.contact_id, c.name AS contact, s.label, s.month, s.day, s.year,
               date('now', 'localtime') AS today,
               CAST(strftime('%Y', 'now', 'localtime') AS INTEGER) AS this_year
        FROM special_dates s JOIN contacts c ON c.id = s.contact_id WHERE c.archived = 0
    ), occurrences AS (
        -- 29 February falls on 28 February in common years (the `leap_day` default)
        SELECT *, CASE WHEN month = 2 AND day = 29
                       AND strftime('%m', printf('%04d-02-28', this_year), '+1 day') = '03'
                       THEN printf('%04d-02-28', this_year)
                       ELSE printf('%04d-%02d-%02d', this_year, month, day) END AS this_time,
                  CASE WHEN month = 2 AND day = 29
                       AND strftime('%m', printf('%04d-02-28', this_year + 1), '+1 day') = '03'
                       THEN printf('%04d-02-28', this_year + 1)
                       ELSE printf('%04d-%02d-%02d', this_year + 1, month, day) END AS next_time
        FROM base
    ), upcoming AS (
        SELECT *, CASE WHEN this_time >= today THEN this_time ELSE next_time END AS date
        FROM occurrences
    )
    SELECT id, contact_id, contact, label, date,
           CAST(julianday(date) - julianday(today) AS INTEGER) AS in_days,
           CASE WHEN year IS NULL THEN NULL
                ELSE CAST(substr(date, 1, 4) AS INTEGER) - year END AS years
    FROM upcoming ORDER BY date, contact;
CREATE VIEW contact_value AS
    SELECT c.id AS contact_id, c.name AS contact,
           coalesce(sum(i.amount), 0.0) AS revenue,
           coalesce(c.acquisition_cost, 0.0) AS cost,
           round(coalesce(sum(i.amount), 0.0) - coalesce(c.acquisition_cost, 0.0), 2)
               AS lifetime_value,
           min(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS first_sale,
           max(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS last_sale
    FROM contacts c
    LEFT JOIN interaction_contacts l ON l.contact_id = c.id
    LEFT JOIN interactions i ON i.id = l.interaction_id AND i.amount IS NOT NULL
    WHERE c.archived = 0
    GROUP BY c.id
    HAVING revenue > 0 OR cost > 0;
"""

MIGRATIONS.append(("address book fields, vdir sync, a view per report", address_books))


def capture(conn: sqlite3.Connection) -> None:
    """Interactions captured from mail and calendars (never logged twice), and meetings still to
    come, for the digest."""
    for statement in statements(CAPTURE_SQL):
        conn.execute(statement)
    install_undo_triggers(conn)


CAPTURE_SQL = """
ALTER TABLE interactions ADD COLUMN source TEXT;     -- mail or calendar; NULL when typed
ALTER TABLE interactions ADD COLUMN source_id TEXT;  -- the Message-ID, or the event and occurrence
CREATE UNIQUE INDEX interactions_by_source ON interactions(source, source_id)
    WHERE source_id IS NOT NULL;
-- meetings still to come with known contacts, from `crm import calendar`, for the digest
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL UNIQUE,              -- the event's UID, and the occurrence
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    summary TEXT NOT NULL,
    location TEXT,
    contact_ids TEXT NOT NULL DEFAULT '[]',      -- JSON array
    origin TEXT                                  -- the file it was read from (re-read: replaced)
);
CREATE INDEX meetings_by_start ON meetings(starts_at);
"""

UNDO_TABLES["meetings"] = ("id",)
MIGRATIONS.append(("mail and calendar capture, meetings ahead", capture))


def careful_undo(conn: sqlite3.Connection) -> None:
    """Undo statements that find nothing when another program changed the row since (so undo
    refuses), and the vCard sync state undone with the contacts it matches; the sync remembers
    each side as it last saw it (a foreign card and crm's rewrite of it differ in form)."""
    conn.execute("ALTER TABLE vcard_sync ADD COLUMN local TEXT")  # crm's side (NULL: as state)
    install_undo_triggers(conn)


UNDO_TABLES["vcard_sync"] = ("folder", "uid")
MIGRATIONS.append(("undo refuses rows changed outside crm; sync state undone too", careful_undo))


def removed_captures(conn: sqlite3.Connection) -> None:
    """Captured interactions the user removed, so no import logs them again (unless they are
    restored from the trash)."""
    conn.execute(
        "CREATE TABLE captured_removed (source TEXT NOT NULL, source_id TEXT NOT NULL, "
        "PRIMARY KEY (source, source_id)) WITHOUT ROWID"
    )
    install_undo_triggers(conn)


UNDO_TABLES["captured_removed"] = ("source", "source_id")
MIGRATIONS.append(("captured interactions removed stay removed", removed_captures))

# The remaining reports as views (archived contacts left out where the reports leave them out;
# the real today): retention's stages now, satisfaction and activity per month, contact load
# over the last 7 days (`report contact-load` without its --limit filter).
REPORT_VIEWS_SQL = """
CREATE VIEW stage_counts AS
    SELECT coalesce(stage, 'none') AS stage, count(*) AS contacts
    FROM contacts WHERE archived = 0 GROUP BY stage;
CREATE VIEW satisfaction_by_month AS
    SELECT substr(i.happened_at, 1, 7) AS month, count(*) AS responses,
           round(avg(CASE WHEN i.scale = 5 THEN i.score END), 2) AS average_5,
           round(100.0 * (sum(i.scale = 10 AND i.score >= 9) - sum(i.scale = 10 AND i.score <= 6))
                 / nullif(sum(i.scale = 10), 0), 1) AS nps
    FROM interactions i JOIN interaction_contacts l ON l.interaction_id = i.id
    JOIN contacts c ON c.id = l.contact_id
    WHERE i.kind = 'feedback' AND c.archived = 0
    GROUP BY month ORDER BY month;
CREATE VIEW activity_by_month AS
    SELECT substr(happened_at, 1, 7) AS month, count(*) AS interactions,
           sum(direction = 'out') AS outbound, sum(direction = 'in') AS inbound,
           coalesce(sum(amount), 0) AS revenue
    FROM interactions GROUP BY month ORDER BY month;
CREATE VIEW contact_load AS
    SELECT c.id AS contact_id, c.name AS contact, count(*) AS outbound,
           min(substr(l.happened_at, 1, 10)) AS first, max(substr(l.happened_at, 1, 10)) AS last
    FROM interaction_contacts l JOIN interactions i ON i.id = l.interaction_id
    JOIN contacts c ON c.id = l.contact_id
    WHERE i.direction = 'out' AND i.kind = 'touch' AND c.archived = 0
      AND l.happened_at >= date('now', 'localtime', '-6 days')
      AND l.happened_at < date('now', 'localtime', '+1 day')
    GROUP BY c.id ORDER BY outbound DESC, contact;
"""


def report_views(conn: sqlite3.Connection) -> None:
    for statement in statements(REPORT_VIEWS_SQL):
        conn.execute(statement)


MIGRATIONS.append(("a view for every report", report_views))


def imported_once(conn: sqlite3.Connection) -> None:
    """Where a uid-less imported interaction came from (rules.origin_key), so importing one
    file twice adds nothing; the value view counts an amount shared by several people once
    (split evenly: rules.AMOUNT_SHARE)."""
    for statement in statements(IMPORTED_ONCE_SQL):
        conn.execute(statement)
    install_undo_triggers(conn)


IMPORTED_ONCE_SQL = """
ALTER TABLE interactions ADD COLUMN origin TEXT;
CREATE INDEX interactions_by_origin ON interactions(origin) WHERE origin IS NOT NULL;
DROP VIEW contact_value;
CREATE VIEW contact_value AS
    SELECT c.id AS contact_id, c.name AS contact,
           round(coalesce(sum(i.amount / (SELECT count(*) FROM interaction_contacts s
                                         WHERE s.interaction_id = i.id)), 0.0), 2) AS revenue,
           coalesce(c.acquisition_cost, 0.0) AS cost,
           round(coalesce(sum(i.amount / (SELECT count(*) FROM interaction_contacts s
                                         WHERE s.interaction_id = i.id)), 0.0)
                 - coalesce(c.acquisition_cost, 0.0), 2) AS lifetime_value,
           min(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS first_sale,
           max(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS last_sale
    FROM contacts c
    LEFT JOIN interaction_contacts l ON l.contact_id = c.id
    LEFT JOIN interactions i ON i.id = l.interaction_id AND i.amount IS NOT NULL
    WHERE c.archived = 0
    GROUP BY c.id
    HAVING revenue > 0 OR cost > 0;
"""

MIGRATIONS.append(("interactions imported once; shared amounts counted once", imported_once))


# Migrations 12 on (each a function of the connection) live in migrations_later.py.
from .migrations_later import LATER  # noqa: E402

MIGRATIONS.extend(LATER)
LATEST = len(MIGRATIONS)

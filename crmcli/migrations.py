"""Schema migrations: append-only, numbered by position, each run in its own transaction.

`PRAGMA user_version` holds how many have run. Never edit or reorder a migration that has
shipped; add a new one. A migration is plain SQL (so `sqlite3` users can read the schema's
history) or a function of the connection, for what a library does better (full-text search).
"""

import json
import sqlite3
from collections.abc import Callable

# The columns full-text search indexes, per table (crm search; bulk imports refill them).
FTS_COLUMNS = {
    "contacts": ("name", "company", "title", "notes", "tags"),
    "interactions": ("summary", "outcome"),
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
    for table, columns in FTS_COLUMNS.items():
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


def trash_as_backup_documents(conn: sqlite3.Connection) -> None:
    """Trash entries become backup documents, so one engine restores the trash and backups.

    Before, an entry held the raw rows of each table; now it holds records that refer to each
    other by uid, exactly as `crm export all` writes them."""
    for trash_id, payload in conn.execute("SELECT id, payload FROM trash").fetchall():
        rows = json.loads(payload)
        if "format" in rows:
            continue
        conn.execute(
            "UPDATE trash SET payload = ? WHERE id = ?",
            (json.dumps(_as_document(conn, rows), ensure_ascii=False), trash_id),
        )


def _as_document(conn: sqlite3.Connection, rows: dict) -> dict:
    contact = dict(rows["contacts"][0])
    contact_uid = contact["uid"]
    for column in ("emails", "phones", "tags"):
        contact[column] = json.loads(contact[column]) if isinstance(contact[column], str) else []
    contact["archived"] = bool(contact["archived"])
    interaction_uids = {row["id"]: row["uid"] for row in rows["interactions"]}

    def interaction_uid(interaction_id):
        if interaction_id is None:
            return None
        if interaction_id in interaction_uids:
            return interaction_uids[interaction_id]
        found = conn.execute("SELECT uid FROM interactions WHERE id = ?", (interaction_id,))
        row = found.fetchone()
        return row[0] if row else None

    def owned(table: str) -> list[dict]:
        records = []
        for row in rows[table]:
            record = {**row, "contact_uid": contact_uid}
            if "interaction_id" in record:
                record["interaction_uid"] = interaction_uid(record.pop("interaction_id"))
            records.append(record)
        return records

    return {
        "format": "crm-backup",
        "schema": 4,
        "config": {},
        "contacts": [contact],
        "interactions": [{**row, "contact_uids": [contact_uid]} for row in rows["interactions"]],
        "dates": owned("special_dates"),
        "followups": owned("followups"),
        "complaints": owned("complaints"),
        "stage_changes": owned("stage_changes"),
    }


MIGRATIONS.append(("trash entries as backup documents", trash_as_backup_documents))

LATEST = len(MIGRATIONS)

"""Erasure: what crm holds on one person (an access request) and forgetting them for good (an
erasure request), everywhere a person's data can sit — their records, the records shared with
others, meetings, sync state, the trash, the undo history and the full-text index. The rules
(what names a person, what a shared record keeps) are crmcli.privacy's; this room holds the SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..model import Row
from .database import Room

# Free text of records that stay (others' records, shared ones), where a forgotten person's
# name or address may be written: scrubbed, not deleted.
TEXT_COLUMNS = {
    "interactions": ("summary", "outcome"),
    "followups": ("note", "done_note"),
    "complaints": ("summary", "response", "resolution"),
    "notes": ("text",),
    "contacts": ("notes", "company", "title", "department", "owner", "source"),
    "stage_changes": ("reason",),
    "special_dates": ("label",),
    "meetings": ("summary", "location"),
    "state": ("value",),
}

# Tables whose rows belong to one contact (the person's own are removed, not scrubbed).
OWNED = ("followups", "complaints", "notes", "stage_changes", "special_dates")
CHECKPOINT_WAIT_MS = 2000  # how long the log is waited for when another program reads the file

# The full-text indexes (external content: rebuilt from their tables, so no token of a
# removed row is left in a segment).
FTS_TABLES = ("contacts_fts", "interactions_fts", "followups_fts", "complaints_fts", "notes_fts")


class Erasure(Room):
    # ------------------------------------------------------------------ an access request

    def uids(self, contact_id: int, uid: str) -> list[str]:
        """The contact's uid and the uids of contacts merged into it."""
        aliases = self.conn.execute(
            "SELECT uid FROM contact_aliases WHERE contact_id = ? ORDER BY uid", (contact_id,)
        )
        return [uid, *(row[0] for row in aliases)]

    def meetings(self, contact_id: int) -> list[Row]:
        """The meetings ahead with the contact (`contact_ids` as stored, a JSON array)."""
        return self.db.all(
            "SELECT * FROM meetings WHERE EXISTS (SELECT 1 FROM json_each(contact_ids) "
            "WHERE value = ?) ORDER BY starts_at, id",
            (contact_id,),
        )

    def sync_state(self, uids: list[str]) -> list[Row]:
        """The cards remembered by `crm vcard sync`, per folder."""
        marks = ", ".join("?" * len(uids))
        return self.db.all(
            f"SELECT folder, uid, file, synced_at FROM vcard_sync WHERE uid IN ({marks}) "
            "ORDER BY folder, uid",
            uids,
        )

    def trash_entries(self, mentions: Callable[[str], bool], uids: list[str]) -> list[Row]:
        """Trash entries of the person, or whose kept records name them (their uid among the
        people of a removed interaction is a mention too)."""
        return [
            {"id": entry_id, "kind": kind, "name": name, "deleted_at": deleted_at,
             "document": json.loads(payload) if payload.startswith("{") else payload}
            for entry_id, kind, name, deleted_at, payload, uid in self.conn.execute(
                "SELECT id, kind, name, deleted_at, payload, contact_uid FROM trash ORDER BY id"
            )
            if uid in uids or mentions(name) or mentions(payload)
        ]  # fmt: skip

    def mentions(self, mentions: Callable[[str], bool], contact_id: int | None) -> list[Row]:
        """Where the free text of records that are not the person's own names them."""
        found = []
        for table, columns in TEXT_COLUMNS.items():
            own = "contact_id" if table in OWNED else "id" if table == "contacts" else None
            key = "key" if table == "state" else "id"
            for column in columns:
                sql = f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
                rows = (
                    self.conn.execute(f"{sql} AND {own} IS NOT ?", (contact_id,))
                    if own
                    else self.conn.execute(sql)
                )
                found += [
                    {"table": table, "id": row_key, "field": column, "text": text}
                    for row_key, text in rows
                    if mentions(text)
                ]
        return found

    def history(self, mentions: Callable[[str], bool]) -> list[Row]:
        """Recorded changes whose command line names the person."""
        return [
            {"id": change_id, "at": at, "command": command}
            for change_id, at, command in self.conn.execute(
                "SELECT id, at, command FROM changes ORDER BY id"
            )
            if mentions(command)
        ]

    # ------------------------------------------------------------------ an erasure request

    def forget(
        self,
        contact_id: int | None,
        uids: list[str],
        mentions: Callable[[str], bool],
        scrub: Callable[[str], str],
        scrub_command: Callable[[str], str],
        clean_entry: Callable[[str], str | None],
        forget_line: str,
    ) -> dict[str, int]:
        """Remove the contact and everything that names them, in one transaction; the free
        text of what stays is scrubbed with `scrub`, command lines with `scrub_command`, others'
        trash documents with `clean_entry` (None: nothing left); this change's line becomes
        `forget_line`. The
        change log is emptied (it holds removed rows as they were): nothing before this change
        can be undone, and this change says so. `contact_id` None: a contact already deleted (in
        the trash). Returns counts of what went."""
        self.conn.create_function("crm_mentions", 1, lambda text: bool(text and mentions(text)))
        self.conn.create_function("crm_scrub", 1, lambda text: text and scrub(text))
        self.conn.create_function("crm_scrub_command", 1, scrub_command)
        counts = {"interactions": 0, "meetings": 0}
        with self.db.transaction():
            if contact_id is not None:
                counts["interactions"] = self._remove_interactions(contact_id)
                counts["meetings"] = self._leave_meetings(contact_id)
                self.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
            marks = ", ".join("?" * len(uids))
            counts["cards"] = self.conn.execute(
                f"DELETE FROM vcard_sync WHERE uid IN ({marks})", uids
            ).rowcount
            counts["trash"] = self._clean_trash(uids, mentions, scrub, clean_entry)
            for table, columns in TEXT_COLUMNS.items():
                for column in columns:
                    self.conn.execute(
                        f"UPDATE {table} SET {column} = crm_scrub({column}) "
                        f"WHERE crm_mentions({column})"
                    )
            counts["history"] = self.conn.execute(
                "UPDATE changes SET command = crm_scrub_command(command) WHERE id IS NOT ?",
                (self.db.change_id,),
            ).rowcount
            self.conn.execute(
                "UPDATE changes SET command = ? WHERE id = ?", (forget_line, self.db.change_id)
            )
            self._close_history("contacts" if contact_id is not None else "trash")
            for table in FTS_TABLES:
                self.conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        return counts

    def _remove_interactions(self, contact_id: int) -> int:
        """Interactions only this contact took part in go (remembered as removed, by message
        id or file row hash, so no import logs them again); shared ones keep the others."""
        own = (
            "SELECT interaction_id FROM interaction_contacts l WHERE l.contact_id = ? AND NOT "
            "EXISTS (SELECT 1 FROM interaction_contacts o WHERE o.interaction_id = "
            "l.interaction_id AND o.contact_id != l.contact_id)"
        )
        self.conn.execute(
            f"INSERT OR IGNORE INTO captured_removed (source, source_id) SELECT source, source_id "
            f"FROM interactions WHERE id IN ({own}) AND source_id IS NOT NULL UNION ALL SELECT "
            f"'origin', origin FROM interactions WHERE id IN ({own}) AND origin IS NOT NULL",
            (contact_id, contact_id),
        )
        return self.conn.execute(
            f"DELETE FROM interactions WHERE id IN ({own})", (contact_id,)
        ).rowcount

    def _leave_meetings(self, contact_id: int) -> int:
        """The contact leaves every meeting ahead; a meeting left with nobody goes."""
        gone = 0
        for meeting in self.meetings(contact_id):
            others = [c for c in json.loads(meeting["contact_ids"]) if c != contact_id]
            if others:
                self.conn.execute(
                    "UPDATE meetings SET contact_ids = ? WHERE id = ?",
                    (json.dumps(others), meeting["id"]),
                )
            else:
                self.conn.execute("DELETE FROM meetings WHERE id = ?", (meeting["id"],))
                gone += 1
        return gone

    def _close_history(self, forgotten_from: str) -> None:
        """Empty the change log; this change (when recorded) stays, marked as one undo stops
        at. A change left with no log cannot be undone (history.undo says why)."""
        self.conn.execute("DELETE FROM change_log")
        if self.db.change_id is not None:
            self.conn.execute(
                "INSERT INTO change_log (change_id, tbl, op, rows, undo_sql) "
                "VALUES (?, ?, 'forget', 1, '')",
                (self.db.change_id, forgotten_from),
            )

    def _clean_trash(
        self,
        uids: list[str],
        mentions: Callable[[str], bool],
        scrub: Callable[[str], str],
        clean_entry: Callable[[str], str | None],
    ) -> int:
        """The person's trash entries go; others' entries lose them as what stays does: out
        of the people of a removed interaction, their name scrubbed from the text. Returns how
        many entries were removed or changed."""
        touched = 0
        rows = self.conn.execute("SELECT id, contact_uid, name, payload FROM trash").fetchall()
        for entry_id, uid, name, payload in rows:
            if uid in uids:
                self.conn.execute("DELETE FROM trash WHERE id = ?", (entry_id,))
                touched += 1
                continue
            if not mentions(payload) and not mentions(name):
                continue
            cleaned = clean_entry(payload)
            if cleaned is None:
                self.conn.execute("DELETE FROM trash WHERE id = ?", (entry_id,))
            else:
                self.conn.execute(
                    "UPDATE trash SET name = ?, payload = ? WHERE id = ?",
                    (scrub(name), cleaned, entry_id),
                )
            touched += 1
        return touched

    def compact(self) -> bool:
        """Rewrite the file so no free page keeps a removed row, and empty the write-ahead log;
        False when another program reading the file kept its old pages (after a short wait:
        a reader holds them until it closes)."""
        self.conn.execute("VACUUM")
        waited = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        self.conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(waited)}")
        return not busy

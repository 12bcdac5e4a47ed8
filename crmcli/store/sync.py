"""Capture and sync state: what mail and calendar imports have logged (or the user removed),
the meetings still to come, and each vdir card as it was when both sides last agreed."""

from __future__ import annotations

import datetime as dt

from ..model import Row
from ..when import stamp
from .database import Room, stored


class Capture(Room):
    def source_ids(self, source: str) -> set[str]:
        """The Message-IDs (or event keys) already captured from a source, or removed since."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT source_id FROM interactions WHERE source = ? AND source_id IS NOT NULL "
                "UNION SELECT source_id FROM captured_removed WHERE source = ?",
                (source, source),
            )
        }

    def interaction_of(self, source: str, source_id: str) -> int | None:
        """The interaction captured as `source_id` (None once the user removed it)."""
        row = self.conn.execute(
            "SELECT id FROM interactions WHERE source = ? AND source_id = ?", (source, source_id)
        ).fetchone()
        return row[0] if row else None

    def replace_meetings(self, origins: list[str], meetings: list[Row], today: dt.date) -> None:
        """Meetings to come as the files just read say (re-reading a file or folder replaces
        what it said before); meetings of past days go. Unchanged rows are left alone, so a
        re-import that finds nothing new writes nothing."""
        stale, params = "coalesce(ends_at, starts_at) < ?", [today.isoformat()]
        for origin in origins:  # the file itself, or any file under the folder
            stale += " OR origin = ? OR substr(origin, 1, length(?) + 1) = ? || '/'"
            params += [origin, origin, origin]
        old = {
            row["event_key"]: row
            for row in self.db.all(f"SELECT * FROM meetings WHERE {stale}", params)
        }
        for meeting in meetings:
            checked = stored("meetings", meeting)
            kept = old.pop(checked["event_key"], None)
            if kept is None:  # new, or moved here from another file
                self.conn.execute(
                    "DELETE FROM meetings WHERE event_key = ?", (checked["event_key"],)
                )
                self.db.insert("meetings", checked)
            elif any(kept[key] != value for key, value in checked.items()):
                self.db.update("meetings", kept["id"], checked)
        for row in old.values():
            self.conn.execute("DELETE FROM meetings WHERE id = ?", (row["id"],))


class CardSync(Room):
    def state(self, folder: str) -> dict[str, Row]:
        return {
            row["uid"]: row
            for row in self.db.all(
                "SELECT uid, file, state, coalesce(local, state) AS local, file_hash, "
                "contact_hash FROM vcard_sync WHERE folder = ?",
                (folder,),
            )
        }

    def remember(
        self,
        folder: str,
        uid: str,
        file: str,
        state: str,
        local: str,
        now: dt.datetime,
        file_hash: str | None = None,
        contact_hash: str | None = None,
    ) -> None:
        """Both sides of a card as they were when they last agreed: the card (`state`) and the
        contact as its card would read back (`local`); and, to know them again without
        reading, the file's bytes and the contact's fields, hashed."""
        self.conn.execute(
            "INSERT INTO vcard_sync (folder, uid, file, state, local, synced_at, file_hash, "
            "contact_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (folder, uid) DO UPDATE "
            "SET file = excluded.file, state = excluded.state, local = excluded.local, "
            "synced_at = excluded.synced_at, file_hash = excluded.file_hash, "
            "contact_hash = excluded.contact_hash",
            (folder, uid, file, state, local, stamp(now), file_hash, contact_hash),
        )

    def forget(self, folder: str, uid: str) -> None:
        self.conn.execute("DELETE FROM vcard_sync WHERE folder = ? AND uid = ?", (folder, uid))

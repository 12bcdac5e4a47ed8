"""What `crm doctor` asks of the file itself: integrity, references, schema, orphans, journal,
and every stored row as it is (for the model's checks, in crmcli.health)."""

from __future__ import annotations

from collections.abc import Iterator

from ..migrations import LATEST
from ..model import Row
from .database import Room


class Health(Room):
    def checks(self) -> list[Row]:
        found = []

        def check(name: str, ok: bool, detail: str) -> None:
            found.append({"check": name, "ok": ok, "detail": detail})

        integrity = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        check("integrity", integrity == ["ok"], "; ".join(integrity[:5]))
        foreign = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        check(
            "foreign keys", not foreign, f"{len(foreign)} broken reference(s)" if foreign else "ok"
        )
        version = self.db.schema_version()
        check("schema", version == LATEST, f"version {version} of {LATEST}")
        orphans = self.conn.execute(
            "SELECT count(*) FROM interactions WHERE id NOT IN "
            "(SELECT interaction_id FROM interaction_contacts)"
        ).fetchone()[0]
        check(
            "orphans",
            orphans == 0,
            f"{orphans} interaction(s) without a contact" if orphans else "ok",
        )
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        check("journal", mode == "wal", f"journal_mode={mode}")
        return found

    def mismatched_links(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM interaction_contacts l JOIN interactions i "
            "ON i.id = l.interaction_id WHERE l.happened_at IS NOT i.happened_at"
        ).fetchone()[0]

    def rows(self, entity: str) -> Iterator[Row]:
        """Every row of a table exactly as stored (lists as JSON text)."""
        for row in self.conn.execute(f"SELECT * FROM {entity} ORDER BY id"):
            yield dict(row)

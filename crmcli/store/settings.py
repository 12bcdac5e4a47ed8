"""Key-value tables: `config` (the user's settings, see crmcli.settings) and `state` (crm's own
bookkeeping, such as the digest's last run)."""

from __future__ import annotations

from .database import Room


class Settings(Room):
    def get(self, table: str, key: str) -> str | None:
        row = self.conn.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, table: str, key: str, value: str | None) -> None:
        with self.db.transaction():
            if value is None:
                self.conn.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
            else:
                self.conn.execute(
                    f"INSERT INTO {table} (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def every(self, table: str) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute(f"SELECT key, value FROM {table}")}

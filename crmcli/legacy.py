"""Old shapes of stored data made current, for the migrations that need more than SQL."""

import json
import sqlite3


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

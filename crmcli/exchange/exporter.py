"""crm export: every entity as CSV / TSV / JSON / JSON Lines, streamed in constant memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from .. import model, output
from ..store import Store

ENTITIES = (
    "contacts", "interactions", "dates", "followups", "complaints", "stage_changes", "notes",
)  # fmt: skip
JSON_COLUMNS = ("aliases", *model.JSON_COLUMNS)  # JSON arrays: lists in JSON, JSON text in CSV
EXPORT_FORMATS = ("csv", "tsv", "json", "jsonl")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SPLIT_COLUMNS = ("contact_ids", "contact_uids", "contacts")
UNIT_SEPARATOR = "\x1f"  # joins list cells inside SQL; never typed by anyone


def iter_rows(
    store: Store,
    entity: str,
    include_archived: bool = False,
    contact_id: int | None = None,
    record_id: int | None = None,
) -> Iterator[dict[str, Any]]:
    """An entity's rows; lists (emails, phones, tags, contact ids) come out as lists."""
    import json

    cursor = store.export.cursor(entity, include_archived, "char(31)", contact_id, record_id)
    columns = [d[0] for d in cursor.description]
    lists = [c for c in (*model.LIST_COLUMNS, *JSON_COLUMNS) if c in columns]
    split = [c for c in SPLIT_COLUMNS if c in columns]
    for values in cursor:
        row = dict(zip(columns, values, strict=True))
        for column in lists:
            row[column] = json.loads(row[column])
        for column in split:
            row[column] = row[column].split(UNIT_SEPARATOR) if row[column] else []
        if "contact_ids" in row:
            row["contact_ids"] = [int(v) for v in row["contact_ids"]]
        if "archived" in row:
            row["archived"] = bool(row["archived"])
        yield row


def excel_safe(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Prefix a quote to cells a spreadsheet would run as a formula (OWASP CSV injection)."""
    for row in rows:
        safe = {}
        for key, value in row.items():
            if isinstance(value, list):
                value = model.MULTI_SEPARATOR.join(str(v) for v in value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                value = "'" + value
            safe[key] = value
        yield safe


def export_entity(
    store: Store, entity: str, fmt: str, out: TextIO, safe: bool = False, archived: bool = False
) -> int:
    model.choice(entity, ENTITIES, "entity")
    if fmt == "csv" and entity == "interactions" and not safe:
        return _write_csv(out, *store.export.interactions(archived, model.MULTI_SEPARATOR))
    if fmt == "csv" and entity not in ("contacts",) and not safe:
        return _fast_csv(store.export.cursor(entity, archived, repr(model.MULTI_SEPARATOR)), out)
    rows = iter_rows(store, entity, include_archived=archived)
    if fmt in ("csv", "tsv"):
        rows = json_cells(rows)
    if safe and fmt in ("csv", "tsv"):
        rows = excel_safe(rows)
    return output.render(rows, fmt, out=out)


def json_cells(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Addresses, URLs and the other JSON columns as JSON text in one cell (they hold `;` and
    structure that a joined list would lose); imports read the same text back."""
    import json

    for row in rows:
        for column in JSON_COLUMNS:
            if column in row:
                row[column] = json.dumps(row[column], ensure_ascii=False) if row[column] else ""
        yield row


def _fast_csv(cursor, out: TextIO) -> int:
    """Rows straight from SQLite to the csv module: no dict, no per-cell Python."""
    header = [column[0] for column in cursor.description]
    return _write_csv(out, header, iter(lambda: cursor.fetchmany(5000), []))


def _write_csv(out: TextIO, header: list[str], batches: Iterator[list[Any]]) -> int:
    import csv

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for batch in batches:
        writer.writerows(batch)
        count += len(batch)
    return count

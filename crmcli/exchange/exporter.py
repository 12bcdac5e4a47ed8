"""crm export: every entity as CSV / TSV / JSON / JSON Lines, streamed in constant memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from .. import model, output
from ..store import Store

ENTITIES = (
    "contacts", "interactions", "dates", "followups", "complaints", "stage_changes", "notes",
)  # fmt: skip
JSON_COLUMNS = ("aliases", *model.JSON_COLUMNS)  # JSON arrays: lists in JSON, JSON text in CSV
EXPORT_FORMATS = ("csv", "tsv", "json", "jsonl")
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
        for column in model.FLAG_COLUMNS:
            if column in row:
                row[column] = bool(row[column])
        yield row


def export_entity(
    store: Store, entity: str, fmt: str, out: TextIO, safe: bool = False, archived: bool = False
) -> int:
    """One entity in one format: JSON and JSON Lines from its rows as records (lists as
    lists), CSV and TSV from the same rows as flat cells, with `safe` (--excel-safe) a change
    of cells, never another path. Every format says the same of an empty result: its header,
    `[]`, or nothing."""
    model.choice(entity, ENTITIES, "entity")
    if fmt in ("json", "jsonl"):
        return output.render(iter_rows(store, entity, include_archived=archived), fmt, out=out)
    header, batches = flat_rows(store, entity, archived)
    if safe:
        batches = (excel_safe(batch) for batch in batches)
    return output.write_cells(out, header, batches, fmt)


BATCH = 5000  # rows a fetch: memory stays flat, and Python touches cells in bulk


def flat_rows(
    store: Store, entity: str, archived: bool
) -> tuple[list[str], Iterator[Sequence[Sequence[Any]]]]:
    """An entity's rows as flat cells (lists joined by `;`, JSON columns as JSON text), in
    batches, straight from SQLite where the query can say it all."""
    if entity == "interactions":
        header, batches = store.export.interactions(archived, model.MULTI_SEPARATOR)
        return header, batches
    if entity == "contacts":  # lists and JSON columns are decoded and flattened here
        header = [d[0] for d in store.export.cursor(entity, archived, "char(31)").description]
        rows = json_cells(iter_rows(store, entity, include_archived=archived))
        return header, _batched([output.flat(row[key]) for key in header] for row in rows)
    cursor = store.export.cursor(entity, archived, repr(model.MULTI_SEPARATOR))
    return [d[0] for d in cursor.description], iter(lambda: cursor.fetchmany(BATCH), [])


def _batched(rows: Iterator[list[Any]]) -> Iterator[Sequence[Sequence[Any]]]:
    import itertools

    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def excel_safe(batch: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    """Cells a spreadsheet would run as a formula get a quote before them (OWASP's advice
    against CSV injection); numbers are numbers, never formulas."""
    return [
        ["'" + cell if isinstance(cell, str) and cell.startswith(model.FORMULA_STARTS) else cell
         for cell in row]
        for row in batch
    ]  # fmt: skip


def json_cells(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Addresses, URLs and the other JSON columns as JSON text in one cell (they hold `;` and
    structure that a joined list would lose); imports read the same text back."""
    import json

    for row in rows:
        for column in JSON_COLUMNS:
            if column in row:
                row[column] = json.dumps(row[column], ensure_ascii=False) if row[column] else ""
        yield row

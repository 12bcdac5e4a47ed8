"""crm export: every entity as CSV / TSV / JSON / JSON Lines, streamed; `all` as one JSON backup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TextIO

from . import output
from .errors import CrmError
from .migrations import LATEST
from .model import MULTI_SEPARATOR
from .store import BACKUP_ORDER, Store, export_cursor_flat, iter_export, stamp

ENTITIES = ("contacts", "interactions", "dates", "followups", "complaints")
EXPORT_FORMATS = ("csv", "tsv", "json", "jsonl")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BACKUP_FORMAT = "crm-backup"


def excel_safe(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Prefix a quote to cells a spreadsheet would run as a formula (OWASP CSV injection)."""
    for row in rows:
        safe = {}
        for key, value in row.items():
            if isinstance(value, list):
                value = MULTI_SEPARATOR.join(str(v) for v in value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                value = "'" + value
            safe[key] = value
        yield safe


def export_entity(
    store: Store, entity: str, fmt: str, out: TextIO, safe: bool = False, archived: bool = False
) -> int:
    if entity not in ENTITIES:
        raise CrmError(f"unknown entity {entity!r}: use one of {', '.join(ENTITIES)} or all")
    if fmt == "csv" and entity != "contacts" and not safe:
        return _fast_csv(export_cursor_flat(store, entity, archived), out)
    rows = iter_export(store, entity, include_archived=archived)
    if safe and fmt in ("csv", "tsv"):
        rows = excel_safe(rows)
    return output.render(rows, fmt, out=out)


def export_all(store: Store, out: TextIO, now: dt.datetime) -> int:
    """One JSON document with every record, archived ones included: a lossless backup."""
    out.write("{\n")
    out.write(f'  "format": "{BACKUP_FORMAT}",\n  "schema": {LATEST},\n')
    out.write(f'  "exported_at": "{stamp(now)}",\n')
    out.write(f'  "config": {output.to_json(store.settings("config"))},\n')
    count = 0
    for index, table in enumerate(BACKUP_ORDER):
        out.write(f'  "{table}": [')
        first = True
        for row in iter_export(store, table, include_archived=True):
            out.write(("" if first else ",") + "\n    " + output.to_json(row))
            first = False
            count += 1
        out.write("\n  ]" if not first else "]")
        out.write(",\n" if index < len(BACKUP_ORDER) - 1 else "\n")
    out.write("}\n")
    return count


def _fast_csv(cursor, out: TextIO) -> int:
    """Rows straight from SQLite to the csv module: no dict, no per-cell Python."""
    import csv

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column[0] for column in cursor.description])
    count = 0
    while batch := cursor.fetchmany(5000):
        writer.writerows(batch)
        count += len(batch)
    return count

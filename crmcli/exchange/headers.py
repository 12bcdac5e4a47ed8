"""Which column of another program's file fills which crm field: data, and the few lines that
apply it to rows (and JSON objects) to make import records.

Targets are model fields (`name`, `emails`…) or helpers the importer combines (`first_name`,
`last_name`, `connected_on`, `url`). "ignore" marks a known column that carries nothing to keep.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .. import model
from ..errors import CrmError
from ..model import MULTI_SEPARATOR
from .readers import Record

# Lower-cased header → target.
CONTACT_HEADERS = {
    # crm's own export
    "uid": "uid", "name": "name", "emails": "emails", "phones": "phones", "company": "company",
    "title": "title", "tags": "tags", "relationship": "relationship", "stage": "stage",
    "channel": "channel", "cadence_days": "cadence_days", "owner": "owner", "source": "source",
    "acquisition_cost": "acquisition_cost", "notes": "notes", "birthday": "birthday",
    "archived": "archived", "created": "created", "updated": "updated",
    "do_not_contact": "do_not_contact", "do not contact": "do_not_contact",
    "reply_within": "reply_within", "at_most": "at_most", "tz": "tz", "time zone": "tz", "id": "ignore", "last_interaction": "ignore",
    # common spellings
    "full name": "name", "display name": "name", "email": "emails", "e-mail": "emails",
    "phone": "phones", "telephone": "phones", "mobile": "phones", "note": "notes", "tag": "tags",
    # Google Contacts (current and legacy)
    "first name": "first_name", "middle name": "middle_name", "last name": "last_name",
    "given name": "first_name", "additional name": "middle_name", "family name": "last_name",
    "organization name": "company", "organization title": "title",
    "organization 1 - name": "company", "organization 1 - title": "title",
    "labels": "tags", "group membership": "tags",
    # Outlook
    "e-mail address": "emails", "e-mail 2 address": "emails", "e-mail 3 address": "emails",
    "business phone": "phones", "business phone 2": "phones", "mobile phone": "phones",
    "home phone": "phones", "home phone 2": "phones", "primary phone": "phones",
    "other phone": "phones", "job title": "title", "categories": "tags",
    "anniversary": "anniversary", "nickname": "nickname", "suffix": "suffix",
    "department": "department", "web page": "url", "business address": "address_work",
    "home address": "address_home", "other address": "address_other",
    "organization department": "department", "organization 1 - department": "department",
    "name prefix": "prefix", "name suffix": "suffix",
    # LinkedIn Connections.csv
    "email address": "emails", "position": "title", "connected on": "connected_on", "url": "url",
    # crm's own newer columns
    "given_name": "given_name", "family_name": "family_name", "prefix": "prefix",
    "addresses": "addresses", "urls": "urls", "extra": "extra", "aliases": "ignore",
    "card_forms": "card_forms",
}  # fmt: skip
# Postal addresses in parts: Google's "Address 1 - City", Outlook's "Business City". Each
# becomes the part of one address (the model's parts: type, box, extended, street, city,
# region, code, country); "formatted" stands in for the street when no part is given.
ADDRESS_HEADERS = [
    re.compile(r"^address (?P<group>\d+) - (?P<part>type|label|formatted|street|city|po box|"
               r"region|postal code|country|extended address)$"),
    re.compile(r"^(?P<group>business|home|other) (?P<part>street(?: [23])?|city|state|"
               r"postal code|country/region|country|po box)$"),
]  # fmt: skip
ADDRESS_PART = {
    "label": "type", "po box": "box", "extended address": "extended", "street 2": "extended",
    "street 3": "extended", "state": "region", "postal code": "code", "country/region": "country",
}  # fmt: skip
ADDRESS_TYPE = {"business": "work", "home": "home", "other": None}
# Outlook's "Title" is the name prefix (Mr., Dr., Herr); in a file that has "Job Title" too,
# "Title" can only mean that.
PREFIX_WHEN = ("job title", "title", "prefix")
NUMBERED_HEADERS = [
    (re.compile(r"^e-?mail \d+ - value$"), "emails"),
    (re.compile(r"^phone \d+ - value$"), "phones"),
    (re.compile(r"^website \d+ - value$"), "url"),
    (re.compile(r"^event (\d+) - type$"), "event_type"),  # Google: Anniversary, or any label
    (re.compile(r"^event (\d+) - label$"), "event_type"),  # Google's newer export
    (re.compile(r"^event (\d+) - value$"), "event_value"),
]
INTERACTION_HEADERS = {
    "uid": "uid", "happened_at": "happened_at", "when": "happened_at", "date": "happened_at",
    "contact_uids": "contact_uids", "contact_uid": "contact_uids",
    "contact_ids": "contact_ids", "contact_id": "contact_ids",
    "contacts": "contacts", "contact": "contacts", "email": "contacts", "name": "contacts",
    "channel": "channel", "direction": "direction", "summary": "summary", "outcome": "outcome",
    "sentiment": "sentiment", "amount": "amount", "rating": "rating", "created": "created",
    "kind": "kind", "score": "score", "scale": "scale", "source": "source",
    "source_id": "source_id", "origin": "origin", "awaits_reply": "awaits_reply", "id": "ignore",
}  # fmt: skip
DATE_HEADERS = {
    "uid": "uid", "contact_uid": "contact_uids", "contact_id": "contact_ids",
    "contact": "contacts", "email": "contacts", "name": "contacts", "label": "label",
    "date": "date", "month": "month", "day": "day", "year": "year", "created": "created",
    "id": "ignore",
}  # fmt: skip
FOLLOWUP_HEADERS = {
    "uid": "uid", "contact_uid": "contact_uids", "contact_id": "contact_ids",
    "contact": "contacts", "email": "contacts", "name": "contacts", "due": "due", "note": "note",
    "created": "created", "done_at": "done_at", "done_note": "done_note",
    "snoozed": "snoozed", "interaction_uid": "ignore", "days_overdue": "ignore", "id": "ignore",
}  # fmt: skip
CONTACT_TARGETS = set(CONTACT_HEADERS.values())
INTERACTION_TARGETS = set(INTERACTION_HEADERS.values())
LIST_TARGETS = {"emails", "phones", "tags", "contact_uids", "contact_ids", "contacts"}


def parse_maps(pairs: list[str], targets: set[str]) -> dict[str, str]:
    """--map "Column=field" → {"column": "field"}."""
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        target = target.strip().lower()
        if not sep or not column.strip() or target not in targets:
            raise CrmError(
                f'bad --map {pair!r}: use "Column=field" with a field among {", ".join(sorted(targets))}'
            )
        mapping[" ".join(column.strip().lower().split())] = target
    return mapping


class HeaderMap:
    """A built-in header map with the user's --map entries over it."""

    def __init__(self, builtin: dict[str, str], user: dict[str, str]):
        self.builtin = builtin
        self.user = user
        self.numbered = NUMBERED_HEADERS if builtin is CONTACT_HEADERS else []
        self.title_is_prefix = False

    def read_header(self, header: list[str]) -> list[str | None]:
        """The target of each column of a header row (a file's columns decide what its
        "Title" means)."""
        keys = {" ".join(cell.strip().lower().split()) for cell in header}
        self.title_is_prefix = self.builtin is CONTACT_HEADERS and "job title" in keys
        return [self.target(cell) for cell in header]

    def target(self, header: str) -> str | None:
        key = " ".join(header.strip().lower().split())
        if key in self.user:
            return self.user[key]
        if key == "title" and self.title_is_prefix:
            return "prefix"
        if key in self.builtin:
            return self.builtin[key]
        for pattern, target in self.numbered:
            match = pattern.match(key)
            if match:
                return f"{target}:{match.group(1)}" if match.groups() else target
        if self.numbered:
            for pattern in ADDRESS_HEADERS:
                match = pattern.match(key)
                if match:
                    part = ADDRESS_PART.get(match["part"], match["part"])
                    return f"address_part:{match['group']}:{part}"
        return None

    def find_header(
        self, rows: Iterator[tuple[int, list[str] | str]], lookahead: int = 20, seen=None
    ):
        """The first row that looks like a header (LinkedIn puts notes above it); the first
        row read goes into `seen`, to say what was there instead."""
        for number, row in rows:
            if seen is not None and not seen:
                seen.append(row)
            if isinstance(row, str):
                return number, row
            known = [cell for cell in row if self.target(cell)]
            if len(known) >= 2 or (len(known) == 1 and len(row) == 1):
                return number, row
            lookahead -= 1
            if lookahead <= 0:
                break
        return None


def csv_records(
    rows: Iterator[tuple[int, list[str] | str]], headers: HeaderMap, ignored: list[str]
) -> Iterator[Record]:
    """Rows of a CSV file as records; the names of columns nobody maps go into `ignored`."""
    first: list[list[str] | str] = []
    found = headers.find_header(rows, seen=first)
    if found is None:
        cells = ", ".join(repr(c) for c in first[0][:4]) if first and first[0] else "nothing"
        raise CrmError(
            f"no header row crm knows (the first line has {cells}): name the columns crm's "
            'way (name,email…) or map yours: --map "Vorname=given_name" --map '
            '"E-Mail-Adresse=emails" (fields: see `crm import contacts --help`)'
        )
    number, header = found
    if isinstance(header, str):
        yield Record(f"line {number}", {}, header)
        return
    targets = headers.read_header(header)
    ignored.extend(h for h, t in zip(header, targets, strict=True) if t is None and h.strip())
    # (column, target, whether its cell needs splitting or appending rather than a plain copy)
    wanted = [
        (i, t, t in LIST_TARGETS or t == "url" or ":" in t or t.startswith("address_"))
        for i, t in enumerate(targets)
        if t and t != "ignore"
    ]
    for number, row in rows:
        where = f"line {number}"
        if isinstance(row, str):
            yield Record(where, {}, row)
            continue
        if not "".join(row).strip():
            continue
        if len(row) > len(header):
            yield Record(where, {}, f"{len(row)} cells but the header has {len(header)} columns")
            continue
        raw: dict[str, Any] = {}
        warnings: list[str] = []
        for index, target, collect in wanted:
            if index < len(row):
                cell = _formula_safe(row[index].strip())
                if not cell:
                    continue
                if collect:
                    collect_value(raw, target, cell)
                elif target not in raw or raw[target] == cell:
                    raw[target] = cell
                elif target == "notes":  # two note columns: both kept
                    raw[target] += "\n" + cell
                else:  # two columns for one field (Name, Full Name): the first filled wins
                    warnings.append(
                        f"column {header[index]!r} gives another {target} ({cell!r}): "
                        f"{raw[target]!r} kept"
                    )
        if "address_parts" in raw:
            raw.setdefault("addresses", []).extend(_addresses(raw.pop("address_parts")))
        yield Record(where, raw, warnings=warnings)


def _addresses(groups: dict[str, dict[str, str]]) -> Iterator[dict[str, str]]:
    """The addresses a row gives in parts, in column order, each typed by its group or its
    Type column; an address of only a type (Google's empty "Address 1 - Type") is none."""
    for group, parts in groups.items():
        kind = parts.pop("type", None) or ADDRESS_TYPE.get(group)
        formatted = parts.pop("formatted", None)
        if formatted and not parts:
            parts["street"] = formatted
        if parts:
            yield {"type": kind.strip().lower(), **parts} if kind else parts


def object_records(
    objects: Iterable[tuple[int, dict[str, Any] | str]], headers: HeaderMap, ignored: list[str]
) -> Iterator[Record]:
    """JSON objects (one a line, or in one array) as records; values keep their JSON type."""
    unknown: dict[str, None] = {}
    for number, obj in objects:
        where = f"line {number}"
        if isinstance(obj, str):
            yield Record(where, {}, obj)
            continue
        raw: dict[str, Any] = {}
        for key, value in obj.items():
            target = headers.target(key)
            if target is None:
                unknown[key] = None
            elif target != "ignore" and value not in (None, "", []):
                collect_value(raw, target, value)
        yield Record(where, raw)
    ignored.extend(unknown)


def _formula_safe(cell: str) -> str:
    """Undo `--excel-safe`: the quote it put before a cell that starts with = + - @ (or with
    a quote of its own)."""
    if cell[:1] == "'" and cell[1:2] and cell[1:2] in model.FORMULA_STARTS:
        return cell[1:]
    return cell


def collect_value(raw: dict[str, Any], target: str, value: Any) -> None:
    if target in LIST_TARGETS:
        raw.setdefault(target, []).extend(split_cell(value, target))
    elif target == "url":
        raw.setdefault("urls", []).append(value)
    elif target.startswith(("event_type:", "event_value:")):  # Google's Event N pairs
        kind, number = target.split(":")
        raw.setdefault("events", {}).setdefault(number, {})[kind] = value
    elif target.startswith("address_part:"):  # one part of an address in several columns
        _, group, part = target.split(":", 2)
        parts = raw.setdefault("address_parts", {}).setdefault(group, {})
        parts[part] = f"{parts[part]}, {value}" if part in parts else value
    elif target.startswith("address_"):  # Outlook's one-line addresses
        raw.setdefault("addresses", []).append({"type": target[8:], "street": value})
    else:
        raw[target] = value


def split_cell(value: Any, target: str) -> list[Any]:
    """One cell → its values: Google's ` ::: `, crm's `;`, or commas (tags and contacts only).
    A JSON list is taken as it is (its items are checked later, types and all)."""
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value if v not in (None, "")]
    if not isinstance(value, str):
        return [value]
    if " ::: " in value:
        parts = value.split(" ::: ")
    elif MULTI_SEPARATOR in value:
        parts = value.split(MULTI_SEPARATOR)
    elif "," in value and target in ("tags", "contacts"):
        parts = value.split(",")
    else:
        parts = [value]
    parts = [p.strip() for p in parts if p.strip()]
    if target == "phones":  # `+1 555 0103;ext=7`: an extension, not a second number
        joined: list[str] = []
        for part in parts:
            if joined and part.lower().startswith("ext="):
                joined[-1] += f" ext. {part[4:].strip()}"
            else:
                joined.append(part)
        parts = joined
    if target == "tags":  # Google's system labels ("* myContacts", "* starred") are not tags
        parts = [p for p in parts if not p.startswith("* ")]
    return parts

"""vCard interchange through vobject: a vdir (one .vcf per contact, named by uid) or one stream.

We write vCard 3.0, which khard, vdirsyncer and every CardDAV server read. We read 3.0 and 4.0
(and 2.1's quoted-printable), with the year-unknown birthdays seen in the wild: `--0314`,
`--03-14`, Apple's `X-APPLE-OMIT-YEAR=1604`, and the placeholder years 1604 and 1900.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import files
from ..errors import CrmError
from ..store import Store
from ..when import parse_special_date
from .readers import Record

PRODID = "-//crm//crmcli//EN"


def _date_value(row: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
    if row["year"] is None:
        # vCard 3.0 has no yearless date; Apple's convention is understood by most readers.
        return f"1604-{row['month']:02d}-{row['day']:02d}", {"X-APPLE-OMIT-YEAR": ["1604"]}
    return f"{row['year']:04d}-{row['month']:02d}-{row['day']:02d}", {}


def to_vcard(contact: dict[str, Any], dates: list[dict[str, Any]]) -> str:
    import vobject

    card = vobject.vCard()
    card.add("version").value = "3.0"
    card.add("prodid").value = PRODID
    card.add("uid").value = contact["uid"]
    card.add("fn").value = contact["name"]
    given, _, family = contact["name"].rpartition(" ")
    card.add("n").value = vobject.vcard.Name(family=family or given, given=given if family else "")
    for email in contact["emails"]:
        line = card.add("email")
        line.value = email
        line.type_param = "INTERNET"
    for phone in contact["phones"]:
        card.add("tel").value = phone
    if contact.get("company"):
        card.add("org").value = [contact["company"]]
    if contact.get("title"):
        card.add("title").value = contact["title"]
    if contact.get("tags"):
        card.add("categories").value = list(contact["tags"])
    if contact.get("notes"):
        card.add("note").value = contact["notes"]
    for row in dates:
        if row["label"] in ("birthday", "anniversary"):
            name = "bday" if row["label"] == "birthday" else "x-anniversary"
            value, params = _date_value(row)
            line = card.add(name)
            line.value = value
            for key, values in params.items():
                line.params[key] = values
    if contact.get("updated"):
        card.add("rev").value = contact["updated"].replace("-", "").replace(":", "") + "Z"
    return card.serialize()


def export_vdir(store: Store, target: str, include_archived: bool = False) -> int:
    """Write one .vcf per contact into a folder (or all to stdout for `-`). Returns the count."""
    contacts = store.list_contacts() + (
        store.list_contacts(archived=True) if include_archived else []
    )
    if target == "-":
        for contact in contacts:
            sys.stdout.write(to_vcard(contact, store.list_special_dates(contact["id"])))
        return len(contacts)
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise CrmError(f"{target} is a file: give a folder for the vdir (or - for one stream)")
    files.make_folder(folder)
    for contact in contacts:
        card = to_vcard(contact, store.list_special_dates(contact["id"]))
        files.write_private(folder / files.safe_name(contact["uid"], ".vcf"), card)
    return len(contacts)


# --------------------------------------------------------------------------- reading


def read_vcards(path: str) -> Iterator[Record]:
    """Records from a .vcf file, a folder of them (a vdir), or `-` (stdin)."""
    if path == "-":
        yield from parse_stream(sys.stdin.buffer.read(), "card")
        return
    target = Path(path)
    if target.is_dir():
        cards = sorted(p for p in target.iterdir() if p.suffix.lower() in (".vcf", ".vcard"))
        if not cards:
            raise CrmError(f"{path} holds no .vcf files")
        for file in cards:
            yield from parse_stream(_read(file), file.name)
        return
    yield from parse_stream(_read(target), "card")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CrmError(f"cannot read {path}: {error.strerror}") from None


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def parse_stream(data: bytes, label: str) -> Iterator[Record]:
    import vobject

    try:
        text = _decode(data)
    except UnicodeDecodeError:
        yield Record(label, {}, "not valid UTF-8: save the vCard as UTF-8")
        return
    number = 0
    try:
        for number, card in enumerate(vobject.readComponents(text, ignoreUnreadable=True), 1):
            where = label if label != "card" else f"card {number}"
            if label != "card" and number > 1:
                where = f"{label} card {number}"
            yield _record(card, where)
    except Exception as error:  # vobject raises several kinds of parse errors
        yield Record(f"{label} after card {number}", {}, f"unreadable vCard: {error}")


def _values(card, name: str) -> list[Any]:
    return [line.value for line in card.contents.get(name, [])]


def _record(card, where: str) -> Record:
    raw: dict[str, Any] = {}
    try:
        names = _values(card, "fn")
        if names and str(names[0]).strip():
            raw["name"] = str(names[0]).strip()
        elif _values(card, "n"):
            n = _values(card, "n")[0]
            raw["name"] = " ".join(str(p) for p in (n.prefix, n.given, n.additional, n.family) if p)
        raw["emails"] = [str(v).strip() for v in _values(card, "email") if str(v).strip()]
        raw["phones"] = [str(v).strip() for v in _values(card, "tel") if str(v).strip()]
        for org in _values(card, "org")[:1]:
            raw["company"] = (org[0] if isinstance(org, list) else str(org)).strip() or None
        for title in _values(card, "title")[:1]:
            raw["title"] = str(title).strip() or None
        tags = [
            t
            for value in _values(card, "categories")
            for t in (value if isinstance(value, list) else [value])
        ]
        raw["tags"] = [str(t).strip() for t in tags if str(t).strip()]
        notes = [str(v).strip() for v in _values(card, "note") if str(v).strip()]
        if notes:
            raw["notes"] = "\n".join(notes)
        for uid in _values(card, "uid")[:1]:
            raw["uid"] = str(uid).strip()
        for rev in _values(card, "rev")[:1]:
            raw["updated"] = _revision(str(rev))
        raw["birthday"] = _special(card, "bday")
        anniversary = _special(card, "anniversary") or _special(card, "x-anniversary")
        if anniversary:
            raw["dates"] = [("anniversary", anniversary)]
    except CrmError as error:
        return Record(where, {}, str(error))
    return Record(where, {k: v for k, v in raw.items() if v not in (None, [], "")})


def _revision(value: str) -> str | None:
    """REV 20261124T173438Z (or ISO) → 2026-11-24T17:34:38; unreadable ones are dropped."""
    import re

    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z?", value.strip())
    if compact:
        y, mo, d, h, mi, se = compact.groups()
        return f"{y}-{mo}-{d}T{h}:{mi}:{se}"
    return None


def _special(card, name: str):
    lines = card.contents.get(name, [])
    if not lines:
        return None
    line = lines[0]
    value = str(line.value).strip()
    if not value:
        return None
    try:
        month, day, year = parse_special_date(value, from_file=True)
    except CrmError:
        raise CrmError(f"bad {name.upper()} {value!r}: use YYYY-MM-DD or --MMDD") from None
    if "X-APPLE-OMIT-YEAR" in line.params:
        year = None
    return (month, day, year)

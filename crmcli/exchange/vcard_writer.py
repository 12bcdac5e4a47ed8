"""Writing vCards: 3.0 (or 4.0) cards that khard, Google, Apple and CardDAV servers read, one
per contact, in a stream or a folder of files. A yearless birthday is `BDAY:--0314`, which
khard, Google and 4.0 readers all take as "year unknown"; lines kept aside on reading go back
out as they came."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import files, model, output
from ..errors import CrmError
from ..store import Store
from .card_forms import DATE_KINDS, Dresser, groups_in, value_key
from .vcard import PRODID, Row, vobject_tamed


def to_vcard(contact: Row, dates: list[Row], version: str = "3.0") -> str:
    """A contact as a vCard: fields crm models, then the lines it kept verbatim."""
    vobject = vobject_tamed()
    card = vobject.vCard()
    card.add("version").value = version
    card.add("prodid").value = PRODID
    card.add("uid").value = contact["uid"]
    card.add("fn").value = contact["name"]
    forms = Dresser(contact.get("card_forms") or [], groups_in(contact.get("extra") or []))
    n_form = forms.find("N", value_key("N", contact))
    line = card.add("n")
    line.value = _n(contact, vobject, n_form)
    forms.dress(card, line, n_form)
    if contact.get("nickname"):
        card.add("nickname").value = contact["nickname"]
    for email in _dressed(card, forms, "EMAIL", contact["emails"]):
        if not email.params:
            email.type_param = "INTERNET"
    list(_dressed(card, forms, "TEL", contact["phones"]))
    if contact.get("company") or contact.get("department"):
        org = [
            contact.get("company") or "",
            *([contact["department"]] if contact.get("department") else []),
        ]
        card.add("org").value = org
    if contact.get("title"):
        card.add("title").value = contact["title"]
    addresses = contact.get("addresses") or []
    for address, line in zip(addresses, _dressed(card, forms, "ADR", addresses), strict=True):
        line.value = vobject.vcard.Address(
            **{_ADR_ARG[k]: v for k, v in address.items() if k != "type"}
        )
        if address.get("type") and not line.params:
            line.type_param = address["type"].upper()
    list(_dressed(card, forms, "URL", contact.get("urls") or []))
    system = (forms.find("CATEGORIES", "") or {}).get("parts") or []  # Google's own groups
    if contact.get("tags") or system:
        card.add("categories").value = [*system, *contact["tags"]]
    if contact.get("notes"):
        card.add("note").value = contact["notes"]
    _add_dates(card, dates, version, forms)
    if contact.get("updated"):
        card.add("rev").value = _rev(contact["updated"])
    text = card.serialize()
    if contact.get("extra"):
        kept = "".join(f"{fold(line)}\r\n" for line in contact["extra"])
        text = text.replace("END:VCARD\r\n", kept + "END:VCARD\r\n")
    return text


def _dressed(card: Any, forms: Dresser, kind: str, values: list[Any]) -> Iterator[Any]:
    """A line of `kind` for each value, wearing the form the card gave it (or, for a value
    changed in crm, the form of the one it replaced)."""
    present = {value_key(kind, value) for value in values}
    for value in values:
        line = card.add(kind.lower())
        if kind != "ADR":
            line.value = value
        found = forms.find(kind, value_key(kind, value)) or forms.replaced(kind, present)
        forms.dress(card, line, found)
        yield line


def fold(line: str, width: int = 75) -> str:
    """A content line folded at 75 octets (RFC 6350 3.2), never inside a character."""
    if len(line.encode()) <= width:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        length = len(char.encode())
        if size + length > width:
            parts.append("".join(current))
            current, size = [], 1  # the folded line starts with a space
        current.append(char)
        size += length
    parts.append("".join(current))
    return "\r\n ".join(parts)


_ADR_ARG = {"box": "box", "extended": "extended", "street": "street", "city": "city",
            "region": "region", "code": "code", "country": "country"}  # fmt: skip


def _n(contact: Row, vobject: Any, form: Row | None = None) -> Any:
    if form and form.get("parts"):  # as the card split it (its middle name apart, say)
        family, given, additional, prefix, suffix = form["parts"]
        return vobject.vcard.Name(family=family, given=given, additional=additional,
                                  prefix=prefix, suffix=suffix)  # fmt: skip
    if contact.get("given_name") or contact.get("family_name"):
        return vobject.vcard.Name(
            family=contact.get("family_name") or "", given=contact.get("given_name") or "",
            prefix=contact.get("prefix") or "", suffix=contact.get("suffix") or "",
        )  # fmt: skip
    # N is required in vCard 3.0, and sorting by family name wants one: made from the name
    given, family = model.split_name(contact["name"])
    return vobject.vcard.Name(family=family, given=given)


def _date_text(row: Row, version: str, omitted_year: str | None = None) -> str:
    if row["year"] is None and omitted_year:  # Apple's way: a placeholder year, and a flag
        return f"{omitted_year}-{row['month']:02d}-{row['day']:02d}"
    if row["year"] is None:
        return f"--{row['month']:02d}{row['day']:02d}"  # year unknown: khard, Google, 4.0 agree
    if version == "4.0":
        return f"{row['year']:04d}{row['month']:02d}{row['day']:02d}"
    return f"{row['year']:04d}-{row['month']:02d}-{row['day']:02d}"


def _add_dates(card: Any, dates: list[Row], version: str, forms: Dresser) -> None:
    keys = {row["id"]: value_key("date", (row["label"], (row["month"], row["day"], row["year"])))
            for row in dates}  # fmt: skip
    for row in sorted(dates, key=lambda r: r["id"]):
        found = forms.find("date", keys[row["id"]], DATE_KINDS) or forms.replaced(
            "date", set(keys.values()), row["label"]
        )
        if found is not None:  # as the card wrote it: Apple's anniversary stays an X-ABDATE
            line = card.add(found["kind"].lower())
            line.value = _date_text(row, version, found.get("omit_year"))
            forms.dress(card, line, found)
            if found.get("omit_year") and row["year"] is None:
                line.params["X-APPLE-OMIT-YEAR"] = [found["omit_year"]]
        elif row["label"] == "birthday" and "bday" not in card.contents:
            card.add("bday").value = _date_text(row, version)
        elif row["label"] == "anniversary" and not _has_anniversary(card):
            name = "anniversary" if version == "4.0" else "x-anniversary"
            card.add(name).value = _date_text(row, version)
        else:  # any other yearly date, the Apple way: a labelled X-ABDATE
            group = forms.new_group()
            line = card.add("x-abdate")
            line.group = group
            line.value = _date_text(row, version)
            label = card.add("x-ablabel")
            label.group = group
            label.value = row["label"]


def _has_anniversary(card: Any) -> bool:
    return "anniversary" in card.contents or "x-anniversary" in card.contents


def _rev(updated: str) -> str:
    """REV in UTC, as vCard means it (`updated` is local time)."""
    moment = dt.datetime.fromisoformat(updated if len(updated) > 10 else updated + "T00:00:00")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def export_vdir(
    store: Store, target: str, include_archived: bool = False, version: str = "3.0"
) -> int:
    """Write one .vcf per contact into a folder (or all to stdout for `-`). Returns the count."""
    contacts = store.contacts.listing() + (
        store.contacts.listing(archived=True) if include_archived else []
    )
    if target == "-":
        for contact in contacts:
            output.document(to_vcard(contact, store.dates.listing(contact["id"]), version))
        return len(contacts)
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise CrmError(f"{target} is a file: give a folder for the vdir (or - for one stream)")
    files.make_folder(folder)
    for contact in contacts:
        card = to_vcard(contact, store.dates.listing(contact["id"]), version)
        files.write_private(folder / card_file(contact["uid"]), card, store)
    return len(contacts)


def card_file(uid: str) -> str:
    """The file a contact's card lives in: its uid, made safe (vdirsyncer names files so too)."""
    return files.safe_name(uid, ".vcf")

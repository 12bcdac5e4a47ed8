"""How a card wrote each field crm models — its group, its parameters (TYPE=cell, PREF) and
Apple's label (`item1.X-ABLabel:_$!<Work>!$_`), its N as split, its anniversary as an Apple
X-ABDATE — kept beside the contact (`card_forms`), so the card written again says it the same
way: a phone shows its numbers labelled as before. A form belongs to one value (known by
`value_key`); a value crm changed takes the labels of the one it replaced, a value crm added is
written plainly, and a form whose value is gone is never written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..rules import email_key

Row = dict[str, Any]
DATE_KINDS = ("BDAY", "ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-ABDATE")
REUSED = ("EMAIL", "TEL", "ADR", "URL")  # a changed value keeps the labels of the one it replaced
# Parameters that say how the value is encoded, not what it is: the writer decides those.
ENCODING_PARAMS = {"ENCODING", "CHARSET", "VALUE", "X-APPLE-OMIT-YEAR"}
ENCODING_WORDS = {"QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B", "Q"}


def value_key(kind: str, value: Any) -> str:
    """The value a form belongs to, the same whether read from a card or from the database."""
    if kind == "EMAIL":
        return email_key(str(value))
    if kind == "TEL":
        return re.sub(r"[^0-9a-z+#*]", "", str(value).lower())
    if kind == "ADR":
        return json.dumps({k: v for k, v in value.items() if k != "type"}, sort_keys=True)
    if kind == "URL":
        return str(value).strip().rstrip("/").lower()
    if kind == "N":
        return json.dumps([value.get(k) or "" for k in ("given_name", "family_name", "prefix",
                                                        "suffix")])  # fmt: skip
    label, (month, day, year) = value
    return f"{label.casefold()}|{month}|{day}|{year}"


def form(line: Any, kind: str, value: Any, labels: list[str], version: str) -> Row:
    """The form of one property line as read (vobject's), for the value crm took from it."""
    params = {
        name.upper(): [str(v) for v in values]
        for name, values in line.params.items()
        if name.upper() not in ENCODING_PARAMS
    }
    types = [w for w in getattr(line, "singletonparams", []) if w.upper() not in ENCODING_WORDS]
    if types:  # 2.1's bare `TEL;CELL` is 3.0's `TEL;TYPE=CELL`
        params["TYPE"] = [*params.get("TYPE", []), *types]
    if params == _written_plainly(kind, value):  # what crm writes by itself: nothing to keep
        params = {}
    found: Row = {"kind": kind, "key": value_key(kind, value), "version": version}
    if line.group:
        found["group"] = line.group
    if params:
        found["params"] = params
    if labels:
        found["labels"] = labels
    omit = line.params.get("X-APPLE-OMIT-YEAR")
    if omit:
        found["omit_year"] = str(omit[0])
    if kind == "N":
        found["parts"] = [str(getattr(line.value, part, "") or "") for part in
                          ("family", "given", "additional", "prefix", "suffix")]  # fmt: skip
    return found


def _written_plainly(kind: str, value: Any) -> dict[str, list[str]] | None:
    """The parameters crm gives a line of this kind by itself (vcard_writer)."""
    if kind == "EMAIL":
        return {"TYPE": ["INTERNET"]}
    if kind == "ADR" and value.get("type"):
        return {"TYPE": [value["type"].upper()]}
    return None


def in_order(forms: list[Row]) -> list[Row]:
    """Forms in one order whatever the card's, so a card read again compares equal."""
    return sorted(forms, key=lambda f: (f["kind"], f["key"]))


def says_more(found: Row, value: Any) -> bool:
    """Whether a form says more than crm writes by itself (crm's own card keeps none: its
    cards read back unchanged), so only what a vendor or a person wrote is kept."""
    params = found.get("params") or {}
    kind = found["kind"]
    if found.get("omit_year"):
        return True
    if kind == "N":
        return bool(params or found.get("group") or found["parts"][2])
    if kind in DATE_KINDS:
        label = value[0]
        default = {"birthday": ("BDAY",), "anniversary": ("X-ANNIVERSARY", "ANNIVERSARY")}
        plain = kind in default.get(label, ("X-ABDATE",))
        labels = found.get("labels") or []
        if kind == "X-ABDATE":
            plain = plain and [t.casefold() for t in labels] == [label.casefold()]
        return not plain or bool(params) or (bool(labels) and kind != "X-ABDATE")
    if found.get("group") or found.get("labels"):
        return True
    return bool(params)


class Dresser:
    """Puts a contact's forms back on the lines of its card as they are written."""

    def __init__(self, forms: list[Row], taken_groups: set[str]):
        # (every form, whatever version is written: a 3.0 card's TYPE, groups and X-ABLabel
        # mean the same in 4.0, and what says how a value is written — VALUE, ENCODING — is
        # never kept)
        self.forms = forms
        self.used: set[int] = set()
        self.groups = taken_groups | {f["group"].lower() for f in self.forms if f.get("group")}
        self.worn: set[str] = set()  # groups already on a line of this card
        self.next_group = 0

    def find(self, kind: str, key: str, kinds: tuple[str, ...] | None = None) -> Row | None:
        """The form of this value (of `kind`, or any of `kinds`), not yet worn."""
        for index, found in enumerate(self.forms):
            if (
                index not in self.used
                and found["kind"] in (kinds or (kind,))
                and found["key"] == key
            ):
                self.used.add(index)
                return found
        return None

    def replaced(self, kind: str, present: set[str], label: str | None = None) -> Row | None:
        """A form of `kind` whose value is gone (changed in crm): its labels go to the new one.
        A date's form goes to the date of the same label (an anniversary moved stays Apple's
        labelled X-ABDATE)."""
        if kind not in REUSED and label is None:
            return None
        for index, found in enumerate(self.forms):
            if index in self.used or found["key"] in present:
                continue
            same = (found["kind"] in DATE_KINDS and found["key"].split("|")[0] == label.casefold()
                    if label is not None else found["kind"] == kind)  # fmt: skip
            if same:
                self.used.add(index)
                return found
        return None

    def dress(self, card: Any, line: Any, found: Row | None) -> None:
        """The form's group, parameters and Apple labels on a line just added to `card`."""
        if found is None:
            return
        if found.get("group"):  # two merged cards may both have an item1: one of them moves
            group = found["group"]
            if group.lower() in self.worn:
                group = self.new_group()
            self.worn.add(group.lower())
            line.group = group
        for name, values in (found.get("params") or {}).items():
            line.params[name] = list(values)
        for text in found.get("labels") or []:
            label = card.add("x-ablabel")
            label.group = line.group
            label.value = text

    def new_group(self) -> str:
        """An Apple item group no form and no kept line uses."""
        while True:
            self.next_group += 1
            name = f"item{self.next_group}"
            if name not in self.groups:
                self.groups.add(name)
                return name


def groups_in(lines: list[str]) -> set[str]:
    """The groups kept lines use (`item3.X-ABADR:pt`), which new lines must not take."""
    found = set()
    for line in lines:
        head = re.split(r"[;:]", line, maxsplit=1)[0]
        if "." in head:
            found.add(head.split(".", 1)[0].lower())
    return found

"""The values a stored card form may hold (exchange/card_forms.py says what a form is): a kind
of property, the value it belongs to, and its group, parameters and labels — plain short text,
never a line of its own, so no stored form can add to a card a line it would not have."""

from __future__ import annotations

import re
from typing import Any

from .errors import CrmError
from .values import json_value

# How a card wrote a field crm models (exchange/card_forms.py): a kind of property, the value it
# belongs to, and its group, parameters and labels — plain short text, never a line of its own.
CARD_FORM_KINDS = ("EMAIL", "TEL", "ADR", "URL", "N", "BDAY", "ANNIVERSARY", "X-ANNIVERSARY",
                   "X-MS-ANNIVERSARY", "X-ABDATE", "CATEGORIES")  # fmt: skip


def card_form(value: Any) -> dict[str, Any]:
    """A stored form, as the model takes it: known kinds and bounded plain text only, so no
    form can add a line the card would not have (a group or parameter is never a line)."""
    if not isinstance(value, dict) or value.get("kind") not in CARD_FORM_KINDS:
        raise CrmError(f"bad card form {str(value)[:60]!r}: one of {', '.join(CARD_FORM_KINDS)}")
    if not isinstance(value.get("key"), str) or len(value["key"]) > 2000:
        raise CrmError("bad card form: its key is text of at most 2000 characters")
    group = value.get("group")
    if group is not None and (
        not isinstance(group, str) or not re.fullmatch(r"[A-Za-z0-9-]{1,20}", group)
    ):
        raise CrmError(f"bad card form group {str(group)[:30]!r}: letters, digits and -")
    params = value.get("params") or {}
    texts = [
        t for values in params.values() for t in (values if isinstance(values, list) else [None])
    ]
    texts += list(value.get("labels") or []) + list(value.get("parts") or [])
    texts += [value.get("omit_year") or "", value.get("version") or ""]
    names_ok = all(isinstance(n, str) and re.fullmatch(r"[A-Z0-9-]{1,40}", n) for n in params)
    if not names_ok or not all(isinstance(t, str) and len(t) <= 300 and not
                               re.search(r"[\r\n\x00]", t) for t in texts):  # fmt: skip
        raise CrmError("bad card form: parameters are short text on one line")
    return {k: v for k, v in value.items() if k in ("kind", "key", "version", "group", "params",
                                                     "labels", "omit_year", "parts")}  # fmt: skip


MAX_CARD_FORMS = 600  # a form per email, phone, address, URL and date of a card, and its N


def card_forms(value: Any) -> list[dict[str, Any]]:
    """The forms of a contact's card: a list (or its JSON text, as a CSV cell holds it)."""
    if value is None or value == "":
        return []
    if type(value) is str:
        value = json_value(value)
    if not isinstance(value, list) or len(value) > MAX_CARD_FORMS:
        raise CrmError(f"card forms must be a list of at most {MAX_CARD_FORMS}")
    return [card_form(item) for item in value]

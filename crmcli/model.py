"""The vocabulary of the relationship model and every rule a stored value obeys.

One rule, one place: the commands, the CSV / JSON Lines / vCard importers, `crm import all` and
the trash all hand their records to `check(ENTITY, raw)` (or to one field check) before anything
is written, and `crm doctor` runs the same checks over what is already stored. A check takes the
value as it arrived — text from a command line or a CSV cell, any JSON type from JSON Lines — and
returns the value as the database holds it, or raises one `CrmError` that says how to mend it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from . import when

# The value checks and vocabularies live in `values`; the model names them as its own, so
# every door keeps writing `model.check`, `model.STAGES`, `model.email`.
from .card_values import card_forms as card_forms
from .errors import CrmError
from .values import ADDRESS_PARTS as ADDRESS_PARTS
from .values import CARD_STRUCTURE as CARD_STRUCTURE
from .values import CHANNELS as CHANNELS
from .values import DIRECTIONS as DIRECTIONS
from .values import FEEDBACK_SCALES as FEEDBACK_SCALES
from .values import FLAG_COLUMNS as FLAG_COLUMNS
from .values import FORMULA_STARTS as FORMULA_STARTS
from .values import JSON_COLUMNS as JSON_COLUMNS
from .values import KINDS as KINDS
from .values import LIST_COLUMNS as LIST_COLUMNS
from .values import MAX_AMOUNT as MAX_AMOUNT
from .values import MAX_COUNT as MAX_COUNT
from .values import MAX_ID as MAX_ID
from .values import MAX_ITEMS as MAX_ITEMS
from .values import MAX_NAME as MAX_NAME
from .values import MAX_TEXT as MAX_TEXT
from .values import MAX_VCARD_LINE as MAX_VCARD_LINE
from .values import MULTI_SEPARATOR as MULTI_SEPARATOR
from .values import RELATIONSHIPS as RELATIONSHIPS
from .values import SENTIMENTS as SENTIMENTS
from .values import SOURCES as SOURCES
from .values import STAGES as STAGES
from .values import UnknownChoice as UnknownChoice
from .values import address as address
from .values import amount as amount
from .values import as_text as as_text
from .values import awaits_reply as awaits_reply
from .values import boolean as boolean
from .values import cadence as cadence
from .values import choice as choice
from .values import count as count
from .values import day as day
from .values import email as email
from .values import feedback as feedback
from .values import first_ways as first_ways
from .values import fold as fold
from .values import integer as integer
from .values import items as items
from .values import joined_words as joined_words
from .values import json_items as json_items
from .values import json_value as json_value
from .values import label as label
from .values import made_up_parts as made_up_parts
from .values import moment as moment
from .values import name as name
from .values import name_key as name_key
from .values import one_line as one_line
from .values import phone as phone
from .values import rating as rating
from .values import record_id as record_id
from .values import reply_time as reply_time
from .values import special_date as special_date
from .values import split_name as split_name
from .values import tag as tag
from .values import text as text
from .values import time_zone as time_zone
from .values import uid as uid
from .values import unique as unique
from .values import url as url
from .values import vcard_line as vcard_line
from .values import words as words

Row = dict[str, Any]
Check = Callable[[Any], Any]

# --------------------------------------------------------------------------- records


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def bounded(check: Check, what: str, limit: int) -> Check:
    """A list column whose items together stay under `limit` characters (one contact's kept
    card lines: thirty 2 MB photos made a 57 MB row every listing then read)."""

    def check_bounded(value: Any) -> Any:
        checked = check(value)
        size = sum(len(item) for item in checked)
        if size > limit:
            raise CrmError(f"{what} are {size / 1e6:.1f} MB together: the limit is "
                           f"{limit // 1_000_000} MB")  # fmt: skip
        return checked

    return check_bounded


def _text(what: str, limit: int = MAX_NAME, required: bool = False) -> Check:
    return lambda value: text(value, what, limit, required)


def _choice(allowed: tuple[str, ...], what: str) -> Check:
    return lambda value: choice(value if value != "" else None, allowed, what)


def _moment(what: str) -> Check:
    return lambda value: moment(value, what)


def _optional_moment(what: str) -> Check:
    return lambda value: None if value in (None, "") else moment(value, what)


CONTACT_ITEM_CHECKS = {"emails": email, "phones": phone, "tags": tag}

# entity → field → check. Required fields are listed in REQUIRED; the rest may be absent.
FIELDS: dict[str, dict[str, Check]] = {
    "contacts": {
        "uid": uid,
        "name": name,
        "given_name": _text("given name"),
        "family_name": _text("family name"),
        "nickname": _text("nickname"),
        "prefix": _text("name prefix"),
        "suffix": _text("name suffix"),
        "department": _text("department"),
        "addresses": json_items(address, "addresses"),
        "urls": json_items(url, "urls"),
        "extra": bounded(json_items(vcard_line, "vCard lines"), "kept vCard lines", 8_000_000),
        "card_forms": card_forms,
        "emails": items(email, "emails"),
        "phones": items(phone, "phones"),
        "tags": items(tag, "tags"),
        "company": _text("company"),
        "title": _text("title"),
        "relationship": _choice(RELATIONSHIPS, "relationship"),
        "stage": _choice(STAGES, "stage"),
        "channel": _choice(CHANNELS, "channel"),
        "cadence_days": cadence,
        "owner": _text("owner"),
        "source": _text("source"),
        "acquisition_cost": lambda value: amount(value, "acquisition cost"),
        "notes": _text("notes", MAX_TEXT),
        "archived": lambda value: boolean(value, "archived"),
        "do_not_contact": lambda value: boolean(value, "do_not_contact"),
        "reply_within": reply_time,
        "at_most": cadence,
        "tz": time_zone,
        "created": _moment("created"),
        "updated": _moment("updated"),
    },
    "interactions": {
        "uid": uid,
        "happened_at": _moment("date"),
        "kind": _choice(KINDS, "kind"),
        "channel": _choice(CHANNELS, "channel"),
        "direction": _choice(DIRECTIONS, "direction"),
        "summary": _text("summary", MAX_TEXT, required=True),
        "outcome": _text("outcome", MAX_TEXT),
        "sentiment": _choice(SENTIMENTS, "sentiment"),
        "amount": amount,
        "rating": rating,
        "score": _optional(lambda value: integer(value, "score", 0, 10)),
        "scale": _optional(lambda value: integer(value, "scale", 5, 10)),
        "awaits_reply": lambda value: boolean(value, "awaits_reply"),
        "created": _moment("created"),
        "source": _choice(SOURCES, "source"),
        "source_id": _text("source id", 1000),
        "origin": _text("origin", 100),
    },
    "meetings": {
        "event_key": _text("event key", 1000, required=True),
        "starts_at": _moment("start"),
        "ends_at": _optional_moment("end"),
        "summary": _text("title", MAX_TEXT, required=True),
        "location": _text("location", MAX_TEXT),
        "contact_ids": json_items(record_id, "contact ids"),
        "origin": _text("origin", 4096),
    },
    "special_dates": {
        "uid": uid,
        "label": label,
        "month": lambda value: integer(value, "month", 1, 12),
        "day": lambda value: integer(value, "day", 1, 31),
        "year": _optional(lambda value: integer(value, "year", 1, when.LATEST.year)),
        "created": _moment("created"),
    },
    "followups": {
        "uid": uid,
        "due": _moment("due date"),
        "note": _text("note", MAX_TEXT),
        "created": _moment("created"),
        "done_at": _optional_moment("done time"),
        "done_note": _text("note", MAX_TEXT),
        "snoozed": lambda value: count(value, "snoozed"),
    },
    "complaints": {
        "uid": uid,
        "opened": _moment("opening time"),
        "summary": _text("summary", MAX_TEXT, required=True),
        "due": _moment("response deadline"),
        "responded_at": _optional_moment("response time"),
        "response": _text("response", MAX_TEXT),
        "resolved_at": _optional_moment("resolution time"),
        "resolution": _text("resolution", MAX_TEXT),
    },
    "notes": {
        "uid": uid,
        "written_at": _moment("date of the note"),
        "text": _text("note", MAX_TEXT, required=True),
    },
    "stage_changes": {
        "uid": uid,
        "from_stage": _choice(STAGES, "stage"),
        "to_stage": _choice(STAGES, "stage"),
        "changed_at": _moment("date of the change"),
        "reason": _text("reason", MAX_TEXT),
    },
}
REQUIRED = {
    "contacts": ("name", "created", "updated"),
    "interactions": ("happened_at", "summary", "created"),
    "special_dates": ("label", "month", "day", "created"),
    "followups": ("due", "created"),
    "complaints": ("opened", "summary", "due"),
    "stage_changes": ("to_stage", "changed_at"),
    "notes": ("written_at", "text"),
    "meetings": ("event_key", "starts_at", "summary"),
}


# What a whole record holds when it does not say (a backup written by hand, an import).
DEFAULTS: dict[str, Row] = {
    "contacts": {"archived": False, "do_not_contact": False},
    "interactions": {
        "kind": "touch",
        "channel": "other",
        "direction": "out",
        "awaits_reply": False,
    },
    "followups": {"snoozed": 0},
}


def check(entity: str, raw: Mapping[str, Any], partial: bool = False, rules: bool = True) -> Row:
    """Every field of one record, checked and cleaned; then the rules between fields.

    `partial` checks only the fields given (an edit); otherwise required fields must be there
    and the defaults fill what is missing. `rules=False` checks the fields alone."""
    checks = FIELDS[entity]
    if not partial:
        defaults = DEFAULTS.get(entity, {})
        raw = {
            **defaults,
            **{k: v for k, v in raw.items() if not (k in defaults and v in (None, ""))},
        }
    clean: Row = {}
    for key, value in raw.items():
        field_check = checks.get(key)
        if field_check is None:
            raise CrmError(f"unknown {entity[:-1].replace('_', ' ')} field {key!r}")
        clean[key] = field_check(value)
    if not partial:
        for key in REQUIRED[entity]:
            if clean.get(key) in (None, ""):
                what = key.replace("_", " ")
                raise CrmError(f"{what} is empty: give a {what}")
    if rules:
        RULES.get(entity, _no_rule)(clean)
    return clean


def problems(entity: str, record: Mapping[str, Any]) -> list[str]:
    """Every rule one stored record breaks (each field on its own, then the rules between
    them), for `crm doctor`."""
    found = []
    for key, value in record.items():
        try:
            check(entity, {key: value}, partial=True, rules=False)
        except CrmError as error:
            found.append(str(error))
    if not found:
        try:
            check(entity, record)
        except CrmError as error:
            found.append(str(error))
    return found


def _no_rule(record: Row) -> None:
    """Nothing links this entity's fields."""


def _special_date_rule(record: Row) -> None:
    if "month" in record and "day" in record:
        special_date(record["month"], record["day"], record.get("year"))


def _interaction_rule(record: Row) -> None:
    if (
        record.get("awaits_reply")
        and {"direction", "channel"} <= record.keys()
        and not awaits_reply(record["direction"], record["channel"])
    ):
        raise CrmError(
            "awaits_reply is for a message that came in: direction in, channel email or message"
        )
    if record.get("kind") == "feedback":
        score, scale = feedback(record.get("score"), record.get("scale"))
        if scale == 5 and record.get("rating") is None and "score" in record:
            record["rating"] = score  # a 1–5 score is the interaction's rating too
    elif record.get("score") is not None or record.get("scale") is not None:
        raise CrmError("a score belongs to feedback: set kind to feedback, or drop the score")


def _complaint_rule(record: Row) -> None:
    opened, due = record.get("opened"), record.get("due")
    if opened and due and when.as_datetime(_parse(due)) < when.as_datetime(_parse(opened)):
        raise CrmError("the response deadline is before the complaint was opened")


def _parse(stored: str) -> dt.date | dt.datetime:
    return dt.datetime.fromisoformat(stored) if len(stored) > 10 else dt.date.fromisoformat(stored)


RULES: dict[str, Callable[[Row], None]] = {
    "special_dates": _special_date_rule,
    "interactions": _interaction_rule,
    "complaints": _complaint_rule,
}


def stored_value(entity: str, field: str, value: Any) -> Any:
    """A value as the database holds it: list columns as JSON text, booleans as 0 / 1."""
    if field == "contact_ids" and entity == "meetings":
        import json

        return json.dumps(value or [])
    if field in LIST_COLUMNS and entity == "contacts":
        return to_json_text(value or [])
    if field in JSON_COLUMNS and entity == "contacts":
        import json

        return json.dumps(value or [], ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def to_json_text(values: list[str]) -> str:
    """JSON for a list column. Plain strings (most emails, phones and tags) are joined directly:
    bulk imports encode three lists a row, and the general encoder is the slow part."""
    if all(type(v) is str and v.isprintable() and '"' not in v and "\\" not in v for v in values):
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"
    import json

    return json.dumps(values, ensure_ascii=False)

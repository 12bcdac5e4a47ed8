"""The vocabulary of the relationship model and every rule a stored value obeys.

One rule, one place: the commands, the CSV / JSON Lines / vCard importers, `crm import all` and
the trash all hand their records to `check(ENTITY, raw)` (or to one field check) before anything
is written, and `crm doctor` runs the same checks over what is already stored. A check takes the
value as it arrived — text from a command line or a CSV cell, any JSON type from JSON Lines — and
returns the value as the database holds it, or raises one `CrmError` that says how to mend it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from . import when
from .errors import CrmError, UsageError

Row = dict[str, Any]
Check = Callable[[Any], Any]

CHANNELS = ("call", "email", "meeting", "message", "video", "social", "letter", "other")
DIRECTIONS = ("in", "out")
SENTIMENTS = ("positive", "neutral", "negative")
KINDS = ("touch", "feedback")  # an interaction is a touch, or a satisfaction score
STAGES = ("exploration", "awareness", "expansion", "commitment", "dissolution")
RELATIONSHIPS = (
    "self-service",
    "transactional",
    "automated",
    "personal",
    "dedicated",
    "long-term",
    "co-creation",
    "community",
)
SOURCES = ("mail", "calendar")  # where a captured interaction came from (typed ones: none)
FEEDBACK_SCALES = (5, 10)  # 1–5 satisfaction, or 0–10 for a net promoter score
LIST_COLUMNS = ("emails", "phones", "tags")  # JSON arrays of text, `;`-joined in CSV
JSON_COLUMNS = ("addresses", "urls", "extra")  # JSON arrays, kept as JSON text in CSV cells
ADDRESS_PARTS = ("type", "box", "extended", "street", "city", "region", "code", "country")
MULTI_SEPARATOR = ";"  # joins emails / phones / tags in one CSV cell

MAX_TEXT = 10_000  # notes, summaries
MAX_NAME = 300  # names, companies, labels, tags
MAX_ITEMS = 100  # emails, phones or tags on one contact
MAX_AMOUNT = 1_000_000_000_000.0  # sums of millions of these stay finite (JSON has no Infinity)
MAX_ID = 2**53 - 1  # ids stay exact in every JSON reader (and far below SQLite's limit)
MAX_COUNT = 1_000_000

_INTEGER = re.compile(r"[+-]?\d{1,20}", re.ASCII)
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+$")
# Phones are kept as typed: extensions (`ext. 5`), pauses (`,`), `*#`, letters (1 800 FLOWERS).
_PHONE = re.compile(r"[0-9A-Za-z+()./\-,*#= ]+")
_DIGIT = re.compile(r"\d")
# A uid is an opaque token: UUIDs, Google's hex, Apple's `ABC:ABPerson`, `urn:uuid:…`,
# `123@host`. It never starts with a dot or slash and never holds `..`, whitespace or `\`.


class UnknownChoice(UsageError):
    """A value outside a closed vocabulary. On the command line that is bad usage (exit 2);
    in an imported row it is that row's error like any other."""


# --------------------------------------------------------------------------- types


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def as_text(value: Any, what: str) -> str:
    """Text as it arrived: strings, and numbers written as text (a phone in JSON)."""
    if type(value) is str:
        text = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        raise CrmError(f"{what} must be text, not {_kind(value)}")
    if "\x00" in text:
        raise CrmError(f"{what} contains a NUL byte: remove it")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise CrmError(f"{what} holds a character that is not valid Unicode") from None
    return text


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def one_line(value: str) -> str:
    """Text captured from elsewhere (a mail subject, a display name, an event title) as one
    clean line: control characters and bidirectional overrides dropped (a subject must not
    turn `exe.pdf` around in someone's terminal, even in CSV or JSON), white space one space."""
    return " ".join(_BIDI.sub("", _CONTROL.sub("", value)).split())


def text(value: Any, what: str, limit: int = MAX_TEXT, required: bool = False) -> str | None:
    """Trimmed text; None for blank optional text. NUL bytes and huge values are refused."""
    if value is None:
        if required:
            raise CrmError(f"{what} is required")
        return None
    cleaned = as_text(value, what).strip()
    if "\r" in cleaned:  # Windows and old Mac line ends: one form, so a round trip is exact
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    if not cleaned:
        if required:
            raise CrmError(f"{what} is empty: give a non-blank {what}")
        return None
    if len(cleaned) > limit:
        raise CrmError(f"{what} is {len(cleaned)} characters long: the limit is {limit}")
    return cleaned


def integer(value: Any, what: str, low: int, high: int) -> int:
    """A whole number from `low` to `high`, given as a number or as digits."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif type(value) is str:
        cleaned = value.strip()
        if _INTEGER.fullmatch(cleaned):
            number = int(cleaned)
    if number is None or not low <= number <= high:
        raise CrmError(f"bad {what} {value!r}: use a whole number from {low} to {high}")
    return number


def amount(value: Any, what: str = "amount") -> float | None:
    """Money: a finite, non-negative number below a trillion, kept to the cent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CrmError(f"bad {what}: must be a number, not {_kind(value)}")
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (ValueError, OverflowError):
        raise CrmError(f"bad {what} {value!r}: use a number such as 1200.50") from None
    if not math.isfinite(number):
        raise CrmError(f"bad {what} {value!r}: use a number such as 1200.50")
    if number < 0:
        raise CrmError(f"bad {what} {value!r}: it cannot be negative")
    if number > MAX_AMOUNT:
        raise CrmError(f"bad {what} {value!r}: the limit is {MAX_AMOUNT:.0f}")
    return round(number, 2)


def boolean(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if type(value) is str:
        cleaned = value.strip().lower()
        if cleaned in ("true", "1", "yes", "y"):
            return True
        if cleaned in ("false", "0", "no", "n", ""):
            return False
    raise CrmError(f"bad {what} {value!r}: use true or false")


def choice(value: Any, allowed: tuple[str, ...], what: str) -> str | None:
    """One word of a closed vocabulary, any case; None stays None."""
    if value is None:
        return None
    cleaned = as_text(value, what).strip().lower()
    if cleaned not in allowed:
        raise UnknownChoice(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    return cleaned


def record_id(value: Any, what: str = "id") -> int:
    return integer(value, what, 1, MAX_ID)


# --------------------------------------------------------------------------- field checks


def name(value: Any) -> str:
    return text(value, "name", MAX_NAME, required=True)  # type: ignore[return-value]


def email(value: Any) -> str:
    cleaned = text(value, "email", MAX_NAME, required=True) or ""
    if not _EMAIL.match(cleaned):
        raise CrmError(f"bad email {value!r}: use name@example.com")
    return cleaned


def phone(value: Any) -> str:
    cleaned = text(value, "phone", MAX_NAME, required=True) or ""
    if not _PHONE.fullmatch(cleaned) or not _DIGIT.search(cleaned):
        raise CrmError(f"bad phone {value!r}: use digits, letters, spaces and + ( ) - . , * # only")
    return cleaned


def tag(value: Any) -> str:
    cleaned = text(value, "tag", MAX_NAME, required=True) or ""
    if MULTI_SEPARATOR in cleaned or "," in cleaned:
        raise CrmError(f"bad tag {value!r}: a tag cannot contain ';' or ','")
    return cleaned


def label(value: Any) -> str:
    cleaned = " ".join((text(value, "label", MAX_NAME, required=True) or "").split())
    return cleaned.lower() if cleaned.lower() in ("birthday", "anniversary") else cleaned


def uid(value: Any) -> str:
    """A uid as other programs write them (RFC 6350 allows any text: `{3F2504E0-…}`,
    `urn:uuid:…`, `Some Name 1`), but never one that reads as a path: no leading `/`, `.`,
    `\\`, `~` or `-`, no `..`, no `\\` or `;` (the separator of uid lists in CSV cells), no
    control or invisible characters. (File names made from uids are
    sanitised besides: files.safe_name.)"""
    cleaned = text(value, "uid", 255, required=True) or ""
    if (
        not cleaned.isprintable()
        or cleaned[0] in "/.\\~-"
        or ".." in cleaned
        or any(mark in cleaned for mark in "\\;")
    ):
        raise CrmError(
            f"bad uid {value!r}: printable text not starting with / . \\ ~ or -, without .., "
            "\\ or ; (it could be read as a path, or as two uids in a CSV cell)"
        )
    return cleaned


def fold(value: str) -> str:
    """Case- and accent-insensitive form of a text: 'João' and 'joao' fold alike."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(value: str) -> str:
    """A name folded, with hyphens, apostrophes and dots as word breaks: "O'Brien-Silva" gives
    "o brien silva", so a reference can start at any word."""
    for mark in "-'’.":
        value = value.replace(mark, " ")
    return " ".join(fold(value).split())


def split_name(name: str) -> tuple[str, str]:
    """(given, family) made from a whole name for a contact without its own parts, as crm
    writes them in a vCard's N."""
    given, _, family = name.rpartition(" ")
    return (given, family) if family else ("", given)


def made_up_parts(record: Row) -> bool:
    """Whether a record's given and family names are only `split_name` of its name — what crm
    itself wrote into a vCard for a contact without parts (re-reading it changes nothing)."""
    if record.get("prefix") or record.get("suffix"):
        return False
    parts = (record.get("given_name") or "", record.get("family_name") or "")
    return any(parts) and parts == split_name(record.get("name") or "")


def first_ways(contact: Row) -> Row:
    """The email and phone a listing or a template shows for a contact: its first ones (the SQL
    listings say the same with json_extract(…, '$[0]'): store.FIRST_WAYS)."""
    return {
        "email": contact["emails"][0] if contact["emails"] else None,
        "phone": contact["phones"][0] if contact["phones"] else None,
    }


def joined_words(value: str) -> str:
    """A name folded with its apostrophes, hyphens and dots left out: "O'Brien" gives "obrien",
    for the reference typed without them."""
    for mark in "-'’.":
        value = value.replace(mark, "")
    return " ".join(fold(value).split())


def phone_key(phone: str) -> str:
    """A phone in any formatting, compared by its last nine digits (so +351 912 345 678 and
    912345678 are the same number)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-9:] if len(digits) >= 9 else digits


def name_key(name: str) -> str:
    """A name compared without case, accents or word order ("Silva, Ana" is Ana Silva)."""
    return " ".join(sorted(words(name.replace(",", " ")).split()))


def url(value: Any) -> str:
    cleaned = text(value, "url", 2000, required=True) or ""
    if any(ch.isspace() for ch in cleaned):
        raise CrmError(f"bad url {value!r}: a URL has no spaces")
    return cleaned


MAX_VCARD_LINE = 2_000_000  # a kept PHOTO (base64) of a phone's contact picture fits
# Properties that give a card its shape, or that crm writes itself: never kept aside, so a kept
# line cannot end the card early, start another, or give it a second identity.
CARD_STRUCTURE = ("BEGIN", "END", "VERSION", "UID", "FN", "N", "REV", "PRODID")


def vcard_line(value: Any) -> str:
    """A vCard property crm does not model, kept as read (NAME;PARAMS:VALUE) to write back."""
    cleaned = text(value, "vCard line", MAX_VCARD_LINE, required=True) or ""
    if ":" not in cleaned or "\n" in cleaned or "\r" in cleaned:
        raise CrmError(f"bad vCard line {cleaned[:60]!r}: NAME:VALUE on one line")
    name = re.split(r"[;:]", cleaned, maxsplit=1)[0].rpartition(".")[2].strip().upper()
    if not re.fullmatch(r"[A-Z0-9-]+", name) or name in CARD_STRUCTURE:
        raise CrmError(
            f"bad vCard line {cleaned[:60]!r}: {name or 'no name'} cannot be kept aside "
            "(a property name of letters, digits and -, other than "
            f"{', '.join(CARD_STRUCTURE)})"
        )
    return cleaned


def address(value: Any) -> Row:
    """A postal address: any of type, box, extended, street, city, region, code, country."""
    if not isinstance(value, dict):
        raise CrmError(f"an address must be an object of its parts, not {_kind(value)}")
    clean: Row = {}
    for part, content in value.items():
        if part not in ADDRESS_PARTS:
            raise CrmError(f"unknown address part {part!r}: use {', '.join(ADDRESS_PARTS)}")
        checked = text(content, f"address {part}", MAX_NAME)
        if checked:
            clean[part] = checked.lower() if part == "type" else checked
    if not any(clean.get(part) for part in ADDRESS_PARTS[1:]):
        raise CrmError("an empty address: give at least a street, city or country")
    return clean


def json_value(text: str) -> Any:
    """One JSON value, with the ways JSON can hurt a program turned into our errors: the one
    JSON parser for every door (files, CSV cells holding JSON, stored JSON columns)."""
    import json

    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise CrmError(f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise CrmError("JSON nested too deeply") from None
    except ValueError as error:  # a number of thousands of digits, NaN, Infinity
        raise CrmError(f"not valid JSON ({error})") from None


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"{text[:20]} is too large a number")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_items(check: Check, what: str) -> Check:
    """A JSON list column: a list, or its JSON text (as a CSV cell holds it)."""
    inner = items(check, what)

    def check_json_items(value: Any) -> list[Any]:
        if type(value) is str and value.strip().startswith("["):
            try:
                value = json_value(value)
            except CrmError as error:
                raise CrmError(f"{what} is not a JSON list: {value[:60]!r}: {error}") from None
        if type(value) is str:
            value = [value]
        return inner(value)

    return check_json_items


def unique(values: list[Any]) -> list[Any]:
    """Drop repeats, comparing case-insensitively, keeping the first spelling and the order."""
    if len(values) < 2:
        return values
    seen: set[str] = set()
    kept = []
    for value in values:
        if isinstance(value, str):
            key = value.casefold()
        elif isinstance(value, dict):  # an address or a URL with its labels
            key = repr(sorted(value.items()))
        else:
            key = repr(value)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def items(check: Check, what: str) -> Check:
    """A list column: a list (or one `;`-separated text) whose items each pass `check`."""

    def check_items(value: Any) -> list[str]:
        if value is None:
            return []
        if type(value) is str:
            value = [part for part in value.split(MULTI_SEPARATOR) if part.strip()]
        if not isinstance(value, list | tuple):
            raise CrmError(f"{what} must be a list, not {_kind(value)}")
        if len(value) > MAX_ITEMS:
            raise CrmError(f"{len(value)} {what}: the limit is {MAX_ITEMS}")
        return unique([check(item) for item in value])

    return check_items


def rating(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return integer(value, "rating", 1, 5)


def feedback(score: Any, scale: Any) -> tuple[int, int]:
    """A satisfaction score: 1–5 on a scale of 5, or 0–10 on a scale of 10 (NPS)."""
    checked_scale = integer(scale if scale not in (None, "") else 5, "scale", 0, 100)
    if checked_scale not in FEEDBACK_SCALES:
        raise UnknownChoice(f"bad scale {scale}: use 5 (1 to 5) or 10 (0 to 10, for NPS)")
    low = 1 if checked_scale == 5 else 0
    try:
        checked_score = integer(score, "score", low, checked_scale)
    except CrmError:
        shown = score.strip() if isinstance(score, str) else score
        raise CrmError(
            f"bad score {shown}: on a scale of {checked_scale} use {low} to {checked_scale}"
        ) from None
    return checked_score, checked_scale


def moment(value: Any, what: str) -> str:
    """A date or a date and time, as crm stores it (ISO 8601, local time, to the second)."""
    if isinstance(value, dt.date):
        when.check_range(value, what)
        return when.stamp(value)
    return when.parse_timestamp(as_text(value, what), what)


def day(value: Any, what: str) -> str:
    """A date alone (YYYY-MM-DD)."""
    stored = moment(value, what)
    if len(stored) != 10:
        raise CrmError(f"bad {what} {value!r}: use a date, YYYY-MM-DD")
    return stored


def special_date(month: Any, day_: Any, year: Any) -> tuple[int, int, int | None]:
    return when.special_date(month, day_, year)


def cadence(value: Any) -> int | None:
    """Days between touches; empty, `off` or `none` means no cadence."""
    if value is None or type(value) is str and value.strip().lower() in ("", "off", "none"):
        return None
    return when.parse_cadence(value)


def count(value: Any, what: str) -> int:
    return integer(value if value not in (None, "") else 0, what, 0, MAX_COUNT)


# --------------------------------------------------------------------------- records


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


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
        "extra": json_items(vcard_line, "vCard lines"),
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
        "created": _moment("created"),
        "source": _choice(SOURCES, "source"),
        "source_id": _text("source id", 1000),
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
    "contacts": {"archived": False},
    "interactions": {"kind": "touch", "channel": "other", "direction": "out"},
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

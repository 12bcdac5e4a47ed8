"""The values a stored field may hold: the model's vocabularies and limits, and one check per
kind of value (text, number, date, email, phone, uid…). A check takes the value as it arrived
and returns it as the database holds it, or raises one `CrmError` that says how to mend it.
Entities (which field takes which check) are `model`'s."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
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
JSON_COLUMNS = (
    "addresses",
    "urls",
    "extra",
    "card_forms",
)  # JSON arrays, kept as JSON text in CSV cells
FLAG_COLUMNS = ("archived", "do_not_contact", "awaits_reply")  # stored 0/1, read as booleans
ADDRESS_PARTS = ("type", "box", "extended", "street", "city", "region", "code", "country")
# `--excel-safe` puts a quote before a cell starting with one of these, so a spreadsheet shows
# it rather than runs it; a cell that starts with a quote gets one too, so an import that takes
# one quote off gets every cell back exactly.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
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
    if abs(number * 100 - round(number * 100)) > 1e-6 * max(1.0, number):
        raise CrmError(
            f"bad {what} {value!r}: money is kept to the cent, give at most two decimals"
        )
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
    if not re.fullmatch(r"[A-Z0-9_-]+", name) or name in CARD_STRUCTURE:
        raise CrmError(
            f"bad vCard line {cleaned[:60]!r}: {name or 'no name'} cannot be kept aside "
            "(a property name of letters, digits, - and _, other than "
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


def time_zone(value: Any) -> str | None:
    """An IANA time zone name (`Europe/Berlin`), checked against the zones Python knows."""
    name = text(value, "time zone", 64)
    if name is None:
        return None
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
    except Exception:  # not found, a path, bad characters: each is no zone
        raise CrmError(
            f"unknown time zone {name!r}: give an IANA name such as Europe/Berlin or "
            "America/New_York"
        ) from None
    return name


def reply_time(value: Any) -> int | None:
    """How long a contact's messages may wait for an answer, in days: empty for the setting's,
    `off` (0) for never."""
    if type(value) is str and value.strip().lower() in ("off", "never"):
        return 0
    if value == 0:
        return 0
    return cadence(value)


def awaits_reply(direction: str | None, channel: str | None) -> bool:
    """Whether an interaction can wait for my answer: a message or email that came in (a call or
    a meeting is its own answer). Anything outbound, a call or a meeting answers it."""
    return direction == "in" and channel in ("email", "message")

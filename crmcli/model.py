"""The vocabulary of the relationship model and the checks every written value passes.

The store calls these before it writes, so the CLI, imports and tests all get the same rules.
"""

from __future__ import annotations

import re

from .errors import CrmError

CHANNELS = ("call", "email", "meeting", "message", "video", "social", "letter", "other")
DIRECTIONS = ("in", "out")
SENTIMENTS = ("positive", "neutral", "negative")
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
MAX_TEXT = 10_000  # notes, summaries
MAX_NAME = 300  # names, companies, labels, tags
MULTI_SEPARATOR = ";"  # joins emails / phones / tags in one CSV cell

_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+$")
_PHONE = re.compile(r"[0-9+()./\- x]+")
_DIGIT = re.compile(r"\d")


def choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise CrmError(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    return cleaned


def text(value: str | None, what: str, limit: int = MAX_TEXT, required: bool = False) -> str | None:
    """Trimmed text; None for blank optional text. NUL bytes and huge values are refused."""
    if value is None:
        if required:
            raise CrmError(f"{what} is required")
        return None
    if "\x00" in value:
        raise CrmError(f"{what} contains a NUL byte: remove it")
    cleaned = value.strip()
    if not cleaned:
        if required:
            raise CrmError(f"{what} is empty: give a non-blank {what}")
        return None
    if len(cleaned) > limit:
        raise CrmError(f"{what} is {len(cleaned)} characters long: the limit is {limit}")
    return cleaned


def name(value: str | None) -> str:
    return text(value, "name", MAX_NAME, required=True)  # type: ignore[return-value]


def email(value: str) -> str:
    cleaned = text(value, "email", MAX_NAME, required=True)
    if not _EMAIL.match(cleaned or ""):
        raise CrmError(f"bad email {value!r}: use name@example.com")
    return cleaned  # type: ignore[return-value]


def phone(value: str) -> str:
    cleaned = text(value, "phone", MAX_NAME, required=True) or ""
    if not _PHONE.fullmatch(cleaned) or not _DIGIT.search(cleaned):
        raise CrmError(f"bad phone {value!r}: use digits, spaces and + ( ) - . only")
    return cleaned


def tag(value: str) -> str:
    cleaned = text(value, "tag", MAX_NAME, required=True) or ""
    if MULTI_SEPARATOR in cleaned or "," in cleaned:
        raise CrmError(f"bad tag {value!r}: a tag cannot contain ';' or ','")
    return cleaned


def unique(values: list[str]) -> list[str]:
    """Drop repeats, comparing case-insensitively, keeping the first spelling and the order."""
    if len(values) < 2:
        return values
    seen: set[str] = set()
    kept = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


def rating(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 5:
        raise CrmError(f"bad rating {value}: use a whole number from 1 to 5")
    return value


def amount(value: float | None, what: str = "amount") -> float | None:
    if value is None:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        raise CrmError(f"bad {what} {value}: use a number such as 1200.50")
    if value < 0:
        raise CrmError(f"bad {what} {value}: it cannot be negative")
    return round(value, 2)


def special_date(month: int, day: int, year: int | None) -> tuple[int, int, int | None]:
    """A real calendar day; without a year, 29 February is allowed."""
    import datetime as dt

    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year
    except (TypeError, ValueError):
        shown = f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
        raise CrmError(f"no such date {shown}: check the month and day") from None
    return month, day, year

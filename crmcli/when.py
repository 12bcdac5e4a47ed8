"""When-expressions and durations, parsed against an injected `today`.

WHEN:      2026-12-03, 2026-12-03 14:30, today, tomorrow, yesterday, now, +3d, -2w, 2w,
           in 2 weeks, 3 days ago, next friday, last monday, monday, next week,
           optionally followed by a time of day (``tomorrow 9:30``).
DURATION:  30d, 6w, 3m, 1y, 48h (also ``30 days``, ``2 weeks``).

A bare weekday means the next one when a future date is wanted (follow-ups) and the last one
when a past date is wanted (``crm log --when monday``): callers say which with `prefer`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .errors import CrmError

Prefer = Literal["future", "past"]

WHEN_HELP = (
    "YYYY-MM-DD [HH:MM], today, tomorrow, yesterday, +3d, -2w, in 2 weeks, 3 days ago, next friday"
)
DURATION_HELP = "a number and a unit: 30d, 6w, 3m, 1y or 48h"

_UNITS = {
    "h": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "week": "w", "weeks": "w",
    "m": "m", "month": "m", "months": "m",
    "y": "y", "year": "y", "years": "y",
}  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_TIME_SUFFIX = re.compile(r"^(.*?)(?:[ t]|\s+at\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?$", re.ASCII)
_OFFSET = re.compile(r"^([+-]?)(\d+)\s*([a-z]+)$", re.ASCII)
_IN = re.compile(r"^in\s+(\d+|an?)\s+([a-z]+)$", re.ASCII)
_AGO = re.compile(r"^(\d+|an?)\s+([a-z]+)\s+ago$", re.ASCII)
_DURATION = re.compile(r"^(\d+)\s*([a-z]+)$", re.ASCII)


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # one of h d w m y

    def add_to(self, moment: dt.datetime) -> dt.datetime:
        try:
            return _shift(moment, self.amount, self.unit)
        except (OverflowError, ValueError):
            raise CrmError(f"duration {self} is too long") from None

    def days(self) -> int:
        """Whole days, for cadences: a month counts 30 days, a year 365."""
        per_unit = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "y": 365}
        return max(1, round(self.amount * per_unit[self.unit]))

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def _shift(moment, amount: int, unit: str):
    if unit in ("m", "y"):
        from dateutil.relativedelta import relativedelta

        months = amount * (12 if unit == "y" else 1)
        return moment + relativedelta(months=months)
    if unit == "h":
        if not isinstance(moment, dt.datetime):
            raise CrmError("hours need a time of day: use days (3d) for a date")
        return moment + dt.timedelta(hours=amount)
    return moment + dt.timedelta(days=amount * (7 if unit == "w" else 1))


def _unit(word: str, text: str, help_text: str) -> str:
    unit = _UNITS.get(word)
    if unit is None:
        raise CrmError(f"unknown unit {word!r} in {text!r}: use {help_text}")
    return unit


def _count(word: str) -> int:
    return 1 if word in ("a", "an") else int(word)


def parse_duration(text: str) -> Duration:
    """`30d` → Duration(30, 'd'). Zero and negative durations are refused."""
    cleaned = text.strip().lower()
    if cleaned.startswith("-"):
        raise CrmError(f"negative duration {text!r}: use {DURATION_HELP}")
    match = _DURATION.match(cleaned.lstrip("+"))
    if not match:
        raise CrmError(f"bad duration {text!r}: use {DURATION_HELP}")
    amount = int(match.group(1))
    if amount == 0:
        raise CrmError(f"zero duration {text!r}: use {DURATION_HELP}")
    if amount > 100_000:
        raise CrmError(f"duration {text!r} is too long: use {DURATION_HELP}")
    return Duration(amount, _unit(match.group(2), text, DURATION_HELP))


def parse_when(
    text: str, today: dt.date, now: dt.datetime | None = None, prefer: Prefer = "future"
) -> dt.date | dt.datetime:
    """A date, or a datetime when the expression names a time of day (or hours, or `now`)."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise CrmError(f"empty date: use {WHEN_HELP}")
    if cleaned == "now":
        return now or dt.datetime.combine(today, dt.time(0))
    timed = _TIME_SUFFIX.match(cleaned)
    if timed and timed.group(1):
        day = _parse_day(timed.group(1), text, today, now, prefer)
        if isinstance(day, dt.datetime):
            raise CrmError(f"bad date {text!r}: two times of day")
        return dt.datetime.combine(day, _time(timed, text))
    return _parse_day(cleaned, text, today, now, prefer)


def _time(match: re.Match, text: str) -> dt.time:
    hour, minute, second = int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        raise CrmError(f"bad time of day in {text!r}: use HH:MM, 00:00 to 23:59") from None


def _parse_day(cleaned, text, today, now, prefer) -> dt.date | dt.datetime:
    iso = _ISO_DATE.match(cleaned)
    if iso:
        try:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise CrmError(f"no such date {text!r}: check the month and day") from None
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if cleaned in relative:
        return today + dt.timedelta(days=relative[cleaned])
    if cleaned in ("next week", "next month", "next year"):
        return _shift(today, 1, _UNITS[cleaned.split()[1]])
    shifted = _parse_offset(cleaned, text, today, now)
    if shifted is not None:
        return shifted
    weekday = _parse_weekday(cleaned, today, prefer)
    if weekday is not None:
        return weekday
    raise CrmError(f"bad date {text!r}: use {WHEN_HELP}")


def _parse_offset(cleaned, text, today, now):
    for pattern, sign in ((_OFFSET, None), (_IN, 1), (_AGO, -1)):
        match = pattern.match(cleaned)
        if not match:
            continue
        if sign is None:
            sign = -1 if match.group(1) == "-" else 1
            amount, word = int(match.group(2)), match.group(3)
        else:
            amount, word = _count(match.group(1)), match.group(2)
        if amount > 100_000:
            raise CrmError(f"bad date {text!r}: that is too far away")
        unit = _unit(word, text, WHEN_HELP)
        start = (now or dt.datetime.combine(today, dt.time(0))) if unit == "h" else today
        try:
            return _shift(start, sign * amount, unit)
        except (OverflowError, ValueError):
            raise CrmError(f"bad date {text!r}: that is too far away") from None
    return None


def _parse_weekday(cleaned, today, prefer):
    words = cleaned.split()
    direction = prefer
    if len(words) == 2 and words[0] in ("next", "last", "this"):
        direction = {"next": "future", "last": "past", "this": prefer}[words[0]]
        words = words[1:]
    if len(words) != 1:
        return None
    matches = [
        i for i, name in enumerate(_WEEKDAYS) if len(words[0]) >= 3 and name.startswith(words[0])
    ]
    if len(matches) != 1:
        return None
    target = matches[0]
    if direction == "future":
        return today + dt.timedelta(days=(target - today.weekday() - 1) % 7 + 1)
    return today - dt.timedelta(days=(today.weekday() - target - 1) % 7 + 1)


def parse_date(
    text: str, today: dt.date, now: dt.datetime | None = None, prefer: Prefer = "future"
) -> dt.date:
    """A when-expression that must name a day (a time of day is dropped)."""
    value = parse_when(text, today, now, prefer=prefer)
    return value.date() if isinstance(value, dt.datetime) else value


_SPECIAL = re.compile(r"^(?:(\d{4})-|--)?(\d{1,2})-?(\d{2})$", re.ASCII)


def parse_special_date(text: str) -> tuple[int, int, int | None]:
    """`1985-03-14` → (3, 14, 1985); `03-14` or `--0314` → (3, 14, None). 02-29 is allowed yearless."""
    cleaned = text.strip()
    match = _SPECIAL.match(cleaned)
    if not match or (match.group(1) is None and "-" not in cleaned):
        raise CrmError(
            f"bad special date {text!r}: use YYYY-MM-DD, or MM-DD when the year is unknown"
        )
    year = int(match.group(1)) if match.group(1) else None
    month, day = int(match.group(2)), int(match.group(3))
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year, so a yearless 02-29 passes
    except ValueError:
        raise CrmError(f"no such date {text!r}: check the month and day") from None
    if year is not None and not 1 <= year <= 9999:
        raise CrmError(f"bad year in {text!r}")
    return month, day, year

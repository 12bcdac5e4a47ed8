"""Every date, time, duration and cadence grammar crm accepts, parsed against an injected today.

WHEN:      2026-12-03, 2026-12-03 14:30, today, tomorrow, yesterday, now, +3d, -2w, 2w,
           in 2 weeks, 3 days ago, next friday, last monday, monday, next week,
           optionally followed by a time of day (``tomorrow 9:30``).
DURATION:  30d, 6w, 3m, 1y, 48h (also ``30 days``, ``2 weeks``).
CADENCE:   a duration, or a bare number of days (``30``), as CSV columns hold it.
SPECIAL:   1985-03-14, 03-14, --03-14, --0314, 19850314; from files also 14/03/1985,
           3/14/1985 and 29.02.1992 (day and month in the order the file uses).
TIMESTAMP: ISO 8601 dates and times from files (``2026-11-24``, ``2026-11-24T09:30:00``,
           with ``Z`` or an offset, turned into local time).

A bare weekday means the next one when a future date is wanted (follow-ups) and the last one
when a past date is wanted (``crm log --when monday``): callers say which with `prefer`.

Every date crm stores lies between `EARLIEST` and `LATEST`; calendar arithmetic uses dateutil's
relativedelta (never ``replace(year=…)``, which fails on 29 February).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .errors import CrmError

Prefer = Literal["future", "past"]
DateOrder = Literal["dmy", "mdy", "ymd"]
DATE_ORDERS = ("dmy", "mdy", "ymd")

# The dates crm stores and reasons about. Wide enough for any relationship, narrow enough that
# "today + 10 years" and "a year before" never leave Python's calendar.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)
RANGE_TEXT = f"{EARLIEST} to {LATEST}"
MAX_CADENCE_DAYS = 36_500  # a hundred years

WHEN_HELP = (
    "YYYY-MM-DD [HH:MM], today, tomorrow, yesterday, +3d, -2w, in 2 weeks, 3 days ago, next friday"
)
DURATION_HELP = "a number and a unit: 30d, 6w, 3m, 1y or 48h"
SPECIAL_HELP = "YYYY-MM-DD, or MM-DD when the year is unknown"

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
_OFFSET = re.compile(r"^([+-]?)(\d{1,9})\s*([a-z]+)$", re.ASCII)
_IN = re.compile(r"^in\s+(\d{1,9}|an?)\s+([a-z]+)$", re.ASCII)
_AGO = re.compile(r"^(\d{1,9}|an?)\s+([a-z]+)\s+ago$", re.ASCII)
_DURATION = re.compile(r"^(\d{1,9})\s*([a-z]+)$", re.ASCII)
_DAYS = re.compile(r"[+-]?\d+", re.ASCII)
# The timestamps files may hold: a date, or a date and a time (to the minute, second or beyond)
# with an optional zone; nothing else (no week dates, no bare hours).
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$", re.ASCII
)
_STORED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", re.ASCII)
PLACEHOLDER_YEARS = (1604, 1900)  # Apple's and others' "year unknown"


# --------------------------------------------------------------------------- the supported range


def check_range(moment: dt.date, what: str = "date", said: str | None = None) -> None:
    """Refuse a date outside the range crm stores (a typo such as 0202, or 20266); `said` is
    the words that gave it, named when they are not the date itself ('tomorrow')."""
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    if not EARLIEST <= day <= LATEST:
        words = f" ({said!r})" if said and not said.startswith(str(day)) else ""
        raise CrmError(
            f"{what} {day}{words} is outside the supported range {RANGE_TEXT}: check the year"
        )


def stamp(moment: dt.datetime | dt.date) -> str:
    """ISO 8601 text as crm stores it: to the second for a datetime, a date alone otherwise."""
    if isinstance(moment, dt.datetime):
        return moment.isoformat(timespec="seconds")
    return moment.isoformat()


def as_datetime(moment: dt.date | dt.datetime) -> dt.datetime:
    """A day as its first second; a datetime unchanged."""
    if isinstance(moment, dt.datetime):
        return moment
    return dt.datetime.combine(moment, dt.time(0))


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (29 February becomes 28 February)."""
    from dateutil.relativedelta import relativedelta

    return day - relativedelta(years=years)


# --------------------------------------------------------------------------- durations


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # one of h d w m y

    def add_to(self, moment: dt.datetime) -> dt.datetime:
        try:
            shifted = _shift(moment, self.amount, self.unit)
        except (OverflowError, ValueError):
            raise CrmError(f"duration {self} is too long") from None
        check_range(shifted, f"{self} later, the date")
        return shifted

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


def parse_cadence(value: object) -> int:
    """A keep-in-touch cadence in whole days: `30d`, `6w`, `3m`, `1y`, or a number of days."""
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise CrmError(f"bad cadence {value!r}: use a number of days or {DURATION_HELP}")
    text = str(int(value)) if isinstance(value, int | float) else str(value).strip()
    if len(text) > 40:
        raise CrmError(f"bad cadence {text[:20]}…: use 1 to {MAX_CADENCE_DAYS} days")
    days = int(text) if _DAYS.fullmatch(text) else parse_duration(text).days()
    if not 1 <= days <= MAX_CADENCE_DAYS:
        raise CrmError(f"bad cadence {value!r}: use 1 to {MAX_CADENCE_DAYS} days")
    return days


# --------------------------------------------------------------------------- when-expressions


def parse_when(
    text: str, today: dt.date, now: dt.datetime | None = None, prefer: Prefer = "future"
) -> dt.date | dt.datetime:
    """A date, or a datetime when the expression names a time of day (or hours, or `now`)."""
    moment = _parse_when(text, today, now, prefer)
    check_range(moment, "date", text.strip())
    return moment


def _parse_when(text, today, now, prefer):
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


def parse_deadline(text: str, opened: dt.datetime, today: dt.date, now: dt.datetime):
    """A response deadline: a duration from the opening (48h, 3d), or a moment (friday 17:00).

    A day without a time of day means the end of that day."""
    try:
        duration = parse_duration(text)
    except CrmError:
        moment = parse_when(text, today, now)
    else:
        return duration.add_to(opened)
    if not isinstance(moment, dt.datetime):
        return end_of_day(moment)
    return moment


# --------------------------------------------------------------------------- weekly schedules

DAILY = frozenset(range(7))


def parse_weekdays(text: str) -> frozenset[int]:
    """The days a cron line runs on: `daily`, `mon-fri`, `mon,wed,fri`, `sat-sun`
    (Monday is 0)."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in ("daily", "every", "all", "*", "mon-sun"):
        return DAILY
    days: set[int] = set()
    for part in cleaned.split(","):
        first, dash, last = part.partition("-")
        start, end = _weekday(first, text), _weekday(last, text) if dash else None
        if end is None:
            days.add(start)
        else:
            days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    return frozenset(days)


def _weekday(word: str, text: str) -> int:
    matches = [i for i, name in enumerate(_WEEKDAYS) if len(word) >= 3 and name.startswith(word)]
    if len(matches) != 1:
        raise CrmError(f"bad days {text!r}: use daily, mon-fri, or days such as mon,wed,fri")
    return matches[0]


# --------------------------------------------------------------------------- special dates

_SPECIAL = re.compile(r"^(?:(\d{4})-|--)?(\d{1,2})-?(\d{2})$", re.ASCII)
_BASIC = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
_SLASHED = re.compile(r"^(\d{1,4})([/.])(\d{1,2})\2(\d{1,4})$", re.ASCII)


def special_date(month: int, day: int, year: int | None) -> tuple[int, int, int | None]:
    """A real calendar day; without a year, 29 February is allowed (2000 is a leap year)."""
    for part in (month, day, year):
        if part is not None and (isinstance(part, bool) or not isinstance(part, int)):
            raise CrmError(f"bad date part {part!r}: month, day and year are whole numbers")
    if year is not None and not 1 <= year <= LATEST.year:
        raise CrmError(f"bad year {year}: use 0001 to {LATEST.year}, or leave the year out")
    try:
        dt.date(year or 2000, month, day)
    except (TypeError, ValueError, OverflowError):
        shown = f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
        raise CrmError(f"no such date {shown}: check the month and day") from None
    return month, day, year


def parse_special_date(
    text: str, from_file: bool = False, order: DateOrder | None = None
) -> tuple[int, int, int | None]:
    """`1985-03-14` and ISO's basic `19850314` → (3, 14, 1985); `03-14`, `--03-14`, `--0314`
    → (3, 14, None).

    From files (`from_file`) also `1985-03-14T00:00:00`, `14/03/1985`, `3/14/1985` and
    `29.02.1992`: a day and month that could be swapped (05/03/1990) are refused unless
    `order` says which comes first; dots are always day first; the placeholder years 1604 and
    1900 mean "unknown"."""
    cleaned = text.strip()
    slashed = None
    if from_file:
        cleaned = cleaned.split("T")[0]
        slashed = _SLASHED.match(cleaned)
    basic = _BASIC.match(cleaned)
    if basic:
        cleaned = f"{basic.group(1)}-{basic.group(2)}-{basic.group(3)}"
    if slashed:
        month, day, year = _ordered(slashed, text, order)
    else:
        match = _SPECIAL.match(cleaned)
        if not match or (match.group(1) is None and "-" not in cleaned):
            raise CrmError(f"bad special date {text!r}: use {SPECIAL_HELP}")
        year = int(match.group(1)) if match.group(1) else None
        month, day = int(match.group(2)), int(match.group(3))
    if from_file and year in PLACEHOLDER_YEARS:
        year = None
    try:
        return special_date(month, day, year)
    except CrmError as error:
        if "bad year" in str(error):
            raise
        raise CrmError(f"no such date {text.strip()}: check the month and day") from None


_NO_DATE = re.compile(r"^0{1,2}([/.-])0{1,2}\1(?:00|0000)$", re.ASCII)
_DAY_MONTH = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})\b", re.ASCII)


def means_no_date(text: str) -> bool:
    """Outlook writes 0/0/00 for "no birthday"."""
    return bool(_NO_DATE.match(text.strip()))


def date_order_of(text: str) -> DateOrder | None:
    """The day/month order a file's dates reveal (a first part above 12 is a day), or None
    when they do not say or contradict each other."""
    seen: set[str] = set()
    for first, second, _ in _DAY_MONTH.findall(text):
        if int(first) > 12 >= int(second):
            seen.add("dmy")
        elif int(second) > 12 >= int(first):
            seen.add("mdy")
    return seen.pop() if len(seen) == 1 else None  # type: ignore[return-value]


def _ordered(match: re.Match, text: str, order: DateOrder | None) -> tuple[int, int, int | None]:
    first, separator, second, last = match.groups()
    if len(first) == 4:  # 1985/03/14
        return int(second), int(last), int(first)
    a, b = int(first), int(second)
    year = _full_year(last)
    if separator == "." or order == "dmy":
        return b, a, year
    if order == "mdy":
        return a, b, year
    if a > 12 >= b:
        return b, a, year
    if b > 12 >= a:
        return a, b, year
    if a == b:
        return a, b, year
    raise CrmError(
        f"ambiguous date {text.strip()!r}: day and month could be swapped; "
        "say which comes first with --date-order dmy or mdy"
    )


def _full_year(text: str) -> int | None:
    year = int(text)
    if len(text) <= 2:
        return None if year == 0 else 1900 + year
    return year


# --------------------------------------------------------------------------- timestamps in files


def parse_timestamp(text: str, what: str = "date") -> str:
    """An ISO date or date-time from a file → crm's stored form (local time, to the second)."""
    cleaned = text.strip()
    if len(cleaned) == 19 and _STORED.match(cleaned):  # already as crm writes it: the fast path
        try:
            value = dt.datetime.fromisoformat(cleaned)
        except ValueError:
            raise CrmError(f"no such {what} {text!r}: check the month, day and time") from None
        check_range(value, what)
        return cleaned
    if _ISO_DATE.match(cleaned):
        try:
            day = dt.date.fromisoformat(cleaned)
        except ValueError:
            raise CrmError(f"no such {what} {text!r}: check the month and day") from None
        check_range(day, what)
        return day.isoformat()
    try:
        if not _TIMESTAMP.match(cleaned):
            raise ValueError
        value = dt.datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise CrmError(f"bad {what} {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS") from None
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    check_range(value, what)
    return stamp(value)


def parse_loose_date(text: str, what: str) -> dt.date:
    """Dates as services write them in exports: `26 Jul 2025`, `Jul 26, 2025`, ISO."""
    for pattern in ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%b %d, %Y", "%B %d, %Y"):
        try:
            day = dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        check_range(day, what)
        return day
    raise CrmError(f"bad {what} {text!r}: expected a date like 26 Jul 2025")


def their_time(
    moment: dt.datetime | str, zone: str | None, mine: dt.tzinfo | None = None
) -> str | None:
    """A moment of mine (crm keeps local times, as the clock on this machine) as it is where a
    contact lives: `15:00 Europe/Berlin` (with the day when it is another: `Tue 01:00 …`)."""
    if not zone:
        return None
    from zoneinfo import ZoneInfo

    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment if len(moment) > 10 else moment + "T00:00")
    local = moment.replace(tzinfo=mine) if mine else moment.astimezone()
    theirs = local.astimezone(ZoneInfo(zone))
    day = "" if theirs.date() == local.date() else f"{theirs:%a} "
    return f"{day}{theirs:%H:%M} {zone}"

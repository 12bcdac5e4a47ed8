"""`crm import calendar`: meetings from the calendars that sync engines already keep on disk —
an `.ics` file (any calendar's export), a folder of them (a vdirsyncer or khal vdir), or stdin.

Every event whose organizer or attendees include known contacts is expanded (repeating ones by
a maintained recurrence library) from --since up to a fortnight ahead. An occurrence that has
ended becomes a `meeting` interaction, keyed by the event's UID and occurrence so it is logged
once; one still to come is kept in the meetings table for the digest's "Meetings" part.
Cancelled occurrences are skipped, and so are those I declined; a contact who declined is left
out of the meeting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import files as files_
from .. import model
from ..errors import CrmError
from ..rules import email_key
from .readers import MAX_FILE

WINDOW = dt.timedelta(days=92)  # a repeating series is expanded this much at a time
MAX_OCCURRENCES = 5_000  # a series repeating more often in the window is refused, not expanded
REPEATS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")  # meetings repeat no faster
MAX_PER_HOUR = 4  # BYMINUTE=0,15,30,45 at most: a meeting every quarter of an hour
EXPAND_SECONDS = 2.0  # a series taking longer to expand is refused, whatever its rule
MAX_TOTAL = 50_000  # occurrences of all the calendars read at once
TOTAL_SECONDS = 10  # spent expanding all of them (5,000 ordinary series take 3 s)
# Meetings to come are kept this far ahead, so a digest before the next import has them.
AHEAD_DAYS = 14
TIME_FIELDS = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
FIRST_DAY = dt.date(1900, 1, 1)
Row = dict[str, Any]


@dataclass(slots=True)
class Meeting:
    """What one occurrence of an event says, read from the calendar before anything is
    written (so the import's write lock is held for the writing only)."""

    begins: dt.date | dt.datetime
    ends: dt.date | dt.datetime
    title: str
    location: str
    organizer: str  # an address, as compared (rules.email_key)
    attendees: list[tuple[str, bool]]  # (address, declined)
    cancelled: bool


@dataclass
class Occurrence:
    """One occurrence of an event (or, with `problem`, an event that cannot be read)."""

    where: str
    meeting: Meeting | None = None
    # UID|occurrence for every event, one-off or repeating: an event made repeating after its
    # first meeting (or no longer repeating) keeps the key of the meetings already logged.
    key: str = ""
    origin: str = ""  # the file, so a re-read replaces its meetings to come
    problem: str | None = None
    skip: str | None = None
    warnings: list[str] = field(default_factory=list)
    nobody: bool = False  # a series with nobody crm knows: left unexpanded
    single: bool = False  # a one-off event


# --------------------------------------------------------------------------- reading calendars


def window(now: dt.datetime, since: dt.datetime | None) -> tuple[dt.date, dt.date]:
    """The days expanded: from --since (or all the calendar holds) to AHEAD_DAYS ahead."""
    return (since.date() if since else FIRST_DAY), now.date() + dt.timedelta(days=AHEAD_DAYS + 1)


def origins(paths: list[str]) -> list[str]:
    """What a re-read replaces the meetings to come of: a file's or a folder's. What came on
    stdin is added to, never replaced (each pipe may carry another feed)."""
    return [files_.path_key(p) for p in paths if p != "-"]


def calendar_files(paths: list[str]) -> list[str]:
    """The .ics files under the paths (a folder is searched, subfolders too), or `-`."""
    found = []
    for path in paths:
        if path == "-":
            found.append(path)
            continue
        target = Path(path).expanduser()
        if not target.exists():
            raise CrmError(f"cannot read {path}: no such file or folder")
        if target.is_dir():
            found.extend(
                str(Path(root) / name)
                for root, dirs, names in sorted(os.walk(target))
                for name in sorted(names)
                if name.lower().endswith(".ics") and not name.startswith(".")
            )
        else:
            found.append(str(target))
    return found


def occurrences(
    files: list[str],
    start: dt.date,
    end: dt.date,
    involves: Callable[[list[Any]], bool],
    said: list[str],
) -> Iterator[Occurrence]:
    """Every occurrence between start and end of the events that `involves` someone crm
    knows (the others are not even expanded: one occurrence stands for the whole series), and
    a problem for each event (or file) that cannot be read; what a file had left out is `said`.
    Bounded in all, whatever the files: past MAX_TOTAL occurrences or TOTAL_SECONDS of
    expanding, the rest is refused with one problem (a few kilobytes of daily series since
    2013 made 295,000 meetings)."""
    import time

    began, total = time.monotonic(), 0
    for name in files:
        where = "stdin" if name == "-" else name
        try:
            data = (
                sys.stdin.buffer.read(MAX_FILE + 1)
                if name == "-"
                else files_.read_regular(name, MAX_FILE)
            )
        except CrmError as error:
            yield Occurrence(where, problem=str(error))
            continue
        if len(data) > MAX_FILE:
            yield Occurrence(where, problem=f"larger than {MAX_FILE >> 20} MB: no calendar")
            continue
        crowded = _crowded(data)
        if crowded:
            yield Occurrence(where, problem=crowded)
            continue
        events, problems, warnings = read_events(data)
        for problem in problems:
            yield Occurrence(where, problem=problem)
        said.extend(f"{where}: {warning}" for warning in warnings)
        for uid, series in _series(events).items():
            # an event piped in on stdin is its own origin: reading it again (cancelled,
            # moved) replaces what it said, and other events piped in before stay
            origin = f"stdin:{uid}" if name == "-" else files_.path_key(name)
            if not involves(series):
                yield Occurrence(where, None, uid, origin, nobody=True)
                continue
            for occurrence in _expand(series, uid, where, origin, start, end):
                total += 1
                yield occurrence
            if total > MAX_TOTAL or time.monotonic() - began > TOTAL_SECONDS:
                yield Occurrence(where, problem=(
                    f"the calendars hold over {MAX_TOTAL:,} meeting occurrences from {start} to "
                    f"{end}, or take over {TOTAL_SECONDS} s to expand: give --since a later "
                    "day, or fewer calendars; nothing after this was read"))  # fmt: skip
                return


# Components (BEGIN lines, once unfolded as a parser unfolds them) and listed dates a calendar
# file may hold: a year of a busy calendar has a few thousand.
MAX_COMPONENTS = 50_000
MAX_LISTED_DATES = 100_000
_FOLD = re.compile(rb"(?:\r?\n)+[ \t]")


def _crowded(data: bytes) -> str | None:
    """Why a file holds more than any calendar of meetings (counted before it is parsed: a
    million bare events took 73 s and 2 GB to parse), or None."""
    text = _FOLD.sub(b"", data)
    components = len(re.findall(rb"(?im)^begin\b", text))
    if components > MAX_COMPONENTS:
        return f"holds {components:,} components, more than any calendar: split it"
    listed = sum(line.count(b",") + 1 for line in re.findall(rb"(?im)^(?:r|ex)date\b.*$", text))
    if listed > MAX_LISTED_DATES:
        return f"lists {listed:,} dates (RDATE, EXDATE), more than any calendar: split it"
    return None


def involving(emails: dict[str, int]) -> Callable[[list[Any]], bool]:
    """Whether anyone of `emails` (crm's contacts) organises or attends an event of a series."""

    def involves(series: list[Any]) -> bool:
        for event in series:
            people = [one(event, "ORGANIZER"), *_listed(event.get("ATTENDEE"))]
            if any(_address(person) in emails for person in people):
                return True
        return False

    return involves


def read_events(data: bytes) -> tuple[list[Any], list[str], list[str]]:
    """The VEVENTs of a calendar file, what could not be read, and warnings. A file the parser
    refuses whole (an event never ended, say) is read again one component at a time, so one
    broken event costs only itself."""
    from .timezones import tamed

    warnings: list[str] = []
    with tamed(warnings):
        events, problems = _read_events(data)
    return events, problems, warnings


def _read_events(data: bytes) -> tuple[list[Any], list[str]]:
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except ValueError:
        calendars = []
    if calendars:
        return [event for calendar in calendars for event in calendar.walk("VEVENT")], []
    if b"BEGIN:VCALENDAR" not in data.upper():
        return [], ["not a calendar file (no BEGIN:VCALENDAR)"]
    return _salvage(data)


_UNFOLD = re.compile(r"\r?\n[ \t]")


def _salvage(data: bytes) -> tuple[list[Any], list[str]]:
    import icalendar

    events: list[Any] = []
    problems: list[str] = []
    timezones, components = _components(_text(data), problems)
    for number, lines in components:
        block = ["BEGIN:VCALENDAR", "VERSION:2.0", *timezones, *lines, "END:VCALENDAR"]
        try:
            calendar = icalendar.Calendar.from_ical("\r\n".join(block) + "\r\n")
        except ValueError as error:
            problems.append(f"event {number} ({_summary_of(lines)}): unreadable: {error}")
            continue
        events.extend(calendar.walk("VEVENT"))
    return events, problems


def _components(text: str, problems: list[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Time zones and events as lines; an event that never ends is reported and left out."""
    timezones: list[str] = []
    events: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    depth, number = 0, 0
    for line in _UNFOLD.sub("", text).splitlines():
        upper = line.strip().upper()
        if upper in ("BEGIN:VEVENT", "BEGIN:VTIMEZONE"):
            if current is not None:  # components do not nest: the previous one never ended
                problems.append(f"event {number} ({_summary_of(current)}): never ends (no END:)")
            number += upper == "BEGIN:VEVENT"
            current, depth = [line], 1
        elif current is not None:
            current.append(line)
            if upper.startswith("BEGIN:"):
                depth += 1
            elif upper.startswith("END:"):
                depth -= 1
                if upper == "END:VCALENDAR":
                    problems.append(f"event {number} ({_summary_of(current)}): never ends")
                    current = None
                elif depth == 0:
                    if current[0].strip().upper() == "BEGIN:VTIMEZONE":
                        timezones.extend(current)
                    else:
                        events.append((number, current))
                    current = None
    if current is not None:
        problems.append(f"event {number} ({_summary_of(current)}): cut off at the end of the file")
    return timezones, events


def _summary_of(lines: list[str]) -> str:
    for line in lines:
        if line.upper().startswith("SUMMARY"):
            return repr(line.partition(":")[2][:60])
    return "untitled"


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _series(events: list[Any]) -> dict[str, list[Any]]:
    """Events by UID: a repeating event and its changed occurrences are one series."""
    found: dict[str, list[Any]] = {}
    for event in events:
        uid = str(event.get("UID") or "").strip() or _made_up_uid(event)
        found.setdefault(uid, []).append(event)
    return found


def _made_up_uid(event: Any) -> str:
    """An event without a UID (against the standard) is known by what it says."""
    parts = [
        one(event, k).to_ical() if one(event, k) is not None else b""
        for k in ("DTSTART", "SUMMARY", "ORGANIZER")
    ]
    return "sha256:" + hashlib.sha256(b"\n".join(parts)).hexdigest()


def one(event: Any, name: str) -> Any:
    """A property that should appear once: the first, when a file repeats it."""
    value = event.get(name)
    return value[0] if isinstance(value, list) else value


def text_of(event: Any, name: str) -> str:
    """A text property as one clean line (a file may repeat it, or fill it with control
    characters)."""
    value = one(event, name)
    return model.one_line(str(value)) if value is not None else ""


def _bad_repetition(series: list[Any]) -> str | None:
    for event in series:
        for rule in _listed(event.get("RRULE")):
            freq = str((rule.get("FREQ") or [""])[0]).upper()
            if freq not in REPEATS:
                return f"repeats {freq.lower() or 'without a frequency'}: not a meeting"
            if any(int(i) < 1 for i in rule.get("INTERVAL") or []):
                return "repeats with an interval below 1"
            per_hour = len(rule.get("BYSECOND") or [0]) * len(rule.get("BYMINUTE") or [0])
            if per_hour > MAX_PER_HOUR:
                return f"repeats {per_hour} times an hour: not a meeting"
    return None


def _expand(series, uid, where, origin, start, end) -> Iterator[Occurrence]:
    import icalendar

    title = repr((text_of(series[0], "SUMMARY") or "untitled")[:60])
    here = f"{where}: event {title}"
    broken = [
        f"{name}: {why}" for event in series for name, why in event.errors if name in TIME_FIELDS
    ]
    twice = [
        f"{name} given {len(event.get(name))} times"
        for event in series
        for name in ("DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID")
        if isinstance(event.get(name), list)
    ]
    if broken or twice or any(one(event, "DTSTART") is None for event in series):
        yield Occurrence(here, problem="; ".join(broken + twice) or "no start (DTSTART)")
        return
    bad = _bad_repetition(series)
    if bad:
        yield Occurrence(here, problem=bad)
        return
    repeating = len(series) > 1 or any(k in series[0] for k in ("RRULE", "RDATE", "RECURRENCE-ID"))
    calendar = icalendar.Calendar()
    for event in series:
        calendar.add_component(event)
    try:
        found = _between(calendar, start, end)
    except CrmError as error:
        yield Occurrence(here, problem=str(error))
        return
    except Exception as error:  # a third-party parser meeting a hostile file: it is the file's
        yield Occurrence(here, problem=f"cannot expand its repetition: {error}")
        return
    if found is None:
        yield Occurrence(
            here, problem=f"repeats over {MAX_OCCURRENCES} times from {start} to {end}: give "
            "--since a later day, or leave this calendar out"
        )  # fmt: skip
        return
    for event in found:
        key = f"{uid}|{_occurrence_key(event)}"
        yield Occurrence(here, meeting_of(event), key, origin, single=not repeating)


def meeting_of(event: Any) -> Meeting:
    begins = local(event["DTSTART"].dt)
    try:
        ends = local(event.end)
    except (KeyError, ValueError, AttributeError):
        ends = begins
    attendees = [
        (_address(attendee), str(attendee.params.get("PARTSTAT", "")).upper() == "DECLINED")
        for attendee in _listed(event.get("ATTENDEE"))
    ]
    statuses = [str(s).strip().upper() for s in _listed(event.get("STATUS"))]
    return Meeting(
        begins, ends, text_of(event, "SUMMARY")[: model.MAX_TEXT] or "(no title)",
        text_of(event, "LOCATION")[: model.MAX_TEXT], _address(one(event, "ORGANIZER")),
        attendees, "CANCELLED" in statuses,
    )  # fmt: skip


def _between(calendar: Any, start: dt.date, end: dt.date) -> list[Any] | None:
    """The occurrences from start to end, a season at a time from the series' first one
    (never a whole endless series at once); None past MAX_OCCURRENCES."""
    import time

    import recurring_ical_events

    query = recurring_ical_events.of(calendar)
    first = min(_first_day(event) for event in calendar.walk("VEVENT"))
    window = max(start, first - dt.timedelta(days=1))
    found: dict[str, Any] = {}
    began = time.monotonic()
    while window < end:
        if time.monotonic() - began > EXPAND_SECONDS:
            raise CrmError(f"took over {EXPAND_SECONDS:.0f} s to expand: not a meeting series")
        window_end = min(window + WINDOW, end)
        for event in query.between(window, window_end):
            found.setdefault(_occurrence_key(event), event)  # one spanning two windows: once
        if len(found) > MAX_OCCURRENCES:
            return None
        window = window_end
    return list(found.values())


def _first_day(event: Any) -> dt.date:
    """The event's first day: its start, or an added date (RDATE) before it, which a calendar
    may list and which is an occurrence all the same."""
    days = [_day_of(one(event, "DTSTART").dt)]
    for listed in _listed(event.get("RDATE")):
        days.extend(_day_of(period[0] if isinstance(period, tuple) else period)
                    for period in (d.dt for d in getattr(listed, "dts", [])))  # fmt: skip
    return min(days)


def _day_of(moment: dt.date) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def _occurrence_key(event: Any) -> str:
    """The occurrence as UTC text (or floating / all-day as written): stable across time zones."""
    moment = (event.get("RECURRENCE-ID") or event["DTSTART"]).dt
    if isinstance(moment, dt.datetime):
        if moment.tzinfo:
            return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return moment.strftime("%Y%m%dT%H%M%S")
    return moment.strftime("%Y%m%d")


def local(moment: dt.date) -> dt.date | dt.datetime:
    """A time in local time, without a zone (a floating time and a day are left as they are)."""
    if isinstance(moment, dt.datetime) and moment.tzinfo:
        return moment.astimezone().replace(tzinfo=None)
    return moment


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _address(value: Any) -> str:
    """An organizer's or attendee's address: `mailto:` as usual, or the EMAIL parameter
    (Apple's and CalendarServer's `urn:uuid:` attendees)."""
    if value is None:
        return ""
    email = getattr(value, "params", {}).get("EMAIL")
    text = str(email if email else value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return email_key(text.strip())

"""When-expressions, durations and special dates, against a fixed Tuesday 2026-11-24."""

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmcli.errors import CrmError
from crmcli.when import parse_duration, parse_special_date, parse_when

TODAY = dt.date(2026, 11, 24)  # a Tuesday
NOW = dt.datetime(2026, 11, 24, 15, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03", dt.date(2026, 12, 3)),
        ("2026-12-03 14:30", dt.datetime(2026, 12, 3, 14, 30)),
        ("2026-12-03T14:30:15", dt.datetime(2026, 12, 3, 14, 30, 15)),
        ("today", TODAY),
        ("Tomorrow", dt.date(2026, 11, 25)),
        ("yesterday", dt.date(2026, 11, 23)),
        ("+3d", dt.date(2026, 11, 27)),
        ("-2w", dt.date(2026, 11, 10)),
        ("2w", dt.date(2026, 12, 8)),
        ("in 2 weeks", dt.date(2026, 12, 8)),
        ("in a month", dt.date(2026, 12, 24)),
        ("3 days ago", dt.date(2026, 11, 21)),
        ("1y", dt.date(2027, 11, 24)),
        ("next friday", dt.date(2026, 11, 27)),
        ("next tuesday", dt.date(2026, 12, 1)),
        ("last friday", dt.date(2026, 11, 20)),
        ("monday", dt.date(2026, 11, 30)),
        ("fri", dt.date(2026, 11, 27)),
        ("next week", dt.date(2026, 12, 1)),
        ("tomorrow 9:30", dt.datetime(2026, 11, 25, 9, 30)),
        ("+48h", dt.datetime(2026, 11, 26, 15, 30)),
        ("now", NOW),
    ],
)
def test_when_expressions(text, expected):
    assert parse_when(text, TODAY, NOW) == expected


def test_a_bare_weekday_looks_back_when_the_past_is_wanted():
    assert parse_when("monday", TODAY, prefer="past") == dt.date(2026, 11, 23)
    assert parse_when("tuesday", TODAY, prefer="past") == dt.date(2026, 11, 17)
    assert parse_when("next monday", TODAY, prefer="past") == dt.date(2026, 11, 30)


def test_month_arithmetic_clamps_to_the_month_end():
    assert parse_when("+1m", dt.date(2027, 1, 31)) == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "2026-02-30",
        "2026-13-01",
        "25:00",
        "in 2 fortnights",
        "next blursday",
        "+3q",
        "tomorrow 24:00",
    ],
)
def test_bad_when_expressions(text):
    with pytest.raises(CrmError):
        parse_when(text, TODAY, NOW)


@pytest.mark.parametrize(
    ("text", "amount", "unit", "days"),
    [
        ("30d", 30, "d", 30),
        ("6w", 6, "w", 42),
        ("3m", 3, "m", 90),
        ("1y", 1, "y", 365),
        ("48h", 48, "h", 2),
        ("2 weeks", 2, "w", 14),
    ],
)
def test_durations(text, amount, unit, days):
    duration = parse_duration(text)
    assert (duration.amount, duration.unit, duration.days()) == (amount, unit, days)


@pytest.mark.parametrize("text", ["", "0d", "-3d", "3", "d", "3 fortnights", "1.5d"])
def test_bad_durations(text):
    with pytest.raises(CrmError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-03-14", (3, 14, 1985)),
        ("03-14", (3, 14, None)),
        ("--03-14", (3, 14, None)),
        ("--0314", (3, 14, None)),
        ("02-29", (2, 29, None)),
        ("2000-02-29", (2, 29, 2000)),
        ("19850314", (3, 14, 1985)),  # ISO basic, from an option as from a file
    ],
)
def test_special_dates(text, expected):
    assert parse_special_date(text) == expected


@pytest.mark.parametrize(
    "text", ["1985-02-29", "13-01", "02-30", "0314", "yesterday", "1985/03/14", ""]
)
def test_bad_special_dates(text):
    with pytest.raises(CrmError):
        parse_special_date(text)


@settings(deadline=None)  # the first example pays for lazy imports
@given(st.text(max_size=40))
def test_random_text_parses_or_raises_our_error(text):
    for parse in (lambda t: parse_when(t, TODAY, NOW), parse_duration, parse_special_date):
        with contextlib.suppress(CrmError):
            parse(text)


@settings(deadline=None)
@given(st.from_regex(r"[+-]?\d{1,7}\s?(d|w|m|y|h|days|weeks|months|years)", fullmatch=True))
def test_random_offsets_parse_or_raise_our_error(text):
    with contextlib.suppress(CrmError):
        parse_when(text, TODAY, NOW)

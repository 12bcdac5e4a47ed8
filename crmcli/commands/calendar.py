"""crm calendar: an iCalendar feed of special dates and follow-ups."""

from typing import Annotated

import typer

from .. import clock, files, settings
from ..options import LeapDay, OutputFile, open_store

CALENDAR_DAYS = 365


def calendar(
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            "-d",
            help=f"Follow-ups due within N days (default: {CALENDAR_DAYS}).",
            min=0,
            max=3660,
        ),
    ] = None,
    leap_day: LeapDay = None,
    output_file: OutputFile = None,
) -> None:
    """An iCalendar (.ics) feed: yearly special dates and open follow-ups, with stable UIDs."""
    from ..exchange.ical import build_calendar

    store = open_store()
    horizon = CALENDAR_DAYS if days is None else days
    feed = build_calendar(
        store, clock.today(), clock.now(), horizon, settings.leap_rule(store, leap_day)
    )
    with files.destination(output_file, store) as out:
        out.write(feed.decode("utf-8"))

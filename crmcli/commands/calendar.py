"""crm calendar: an iCalendar feed of special dates and follow-ups."""

from typing import Annotated

import typer

from .. import clock, files, output, settings
from ..exchange.ical import FOLLOWUP_DAYS
from ..options import Force, LeapDay, OutputFile, open_store
from ..settings import MAX_DAYS


def calendar(
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            "-d",
            help=f"Follow-ups due within N days (default: {FOLLOWUP_DAYS}).",
            min=0,
            max=MAX_DAYS,
        ),
    ] = None,
    leap_day: LeapDay = None,
    output_file: OutputFile = None,
    force: Force = False,
) -> None:
    """An iCalendar (.ics) feed: yearly special dates and open follow-ups, with stable UIDs."""
    from ..exchange.ical import build_calendar

    store = open_store()
    feed = build_calendar(
        store, clock.today(), clock.now(), days, settings.leap_rule(store, leap_day)
    )
    if output_file is None or str(output_file) == "-":
        output.document(feed.decode("utf-8"))  # on a terminal, nothing in it drives the screen
        return
    with files.destination(output_file, store, force) as out:
        out.write(feed.decode("utf-8"))

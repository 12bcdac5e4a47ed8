"""The daily question: crm overdue, upcoming, complaints, digest."""

from typing import Annotated

import typer

from .. import clock, output, settings, views
from ..options import Days, Format, LeapDay, open_store
from .complaints import AllOption, show_complaints


def overdue(fmt: Format = None) -> None:
    """Follow-ups due today or earlier and contacts past their cadence, most overdue first."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = store.overdue(clock.today())
    if not output.render(rows, chosen, columns=views.OVERDUE_COLUMNS) and chosen in (
        "table",
        "plain",
    ):
        output.message("nothing overdue")


def upcoming(days: Days = None, leap_day: LeapDay = None, fmt: Format = None) -> None:
    """Birthdays, anniversaries and other dates from today through today + N days."""
    from ..reports import upcoming as upcoming_dates

    store = open_store()
    chosen = output.check_format(fmt)
    span = settings.days_ahead(store, days)
    rows = upcoming_dates(store, clock.today(), span, settings.leap_rule(store, leap_day))
    if not output.render(rows, chosen, columns=views.UPCOMING_COLUMNS) and chosen in (
        "table",
        "plain",
    ):
        output.message(f"no special dates in the next {span} days")


def complaints(all_: AllOption = False, fmt: Format = None) -> None:
    """Unresolved complaints, oldest first, with age and SLA breaches."""
    show_complaints(all_, fmt)


def digest(
    days: Days = None,
    leap_day: LeapDay = None,
    quiet_if_empty: Annotated[
        bool, typer.Option("--quiet-if-empty", help="Print nothing when nothing is due (for cron).")
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table, plain, markdown or json (default: table on a terminal, plain in a pipe).",
        ),
    ] = None,
) -> None:
    """The daily digest: overdue, upcoming and complaints on one page."""
    from ..reports import digest as build_digest
    from ..reports import remember_run

    store = open_store()
    chosen = output.check_format(fmt, views.DIGEST_FORMATS)
    today = clock.today()
    report = build_digest(
        store, today, clock.now(), settings.days_ahead(store, days), settings.leap_rule(store, leap_day),
        settings.get(store, "week_start"),
    )  # fmt: skip
    remember_run(store, today)
    if report["empty"] and quiet_if_empty:
        return
    views.render_digest(report, chosen)

"""crm upcoming: birthdays, anniversaries and other special dates ahead."""

from .. import clock, columns, output, reports, settings
from ..options import Days, Format, LeapDay, Wide, open_store


def upcoming(
    days: Days = None, leap_day: LeapDay = None, fmt: Format = None, wide: Wide = False
) -> None:
    """Birthdays, anniversaries and other dates from today through today + N days."""
    store = open_store()
    chosen = output.check_format(fmt)
    span = settings.days_ahead(store, days)
    rows = reports.upcoming(store, clock.today(), span, settings.leap_rule(store, leap_day))
    output.listing(
        rows, chosen, columns.UPCOMING, f"no special dates in the next {output.plural(span, 'day')}"
    )

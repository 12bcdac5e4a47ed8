"""crm overdue: follow-ups due, contacts past their keep-in-touch cadence, messages waiting."""

from .. import clock, columns, output, reports
from ..options import Format, Wide, open_store


def overdue(fmt: Format = None, wide: Wide = False) -> None:
    """Follow-ups due, contacts past their cadence, messages awaiting my reply; most overdue first."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = reports.overdue(store, clock.today(), clock.now())
    output.listing(rows, chosen, columns.OVERDUE, "nothing overdue")

"""crm overdue: follow-ups due and contacts past their keep-in-touch cadence."""

from .. import clock, columns, output
from ..options import Format, Wide, open_store


def overdue(fmt: Format = None, wide: Wide = False) -> None:
    """Follow-ups due today or earlier and contacts past their cadence, most overdue first."""
    store = open_store()
    chosen = output.check_format(fmt)
    output.listing(store.reports.overdue(clock.today()), chosen, columns.OVERDUE, "nothing overdue")

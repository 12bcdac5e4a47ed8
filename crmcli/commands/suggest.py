"""crm suggest: when nothing is due, who to reach out to next."""

from typing import Annotated

import typer

from .. import clock, columns, output, reports
from ..options import Format, Wide, open_store


def suggest(
    count: Annotated[int, typer.Argument(metavar="[N]", help="How many to suggest.", min=1)] = 5,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """Who to reach out to next, before anyone is due: how far through their cadence, their
    value, their last touch's sentiment; with the reason. Never who asked not to be contacted."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = reports.suggest(store, clock.today(), count)
    output.listing(rows, chosen, columns.SUGGEST, "nobody to suggest: who keeps a cadence is in "
                   "`crm overdue` already, or nobody does (--every 30d, or crm config set "
                   "cadence.TAG 30d)")  # fmt: skip

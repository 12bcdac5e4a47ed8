"""crm history: the recent changes crm can undo."""

from typing import Annotated

import typer

from .. import columns, history, output
from ..options import Format, Wide, open_store


def history_(
    limit: Annotated[int, typer.Option(help="How many changes, newest first.", min=1)] = 20,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """Recent changes: when, the command, what it changed; `crm undo` takes back the newest."""
    store = open_store()
    chosen = output.check_format(fmt)
    output.listing(
        history.listing(store, limit), chosen, columns.HISTORY, "no changes recorded yet"
    )

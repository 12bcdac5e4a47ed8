"""crm search: full-text search over people, notes and interactions."""

from typing import Annotated

import typer

from .. import columns, model, output
from ..options import Format, Wide, open_store
from ..store import SEARCH_LIMIT


def search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Words to find (all of them).")],
    limit: Annotated[int, typer.Option(help="At most this many results.", min=1)] = SEARCH_LIMIT,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """Full-text search over names, companies, notes and interactions, best first."""
    store = open_store()
    chosen = output.check_format(fmt)
    query = model.text(text, "search text", required=True) or ""
    output.listing(
        store.search.find(query, limit), chosen, columns.SEARCH, f"nothing matches {query!r}"
    )
